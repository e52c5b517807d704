"""The catalog and settings files, the panel through the engine, and the rules of
marts.pillar_score and marts.northeast_view, on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.composite import Settings
from pipelines.indicators import CatalogError, build_frameworks, load_catalog, load_config
from pipelines.indicators.catalog import DEFAULT_CATALOG_FILE, INDICATOR_SQL_DIR
from pipelines.indicators.config import DEFAULT_SETTINGS_FILE, ConfigError, config_from_mapping
from pipelines.indicators.marts import (
    _empty,
    build_indicator_value,
    build_northeast_view,
    build_pillar_score,
    pillar_score_problems,
)
from pipelines.indicators.panel import indicator_cells, panel_frame, panel_years, pillar_scores
from pipelines.indicators.uncertainty import RANK_TYPES
from pipelines.warehouse.sql_files import sql

DRIVERS = [f"D{i}" for i in range(1, 9)]
STAGES = ["S1", "S2", "S3"]


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def catalog(config):
    return load_catalog(config)


# --- the files -------------------------------------------------------------------------------
def test_every_driver_and_stage_has_at_least_two_indicators(catalog):
    counts = catalog["pillar"].value_counts()
    assert sorted(counts.index) == sorted(DRIVERS + STAGES)
    assert (counts >= 2).all(), counts


def test_every_formula_file_is_in_the_catalog_and_named_after_its_indicator(catalog):
    files = {path.name for path in INDICATOR_SQL_DIR.glob("*.sql")}
    assert files == set(catalog["formula"])
    assert (catalog["formula"] == catalog["id"] + ".sql").all()
    assert set(catalog["direction"]) <= {1, -1}


def test_settings_file_gives_the_product_settings(config):
    engine = config.engine
    assert isinstance(engine, Settings)
    assert engine.denominate is None
    assert engine.impute.method == "linear_then_carry_forward"
    assert (engine.treat.winmax, engine.treat.skew_thresh, engine.treat.kurt_thresh) == (5, 2, 3.5)
    assert engine.treat.f2 == "log_CT"
    assert engine.normalise.method == "minmax"
    assert dict(engine.normalise.params) == {"lower": 0.0, "upper": 100.0}
    assert engine.aggregate.method == "arithmetic"
    assert config.pillars_of("overall") == DRIVERS
    assert config.pillars_of("upgrading") == STAGES
    assert config.published_indices == ["overall", "upgrading"]
    groups = config.performance_groups
    assert (groups.leader, groups.strong, groups.moderate) == (125, 100, 70)
    assert config.benchmark_province == "320000"


def test_equal_weights_within_each_pillar_by_default(catalog, config):
    frameworks = build_frameworks(catalog, config)
    overall = frameworks["overall"].effective_weights()
    assert overall[DRIVERS].tolist() == pytest.approx([1 / 8] * 8)
    d4 = catalog.loc[catalog["pillar"] == "D4", "id"]
    assert overall[d4].tolist() == pytest.approx([1 / 8 / 3] * 3)


def test_a_bad_catalog_row_is_refused_with_its_row_and_column(config, tmp_path):
    text = DEFAULT_CATALOG_FILE.read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace(",D2,", ",D9,")
    bad = tmp_path / "indicators.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"row 4, column 'pillar': 'D9'"):
        load_catalog(config, bad)


def test_a_typo_in_the_engine_settings_is_refused():
    import yaml

    raw = yaml.safe_load(DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8"))
    raw["engine"]["normalise"]["methd"] = "zscore"
    with pytest.raises(ValueError, match="methd"):
        config_from_mapping(raw)
    raw = yaml.safe_load(DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8"))
    raw["performance_groups"]["strong"] = 130
    with pytest.raises(ConfigError, match="leader > strong > moderate"):
        config_from_mapping(raw)


# --- the panel through the engine ----------------------------------------------------------
def _toy_raw(catalog, provinces, years, seed=0):
    """Random raw values for every indicator, province and year, with a few holes."""
    rng = np.random.default_rng(seed)
    rows = [
        (ind, p, y, float(rng.lognormal(1, 1)))
        for ind in catalog["id"]
        for p in provinces
        for y in years
    ]
    return pd.DataFrame(rows, columns=["indicator", "province_code", "year", "value"])


def test_panel_years_are_those_where_every_pillar_is_observed(catalog):
    raw = _toy_raw(catalog, ["110000"], [2020, 2021, 2022])
    s3 = set(catalog.loc[catalog["pillar"] == "S3", "id"])
    raw = raw[~((raw["year"] == 2020) & raw["indicator"].isin(s3))]
    assert panel_years(raw, catalog) == [2021, 2022]


def test_normalised_values_lie_in_0_100_over_all_provinces_and_years(catalog, config):
    provinces = [f"{i}0000" for i in range(11, 20)]
    years = list(range(2015, 2021))
    raw = _toy_raw(catalog, provinces, years)
    raw = raw.drop(index=raw.index[::7])  # holes to impute
    cells = indicator_cells(panel_frame(raw, catalog, provinces, years), catalog, config)
    assert len(cells) == len(catalog) * len(provinces) * len(years)
    normalised = cells["normalised_value"].dropna()
    assert normalised.between(0, 100).all()
    per_indicator = cells.groupby("indicator")["normalised_value"]
    assert (per_indicator.min() == 0).all() and (per_indicator.max() == 100).all()
    assert cells["is_imputed"].sum() > 0
    assert cells.loc[cells["is_imputed"], "raw_value"].isna().all()


def test_interior_gap_is_interpolated_and_the_last_year_carried(catalog, config):
    provinces, years = ["110000", "120000"], [2020, 2021, 2022, 2023]
    raw = _toy_raw(catalog, provinces, years)
    target = "d4_fiscal_st_share"
    mine = (raw["indicator"] == target) & (raw["province_code"] == "110000")
    raw.loc[mine, "value"] = [2.0, np.nan, 4.0, np.nan]
    raw = raw.dropna()
    cells = indicator_cells(panel_frame(raw, catalog, provinces, years), catalog, config)
    one = cells[(cells["indicator"] == target) & (cells["province_code"] == "110000")]
    assert one["is_imputed"].tolist() == [False, True, False, True]
    treated = one.set_index("year")["treated_value"]
    assert treated[2021] == pytest.approx(3.0) and treated[2023] == pytest.approx(4.0)


def test_a_pillar_with_no_value_takes_the_earliest_observed_values(catalog, config):
    provinces, years = ["110000", "120000"], [2020, 2021, 2022]
    raw = _toy_raw(catalog, provinces, years)
    d8 = set(catalog.loc[catalog["pillar"] == "D8", "id"])
    gone = (raw["province_code"] == "110000") & (raw["year"] == 2020) & raw["indicator"].isin(d8)
    d7 = "d7_rd_intensity"  # a pillar that keeps another indicator is not filled
    gone_d7 = (raw["province_code"] == "110000") & (raw["year"] == 2020) & (raw["indicator"] == d7)
    expected = raw[(raw["province_code"] == "110000") & (raw["year"] == 2021)].set_index(
        "indicator"
    )["value"]
    raw = raw[~gone & ~gone_d7]
    cells = indicator_cells(panel_frame(raw, catalog, provinces, years), catalog, config)
    first = cells[(cells["province_code"] == "110000") & (cells["year"] == 2020)].set_index(
        "indicator"
    )
    for indicator in d8:
        assert first.loc[indicator, "is_imputed"]
        assert first.loc[indicator, "treated_value"] == pytest.approx(expected[indicator])
    assert not first.loc[d7, "is_imputed"] and np.isnan(first.loc[d7, "treated_value"])


def test_pillar_scores_are_the_mean_of_the_normalised_indicators(catalog, config):
    provinces, years = ["110000", "120000", "130000"], [2021, 2022]
    cells = indicator_cells(
        panel_frame(_toy_raw(catalog, provinces, years), catalog, provinces, years),
        catalog,
        config,
    )
    scores = pillar_scores(cells, catalog, config).set_index(["province_code", "year", "pillar"])
    assert sorted(scores.index.get_level_values("pillar").unique()) == sorted(
        DRIVERS + STAGES + ["overall", "upgrading"]
    )
    mine = cells[(cells["province_code"] == "120000") & (cells["year"] == 2022)]
    pillar_of = catalog.set_index("id")["pillar"]
    means = mine.groupby(mine["indicator"].map(pillar_of))["normalised_value"].mean()
    for pillar, mean in means.items():
        assert scores.loc[("120000", 2022, pillar), "score"] == pytest.approx(mean)
    assert scores.loc[("120000", 2022, "overall"), "score"] == pytest.approx(means[DRIVERS].mean())


# --- marts.pillar_score rules ----------------------------------------------------------------
def _pillar_score(conn, scores, config):
    conn.register("pillar_scores", scores)
    conn.register("rank_intervals", _empty(RANK_TYPES))  # no Monte Carlo here: NULL intervals
    groups = config.performance_groups
    conn.execute(sql("marts/pillar_score"), [groups.leader, groups.strong, groups.moderate])
    return conn.execute(
        "select province_code, score, rank, relative_to_national, performance_group,"
        " rank_p05, rank_p50, rank_p95 from marts.pillar_score order by province_code"
    ).df()


def test_performance_groups_at_the_boundaries(tiny, config):
    # 31 scores with a mean of exactly 100, so relative_to_national = score
    boundary = [126.0, 125.0, 100.0, 99.5, 70.0, 69.5]
    rest = [100.0] * 24 + [110.0]
    values = boundary + rest
    assert sum(values) == 3100
    provinces = [f"{i:02d}0000" for i in range(10, 41)]
    scores = pd.DataFrame(
        {"province_code": provinces, "year": 2023, "pillar": "D1", "score": values}
    )
    table = _pillar_score(tiny, scores, config).set_index("province_code")
    got = table.loc[provinces[:6], ["relative_to_national", "performance_group"]]
    assert got["relative_to_national"].tolist() == boundary
    assert got["performance_group"].tolist() == [
        "leader",
        "strong",
        "strong",
        "moderate",
        "moderate",
        "emerging",
    ]
    # 25 provinces tie at 100: ranks still a permutation, ties in province-code order
    assert sorted(table["rank"]) == list(range(1, 32))
    assert table["relative_to_national"].mean() == pytest.approx(100, abs=1e-12)
    tied = table[table["score"] == 100.0]
    assert tied["rank"].is_monotonic_increasing
    assert table[["rank_p05", "rank_p50", "rank_p95"]].isna().all().all()  # none registered


def test_ranks_and_relative_per_pillar_year(tiny, config):
    rng = np.random.default_rng(1)
    provinces = [f"{i:02d}0000" for i in range(10, 41)]
    frames = [
        pd.DataFrame(
            {
                "province_code": provinces,
                "year": year,
                "pillar": pillar,
                "score": rng.uniform(0, 100, 31),
            }
        )
        for year in (2022, 2023)
        for pillar in ("D1", "overall")
    ]
    _pillar_score(tiny, pd.concat(frames, ignore_index=True), config)
    rows = tiny.execute(
        "select pillar, year, list(rank order by rank), avg(relative_to_national)"
        " from marts.pillar_score group by pillar, year"
    ).fetchall()
    assert len(rows) == 4
    for _pillar, _year, ranks, mean_relative in rows:
        assert ranks == list(range(1, 32))
        assert mean_relative == pytest.approx(100, abs=1e-9)
    best = tiny.execute(
        "select count(*) from marts.pillar_score s where rank = 1 and score < (select max(score)"
        " from marts.pillar_score t where t.pillar = s.pillar and t.year = s.year)"
    ).fetchall()
    assert best == [(0,)]


# --- marts.northeast_view --------------------------------------------------------------------
def test_northeast_view_on_the_tiny_warehouse(tiny, config):
    build_northeast_view(tiny, config)
    rd = tiny.execute(
        "select northeast_total, northeast_value, benchmark_province, benchmark_value,"
        " northeast_pct_of_benchmark, national_value from marts.northeast_view"
        " where metric = 'rd_expenditure' and year = 2023"
    ).fetchall()[0]
    assert rd[0] == pytest.approx(1115.9) and rd[1] == pytest.approx(1115.9)
    assert rd[2:4] == ("320000", 4212.3)
    assert rd[4] == pytest.approx(100 * 1115.9 / 4212.3)
    assert rd[5] is None  # only 4 provinces and no published total
    intensity = tiny.execute(
        "select northeast_total, northeast_mean, national_value, national_basis,"
        " northeast_pct_of_national from marts.northeast_view"
        " where metric = 'rd_intensity' and year = 2023"
    ).fetchall()[0]
    mean = (2.15 + 1.55 + 1.44) / 3
    assert intensity[0] is None
    assert intensity[1] == pytest.approx(mean)
    assert intensity[2:4] == (2.65, "published")
    assert intensity[4] == pytest.approx(100 * mean / 2.65)


def test_the_benchmark_province_is_configurable(tiny, config):
    from dataclasses import replace

    build_northeast_view(tiny, replace(config, benchmark_province="210000"))
    assert tiny.execute(
        "select benchmark_value from marts.northeast_view"
        " where metric = 'rd_expenditure' and year = 2023"
    ).fetchall() == [(676.4,)]


def test_a_warehouse_without_full_data_gives_empty_marts_not_an_error(tiny, catalog, config):
    """The tiny warehouse has no D1 data: no panel year, so empty tables and the reason."""
    build = build_indicator_value(tiny, catalog, config)
    assert build.years == [] and build.pillars_without_data == ["D1"]
    build_pillar_score(tiny, catalog, config)
    for table in ("marts.indicator_value", "marts.pillar_score"):
        assert tiny.execute(f"select count(*) from {table}").fetchall() == [(0,)]
    assert pillar_score_problems(tiny) == []
