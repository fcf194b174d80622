// 补贴发放 for the 业务属地's reviewer: the month's 发放名册 (drafted, checked, finalized, downloaded), the proposals to
// confirm or reject with a note, 应退则退 (the recovery list), and each entitlement with its history and ledger.
import { get, post } from "../api.js";
import {
  CHECK_RESULT, ENTITLEMENT_STATUS, PROPOSAL_ACTION, PROPOSAL_STATUS, ROSTER_STATUS, SUBSIDY,
} from "../labels.js";
import { announce, clearErrors, dateText, dateTime, field, formError, h, monthText, showError, unitText } from "../ui.js";
import { thisMonth } from "./checks.js";

const nextMonth = (month) => {
  const [year, number] = month.split("-").map(Number);
  return number === 12 ? `${year + 1}-01` : `${year}-${String(number + 1).padStart(2, "0")}`;
};
const previousMonth = (month) => {
  const [year, number] = month.split("-").map(Number);
  return number === 1 ? `${year - 1}-12` : `${year}-${String(number - 1).padStart(2, "0")}`;
};

const yuan = (amount) => (amount === null || amount === undefined ? "—" : `${amount} 元`);
const entitlementLink = (id) => h("a", { href: `#/entitlement/${encodeURIComponent(id)}` }, id);
const empty = (text = "暂无记录") => h("p", { class: "empty" }, text);
// the API's reasons may carry an English gloss in brackets ("申报死亡 (reported death)"): the console shows the Chinese
const chinese = (text) => String(text || "").replace(/\s*\([^()]*[A-Za-z][^()]*\)/g, "");

function table(caption, headers, rows) {
  return h("table", { class: "list" }, h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, rows));
}

function totalsText(roster) {
  const all = roster.totals?.all;
  if (!all) return `${roster.lines ?? 0} 行，合计 0.00 元`;
  return `${all.count} 行；本月金额 ${all.monthly} 元，补发 ${all.back_pay} 元，合计 ${all.total} 元`;
}

