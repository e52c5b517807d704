"""The published copy: after a successful run, a consistent read-only copy for analysts.

Why an asset and not a run-success sensor: the copy must be taken while no step of any run
writes the file. As an asset in the pool "duckdb_warehouse" (one slot, dagster.yaml), it
queues behind every writer of every run, and while it copies it holds the slot and the file's
write lock, so nothing can write mid-copy. It depends on every other asset (attached where the
definitions are built: ``operations/run_order.py``), so in a run that builds them it runs
last, and only if the run's blocking checks passed (a failed blocking check stops downstream
assets, so a run with a broken mart does not replace a good copy). A
sensor would run in the daemon, outside the pool, racing the next run for the lock, and would
do nothing where there is no daemon (``impetus materialize``, tests). The work is in
pipelines/publish.py, without Dagster.

Jobs: ``full_rebuild_job`` (every asset) and each ``<domain>_refresh_job`` (what
``impetus materialize --domain`` runs) end with it; ``publish_job`` runs it alone. So the
published copy always follows the last successful run.
"""

from collections.abc import Iterable, Sequence

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.pool import POOL
from pipelines.defs.table_metadata import table_metadata
from pipelines.publish import PUBLICATION_TABLE, connect_published, publish, published_path

ASSET_KEY = dg.AssetKey(["published_copy"])
GROUP = "publish"


def upstream_of_published_copy(keys: Iterable[dg.AssetKey]) -> list[dg.AssetKey]:
    """What the copy waits for, among the asset keys of the code location: all of them, so a
    new asset is waited for without editing this file. Attached where the definitions are
    built (``operations/run_order.py``)."""
    return sorted((key for key in keys if key != ASSET_KEY), key=lambda key: key.to_user_string())


def build_published_copy(deps: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """The ``published_copy`` asset, waiting for ``deps``. Built where the definitions are built
    (``operations/run_order.py``), with every other asset of the code location as ``deps``."""

    @dg.asset(
        key=ASSET_KEY,
        deps=deps,
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

    return published_copy


publish_job = dg.define_asset_job(
    "publish_job",
    selection=dg.AssetSelection.assets(ASSET_KEY),
    description="Publish the read-only copy of the warehouse as it is now (after a run that "
    "did not include published_copy, e.g. one domain's job).",
)

defs = dg.Definitions(jobs=[publish_job])
