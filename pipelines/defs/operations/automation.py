"""What starts runs without a person: the landing sensor, release schedules, automation.

* ``landing_sensor`` (RUNNING by default, the main trigger): watches ``data/landing/``
  (``pipelines.paths.landing_dir()``); a new or changed file under ``<domain>/`` starts that
  domain's job, keyed by the file's content (its sha256; over 64 MiB, a chain of chunk
  digests hashed a budget per tick), so a re-copied identical file starts nothing. Files it
  cannot route are named in the tick's skip reason and in a warning.
* ``warehouse_automation`` (RUNNING by default): declarative automation. Staging tables and
  marts rebuild when a table they read was updated, and nothing else does.
* Release schedules (RUNNING by default, a safety net on the sources' calendar): pick up a
  release even if the sensor was off when its file landed; a file already loaded is skipped
  by sha256, so a run with nothing new costs seconds.
* ``full_rebuild_weekly`` (STOPPED by default): every asset once a week, for the changes no
  sensor sees (reference CSVs, SQL models, the indicator catalog); turn it on where those
  change without someone running ``impetus materialize`` after a deploy.

Details and the reasons are in docs/operations.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import dagster as dg

from pipelines.defs.operations.freshness import with_freshness_policies
from pipelines.defs.operations.jobs import domain_job_name, domain_jobs
from pipelines.defs.operations.run_order import with_end_of_run_assets
from pipelines.domains import REGISTRY
from pipelines.landing import LANDED, OUTSIDE, SETTLING, UNROUTABLE, route, scan
from pipelines.paths import landing_dir

TIMEZONE = "Asia/Shanghai"
LANDING_SENSOR = "landing_sensor"
LANDING_INTERVAL_SECONDS = int(os.environ.get("IMPETUS_LANDING_INTERVAL", "30"))
AUTOMATION_INTERVAL_SECONDS = int(os.environ.get("IMPETUS_AUTOMATION_INTERVAL", "30"))

# ---------------------------------------------------------------------------------------------
# Declarative automation: staging and marts follow their inputs.
# ---------------------------------------------------------------------------------------------

REFERENCE = dg.AssetSelection.groups("reference")

# ``eager()`` except that an update of a reference table alone does not count: every domain
# job reloads the (tiny, repo-shipped) reference tables, and their content only changes with a
# deploy, after which the full rebuild runs. Missing or in-progress reference tables still hold
# a rebuild back, as in ``eager()``.
FOLLOW_INPUTS = (
    dg.AutomationCondition.in_latest_time_window()
    & (
        dg.AutomationCondition.newly_missing()
        | dg.AutomationCondition.any_deps_updated().ignore(REFERENCE)
    ).since_last_handled()
    & ~dg.AutomationCondition.any_deps_missing()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("eager (reference updates ignored)")

# Staging tables and marts; the published read-only copy (group "publish"), the health
# report (group "operations") and the static report site (group "report", which the copy
# follows), so that runs the daemon starts end with a fresh copy too.
AUTOMATED = dg.AssetSelection.key_prefixes(["staging"], ["marts"]) | dg.AssetSelection.groups(
    "publish", "operations", "report"
)


def with_automation_conditions(defs: dg.Definitions) -> dg.Definitions:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)  # map_resolved_asset_specs
        return defs.map_resolved_asset_specs(
            func=lambda spec: spec.replace_attributes(automation_condition=FOLLOW_INPUTS),
            selection=AUTOMATED,
        )


def with_operations(defs: dg.Definitions) -> dg.Definitions:
    """The code location with what a run ends with (``run_order.py``: the dependencies of
    ``health`` and ``published_copy``), freshness policies and automation conditions attached.

    ``pipelines/definitions.py`` wraps ``load_from_defs_folder`` with this: dependencies on and
    policies for assets defined in other modules can only be attached to the merged definitions.
    """
    return with_freshness_policies(with_automation_conditions(with_end_of_run_assets(defs)))


warehouse_automation = dg.AutomationConditionSensorDefinition(
    "warehouse_automation",
    target=AUTOMATED,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=AUTOMATION_INTERVAL_SECONDS,
    description="Rebuilds staging tables and marts whose inputs were updated "
    "(declarative automation, eager; updates of reference tables alone are ignored).",
)

# ---------------------------------------------------------------------------------------------
# Schedules: the sources' release calendar (Asia/Shanghai).
# ---------------------------------------------------------------------------------------------

# One per domain, on the release rhythm and cron of data/reference/domains.csv.
release_schedules = [
    dg.ScheduleDefinition(
        name=domain.schedule_name,
        job_name=domain_job_name(domain.name),
        cron_schedule=domain.release_cron,
        execution_timezone=TIMEZONE,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=domain.schedule_description,
    )
    for domain in REGISTRY
]

full_rebuild_weekly = dg.ScheduleDefinition(
    name="full_rebuild_weekly",
    job_name="full_rebuild_job",
    cron_schedule="0 3 * * 0",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every asset, Sundays 03:00. Stopped by default: the landing sensor and "
    "automation rebuild what changed; turn on to pick up reference/SQL/catalog edits unattended.",
)

schedules = [*release_schedules, full_rebuild_weekly]

# ---------------------------------------------------------------------------------------------
# The landing sensor.
# ---------------------------------------------------------------------------------------------

# What one tick may spend hashing new or changed files, all together: Dagster fails a tick
# that takes more than 60 s and the next tick starts again, so a 6 GB file hashed whole in a
# tick (76 s) was never routed. A file not finished keeps its progress in the cursor and the
# next tick goes on from there. The tick stops at whichever bound it reaches first, between
# two chunks, but always hashes at least one chunk so every file gets there. The byte budget
# keeps ticks alike; the time budget guards a slow disk.
LANDING_HASH_BYTES_PER_TICK = int(os.environ.get("IMPETUS_LANDING_HASH_MIB", "512")) << 20
LANDING_HASH_SECONDS_PER_TICK = 20.0

# The unit of incremental hashing: each chunk is hashed whole within one tick. A file up to one
# chunk is keyed by its sha256, the digest raw.load_log records. A longer file is keyed by a
# chain over its chunks' sha256 digests (``CHUNKED_KEY_PREFIX`` + hex): hashlib cannot save a
# sha256 half-way for the next tick, a chain digest fits in the cursor whatever the file's
# size, and it is equal for equal bytes, which is all a run key needs. Runs never read the
# key: each one hashes every file whole (``loads.file_sha256``) to skip what is already
# loaded, so the "already loaded" check holds whichever key the sensor used. Changing the
# chunk size re-keys long files once (one run that finds nothing new).
LANDING_HASH_CHUNK_BYTES = 64 << 20
CHUNKED_KEY_PREFIX = "sha256-chunks:"


@dataclass(frozen=True)
class LandedFile:
    path: str  # relative to the landing folder, posix
    domain: str
    sha256: str  # the content key: the file's sha256, or a chunk chain for a long file


@dataclass
class LandingScan:
    routable: list[LandedFile]
    unroutable: dict[str, str]  # path -> why
    settling: list[str]  # written too recently: looked at next tick
    hashing: dict[str, str] = field(default_factory=dict)  # path -> progress: hashed next tick


@dataclass
class HashState:
    """A file's hashing as the cursor keeps it: ``[size, mtime_ns, hashed, digest]``.

    ``digest`` is the content key once ``hashed == size``, else the chain over the chunks
    hashed so far. A different size or mtime means other content: hashing restarts."""

    size: int
    mtime_ns: int
    hashed: int
    digest: str

    @property
    def done(self) -> bool:
        return self.hashed == self.size

    def describes(self, stat: os.stat_result) -> bool:
        return self.size == stat.st_size and self.mtime_ns == stat.st_mtime_ns

    @classmethod
    def fresh(cls, stat: os.stat_result) -> HashState:
        # An empty file is done before it starts: its key is the sha256 of nothing.
        start = hashlib.sha256().hexdigest() if stat.st_size == 0 else _chain_start()
        return cls(stat.st_size, stat.st_mtime_ns, 0, start)

    @classmethod
    def from_cursor(cls, entry: list) -> HashState:
        if len(entry) == 3:  # a cursor from before incremental hashing: [size, mtime, sha256]
            size, mtime_ns, sha256 = entry
            return cls(size, mtime_ns, size, sha256)
        return cls(*entry)

    def to_cursor(self) -> list:
        return [self.size, self.mtime_ns, self.hashed, self.digest]


def _chain_start() -> str:
    return hashlib.sha256(
        f"impetus landing key: chain of sha256 over {LANDING_HASH_CHUNK_BYTES}-byte chunks".encode()
    ).hexdigest()


def chunk_sha256(handle: BinaryIO, length: int) -> bytes:
    """The sha256 of the next ``length`` bytes of ``handle`` (fewer if the file ends first)."""
    digest = hashlib.sha256()
    while length > 0:
        block = handle.read(min(length, 1 << 20))
        if not block:
            break
        digest.update(block)
        length -= len(block)
    return digest.digest()


class HashBudget:
    """What the tick may still spend hashing (``LANDING_HASH_*_PER_TICK``)."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + LANDING_HASH_SECONDS_PER_TICK
        self.spent = 0

    def allows(self, length: int) -> bool:
        if self.spent == 0:
            return True  # every tick makes progress, however small the budget
        within = self.spent + length <= LANDING_HASH_BYTES_PER_TICK
        return within and time.monotonic() < self.deadline


