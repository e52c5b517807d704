"""An analyst in another process: opens the published copy read-only in a loop until told to
stop, and records every read. Run as ``python reader.py PUBLISHED STOP_FILE OUT_JSON [PAUSE]``
(PAUSE: seconds between reads, 0.05 by default).

One read = open the path as an analyst would (alternately ``duckdb.connect(path, read_only=True)``
and ``ATTACH path (READ_ONLY)`` from an in-memory session, the way other clients open files),
read meta.publication (one run id, one published_at, the row count of every table), count the
rows of every marts table and compare, close. Any exception is recorded.
"""

import json
import sys
import time
from pathlib import Path

import duckdb


def open_published(path: str, opened_by: str) -> duckdb.DuckDBPyConnection:
    if opened_by == "connect":
        return duckdb.connect(path, read_only=True)
    conn = duckdb.connect()
    conn.execute("attach ? as published (read_only)", [path])
    conn.execute("use published")
    return conn


def read_once(path: str, opened_by: str) -> dict:
    conn = open_published(path, opened_by)
    try:
        conn.execute("SET enable_external_access = false")
        stamp = conn.execute(
            "select run_id, cast(published_at as varchar), table_name, row_count"
            " from meta.publication"
        ).fetchall()
        expected = {table: count for _, _, table, count in stamp}
        actual = {
            table: conn.execute(f"select count(*) from {table}").fetchone()[0]
            for table in expected
            if table.startswith("marts.") or table.startswith("staging.")
        }
        per_pillar_year = (
            conn.execute(
                "select distinct count(*) from marts.pillar_score group by pillar, year"
            ).fetchall()
            if "marts.pillar_score" in expected
            else []
        )
        return {
            "opened_by": opened_by,
            "run_ids": sorted({r[0] for r in stamp}),
            "published_at": sorted({r[1] for r in stamp}),
            "mismatches": {t: [expected[t], n] for t, n in actual.items() if expected[t] != n},
            "pillar_score_rows": actual.get("marts.pillar_score"),
            "provinces_per_pillar_year": sorted(r[0] for r in per_pillar_year),
        }
    finally:
        conn.close()


def main(path: str, stop_file: str, out: str, pause: str = "0.05") -> None:
    reads, errors = [], []
    attempt = 0
    while not Path(stop_file).exists():
        opened_by = ("connect", "attach")[attempt % 2]
        attempt += 1
        try:
            reads.append(read_once(path, opened_by))
        except Exception as error:  # noqa: BLE001 - every failure is the finding
            errors.append(f"{opened_by}: {type(error).__name__}: {error}")
        time.sleep(float(pause))
    Path(out).write_text(json.dumps({"reads": reads, "errors": errors}), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:5])
