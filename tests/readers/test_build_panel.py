"""The demo panel builder: derived long CSVs that read back to the same observations."""

from __future__ import annotations

import csv

import pytest

from pipelines.demo.build_panel import PANEL_COLUMNS, build_panel, main
from pipelines.paths import DEMO_DIR
from pipelines.readers import read_province_year_file

RELEASE = "https://www.stats.gov.cn/sj/zxfb/202410/t20241002_1956810.html"


@pytest.fixture
def small_realdata(tmp_path, write_file):
    """A realdata folder with one (mapped) NBS export and one communiqué table."""
    root = tmp_path / "realdata"
    export = (
        "\ufeff数据库：分省年度数据 \n时间：2023年-2025年 \n"
        "地区\t,2025年\t,2024年\t,2023年\t,\n"
        "北京市\t,\t,49670.2\t,47353.7\t,\n"
        "天津市\t,\t,17931.3\t,\t,\n"
        "数据来源：国家统计局\n"
    )
    write_file("gdp_100m_yuan.csv", export, root / "nbs_exports")
    communique = (
        "province_zh,province_en,year,rd_expenditure_100m_yuan,rd_intensity_pct,source_url\n"
        f"全国,National,2023,33357.1,2.65,{RELEASE}\n"
        f"辽宁,Liaoning,2023,676.4,2.24,{RELEASE}\n"
    )
    write_file("rd_communique_2023.csv", communique, root / "rd_communique")
    return root


def read_rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_builds_one_cited_long_file_per_source(small_realdata, tmp_path):
    out = tmp_path / "out"
    written = build_panel(small_realdata, out)
    assert [p.name for p in written] == ["nbs_gdp.csv", "communique_rd_2023.csv"]

    gdp = read_rows(out / "nbs_gdp.csv")
    assert list(gdp[0]) == PANEL_COLUMNS
    assert [(r["province"], r["year"], r["value"]) for r in gdp] == [
        ("北京市", "2023", "47353.7"),
        ("北京市", "2024", "49670.2"),
        ("天津市", "2024", "17931.3"),
    ]
    assert (
        "1376524890/tec_expenditure @ 19963721bad7fdc4bc5e5b5b0699fc70a904f69c" in gdp[0]["source"]
    )
    assert gdp[0]["source"].endswith("file gdp_100m_yuan.csv, row 4, column 2023年")

    rd = read_rows(out / "communique_rd_2023.csv")
    national = [r for r in rd if r["province"] == "全国"]
    assert {(r["metric"], r["value"], r["unit"]) for r in national} == {
        ("rd_expenditure", "33357.1", "亿元"),
        ("rd_intensity", "2.65", "%"),
    }
    assert {r["release_date"] for r in rd} == {"2024-10-02"}
    assert all(r["source"].startswith(RELEASE + "; file rd_communique_2023.csv, row ") for r in rd)


def test_built_files_read_back_to_the_same_observations(small_realdata, tmp_path):
    out = tmp_path / "out"
    build_panel(small_realdata, out)
    for built, original in [
        (out / "nbs_gdp.csv", small_realdata / "nbs_exports" / "gdp_100m_yuan.csv"),
        (
            out / "communique_rd_2023.csv",
            small_realdata / "rd_communique" / "rd_communique_2023.csv",
        ),
    ]:
        again = read_province_year_file(built)
        first = read_province_year_file(original)
        assert again.reader == "tidy_long_csv"
        key = ["area_code", "year", "metric", "value", "unit", "vintage", "release_date"]
        assert (
            again.observations[key]
            .sort_values(key[:3])
            .reset_index(drop=True)
            .equals(first.observations[key].sort_values(key[:3]).reset_index(drop=True))
        )


def test_cli_is_deterministic(small_realdata, tmp_path, capsys):
    main(["--realdata", str(small_realdata), "--out", str(tmp_path / "a")])
    main(["--realdata", str(small_realdata), "--out", str(tmp_path / "b")])
    assert "wrote" in capsys.readouterr().out
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_missing_realdata_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nbs_exports/"):
        build_panel(tmp_path / "nowhere", tmp_path / "out")


@pytest.mark.realdata
def test_committed_demo_panel_matches_a_fresh_build(realdata, tmp_path):
    written = build_panel(realdata, tmp_path)
    # 9 NBS exports, 2 communiqué years, 13 yearbook themes (every edition in one file)
    assert len(written) == 24
    assert sum(p.name.startswith("yearbook_") for p in written) == 13
    committed = DEMO_DIR / "province_year"
    for path in written:
        assert (committed / path.name).read_bytes() == path.read_bytes(), (
            f"{path.name} is stale: run `make demo-data`"
        )
    gdp = read_province_year_file(committed / "nbs_gdp.csv").observations
    beijing_2024 = gdp[(gdp["area_code"] == "110000") & (gdp["year"] == 2024)]
    assert beijing_2024["value"].tolist() == [49670.2]
    population = read_province_year_file(committed / "nbs_population.csv").observations
    assert not population["is_synthetic"].any()
    assert len(population) == 31 * 10
    synthetic = read_province_year_file(committed / "synthetic_micro_aggregates.csv")
    assert "population" not in set(synthetic.observations["metric"])


@pytest.mark.realdata
def test_no_copy_of_source_files_in_the_demo_folder(realdata):
    committed = {p.name for p in (DEMO_DIR / "province_year").iterdir()}
    sources = {p.name for p in realdata.rglob("*.csv")}
    assert not committed & sources


def test_yearbook_editions_of_one_table_are_gathered_in_one_cited_file(tmp_path, capsys):
    """Two editions of the 1-4 table (as .xlsx, the way the reader also takes them): one output
    file, a vintage per edition, each row citing the table, file, sheet, row and column; a
    refused row (Hong Kong) is named on the terminal, not written."""
    openpyxl = pytest.importorskip("openpyxl")
    root = tmp_path / "realdata"
    for year, liaoning in ((2022, "100"), (2023, "110")):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "1"
        for row in (
            [f"1-4 各地区研究与试验发展(R&D)人员全时当量({year}年)"],
            ["Full-time Equivalent of R&D Personnel by Region"],
            ["单位:人年"],
            ["地区", "Region", "R&D人员\n全时当量\nTotal"],
            ["全国", "National Total", "1000"],
            ["辽宁", "Liaoning", liaoning],
            ["香港", "Hong Kong", "5"],
        ):
            sheet.append(row)
        book.create_sheet("CNKI").append(["中国知网"])
        folder = root / "sci_tech_yearbook" / "rd_personnel_fte"
        folder.mkdir(parents=True, exist_ok=True)
        book.save(folder / f"raw-{year}.xlsx")
    written = build_panel(root, tmp_path / "out")
    assert [p.name for p in written] == ["yearbook_rd_personnel_fte.csv"]
    rows = read_rows(written[0])
    liaoning = [(r["year"], r["value"], r["vintage"]) for r in rows if r["province"] == "辽宁省"]
    assert liaoning == [
        ("2022", "100", "中国科技统计年鉴2023"),
        ("2023", "110", "中国科技统计年鉴2024"),
    ]
    assert rows[-1]["source"].endswith(
        "file rd_personnel_fte/raw-2023.xlsx, sheet '1', row 6, column C R&D人员全时当量"
    )
    assert "table '1-4 各地区研究与试验发展(R&D)人员全时当量(2023年)'" in rows[-1]["source"]
    printed = capsys.readouterr().out
    assert printed.count("left out of the panel: sci_tech_yearbook/rd_personnel_fte/raw-") == 2
    assert "value '香港'" in printed
