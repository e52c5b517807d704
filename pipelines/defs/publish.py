"""The published copy: after a successful run, a consistent read-only copy for analysts.

Why an asset and not a run-success sensor: the copy must be taken while no step of any run
writes the file. As an asset in the pool "duckdb_warehouse" (one slot, dagster.yaml), it
queues behind every writer of every run, and while it copies it holds the slot and the file's
write lock, so nothing can write mid-copy. It depends on every other asset, so in a run that
builds them it runs last, and only if the run's blocking checks passed (a failed blocking
check stops downstream assets, so a run with a broken mart does not replace a good copy). A
sensor would run in the daemon, outside the pool, racing the next run for the lock, and would
do nothing where there is no daemon (``impetus materialize``, tests). The work is in
pipelines/publish.py, without Dagster.

Jobs: ``full_rebuild_job`` (every asset) and each ``<domain>_refresh_job`` (what
``impetus materialize --domain`` runs) end with it; ``publish_job`` runs it alone. So the
published copy always follows the last successful run.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.metadata import POOL, asset_keys_in_defs, table_metadata
from pipelines.publish import PUBLICATION_TABLE, connect_published, publish, published_path

ASSET_KEY = dg.AssetKey(["published_copy"])
GROUP = "publish"
# Modules that hold no warehouse assets and may import this one (no import cycle).
_NOT_SCANNED = {"publish", "automation", "jobs", "resources"}


def warehouse_asset_keys() -> list[dg.AssetKey]:
    """Every asset key defined by the other modules of pipelines/defs: the copy depends on all
    of them, so a new asset is waited for without editing this file."""
    return asset_keys_in_defs(skip=_NOT_SCANNED)


@dg.asset(
    key=ASSET_KEY,
    deps=warehouse_asset_keys(),
    group_name=GROUP,
    kinds={"duckdb"},
    pool=POOL,
)
def published_copy(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    """A consistent read-only copy of the warehouse for analysts to query while runs write
    (DuckDB refuses every other process while one holds the file for writing). CHECKPOINT,
    byte copy under the write lock, meta.publication (run id, published_at, row counts)
    stamped into the copy, which becomes an immutable file in versions/; then the published
    path (IMPETUS_PUBLISHED, else data/warehouse/published/impetus.duckdb beside the
    warehouse), a symbolic link, is swapped atomically to point at it."""
    target = published_path(warehouse.database)
    with warehouse.get_connection() as conn:
        publication = publish(warehouse.database, target, run_id=context.run_id, conn=conn)
    context.log.info(f"published {len(publication.row_counts)} tables to {publication.path}")
    # The asset's table is the copy's stamp, meta.publication (one row per published table).
    with connect_published(publication.version) as copy:
        return dg.MaterializeResult(
            metadata=table_metadata(
                copy,
                PUBLICATION_TABLE,
                path=dg.MetadataValue.path(str(publication.path)),
                version=dg.MetadataValue.path(str(publication.version)),
                published_at=publication.published_at.isoformat(),
                tables=len(publication.row_counts),
                rows=sum(publication.row_counts.values()),
                size_bytes=publication.size_bytes,
                row_counts=dg.MetadataValue.json(publication.row_counts),
            )
        )


publish_job = dg.define_asset_job(
    "publish_job",
    selection=dg.AssetSelection.assets(ASSET_KEY),
    description="Publish the read-only copy of the warehouse as it is now (after a run that "
    "did not include published_copy, e.g. one domain's job).",
)

defs = dg.Definitions(assets=[published_copy], jobs=[publish_job])
