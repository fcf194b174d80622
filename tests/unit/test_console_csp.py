"""The console's Content-Security-Policy: the committed index.html carries the base policy; the local
runner and each deployment serve a copy naming exactly the origins their configuration needs."""
from __future__ import annotations

import re

import pytest

from tools.console_config import INDEX, deployed_config, deployed_index, main
from tools.console_csp import META, policy, with_policy
from tools.console_server import local_policy

API = "https://abc123.execute-api.cn-north-1.amazonaws.com.cn/api/"
IDP = "https://subsidy-prod.auth.cn-north-1.amazoncognito.com.cn"
BUCKET = "https://subsidy-prod-materials.s3.cn-north-1.amazonaws.com.cn"


def directives(html: str) -> dict[str, list[str]]:
    [tag] = META.findall(html)
    content = re.search(r'content="([^"]*)"', tag)
    assert content is not None
    return {part.split()[0]: part.split()[1:] for part in content.group(1).split("; ")}


def origins(found: dict[str, list[str]]) -> set[str]:
    return {source for sources in found.values() for source in sources if "://" in source}


def test_the_committed_page_carries_the_base_policy_with_no_other_origin():
    html = INDEX.read_text(encoding="utf-8")
    found = directives(html)
    assert origins(found) == set()
    assert found["script-src"] == ["'self'"] and found["object-src"] == ["'none'"]
    assert f'content="{policy()}"' in html


def test_a_deployed_page_allows_its_api_identity_provider_and_materials_bucket_and_nothing_else():
    config = deployed_config("prod", API, IDP, "client", "https://console.example.cn/console/")
    found = directives(deployed_index(config, "subsidy-prod-materials", "cn-north-1"))
    api = "https://abc123.execute-api.cn-north-1.amazonaws.com.cn"
    assert origins(found) == {api, IDP, BUCKET}
    assert found["connect-src"] == ["'self'", api, IDP, BUCKET]
    assert found["img-src"] == ["'self'", "blob:", "data:", BUCKET]
    assert found["frame-src"] == ["'self'", "blob:", BUCKET]
    assert not any(s in ("*", "'unsafe-inline'", "'unsafe-eval'", "https:") for v in found.values() for s in v)


def test_the_deploy_command_writes_the_page_beside_the_config_and_needs_the_bucket_for_it(tmp_path):
    args = ["--out", str(tmp_path / "config.json"), "--stage", "prod", "--api", API, "--domain", IDP,
            "--client-id", "c", "--redirect-uri", "https://console.example.cn/console/"]
    assert main([*args, "--index-out", str(tmp_path / "index.html"), "--materials-bucket", "subsidy-prod-materials",
                 "--region", "cn-northwest-1"]) == 0
    found = directives((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert "https://subsidy-prod-materials.s3.cn-northwest-1.amazonaws.com.cn" in found["connect-src"]
    with pytest.raises(SystemExit):
        main([*args, "--index-out", str(tmp_path / "other.html")])


def test_the_local_runner_allows_its_own_storage_origin(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:45123/")
    assert "connect-src 'self' http://127.0.0.1:45123;" in local_policy()
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert local_policy() == policy()


def test_a_page_without_exactly_one_policy_tag_is_refused():
    with pytest.raises(ValueError):
        with_policy("<html><head></head></html>", policy())
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy()}">'
    with pytest.raises(ValueError):
        with_policy(tag + tag, policy())
