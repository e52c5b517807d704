"""The one error every reader raises: bad input, located so a person can find and fix it."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.terminal import printable

# Characters of a value, a column name or a line an error message quotes; the error's
# attributes (and a quarantined row) keep the whole value.
SHOWN_OF_A_VALUE = 200
# Characters of a reason: ours are a few hundred; a library's message can quote the file.
SHOWN_OF_A_REASON = 2_000


class SourceError(ValueError):
    """A source file says something the readers refuse to guess about.

    The message reads like ``gdp.csv: row 7, column '2023年', value '1.2.3': not a number``;
    the parts are also kept as attributes so a loader can collect and report many of them.
    The message is safe to log (:func:`message`): what it quotes of the file is bounded and
    its control characters are shown as escapes; the attributes keep the file's text as is.
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
        return message(prefix, self.reason)

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
    wording every error about a source file uses (a long column name or value cut short)."""
    parts = []
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {quoted(column)}")
    if value is not None:
        parts.append(f"value {quoted(value)}")
    return parts


def clipped(text: str, limit: int = SHOWN_OF_A_VALUE) -> str:
    """``text``, or its first ``limit`` characters, ``…`` and its whole length when longer."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def quoted(text: str) -> str:
    """``text`` in quotes as an error message shows it: at most SHOWN_OF_A_VALUE characters."""
    if len(text) <= SHOWN_OF_A_VALUE:
        return repr(text)
    return f"{text[:SHOWN_OF_A_VALUE]!r}… ({len(text):,} characters)"


def message(where: str, reason: str) -> str:
    """``where: reason``, the text of an error about a source file (SourceError, and the
    Problems of a LoadError), safe for a log or a terminal: the reason bounded, and control
    characters the file brought in (a file name, DuckDB's ``Original Line:``, a library's
    error) shown as escapes (pipelines/terminal.py), newline and TAB kept."""
    reason = clipped(reason, SHOWN_OF_A_REASON)
    return printable(f"{where}: {reason}" if where else reason)


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
