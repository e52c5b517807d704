"""Composite-indicator engine (OECD/JRC Handbook 2008 steps, numbers as COINr computes them).

Pure pandas/numpy: no Dagster, no DuckDB. See docs/methodology.md.
"""

from pipelines.composite.coin import STAGES, Coin, build
from pipelines.composite.framework import Framework, FrameworkError
from pipelines.composite.settings import (
    AggregateSettings,
    DenominateSettings,
    ImputeSettings,
    NormaliseSettings,
    ScreenSettings,
    Settings,
    TreatSettings,
)

__all__ = [
    "STAGES",
    "AggregateSettings",
    "Coin",
    "DenominateSettings",
    "Framework",
    "FrameworkError",
    "ImputeSettings",
    "NormaliseSettings",
    "ScreenSettings",
    "Settings",
    "TreatSettings",
    "build",
]
