"""Checks of the province-year tables: their Great Expectations suites (``gx_blocking``,
``gx_warn``: ``pipelines/validation/suites/``) and the release calendar's
``releases_on_time`` on the panel (``operations/lateness.py``)."""

import dagster as dg

from pipelines.defs.operations.lateness import build_lateness_check
from pipelines.defs.validation import build_suite_check
from pipelines.lateness import PANEL_TABLE
from pipelines.validation.suites import SUITES

VALIDATED_TABLES = ("area_year_history", "province_year", "national_year")

defs = dg.Definitions(
    asset_checks=[
        *(build_suite_check(SUITES[table]) for table in VALIDATED_TABLES),
        build_lateness_check(PANEL_TABLE),
    ]
)
