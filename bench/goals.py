"""Issue 18's table: each figure of one ``make bench`` run beside the figure the issue started from and its goal.

    (printed as the last section of ``make bench`` and written at the top of docs/performance.md)

The figures come from the run's own sections (``run.data``): write request units and state transitions of one full
case (bench.calls_per_case), the ``GET /cases`` overhead ratio (bench.overhead), the cost per 1,000 cases
(bench.cost, us-east-1 and cn-north-1), the package size and ``import app`` from the unzipped package
(bench.coldstart), and one PDF render, first and warm (bench.pdf, in a process of its own). A goal is met or not by
the figure of this run; milliseconds depend on the machine (two shared cores here), counts and bytes do not.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

MB = 1_000_000


@dataclass(frozen=True)
class Goal:
    figure: str
    before: str  # as the issue states it (docs/performance.md of 2026-12-05)
    goal: str
    value: Callable[[dict[str, Any]], float | None]
    met: Callable[[float], bool]
    shown: Callable[[float], str]


def _wru(data: dict[str, Any]) -> float | None:
    case = data.get("case")
    return None if case is None else float(case.recorder.units()[1])


def _gsi_share(data: dict[str, Any]) -> str:
    case = data.get("case")
    if case is None:
        return ""
    indexed = sum(c.index_write_units for c in case.recorder.calls)
    total = case.recorder.units()[1]
    return f" ({indexed / total:.0%} of them GSI writes)" if total else ""


def _worklist_ratio(data: dict[str, Any]) -> float | None:
    rows = (data.get("overhead") or {}).get("rows", [])
    found = [row["ratio"] for row in rows if row["route"] == "GET /cases"]
    return float(found[0]) if found else None


def _transitions(data: dict[str, Any]) -> float | None:
    case = data.get("case")
    return None if case is None else float(case.transitions)


def _usd(data: dict[str, Any]) -> float | None:
    per = data.get("per_1000")
    return None if per is None else float(per["total"])


def _package(data: dict[str, Any]) -> float | None:
    cold = data.get("cold")
    return None if not cold or not cold[1] else cold[1]["zip_bytes"] / MB


def _import_ms(data: dict[str, Any]) -> float | None:
    cold = data.get("cold")
    return None if not cold or not cold[1] else cold[1]["import_shipped_us"] / 1000


def _pdf_warm(data: dict[str, Any]) -> float | None:
    pdf = data.get("pdf")
    return None if not pdf else float(pdf["warm_ms"]) / 1000


GOALS = (
    Goal("write request units, one full case (8 materials)", "677 (54 % GSI writes)", "≤ 150", _wru,
         lambda v: v <= 150, lambda v: f"{v:,.0f}"),
    Goal("GET /cases handler time / its bare AWS calls", "11.8×", "≤ 1.5×", _worklist_ratio,
         lambda v: v <= 1.5, lambda v: f"{v:.2f}×"),
    Goal("Step Functions state transitions per case", "11", "≤ 7, escalation kept", _transitions,
         lambda v: v <= 7, lambda v: f"{v:.0f}"),
    Goal("cost per 1,000 cases (us-east-1 list prices)", "$0.82", "≤ $0.35", _usd,
         lambda v: v <= 0.35, lambda v: f"${v:.2f}"),
    Goal("deployment.zip", "41.3 MB", "≤ 15 MB", _package, lambda v: v <= 15, lambda v: f"{v:.1f} MB"),
    Goal("import app from the unzipped package", "~220 ms", "≤ 250 ms, kept", _import_ms,
         lambda v: v <= 250, lambda v: f"{v:.0f} ms"),
    Goal("one PDF render, warm", "~0.6 s", "≤ 0.15 s", _pdf_warm, lambda v: v <= 0.15, lambda v: f"{v:.2f} s"),
)


def rows(data: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(figure, before, now, goal, met) for each goal; "not measured" where this run skipped the section."""
    out = []
    for goal in GOALS:
        value = goal.value(data)
        if value is None:
            out.append((goal.figure, goal.before, "not measured", goal.goal, "—"))
            continue
        now = goal.shown(value) + (_gsi_share(data) if goal.value is _wru else "")
        out.append((goal.figure, goal.before, now, goal.goal, "met" if goal.met(value) else "NOT MET"))
    return out


def china_line(data: dict[str, Any]) -> str | None:
    china = data.get("per_1000_cny")
    if not china:
        return None
    return (f"cost per 1,000 cases at cn-north-1 prices: ¥{china['total_priced']:.4f} for the priced services ("
            + ", ".join(f"{k} ¥{v:.4f}" for k, v in china["priced"].items()) + ")"
            + (f"; not priced: {', '.join(china['unpriced'])}" if china["unpriced"] else ""))


def report(data: dict[str, Any]) -> list[str]:
    table = rows(data)
    widths = [max(len(r[i]) for r in table + [("figure", "before", "now", "goal", "")]) for i in range(5)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(("figure", "before", "now", "goal", ""), widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in table]
    extra = china_line(data)
    return lines + ([extra] if extra else [])


def markdown(data: dict[str, Any]) -> list[str]:
    lines = ["| figure | before (issue 18) | this run | goal | |", "|---|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows(data)]
    extra = china_line(data)
    return lines + (["", extra + "."] if extra else [])
