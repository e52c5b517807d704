"""The summary `impetus` prints after a run: from constructed inputs, and from a real run with
a refused file and a warning."""

from __future__ import annotations

import re
import shutil

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from pipelines import run_summary as rs
from pipelines.defs.sources import SourceFolders
from pipelines.validation.outcome import ExpectationOutcome
from pipelines.validation.severity import Severity
from pipelines.warehouse.loads import LoadError, Problem
from tests.conftest import REPO_ROOT

BAD_INPUTS = REPO_ROOT / "tests" / "bad_inputs"
OUTCOME = re.compile(r"^\S+: (succeeded|FAILED), .* \(run [0-9a-z-]+\)$")


def gx_failure(description: str, count: int, examples: list[dict], column: str | None = None):
    """One failed expectation as the GX checks report it in their metadata."""
    return ExpectationOutcome(
        severity=Severity.WARN,
        expectation_type="unexpected_rows_expectation",
        column=column,
        description=description,
        success=False,
        unexpected_count=count,
        examples=examples,
    ).as_metadata()


# --- refused files --------------------------------------------------------------------------


def test_a_load_error_message_reads_back_into_its_problems():
    error = LoadError(
        [
            Problem(
                "landing/procurement/x.csv",
                2,
                None,
                None,
                "the file is not UTF-8: micro CSV"
                " files must be UTF-8 (re-save a GBK/GB18030 export as UTF-8); bad byte",
            ),
            Problem(
                "landing/procurement/y.csv",
                1,
                "amount",
                None,
                "required column missing from the header",
            ),
            Problem(
                "landing/province_year/黑龙 江, 2023.csv",
                7,
                "2023年",
                "it's '1.2'",
                "not a number: text where a number belongs",
            ),
            Problem("landing/province_year/z.csv", None, None, None, "empty file: no header row"),
        ]
    )
    problems, total = rs.parse_load_error(str(error))
    assert total == 4
    assert problems[0] == rs.RefusedProblem(
        "landing/procurement/x.csv", 2, None, None, problems[0].reason
    )
    assert problems[0].fix == "re-save a GBK/GB18030 export as UTF-8"
    assert (problems[1].row, problems[1].column, problems[1].value) == (1, "amount", None)
    assert problems[1].fix.startswith("add the column 'amount' to the header")
    assert problems[2].file == "landing/province_year/黑龙 江, 2023.csv"
    assert (problems[2].row, problems[2].column, problems[2].value) == (7, "2023年", "it's '1.2'")
    assert problems[2].reason == "not a number: text where a number belongs"
    assert problems[3].where == "" and problems[3].fix.startswith("the file is empty")


def test_more_problems_than_the_message_lists_are_counted():
    error = LoadError([Problem("a.csv", row, None, None, "truncated") for row in range(1, 13)])
    problems, total = rs.parse_load_error(str(error))
    assert (len(problems), total) == (10, 12)


def test_a_refused_file_is_named_with_row_column_value_reason_and_fix():
    problem = rs.RefusedProblem("landing/patents/p.csv", 3, "filing_date", "2023-13-45", "bad")
    facts = rs.RunFacts(
        job="patents_refresh_job",
        run_id="r-1",
        success=False,
        refusals=[rs.Refusal("patents", [problem], total=1)],
        not_run=["staging/patents", "published_copy"],
    )
    text = rs.render(facts)
    assert "  patents  refused: nothing of patents was loaded" in text
    assert (
        "  landing/patents/p.csv\n    row 3, column 'filing_date', value '2023-13-45': bad" in text
    )
    assert "      fix: correct the file" in text
    assert "Not run because a step before them failed (2): staging/patents, published_copy" in text
    last = text.splitlines()[-1]
    assert OUTCOME.match(last) and "1 file refused" in last and "nothing published" in last


# --- loads, checks, the outcome ------------------------------------------------------------


def test_loads_count_files_by_status_and_quarantined_rows_by_rule():
    load = rs.load_from_metadata(
        "procurement",
        {
            "files_loaded": 1,
            "files_unchanged": 2,
            "rows_loaded": 1200,
            "rows_quarantined": 3,
            "files": dg.MetadataValue.json(
                {
                    "a.csv": {
                        "status": "loaded",
                        "quarantine_reasons": {"placeholder": 2, "formula": 1},
                    },
                    "b.csv": {"status": "unchanged", "quarantine_reasons": {}},
                    "c.csv": {"status": "unchanged", "quarantine_reasons": {}},
                }
            ),
        },
    )
    assert load.files == {"loaded": 1, "unchanged": 2}
    assert load.quarantined_by_rule == {"placeholder": 2, "formula": 1}
    text = rs.render(rs.RunFacts(job="j", run_id="r", success=True, loads=[load]))
    assert "  procurement  1 loaded, 2 unchanged; 1,200 rows loaded, 3 quarantined" in text
    assert "  procurement  placeholder 2, formula 1" in text


