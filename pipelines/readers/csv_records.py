"""The records of a CSV file, counted from its bytes, independently of any CSV parser.

The micro loads read CSV with DuckDB, which is fast but has lost records without a word (a run
of empty lines longer than its line limit swallowed the next record; a row longer than the
limit made a file "header only"). So the file's records are also counted here, from the bytes,
in one streaming pass of bounded memory, and the load compares the two counts.

What a record is, as DuckDB reads a file it accepts (RFC 4180 with ``"`` as quote and escape):

* a record ends at a line break (LF or CRLF) outside quotes; a line break inside a quoted
  field is part of the field;
* a quote opens a quoted field only at the start of a field (after a delimiter or a line
  break); elsewhere it is a character like any other (``12" monitor``). Inside a quoted field
  ``""`` is a quote, and a single quote closes the field;
* an **empty line** (nothing between two line breaks) is not a record, wherever it is, except
  in a file of one column, where it is a record with an empty value. A line of spaces or
  delimiters is a record (with empty or malformed fields).

The first record is the header; the others are the data rows. Each data row is known by the
line an editor shows for its first line (the header is line 1), which is what ``source_row``
holds. The scan is vectorised with numpy: Python runs per chunk of 16 MiB, never per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from pipelines.readers import limits
from pipelines.readers.errors import SourceError

CHUNK_BYTES = 16 << 20
_LF, _CR = 10, 13


@dataclass
class CsvRecords:
    """What the bytes of a CSV file hold, as far as records go."""

    data_rows: int  # records after the header
    # The most bytes a line-by-line reader must hold at once: a record together with the
    # empty lines before it (DuckDB reads such a run as one line; see max_line_size).
    longest_span: int
    # Rows (data row ordinal, shift) where the shift between a row's ordinal and its line
    # changes: from that row on, line = ordinal + 1 + shift. No rows when each row is a line.
    line_shifts: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))

    def line_of(self, ordinal: int) -> int:
        """The line of data row ``ordinal`` (1-based): what an editor shows."""
        at = int(np.searchsorted(self.line_shifts[:, 0], ordinal, side="right")) - 1
        return ordinal + 1 + (int(self.line_shifts[at, 1]) if at >= 0 else 0)


@dataclass
class _Scan:
    """The state carried from one chunk to the next."""

    delimiter: int
    quote: int
    max_row: int
    max_empty: int
    empty_lines_are_records: bool = False
    offset: int = 0  # bytes before the chunk
    lines: int = 0  # line breaks before the chunk
    quoted: bool = False  # inside a quoted field at the start of the chunk
    records: int = 0  # records started so far, the header included
    open_start: int | None = None  # a record that started in an earlier chunk and goes on
    open_line: int = 0
    last_end: int = -1  # the line break that ended the last record
    last_end_line: int = 0
    shift: int = 0
    longest_span: int = 0
    shifts: list[np.ndarray] = field(default_factory=list)


def count_csv_records(
    stream: BinaryIO, delimiter: str = ",", quote: str = '"', columns: int = 2
) -> CsvRecords:
    """Count the records of the CSV read from ``stream`` (binary, at the start of the file),
    whose header has ``columns`` columns.

    Raises SourceError (with the row) for a record longer than ``limits.MAX_ROW_BYTES``, or a
    run of empty lines longer than ``limits.MAX_EMPTY_LINE_BYTES``."""
    scan = _Scan(
        delimiter=ord(delimiter),
        quote=ord(quote),
        max_row=limits.MAX_ROW_BYTES,
        max_empty=limits.MAX_EMPTY_LINE_BYTES,
        empty_lines_are_records=columns == 1,
    )
    carry = b""
    while True:
        block = stream.read(CHUNK_BYTES)
        if not block:
            break
        data = carry + block if carry else block
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # no line break in a whole chunk: one line longer than any row may be
            carry = data
            _check_unbroken_line(scan, len(carry))
            continue
        _scan_chunk(scan, np.frombuffer(data, dtype=np.uint8, count=cut))
        carry = data[cut:]
    if carry:  # the last line has no line break: read it as if it had one
        _scan_chunk(scan, np.frombuffer(carry + b"\n", dtype=np.uint8))
        scan.offset -= 1
    if scan.open_start is None:
        _check_empty_run(scan, scan.offset, None)  # empty lines at the end of the file
        scan.longest_span = max(scan.longest_span, scan.offset - 1 - scan.last_end)
    records = CsvRecords(data_rows=max(scan.records - 1, 0), longest_span=scan.longest_span)
    if scan.shifts:
        records.line_shifts = np.concatenate(scan.shifts).astype(np.int64)
    return records


def _check_unbroken_line(scan: _Scan, length: int) -> None:
    if length > scan.max_row:
        line = scan.open_line if scan.open_start is not None else scan.lines + 1
        raise _too_long(line)


def _too_long(line: int) -> SourceError:
    return SourceError(
        f"the row is longer than {limits.MAX_ROW_BYTES:,} bytes, the most a row may hold "
        "(pipelines/readers/limits.py): a field that long is not micro data; often a quote "
        "that is never closed has swallowed the rest of the file",
        row=line,
    )


def _quoted_line_breaks(scan: _Scan, a: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """For each line break of the chunk, whether it is inside a quoted field; sets
    ``scan.quoted`` to the state at the end of the chunk.

    A run of quotes changes the state only when its length is odd: at the start of a field it
    toggles (opens outside a field; closes inside one, the last quote of ``...,"``), elsewhere
    it closes a quoted field or is plain text outside one, so the state after it is
    "outside". With toggles T and resets R, the state after each run is the parity of the
    toggles since the last reset (or since the chunk start, from the carried state)."""
    quotes = np.flatnonzero(a == scan.quote)
    if quotes.size == 0:
        return np.full(breaks.size, scan.quoted)
    first = np.r_[0, np.flatnonzero(np.diff(quotes) != 1) + 1]
    starts = quotes[first]
    odd = (np.diff(np.r_[first, quotes.size]) & 1).astype(bool)
    starts = starts[odd]
    if starts.size == 0:
        return np.full(breaks.size, scan.quoted)
    before = np.where(starts > 0, a[starts - 1], _LF)  # a chunk starts at a line start
    toggles = (before == scan.delimiter) | (before == _LF) | (before == _CR)
    count = np.cumsum(toggles)
    index = np.arange(starts.size)
    last_reset = np.maximum.accumulate(np.where(toggles, -1, index))
    since = np.where(last_reset >= 0, count - count[np.maximum(last_reset, 0)], count + scan.quoted)
    state = (since & 1).astype(bool)
    event = np.searchsorted(starts, breaks) - 1
    inside = np.where(event >= 0, state[np.maximum(event, 0)], scan.quoted)
    scan.quoted = bool(state[-1])
    return inside


def _scan_chunk(scan: _Scan, a: np.ndarray) -> None:
    """One chunk that ends with a line break."""
    n = a.size
    breaks = np.flatnonzero(a == _LF)
    was_quoted = scan.quoted
    inside = _quoted_line_breaks(scan, a, breaks)
    ends_at = np.flatnonzero(~inside)  # indexes into `breaks` of the record-ending breaks
    ends = breaks[ends_at]
    # A record starts after a record-ending line break, unless the line is empty; and at the
    # chunk's first byte when the chunk does not start inside a quoted field.
    after = ends + 1
    keep = after < n
    after, after_line = after[keep], ends_at[keep] + 2  # the line after break j is j + 2
    if scan.empty_lines_are_records:
        starts, start_lines = after, after_line
    else:
        keep = (a[after] != _LF) & (a[after] != _CR)
        starts, start_lines = after[keep], after_line[keep]
    if not was_quoted and (scan.empty_lines_are_records or a[0] not in (_LF, _CR)):
        starts, start_lines = np.r_[0, starts], np.r_[1, start_lines]
    start_lines = start_lines + scan.lines

    # Each record ends at the first record-ending break at or after its start.
    end_of = np.searchsorted(ends, starts)
    closed = end_of < ends.size
    record_starts = scan.offset + starts[closed]
    record_lines = start_lines[closed]
    record_ends = scan.offset + ends[end_of[closed]]
    if scan.open_start is not None and ends.size:  # the record that came in from before
        record_starts = np.r_[scan.open_start, record_starts]
        record_lines = np.r_[scan.open_line, record_lines]
        record_ends = np.r_[scan.offset + ends[0], record_ends]
        scan.open_start = None
    if record_ends.size:
        end_lines = scan.lines + np.searchsorted(breaks, record_ends - scan.offset) + 1
        _check_records(scan, record_starts, record_lines, record_ends, end_lines)

    _record_shifts(scan, start_lines)
    scan.records += starts.size
    if not closed.all():  # the last record goes on into the next chunk
        scan.open_start, scan.open_line = scan.offset + int(starts[-1]), int(start_lines[-1])
    scan.offset += n
    scan.lines += breaks.size
    if scan.open_start is not None and scan.offset - scan.open_start > scan.max_row:
        raise _too_long(scan.open_line)


def _check_records(
    scan: _Scan,
    starts: np.ndarray,
    lines: np.ndarray,
    ends: np.ndarray,
    end_lines: np.ndarray,
) -> None:
    """Bounds on the records that end in this chunk: their length and the empty lines
    before each; keeps the longest record-with-empty-lines span."""
    lengths = ends - starts + 1
    too_long = np.flatnonzero(lengths > scan.max_row)
    if too_long.size:
        raise _too_long(int(lines[too_long[0]]))
    previous_ends = np.r_[scan.last_end, ends[:-1]]
    previous_lines = np.r_[scan.last_end_line, end_lines[:-1]]
    gaps = starts - previous_ends - 1
    widest = int(np.argmax(gaps))
    if gaps[widest] > scan.max_empty:
        scan.last_end, scan.last_end_line = int(previous_ends[widest]), int(previous_lines[widest])
        _check_empty_run(scan, int(starts[widest]), int(lines[widest]))
    scan.longest_span = max(scan.longest_span, int((ends - previous_ends).max()))
    scan.last_end, scan.last_end_line = int(ends[-1]), int(end_lines[-1])


def _check_empty_run(scan: _Scan, next_start: int, next_line: int | None) -> None:
    """Refuse a run of empty lines between the last record's end and ``next_start``."""
    size = next_start - scan.last_end - 1
    if size <= scan.max_empty:
        return
    first = scan.last_end_line + 1
    last = next_line - 1 if next_line is not None else None
    rows = f"rows {first}-{last}" if last is not None else f"rows {first} to the end"
    raise SourceError(
        f"{rows} are empty lines, {size:,} bytes of line breaks in a row, more than the "
        f"{limits.MAX_EMPTY_LINE_BYTES:,} a file may hold (pipelines/readers/limits.py): "
        "remove them",
        row=first,
    )


def _record_shifts(scan: _Scan, start_lines: np.ndarray) -> None:
    """Note where the distance between a data row's ordinal and its line changes."""
    if start_lines.size == 0:
        return
    ordinals = scan.records + np.arange(start_lines.size)  # the header is record 0
    shifts = start_lines - 1 - ordinals
    changed = np.flatnonzero(np.diff(np.r_[scan.shift, shifts]) != 0)
    if changed.size:
        scan.shifts.append(np.column_stack([ordinals[changed], shifts[changed]]))
        scan.shift = int(shifts[-1])
