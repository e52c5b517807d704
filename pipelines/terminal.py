"""Text bound for the terminal, made safe to print.

Messages the CLI prints carry what data files say (a value, a column name, a file name). A
file can hold control characters: an ANSI escape sequence recolours or rewrites the terminal,
an OSC sequence sets its title, BEL rings, a carriage return overwrites the line before it. The
CLI passes everything it prints through :func:`printable`, which shows each such character as a
visible escape instead; the warehouse itself keeps the value exactly as the file gave it.
"""

from __future__ import annotations

# C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F); TAB and LF keep laying text out.
_KEPT = {"\t", "\n"}
_ESCAPES = {
    code: f"\\x{code:02x}"
    for code in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))
    if chr(code) not in _KEPT
}


def printable(text: str) -> str:
    """``text`` with every C0/C1 control character except TAB and newline as ``\\x1b``-style
    escapes (ESC -> ``\\x1b``, BEL -> ``\\x07``, CR -> ``\\x0d``); everything else unchanged."""
    return text.translate(_ESCAPES)
