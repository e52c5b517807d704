"""The domain registry (data/reference/domains.csv): read and checked once, and everything that
goes through the domains takes them from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines import landing
from pipelines.defs.operations.freshness import SOURCE_WINDOWS
from pipelines.defs.operations.jobs import REFRESHABLE, domain_jobs
from pipelines.domains import (
    DOMAINS,
    DOMAINS_FILE,
    MICRO,
    MICRO_DOMAINS,
    REGISTRY,
    DomainsError,
    cron_in_words,
    domain,
    read_domains,
)
from pipelines.paths import SQL_DIR
from pipelines.warehouse.micro_contract import contract, contract_rows


def test_the_shipped_registry():
    assert DOMAINS == ("province_year", "patents", "enterprises", "procurement")
    assert MICRO_DOMAINS == ("patents", "enterprises", "procurement")
    assert domain("procurement").schedule_name == "procurement_monthly"
    with pytest.raises(KeyError, match="unknown domain 'trade'"):
        domain("trade")


def test_jobs_landing_and_freshness_take_the_registry():
    assert [job.name for job in domain_jobs] == [f"{name}_job" for name in DOMAINS]
    assert REFRESHABLE == (*DOMAINS, "indicators")
    assert landing.DOMAINS == DOMAINS
    assert landing.SUFFIXES == {d.name: d.suffixes for d in REGISTRY}
    assert SOURCE_WINDOWS == {d.name: (d.warn_after, d.fail_after) for d in REGISTRY}


def test_every_micro_domain_has_a_contract_and_the_contract_no_other_table():
    assert {table for table, _ in contract_rows()} == set(MICRO_DOMAINS)
    for name in MICRO_DOMAINS:
        assert contract(name), name
        assert domain(name).kind == MICRO


def test_every_domain_has_its_staging_model():
    for name in DOMAINS:
        assert (SQL_DIR / "staging" / f"{name}.sql").is_file(), name


def test_the_traceability_check_looks_in_the_staging_table_of_every_domain():
    """sql/checks/marts/indicator_value_traceable.sql names the staging tables in plain SQL, as
    an analyst reads and runs it; this keeps that list equal to the registry."""
    text = (SQL_DIR / "checks" / "marts" / "indicator_value_traceable.sql").read_text(
        encoding="utf-8"
    )
    lineage = re.search(r"lineage as \((.*?)\n\)", text, re.DOTALL)
    assert lineage, "no lineage CTE"
    tables = re.findall(r"from staging\.(\w+)", lineage.group(1))
    assert sorted(tables) == sorted(DOMAINS)


@pytest.mark.parametrize(
    ("cron", "words"),
    [
        ("0 6 15 10 *", "15 October, 06:00"),
        ("0 6 5 * *", "on the 5th, 06:00"),
        ("30 6 10 1,4,7,10 *", "10 January, April, July, October, 06:30"),
        ("0 6 1 * *", "on the 1st, 06:00"),
        ("0 6 12 * *", "on the 12th, 06:00"),
        ("0 6 * * 1", "on cron '0 6 * * 1'"),
    ],
)
def test_cron_in_words(cron, words):
    assert cron_in_words(cron) == words


def test_schedule_descriptions():
    assert domain("province_year").schedule_description == (
        "NBS yearbook (分省年度数据) and the R&D funding communiqué: yearly, published in "
        "September-October. Runs 15 October, 06:00."
    )
    assert domain("patents").schedule_description == (
        "Patent extracts: quarterly. Runs 10 January, April, July, October, 06:00."
    )


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = DOMAINS_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "domains.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("province_year,panel", "province_year,cube", r"row 2, column 'kind', value 'cube'"),
        (".csv|.xls|.xlsx", "csv", r"row 2, column 'suffixes'"),
        ("quarterly", "weekly", r"row 3, column 'rhythm', value 'weekly'"),
        (",100,192", ",192,100", r"row 3, column 'fail_after_days'.*greater than warn"),
        (",35,66", ",35,", r"row 5, column 'fail_after_days'"),
        ("enterprises,micro", "patents,micro", r"domain named twice: patents"),
    ],
)
def test_a_bad_registry_is_refused_with_its_row_and_column(tmp_path, old, new, message):
    with pytest.raises(DomainsError, match=message):
        read_domains(_edited(tmp_path, old, new))
