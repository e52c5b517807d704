"""Freshness policies: how old each table may get before the asset catalog calls it stale.

Freshness in Dagster is the time since an asset's last successful materialization. A source
(raw) table is expected to be reloaded on its release rhythm (the landing sensor when a file
arrives, or the release schedule in ``automation.py``); its window is that rhythm plus slack:

* ``raw.province_year``: NBS yearbook and the R&D communiqué come once a year, in autumn;
  warn after 370 days, fail after 400.
* ``raw.procurement``: monthly extracts; warn after 32 days, fail after 35.
* ``raw.patents``, ``raw.enterprises``: quarterly extracts; warn after 92 days, fail after 100.

Staging tables and marts follow their inputs: each gets the tightest window among the raw
tables upstream of it (``marts.indicator_value`` reads all four domains, so 35 days;
``marts.northeast_view`` only the panel, so 400 days). Reference tables come with the code,
not with a release, and carry no policy.

The policies are attached with :func:`with_freshness_policies` (see
``pipelines/defs/automation.py``: :func:`with_operations` applies it together with the
automation conditions to the whole code location).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import timedelta

import dagster as dg

# Source table -> (warn window, fail window), from how the source is released.
SOURCE_WINDOWS: Mapping[str, tuple[timedelta, timedelta]] = {
    "province_year": (timedelta(days=370), timedelta(days=400)),  # yearly, autumn
    "procurement": (timedelta(days=32), timedelta(days=35)),  # monthly
    "patents": (timedelta(days=92), timedelta(days=100)),  # quarterly
    "enterprises": (timedelta(days=92), timedelta(days=100)),  # quarterly
}

WAREHOUSE_LAYERS = ("raw", "staging", "marts")  # reference: shipped with the code, no policy

SOURCE_KEYS: Mapping[dg.AssetKey, str] = {
    dg.AssetKey(["raw", domain]): domain for domain in SOURCE_WINDOWS
}


def source_policy(domain: str) -> dg.FreshnessPolicy:
    warn, fail = SOURCE_WINDOWS[domain]
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


def upstream_sources(defs: dg.Definitions) -> dict[dg.AssetKey, set[str]]:
    """For every asset of ``defs``: the source domains (raw tables) it is built from."""
    graph = defs.resolve_asset_graph()
    found: dict[dg.AssetKey, set[str]] = {}
    for key in graph.toposorted_asset_keys:
        domains = {SOURCE_KEYS[key]} if key in SOURCE_KEYS else set()
        for parent in graph.get(key).parent_keys:
            domains |= found.get(parent, set())
        found[key] = domains
    return found


def policy_for(domains: set[str]) -> dg.FreshnessPolicy | None:
    """The tightest window among the sources an asset is built from (None: no source)."""
    if not domains:
        return None
    tightest = min(domains, key=lambda domain: SOURCE_WINDOWS[domain][1])
    return source_policy(tightest)


def freshness_policies(defs: dg.Definitions) -> dict[dg.AssetKey, dg.FreshnessPolicy]:
    """A policy for every raw, staging and mart table built from at least one source."""
    policies = {
        key: policy_for(domains)
        for key, domains in upstream_sources(defs).items()
        if key.path[0] in WAREHOUSE_LAYERS
    }
    return {key: policy for key, policy in policies.items() if policy is not None}


def with_freshness_policies(defs: dg.Definitions) -> dg.Definitions:
    policies = freshness_policies(defs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)  # map_resolved_asset_specs
        return defs.map_resolved_asset_specs(
            func=lambda spec: (
                spec.replace_attributes(freshness_policy=policies[spec.key])
                if spec.key in policies
                else spec
            )
        )


def describe(policy: dg.FreshnessPolicy | None) -> str:
    if policy is None:
        return "none"
    warn = policy.warn_window.to_timedelta().days if policy.warn_window else None
    fail = policy.fail_window.to_timedelta().days
    return f"warn after {warn} days, fail after {fail} days"
