"""The rule checks in Chinese (规则校验的中文说明), built from the same rule data as the English reasons.

``jurisdiction.check_subsidy`` writes each reason twice from one set of facts: the English text the API
has always returned (``reasons``) and the Chinese text the windows and review offices read
(``reasons_zh``). Categories and grades as the 残疾人证 names them (DOMAIN.md §5).
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
