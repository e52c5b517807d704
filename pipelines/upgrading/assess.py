"""Stage and recommended upgrading path of each province-year, from its pillar scores.

Pure pandas, no Dagster or DuckDB. The method (docs/methodology.md, "Upgrading stage and path"):

* **Stage.** ``value_chain`` when every ``stage`` gate of ``value_chain`` holds;
  ``industrial_structure`` when, in addition, every gate of ``industrial_structure`` holds (the
  stages are cumulative, seed 001 §2B); otherwise ``factor``.
* **Fit** of a path = the weighted share of its conditions that hold:
  ``sum(weight × met) / sum(weight)``, in [0, 1]. A condition whose pillar value is missing
  does not hold.
* **Recommended path** = the highest fit. Ties (equal to 1e-9): the path whose ``home_stage`` is
  the province's stage; then the order in which the paths first appear in the rules file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from pipelines.upgrading.rules import PATHS, STAGES, Condition, Rules, RulesError

TIE_DECIMALS = 9

# The sentences of the reasons are built here; the names and labels in them come from the rules
# (rules.py: upgrading_paths.csv, upgrading_path_names.csv, composite_settings.yaml).
MEASURE_WORDS = {  # how a value of each measure is written after the pillar id
    "relative_to_national": ("", ""),
    "score": ("得分", " score"),
    "rank": ("位次", " rank"),
}
SEPARATOR = ("；", "; ")
INPUT_COLUMNS = ("province_code", "year", "pillar", "score", "rank", "relative_to_national")
OUTPUT_COLUMNS = (
    "province_code",
    "year",
    "stage",
    "recommended_path",
    *(f"fit_{path}" for path in PATHS),
    "reason_zh",
    "reason_en",
    "rules_sha256",
)


@dataclass(frozen=True)
class Outcome:
    """One condition evaluated for one province-year."""

    condition: Condition
    value: float | None
    met: bool


def assess(pillars: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """One row per (province_code, year) present in ``pillars`` (long ``marts.pillar_score``)."""
    missing = [c for c in INPUT_COLUMNS if c not in pillars.columns]
    if missing:
        raise ValueError(f"pillar scores lack column(s) {', '.join(missing)}")
    present = set(pillars["pillar"].dropna().astype(str))
    unknown = sorted(rules.pillars() - present)
    if len(pillars) and unknown:
        raise RulesError(
            f"{rules.source}: pillar(s) {', '.join(unknown)} named in the rules are not in the "
            f"pillar scores (which have {', '.join(sorted(present))})"
        )
    values: dict[tuple[str, int], dict[tuple[str, str], float | None]] = {}
    for row in pillars.itertuples(index=False):
        key = (str(row.province_code), int(row.year))
        cell = values.setdefault(key, {})
        for measure in ("score", "rank", "relative_to_national"):
            cell[(str(row.pillar), measure)] = _float(getattr(row, measure))
    rows = [_assess_one(key, values[key], rules) for key in sorted(values)]
    return pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))


def _float(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _evaluate(conditions: list[Condition], cell: dict) -> list[Outcome]:
    outcomes = []
    for condition in conditions:
        value = cell.get((condition.pillar, condition.measure))
        outcomes.append(Outcome(condition, value, condition.holds(value)))
    return outcomes


def fit_score(outcomes: list[Outcome]) -> float:
    """Weighted share of conditions met."""
    total = sum(o.condition.weight for o in outcomes)
    return sum(o.condition.weight for o in outcomes if o.met) / total


def _assess_one(key: tuple[str, int], cell: dict, rules: Rules) -> dict:
    gates = {stage: _evaluate(rules.gates(stage), cell) for stage in STAGES[1:]}
    stage = "factor"
    shown: list[Outcome] = []  # gates of the stages reached and of the first stage not reached
    for candidate in STAGES[1:]:
        shown += gates[candidate]
        if not all(o.met for o in gates[candidate]):
            break
        stage = candidate
    order = rules.paths()
    outcomes = {path: _evaluate(rules.path_conditions(path), cell) for path in order}
    fits = {path: fit_score(outcomes[path]) for path in order}
    best = max(round(f, TIE_DECIMALS) for f in fits.values())
    tied = [p for p in order if round(fits[p], TIE_DECIMALS) == best]
    at_home = [p for p in tied if rules.home_stage(p) == stage]
    chosen = (at_home or tied)[0]
    tie_rule = None
    if len(tied) > 1:
        tie_rule = "home_stage" if at_home else "file_order"
    reason_zh, reason_en = _reasons(
        rules, stage, shown, chosen, fits, outcomes[chosen], tied, tie_rule
    )
    return {
        "province_code": key[0],
        "year": key[1],
        "stage": stage,
        "recommended_path": chosen,
        **{f"fit_{path}": fits[path] for path in PATHS},
        "reason_zh": reason_zh,
        "reason_en": reason_en,
        "rules_sha256": rules.sha256,
    }


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _fact(outcome: Outcome, lang: int) -> str:
    """The condition's test on the data, e.g. ``D2 131.4 ≥ 100`` or ``D6 88.0, needs ≥ 100``."""
    c = outcome.condition
    comparison = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}[c.comparison]
    measure = MEASURE_WORDS[c.measure][lang]
    threshold = _number(c.threshold)
    if outcome.value is None:
        no_data = " 无数据，需" if lang == 0 else " no data, needs"
        return f"{c.pillar}{measure}{no_data} {comparison} {threshold}"
    shown = f"{c.pillar}{measure} {outcome.value:.1f}"
    if outcome.met:
        return f"{shown} {comparison} {threshold}"
    needs = "，需" if lang == 0 else ", needs"
    return f"{shown}{needs} {comparison} {threshold}"


