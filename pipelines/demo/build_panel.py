"""Build the embedded demo's real province-year panel from the shared real data.

    python -m pipelines.demo.build_panel \
        [--realdata ../shared/realdata] [--out data/demo/province_year]

Reads the NBS exports (``nbs_exports/``) and the R&D communiqué tables (``rd_communique/``)
with the project's own readers and writes one long tidy CSV per source file
(``nbs_<metric>.csv``, ``communique_rd_<year>.csv``): province, year, metric, value, unit,
vintage, release_date, source. ``source`` cites, for every row, the public release and the
file, row and column the figure was read from. The source files themselves are not copied.
Nothing here knows any figure: whatever the readers read is what gets written.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.paths import DEMO_DIR, REPO_ROOT
from pipelines.readers import ProvinceYearRead, read_province_year_file
from pipelines.readers.areas import area_by_code

DEFAULT_REALDATA = REPO_ROOT.parent / "shared" / "realdata"
DEFAULT_OUT = DEMO_DIR / "province_year"
PANEL_COLUMNS = ["province", "year", "metric", "value", "unit", "vintage", "release_date", "source"]


@dataclass(frozen=True)
class SourceGroup:
    folder: str  # under the realdata folder
    output_name: Callable[[ProvinceYearRead], str]


def _nbs_output_name(read: ProvinceYearRead) -> str:
    return f"nbs_{_only(read, 'metric')}.csv"


def _communique_output_name(read: ProvinceYearRead) -> str:
    return f"communique_rd_{_only(read, 'year')}.csv"


SOURCE_GROUPS = (
    SourceGroup("nbs_exports", _nbs_output_name),
    SourceGroup("rd_communique", _communique_output_name),
)


def build_panel(realdata: Path, out: Path) -> list[Path]:
    """Write one panel file per source file; returns the files written."""
    reads = [
        (group, read_province_year_file(path))
        for group in SOURCE_GROUPS
        for path in sorted((realdata / group.folder).glob("*.csv"))
    ]
    if not reads:
        raise FileNotFoundError(f"no source files under {realdata} ({_folders()})")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for group, read in reads:
        target = out / group.output_name(read)
        if target in written:
            raise ValueError(f"two source files would both be written to {target.name}")
        panel_frame(read).to_csv(target, index=False, encoding="utf-8", lineterminator="\n")
        written.append(target)
    return written


def panel_frame(read: ProvinceYearRead) -> pd.DataFrame:
    """The long demo table for one read file, every row citing where it came from."""
    obs = read.observations.sort_values(["metric", "source_row", "year"], kind="stable")
    uncited = obs[obs["citation"].isna()]
    if not uncited.empty:
        raise ValueError(
            f"{read.path.name}: rows without a citation (first at row "
            f"{uncited['source_row'].iloc[0]}); add one in data/reference/nbs_file_metrics.csv"
        )
    return pd.DataFrame(
        {
            "province": [area_by_code(code).name_zh for code in obs["area_code"]],
            "year": obs["year"].to_list(),
            "metric": obs["metric"].to_list(),
            "value": [_number_text(value) for value in obs["value"]],
            "unit": obs["unit"].to_list(),
            "vintage": obs["vintage"].to_list(),
            "release_date": [d.isoformat() if d is not None else "" for d in obs["release_date"]],
            "source": [
                f"{citation}; file {read.path.name}, row {row}, column {column}"
                for citation, row, column in zip(
                    obs["citation"], obs["source_row"], obs["source_column"], strict=True
                )
            ],
        },
        columns=PANEL_COLUMNS,
    )


def _number_text(value: float) -> str:
    """Shortest text that reads back as the same float; counts without a trailing '.0'."""
    return str(int(value)) if value.is_integer() else repr(value)


def _only(read: ProvinceYearRead, column: str) -> str:
    values = sorted(read.observations[column].unique())
    if len(values) != 1:
        raise ValueError(f"{read.path.name}: expected one {column}, found {values}")
    return str(values[0])


def _folders() -> str:
    return ", ".join(f"{group.folder}/" for group in SOURCE_GROUPS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--realdata",
        type=Path,
        default=DEFAULT_REALDATA,
        help=f"folder holding {_folders()} (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="where to write the panel files (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    for path in build_panel(args.realdata, args.out):
        print(f"wrote {path} ({sum(1 for _ in path.open(encoding='utf-8')) - 1} rows)")


if __name__ == "__main__":
    main()
