"""Why the published path is a link to immutable versions (run by hand).

Three reader processes open the published path in a tight loop (alternately
``duckdb.connect(path, read_only=True)`` and ``ATTACH path (READ_ONLY)``) while the toy
warehouse of tests/publish is republished SWAPS times, once per strategy, side by side:

- ``replace_in_place``: the design before this one, one stamped file copied to a temporary
  name and ``os.replace``d onto the published path;
- ``link_to_versions``: :func:`pipelines.publish.publish`, immutable version files and an
  atomically swapped symbolic link.

A read is bad when it fails or sees anything but one whole version (stamp, row counts, 31
provinces per pillar-year). DuckDB opens a file several times while connecting (magic bytes,
headers, then blocks), so a rename landing between those opens gives a reader the headers of
one version and the blocks of the next; a link is resolved once, before the first open.
Prints reads, bad reads, the rate, seconds per publication, and peak RSS.

    .venv/bin/python benchmarks/publish_swap.py [--swaps 1000]   # about 6 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "publish"))

from toy_warehouse import build_version  # noqa: E402

from pipelines.publish import publish  # noqa: E402

READER = ROOT / "tests" / "publish" / "reader.py"
READERS = 3


def replace_in_place(live: Path, target: Path, conn, run_id: str) -> None:
    stamped = publish(live, target.parent / "scratch" / target.name, conn=conn, run_id=run_id)
    temporary = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(stamped.version, temporary)
    os.replace(temporary, target)


def link_to_versions(live: Path, target: Path, conn, run_id: str) -> None:
    publish(live, target, conn=conn, run_id=run_id)


def bad(read: dict) -> bool:
    if len(read["run_ids"]) != 1 or read["mismatches"]:
        return True
    k = int(read["run_ids"][0][1:]) % 40 + 1
    return read["pillar_score_rows"] != 31 * k or read["provinces_per_pillar_year"] != [31]


def trial(folder: Path, strategy: Callable, swaps: int) -> dict:
    folder.mkdir(parents=True)
    live, target, stop = folder / "live.duckdb", folder / "pub" / "impetus.duckdb", folder / "stop"
    target.parent.mkdir()
    with duckdb.connect(str(live)) as conn:
        build_version(conn, 1)
        strategy(live, target, conn, "v0")
    outs = [folder / f"reader{i}.json" for i in range(READERS)]
    readers = [
        subprocess.Popen([sys.executable, str(READER), str(target), str(stop), str(out), "0"])
        for out in outs
    ]
    time.sleep(1.0)
    started = time.perf_counter()
    for k in range(1, swaps + 1):
        with duckdb.connect(str(live)) as conn:
            build_version(conn, k % 40 + 1)
            strategy(live, target, conn, f"v{k}")
    seconds = time.perf_counter() - started
    stop.touch()
    reads, errors = [], []
    for reader, out in zip(readers, outs, strict=True):
        reader.wait(timeout=120)
        result = json.loads(out.read_text(encoding="utf-8"))
        reads += result["reads"]
        errors += result["errors"]
    return {
        "reads": len(reads) + len(errors),
        "bad": len(errors) + sum(bad(read) for read in reads),
        "publish_s": seconds / swaps,
        "example": errors[0].splitlines()[0] if errors else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swaps", type=int, default=1000)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for strategy in (replace_in_place, link_to_versions):
            results[strategy.__name__] = trial(
                Path(scratch) / strategy.__name__, strategy, args.swaps
            )
    print(f"{args.swaps} publications per strategy, {READERS} reader processes in a tight loop")
    print(f"{'strategy':<18}{'reads':>8}{'bad':>6}{'bad per 1000':>14}{'s per publish':>15}")
    for name, r in results.items():
        rate = 1000 * r["bad"] / r["reads"]
        print(f"{name:<18}{r['reads']:>8}{r['bad']:>6}{rate:>14.2f}{r['publish_s']:>15.3f}")
    old, new = results["replace_in_place"], results["link_to_versions"]
    print(f"publish time, link / in place: {new['publish_s'] / old['publish_s']:.2f}")
    if old["example"]:
        print(f"a bad read in place: {old['example']}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: publisher {own:.0f} MiB, largest reader {children:.0f} MiB")


if __name__ == "__main__":
    main()
