"""The one reader of the environment: typed, validated once, names built in one place."""
from __future__ import annotations

import os
from functools import lru_cache

from msgspec import Struct

LOCAL_STAGE = "local"
DEFAULT_LOCAL_JWT_SECRET = "local-stage-only-secret-not-for-deployed-stages"  # noqa: S105 - documented local default
DEFAULT_LOCAL_PERSON_KEY = "local-stage-only-person-key-not-for-deployed-stages"  # noqa: S105
DEFAULT_LOCAL_PUBLIC_BASE_URL = "http://127.0.0.1:8000"  # make run's API (PUBLIC_BASE_URL overrides it)
# milestone SMS: SNS Publish to the phone number (direct), or JSON to the <prefix>-sms-outbox topic that the
# province's SMS gateway subscribes to (gateway; SNS sends no SMS in the China regions)
SMS_CHANNELS = ("direct", "gateway")


# the public progress route's defaults against guessing: lookups per client and window, the window, wrong ID suffixes
# per case number and day
CLIENT_LOOKUPS, CLIENT_WINDOW_SECONDS, CASE_FAILURES = 20, 600, 5

class Config(Struct, frozen=True):
    stage: str
    region: str
    prefix: str  # resource-name prefix, e.g. "subsidy-local"
    materials_bucket: str
    audit_bucket: str
    results_topic_arn: str
    escalations_topic_arn: str
    reminders_topic_arn: str
    clock_state_machine_arn: str
    seconds_per_working_day: float | None  # local stage only: a time scale to watch clocks run
    local_jwt_secret: str | None
    jwt_issuer: str | None
    jwt_audience: str | None
    jwks_url: str | None
    max_material_bytes: int
    person_key_secret: bytes  # keys the hash that stands for an ID number in indexes (never in code)
    # the public progress route's limits against guessing (README, docs/decisions.md)
    progress_client_lookups: int = CLIENT_LOOKUPS  # per client (source address) and window
    progress_client_window_seconds: int = CLIENT_WINDOW_SECONDS
    progress_case_failures: int = CASE_FAILURES  # wrong ID suffixes per case number and day, then locked for the day
    # where applicants open the public progress page (the receipt's QR code); None: no QR code is printed
    public_base_url: str | None = None
    sms_channel: str = "direct"  # SMS_CHANNEL: direct | gateway (default: gateway in cn-* regions)
    sms_outbox_topic_arn: str = ""  # the gateway channel's topic

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    def table_name(self, name: str) -> str:
        return f"{self.prefix}-{name}"


def resource_prefix(stage: str | None = None) -> str:
    return os.environ.get("RESOURCE_PREFIX") or f"subsidy-{stage or os.environ.get('STAGE', LOCAL_STAGE)}"


def table_name(name: str) -> str:
    """Table names are needed when PynamoDB model classes are defined, before ``load()``."""
    return f"{resource_prefix()}-{name}"


def _arn(env: str, service: str, resource: str, region: str) -> str:
    """An ARN from the environment (deployed stages), or built for the local account."""
    explicit = os.environ.get(env)
    if explicit:
        return explicit
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    account = os.environ.get("AWS_ACCOUNT_ID", "123456789012")
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"


def sms_channel(region: str, value: str | None) -> str:
    """SMS_CHANNEL, validated; unset: ``gateway`` in the China regions (no SNS SMS there), else ``direct``."""
    chosen = (value or "").strip()
    if not chosen:
        return "gateway" if region.startswith("cn-") else "direct"
    if chosen not in SMS_CHANNELS:
        raise RuntimeError(f"SMS_CHANNEL must be one of {', '.join(SMS_CHANNELS)}, not {chosen[:40]!r}")
    return chosen


def _person_key(local: bool) -> bytes:
    """PERSON_KEY_SECRET; deployed stages name a Secrets Manager secret instead (PERSON_KEY_SECRET_ARN, set by
    the template) so the key never sits in the function's configuration. Read once per container."""
    value = os.environ.get("PERSON_KEY_SECRET")
    secret_arn = os.environ.get("PERSON_KEY_SECRET_ARN")
    if not value and secret_arn:
        import boto3  # only where a secret is named

        value = boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    return (value or (DEFAULT_LOCAL_PERSON_KEY if local else "")).encode()


def _stage() -> str:
    """STAGE, required (fail closed): never the local stage by default, and never the local stage inside Lambda,
    where its published HS256 secret would sign anyone's token."""
    stage = (os.environ.get("STAGE") or "").strip()
    if not stage:
        raise RuntimeError("STAGE is not set: STAGE=local for the embedded default (make run sets it), else the "
                           "deployed stage's name")
    if stage == LOCAL_STAGE and (os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or os.environ.get("LAMBDA_TASK_ROOT")):
        raise RuntimeError("the local stage never runs inside Lambda: deploy with STAGE=dev or STAGE=prod")
    return stage


