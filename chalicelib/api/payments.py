"""Routes of entitlements and payments: an entitlement's status, 纠错 and committee, data-comparison proposals, 追回,
and the 发放名册 drafted, finalized and downloaded (one ledger: ``domain/payments``). Each handler imports its
service: they load with their routes' first request, not with ``app``."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from ..wiring import comparisons, deps, progress_counters, proposals
from ..wiring import payroll as payroll_deps
from .pipeline import Call, handles
from .public import progress_limits

routes = Blueprint(__name__)


@handles(routes, "GET /entitlements/{entitlement_id}")
def get_entitlement(call: Call, entitlement_id: str) -> dict[str, Any]:
    from ..services import entitlements

    return entitlements.show(payroll_deps(), entitlement_id, call.actor, call.now)


@handles(routes, "POST /entitlements/{entitlement_id}/status")
def change_entitlement(call: Call, entitlement_id: str) -> dict[str, Any]:
    """Suspend, stop or resume {action, effective_month, reason}: a person confirms it (应退则退)."""
    from ..services import entitlements

    # the service checks the caller's reach first, then reads the action (move() refuses unknown ones)
    return entitlements.change(payroll_deps(), entitlement_id, None, call.body, call.actor, call.now)


@handles(routes, "POST /entitlements/{entitlement_id}/correction")
def correct_entitlement(call: Call, entitlement_id: str) -> dict[str, Any]:
    """纠错 {effective_month, reason, status?, monthly_amount?, pricing?, facts?, paid_through?}: what it changes in
    what is owed; the next roster settles what is due, a debt is listed for recovery."""
    from ..services import entitlements

    return entitlements.change(payroll_deps(), entitlement_id, "correct", call.body, call.actor, call.now)


@handles(routes, "PUT /entitlements/{entitlement_id}/committee")
def set_entitlement_committee(call: Call, entitlement_id: str) -> dict[str, Any]:
    """{committee, reason, version?}: the committee that checks the recipient each month, from the next month on."""
    from ..services import committees

    # the service checks the caller's reach (the 业务属地's reviewer, an admin over it) before it reads the body
    return committees.set_committee(payroll_deps(), entitlement_id, call.body, call.actor, call.now)


@handles(routes, "POST /entitlements/{entitlement_id}/recoveries")
def record_recovery(call: Call, entitlement_id: str) -> dict[str, Any]:
    """追回 {amount, received_on, reason}: money recovered settles the over-paid months, oldest first."""
    from ..services import recoveries

    return recoveries.recover(payroll_deps(), entitlement_id, call.body, call.actor, call.now)


@handles(routes, "GET /recoveries/{unit}")
def list_recoveries(call: Call, unit: str) -> dict[str, Any]:
    """应退则退: the 业务属地's recipients who were paid more than is owed, with the months and amounts."""
    from ..services import recoveries

    return recoveries.listing(payroll_deps(), unit, call.actor, call.now)


@handles(routes, "GET /proposals")
def list_proposals(call: Call) -> dict[str, Any]:
    """?unit=&status=: the 业务属地's proposals, or (for a window) the outcome for the cases it accepted."""
    from ..services import comparison

    return comparison.listing(proposals(), call.actor, call.query.get("unit") or call.actor.unit,
                              call.query.get("status"))


@handles(routes, "POST /entitlements/{entitlement_id}/survival-checks")
def record_survival_check(call: Call, entitlement_id: str) -> dict[str, Any]:
    """生存验证 {method, on, result, note?} by the 业务属地's reviewer or the recipient's committee."""
    from ..services import survival

    return survival.record(payroll_deps(), entitlement_id, call.body, call.actor, call.now, comparisons())


@handles(routes, "POST /reports")
def record_self_report(call: Call) -> dict[str, Any]:
    """个人主动申报 at a window of any unit: {case_id, id_suffix, change, reporter, note?, contact?} → proposals."""
    from ..services import reports

    return reports.report_at_window(comparisons(), deps().repo, progress_counters(), progress_limits(), call.body,
                                    call.actor, call.now)


@handles(routes, "POST /proposals/{proposal_id}/confirm")
def confirm_proposal(call: Call, proposal_id: str) -> dict[str, Any]:
    from ..services import comparison

    return comparison.settle(proposals(), payroll_deps(), proposal_id, "confirmed", call.body, call.actor, call.now)


@handles(routes, "POST /proposals/{proposal_id}/reject")
def reject_proposal(call: Call, proposal_id: str) -> dict[str, Any]:
    from ..services import comparison

    return comparison.settle(proposals(), payroll_deps(), proposal_id, "rejected", call.body, call.actor, call.now)


@handles(routes, "POST /payroll/{unit}/{month}")
def build_payroll(call: Call, unit: str, month: str) -> dict[str, Any]:
    """发放名册, drafted: the month's roster of a 业务属地 (owed − paid through the month, per entitlement), its file,
    totals, held months and a download link. Free to rebuild until finalized."""
    from ..services import payroll

    return payroll.draft(payroll_deps(), unit, month, call.actor, call.now)


@handles(routes, "POST /payroll/{unit}/{month}/finalize")
def finalize_payroll(call: Call, unit: str, month: str) -> dict[str, Any]:
    """{draft_sha256}: the roster paid as the reviewer checked it, written into the ledger; refused twice."""
    from ..services import payroll

    return payroll.finalize(payroll_deps(), unit, month, call.body, call.actor, call.now)


@handles(routes, "GET /payroll/{unit}/{month}")
def download_payroll(call: Call, unit: str, month: str) -> dict[str, Any]:
    """?stage=final|draft: the roster's record and a 15-minute link to its file; each download is recorded."""
    from ..services import payroll

    return payroll.download(payroll_deps(), unit, month, call.query.get("stage"), call.actor, call.now)


@handles(routes, "GET /payroll/{unit}")
def list_payrolls(call: Call, unit: str) -> dict[str, Any]:
    """The 业务属地's rosters, drafted and finalized."""
    from ..services import payroll

    return payroll.listing(payroll_deps(), unit, call.actor)
