"""The DuckDB check-character macros (sql/macros) agree with pipelines/check_characters.py, code
by code."""

from __future__ import annotations

import random

import duckdb
import pytest

from pipelines import check_characters as codes
from pipelines.validation.macros import macro_sql

SAMPLES = 3000
DIGITS = "0123456789"


@pytest.fixture(scope="module")
def conn():
    connection = duckdb.connect()
    connection.execute(macro_sql(temporary=False))
    yield connection
    connection.close()


def valid_usc(rng: random.Random) -> str:
    # Real USCCs start with a registration authority and type; any alphabet body checks alike.
    org_body = "".join(rng.choice(DIGITS + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    body17 = (
        "".join(rng.choice(codes.USC_ALPHABET) for _ in range(8))
        + org_body
        + codes.org_code_check_character(org_body)
    )
    if not set(body17) <= set(codes.USC_ALPHABET):  # an org check 'X' is outside the alphabet
        body17 = body17[:-1] + "0"
    return body17 + codes.usc_check_character(body17)


def valid_cn(rng: random.Random) -> str:
    digits = (
        str(rng.randint(2003, 2099))
        + rng.choice("12389")
        + "".join(rng.choice(DIGITS) for _ in range(7))
    )
    return f"CN{digits}.{codes.cn_application_check_character(digits)}"


def corrupt(code: str, rng: random.Random, alphabet: str) -> str:
    """One typo: a changed, dropped, doubled or lower-cased character, or swapped neighbours."""
    i = rng.randrange(len(code))
    kind = rng.randrange(5)
    if kind == 0:
        return code[:i] + rng.choice(alphabet) + code[i + 1 :]
    if kind == 1:
        return code[:i] + code[i + 1 :]
    if kind == 2:
        return code[:i] + code[i] + code[i:]
    if kind == 3:
        return code[:i] + code[i].lower() + code[i + 1 :]
    j = min(i + 1, len(code) - 1)
    return code[:i] + code[j] + code[i] + code[j + 1 :] if j > i else code


def agree(conn, macro: str, reference, samples: list[str]) -> list[tuple[str, bool, bool]]:
    by_sql = dict(
        conn.execute(
            f"select code, {macro}(code) from unnest(?::varchar[]) as t(code)", [samples]
        ).fetchall()
    )
    return [(s, by_sql[s], reference(s)) for s in samples if by_sql[s] != reference(s)]


def test_usc_macro_matches_python_on_valid_and_corrupted_codes(conn):
    rng = random.Random(32100)
    valid = [valid_usc(rng) for _ in range(SAMPLES)]
    corrupted = [corrupt(code, rng, codes.USC_ALPHABET + "IOSVZ") for code in valid]
    samples = sorted(set(valid + corrupted + ["", "91110100104200138e"]))
    assert all(codes.is_valid_usc(code) for code in valid)
    assert sum(not codes.is_valid_usc(code) for code in corrupted) > SAMPLES // 2
    assert agree(conn, "is_valid_usc", codes.is_valid_usc, samples) == []


def test_cn_application_number_macro_matches_python(conn):
    rng = random.Random(2003)
    valid = [valid_cn(rng) for _ in range(SAMPLES)]
    corrupted = [corrupt(code, rng, DIGITS + "X.C") for code in valid]
    samples = sorted(set(valid + corrupted + ["CN200216051612.6", "CN200846051612.X", ""]))
    assert all(codes.is_valid_cn_application_number(code) for code in valid)
    assert sum(not codes.is_valid_cn_application_number(c) for c in corrupted) > SAMPLES // 2
    assert (
        agree(conn, "is_valid_cn_application_number", codes.is_valid_cn_application_number, samples)
        == []
    )


def test_macros_say_false_not_null_for_missing_codes(conn):
    assert conn.execute(
        "select is_valid_usc(null), is_valid_cn_application_number(null), is_valid_ipc(null)"
    ).fetchall() == [(False, False, False)]


@pytest.mark.parametrize(
    "symbol, valid",
    [
        ("B23K 37/02", True),
        ("H04N 11/10", True),
        ("G06F 3/0488", True),
        ("B23K37/02", False),
        ("I23K 37/02", False),
        ("B23K 37", False),
        ("b23k 37/02", False),
    ],
)
def test_ipc_macro(conn, symbol, valid):
    assert conn.execute("select is_valid_ipc(?)", [symbol]).fetchall() == [(valid,)]
