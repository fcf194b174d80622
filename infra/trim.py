"""What ``deployment.zip`` leaves out of the installed wheels: files no function ever reads.

``chalice package`` zips every file of every wheel of requirements.txt. :func:`trim` rewrites the zip
without the files :func:`dropped` names, before the bytecode step (``infra/bytecode.py``), each rule with
its reason. The rules are checked by tests/infra/test_trim.py: a process that imports ``app``, renders
every document and creates every AWS client the code creates loads nothing a rule drops, and every
``client("…")`` in chalicelib is a kept botocore model.

Measured on the package of 2026-12-06 (deflated bytes): botocore's models of 400-odd services 15.4 MB,
fontTools' Cython accelerators and their C sources 4.2 MB, python-stdnum's other countries and number
databases 1.5 MB, Powertools' event handler and unused utilities 1.3 MB. One file is rewritten rather than
dropped: botocore's ``endpoints.json`` keeps only our services (:func:`endpoints`).
"""
from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# The AWS services the functions call: DynamoDB (PynamoDB and the case clock's items), S3 (materials, documents,
# rosters), SNS (events, SMS), SQS (unit jobs), Step Functions (the case clock), Secrets Manager (config.py),
# STS (botocore's credential chain can assume a role; small). botocore reads a service's model only when a
# client of it is created.
SERVICES = frozenset({"dynamodb", "s3", "sns", "sqs", "stepfunctions", "secretsmanager", "sts"})
# their names in botocore's endpoints.json (the model's metadata.endpointPrefix)
ENDPOINT_PREFIXES = frozenset({"dynamodb", "s3", "sns", "sqs", "states", "secretsmanager", "sts"})
ENDPOINTS = "botocore/data/endpoints.json"

# fontTools subpackages fpdf2's font embedding never imports (feature files, UFO sources, VOLT and MTI
# tables, font merging, Type 1, curve conversion); the subsetter imports varLib, otlLib, cffLib, colorLib,
# svgLib, designspaceLib and a few feaLib modules, which stay.
FONTTOOLS_UNUSED = ("ufoLib", "voltLib", "mtiLib", "merge", "diff", "t1Lib", "qu2cu", "cu2qu")
# python-stdnum: chalicelib uses the Chinese resident ID check digit and the Chinese division codes (cn/loc.dat)
STDNUM_KEPT = ("__init__.py", "util.py", "exceptions.py", "numdb.py", "py.typed", "cn/")
# Powertools: the logger, metrics and tracer (and what they import); not the event handler (Chalice routes)
# nor the utilities nobody imports
POWERTOOLS_UTILITIES_KEPT = ("__init__.py", "jmespath_utils/", "typing/")

_BOTOCORE_MODEL = re.compile(r"botocore/data/([^/]+)/")


def dropped(name: str) -> str | None:
    """Why ``name`` (a path inside the zip) is left out, or None when it stays."""
    if name.startswith("botocore/data/"):
        service = _BOTOCORE_MODEL.match(name)
        if service and service.group(1) not in SERVICES:
            return "botocore model of a service the functions never call"
        if name.endswith("/examples-1.json"):
            return "botocore documentation examples"
        return None
    if name.startswith("fontTools/"):
        if name.endswith((".so", ".c", ".pyx", ".pxd")):
            return "fontTools' Cython accelerators (the pure-Python modules beside them are used)"
        if name.split("/")[1] in FONTTOOLS_UNUSED:
            return "fontTools subpackage fpdf2 never imports"
        return None
    if name.startswith("stdnum/"):
        inside = name[len("stdnum/"):]
        if not inside.startswith(STDNUM_KEPT):
            return "python-stdnum's other countries and number databases"
        return None
    if name.startswith("aws_lambda_powertools/event_handler/"):
        return "Powertools' event handler (Chalice routes the requests)"
    if name.startswith("aws_lambda_powertools/utilities/"):
        inside = name[len("aws_lambda_powertools/utilities/"):]
        if not inside.startswith(POWERTOOLS_UTILITIES_KEPT):
            return "Powertools utility nobody imports"
        return None
    if name.startswith(("PIL/", "pillow.libs/", "pillow-")):
        return "Pillow (fpdf2 requires it; the documents draw no raster image and render the same bytes without it)"
    if name.startswith("pycparser/"):
        return "cffi's C parser (only for building bindings; cryptography's are compiled)"
    if name == "dateutil/zoneinfo/dateutil-zoneinfo.tar.gz":
        return "dateutil's own time zone database (dateutil.zoneinfo is never imported)"
    return None


def endpoints(data: bytes) -> bytes:
    """botocore's endpoints.json with every partition's metadata and only our services' entries. Every botocore
    session parses the whole file into OrderedDicts (1.25 MB of JSON: about 60 MB of memory and 30 ms, twice per
    process — boto3's session and PynamoDB's); the endpoints of the kept services are the same."""
    document = json.loads(data)
    for partition in document["partitions"]:
        partition["services"] = {name: entry for name, entry in partition["services"].items()
                                 if name in ENDPOINT_PREFIXES}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Trimmed:
    files_before: int
    files_after: int
    bytes_before: int
    bytes_after: int
    by_reason: dict[str, int] = field(default_factory=dict)  # reason -> files

    def summary(self) -> str:
        return (f"trim: {self.files_before - self.files_after} of {self.files_before} files left out; "
                f"deployment.zip {self.bytes_before:,} -> {self.bytes_after:,} bytes")


def trim(archive: Path) -> Trimmed:
    """Rewrite ``archive`` in place without what :func:`dropped` names (entries' order and metadata kept)."""
    before = archive.stat().st_size
    by_reason: dict[str, int] = {}
    partial = archive.with_name(archive.name + ".trimming")
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as out:
        infos = source.infolist()
        kept = 0
        for info in infos:
            reason = dropped(info.filename)
            if reason:
                by_reason[reason] = by_reason.get(reason, 0) + 1
                continue
            data = source.read(info)
            out.writestr(info, endpoints(data) if info.filename == ENDPOINTS else data)
            kept += 1
    os.replace(partial, archive)
    return Trimmed(len(infos), kept, before, archive.stat().st_size, by_reason)
