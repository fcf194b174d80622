// Worklists: the window's cases (受理地) and the reviewer's inbox (业务属地), ordered by deadline.
import { get } from "../api.js";
import { PHASE_SHORT, SCOPE, STATUS, SUBSIDY } from "../labels.js";
import { badge, dateText, h, openDeadline, showError, unitText } from "../ui.js";

const OPEN = new Set(["awaiting_materials", "awaiting_push", "under_review", "supplement_requested", "result_returned"]);

async function allCases(query = "") {
  const cases = [];
  let token = null;
  for (let page = 0; page < 20; page += 1) {
    const suffix = token ? `${query ? "&" : "?"}next_token=${encodeURIComponent(token)}` : "";
    const data = await get(`/cases${query}${suffix}`);
    cases.push(...data.cases);
    token = data.next_token;
    if (!token) break;
  }
  return cases;
}

export function byDeadline(cases) {
  const due = (c) => openDeadline(c)?.due_on || "9999-12-31";
  return [...cases].sort((a, b) => due(a).localeCompare(due(b)) || a.case_id.localeCompare(b.case_id));
}

function table(caption, cases, otherSide) {
  if (!cases.length) return h("p", { class: "empty" }, `${caption}：暂无案件。`);
  return h("table", { class: "list" },
    h("caption", {}, `${caption}（共 ${cases.length} 件）`),
    h("thead", {}, h("tr", {}, ["案件编号", "申请人", "补贴", "状态", "当前期限", "期限", otherSide[0]].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, cases.map((c) => {
      const d = openDeadline(c);
      return h("tr", {},
        h("th", { scope: "row" }, h("a", { href: `#/case/${encodeURIComponent(c.case_id)}` }, c.case_id)),
        h("td", {}, c.applicant?.name || ""),
        h("td", {}, (c.subsidies || []).map((s) => SUBSIDY[s] || s).join("、")),
        h("td", {}, STATUS[c.status] || c.status),
        h("td", {}, d ? PHASE_SHORT[d.kind] || d.kind : "—"),
        h("td", {}, d ? [badge(d), h("span", { class: "due" }, ` 至 ${dateText(d.due_on)}`)] : "—"),
        h("td", {}, `${unitText(c[otherSide[1]])}（${SCOPE[c.scope] || c.scope}）`));
    })));
}

export async function worklistPage(main, user) {
  main.append(h("h1", {}, "本窗口受理的案件"),
    h("p", {}, h("a", { href: "#/accept", class: "button primary" }, "受理新申请")));
  try {
    const cases = byDeadline(await allCases());
    main.append(
      table("办理中", cases.filter((c) => OPEN.has(c.status)), ["业务属地", "business_unit"]),
      table("已办结或撤回", cases.filter((c) => !OPEN.has(c.status)), ["业务属地", "business_unit"]));
  } catch (error) {
    showError(main, error);
  }
}

export async function inboxPage(main, user) {
  main.append(h("h1", {}, "待审核案件（按期限排序）"),
    h("p", { class: "hint" }, "最先到期的在最前；期限按法定工作日计算（审核时限：自收到推送材料之日起10个工作日内）。"));
  try {
    const cases = byDeadline((await allCases()).filter((c) => OPEN.has(c.status)));
    main.append(table("收件箱", cases, ["受理地", "accepting_unit"]));
  } catch (error) {
    showError(main, error);
  }
}
