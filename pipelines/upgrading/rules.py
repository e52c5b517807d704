"""The upgrading rules: stage gates and the paths' conditions of fit, and their names.

Every threshold, weight and condition label lives in ``data/reference/upgrading_paths.csv``
(one row a condition); the paths' names in ``data/reference/upgrading_path_names.csv``; a stage
is called by the name of the pillar that measures it (``STAGE_PILLARS``), from
``data/reference/composite_settings.yaml``. This module only reads and validates them; the
sentences the reasons are built from are in ``assess.py``. Columns of the rules file:

* ``rule``: ``stage`` (a gate a province must clear to be in ``target`` stage) or ``path`` (a
  condition of fit of the ``target`` path);
* ``target``: a stage (``value_chain``, ``industrial_structure``) or a path
  (``key_common_technologies``, ``chain_optimisation``, ``innovation_platform``);
* ``condition_id``: unique name of the condition;
* ``pillar``: a pillar of ``marts.pillar_score`` (``D1``..``D8``, ``S1``..``S3``, ``overall``);
* ``measure``: the pillar_score column compared: ``relative_to_national`` (national mean = 100),
  ``score`` (0-100) or ``rank`` (1 = best);
* ``comparison`` / ``threshold``: ``>=``, ``>``, ``<=`` or ``<`` a number;
* ``weight``: > 0, the condition's weight in its path's fit score (ignored for stage gates);
* ``home_stage``: for path rows, the stage the path serves (used to break ties); the same on
  every row of a path;
* ``label_zh`` / ``label_en``: the condition in plain words, used in the reasons. The
  pillar's name is never typed here: ``{pillar}`` stands for the row's pillar as id and name
  (``D4 创新政策支持`` / ``D4 Innovation policy support``), the names coming from
  ``data/reference/composite_settings.yaml``, their one source;
* ``seed_ref``: where the condition comes from (seed 001 wording).

Columns of the path names file: ``path`` (each of ``PATHS`` once), ``name_zh`` / ``name_en``
(the recommended path in the reasons) and ``short_zh`` / ``short_en`` (the other paths, beside
their fit).
"""

from __future__ import annotations

import csv
import hashlib
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipelines.paths import REFERENCE_DIR
from pipelines.readers.text import read_reference_csv

RULES_FILE = REFERENCE_DIR / "upgrading_paths.csv"
PATH_NAMES_FILE = REFERENCE_DIR / "upgrading_path_names.csv"
PILLAR_PLACEHOLDER = "{pillar}"

STAGES = ("factor", "value_chain", "industrial_structure")  # the seed's progression, in order
# The pillar measuring the upgrading each stage is about; the reasons call the stage by its name.
STAGE_PILLARS = {"factor": "S1", "value_chain": "S2", "industrial_structure": "S3"}
# One fit_<path> column each in marts.upgrading_path (sql/marts/upgrading_path.sql).
PATHS = ("key_common_technologies", "chain_optimisation", "innovation_platform")
PATH_NAME_COLUMNS = ("path", "name_zh", "name_en", "short_zh", "short_en")
MEASURES = ("relative_to_national", "score", "rank")
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}
COLUMNS = (
    "rule",
    "target",
    "condition_id",
    "pillar",
    "measure",
    "comparison",
    "threshold",
    "weight",
    "home_stage",
    "label_zh",
    "label_en",
    "seed_ref",
)


class RulesError(ValueError):
    """The rules file is malformed; the message names the file, the row and the column."""


@dataclass(frozen=True)
class Condition:
    rule: str  # 'stage' | 'path'
    target: str
    condition_id: str
    pillar: str
    measure: str
    comparison: str
    threshold: float
    weight: float
    home_stage: str | None
    label_zh: str
    label_en: str
    seed_ref: str

    def holds(self, value: float | None) -> bool:
        """Whether a value meets the condition; a missing value never does."""
        if value is None or value != value:  # None or NaN
            return False
        return COMPARISONS[self.comparison](value, self.threshold)


