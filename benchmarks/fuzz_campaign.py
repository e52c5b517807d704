"""Load hundreds of hostile files, each through the real load of its domain, into a warehouse
that holds the demo, and check what the project promises for every one (issue 12; run by hand).

The files are made from valid ones by seeded random mutations, so each is reproducible from
``--seed`` and its number alone. Five kinds, the landing domains the loads take:

- ``patents``, ``enterprises``, ``procurement``: rows sampled from the demo extracts in
  ``data/demo/<domain>/`` written as CSV, TSV, gzipped CSV or Parquet (text or typed columns),
  loaded with :func:`pipelines.warehouse.micro.load_micro_files`;
- ``province_tidy``: rows of the demo's tidy province-year CSVs (long), a wide table built from
  them, and both as ``.xlsx``; ``province_nbs``: NBS 分省年度数据 exports built from the demo
  figures (classic GBK CSV with the 指标 line, UTF-8-BOM tab-comma CSV, ``.xlsx``) and the
  ``.xls`` fixture of tests/fixtures/province_year; both loaded with
  :func:`pipelines.warehouse.province_year.load_province_year_files`.

Mutations (one to three on the table, up to two on the bytes; the ideas of tests/bad_inputs,
tests/warehouse/test_micro_hostile.py and tests/readers/test_reader_hostile.py): byte flips,
truncation mid-row, GBK/GB18030/UTF-16/UTF-32 and other encodings, byte-order marks inside the
file, control characters and ANSI escapes in values and column names, huge fields (up to past
the 1 MiB row bound), runs of empty lines, CR/CRLF/mixed line ends, repeated, renamed,
case-changed, dropped, extra (also past the 1,000-column bound) and shuffled columns, ragged
rows, non-finite and 400-digit numbers, dates and years outside 1949..this year, unbalanced
quotes, NUL bytes, invalid UTF-8, other delimiters, formulas, placeholders, odd province
names, duplicate keys, and files that are not what their suffix says (a workbook, a zip, an
OLE2 header, HTML, Parquet or gzip named ``.csv``; a CSV named ``.parquet`` or ``.xlsx``).

Each file is loaded on its own (one load, as ``impetus materialize`` loads a domain) in a
worker process that holds a copy of a warehouse with the demo loaded (raw and quarantine
tables); files that load stay, so later files load on top of them. For every file:

  a. outcome: a load, or the project's refusal (``LoadError``); any other exception, a
     connection left unusable or a worker that dies is a finding;
  b. warehouse: on a refusal every table as before (row count and checksum of every row); on
     a load nothing changed but the file's own rows added (raw, quarantine, load log);
  c. rows: micro files, the data rows counted from the bytes by this script (records end at a
     line break outside quotes, empty lines are not records: docs/loading.md) or the Parquet
     footer = rows in ``raw.<domain>`` + rows in ``quarantine.<domain>`` of the file = what the
     load reported; province-year files, what the load reported = the rows stored;
  d. values: no control character or U+FFFD stored that the file does not hold (the warehouse
     keeps values as the file gave them, README *Guarantees*), no inf/NaN in a DOUBLE column,
     no year or date outside 1949..this year in ``raw.<domain>``;
  e. message: a refusal names the file, holds no control character but newline and TAB, and
     is shorter than 10,000 characters;
  f. time: the load takes at most 30 s (a worker silent for 120 s is killed).

    .venv/bin/python benchmarks/fuzz_campaign.py                     # 500 files, 2-4 min
    .venv/bin/python benchmarks/fuzz_campaign.py --files 50 --seed 3 # a quick look
    .venv/bin/python benchmarks/fuzz_campaign.py --only procurement:17 --keep /tmp/fz

``--only kind:index`` makes that file again (the same bytes for the same ``--seed``) and loads
it on the demo alone, without the files before it.

Prints each finding with the file's description and the command that makes it again, then a
table by kind: files, loaded, refused, findings by invariant, p50 and max seconds, the
worker's peak RSS. ``--keep DIR`` saves every file with a finding (and ``findings.txt``),
``--json FILE`` every record. The exit code is 1 when there is a finding, 2 when the campaign
itself failed. It never touches data/warehouse/: everything is in a temporary folder
(``--work DIR`` to keep it).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import math
import multiprocessing
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEMO = ROOT / "data" / "demo"
NBS_XLS_FIXTURE = ROOT / "tests" / "fixtures" / "province_year" / "nbs_classic_gdp.xls"
MICRO = ("patents", "enterprises", "procurement")
KINDS = (*MICRO, "province_tidy", "province_nbs")
INVARIANTS = {
    "a": "outcome",
    "b": "warehouse",
    "c": "rows",
    "d": "values",
    "e": "message",
    "f": "time",
}
TIME_BOUND = 30.0  # seconds a load may take (invariant f)
HARD_LIMIT = 120.0  # seconds without an answer before the worker is killed
MESSAGE_BOUND = 10_000  # characters of a refusal message
# C0, DEL and C1 but TAB and newline: what pipelines.terminal.printable escapes (invariant e).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAFETY_NET = "please report this file"  # pipelines/warehouse/micro.py: the reader lost rows


# --- the seeds: valid files' content, from the demo -----------------------------------------


@dataclass
class Seed:
    """Valid rows a kind's files are made from, and which columns hold what."""

    label: str  # where the rows come from
    header: list[str]
    rows: list[list[str]]
    numeric: set[str]
    dates: set[str]
    provinces: set[str]


def read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, [row for row in reader if row]


def micro_seed(domain: str) -> Seed:
    from pipelines.warehouse.micro_contract import contract

    [path] = sorted((DEMO / domain).glob("*.csv.gz"))
    header, rows = read_csv_rows(path)
    columns = contract(domain)
    return Seed(
        label=path.relative_to(ROOT).as_posix(),
        header=header,
        rows=rows,
        numeric={c.name for c in columns if c.is_numeric},
        dates={c.name for c in columns if c.type == "DATE" or c.in_year_window},
        provinces={c.name for c in columns if c.is_province},
    )


def tidy_seeds() -> list[Seed]:
    """The demo's tidy CSVs (long), one seed each."""
    seeds = []
    for path in sorted((DEMO / "province_year").glob("*.csv")):
        header, rows = read_csv_rows(path)
        seeds.append(
            Seed(
                label=path.relative_to(ROOT).as_posix(),
                header=header,
                rows=rows,
                numeric={"value"},
                dates={"year", "release_date"},
                provinces={"province"},
            )
        )
    return seeds


def figures(path: Path, years: range) -> tuple[list[str], dict[tuple[str, str], str]]:
    """Provinces in file order and (province, year) -> value of a demo tidy file."""
    header, rows = read_csv_rows(path)
    at = {name: header.index(name) for name in ("province", "year", "value")}
    provinces, values = [], {}
    for row in rows:
        if int(row[at["year"]]) in years:
            province = row[at["province"]]
            if province not in provinces:
                provinces.append(province)
            values[(province, row[at["year"]])] = row[at["value"]]
    return provinces, values


