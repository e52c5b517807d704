"""One settings object for the whole chain; each step's defaults are COINr's function defaults.

A step set to ``None`` is skipped: no data set is written for it and the next step reads the
latest data set that exists (COINr's raw-data variants are built that way).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any


@dataclass(frozen=True)
class DenominateSettings:
    scale_factor: float = 1.0


@dataclass(frozen=True)
class ImputeSettings:
    # mean | median | group_mean | group_median | carry_forward | linear | linear_then_carry_forward
    method: str = "mean"
    group_column: str | None = None  # unit column naming the group (group_* methods)
    # then, in a panel, a unit-year left without any value in a group of indicators:
    # None (stays empty) | earliest_observed (see impute.fill_empty_groups; not in COINr)
    empty_group_fill: str | None = None


@dataclass(frozen=True)
class ScreenSettings:
    dat_thresh: float = 2 / 3
    nonzero_thresh: float = 0.05
    unit_screen: str = "byNA"  # byNA | byzeros | byNAandzeros | none


@dataclass(frozen=True)
class TreatSettings:
    winmax: int | None = 5
    skew_thresh: float = 2.0
    kurt_thresh: float = 3.5
    f2: str | None = "log_CT"  # log_CT | log_CT_orig | None (winsorise only)
    combine_treat: bool = False
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class NormaliseSettings:
    method: str = "minmax"  # see normalise.NORMALISERS
    params: Mapping[str, Any] = field(default_factory=lambda: {"lower": 0.0, "upper": 100.0})
    per_indicator: Mapping[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True)
class AggregateSettings:
    method: str | tuple[str, ...] = "arithmetic"  # arithmetic | geometric, or one per level
    dat_thresh: float | None = None
    nonpositive: str = "error"  # geometric mean: error (COINr) | zero


_STEP_TYPES = {
    "denominate": DenominateSettings,
    "impute": ImputeSettings,
    "screen": ScreenSettings,
    "treat": TreatSettings,
    "normalise": NormaliseSettings,
    "aggregate": AggregateSettings,
}


@dataclass(frozen=True)
class Settings:
    denominate: DenominateSettings | None = DenominateSettings()
    impute: ImputeSettings | None = ImputeSettings()
    screen: ScreenSettings | None = ScreenSettings()
    treat: TreatSettings | None = TreatSettings()
    normalise: NormaliseSettings | None = NormaliseSettings()
    aggregate: AggregateSettings | None = AggregateSettings()

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> Settings:
        """From nested plain data (e.g. parsed YAML); a step given as ``null`` is skipped.

        Unknown step or option names are errors, so a typo cannot silently fall back to a
        default.
        """
        unknown = set(config) - set(_STEP_TYPES)
        if unknown:
            raise ValueError(f"unknown steps in settings: {sorted(unknown)}")
        steps = {}
        for name, step_type in _STEP_TYPES.items():
            if name not in config:
                continue
            options = config[name]
            if options is None:
                steps[name] = None
                continue
            allowed = {f.name for f in fields(step_type)}
            bad = set(options) - allowed
            if bad:
                raise ValueError(f"unknown options for {name}: {sorted(bad)}")
            options = dict(options)
            if "exclude" in options:
                options["exclude"] = tuple(options["exclude"])
            if isinstance(options.get("method"), list):
                options["method"] = tuple(options["method"])
            steps[name] = step_type(**options)
        return replace(cls(), **steps)
