"""Freshness policies: how long since a table was last rebuilt before the catalog says so.

Freshness in Dagster is the time since an asset's last successful materialization: it says
whether the *pipeline* keeps running, not whether the *data* is new (that is the release
calendar's job: ``pipelines/lateness.py`` and the ``releases_on_time`` checks). A source (raw)
table is reloaded on its release rhythm (the landing sensor when a file arrives, or the release
schedule in ``automation.py``), so its policy warns when one release run was missed and fails
when two were, each with a little slack: the windows are the ``warn_after_days`` and
``fail_after_days`` of its domain in ``data/reference/domains.csv``.

The UI words a window with dayjs' ``humanize`` (25 days or less in days, up to 45 days "a
month", then months, from 11 months "a year"): 32 and 35 days both read "a month", 370 and
400 days both "a year". These windows read differently: "a month" / "2 months",
"3 months" / "6 months", "a year" / "2 years" (:func:`ui_wording` mirrors the UI's rounding;
a test keeps each pair apart).

Staging tables and marts follow their inputs: each gets the tightest window among the raw
tables upstream of it (``marts.indicator_value`` reads all four domains, so the monthly one;
``marts.northeast_view`` only the panel, so the yearly one). Reference tables come with the
code, not with a release, and carry no policy.

The policies are attached with :func:`with_freshness_policies` (see
``pipelines/defs/operations/automation.py``: :func:`with_operations` applies it together with the
automation conditions to the whole code location).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import timedelta

import dagster as dg

from pipelines.domains import REGISTRY

# Source domain -> (warn window, fail window).
SOURCE_WINDOWS: Mapping[str, tuple[timedelta, timedelta]] = {
    domain.name: (domain.warn_after, domain.fail_after) for domain in REGISTRY
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


def ui_wording(window: timedelta) -> str:
    """How the asset page words a window ("Fails if more than <this> since last
    materialization"): dayjs' ``duration(...).humanize()`` with the thresholds of Dagster's
    ``ui-core/src/util/dayjsExtensions.ts`` (hours up to 47, days up to 25, "a month" up to 45
    days, months up to 10, "a year" up to 17 months, then years), months and years taken as
    their average length."""
    seconds = window.total_seconds()
    minutes, hours, days = seconds / 60, seconds / 3600, seconds / 86400
    months, years = days / 30.4375, days / 365.25
    for value, limit, one, many in (
        (seconds, 44, None, "{} seconds"),
        (seconds, 89, "a minute", None),
        (minutes, 44, None, "{} minutes"),
        (minutes, 89, "an hour", None),
        (hours, 47, None, "{} hours"),
        (days, 25, None, "{} days"),
        (days, 45, "a month", None),
        (months, 10, None, "{} months"),
        (months, 17, "a year", None),
    ):
        if round(value) <= limit:
            return one if many is None else many.format(round(value))
    return "a year" if round(years) <= 1 else f"{round(years)} years"


def describe(policy: dg.FreshnessPolicy | None) -> str:
    """``warn after a year (400 days), fail after 2 years (765 days)``."""
    if policy is None:
        return "none"
    fail = policy.fail_window.to_timedelta()
    text = f"fail after {ui_wording(fail)} ({fail.days} days)"
    if policy.warn_window:
        warn = policy.warn_window.to_timedelta()
        text = f"warn after {ui_wording(warn)} ({warn.days} days), " + text
    return text
