"""Micro records (patents, enterprises, procurement): extracts -> raw -> staging.

The three domains share one shape, so one factory builds their assets; what differs (the
input contract, the staging model) lives in data/reference/micro_columns.csv and sql/staging.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.metadata import POOL, raw_load_metadata, source_files_of, table_metadata
from pipelines.defs.sources import SourceFolders
from pipelines.warehouse.loads import one_transaction, scalar
from pipelines.warehouse.micro import load_micro_files
from pipelines.warehouse.sql_files import sql
from pipelines.warehouse.unload import files_kept_though_gone

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

    @dg.asset(
        key=["staging", domain],
        deps=[
            raw_asset,
            dg.AssetKey(["reference", "area"]),
            dg.AssetKey(["reference", "industry_division"]),
        ],
        group_name=domain,
        kinds={"duckdb", "sql"},
        pool=POOL,
        description=staging_description + " is_synthetic marks generated demo records.",
    )
    def staging_asset(warehouse: DuckDBResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as conn:
            with one_transaction(conn):
                conn.execute(sql(f"staging/{domain}"))
            synthetic = scalar(
                conn, f"select count(*) filter (where is_synthetic) from staging.{domain}"
            )
            return dg.MaterializeResult(
                metadata=table_metadata(
                    conn,
                    f"staging.{domain}",
                    source_files_of(conn, f"staging.{domain}"),
                    synthetic_rows=synthetic,
                )
            )

    return [raw_asset, staging_asset]


defs = dg.Definitions(
    assets=[asset for domain in DESCRIPTIONS for asset in build_micro_assets(domain)]
)
