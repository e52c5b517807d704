"""Build the embedded demo's real province-year panel from the shared real data.

    python -m pipelines.demo.build_panel \
        [--realdata ../shared/realdata] [--out data/demo/province_year]

Reads the NBS exports (``nbs_exports/``), the R&D communiqué tables (``rd_communique/``) and
the S&T Yearbook's province tables (``sci_tech_yearbook/<theme>/*.xls``) with the project's
own readers and writes long tidy CSVs (``nbs_<metric>.csv``, ``communique_rd_<year>.csv``,
one ``yearbook_<theme>.csv`` per theme holding every edition): province, year, metric, value,
unit, vintage, release_date, source. ``source`` cites, for every row, the public release and
the file, sheet, row and column the figure was read from. The source files themselves are not
copied. Nothing here knows any figure: whatever the readers read is what gets written. Cells
the readers refuse (rows for Hong Kong, Macao and Taiwan, a typo such as ``368633!``) are
listed on the terminal and left out of the panel.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.paths import DEMO_DIR, REPO_ROOT
from pipelines.readers import REJECT, ProvinceYearRead, read_province_year_file
from pipelines.readers.areas import area_by_code

DEFAULT_REALDATA = REPO_ROOT.parent / "shared" / "realdata"
DEFAULT_OUT = DEMO_DIR / "province_year"
PANEL_COLUMNS = ["province", "year", "metric", "value", "unit", "vintage", "release_date", "source"]


@dataclass(frozen=True)
class SourceGroup:
    folder: str  # under the realdata folder
    pattern: str  # glob of its source files, under the folder
    output_name: Callable[[ProvinceYearRead], str]
    # True where one output file gathers several source files (the editions of a table)
    gathers: bool = False


def _nbs_output_name(read: ProvinceYearRead) -> str:
    return f"nbs_{_only(read, 'metric')}.csv"


def _communique_output_name(read: ProvinceYearRead) -> str:
    return f"communique_rd_{_only(read, 'year')}.csv"


def _yearbook_output_name(read: ProvinceYearRead) -> str:
    return f"yearbook_{read.path.parent.name}.csv"


SOURCE_GROUPS = (
    SourceGroup("nbs_exports", "*.csv", _nbs_output_name),
    SourceGroup("rd_communique", "*.csv", _communique_output_name),
    SourceGroup("sci_tech_yearbook", "*/*.xls*", _yearbook_output_name, gathers=True),
)


def build_panel(realdata: Path, out: Path) -> list[Path]:
    """Write the panel files; returns them in the order written."""
    reads = [
        (group, path, read_province_year_file(path, bad_cells=REJECT))
        for group in SOURCE_GROUPS
        for path in sorted((realdata / group.folder).glob(group.pattern))
    ]
    if not reads:
        raise FileNotFoundError(f"no source files under {realdata} ({_folders()})")
    frames: dict[Path, list[pd.DataFrame]] = {}
    for group, path, read in reads:
        target = out / group.output_name(read)
        if target in frames and not group.gathers:
            raise ValueError(f"two source files would both be written to {target.name}")
        shown = path.relative_to(realdata / group.folder).as_posix()
        frames.setdefault(target, []).append(panel_frame(read, shown))
        for refused in read.rejected.itertuples(index=False):
            print(
                f"left out of the panel: {group.folder}/{shown}, row {refused.source_row}, "
                f"value {refused.value_raw!r}: {refused.reason}"
            )
    out.mkdir(parents=True, exist_ok=True)
    for target, parts in frames.items():
        pd.concat(parts, ignore_index=True).to_csv(
            target, index=False, encoding="utf-8", lineterminator="\n"
        )
    return list(frames)


def panel_frame(read: ProvinceYearRead, shown_name: str | None = None) -> pd.DataFrame:
    """The long demo table for one read file, every row citing where it came from
    (``shown_name``: the file as the citation names it, by default its name)."""
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
                f"{citation}; file {shown_name or read.path.name}, "
                + (f"sheet {sheet!r}, " if isinstance(sheet, str) else "")
                + f"row {row}, column {column}"
                for citation, sheet, row, column in zip(
                    obs["citation"],
                    obs["source_sheet"],
                    obs["source_row"],
                    obs["source_column"],
                    strict=True,
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
