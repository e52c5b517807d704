"""A table's expectation suite as code: what it checks, how severe each failure is."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.validation.expectations import CHECK_NAME_META_KEY, Expectation, no_rows
from pipelines.validation.severity import Severity
from pipelines.validation.sql_checks import sql_checks_for

if TYPE_CHECKING:
    import great_expectations as gx

SEVERITY_META_KEY = "severity"
LINEAGE_COLUMNS = ("source_file", "source_row")
# A failing figure of the province-year tables: its file, row and column, and which metric.
PANEL_EXAMPLE_COLUMNS = (*LINEAGE_COLUMNS, "source_column", "metric")
_TABLE_REFERENCE = re.compile(r"\b(reference|raw|staging)\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
# Tables with no asset of their own: every raw.<domain> asset writes its files' raw.load_log
# rows, and that asset is upstream of every staging table a suite validates.
_NOT_ASSETS = {("raw", "load_log")}


@dataclass(frozen=True)
class TableSuite:
    """The expectations of one staging table, split by severity.

    ``example_columns`` identify a failing row in the check's metadata: the lineage columns
    where the table has them, else its key.
    """

    schema: str
    table: str
    blocking: Sequence[Expectation]
    warn: Sequence[Expectation] = ()
    example_columns: tuple[str, ...] = LINEAGE_COLUMNS
    description: str = ""
    checks_dir: Path | None = field(default=None, compare=False)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.table}"

    def severities(self) -> list[Severity]:
        """The severities this suite has at least one expectation of."""
        return [s for s in Severity if any(sev is s for sev, _ in self.expectations())]

    def expectations(self) -> list[tuple[Severity, Expectation]]:
        """Code expectations plus one per SQL check file naming this table."""
        tagged = [(Severity.BLOCKING, e) for e in self.blocking]
        tagged += [(Severity.WARN, e) for e in self.warn]
        for check in sql_checks_for(self.qualified_name, self.checks_dir):
            expectation = no_rows(f"{check.name} (sql/checks/{check.path.name})", check.query)
            tagged.append(
                (check.severity, expectation.with_meta(**{CHECK_NAME_META_KEY: check.name}))
            )
        return tagged

    def referenced_tables(self) -> list[tuple[str, str]]:
        """Other warehouse tables the suite's SQL reads: they must be built before it runs."""
        found = {
            (schema.lower(), table.lower())
            for _, expectation in self.expectations()
            for schema, table in _TABLE_REFERENCE.findall(expectation.unexpected_rows_query or "")
        }
        return sorted(found - {(self.schema, self.table)} - _NOT_ASSETS)

    def gx_suite(self) -> gx.ExpectationSuite:
        """A fresh GX suite; each expectation's ``meta`` carries its severity. (Imports GX,
        which describing the suite never does.)"""
        import great_expectations as gx

        suite = gx.ExpectationSuite(name=f"{self.qualified_name}")
        for severity, expectation in self.expectations():
            suite.add_expectation(
                expectation.with_meta(**{SEVERITY_META_KEY: severity.value}).to_gx()
            )
        return suite
