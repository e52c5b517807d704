"""Everything the report shows, read once from the warehouse into plain tables (no Dagster).

``load_report_data`` reads the marts (and, for the Data quality page, the staging, raw and
quarantine tables) through plain queries and the SQL files of ``sql/report/``; the pages and
downloads are rendered from the ``ReportData`` it returns, never from the warehouse again.
The check results come from the Dagster instance, so the caller passes them in as
``CheckRow``s (``pipelines/defs/report.py`` collects them); without them the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb
import pandas as pd

from pipelines.indicators.config import CompositeConfig
from pipelines.lateness import (
    ERROR,
    OK,
    WARN,
    calendar_tables,
    load_calendar,
    rules_by_metric,
    table_lateness,
)
from pipelines.paths import REFERENCE_DIR
from pipelines.upgrading.rules import PATH_NAMES_FILE, PATHS, STAGE_PILLARS
from pipelines.warehouse.sql_files import sql

TILES_FILE = REFERENCE_DIR / "province_tiles.csv"
FACTS_FILE = REFERENCE_DIR / "report_facts.csv"
INDICES = ("overall", "upgrading")
GROUPS = ("leader", "strong", "moderate", "emerging")
GROUP_NAMES = {
    "leader": ("领先", "Leader"),
    "strong": ("强劲", "Strong"),
    "moderate": ("中等", "Moderate"),
    "emerging": ("新兴", "Emerging"),
}
NORTHEAST_CODE = "CN-NORTHEAST"


@dataclass(frozen=True)
class CheckRow:
    """The latest result of one asset check, as the Data quality page shows it."""

    asset: str  # e.g. staging/province_year
    check: str
    outcome: str  # passed, failed, warned or not run
    severity: str | None = None  # ERROR or WARN
    blocking: bool = False
    at: datetime | None = None
    # failed expectations: {description, count, column, examples (list of dicts)}
    findings: tuple[dict, ...] = ()


@dataclass(frozen=True)
class SourceFreshness:
    """One source of the release calendar: its metrics' newest periods and lateness."""

    source: str
    table: str
    metrics: int
    newest_held: str | None
    newest_expected: str | None
    level: str  # ok, warn, error (lateness.level of its worst metric)
    late_metrics: tuple[str, ...]
    absent_metrics: tuple[str, ...]


@dataclass
class Quality:
    on: date
    freshness: list[SourceFreshness]
    loads: pd.DataFrame  # sql/report/source_loads.sql
    quarantine: pd.DataFrame  # sql/report/quarantine_by_rule.sql
    vintages: pd.DataFrame  # sql/report/vintages_revised.sql
    checks: list[CheckRow] | None  # None: the caller had no Dagster instance to read


@dataclass
class ReportData:
    generated_at: datetime
    read_from: str
    config: CompositeConfig
    provinces: pd.DataFrame  # one row per province: names, is_northeast, tile col/row
    indicators: pd.DataFrame  # marts.indicator
    scores: pd.DataFrame  # marts.pillar_score
    values: pd.DataFrame  # sql/report/indicator_ranks.sql
    upgrading: pd.DataFrame  # marts.upgrading_path
    northeast: pd.DataFrame  # marts.northeast_view
    sensitivity: pd.DataFrame  # marts.sensitivity
    facts: pd.DataFrame  # sql/report/northeast_facts.sql with the seed's figures
    path_names: dict[str, tuple[str, str]]  # path -> (zh, en), upgrading_path_names.csv
    quality: Quality
    years: list[int] = field(default_factory=list)

    # --- the years the overview compares ------------------------------------------------------
    @property
    def latest_year(self) -> int | None:
        return self.years[-1] if self.years else None

    @property
    def previous_year(self) -> int | None:
        """The panel year before the latest (the panel may skip a year)."""
        return self.years[-2] if len(self.years) > 1 else None

    @property
    def base_year(self) -> int | None:
        """The first panel year: rank changes are also shown against it."""
        return self.years[0] if len(self.years) > 1 else None

    # --- names ---------------------------------------------------------------------------------
    def pillar_name(self, code: str) -> tuple[str, str]:
        if code in self.config.pillars:
            pillar = self.config.pillars[code]
            return pillar.name_zh, pillar.name_en
        index = self.config.indices[code]
        return index.name_zh, index.name_en

    def stage_name(self, stage: str) -> tuple[str, str]:
        """A stage is called by the pillar that measures it (pipelines/upgrading/rules.py)."""
        return self.pillar_name(STAGE_PILLARS[stage])

    @property
    def drivers(self) -> list[str]:
        return self.config.pillars_of("overall")

    @property
    def stage_pillars(self) -> list[str]:
        return self.config.pillars_of("upgrading")

    @property
    def synthetic_indicators(self) -> pd.DataFrame:
        return self.indicators[self.indicators["is_synthetic"]]

    @property
    def benchmark_province(self) -> str:
        return self.config.benchmark_province

    def province(self, code: str) -> pd.Series:
        return self.provinces.set_index("province_code").loc[code]


