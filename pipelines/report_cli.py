"""``impetus report [--open]``: build the report from the published copy, or open it.

The build reads the published copy (read-only, so it works while a run writes the live
warehouse) and the latest check results from the Dagster instance (DAGSTER_HOME's, else the
project's own), and writes the site where the ``report`` asset does (``report_dir``:
IMPETUS_REPORT, else data/report/). ``--open`` opens the site's index in the default browser,
building it first only when there is none yet.
"""

from __future__ import annotations

import os
import webbrowser

import dagster as dg

from pipelines.lateness import today
from pipelines.paths import dagster_home
from pipelines.publish import PUBLICATION_TABLE, connect_published, published_path
from pipelines.report import ReportBuild, build_report, report_dir
from pipelines.validation.data_docs import docs_dir


def build_from_published() -> ReportBuild:
    from pipelines.defs.report.assets import location_checks

    os.environ["DAGSTER_HOME"] = str(dagster_home())
    instance = dg.DagsterInstance.get()
    try:
        checks = location_checks(instance)
    finally:
        instance.dispose()
    with connect_published(published_path()) as conn:
        run_id, published_at = conn.execute(
            f"select any_value(run_id), max(published_at) from {PUBLICATION_TABLE}"
        ).fetchone()
        return build_report(
            conn,
            report_dir(),
            checks=checks,
            on=today(),
            read_from=f"published copy of run {str(run_id)[:8]} ({published_at:%Y-%m-%d %H:%M})",
            validation_docs=docs_dir(),
        )


def report_command(open_it: bool = False) -> int:
    index = report_dir() / "index.html"
    if not (open_it and index.is_file()):
        built = build_from_published()
        print(
            f"wrote {built.pages} pages ({built.size_bytes / 1e6:.1f} MB) in "
            f"{built.seconds:.1f} s: {built.index}"
        )
    if open_it:
        print(f"opening {index}")
        webbrowser.open(index.resolve().as_uri())
    return 0
