"""Cells and rows a reader refuses without refusing the whole file.

A problem with the file itself (cannot be decoded, no header, no province or metric column,
an indicator nobody knows) raises :class:`SourceError`. A problem confined to one cell or row
(a placeholder instead of a number, an unknown province, a future year, a unit of another
dimension) is handed to :class:`BadCells`, which either raises it at once (``"raise"``, the
default: the readers' original all-or-nothing behaviour) or collects it as a
:class:`Rejection` (``"reject"``), so a loader can store the good cells and quarantine the bad.
"""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass, field

import pandas as pd

from pipelines.readers.cells import INVALID_VALUE
from pipelines.readers.errors import SourceError
from pipelines.readers.grids import GridRow
from pipelines.readers.observations import cell_as_text

RAISE = "raise"
REJECT = "reject"
BAD_CELL_MODES = (RAISE, REJECT)

# Column name -> pandas dtype, in the order of Rejection's fields.
REJECTION_DTYPES: dict[str, object] = {
    "source_row": "int64",
    "source_column": object,  # None when the problem is not in one column
    "value_raw": object,
    "reason": "str",
    "rule": "str",
    "raw_row": "str",
    "values_withheld": "int64",
}
REJECTION_COLUMNS = tuple(REJECTION_DTYPES)


@dataclass(frozen=True)
class Rejection:
    """One refused cell, or one refused row with every value on it."""

    source_row: int
    source_column: str | None
    value_raw: str | None
    reason: str
    rule: str
    raw_row: str  # JSON object, header label -> cell text: the whole row as read
    values_withheld: int  # how many values of the row this keeps out of the observations


@dataclass
class BadCells:
    """Where a reader sends a bad cell or row: raised at once, or collected."""

    mode: str = RAISE
    rejections: list[Rejection] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.mode not in BAD_CELL_MODES:
            raise ValueError(f"bad_cells must be one of {BAD_CELL_MODES}, not {self.mode!r}")

    def reject(
        self, error: SourceError, row: GridRow, labels: list[str], values_withheld: int
    ) -> None:
        if self.mode == RAISE:
            raise error
        self.rejections.append(
            Rejection(
                source_row=error.row if error.row is not None else row.number,
                source_column=error.column,
                value_raw=error.value,
                reason=error.reason,
                rule=error.rule or INVALID_VALUE,
                raw_row=raw_row_json(row, labels),
                values_withheld=values_withheld,
            )
        )


def raw_row_json(row: GridRow, labels: list[str]) -> str:
    """The row as a JSON object keyed by header label ('column N' where a label is missing
    or repeated), every cell as a person reads it, so a quarantined row loses nothing."""
    record: dict[str, str | None] = {}
    for index, cell in enumerate(row.cells):
        label = labels[index] if index < len(labels) else ""
        if not label or label in record:
            label = f"column {index + 1}"
        record[label] = None if cell is None else cell_as_text(cell)
    return json.dumps(record, ensure_ascii=False)


def rejections_frame(rejections: list[Rejection]) -> pd.DataFrame:
    """The rejections as a frame with fixed columns and dtypes, even when there are none."""
    rows = [astuple(r) for r in rejections]
    return pd.DataFrame(
        {
            name: pd.Series([row[i] for row in rows], dtype=dtype)
            for i, (name, dtype) in enumerate(REJECTION_DTYPES.items())
        }
    )
