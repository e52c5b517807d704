"""printable(): text from data files reaches the terminal as visible escapes, never as control
sequences (issue 12: an ANSI escape or BEL in a data file was printed raw)."""

from __future__ import annotations

import pytest

from pipelines.terminal import printable


def test_plain_text_tabs_and_newlines_are_unchanged():
    text = "row 2, column 'buyer', value '辽宁省 某央企': not one of:\tA | B\n  fix: …"
    assert printable(text) == text


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),  # ANSI colour (CSI)
        ("bell\x07", "bell\\x07"),
        ("nul\x00", "nul\\x00"),
        ("back\x08space", "back\\x08space"),
        ("carriage\rreturn", "carriage\\x0dreturn"),  # would overwrite the line
        ("del\x7f", "del\\x7f"),
        ("\x9b31m C1 CSI", "\\x9b31m C1 CSI"),
        ("\x85next line", "\\x85next line"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),  # OSC: sets the window title
    ],
)
def test_control_characters_become_visible_escapes(raw, shown):
    assert printable(raw) == shown


def test_every_c0_and_c1_character_but_tab_and_newline_is_escaped():
    controls = [chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))]
    for character in controls:
        shown = printable(character)
        if character in "\t\n":
            assert shown == character
        else:
            assert shown == f"\\x{ord(character):02x}"
            assert shown.isprintable()


def test_non_ascii_letters_and_symbols_are_kept():
    assert printable("黑龙江省 ✓ ✗ — … é ａ") == "黑龙江省 ✓ ✗ — … é ａ"


def test_the_verbose_log_escapes_what_a_data_file_said(capsys):
    """`impetus --verbose` prints Dagster's log, whose refusals quote values of data files."""
    import dagster as dg

    from pipelines.cli import _escaped_console_logger

    context = dg.build_init_logger_context(logger_config={"log_level": "INFO"})
    logger = _escaped_console_logger.logger_fn(context)
    logger.info("row 2, column name, value '\x1b]0;pwned\x07\x1b[2J': refused")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "value '\\x1b]0;pwned\\x07\\x1b[2J': refused" in err
