"""Which vintage is current when files state no release date (docs/loading.md, "Which
release is current"): ordered by the newest year each file holds, a date in
nbs_file_metrics.csv wins and applies to files loaded before it was written."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.readers.file_metrics import COLUMNS
from pipelines.warehouse.province_year import load_province_year_files
from tests.conftest import build_province_year_staging, write_csv

# The case: an old download (1993-2017) and a current one (2011-2024) of NBS GDP.
OLD_BEIJING_2017 = 28014.94
NEW_BEIJING_2017 = 31325.9


def nbs_export(path, years_newest_first, beijing_values):
    header = ",".join(["地区", *(f"{year}年" for year in years_newest_first)])
    lines = [
        "数据库：分省年度数据",
        "指标：地区生产总值(亿元)",
        f"时间：{years_newest_first[-1]}年-{years_newest_first[0]}年",
        header,
        ",".join(["北京市", *(str(v) for v in beijing_values)]),
        "数据来源：国家统计局",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def exports(tmp_path):
    folder = tmp_path / "landing" / "province_year"
    old = nbs_export(folder / "地区生产总值_旧下载.csv", [2017, 2016], [OLD_BEIJING_2017, 25669.13])
    new = nbs_export(
        folder / "地区生产总值.csv", [2024, 2023, 2017], [49670.2, 47353.7, NEW_BEIJING_2017]
    )
    return old, new


def beijing_2017(conn):
    return conn.execute(
        "select value, release_date_basis, effective_release_date from staging.area_year_history"
        " where area_code = '110000' and metric = 'gdp' and year = 2017 and is_current"
    ).fetchall()


@pytest.mark.parametrize("order", ["old first", "new first"])
def test_the_export_with_the_later_newest_year_is_current_in_either_load_order(
    conn, exports, order
):
    old, new = exports
    for path in [old, new] if order == "old first" else [new, old]:
        load_province_year_files(conn, [path])
    build_province_year_staging(conn)
    [(value, basis, released)] = beijing_2017(conn)
    assert value == NEW_BEIJING_2017
    assert basis == "inferred: newest year 2024 in the file"
    assert released == date(2025, 12, 31)
    assert conn.execute(
        "select source_file like '%旧下载%', newest_year, inferred_release_date"
        " from staging.file_release order by newest_year"
    ).fetchall() == [(True, 2017, date(2018, 12, 31)), (False, 2024, date(2025, 12, 31))]


def test_a_release_date_in_the_mapping_wins_also_for_files_loaded_before(conn, exports, tmp_path):
    old, new = exports
    load_province_year_files(conn, [old, new])
    build_province_year_staging(conn)
    assert beijing_2017(conn)[0][0] == NEW_BEIJING_2017

    # The user learns the old download is in fact a later revision and says so in the mapping:
    mapping = tmp_path / "nbs_file_metrics.csv"
    write_csv(mapping, list(COLUMNS), [["*旧下载*.csv", "", "", "", "2026-03-01", ""]])
    build_province_year_staging(conn, mapping)

    [(value, basis, released)] = beijing_2017(conn)
    assert value == OLD_BEIJING_2017
    assert basis == "nbs_file_metrics.csv (*旧下载*.csv)"
    assert released == date(2026, 3, 1)


def test_a_stated_release_date_beats_an_inferred_one(conn, exports, tmp_path):
    _, new = exports
    stated = write_csv(
        tmp_path / "landing" / "province_year" / "revision.csv",
        ["province", "year", "metric", "value", "unit", "vintage", "release_date"],
        [["北京", 2017, "gdp", "31000.0", "亿元", "revision", "2026-01-15"]],
    )
    load_province_year_files(conn, [stated, new])
    build_province_year_staging(conn)
    assert beijing_2017(conn) == [(31000.0, "stated in the file", date(2026, 1, 15))]


def test_the_mapping_never_overrides_a_date_the_file_states(conn, exports, tmp_path):
    stated = write_csv(
        tmp_path / "landing" / "province_year" / "revision.csv",
        ["province", "year", "metric", "value", "unit", "vintage", "release_date"],
        [["北京", 2017, "gdp", "31000.0", "亿元", "revision", "2026-01-15"]],
    )
    load_province_year_files(conn, [stated])
    mapping = tmp_path / "nbs_file_metrics.csv"
    write_csv(mapping, list(COLUMNS), [["revision*.csv", "", "", "", "2020-01-01", ""]])
    build_province_year_staging(conn, mapping)
    assert beijing_2017(conn) == [(31000.0, "stated in the file", date(2026, 1, 15))]
