"""The rule checks in Chinese (规则校验的中文说明), built from the same rule data as the English reasons.

``jurisdiction.check_subsidy`` writes each reason twice from one set of facts: the English text the API
has always returned (``reasons``) and the Chinese text the windows and review offices read
(``reasons_zh``). Categories and grades as the 残疾人证 names them (DOMAIN.md §5).

Implements: the Chinese wording of the rules of 国发〔2015〕52号 (DOMAIN.md §1: 低保, grades, extensions, exclusions)
and of data comparison (民办发〔2021〕2号, DOMAIN.md §2); categories and grades as the 残疾人证号 encodes them
(DOMAIN.md §5).
"""
from __future__ import annotations

CATEGORY_NAMES: dict[int, str] = {1: "视力", 2: "听力", 3: "言语", 4: "肢体", 5: "智力", 6: "精神", 7: "多重"}
GRADE_NAMES: dict[int, str] = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
SUBSIDY_NAMES_ZH: dict[str, str] = {"living": "困难残疾人生活补贴", "nursing": "重度残疾人护理补贴"}


def grades_zh(grades: tuple[int, ...]) -> str:
    """(1, 2) → 一级至二级; (1, 3) → 一级、三级."""
    ordered = sorted(grades)
    if len(ordered) > 1 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{GRADE_NAMES[ordered[0]]}至{GRADE_NAMES[ordered[-1]]}"
    return "、".join(GRADE_NAMES[g] for g in ordered)


def living_needs_zh(names: tuple[str, ...]) -> str:
    """``names``: the circumstances (低保, 低保边缘…) of which the living subsidy needs one."""
    return f"生活补贴须属{'或'.join(names)}家庭"


def nursing_needs_zh(grades: tuple[int, ...], extensions: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]) -> str:
    text = f"护理补贴须为残疾等级{grades_zh(grades)}"
    for categories, ext_grades in extensions:
        kinds = "、".join(CATEGORY_NAMES[c] for c in sorted(categories))
        text += f"，或{kinds}残疾{grades_zh(ext_grades)}"
    return text


def met_zh(needs: str) -> str:
    return f"{needs}：符合"


def excludes_both_zh(name: str) -> str:
    return f"享受{name}的，两项补贴均不享受"


def excludes_living_zh(name: str) -> str:
    return f"享受{name}的，不享受生活补贴"


FACT_NAMES_ZH: dict[str, str] = {"dibao": "低保", "dibao_edge": "低保边缘", "tekun": "特困供养",
                                 "work_injury_care": "工伤保险生活护理费", "orphan_support": "孤儿基本生活保障",
                                 "certificate": "残疾人证类别、等级"}
ROSTER_NAMES_ZH: dict[str, str] = {"dibao": "低保", "tekun": "特困供养", "disability_certificates": "残疾人证"}


def claimed_zh(fact: str) -> str:
    return f"{FACT_NAMES_ZH[fact]}：申报，未经数据比对核实"


def membership_zh(status: str, since: str) -> str:
    """A 低保 / 特困 roster entry: 在册 / 不在册 (since), or no entry at all."""
    if status == "absent":
        return "名册无此人"
    return f"{'在册' if status == 'in' else '不在册'}，自{since}" if since else ("在册" if status == "in" else "不在册")


def certificate_zh(category: int, grade: int, status: str, valid_until: str) -> str:
    state = "有效" if status == "valid" else "已注销" if status == "cancelled" else status
    return f"{CATEGORY_NAMES.get(category, category)}残疾{GRADE_NAMES.get(grade, grade)}，有效期至{valid_until}，{state}"


def roster_fact_zh(fact: str, source: str, agrees: bool, detail: str, load: str, older: str | None) -> str:
    """``load``: "2026-09-01导入，批次 ab12…"; ``older``: the application month when the load is earlier."""
    roster = ROSTER_NAMES_ZH.get(source, source)
    verdict = "经数据比对属实" if agrees else "与申报不一致，以名册为准"
    late = f"，早于申请当月{older}" if older else ""
    return f"{FACT_NAMES_ZH[fact]}：{verdict}（{roster}名册{load}{late}：{detail}）"


def certificate_invalid_zh(what: str, load: str) -> str:
    return f"两项补贴均须持有效残疾人证：残疾人证名册（{load}）显示{what}"
