"""The case services' adapters in memory: ``case_world()`` wires ``services.cases.Deps`` and ``services.messages.
Messaging`` as ``chalicelib.wiring`` does, on the in-memory case store (tests/fakes/cases.py), materials bucket, SMS
sender, result feed, topics and unit registry. No moto, no network: a whole case runs in milliseconds.

The case clock (Step Functions) is left out (``Deps.clock=None``, as where no clock runs): the decision's result is
then published by the service itself, which the result feed records.
"""
from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.adapters.calendar import OfficialCalendar
from chalicelib.adapters.files import HEAD_BYTES, StoredObject
from chalicelib.domain.cases.case import Actor
from chalicelib.domain.cases.uploads import active_content
from chalicelib.domain.errors import Invalid
from chalicelib.domain.refusals import SendFailed
from chalicelib.services import cases
from chalicelib.services.calendar import DeadlineService
from chalicelib.services.cases import Deps
from chalicelib.services.messages import Messaging
from tests.fakes.cases import FakeCases
from tests.support.people import declaration, pdf_bytes

SECRET = b"k" * 32  # PERSON_KEY_SECRET of this world
MAX_MATERIAL_BYTES = 10 * 1024 * 1024


@dataclass
class FakeMaterialFiles:
    """The versioned materials bucket: what a browser's presigned POST stores, measured as S3 would return it."""

    objects: dict[str, list[tuple[bytes, str]]] = field(default_factory=dict)  # key -> versions (body, type)
    quarantined: dict[str, bytes] = field(default_factory=dict)

    def presigned_upload(self, key: str, content_type: str, size: int) -> dict[str, Any]:
        return {"url": "memory://materials", "fields": {"key": key, "Content-Type": content_type},
                "expires_in": 900}

    def store(self, upload: dict[str, Any], body: bytes, content_type: str | None = None) -> None:
        """The POST a browser makes with ``upload``'s fields (``content_type``: a client that ignores them)."""
        fields = upload["fields"]
        self.objects.setdefault(fields["key"], []).append((body, content_type or fields["Content-Type"]))

    def inspect(self, key: str, field: str) -> StoredObject:
        versions = self.objects.get(key)
        if not versions:
            raise Invalid("UPLOAD_MISSING", "nothing has been uploaded for this material yet", field)
        body, content_type = versions[-1]
        return StoredObject(len(body), content_type, hashlib.sha256(body).hexdigest(), body[:HEAD_BYTES],
                            f"v{len(versions) - 1}", active_content(content_type, body))

    def quarantine(self, key: str, version_id: str | None) -> str:
        target = f"quarantine/{key}/{version_id or 'null'}"
        versions = self.objects[key]
        index = int(version_id[1:]) if version_id else len(versions) - 1
        self.quarantined[target] = versions[index][0]
        del versions[index]
        return target

    def presigned_download(self, key: str, version_id: str | None, content_type: str,
                           filename: str) -> dict[str, Any]:
        return {"url": f"memory://materials/{key}?versionId={version_id or ''}", "expires_in": 300}


@dataclass
class FakeSender:
    """SNS for SMS and the topics: every SMS taken (id, number, text), refused numbers, published messages."""

    refused: set[str] = field(default_factory=set)  # E.164 numbers SNS refuses (InvalidParameter)
    sms: list[tuple[str, str, str]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)  # message_failed reports
    results: list[dict[str, Any]] = field(default_factory=list)  # the result feed
    reminders: list[tuple[str, str]] = field(default_factory=list)  # (case id, deadline kind)
    escalations: list[tuple[str, str]] = field(default_factory=list)
    calendars_missing: list[int] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=itertools.count)

    def _id(self) -> str:
        return f"sns-{next(self._ids):04d}"

    def send_sms(self, phone_number: str, text: str) -> str:
        if phone_number in self.refused:
            raise SendFailed("InvalidParameter")
        message_id = self._id()
        self.sms.append((message_id, phone_number, text))
        return message_id

    def message_failed(self, case: Any, milestone: str, attempts: int, error_code: str) -> str:
        self.failures.append({"case_id": case.case_id, "milestone": milestone, "attempts": attempts,
                              "error": error_code, "accepting_unit": case.accepting_unit,
                              "business_unit": case.business_unit})
        return self._id()

    def publish_result(self, message: dict[str, Any]) -> str:
        self.results.append(dict(message))
        return self._id()

    def remind(self, case: Any, deadline: Any) -> str:
        self.reminders.append((case.case_id, deadline.kind.value))
        return self._id()

    def escalate(self, case: Any, deadline: Any) -> str:
        self.escalations.append((case.case_id, deadline.kind.value))
        return self._id()

    def calendar_missing(self, year: int) -> str:
        self.calendars_missing.append(year)
        return self._id()

    def texts(self, case_id: str) -> list[str]:
        return [text for _, _, text in self.sms if case_id in text]


@dataclass
class FakeUnits:
    """The registry of 业务属地 under monthly checks and yearly review (the fake case store's: an approval registers
    its 业务属地 in its own transaction)."""

    registered: set[str] = field(default_factory=set)

    def register(self, unit: str) -> None:
        self.registered.add(unit)


@dataclass
class CaseWorld:
    cases: FakeCases
    files: FakeMaterialFiles
    sender: FakeSender
    units: FakeUnits
    messaging: Messaging
    deps: Deps
    failed_metric: list[str] = field(default_factory=list)  # one entry per MessageSendFailed counted

    def receive_notice(self, case_id: str, window: Actor, now: datetime) -> None:
        """The window registers, uploads (the browser's presigned POST) and confirms every material of the case's
        notice at ``now``: the last required one completes the case that day."""
        for item in cases.notice(self.deps, case_id, window, "accepting")["materials"]:
            content = pdf_bytes(item["code"])
            registered = cases.add_material(self.deps, case_id, declaration(item["code"], content), window,
                                            "accepting", now)
            self.files.store(registered["upload"], content)
            cases.confirm_material(self.deps, case_id, registered["material_id"], window, "accepting", now)


def case_world(messages: bool = True, secret: bytes = SECRET) -> CaseWorld:
    """``wiring.deps()`` and ``wiring.messaging()`` on the fakes (the SMS sent straight to the number)."""
    cases, files, sender = FakeCases(), FakeMaterialFiles(), FakeSender()
    units = FakeUnits(cases.supervised)  # an approval registers its 业务属地 in its own transaction
    failed: list[str] = []
    messaging = Messaging(repo=cases, outbox=cases.outbox, sender=sender,
                          failed_metric=lambda: failed.append("MessageSendFailed"))
    deps = Deps(repo=cases, files=files, results=sender, deadlines=DeadlineService(OfficialCalendar()),
                max_material_bytes=MAX_MATERIAL_BYTES, person_key_secret=secret,
                messages=messaging if messages else None)
    return CaseWorld(cases, files, sender, units, messaging, deps, failed)