/** A roster's file: a fresh 15-minute link asked for at the click (the API records each download), then fetched. */
async function download(user, roster, button) {
  const stage = roster.status === "finalized" ? "final" : "draft";
  try {
    const answer = await get(`/payroll/${user.unit}/${roster.month}?stage=${stage}`);
    const link = h("a", { href: answer.download_url, download: `发放名册-${user.unit}-${roster.month}.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    showError(button.closest("section"), error);
  }
}

// --- 发放名册 --------------------------------------------------------------------------------------------------------

function rosterSection(user, reload) {
  const month = h("input", { type: "month", name: "month", value: thisMonth(), required: true });
  const result = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "stack" },
    field("发放月份", month, { hint: "名册按月生成：本月应发金额加此前应发未发的补发金额" }), formError(),
    h("button", { type: "submit", class: "primary" }, "生成名册草稿"));

  function show(roster) {
    const final = roster.status === "finalized";
    const finalize = h("form", { class: "stack" }, formError(),
      h("p", {}, "核对草稿无误后确认发放：按草稿写入发放台账，同一月份只能确认一次。"),
      h("button", { type: "submit", class: "primary" }, "确认发放"));
    finalize.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(finalize);
      try {
        const done = await post(`/payroll/${user.unit}/${roster.month}/finalize`, { draft_sha256: roster.sha256 });
        announce(`${monthText(done.month)}发放名册已确认发放`);
        show(done);
        await reload();
      } catch (error) {
        showError(finalize, error);
      }
    });
    result.replaceChildren(h("div", { class: "card roster", "data-status": roster.status },
      h("h3", {}, `${monthText(roster.month)}发放名册（${ROSTER_STATUS[roster.status] || roster.status}）`),
      h("p", {}, totalsText(roster)),
      roster.missing_accounts ? h("p", { class: "warning" }, `${roster.missing_accounts} 行没有银行账户，发放前请补齐`) : null,
      roster.held_count ? h("p", { class: "warning" }, `${roster.held_count} 个补贴对象有暂缓发放的月份（金额待定）`) : null,
      h("p", { class: "hint" }, final ? `确认发放：${dateTime(roster.finalized_at)}` : `生成：${dateTime(roster.built_at)}`,
        `；文件校验值 ${String(roster.sha256 || "").slice(0, 12)}…`),
      h("p", {}, h("button", { type: "button", onclick: (event) => download(user, roster, event.target) },
        final ? "下载发放名册（CSV）" : "下载名册草稿（CSV）"), h("span", { class: "hint" }, " 每次下载都留有记录")),
      final ? null : finalize));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      show(await post(`/payroll/${user.unit}/${month.value}`, {}));
      await reload();
    } catch (error) {
      showError(form, error);
    }
  });
  return { node: h("section", { class: "card", "aria-labelledby": "roster-title" },
    h("h2", { id: "roster-title" }, "发放名册"), form, result), show };
}

async function rostersList(user, show) {
  const { rosters } = await get(`/payroll/${user.unit}`);
  if (!rosters.length) return empty("暂无发放名册");
  return table("已生成的发放名册", ["月份", "状态", "行数与金额", "确认发放", "下载"], rosters.map((r) =>
    h("tr", {},
      h("th", { scope: "row" }, monthText(r.month)), h("td", {}, ROSTER_STATUS[r.status] || r.status),
      h("td", {}, totalsText(r)), h("td", {}, r.finalized_at ? dateTime(r.finalized_at) : "—"),
      h("td", {}, h("button", { type: "button", onclick: async (event) => {
        try {
          show(await get(`/payroll/${user.unit}/${r.month}?stage=${r.status === "finalized" ? "final" : "draft"}`));
        } catch (error) { showError(event.target.closest("section"), error); }
      } }, `取出${monthText(r.month)}名册`)))));
}

// --- proposals -------------------------------------------------------------------------------------------------------

function proposalRow(user, p, reload) {
  const note = h("input", { name: "note", maxlength: "500", autocomplete: "off",
    "aria-label": `${p.entitlement_id} 的核实说明（确认或驳回时必填）` });
  const form = h("form", { class: "proposal" }, note, formError(),
    h("button", { type: "submit", value: "confirm", class: "primary" }, "确认"), " ",
    h("button", { type: "submit", value: "reject" }, "驳回"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const verdict = event.submitter?.value === "reject" ? "reject" : "confirm";
    try {
      await post(`/proposals/${encodeURIComponent(p.proposal_id)}/${verdict}`, { note: note.value.trim() });
      announce(verdict === "confirm" ? "已确认提议" : "已驳回提议");
      await reload();
    } catch (error) {
      showError(form, error);
    }
  });
  return h("tr", { "data-proposal": p.proposal_id },
    h("th", { scope: "row" }, entitlementLink(p.entitlement_id), h("br"), p.masked_id || ""),
    h("td", {}, SUBSIDY[p.subsidy] || p.subsidy),
    h("td", {}, `${chinese(p.reason)}（${dateText(p.event_date)}）`),
    h("td", {}, `自${monthText(p.effective_month)}起${PROPOSAL_ACTION[p.action] || p.action}`),
    h("td", {}, form));
}

async function proposalsList(user, reload) {
  const { proposals } = await get(`/proposals?unit=${user.unit}&status=proposed`);
  if (!proposals.length) return empty("暂无待确认的提议");
  return table(`待确认的变动提议（${proposals.length}）：确认前不停发`, ["补贴对象", "补贴", "依据", "拟变动", "核实说明与决定"],
    proposals.map((p) => proposalRow(user, p, reload)));
}

async function decidedList(user) {
  const decided = [...(await get(`/proposals?unit=${user.unit}&status=confirmed`)).proposals,
    ...(await get(`/proposals?unit=${user.unit}&status=rejected`)).proposals];
  if (!decided.length) return empty("暂无已处理的提议");
  return table("已处理的提议", ["补贴对象", "依据", "决定", "核实说明"], decided.map((p) => h("tr", {},
    h("th", { scope: "row" }, entitlementLink(p.entitlement_id)), h("td", {}, chinese(p.reason)),
    h("td", {}, `${PROPOSAL_STATUS[p.status] || p.status}${p.decided_at ? `（${dateTime(p.decided_at)}）` : ""}`),
    h("td", {}, p.note || p.decision_note || ""))));
}

// --- what the committees reported (每月查询登记): nothing stops until a reviewer confirms it ------------------------

const MOVE = { stop: "停止发放", suspend: "暂停发放" };

function changeRow(user, c, ent, reload) {
  // confirmed: a stop or suspension recorded on the entitlement after the committee's report
  const settled = [...(ent?.history || [])].reverse().find((x) => MOVE[x.kind] && String(x.at) >= String(c.recorded_at));
  // a death or a move away stops; any other change suspends until it is looked into (the first option)
  const first = c.result === "other_change" ? "suspend" : "stop";
  const moves = settled ? [] : (ent?.allowed_moves || []).filter((m) => MOVE[m])
    .sort((a, b) => (b === first) - (a === first));
  const action = h("select", { name: "action", "aria-label": `${c.name} 的处理（${c.entitlement_id}）` },
    moves.map((m) => h("option", { value: m }, MOVE[m])));
  const from = h("input", { type: "month", name: "effective_month", value: nextMonth(c.month),
    "aria-label": `${c.name} 自哪个月起（${c.entitlement_id}）` });
  const reason = h("input", { name: "reason", maxlength: "500", autocomplete: "off",
    value: `村（居）委会每月查询登记：${CHECK_RESULT[c.result] || c.result}，${c.note || ""}`,
    "aria-label": `${c.name} 的理由（${c.entitlement_id}）` });
  const form = h("form", { class: "proposal" }, action, " ", from, " ", reason, formError(),
    h("button", { type: "submit", class: "primary" }, "核实后确认"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await post(`/entitlements/${encodeURIComponent(c.entitlement_id)}/status`,
        { action: action.value, effective_month: from.value, reason: reason.value.trim() });
      announce(`已确认：${c.name} ${MOVE[action.value]}`);
      await reload();
    } catch (error) {
      showError(form, error);
    }
  });
  return h("tr", { "data-change": c.entitlement_id },
    h("th", { scope: "row" }, entitlementLink(c.entitlement_id), h("br"), `${c.name || ""} ${c.masked_id || ""}`),
    h("td", {}, `${monthText(c.month)}：${CHECK_RESULT[c.result] || c.result}${c.note ? `（${c.note}）` : ""}`, h("br"),
      h("span", { class: "hint" }, `村（居）委会 ${c.committee_unit}`)),
    h("td", {}, ent ? `${monthText(ent.as_of)}${ENTITLEMENT_STATUS[ent.status] || ent.status}` : "—"),
    h("td", {}, settled ? `✓ 已确认：自${monthText(settled.effective_month)}起${MOVE[settled.kind]}`
      : moves.length ? form : "无需处理（已停止发放）"));
}

async function changesList(user, reload) {
  const month = thisMonth();
  const lists = await Promise.all([previousMonth(month), month].map((m) => get(`/checks/${user.unit}/${m}/changes`)));
  const changes = lists.flatMap((l) => l.changes);
  if (!changes.length) return empty("暂无村（居）委会报告的变化");
  const entitlements = await Promise.all(changes.map((c) =>
    get(`/entitlements/${encodeURIComponent(c.entitlement_id)}`).catch(() => null)));
  return table(`村（居）委会报告的变化（上月和本月，${changes.length} 条）：核实后确认才停发`,
    ["补贴对象", "报告", "现状", "处理"], changes.map((c, i) => changeRow(user, c, entitlements[i], reload)));
}

// --- 应退则退 ----------------------------------------------------------------------------------------------------------

async function recoveriesList(user) {
  const listing = await get(`/recoveries/${user.unit}`);
  if (!listing.debts.length) return empty("暂无应退款项");
  return table(`应退则退：${listing.count} 个补贴对象，合计 ${listing.total} 元`,
    ["补贴对象", "补贴", "状态", "多发月份", "应退", "已追回"], listing.debts.map((d) => h("tr", {},
      h("th", { scope: "row" }, entitlementLink(d.entitlement_id), h("br"), `${d.name || ""} ${d.masked_id || ""}`),
      h("td", {}, SUBSIDY[d.subsidy] || d.subsidy), h("td", {}, ENTITLEMENT_STATUS[d.status] || d.status),
      h("td", {}, d.months.map((m) => `${monthText(m.month)} ${m.over} 元`).join("；")),
      h("td", {}, yuan(d.amount)), h("td", {}, yuan(d.recovered)))));
}

// --- the entitlements granted: from the unit's decided cases (no route lists a unit's entitlements) --------------------

const SHOWN = 100;  // the latest decided cases of each status; older ones are found by their number below

async function grantedList() {
  const pages = await Promise.all(["result_returned", "closed"].map((status) => get(`/cases?status=${status}&limit=${SHOWN}`)));
  const approved = pages.flatMap((p) => p.cases)
    .filter((c) => c.decision?.outcome === "approved" && (c.decision.subsidies || []).length)
    .sort((a, b) => String(b.decision.decided_on || "").localeCompare(String(a.decision.decided_on || "")) || a.case_id.localeCompare(b.case_id));
  if (!approved.length) return empty("暂无已批准的补贴对象");
  const more = pages.some((p) => p.next_token) ? h("p", { class: "hint" }, `只列出最近的 ${SHOWN} 件；更早的请按编号查询。`) : null;
  return [table(`已批准的补贴对象（${approved.length} 件）`, ["案件", "申请人", "批准日期", "补贴待遇及变更记录"], approved.map((c) =>
    h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/case/${encodeURIComponent(c.case_id)}` }, c.case_id)),
      h("td", {}, `${c.applicant?.name || ""} ${c.applicant?.id_number || ""}`),
      h("td", {}, dateText(c.decision.decided_on)),
      h("td", {}, h("ul", { class: "plain" }, c.decision.subsidies.map((s) => h("li", {},
        h("a", { href: `#/entitlement/${encodeURIComponent(`${c.case_id}-${s.type}`)}` },
          `${SUBSIDY[s.type] || s.type}，每月 ${s.monthly_amount} 元`)))))))), more];
}

