"""The suites as Dagster asset checks: demo passes every blocking check, a failure blocks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs.validation import CHECK_NAMES
from pipelines.validation.severity import Severity
from pipelines.validation.suites import SUITES
from tests.validation.conftest import execute, materialize

pytestmark = pytest.mark.integration

PATENTS = dg.AssetKey(["staging", "patents"])


def evaluations(result) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    return {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}


def test_the_demo_passes_every_blocking_check(demo_run):
    _, result = demo_run
    assert result.success
    found = evaluations(result)
    for table in SUITES:
        blocking = found[(table, CHECK_NAMES[Severity.BLOCKING])]
        assert blocking.passed, blocking.metadata["summary"].value
        assert blocking.severity == dg.AssetCheckSeverity.ERROR
        assert Path(blocking.metadata["data_docs"].value).is_file()
    warnings = [e for (_, name), e in found.items() if name == CHECK_NAMES[Severity.WARN]]
    assert warnings and all(e.severity == dg.AssetCheckSeverity.WARN for e in warnings)


def test_a_warning_lists_what_failed_with_its_source_rows(demo_run):
    _, result = demo_run
    failed = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == CHECK_NAMES[Severity.WARN] and not e.passed
    ]
    assert failed, "the demo has known doubtful values (e.g. Tibet's missing turnover)"
    for evaluation in failed:
        failures = evaluation.metadata["failures"].value
        assert len(failures) == evaluation.metadata["failed_expectations"].value > 0
        for entry in failures:
            assert entry["unexpected_count"] > 0 and entry["examples"], entry
            assert set(entry) >= {"expectation_type", "column", "unexpected_count", "examples"}


@dg.asset(deps=[PATENTS])
def patent_counts_downstream() -> None:
    """Stands in for the marts that will read staging.patents."""


def test_a_blocking_failure_stops_the_downstream_asset(warehouse, docs_folder):
    from pipelines.definitions import defs

    number, source_file, source_row = execute(
        warehouse,
        "select application_number, source_file, source_row from raw.patents"
        " where grant_date is not null order by application_number limit 1",
    )[0]
    execute(
        warehouse,
        "update raw.patents set grant_date = application_date - 30 where application_number = ?",
        [number],
    )
    checks = [c for c in defs.asset_checks if PATENTS in {k.asset_key for k in c.check_keys}]
    result = materialize(
        [defs.get_assets_def(PATENTS), *checks, patent_counts_downstream],
        warehouse,
        [],
        raise_on_error=False,
    )

    blocking = evaluations(result)[("patents", CHECK_NAMES[Severity.BLOCKING])]
    assert not blocking.passed
    (failure,) = blocking.metadata["failures"].value
    assert failure["expectation_type"] == "expect_column_pair_values_a_to_be_greater_than_b"
    assert failure["unexpected_count"] == 1
    assert (failure["examples"][0]["source_file"], failure["examples"][0]["source_row"]) == (
        source_file,
        source_row,
    )
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert PATENTS in materialized
    assert patent_counts_downstream.key not in materialized
    assert not result.success
    assert (docs_folder / "index.html").is_file()


def test_loading_the_code_location_does_not_import_great_expectations():
    """GX takes seconds to import: the checks describe their suites without it and import it
    only in the check step (every UI load, daemon tick and run start pays otherwise)."""
    probe = (
        "import sys, pipelines.definitions as d; "
        "assert len(d.defs.resolve_asset_graph().asset_check_keys) > 0; "
        "print(sorted(m for m in sys.modules if m.startswith('great_expectations'))[:3])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_data_docs_page_renders_offline_and_names_its_table_and_run(demo_run):
    """GX's pages load their stylesheets from a CDN: each page is written with local copies
    instead (``docs_offline.py``), and names the table as data asset and the Dagster run."""
    _, result = demo_run
    found = evaluations(result)
    blocking = found[("patents", CHECK_NAMES[Severity.BLOCKING])]
    page = Path(blocking.metadata["data_docs"].value)
    text = page.read_text(encoding="utf-8")
    remote = re.findall(r'<(?:script|link|img)[^>]*(?:src|href)="(?:https?:)?//[^"]*"', text)
    assert remote == []
    for target in re.findall(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"', text):
        assert (page.parent / target).resolve().is_file(), target
    assert "gx_offline.css" in text
    assert re.search(r"Data asset:?\s*(<[^>]*>\s*)*staging\.patents", text), "no data asset"
    assert "__none__" not in text and "Data asset: None" not in text
    assert result.run_id in text  # GX's run name: the Dagster run
