"""The bad-input corpus: every file in EXPECTED.csv, loaded on top of a good file.

For each file: a good baseline file of its domain is loaded first and the warehouse is
snapshotted; then the bad file is loaded and its outcome checked against EXPECTED.csv:

* refused: a LoadError naming the file (and row/column where expected), the warehouse as before;
* quarantined: exactly the expected rows in quarantine.<domain> with rule, reason, row, column
  and value; the good rows of the file added to raw.<domain>; no other table changed;
* accepted: every row loaded, nothing quarantined, the expected note (if any) recorded.

For every file that loads, accepted + quarantined = the data rows (province_year: the values)
of the file, so nothing is dropped silently.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from pipelines.warehouse.loads import FileLoad, LoadError
from pipelines.warehouse.micro import load_micro_files
from pipelines.warehouse.province_year import load_province_year_files
from tests.conftest import snapshot

CORPUS = Path(__file__).resolve().parent
EXPECTED_FILE = CORPUS / "EXPECTED.csv"


def expected_outcomes() -> dict[str, list[dict[str, str]]]:
    """EXPECTED.csv lines grouped by file (one line per quarantined row, else one line)."""
    by_file: dict[str, list[dict[str, str]]] = defaultdict(list)
    with EXPECTED_FILE.open(encoding="utf-8", newline="") as handle:
        for line in csv.DictReader(handle):
            by_file[line["file"]].append(line)
    return dict(by_file)


EXPECTED = expected_outcomes()


def load(conn, domain: str, path: Path) -> FileLoad:
    if domain == "province_year":
        [result] = load_province_year_files(conn, [path])
    else:
        [result] = load_micro_files(conn, domain, [path])
    return result


def quarantined_values(conn, domain: str, sha256: str) -> int:
    """Rows of the file in quarantine; for province_year the values those rows hold back."""
    measure = "sum(values_withheld)" if domain == "province_year" else "count(*)"
    return conn.execute(
        f"select coalesce({measure}, 0) from quarantine.{domain} where file_sha256 = ?",
        [sha256],
    ).fetchall()[0][0]


def test_every_corpus_file_has_an_expected_outcome():
    data_files = {
        path.relative_to(CORPUS).as_posix()
        for path in CORPUS.glob("*/*")
        if path.parent.name != "baseline" and path.suffix in (".csv", ".xls", ".xlsx", ".gz")
    }
    assert data_files == set(EXPECTED)


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_bad_input(conn, file):
    lines = EXPECTED[file]
    domain, outcome = lines[0]["domain"], lines[0]["outcome"]
    load(conn, domain, CORPUS / "baseline" / f"{domain}.csv")
    before = snapshot(conn)
    path = CORPUS / file

    if outcome == "refused":
        check_refused(conn, path, domain, lines[0], before)
        return
    result = load(conn, domain, path)
    assert result.status == "loaded"
    assert result.rows + quarantined_values(conn, domain, result.file_sha256) == int(
        lines[0]["data_values"]
    ), "every data row must end up in raw or in quarantine"
    if outcome == "accepted":
        check_accepted(conn, result, domain, lines[0])
    else:
        check_quarantined(conn, result, domain, lines)
    check_only_this_load_changed(conn, domain, before, result)


def check_refused(conn, path: Path, domain: str, line: dict[str, str], before) -> None:
    with pytest.raises(LoadError) as refused:
        load(conn, domain, path)
    problem = refused.value.problems[0]
    assert problem.file.endswith(path.name)
    assert line["reason"] in problem.reason
    if line["row"]:
        assert problem.row == int(line["row"])
    if line["column"]:
        assert problem.column == line["column"]
    assert snapshot(conn) == before


def check_accepted(conn, result: FileLoad, domain: str, line: dict[str, str]) -> None:
    assert result.rows_quarantined == 0
    assert result.rows == int(line["data_values"])
    if line["reason"]:
        assert any(line["reason"] in note for note in result.notes), result.notes


def check_quarantined(conn, result: FileLoad, domain: str, lines: list[dict[str, str]]) -> None:
    stored = conn.execute(
        f"select source_row, source_column, value_raw, rule, reason, source_file, raw_row"
        f" from quarantine.{domain} where file_sha256 = ? order by source_row, source_column",
        [result.file_sha256],
    ).fetchall()
    assert [(row, column, value, rule) for row, column, value, rule, *_ in stored] == [
        (int(line["row"]), line["column"], line["value"], line["rule"]) for line in lines
    ]
    for (*_, reason, source_file, raw_row), line in zip(stored, lines, strict=True):
        assert line["reason"] in reason
        assert source_file == result.source_file
        # the whole row as read is kept (a composite key's value is one part per key column)
        values = {str(value) for value in json.loads(raw_row).values()}
        assert set(line["value"].split(", ")) <= values or line["value"] in values
    assert result.rows_quarantined == len(lines)
    assert sum(result.quarantine_reasons.values()) == len(lines)


def check_only_this_load_changed(conn, domain: str, before, result: FileLoad) -> None:
    """Earlier rows untouched; the only additions are this file's rows and its log line."""
    after = snapshot(conn)
    changed = {f"raw.{domain}", "raw.load_log", f"quarantine.{domain}"}
    assert {t: rows for t, rows in after.items() if t not in changed} == {
        t: rows for t, rows in before.items() if t not in changed
    }
    for table in changed:
        assert set(before[table]) <= set(after[table]), table
    added_to_raw = conn.execute(
        f"select count(*) from raw.{domain} where file_sha256 = ?", [result.file_sha256]
    ).fetchall()[0][0]
    assert added_to_raw == result.rows
    assert len(after[f"raw.{domain}"]) == len(before[f"raw.{domain}"]) + result.rows
    assert len(after["raw.load_log"]) == len(before["raw.load_log"]) + 1


def test_loading_a_quarantining_file_again_changes_nothing(conn):
    path = CORPUS / "procurement" / "placeholders_in_amount.csv"
    first = load(conn, "procurement", path)
    assert first.rows_quarantined == 6
    before = snapshot(conn)
    again = load(conn, "procurement", path)
    assert again.status == "unchanged"
    assert snapshot(conn) == before
    assert conn.execute(
        "select rows_loaded, rows_quarantined from raw.load_log where file_sha256 = ?",
        [first.file_sha256],
    ).fetchall() == [(1, 6)]
