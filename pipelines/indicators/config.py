"""data/reference/composite_settings.yaml: everything the marts need besides the catalog."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from pipelines.composite import Settings
from pipelines.paths import REFERENCE_DIR

DEFAULT_SETTINGS_FILE = REFERENCE_DIR / "composite_settings.yaml"
SECTIONS = {
    "engine",
    "panel",
    "pillars",
    "indices",
    "performance_groups",
    "northeast_view",
    "uncertainty",
}
EMPTY_PILLAR_FILLS = ("earliest_observed", "none")


class ConfigError(ValueError):
    """composite_settings.yaml is incomplete or inconsistent."""


@dataclass(frozen=True)
class Pillar:
    code: str
    name_zh: str
    name_en: str
    index: str
    weight: float


@dataclass(frozen=True)
class Index:
    code: str
    name_zh: str
    name_en: str
    publish: bool


@dataclass(frozen=True)
class PerformanceGroups:
    """Thresholds on relative_to_national (national = 100); the rule is in
    sql/marts/pillar_score.sql: leader > leader; strong >= strong; moderate >= moderate;
    else emerging."""

    leader: float
    strong: float
    moderate: float


@dataclass(frozen=True)
class UncertaintySettings:
    """The Monte Carlo behind rank_p05/p50/p95 and marts.sensitivity (see the yaml)."""

    samples: int  # Sobol' base sample N (a power of 2); the design runs N x (choices + 2)
    seed: int
    normalisations: tuple[str, ...]
    weight_sets: tuple[str, ...]
    weight_noise: float  # each noisy weight set multiplies every weight by 1 + U(-f, f)
    noisy_weight_sets: int
    aggregations: tuple[str, ...]


@dataclass(frozen=True)
class CompositeConfig:
    engine: Settings  # with panel.empty_pillar_fill as engine.impute.empty_group_fill
    pillars: dict[str, Pillar]
    indices: dict[str, Index]
    performance_groups: PerformanceGroups
    benchmark_province: str
    uncertainty: UncertaintySettings | None  # None: no Monte Carlo (quicker builds)

    def pillars_of(self, index: str) -> list[str]:
        return [code for code, pillar in self.pillars.items() if pillar.index == index]

    @property
    def published_indices(self) -> list[str]:
        return [code for code, index in self.indices.items() if index.publish]


def load_config(path: Path = DEFAULT_SETTINGS_FILE) -> CompositeConfig:
    with Path(path).open(encoding="utf-8") as handle:
        return config_from_mapping(yaml.safe_load(handle), source=str(path))


def config_from_mapping(raw: Mapping[str, Any], source: str = "settings") -> CompositeConfig:
    missing = SECTIONS - set(raw)
    unknown = set(raw) - SECTIONS
    if missing or unknown:
        raise ConfigError(
            f"{source}: missing sections {sorted(missing)}, unknown {sorted(unknown)}"
        )
    indices = {
        str(code): Index(str(code), spec["name_zh"], spec["name_en"], bool(spec["publish"]))
        for code, spec in raw["indices"].items()
    }
    pillars = {
        str(code): Pillar(
            str(code), spec["name_zh"], spec["name_en"], str(spec["index"]), float(spec["weight"])
        )
        for code, spec in raw["pillars"].items()
    }
    for pillar in pillars.values():
        if pillar.index not in indices:
            raise ConfigError(
                f"{source}: pillar {pillar.code} names unknown index {pillar.index!r}"
            )
    for code in indices:
        if code in pillars:
            raise ConfigError(f"{source}: {code!r} is both an index and a pillar")
        if not any(p.index == code for p in pillars.values()):
            raise ConfigError(f"{source}: index {code!r} has no pillars")
    groups = PerformanceGroups(**{k: float(v) for k, v in raw["performance_groups"].items()})
    if not groups.leader > groups.strong > groups.moderate:
        raise ConfigError(f"{source}: performance_groups need leader > strong > moderate")
    benchmark = str(raw["northeast_view"]["benchmark_province"])
    return CompositeConfig(
        engine=_engine(raw["engine"] or {}, raw["panel"] or {}, source),
        pillars=pillars,
        indices=indices,
        performance_groups=groups,
        benchmark_province=benchmark,
        uncertainty=_uncertainty(raw["uncertainty"], source),
    )


def _engine(engine: Mapping[str, Any], panel: Mapping[str, Any], source: str) -> Settings:
    """``engine`` as it is, with ``panel.empty_pillar_fill``, the one place users set the fill,
    as the imputation's ``empty_group_fill``."""
    settings = Settings.from_mapping(engine)
    if settings.impute is not None and settings.impute.empty_group_fill is not None:
        raise ConfigError(f"{source}: set the fill as panel.empty_pillar_fill, not in engine")
    fill = str(panel.get("empty_pillar_fill", "earliest_observed"))
    if fill not in EMPTY_PILLAR_FILLS:
        raise ConfigError(f"{source}: panel.empty_pillar_fill must be one of {EMPTY_PILLAR_FILLS}")
    if fill == "none":
        return settings
    if settings.impute is None:
        raise ConfigError(f"{source}: panel.empty_pillar_fill {fill} needs engine.impute (or none)")
    return replace(settings, impute=replace(settings.impute, empty_group_fill=fill))


def _uncertainty(raw: Mapping[str, Any] | None, source: str) -> UncertaintySettings | None:
    if raw is None:
        return None
    settings = UncertaintySettings(
        samples=int(raw["samples"]),
        seed=int(raw["seed"]),
        normalisations=tuple(raw["normalisations"]),
        weight_sets=tuple(raw["weight_sets"]),
        weight_noise=float(raw["weight_noise"]),
        noisy_weight_sets=int(raw["noisy_weight_sets"]),
        aggregations=tuple(raw["aggregations"]),
    )
    if settings.samples < 2 or settings.samples & (settings.samples - 1):
        raise ConfigError(f"{source}: uncertainty.samples must be a power of 2")
    return settings
