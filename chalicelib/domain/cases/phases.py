"""The phases of a case, in one table: its status, its statutory deadline, the state it waits in on the case clock.

民办发〔2021〕2号 (跨省通办, seed 黑民发〔2021〕6号 四(一)) puts a working-day limit on each hand-off: the 受理地 pushes the
complete case within 3 working days of the materials being complete (申请材料收齐之日起3个工作日内), the 业务属地
certifies within 10 working days of receiving it, and the 受理地 tells the applicant within 3 working days of the
result. Counting follows 民法典 第二百零一条 (domain.workdays). Everything that names a phase — the transitions'
deadlines (domain.cases.case), the case clock's state machine (infra.clock_definition), the clock and case tables, the
operators' metrics and dashboard (domain.outcomes, infra.dashboard), the console's labels (console/js/phases.js,
generated) — derives from ``PHASES``.

Implements: 民办发〔2021〕2号 (DOMAIN.md §2, steps 2, 3 and 5: D1 3, D2 10, D3 3 working days), counted per 民法典
第二百零一条 (DOMAIN.md §4). Two limits have no national statute and are a province's setting (``setting``, with this
project's default): the acceptance phase until the materials are complete (收件时限, the 受理地's province) and a 补正
while D2 is paused (补正时限, the 业务属地's province) — rules of this project (docs/decisions.md).
"""
from __future__ import annotations

from enum import Enum
from typing import Mapping

from msgspec import Struct


class Status(str, Enum):
    AWAITING_MATERIALS = "awaiting_materials"
    AWAITING_PUSH = "awaiting_push"
    UNDER_REVIEW = "under_review"
    SUPPLEMENT_REQUESTED = "supplement_requested"  # 补正: the 业务属地 asked for more materials
    RESULT_RETURNED = "result_returned"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class DeadlineKind(str, Enum):
    MATERIALS = "materials"
    PUSH = "push"
    REVIEW = "review"
    SUPPLEMENT = "supplement"
    NOTIFY = "notify"


class Phase(Struct, frozen=True):
    key: str  # the case clock's phase (and, for a statutory phase, its deadline kind's value)
    status: Status  # the case's status while in this phase
    state: str | None  # the state machine waits in Await<state>; None: the execution has ended
    deadline: DeadlineKind | None = None
    working_days: int | None = None
    code: str | None = None  # D1, D2, D3: the operators' metrics, alarms and dashboard
    label: str | None = None  # what staff read
    owner: str | None = None  # the unit that owes the step: "accepting" (受理地) or "business" (业务属地)
    statute: str | None = None
    setting: str | None = None  # the province's time-limit setting that replaces ``working_days`` (None: statutory)
    setting_of: str | None = None  # whose province sets it: "accepting" or "business"
    clocked: bool = True  # False: no execution waits in this phase; the daily sweep keeps its deadline alone


PHASES: tuple[Phase, ...] = (
    # no statute and a day's precision: the daily sweep reminds, records and escalates it; the case clock starts when
    # the materials are complete (D1), and every statutory phase after that waits on it (issue 18: a transition less)
    Phase("materials", Status.AWAITING_MATERIALS, "Materials", DeadlineKind.MATERIALS, 10, "D0", "收件时限",
          "accepting", "无全国时限：省级设置（受理地所在省；未设置时10个工作日），到期前提醒窗口、逾期报督查",
          setting="materials_working_days", setting_of="accepting", clocked=False),
    Phase("push", Status.AWAITING_PUSH, "Push", DeadlineKind.PUSH, 3, "D1", "推送时限", "accepting",
          "民办发〔2021〕2号：自申请材料收齐之日起3个工作日内推送至业务属地"),
    Phase("review", Status.UNDER_REVIEW, "Review", DeadlineKind.REVIEW, 10, "D2", "审核时限", "business",
          "民办发〔2021〕2号：自收到推送材料之日起10个工作日内完成资格认定"),
    # D2 paused while the 补正 is out; the 补正 has its own limit
    Phase("supplement", Status.SUPPLEMENT_REQUESTED, "Supplement", DeadlineKind.SUPPLEMENT, 10, "DS", "补正时限",
          "accepting", "无全国时限：省级设置（业务属地所在省；未设置时10个工作日）；补正期间审核时限暂停",
          setting="supplement_working_days", setting_of="business"),
    Phase("notify", Status.RESULT_RETURNED, "Notify", DeadlineKind.NOTIFY, 3, "D3", "告知时限", "accepting",
          "民办发〔2021〕2号：自收到认定结果之日起3个工作日内告知申请人"),
    Phase("closed", Status.CLOSED, None),
    Phase("withdrawn", Status.WITHDRAWN, None),
)

