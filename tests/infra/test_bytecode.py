"""infra/bytecode.py on small zips: what is compiled, skipped, kept, and when nothing is done.
(The real deployment.zip is checked in test_package.py.)"""
from __future__ import annotations

import importlib.util
import marshal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra.bytecode import SOURCES_KEPT, add_bytecode, cached_name, function_runtime, this_runtime

TAG = sys.implementation.cache_tag


def _zip(path: Path, files: dict[str, tuple[bytes, int]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name, (2020, 5, 17, 10, 0, 0))
            info.external_attr = mode << 16
            out.writestr(info, data)
    return path


def test_cached_names_are_where_the_import_system_looks_beside_the_source() -> None:
    assert cached_name("app.py") == f"__pycache__/app.{TAG}.pyc"
    assert cached_name("chalicelib/domain/cases/case.py") == f"chalicelib/domain/cases/__pycache__/case.{TAG}.pyc"


def test_each_module_gets_an_unchecked_hash_pyc_a_python2_file_is_skipped_and_other_files_are_kept(
        tmp_path: Path) -> None:
    archive = _zip(tmp_path / "deployment.zip", {
        "pkg/mod.py": (b"def f():\n    assert False\n    return 1\n", 0o100644),
        "pkg/tests/old.py": (b"print 'python 2'\n", 0o100644),
        "pkg/data.json": (b"{}", 0o100600),
        "pkg/__pycache__/mod.cpython-27.pyc": (b"stale", 0o100644),
        "app.py": (b"import pkg.mod\n", 0o100755),
    })
    result = add_bytecode(archive, this_runtime(), sources=("app.py", "pkg/"))
    assert (result.compiled, result.skipped) == (2, ("pkg/tests/old.py",))
    opened = zipfile.ZipFile(archive)
    assert opened.namelist() == sorted(["app.py", f"__pycache__/app.{TAG}.pyc", "pkg/data.json", "pkg/mod.py",
                                        f"pkg/__pycache__/mod.{TAG}.pyc", "pkg/tests/old.py"])
    assert {i.date_time for i in opened.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    modes = {i.filename: i.external_attr >> 16 for i in opened.infolist()}
    assert modes[f"__pycache__/app.{TAG}.pyc"] == 0o100755 and modes["pkg/data.json"] == 0o100600
    pyc = opened.read(f"pkg/__pycache__/mod.{TAG}.pyc")
    assert pyc[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(pyc[4:8], "little") == 0b01
    assert pyc[8:16] == importlib.util.source_hash(opened.read("pkg/mod.py"))
    code = marshal.loads(pyc[16:])
    assert code.co_filename == "pkg/mod.py"
    namespace: dict[str, object] = {}
    exec(code, namespace)
    with pytest.raises(AssertionError):  # optimisation level 0: asserts stay
        namespace["f"]()  # type: ignore[operator]


def test_a_wheels_module_ships_as_its_pyc_alone_and_imports_without_its_source(tmp_path: Path) -> None:
    assert SOURCES_KEPT == ("app.py", "chalicelib/")
    archive = _zip(tmp_path / "deployment.zip", {
        "vendor/__init__.py": (b"", 0o100644),
        "vendor/mod.py": (b"def where():\n    raise ValueError('here')\n", 0o100644),
        "vendor/data.json": (b"{}", 0o100644),
        "chalicelib/__init__.py": (b"", 0o100644),
        "app.py": (b"import vendor.mod\n", 0o100644),
    })
    assert add_bytecode(archive, this_runtime()).compiled == 4
    opened = zipfile.ZipFile(archive)
    assert opened.namelist() == sorted([f"__pycache__/app.{TAG}.pyc", "app.py", f"chalicelib/__pycache__/__init__.{TAG}.pyc",
                                        "chalicelib/__init__.py", "vendor/__init__.pyc", "vendor/data.json",
                                        "vendor/mod.pyc"])
    assert marshal.loads(opened.read("vendor/mod.pyc")[16:]).co_filename == "vendor/mod.py"
    opened.extractall(tmp_path / "task")
    script = ("import app, vendor.mod\ntry:\n    vendor.mod.where()\nexcept ValueError as e:\n"
              "    print(vendor.mod.__spec__.loader.__class__.__name__, e.__traceback__.tb_next.tb_frame.f_code.co_filename)")
    done = subprocess.run([sys.executable, "-S", "-B", "-c", script], cwd=tmp_path / "task", capture_output=True,
                          text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    assert done.stdout.split() == ["SourcelessFileLoader", "vendor/mod.py"]


def test_compiling_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    files = {"a.py": (b"X = {'b', 'a', 'c'}\nY = ('x', 'x')\n", 0o100644), "b/c.py": (b"import a\n", 0o100644)}
    first = _zip(tmp_path / "first.zip", files)
    second = _zip(tmp_path / "second.zip", dict(reversed(files.items())))
    add_bytecode(first, this_runtime())
    add_bytecode(second, this_runtime())
    assert first.read_bytes() == second.read_bytes()


def test_another_runtime_than_this_interpreter_leaves_the_zip_untouched_and_says_why(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "deployment.zip", {"app.py": (b"X = 1\n", 0o100644)})
    before = archive.read_bytes()
    result = add_bytecode(archive, "python3.9")
    assert not result.done and archive.read_bytes() == before
    assert "python3.9" in result.summary() and this_runtime() in result.summary()


def test_the_runtime_is_the_one_all_functions_of_the_template_share() -> None:
    function = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.11"}}
    assert function_runtime({"Resources": {"A": function, "B": function, "T": {"Type": "AWS::SNS::Topic"}}}) \
        == "python3.11"
    other = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.12"}}
    with pytest.raises(ValueError, match="python3.11"):
        function_runtime({"Resources": {"A": function, "B": other}})


def test_the_pycs_carry_no_column_table_and_tracebacks_still_name_the_line(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "deployment.zip", {"app.py": (b"def f(x):\n    return x.missing\n", 0o100644)})
    add_bytecode(archive, this_runtime())
    code = marshal.loads(zipfile.ZipFile(archive).read(f"__pycache__/app.{TAG}.pyc")[16:])
    function = next(c for c in code.co_consts if hasattr(c, "co_positions"))
    positions = list(function.co_positions())
    assert positions and all(column is None for _, _, column, _ in positions)  # -X no_debug_ranges
    assert {line for line, _, _, _ in positions if line} == {1, 2}
