"""The one error every reader raises: bad input, located so a person can find and fix it."""

from __future__ import annotations

from dataclasses import dataclass


class SourceError(ValueError):
    """A source file says something the readers refuse to guess about.

    The message reads like ``gdp.csv: row 7, column '2023年', value '1.2.3': not a number``;
    the parts are also kept as attributes so a loader can collect and report many of them.
    ``rule`` is the short name of the check that failed (see ``pipelines.readers.cells``),
    set where a cell or row is refused, so a loader can count quarantined rows by kind.
    """

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        rule: str | None = None,
    ):
        self.reason = reason
        self.rule = rule
        self.file = file
        self.row = row
        self.column = column
        self.value = None if value is None else str(value)
        super().__init__(self._message())

    def _message(self) -> str:
        located = ", ".join(location_parts(self.row, self.column, self.value))
        prefix = ": ".join(part for part in (self.file, located) if part)
        return f"{prefix}: {self.reason}" if prefix else self.reason

    def located(
        self, *, file: str | None = None, row: int | None = None, column: str | None = None
    ) -> SourceError:
        """The same error with missing location parts filled in (parts already set win)."""
        return SourceError(
            self.reason,
            file=self.file if self.file is not None else file,
            row=self.row if self.row is not None else row,
            column=self.column if self.column is not None else column,
            value=self.value,
            rule=self.rule,
        )


def location_parts(row: int | None, column: str | None, value: str | None) -> list[str]:
    """``row N``, ``column 'c'``, ``value 'v'``: the parts of a location that are known, in the
    wording every error about a source file uses."""
    parts = []
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column!r}")
    if value is not None:
        parts.append(f"value {value!r}")
    return parts


@dataclass(frozen=True)
class CellLocation:
    """Where a value sits in a source file, so errors about it can say so."""

    file: str
    row: int | None = None
    column: str | None = None

    def error(self, reason: str, value: object = None, rule: str | None = None) -> SourceError:
        return SourceError(
            reason, file=self.file, row=self.row, column=self.column, value=value, rule=rule
        )
