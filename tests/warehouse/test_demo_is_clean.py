"""The embedded demo data must load without a single quarantined row."""

from __future__ import annotations

from pipelines.defs.sources import SourceFolders
from pipelines.paths import DEMO_DIR
from pipelines.warehouse.micro import load_micro_files
from pipelines.warehouse.micro_contract import MICRO_DOMAINS
from pipelines.warehouse.province_year import load_province_year_files


def test_demo_data_loads_with_nothing_quarantined(conn):
    sources = SourceFolders(roots=[str(DEMO_DIR)])
    loads = load_province_year_files(conn, sources.files("province_year"))
    for domain in MICRO_DOMAINS:
        loads += load_micro_files(conn, domain, sources.files(domain))
    assert {
        load.source_file: load.quarantine_reasons for load in loads if load.rows_quarantined
    } == {}
    for table in ("province_year", *MICRO_DOMAINS):
        assert conn.execute(f"select count(*) from quarantine.{table}").fetchall() == [(0,)]
