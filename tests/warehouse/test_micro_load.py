"""Loading micro extracts into raw.<domain>: typing, lineage, idempotence, quarantine of bad
rows, refusal of bad files."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.warehouse.loads import LoadError
from pipelines.warehouse.micro import load_micro_files
from pipelines.warehouse.micro_contract import contract
from tests.conftest import snapshot, write_csv

PROCUREMENT_HEADER = [c.name for c in contract("procurement")]
# Tables a load with quarantined rows adds to; every other table must stay as it was.
CHANGED = ("raw.procurement", "raw.load_log", "quarantine.procurement")


def contract_row(**values: object) -> list[object]:
    base = {
        "contract_id": "HT-0001",
        "buyer": "某央企",
        "buyer_type": "central_soe",
        "buyer_province": "辽宁省",
        "supplier": "某供应商",
        "supplier_province": "辽宁",
        "category": "parts",
        "amount": "1250000.50",
        "award_date": "2023-05-17",
        "is_innovative_product": "false",
        "is_synthetic": "",
    }
    base.update({k: str(v) for k, v in values.items()})
    return [base[column] for column in PROCUREMENT_HEADER]


@pytest.fixture
def good_file(tmp_path):
    return write_csv(
        tmp_path / "procurement" / "contracts_2023.csv",
        PROCUREMENT_HEADER,
        [
            contract_row(),
            contract_row(
                contract_id="HT-0002",
                buyer_province="辽　宁",
                supplier_province="江苏",
                amount="300",
                is_innovative_product="是",
            ),
            contract_row(
                contract_id="HT-0003",
                buyer_province="210000",
                supplier_province="Heilongjiang",
                buyer_type="government",
            ),
        ],
    )


def test_rows_are_typed_with_province_codes_and_lineage(conn, good_file):
    [load] = load_micro_files(conn, "procurement", [good_file])
    assert (load.status, load.rows) == ("loaded", 3)
    rows = conn.execute(
        "select contract_id, buyer_province_code, supplier_province_code, amount,"
        " is_innovative_product, award_date, source_row, file_sha256 = ? from raw.procurement"
        " order by contract_id",
        [load.file_sha256],
    ).fetchall()
    assert [r[:5] for r in rows] == [
        ("HT-0001", "210000", "210000", 1250000.5, False),
        ("HT-0002", "210000", "320000", 300.0, True),
        ("HT-0003", "210000", "230000", 1250000.5, False),
    ]
    # header is line 1, so data rows are lines 2..4 of the file
    assert [r[6] for r in rows] == [2, 3, 4]
    assert all(r[7] for r in rows)
    assert str(rows[0][5]) == "2023-05-17"


def test_loading_the_same_file_twice_changes_nothing(conn, good_file):
    load_micro_files(conn, "procurement", [good_file])
    before = snapshot(conn)
    [again] = load_micro_files(conn, "procurement", [good_file])
    assert again.status == "unchanged"
    assert snapshot(conn) == before


@pytest.mark.parametrize(
    ("bad", "column", "value", "rule", "reason"),
    [
        ({"amount": "12,5x"}, "amount", "12,5x", "text_in_number", "not a valid double"),
        ({"amount": "1.2.3"}, "amount", "1.2.3", "not_a_number", "not a valid double"),
        ({"amount": "—"}, "amount", "—", "placeholder", "placeholder"),
        ({"amount": "-5"}, "amount", "-5", "below_minimum", "below the minimum 0"),
        ({"award_date": "2023-13-45"}, "award_date", "2023-13-45", "invalid_value", "date"),
        ({"award_date": "2999-01-01"}, "award_date", "2999-01-01", "future", "in the future"),
        ({"buyer_type": "ministry"}, "buyer_type", "ministry", "not_allowed", "not one of"),
        ({"contract_id": ""}, "contract_id", None, "required_missing", "required value"),
        ({"supplier_province": "火星省"}, "supplier_province", "火星省", "unknown_area", "unknown"),
        (
            {"buyer_province": "全国"},
            "buyer_province",
            "全国",
            "not_a_province",
            "not one of the 31",
        ),
        ({"buyer": '=HYPERLINK("x")'}, "buyer", '=HYPERLINK("x")', "formula", "formula"),
    ],
)
def test_a_bad_cell_quarantines_its_row_and_the_good_rows_load(
    conn, good_file, tmp_path, bad, column, value, rule, reason
):
    load_micro_files(conn, "procurement", [good_file])
    before = snapshot(conn)
    bad_file = write_csv(
        tmp_path / "procurement" / "bad.csv",
        PROCUREMENT_HEADER,
        [contract_row(contract_id="HT-0100"), contract_row(**{"contract_id": "HT-0101", **bad})],
    )
    [load] = load_micro_files(conn, "procurement", [bad_file])
    assert (load.status, load.rows, load.rows_quarantined) == ("loaded", 1, 1)
    assert load.quarantine_reasons == {rule: 1}
    [quarantined] = conn.execute(
        "select source_row, source_column, value_raw, rule, reason, source_file,"
        " raw_row->>'contract_id' from quarantine.procurement"
    ).fetchall()
    assert quarantined[:4] == (3, column, value, rule)
    assert reason in quarantined[4]
    assert quarantined[5].endswith("bad.csv")
    assert quarantined[6] == ("HT-0101" if column != "contract_id" else None)
    after = snapshot(conn)
    assert {t: rows for t, rows in after.items() if t not in CHANGED} == {
        t: rows for t, rows in before.items() if t not in CHANGED
    }
    assert conn.execute(
        "select contract_id from raw.procurement where file_sha256 = ?", [load.file_sha256]
    ).fetchall() == [("HT-0100",)]


def test_negative_profit_is_a_number_not_a_formula(conn, tmp_path):
    header = [c.name for c in contract("enterprises")]
    row = {
        "credit_code": "91210100MA0000000X",
        "year": "2023",
        "name": "某企业",
        "province": "辽宁",
        "industry_code": "3411",
        "ownership": "private",
        "is_high_tech": "false",
        "has_rd_activity": "true",
        "employees": "120",
        "revenue": "5000.5",
        "profit": "-3.5",
    }
    path = write_csv(tmp_path / "enterprises" / "e.csv", header, [[row.get(c, "") for c in header]])
    [load] = load_micro_files(conn, "enterprises", [path])
    assert (load.rows, load.rows_quarantined) == (1, 0)
    assert conn.execute("select profit from raw.enterprises").fetchall() == [(-3.5,)]


def test_a_file_level_failure_in_a_later_file_rolls_back_the_earlier_files_of_the_same_load(
    conn, good_file, tmp_path
):
    conn.execute("select 1")
    bad_file = write_csv(
        tmp_path / "procurement" / "z_bad.csv",
        [c for c in PROCUREMENT_HEADER if c != "amount"],
        [],
    )
    with pytest.raises(LoadError):
        load_micro_files(conn, "procurement", [good_file, bad_file])
    assert conn.execute("select count(*) from raw.load_log").fetchall() == [(0,)]


def test_a_missing_required_column_is_named(conn, tmp_path):
    header = [c for c in PROCUREMENT_HEADER if c != "amount"]
    path = write_csv(tmp_path / "procurement" / "no_amount.csv", header, [])
    with pytest.raises(LoadError, match="amount") as refused:
        load_micro_files(conn, "procurement", [path])
    assert refused.value.problems[0].reason == "required column missing from the header"


def test_parquet_extracts_load_like_csv(conn, good_file, tmp_path):
    parquet = tmp_path / "procurement" / "contracts.parquet"
    duckdb.connect().execute(
        f"copy (select * from read_csv('{good_file}', all_varchar = true)) to '{parquet}'"
    )
    [load] = load_micro_files(conn, "procurement", [parquet])
    assert (load.reader, load.rows) == ("parquet", 3)
    assert conn.execute(
        "select source_row from raw.procurement order by source_row"
    ).fetchall() == [(1,), (2,), (3,)]


def test_one_spelling_in_two_province_columns_keeps_one_row_per_contract(conn, tmp_path):
    # Buyer and supplier both written 辽宁省: the spelling must map once, not once per column.
    path = write_csv(
        tmp_path / "procurement" / "local.csv",
        PROCUREMENT_HEADER,
        [contract_row(contract_id=f"HT-{i}", supplier_province="辽宁省") for i in range(3)],
    )
    [load] = load_micro_files(conn, "procurement", [path])
    assert load.rows == 3
    assert conn.execute(
        "select count(*), count(distinct contract_id) from raw.procurement"
    ).fetchall() == [(3, 3)]
