"""The payment ledger's invariants over random histories (Hypothesis, stateful), through the payroll service on the
in-memory fakes (tests/fakes/payments.py, held to the moto adapters' contract by tests/contract).

A history mixes, in any order and on any day: approvals of applications from any earlier month, changes of the
standard (a new amount table, retroactive or not), age bands crossed, suspensions, stops and resumptions,
corrections back-dated or not (status, amount, 低保 type), rosters drafted and finalized for any month, and
recoveries of over-payments. After every step, for every entitlement and every month M:

- paid through M (finalized rosters, less recoveries) + what a roster of M would pay − the debt through M
  = what is owed through M;
- a finalized roster of month R paid each month m ≤ R exactly up to what was owed then: paid(m) afterwards is
  max(paid before, owed then) — no month is ever paid twice;
- the roster's file is exactly what went into the ledger (its totals are the ledger's new payments);
- the decision's back pay equals what the rosters after it pay for those months, when nothing changed between.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from chalicelib.domain.cases.case import Actor
from chalicelib.domain.errors import Conflict, DomainError
from chalicelib.domain.payments.decision import price_grant
from chalicelib.domain.payments.entitlements import Entitlement, correct, from_decision, move
from chalicelib.domain.payments.ledger import debt, settle
from chalicelib.domain.payments.owed import Standards, owed
from chalicelib.domain.rules.amounts import AmountRow, AmountTable
from chalicelib.domain.values import months_from
from chalicelib.services import payroll as payroll_service
from chalicelib.services import recoveries
from tests.fakes.payments import fake_payroll

CHINA = timezone(timedelta(hours=8))
UNIT = "230102001"
REVIEWER = Actor("reviewer-1", "审核员", "reviewer", UNIT)
MONTHS = months_from("2026-01", "2027-12")
ZERO = Decimal("0.00")
amounts = st.integers(min_value=50, max_value=400).map(lambda n: Decimal(n).quantize(ZERO))


def table(living: tuple[Decimal, Decimal, Decimal], nursing: tuple[Decimal, Decimal], change: str) -> Standards:
    """A valid table: living by age band (under 60 / 60 and over), changing on ``change``; nursing by grade."""
    cut = date.fromisoformat(f"{change}-01")
    before = cut - timedelta(days=1)
    start = date(2020, 1, 1)

    def living_row(begin: date, end: date | None, amount: Decimal, **band: int) -> AmountRow:
        return AmountRow("living", begin, end, amount, None, **band)  # type: ignore[arg-type]

    rows = (living_row(start, before, living[0], max_age=59), living_row(start, before, living[1], min_age=60),
            living_row(cut, None, living[2], max_age=59), living_row(cut, None, living[2] + 30, min_age=60),
            AmountRow("nursing", start, None, nursing[0], None, grades=(1,)),
            AmountRow("nursing", start, None, nursing[1], None, grades=(2, 3, 4)))
    return Standards((AmountTable("23", rows),))


tables = st.builds(table, st.tuples(amounts, amounts, amounts), st.tuples(amounts, amounts),
                   st.sampled_from(MONTHS))


@dataclass
class Decided:
    """A decision's promise, kept while nothing changed since: its months and what it said each owes."""

    months: dict[str, Decimal]
    paid: dict[str, Decimal] = field(default_factory=dict)
    intact: bool = True


