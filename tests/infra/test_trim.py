"""infra/trim.py: what the Lambda package leaves out is never what the functions load.
(The packaged zip itself is checked in test_package.py.)"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

from infra.trim import ENDPOINT_PREFIXES, SERVICES, dropped, endpoints

ROOT = Path(__file__).resolve().parents[2]

LOADED = """
import json, sys
sys.modules["PIL"] = None  # as in the package: fpdf2 imports Pillow only when it is there
import boto3
import app
from chalicelib.adapters.pdf import render
from chalicelib.domain.cases.documents import KINDS, build_document
from tests.integration.test_document_fonts import a_case
for kind in KINDS:
    render(build_document(a_case("张三𠀀"), kind, "https://example.org/progress?case=C1"))
import chalicelib.adapters, pkgutil, importlib
for module in pkgutil.iter_modules(chalicelib.adapters.__path__):
    importlib.import_module(f"chalicelib.adapters.{module.name}")
for service in SERVICES:
    boto3.client(service, region_name="cn-north-1", aws_access_key_id="x", aws_secret_access_key="y")
print(json.dumps(sorted({getattr(m, "__file__", None) or "" for m in list(sys.modules.values())})))
"""


def test_every_client_the_code_creates_is_a_kept_botocore_model() -> None:
    used = set()
    for path in [ROOT / "app.py", *(ROOT / "chalicelib").rglob("*.py")]:
        used |= set(re.findall(r"""client\(\s*["']([a-z0-9-]+)["']""", path.read_text(encoding="utf-8")))
    assert {"s3", "sns", "sqs", "stepfunctions", "secretsmanager"} <= used
    assert used | {"dynamodb"} <= SERVICES  # dynamodb: PynamoDB's own client


def test_nothing_a_process_loads_to_serve_requests_render_documents_and_call_aws_is_dropped() -> None:
    done = subprocess.run([sys.executable, "-c", f"SERVICES = {sorted(SERVICES)!r}\n" + LOADED], cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "STAGE": "local", "AWS_DEFAULT_REGION": "cn-north-1",
                               "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300, check=True)
    site = Path(sysconfig.get_paths()["purelib"])
    loaded = [Path(f).relative_to(site).as_posix() for f in json.loads(done.stdout.splitlines()[-1])
              if f and Path(f).is_relative_to(site)]
    assert len(loaded) > 300
    # a fontTools accelerator loaded here is replaced in the package by the pure-Python module beside it
    accelerated = [name for name in loaded if name.startswith("fontTools/") and name.endswith(".so")]
    for name in accelerated:
        module = re.sub(r"\.cpython-[^.]+\.so$", ".py", name)
        assert (site / module).is_file() and dropped(module) is None, name
    assert [(name, dropped(name)) for name in loaded if dropped(name) and name not in accelerated] == []


def test_the_rules_drop_the_weight_and_keep_the_neighbours() -> None:
    assert dropped("botocore/data/ec2/2016-11-15/service-2.json.gz")
    assert dropped("botocore/data/s3/2006-03-01/service-2.json.gz") is None
    assert dropped("botocore/data/endpoints.json") is None
    assert dropped("fontTools/misc/bezierTools.cpython-311-x86_64-linux-gnu.so")
    assert dropped("fontTools/misc/bezierTools.py") is None
    assert dropped("stdnum/de/vat.py") and dropped("stdnum/oui.dat")
    assert dropped("stdnum/cn/loc.dat") is None and dropped("stdnum/numdb.py") is None
    assert dropped("aws_lambda_powertools/event_handler/api_gateway.py")
    assert dropped("aws_lambda_powertools/logging/logger.py") is None
    assert dropped("PIL/Image.py") and dropped("chalicelib/fonts/DroidSansFallback-GB18030BMP.ttf") is None


def test_the_trimmed_endpoints_keep_every_partition_and_resolve_our_services_as_the_full_file_does(tmp_path) -> None:
    import botocore.session

    site = Path(sysconfig.get_paths()["purelib"])
    full = (site / "botocore" / "data" / "endpoints.json").read_bytes()
    trimmed = json.loads(endpoints(full))
    assert [p["partition"] for p in trimmed["partitions"]] == [p["partition"] for p in json.loads(full)["partitions"]]
    assert len(endpoints(full)) < len(full) / 10
    session = botocore.session.get_session()
    prefixes = {session.get_service_model(name).endpoint_prefix for name in SERVICES}
    assert prefixes == ENDPOINT_PREFIXES
    (tmp_path / "endpoints.json").write_bytes(endpoints(full))
    for service in sorted(SERVICES):
        for region in ("cn-north-1", "cn-northwest-1", "us-east-1"):
            urls = []
            for data_path in (None, str(tmp_path)):
                session = botocore.session.get_session()
                if data_path:
                    session.set_config_variable("data_path", data_path)
                client = session.create_client(service, region_name=region, aws_access_key_id="x",
                                               aws_secret_access_key="y")
                urls.append(client.meta.endpoint_url)
            assert urls[0] == urls[1], (service, region, urls)
