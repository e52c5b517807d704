"""The GX-on-DuckDB shim (pipelines/validation/gx_duckdb.py) is still needed and still works.

Upstream: great_expectations issues #10738 and #11579. When one of these tests fails after an
upgrade, read the message: either delete the shim or rework it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest
from great_expectations.execution_engine import sqlalchemy_execution_engine

from pipelines.paths import REPO_ROOT
from pipelines.validation import gx_duckdb

ROWS = 7

# A fresh interpreter: once applied, the shim patches GX for the whole process. The probe
# counts rows through GX first without the shim, then with it.
PROBE = """
import json, sys
import great_expectations as gx
from pipelines.validation import gx_duckdb

def observed_rows(name):
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sql(name=name, connection_string="duckdb:///" + sys.argv[1])
    batch = source.add_query_asset(name="t", query="select * from t")\
        .add_batch_definition_whole_table("all").get_batch()
    result = batch.validate(gx.expectations.ExpectTableRowCountToBeBetween(min_value=0))
    source.get_execution_engine().close()
    source.get_engine().dispose()
    return result.result.get("observed_value")

without_shim = observed_rows("without")
gx_duckdb.apply()
print(json.dumps({"without_shim": without_shim, "with_shim": observed_rows("with")}))
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> dict:
    database = tmp_path_factory.mktemp("shim") / "probe.duckdb"
    with duckdb.connect(str(database)) as conn:
        conn.execute(f"create table t as select range as id from range({ROWS})")
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(database)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=True,
    )
    last_line = [line for line in completed.stdout.splitlines() if line.startswith("{")][-1]
    return json.loads(last_line)


def test_the_shim_target_still_exists():
    target = getattr(sqlalchemy_execution_engine, gx_duckdb.SHIM_TARGET, None)
    assert isinstance(target, tuple), (
        f"great_expectations no longer has {gx_duckdb.SHIM_TARGET}: the DuckDB shim is broken; "
        "see pipelines/validation/gx_duckdb.py and GX issues #10738/#11579"
    )
    assert "sqlite" in target, "GX changed how it lists single-connection dialects"


def test_gx_still_needs_the_shim_on_duckdb(probe):
    assert probe["without_shim"] != ROWS, (
        "GX now reads DuckDB results without the shim: upstream fixed #10738/#11579. Delete "
        "pipelines/validation/gx_duckdb.py and its apply() call in pipelines/validation/runner.py."
    )


def test_with_the_shim_gx_reads_duckdb_results(probe):
    assert probe["with_shim"] == ROWS


def test_apply_is_idempotent():
    gx_duckdb.apply()
    gx_duckdb.apply()
    target = getattr(sqlalchemy_execution_engine, gx_duckdb.SHIM_TARGET)
    assert sum(1 for dialect in target if dialect == gx_duckdb.DUCKDB_DIALECT) == 1


def test_gx_says_nothing_below_a_warning_on_the_terminal():
    """GX logs each ephemeral context's temporary docs folder at INFO; it reached the terminal
    of `impetus materialize` as `INFO:great_expectations…` lines."""
    import logging

    import pipelines.validation.runner  # noqa: F401 - importing it sets the level

    assert logging.getLogger("great_expectations").getEffectiveLevel() >= logging.WARNING
