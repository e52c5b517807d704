"""Any source file as a grid of cells with the row numbers a person sees.

Readers look at content, never at the extension: an OLE2 signature means a BIFF .xls (or an
encrypted workbook of either kind), a zip signature an .xlsx, anything else is text (UTF-8
with/without BOM or GBK) parsed as CSV. Workbooks encrypted with Excel's default read-only
password ("VelvetSweatshop": how CNKI serves most yearbook tables, and what Excel opens without
asking) are decrypted with msoffcrypto-tool first; another password is refused with a fix.
Row numbers are 1-based and point at the line where a record *starts*, so a record after a
double-quoted multi-line footnote still gets the line number a text editor shows.
A grid is never larger than the bounds of ``pipelines/readers/limits.py``: an .xlsx whose entries
declare they unpack to more than ``MAX_XLSX_UNPACKED_BYTES``, a sheet spanning more than
``MAX_SHEET_CELLS`` cells, or a row of more than ``MAX_COLUMNS`` columns is refused before it is
parsed or iterated. A workbook the libraries cannot read (damaged, cut short, or not what its
signature says) is refused with their message and the fix, whatever they raise.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime

import msoffcrypto
import msoffcrypto.exceptions
import openpyxl
import xlrd

from pipelines.readers import limits
from pipelines.readers.errors import SourceError
from pipelines.readers.text import decode_source

Cell = str | float | None

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# Delimiter debris around CSV fields (the tab-comma variant puts a TAB after every field).
# U+3000 is deliberately not stripped: it is content (padded names, footnote indentation).
_CSV_PADDING = " \t\r\n"
# The key Excel uses for a workbook that is only write-protected; Excel opens it without asking.
EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"
# The sheet CNKI adds to every download: a stamp (source, date), never data.
CNKI_STAMP_SHEET = "CNKI"
_XLSX_FIX = "download it again, or open it in Excel and save it again as .xlsx"


@dataclass(frozen=True)
class GridRow:
    number: int  # 1-based line (text) or row (spreadsheet) where this record starts
    cells: list[Cell]

    def text(self, index: int) -> str:
        """Cell ``index`` as text ('' when missing or empty)."""
        if index >= len(self.cells) or self.cells[index] is None:
            return ""
        return str(self.cells[index]).strip(_CSV_PADDING)

    def is_blank(self) -> bool:
        return all(cell is None or str(cell).strip() == "" for cell in self.cells)


@dataclass
class Grid:
    rows: list[GridRow]
    container: str  # csv | xls | xlsx
    encoding: str | None = None  # for csv: utf-8, utf-8-sig or gb18030
    tab_comma: bool = False  # NBS variant C: every field followed by TAB then a comma
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None  # the worksheet read (spreadsheets only)


def load_grid(data: bytes, file_name: str) -> Grid:
    notes: list[str] = []
    if data.startswith(OLE2_SIGNATURE):
        data, notes = _decrypted(data, file_name)
    if data.startswith(OLE2_SIGNATURE):
        grid = _xls_grid(data, file_name)
    elif data.startswith(ZIP_SIGNATURE):
        grid = _xlsx_grid(data, file_name)
    else:
        return _csv_grid(data, file_name)
    grid.notes[:0] = notes
    return grid


def _decrypted(data: bytes, file_name: str) -> tuple[bytes, list[str]]:
    """The workbook's plain bytes: unchanged when it is not encrypted."""
    try:
        office_file = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office_file.is_encrypted()
    except Exception as exc:  # a damaged container: msoffcrypto raises anything, even assert
        raise _unreadable_xls(file_name, "msoffcrypto", exc) from exc
    if not encrypted:
        return data, []
    try:
        office_file.load_key(password=EXCEL_DEFAULT_PASSWORD)
        plain = io.BytesIO()
        office_file.decrypt(plain)
    except msoffcrypto.exceptions.InvalidKeyError:
        raise SourceError(
            "the workbook is protected with a password of its own (not Excel's default "
            "read-only key): open it in Excel, enter the password and save it without one",
            file=file_name,
        ) from None
    except (msoffcrypto.exceptions.FileFormatError, msoffcrypto.exceptions.DecryptionError) as exc:
        raise SourceError(f"cannot decrypt the workbook: {exc}", file=file_name) from None
    except Exception as exc:  # a damaged OLE2 container
        raise _unreadable_xls(file_name, "msoffcrypto", exc) from exc
    return plain.getvalue(), [
        "decrypted: the workbook was encrypted with Excel's default read-only password"
    ]


def _csv_grid(data: bytes, file_name: str) -> Grid:
    try:
        text, encoding = decode_source(data)
    except UnicodeDecodeError as exc:
        raise SourceError(f"cannot decode the file as text: {exc.reason}", file=file_name) from None
    tab_comma = "\t," in text
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""))
    start_line = 1
    try:
        for fields in reader:
            if tab_comma and len(fields) > 1 and fields[-1] == "":
                fields = fields[:-1]  # the comma that ends every line leaves one empty field
            if len(fields) > limits.MAX_COLUMNS:
                raise SourceError(
                    _too_many_columns("the row", len(fields)), file=file_name, row=start_line
                )
            rows.append(GridRow(start_line, [f.strip(_CSV_PADDING) for f in fields]))
            start_line = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(f"malformed CSV: {exc}", file=file_name, row=start_line) from None
    return Grid(rows, "csv", encoding=encoding, tab_comma=tab_comma)


