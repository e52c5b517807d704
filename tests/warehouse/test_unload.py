"""Getting back from a bad file: `impetus unload`, files that left the source folders, and
every refused file of a load named at once (docs/loading.md, "Getting back from a bad file")."""

from __future__ import annotations

import pytest

from pipelines.warehouse.loads import LoadError, file_sha256
from pipelines.warehouse.province_year import load_province_year_files
from pipelines.warehouse.unload import NothingToUnload, undo_unload, unload
from tests.conftest import snapshot, write_csv

HEADER = ["province", "year", "metric", "value", "unit", "vintage", "release_date", "source"]


def tidy(folder, name, rows, vintage="v1"):
    return write_csv(
        folder / name,
        HEADER,
        [[p, y, m, v, u, vintage, "2024-10-02", f"fixture {name}"] for p, y, m, v, u in rows],
    )


@pytest.fixture
def landing(tmp_path):
    folder = tmp_path / "landing" / "province_year"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def two_files(landing):
    good = tidy(landing, "rd_2023.csv", [("辽宁", 2023, "rd_intensity", "2.24", "%")])
    other = tidy(
        landing,
        "gdp_2023.csv",
        [("辽宁", 2023, "gdp", "30209.4", "亿元"), ("吉林", 2023, "gdp", "x", "亿元")],
    )
    return good, other


def test_unload_by_path_removes_rows_quarantine_and_log_entry(conn, two_files):
    good, other = two_files
    load_province_year_files(conn, [good])
    without = snapshot(conn)
    load_province_year_files(conn, [other])
    assert conn.execute("select count(*) from quarantine.province_year").fetchall() == [(1,)]

    [gone] = unload(conn, str(other))

    assert (gone.domain, gone.rows_removed, gone.rows_quarantined_removed) == (
        "province_year",
        1,
        1,
    )
    after = snapshot(conn)
    assert after.pop("raw.unloaded_file") != []
    without.pop("raw.unloaded_file", None)
    assert after == without
    assert conn.execute(
        "select reason, kept_out, rows_removed from raw.unloaded_file"
    ).fetchall() == [("impetus unload", True, 1)]


def test_unload_by_sha256_prefix_when_the_file_is_gone(conn, two_files):
    good, other = two_files
    load_province_year_files(conn, [good, other])
    sha = file_sha256(other)
    other.unlink()
    [gone] = unload(conn, sha[:12])
    assert gone.file_sha256 == sha
    assert conn.execute(
        "select count(*) from raw.province_year where file_sha256 = ?", [sha]
    ).fetchall() == [(0,)]


def test_an_unloaded_file_stays_out_until_undo(conn, two_files):
    good, other = two_files
    load_province_year_files(conn, [good, other])
    unload(conn, str(other))

    loads = load_province_year_files(conn, [good, other])
    assert [load.status for load in loads] == ["unchanged", "kept_out"]
    assert "impetus unload --undo" in loads[1].notes[0]
    assert conn.execute(
        "select count(*) from raw.province_year where metric = 'gdp'"
    ).fetchall() == [(0,)]

    [(domain, name)] = undo_unload(conn, str(other))
    assert domain == "province_year" and name.endswith("landing/province_year/gdp_2023.csv")
    loads = load_province_year_files(conn, [good, other])
    assert [load.status for load in loads] == ["unchanged", "loaded"]
    assert conn.execute(
        "select count(*) from raw.province_year where metric = 'gdp'"
    ).fetchall() == [(1,)]


def test_unloading_something_never_loaded_says_how_to_find_loaded_files(conn, two_files):
    good, _ = two_files
    load_province_year_files(conn, [good])
    with pytest.raises(NothingToUnload, match="raw.load_log"):
        unload(conn, "data/landing/province_year/never.csv")
    with pytest.raises(NothingToUnload, match="raw.unloaded_file"):
        undo_unload(conn, str(good))


def test_a_file_that_left_the_source_folders_is_withdrawn(conn, two_files):
    good, other = two_files
    load_province_year_files(conn, [good])
    never_saw_it = snapshot(conn)
    load_province_year_files(conn, [good, other], withdraw_gone=True)
    other.unlink()

    loads = load_province_year_files(conn, [good], withdraw_gone=True)

    assert [(load.status, load.rows) for load in loads] == [("withdrawn", 1), ("unchanged", 0)]
    after = snapshot(conn)
    assert after.pop("raw.unloaded_file")[0].count("left the source folders") == 1
    never_saw_it.pop("raw.unloaded_file", None)
    assert after == never_saw_it


def test_a_withdrawn_file_that_comes_back_loads_again(conn, two_files):
    good, other = two_files
    load_province_year_files(conn, [good, other], withdraw_gone=True)
    load_province_year_files(conn, [good], withdraw_gone=True)
    loads = load_province_year_files(conn, [good, other], withdraw_gone=True)
    assert [load.status for load in loads] == ["unchanged", "loaded"]


def test_a_file_edited_in_place_replaces_its_earlier_content(conn, landing):
    path = tidy(landing, "rd.csv", [("辽宁", 2023, "rd_intensity", "2.42", "%")])
    load_province_year_files(conn, [path], withdraw_gone=True)
    tidy(landing, "rd.csv", [("辽宁", 2023, "rd_intensity", "2.24", "%")])  # the typo fixed

    loads = load_province_year_files(conn, [path], withdraw_gone=True)

    assert [load.status for load in loads] == ["withdrawn", "loaded"]
    assert conn.execute("select value from raw.province_year").fetchall() == [(2.24,)]
    assert conn.execute("select count(*) from quarantine.province_year").fetchall() == [(0,)]


def test_without_withdraw_gone_a_missing_file_keeps_its_rows(conn, two_files):
    good, other = two_files
    load_province_year_files(conn, [good, other])
    loads = load_province_year_files(conn, [good])
    assert [load.status for load in loads] == ["unchanged"]
    assert conn.execute("select count(*) from raw.load_log").fetchall() == [(2,)]


def test_every_refused_file_of_a_load_is_named_at_once(conn, landing, two_files):
    good, _ = two_files
    load_province_year_files(conn, [good])
    before = snapshot(conn)
    first = write_csv(landing / "no_year.csv", ["province", "gdp"], [["辽宁", "1"]])
    second = write_csv(landing / "no_area.csv", ["year", "gdp"], [["2023", "1"]])
    fine = tidy(landing, "fine.csv", [("吉林", 2023, "rd_intensity", "1.43", "%")])

    with pytest.raises(LoadError) as refused:
        load_province_year_files(conn, [first, fine, second])

    named = {problem.file for problem in refused.value.problems}
    assert {p.name for p in (first, second)} <= {name.rsplit("/", 1)[-1] for name in named}
    assert snapshot(conn) == before