class LedgerHistory(RuleBasedStateMachine):
    @initialize(standards=tables)
    def start(self, standards: Standards) -> None:
        self.payroll = fake_payroll(standards)
        self.now = datetime(2026, 1, 5, 10, tzinfo=CHINA)
        self.people = 0
        self.finalized: set[str] = set()
        self.decided: dict[str, Decided] = {}
        self.rosters = 0

    # --- what happens -----------------------------------------------------------------------------------------

    @rule(days=st.integers(min_value=0, max_value=70))
    def time_passes(self, days: int) -> None:
        self.now = min(self.now + timedelta(days=days), datetime(2027, 12, 20, 10, tzinfo=CHINA))

    @rule(months_back=st.integers(min_value=0, max_value=8), subsidy=st.sampled_from(["living", "nursing"]),
          birth_year=st.integers(min_value=1960, max_value=1990), birth_month=st.integers(min_value=1, max_value=12),
          grade=st.integers(min_value=1, max_value=4))
    def approve(self, months_back: int, subsidy: str, birth_year: int, birth_month: int, grade: int) -> None:
        decided = f"{self.now:%Y-%m}"
        index = max(0, MONTHS.index(decided) - months_back)
        applied = MONTHS[index]
        self.people += 1
        facts = {"category": 4, "grade": grade, "low_income": "dibao", "area": "urban"}
        birth = f"{birth_year}-{birth_month:02d}-15"
        item = {"type": subsidy, "start_month": applied, "monthly_amount": None}
        priced = price_grant(item, UNIT, facts, birth, decided, self.payroll.pricing.standards(UNIT), None, "r1",
                             self.now.isoformat(), "subsidies[0]")
        case_id = f"C{self.people:04d}"
        ent = from_decision(case_id, priced, f"pk{self.people}", "230***********0000", f"申请人{self.people}", UNIT,
                            "310101002", None, "r1", self.now.isoformat(), facts=facts, birth=birth,
                            account={"bank": "农业银行", "number": f"62284800{self.people:08d}"})
        self.payroll.entitlements.add(ent)
        self.decided[ent.entitlement_id] = Decided({m["month"]: Decimal(m["amount"])
                                                    for m in priced["back_pay"]["months"]})

    def _pick(self, data: st.DataObject) -> Entitlement | None:
        items = sorted(self.payroll.entitlements.items)
        if not items:
            return None
        return self.payroll.entitlements.items[data.draw(st.sampled_from(items))]

    def _save(self, ent: Entitlement, updated: Entitlement) -> None:
        self.payroll.entitlements.save(ent, updated, self.now)
        if ent.entitlement_id in self.decided:
            self.decided[ent.entitlement_id].intact = False

    @rule(data=st.data(), action=st.sampled_from(["suspend", "stop", "resume"]),
          offset=st.integers(min_value=-6, max_value=3))
    def change_status(self, data: st.DataObject, action: str, offset: int) -> None:
        ent = self._pick(data)
        if ent is None:
            return
        month = MONTHS[min(max(MONTHS.index(ent.start_month), MONTHS.index(f"{self.now:%Y-%m}") + offset),
                           len(MONTHS) - 1)]
        try:
            self._save(ent, move(ent, action, month, "比对结果", "r1", self.now.isoformat()))
        except Conflict:
            pass  # not allowed from the status in force that month

    @rule(data=st.data(), kind=st.sampled_from(["status", "amount", "table", "dibao_edge"]),
          offset=st.integers(min_value=-8, max_value=2), amount=amounts,
          status=st.sampled_from(["active", "suspended", "stopped"]))
    def correct_back_dated(self, data: st.DataObject, kind: str, offset: int, amount: Decimal, status: str) -> None:
        ent = self._pick(data)
        if ent is None:
            return
        month = MONTHS[min(max(MONTHS.index(ent.start_month), MONTHS.index(f"{self.now:%Y-%m}") + offset),
                           len(MONTHS) - 1)]
        change = {"status": {"status": status}, "amount": {"monthly_amount": f"{amount:.2f}"},
                  "table": {"pricing": "table"}, "dibao_edge": {"facts": {"low_income": "dibao_edge"}}}[kind]
        self._save(ent, correct(ent, month, "纠错", "r1", self.now.isoformat(), **change))  # type: ignore[arg-type]

    @rule(standards=tables)
    def standard_changes(self, standards: Standards) -> None:
        self.payroll.pricing.standards_ = standards
        for promise in self.decided.values():
            promise.intact = False

    @rule(month=st.sampled_from(MONTHS), finalize=st.booleans())
    def roster(self, month: str, finalize: bool) -> None:
        standards = self.payroll.pricing.standards(UNIT)
        before = {e: dict(self.payroll.ledgers.get(e).paid()) for e in self.payroll.entitlements.items}
        owed_then = {e: {m: owed(ent, m, standards).amount for m in months_from(ent.start_month, month)}
                     for e, ent in self.payroll.entitlements.items.items()}
        try:
            draft = payroll_service.draft(self.payroll, UNIT, month, REVIEWER, self.now)
        except Conflict as refused:  # a finalized roster is never drafted again, nor finalized twice
            assert refused.code == "ROSTER_FINALIZED" and month in self.finalized
            return
        assert month not in self.finalized, "a finalized month was drafted again"
        event("roster drafted")
        if not finalize:
            return
        final = payroll_service.finalize(self.payroll, UNIT, month, lambda: {"draft_sha256": draft["sha256"]}, REVIEWER,
                                         self.now)
        self.finalized.add(month)
        self.rosters += 1
        event("roster finalized")
        if final["totals"]["all"]["back_pay"] != "0.00":
            event("a finalized roster paid arrears")
        assert final["sha256"] == draft["sha256"]
        paid_now = Decimal(0)
        for e, ent in self.payroll.entitlements.items.items():
            after = self.payroll.ledgers.get(e).paid()
            for m in months_from(ent.start_month, month):
                was, owed_m = before[e].get(m, ZERO), owed_then[e][m]
                assert owed_m is not None
                assert after.get(m, ZERO) == max(was, owed_m), (e, m, was, owed_m, after.get(m))
                paid_now += after.get(m, ZERO) - was
                promise = self.decided.get(e)
                if promise and promise.intact and m in promise.months:
                    promise.paid[m] = promise.paid.get(m, ZERO) + after.get(m, ZERO) - was
        assert Decimal(final["totals"]["all"]["total"]) == paid_now  # the file is what the ledger took

    @rule(data=st.data(), share=st.integers(min_value=1, max_value=100))
    def recover(self, data: st.DataObject, share: int) -> None:
        ent = self._pick(data)
        if ent is None:
            return
        owing = debt(ent, self.payroll.ledgers.get(ent.entitlement_id), f"{self.now:%Y-%m}",
                     self.payroll.pricing.standards(UNIT))
        total = sum((a for _, a in owing), ZERO)
        if total <= 0:
            return
        event("a debt recovered")
        amount = max(Decimal("0.01"), (total * share / 100).quantize(ZERO))
        body = {"amount": f"{amount:.2f}", "received_on": f"{self.now:%Y-%m-%d}", "reason": "本人退回"}
        try:
            recoveries.recover(self.payroll, ent.entitlement_id, lambda: body, REVIEWER, self.now)
        except DomainError as refused:
            raise AssertionError(refused.message) from None
        after = debt(ent, self.payroll.ledgers.get(ent.entitlement_id), f"{self.now:%Y-%m}",
                     self.payroll.pricing.standards(UNIT))
        assert sum((a for _, a in after), ZERO) == total - amount

    # --- what must always hold ----------------------------------------------------------------------------------

    @invariant()
    def paid_plus_next_minus_debt_is_owed(self) -> None:
        if not hasattr(self, "payroll"):
            return
        standards = self.payroll.pricing.standards(UNIT)
        for e, ent in self.payroll.entitlements.items.items():
            ledger = self.payroll.ledgers.get(e)
            paid = ledger.paid()
            for through in (ent.start_month, f"{self.now:%Y-%m}", "2027-12"):
                if through < ent.start_month:
                    continue
                months = months_from(ent.start_month, through)
                owed_total = sum((owed(ent, m, standards).amount or ZERO for m in months), ZERO)
                paid_total = sum((paid.get(m, ZERO) for m in months), ZERO)
                next_roster = settle(ent, ledger, through, standards).total
                over = sum((a for m, a in debt(ent, ledger, through, standards) if m <= through), ZERO)
                assert paid_total + next_roster - over == owed_total, (e, through)
                assert next_roster >= 0 and over >= 0

    @invariant()
    def the_decision_s_back_pay_is_what_the_rosters_paid_for_those_months(self) -> None:
        if not hasattr(self, "payroll"):
            return
        for e, promise in self.decided.items():
            if promise.intact and set(promise.paid) == set(promise.months):
                event("a decision's back pay checked against the rosters")
                assert promise.paid == promise.months, (e, promise)


LedgerHistory.TestCase.settings = settings(max_examples=200, stateful_step_count=30, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
test_the_ledger_holds_its_invariants_over_random_histories = LedgerHistory.TestCase
