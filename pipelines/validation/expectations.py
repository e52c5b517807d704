"""Small builders for the expectations the suites use, so a suite reads like its rules.

Each builder returns GX Core 1.x expectation objects. Severity is not decided here: a suite
puts every expectation under ``blocking`` or ``warn`` (see ``pipelines.validation.suite``).
"""

from __future__ import annotations

from collections.abc import Iterable

import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from pipelines.validation.reference_rules import data_years


def not_null(*columns: str) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=column) for column in columns]


def unique_key(*columns: str) -> gxe.Expectation:
    if len(columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=columns[0])
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns))


def primary_key(*columns: str) -> list[gxe.Expectation]:
    """Key columns are present and identify one row each."""
    return [*not_null(*columns), unique_key(*columns)]


def in_set(column: str, values: Iterable[str]) -> gxe.Expectation:
    """Every non-null value is one of ``values`` (nulls are for ``not_null`` to judge)."""
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(values))


def between(
    column: str,
    min_value: float | None = None,
    max_value: float | None = None,
    *,
    where_metric: Iterable[str] | None = None,
) -> gxe.Expectation:
    """A range, optionally only for the rows of some metrics (long tables keep many units)."""
    condition = {}
    if where_metric is not None:
        condition["row_condition"] = Column("metric").is_in(sorted(where_metric))
    return gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=min_value, max_value=max_value, **condition
    )


def not_negative(*columns: str) -> list[gxe.Expectation]:
    return [between(column, min_value=0) for column in columns]


def within_data_years(*columns: str) -> list[gxe.Expectation]:
    first, last = data_years()
    return [between(column, first, last) for column in columns]


def not_before(later: str, earlier: str) -> gxe.Expectation:
    """``later`` is on or after ``earlier`` wherever both are known."""
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=later, column_B=earlier, or_equal=True, ignore_row_if="either_value_is_missing"
    )


def no_rows(description: str, query: str) -> gxe.Expectation:
    """A SQL query over ``{batch}`` that returns the offending rows; none may come back.

    Return ``source_file`` and ``source_row`` (or the key) so a reader can find each row.
    """
    return gxe.UnexpectedRowsExpectation(description=description, unexpected_rows_query=query)
