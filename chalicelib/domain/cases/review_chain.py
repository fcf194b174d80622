"""The 业务属地's review chain: the steps a pushed case passes through, each by its own role at its own level, inside
the one 10-working-day D2 clock.

国发〔2015〕52号 makes certification a chain — the township or street office checks first (初审), the county 残联 reviews
the certificate, category and grade (审核), the county 民政 approves and sets the amount (审定) — and lets a province
add a publicity period (公示) or give steps to the township (黑龙江: 黑民发〔2020〕26号). Under 跨省通办 (民办发〔2021〕2号)
the whole chain runs inside D2. A province configures its chain from a day on (``PUT /rules/{province}/review-chain/
{effective_from}``); a case keeps the chain in force on the day it was pushed. Where a province set none, the chain is
the single step this service always had: the township's reviewer checks and decides.

Each step records an opinion on the shared timeline — agree (hand on) or send back with a reason (to the step
before) — and the last step's opinion is the decision itself (``POST /cases/{id}/decision``). A 公示 step holds the
case for its days; its role confirms afterwards that no objection came (公示期满无异议).

Implements: 国发〔2015〕52号 (DOMAIN.md §1, the chain of certification), 黑民发〔2020〕26号 (the division of duties in
黑龙江), inside 民办发〔2021〕2号's D2 (DOMAIN.md §2, step 3).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Mapping

from msgspec import Struct
from msgspec.structs import replace

from ..access import CASE_RELATIONS, CHAIN_HOLDERS
from ..errors import Conflict, Forbidden, Invalid
from .case import Actor, Case, Event, Status

# who may hold a step, and at which level: the township's reviewer (9-digit unit, relation "business"), the county
# 残联's reviewer and the county 民政's approver (6-digit units, relation "business_county": every township's cases
# within the county) — the access rules' table (domain.access.CHAIN_HOLDERS), read as levels
STEP_ROLES: Mapping[str, str] = {role: "township" if relation == "business" else "county"
                                 for role, relation in CHAIN_HOLDERS.items()}
MAX_STEPS = 6
MAX_PUBLICITY_DAYS = 30
OPINIONS = ("agree", "send_back")
CHINESE_LABEL = r"[\u4e00-\u9fff]{2,8}"  # a step's label (the API schema's pattern; checked by _chinese_label)


class Step(Struct, frozen=True):
    label: str  # what staff read: 初审, 审核, 审定, 公示
    role: str
    publicity_days: int | None = None  # a 公示 step: the calendar days it holds the case

    @property
    def level(self) -> str:
        return STEP_ROLES[self.role]

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "role": self.role, "level": self.level, "publicity_days": self.publicity_days}


class Chain(Struct, frozen=True):
    province: str
    effective_from: date
    steps: tuple[Step, ...]

    @property
    def version(self) -> str:
        return f"{self.province}@{self.effective_from.isoformat()}"


# where a province set none: the township's reviewer checks and decides (what this service did before chains)
SINGLE_STEP = Chain("00", date(2016, 1, 1), (Step("审核认定", "reviewer"),))


def read_chain(province: str, effective_from: date, body: object) -> Chain:
    """{steps: [{label, role, publicity_days?}, ...]}: 1 to 6 steps; the last decides, so it is no 公示."""
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", "the body must be an object {steps: [...]}", "body")
    unknown = sorted(set(body) - {"steps"})
    if unknown:
        raise Invalid("UNKNOWN_FIELD", f"{unknown[0]!r} is not a field of a review chain", unknown[0])
    raw = body.get("steps")
    if not isinstance(raw, list) or not raw:
        raise Invalid("MISSING_FIELD", "steps: give the chain's steps in order, the deciding one last", "steps")
    if len(raw) > MAX_STEPS:
        raise Invalid("TOO_MANY_STEPS", f"a chain has at most {MAX_STEPS} steps", "steps")
    steps = tuple(_read_step(item, f"steps[{index}]") for index, item in enumerate(raw))
    if steps[-1].publicity_days is not None:
        raise Invalid("LAST_STEP_DECIDES", "the last step decides: it cannot be a 公示", f"steps[{len(steps) - 1}]")
    return Chain(province, effective_from, steps)


def _chinese_label(label: str) -> bool:
    """``CHINESE_LABEL`` matches the whole of ``label``, without compiling it (~1 ms of every cold start)."""
    return 2 <= len(label) <= 8 and all("\u4e00" <= char <= "\u9fff" for char in label)


def _read_step(item: object, field: str) -> Step:
    if not isinstance(item, dict):
        raise Invalid("WRONG_TYPE", "a step is an object {label, role, publicity_days?}", field)
    unknown = sorted(set(item) - {"label", "role", "publicity_days"})
    if unknown:
        raise Invalid("UNKNOWN_FIELD", f"{unknown[0]!r} is not a field of a step", f"{field}.{unknown[0]}")
    label, role, days = item.get("label"), item.get("role"), item.get("publicity_days")
    if not isinstance(label, str) or not _chinese_label(label):
        raise Invalid("STEP_LABEL", "label: 2 to 8 Chinese characters, as staff read it (初审, 审核, 审定, 公示)",
                      f"{field}.label")
    if role not in STEP_ROLES:
        raise Invalid("UNKNOWN_STEP_ROLE", f"role must be one of {', '.join(STEP_ROLES)}", f"{field}.role")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                             or not 1 <= days <= MAX_PUBLICITY_DAYS):
        raise Invalid("PUBLICITY_DAYS", f"publicity_days: a whole number of days, 1 to {MAX_PUBLICITY_DAYS}",
                      f"{field}.publicity_days")
    return Step(label, str(role), days)


def chain_in_force(chains: list[Chain], province: str, on: date) -> Chain:
    """The province's chain in force on ``on``; the single township step where it set none."""
    versions = [c for c in chains if c.province == province and c.effective_from <= on]
    return max(versions, key=lambda c: c.effective_from) if versions else SINGLE_STEP


