"""Who may import what: the domain imports no adapter and no AWS library; services import no AWS library and catch
no adapter's exception (the stores' refusals are domain.refusals); a case change's unit of work is plain data."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import msgspec
import pytest

from chalicelib.domain.cases import outbox, writes

ROOT = Path(__file__).resolve().parents[2] / "chalicelib"
AWS_LIBRARIES = ("pynamodb", "botocore", "boto3")


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in ``path``, relative imports resolved against chalicelib."""
    package = ["chalicelib", *path.relative_to(ROOT).parent.parts]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.append((module, [alias.name for alias in node.names]))
    return found


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_domain_imports_no_adapter_and_no_aws_library(path):
    for module, _ in imports(path):
        assert not module.startswith(AWS_LIBRARIES + ("chalicelib.adapters", "chalicelib.services")), module


@pytest.mark.parametrize("path", modules("services"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_services_import_no_aws_library_and_no_adapter_exception(path):
    for module, names in imports(path):
        assert not module.startswith(AWS_LIBRARIES), module
        if module.startswith("chalicelib.adapters") and names:
            imported = importlib.import_module(module)
            for name in names:
                value = getattr(imported, name)
                assert not (isinstance(value, type) and issubclass(value, BaseException)), \
                    f"{module}.{name}: services catch the domain's refusals (chalicelib.domain.refusals)"


def test_a_unit_of_work_holds_plain_domain_data_only():
    """Writes and what it carries are frozen Structs of the domain (domain.structs): no PynamoDB model or condition."""
    def fields(cls: type) -> set[str]:
        return {cls.__annotations__[name] for name in cls.__struct_fields__}  # type: ignore[attr-defined]

    for cls in (writes.Writes, writes.LockClaim, writes.LockCheck, writes.LockRelease, outbox.MessagePut,
                outbox.Message, outbox.Expected):
        assert issubclass(cls, msgspec.Struct) and cls.__struct_config__.frozen, cls
        assert not any(word in annotation for annotation in fields(cls) for word in ("Model", "Condition")), cls


def test_no_service_loads_pynamodb_even_through_an_adapter_it_imports():
    """A service names the stores' types for its annotations only (``if TYPE_CHECKING``): importing any service
    loads no PynamoDB. (botocore arrives only with the logging library, aws-lambda-powertools.)"""
    import subprocess
    import sys

    services = sorted(p.stem for p in (ROOT / "services").glob("*.py") if p.stem != "__init__")
    probe = ("import importlib, sys\n"
             f"for name in {services!r}:\n"
             "    importlib.import_module('chalicelib.services.' + name)\n"
             "    assert 'pynamodb' not in sys.modules, name\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**__import__("os").environ, "STAGE": "local"}, cwd=ROOT.parent)
    assert done.returncode == 0, done.stderr[-1500:]