function lookup() {
  const number = h("input", { name: "entitlement", autocomplete: "off", maxlength: "80" });
  const form = h("form", { class: "stack" },
    field("案件编号或补贴对象编号", number, { hint: "补贴对象编号为案件编号加 -living（生活补贴）或 -nursing（护理补贴）" }),
    h("button", { type: "submit" }, "查看补贴待遇"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (number.value.trim()) location.hash = `#/entitlement/${encodeURIComponent(number.value.trim())}`;
  });
  return form;
}

export async function paymentsPage(main, user) {
  main.append(h("h1", {}, "补贴发放"),
    h("p", { class: "hint" }, `业务属地 ${unitText(user.unit)}（${user.name}）：按月生成、核对并确认发放名册；数据比对、个人申报等`
      + "提出的变动，经核实确认后才生效；多发的补贴列入应退名单追回。"));
  const roster = rosterSection(user, () => draw());
  const loading = () => h("p", { class: "hint" }, "正在载入……");
  const parts = {
    rosters: h("section", { class: "card", "aria-labelledby": "rosters-title" }, h("h2", { id: "rosters-title" }, "历次名册"), loading()),
    proposals: h("section", { class: "card", "aria-labelledby": "proposals-title" }, h("h2", { id: "proposals-title" }, "变动提议"), loading()),
    changes: h("section", { class: "card", "aria-labelledby": "changes-title" }, h("h2", { id: "changes-title" }, "每月查询登记报告的变化"), loading()),
    recoveries: h("section", { class: "card", "aria-labelledby": "recoveries-title" }, h("h2", { id: "recoveries-title" }, "应退则退（追回）"), loading()),
    lookup: h("section", { class: "card", "aria-labelledby": "lookup-title" }, h("h2", { id: "lookup-title" }, "补贴待遇及变更记录"), lookup(),
      h("div", { class: "granted" }, loading())),
  };
  main.append(roster.node, parts.proposals, parts.changes, parts.recoveries, parts.rosters, parts.lookup);

  async function fill(section, make) {
    const title = section.querySelector("h2");
    try {
      const content = await make();
      section.replaceChildren(title, ...[content].flat());
    } catch (error) {
      section.replaceChildren(title, formError());
      showError(section, error);
    }
  }
  async function fillGranted() {
    const box = parts.lookup.querySelector("div.granted");
    try {
      box.replaceChildren(...[await grantedList()].flat().filter(Boolean));
    } catch (error) {
      box.replaceChildren(formError());
      showError(box, error);
    }
  }
  async function draw() {
    await Promise.all([
      fill(parts.rosters, () => rostersList(user, roster.show)),
      fill(parts.proposals, async () => [await proposalsList(user, draw), await decidedList(user)]),
      fill(parts.changes, () => changesList(user, draw)),
      fill(parts.recoveries, () => recoveriesList(user)),
      fillGranted(),
    ]);
  }
  await draw();
}

