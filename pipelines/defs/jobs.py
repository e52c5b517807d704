"""Jobs: what a person or a schedule materializes together."""

import dagster as dg

full_rebuild_job = dg.define_asset_job(
    "full_rebuild_job",
    selection=dg.AssetSelection.all(),
    description="Materialize every asset: reference, raw and staging for all four domains.",
)