def _xls_grid(data: bytes, file_name: str) -> Grid:
    try:
        # xlrd prints its warnings about a damaged file (to stdout by default): discard them.
        book = xlrd.open_workbook(file_contents=data, logfile=_Discard())
        sheet = book.sheet_by_index(0)
        _check_sheet_size(sheet.nrows, sheet.ncols, file_name)
        rows = [
            GridRow(r + 1, [_xls_cell(sheet.cell(r, c), book.datemode) for c in range(sheet.ncols)])
            for r in range(sheet.nrows)
        ]
    except SourceError:
        raise
    except Exception as exc:  # a damaged workbook: xlrd raises anything (KeyError, struct.error)
        raise _unreadable_xls(file_name, "xlrd", exc) from exc
    return Grid(rows, "xls", notes=_other_sheets_note(book.sheet_names()), sheet=sheet.name)


class _Discard(io.TextIOBase):
    """A log that keeps nothing."""

    def write(self, text: str) -> int:
        return len(text)


def _unreadable_xls(file_name: str, library: str, exc: Exception) -> SourceError:
    return SourceError(
        f"cannot read the workbook ({library}: {_said(exc)}): the file is damaged or not an "
        "Excel 97-2003 workbook (.xls); download it again, or open it in Excel and save it "
        "again",
        file=file_name,
    )


def _said(exc: Exception) -> str:
    """What a library's exception says, with its type (an AssertionError says nothing)."""
    kind = type(exc).__name__
    if kind == "error":  # zlib.error, struct.error
        kind = f"{type(exc).__module__}.error"
    return f"{kind}: {exc}" if str(exc) else kind


def _xls_cell(cell: xlrd.sheet.Cell, datemode: int) -> Cell:
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return float(cell.value)
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, datemode).date().isoformat()
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "true" if cell.value else "false"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return str(cell.value)


def _xlsx_grid(data: bytes, file_name: str) -> Grid:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SourceError(f"cannot open as .xlsx: {exc}", file=file_name) from None
    _check_unpacked_size(unpacked, len(data), file_name)
    _check_parts(data, file_name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        sheet = book.worksheets[0]
    except Exception as exc:  # damaged XML or parts: openpyxl raises anything (ParseError, ...)
        raise SourceError(
            f"cannot read the workbook (openpyxl: {_said(exc)}): its contents are damaged, or "
            f"it is not a workbook Excel wrote; {_XLSX_FIX}",
            file=file_name,
        ) from exc
    _check_sheet_size(sheet.max_row, sheet.max_column, file_name)
    rows = [
        GridRow(number, [_xlsx_cell(value) for value in values])
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
    ]
    return Grid(rows, "xlsx", notes=_other_sheets_note(book.sheetnames), sheet=sheet.title)


def _check_parts(data: bytes, file_name: str) -> None:
    """Unpack every part of the workbook once (at most MAX_XLSX_UNPACKED_BYTES, checked
    before), so a damaged part is refused by its name rather than by openpyxl's error."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            try:
                with archive.open(entry) as part:
                    while part.read(1 << 20):
                        pass
            # A bad deflate stream or CRC, a part cut short; RuntimeError: a part encrypted,
            # or packed with a method zipfile lacks (NotImplementedError).
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                OSError,
                ValueError,
                RuntimeError,
            ) as exc:
                raise SourceError(
                    f"cannot open as .xlsx: the part {entry.filename} of the workbook is "
                    f"damaged ({_said(exc)}); {_XLSX_FIX}",
                    file=file_name,
                ) from exc


def _check_unpacked_size(unpacked: int, packed: int, file_name: str) -> None:
    """Refuse a workbook whose zip entries declare more than MAX_XLSX_UNPACKED_BYTES.
    zipfile never inflates an entry past its declared size (a lie fails its CRC check), so
    the declaration bounds what openpyxl can be made to parse."""
    if unpacked > limits.MAX_XLSX_UNPACKED_BYTES:
        raise SourceError(
            f"the workbook unpacks to {unpacked:,} bytes, more than the "
            f"{limits.MAX_XLSX_UNPACKED_BYTES:,} bytes a workbook may unpack to "
            f"({packed:,} bytes on disk; pipelines/readers/limits.py): a province table "
            "unpacks to a few hundred kilobytes; save the table alone, as .xlsx or .csv",
            file=file_name,
        )


def _check_sheet_size(rows: int, columns: int, file_name: str) -> None:
    """Refuse a first sheet wider than MAX_COLUMNS or spanning more than MAX_SHEET_CELLS."""
    if columns > limits.MAX_COLUMNS:
        raise SourceError(_too_many_columns("the sheet", columns), file=file_name)
    if rows * columns > limits.MAX_SHEET_CELLS:
        raise SourceError(
            f"the sheet spans {rows:,} rows by {columns:,} columns, {rows * columns:,} cells, "
            f"more than the {limits.MAX_SHEET_CELLS:,} cells a sheet may span "
            "(pipelines/readers/limits.py): delete the rows and columns past the table's end "
            "(a stray cell far below or to the right of it) and save again",
            file=file_name,
        )


def _too_many_columns(what: str, columns: int) -> str:
    return (
        f"{what} has {columns:,} columns, more than the {limits.MAX_COLUMNS:,} a table may "
        "have (pipelines/readers/limits.py)"
    )


def _xlsx_cell(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _other_sheets_note(sheet_names: list[str]) -> list[str]:
    others = [name for name in sheet_names[1:] if name != CNKI_STAMP_SHEET]
    notes = []
    if CNKI_STAMP_SHEET in sheet_names[1:]:
        notes.append(f"ignored CNKI's download stamp sheet {CNKI_STAMP_SHEET!r}")
    if others:
        ignored = ", ".join(repr(name) for name in others)
        notes.append(f"read only the first sheet {sheet_names[0]!r}; ignored sheet(s) {ignored}")
    return notes
