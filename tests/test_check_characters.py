"""Check characters of USCC (GB 32100-2015), organisation codes (GB 11714) and CN
application numbers, against examples worked out by hand."""

from __future__ import annotations

import pytest

from pipelines.check_characters import (
    USC_ALPHABET,
    USC_WEIGHTS,
    cn_application_check_character,
    is_valid_cn_application_number,
    is_valid_org_code,
    is_valid_usc,
    org_code_check_character,
    usc_check_character,
)

# 91350100M000100Y43 is the example commonly quoted with GB 32100-2015. By hand:
#   characters      9  1  3  5  0  1  0  0  M  0  0  0  1  0  0  Y  4
#   USCC values     9  1  3  5  0  1  0  0 21  0  0  0  1  0  0 30  4   (M=21, Y=30 in
#                                                  0123456789ABCDEFGHJKLMNPQRTUWXY)
#   weights 3^i%31  1  3  9 27 19 26 16 17 20 29 25 13  8 24 10 30 28
#   products        9  3 27 135 0 26  0  0 420 0  0  0  8  0  0 900 112   sum = 1640
#   1640 mod 31 = 28;  31 - 28 = 3  ->  check character '3'
# Its organisation code M000100Y4 checks too (GB 11714 values letters A=10 ... Z=35):
#   M=22*3 + 0*7 + 0*9 + 0*10 + 1*5 + 0*8 + 0*4 + Y=34*2 = 66 + 5 + 68 = 139
#   139 mod 11 = 7;  11 - 7 = 4  ->  '4'
PUBLISHED_USCC = "91350100M000100Y43"


def test_usc_weights_are_powers_of_three_mod_31():
    assert USC_WEIGHTS[:6] == (1, 3, 9, 27, 19, 26)
    assert len(USC_ALPHABET) == 31 and not set("IOSVZ") & set(USC_ALPHABET)


def test_usc_check_character_worked_example():
    assert usc_check_character(PUBLISHED_USCC[:17]) == "3"
    assert is_valid_usc(PUBLISHED_USCC)


def test_org_code_check_character_worked_examples():
    assert org_code_check_character("M000100Y") == "4"
    # 1*3 + 2*7 + 3*9 + 4*10 + 5*5 + 6*8 + 7*4 + 8*2 = 201; 201 mod 11 = 3; 11 - 3 = 8
    assert org_code_check_character("12345678") == "8"
    assert is_valid_org_code("123456788")


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong final check character
        "91350100M000100Y53",  # wrong organisation-code check character
        "91350100m000100Y43",  # lower case is not in the alphabet
        "91350100M000100Y4",  # 17 characters
        "91350100M0001O0Y43",  # O is not in the alphabet
        "",
    ],
)
def test_invalid_usc_rejected(code):
    assert not is_valid_usc(code)


def test_usc_with_bad_org_code_rejected_even_if_final_check_matches():
    body = "91350100M000100Y5"  # organisation code check should be 4
    assert not is_valid_usc(body + usc_check_character(body))


def test_usc_check_character_rejects_bad_input():
    with pytest.raises(ValueError):
        usc_check_character("9135010OM000100Y4")  # letter O
    with pytest.raises(ValueError):
        usc_check_character("913501")


# CN application number 2023 1 0123456 (2023, invention, serial 0123456). By hand:
#   digits   2  0  2  3  1  0  1  2  3  4  5  6
#   weights  2  3  4  5  6  7  8  9  2  3  4  5
#   products 4  0  8 15  6  0  8 18  6 12 20 30   sum = 127
#   127 mod 11 = 6  ->  CN202310123456.6
# (The contract's illustration CN202310123456.7 therefore does not check.)
def test_cn_application_check_character_worked_example():
    assert cn_application_check_character("202310123456") == "6"
    assert is_valid_cn_application_number("CN202310123456.6")
    assert not is_valid_cn_application_number("CN202310123456.7")


def test_cn_application_check_character_ten_is_x():
    # 2*2 + 0*3 + 2*4 + 3*5 + 2*6 + 0*7 + 0*8 + 0*9 + 0*2 + 0*3 + 0*4 + 3*5 = 54; 54 mod 11 = 10
    assert cn_application_check_character("202320000003") == "X"
    assert is_valid_cn_application_number("CN202320000003.X")


@pytest.mark.parametrize(
    "number",
    [
        "CN202310123456",  # no check character
        "202310123456.6",  # no CN prefix
        "CN202340123456.2",  # type digit 4 does not exist (2 would be its check character)
        "CN199810123456.7",  # the 12-digit scheme began in 2003 (7 would be its check character)
        "CN20231012345.6",  # 6-digit serial
        "CN202310123456.x",  # lower-case X
    ],
)
def test_invalid_cn_application_numbers_rejected(number):
    assert not is_valid_cn_application_number(number)


def test_non_ascii_digits_are_not_a_valid_application_number():
    # Full-width ２ is a digit to Python's \d but never in a CNIPA number.
    assert not is_valid_cn_application_number("CN２02310123456.6")