def _listing(outcomes: list[Outcome], lang: int) -> str:
    label = (lambda o: o.condition.label_zh) if lang == 0 else (lambda o: o.condition.label_en)
    if not outcomes:
        return "无" if lang == 0 else "none"
    return SEPARATOR[lang].join(f"{label(o)} [{_fact(o, lang)}]" for o in outcomes)


def _reasons(
    rules: Rules,
    stage: str,
    all_gates: list[Outcome],
    chosen: str,
    fits: dict[str, float],
    outcomes: list[Outcome],
    tied: list[str],
    tie_rule: str | None,
) -> tuple[str, str]:
    stage_name = rules.stage_names[stage]
    path_name = rules.path_names[chosen].full
    short = {path: rules.path_names[path].short for path in fits}
    met = [o for o in outcomes if o.met]
    unmet = [o for o in outcomes if not o.met]
    others = [p for p in fits if p != chosen]
    relative = any(o.condition.measure == "relative_to_national" for o in [*all_gates, *outcomes])

    def gate_list(lang: int) -> str:
        words = ("满足", "不满足") if lang == 0 else ("met", "not met")
        label = (lambda o: o.condition.label_zh) if lang == 0 else (lambda o: o.condition.label_en)
        sep = "：" if lang == 0 else ": "
        return SEPARATOR[lang].join(
            f"{label(o)} [{_fact(o, lang)}{sep}{words[0] if o.met else words[1]}]"
            for o in all_gates
        )

    zh = (
        f"所处阶段：{stage_name[0]}。阶段门槛：{gate_list(0)}。"
        f"推荐路径：{path_name[0]}（适配度 {fits[chosen]:.2f}；"
        + "，".join(f"{short[p][0]} {fits[p]:.2f}" for p in others)
        + f"）。满足的条件：{_listing(met, 0)}。不满足的条件：{_listing(unmet, 0)}。"
    )
    en = (
        f"Stage: {stage_name[1]}. Stage gates: {gate_list(1)}. "
        f"Recommended: {path_name[1]} (fit {fits[chosen]:.2f}; "
        + ", ".join(f"{short[p][1]} {fits[p]:.2f}" for p in others)
        + f"). Conditions met: {_listing(met, 1)}. Conditions not met: {_listing(unmet, 1)}."
    )
    if tie_rule is not None:
        rivals_zh = "、".join(short[p][0] for p in tied if p != chosen)
        rivals_en = ", ".join(short[p][1] for p in tied if p != chosen)
        if tie_rule == "home_stage":
            zh += f"与{rivals_zh}适配度相同，因其对应当前阶段（{stage_name[0]}）而选定。"
            en += (
                f" Tied with {rivals_en}; chosen because it serves the current stage "
                f"({stage_name[1]})."
            )
        else:
            zh += f"与{rivals_zh}适配度相同，按规则文件中路径的先后顺序选定。"
            en += f" Tied with {rivals_en}; chosen by the order of the paths in the rules file."
    if relative:
        zh += "支柱数值以全国均值 = 100 表示。"
        en += " Pillar values are relative to the national mean (= 100)."
    return zh, en
