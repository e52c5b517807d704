"""The only place resources are bound. Assets receive them by parameter name."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.sources import SourceFolders, default_keep_removed_files, default_roots
from pipelines.paths import warehouse_path


def build_resources() -> dict:
    path = warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "warehouse": DuckDBResource(database=str(path)),
        "sources": SourceFolders(
            roots=default_roots(), keep_removed_files=default_keep_removed_files()
        ),
    }


defs = dg.Definitions(resources=build_resources())
