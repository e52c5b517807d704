"""Declarative automation: a table is rebuilt when its inputs change, and only then."""

from __future__ import annotations

import warnings

import dagster as dg
import pytest

from pipelines.defs.operations.automation import AUTOMATED, FOLLOW_INPUTS, with_operations


def key(text: str) -> dg.AssetKey:
    return dg.AssetKey.from_user_string(text)


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from pipelines.definitions import defs as location

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return with_operations(location)


def requested(result) -> set[str]:
    return {
        res.key.to_user_string()
        for res in result.results
        if isinstance(res.key, dg.AssetKey) and res.true_subset.size
    }


@pytest.fixture
def settled(defs):
    """An instance where every asset was materialized once and automation has caught up."""
    instance = dg.DagsterInstance.ephemeral()
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    for asset_key in defs.resolve_asset_graph().toposorted_asset_keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key))
    for _ in range(2):
        result = dg.evaluate_automation_conditions(
            defs=defs, instance=instance, cursor=result.cursor
        )
    assert requested(result) == set()
    return instance, result.cursor


def materialize(instance, *keys: str) -> None:
    for text in keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(key(text)))


def tick(defs, instance, cursor):
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    return requested(result), result.cursor


def test_staging_and_marts_follow_their_inputs_and_nothing_else_is_automated(defs):
    graph = defs.resolve_asset_graph()
    automated = AUTOMATED.resolve(graph)
    for asset_key in graph.get_all_asset_keys():
        condition = graph.get(asset_key).automation_condition
        if asset_key.path[0] in ("staging", "marts"):
            assert condition == FOLLOW_INPUTS, asset_key
        if asset_key.path[0] in ("raw", "reference"):
            # Sources load when a file lands or on their release schedule, never by automation.
            assert condition is None and asset_key not in automated, asset_key


def test_new_patents_rebuild_patents_staging_and_what_reads_it_not_enterprises(defs, settled):
    instance, cursor = settled
    materialize(instance, "raw/patents")
    asked, cursor = tick(defs, instance, cursor)
    assert "staging/patents" in asked
    assert {"staging/enterprises", "staging/procurement", "staging/province_year"}.isdisjoint(asked)
    # The marts read staging.patents: they come in the same request, after it.
    assert {"marts/indicator_value", "marts/pillar_score", "marts/upgrading_path"} <= asked
    # Marts that do not read patents stay as they are.
    assert "marts/northeast_view" not in asked
    assert "marts/indicator" not in asked
    # Nothing is asked twice.
    materialize(instance, *sorted(asked))
    asked, _ = tick(defs, instance, cursor)
    assert asked == set()


def test_a_domain_run_that_built_staging_itself_only_rebuilds_the_marts(defs, settled):
    # What a landing-sensor run does: the reference tables, raw and staging of one domain.
    instance, cursor = settled
    materialize(
        instance,
        "reference/area",
        "reference/metric",
        "reference/industry_division",
        "reference/unit",
        "raw/procurement",
        "staging/procurement",
    )
    asked, cursor = tick(defs, instance, cursor)
    assert not any(name.startswith(("staging/", "raw/", "reference/")) for name in asked), asked
    assert "marts/indicator_value" in asked
    assert "marts/northeast_view" not in asked  # reads no procurement; reference is ignored


def test_a_new_panel_file_rebuilds_the_panel_chain_and_the_northeast_view(defs, settled):
    instance, cursor = settled
    materialize(instance, "raw/province_year")
    asked, cursor = tick(defs, instance, cursor)
    assert {
        "staging/area_year_history",
        "staging/province_year",
        "staging/national_year",
        "marts/northeast_view",
        "marts/indicator_value",
    } <= asked
    assert {"staging/patents", "staging/enterprises", "staging/procurement"}.isdisjoint(asked)