@dataclass(frozen=True)
class PathName:
    """How the reasons call a path: (Chinese, English) each."""

    full: tuple[str, str]  # the recommended path
    short: tuple[str, str]  # the other paths, beside their fit


@dataclass(frozen=True)
class Rules:
    conditions: tuple[Condition, ...]
    source: str  # the file, as given
    sha256: str
    stage_names: Mapping[str, tuple[str, str]]  # stage -> (Chinese, English)
    path_names: Mapping[str, PathName]

    def gates(self, stage: str) -> list[Condition]:
        return [c for c in self.conditions if c.rule == "stage" and c.target == stage]

    def path_conditions(self, path: str) -> list[Condition]:
        return [c for c in self.conditions if c.rule == "path" and c.target == path]

    def paths(self) -> list[str]:
        """Paths in the order they first appear in the file (the last tie-break)."""
        seen: list[str] = []
        for c in self.conditions:
            if c.rule == "path" and c.target not in seen:
                seen.append(c.target)
        return seen

    def home_stage(self, path: str) -> str:
        return self.path_conditions(path)[0].home_stage or ""

    def pillars(self) -> set[str]:
        return {c.pillar for c in self.conditions}


def pillar_names() -> dict[str, tuple[str, str]]:
    """(name_zh, name_en) of every pillar and index, from composite_settings.yaml."""
    from pipelines.indicators.config import load_config

    config = load_config()
    names = {code: (p.name_zh, p.name_en) for code, p in config.pillars.items()}
    names.update({code: (i.name_zh, i.name_en) for code, i in config.indices.items()})
    return names


def load_rules(
    path: Path | str = RULES_FILE,
    names: Mapping[str, tuple[str, str]] | None = None,
    path_names_file: Path | str = PATH_NAMES_FILE,
) -> Rules:
    """Read and validate the rules file and the path names; any problem raises
    :class:`RulesError`.

    ``{pillar}`` in a label becomes the row's pillar id and name in that language, from
    ``names`` (pillar -> (name_zh, name_en); default: composite_settings.yaml), which also
    name the stages."""
    path = Path(path)
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RulesError(f"{path}: missing column(s) {', '.join(missing)}")
    names = pillar_names() if names is None else names
    conditions = [
        _condition(path, number, row, names) for number, row in enumerate(reader, start=2)
    ]
    _check_whole(path, conditions)
    return Rules(
        tuple(conditions),
        str(path),
        hashlib.sha256(raw).hexdigest(),
        stage_names=_stage_names(names),
        path_names=load_path_names(Path(path_names_file)),
    )


