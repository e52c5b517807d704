"""The source domains, from their one registry: ``data/reference/domains.csv``.

A domain is one kind of source file: its folder under every source root (``<root>/<domain>/``),
its raw, staging and quarantine tables, its job (``<domain>_job``), its release schedule and
the freshness window of its raw table. Whatever goes through the domains (the jobs, the
landed-file rule and so the runs and the landing sensor, the release schedules, the freshness
policies, the micro contract and loads, the lateness checks, ``impetus status``) takes them
from here, in the file's order. Adding a domain is a row in the file, plus what no registry
can hold: its reader or contract (``micro_columns.csv``), its staging SQL and its assets.

Columns (docs/loading.md, "Where the rules live"):

* ``domain``: the folder name, and the name of the domain's tables;
* ``kind``: ``panel`` (province-year figures, read cell by cell: ``pipelines/readers``) or
  ``micro`` (record extracts checked against ``data/reference/micro_columns.csv``);
* ``suffixes``: the file endings accepted in the domain's folder, ``|``-separated;
* ``description``: what the domain's files are, as its release schedule names them;
* ``rhythm``: ``yearly``, ``quarterly`` or ``monthly``; the schedule is ``<domain>_<rhythm>``;
* ``published``: when a release comes out, where the rhythm alone does not say (free text);
* ``release_cron``: when the release schedule runs (Asia/Shanghai): ``minute hour day month *``,
  a little after the release is due;
* ``warn_after_days`` / ``fail_after_days``: the freshness policy of ``raw.<domain>``: warn when
  one release run was missed (the rhythm plus some slack), fail when two were (twice the
  rhythm plus the same slack).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pipelines.paths import REFERENCE_DIR
from pipelines.readers.text import read_reference_csv

DOMAINS_FILE = REFERENCE_DIR / "domains.csv"
PANEL, MICRO = "panel", "micro"
KINDS = (PANEL, MICRO)
RHYTHMS = ("yearly", "quarterly", "monthly")
COLUMNS = (
    "domain",
    "kind",
    "suffixes",
    "description",
    "rhythm",
    "published",
    "release_cron",
    "warn_after_days",
    "fail_after_days",
)


class DomainsError(ValueError):
    """The registry is malformed; the message names the file, the row and the column."""


@dataclass(frozen=True)
class Domain:
    name: str
    kind: str  # PANEL | MICRO
    suffixes: tuple[str, ...]  # lower case, each starting with "."
    description: str
    rhythm: str  # one of RHYTHMS
    published: str
    release_cron: str
    warn_after: timedelta
    fail_after: timedelta

    @property
    def schedule_name(self) -> str:
        return f"{self.name}_{self.rhythm}"

    @property
    def schedule_description(self) -> str:
        """E.g. ``Patent extracts: quarterly. Runs 10 January, April, July, October, 06:00.``"""
        release = f"{self.rhythm}, {self.published}" if self.published else self.rhythm
        return f"{self.description}: {release}. Runs {cron_in_words(self.release_cron)}."


def cron_in_words(cron: str) -> str:
    """``0 6 15 10 *`` as ``15 October, 06:00``, ``0 6 5 * *`` as ``on the 5th, 06:00``: the
    crons a release schedule uses (a fixed day of some or every month). Any other cron is
    shown as it is."""
    fields = cron.split()
    if len(fields) != 5 or fields[4] != "*" or not all(f.isdigit() for f in fields[:3]):
        return f"on cron {cron!r}"
    minute, hour, day, months, _ = fields
    time = f"{int(hour):02d}:{int(minute):02d}"
    if months == "*":
        return f"on the {_ordinal(int(day))}, {time}"
    if not all(month.isdigit() and 1 <= int(month) <= 12 for month in months.split(",")):
        return f"on cron {cron!r}"
    names = ", ".join(calendar.month_name[int(month)] for month in months.split(","))
    return f"{int(day)} {names}, {time}"


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def read_domains(path: Path = DOMAINS_FILE) -> tuple[Domain, ...]:
    """The registry's rows, checked; a bad cell raises :class:`DomainsError`."""
    rows = read_reference_csv(path)
    if not rows:
        raise DomainsError(f"{path}: no domain")
    missing = [column for column in COLUMNS if column not in rows[0]]
    if missing:
        raise DomainsError(f"{path}: missing column(s) {', '.join(missing)}")
    found = [_domain(path, number, row) for number, row in enumerate(rows, start=2)]
    names = [domain.name for domain in found]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise DomainsError(f"{path}: domain named twice: {', '.join(repeated)}")
    return tuple(found)


def _domain(path: Path, number: int, row: dict[str, str]) -> Domain:
    def fail(column: str, why: str) -> DomainsError:
        return DomainsError(
            f"{path}, row {number}, column {column!r}, value {row[column]!r}: {why}"
        )

    if not row["domain"].isidentifier() or row["domain"] != row["domain"].lower():
        raise fail("domain", "names a folder and tables: lower case letters, digits and _")
    if row["kind"] not in KINDS:
        raise fail("kind", f"must be one of {', '.join(KINDS)}")
    suffixes = tuple(suffix.lower() for suffix in row["suffixes"].split("|") if suffix)
    if not suffixes or not all(suffix.startswith(".") for suffix in suffixes):
        raise fail("suffixes", "one or more file endings such as .csv, separated by |")
    if row["rhythm"] not in RHYTHMS:
        raise fail("rhythm", f"must be one of {', '.join(RHYTHMS)}")
    for column in ("description", "release_cron"):
        if not row[column]:
            raise fail(column, "must not be empty")
    days = {}
    for column in ("warn_after_days", "fail_after_days"):
        if not row[column].isdigit() or int(row[column]) == 0:
            raise fail(column, "a whole number of days greater than 0")
        days[column] = int(row[column])
    if days["warn_after_days"] >= days["fail_after_days"]:
        raise fail("fail_after_days", "must be greater than warn_after_days")
    return Domain(
        name=row["domain"],
        kind=row["kind"],
        suffixes=suffixes,
        description=row["description"],
        rhythm=row["rhythm"],
        published=row["published"],
        release_cron=row["release_cron"],
        warn_after=timedelta(days=days["warn_after_days"]),
        fail_after=timedelta(days=days["fail_after_days"]),
    )


REGISTRY = read_domains()
DOMAINS = tuple(domain.name for domain in REGISTRY)  # every domain, in the registry's order
MICRO_DOMAINS = tuple(domain.name for domain in REGISTRY if domain.kind == MICRO)


def domain(name: str) -> Domain:
    for found in REGISTRY:
        if found.name == name:
            return found
    raise KeyError(f"unknown domain {name!r} (known: {', '.join(DOMAINS)}; {DOMAINS_FILE})")
