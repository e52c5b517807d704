"""Yearbook tables through the warehouse load: lineage to file, sheet, row and column; the
Hong Kong, Macao and Taiwan rows in quarantine; idempotent re-loads; editions and the
communiqué kept side by side as vintages, the documented rule picking the current one."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from pipelines.warehouse.province_year import load_province_year_files
from tests.conftest import build_province_year_staging, snapshot

pytestmark = pytest.mark.realdata

YEARBOOK = "sci_tech_yearbook"


def landed(realdata, tmp_path, *relative: str):
    """Copies of real files in a landing folder, as a user drops them."""
    folder = tmp_path / "landing" / "province_year"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in relative:
        source = realdata / name
        target = folder / f"{source.parent.name}_{source.name}"
        shutil.copyfile(source, target)
        paths.append(target)
    return paths


def test_a_landed_yearbook_table_is_traceable_to_its_cell(conn, realdata, tmp_path):
    (path,) = landed(realdata, tmp_path, f"{YEARBOOK}/rd_expenditure_by_source/raw-2023.xls")
    (load,) = load_province_year_files(conn, [path])
    assert (load.status, load.reader, load.rows_quarantined) == ("loaded", "yearbook_xls", 0)
    assert "decrypted: the workbook was encrypted with Excel's default read-only password" in (
        load.notes
    )
    build_province_year_staging(conn)
    row = conn.execute(
        "select value, unit, vintage, release_date, source_sheet, source_row, source_column,"
        " value_raw, unit_raw from staging.area_year_history"
        " where area_code = '210000' and year = 2023 and metric = 'rd_expenditure_government'"
    ).fetchone()
    # 1,613,908 万元 in the file, in the catalog's 亿元
    assert row == (
        pytest.approx(161.3908, rel=1e-12),
        "亿元",
        "中国科技统计年鉴2024",
        date(2024, 12, 31),
        "1",
        17,
        "D 政府资金",
        "1613908",
        "万元",
    )
    national = conn.execute(
        "select area_code, value from staging.national_year"
        " where metric = 'rd_expenditure' and year = 2023 order by area_code"
    ).fetchall()
    assert ("000000", pytest.approx(33357.0688, rel=1e-12)) in national
    assert {code for code, _ in national} == {
        "000000",
        "CN-CENTRAL",
        "CN-EAST",
        "CN-NORTHEAST",
        "CN-WEST",
    }


def test_hong_kong_macao_and_taiwan_rows_are_quarantined_with_every_value(conn, realdata, tmp_path):
    (path,) = landed(realdata, tmp_path, f"{YEARBOOK}/patent_grants/raw-2023.xls")
    (load,) = load_province_year_files(conn, [path])
    # 全国 and 31 provinces (this table has no regions) by total and 3 kinds of grant
    assert (load.rows, load.rows_quarantined) == (32 * 4, 3)
    rows = conn.execute(
        "select value_raw, rule, values_withheld, source_row from quarantine.province_year"
        " order by source_row"
    ).fetchall()
    assert [(v, r, n) for v, r, n, _ in rows] == [
        ("香港", "unknown_area", 4),
        ("澳门", "unknown_area", 4),
        ("台湾", "unknown_area", 4),
    ]


def test_loading_a_yearbook_table_again_changes_nothing(conn, realdata, tmp_path):
    (path,) = landed(realdata, tmp_path, f"{YEARBOOK}/rd_personnel_fte/raw-2013.xls")
    load_province_year_files(conn, [path])
    before = snapshot(conn)
    again = load_province_year_files(conn, [path])
    assert [result.status for result in again] == ["unchanged"]
    # the same table under another name: same vintage, same values, stored once
    renamed = path.with_name("1-4 R&D人员全时当量 2013.xls")
    shutil.copyfile(path, renamed)
    load_province_year_files(conn, [renamed])
    after = snapshot(conn)
    assert after["raw.province_year"] == before["raw.province_year"]
    assert after["quarantine.province_year"] == before["quarantine.province_year"]


def test_editions_and_the_communique_are_vintages_side_by_side(conn, realdata, tmp_path):
    """全国 R&D intensity 2022: 2.54 in the 2022 communiqué (released 2023-09-18), 2.54 in the
    2023 edition's 1-8 table, 2.56 in the 2024 edition (restated after the GDP revision)."""
    paths = landed(
        realdata,
        tmp_path,
        f"{YEARBOOK}/rd_intensity/raw-2023.xls",
        f"{YEARBOOK}/rd_intensity/raw-2022.xls",
        "rd_communique/rd_communique_2022.csv",
    )
    load_province_year_files(conn, paths)
    build_province_year_staging(conn)
    history = conn.execute(
        "select vintage, value, is_current from staging.area_year_history"
        " where area_code = '000000' and year = 2022 and metric = 'rd_intensity'"
        " order by vintage_rank"
    ).fetchall()
    assert history == [
        ("中国科技统计年鉴2024", 2.56, True),
        ("中国科技统计年鉴2023", 2.54, False),
        ("NBS release 2023-09-18 (t20230918_1942920)", 2.54, False),
    ]
    # every province-year of the 2024 edition's 1-8 table, 2012-2023, is current
    assert conn.execute(
        "select count(*), min(year), max(year) from staging.province_year"
        " where metric = 'rd_intensity' and vintage = '中国科技统计年鉴2024'"
    ).fetchone() == (31 * 12, 2012, 2023)