// --- one entitlement -------------------------------------------------------------------------------------------------

const CHANGE = { approved: "批准享受", suspend: "暂停发放", stop: "停止发放", resume: "恢复发放", corrected: "纠错",
  committee: "变更查询登记的村（居）委会", survival_check: "生存验证" };
const REASON = { "approved by decision": "审核决定批准" };
const SURVIVAL = { alive: "在世", deceased: "死亡", not_verified: "未能核实" };

function changeText(c) {
  const parts = [`自${monthText(c.effective_month)}起`];
  if (c.status && ENTITLEMENT_STATUS[c.status] !== CHANGE[c.kind]) parts.push(ENTITLEMENT_STATUS[c.status] || c.status);
  if (c.monthly_amount) parts.push(`每月 ${c.monthly_amount} 元`);
  if (c.committee) parts.push(`村（居）委会 ${c.committee}`);
  if (c.check) parts.push(`${dateText(c.check.on)} ${SURVIVAL[c.check.result] || CHECK_RESULT[c.check.result] || c.check.result}`);
  if (c.reason) parts.push(`理由：${chinese(REASON[c.reason] || c.reason)}`);
  return parts.join("，");
}

function entitlementCard(e) {
  return h("section", { class: "card", "aria-labelledby": `t-${e.entitlement_id}` },
    h("h2", { id: `t-${e.entitlement_id}` }, `${SUBSIDY[e.subsidy] || e.subsidy}（${e.entitlement_id}）`),
    h("dl", { class: "facts" },
      h("dt", {}, "补贴对象"), h("dd", {}, `${e.name || ""} ${e.masked_id || ""}`),
      h("dt", {}, "案件"), h("dd", {}, h("a", { href: `#/case/${encodeURIComponent(e.case_id)}` }, e.case_id)),
      h("dt", {}, `${monthText(e.as_of)}状态`), h("dd", {}, ENTITLEMENT_STATUS[e.status] || e.status),
      h("dt", {}, "每月金额"), h("dd", {}, yuan(e.monthly_amount)),
      h("dt", {}, "起始月份"), h("dd", {}, monthText(e.start_month)),
      h("dt", {}, "村（居）委会（每月查询登记）"), h("dd", {}, e.committee_in_force || e.committee_unit || "未设置"),
      h("dt", {}, "业务属地"), h("dd", {}, unitText(e.business_unit)), h("dt", {}, "受理地"), h("dd", {}, unitText(e.accepting_unit)),
      h("dt", {}, "应发合计"), h("dd", {}, yuan(e.ledger.owed)), h("dt", {}, "已发合计"), h("dd", {}, yuan(e.ledger.paid)),
      h("dt", {}, "待发"), h("dd", {}, yuan(e.ledger.due)), h("dt", {}, "应退"), h("dd", {}, yuan(e.ledger.debt))),
    h("h3", {}, "变更记录"),
    e.history.length ? h("ol", { class: "timeline" }, e.history.map((c) => h("li", {},
      h("time", { datetime: c.at }, dateTime(c.at)), " ", h("strong", {}, CHANGE[c.kind] || c.kind), "：", changeText(c))))
      : empty(),
    e.ledger.months.length ? table("逐月台账", ["月份", "状态", "应发", "已发", "待发", "多发"], e.ledger.months.map((m) =>
      h("tr", {}, h("th", { scope: "row" }, monthText(m.month)), h("td", {}, ENTITLEMENT_STATUS[m.status] || m.status || "—"),
        h("td", {}, yuan(m.owed)), h("td", {}, yuan(m.paid)), h("td", {}, yuan(m.due)), h("td", {}, yuan(m.over)))))
      : empty("暂无台账记录"));
}

export async function entitlementPage(main, user, id) {
  const caseId = id.replace(/-(living|nursing)$/, "");
  main.append(h("h1", {}, `补贴待遇 ${id}`), h("p", {}, user.role === "reviewer"
    ? h("a", { href: "#/payments" }, "返回补贴发放") : h("a", { href: `#/case/${encodeURIComponent(caseId)}` }, "返回案件")));
  const ids = caseId !== id ? [id] : [`${id}-living`, `${id}-nursing`];
  const found = [];
  let refusal = null;
  for (const one of ids) {
    try { found.push(await get(`/entitlements/${encodeURIComponent(one)}`)); } catch (error) { refusal = error; }
  }
  if (!found.length) {
    const box = h("div", {}, formError());
    main.append(box);
    showError(box, refusal);
    return;
  }
  main.append(...found.map(entitlementCard));
}
