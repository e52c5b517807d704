"""How long the GX patents suite takes next to loading the same patents (run by hand).

    .venv/bin/python benchmarks/validate_patents.py --scale 1      # the demo (~67k patents)
    .venv/bin/python benchmarks/validate_patents.py --scale 150    # ~10 million patents

Generates synthetic patents (Parquet) with the project's generator, loads them into a fresh
DuckDB file with the project's loader and staging SQL, then runs the patents suite through
GX inside DuckDB. Each phase runs in its own process so its peak resident memory (ru_maxrss,
which counts DuckDB's native allocations, unlike tracemalloc) is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))


def peak_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 1024 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def prepare_reference_and_panel(database: Path) -> None:
    """reference.* and staging.province_year: the patents suite's cross-table check reads them."""
    import duckdb

    from pipelines.paths import DEMO_DIR, REFERENCE_DIR
    from pipelines.warehouse.loads import ensure_schemas
    from pipelines.warehouse.province_year import load_province_year_files
    from pipelines.warehouse.sql_files import sql

    with duckdb.connect(str(database)) as conn:
        ensure_schemas(conn)
        for table, csv_name in (
            ("area", "areas.csv"),
            ("metric", "metrics.csv"),
            ("industry_division", "industry_divisions.csv"),
            ("unit", "units.csv"),
        ):
            conn.execute(sql(f"reference/{table}"), [str(REFERENCE_DIR / csv_name)])
        load_province_year_files(conn, sorted((DEMO_DIR / "province_year").glob("*.csv")))
        for model in ("area_year_history", "province_year"):
            conn.execute(sql(f"staging/{model}"))


def phase_load(database: Path, patents_dir: Path) -> dict:
    import duckdb

    from pipelines.warehouse.loads import scalar
    from pipelines.warehouse.micro import load_micro_files
    from pipelines.warehouse.sql_files import sql

    prepare_reference_and_panel(database)
    started = time.perf_counter()
    with duckdb.connect(str(database)) as conn:
        load_micro_files(conn, "patents", sorted(patents_dir.glob("*.parquet")))
    # A fresh connection for staging, as the Dagster assets do. On the loader's own connection
    # DuckDB 2.0 returned no rows from joins over a large freshly loaded raw.patents.
    with duckdb.connect(str(database)) as conn:
        conn.execute(sql("staging/patents"))
        rows = scalar(conn, "select count(*) from staging.patents")
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_rss_mib": peak_rss_mib()}


def phase_validate(database: Path) -> dict:
    from pipelines.validation.runner import validate_table
    from pipelines.validation.suites import SUITES

    started = time.perf_counter()
    outcome = validate_table(database, SUITES["patents"]())
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "expectations": len(outcome.outcomes),
        "failed": [o.description for o in outcome.outcomes if not o.success],
        "errors": [o.error for o in outcome.outcomes if o.error],
        "peak_rss_mib": peak_rss_mib(),
    }


def run_phase(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"phase {args[:2]} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def generate(scale: float, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.demo.generate_micro",
            "--scale",
            str(scale),
            "--format",
            "parquet",
            "--out",
            str(out),
            "--aggregates-out",
            "none",
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, help="keep files here instead of a temp dir")
    parser.add_argument("--phase", choices=["load", "validate"], help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--patents", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase == "load":
        print(json.dumps(phase_load(args.database, args.patents)))
        return
    if args.phase == "validate":
        print(json.dumps(phase_validate(args.database)))
        return

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        generated_s = generate(args.scale, work / "micro")
        database = work / "bench.duckdb"
        load = run_phase(
            "--phase",
            "load",
            "--database",
            str(database),
            "--patents",
            str(work / "micro" / "patents"),
        )
        check = run_phase("--phase", "validate", "--database", str(database))
        size_mib = database.stat().st_size / 2**20

    print(
        f"scale {args.scale}: {load['rows']:,} patents "
        f"(generated in {generated_s:.1f} s, warehouse file {size_mib:,.0f} MiB)"
    )
    print(f"{'phase':<22}{'seconds':>10}{'peak RSS MiB':>15}")
    print(f"{'load (raw + staging)':<22}{load['seconds']:>10.2f}{load['peak_rss_mib']:>15.0f}")
    print(f"{'GX patents suite':<22}{check['seconds']:>10.2f}{check['peak_rss_mib']:>15.0f}")
    print(
        f"validation / load = {check['seconds'] / load['seconds']:.2f}; "
        f"{check['expectations']} expectations, failed: {check['failed'] or 'none'}"
    )
    if check["errors"]:
        print("GX errors:", *check["errors"], sep="\n  ")


if __name__ == "__main__":
    main()
