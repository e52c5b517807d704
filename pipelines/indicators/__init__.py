"""The indicator catalog between the warehouse and the composite engine (no Dagster inside).

``config``: data/reference/composite_settings.yaml (engine settings, pillars, indices,
performance groups, the Northeast view's benchmark). ``catalog``: data/reference/indicators.csv
and the engine frameworks built from it. ``compute``: runs each indicator's SQL
(sql/indicators/) against the warehouse. ``build``: ``build_index``, the whole composite build
in one call (the engine's coins, Monte Carlo, audit, coupling) and every table the marts take
from it, shaped by ``panel`` (the (province, year) panel, cells, scores and their shares) and
``uncertainty`` (the Monte Carlo's choices and results). ``warehouse``: writes the marts tables.
"""

from pipelines.indicators.catalog import CatalogError, build_frameworks, load_catalog
from pipelines.indicators.config import CompositeConfig, load_config

__all__ = ["CatalogError", "CompositeConfig", "build_frameworks", "load_catalog", "load_config"]