def test_files_a_run_skipped_are_named_with_the_reason():
    skipped = {
        "data/landing/patents/half.csv": "modified 2 s ago: still being written?",
        "data/landing/patents/passwd.csv": "a symbolic link leading outside the folder: not read",
    }
    load = rs.load_from_metadata(
        "patents",
        {
            "files": dg.MetadataValue.json({"a.csv": {"status": "unchanged"}}),
            "files_skipped": dg.MetadataValue.json(skipped),
        },
    )
    assert load.skipped == skipped
    text = rs.render(rs.RunFacts(job="j", run_id="r", success=True, loads=[load]))
    assert "  patents  1 unchanged, 2 not read yet" in text
    for path, why in skipped.items():
        assert f"  patents: {path}: {why}" in text


def test_checks_show_blocking_first_then_warnings_with_at_most_five_example_rows():
    jumps = [
        {
            "province_code": "210000",
            "metric": "gdp",
            "year": 2000 + i,
            "value": 1.5 * i,
            "source_file": "data/landing/province_year/gdp.csv",
            "source_row": 10 + i,
        }
        for i in range(5)
    ]
    warn = rs.check_from_parts(
        "staging/province_year",
        "gx_warn",
        passed=False,
        severity="WARN",
        blocking=False,
        metadata={
            "failures": dg.MetadataValue.json(
                [
                    gx_failure("year_on_year_jump", 40, jumps),
                    gx_failure(
                        "every (metric, year) has all 31 provinces",
                        2,
                        [{"metric": "gdp", "year": 2020, "missing_province_zh": "吉林省"}] * 2,
                    ),
                ]
            )
        },
    )
    blocking = rs.check_from_parts(
        "staging/province_year",
        "gx_blocking",
        passed=False,
        severity="ERROR",
        blocking=True,
        metadata={
            "failures": dg.MetadataValue.json(
                [
                    {
                        "expectation_type": "expect_column_values_to_be_between",
                        "column": "value",
                        "description": "min_value=0, max_value=10",
                        "unexpected_count": 1,
                        "examples": [{"source_file": "x.csv", "source_row": 2, "value": 12.5}],
                    }
                ]
            )
        },
    )
    passed = rs.check_from_parts("staging/patents", "gx_blocking", True, "ERROR", True, {})
    facts = rs.RunFacts(job="j", run_id="r", success=False, checks=[warn, passed, blocking])
    lines = rs.render(facts).splitlines()
    text = "\n".join(lines)
    assert lines.index("Blocking checks failed (what is built from their tables was not built)") < (
        lines.index("Warnings (nothing was stopped; read them)")
    )
    assert "  ✗ staging/province_year gx_blocking (blocking): column values to be between" in text
    assert "      x.csv row 2: value = 12.5" in text  # file, row, column, value
    assert "  ! staging/province_year gx_warn: 2 failed" in text
    assert "      year_on_year_jump: 40 rows" in text
    examples = [line for line in lines if "data/landing/province_year/gdp.csv row" in line]
    missing = [line for line in lines if "missing_province_zh=吉林省" in line]
    assert len(examples) + len(missing) == rs.EXAMPLES_PER_CHECK
    assert missing, "every failed expectation gets an example row before any gets a second"
    assert "        … and 37 more" in text  # 3 of the 40 jumps shown, 2 of the 2 gaps
    assert "Checks: 1 passed, 1 failed (blocking), 1 warned" in text
    assert "1 check failed, 1 check warned" in lines[-1]


def test_a_check_outside_the_suites_shows_its_counts_and_examples():
    check = rs.check_from_parts(
        "marts/pillar_score",
        "observed_inputs",
        passed=False,
        severity="WARN",
        blocking=False,
        metadata={"imputed_only_scores": 2, "scores": dg.MetadataValue.json([{"pillar": "D8"}])},
    )
    text = rs.render(rs.RunFacts(job="j", run_id="r", success=True, checks=[check]))
    assert "  ! marts/pillar_score observed_inputs: imputed_only_scores 2\n      pillar=D8" in text


def test_a_step_that_fails_for_another_reason_is_named_with_its_error():
    facts = rs.RunFacts(
        job="patents_refresh_job",
        run_id="r",
        success=False,
        failures=[
            rs.StepFailure(
                "marts/indicator_value",
                "Catalog Error: Table with name province_year does not exist!",
            )
        ],
    )
    text = rs.render(facts)
    assert "Step failed: marts/indicator_value: Catalog Error" in text
    assert "run `impetus materialize` (every domain) once" in text
    assert "--verbose shows the traceback" in text.splitlines()[-1]


@pytest.mark.parametrize(
    "cls_name", ["DagsterExecutionInterruptedError", "InterruptException", "KeyboardInterrupt"]
)
def test_a_step_stopped_by_a_signal_is_named_by_its_step_and_said_interrupted(cls_name):
    """SIGTERM inside a DuckDB statement surfaces as DuckDB's InterruptException, in plain
    Python as KeyboardInterrupt, elsewhere as Dagster's own error: all read as interrupted."""
    from dagster._utils.error import SerializableErrorInfo

    inner = SerializableErrorInfo(f"{cls_name}: stopped\n", [], cls_name)
    error = SerializableErrorInfo("dagster: step failed\n", [], "DagsterUserCodeError", inner)
    line = rs.StepProgress().line("validate_staging_patents", False, 3.0, error)
    assert line.startswith("  ✗ validate_staging_patents: interrupted (SIGINT/SIGTERM)")


