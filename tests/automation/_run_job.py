"""Run one job of the code location on the instance in DAGSTER_HOME; print the run id.

``python tests/automation/_run_job.py <job> in_process|execute_job``: ``in_process`` is how
``impetus materialize`` runs a job (``execute_in_process``); ``execute_job`` goes through the
run-worker path of daemon- and UI-launched runs, with the code location's executor.
"""

from __future__ import annotations

import os
import sys
import warnings

import dagster as dg

warnings.simplefilter("ignore")


def job() -> dg.JobDefinition:
    from pipelines.definitions import defs

    return defs.resolve_job_def(os.environ["IMPETUS_TEST_JOB"])


def main() -> int:
    name, executor = sys.argv[1], sys.argv[2]
    os.environ["IMPETUS_TEST_JOB"] = name
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    with dg.DagsterInstance.get() as instance:
        if executor == "in_process":
            result = job().execute_in_process(
                instance=instance, run_config=quiet, raise_on_error=False
            )
            run_id, success = result.run_id, result.success
        else:
            with dg.execute_job(
                dg.reconstructable(job), instance=instance, run_config=quiet
            ) as result:
                run_id, success = result.run_id, result.success
    print(f"RUN {run_id} {'SUCCESS' if success else 'FAILURE'}", flush=True)
    return 0 if success else 1


if __name__ == "__main__":
    sys.exit(main())