def _stage_names(names: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Each stage by its pillar's name, the English one starting in lower case as it is used
    mid-sentence ("Stage: factor upgrading.")."""
    found = {}
    for stage, pillar in STAGE_PILLARS.items():
        if pillar not in names:
            raise RulesError(
                f"stage {stage!r} is called by the name of pillar {pillar}, which"
                " data/reference/composite_settings.yaml does not name"
            )
        zh, en = names[pillar]
        found[stage] = (zh, en[:1].lower() + en[1:])
    return found


def load_path_names(path: Path = PATH_NAMES_FILE) -> dict[str, PathName]:
    """The paths' names, each of ``PATHS`` exactly once."""
    rows = read_reference_csv(path)
    missing = [c for c in PATH_NAME_COLUMNS if rows and c not in rows[0]]
    if missing:
        raise RulesError(f"{path}: missing column(s) {', '.join(missing)}")
    found: dict[str, PathName] = {}
    for number, row in enumerate(rows, start=2):
        if row["path"] not in PATHS or row["path"] in found:
            raise RulesError(
                f"{path}, row {number}, column 'path', value {row['path']!r}: must be one of"
                f" {', '.join(PATHS)}, each once"
            )
        empty = [c for c in PATH_NAME_COLUMNS if not row[c]]
        if empty:
            raise RulesError(f"{path}, row {number}, column {empty[0]!r}: must not be empty")
        found[row["path"]] = PathName(
            full=(row["name_zh"], row["name_en"]), short=(row["short_zh"], row["short_en"])
        )
    unnamed = [p for p in PATHS if p not in found]
    if unnamed:
        raise RulesError(f"{path}: no name for path(s) {', '.join(unnamed)}")
    return found


def _condition(
    path: Path, number: int, row: dict[str, str], names: Mapping[str, tuple[str, str]]
) -> Condition:
    def fail(column: str, why: str) -> RulesError:
        return RulesError(
            f"{path}, row {number}, column {column!r}, value {row.get(column)!r}: {why}"
        )

    values = {k: (row.get(k) or "").strip() for k in COLUMNS}
    rule = values["rule"]
    if rule not in ("stage", "path"):
        raise fail("rule", "must be 'stage' or 'path'")
    targets = STAGES[1:] if rule == "stage" else PATHS
    if values["target"] not in targets:
        raise fail("target", f"a {rule} rule's target must be one of {', '.join(targets)}")
    for column in ("condition_id", "pillar", "label_zh", "label_en"):
        if not values[column]:
            raise fail(column, "must not be empty")
    for lang, column in enumerate(("label_zh", "label_en")):
        if PILLAR_PLACEHOLDER not in values[column]:
            continue
        if values["pillar"] not in names:
            raise fail(
                column,
                f"{PILLAR_PLACEHOLDER} names pillar {values['pillar']!r}, which"
                " data/reference/composite_settings.yaml does not name",
            )
        named = f"{values['pillar']} {names[values['pillar']][lang]}"
        values[column] = values[column].replace(PILLAR_PLACEHOLDER, named)
    if values["measure"] not in MEASURES:
        raise fail("measure", f"must be one of {', '.join(MEASURES)}")
    if values["comparison"] not in COMPARISONS:
        raise fail("comparison", f"must be one of {', '.join(COMPARISONS)}")
    threshold = _number(values["threshold"], lambda why: fail("threshold", why))
    weight = 1.0
    home_stage = None
    if rule == "path":
        weight = _number(values["weight"], lambda why: fail("weight", why))
        if weight <= 0:
            raise fail("weight", "must be greater than 0")
        home_stage = values["home_stage"]
        if home_stage not in STAGES:
            raise fail("home_stage", f"a path rule needs one of {', '.join(STAGES)}")
    return Condition(
        rule=rule,
        target=values["target"],
        condition_id=values["condition_id"],
        pillar=values["pillar"],
        measure=values["measure"],
        comparison=values["comparison"],
        threshold=threshold,
        weight=weight,
        home_stage=home_stage,
        label_zh=values["label_zh"],
        label_en=values["label_en"],
        seed_ref=values["seed_ref"],
    )


def _number(text: str, fail: Callable[[str], RulesError]) -> float:
    try:
        value = float(text)
    except ValueError:
        raise fail("must be a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise fail("must be a finite number")
    return value


def _check_whole(path: Path, conditions: list[Condition]) -> None:
    ids = [c.condition_id for c in conditions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RulesError(f"{path}: condition_id not unique: {', '.join(duplicates)}")
    for stage in STAGES[1:]:
        if not any(c.rule == "stage" and c.target == stage for c in conditions):
            raise RulesError(f"{path}: stage {stage!r} has no gate (rule = stage)")
    for target in PATHS:
        rows = [c for c in conditions if c.rule == "path" and c.target == target]
        if not rows:
            raise RulesError(f"{path}: path {target!r} has no condition")
        homes = {c.home_stage for c in rows}
        if len(homes) > 1:
            raise RulesError(
                f"{path}: path {target!r} has more than one home_stage ({', '.join(sorted(homes))})"
            )
