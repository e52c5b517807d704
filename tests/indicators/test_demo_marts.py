"""The indicator chain on the embedded demo data: dg.materialize into a temporary DuckDB."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.defs import indicators as indicator_defs
from pipelines.defs.sources import SourceFolders
from pipelines.paths import DEMO_DIR

pytestmark = pytest.mark.integration

MARTS = [
    indicator_defs.indicator,
    indicator_defs.indicator_value,
    indicator_defs.pillar_score,
    indicator_defs.northeast_view,
    indicator_defs.coupling_and_audit,
]
PILLARS = [f"D{i}" for i in range(1, 9)] + ["S1", "S2", "S3", "overall", "upgrading"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from pipelines.definitions import defs

    path = tmp_path_factory.mktemp("indicators") / "warehouse.duckdb"
    wanted = dg.AssetSelection.assets(*MARTS).upstream()
    result = dg.materialize(
        [
            *defs.assets,
            indicator_defs.indicator_value_traceable,
            indicator_defs.pillar_score_consistent,
        ],
        selection=wanted | dg.AssetSelection.checks_for_assets(*MARTS),
        resources={
            "warehouse": DuckDBResource(database=str(path)),
            "sources": SourceFolders(roots=[str(DEMO_DIR)]),
        },
    )
    assert result.success
    conn = duckdb.connect(str(path), read_only=True)
    yield conn, result
    conn.close()


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
        "marts.northeast_view",
    ):
        (count,) = conn.execute(f"select count(*) from {table}").fetchall()[0]
        assert reported[table]["dagster/row_count"].value == count > 0
    checks = result.get_asset_check_evaluations()
    assert {c.check_name for c in checks} == {"traceable", "ranks_and_national_reference"}
    assert all(c.passed for c in checks)


def test_31_provinces_by_13_years_per_pillar(demo):
    conn, _ = demo
    rows = conn.execute(
        "select pillar, count(*), count(distinct province_code), count(distinct year),"
        " min(year), max(year), count(score) from marts.pillar_score group by pillar"
    ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(PILLARS)
    for row in rows:
        assert row[1:] == (31 * 13, 31, 13, 2012, 2024, 31 * 13), row
    (n_indicators,) = conn.execute("select count(*) from marts.indicator").fetchall()[0]
    assert conn.execute("select count(*) from marts.indicator_value").fetchall() == [
        (31 * 13 * n_indicators,)
    ]


def test_ranks_relative_and_groups_on_the_demo(demo):
    conn, _ = demo
    bad = conn.execute(
        "select pillar, year from marts.pillar_score group by all"
        " having list(rank order by rank) <> range(1, 32)"
        " or abs(avg(relative_to_national) - 100) > 1e-9"
    ).fetchall()
    assert bad == []
    wrong_group = conn.execute(
        "select count(*) from marts.pillar_score where performance_group <> case"
        " when relative_to_national > 125 then 'leader'"
        " when relative_to_national >= 100 then 'strong'"
        " when relative_to_national >= 70 then 'moderate' else 'emerging' end"
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
        " and (source_rows is null or source_rows = '')"
    ).fetchall() == [(0,)]
    # every source_file:source_row listed exists in staging, and the catalog's is_synthetic
    # says whether any of an indicator's source rows is synthetic
    rows = conn.execute(
        """
        with tokens as (
            select distinct indicator, unnest(string_split(source_rows, '; ')) as token
            from marts.indicator_value where source_rows is not null
        ),
        parsed as (
            select indicator,
                regexp_extract(token, '^(.*):([0-9]+)$', 1) as source_file,
                regexp_extract(token, '^(.*):([0-9]+)$', 2)::bigint as source_row
            from tokens
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
    # fiscal S&T spending ends in 2023 in the demo: 2024 is the 2023 value carried forward
    rows = conn.execute(
        "select v.is_imputed, v.raw_value, v.treated_value, v.source_rows, w.treated_value,"
        " w.source_rows from marts.indicator_value v join marts.indicator_value w"
        " using (indicator, province_code)"
        " where indicator = 'd4_fiscal_st_share' and province_code = '210000'"
        " and v.year = 2024 and w.year = 2023"
    ).fetchall()
    imputed, raw, treated, sources, treated_2023, sources_2023 = rows[0]
    assert imputed and raw is None
    assert treated == pytest.approx(treated_2023) and sources == sources_2023


def test_northeast_headline_facts_2023(demo):
    """Seed 002: NE R&D 1115.9 亿元 = 26.5% of Jiangsu; mean intensity 1.74% = ~65.8% of 2.65%."""
    conn, _ = demo
    rd = conn.execute(
        "select northeast_total, benchmark_province, benchmark_value, northeast_pct_of_benchmark"
        " from marts.northeast_view where metric = 'rd_expenditure' and year = 2023"
    ).fetchall()[0]
    assert rd[0] == pytest.approx(1115.9)
    assert rd[1:3] == ("320000", 4212.3)
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
    assert len(rows) == 31 * 13
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
