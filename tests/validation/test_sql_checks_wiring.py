"""Every file in sql/checks becomes an expectation of the suite its header names."""

from __future__ import annotations

import dataclasses

import pytest

from pipelines.paths import SQL_DIR
from pipelines.validation.runner import validate_table
from pipelines.validation.severity import Severity
from pipelines.validation.sql_checks import SqlCheckHeaderError, read_sql_check, sql_checks_for
from pipelines.validation.suites import SUITES, patents
from tests.validation.conftest import execute

MY_CHECK = """-- check: no_design_patents_in_2020  table: staging.patents  severity: {severity}
-- A test-only cross-table check: rows it returns are unexpected.
select p.application_number, p.source_file, p.source_row
from {{batch}} p
join reference.area a on a.area_code = p.province_code
where p.patent_type = 'design' and p.application_year = 2020
"""


def suite_with_check(tmp_path, severity: str):
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "no_design_patents_in_2020.sql").write_text(
        MY_CHECK.format(severity=severity), encoding="utf-8"
    )
    built = patents.suite()
    return dataclasses.replace(built, checks_dir=checks)


@pytest.mark.parametrize("severity", ["blocking", "warn"])
def test_a_new_check_file_adds_an_expectation_with_its_severity(warehouse, tmp_path, severity):
    suite = suite_with_check(tmp_path, severity)
    (expected,) = execute(
        warehouse,
        "select count(*) from staging.patents where patent_type = 'design'"
        " and application_year = 2020",
    )[0]
    assert expected > 0, "the demo data should have design patents filed in 2020"
    outcome = validate_table(warehouse, suite)
    (found,) = [o for o in outcome.outcomes if o.description == "no_design_patents_in_2020"]
    assert found.severity is Severity(severity)
    assert found.unexpected_count == expected
    assert set(found.examples[0]) == {"application_number", "source_file", "source_row"}
    assert suite.referenced_tables() == [("reference", "area")]


def test_every_lead_check_is_in_the_suite_of_its_table():
    for path in sorted((SQL_DIR / "checks").glob("*.sql")):
        check = read_sql_check(path)
        schema, table = check.table.split(".")
        suite = SUITES[table]()
        named = [
            severity
            for severity, e in suite.expectations()
            if (e.meta or {}).get("check_name") == check.name
        ]
        assert named == [check.severity], path.name
        assert check in sql_checks_for(check.table)


def test_a_check_file_without_a_header_is_refused(tmp_path):
    path = tmp_path / "bad.sql"
    path.write_text("select 1 from {batch}\n", encoding="utf-8")
    with pytest.raises(SqlCheckHeaderError, match="first line"):
        read_sql_check(path)
    path.write_text("-- check: x  table: staging.patents  severity: fatal\n", encoding="utf-8")
    with pytest.raises(SqlCheckHeaderError, match="severity"):
        read_sql_check(path)