def load_report_data(
    conn: duckdb.DuckDBPyConnection,
    config: CompositeConfig,
    *,
    checks: list[CheckRow] | None = None,
    on: date | None = None,
    read_from: str = "",
    generated_at: datetime | None = None,
) -> ReportData:
    """Read what the report needs from a warehouse connection (live or the published copy)."""
    from pipelines.lateness import today

    provinces = _provinces(conn)
    scores = _frame(conn, "select * from marts.pillar_score order by pillar, year, rank")
    years = sorted(int(year) for year in scores["year"].dropna().unique())
    facts_year = _facts_year(conn)
    facts = None
    if facts_year:
        conn.execute(sql("marts/indicator_macros"))  # lineage(), TEMP on this connection
        facts = conn.execute(sql("report/northeast_facts"), [facts_year]).df()
    on = on or today()
    return ReportData(
        generated_at=generated_at or datetime.now(UTC),
        read_from=read_from,
        config=config,
        provinces=provinces,
        indicators=_frame(conn, "select * from marts.indicator order by pillar, indicator"),
        scores=scores,
        values=conn.execute(sql("report/indicator_ranks")).df(),
        upgrading=_frame(conn, "select * from marts.upgrading_path order by province_code, year"),
        northeast=_frame(conn, "select * from marts.northeast_view order by metric, year"),
        sensitivity=_frame(conn, "select * from marts.sensitivity"),
        facts=_with_seed(facts),
        path_names=_path_names(),
        quality=Quality(
            on=on,
            freshness=source_freshness(conn, on),
            loads=_frame(conn, sql("report/source_loads")),
            quarantine=_frame(conn, sql("report/quarantine_by_rule")),
            vintages=_frame(conn, sql("report/vintages_revised")),
            checks=checks,
        ),
        years=years,
    )


def _frame(conn: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    return conn.execute(query).df()


def _provinces(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    areas = conn.execute(
        "select area_code as province_code, name_zh, short_zh, name_en, is_northeast, nbs_order"
        " from reference.area where area_level = 'province' order by nbs_order"
    ).df()
    tiles = pd.read_csv(TILES_FILE, dtype={"province_code": str})
    unknown = set(areas["province_code"]) ^ set(tiles["province_code"])
    if unknown:
        raise ValueError(f"{TILES_FILE}: provinces missing or unknown: {sorted(unknown)}")
    return areas.merge(tiles, on="province_code", how="left")


def _facts_year(conn: duckdb.DuckDBPyConnection) -> int | None:
    """The newest year with the Northeast's R&D expenditure and the benchmark's: the year of
    the headline facts (seed 002 gives them for 2023)."""
    (year,) = conn.execute(
        "select max(year) from marts.northeast_view where metric = 'rd_expenditure'"
        " and northeast_value is not null and benchmark_value is not null"
    ).fetchone()
    return None if year is None else int(year)


def source_rows_text(value: object) -> str:
    """A lineage list (``source_rows``: struct(source_file, source_row) items) as text, each
    file once with its rows, runs of rows as ranges: ``a.csv:2-5, 9; b.csv:3``."""
    if value is None or isinstance(value, float):
        return ""
    rows: dict[str, list[int]] = {}
    for item in value:
        rows.setdefault(item["source_file"], []).append(int(item["source_row"]))
    parts = []
    for name, numbers in rows.items():
        numbers = sorted(set(numbers))
        runs, start = [], numbers[0]
        for previous, current in zip(numbers, [*numbers[1:], None], strict=True):
            if current != previous + 1:
                runs.append(str(start) if start == previous else f"{start}-{previous}")
                start = current
        parts.append(f"{name}:{', '.join(runs)}")
    return "; ".join(parts)


def _with_seed(facts: pd.DataFrame | None) -> pd.DataFrame:
    seed = pd.read_csv(FACTS_FILE, dtype={"fact": str})
    if facts is None:
        facts = pd.DataFrame(columns=["fact", "year", "pct", "source_rows"])
    return seed.merge(facts, on="fact", how="left")


def _path_names() -> dict[str, tuple[str, str]]:
    names = pd.read_csv(PATH_NAMES_FILE, dtype=str).set_index("path")
    return {path: (names.at[path, "short_zh"], names.at[path, "short_en"]) for path in PATHS}


def source_freshness(conn: duckdb.DuckDBPyConnection, on: date) -> list[SourceFreshness]:
    """Per source of data/reference/release_calendar.csv and table: how many metrics it
    publishes, the newest period held and the newest the calendar says is out, and which
    metrics are late (pipelines/lateness.py, measured on ``on``) or never loaded."""
    rules = load_calendar()
    lateness = {
        item.metric: item
        for table in calendar_tables(rules)
        for item in table_lateness(conn, table, rules, on)
    }
    by_source: dict[tuple[str, str], list] = {}
    for metric, own in rules_by_metric(rules).items():
        item = lateness.get(metric)
        if item is None:
            continue
        for source in {rule.source for rule in own}:
            by_source.setdefault((source, item.table), []).append(item)
    found = []
    for (source, table), items in sorted(by_source.items()):
        held = [i for i in items if not i.absent]
        levels = {i.level for i in held}
        found.append(
            SourceFreshness(
                source=source,
                table=table,
                metrics=len(items),
                newest_held=max((i.held_newest for i in held), default=None),
                newest_expected=max(
                    (i.expected_newest for i in items if i.expected_newest), default=None
                ),
                level=ERROR if ERROR in levels else WARN if WARN in levels else OK,
                late_metrics=tuple(sorted(i.metric for i in held if i.late)),
                absent_metrics=tuple(sorted(i.metric for i in items if i.absent)),
            )
        )
    return found
