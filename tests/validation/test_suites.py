"""Each kind of expectation passes on the demo data and fails on a row crafted to break it."""

from __future__ import annotations

import pytest

from pipelines.check_characters import USC_ALPHABET
from pipelines.validation.severity import Severity
from pipelines.validation.suites import SUITES
from tests.validation.conftest import execute, validate


def failure(outcome, expectation_type: str, column: str | None = None, description: str = ""):
    """The one failed expectation of that type (and column or description)."""
    matching = [
        o
        for o in outcome.outcomes
        if not o.success
        and o.expectation_type == expectation_type
        and (column is None or o.column == column)
        and description in o.description
    ]
    assert len(matching) == 1, [o for o in outcome.outcomes if not o.success]
    return matching[0]


def other_failures(outcome, found) -> list:
    return [o for o in outcome.failures(found.severity) if o is not found]


def lineage(warehouse, table: str, where: str) -> tuple[str, int]:
    return execute(warehouse, f"select source_file, source_row from {table} where {where}")[0]


@pytest.mark.parametrize("table", sorted(SUITES))
def test_demo_tables_pass_every_blocking_expectation(warehouse, table):
    outcome = validate(warehouse, table)
    assert outcome.of(Severity.BLOCKING)
    assert outcome.passed(Severity.BLOCKING), outcome.failures(Severity.BLOCKING)
    assert not [o for o in outcome.outcomes if o.error], "GX could not evaluate an expectation"


def test_a_duplicate_key_blocks(warehouse):
    (number,) = execute(warehouse, "select min(application_number) from staging.patents")[0]
    execute(
        warehouse,
        "insert into staging.patents select * replace ('copy.csv' as source_file, 7 as source_row)"
        " from staging.patents where application_number = ?",
        [number],
    )
    found = failure(validate(warehouse, "patents"), "expect_column_values_to_be_unique")
    assert found.severity is Severity.BLOCKING
    assert found.unexpected_count == 2  # both rows of the pair
    assert {"source_file": "copy.csv", "source_row": 7, "application_number": number} in (
        found.examples
    )


def test_an_out_of_range_intensity_blocks(warehouse):
    where = "metric = 'rd_intensity' and province_code = '210000' and year = 2023"
    execute(warehouse, f"update staging.province_year set value = 12.5 where {where}")
    outcome = validate(warehouse, "province_year")
    found = failure(outcome, "expect_column_values_to_be_between", "value", "max_value=10")
    source_file, source_row = lineage(warehouse, "staging.province_year", where)
    assert found.severity is Severity.BLOCKING
    assert found.unexpected_count == 1
    assert found.examples[0]["source_file"] == source_file
    assert found.examples[0]["source_row"] == source_row


def test_a_grant_before_its_application_blocks(warehouse):
    (number,) = execute(
        warehouse,
        "select min(application_number) from staging.patents where grant_date is not null",
    )[0]
    where = f"application_number = '{number}'"
    execute(
        warehouse,
        f"update staging.patents set grant_date = application_date - 1 where {where}",
    )
    found = failure(
        validate(warehouse, "patents"), "expect_column_pair_values_a_to_be_greater_than_b"
    )
    assert found.severity is Severity.BLOCKING
    assert found.unexpected_count == 1
    assert (found.examples[0]["source_file"], found.examples[0]["source_row"]) == lineage(
        warehouse, "staging.patents", where
    )


def test_a_bad_application_number_check_character_warns(warehouse):
    (number,) = execute(warehouse, "select min(application_number) from staging.patents")[0]
    wrong = "X" if number[-1] != "X" else "0"
    execute(
        warehouse,
        "update staging.patents set application_number = ? where application_number = ?",
        [number[:-1] + wrong, number],
    )
    found = failure(
        validate(warehouse, "patents"),
        "unexpected_rows_expectation",
        description="check character",
    )
    assert found.severity is Severity.WARN
    assert found.unexpected_count == 1
    example = found.examples[0]
    assert example["application_number"] == number[:-1] + wrong
    assert (example["source_file"], example["source_row"]) == lineage(
        warehouse, "staging.patents", f"application_number = '{number[:-1] + wrong}'"
    )


def test_a_bad_credit_code_check_character_warns(warehouse):
    code, year = execute(
        warehouse, "select credit_code, year from staging.enterprises order by all limit 1"
    )[0]
    bad = code[:-1] + USC_ALPHABET[(USC_ALPHABET.index(code[-1]) + 1) % len(USC_ALPHABET)]
    execute(
        warehouse,
        "update staging.enterprises set credit_code = ? where credit_code = ? and year = ?",
        [bad, code, year],
    )
    found = failure(
        validate(warehouse, "enterprises"),
        "unexpected_rows_expectation",
        description="GB 32100",
    )
    assert found.severity is Severity.WARN
    assert found.unexpected_count == 1
    assert found.examples[0]["credit_code"] == bad


def test_an_unknown_province_code_blocks(warehouse):
    where = "metric = 'gdp' and province_code = '230000' and year = 2020"
    source_file, source_row = lineage(warehouse, "staging.province_year", where)
    execute(warehouse, f"update staging.province_year set province_code = '239900' where {where}")
    outcome = validate(warehouse, "province_year")
    found = failure(outcome, "expect_column_values_to_be_in_set", "province_code")
    assert found.severity is Severity.BLOCKING
    assert found.unexpected_count == 1
    assert found.examples[0] == {
        "source_file": source_file,
        "source_row": source_row,
        "source_column": "value",
        "metric": "gdp",
        "province_code": "239900",
    }


def test_a_province_missing_from_a_year_warns(warehouse):
    # Real NBS tables already lack a province here and there: count the gaps first.
    before = validate(warehouse, "province_year")
    gaps_before = sum(
        o.unexpected_count
        for o in before.failures(Severity.WARN)
        if "31 provinces" in o.description
    )
    execute(
        warehouse,
        "delete from staging.province_year"
        " where metric = 'gdp' and province_code = '220000' and year = 2020",
    )
    outcome = validate(warehouse, "province_year")
    found = failure(outcome, "unexpected_rows_expectation", description="all 31 provinces")
    assert found.severity is Severity.WARN
    assert found.unexpected_count == gaps_before + 1
    # Sorted by metric, year and province, and no other gdp year lacks a province.
    assert found.examples[0] == {
        "metric": "gdp",
        "year": 2020,
        "missing_province_code": "220000",
        "missing_province_zh": "吉林省",
    }
    assert outcome.passed(Severity.BLOCKING)


def test_a_second_current_vintage_blocks(warehouse):
    execute(
        warehouse,
        "insert into staging.area_year_history select * replace ('v2' as vintage)"
        " from staging.area_year_history"
        " where area_code = '110000' and metric = 'gdp' and year = 2024",
    )
    outcome = validate(warehouse, "area_year_history")
    found = failure(outcome, "unexpected_rows_expectation", description="one current vintage")
    assert found.severity is Severity.BLOCKING
    assert found.unexpected_count == 1
    assert found.examples[0]["current_vintages"] == 2
