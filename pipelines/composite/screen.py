"""Screen units by data availability, COINr ``Screen`` / ``get_data_avail``."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

UNIT_SCREEN_RULES = ("byNA", "byzeros", "byNAandzeros", "none")


@dataclass(frozen=True)
class Screening:
    data: pd.DataFrame
    summary: pd.DataFrame  # one row per unit, COINr's DataSummary columns

    @property
    def removed_units(self) -> list:
        return self.summary.index[~self.summary["Included"]].tolist()


def data_availability(data: pd.DataFrame) -> pd.DataFrame:
    """Per unit: missing and zero counts, share available, share of non-zero among available."""
    n_indicators = data.shape[1]
    n_missing = data.isna().sum(axis=1)
    n_zero = (data == 0).sum(axis=1)
    return pd.DataFrame(
        {
            "N_missing": n_missing,
            "N_zero": n_zero,
            "N_miss_or_zero": n_missing + n_zero,
            "Dat_Avail": 1 - n_missing / n_indicators,
            "Non_Zero": 1 - n_zero / (n_indicators - n_missing),
        }
    )


def screen_units(
    data: pd.DataFrame,
    dat_thresh: float = 2 / 3,
    nonzero_thresh: float = 0.05,
    unit_screen: str = "byNA",
) -> Screening:
    """Drop units whose availability (or non-zero share) falls below the thresholds.

    ``byNA``: availability < ``dat_thresh`` is dropped; ``byzeros``: non-zero share <
    ``nonzero_thresh``; ``byNAandzeros``: either; ``none``: keep all (summary only).
    """
    if unit_screen not in UNIT_SCREEN_RULES:
        raise ValueError(f"unit_screen must be one of {UNIT_SCREEN_RULES}, got {unit_screen!r}")
    summary = data_availability(data)
    summary["LowData"] = summary["Dat_Avail"] < dat_thresh
    summary["LowNonZero"] = summary["Non_Zero"] < nonzero_thresh
    summary["LowDatOrZeroFlag"] = summary["LowData"] | summary["LowNonZero"]
    excluded = {
        "byNA": summary["LowData"],
        "byzeros": summary["LowNonZero"],
        "byNAandzeros": summary["LowDatOrZeroFlag"],
        "none": pd.Series(False, index=summary.index),
    }[unit_screen]
    summary["Included"] = ~excluded
    return Screening(data=data[summary["Included"].to_numpy()], summary=summary)
