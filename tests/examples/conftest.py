"""The demo warehouse + a landing file with two bad cells and its published copy, built once
for test_examples.py (test_data_dictionary.py reads the shared demo build instead)."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.defs.sources import SourceFolders
from pipelines.paths import DEMO_DIR
from pipelines.publish import connect_published, published_path


@pytest.fixture(scope="session")
def published_file(tmp_path_factory):
    """Materialize every asset on the demo (+ a landing file with two bad cells); the path of
    the published copy."""
    from pipelines.definitions import defs

    root = tmp_path_factory.mktemp("examples")
    landing = root / "landing" / "province_year"
    landing.mkdir(parents=True)
    (landing / "my_table_2010.csv").write_text(
        "地区,R&D经费(万元)\n辽 宁,—\n吉 林,=1+1\n黑龙江,100000\n", encoding="utf-8"
    )
    warehouse = root / "warehouse.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("IMPETUS_PUBLISHED", raising=False)
        result = dg.materialize(
            list(defs.assets),
            resources={
                "warehouse": DuckDBResource(database=str(warehouse)),
                "sources": SourceFolders(roots=[str(DEMO_DIR), str(root / "landing")]),
            },
        )
        assert result.success
        path = published_path(warehouse)
    assert path == root / "published" / "warehouse.duckdb"
    return path


@pytest.fixture(scope="module")
def published(published_file):
    """A connection to the published copy as `impetus query` opens it: read-only, no files."""
    conn = connect_published(published_file)
    yield conn
    conn.close()
