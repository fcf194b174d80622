"""Every domain module names the source of its rules in its docstring (issue 15): a 文号 such as 民办发〔2021〕2号,
民法典, a GB / GB/T standard number, or, for an engineering rule with no statute behind it, the words "no statute"
(and then which duty it serves). The sources are those of /work/shared/DOMAIN.md."""
from __future__ import annotations

import ast
import re
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "chalicelib" / "domain"
SOURCES = (
    re.compile(r"〔20[0-9]{2}〕[0-9]+号"),  # a 文号: 国发〔2015〕52号, 民办发〔2021〕2号, 黑民发〔2021〕6号 …
    re.compile(r"民法典"),
    re.compile(r"\bGB(?:/T)? ?[0-9]{3,}"),  # GB 11643, GB/T 2260
    re.compile(r"no statute", re.IGNORECASE),
)


def names_source(docstring: str | None) -> bool:
    return docstring is not None and any(pattern.search(docstring) for pattern in SOURCES)


def domain_modules() -> list[tuple[str, str | None]]:
    """(path under chalicelib/domain, module docstring) of every module; an empty ``__init__.py`` is skipped."""
    modules = []
    for path in sorted(DOMAIN.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if path.name == "__init__.py" and not tree.body:
            continue
        modules.append((path.relative_to(DOMAIN).as_posix(), ast.get_docstring(tree)))
    return modules


def test_the_walk_finds_the_domain_modules() -> None:
    found = {name for name, _ in domain_modules()}
    assert {"cases/case.py", "workdays.py", "units.py", "payments/owed.py", "payments/__init__.py"} <= found
    assert "__init__.py" not in found  # chalicelib/domain/__init__.py is empty


def test_every_domain_module_names_its_source() -> None:
    missing = [name for name, docstring in domain_modules() if not names_source(docstring)]
    assert not missing, (
        "these chalicelib/domain modules name no source in their docstring (a 文号 like 民办发〔2021〕2号, 民法典, "
        "a GB/GB-T number, or \"no statute\" and the duty served): " + ", ".join(missing))


def test_what_counts_as_a_source() -> None:
    for text in ("D1 per 民办发〔2021〕2号 step 2", "国发〔2015〕52号", "民法典 第二百零一条", "GB 11643", "GB/T 2260 codes",
                 "No statute: an engineering rule"):
        assert names_source(text), text
    for text in (None, "", "The case and its transition table.", "DOMAIN.md §2", "〔2021〕号", "GBK text"):
        assert not names_source(text), text