BY_STATUS: Mapping[Status, Phase] = {phase.status: phase for phase in PHASES}
TIMED: tuple[Phase, ...] = tuple(phase for phase in PHASES if phase.deadline is not None)
STATUTORY: tuple[Phase, ...] = tuple(phase for phase in TIMED if phase.setting is None)  # D1, D2, D3
BY_DEADLINE: Mapping[DeadlineKind, Phase] = {phase.deadline: phase for phase in TIMED if phase.deadline}
CLOCK_PHASE: Mapping[Status, str] = {phase.status: phase.key for phase in PHASES}
# the working days of each deadline: the statute's, or the default of a province setting (``TIME_LIMIT_SETTINGS``)
WORKING_DAYS: Mapping[DeadlineKind, int] = {
    kind: phase.working_days for kind, phase in BY_DEADLINE.items() if phase.working_days}
STATUTORY_WORKING_DAYS: Mapping[DeadlineKind, int] = {
    kind: days for kind, days in WORKING_DAYS.items() if BY_DEADLINE[kind].setting is None}
# a province's time-limit setting: its key -> (the deadline it sets, its default working days)
TIME_LIMIT_SETTINGS: Mapping[str, tuple[DeadlineKind, int]] = {
    phase.setting: (phase.deadline, phase.working_days) for phase in TIMED
    if phase.setting and phase.deadline and phase.working_days}
DEADLINE_KINDS: tuple[str, ...] = tuple(kind.value for kind in BY_DEADLINE)
FINAL_PHASES: frozenset[str] = frozenset(phase.key for phase in PHASES if phase.state is None)
# the phases no execution of the case clock waits in: before it starts (not clocked) and after it ended (final)
OFF_CLOCK: frozenset[str] = FINAL_PHASES | frozenset(phase.key for phase in PHASES if not phase.clocked)
# How the case clock (infra.clock_definition, one waiting state for every phase) is told a final phase: the task
# failure it catches into its Withdrawn or Closed state; and the wait of a phase entered after its deadline (marked
# and escalated once already): Step Functions' largest task timeout, beyond a Standard execution's one-year life.
CLOCK_END_ERRORS: Mapping[str, str] = {"withdrawn": "CaseWithdrawn", "closed": "CaseClosed"}
NO_TIMEOUT = 99_999_999


def console_module() -> str:
    """console/js/phases.js: the table as the console reads it (``python -m chalicelib.domain.cases.phases``)."""
    lines = ["// Generated from chalicelib/domain/cases/phases.py (python -m chalicelib.domain.cases.phases): do not edit.",
             "export const PHASES = {"]
    for phase in TIMED:
        lines.append(f'  {phase.key}: {{ code: "{phase.code}", label: "{phase.label}", '
                     f'workingDays: {phase.working_days}, owner: "{phase.owner}", '
                     f'statutory: {"false" if phase.setting else "true"} }},')
    lines.append("};")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).resolve().parents[3] / "console" / "js" / "phases.js"
    target.write_text(console_module(), encoding="utf-8")
    print(f"wrote {target}")
