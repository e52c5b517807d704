"""Upgrading stage and recommended upgrading path per province-year (seed 001 §2-3).

Importable without Dagster: ``rules`` reads the user-editable rules file
(``data/reference/upgrading_paths.csv``) and the paths' names
(``data/reference/upgrading_path_names.csv``), ``assess`` applies them to pillar scores (pandas),
``warehouse`` reads ``marts.pillar_score`` and writes ``marts.upgrading_path``.
"""

from pipelines.upgrading.assess import assess, fit_score
from pipelines.upgrading.rules import RULES_FILE, Condition, Rules, RulesError, load_rules
from pipelines.upgrading.warehouse import build_upgrading_path

__all__ = [
    "RULES_FILE",
    "Condition",
    "Rules",
    "RulesError",
    "assess",
    "build_upgrading_path",
    "fit_score",
    "load_rules",
]
