"""An analyst in another process: opens the published copy read-only in a loop until told to
stop, and records every read. Run as ``python reader.py PUBLISHED STOP_FILE OUT_JSON``.

One read = connect, read meta.publication (one run id, one published_at, the row count of every
table), count the rows of every marts table and compare, close. Any exception is recorded.
"""

import json
import sys
import time
from pathlib import Path

import duckdb


def read_once(path: str) -> dict:
    conn = duckdb.connect(path, read_only=True)
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
            "run_ids": sorted({r[0] for r in stamp}),
            "published_at": sorted({r[1] for r in stamp}),
            "mismatches": {t: [expected[t], n] for t, n in actual.items() if expected[t] != n},
            "pillar_score_rows": actual.get("marts.pillar_score"),
            "provinces_per_pillar_year": sorted(r[0] for r in per_pillar_year),
        }
    finally:
        conn.close()


def main(path: str, stop_file: str, out: str) -> None:
    reads, errors = [], []
    while not Path(stop_file).exists():
        try:
            reads.append(read_once(path))
        except Exception as error:  # noqa: BLE001 - every failure is the finding
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(0.05)
    Path(out).write_text(json.dumps({"reads": reads, "errors": errors}), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:4])
