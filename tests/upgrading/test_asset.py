"""The Dagster asset marts/upgrading_path and its checks, on the hand-made pillar_score."""

from __future__ import annotations

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.defs.upgrading import assets, checks
from pipelines.defs.upgrading.assets import upgrading_path
from pipelines.defs.upgrading.checks import one_row_per_province_year, stage_path_and_fits_valid


def test_asset_materializes_with_metadata_and_its_checks_pass(pillar_db):
    result = dg.materialize(
        [upgrading_path, one_row_per_province_year, stage_path_and_fits_valid],
        resources={"warehouse": DuckDBResource(database=str(pillar_db))},
    )
    assert result.success
    (event,) = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert event.materialization.asset_key == dg.AssetKey(["marts", "upgrading_path"])
    assert metadata["dagster/row_count"].value == 5
    assert metadata["source_files"].value == ["data/reference/upgrading_paths.csv"]
    assert metadata["paths_latest_year"].value == {
        "chain_optimisation": 1,
        "innovation_platform": 2,
        "key_common_technologies": 2,
    }
    checks = result.get_asset_check_evaluations()
    assert {c.check_name for c in checks} == {
        "one_row_per_province_year",
        "stage_path_and_fits_valid",
    }
    assert all(c.passed for c in checks)


def test_one_row_check_fails_when_a_province_year_is_missing(pillar_db):
    warehouse = DuckDBResource(database=str(pillar_db))
    dg.materialize([upgrading_path], resources={"warehouse": warehouse})
    with duckdb.connect(str(pillar_db)) as conn:
        conn.execute("delete from marts.upgrading_path where province_code = '230000'")
    result = dg.materialize(
        [upgrading_path.to_source_asset(), one_row_per_province_year, stage_path_and_fits_valid],
        resources={"warehouse": DuckDBResource(database=str(pillar_db))},
        selection=dg.AssetSelection.checks(one_row_per_province_year, stage_path_and_fits_valid),
        raise_on_error=False,
    )
    evaluations = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert not evaluations["one_row_per_province_year"].passed
    assert evaluations["one_row_per_province_year"].metadata["missing"].value == 1
    assert evaluations["stage_path_and_fits_valid"].passed


def test_asset_declaration():
    key = dg.AssetKey(["marts", "upgrading_path"])
    assert list(assets.defs.assets) == [upgrading_path]
    assert len(list(checks.defs.asset_checks)) == 2
    spec = upgrading_path
    assert spec.group_names_by_key[key] == "indicators"
    assert set(spec.specs_by_key[key].kinds) == {"duckdb", "sql"}
    deps = {d.asset_key for d in spec.specs_by_key[key].deps}
    assert dg.AssetKey(["marts", "pillar_score"]) in deps
    assert spec.op.pool == "duckdb_warehouse"
