"""Province-year loads: idempotence, vintages kept side by side, the current-figure rule."""

from __future__ import annotations

import pytest

from pipelines.warehouse.province_year import load_province_year_files
from tests.conftest import build_province_year_staging, snapshot, write_csv

HEADER = ["province", "year", "metric", "value", "unit", "vintage", "release_date", "source"]


def release(tmp_path, name, vintage, release_date, rows):
    return write_csv(
        tmp_path / "province_year" / name,
        HEADER,
        [[p, y, m, v, u, vintage, release_date, f"test fixture {name}"] for p, y, m, v, u in rows],
    )


@pytest.fixture
def first_release(tmp_path):
    return release(
        tmp_path,
        "communique_2023.csv",
        "R&D communiqué 2023",
        "2024-10-02",
        [
            ("辽宁", 2023, "rd_intensity", "2.24", "%"),
            ("吉林", 2023, "rd_intensity", "1.43", "%"),
            ("全国", 2023, "rd_intensity", "2.65", "%"),
        ],
    )


@pytest.fixture
def revision(tmp_path):
    # The 2024 communiqué revised Liaoning's 2023 intensity after the GDP revision.
    return release(
        tmp_path,
        "communique_2024.csv",
        "R&D communiqué 2024",
        "2025-09-30",
        [
            ("辽宁省", 2023, "rd_intensity", "2.15", "%"),
            ("吉林省", 2023, "rd_intensity", "1.43", "%"),
        ],
    )


def current(conn, province_code):
    return conn.execute(
        "select value, vintage, vintage_count from staging.province_year"
        " where province_code = ? and metric = 'rd_intensity' and year = 2023",
        [province_code],
    ).fetchone()


def test_reloading_the_same_file_changes_nothing(conn, first_release):
    [first] = load_province_year_files(conn, [first_release])
    assert (first.status, first.rows) == ("loaded", 3)
    before = snapshot(conn)
    [again] = load_province_year_files(conn, [first_release])
    assert again.status == "unchanged"
    assert snapshot(conn) == before


def test_a_revision_is_kept_beside_the_first_publication(conn, first_release, revision):
    load_province_year_files(conn, [first_release, revision])
    build_province_year_staging(conn)
    assert current(conn, "210000") == (2.15, "R&D communiqué 2024", 2)
    history = conn.execute(
        "select vintage, value, is_current from staging.area_year_history"
        " where area_code = '210000' and metric = 'rd_intensity' and year = 2023"
        " order by vintage_rank"
    ).fetchall()
    assert history == [("R&D communiqué 2024", 2.15, True), ("R&D communiqué 2023", 2.24, False)]


def test_an_older_release_loaded_later_does_not_become_current(conn, first_release, revision):
    load_province_year_files(conn, [revision])
    load_province_year_files(conn, [first_release])
    build_province_year_staging(conn)
    assert current(conn, "210000")[:2] == (2.15, "R&D communiqué 2024")


def test_the_national_row_is_kept_apart_from_the_provinces(conn, first_release):
    load_province_year_files(conn, [first_release])
    build_province_year_staging(conn)
    assert (
        conn.execute(
            "select count(*) from staging.province_year where province_code = '000000'"
        ).fetchone()[0]
        == 0
    )
    assert conn.execute(
        "select area_code, value from staging.national_year where metric = 'rd_intensity'"
    ).fetchall() == [("000000", 2.65)]


def test_a_contradicting_figure_for_the_same_vintage_is_quarantined(conn, first_release, tmp_path):
    load_province_year_files(conn, [first_release])
    before = snapshot(conn)
    clash = release(
        tmp_path,
        "communique_2023_retyped.csv",
        "R&D communiqué 2023",
        "2024-10-02",
        [
            ("辽宁", 2023, "rd_intensity", "2.42", "%"),
            ("黑龙江", 2023, "rd_intensity", "1.44", "%"),
        ],
    )
    [load] = load_province_year_files(conn, [clash])
    assert (load.rows, load.rows_quarantined) == (1, 1)
    [(row, value, rule, reason)] = conn.execute(
        "select source_row, value_raw, rule, reason from quarantine.province_year"
    ).fetchall()
    assert (row, value, rule) == (2, "2.42", "conflicts_with_stored")
    assert "communique_2023.csv row 2" in reason
    assert snapshot(conn)["raw.province_year"] != before["raw.province_year"]
    assert conn.execute(
        "select area_code, value from raw.province_year where file_sha256 = ?", [load.file_sha256]
    ).fetchall() == [("230000", 1.44)]


def test_a_second_different_figure_in_one_file_is_quarantined_naming_the_first_row(conn, tmp_path):
    path = release(
        tmp_path,
        "twice.csv",
        "v1",
        "2024-10-02",
        [
            ("辽宁", 2023, "rd_intensity", "2.24", "%"),
            ("辽宁省", 2023, "rd_intensity", "2.24", "%"),  # same value: stored once, no conflict
            ("辽 宁", 2023, "rd_intensity", "2.42", "%"),
        ],
    )
    [load] = load_province_year_files(conn, [path])
    assert (load.rows, load.rows_quarantined) == (1, 1)
    assert conn.execute(
        "select source_row, rule, reason from quarantine.province_year"
    ).fetchall() == [
        (
            4,
            "duplicate_key",
            "duplicate key (area, year, metric, vintage): first seen at row 2 with another"
            " value (2.24)",
        )
    ]


def test_values_are_stored_in_the_catalog_unit(conn, tmp_path):
    path = release(
        tmp_path,
        "rd_wan.csv",
        "test",
        "2024-01-01",
        [("江苏", 2023, "rd_expenditure", "42123000", "万元")],
    )
    load_province_year_files(conn, [path])
    assert conn.execute(
        "select value, unit, value_raw, unit_raw from raw.province_year"
    ).fetchone() == (4212.3, "亿元", "42123000", "万元")
