"""Vectorised builders of valid identifiers (USCC, CN application numbers).

The algorithms and constants are those of ``pipelines.check_characters``; these are numpy twins
so that millions of codes cost milliseconds. Tests check every generated code with the scalar
functions.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pipelines.check_characters import (
    CN_APPLICATION_MODULUS,
    CN_APPLICATION_WEIGHTS,
    ORG_CODE_MODULUS,
    ORG_CODE_WEIGHTS,
    USC_ALPHABET,
    USC_MODULUS,
    USC_WEIGHTS,
)

_USC_ASCII = np.frombuffer(USC_ALPHABET.encode(), dtype=np.uint8)
_DIGITS_ASCII = np.frombuffer(b"0123456789", dtype=np.uint8)
# Positions 2..5 of a USCC after "9" (registered by market regulation) and "1" (enterprise).
_ENTERPRISE_PREFIX = b"91"
# New organisation codes assigned since the USCC reform (October 2015) start with "MA".
_NEW_ORG_CODE_PREFIX = b"MA"
USCC_REFORM_YEAR = 2015


def ascii_matrix_to_strings(matrix: np.ndarray) -> pa.Array:
    """(n, k) uint8 ASCII codes -> pyarrow string array of n k-character strings."""
    matrix = np.ascontiguousarray(matrix, dtype=np.uint8)
    fixed = matrix.view(f"S{matrix.shape[1]}").ravel()
    return pa.array(fixed, type=pa.binary(matrix.shape[1])).cast(pa.string())


def digits_ascii(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative integers as an (n, width) ASCII matrix."""
    values = np.asarray(values, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return _DIGITS_ASCII[(values[:, None] // powers[None, :]) % 10]


def scramble(index: np.ndarray, modulus: int, multiplier: int, offset: int) -> np.ndarray:
    """Bijection of [0, modulus): distinct indices give distinct, random-looking numbers.

    ``multiplier`` must be coprime with ``modulus``; uniqueness of codes rests on this.
    """
    if np.gcd(multiplier, modulus) != 1:
        raise ValueError("multiplier must be coprime with modulus")
    if multiplier * modulus >= 2**62:
        raise ValueError("multiplier * modulus would overflow int64")
    index = np.asarray(index, dtype=np.int64)
    if index.size and (index.min() < 0 or index.max() >= modulus):
        raise ValueError(f"index outside [0, {modulus})")
    return (multiplier * index + offset) % modulus


def unified_social_credit_codes(
    entity_index: np.ndarray, admin_division: np.ndarray, registered_year: np.ndarray
) -> pa.Array:
    """18-character USCCs, distinct for distinct ``entity_index``.

    Layout (GB 32100-2015): '9' market-regulation registration, '1' enterprise, 6-digit
    admin division, 9-character organisation code (GB 11714, own check character), check.
    Firms registered before the reform keep an all-digit organisation code; later ones get
    the 'MA' + 6 characters form.
    """
    n = len(entity_index)
    codes = np.empty((n, 18), dtype=np.uint8)
    codes[:, 0:2] = np.frombuffer(_ENTERPRISE_PREFIX, dtype=np.uint8)
    codes[:, 2:8] = digits_ascii(admin_division, 6)

    new_form = np.asarray(registered_year) >= USCC_REFORM_YEAR
    old_body = digits_ascii(scramble(entity_index, 10**8, 7_919_317, 10_420_013), 8)
    new_tail = _base_alphabet(scramble(entity_index, USC_MODULUS**6, 104_729 * 2 + 1, 3_004_211), 6)
    body = old_body.copy()
    body[new_form, 0:2] = np.frombuffer(_NEW_ORG_CODE_PREFIX, dtype=np.uint8)
    body[new_form, 2:8] = new_tail[new_form]
    codes[:, 8:16] = body
    codes[:, 16] = org_code_check_ascii(body)
    codes[:, 17] = usc_check_ascii(codes[:, :17])
    return ascii_matrix_to_strings(codes)


def org_code_check_ascii(body: np.ndarray) -> np.ndarray:
    """GB 11714 check characters (ASCII) of (n, 8) ASCII bodies."""
    values = np.where(
        body >= ord("A"), body.astype(np.int64) - ord("A") + 10, body.astype(np.int64) - ord("0")
    )
    check = ORG_CODE_MODULUS - (values @ np.array(ORG_CODE_WEIGHTS)) % ORG_CODE_MODULUS
    return np.select([check == 10, check == 11], [ord("X"), ord("0")], check + ord("0"))


def usc_check_ascii(first17: np.ndarray) -> np.ndarray:
    """GB 32100 check characters (ASCII) of (n, 17) ASCII code bodies."""
    lookup = np.full(256, -1, dtype=np.int64)
    lookup[_USC_ASCII] = np.arange(USC_MODULUS)
    values = lookup[first17]
    if (values < 0).any():
        raise ValueError("character outside the USCC alphabet")
    check = (USC_MODULUS - (values @ np.array(USC_WEIGHTS)) % USC_MODULUS) % USC_MODULUS
    return _USC_ASCII[check]


def cn_application_numbers(
    year: np.ndarray, type_digit: np.ndarray, serial: np.ndarray
) -> pa.Array:
    """'CN' + year + type digit + 7-digit serial + '.' + check character, vectorised."""
    n = len(year)
    digits12 = np.empty((n, 12), dtype=np.uint8)
    digits12[:, 0:4] = digits_ascii(year, 4)
    digits12[:, 4] = ord("0") + np.asarray(type_digit, dtype=np.uint8)
    digits12[:, 5:12] = digits_ascii(serial, 7)
    remainder = (digits12.astype(np.int64) - ord("0")) @ np.array(CN_APPLICATION_WEIGHTS)
    remainder %= CN_APPLICATION_MODULUS
    numbers = np.empty((n, 16), dtype=np.uint8)
    numbers[:, 0:2] = np.frombuffer(b"CN", dtype=np.uint8)
    numbers[:, 2:14] = digits12
    numbers[:, 14] = ord(".")
    numbers[:, 15] = np.where(remainder == 10, ord("X"), ord("0") + remainder)
    return ascii_matrix_to_strings(numbers)


def _base_alphabet(values: np.ndarray, width: int) -> np.ndarray:
    powers = USC_MODULUS ** np.arange(width - 1, -1, -1, dtype=np.int64)
    values = np.asarray(values, dtype=np.int64)
    return _USC_ASCII[(values[:, None] // powers[None, :]) % USC_MODULUS]
