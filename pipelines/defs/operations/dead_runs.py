"""``dead_run_sweeper``: runs whose process is gone stop blocking the runs the daemon starts.

`impetus materialize` runs its job in its own process and, before it starts, fails the runs
of this host whose process is gone and frees their ``duckdb_warehouse`` slot
(``pipelines/runs.py``). Runs started by the sensor, the schedules or the UI do not go through
the CLI: without this sensor a CLI run killed inside a step would block each of them until
someone ran `impetus` again. Runs the daemon launched are left to Dagster's run monitoring.
"""

import dagster as dg

from pipelines import runs

SWEEP_INTERVAL_SECONDS = 30  # as Dagster's own run monitoring polls (dagster.yaml)


@dg.sensor(
    name="dead_run_sweeper",
    minimum_interval_seconds=SWEEP_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks failed the runs `impetus` executed in a process of this host that is "
    "gone (killed or crashed) and frees their pool slots, so they block no later run.",
)
def dead_run_sweeper(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    released = runs.release_dead_runs(context.instance, by="sensor dead_run_sweeper")
    for run in released:
        what = "marked failed, its pool slots freed" if run.marked_failed else "its slots freed"
        steps = f", step {', '.join(run.steps)}" if run.steps else ""
        context.log.warning(
            f"run {run.run_id} ({run.job}{steps}, pid {run.pid}): its process is gone: {what}"
        )
    if not released:
        return dg.SkipReason("no run of a gone process holds a slot or is unfinished")
    return dg.SkipReason(
        f"released {len(released)} run(s): " + ", ".join(r.run_id for r in released)
    )


defs = dg.Definitions(sensors=[dead_run_sweeper])