def hash_within_budget(path: Path, state: HashState, budget: HashBudget) -> HashState | None:
    """``state`` taken on by whole chunks while ``budget`` allows; None if the file changed
    under the hasher (it is looked at afresh next tick)."""
    chunk = LANDING_HASH_CHUNK_BYTES
    hashed, digest = state.hashed, state.digest
    if not budget.allows(min(chunk, state.size - hashed)):
        return state  # not opened: the tick's budget is spent
    with path.open("rb") as handle:
        handle.seek(hashed)
        while hashed < state.size and budget.allows(length := min(chunk, state.size - hashed)):
            chunk_digest = chunk_sha256(handle, length)
            if handle.tell() != hashed + length:
                return None  # shorter than it was when the tick began
            budget.spent += length
            hashed += length
            if state.size <= chunk:
                digest = chunk_digest.hex()  # one chunk: the file's own sha256
            else:
                digest = hashlib.sha256(bytes.fromhex(digest) + chunk_digest).hexdigest()
    if hashed == state.size and state.size > chunk:
        digest = CHUNKED_KEY_PREFIX + digest
    return HashState(state.size, state.mtime_ns, hashed, digest)


def _amount(size: int) -> str:
    if size >= 1 << 30:
        return f"{size / (1 << 30):.1f} GiB"
    if size >= 1 << 20:
        return f"{size / (1 << 20):.0f} MiB"
    return f"{size:,} bytes"


