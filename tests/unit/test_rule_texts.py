"""The rule checks in Chinese: one Chinese reason beside each English one, from the same rule."""
from __future__ import annotations

from datetime import date

from chalicelib.domain.rules.jurisdiction import NATIONAL_DEFAULT, check_subsidy, read_eligibility_rule
from chalicelib.domain.rules.rule_texts import grades_zh

HEILONGJIANG = read_eligibility_rule("23", date(2026, 1, 1), {
    "living_requires_any": ["dibao", "dibao_edge"],
    "nursing_extensions": [{"categories": [5, 6], "grades": [3, 4]}]})


def test_a_met_rule_is_said_in_chinese_with_the_circumstances_the_province_accepts():
    check = check_subsidy(HEILONGJIANG, "living", 4, 3, {"dibao_edge": True})
    assert check.reasons_zh == ("生活补贴须属低保或低保边缘家庭：符合",)


def test_an_unmet_nursing_rule_names_the_grades_and_the_extended_categories_in_chinese():
    refused = check_subsidy(HEILONGJIANG, "nursing", 4, 3, {})
    assert refused.reasons_zh == ("护理补贴须为残疾等级一级至二级，或智力、精神残疾三级至四级",)
    assert check_subsidy(NATIONAL_DEFAULT, "nursing", 5, 3, {}).reasons_zh == ("护理补贴须为残疾等级一级至二级",)


def test_each_exclusion_has_its_own_chinese_reason_in_the_order_of_the_english_ones():
    check = check_subsidy(NATIONAL_DEFAULT, "living", 4, 1, {"dibao": True, "tekun": True, "orphan_support": True})
    assert check.reasons == ("特困供养 (tekun) excludes both subsidies",
                             "孤儿基本生活保障 (orphan_support) excludes the living subsidy")
    assert check.reasons_zh == ("享受特困供养的，两项补贴均不享受", "享受孤儿基本生活保障的，不享受生活补贴")


def test_every_check_has_as_many_chinese_reasons_as_english_ones():
    for subsidy in ("living", "nursing"):
        for category in range(1, 8):
            for grade in range(1, 5):
                for circumstances in ({}, {"dibao": True}, {"tekun": True, "work_injury_care": True}):
                    check = check_subsidy(HEILONGJIANG, subsidy, category, grade, circumstances)
                    assert len(check.reasons_zh) == len(check.reasons) >= 1
                    assert all(not text.isascii() for text in check.reasons_zh)


def test_grades_are_a_range_when_consecutive_and_a_list_otherwise():
    assert grades_zh((2, 1)) == "一级至二级"
    assert grades_zh((1, 3)) == "一级、三级"
    assert grades_zh((4,)) == "四级"
