"""The deployed console's config.json: what console/js/app.js and auth.js read."""
from __future__ import annotations

import json

import pytest

from tools.console_config import deployed_config, main
from tools.console_server import local_config


def test_a_deployed_console_signs_in_through_the_hosted_ui_of_the_identity_provider(tmp_path):
    out = tmp_path / "config.json"
    assert main(["--out", str(out), "--stage", "dev", "--api", "https://api.example.cn/api/",
                 "--domain", "https://subsidy-dev.auth.cn-north-1.example.cn/", "--client-id", "abc123",
                 "--redirect-uri", "https://console.example.cn/console/"]) == 0
    config = json.loads(out.read_text(encoding="utf-8"))
    assert config["api"] == "https://api.example.cn/api"
    assert config["auth"] == {
        "kind": "oidc", "authorization_endpoint": "https://subsidy-dev.auth.cn-north-1.example.cn/oauth2/authorize",
        "token_endpoint": "https://subsidy-dev.auth.cn-north-1.example.cn/oauth2/token", "client_id": "abc123",
        "redirect_uri": "https://console.example.cn/console/", "scope": "openid"}


def test_a_deployed_console_refuses_plain_http_addresses():
    with pytest.raises(ValueError, match="redirect_uri"):
        deployed_config("dev", "https://api.example.cn", "https://idp.example.cn", "c", "http://console.example.cn/")


def test_only_the_local_stage_uses_the_picker():
    assert local_config()["auth"] == {"kind": "local"}
    assert deployed_config("prod", "https://a.cn", "https://i.cn", "c", "https://c.cn/")["auth"]["kind"] == "oidc"