def chain_record(chain: Chain) -> dict[str, Any]:
    return {"version": chain.version, "steps": [step.as_dict() for step in chain.steps]}


# --- a case in its chain ------------------------------------------------------------------------------------------

def started(chain: Chain, today: date) -> dict[str, Any]:
    """What a case keeps at its push: the chain in force and its place in it (the first step)."""
    return _at(chain_record(chain), 0, today)


def _at(review: Mapping[str, Any], index: int, today: date) -> dict[str, Any]:
    step = review["steps"][index]
    days = step.get("publicity_days")
    return dict(review, at=index, since=today.isoformat(),
                publicity_ends=(today + timedelta(days=days)).isoformat() if days else None)


def review_of(case: Case) -> dict[str, Any]:
    """The case's chain and place; a case pushed before chains existed is in the single step."""
    return dict(case.review) if case.review else dict(_at(chain_record(SINGLE_STEP), 0, case.pushed_on or date.min))


def current_step(case: Case) -> dict[str, Any]:
    review = review_of(case)
    return dict(review["steps"][review["at"]])


def is_last_step(case: Case) -> bool:
    review = review_of(case)
    return review["at"] == len(review["steps"]) - 1


def holds_step(actor: Actor, case: Case, index: int) -> bool:
    """Whether ``actor`` holds step ``index`` of the case's chain: its role, with the relation to the case its level
    needs (domain.access: the township itself, or the county over it)."""
    role = review_of(case)["steps"][index]["role"]
    return actor.role == role and CASE_RELATIONS[CHAIN_HOLDERS[role]](actor, case)


def holds(actor: Actor, case: Case) -> bool:
    """Whether ``actor`` holds the case's current step."""
    return holds_step(actor, case, review_of(case)["at"])


def must_hold(actor: Actor, case: Case, action: str) -> None:
    """403 unless the caller holds the step the case is at (409 if it is not under review at all)."""
    if case.status != Status.UNDER_REVIEW:
        raise Conflict("INVALID_TRANSITION", f"cannot {action} a case that is {case.status.value}", "status")
    if not holds(actor, case):
        step = current_step(case)
        raise Forbidden("NOT_YOUR_STEP", f"the case is at {step['label']}, held by a {step['role']} of the "
                                         f"{'township' if step['level'] == 'township' else 'county'}")


def read_opinion(body: object) -> dict[str, Any]:
    """{opinion: agree | send_back, reason}: a reason is required to send back (it tells the step before why)."""
    if not isinstance(body, dict):
        raise Invalid("WRONG_TYPE", "the body must be an object {opinion, reason}", "body")
    unknown = sorted(set(body) - {"opinion", "reason"})
    if unknown:
        raise Invalid("UNKNOWN_FIELD", f"{unknown[0]!r} is not a field of an opinion", unknown[0])
    opinion, reason = body.get("opinion"), body.get("reason")
    if opinion not in OPINIONS:
        raise Invalid("UNKNOWN_OPINION", f"opinion must be one of {', '.join(OPINIONS)}", "opinion")
    if reason is not None and not isinstance(reason, str):
        raise Invalid("WRONG_TYPE", "reason must be text", "reason")
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise Invalid("TOO_LONG", "reason: at most 500 characters", "reason")
    if opinion == "send_back" and not reason:
        raise Invalid("REASON_REQUIRED", "sending back needs the reason the step before will read", "reason")
    return {"opinion": opinion, "reason": reason or None}


def give_opinion(case: Case, opinion: Mapping[str, Any], actor: Actor, now: datetime) -> tuple[Case, Event]:
    """An opinion at the step the case is at: agree hands it to the next step (the last step decides instead: the
    decision route), send back returns it to the step before. D2 runs on through the chain."""
    must_hold(actor, case, "give an opinion on")
    review, today = review_of(case), now.date()
    index, step = review["at"], review["steps"][review["at"]]
    detail = {"step": step["label"], "role": step["role"], "opinion": opinion["opinion"], "reason": opinion["reason"]}
    if opinion["opinion"] == "agree":
        if index == len(review["steps"]) - 1:
            raise Conflict("LAST_STEP_DECIDES", f"{step['label']} is the last step: record the decision instead",
                           "opinion")
        if review.get("publicity_ends") and today.isoformat() < review["publicity_ends"]:
            raise Conflict("PUBLICITY_RUNNING", f"the 公示 runs until {review['publicity_ends']}", "opinion")
        moved = _at(review, index + 1, today)
        detail["to_step"] = moved["steps"][moved["at"]]["label"]
        return replace(case, review=moved), Event(now.isoformat(), "review_agreed", actor.sub, actor.unit, detail)
    if index == 0:
        raise Conflict("FIRST_STEP", "the first step has no step before it: ask for a 补正 instead", "opinion")
    moved = _at(review, index - 1, today)
    detail["to_step"] = moved["steps"][moved["at"]]["label"]
    return replace(case, review=moved), Event(now.isoformat(), "review_sent_back", actor.sub, actor.unit, detail)


def review_view(case: Case) -> dict[str, Any] | None:
    """Where the case stands in its chain, for both sides and the supervisors (None before the push)."""
    if case.pushed_on is None:
        return None
    review = review_of(case)
    return {"version": review["version"], "steps": review["steps"], "at": review["at"],
            "step": review["steps"][review["at"]]["label"], "since": review["since"],
            "publicity_ends": review.get("publicity_ends")}
