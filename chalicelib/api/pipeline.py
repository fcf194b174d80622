"""One way in: every API request passes the same small steps, in this order.

1. ``observe``: the correlation id in and out, one access line, metrics flushed (``chalicelib/observability``);
2. ``authenticate``: the bearer token becomes an ``Actor`` (public routes skip it);
3. ``reach``: the route's row (``api/routes.py``) names the relation the caller's role must have; on a route with
   ``{case_id}`` the case is read once, checked (403 before any body is read) and handed to the handler
   (``Call.case``, and ``Call.deps()`` whose store answers the handler's first read of it with that copy);
4. ``idempotency``: a POST/PUT with ``Idempotency-Key`` answered before is answered again, never run twice;
5. ``answer``: the handler's result as JSON with the route's status, a ``DomainError`` as the API's error body,
   anything else as a 500 that carries no personal data.

Handlers take a ``Call`` and the path's parameters, and return data (or a ``Response`` for PDFs and pages).
"""
from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any, Callable, Protocol, cast

from chalice import CORSConfig, Response
from chalice.app import Request
from msgspec import Struct, field
from msgspec.structs import replace

from .. import clock
from .. import config as settings
from .. import observability as observe
from ..auth import authenticate as verify_token
from ..domain import access
from ..domain.cases.case import Actor, Case
from ..domain.errors import DomainError, Invalid, Malformed, NotFound, TooLarge, UnsupportedMedia
from ..domain.values import first_not_unicode
from ..services.cases import Deps
from ..wiring import deps, idempotency_keys
from .routes import BY_KEY, Route

CLOCK_HEADER = "x-clock-now"
MAX_BODY_BYTES = 256 * 1024  # materials travel to S3, never through the API


class Call(Struct, dict=True):  # dict: room for the cached_property below
    """One request as a handler sees it: who calls (``actor``, ``relation``), the case the reach check read
    (``case``, on ``{case_id}`` routes), the moment of the request (``now``), the body and the query."""

    request: Request
    route: Route
    actor: Actor = field(default_factory=lambda: Actor("", "", "", ""))
    relation: str = ""
    case: Case | None = None

    @functools.cached_property
    def now(self) -> datetime:
        """Asia/Shanghai time, once per request; the local stage alone honours X-Clock-Now or CLOCK_NOW."""
        return clock.now(self.request.headers.get(CLOCK_HEADER))

    @property
    def query(self) -> dict[str, str]:
        return dict(self.request.query_params or {})

    def deps(self) -> Deps:
        """The services' dependencies for this request: the case store hands the case the reach check read to
        the handler's first read of it (``HandedCase``), so a case route reads the case once before it writes."""
        base = deps()
        return base if self.case is None else replace(base, repo=HandedCase(base.repo, self.case))

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    @property
    def has_body(self) -> bool:
        return bool(self.request.raw_body)

    def body(self) -> Any:
        """The JSON body: application/json (or +json), present, at most MAX_BODY_BYTES, valid JSON holding valid
        Unicode. What it says
        is read by the domain's readers, with the API's codes; a handler whose service checks the caller's reach
        on a resource passes ``call.body`` itself, so nothing of the body is read for a caller out of reach."""
        media = (self.header("content-type") or "application/json").split(";")[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            raise UnsupportedMedia("UNSUPPORTED_MEDIA_TYPE", f"send the body as application/json, not {media[:60]}",
                                   "Content-Type")
        raw = self.request.raw_body
        if not raw:
            raise Malformed("BODY_MISSING", "a JSON body is required", "body")
        if len(raw) > MAX_BODY_BYTES:
            raise TooLarge("BODY_TOO_LARGE", f"a JSON body may be at most {MAX_BODY_BYTES} bytes", "body")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly nested input
            raise Malformed("MALFORMED_JSON", "the body is not valid JSON", "body") from None
        field = first_not_unicode(body)  # JSON's \u escapes can carry a lone surrogate: no text can be stored
        if field is not None:
            raise Invalid("TEXT_NOT_UNICODE", f"{field} holds a lone UTF-16 surrogate, which is not text", field)
        return body

    def object_body(self, shape: str) -> dict[str, Any]:
        """The body, which must be a JSON object (``shape`` names its fields in the error)."""
        body = self.body()
        if not isinstance(body, dict):
            raise Malformed("WRONG_TYPE", f"the body must be an object {shape}", "body")
        return body


class HandedCase:
    """The case store as one request's handler sees it: the case the reach check read answers the first read of
    that case — once, so a retry after a stale write reads afresh (every write is conditional on the version read,
    so a copy gone stale only fails the write) — and everything else goes to the store."""

    def __init__(self, store: Any, case: Case) -> None:
        self._store: Any = store
        self._case: Case | None = case

    def get(self, case_id: str) -> Case:
        handed = self._case
        if handed is not None and handed.case_id == case_id:
            self._case = None
            return handed
        return cast(Case, self._store.get(case_id))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


Handler = Callable[..., Any]


class Registrar(Protocol):
    """A Chalice app or blueprint: what ``handles`` registers a route on."""

    @property
    def current_request(self) -> Request | None: ...

    def route(self, path: str, **kwargs: Any) -> Callable[[Handler], Any]: ...


# --- the steps ---------------------------------------------------------------------------------------------------

def authenticate(call: Call) -> None:
    call.actor = verify_token(call.header("authorization"), settings.load())


def reach(call: Call, params: dict[str, str]) -> None:
    """Deny by default: the route's row must admit the role, and on ``{case_id}`` routes the case its relation."""
    call.relation = access.rule_for(call.route.roles, call.route.key, call.actor)
    if "case_id" in params and call.relation in access.CASE_RELATIONS:
        try:
            call.case = deps().repo.get(params["case_id"])
        except NotFound:  # answered as a case out of reach: nobody learns whether the number exists
            raise access.case_out_of_reach() from None
        access.check_case(call.relation, call.actor, call.case)


def replayed(call: Call, params: dict[str, str]) -> tuple[str | None, Response | None]:
    """(the scoped key to finish, or None; the first answer again when this key was answered before)."""
    header = call.header("idempotency-key")
    if header is None or call.route.method not in ("POST", "PUT"):
        return None, None
    from ..services import (
        idempotency,  # with the first Idempotency-Key: not every request carries one
    )

    key = idempotency.scoped_key(header, call.actor.sub, call.route.method,
                                 json.dumps([call.route.path, params], sort_keys=True))
    raw = call.request.raw_body or b""
    replay = idempotency.begin(idempotency_keys(), key, raw if isinstance(raw, bytes) else raw.encode(), call.now)
    if replay is None:
        return key, None
    return key, Response(body=replay.body, status_code=replay.status,
                         headers={"Content-Type": "application/json; charset=utf-8", "Idempotent-Replayed": "true"})


def answer(call: Call, handler: Handler, params: dict[str, str]) -> Response:
    try:
        result = handler(call, **params)
        return result if isinstance(result, Response) else json_response(result, call.route.status)
    except DomainError as error:
        return error_response(error)
    except Exception:  # noqa: BLE001 - answered in the API's format
        return internal_error()


def serve(call: Call, handler: Handler, params: dict[str, str]) -> Response:
    """The steps in order; any failure before the handler is answered in the API's format too."""
    try:
        if call.route.public:
            return answer(call, handler, params)
        try:
            authenticate(call)
            reach(call, params)
            key, replay = replayed(call, params)
        except DomainError as error:
            return error_response(error)
        if replay is not None:  # the first answer again; nothing runs twice
            return replay
        response = answer(call, handler, params)
        if key is not None:
            remember(key, response)
        return response
    except Exception:  # noqa: BLE001 - answered in the API's format
        return internal_error()


def remember(key: str, response: Response) -> None:
    """Finish the key with the answer given. The answer stands when that fails: a change already stored is never
    answered as a 500 (a retry would make it twice); the key's claim lapses after its lease."""
    from ..services import idempotency

    try:
        idempotency.finish(idempotency_keys(), key, response.status_code, str(response.body))
    except Exception:  # noqa: BLE001 - logged; the key is held until its lease runs out, then a retry runs
        observe.log.exception("idempotency key not finished")


# --- answers -----------------------------------------------------------------------------------------------------

def json_response(body: Any, status: int) -> Response:
    """JSON with Chinese text as is (not \\u-escaped), UTF-8."""
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status,
                    headers={"Content-Type": "application/json; charset=utf-8"})


