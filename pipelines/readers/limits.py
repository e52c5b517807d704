"""How much of a source file the readers and loads take on: every bound in one place.

A file past a bound is refused with a message naming the bound, before anything unbounded is
read or parsed: a hostile or broken file (a 1 GiB field, 100,000 columns, a 352 KB workbook
that unpacks to 77 MB) must cost seconds and megabytes, not minutes and gigabytes. The bounds
are far above any real statistical table or micro extract; raise one here if a real file
needs it (docs/loading.md says what each refusal means).
"""

from __future__ import annotations

# A province-year file (NBS export, yearbook table, tidy table), which is read whole into
# memory before it is parsed. A real one is a few hundred kilobytes; checked from the file's
# size before a byte of it is read.
MAX_PROVINCE_YEAR_FILE_BYTES = 256 << 20  # 256 MiB

# One row of a CSV (micro extracts, and the header line of any CSV), line break included. A
# micro row is a few hundred bytes; a row past this is damaged (often a stray quote that
# swallowed the rest of the file) and refuses the file. DuckDB's own line limit is 2,000,000.
MAX_ROW_BYTES = 1 << 20  # 1 MiB

# Empty lines in a row between two records of a micro CSV. DuckDB reads such a run as one
# line, so a run past its line limit loses the next record; up to this bound the load raises
# DuckDB's limit to fit the run, past it the file is refused.
MAX_EMPTY_LINE_BYTES = 64 << 20  # 64 MiB

# Columns of a header (micro CSV or Parquet) or of any row of a province-year grid.
MAX_COLUMNS = 1_000

# What the entries of an .xlsx (a zip archive) declare they unpack to, all together. Python's
# zipfile never inflates an entry past its declared size, so the declaration is the bound.
MAX_XLSX_UNPACKED_BYTES = 32 << 20  # 32 MiB

# Cells of the first worksheet of an .xlsx as its dimensions span them (rows x columns): a
# sheet with cells at A1 and Z1048576 is tiny on disk and 27 million cells to iterate.
MAX_SHEET_CELLS = 5_000_000
