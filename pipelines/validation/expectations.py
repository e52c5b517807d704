"""Small builders for the expectations the suites use, so a suite reads like its rules.

Each builder returns an :class:`Expectation`: the name of a GX Core 1.x expectation class and
its arguments, turned into the GX object only when a suite runs (:meth:`Expectation.to_gx`).
Great Expectations takes seconds to import; describing the checks without it keeps that cost
out of every code-location load (the UI, the daemon, each run's start) and inside the check
steps that validate. Severity is not decided here: a suite puts every expectation under
``blocking`` or ``warn`` (see ``pipelines.validation.suite``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pipelines.validation.reference_rules import metric_minimums, metrics_by_unit
from pipelines.years import data_years

if TYPE_CHECKING:
    import great_expectations.expectations as gxe


CHECK_NAME_META_KEY = "check_name"  # a readable name for an expectation, shown instead of GX's


@dataclass(frozen=True)
class Expectation:
    """A GX expectation, described: ``gx_class`` in ``great_expectations.expectations``, its
    keyword arguments, an optional ``column in (values)`` row condition, and ``meta``."""

    gx_class: str
    kwargs: dict[str, Any]
    where_in: tuple[str, tuple[str, ...]] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def unexpected_rows_query(self) -> str | None:
        return self.kwargs.get("unexpected_rows_query")

    def with_meta(self, **meta: Any) -> Expectation:
        return replace(self, meta={**self.meta, **meta})

    def to_gx(self) -> gxe.Expectation:
        import great_expectations.expectations as gxe
        from great_expectations.expectations.row_conditions import Column

        kwargs = dict(self.kwargs)
        if self.where_in is not None:
            column, values = self.where_in
            kwargs["row_condition"] = Column(column).is_in(list(values))
        expectation = getattr(gxe, self.gx_class)(**kwargs)
        expectation.meta = dict(self.meta)
        return expectation


def not_null(*columns: str) -> list[Expectation]:
    return [Expectation("ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns]


def unique_key(*columns: str) -> Expectation:
    if len(columns) == 1:
        return Expectation("ExpectColumnValuesToBeUnique", {"column": columns[0]})
    return Expectation("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)})


def primary_key(*columns: str) -> list[Expectation]:
    """Key columns are present and identify one row each."""
    return [*not_null(*columns), unique_key(*columns)]


def in_set(
    column: str, values: Iterable[str], *, where_metric: Iterable[str] | None = None
) -> Expectation:
    """Every non-null value is one of ``values`` (nulls are for ``not_null`` to judge),
    optionally only for the rows of some metrics."""
    return Expectation(
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": sorted(values)},
        where_in=None if where_metric is None else ("metric", tuple(sorted(where_metric))),
    )


def between(
    column: str,
    min_value: float | None = None,
    max_value: float | None = None,
    *,
    where_metric: Iterable[str] | None = None,
) -> Expectation:
    """A range, optionally only for the rows of some metrics (long tables keep many units)."""
    return Expectation(
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": min_value, "max_value": max_value},
        where_in=None if where_metric is None else ("metric", tuple(sorted(where_metric))),
    )


def not_negative(*columns: str) -> list[Expectation]:
    return [between(column, min_value=0) for column in columns]


def at_or_above_metric_minimum(column: str) -> list[Expectation]:
    """Each metric's values at or above its minimum in metrics.csv (counts and amounts >= 0; a
    profit or a growth rate may be negative)."""
    return [
        between(column, min_value=minimum, where_metric=metrics).with_meta(
            **{
                CHECK_NAME_META_KEY: f"{column} at or above its metric's minimum {minimum:g}"
                f" (metrics.csv column minimum; {len(metrics)} metrics)"
            }
        )
        for minimum, metrics in sorted(metric_minimums().items())
    ]


def in_catalog_unit(column: str) -> list[Expectation]:
    """Each catalogued metric's figures in its unit in metrics.csv as it is now (the readers
    convert to it; a figure loaded before its unit was changed there, or an uncatalogued figure
    catalogued with another unit than its file's, is not). Metrics not in metrics.csv are not
    checked: they have no catalog unit."""
    return [
        in_set(column, [unit], where_metric=metrics)
        for unit, metrics in sorted(metrics_by_unit().items())
    ]


def within_data_years(*columns: str) -> list[Expectation]:
    first, last = data_years()
    return [between(column, first, last) for column in columns]


def not_before(later: str, earlier: str) -> Expectation:
    """``later`` is on or after ``earlier`` wherever both are known."""
    return Expectation(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": later,
            "column_B": earlier,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
    )


def no_rows(description: str, query: str) -> Expectation:
    """A SQL query over ``{batch}`` that returns the offending rows; none may come back.

    Return ``source_file`` and ``source_row`` (or the key) so a reader can find each row.
    """
    return Expectation(
        "UnexpectedRowsExpectation", {"description": description, "unexpected_rows_query": query}
    )