def scan_landing(
    root: Path, stats: dict[str, list], now: float | None = None
) -> tuple[LandingScan, dict[str, list]]:
    """Every file under ``root`` judged by the one landed-file rule (``pipelines/landing.py``,
    which every run applies too): landed ones with their content key, settling ones, ones
    still being hashed, unroutable ones and links leading out of the folder with why (never
    what they point at).

    ``stats`` (path -> HashState as a list) from the previous tick lets an unchanged file skip
    re-hashing and a half-hashed one go on where it stopped; the new one is returned. New and
    changed files are hashed smallest remaining first, so a large file never holds up the
    small ones that land beside it.
    """
    budget = HashBudget()
    scan_result = LandingScan(routable=[], unroutable={}, settling=[])
    new_stats: dict[str, list] = {}
    pending: list[tuple[int, str, str, Path, HashState]] = []
    for verdict in scan(root, now=now):
        key = verdict.relative
        if verdict.status in (UNROUTABLE, OUTSIDE):
            scan_result.unroutable[key] = verdict.why
        elif verdict.status == SETTLING:
            scan_result.settling.append(key)
        elif verdict.status == LANDED:
            stat = verdict.path.stat()
            previous = HashState.from_cursor(stats[key]) if key in stats else None
            if previous is None or not previous.describes(stat):
                previous = HashState.fresh(stat)
            if previous.done:
                new_stats[key] = previous.to_cursor()
                scan_result.routable.append(LandedFile(key, verdict.domain, previous.digest))
            else:
                remaining = previous.size - previous.hashed
                pending.append((remaining, key, verdict.domain, verdict.path, previous))
    for _, key, domain, path, previous in sorted(pending, key=lambda item: item[:2]):
        state = hash_within_budget(path, previous, budget)
        if state is None:
            scan_result.settling.append(key)
        elif state.done:
            new_stats[key] = state.to_cursor()
            scan_result.routable.append(LandedFile(key, domain, state.digest))
        else:
            new_stats[key] = state.to_cursor()
            scan_result.hashing[key] = f"hashed {_amount(state.hashed)} of {_amount(state.size)}"
    scan_result.routable.sort(key=lambda landed: landed.path)
    return scan_result, new_stats


