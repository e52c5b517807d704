"""What a suite run found, reduced from GX's validation result to what a person reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.core.expectation_validation_result import ExpectationValidationResult

from pipelines.validation.severity import Severity
from pipelines.validation.suite import CHECK_NAME_META_KEY, SEVERITY_META_KEY

EXAMPLES_PER_EXPECTATION = 5


@dataclass(frozen=True)
class ExpectationOutcome:
    severity: Severity
    expectation_type: str
    column: str | None  # the column(s) checked; None for row queries
    description: str
    success: bool
    unexpected_count: int | None
    examples: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # GX could not evaluate the expectation

    def as_metadata(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "expectation_type": self.expectation_type,
            "column": self.column,
            "description": self.description,
            "unexpected_count": self.unexpected_count,
            "examples": self.examples,
        }
        if self.error:
            entry["error"] = self.error
        return entry


@dataclass(frozen=True)
class SuiteOutcome:
    table: str  # schema-qualified
    outcomes: list[ExpectationOutcome]
    gx_result: ExpectationSuiteValidationResult

    def of(self, severity: Severity) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.severity is severity]

    def failures(self, severity: Severity) -> list[ExpectationOutcome]:
        return [o for o in self.of(severity) if not o.success]

    def passed(self, severity: Severity) -> bool:
        return not self.failures(severity)


def summarise(result: ExpectationSuiteValidationResult) -> list[ExpectationOutcome]:
    return [_outcome(r) for r in result.results]


def _outcome(result: ExpectationValidationResult) -> ExpectationOutcome:
    config = result.expectation_config
    kwargs = config.kwargs
    meta = config.meta or {}
    details = result.result or {}
    is_row_query = "unexpected_rows_query" in kwargs
    return ExpectationOutcome(
        severity=Severity(meta[SEVERITY_META_KEY]),
        expectation_type=config.type,
        column=_column_of(kwargs),
        description=meta.get(CHECK_NAME_META_KEY) or config.description or _describe(kwargs),
        success=bool(result.success),
        unexpected_count=(
            details.get("observed_value") if is_row_query else details.get("unexpected_count")
        ),
        examples=_examples(details, is_row_query),
        error=_error(result),
    )


def _column_of(kwargs: dict) -> str | None:
    if "column" in kwargs:
        return kwargs["column"]
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']} >= {kwargs['column_B']}"
    return None


def _describe(kwargs: dict) -> str:
    shown = {
        k: v
        for k, v in kwargs.items()
        if k not in ("batch_id", "column", "column_list", "result_format") and v is not None
    }
    text = ", ".join(f"{k}={v}" for k, v in shown.items())
    return text if len(text) <= 200 else text[:197] + "..."


def _examples(details: dict, is_row_query: bool) -> list[dict[str, Any]]:
    if is_row_query:
        rows = (details.get("details") or {}).get("unexpected_rows") or []
    else:
        rows = details.get("partial_unexpected_index_list") or []
    return [_plain(row) for row in rows[:EXAMPLES_PER_EXPECTATION]]


def _plain(row: Any) -> dict[str, Any]:
    """JSON-friendly: dates and decimals become strings, numbers and text stay as they are."""
    items = row.items() if isinstance(row, dict) else enumerate(row)
    return {
        str(k): v if v is None or isinstance(v, (bool, int, float, str)) else str(v)
        for k, v in items
    }


def _error(result: ExpectationValidationResult) -> str | None:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return info.get("exception_message")
    # Metric failures are reported per metric: {metric_id: {exception_message: ...}}
    for value in info.values():
        if isinstance(value, dict) and value.get("exception_message"):
            return value["exception_message"]
    return None
