"""A load followed by a join on the same connection sees every row it loaded.

Guards the CHECKPOINT in pipelines.warehouse.loads.one_transaction: without it, DuckDB 2.0.0
answered this self-join with 0 rows in the loading process for tables past one row group.
"""

from __future__ import annotations

import duckdb

from pipelines.warehouse.micro import load_micro_files
from pipelines.warehouse.micro_contract import contract

ROWS = 300_000  # more than two DuckDB row groups (122,880 rows each)


def test_a_large_load_joins_completely_on_the_same_connection(conn, tmp_path):
    path = tmp_path / "procurement" / "many.csv"
    path.parent.mkdir()
    header = [column.name for column in contract("procurement")]
    values = {
        "contract_id": "'HT-' || lpad(i::varchar, 7, '0')",
        "buyer": "'某央企'",
        "buyer_type": "'central_soe'",
        "buyer_province": "'辽宁省'",
        "supplier": "'某供应商'",
        "supplier_province": "'吉林省'",
        "category": "'parts'",
        "amount": "(i % 1000)::varchar",
        "award_date": "'2023-05-17'",
        "is_innovative_product": "'false'",
        "is_synthetic": "'true'",
    }
    select = ", ".join(f"{values[name]} as {name}" for name in header)
    duckdb.connect().execute(f"copy (select {select} from range({ROWS}) t(i)) to '{path}'")

    [load] = load_micro_files(conn, "procurement", [path])
    assert load.rows == ROWS
    matched = conn.execute(
        "select count(*) from raw.procurement a join raw.procurement b using (contract_id)"
    ).fetchall()
    assert matched == [(ROWS,)]