def wide_seed() -> Seed:
    """province, year, gdp, population: a wide tidy table from two demo files."""
    years = range(2015, 2023)
    provinces, gdp = figures(DEMO / "province_year" / "nbs_gdp.csv", years)
    _, population = figures(DEMO / "province_year" / "nbs_population.csv", years)
    rows = [
        [p, str(y), gdp.get((p, str(y)), ""), population.get((p, str(y)), "")]
        for p in provinces
        for y in years
    ]
    return Seed(
        "wide table from data/demo/province_year/nbs_gdp.csv and nbs_population.csv",
        ["province", "year", "gdp (亿元)", "population (万人)"],
        rows,
        numeric={"gdp (亿元)", "population (万人)"},
        dates={"year"},
        provinces={"province"},
    )


def nbs_seed(source: str, label: str) -> Seed:
    """An NBS grid: 地区 and one column per year, newest first, from a demo tidy file."""
    years = range(2016, 2023)
    provinces, values = figures(DEMO / "province_year" / source, years)
    year_labels = [f"{y}年" for y in reversed(years)]
    rows = [[p, *(values.get((p, label[:-1]), "") for label in year_labels)] for p in provinces]
    return Seed(
        f"NBS {label} export built from data/demo/province_year/{source}",
        ["地区", *year_labels],
        rows,
        numeric=set(year_labels),
        dates=set(year_labels),
        provinces={"地区"},
    )


def load_seeds() -> dict[str, list[Seed]]:
    return {
        **{domain: [micro_seed(domain)] for domain in MICRO},
        "province_tidy": [*tidy_seeds(), wide_seed()],
        "province_nbs": [
            nbs_seed("nbs_gdp.csv", "classic"),
            nbs_seed("nbs_invention_grants.csv", "tab-comma"),
        ],
    }


# --- a file being made ------------------------------------------------------------------------


@dataclass
class Doc:
    """A table being mutated, then its bytes; ``steps`` says what was done, in order."""

    kind: str
    layout: str  # csv, tsv, csv.gz, parquet, parquet_typed, xlsx, nbs_classic, nbs_tabcomma, xls
    stem: str
    header: list[str]
    rows: list[list[str]]
    seed: Seed
    encoding: str = "utf-8"
    newline: str = "\n"
    writer: str = "csv"  # csv (quoted as needed), quote_all, naive (joined, nothing quoted)
    preamble: list[str] = field(default_factory=list)  # NBS label lines
    footer: list[str] = field(default_factory=list)  # NBS footnotes
    steps: list[str] = field(default_factory=list)

    def columns(self, names: set[str]) -> list[int]:
        """Indexes of the header's columns among ``names`` (any case, spaces ignored)."""
        wanted = {n.strip().casefold() for n in names}
        return [i for i, h in enumerate(self.header) if h.strip().casefold() in wanted]

    def cells(self, rng: random.Random, names: set[str], count: int) -> list[tuple[int, int]]:
        """Up to ``count`` (row, column) positions in the named columns (any, if none)."""
        columns = self.columns(names) or list(range(len(self.header)))
        if not self.rows or not columns:
            return []
        return [(rng.randrange(len(self.rows)), rng.choice(columns)) for _ in range(max(count, 1))]

    def set(self, row: int, column: int, value: str) -> None:
        cells = self.rows[row]
        cells.extend([""] * (column + 1 - len(cells)))
        cells[column] = value


CONTROL_SNIPPETS = [
    "\x1b[31m",
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "\x07",
    "\r",
    "\x00",
    "\x7f",
    "\x9b31m",
    "\x08\x08\x08",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\u2028",
    "\u202e",
    "\t",
]
NON_FINITE = [
    "1e400",
    "-1e400",
    "inf",
    "-inf",
    "+Infinity",
    "NaN",
    "nan",
    "-nan",
    "9" * 400,
    "-" + "9" * 400,
    "1.7976931348623159e308",
    "1e-400",
    "4.9e-324",
    "-0",
    "0x1p1024",
    "1_000",
    "１２３",
    "12,5",
    " NaN ",
    "1e",
    "٣",
]
DATES = [
    "0001-01-01",
    "1800-01-01",
    "1948-12-31",
    "2999-05-17",
    "9999-12-31",
    "2023-02-30",
    "2023-13-01",
    "-2023-01-01",
    "20230101",
    "2023/01/01",
    "99999999-01-01",
    "1800",
    "1948",
    "2999",
    "99999999999",
    "-1",
    "0",
    "2023.5",
    "２０２３",
    "1e3",
]
PROVINCES = [
    "全国",
    "北平",
    "火星省",
    "北京\u200b市",
    "ＢＥＩＪＩＮＧ",
    "beijing",
    "辽　宁",
    "华东",
    " ",
]
FORMULAS = ["=1+1", '=HYPERLINK("http://x","y")', "@SUM(A1)", "+A1", "-2+3", "=cmd|'/c calc'!A0"]
PLACEHOLDERS = ["—", "…", "-", "...", "待定", "N/A", "null", "NULL", "\\N", "#DIV/0!"]
ENCODINGS = ["gbk", "gb18030", "utf-16", "utf-16-be", "utf-32", "utf-8-sig", "big5", "cp1252"]


def _pick(rng: random.Random, values: list[str]) -> str:
    return rng.choice(values)


def m_control(rng: random.Random, doc: Doc) -> str:
    spots = doc.cells(rng, set(doc.header), rng.choice([1, 3, 20]))
    used = []
    for row, column in spots:
        snippet = _pick(rng, CONTROL_SNIPPETS)
        value = doc.rows[row][column] if column < len(doc.rows[row]) else ""
        at = rng.randint(0, len(value))
        doc.set(row, column, value[:at] + snippet + value[at:])
        used.append(snippet)
    if rng.random() < 0.3 and doc.header:
        column = rng.randrange(len(doc.header))
        doc.header[column] = doc.header[column] + "\x1b[1m"
        used.append("header \\x1b[1m")
    return f"control characters in {len(spots)} cells: {sorted(set(map(repr, used)))}"


