"""The web console beside the API in the local runner (``make run``): same origin, no CORS.

``chalice local`` serves the Chalice app; this handler answers three more things before handing
every other request to it:

- ``GET /console/...``: the static files of ``console/`` (no build step);
- ``GET /console/config.json``: the local stage's console configuration (sign-in by picker);
- ``GET /console/local/users`` and ``POST /console/local/token``: the role/unit picker, issuing a
  local-stage token with the same code as ``python -m tools.token``.

None of this is in ``app.py``: the deployed stages never had a way to mint a token, and the
console is served from S3 there (see README, "The web console").
"""
from __future__ import annotations

import functools
import json
import mimetypes
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from chalice.local import ChaliceRequestHandler, RouteMatcher

from tools.console_csp import origin, policy, with_policy
from tools.token import demo_user, demo_users, token_for

CONSOLE = Path(__file__).resolve().parent.parent / "console"
PREFIX = "/console"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".json": "application/json; charset=utf-8",
         ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}
TOKEN_TTL = 8 * 3600  # one working day at a window


def local_config() -> dict[str, Any]:
    """What ``console/config.json`` holds in the local stage (a deployment writes its own)."""
    return {"stage": "local", "api": "", "auth": {"kind": "local"}}


def local_policy() -> str:
    """The console talks to the API (same origin) and to S3 (moto, another port here) only."""
    storage = os.environ.get("AWS_ENDPOINT_URL", "")
    return policy(storage=[origin(storage)] if storage else [])


def _security_headers() -> dict[str, str]:
    return {
        # the same policy as index.html's <meta>, plus what only a header can say
        "Content-Security-Policy": local_policy() + "; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def static_file(path: str) -> Path | None:
    """The file under ``console/`` that a URL path names, or None (never a file outside it)."""
    relative = unquote(path[len(PREFIX):]).lstrip("/") or "index.html"
    if relative.endswith("/"):
        relative += "index.html"
    candidate = (CONSOLE / relative).resolve()
    if CONSOLE.resolve() not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def issue(body: Any) -> tuple[int, dict[str, Any]]:
    """``{sub}`` of a demo user, or ``{role, unit, name?}``: a token, or an error in the API's format."""
    if not isinstance(body, dict):
        return 400, {"error": {"code": "MALFORMED_JSON", "message": "send {sub} or {role, unit}", "field": "body"}}
    if body.get("sub"):
        user = demo_user(str(body["sub"]))
        if user is None:
            return 422, {"error": {"code": "UNKNOWN_DEMO_USER", "message": "没有这个演示用户", "field": "sub"}}
        role, unit, sub, name = user["role"], user["unit"], user["sub"], user["name"]
    else:
        role, unit = str(body.get("role") or ""), str(body.get("unit") or "").strip()
        sub, name = None, str(body.get("name") or "")
    try:
        token = token_for(role, unit, sub, name, TOKEN_TTL)
    except ValueError as error:
        field = "role" if str(error).startswith("role") else "unit"
        return 422, {"error": {"code": "TOKEN_REQUEST", "message": str(error), "field": field}}
    return 200, {"token": token, "role": role, "unit": unit, "sub": sub or f"{role}-{unit}", "name": name,
                 "expires_in": TOKEN_TTL}


LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})
# an ID number (18 characters) or a mobile number (11 digits) in a logged URL
_PERSONAL_NUMBER = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx]|1[3-9][0-9]{9})(?![0-9])")


def loopback_only(host: str | None, origin_header: str | None) -> str | None:
    """Why a token request is refused, or None: the Host must be the loopback interface this runner listens on,
    and an Origin, when sent, this same loopback origin — a site that rebinds its name to 127.0.0.1 has neither."""
    name = (host or "").rsplit(":", 1)[0] if not (host or "").startswith("[") else (host or "").split("]")[0] + "]"
    if name not in LOOPBACK:
        return "tokens are handed only to the console on this machine (Host is not 127.0.0.1 or localhost)"
    if origin_header and origin_header != f"http://{host}":
        return "tokens are handed only to the console's own page (another Origin asked)"
    return None


def masked_path(line: str) -> str:
    """An access-log line with ID and mobile numbers masked (the API's logs never show them either)."""
    return _PERSONAL_NUMBER.sub(lambda m: m.group(1)[:3] + "*" * (len(m.group(1)) - 7) + m.group(1)[-4:], line)


class ConsoleRequestHandler(ChaliceRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's naming
        super().log_message("%s", masked_path(format % args))

    def _generic_handle(self) -> None:
        """Every other request goes to the Chalice app; a path no route has is answered in the API's format."""
        path = urlsplit(self.path).path
        try:
            RouteMatcher(list(self.local_gateway._app_object.routes)).match_route(path)  # noqa: SLF001
        except ValueError:
            self._json(404, {"error": {"code": "ROUTE_NOT_FOUND", "message": "no such route in this API",
                                       "field": None}})
            return
        super()._generic_handle()

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _generic_handle  # noqa: N815 - the base class's naming

    def do_GET(self) -> None:  # noqa: N802 - BaseHTTPRequestHandler's naming
        path = urlsplit(self.path).path
        if path == PREFIX:
            self._answer(301, b"", "text/plain", {"Location": PREFIX + "/"})
        elif path == f"{PREFIX}/config.json":
            self._json(200, local_config())
        elif path == f"{PREFIX}/local/users":
            self._json(200, {"users": demo_users()})
        elif path.startswith(PREFIX + "/"):
            found = static_file(path)
            if found is None:
                self._answer(404, "找不到此页面".encode(), "text/plain; charset=utf-8")
            else:
                body = found.read_bytes()
                if found.name == "index.html":  # its CSP <meta> names this stage's storage origin
                    body = with_policy(body.decode("utf-8"), local_policy()).encode("utf-8")
                self._answer(200, body, TYPES.get(found.suffix, mimetypes.guess_type(found.name)[0]
                                                  or "application/octet-stream"))
        else:
            self._generic_handle()

    def do_POST(self) -> None:  # noqa: N802
        if urlsplit(self.path).path != f"{PREFIX}/local/token":
            self._generic_handle()
            return
        refusal = loopback_only(self.headers.get("Host"), self.headers.get("Origin"))
        if refusal is not None:  # a page elsewhere (DNS rebinding) asking for a token
            self._json(403, {"error": {"code": "NOT_THE_CONSOLE", "message": refusal, "field": "Origin"}})
            return
        _, raw = self._parse_payload()
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        self._json(*issue(body))

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._answer(status, json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _answer(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**_security_headers(), **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def serve_console(server: Any) -> Any:
    """Swap the local server's request handler for one that serves the console too."""
    handler = server.server.RequestHandlerClass
    assert isinstance(handler, functools.partial), "chalice.local builds its handler with functools.partial"
    server.server.RequestHandlerClass = functools.partial(ConsoleRequestHandler, *handler.args, **handler.keywords)
    return server
