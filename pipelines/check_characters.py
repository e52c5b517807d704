"""Check characters of the identifiers found in micro records.

Three national standards, each a weighted sum modulo a prime:

* GB 11714-1997 organisation code (8 characters + 1 check character), which is embedded in
* GB 32100-2015 unified social credit code (USCC, 18 characters, last one a check character);
* the CNIPA patent application number (12 digits + '.' + check character, since October 2003).

Pure Python, no dependencies: readers use these to validate real extracts, the synthetic
generator uses the constants below (and the vectorised twins in
``pipelines.demo.synthetic.identifiers``) to make codes that pass the same checks.
"""

from __future__ import annotations

import re

# --- GB 32100-2015 unified social credit code ------------------------------------------------
# The 31-character alphabet leaves out I, O, S, V and Z so that they cannot be misread as 1, 0,
# 5, U/Y and 2. A character's value is its position in this string.
USC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USC_MODULUS = len(USC_ALPHABET)  # 31
# Weight of position i (0-based) is 3**i mod 31.
USC_WEIGHTS = tuple(pow(3, i, USC_MODULUS) for i in range(17))
_USC_VALUE = {ch: i for i, ch in enumerate(USC_ALPHABET)}

# --- GB 11714-1997 organisation code ---------------------------------------------------------
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CODE_MODULUS = 11

# --- CNIPA application number (12-digit form, from 1 October 2003) ---------------------------
CN_APPLICATION_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
CN_APPLICATION_MODULUS = 11
# Type digit: 1 invention, 2 utility model, 3 design; 8 and 9 are PCT applications entering the
# national phase as invention / utility model.
CN_APPLICATION_TYPES = frozenset("12389")
_CN_APPLICATION_RE = re.compile(r"CN([0-9]{4})([0-9])([0-9]{7})\.([0-9X])")  # ASCII digits only
_USC_RE = re.compile(rf"[{USC_ALPHABET}]{{18}}")


def org_code_char_value(ch: str) -> int:
    """Value of an organisation-code character: digits 0-9, letters A=10 ... Z=35.

    GB 11714 values letters by their place in the Latin alphabet, not by their place in the
    31-character USCC alphabet, so the same letter has two values inside one USCC.
    """
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    raise ValueError(f"not an organisation-code character: {ch!r}")


def org_code_check_character(body8: str) -> str:
    """Check character of a GB 11714 organisation code body (8 characters)."""
    if len(body8) != 8:
        raise ValueError(f"organisation code body must have 8 characters: {body8!r}")
    total = sum(w * org_code_char_value(ch) for w, ch in zip(ORG_CODE_WEIGHTS, body8, strict=True))
    check = ORG_CODE_MODULUS - total % ORG_CODE_MODULUS
    return {10: "X", 11: "0"}.get(check, str(check))


def is_valid_org_code(code9: str) -> bool:
    """True for a 9-character organisation code whose last character checks."""
    if len(code9) != 9 or not code9.isascii() or not code9[:8].isalnum():
        return False
    try:
        return org_code_check_character(code9[:8].upper()) == code9[8].upper()
    except ValueError:
        return False


def usc_check_character(code17: str) -> str:
    """Check character (18th) of a unified social credit code from its first 17 characters."""
    if len(code17) != 17:
        raise ValueError(f"USCC body must have 17 characters: {code17!r}")
    try:
        total = sum(w * _USC_VALUE[ch] for w, ch in zip(USC_WEIGHTS, code17, strict=True))
    except KeyError as exc:
        raise ValueError(f"not a USCC character {exc.args[0]!r} in {code17!r}") from None
    return USC_ALPHABET[(USC_MODULUS - total % USC_MODULUS) % USC_MODULUS]


def is_valid_usc(code: str) -> bool:
    """True for an 18-character USCC whose final check character and embedded
    organisation code (characters 9-17) both check.

    Case-sensitive on purpose: the standard prints upper case, and a lower-case code in an
    extract is a data-quality finding worth surfacing rather than silently accepting.
    """
    if not isinstance(code, str) or not _USC_RE.fullmatch(code):
        return False
    return usc_check_character(code[:17]) == code[17] and is_valid_org_code(code[8:17])


def cn_application_check_character(digits12: str) -> str:
    """Check character of a 12-digit CN application number (year, type, 7-digit serial)."""
    if len(digits12) != 12 or not digits12.isascii() or not digits12.isdigit():
        raise ValueError(f"application number body must be 12 digits: {digits12!r}")
    total = sum(w * int(d) for w, d in zip(CN_APPLICATION_WEIGHTS, digits12, strict=True))
    remainder = total % CN_APPLICATION_MODULUS
    return "X" if remainder == 10 else str(remainder)


def is_valid_cn_application_number(s: str) -> bool:
    """True for ``CN`` + 4-digit year + type digit + 7-digit serial + '.' + check character."""
    if not isinstance(s, str):
        return False
    match = _CN_APPLICATION_RE.fullmatch(s)
    if match is None:
        return False
    year, type_digit, serial, check = match.groups()
    # The 12-digit scheme started in October 2003; earlier numbers have 8 digits.
    if not 2003 <= int(year) <= 2099 or type_digit not in CN_APPLICATION_TYPES:
        return False
    return cn_application_check_character(year + type_digit + serial) == check
