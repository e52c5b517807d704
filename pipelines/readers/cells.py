"""What a cell that should hold a number holds instead: a placeholder, text, or a formula.

Shared by the province-year readers (in Python) and the micro loads (the same patterns run
inside DuckDB), so a cell is judged the same way whichever path a file takes. The patterns
are written in the common subset of Python ``re`` and RE2 (DuckDB's regex engine).
"""

from __future__ import annotations

import re

# How statistical tables write "no figure": dashes and ellipses, ASCII and full-width.
PLACEHOLDERS = ("-", "--", "—", "——", "–", "―", "…", "……", "...", "．．．", "。。。")

# Spreadsheet formulas (CSV injection): '=' or '@' followed by anything, or '+'/'-' followed
# by a function call, a cell reference or an arithmetic expression. A signed number such as
# -3.5 or +1e5 matches none of these, so negative amounts stay numbers.
FORMULA_PATTERN = (
    r"^(?:[=@].+"
    r"|[+-]\s*(?:[A-Za-z_][A-Za-z0-9_.]*\s*\("
    r"|[A-Za-z]{1,3}[0-9]+"
    r"|[0-9.]+\s*[-+*/^&]\s*\S"
    r"|[=@]))"
)
_FORMULA = re.compile(FORMULA_PATTERN)

# Rule names: the short, stable label each kind of rejected row or cell carries, so that
# quarantined rows can be counted by kind. The reason text says the rest.
FORMULA = "formula"
PLACEHOLDER = "placeholder"
TEXT_IN_NUMBER = "text_in_number"
NOT_A_NUMBER = "not_a_number"
INVALID_VALUE = "invalid_value"
NOT_ALLOWED = "not_allowed"
REQUIRED_MISSING = "required_missing"
BELOW_MINIMUM = "below_minimum"
ABOVE_MAXIMUM = "above_maximum"
FUTURE = "future"
OUT_OF_WINDOW = "out_of_window"  # a year or date before the warehouse's first year (years.py)
NOT_FINITE = "not_finite"  # inf, -inf, NaN, or a number past a double's range (1e400)
UNKNOWN_AREA = "unknown_area"
NOT_A_PROVINCE = "not_a_province"
UNKNOWN_METRIC = "unknown_metric"
UNKNOWN_UNIT = "unknown_unit"
MIXED_UNITS = "mixed_units"
DUPLICATE_KEY = "duplicate_key"
CONFLICTS_WITH_STORED = "conflicts_with_stored"
NO_YEAR_HEADER = "no_year_header"


# The words a float parser (Python's, DuckDB's) reads as a non-finite number, case-insensitive.
NON_FINITE_WORDS = tuple(
    sign + word for word in ("inf", "infinity", "nan") for sign in ("", "+", "-")
)
NOT_FINITE_REASON = (
    "not a finite number: infinite or NaN (a value past ±1.8e308, such as 1e400, is infinite)"
)


def is_non_finite_word(text: str) -> bool:
    return text.strip().casefold() in NON_FINITE_WORDS


def is_placeholder(text: str) -> bool:
    return text.strip() in PLACEHOLDERS


def looks_like_formula(text: str) -> bool:
    return _FORMULA.match(text.strip()) is not None


def has_letters(text: str) -> bool:
    """Words rather than a malformed number: any letter, Latin or CJK."""
    return any(character.isalpha() for character in text)


def not_a_number_rule(text: str) -> tuple[str, str]:
    """(rule, reason) for a cell that should be a number and is not."""
    if is_non_finite_word(text):
        return NOT_FINITE, NOT_FINITE_REASON
    if looks_like_formula(text):
        return FORMULA, "formula-looking text, not a number (spreadsheet formulas are not run)"
    if is_placeholder(text):
        return PLACEHOLDER, "placeholder for a missing value, not a number"
    if has_letters(text):
        return TEXT_IN_NUMBER, "text, not a number"
    return NOT_A_NUMBER, "not a number"