def test_a_successful_run_ends_with_its_outcome_and_the_published_copy():
    facts = rs.RunFacts(
        job="full_rebuild_job",
        run_id="0b1c-22",
        success=True,
        materialized=["raw/patents", "published_copy"],
        seconds=31.6,
    )
    lines = rs.render(facts, published="data/warehouse/published/impetus.duckdb").splitlines()
    assert lines[-2] == "Published copy for queries: data/warehouse/published/impetus.duckdb"
    # tests/publish reads the run id from this line
    assert lines[-1] == "full_rebuild_job: succeeded, 2 assets materialized in 32 s (run 0b1c-22)"


def test_example_rows_put_where_first_and_keep_numbers_short():
    line = rs.format_example(
        {"province_code": "239900", "source_file": "a.csv", "source_row": 4, "ratio": 3.14159265},
        "province_code",
    )
    assert line == "a.csv row 4: province_code = 239900, ratio=3.14159"
    assert rs.format_example({"metric": "gdp", "year": 2020}) == "metric=gdp, year=2020"


# --- a real run -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def refused_and_warned(tmp_path_factory):
    """reference + province_year (two provinces: the 'all 31 provinces' warning) and
    raw/procurement (a GBK file: refused), in one in-process run on a temporary warehouse."""
    from pipelines.definitions import defs

    folder = tmp_path_factory.mktemp("summary_run")
    sources = folder / "sources"
    (sources / "province_year").mkdir(parents=True)
    (sources / "procurement").mkdir()
    shutil.copy(BAD_INPUTS / "baseline" / "province_year.csv", sources / "province_year")
    shutil.copy(BAD_INPUTS / "procurement" / "gbk_encoded.csv", sources / "procurement")
    selection = dg.AssetSelection.groups("reference", "province_year") | dg.AssetSelection.assets(
        dg.AssetKey(["raw", "procurement"])
    )
    mp = pytest.MonkeyPatch()
    mp.setenv("IMPETUS_VALIDATION_DOCS", str(folder / "docs"))
    try:
        result = dg.materialize(
            [*defs.assets, *defs.asset_checks],
            selection=selection,
            resources={
                "warehouse": DuckDBResource(database=str(folder / "warehouse.duckdb")),
                "sources": SourceFolders(roots=[str(sources)]),
            },
            raise_on_error=False,
        )
    finally:
        mp.undo()
    return result


@pytest.mark.integration
def test_a_real_run_names_the_refused_file_and_shows_the_warning(refused_and_warned):
    result = refused_and_warned
    assert not result.success
    text = rs.summarize(result, seconds=12.0)
    lines = text.splitlines()
    assert "  procurement    refused: nothing of procurement was loaded" in text
    assert re.search(r"  province_year  1 loaded; \d+ rows? loaded, 0 quarantined", text)
    refused = lines.index("Refused files (fix each one; nothing of its domain was loaded)")
    assert lines[refused + 1].endswith("/sources/procurement/gbk_encoded.csv")
    assert lines[refused + 2].startswith("    row 2: the file is not UTF-8")
    assert lines[refused + 3] == "      fix: re-save a GBK/GB18030 export as UTF-8"
    assert "  ! staging/province_year gx_warn" in text
    assert "every (metric, year) has all 31 provinces: 29 rows" in text
    assert "missing_province_zh=" in text
    assert "Traceback" not in text and "Stack Trace" not in text
    assert OUTCOME.match(lines[-1]) and "1 file refused" in lines[-1]


@pytest.mark.integration
def test_a_real_run_gives_one_progress_line_per_step(refused_and_warned):
    progress = rs.StepProgress()
    lines = [
        line
        for i, event in enumerate(refused_and_warned.all_events)
        if (line := progress.on_event(event, float(i)))
    ]
    assert "  ✗ raw/procurement: load refused (1 file; see below)" in lines
    assert any(re.fullmatch(r"  ✓ raw/province_year  \d+\.\d s", line) for line in lines)
    assert any(
        line.startswith("  ! checks of staging/province_year") and "warned" in line
        for line in lines
    )
    steps = {e.step_key for e in refused_and_warned.all_events if e.is_step_start}
    assert len(lines) == len(steps)


def test_the_metrics_csv_line_of_an_uncatalogued_metric_is_printed_whole():
    from pipelines.run_summary import CheckResult, Finding, _check_lines

    line = "地区生产总值_比上年增长,地区生产总值_比上年增长," + "x" * 200
    finding = Finding(
        description="every metric is in data/reference/metrics.csv",
        count=1,
        examples=[{"source_file": "f.csv", "source_row": 5, "metrics_csv_line": line}],
    )
    out: list[str] = []
    check = CheckResult(
        asset="staging/province_year",
        check="gx_warn",
        passed=False,
        severity="WARN",
        blocking=False,
        findings=[finding],
    )
    _check_lines(check, "!", out)
    assert out[-1].endswith(f"add to data/reference/metrics.csv: {line}")
    assert not any("metrics_csv_line" in text for text in out)
