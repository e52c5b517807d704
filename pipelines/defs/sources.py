"""Where a materialization looks for input files: the source folders resource."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg

from pipelines.landing import LANDED, OUTSIDE, SETTLING, scan
from pipelines.paths import DEMO_DIR, REPO_ROOT, landing_dir

# What a run names in the raw asset's metadata (``files_skipped``) instead of reading it.
SKIPPED_NOTED = (SETTLING, OUTSIDE)


def default_roots() -> list[str]:
    """IMPETUS_SOURCE_ROOTS (separated by os.pathsep) if set, else the demo and landing folders."""
    configured = os.environ.get("IMPETUS_SOURCE_ROOTS")
    if configured:
        return [root for root in configured.split(os.pathsep) if root]
    return [str(DEMO_DIR), str(landing_dir())]


def default_keep_removed_files() -> bool:
    """IMPETUS_KEEP_REMOVED_FILES=1 keeps the rows of files that left the source folders."""
    return os.environ.get("IMPETUS_KEEP_REMOVED_FILES", "").strip().lower() in {"1", "true", "yes"}


class SourceFolders(dg.ConfigurableResource):
    """Folders holding one sub-folder per domain (``<root>/<domain>/...``), read in order.

    By default the embedded demo (``data/demo``) and the landing folder (``data/landing``).
    Files are only read, never moved: the raw file is always kept where the user put it.

    The warehouse holds what these folders hold: a run withdraws the rows of a loaded file
    that is no longer there (docs/loading.md), unless ``keep_removed_files`` is set.
    """

    roots: list[str]
    keep_removed_files: bool = False

    def files(self, domain: str) -> list[Path]:
        """The landed files of ``domain`` (``pipelines/landing.py``: the rule the landing
        sensor applies too), root by root. Files still being written and links leading out of
        their folder are skipped; inside a run they are named in the asset's metadata
        (``files_skipped``) and the run's log."""
        now = time.time()
        found: list[Path] = []
        skipped: dict[str, str] = {}
        for root in self.roots:
            for verdict in scan(root, domain, now=now):
                if verdict.status == LANDED:
                    found.append(verdict.path)
                elif verdict.status in SKIPPED_NOTED:
                    skipped[_shown(verdict.path)] = verdict.why
        if skipped:
            _note_skipped(domain, skipped)
        return found


def _shown(path: Path) -> str:
    """The path as found (a link is not followed: where it leads is not shown)."""
    path = Path(os.path.abspath(path))
    return (path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path).as_posix()


def _note_skipped(domain: str, skipped: dict[str, str]) -> None:
    """Name the skipped files in the current asset's materialization metadata and log, when
    called inside a run (outside one, e.g. from a script, there is nowhere to note them)."""
    try:
        context = dg.OpExecutionContext.get()
    except dg.DagsterInvariantViolationError:
        return
    for path, why in skipped.items():
        context.log.warning(f"{domain}: {path}: {why}")
    context.add_output_metadata({"files_skipped": dg.MetadataValue.json(skipped)})
