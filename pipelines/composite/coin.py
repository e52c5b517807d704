"""The Coin: a framework, the units' attributes and named data sets, one per step.

Like COINr's coin, each step reads one data set and writes a new one (Raw -> Denominated ->
Imputed -> Screened -> Treated -> Normalised -> Aggregated) and keeps what it found out in
``analysis`` (imputed cells, screening summary, treatment details). ``build`` runs the chain
from one ``Settings`` object on a copy, so the same raw coin can be rebuilt with other settings;
it is the one place that orders the steps. On a built coin, ``sensitivity`` (COINr
``get_sensitivity``) and ``audit`` write their results to ``analysis`` too.
Rows are units (index = unit code) or, for panels, unit-years (a (unit, time) MultiIndex).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipelines.composite.aggregate import aggregate
from pipelines.composite.audit import parent_audit
from pipelines.composite.denominate import denominate
from pipelines.composite.framework import Framework
from pipelines.composite.impute import Imputation, fill_empty_groups, impute
from pipelines.composite.normalise import normalise
from pipelines.composite.screen import screen_units
from pipelines.composite.settings import (
    AggregateSettings,
    DenominateSettings,
    ImputeSettings,
    NormaliseSettings,
    ScreenSettings,
    Settings,
    TreatSettings,
)
from pipelines.composite.treat import treat

if TYPE_CHECKING:  # uncertainty builds coins, so it imports this module
    from pipelines.composite.uncertainty import Choice

# Frozen, so one shared instance per step is a safe default argument.
_DENOMINATE, _IMPUTE, _SCREEN = DenominateSettings(), ImputeSettings(), ScreenSettings()
_TREAT, _NORMALISE, _AGGREGATE = TreatSettings(), NormaliseSettings(), AggregateSettings()
_SETTINGS = Settings()

STAGES = ("Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated")


@dataclass
class Coin:
    framework: Framework
    units: pd.DataFrame  # unit attributes: groups, denominators (same index as the data)
    datasets: dict[str, pd.DataFrame] = field(default_factory=dict)
    analysis: dict[str, Any] = field(default_factory=dict)
    settings: Settings | None = None  # what ``build`` ran; None when steps were called by hand

    @classmethod
    def from_data(cls, framework: Framework, data: pd.DataFrame) -> Coin:
        """``data`` holds the indicator columns and any unit attributes; Raw gets the former."""
        missing = [code for code in framework.indicators if code not in data.columns]
        if missing:
            raise KeyError(f"indicators of the framework missing from the data: {missing}")
        raw = data[framework.indicators].astype(float)
        units = data.drop(columns=framework.indicators)
        return cls(framework=framework, units=units, datasets={"Raw": raw})

    def copy(self) -> Coin:
        return Coin(
            framework=self.framework,
            units=self.units,
            datasets=dict(self.datasets),
            analysis=copy.copy(self.analysis),
            settings=self.settings,
        )

    @property
    def latest(self) -> str:
        """The last stage written, in the order of ``STAGES``."""
        return self.latest_up_to(STAGES[-1])

    def latest_up_to(self, stage: str) -> str:
        """The last stage written at or before ``stage``, in the order of ``STAGES`` (e.g. the
        data the treatment left, whichever earlier steps the settings skipped)."""
        return [s for s in STAGES[: STAGES.index(stage) + 1] if s in self.datasets][-1]

    def _read(self, dset: str | None) -> pd.DataFrame:
        return self.datasets[dset or self.latest]

    # --- steps: each writes ``write_to`` and returns the coin for chaining --------------------
    def denominate(
        self, settings: DenominateSettings = _DENOMINATE, dset=None, write_to="Denominated"
    ) -> Coin:
        data = self._read(dset)
        self.datasets[write_to] = denominate(
            data, self.framework.denominators, self.units, settings.scale_factor
        )
        return self

    def impute(self, settings: ImputeSettings = _IMPUTE, dset=None, write_to="Imputed") -> Coin:
        data = self._read(dset)
        groups = None
        if settings.group_column is not None:
            groups = self.units[settings.group_column]
        result = impute(data, settings.method, groups)
        found = {}
        if settings.empty_group_fill is not None:
            filled = fill_empty_groups(
                result.data, self.framework.groups_at(1), settings.empty_group_fill
            )
            found["filled_empty_group_cells"] = filled.imputed
            result = Imputation(filled.data, result.imputed | filled.imputed)
        self.datasets[write_to] = result.data
        self.analysis[write_to] = {
            "imputed_cells": result.imputed,
            "n_imputed": result.n_imputed,
            **found,
        }
        return self

    def screen(self, settings: ScreenSettings = _SCREEN, dset=None, write_to="Screened") -> Coin:
        data = self._read(dset)
        result = screen_units(
            data, settings.dat_thresh, settings.nonzero_thresh, settings.unit_screen
        )
        self.datasets[write_to] = result.data
        self.analysis[write_to] = {"summary": result.summary, "removed": result.removed_units}
        return self

    def treat(self, settings: TreatSettings = _TREAT, dset=None, write_to="Treated") -> Coin:
        data = self._read(dset)
        result = treat(
            data,
            settings.winmax,
            settings.skew_thresh,
            settings.kurt_thresh,
            settings.f2,
            settings.combine_treat,
            settings.exclude,
        )
        self.datasets[write_to] = result.data
        self.analysis[write_to] = {"details": result.details, "points": result.points}
        return self

    def normalise(
        self, settings: NormaliseSettings = _NORMALISE, dset=None, write_to="Normalised"
    ) -> Coin:
        data = self._read(dset)
        self.datasets[write_to] = normalise(
            data,
            self.framework.directions,
            settings.method,
            dict(settings.params),
            {code: (m, dict(p)) for code, (m, p) in settings.per_indicator.items()},
        )
        return self

    def aggregate(
        self, settings: AggregateSettings = _AGGREGATE, dset=None, write_to="Aggregated"
    ) -> Coin:
        data = self._read(dset)
        self.datasets[write_to] = aggregate(
            data, self.framework, settings.method, settings.dat_thresh, settings.nonpositive
        )
        return self

    # --- analyses of a built coin: each writes ``analysis[write_to]`` --------------------------
    def sensitivity(
        self,
        choices: Sequence[Choice],
        n: int,
        *,
        kind: str = "SA",
        seed: int = 0,
        write_to="Sensitivity",
        **options,
    ) -> Coin:
        """COINr ``get_sensitivity`` around this coin's build: ``uncertainty.sensitivity_analysis``
        over ``choices`` (``options``: its statistic, resamples, ...), with the settings of
        ``build`` as the nominal ones. No choice varies the steps up to imputation, so the runs
        start from the imputed data set instead of imputing again."""
        from pipelines.composite.uncertainty import sensitivity_analysis  # see TYPE_CHECKING

        if self.settings is None:
            raise ValueError("build the coin first: the analysis varies the settings of build")
        start = self.datasets[self.latest_up_to("Imputed")]
        imputed = Coin(self.framework, self.units, datasets={"Raw": start})
        nominal = replace(self.settings, denominate=None, impute=None)
        self.analysis[write_to] = sensitivity_analysis(
            imputed, choices, n, settings=nominal, kind=kind, seed=seed, **options
        )
        return self

    def audit(self, dset: str = "Aggregated", write_to="Audit") -> Coin:
        """Handbook step 7 (``audit.parent_audit``): every node's correlation with its parent,
        flagged when negative, and the parent's Cronbach's alpha."""
        self.analysis[write_to] = parent_audit(self.framework, self.datasets[dset])
        return self

    # --- results ------------------------------------------------------------------------------
    def results(self, dset: str = "Aggregated") -> pd.DataFrame:
        """Scores of every group, top level first, with the index rank (1 = best, ties min)."""
        scores = self.datasets[dset]
        levels = range(self.framework.top_level, 1, -1)
        columns = [code for level in levels for code in self.framework.codes_at(level)]
        table = scores[columns].copy()
        index_code = self.framework.codes_at(self.framework.top_level)[0]
        table.insert(0, "Rank", table[index_code].rank(ascending=False, method="min"))
        return table.sort_values("Rank")


def build(coin: Coin, settings: Settings = _SETTINGS) -> Coin:
    """Run every step that ``settings`` enables on a copy of ``coin`` (starting from Raw)."""
    built = Coin(
        coin.framework, coin.units, datasets={"Raw": coin.datasets["Raw"]}, settings=settings
    )
    steps = (
        ("denominate", built.denominate),
        ("impute", built.impute),
        ("screen", built.screen),
        ("treat", built.treat),
        ("normalise", built.normalise),
        ("aggregate", built.aggregate),
    )
    for name, run in steps:
        step_settings = getattr(settings, name)
        if step_settings is not None:
            run(step_settings)
    return built
