"""Compiled bytecode in the deployment package, so a cold Lambda does not compile every module again.

``chalice package`` zips sources only, and Lambda's code directory (``/var/task``) is read-only: without
``__pycache__`` in the zip, every cold start compiles every module it imports (about twice the import
time of ``app``). :func:`add_bytecode` rewrites ``deployment.zip`` with every module compiled:

- unchecked-hash pycs (PEP 552): the import system uses them as they are, without comparing a source
  timestamp (timestamps do not survive a zip and Lambda's extraction reliably);
- optimisation level 0 (asserts stay), compiled with ``-X no_debug_ranges``: no column table in the code
  objects (a traceback shows the line, without the ``^^^`` under the failing expression), 1.5 MB less of a
  14.2 MB zip;
- our own modules (``app.py``, ``chalicelib/``: :data:`SOURCES_KEPT`) keep their ``.py`` beside the pyc, so
  tracebacks show our lines; every other module (the wheels) ships as its pyc alone, at the legacy place
  ``pkg/mod.pyc`` where the import system loads a pyc without a source (PEP 3147), its code objects still
  naming ``pkg/mod.py`` — the sources would add 2.6 MB to a 14 MB zip (docs/decisions.md, 2026-12-06);
- only when this interpreter's ``major.minor`` is the functions' runtime (a pyc's magic number is per
  minor version; another version would ignore the file and compile anyway);
- deterministic: entries sorted by name, Chalice's fixed 1980-01-01 timestamp, each pyc with its
  source's file mode, ``co_filename`` the path inside the zip; the same sources give the same bytes.

Files that do not compile on this interpreter (some packages ship Python 2 test files) are left
without a pyc and counted.
"""
from __future__ import annotations

import importlib.util
import json
import marshal
import os
import posixpath
import subprocess
import sys
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SOURCES_KEPT = ("app.py", "chalicelib/")  # path prefixes in the zip whose .py stay beside their pyc
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based (bit 0), not checked against the source (bit 1 clear)


@dataclass(frozen=True)
class Compiled:
    runtime: str
    compiled: int = 0
    skipped: tuple[str, ...] = ()
    bytes_before: int = 0
    bytes_after: int = 0
    reason: str = ""

    @property
    def done(self) -> bool:
        return not self.reason

    def summary(self) -> str:
        if not self.done:
            return f"bytecode: not added ({self.reason})"
        return (f"bytecode: {self.compiled} modules compiled for {self.runtime} (unchecked-hash pycs), "
                f"{len(self.skipped)} skipped (do not compile on Python {sys.version_info[0]}.{sys.version_info[1]}); "
                f"deployment.zip {self.bytes_before:,} -> {self.bytes_after:,} bytes")


def function_runtime(template: dict) -> str:
    """The one ``Runtime`` of the template's functions (Chalice writes it on each)."""
    runtimes = {resource["Properties"]["Runtime"] for resource in template.get("Resources", {}).values()
                if resource.get("Type") in ("AWS::Serverless::Function", "AWS::Lambda::Function")
                and "Runtime" in resource.get("Properties", {})}
    if len(runtimes) != 1:
        raise ValueError(f"expected one function runtime in the template, found {sorted(runtimes)}")
    return runtimes.pop()


def this_runtime() -> str:
    return f"python{sys.version_info[0]}.{sys.version_info[1]}"


def pyc_bytes(source: bytes, name: str) -> bytes:
    """An unchecked-hash pyc of ``source``, named ``name`` in its code objects (optimisation level 0)."""
    with warnings.catch_warnings():  # third-party SyntaxWarnings (invalid escapes) are not ours to print
        warnings.simplefilter("ignore")
        code = compile(source, name, "exec", dont_inherit=True, optimize=0)
    header = importlib.util.MAGIC_NUMBER + UNCHECKED_HASH.to_bytes(4, "little") + importlib.util.source_hash(source)
    return header + marshal.dumps(code)


def cached_name(name: str) -> str:
    """``a/b.py`` -> ``a/__pycache__/b.cpython-3XY.pyc`` (what the import system looks for; no pycache_prefix)."""
    folder, file = posixpath.split(name)
    return posixpath.join(folder, "__pycache__", f"{file[:-len('.py')]}.{sys.implementation.cache_tag}.pyc")


def sourceless_name(name: str) -> str:
    """``a/b.py`` -> ``a/b.pyc`` (where a pyc is imported when no source is there)."""
    return name[:-len(".py")] + ".pyc"


def _entry(name: str, external_attr: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.external_attr = external_attr
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so the mode bits in external_attr are honoured on extraction
    return info


def rewrite(archive: Path, sources: tuple[str, ...] = SOURCES_KEPT) -> tuple[int, list[str]]:
    """Rewrite ``archive`` in place with a pyc for every ``.py``: (modules compiled, files that do not compile).
    A module under one of ``sources`` keeps its ``.py`` and gets ``__pycache__/<name>.cpython-3XY.pyc``; any
    other is replaced by ``<name>.pyc``. A file that does not compile stays as it is.

    Run it in a fresh interpreter (:func:`add_bytecode` does): ``marshal`` marks an object shared only when
    its reference count is above one, so what else the process has imported can change the bytes.
    """
    entries: dict[str, tuple[int, bytes]] = {}
    with zipfile.ZipFile(archive) as source:
        for info in source.infolist():
            if "__pycache__/" not in info.filename and not info.is_dir():
                entries[info.filename] = (info.external_attr, source.read(info))
    compiled, skipped = 0, []
    for name, (mode, data) in sorted(entries.items()):
        if not name.endswith(".py"):
            continue
        try:
            pyc = pyc_bytes(data, name)
        except (SyntaxError, ValueError):
            skipped.append(name)
            continue
        if name.startswith(sources):
            entries[cached_name(name)] = (mode, pyc)
        else:
            del entries[name]
            entries[sourceless_name(name)] = (mode, pyc)
        compiled += 1
    partial = archive.with_name(archive.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, (mode, data) in sorted(entries.items()):
            out.writestr(_entry(name, mode), data)
    os.replace(partial, archive)
    return compiled, skipped


def add_bytecode(archive: Path, runtime: str, sources: tuple[str, ...] = SOURCES_KEPT) -> Compiled:
    """:func:`rewrite` in a fresh ``python -I -S -X no_debug_ranges`` (the standard library only); nothing done if
    ``runtime`` differs."""
    if runtime != this_runtime():
        return Compiled(runtime, reason=f"the functions run {runtime}, this interpreter is {this_runtime()}: "
                                        f"its pycs would be ignored; package with {runtime} to ship them")
    before = archive.stat().st_size
    done = subprocess.run([sys.executable, "-I", "-S", "-X", "no_debug_ranges", __file__, str(archive),
                           json.dumps(list(sources))], check=True, stdout=subprocess.PIPE, text=True)
    compiled, skipped = json.loads(done.stdout)
    return Compiled(runtime, compiled, tuple(skipped), before, archive.stat().st_size)


def add_bytecode_to_package(package_dir: Path) -> Compiled:
    """The step after ``chalice package``: ``deployment.zip`` compiled for ``sam.json``'s runtime."""
    template = json.loads((package_dir / "sam.json").read_text(encoding="utf-8"))
    return add_bytecode(package_dir / "deployment.zip", function_runtime(template))


if __name__ == "__main__":  # the fresh interpreter of add_bytecode
    print(json.dumps(rewrite(Path(sys.argv[1]), tuple(json.loads(sys.argv[2])))))
