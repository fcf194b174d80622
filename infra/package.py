"""``chalice package --merge-template`` for one stage, offline when the wheelhouse holds the wheels.

``make wheelhouse`` fetches the runtime wheels (manylinux, Python 3.11) once; with them, pip inside
Chalice's packager is pointed at that folder and never at an index (``PIP_NO_INDEX``), so packaging
works with no network. Without a wheelhouse it uses pip's configured index. Then ``deployment.zip`` is
rewritten without the files no function reads (``infra/trim.py``), then with compiled bytecode beside every module (``infra/bytecode.py``: a cold start then compiles
nothing), when this interpreter is the functions' Python version; otherwise it stays as Chalice wrote it.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from infra.bytecode import add_bytecode_to_package
from infra.trim import trim


def package(stage: str, build: Path, wheels: Path, region: str = "cn-north-1") -> Path:
    environment = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION") or region}
    if wheels.is_dir() and any(wheels.glob("*.whl")):
        environment.update({"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels.resolve())})
    out = build / "package"
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template", str(build / "resources.json"),
                    str(out)], check=True, env=environment)
    print(trim(out / "deployment.zip").summary(), file=sys.stderr)
    print(add_bytecode_to_package(out).summary(), file=sys.stderr)
    return out / "sam.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--build", type=Path, required=True)
    parser.add_argument("--wheels", type=Path, default=Path(".wheelhouse"))
    args = parser.parse_args()
    print(package(args.stage, args.build, args.wheels))


if __name__ == "__main__":
    main()
