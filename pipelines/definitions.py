"""The Dagster code location: everything under ``pipelines/defs``, with the operating rules
(freshness policies, automation conditions) applied to the merged definitions."""

from pathlib import Path

import dagster as dg

from pipelines.defs.operations.automation import with_operations

defs = with_operations(
    dg.load_from_defs_folder(project_root=Path(__file__).resolve().parent.parent)
)
