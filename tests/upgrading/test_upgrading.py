"""Stage, fit scores, recommended path and reasons on a hand-made pillar_score.

Hand-worked from data/reference/upgrading_paths.csv (values relative to the national mean):

stage gates: value_chain if S1 >= 100; industrial_structure if also S2 >= 100.
key_common_technologies (total weight 8): S1>=70 (1), D4>=100 (1), D7>=100 (1), D5>=100 (1),
    D3<100 (2), D2<100 (1), D1<100 (1)
chain_optimisation (total 5): D2>=100 (2), S1>=100 (1), D1>=100 (1), D6>=100 (1)
innovation_platform (total 6): D8>=100 (2), D1>=100 (1), D5>=100 (1), D4>=100 (1), S2>=100 (1)

230000 S1 80 -> factor. KCT all met 8/8; chain none 0/5; platform D5, D4 = 2/6.
210000 S1 110, S2 90 -> value_chain. KCT S1, D3 = 3/8; chain all (D6 = 100 meets >=) 5/5;
       platform D1 = 1/6.
440000 S1 150, S2 140 -> industrial_structure. KCT S1, D4, D7, D5 = 4/8; chain 5/5;
       platform 6/6: tie -> the path whose home stage is industrial_structure: platform.
220000 S1 60 -> factor. KCT D4, D5 = 2/8; chain D2, D1, D6 = 4/5; platform 6/6.
650000 S1 90 -> factor. KCT S1, D4 (=100), D7, D5, D1 = 5/8 (D2 missing: not met); chain 0/5;
       platform D5, D4 = 2/6.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines.indicators import load_config
from pipelines.upgrading import RulesError, assess, build_upgrading_path, load_rules
from pipelines.upgrading.rules import (
    PATH_NAMES_FILE,
    PATHS,
    PILLAR_PLACEHOLDER,
    RULES_FILE,
    STAGE_PILLARS,
    load_path_names,
)
from tests.upgrading.conftest import RELATIVE, YEAR, edit_rule, pillar_frame

KCT, CHAIN, PLATFORM = PATHS

EXPECTED = {
    # province: (stage, path, fit KCT, fit chain, fit platform)
    "230000": ("factor", KCT, 8 / 8, 0 / 5, 2 / 6),
    "210000": ("value_chain", CHAIN, 3 / 8, 5 / 5, 1 / 6),
    "440000": ("industrial_structure", PLATFORM, 4 / 8, 5 / 5, 6 / 6),
    "220000": ("factor", PLATFORM, 2 / 8, 4 / 5, 6 / 6),
    "650000": ("factor", KCT, 5 / 8, 0 / 5, 2 / 6),
}
# conditions of the recommended path met, by hand (the others of that path are not met)
EXPECTED_MET = {
    "230000": {
        "kct_industrial_base",
        "kct_government_support",
        "kct_financial_support",
        "kct_research_cooperation",
        "kct_technology_bottleneck",
        "kct_no_outstanding_leaders",
        "kct_imitation_reliance",
    },
    "210000": {
        "chain_core_enterprises",
        "chain_industrial_advantage",
        "chain_capable_suppliers",
        "chain_core_technologies",
    },
    "440000": {
        "platform_active_innovation",
        "platform_enterprise_activity",
        "platform_research_institutions",
        "platform_government_support",
        "platform_mature_network",
    },
    "220000": {
        "platform_active_innovation",
        "platform_enterprise_activity",
        "platform_research_institutions",
        "platform_government_support",
        "platform_mature_network",
    },
    "650000": {
        "kct_industrial_base",
        "kct_government_support",
        "kct_financial_support",
        "kct_research_cooperation",
        "kct_imitation_reliance",
    },
}


def by_province(frame: pd.DataFrame) -> dict[str, dict]:
    return {row["province_code"]: row for row in frame.to_dict("records")}


def check_expected(result: pd.DataFrame, expected: dict) -> None:
    rows = by_province(result)
    assert set(rows) == set(expected)
    for province, (stage, path, kct, chain, platform) in expected.items():
        row = rows[province]
        assert (row["stage"], row["recommended_path"]) == (stage, path), province
        assert row["fit_key_common_technologies"] == pytest.approx(kct, abs=1e-12), province
        assert row["fit_chain_optimisation"] == pytest.approx(chain, abs=1e-12), province
        assert row["fit_innovation_platform"] == pytest.approx(platform, abs=1e-12), province


def test_stage_path_and_fits_match_the_hand_computation(pillars):
    check_expected(assess(pillars, load_rules()), EXPECTED)


def test_every_province_year_gets_exactly_one_row(pillars):
    second_year = pillar_frame(year=YEAR + 1)
    result = assess(pd.concat([pillars, second_year], ignore_index=True), load_rules())
    keys = list(zip(result["province_code"], result["year"], strict=True))
    assert len(keys) == len(set(keys)) == 2 * len(RELATIVE)
    assert set(keys) == {(p, y) for p in RELATIVE for y in (YEAR, YEAR + 1)}


def split_reason(text: str, lang: str) -> tuple[str, str, str]:
    """(stage part, met part, not-met part) of a reason."""
    if lang == "en":
        head, rest = text.split(" Conditions met: ")
        met, unmet = rest.split(" Conditions not met: ")
    else:
        head, rest = text.split("。满足的条件：")
        met, unmet = rest.split("。不满足的条件：")
    return head, met, unmet


def test_reasons_name_met_and_unmet_conditions_in_both_languages(pillars):
    rules = load_rules()
    rows = by_province(assess(pillars, rules))
    for province, met_ids in EXPECTED_MET.items():
        row = rows[province]
        conditions = rules.path_conditions(row["recommended_path"])
        assert met_ids <= {c.condition_id for c in conditions}
        for lang, label in (("en", "label_en"), ("zh", "label_zh")):
            _, met, unmet = split_reason(row[f"reason_{lang}"], lang)
            for condition in conditions:
                text = getattr(condition, label)
                if condition.condition_id in met_ids:
                    assert text in met and text not in unmet, (province, lang, text)
                else:
                    assert text in unmet and text not in met, (province, lang, text)


def test_reason_wording_and_values():
    rows = by_province(assess(pillar_frame(), load_rules()))
    hlj = rows["230000"]["reason_en"]
    assert hlj.startswith("Stage: factor upgrading. Stage gates: ")
    assert (
        "S1 Factor upgrading at or above the national mean [S1 80.0, needs ≥ 100: not met]" in hlj
    )
    assert "Recommended: upgrading path based on key common technologies (fit 1.00; " in hlj
    assert "chain optimisation 0.00, innovation platform 0.33" in hlj
    assert "Conditions not met: none." in hlj
    # gates past the first one not cleared are not listed (stages are cumulative)
    assert "S2" not in hlj.split(" Recommended: ")[0]
    assert "S2" not in rows["220000"]["reason_en"].split(" Recommended: ")[0]
    assert hlj.endswith("Pillar values are relative to the national mean (= 100).")
    zh = rows["230000"]["reason_zh"]
    assert zh.startswith("所处阶段：要素升级。阶段门槛：")
    assert "S1 要素升级达到全国均值 [S1 80.0，需 ≥ 100：不满足]" in zh
    assert "推荐路径：基于产业关键共性技术的升级路径（适配度 1.00；" in zh
    assert "不满足的条件：无。" in zh
    # equality meets '>='; a value below a '<' threshold is shown as met
    liaoning = rows["210000"]["reason_en"]
    assert "[D6 100.0 ≥ 100]" in split_reason(liaoning, "en")[1]
    assert "[S1 110.0 ≥ 100: met]" in liaoning and "[S2 90.0, needs ≥ 100: not met]" in liaoning
    # a tie resolved by the home stage says so
    assert (
        "Tied with chain optimisation; chosen because it serves the current stage"
        in (rows["440000"]["reason_en"])
    )
    assert (
        "与配套产业链优化适配度相同，因其对应当前阶段（产业结构升级）而选定。"
        in (rows["440000"]["reason_zh"])
    )
    # a missing value is named and counts as not met
    xinjiang = rows["650000"]
    assert "[D2 no data, needs < 100]" in split_reason(xinjiang["reason_en"], "en")[2]
    assert "[D2 无数据，需 < 100]" in split_reason(xinjiang["reason_zh"], "zh")[2]


def test_editing_a_path_threshold_in_a_copy_changes_the_result(pillars, rules_copy):
    # chain's "industrial advantage" S1 >= 100 -> S1 >= 50: 220000 (S1 60) now meets it, chain
    # 5/5 ties platform 6/6; neither serves the factor stage -> file order -> chain.
    edit_rule(rules_copy, "chain_industrial_advantage", "threshold", "50")
    expected = dict(EXPECTED)
    expected["220000"] = ("factor", CHAIN, 2 / 8, 5 / 5, 6 / 6)
    expected["230000"] = ("factor", KCT, 8 / 8, 1 / 5, 2 / 6)  # S1 80 >= 50
    expected["650000"] = ("factor", KCT, 5 / 8, 1 / 5, 2 / 6)  # S1 90 >= 50
    result = assess(pillars, load_rules(rules_copy))
    check_expected(result, expected)
    assert (
        "chosen by the order of the paths in the rules file"
        in (by_province(result)["220000"]["reason_en"])
    )
    assert "S1 60.0 ≥ 50" in by_province(result)["220000"]["reason_en"]


def test_editing_stage_thresholds_in_a_copy_changes_the_stage(pillars, rules_copy):
    edit_rule(rules_copy, "stage_vc_factor_done", "threshold", "75")  # S1 >= 75
    edit_rule(rules_copy, "stage_is_value_chain_done", "threshold", "85")  # S2 >= 85
    rows = by_province(assess(pillars, load_rules(rules_copy)))
    stages = {p: r["stage"] for p, r in rows.items()}
    assert stages == {
        "230000": "value_chain",  # S1 80 >= 75, S2 60 < 85
        "210000": "industrial_structure",  # S1 110, S2 90 >= 85
        "440000": "industrial_structure",
        "220000": "factor",  # S1 60 < 75 (S2 110 does not count without S1)
        "650000": "value_chain",  # S1 90, S2 80 < 85
    }


def test_editing_weight_and_comparison_in_a_copy(pillars, rules_copy):
    # bottleneck weight 2 -> 5: KCT total 11
    edit_rule(rules_copy, "kct_technology_bottleneck", "weight", "5")
    # "no outstanding leaders" D2 < 100 -> D2 >= 100 (a user's reinterpretation)
    edit_rule(rules_copy, "kct_no_outstanding_leaders", "comparison", ">=")
    rows = by_province(assess(pillars, load_rules(rules_copy)))
    fits = {p: r["fit_key_common_technologies"] for p, r in rows.items()}
    assert fits["230000"] == pytest.approx(10 / 11)  # all but D2 60 >= 100
    assert fits["210000"] == pytest.approx(7 / 11)  # S1, D3 (5), D2 130
    assert fits["440000"] == pytest.approx(5 / 11)  # S1, D4, D7, D5, D2 120
    assert fits["650000"] == pytest.approx(5 / 11)  # S1, D4, D7, D5, D1 90; D2 missing
    # 210000: KCT 7/11 < chain 1.0 still
    assert rows["210000"]["recommended_path"] == CHAIN


@pytest.mark.parametrize(
    ("condition_id", "column", "value", "message"),
    [
        ("kct_government_support", "comparison", "=>", "column 'comparison'"),
        ("kct_government_support", "threshold", "high", "must be a number"),
        ("chain_core_enterprises", "weight", "0", "greater than 0"),
        ("chain_core_enterprises", "home_stage", "", "home_stage"),
        ("chain_core_enterprises", "measure", "zscore", "column 'measure'"),
        ("platform_government_support", "target", "platform", "column 'target'"),
    ],
)
def test_a_bad_rules_file_is_refused_naming_row_and_column(
    rules_copy, condition_id, column, value, message
):
    edit_rule(rules_copy, condition_id, column, value)
    with pytest.raises(RulesError, match=message) as error:
        load_rules(rules_copy)
    assert str(rules_copy) in str(error.value)


def test_a_pillar_missing_from_the_scores_is_an_error(pillars, rules_copy):
    edit_rule(rules_copy, "platform_active_innovation", "pillar", "D9")
    with pytest.raises(RulesError, match="D9"):
        assess(pillars, load_rules(rules_copy))


def test_shipped_rules_cover_every_path_and_cite_seed_001():
    rules = load_rules(RULES_FILE)
    assert rules.paths() == list(PATHS)
    assert all(c.seed_ref.startswith("001 §") for c in rules.conditions)
    assert {rules.home_stage(p) for p in PATHS} == {
        "factor",
        "value_chain",
        "industrial_structure",
    }


def test_build_writes_the_mart_from_marts_pillar_score(pillar_db, rules_copy):
    with duckdb.connect(str(pillar_db)) as conn:
        rules = build_upgrading_path(conn)
        table = conn.execute("select * from marts.upgrading_path").df()
        # a bad rules file leaves the table as it was
        edit_rule(rules_copy, "kct_government_support", "weight", "-1")
        with pytest.raises(RulesError):
            build_upgrading_path(conn, rules_copy)
        assert conn.execute("select count(*) from marts.upgrading_path").fetchall()[0][0] == 5
    check_expected(table, EXPECTED)
    assert set(table["rules_sha256"]) == {rules.sha256}
    assert table["year"].tolist() == [YEAR] * 5


# --- pillar names: composite_settings.yaml is their one source ------------------------------
def _raw_rows() -> list[dict[str, str]]:
    import csv

    with RULES_FILE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_labels_do_not_retype_pillar_names_but_take_them_from_composite_settings():
    config = load_config()
    names = {code: (p.name_zh, p.name_en) for code, p in config.pillars.items()}
    assert names["D8"][0] == "信息黏合力"  # not 信息粘合力
    rules = {c.condition_id: c for c in load_rules().conditions}
    for row in _raw_rows():
        for lang, column in enumerate(("label_zh", "label_en")):
            raw = row[column]
            assert "粘合" not in raw, (row["condition_id"], raw)
            for code, pair in names.items():
                assert pair[lang].lower() not in raw.lower(), (row["condition_id"], code, raw)
            # every shipped label names its pillar, through the placeholder
            assert raw.count(PILLAR_PLACEHOLDER) == 1, (row["condition_id"], raw)
            expanded = getattr(rules[row["condition_id"]], column)
            pillar = row["pillar"]
            assert expanded == raw.replace(PILLAR_PLACEHOLDER, f"{pillar} {names[pillar][lang]}")


def test_a_renamed_pillar_changes_the_reasons(pillars):
    names = {
        "S1": ("要素升级X", "Factor upgrading X"),
        "S2": ("价值链升级", "Value-chain upgrading"),
        "S3": ("产业结构升级", "Industrial-structure upgrading"),
    }
    names |= {f"D{i}": (f"驱动{i}", f"Driver {i}") for i in range(1, 9)}
    rows = by_province(assess(pillars, load_rules(names=names)))
    assert "S1 Factor upgrading X at or above the national mean" in rows["230000"]["reason_en"]
    assert "S1 要素升级X达到全国均值" in rows["230000"]["reason_zh"]
    # 230000 is in the factor stage, which S1 measures: the stage is renamed with it
    assert rows["230000"]["reason_en"].startswith("Stage: factor upgrading X. ")
    assert rows["230000"]["reason_zh"].startswith("所处阶段：要素升级X。")


def test_a_placeholder_for_a_pillar_without_a_name_is_refused(rules_copy):
    edit_rule(rules_copy, "platform_active_innovation", "pillar", "D9")
    with pytest.raises(RulesError, match=r"label_zh.*'D9'.*composite_settings.yaml"):
        load_rules(rules_copy)


def test_stage_names_are_the_names_of_the_stage_pillars():
    """The three stages are measured by S1..S3; the reasons call them by the same names."""
    config = load_config()
    stage_names = load_rules().stage_names
    assert list(STAGE_PILLARS.values()) == ["S1", "S2", "S3"]
    for stage, pillar in STAGE_PILLARS.items():
        zh, en = stage_names[stage]
        assert zh == config.pillars[pillar].name_zh
        assert en == config.pillars[pillar].name_en.lower()


def test_every_path_is_named_once(tmp_path):
    assert set(load_path_names()) == set(PATHS)
    copy = tmp_path / "names.csv"
    lines = PATH_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    copy.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(RulesError, match="no name for path.*innovation_platform"):
        load_path_names(copy)
    copy.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(RulesError, match="row 5, column 'path'.*each once"):
        load_path_names(copy)
