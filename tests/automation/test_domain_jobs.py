"""What a domain run selects: `<domain>_job` (sensor, schedules) loads the domain;
`<domain>_refresh_job` (`impetus materialize --domain D`) adds everything built from it, and
automation then has nothing left to rebuild."""

from __future__ import annotations

import warnings

import dagster as dg
import pytest

from pipelines.defs.operations.automation import with_operations
from pipelines.defs.operations.jobs import DOMAINS, REFRESHABLE, refresh_job_name


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from pipelines.definitions import defs as location

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return with_operations(location)


def selected(defs: dg.Definitions, job_name: str) -> set[str]:
    job = defs.resolve_job_def(job_name)
    return {key.to_user_string() for key in job.asset_layer.selected_asset_keys}


def nodes(defs: dg.Definitions, job_name: str) -> set[str]:
    return {node.name for node in defs.resolve_job_def(job_name).graph.nodes}


def test_a_province_year_refresh_rebuilds_the_marts_and_the_published_copy(defs):
    assets = selected(defs, "province_year_refresh_job")
    assert {
        "reference/area",
        "raw/province_year",
        "staging/area_year_history",
        "staging/province_year",
        "staging/national_year",
        "marts/indicator_value",
        "marts/pillar_score",
        "marts/northeast_view",
        "marts/upgrading_path",
        "published_copy",
    } <= assets
    # Other domains are read as they are, not reloaded.
    assert {"raw/patents", "staging/patents", "staging/enterprises"}.isdisjoint(assets)
    # The checks come along: a failed blocking one stops the marts in the same run.
    assert {"validate_staging_province_year", "marts__indicator_value_traceable"} <= nodes(
        defs, "province_year_refresh_job"
    )


def test_a_patents_refresh_leaves_what_does_not_read_patents(defs):
    assets = selected(defs, "patents_refresh_job")
    assert {"raw/patents", "staging/patents", "marts/indicator_value", "published_copy"} <= assets
    assert "marts/northeast_view" not in assets
    assert "staging/province_year" not in assets


def test_every_domain_and_the_marts_have_a_refresh_job(defs):
    for domain in REFRESHABLE:
        assert "published_copy" in selected(defs, refresh_job_name(domain)), domain
    assert "raw/province_year" not in selected(defs, "indicators_refresh_job")


def test_the_sensor_and_schedule_jobs_still_load_the_domain_only(defs):
    # On a warehouse where another domain was never built the marts cannot run; the sensor's
    # runs leave them to automation, which waits until every input exists.
    for domain in DOMAINS:
        assets = selected(defs, f"{domain}_job")
        assert not any(name.startswith("marts/") for name in assets), domain
        assert "published_copy" not in assets


def requested(result) -> set[str]:
    return {
        res.key.to_user_string()
        for res in result.results
        if isinstance(res.key, dg.AssetKey) and res.true_subset.size
    }


@pytest.mark.parametrize("domain", ["province_year", "patents"])
def test_after_a_refresh_run_automation_rebuilds_nothing(defs, domain):
    instance = dg.DagsterInstance.ephemeral()
    graph = defs.resolve_asset_graph()
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    for key in graph.toposorted_asset_keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(key))
    for _ in range(2):
        result = dg.evaluate_automation_conditions(
            defs=defs, instance=instance, cursor=result.cursor
        )
    assert requested(result) == set()

    # What the refresh run materializes, upstream first, as its steps do.
    job = defs.resolve_job_def(refresh_job_name(domain))
    for key in graph.toposorted_asset_keys:
        if key in job.asset_layer.selected_asset_keys:
            instance.report_runless_asset_event(dg.AssetMaterialization(key))
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=result.cursor)
    assert requested(result) == set()
