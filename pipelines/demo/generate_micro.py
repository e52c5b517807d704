"""Generate the demo's SYNTHETIC micro records (patents, enterprises, procurement).

    python -m pipelines.demo.generate_micro [--out data/demo]
        [--panel data/demo/province_year] [--seed 20250220] [--scale 1.0] [--format csv|parquet]
        [--aggregates-out data/demo/province_year/synthetic_micro_aggregates.csv|none]

Deterministic: the same seed, scale and panel give byte-identical files. Magnitudes follow
the real province-year panel read from ``--panel``; see data/demo/README.md for the rules.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.demo.synthetic.aggregates import write_aggregates
from pipelines.demo.synthetic.calibration import DEFAULT_SEED, Calibration
from pipelines.demo.synthetic.enterprises import EnterpriseGenerator, plan_enterprises
from pipelines.demo.synthetic.panel import load_panel
from pipelines.demo.synthetic.patents import PatentGenerator, plan_patents
from pipelines.demo.synthetic.procurement import ProcurementGenerator, plan_procurement
from pipelines.demo.synthetic.writers import (
    FORMATS,
    contract_schema,
    output_path,
    write_table_chunks,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = PROJECT_ROOT / "data" / "demo"
DEFAULT_PANEL = PROJECT_ROOT / "data" / "demo" / "province_year"
DEFAULT_AGGREGATES = DEFAULT_PANEL / "synthetic_micro_aggregates.csv"
YEARS = range(2012, 2025)
# Rows per written chunk: bounds memory at any scale, large enough for good compression.
CHUNK_ROWS = 500_000


@dataclass(frozen=True)
class GeneratedFile:
    domain: str
    path: Path
    rows: int


def generate(
    out_dir: Path = DEFAULT_OUT,
    panel_dir: Path = DEFAULT_PANEL,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    fmt: str = "csv",
    aggregates_out: Path | None = DEFAULT_AGGREGATES,
    calibration: Calibration | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> list[GeneratedFile]:
    """Write the three micro tables (and optionally the aggregates); return what was written."""
    calibration = calibration or Calibration()
    if scale <= 0:
        raise ValueError("scale must be positive")
    panel = load_panel(panel_dir, YEARS)
    out_dir = Path(out_dir)
    written = []

    enterprise_plan = plan_enterprises(panel, calibration, scale, seed)
    enterprises = EnterpriseGenerator(panel, enterprise_plan, calibration, seed)
    written.append(_write("enterprises", enterprises.province_tables(), out_dir, fmt))
    universe = enterprises.universe()

    patents = PatentGenerator(
        panel, plan_patents(panel, calibration, scale), universe, seed, chunk_rows
    )
    written.append(_write("patents", patents.tables(), out_dir, fmt))

    procurement_plan = plan_procurement(panel, calibration, scale, seed)
    procurement = ProcurementGenerator(panel, procurement_plan, universe, seed, chunk_rows)
    written.append(_write("procurement", procurement.tables(), out_dir, fmt))

    if aggregates_out is not None:
        rows = write_aggregates(Path(aggregates_out), panel, written[0].path, fmt, seed, scale)
        written.append(GeneratedFile("aggregates", Path(aggregates_out), rows))
    return written


def _write(domain: str, chunks, out_dir: Path, fmt: str) -> GeneratedFile:
    path = output_path(out_dir, domain, fmt)
    rows = write_table_chunks(chunks, path, contract_schema(domain), fmt)
    return GeneratedFile(domain, path, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.demo.generate_micro",
        description="Generate the demo's SYNTHETIC micro records from the real panel.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder for patents/, enterprises/, procurement/ (default %(default)s)",
    )
    parser.add_argument(
        "--panel",
        type=Path,
        default=DEFAULT_PANEL,
        help="folder of the real province-year panel CSVs (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="1 = the committed demo (tens of thousands of rows per table)",
    )
    parser.add_argument("--format", choices=FORMATS, default="csv", dest="fmt")
    parser.add_argument(
        "--aggregates-out",
        default=str(DEFAULT_AGGREGATES),
        help="CSV of province-year aggregates, or 'none' (default %(default)s)",
    )
    args = parser.parse_args(argv)
    aggregates = None if args.aggregates_out.lower() == "none" else Path(args.aggregates_out)

    started = time.perf_counter()
    written = generate(args.out, args.panel, args.seed, args.scale, args.fmt, aggregates)
    for item in written:
        size = item.path.stat().st_size
        print(f"{item.domain:<12} {item.rows:>12,} rows  {size / 1e6:8.2f} MB  {item.path}")
    print(f"done in {time.perf_counter() - started:.1f} s (seed {args.seed}, scale {args.scale:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
