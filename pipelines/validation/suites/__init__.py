"""One expectation suite per staging table, one module each; ``SUITES`` lists them all."""

from __future__ import annotations

from collections.abc import Callable

from pipelines.validation.suite import TableSuite
from pipelines.validation.suites import (
    area_year_history,
    enterprises,
    national_year,
    patents,
    procurement,
    province_year,
)

# Built on demand: suites read data/reference and sql/checks, which a person may edit.
SUITES: dict[str, Callable[[], TableSuite]] = {
    module.TABLE: module.suite
    for module in (
        area_year_history,
        province_year,
        national_year,
        patents,
        enterprises,
        procurement,
    )
}
