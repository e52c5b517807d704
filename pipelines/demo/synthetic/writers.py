"""Chunked, byte-reproducible writers for the micro tables, typed by the input contract
(data/reference/micro_columns.csv, read through ``micro_contract.contract`` as the loads read
it), so the generated files cannot drift from what the loaders expect.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pipelines.warehouse.micro_contract import contract

CONTRACT_TYPES = {
    "VARCHAR": pa.string(),
    "PROVINCE": pa.string(),  # text the province normaliser resolves; we write full names
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
}
FORMATS = ("csv", "parquet")


def contract_schema(table: str) -> pa.Schema:
    """Arrow schema of one micro table, columns in the contract's order; a column the contract
    does not require may be null."""
    return pa.schema(
        [
            pa.field(column.name, CONTRACT_TYPES[column.type], nullable=not column.required)
            for column in contract(table)
        ]
    )


def output_path(out_dir: Path, domain: str, fmt: str) -> Path:
    suffix = ".csv.gz" if fmt == "csv" else ".parquet"
    return Path(out_dir) / domain / f"synthetic_{domain}{suffix}"


def write_table_chunks(chunks: Iterable[pa.Table], path: Path, schema: pa.Schema, fmt: str) -> int:
    """Write chunks to ``path`` (gzip CSV or zstd Parquet) and return the row count.

    Written to a temporary name and renamed, so a reader never sees half a file.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    rows = 0
    try:
        with _writer(partial, schema, fmt) as write:
            for chunk in chunks:
                chunk = _conform(chunk, schema)
                write(chunk)
                rows += chunk.num_rows
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return rows


class _writer:
    def __init__(self, path: Path, schema: pa.Schema, fmt: str):
        self.path, self.schema, self.fmt = path, schema, fmt

    def __enter__(self):
        if self.fmt == "parquet":
            # Fixed options, no timestamps: same rows give the same bytes.
            self._parquet = pq.ParquetWriter(
                self.path,
                self.schema,
                compression="zstd",
                compression_level=6,
                write_statistics=True,
            )
            return self._parquet.write_table
        # Arrow's gzip stream writes no file name and a zero mtime into the header, so the
        # bytes depend only on the data.
        self._stream = pa.CompressedOutputStream(str(self.path), "gzip")
        # Our own header line: Arrow would quote the names.
        self._stream.write((",".join(self.schema.names) + "\n").encode())
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        # quoting "none" fails loudly if a value ever needs quoting, rather than writing it
        # quoted in one file and not another; generated values never contain , " or newlines.
        self._csv = pa_csv.CSVWriter(self._stream, self.schema, write_options=options)
        return self._csv.write_table

    def __exit__(self, *exc):
        if self.fmt == "parquet":
            self._parquet.close()
        else:
            self._csv.close()
            self._stream.close()
        return False


def _conform(chunk: pa.Table, schema: pa.Schema) -> pa.Table:
    if chunk.schema.names != schema.names:
        raise ValueError(f"columns {chunk.schema.names} differ from the contract {schema.names}")
    return chunk.cast(schema)
