"""The only place resources are bound. Assets receive them by parameter name."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.defs.sources import SourceFolders, default_keep_removed_files, default_roots
from pipelines.paths import warehouse_path

# What DuckDB says when another process holds the file: the one failure that waiting cures.
LOCK_CONFLICT = ("Could not set lock", "Conflicting lock")


class WarehouseResource(DuckDBResource):
    """DuckDBResource that waits only for what waiting can cure.

    Dagster's resource retries every failed open ten times with backoff (about 100 s), so on a
    read-only folder or a full disk each step of a run the daemon or the UI started failed
    only after that, and the CLI had to check the folder before a run instead. Here only
    another process's lock is waited for; any other error fails the step at once, and the run
    summary says it in one line (``run_summary.storage_failure``)."""

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        config = {"custom_user_agent": "dagster", **self.connection_config}
        try:
            conn = duckdb.connect(self.database, read_only=False, config=config)
        except (duckdb.IOException, RuntimeError) as error:
            if not any(words in str(error) for words in LOCK_CONFLICT):
                raise
            with super().get_connection() as conn:
                yield conn
            return
        try:
            yield conn
        finally:
            conn.close()


def build_resources() -> dict:
    path = warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "warehouse": WarehouseResource(database=str(path)),
        "sources": SourceFolders(
            roots=default_roots(), keep_removed_files=default_keep_removed_files()
        ),
    }


defs = dg.Definitions(resources=build_resources())
