"""Micro records (the domains of kind ``micro`` in data/reference/domains.csv): extracts ->
raw -> staging.

The micro domains share one shape, so one factory builds their assets; what differs lives in
data/reference/micro_columns.csv (the input contract), sql/staging (the staging model) and
the descriptions of their tables below.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.pool import POOL
from pipelines.defs.sources import SourceFolders
from pipelines.defs.staging import staging_asset
from pipelines.defs.table_metadata import raw_load_metadata
from pipelines.domains import MICRO_DOMAINS
from pipelines.warehouse.micro import load_micro_files
from pipelines.warehouse.unload import files_kept_though_gone

# Domain -> (raw table description, staging table description).
DESCRIPTIONS = {
    "patents": (
        "Patent records as loaded: CN application number, type, application and grant dates, "
        "applicant and its type, province, main IPC, co-applicant, transfer and licence events.",
        "Patents, one row per application number (latest load wins), with province code, "
        "grant year, IPC subclass and an industry-academia co-application flag.",
    ),
    "enterprises": (
        "Enterprise-year records as loaded: unified social credit code, industry (GB/T 4754), "
        "ownership, high-tech status, R&D activity, employees, money in 万元.",
        "Enterprise-years, one row per credit code and year (latest load wins), with industry "
        "division and the equipment-manufacturing flag (divisions 33-40).",
    ),
    "procurement": (
        "Procurement contracts as loaded: buyer and buyer type, buyer and supplier province, "
        "category, amount in 元, award date, innovative-product flag.",
        "Procurement contracts, one row per contract id (latest load wins), with local-supplier "
        "and chain-leader (central SOE buyer) flags.",
    ),
}


def build_micro_assets(domain: str) -> list[dg.AssetsDefinition]:
    if domain not in DESCRIPTIONS:
        raise KeyError(f"micro domain {domain!r} (domains.csv) has no DESCRIPTIONS in {__name__}")
    raw_description, staging_description = DESCRIPTIONS[domain]

    @dg.asset(
        key=["raw", domain],
        group_name=domain,
        kinds={"duckdb", "csv", "parquet"},
        pool=POOL,
        description=raw_description
        + " Every row keeps its source file, sha256, row number and load time. Rows that break"
        f" the contract go to quarantine.{domain} with the reason and the whole row.",
    )
    def raw_asset(warehouse: DuckDBResource, sources: SourceFolders) -> dg.MaterializeResult:
        files = sources.files(domain)
        with warehouse.get_connection() as conn:
            loads = load_micro_files(
                conn, domain, files, withdraw_gone=not sources.keep_removed_files
            )
            kept = files_kept_though_gone(conn, domain, files, sources.keep_removed_files)
            return dg.MaterializeResult(
                metadata=raw_load_metadata(conn, f"raw.{domain}", loads, kept)
            )

    staging = staging_asset(
        domain,
        [
            raw_asset,
            dg.AssetKey(["reference", "area"]),
            dg.AssetKey(["reference", "industry_division"]),
        ],
        domain,
        staging_description + " is_synthetic marks generated demo records.",
    )

    return [raw_asset, staging]


defs = dg.Definitions(
    assets=[asset for domain in MICRO_DOMAINS for asset in build_micro_assets(domain)]
)
