"""Read ``marts.pillar_score``, write ``marts.upgrading_path`` (one transaction)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.upgrading.assess import INPUT_COLUMNS, assess
from pipelines.upgrading.rules import RULES_FILE, Rules, load_rules
from pipelines.warehouse.loads import one_transaction
from pipelines.warehouse.sql_files import sql

PILLAR_TABLE = "marts.pillar_score"
TABLE = "marts.upgrading_path"


def build_upgrading_path(
    conn: duckdb.DuckDBPyConnection, rules_file: Path | str = RULES_FILE
) -> Rules:
    """(Re)build ``marts.upgrading_path`` from ``marts.pillar_score``; returns the rules used.

    The rules are read and checked first, so a bad rules file leaves the table as it was.
    """
    rules = load_rules(rules_file)
    pillars = conn.execute(
        f"select {', '.join(INPUT_COLUMNS)} from {PILLAR_TABLE} order by province_code, year"
    ).df()
    rows = assess(pillars, rules)
    conn.register("upgrading_path_rows", rows)
    try:
        with one_transaction(conn):
            conn.execute("create schema if not exists marts")
            conn.execute(sql("marts/upgrading_path"))
    finally:
        conn.unregister("upgrading_path_rows")
    return rules
