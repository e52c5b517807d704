"""Make Great Expectations' SQL route work on DuckDB (through duckdb-engine).

Upstream gap (great_expectations issues #10738 and #11579): ``SqlAlchemyExecutionEngine``
opens a fresh SQLAlchemy connection per query and closes it before GX reads the result. Most
drivers buffer results client-side, so that works; duckdb-engine's results live in the DuckDB
connection and vanish when it closes, so every metric comes back empty ("IndexError: list index
out of range", expectations with "Observed: N/A").

GX already knows dialects whose work must stay on one connection (SQLite, SQL Server, ...):
for those it builds the engine with a ``StaticPool`` and keeps one connection open for the
engine's lifetime. The list, ``_PERSISTED_CONNECTION_DIALECTS``, lacks DuckDB, and
``GXSqlDialect`` has no DuckDB member to add. The shim appends one entry that behaves like a
``GXSqlDialect`` member for the two places that read the list (``in`` against the engine's
dialect name, and ``.value`` as a URL prefix). Nothing else in GX is touched.

``tests/validation/test_gx_duckdb_shim.py`` fails when an upgrade makes this unnecessary (GX
without the shim returns results on DuckDB) or breaks it (the list is gone or renamed).
"""

from __future__ import annotations

from great_expectations.execution_engine import sqlalchemy_execution_engine as _engine_module

DUCKDB_DIALECT = "duckdb"
SHIM_TARGET = "_PERSISTED_CONNECTION_DIALECTS"


class _DialectName(str):
    """A dialect name that also answers ``.value``, like a ``GXSqlDialect`` member does."""

    @property
    def value(self) -> str:
        return str(self)


def is_applied() -> bool:
    return DUCKDB_DIALECT in getattr(_engine_module, SHIM_TARGET)


def apply() -> None:
    """Keep GX on one DuckDB connection per engine. Idempotent; fails loudly if GX changed."""
    if not hasattr(_engine_module, SHIM_TARGET):
        raise RuntimeError(
            f"great_expectations no longer has {_engine_module.__name__}.{SHIM_TARGET}: "
            "the DuckDB shim in pipelines/validation/gx_duckdb.py needs revisiting "
            "(upstream issues #10738, #11579)"
        )
    if is_applied():
        return
    persisted = getattr(_engine_module, SHIM_TARGET)
    setattr(_engine_module, SHIM_TARGET, (*persisted, _DialectName(DUCKDB_DIALECT)))
