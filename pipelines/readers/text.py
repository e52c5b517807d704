"""Text helpers shared by the readers: decoding source bytes and comparing labels."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

UTF8_BOM = b"\xef\xbb\xbf"
_WHITESPACE = re.compile(r"\s+")


def decode_source(data: bytes) -> tuple[str, str]:
    """Decode a text source file, returning (text, encoding name).

    NBS classic exports are GBK with no BOM; newer ones and most tidy files are UTF-8 (often
    with a BOM, as Excel writes them). GB18030 is a superset of GBK, so it reads both.
    """
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise UnicodeDecodeError(
            exc.encoding, exc.object, exc.start, exc.end, "neither UTF-8 nor GBK/GB18030"
        ) from exc


def compact_key(text: str) -> str:
    """A label reduced to what identifies it: NFKC (full-width -> ASCII, U+3000 -> space),
    case-folded, with every kind of whitespace removed ("辽　宁", "黑龙 江" -> "辽宁", "黑龙江")."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text).casefold())


def read_reference_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a reference CSV as dicts, values stripped, empty cells as ''."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]