def m_huge(rng: random.Random, doc: Doc) -> str:
    size = rng.choice([5_000, 100_000, 600_000, 1_100_000])
    filler = rng.choice(["x", "界", "9", "\u3000", '"'])
    [(row, column)] = doc.cells(rng, set(doc.header), 1) or [(None, None)]
    if row is None:
        return "huge field: no rows"
    doc.set(row, column, filler * (size // len(filler.encode("utf-8"))))
    return f"huge field: {size:,} bytes of {filler!r} in row {row + 1}, column {column + 1}"


def m_non_finite(rng: random.Random, doc: Doc) -> str:
    spots = doc.cells(rng, doc.seed.numeric, rng.choice([1, 4, 12]))
    values = [_pick(rng, NON_FINITE) for _ in spots]
    for (row, column), value in zip(spots, values, strict=True):
        doc.set(row, column, value)
    return f"numbers {sorted(set(v if len(v) < 20 else f'{len(v)} chars' for v in values))}"


def m_dates(rng: random.Random, doc: Doc) -> str:
    if doc.layout.startswith("nbs") or doc.layout == "xls":
        columns = doc.columns(doc.seed.dates)
        if columns:
            column = rng.choice(columns)
            label = rng.choice(["1800年", "2999年", "１９４８年", "0年", "2023年2023年", "年", ""])
            doc.header[column] = label
            return f"year header {label!r}"
    spots = doc.cells(rng, doc.seed.dates, rng.choice([1, 4, 12]))
    values = [_pick(rng, DATES) for _ in spots]
    for (row, column), value in zip(spots, values, strict=True):
        doc.set(row, column, value)
    return f"dates/years {sorted(set(values))}"


def m_repeat_column(rng: random.Random, doc: Doc) -> str:
    column = rng.randrange(len(doc.header))
    name = doc.header[column]
    twin = rng.choice([name, name.upper(), name.title(), f" {name.upper()} ", name + "\t"])
    doc.header.append(twin)
    for cells in doc.rows:
        cells.append(cells[column] if column < len(cells) else "")
    return f"column {name!r} repeated as {twin!r}"


def m_rename_column(rng: random.Random, doc: Doc) -> str:
    column = rng.randrange(len(doc.header))
    name = doc.header[column]
    full_width = name.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    new = rng.choice(
        [name.upper(), name.title(), name + "_x", full_width, "\ufeff" + name, "", " ", "名称"]
    )
    doc.header[column] = new
    return f"column {name!r} renamed {new!r}"


def m_drop_column(rng: random.Random, doc: Doc) -> str:
    if len(doc.header) < 2:
        return "drop column: too few"
    column = rng.randrange(len(doc.header))
    name = doc.header.pop(column)
    for cells in doc.rows:
        if column < len(cells):
            cells.pop(column)
    return f"column {name!r} dropped"


def m_extra_columns(rng: random.Random, doc: Doc) -> str:
    count = rng.choice([1, 3, 1_001 - len(doc.header) + rng.randint(0, 5)])
    names = [
        rng.choice(["remark", "备注", "x\x07y", "", f"extra_{i}"]) + str(i) for i in range(count)
    ]
    doc.header.extend(names)
    for cells in doc.rows:
        cells.extend(rng.choice(["", "1", "某某"]) for _ in range(count))
    return f"{count:,} extra columns"


def m_shuffle_columns(rng: random.Random, doc: Doc) -> str:
    order = list(range(len(doc.header)))
    rng.shuffle(order)
    doc.header = [doc.header[i] for i in order]
    doc.rows = [[cells[i] if i < len(cells) else "" for i in order] for cells in doc.rows]
    return "columns shuffled"


def m_ragged(rng: random.Random, doc: Doc) -> str:
    if not doc.rows:
        return "ragged rows: no rows"
    count = rng.choice([1, 5])
    for _ in range(count):
        cells = rng.choice(doc.rows)
        if rng.random() < 0.5 and cells:
            cells.pop()
        else:
            cells.append(rng.choice(["", "多余", "1"]))
    return f"{count} ragged rows"


def m_duplicates(rng: random.Random, doc: Doc) -> str:
    if not doc.rows:
        return "duplicate rows: no rows"
    count = rng.choice([1, 5, 50])
    for _ in range(count):
        copy = list(rng.choice(doc.rows))
        numeric = doc.columns(doc.seed.numeric)
        if numeric and rng.random() < 0.5:
            at = rng.choice(numeric)
            if at < len(copy):
                copy[at] = str(rng.randint(0, 10**6))
        doc.rows.insert(rng.randint(0, len(doc.rows)), copy)
    return f"{count} duplicated rows (same key)"


def m_empty_cells(rng: random.Random, doc: Doc) -> str:
    spots = doc.cells(rng, set(doc.header), rng.choice([1, 5, 30]))
    for row, column in spots:
        doc.set(row, column, rng.choice(["", " ", "\u3000", '""']))
    return f"{len(spots)} empty cells"


def m_province(rng: random.Random, doc: Doc) -> str:
    spots = doc.cells(rng, doc.seed.provinces, rng.choice([1, 5]))
    values = [_pick(rng, PROVINCES) for _ in spots]
    for (row, column), value in zip(spots, values, strict=True):
        doc.set(row, column, value)
    return f"provinces {sorted(set(values))}"


def m_formula(rng: random.Random, doc: Doc) -> str:
    spots = doc.cells(rng, set(doc.header), rng.choice([1, 4]))
    values = [_pick(rng, FORMULAS + PLACEHOLDERS) for _ in spots]
    for (row, column), value in zip(spots, values, strict=True):
        doc.set(row, column, value)
    return f"formulas/placeholders {sorted(set(values))}"


def m_header(rng: random.Random, doc: Doc) -> str:
    choice = rng.choice(["header only", "no header", "header twice", "no rows, no header"])
    if choice == "header only":
        doc.rows = []
    elif choice == "no header" and doc.rows:
        doc.header = doc.rows.pop(0)
    elif choice == "header twice" and doc.rows:
        doc.rows.insert(rng.randrange(len(doc.rows)), list(doc.header))
    else:
        doc.header, doc.rows = [""], []
    return choice


def m_labels(rng: random.Random, doc: Doc) -> str:
    """NBS: the 指标 line and the footnotes."""
    choice = rng.choice(
        [
            "指标：不存在的指标(亿元)",
            "指标：神秘指标",
            "指标：地区生产总值(亿元/人\x1b[0m)",
            "指标：",
            "指标：地区生产总值(万亿元)",
            None,
        ]
    )
    doc.preamble = [line for line in doc.preamble if not line.startswith("指标")]
    if choice is not None:
        doc.preamble.insert(1, choice)
    if rng.random() < 0.5:
        doc.footer.append(
            rng.choice(["注：\x1b[31m红字\x1b[0m", "注：" + "长" * 50_000, "数据来源：\x00"])
        )
    return f"labels: 指标 line {choice!r}, footer {doc.footer[-1][:20]!r}"


def m_encoding(rng: random.Random, doc: Doc) -> str:
    doc.encoding = rng.choice(ENCODINGS)
    return f"encoded as {doc.encoding}"


def m_writer(rng: random.Random, doc: Doc) -> str:
    doc.writer = rng.choice(["quote_all", "naive", "naive"])
    doc.newline = rng.choice(["\n", "\r\n", "\r"])
    return f"written {doc.writer}, line end {doc.newline!r}"


TABLE_MUTATIONS: list[tuple[Callable[[random.Random, Doc], str], int]] = [
    (m_control, 8),
    (m_huge, 2),
    (m_non_finite, 8),
    (m_dates, 7),
    (m_repeat_column, 2),
    (m_rename_column, 2),
    (m_drop_column, 1),
    (m_extra_columns, 2),
    (m_shuffle_columns, 2),
    (m_ragged, 2),
    (m_duplicates, 3),
    (m_empty_cells, 3),
    (m_province, 4),
    (m_formula, 3),
    (m_header, 1),
    (m_encoding, 2),
    (m_writer, 3),
]


# --- bytes ------------------------------------------------------------------------------------


def line_starts(data: bytes) -> list[int]:
    return [0] + [m.end() for m in re.finditer(rb"\n", data)][:-1]


def b_empty_lines(rng: random.Random, data: bytes, doc: Doc) -> tuple[bytes, str]:
    run = rng.choice([1, 3, 100, 5_000, 300_000])
    filler = rng.choice([b"\n", b"\r\n", b"   \n", b",,,,\n", b"\t\n"])
    starts = line_starts(data)
    at = rng.choice(starts[1:] or starts)
    return data[:at] + filler * run + data[at:], f"{run:,} lines of {filler!r} at byte {at}"


def b_line_ends(rng: random.Random, data: bytes, doc: Doc) -> tuple[bytes, str]:
    choice = rng.choice(["crlf", "cr", "mixed"])
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if choice == "crlf":
        return b"\r\n".join(lines), "CRLF line ends"
    if choice == "cr":
        return b"\r".join(lines), "CR line ends"
    out = lines[0]
    for line in lines[1:]:
        out += rng.choice([b"\n", b"\r\n", b"\r", b"\n\r"]) + line
    return out, "mixed line ends"


def b_bom(rng: random.Random, data: bytes, doc: Doc) -> tuple[bytes, str]:
    mark = rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"])
    spots = sorted(
        rng.choice(line_starts(data)) if rng.random() < 0.6 else rng.randint(0, len(data))
        for _ in range(rng.choice([1, 3]))
    )
    for at in reversed(spots):
        data = data[:at] + mark + data[at:]
    return data, f"byte-order mark {mark!r} at bytes {spots}"


def b_nul(rng: random.Random, data: bytes, doc: Doc) -> tuple[bytes, str]:
    at = rng.randint(0, len(data))
    run = rng.choice([1, 8, 4096])
    return data[:at] + b"\x00" * run + data[at:], f"{run} NUL bytes at byte {at}"


def b_flip(rng: random.Random, data: bytes, doc: Doc) -> tuple[bytes, str]:
    if not data:
        return data, "flip: empty"
    out = bytearray(data)
    spots = sorted(rng.randrange(len(out)) for _ in range(rng.choice([1, 4, 32])))
    for at in spots:
        out[at] ^= rng.randint(1, 255)
    return bytes(out), f"{len(spots)} bytes flipped (first at {spots[0]})"


def b_truncate(rng: random.Random, data: bytes, doc: Doc) -> tuple[bytes, str]:
    at = rng.randint(1, max(1, len(data) - 1))
    return data[:at], f"truncated at byte {at} of {len(data)}"


def b_quote(rng: random.Random, data: bytes, doc: Doc) -> tuple[bytes, str]:
    starts = [m.end() for m in re.finditer(rb"[,\n\t]", data)] or [0]
    at = rng.choice(starts)
    quote = rng.choice([b'"', b'"""', b'"x"y'])
    return data[:at] + quote + data[at:], f"unbalanced quote {quote!r} at byte {at}"


def b_delimiter(rng: random.Random, data: bytes, doc: Doc) -> tuple[bytes, str]:
    new = rng.choice([b";", b"\t", b"|", b"\xef\xbc\x8c"])  # the last is a full-width comma
    return data.replace(b",", new), f"delimiter {new!r}"


def b_bad_utf8(rng: random.Random, data: bytes, doc: Doc) -> tuple[bytes, str]:
    junk = rng.choice(
        [b"\xc0\xaf", b"\xed\xa0\x80", b"\x80", b"\xff", b"\xe7\x95", b"\xf4\x90\x80\x80"]
    )
    at = rng.randint(0, len(data))
    return data[:at] + junk + data[at:], f"invalid UTF-8 {junk!r} at byte {at}"


def b_tail(rng: random.Random, data: bytes, doc: Doc) -> tuple[bytes, str]:
    choice = rng.choice(["no final newline", "junk tail", "long last line"])
    if choice == "no final newline":
        return data.rstrip(b"\r\n"), choice
    if choice == "junk tail":
        return data + bytes(rng.randrange(256) for _ in range(64)), choice
    return data + b"y" * 2_100_000, "a last line of 2.1 MB without a line end"


TEXT_BYTE_MUTATIONS = [
    (b_empty_lines, 3),
    (b_line_ends, 2),
    (b_bom, 3),
    (b_nul, 2),
    (b_flip, 3),
    (b_truncate, 3),
    (b_quote, 3),
    (b_delimiter, 1),
    (b_bad_utf8, 2),
    (b_tail, 1),
]
BINARY_BYTE_MUTATIONS = [(b_flip, 4), (b_truncate, 3), (b_nul, 1), (b_tail, 1), (b_bom, 1)]


def weighted(rng: random.Random, choices: list[tuple[Callable, int]]) -> Callable:
    functions, weights = zip(*choices, strict=True)
    return rng.choices(functions, weights=weights)[0]


# --- serialising ------------------------------------------------------------------------------


def cell_value(text: str) -> float | str:
    """A workbook cell: a number when the text is a finite one, else the text (cut to Excel's
    32,767 characters)."""
    try:
        value = float(text)
    except ValueError:
        return text[:32767]
    return value if abs(value) < 1e300 else text[:32767]


def csv_text(doc: Doc, delimiter: str = ",") -> str:
    lines = [doc.header, *doc.rows]
    if doc.writer == "naive":
        return "".join(delimiter.join(cells) + doc.newline for cells in lines)
    out = io.StringIO()
    quoting = csv.QUOTE_ALL if doc.writer == "quote_all" else csv.QUOTE_MINIMAL
    csv.writer(out, delimiter=delimiter, lineterminator=doc.newline, quoting=quoting).writerows(
        lines
    )
    return out.getvalue()


def encode(text: str, encoding: str) -> bytes:
    if encoding in ("utf-8", "utf-8-sig"):
        return text.encode(encoding, errors="surrogatepass")
    return text.encode(encoding, errors="replace")


def xlsx_bytes(doc: Doc) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "分省年度数据" if doc.layout.startswith("nbs") else "Sheet1"
    for line in doc.preamble:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", line)])
    for cells in [doc.header, *doc.rows]:
        sheet.append([cell_value(ILLEGAL_CHARACTERS_RE.sub("", c)) for c in cells])
    for line in doc.footer:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", line)[:32767]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parquet_bytes(doc: Doc, typed: bool) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = []
    for index, name in enumerate(doc.header):
        values = [cells[index] if index < len(cells) else None for cells in doc.rows]
        array = pa.array(values, type=pa.string())
        if typed and name in doc.seed.numeric:
            numbers = [None if v in (None, "") else as_float(v) for v in values]
            if all(n is None or isinstance(n, float) for n in numbers):
                array = pa.array(numbers, type=pa.float64())
        elif typed and name in doc.seed.dates and name != "year":
            parsed = [None if v in (None, "") else as_date(v) for v in values]
            if all(d is None or isinstance(d, date) for d in parsed):
                array = pa.array(parsed, type=pa.date32())
        columns.append(array)
    table = pa.Table.from_arrays(columns, names=doc.header)
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def as_float(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def as_date(text: str) -> date | str:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def nbs_text(doc: Doc) -> str:
    if doc.layout == "nbs_tabcomma":
        lines = [
            *doc.preamble,
            *("".join(f"{c}\t," for c in cells) for cells in [doc.header, *doc.rows]),
            *doc.footer,
        ]
        return "\ufeff" + "\n".join(lines) + "\n"
    grid = [
        *([line] for line in doc.preamble),
        doc.header,
        *doc.rows,
        *([line] for line in doc.footer),
    ]
    if doc.writer == "naive":
        return "".join(",".join(cells) + doc.newline for cells in grid)
    out = io.StringIO()
    csv.writer(out, lineterminator=doc.newline).writerows(grid)
    return out.getvalue()


def serialise(doc: Doc) -> tuple[bytes, str]:
    """The doc's bytes and file suffix."""
    if doc.layout in ("csv", "tsv", "csv.gz"):
        text = csv_text(doc, "\t" if doc.layout == "tsv" else ",")
        data = encode(text, doc.encoding)
        if doc.layout == "csv.gz":
            return gzip.compress(data, mtime=0), ".csv.gz"
        return data, f".{doc.layout}"
    if doc.layout.startswith("parquet"):
        return parquet_bytes(doc, typed=doc.layout == "parquet_typed"), ".parquet"
    if doc.layout.endswith("xlsx"):
        return xlsx_bytes(doc), ".xlsx"
    if doc.layout == "xls":
        return NBS_XLS_FIXTURE.read_bytes(), ".xls"
    if doc.layout.startswith("nbs"):
        encoding = doc.encoding
        if doc.layout == "nbs_classic" and encoding == "utf-8":
            encoding = "gb18030"
        return encode(nbs_text(doc), encoding), ".csv"
    return encode(csv_text(doc), doc.encoding), ".csv"


def container_swap(
    rng: random.Random, doc: Doc, data: bytes, suffix: str
) -> tuple[bytes, str, str]:
    """Files that are not what their suffix says."""
    micro = doc.kind in MICRO
    choice = rng.choice(
        [
            "workbook",
            "zip",
            "ole2",
            "html",
            "gzip",
            "empty",
            "one byte",
            "pdf",
        ]
        + (
            ["parquet as csv", "csv as parquet", "plain text as .csv.gz"]
            if micro
            else ["csv as xlsx"]
        )
    )
    target = rng.choice(
        [".csv", ".tsv", ".parquet", ".csv.gz"] if micro else [".csv", ".xls", ".xlsx"]
    )
    if choice == "workbook":
        return xlsx_bytes(doc), target, f"an .xlsx workbook named {target}"
    if choice == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("readme.txt", "not a workbook\n")
            archive.writestr("xl/workbook.xml", "<workbook><sheets/></workbook>")
        return out.getvalue(), target, f"a zip that is not a workbook, named {target}"
    if choice == "ole2":
        return (
            OLE2 + bytes(rng.randrange(256) for _ in range(4096)),
            target,
            f"OLE2 header and junk, named {target}",
        )
    if choice == "html":
        body = "".join(
            f"<tr>{''.join(f'<td>{c}</td>' for c in cells)}</tr>"
            for cells in [doc.header, *doc.rows[:20]]
        )
        return (
            f"<html><body><table>{body}</table></body></html>".encode(),
            target,
            f"an HTML table named {target}",
        )
    if choice == "gzip":
        return gzip.compress(data, mtime=0), target, f"gzip of the file named {target}"
    if choice == "empty":
        return b"", target, f"an empty file named {target}"
    if choice == "one byte":
        return b'"', target, f"one quote byte named {target}"
    if choice == "pdf":
        return (
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
            target,
            f"a PDF header named {target}",
        )
    if choice == "parquet as csv":
        return parquet_bytes(doc, typed=False), ".csv", "a Parquet file named .csv"
    if choice == "csv as parquet":
        return encode(csv_text(doc), "utf-8"), ".parquet", "a CSV named .parquet"
    if choice == "plain text as .csv.gz":
        return encode(csv_text(doc), "utf-8"), ".csv.gz", "plain CSV named .csv.gz"
    return encode(csv_text(doc), "utf-8"), ".xlsx", "a CSV named .xlsx"


# --- making one file --------------------------------------------------------------------------


@dataclass
class Spec:
    kind: str
    index: int
    name: str
    description: str


def layout_for(rng: random.Random, kind: str) -> str:
    if kind in MICRO:
        return rng.choices(["csv", "tsv", "csv.gz", "parquet", "parquet_typed"], [10, 2, 3, 2, 2])[
            0
        ]
    if kind == "province_tidy":
        return rng.choices(["csv", "tidy_xlsx"], [5, 1])[0]
    return rng.choices(["nbs_classic", "nbs_tabcomma", "nbs_xlsx", "xls"], [4, 3, 2, 1])[0]


def new_doc(rng: random.Random, kind: str, seeds: dict[str, list[Seed]]) -> Doc:
    layout = layout_for(rng, kind)
    if kind == "province_nbs":
        seed = seeds[kind][1] if layout == "nbs_tabcomma" else seeds[kind][0]
    else:
        seed = rng.choice(seeds[kind])
    count = min(len(seed.rows), rng.choice([1, 3, 10, 40, 150, 400, 5_000]))
    if kind == "province_nbs":
        rows = [list(r) for r in seed.rows]  # an export always lists every area
    else:
        rows = [list(seed.rows[i]) for i in sorted(rng.sample(range(len(seed.rows)), count))]
    stem = kind
    preamble: list[str] = []
    footer: list[str] = []
    # Named as nbs_file_metrics.csv maps them (the demo's vintage: same figures store nothing,
    # other figures conflict), or not (the vintage is the file's own: the figures are stored).
    mapped = rng.random() < 0.4
    if layout == "nbs_tabcomma":
        stem = "invention_patent_grants" if mapped else "nbs_invention_grants"
        preamble = ["数据库：分省年度数据 ", "时间：2016年-2022年 "]
        if not mapped:
            preamble.insert(1, "指标：国内发明专利申请授权量(件) ")
        footer = ["数据来源：国家统计局"]
    elif layout in ("nbs_classic", "nbs_xlsx"):
        stem = "gdp_100m_yuan" if mapped else "nbs_gdp"
        preamble = ["数据库：分省年度数据", "指标：地区生产总值(亿元)", "时间：2016年-2022年"]
        footer = ["注：1.本表按当年价格计算。\n2.2019年数据为修订后数据。", "数据来源：国家统计局"]
    elif kind == "province_tidy":
        stem = Path(seed.label).stem if not seed.label.startswith("wide") else "wide_2015"
        if "vintage" in seed.header and not mapped:
            at = seed.header.index("vintage")
            vintage = f"fuzz release {rng.randrange(10**6)}"
            for cells in rows:
                cells[at] = vintage
    return Doc(
        kind,
        layout,
        stem,
        list(seed.header),
        rows,
        seed,
        encoding="utf-8",
        newline="\r\n" if layout == "nbs_classic" else "\n",
        preamble=preamble,
        footer=footer,
        steps=[f"{layout} from {seed.label}, {len(rows)} rows"],
    )


def make_file(kind: str, index: int, seed: int, seeds: dict[str, list[Seed]], folder: Path) -> Spec:
    """File ``index`` of ``kind``: the same bytes for the same ``seed``, whatever else runs."""
    rng = random.Random(f"{seed}:{kind}:{index}")
    doc = new_doc(rng, kind, seeds)
    if doc.layout != "xls":
        for _ in range(rng.choice([1, 1, 2, 3])):
            mutation = weighted(rng, TABLE_MUTATIONS)
            if mutation is m_encoding and (
                doc.layout.startswith("parquet") or doc.layout.endswith("xlsx")
            ):
                continue
            doc.steps.append(mutation(rng, doc))
        if kind == "province_nbs" and rng.random() < 0.3:
            doc.steps.append(m_labels(rng, doc))
    data, suffix = serialise(doc)
    binary = (
        doc.layout.startswith("parquet")
        or doc.layout.endswith("xls")
        or doc.layout.endswith("xlsx")
        or doc.layout == "csv.gz"
    )
    mutations = BINARY_BYTE_MUTATIONS if binary else TEXT_BYTE_MUTATIONS
    times = rng.choice([0, 0, 0, 0, 1, 2] if not binary else [0, 0, 1])
    for _ in range(max(times, doc.layout == "xls")):  # the .xls fixture is always damaged
        data, step = weighted(rng, mutations)(rng, data, doc)
        doc.steps.append(step)
    if rng.random() < 0.06:
        data, suffix, step = container_swap(rng, doc, data, suffix)
        doc.steps.append(step)
    name = f"{doc.stem}_{index:04d}{suffix}"
    path = folder / kind / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    description = f"{kind}#{index} {name} ({len(data):,} bytes): " + "; ".join(doc.steps)
    return Spec(kind, index, name, description)


# --- the worker: loads and checks, one file at a time ----------------------------------------


def build_base(path: Path) -> dict[str, int]:
    """The demo loaded: every micro extract and province-year table of data/demo."""
    import duckdb

    from pipelines.warehouse.micro import load_micro_files
    from pipelines.warehouse.province_year import load_province_year_files

    with duckdb.connect(str(path)) as conn:
        for domain in MICRO:
            load_micro_files(conn, domain, sorted((DEMO / domain).glob("*.csv.gz")))
        load_province_year_files(conn, sorted((DEMO / "province_year").glob("*.csv")))
        return dict(
            conn.execute(
                "select schema_name || '.' || table_name, estimated_size from duckdb_tables()"
                " where not temporary"
            ).fetchall()
        )


def tables(conn) -> list[tuple[str, bool]]:
    """(table, has a file_sha256 column) for every user table."""
    rows = conn.execute(
        "select t.schema_name || '.' || t.table_name,"
        " bool_or(c.column_name = 'file_sha256')"
        " from duckdb_tables() t join duckdb_columns() c"
        " on c.table_oid = t.table_oid where not t.temporary group by 1 order by 1"
    ).fetchall()
    return [(name, bool(has)) for name, has in rows]


def checksums(conn, leave_out_sha: str | None = None) -> dict[str, tuple[int, int]]:
    """table -> (rows, sum of row hashes); with ``leave_out_sha``, that file's rows left out."""
    out = {}
    for table, has_sha in tables(conn):
        where = ""
        params: list = []
        if leave_out_sha and has_sha:
            where, params = " where file_sha256 is distinct from ?", [leave_out_sha]
        rows, total = conn.execute(
            f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {table} t{where}", params
        ).fetchall()[0]
        out[table] = (rows, int(total))
    return out


def count_data_rows(text: str, delimiter: str) -> int:
    """Data rows of a CSV by the rules of docs/loading.md, written again here: a record ends at
    a line break (LF, or CR LF) outside quotes; a quote opens a quoted field only at a field's
    start, where ``""`` is a quote and ``"`` closes it; an empty line is not a record; the
    first record is the header."""
    special = re.compile('["\n' + re.escape(delimiter) + "]")
    START, FIELD, QUOTED, QUOTE_IN_QUOTED = range(4)
    state, records, record_start, previous = START, 0, 0, -1
    for match in special.finditer(text):
        at, char = match.start(), match.group()
        if at > previous + 1:  # ordinary characters since the last special one
            state = {START: FIELD, QUOTE_IN_QUOTED: FIELD}.get(state, state)
        previous = at
        if state == QUOTED:
            state = QUOTE_IN_QUOTED if char == '"' else QUOTED
        elif char == '"':
            state = QUOTED if state in (START, QUOTE_IN_QUOTED) else FIELD
        elif char == delimiter:
            state = START
        else:  # a line break outside quotes
            if text[record_start:at] not in ("", "\r"):
                records += 1
            state, record_start = START, at + 1
    if text[record_start:] not in ("", "\r"):
        records += 1
    return max(records - 1, 0)


def rows_in_file(path: Path) -> tuple[int | None, str]:
    """The file's data rows counted without the project's code, or None and why not."""
    data = path.read_bytes()
    name = path.name.lower()
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        try:
            return pq.read_metadata(io.BytesIO(data)).num_rows, "Parquet footer"
        except Exception as error:  # noqa: BLE001 - a file the loader read but pyarrow cannot
            return None, f"pyarrow cannot read the footer: {error}"
    if name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except Exception as error:  # noqa: BLE001
            return None, f"cannot gunzip: {error}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, f"loaded, but not UTF-8: {error}"
    text = text.removeprefix("\ufeff")
    return count_data_rows(text, "\t" if name.endswith(".tsv") else ","), "bytes"


def characters_of_file(path: Path) -> tuple[set[str] | None, bool]:
    """(the control characters the file holds, read any way it can be read, or None when any
    may be in it; whether U+FFFD is in it as a character)."""
    data = path.read_bytes()
    texts: list[str] = []
    strict: list[str] = []
    blobs = [data]
    if data[:2] == b"\x1f\x8b":
        try:
            blobs.append(gzip.decompress(data))
        except Exception:  # noqa: BLE001
            pass
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for entry in archive.infolist():
                    if entry.file_size < 64 << 20:
                        inner = archive.read(entry)
                        blobs.append(inner)
                        text = inner.decode("utf-8", errors="replace")
                        texts.append(
                            re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)
                        )
        except Exception:  # noqa: BLE001
            pass
    if data.startswith(OLE2) or path.name.lower().endswith(".parquet"):
        return None, True  # strings inside a BIFF stream or compressed pages
    for blob in blobs:
        for encoding in ("utf-8", "gb18030", "utf-16", "utf-16-be", "utf-32"):
            texts.append(blob.decode(encoding, errors="replace"))
            try:
                strict.append(blob.decode(encoding))
            except UnicodeDecodeError:
                pass
    controls = set()
    for text in texts:
        controls.update(ANY_CONTROL.findall(text))
    return controls, any("\ufffd" in text for text in strict)


def stored_rows(conn, table: str, sha: str) -> tuple[list[str], list[tuple]]:
    result = conn.execute(f"select * from {table} where file_sha256 = ?", [sha])
    names = [d[0] for d in result.description]
    return names, result.fetchall()


def column_types(conn, table: str) -> dict[str, str]:
    schema, name = table.split(".")
    return dict(
        conn.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    )


@dataclass
class Record:
    kind: str
    index: int
    name: str
    outcome: str = ""  # loaded | unchanged | refused | error | died | hung
    seconds: float = 0.0
    rows: int = 0
    quarantined: int = 0
    message: str = ""
    findings: list[tuple[str, str]] = field(default_factory=list)
    rss_kb: int = 0


def check_values(conn, domain: str, path: Path, sha: str, record: Record) -> None:
    """(d): characters the file does not hold, non-finite doubles, years outside the window."""
    from pipelines.years import data_years

    first, last = data_years()
    allowed, file_has_fffd = characters_of_file(path)

    def found(what: str) -> None:
        record.findings.append(("d", what))

    for table in (f"raw.{domain}", f"quarantine.{domain}", "raw.load_log"):
        types = column_types(conn, table)
        names, rows = stored_rows(conn, table, sha)
        windowed = table == f"raw.{domain}"
        for row in rows:
            for column, value in zip(names, row, strict=True):
                kind, where = types[column], f"{table}.{column}"
                if isinstance(value, str):
                    extra = set(ANY_CONTROL.findall(value)) - (allowed or set())
                    if extra and allowed is not None:
                        found(f"{where} holds {sorted(extra)}, not in the file: {value[:80]!r}")
                    if "\ufffd" in value and not file_has_fffd:
                        found(f"{where} holds U+FFFD, not in the file: {value[:80]!r}")
                elif kind in ("DOUBLE", "FLOAT") and value is not None:
                    if not math.isfinite(value):
                        found(f"{where} holds {value}")
                elif windowed and kind == "DATE" and value is not None:
                    if not first <= value.year <= last:
                        found(f"{where} holds the date {value}")
                if windowed and column == "year" and kind == "INTEGER" and value is not None:
                    if not first <= value <= last:
                        found(f"{where} holds the year {value}")


def check_rows(conn, domain: str, path: Path, load, record: Record) -> None:
    """(c): rows in the file = rows stored = rows reported."""
    from pipelines.warehouse.loads import scalar

    def found(what: str) -> None:
        record.findings.append(("c", what))

    sha = load.file_sha256
    reported = (load.rows, load.rows_quarantined)
    in_raw = scalar(conn, f"select count(*) from raw.{domain} where file_sha256 = ?", [sha])
    in_quarantine = scalar(
        conn, f"select count(*) from quarantine.{domain} where file_sha256 = ?", [sha]
    )
    logged = conn.execute(
        "select rows_loaded, rows_quarantined from raw.load_log"
        " where domain = ? and file_sha256 = ?",
        [domain, sha],
    ).fetchall()
    if logged != [reported]:
        found(f"the load log holds {logged}, the load reported {reported}")
    # province_year: rows = values loaded; a quarantine row may withhold several values
    if (in_raw, in_quarantine) != reported:
        found(f"stored {in_raw} + {in_quarantine} rows, the load reported {reported}")
    if domain == "province_year":
        return
    expected, how = rows_in_file(path)
    if expected is None:
        found(f"loaded {in_raw} + {in_quarantine} rows; {how}")
    elif expected != in_raw + in_quarantine:
        found(f"{expected} data rows ({how}), {in_raw} loaded + {in_quarantine} quarantined")


def check_message(message: str, name: str, record: Record) -> None:
    """(e)."""
    if name not in message:
        record.findings.append(("e", f"the refusal does not name {name}: {message[:200]!r}"))
    controls = sorted(set(CONTROL.findall(message)))
    if controls:
        record.findings.append(
            ("e", f"raw control characters {controls} in the refusal: {message[:300]!r}")
        )
    if len(message) > MESSAGE_BOUND:
        record.findings.append(("e", f"the refusal is {len(message):,} characters long"))


def load_one(conn, domain: str, path: Path):
    from pipelines.warehouse.micro import load_micro_files
    from pipelines.warehouse.province_year import load_province_year_files

    if domain == "province_year":
        return load_province_year_files(conn, [path])
    return load_micro_files(conn, domain, [path])


def check_file(conn, domain: str, path: Path, record: Record):
    """Load ``path`` and check (a)-(f); the connection to use next (a new one if the load
    left this one unusable)."""
    import duckdb

    from pipelines.warehouse.loads import LoadError

    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    before = checksums(conn)
    before_but_the_file = checksums(conn, leave_out_sha=sha)
    started = time.monotonic()
    load = None
    try:
        [load] = load_one(conn, domain, path)
        record.outcome = "loaded" if load.status == "loaded" else load.status
    except LoadError as error:
        record.outcome = "refused"
        record.message = str(error)
    except Exception as error:  # noqa: BLE001 - (a): anything but a refusal is a finding
        record.outcome = "error"
        frames = traceback.extract_tb(error.__traceback__)
        ours = [f for f in frames if f"{os.sep}pipelines{os.sep}" in f.filename]
        where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in [frames[-1], *ours[-1:]])
        what = f"{type(error).__module__}.{type(error).__name__}".removeprefix("builtins.")
        record.findings.append(("a", f"{what} at {where}: {str(error)[:300]!r}"))
    record.seconds = time.monotonic() - started
    if record.seconds > TIME_BOUND:
        record.findings.append(("f", f"took {record.seconds:.1f} s"))
    try:
        conn.execute("begin transaction")
        conn.execute("rollback")
    except duckdb.Error as error:
        record.findings.append(("a", f"the connection is unusable after the load: {error}"[:300]))
        conn.close()
        conn = duckdb.connect(os.environ["FUZZ_WAREHOUSE"])
    if load is None or load.status != "loaded":
        after = checksums(conn)
        if after != before:
            changed = [t for t in sorted(set(after) | set(before)) if after.get(t) != before.get(t)]
            record.findings.append(
                ("b", f"the warehouse changed although nothing loaded: {changed}")
            )
        if record.outcome == "refused":
            check_message(record.message, path.name, record)
        return conn
    record.rows, record.quarantined = load.rows, load.rows_quarantined
    after = checksums(conn, leave_out_sha=sha)
    if after != before_but_the_file:
        changed = [t for t in sorted(set(after) | set(before)) if after.get(t) != before.get(t)]
        record.findings.append(("b", f"tables changed beyond the file's own rows: {changed}"))
    if load.file_sha256 != sha:
        record.findings.append(("c", f"the load logged sha256 {load.file_sha256}, not {sha}"))
    check_rows(conn, domain, path, load, record)
    check_values(conn, domain, path, sha, record)
    return conn


def peak_rss_kb() -> int:
    """The worker's peak resident set since the last :func:`reset_peak_rss` (VmHWM;
    ru_maxrss would carry over the parent's peak from before the worker's exec)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak_rss() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM back to the current RSS
    except OSError:
        pass  # the peaks are then the worker's peak so far


def worker(pipe, base: str, warehouse: str, log: str) -> None:
    """Copy the base warehouse, then load and check each file the pipe sends. What the
    libraries print (xlrd's warnings about damaged workbooks) goes to ``log``."""
    import duckdb

    with open(log, "a") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
    shutil.copy(base, warehouse)
    os.environ["FUZZ_WAREHOUSE"] = warehouse
    conn = duckdb.connect(warehouse)
    pipe.send("ready")
    while (job := pipe.recv()) is not None:
        if job == "reset peak":
            reset_peak_rss()
            continue
        kind, index, name, path = job
        record = Record(kind, index, name)
        domain = kind if kind in MICRO else "province_year"
        try:
            conn = check_file(conn, domain, Path(path), record)
        except Exception:  # noqa: BLE001 - the campaign's own bug: say so, do not blame the file
            record.outcome = "campaign error"
            record.message = traceback.format_exc()
        record.rss_kb = peak_rss_kb()
        pipe.send(record)
    conn.close()


class Loader:
    """The worker process, started again (on a fresh copy of the base) when one dies or hangs."""

    def __init__(self, base: Path, work: Path):
        self.context = multiprocessing.get_context("spawn")
        self.base, self.warehouse, self.log = base, work / "warehouse.duckdb", work / "worker.log"
        self.process = None
        self.start()

    def start(self) -> None:
        self.warehouse.unlink(missing_ok=True)
        Path(f"{self.warehouse}.wal").unlink(missing_ok=True)
        self.pipe, child = self.context.Pipe()
        arguments = (child, str(self.base), str(self.warehouse), str(self.log))
        self.process = self.context.Process(target=worker, args=arguments)
        self.process.start()
        child.close()
        if not self.pipe.poll(HARD_LIMIT) or self.pipe.recv() != "ready":
            raise RuntimeError(f"the worker did not start (see {self.log})")

    def reset_peak(self) -> None:
        self.pipe.send("reset peak")

    def run(self, spec: Spec, path: Path) -> Record:
        started = time.monotonic()
        self.pipe.send((spec.kind, spec.index, spec.name, str(path)))
        try:
            if self.pipe.poll(HARD_LIMIT):
                return self.pipe.recv()
        except (EOFError, OSError):
            pass
        seconds = time.monotonic() - started
        self.process.kill()
        self.process.join()
        dead = Record(spec.kind, spec.index, spec.name, seconds=seconds)
        if seconds >= HARD_LIMIT:
            dead.outcome = "hung"
            dead.findings.append(("f", f"no answer after {seconds:.0f} s: the worker was killed"))
        else:
            dead.outcome = "died"
            code = self.process.exitcode
            dead.findings.append(("a", f"the loading process died (exit code {code})"))
        self.start()
        return dead

    def stop(self) -> None:
        if self.process.is_alive():
            self.pipe.send(None)
            self.process.join(30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


# --- the campaign -----------------------------------------------------------------------------


def reproduce(spec: Spec, seed: int) -> str:
    only = f"{spec.kind}:{spec.index}"
    return f".venv/bin/python benchmarks/fuzz_campaign.py --seed {seed} --only {only}"


def summary(records: list[Record], kinds: list[str]) -> list[str]:
    lines = [
        "| kind | files | loaded | refused | "
        + " | ".join(f"{k} {v}" for k, v in INVARIANTS.items())
        + " | p50 s | max s | peak RSS MB |",
        "|---" * (7 + len(INVARIANTS)) + "|",
    ]
    groups = [(kind, [r for r in records if r.kind == kind]) for kind in kinds]
    groups.append(("all", records))
    for kind, mine in groups:
        if not mine:
            continue
        seconds = [r.seconds for r in mine]
        found = {k: sum(any(f[0] == k for f in r.findings) for r in mine) for k in INVARIANTS}
        rss = max(r.rss_kb for r in mine) / 1024
        lines.append(
            f"| {kind} | {len(mine)} | {sum(r.outcome in ('loaded', 'unchanged') for r in mine)}"
            f" | {sum(r.outcome == 'refused' for r in mine)} | "
            + " | ".join(str(found[k]) for k in INVARIANTS)
            + f" | {statistics.median(seconds):.2f} | {max(seconds):.2f} | {rss:.0f} |"
        )
    return lines


def report_kind(
    kind: str, done: list[Record], made: float, specs: dict[tuple[str, int], Spec], seed: int
) -> None:
    found = [r for r in done if r.findings]
    print(
        f"{kind}: {len(done)} files made in {made:.1f} s, loaded"
        f" {sum(r.outcome in ('loaded', 'unchanged') for r in done)}, refused"
        f" {sum(r.outcome == 'refused' for r in done)}, with findings {len(found)}",
        flush=True,
    )
    for record in found:
        spec = specs[(record.kind, record.index)]
        print(f"  FINDING {spec.description[:400]}", flush=True)
        for invariant, what in record.findings:
            print(f"    ({invariant} {INVARIANTS[invariant]}) {what}", flush=True)
        print(f"    again: {reproduce(spec, seed)}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=500, help="files in all (default 500)")
    parser.add_argument("--seed", type=int, default=1, help="the campaign's seed (default 1)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds")
    parser.add_argument("--only", help="kind:index[,kind:index...]: just these files")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--keep", type=Path, help="save the files with findings here")
    parser.add_argument("--json", type=Path, help="write every record to this file")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}; the kinds are {', '.join(KINDS)}")
    if args.only:
        wanted = [(k, int(i)) for k, i in (part.split(":") for part in args.only.split(","))]
        kinds = [k for k in KINDS if any(k == w for w, _ in wanted)]
    else:
        per = [args.files // len(kinds) + (i < args.files % len(kinds)) for i in range(len(kinds))]
        wanted = [(k, i) for k, n in zip(kinds, per, strict=True) for i in range(1, n + 1)]

    work = args.work or Path(tempfile.mkdtemp(prefix="fuzz_campaign_"))
    work.mkdir(parents=True, exist_ok=True)
    files = work / "files"
    print(f"working in {work}; seed {args.seed}, {len(wanted)} files", flush=True)
    started = time.monotonic()
    seeds = load_seeds()
    base = work / "base.duckdb"
    base_tables = build_base(base)
    print(
        f"demo loaded in {time.monotonic() - started:.1f} s: "
        + ", ".join(f"{t} {n:,}" for t, n in base_tables.items() if n),
        flush=True,
    )
    loader = Loader(base, work)
    records: list[Record] = []
    specs: dict[tuple[str, int], Spec] = {}
    try:
        for kind in kinds:
            made = time.monotonic()
            mine = [make_file(kind, i, args.seed, seeds, files) for k, i in wanted if k == kind]
            specs.update({(s.kind, s.index): s for s in mine})
            made = time.monotonic() - made
            loader.reset_peak()
            done = [loader.run(spec, files / kind / spec.name) for spec in mine]
            for record in done:
                if record.outcome == "campaign error":
                    spec = specs[(record.kind, record.index)]
                    print(f"the campaign failed on {spec.description[:300]}:", file=sys.stderr)
                    print(record.message, file=sys.stderr)
                    sys.exit(2)
            records += done
            report_kind(kind, done, made, specs, args.seed)
    finally:
        loader.stop()

    with_findings = [r for r in records if r.findings]
    safety_net = [r for r in records if SAFETY_NET in r.message]
    if safety_net:
        print(
            f"\nthe row-count safety net refused {len(safety_net)} file(s): DuckDB read fewer"
            " rows than the bytes hold (docs/loading.md; not a finding, the file was refused):"
        )
        for record in safety_net:
            print(f"  {specs[(record.kind, record.index)].description[:300]}")
            print(f"    {record.message.splitlines()[-1].strip()[:300]}")
    print(f"\nseed {args.seed}, {len(records)} files, {time.monotonic() - started:.0f} s\n")
    print("\n".join(summary(records, kinds)))
    if args.keep and with_findings:
        args.keep.mkdir(parents=True, exist_ok=True)
        notes = []
        for record in with_findings:
            spec = specs[(record.kind, record.index)]
            shutil.copy(files / record.kind / record.name, args.keep / record.name)
            notes.append(
                spec.description[:2000]
                + "".join(f"\n  ({k} {INVARIANTS[k]}) {w}" for k, w in record.findings)
                + f"\n  again: {reproduce(spec, args.seed)}\n"
            )
        (args.keep / "findings.txt").write_text("\n".join(notes), encoding="utf-8")
        print(f"\nkept {len(with_findings)} files with findings in {args.keep}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    asdict(r) | {"description": specs[(r.kind, r.index)].description[:2000]}
                    for r in records
                ],
                indent=1,
                ensure_ascii=False,
            )
        )
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if with_findings else 0


if __name__ == "__main__":
    sys.exit(main())