@lru_cache(maxsize=1)
def load() -> Config:
    stage = _stage()
    region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "cn-north-1"
    prefix = resource_prefix(stage)
    local = stage == LOCAL_STAGE
    config = Config(
        stage=stage,
        region=region,
        prefix=prefix,
        materials_bucket=os.environ.get("MATERIALS_BUCKET", f"{prefix}-materials"),
        audit_bucket=os.environ.get("AUDIT_BUCKET", f"{prefix}-audit-digests"),
        results_topic_arn=_arn("RESULTS_TOPIC_ARN", "sns", f"{prefix}-case-results", region),
        escalations_topic_arn=_arn("ESCALATIONS_TOPIC_ARN", "sns", f"{prefix}-escalations", region),
        reminders_topic_arn=_arn("REMINDERS_TOPIC_ARN", "sns", f"{prefix}-reminders", region),
        clock_state_machine_arn=_arn("CLOCK_STATE_MACHINE_ARN", "states", f"stateMachine:{prefix}-case-clock", region),
        seconds_per_working_day=float(os.environ["CLOCK_SECONDS_PER_WORKING_DAY"])
        if local and os.environ.get("CLOCK_SECONDS_PER_WORKING_DAY") else None,
        # The HS256 path exists only in the local stage: elsewhere the secret is never read.
        local_jwt_secret=os.environ.get("LOCAL_JWT_SECRET", DEFAULT_LOCAL_JWT_SECRET) if local else None,
        jwt_issuer=os.environ.get("JWT_ISSUER"),
        jwt_audience=os.environ.get("JWT_AUDIENCE"),
        jwks_url=os.environ.get("JWKS_URL"),
        max_material_bytes=int(os.environ.get("MAX_MATERIAL_BYTES", str(20 * 1024 * 1024))),
        person_key_secret=_person_key(local),
        progress_client_lookups=int(os.environ.get("PROGRESS_CLIENT_LOOKUPS") or CLIENT_LOOKUPS),
        progress_client_window_seconds=int(os.environ.get("PROGRESS_CLIENT_WINDOW_SECONDS")
                                           or CLIENT_WINDOW_SECONDS),
        progress_case_failures=int(os.environ.get("PROGRESS_CASE_FAILURES") or CASE_FAILURES),
        public_base_url=os.environ.get("PUBLIC_BASE_URL") or (DEFAULT_LOCAL_PUBLIC_BASE_URL if local else None),
        sms_channel=sms_channel(region, os.environ.get("SMS_CHANNEL")),
        sms_outbox_topic_arn=_arn("SMS_OUTBOX_TOPIC_ARN", "sns", f"{prefix}-sms-outbox", region),
    )
    if not local and not (config.jwks_url and config.jwt_issuer and config.jwt_audience):
        raise RuntimeError(f"stage {stage} needs JWKS_URL, JWT_ISSUER and JWT_AUDIENCE")
    if not local and len(config.person_key_secret) < 32:
        raise RuntimeError(f"stage {stage} needs PERSON_KEY_SECRET (at least 32 bytes, from the secret store)")
    return config


def console_origin() -> str | None:
    """CONSOLE_ORIGIN: the one origin (scheme://host[:port]) of a web console served apart from the API
    (S3 in deployed stages); routes answer CORS for it alone. Unset: no CORS at all. Read when routes are
    registered, so it is a plain function like ``clock_override``."""
    origin = (os.environ.get("CONSOLE_ORIGIN") or "").strip().rstrip("/")
    return origin or None


def unit_jobs_queue() -> str:
    """The SQS queue of per-township jobs (``<prefix>-unit-jobs``): the monthly and yearly dispatchers send one
    message per (job, 业务属地, period), the ``unit_jobs`` worker takes them. A plain function: Chalice needs the
    name when the worker is registered, before ``load()``."""
    return f"{resource_prefix()}-unit-jobs"


def unit_jobs_dead_letters() -> str:
    """Where a unit job lands after its receives run out (``<prefix>-unit-jobs-dead-letters``)."""
    return f"{unit_jobs_queue()}-dead-letters"


def clock_override() -> str | None:
    """CLOCK_NOW from the environment; ``app._now`` honours it in the local stage only."""
    return os.environ.get("CLOCK_NOW") or None


def service_name() -> str:
    """POWERTOOLS_SERVICE_NAME (.chalice/config.json): ``service`` in the logs, the metrics' dimension."""
    return os.environ.get("POWERTOOLS_SERVICE_NAME") or "subsidy-cross-province"


def tracing_wanted() -> bool:
    """X-Ray traces only inside Lambda (LAMBDA_TASK_ROOT) in a deployed stage, unless
    POWERTOOLS_TRACE_DISABLED, and never in the China regions (cn-*), where Lambda's X-Ray integration is not
    offered: elsewhere no daemon listens and the X-Ray SDK is not even imported."""
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "").strip().lower() in ("1", "true", "yes", "on")
    in_china = (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "").startswith("cn-")
    return os.environ.get("STAGE", LOCAL_STAGE) != LOCAL_STAGE and bool(os.environ.get("LAMBDA_TASK_ROOT")) \
        and not disabled and not in_china
