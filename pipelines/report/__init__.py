"""The report: a static bilingual site built from the warehouse, without Dagster.

``build_report(conn, out_dir, ...)`` (``site.py``) reads the marts through ``data.py`` (plain
queries and ``sql/report/*.sql``), renders one HTML page per view (``pages.py`` and
``templates/``) with Vega-Altair charts (``charts.py``), writes the downloads
(``downloads.py``) and offline copies of the GX Data Docs (``gx_docs.py``), and ships every
script, style and font in ``assets/`` (the font: ``fonts/``), so the folder opens from disk
with no server and no network. The Dagster asset is ``pipelines/defs/report/assets.py``;
``impetus report`` builds it from a terminal. Pages and choices: docs/report.md.
"""

from pipelines.report.data import CheckRow
from pipelines.report.site import ReportBuild, build_report, report_dir

__all__ = ["CheckRow", "ReportBuild", "build_report", "report_dir"]
