"""Checks of each micro domain's staging table: its Great Expectations suite (``gx_blocking``,
``gx_warn``: ``pipelines/validation/suites/``) and the release calendar's
``releases_on_time`` (``operations/lateness.py``)."""

import dagster as dg

from pipelines.defs.operations.lateness import build_lateness_check
from pipelines.defs.validation import build_suite_check
from pipelines.domains import MICRO_DOMAINS
from pipelines.validation.suites import SUITES

defs = dg.Definitions(
    asset_checks=[
        check
        for domain in MICRO_DOMAINS
        for check in (build_suite_check(SUITES[domain]), build_lateness_check(f"staging.{domain}"))
    ]
)