def error_response(error: DomainError) -> Response:
    response = json_response(error.to_body(), error.status)
    response.headers.update(error.headers())
    return response


def internal_error() -> Response:
    """Never a bare stack trace, never personal data: the log line carries the route and correlation id."""
    observe.log.exception("unhandled error")
    return json_response({"error": {"code": "INTERNAL", "message": "internal error", "field": None}}, 500)


def cors(public: bool) -> CORSConfig | None:
    """CORS for the console's one configured origin (CONSOLE_ORIGIN), or none: a preflight names only that
    origin and grants nothing by itself; every request still passes authentication and the route's row."""
    origin = settings.console_origin()
    if origin is None or public:
        return None
    return CORSConfig(allow_origin=origin, allow_headers=["Idempotency-Key"], max_age=600,
                      expose_headers=["Idempotent-Replayed", "X-Correlation-Id"])


# --- registration ------------------------------------------------------------------------------------------------

HANDLERS: dict[str, Handler] = {}  # route key -> handler: every row of the table has exactly one


def handles(registrar: Registrar, key: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the route ``key`` of the table, on an app or blueprint, behind the pipeline."""
    route = BY_KEY[key]

    def register(handler: Handler) -> Handler:
        assert handler.__name__ == route.operation, f"{key} is handled by {route.operation}, not {handler.__name__}"
        assert key not in HANDLERS, f"{key} has two handlers"

        @functools.wraps(handler)
        def view(**params: str) -> Response:
            request = registrar.current_request
            assert request is not None, "only called while handling a request"
            call = Call(request, route)
            correlation, response = observe.request(request.headers, request.context, key, params.get("case_id"),
                                                    lambda: serve(call, handler, params),
                                                    lambda answered: answered.status_code)
            response.headers[observe.CORRELATION_HEADER] = correlation
            return response

        # every content type reaches the view, which answers in the API's own error format (415 above)
        # instead of Chalice's {"Code": "UnsupportedMediaType"}
        registrar.route(route.path, methods=[route.method], content_types=["*/*"], cors=cors(route.public))(view)
        HANDLERS[key] = handler
        return handler

    return register
