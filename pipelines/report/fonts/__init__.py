"""The report's font: a subset of WenQuanYi Micro Hei written by ``make_subset.py``."""

from pathlib import Path

FONT_FILE = Path(__file__).with_name("wqy-microhei-subset.woff")
FONT_LICENCE_FILE = Path(__file__).with_name("LICENSE.txt")
FONT_FAMILY = "Impetus WenQuanYi Micro Hei"  # the name report.css and the charts use
