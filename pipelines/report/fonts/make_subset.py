"""Write ``wqy-microhei-subset.woff``: WenQuanYi Micro Hei cut down to the characters the
report can show, so Chinese text looks the same on every machine without a system CJK font:
ASCII, Latin-1 and common punctuation (CJK included), and every character of
``data/reference/*.csv|yaml``, the report's templates and static files, ``sql/**.sql`` and
the string literals of ``pipelines/**.py`` (the marts hold text written there).

Run by hand when a reference text changes (a new province, indicator or template line) and
commit the font it writes; ``tests/report`` fail with the missing characters until then::

    .venv/bin/python -m pipelines.report.fonts.make_subset

Needs Debian's ``fonts-wqy-microhei`` (``/usr/share/fonts/truetype/wqy/wqy-microhei.ttc``);
``fonttools`` is in the venv. WOFF (zlib) rather than WOFF2: WOFF2 needs ``brotli``, which is
not installed, and the saving on a subset this size is small. Licence: ``LICENSE.txt`` here.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from fontTools import subset

from pipelines.paths import REFERENCE_DIR, REPO_ROOT, SQL_DIR
from pipelines.report.fonts import FONT_FAMILY, FONT_FILE

SOURCE_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
REPORT = Path(__file__).parent.parent
COMMAND = "python -m pipelines.report.fonts.make_subset"

# Always in: printable ASCII, Latin-1 (names of sources), general punctuation (dashes, quotes,
# ellipsis), the arrows and shapes the pages use, CJK symbols and punctuation, full-width forms.
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x203A), (0x2190, 0x2193),
          (0x2212, 0x2212), (0x25A0, 0x25CF), (0x2713, 0x2717), (0x3000, 0x303F),
          (0xFF01, 0xFF5E)]  # fmt: skip


def _python_strings(path: Path) -> str:
    """The string literals of a module (docstrings included: a few characters more)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return "".join(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def source_texts() -> dict[str, str]:
    """Every text the report's characters come from, by file."""
    files = [
        *sorted(REFERENCE_DIR.glob("*.csv")),
        *sorted(REFERENCE_DIR.glob("*.yaml")),
        *sorted(p for p in (REPORT / "templates").rglob("*") if p.is_file()),
        *sorted(p for p in (REPORT / "static").rglob("*") if p.is_file()),
        *sorted(SQL_DIR.rglob("*.sql")),  # text the marts compute (and the report's queries)
    ]
    texts = {p.relative_to(REPO_ROOT).as_posix(): p.read_text(encoding="utf-8") for p in files}
    # Every module's strings, not only the report's: the marts hold text written in Python
    # (e.g. pipelines/upgrading/assess.py's assessments).
    for module in sorted((REPO_ROOT / "pipelines").rglob("*.py")):
        texts[module.relative_to(REPO_ROOT).as_posix()] = _python_strings(module)
    return texts


def wanted() -> set[str]:
    """The characters the subset must hold (white space other than the space left out)."""
    chars = {chr(c) for low, high in RANGES for c in range(low, high + 1)}
    for text in source_texts().values():
        chars |= set(text)
    return {c for c in chars if c == " " or not c.isspace()}


def covered(font_file: Path = FONT_FILE) -> set[str]:
    """The characters the shipped font has glyphs for (its cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(font_file) as font:
        return {chr(code) for code in font.getBestCmap()}


def missing(text_chars: set[str], font_file: Path = FONT_FILE) -> set[str]:
    """The characters of ``text_chars`` the shipped font lacks (white space aside)."""
    return {c for c in text_chars if not c.isspace()} - covered(font_file)


def main() -> int:
    if not SOURCE_FONT.exists():
        print(f"{SOURCE_FONT} not found: apt-get install fonts-wqy-microhei", file=sys.stderr)
        return 1
    chars = wanted()
    options = subset.Options()
    options.flavor = "woff"
    options.font_number = 0  # WenQuanYi Micro Hei (1 is the Mono face)
    options.layout_features = ["*"]
    options.name_IDs = ["*"]  # copyright and licence records kept
    options.notdef_outline = True
    options.hinting = False  # hinting instructions are most of a CJK font's bytes
    options.drop_tables += ["FFTM"]
    font = subset.load_font(str(SOURCE_FONT), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    name = font["name"]
    for record in name.names:  # a renamed face: the subset is not the whole font
        if record.nameID in (1, 4, 16):
            record.string = FONT_FAMILY
    subset.save_font(font, str(FONT_FILE), options)
    held = covered()
    print(f"{FONT_FILE.name}: {len(held)} characters, {FONT_FILE.stat().st_size:,} bytes")
    texts = {c for text in source_texts().values() for c in text if not c.isspace()}
    if texts - held:  # drawn in a fallback font (e.g. the ✗ of the GX copies' own stylesheet)
        print(f"not in {SOURCE_FONT.name}: {''.join(sorted(texts - held))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
