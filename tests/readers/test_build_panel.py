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
    assert len(written) == 10
    committed = DEMO_DIR / "province_year"
    for path in written:
        assert (committed / path.name).read_bytes() == path.read_bytes(), (
            f"{path.name} is stale: run `make demo-data`"
        )
    gdp = read_province_year_file(committed / "nbs_gdp.csv").observations
    beijing_2024 = gdp[(gdp["area_code"] == "110000") & (gdp["year"] == 2024)]
    assert beijing_2024["value"].tolist() == [49670.2]


@pytest.mark.realdata
def test_no_copy_of_source_files_in_the_demo_folder(realdata):
    committed = {p.name for p in (DEMO_DIR / "province_year").iterdir()}
    sources = {p.name for p in realdata.rglob("*.csv")}
    assert not committed & sources
