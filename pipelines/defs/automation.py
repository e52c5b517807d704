"""What starts runs without a person: the landing sensor, release schedules, automation.

* ``landing_sensor`` (RUNNING by default, the main trigger): watches ``data/landing/``
  (``pipelines.paths.landing_dir()``); a new or changed file under ``<domain>/`` starts that
  domain's job, keyed by the file's sha256, so a re-copied identical file starts nothing. Files
  it cannot route are named in the tick's skip reason and in a warning.
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

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines.defs.freshness import with_freshness_policies
from pipelines.defs.jobs import domain_jobs
from pipelines.landing import LANDED, OUTSIDE, SETTLING, UNROUTABLE, route, scan
from pipelines.paths import landing_dir
from pipelines.warehouse.loads import file_sha256

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

# Staging tables and marts; the published read-only copy (group "publish") and the health
# report (group "operations"), so that runs
# the daemon starts end with a fresh copy too.
AUTOMATED = dg.AssetSelection.key_prefixes(["staging"], ["marts"]) | dg.AssetSelection.groups(
    "publish", "operations"
)


def with_automation_conditions(defs: dg.Definitions) -> dg.Definitions:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)  # map_resolved_asset_specs
        return defs.map_resolved_asset_specs(
            func=lambda spec: spec.replace_attributes(automation_condition=FOLLOW_INPUTS),
            selection=AUTOMATED,
        )


def with_operations(defs: dg.Definitions) -> dg.Definitions:
    """The code location with freshness policies and automation conditions attached.

    ``pipelines/definitions.py`` wraps ``load_from_defs_folder`` with this: policies on assets
    defined in other modules can only be attached to the merged definitions.
    """
    return with_freshness_policies(with_automation_conditions(defs))


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

_SCHEDULES = [
    # (name, job, cron, status, why)
    (
        "province_year_yearly",
        "province_year_job",
        "0 6 15 10 *",
        dg.DefaultScheduleStatus.RUNNING,
        "NBS yearbook (分省年度数据) and the R&D funding communiqué: yearly, published in "
        "September-October. Runs 15 October, 06:00.",
    ),
    (
        "procurement_monthly",
        "procurement_job",
        "0 6 5 * *",
        dg.DefaultScheduleStatus.RUNNING,
        "Procurement contract extracts: monthly. Runs on the 5th, 06:00.",
    ),
    (
        "patents_quarterly",
        "patents_job",
        "0 6 10 1,4,7,10 *",
        dg.DefaultScheduleStatus.RUNNING,
        "Patent extracts: quarterly. Runs 10 January, April, July, October, 06:00.",
    ),
    (
        "enterprises_quarterly",
        "enterprises_job",
        "30 6 10 1,4,7,10 *",
        dg.DefaultScheduleStatus.RUNNING,
        "Enterprise extracts: quarterly. Runs 10 January, April, July, October, 06:30.",
    ),
    (
        "full_rebuild_weekly",
        "full_rebuild_job",
        "0 3 * * 0",
        dg.DefaultScheduleStatus.STOPPED,
        "Every asset, Sundays 03:00. Stopped by default: the landing sensor and automation "
        "rebuild what changed; turn on to pick up reference/SQL/catalog edits unattended.",
    ),
]

schedules = [
    dg.ScheduleDefinition(
        name=name,
        job_name=job,
        cron_schedule=cron,
        execution_timezone=TIMEZONE,
        default_status=status,
        description=why,
    )
    for name, job, cron, status, why in _SCHEDULES
]

# ---------------------------------------------------------------------------------------------
# The landing sensor.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LandedFile:
    path: str  # relative to the landing folder, posix
    domain: str
    sha256: str


@dataclass
class LandingScan:
    routable: list[LandedFile]
    unroutable: dict[str, str]  # path -> why
    settling: list[str]  # written too recently: looked at next tick


def scan_landing(
    root: Path, stats: dict[str, list], now: float | None = None
) -> tuple[LandingScan, dict[str, list]]:
    """Every file under ``root`` judged by the one landed-file rule (``pipelines/landing.py``,
    which every run applies too): landed ones with their sha256, settling ones, unroutable
    ones and links leading out of the folder with why (never what they point at).

    ``stats`` (path -> [size, mtime_ns, sha256]) from the previous tick lets an unchanged file
    skip re-hashing; the new one is returned.
    """
    scan_result = LandingScan(routable=[], unroutable={}, settling=[])
    new_stats: dict[str, list] = {}
    for verdict in scan(root, now=now):
        key = verdict.relative
        if verdict.status in (UNROUTABLE, OUTSIDE):
            scan_result.unroutable[key] = verdict.why
        elif verdict.status == SETTLING:
            scan_result.settling.append(key)
        elif verdict.status == LANDED:
            stat = verdict.path.stat()
            previous = stats.get(key)
            if previous and previous[0] == stat.st_size and previous[1] == stat.st_mtime_ns:
                digest = previous[2]
            else:
                digest = file_sha256(verdict.path)
            new_stats[key] = [stat.st_size, stat.st_mtime_ns, digest]
            scan_result.routable.append(LandedFile(key, verdict.domain, digest))
    return scan_result, new_stats


def run_key(domain: str, sha256: str) -> str:
    return f"{domain}:{sha256}"


def _load_cursor(raw: str | None) -> dict:
    cursor = json.loads(raw) if raw else {}
    return {
        "files": dict(cursor.get("files", {})),  # path -> sha256 of the version already routed
        "stats": dict(cursor.get("stats", {})),  # path -> [size, mtime_ns, sha256]
        "unroutable": list(cursor.get("unroutable", [])),  # already warned about
    }


@dg.sensor(
    name=LANDING_SENSOR,
    jobs=domain_jobs,
    minimum_interval_seconds=LANDING_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts <domain>_job for each new or changed file under data/landing/<domain>/ "
    "(run key: domain and sha256, so an identical re-copy starts nothing), and for each file "
    "that left it (the run withdraws its rows). Files it cannot route are named in the skip "
    "reason.",
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
