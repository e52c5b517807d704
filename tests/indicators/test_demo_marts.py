"""The indicator chain on the embedded demo data: the session's whole-demo build (dg.materialize
into a temporary DuckDB, ``demo_build`` in tests/conftest.py)."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from pipelines.defs.indicators import assets as indicator_assets
from pipelines.indicators import load_config
from pipelines.indicators.compute import as_source_rows

pytestmark = pytest.mark.integration

MARTS = [
    indicator_assets.indicator,
    indicator_assets.composite_build,
    indicator_assets.northeast_view,
]
PILLARS = [f"D{i}" for i in range(1, 9)] + ["S1", "S2", "S3", "overall", "upgrading"]
# the years in which every pillar has an observed value: the synthetic micro records start in
# 2012; D3's yearbook tables have no 2017 edition and end in 2023
PANEL_YEARS = [2012, 2013, 2014, 2015, 2016, 2018, 2019, 2020, 2021, 2022, 2023]
IMPUTED_ORIGINS = {"interpolated", "carried_forward", "earliest_observed"}


@pytest.fixture(scope="module")
def demo(demo_build):
    """The session's whole-demo build (tests/conftest.py: every asset and every check), read
    through a read-only connection; (connection, ExecuteInProcessResult)."""
    result = demo_build.result
    assert result.success
    conn = duckdb.connect(str(demo_build.warehouse), read_only=True)
    yield conn, result
    conn.close()


def mart_check_evaluations(result) -> list:
    """The evaluations of the checks on the marts (``checks_for_assets(*MARTS)``): the shared
    build runs every check of the code location, the GX and lateness checks on staging too."""
    keys = {key for mart in MARTS for key in mart.keys}
    return [e for e in result.get_asset_check_evaluations() if e.asset_key in keys]


def test_the_marts_are_materialized_with_metadata_and_their_checks_pass(demo):
    conn, result = demo
    reported = {
        ".".join(e.materialization.asset_key.path): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    for table in (
        "marts.indicator",
        "marts.indicator_value",
        "marts.pillar_score",
        "marts.sensitivity",
        "marts.coupling_coordination",
        "marts.indicator_audit",
        "marts.northeast_view",
    ):
        (count,) = conn.execute(f"select count(*) from {table}").fetchall()[0]
        assert reported[table]["dagster/row_count"].value == count > 0
    checks = {c.check_name: c for c in mart_check_evaluations(result)}
    assert set(checks) == {"traceable", "ranks_and_national_reference", "observed_inputs"}
    assert checks["traceable"].passed and checks["ranks_and_national_reference"].passed
    # the WARN check lists every score built from imputed values alone, and fails when any
    imputed_only = conn.execute(
        "select pillar, province_code, year from marts.pillar_score"
        " where score is not null and observed_share = 0 order by all"
    ).fetchall()
    # demo: Tibet's D8 in 2012-2013, before its first observed D8 value (earliest_observed)
    assert imputed_only == [("D8", "540000", 2012), ("D8", "540000", 2013)]
    warn = checks["observed_inputs"]
    assert warn.severity == dg.AssetCheckSeverity.WARN and not warn.passed
    assert warn.metadata["imputed_only_scores"].value == len(imputed_only)
    listed = [(r["pillar"], r["province_code"], r["year"]) for r in warn.metadata["scores"].value]
    assert listed == imputed_only
    assert all("earliest_observed" in r["inputs"] for r in warn.metadata["scores"].value)


def test_31_provinces_by_every_panel_year_per_pillar(demo):
    conn, _ = demo
    rows = conn.execute(
        "select pillar, count(*), count(distinct province_code), list(distinct year order by"
        " year), count(score) from marts.pillar_score group by pillar"
    ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(PILLARS)
    n = 31 * len(PANEL_YEARS)
    for row in rows:
        assert row[1:] == (n, 31, PANEL_YEARS, n), row
    (n_indicators,) = conn.execute("select count(*) from marts.indicator").fetchall()[0]
    assert conn.execute("select count(*) from marts.indicator_value").fetchall() == [
        (n * n_indicators,)
    ]


def test_ranks_relative_and_groups_on_the_demo(demo):
    conn, _ = demo
    bad = conn.execute(
        "select pillar, year from marts.pillar_score group by all"
        " having list(rank order by rank) <> range(1, 32)"
        " or abs(avg(relative_to_national) - 100) > 1e-9"
    ).fetchall()
    assert bad == []
    groups = load_config().performance_groups  # composite_settings.yaml
    wrong_group = conn.execute(
        "select count(*) from marts.pillar_score where performance_group <> case"
        " when relative_to_national > ? then 'leader'"
        " when relative_to_national >= ? then 'strong'"
        " when relative_to_national >= ? then 'moderate' else 'emerging' end",
        [groups.leader, groups.strong, groups.moderate],
    ).fetchall()
    assert wrong_group == [(0,)]
    assert conn.execute(
        "select count(*) from marts.indicator_value where normalised_value < 0"
        " or normalised_value > 100"
    ).fetchall() == [(0,)]


def test_every_value_traces_to_staging_rows_and_the_synthetic_flag_is_right(demo):
    conn, _ = demo
    assert conn.execute(
        "select count(*) from marts.indicator_value where (raw_value is not null or is_imputed)"
        " and coalesce(len(source_rows), 0) = 0"
    ).fetchall() == [(0,)]
    # every (source_file, source_row) listed exists in staging, and the catalog's is_synthetic
    # says whether any of an indicator's source rows is synthetic
    rows = conn.execute(
        """
        with parsed as (
            select distinct indicator, unnest(source_rows, recursive := true)
            from marts.indicator_value
        ),
        lineage as (
            select source_file, source_row::bigint as source_row, is_synthetic
                from staging.province_year
            union all select source_file, source_row, is_synthetic from staging.enterprises
            union all select source_file, source_row, is_synthetic from staging.patents
            union all select source_file, source_row, is_synthetic from staging.procurement
        )
        select p.indicator, count(*) filter (where l.source_file is null) as unknown,
            bool_or(l.is_synthetic) as any_synthetic, any_value(i.is_synthetic) as catalog_flag
        from parsed p
        left join lineage l using (source_file, source_row)
        join marts.indicator i using (indicator)
        group by p.indicator
        """
    ).fetchall()
    assert len(rows) == conn.execute("select count(*) from marts.indicator").fetchall()[0][0]
    for indicator, unknown, any_synthetic, catalog_flag in rows:
        assert unknown == 0, indicator
        assert any_synthetic == catalog_flag, indicator


def test_imputed_cells_are_flagged_and_carry_the_rows_they_come_from(demo):
    conn, _ = demo
    # no 2017 yearbook table, so no 2018 growth of high-tech revenue: Liaoning's 2018 is
    # interpolated between 2016 and 2019 (two thirds of the way) and lists both years' rows
    rows = conn.execute(
        "select year, is_imputed, value_origin, raw_value, treated_value, source_rows"
        " from marts.indicator_value where indicator = 'd2_high_tech_revenue_growth'"
        " and province_code = '210000' and year in (2016, 2018, 2019) order by year"
    ).fetchall()
    (_, _, o16, raw16, t16, s16), (_, imputed, origin, raw, treated, sources), after = rows
    _, _, o19, raw19, t19, s19 = after
    assert (o16, o19) == ("observed", "observed")
    assert imputed and origin == "interpolated" and raw is None
    assert (t16, t19) == (pytest.approx(raw16), pytest.approx(raw19))  # not treated
    assert treated == pytest.approx(t16 + (t19 - t16) * 2 / 3)
    assert as_source_rows(sources) == sorted(as_source_rows(s16) + as_source_rows(s19))


def test_value_origin_and_pillar_coverage_say_how_values_were_obtained(demo):
    conn, _ = demo
    origins = dict(
        conn.execute(
            "select value_origin, count(*) from marts.indicator_value group by all"
        ).fetchall()
    )
    assert set(origins) <= {"observed", "missing"} | IMPUTED_ORIGINS, origins
    # 2018 growth everywhere; Tibet's D8 before its first observation (3 indicators x 2 years)
    assert origins["interpolated"] == 31 and origins["earliest_observed"] == 6
    wrong = conn.execute(
        "select count(*) from marts.indicator_value where"
        " (value_origin = 'observed') <> (raw_value is not null)"
        " or (value_origin in ('interpolated', 'carried_forward', 'earliest_observed'))"
        "    <> is_imputed"
        " or (value_origin = 'missing') <> (raw_value is null and not is_imputed)"
        " or (value_origin = 'missing') <> (normalised_value is null)"
    ).fetchall()
    assert wrong == [(0,)]
    # pillar_coverage: observed catalog weight of the pillar in the province-year
    mismatched = conn.execute(
        """
        with by_hand as (
            select province_code, year, pillar,
                sum(i.weight) filter (where v.raw_value is not null) / sum(i.weight) as coverage
            from marts.indicator_value v join marts.indicator i using (indicator, pillar)
            group by all
        )
        select count(*) from marts.indicator_value v join by_hand h
            using (province_code, year, pillar)
        where abs(v.pillar_coverage - coalesce(h.coverage, 0)) > 1e-12
        """
    ).fetchall()
    assert mismatched == [(0,)]
    # a metric published from 2018 only: D1 covers 2 of its 3 indicators before 2018
    coverage = dict(
        conn.execute(
            "select year, max(pillar_coverage) from marts.indicator_value"
            " where pillar = 'D1' and province_code = '210000' group by all"
        ).fetchall()
    )
    assert coverage[2016] == pytest.approx(2 / 3) and coverage[2018] == 1.0


def test_official_and_observed_shares_of_every_score(demo):
    """official_share, observed_share and is_synthetic recomputed in SQL from
    marts.indicator_value and the catalog weights, pillars and then the two indices."""
    conn, _ = demo
    mismatched = conn.execute(
        """
        with inputs as (
            select v.province_code, v.year, v.pillar, i.weight, i.is_synthetic,
                v.raw_value is not null as observed
            from marts.indicator_value v join marts.indicator i using (indicator, pillar)
            where v.normalised_value is not null and i.weight > 0
        ),
        pillars as (
            select province_code, year, pillar,
                coalesce(sum(weight) filter (where not is_synthetic), 0) / sum(weight)
                    as official,
                coalesce(sum(weight) filter (where observed), 0) / sum(weight) as observed,
                bool_or(is_synthetic) as synthetic
            from inputs group by all
        ),
        indices as (  -- pillar weights are equal (composite_settings.yaml): plain means
            select province_code, year, i.composite_index as pillar,
                avg(official) as official, avg(observed) as observed,
                bool_or(synthetic) as synthetic
            from pillars p
            join (select distinct pillar, composite_index from marts.indicator) i using (pillar)
            group by all
        ),
        by_hand as (select * from pillars union all select * from indices)
        select count(*), count(*) filter (where abs(s.official_share - h.official) > 1e-12
            or abs(s.observed_share - h.observed) > 1e-12 or s.is_synthetic <> h.synthetic
            or h.official is null)
        from marts.pillar_score s left join by_hand h using (province_code, year, pillar)
        """
    ).fetchall()
    (rows, wrong) = mismatched[0]
    assert rows == 31 * len(PANEL_YEARS) * len(PILLARS) and wrong == 0
    # the demo's drivers all mix official and synthetic indicators; D3 is all official
    d3 = conn.execute(
        "select min(official_share), bool_or(is_synthetic) from marts.pillar_score"
        " where pillar = 'D3'"
    ).fetchall()
    assert d3 == [(1.0, False)]
    bounds = conn.execute(
        "select min(official_share), max(official_share), min(observed_share)"
        " from marts.pillar_score where pillar = 'overall'"
    ).fetchall()[0]
    assert 0 < bounds[0] <= bounds[1] < 1 and bounds[2] > 0


def test_northeast_headline_facts_2023(demo):
    """Seed 002: NE R&D 1115.9 亿元 = 26.5% of Jiangsu; mean intensity 1.74% = ~65.8% of 2.65%.

    The demo's R&D expenditure comes from the S&T Yearbook (table 1-14, published in 万元):
    676.4433 + 210.2377 + 229.2913 = 1115.9723 亿元, which seed 002 gives from the rounded
    communiqué figures (676.4 + 210.2 + 229.3 = 1115.9); Jiangsu 4212.29 (4212.3)."""
    conn, _ = demo
    rd = conn.execute(
        "select northeast_total, benchmark_province, benchmark_value, northeast_pct_of_benchmark"
        " from marts.northeast_view where metric = 'rd_expenditure' and year = 2023"
    ).fetchall()[0]
    assert rd[0] == pytest.approx(676.4433 + 210.2377 + 229.2913)
    assert abs(rd[0] - 1115.9) < 0.1
    assert rd[1:3] == ("320000", pytest.approx(4212.29))
    assert round(rd[3], 1) == 26.5
    intensity = conn.execute(
        "select northeast_mean, national_value, national_basis, northeast_pct_of_national"
        " from marts.northeast_view where metric = 'rd_intensity' and year = 2023"
    ).fetchall()[0]
    assert round(intensity[0], 2) == 1.74
    assert intensity[1:3] == (2.65, "published")
    assert 65 <= intensity[3] <= 66


def test_rank_intervals_and_sobol_indices_on_the_demo(demo):
    conn, _ = demo
    intervals = conn.execute(
        "select rank, rank_p05, rank_p50, rank_p95 from marts.pillar_score"
    ).df()
    assert intervals.notna().all().all()
    assert (intervals["rank_p05"] <= intervals["rank_p50"]).all()
    assert (intervals["rank_p50"] <= intervals["rank_p95"]).all()
    # quantiles interpolate between runs (R's type 7), so they need not be whole ranks
    assert (
        ((intervals[["rank_p05", "rank_p95"]] >= 1) & (intervals[["rank_p05", "rank_p95"]] <= 31))
        .all()
        .all()
    )
    # the published rank lies in its own 5-95% interval except where ties are ordered by code
    inside = intervals["rank"].between(intervals["rank_p05"], intervals["rank_p95"])
    assert inside.mean() > 0.99
    sobol = conn.execute(
        "select pillar, choice, s1, st from marts.sensitivity where pillar = 'overall'"
    ).df()
    assert set(sobol["choice"]) == {"Normalisation", "Weights", "Aggregation"}
    # total effects are shares of variance (up to estimator noise) and at least first-order
    assert sobol["st"].between(-0.05, 1.2).all()
    assert (sobol["st"] >= sobol["s1"] - 0.15).all()


def test_coupling_coordination_and_audit_on_the_demo(demo):
    conn, _ = demo
    rows = conn.execute(
        "select c.driver_index, c.upgrading_index, c.coupling, c.development, c.coordination,"
        " c.band, o.score, u.score from marts.coupling_coordination c"
        " join marts.pillar_score o on o.province_code = c.province_code and o.year = c.year"
        "  and o.pillar = 'overall'"
        " join marts.pillar_score u on u.province_code = c.province_code and u.year = c.year"
        "  and u.pillar = 'upgrading'"
    ).fetchall()
    assert len(rows) == 31 * len(PANEL_YEARS)
    for driver, upgrading, c, t, d, band, overall, upgrading_score in rows:
        assert (driver, upgrading) == (overall, upgrading_score)
        u1, u2 = driver / 100, upgrading / 100
        # two systems: C = 2 sqrt(U1 U2) / (U1 + U2), T = (U1 + U2) / 2, D = sqrt(C T)
        assert c == pytest.approx(2 * (u1 * u2) ** 0.5 / (u1 + u2))
        assert t == pytest.approx((u1 + u2) / 2)
        assert d == pytest.approx((c * t) ** 0.5)
        assert band is not None
    audit = conn.execute(
        "select code, parent, correlation_with_parent, negative_correlation,"
        " parent_cronbach_alpha from marts.indicator_audit"
    ).df()
    (n_indicators,) = conn.execute("select count(*) from marts.indicator").fetchall()[0]
    # every indicator, every pillar (11) appears once as a child of its parent
    assert len(audit) == n_indicators + 11
    assert (audit["negative_correlation"] == (audit["correlation_with_parent"] < 0)).all()
    assert audit["correlation_with_parent"].between(-1, 1).all()
