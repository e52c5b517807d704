"""Where a materialization looks for input files: the source folders resource."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.paths import DEMO_DIR, landing_dir

SUFFIXES = {
    "province_year": (".csv", ".xls", ".xlsx"),
    "patents": (".csv", ".csv.gz", ".tsv", ".parquet"),
    "enterprises": (".csv", ".csv.gz", ".tsv", ".parquet"),
    "procurement": (".csv", ".csv.gz", ".tsv", ".parquet"),
}


def default_roots() -> list[str]:
    """IMPETUS_SOURCE_ROOTS (separated by os.pathsep) if set, else the demo and landing folders."""
    configured = os.environ.get("IMPETUS_SOURCE_ROOTS")
    if configured:
        return [root for root in configured.split(os.pathsep) if root]
    return [str(DEMO_DIR), str(landing_dir())]


class SourceFolders(dg.ConfigurableResource):
    """Folders holding one sub-folder per domain (``<root>/<domain>/...``), read in order.

    By default the embedded demo (``data/demo``) and the landing folder (``data/landing``).
    Files are only read, never moved: the raw file is always kept where the user put it.
    """

    roots: list[str]

    def files(self, domain: str) -> list[Path]:
        found: list[Path] = []
        for root in self.roots:
            folder = Path(root) / domain
            if not folder.is_dir():
                continue
            found.extend(
                path
                for path in sorted(folder.rglob("*"))
                if path.is_file()
                and not path.name.startswith((".", "~$"))
                and path.name.lower().endswith(SUFFIXES[domain])
            )
        return found
