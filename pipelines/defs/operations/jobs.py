"""Jobs: what a person, a schedule or a sensor materializes together."""

import dagster as dg

from pipelines.domains import DOMAINS

# What `impetus materialize --domain D` accepts: the source domains (data/reference/domains.csv)
# and the marts.
REFRESHABLE = (*DOMAINS, "indicators")

full_rebuild_job = dg.define_asset_job(
    "full_rebuild_job",
    selection=dg.AssetSelection.all(),
    description="Materialize every asset: reference, raw and staging for every domain, and "
    "the marts.",
)


def domain_job_name(domain: str) -> str:
    return f"{domain}_job"


# One job per domain; the reference tables come along because staging joins them. The landing
# sensor and the release schedules start these; declarative automation then rebuilds what reads
# the domain's tables once every input exists (docs/operations.md).
domain_jobs = [
    dg.define_asset_job(
        domain_job_name(domain),
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


def refresh_job_name(domain: str) -> str:
    return f"{domain}_refresh_job"


def _refresh_selection(domain: str) -> dg.AssetSelection:
    own = dg.AssetSelection.groups(domain).downstream()
    return own if domain == "indicators" else own | dg.AssetSelection.groups("reference")


# What `impetus materialize --domain D` runs: the domain's job and, in the same run, everything
# built from its tables (the marts reading them, the published copy), so one command leaves the
# marts and the copy in step with the new figures. A failed blocking check stops what is
# downstream of it, as in any run. Not for the sensor: on a warehouse where another domain was
# never built the marts cannot run yet, and automation waits for that instead of failing.
refresh_jobs = [
    dg.define_asset_job(
        refresh_job_name(domain),
        selection=_refresh_selection(domain),
        description=f"`impetus materialize --domain {domain}`: "
        + (f"{domain}_job" if domain != "indicators" else "indicators_job")
        + " and everything downstream of it (marts, published copy) in one run.",
    )
    for domain in REFRESHABLE
]

defs = dg.Definitions(jobs=[full_rebuild_job, *domain_jobs, indicators_job, *refresh_jobs])
