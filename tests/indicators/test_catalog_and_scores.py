"""The catalog and settings files, the panel through the engine, and the rules of
marts.pillar_score and marts.northeast_view, on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.composite import AggregateSettings, NormaliseSettings, Settings
from pipelines.indicators import CatalogError, build_frameworks, load_catalog, load_config
from pipelines.indicators.build import build_index, empty_table
from pipelines.indicators.catalog import DEFAULT_CATALOG_FILE, INDICATOR_SQL_DIR
from pipelines.indicators.config import DEFAULT_SETTINGS_FILE, ConfigError, config_from_mapping
from pipelines.indicators.panel import panel_years, pillar_shares
from pipelines.indicators.uncertainty import RANK_TYPES
from pipelines.indicators.warehouse import (
    build_index_marts,
    build_northeast_view,
    imputed_only_scores,
    pillar_names,
    pillar_score_problems,
)
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
    assert engine.impute.empty_group_fill == "earliest_observed"  # panel.empty_pillar_fill
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
    assert len(d4) == 4
    assert overall[d4].tolist() == pytest.approx([1 / 8 / 4] * 4)


def test_a_bad_catalog_row_is_refused_with_its_row_and_column(config, tmp_path):
    text = DEFAULT_CATALOG_FILE.read_text(encoding="utf-8").splitlines()
    (line,) = [i for i, t in enumerate(text) if t.startswith("d2_chain_leader_local_share,")]
    assert ",D2," in text[line]
    text[line] = text[line].replace(",D2,", ",D9,")
    bad = tmp_path / "indicators.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    # the header is row 1, so line index i is row i + 1
    with pytest.raises(CatalogError, match=rf"row {line + 1}, column 'pillar': 'D9'"):
        load_catalog(config, bad)


def test_pillar_and_index_names_are_english_names_not_ids(config):
    """composite_settings.yaml is the one source of the names; name_en is a name."""
    names = pillar_names(config).set_index("pillar")
    assert list(names.index) == DRIVERS + STAGES + ["overall", "upgrading"]
    assert names.loc["D2", "name_en"] == "Industrial-chain demand pull"
    assert names.loc["D8", "name_zh"] == "信息黏合力"
    assert names["name_zh"].is_unique and names["name_en"].is_unique
    for name in names["name_en"]:
        assert "_" not in name and name[0].isupper(), name


def test_a_typo_in_the_engine_settings_is_refused():
    import yaml

    raw = yaml.safe_load(DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8"))
    raw["engine"]["normalise"]["methd"] = "zscore"
    with pytest.raises(ValueError, match="methd"):
        config_from_mapping(raw)
    raw = yaml.safe_load(DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8"))
    raw["engine"]["impute"]["empty_group_fill"] = "earliest_observed"  # panel's to set
    with pytest.raises(ConfigError, match="panel.empty_pillar_fill"):
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
    cells = build_index(raw, catalog, config, provinces).indicator_value
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
    cells = build_index(raw, catalog, config, provinces).indicator_value
    one = cells[(cells["indicator"] == target) & (cells["province_code"] == "110000")]
    assert one["is_imputed"].tolist() == [False, True, False, True]
    assert one["value_origin"].tolist() == [
        "observed",
        "interpolated",
        "observed",
        "carried_forward",
    ]
    treated = one.set_index("year")["treated_value"]
    assert treated[2021] == pytest.approx(3.0) and treated[2023] == pytest.approx(4.0)
    others = cells[(cells["indicator"] != target) | (cells["province_code"] != "110000")]
    assert set(others["value_origin"]) == {"observed"}


def test_a_leading_gap_stays_missing_and_says_so(catalog, config):
    provinces, years = ["110000", "120000"], [2020, 2021, 2022]
    raw = _toy_raw(catalog, provinces, years)
    target = "d1_rd_active_industrial_enterprises_per_gdp"  # the yearbook starts it in 2018
    raw = raw[~((raw["indicator"] == target) & (raw["year"] == 2020))]
    cells = build_index(raw, catalog, config, provinces).indicator_value
    one = cells[cells["indicator"] == target].set_index(["province_code", "year"])
    assert one.loc[("110000", 2020), "value_origin"] == "missing"
    assert not one.loc[("110000", 2020), "is_imputed"]
    assert np.isnan(one.loc[("110000", 2020), "normalised_value"])
    assert one.loc[("110000", 2021), "value_origin"] == "observed"


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
    cells = build_index(raw, catalog, config, provinces).indicator_value
    first = cells[(cells["province_code"] == "110000") & (cells["year"] == 2020)].set_index(
        "indicator"
    )
    for indicator in d8:
        assert first.loc[indicator, "is_imputed"]
        assert first.loc[indicator, "value_origin"] == "earliest_observed"
        assert first.loc[indicator, "treated_value"] == pytest.approx(expected[indicator])
    assert not first.loc[d7, "is_imputed"] and np.isnan(first.loc[d7, "treated_value"])
    assert first.loc[d7, "value_origin"] == "missing"


def test_pillar_scores_are_the_mean_of_the_normalised_indicators(catalog, config):
    provinces, years = ["110000", "120000", "130000"], [2021, 2022]
    built = build_index(_toy_raw(catalog, provinces, years), catalog, config, provinces)
    cells = built.indicator_value
    scores = built.pillar_score.set_index(["province_code", "year", "pillar"])
    assert sorted(scores.index.get_level_values("pillar").unique()) == sorted(
        DRIVERS + STAGES + ["overall", "upgrading"]
    )
    mine = cells[(cells["province_code"] == "120000") & (cells["year"] == 2022)]
    pillar_of = catalog.set_index("id")["pillar"]
    means = mine.groupby(mine["indicator"].map(pillar_of))["normalised_value"].mean()
    for pillar, mean in means.items():
        assert scores.loc[("120000", 2022, pillar), "score"] == pytest.approx(mean)
    assert scores.loc[("120000", 2022, "overall"), "score"] == pytest.approx(means[DRIVERS].mean())


def test_one_call_builds_everything_and_another_call_rebuilds_with_other_settings(catalog, config):
    from dataclasses import replace

    provinces, years = ["110000", "120000", "130000"], [2021, 2022]
    raw = _toy_raw(catalog, provinces, years)
    nominal = build_index(raw, catalog, config, provinces)
    data_sets = ["Raw", "Imputed", "Screened", "Treated", "Normalised", "Aggregated"]
    for coin in nominal.coins.values():
        assert list(coin.datasets) == data_sets  # engine.denominate is null
        assert {"Sensitivity", "Audit"} <= set(coin.analysis)
    n_scores = len(provinces) * len(years) * (8 + 3 + 2)
    assert len(nominal.pillar_score) == len(nominal.rank_intervals) == n_scores
    assert len(nominal.coupling_coordination) == len(provinces) * len(years)
    assert len(nominal.indicator_audit) == len(catalog) + 11
    assert set(nominal.sensitivity["choice"]) == {"Normalisation", "Weights", "Aggregation"}

    geometric = replace(
        config.engine,
        normalise=NormaliseSettings("minmax", {"lower": 1.0, "upper": 100.0}),
        aggregate=AggregateSettings("geometric"),
    )
    other = build_index(raw, catalog, replace(config, engine=geometric), provinces)
    cells = other.indicator_value
    mine = cells[(cells["province_code"] == "120000") & (cells["year"] == 2022)]
    d5 = mine[mine["indicator"].map(catalog.set_index("id")["pillar"]) == "D5"]
    scores = other.pillar_score.set_index(["province_code", "year", "pillar"])["score"]
    by_hand = np.exp(np.log(d5["normalised_value"]).mean())
    assert scores[("120000", 2022, "D5")] == pytest.approx(by_hand)
    assert cells["normalised_value"].min() == 1.0
    # the first build is left as it was
    assert nominal.indicator_value["normalised_value"].min() == 0.0


# --- marts.pillar_score rules ----------------------------------------------------------------
def _pillar_score(conn, scores, config):
    shares = {"official_share": 1.0, "observed_share": 1.0, "is_synthetic": False}
    conn.register(
        "pillar_scores", scores.assign(**{k: scores.get(k, v) for k, v in shares.items()})
    )
    conn.register("pillar_names", pillar_names(config))
    conn.register("rank_intervals", empty_table(RANK_TYPES))  # no Monte Carlo here: NULL intervals
    groups = config.performance_groups
    conn.execute(sql("marts/pillar_score"), [groups.leader, groups.strong, groups.moderate])
    return conn.execute(
        "select province_code, score, rank, relative_to_national, performance_group,"
        " rank_p05, rank_p50, rank_p95 from marts.pillar_score order by province_code"
    ).df()


def test_performance_groups_at_the_boundaries(tiny, config):
    # on and just below each threshold of composite_settings.yaml, and just above the leader's
    groups = config.performance_groups
    boundary = [groups.leader + 1, groups.leader, groups.strong, groups.strong - 0.5]
    boundary += [groups.moderate, groups.moderate - 0.5]
    # 31 scores with a mean of exactly 100, so relative_to_national = score
    rest = [100.0] * 24 + [3100 - 2400 - sum(boundary)]
    values = [float(value) for value in boundary + rest]
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
    # 24 or more provinces tie at 100: ranks still a permutation, ties in province-code order
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
    """Without the D1 rows of the tiny warehouse: no panel year, so empty tables and the
    reason."""
    tiny.execute(
        "delete from staging.province_year where metric in ('industrial_rd_active_enterprises',"
        " 'high_tech_industry_enterprises', 'high_tech_enterprises', 'enterprises')"
    )
    built = build_index_marts(tiny, catalog, config)
    assert built.years == [] and built.pillars_without_data == ["D1"] and not built.coins
    for table in (
        "marts.indicator_value",
        "marts.pillar_score",
        "marts.sensitivity",
        "marts.coupling_coordination",
        "marts.indicator_audit",
    ):
        assert tiny.execute(f"select count(*) from {table}").fetchall() == [(0,)]
    assert pillar_score_problems(tiny) == []


# --- official and observed shares, coverage, imputation -------------------------------------
def _cells(catalog, province, year, missing=(), imputed=()):
    """One province-year of marts.indicator_value: every indicator observed (normalised 50)
    but those ``missing`` (no value) and ``imputed`` (no raw value, a normalised one)."""
    rows = []
    for indicator in catalog["id"]:
        raw = None if indicator in missing or indicator in imputed else 1.0
        normalised = None if indicator in missing else 50.0
        rows.append((province, year, indicator, raw, normalised))
    return pd.DataFrame(
        rows, columns=["province_code", "year", "indicator", "raw_value", "normalised_value"]
    ).astype({"raw_value": float, "normalised_value": float})


def test_official_and_observed_shares_by_hand(catalog, config):
    """Catalog weights 1 except d1_high_tech_industry_enterprises_per_gdp (3 here).

    110000, 2023: D1 = rd_active (official, no value), high_tech_industry (official, w 3,
    observed), high_tech_enterprise_share (synthetic, w 1, imputed): official 3/4, observed
    3/4. D8 all imputed: official 2/3 (two of three official), observed 0. Other pillars all
    observed: official share = official indicators / indicators: D2 1/4, D3 1, D4 3/4, D5 2/3,
    D6 3/4, D7 2/3; S1..S3 1/3 each. overall = mean of the 8 (pillar weights 1).
    120000, 2023: D3 has no value at all (NULL shares); D1 (1 + 3) / 5; the others as above;
    overall = mean of the 7 pillars with a score."""
    weighted = catalog.copy()
    weighted.loc[weighted["id"] == "d1_high_tech_industry_enterprises_per_gdp", "weight"] = 3.0
    d8 = catalog.loc[catalog["pillar"] == "D8", "id"].tolist()
    d3 = catalog.loc[catalog["pillar"] == "D3", "id"].tolist()
    cells = pd.concat(
        [
            _cells(
                weighted,
                "110000",
                2023,
                missing=["d1_rd_active_industrial_enterprises_per_gdp"],
                imputed=["d1_high_tech_enterprise_share", *d8],
            ),
            _cells(weighted, "120000", 2023, missing=d3),
        ],
        ignore_index=True,
    )
    shares = pillar_shares(cells, weighted, config).set_index(["province_code", "pillar"])
    official = {"D2": 1 / 4, "D3": 1, "D4": 3 / 4, "D5": 2 / 3, "D6": 3 / 4, "D7": 2 / 3}
    official |= {"D8": 2 / 3, "S1": 1 / 3, "S2": 1 / 3, "S3": 1 / 3}
    first = shares.loc["110000"]
    assert first.loc["D1", ["official_share", "observed_share"]].tolist() == pytest.approx(
        [3 / 4, 3 / 4]
    )
    assert first.loc["D8", ["official_share", "observed_share"]].tolist() == pytest.approx(
        [2 / 3, 0]
    )
    for pillar in ("D2", "D3", "D4", "D5", "D6", "D7", "S1", "S2", "S3"):
        assert first.loc[pillar, "official_share"] == pytest.approx(official[pillar]), pillar
        assert first.loc[pillar, "observed_share"] == 1.0, pillar
    assert not first.loc["D3", "is_synthetic"]  # both D3 indicators official
    assert first.loc[["D1", "D2", "D8", "S1"], "is_synthetic"].all()
    by_hand = (3 / 4 + sum(official[f"D{i}"] for i in range(2, 9))) / 8
    assert first.loc["overall", "official_share"] == pytest.approx(by_hand)
    assert first.loc["overall", "observed_share"] == pytest.approx((3 / 4 + 6 + 0) / 8)
    assert first.loc["upgrading", "official_share"] == pytest.approx(1 / 3)
    assert first.loc["overall", "is_synthetic"] and first.loc["upgrading", "is_synthetic"]

    second = shares.loc["120000"]
    assert second.loc["D3", ["official_share", "observed_share", "is_synthetic"]].isna().all()
    assert second.loc["D1", "official_share"] == pytest.approx(4 / 5)
    seven = [4 / 5] + [official[f"D{i}"] for i in (2, 4, 5, 6, 7, 8)]
    assert second.loc["overall", "official_share"] == pytest.approx(sum(seven) / 7)
    assert second.loc["overall", "observed_share"] == 1.0


def test_shares_follow_the_pillar_weights(catalog, config):
    """With D3 (fully official) weighted 9 and the other drivers 1, overall official share =
    (9 x 1 + sum of the others) / 16."""
    from dataclasses import replace

    pillars = dict(config.pillars)
    pillars["D3"] = replace(pillars["D3"], weight=9.0)
    heavy = replace(config, pillars=pillars)
    shares = pillar_shares(_cells(catalog, "110000", 2023), catalog, heavy)
    shares = shares.set_index("pillar")["official_share"]
    others = sum(shares[f"D{i}"] for i in (1, 2, 4, 5, 6, 7, 8))
    assert shares["overall"] == pytest.approx((9 * 1 + others) / 16)


def test_pillar_score_carries_names_and_shares(tiny, config):
    provinces = [f"{i:02d}0000" for i in range(10, 41)]
    frames = [
        pd.DataFrame(
            {
                "province_code": provinces,
                "year": 2023,
                "pillar": pillar,
                "score": np.linspace(0, 100, 31),
                "official_share": 0.25,
                "observed_share": 0.5,
                "is_synthetic": pd.array([True] * 31, dtype="boolean"),
            }
        )
        for pillar in ("D8", "overall", "upgrading")
    ]
    _pillar_score(tiny, pd.concat(frames, ignore_index=True), config)
    rows = tiny.execute(
        "select distinct pillar, pillar_zh, pillar_en, official_share, observed_share,"
        " is_synthetic from marts.pillar_score order by pillar"
    ).fetchall()
    assert rows == [
        ("D8", "信息黏合力", "Information cohesion", 0.25, 0.5, True),
        ("overall", "产业创新动力指数", "Industrial innovation impetus index", 0.25, 0.5, True),
        (
            "upgrading",
            "装备制造业升级指数",
            "Equipment-manufacturing upgrading index",
            0.25,
            0.5,
            True,
        ),
    ]


def test_a_score_from_imputed_values_alone_is_listed_by_the_warn_check(tiny, config):
    provinces = [f"{i:02d}0000" for i in range(10, 41)]
    observed = [1.0] * 31
    observed[3] = 0.0  # 130000: every input imputed
    scores = pd.DataFrame(
        {
            "province_code": provinces,
            "year": 2012,
            "pillar": "D8",
            "score": np.linspace(0, 100, 31),
            "observed_share": observed,
        }
    )
    _pillar_score(tiny, scores, config)
    tiny.execute(
        "create table marts.indicator_value as select * from (values"
        " ('130000', 2012, 'D8', 'd8_tech_market_turnover_to_gdp', 40.0, 'earliest_observed'),"
        " ('130000', 2012, 'D8', 'd8_tech_market_inflow_to_gdp', 30.0, 'carried_forward'),"
        " ('130000', 2012, 'D8', 'd8_industry_academia_patent_share', null, 'missing'),"
        " ('140000', 2012, 'D8', 'd8_tech_market_turnover_to_gdp', 40.0, 'observed'))"
        " t(province_code, year, pillar, indicator, normalised_value, value_origin)"
    )
    assert imputed_only_scores(tiny) == [
        {
            "pillar": "D8",
            "province_code": "130000",
            "year": 2012,
            "score": pytest.approx(100 * 3 / 30),
            "inputs": "d8_tech_market_inflow_to_gdp: carried_forward;"
            " d8_tech_market_turnover_to_gdp: earliest_observed",
        }
    ]


def test_value_origin_and_pillar_coverage_in_the_mart(tiny, catalog, config):
    """The tiny warehouse has one panel year, 2023 (every pillar observed in Liaoning). Jilin
    has rd_intensity only: D7 coverage 1/3 with equal weights, 2/4 with d7_rd_intensity
    weighted 2; its other pillars 0; every Liaoning pillar 1."""
    import yaml

    # one province observed in one year: min-max has nothing to scale, so the rank shifts the
    # Monte Carlo measures are undefined; this test is about marts.indicator_value only
    raw = yaml.safe_load(DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8"))
    without_monte_carlo = config_from_mapping({**raw, "uncertainty": None})
    assert without_monte_carlo.uncertainty is None
    weighted = catalog.copy()
    weighted.loc[weighted["id"] == "d7_rd_intensity", "weight"] = 2.0
    for frame, d7_jilin in ((catalog, 1 / 3), (weighted, 2 / 4)):
        built = build_index_marts(tiny, frame, without_monte_carlo)
        assert built.years == [2023]
        missing = built.cell_counts["missing"]
        assert built.value_origins == {"observed": len(catalog) + 3, "missing": missing}
        rows = tiny.execute(
            "select province_code, pillar, min(pillar_coverage), max(pillar_coverage)"
            " from marts.indicator_value where province_code in ('210000', '220000')"
            " group by all order by all"
        ).fetchall()
        for province, pillar, low, high in rows:
            assert low == high, (province, pillar)  # one value per province-year-pillar
            if province == "210000":
                assert low == 1.0, pillar
            else:
                assert low == pytest.approx(d7_jilin if pillar == "D7" else 0.0), pillar
        origins = dict(
            tiny.execute(
                "select value_origin, count(*) from marts.indicator_value group by all"
            ).fetchall()
        )
        # Liaoning's 35 values and the rd_intensity of Jilin, Heilongjiang and Jiangsu
        assert origins == {"observed": len(catalog) + 3, "missing": 31 * len(catalog) - 38}
    assert tiny.execute("select count(*) from marts.sensitivity").fetchall() == [(0,)]
    assert tiny.execute(
        "select count(*) from marts.pillar_score where rank_p50 is not null"
    ).fetchall() == [(0,)]
