"""What a run ends with: ``health``, then ``published_copy``.

Both depend on assets of other modules, so they are built here, on the merged definitions of
the code location (:func:`with_end_of_run_assets`, applied by ``automation.with_operations``),
and no module scans the others for their assets: ``health`` follows every staging table and
mart (``health.upstream_of_health``), ``published_copy`` every other asset
(``publish/assets.py: upstream_of_published_copy``), so a new asset is waited for without
editing either. (Built rather than mapped: dependencies added to a built asset's spec, e.g. by
``map_resolved_asset_specs``, show in the lineage but do not order the steps of a run.)
"""

from __future__ import annotations

import dagster as dg

from pipelines.defs.operations.health import HEALTH_KEY, build_health, upstream_of_health
from pipelines.defs.publish.assets import ASSET_KEY as PUBLISHED_KEY
from pipelines.defs.publish.assets import build_published_copy, upstream_of_published_copy


def with_end_of_run_assets(defs: dg.Definitions) -> dg.Definitions:
    """``defs`` with ``health`` and ``published_copy`` added, each depending on what the other
    assets of ``defs`` are (an asset already there is left as it is)."""
    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    added: list[dg.AssetsDefinition] = []
    if HEALTH_KEY not in keys:
        added.append(build_health(upstream_of_health(keys)))
        keys.add(HEALTH_KEY)
    if PUBLISHED_KEY not in keys:
        added.append(build_published_copy(upstream_of_published_copy(keys)))
    return dg.Definitions.merge(defs, dg.Definitions(assets=added)) if added else defs
