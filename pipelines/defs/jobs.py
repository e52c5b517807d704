"""Jobs: what a person, a schedule or a sensor materializes together."""

import dagster as dg

DOMAINS = ("province_year", "patents", "enterprises", "procurement")

full_rebuild_job = dg.define_asset_job(
    "full_rebuild_job",
    selection=dg.AssetSelection.all(),
    description="Materialize every asset: reference, raw and staging for all four domains.",
)

# One job per domain; the reference tables come along because staging joins them.
domain_jobs = [
    dg.define_asset_job(
        f"{domain}_job",
        selection=dg.AssetSelection.groups(domain, "reference"),
        description=f"Load new {domain} files and rebuild the {domain} staging tables.",
    )
    for domain in DOMAINS
]

indicators_job = dg.define_asset_job(
    "indicators_job",
    selection=dg.AssetSelection.groups("indicators"),
    description="Rebuild the marts (indicators, pillar scores with rank intervals, sensitivity, "
    "upgrading path, Northeast view) from the staging tables as they are.",
)

defs = dg.Definitions(jobs=[full_rebuild_job, *domain_jobs, indicators_job])
