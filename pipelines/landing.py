"""What is a landed file: the one rule the landing sensor and every run apply.

A file under a source folder (``<root>/<domain>/...``) is read only when it is *landed*:

1. it stays inside the folder: its real path, symbolic links followed, is under the folder's
   real path. A link that leads out (to ``/etc/passwd``, a home folder, another disk) is
   refused before a byte of it is read, and no message ever shows what it points at;
2. no part of its path starts with ``.`` or ``~$``: a copy in progress under ``.incoming/``,
   rsync's and editors' temporary files, Office lock files (``~$book.xlsx``);
   ``README.md`` and desktop clutter (``.DS_Store``, ``Thumbs.db``, ``desktop.ini``) are not
   data either;
3. it is a regular file in a domain folder, with one of the domain's suffixes (both from
   ``data/reference/domains.csv``);
4. in the landing folder (``IMPETUS_LANDING``, and any source folder inside it), it has
   settled: not modified in the last :func:`settle_seconds` (``IMPETUS_LANDING_SETTLE``,
   5 s), else it may still be being copied and waits for the next tick or run. Other source
   folders (the demo, folders added in ``IMPETUS_SOURCE_ROOTS``) are expected to hold
   finished files.

:func:`scan` gives every file's :class:`Verdict`; the landing sensor
(``pipelines/defs/operations/automation.py``) names the unroutable and refused ones in its
skip reason, and runs (``SourceFolders.files`` in ``pipelines/defs/sources.py``) load the
landed ones and name the settling and refused ones in the raw asset's metadata. No Dagster in
here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines.domains import DOMAINS, REGISTRY
from pipelines.paths import landing_dir

SUFFIXES = {domain.name: domain.suffixes for domain in REGISTRY}
SETTLE_ENV = "IMPETUS_LANDING_SETTLE"
DEFAULT_SETTLE_SECONDS = 5.0
IGNORED_NAMES = {"README.md", ".DS_Store", "Thumbs.db", "desktop.ini"}
IGNORED_PREFIXES = (".", "~$")

# A file's verdict.
LANDED = "landed"  # read by runs; routed by the sensor
SETTLING = "settling"  # modified within the settle window: the next tick or run reads it
OUTSIDE = "outside"  # a link leading out of the folder: never read
UNROUTABLE = "unroutable"  # not in a domain folder, unknown suffix, not a regular file
IGNORED = "ignored"  # hidden, a lock file, README.md: no data, never mentioned

STILL_BEING_WRITTEN = "still being written, skipped this run"


@dataclass(frozen=True)
class Verdict:
    path: Path  # as found, under the folder scanned
    relative: str  # relative to the folder, posix
    status: str
    domain: str | None = None
    why: str = ""

    @property
    def landed(self) -> bool:
        return self.status == LANDED


def settle_seconds() -> float:
    """IMPETUS_LANDING_SETTLE (seconds, 0 switches the wait off), else 5."""
    configured = os.environ.get(SETTLE_ENV, "").strip()
    return float(configured) if configured else DEFAULT_SETTLE_SECONDS


def settle_window(root: str | Path) -> float:
    """The settle window for files under ``root``: :func:`settle_seconds` in the landing
    folder (or a folder inside it), 0 elsewhere."""
    real = Path(os.path.realpath(root))
    return settle_seconds() if real.is_relative_to(os.path.realpath(landing_dir())) else 0.0


def route(relative: Path) -> tuple[str | None, str]:
    """The domain a file belongs to by where it is (``<domain>/...``) and its suffix, or None
    and why not."""
    if len(relative.parts) < 2:
        return None, f"not in a domain folder (put it in one of {', '.join(DOMAINS)})"
    domain = relative.parts[0]
    if domain not in DOMAINS:
        return None, f"unknown domain folder {domain!r} (known: {', '.join(DOMAINS)})"
    if not relative.name.lower().endswith(SUFFIXES[domain]):
        return None, f"unknown suffix for {domain} (accepted: {', '.join(SUFFIXES[domain])})"
    return domain, ""


def examine(root: Path, path: Path, now: float, settle: float) -> Verdict:
    """The verdict on ``path``, found under the folder ``root``."""
    relative = path.relative_to(root)
    key = relative.as_posix()
    if _hidden(relative):
        return Verdict(path, key, IGNORED, why="hidden, a lock file or README")
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(real_root):
        return Verdict(
            path,
            key,
            OUTSIDE,
            why="a symbolic link leading outside the folder: not read"
            " (copy the file itself into the folder)",
        )
    if real != real_root / relative and _hidden(real.relative_to(real_root)):
        return Verdict(path, key, IGNORED, why="a link to a hidden file")
    if real.is_dir():
        return Verdict(path, key, IGNORED, why="a link to a folder inside: read where it is")
    if not real.is_file():
        what = "a symbolic link to nothing" if not real.exists() else "not a regular file"
        return Verdict(path, key, UNROUTABLE, why=what)
    domain, why = route(relative)
    if domain is None:
        return Verdict(path, key, UNROUTABLE, why=why)
    age = now - real.stat().st_mtime
    if age < settle:
        return Verdict(
            path,
            key,
            SETTLING,
            domain,
            why=f"{STILL_BEING_WRITTEN} (modified {max(age, 0):.0f} s ago; files settle"
            f" {settle:g} s, {SETTLE_ENV})",
        )
    return Verdict(path, key, LANDED, domain)


def scan(root: str | Path, domain: str | None = None, now: float | None = None) -> list[Verdict]:
    """The verdict on every file under ``root`` (only under ``root/<domain>`` if given), in
    path order. Hidden folders are not entered; linked folders are judged, not entered."""
    root = Path(root)
    top = root / domain if domain else root
    now = time.time() if now is None else now
    settle = settle_window(root)
    return [examine(root, path, now, settle) for path in sorted(_entries(top))]


def landed_files(root: str | Path, domain: str, now: float | None = None) -> list[Path]:
    """The landed files of ``domain`` under ``root``, in path order."""
    return [verdict.path for verdict in scan(root, domain, now) if verdict.landed]


def _entries(top: Path) -> Iterator[Path]:
    if top.is_symlink():
        yield top
        return
    if not top.is_dir():
        return
    for folder, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(folder)
        for name in list(dirnames):
            if (here / name).is_symlink():
                yield here / name  # os.walk does not enter it
            elif name.startswith(IGNORED_PREFIXES):
                dirnames.remove(name)  # hidden: nothing in it is data
        for name in filenames:
            yield here / name


def _hidden(relative: Path) -> bool:
    return (
        any(part.startswith(IGNORED_PREFIXES) for part in relative.parts)
        or relative.name in IGNORED_NAMES
    )