def run_key(domain: str, sha256: str) -> str:
    return f"{domain}:{sha256}"


def _load_cursor(raw: str | None) -> dict:
    cursor = json.loads(raw) if raw else {}
    return {
        "files": dict(cursor.get("files", {})),  # path -> content key of the version routed
        "stats": dict(cursor.get("stats", {})),  # path -> [size, mtime_ns, hashed, digest]
        "unroutable": list(cursor.get("unroutable", [])),  # already warned about
    }


@dg.sensor(
    name=LANDING_SENSOR,
    jobs=domain_jobs,
    minimum_interval_seconds=LANDING_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts <domain>_job for each new or changed file under data/landing/<domain>/ "
    "(run key: domain and content hash, so an identical re-copy starts nothing), and for each "
    "file that left it (the run withdraws its rows). A large file is hashed over several ticks, "
    "named in the skip reason with its progress, as are files it cannot route.",
)
def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    cursor = _load_cursor(context.cursor)
    root = landing_dir()
    scan, stats = scan_landing(root, cursor["stats"])

    run_requests: list[dg.RunRequest] = []
    files = {}
    for landed in scan.routable:
        files[landed.path] = landed.sha256
        if cursor["files"].get(landed.path) == landed.sha256:
            continue
        context.log.info(f"{landed.path}: new content {landed.sha256[:12]} -> {landed.domain}_job")
        run_requests.append(
            dg.RunRequest(
                run_key=run_key(landed.domain, landed.sha256),
                job_name=f"{landed.domain}_job",
                tags={
                    "impetus/landing_file": landed.path,
                    "impetus/sha256": landed.sha256,
                },
            )
        )
    # A file still settling keeps its previous cursor entry: it is looked at again next tick.
    for path in scan.settling:
        if path in cursor["files"]:
            files[path] = cursor["files"][path]
            if path in cursor["stats"]:
                stats[path] = cursor["stats"][path]
    # A file still being hashed keeps the version already routed (it has not left the folder);
    # its progress is in ``stats``.
    for path, progress in scan.hashing.items():
        if path in cursor["files"]:
            files[path] = cursor["files"][path]
        context.log.info(f"{path}: {progress}, the next tick goes on")
    # A file that left the landing folder: its domain's next run withdraws its rows
    # (docs/loading.md, "Getting back from a bad file"), so start that run now.
    for path, sha256 in sorted(cursor["files"].items()):
        domain, _ = route(Path(path))
        if path in files or domain is None:
            continue
        context.log.info(f"{path}: left the landing folder -> {domain}_job withdraws it")
        run_requests.append(
            dg.RunRequest(
                run_key=f"{domain}:gone:{sha256}:{path}",
                job_name=f"{domain}_job",
                tags={"impetus/landing_file_gone": path, "impetus/sha256": sha256},
            )
        )

    for path, why in scan.unroutable.items():
        if path not in cursor["unroutable"]:
            context.log.warning(f"landing file not routed: {path}: {why}")
    new_cursor = json.dumps(
        {"files": files, "stats": stats, "unroutable": sorted(scan.unroutable)},
        ensure_ascii=False,
        sort_keys=True,
    )
    if run_requests:
        return dg.SensorResult(run_requests=run_requests, cursor=new_cursor)

    reasons = [f"not routed: {path} ({why})" for path, why in scan.unroutable.items()]
    if scan.settling:
        reasons.append("still being written: " + ", ".join(scan.settling))
    if scan.hashing:
        reasons.append(
            "still being hashed: "
            + ", ".join(f"{path}: {progress}" for path, progress in scan.hashing.items())
        )
    if not reasons:
        reasons.append(f"no new or changed file in {root}")
    context.update_cursor(new_cursor)
    return dg.SkipReason("; ".join(reasons))


# Every step opens the warehouse and takes the one slot of the pool "duckdb_warehouse", so a
# run's steps execute one at a time whatever the executor. The default multiprocess executor
# would start a Python process per step, each importing the code location again (about 10 s
# here, most of it Great Expectations), for no parallelism; runs launched by the daemon and the
# UI therefore execute their steps in the run's own process, as `impetus materialize` does.
defs = dg.Definitions(
    schedules=schedules,
    sensors=[landing_sensor, warehouse_automation],
    executor=dg.in_process_executor,
)
