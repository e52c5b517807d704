"""The indicator catalog between the warehouse and the composite engine (no Dagster inside).

``config``: data/reference/composite_settings.yaml (engine settings, pillars, indices,
performance groups, the Northeast view's benchmark). ``catalog``: data/reference/indicators.csv
and the engine frameworks built from it. ``compute``: runs each indicator's SQL
(sql/indicators/) against the warehouse. ``panel``: the (province, year) panel through the
engine. ``marts``: builds the marts tables from all of the above.
"""

from pipelines.indicators.catalog import CatalogError, build_frameworks, load_catalog
from pipelines.indicators.config import CompositeConfig, load_config

__all__ = ["CatalogError", "CompositeConfig", "build_frameworks", "load_catalog", "load_config"]
