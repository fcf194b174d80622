// 超期督办: overdue cases within the supervisor's scope, counted by responsible unit and phase.
import { get } from "../api.js";
import { PHASE_SHORT } from "../labels.js";
import { PHASES } from "../phases.js";
import { badge, h, showError, unitText } from "../ui.js";

// who owes each phase's step: the 受理地 (accepting) or the 业务属地 (business), as the domain's table of phases says
const RESPONSIBLE = Object.fromEntries(Object.entries(PHASES).map(
  ([kind, p]) => [kind, p.owner === "business" ? "business_unit" : "accepting_unit"]));

export function overdueCounts(cases) {
  const rows = new Map();
  for (const kase of cases) {
    for (const d of kase.deadlines || []) {
      const late = d.working_days_overdue !== null && d.working_days_overdue !== undefined;
      if (!late) continue;
      const unit = kase[RESPONSIBLE[d.kind]];
      const key = `${unit}|${d.kind}`;
      const row = rows.get(key) || { unit, kind: d.kind, cases: [] };
      row.cases.push({ kase, deadline: d });
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort((a, b) => b.cases.length - a.cases.length || a.unit.localeCompare(b.unit));
}

/** Late steps as a table: one row per responsible unit, one column per phase (the number of late steps). */
export function unitPhaseTable(rows) {
  const kinds = Object.keys(PHASE_SHORT).filter((kind) => rows.some((r) => r.kind === kind));
  const units = [...new Set(rows.map((r) => r.unit))].sort();
  const count = (unit, kind) => rows.filter((r) => r.unit === unit && r.kind === kind).reduce((n, r) => n + r.cases.length, 0);
  return h("div", { class: "table-wrap" }, h("table", { class: "list" }, h("caption", {}, "超期环节：按单位和阶段"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "负责单位"), kinds.map((k) => h("th", { scope: "col" }, PHASE_SHORT[k])))),
    h("tbody", {}, units.map((unit) => h("tr", {}, h("th", { scope: "row" }, unitText(unit)),
      kinds.map((k) => h("td", { class: "count" }, `${count(unit, k)} 件`)))))));
}

/** 设置缺口: the counties of the supervisor's scope without a materials list (GET /setup-gaps). */
async function gapsSummary(main, user) {
  const box = h("section", { class: "card", "aria-labelledby": "gaps-summary" }, h("h2", { id: "gaps-summary" }, "设置缺口"));
  main.append(box);
  try {
    const data = await get(`/setup-gaps?scope=${encodeURIComponent(user.unit)}`);
    box.append(h("p", {}, data.gap_count
      ? `本范围 ${data.counties} 个县（区）中 ${data.gap_count} 个尚无证明材料清单（按标准清单告知）。`
      : `本范围 ${data.counties} 个县（区）均已有证明材料清单。`), h("a", { href: "#/gaps" }, "查看尚无清单的县（区）"));
  } catch (error) {
    showError(box, error);
  }
}

export async function supervisorPage(main, user) {
  main.append(h("h1", {}, "超期督办"),
    h("p", { class: "hint" }, `督查范围：${unitText(user.unit)}。按负责超期环节的单位和阶段统计（推送时限、告知时限由受理地负责，审核时限由业务属地负责）。`));
  await gapsSummary(main, user);
  const cases = [];
  try {
    let token = null;
    for (let page = 0; page < 50; page += 1) {
      const data = await get(`/cases?overdue=true&limit=100${token ? `&next_token=${encodeURIComponent(token)}` : ""}`);
      cases.push(...data.cases);
      token = data.next_token;
      if (!token) break;
    }
  } catch (error) {
    showError(main, error);
    return;
  }
  const rows = overdueCounts(cases);
  const total = rows.reduce((n, r) => n + r.cases.length, 0);
  const byPhase = Object.keys(PHASE_SHORT).map((kind) =>
    `${PHASE_SHORT[kind]} ${rows.filter((r) => r.kind === kind).reduce((n, r) => n + r.cases.length, 0)} 件`);
  main.append(h("p", { class: "totals" }, `超期合计 ${total} 件：${byPhase.join("，")}。`));
  if (rows.length) main.append(unitPhaseTable(rows));
  if (!rows.length) {
    main.append(h("p", { class: "empty" }, "暂无超期案件。"));
    return;
  }
  main.append(h("table", { class: "list" }, h("caption", {}, "按单位和阶段的超期件数"),
    h("thead", {}, h("tr", {}, ["负责单位", "阶段", "超期件数", "案件"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows.map((r) => h("tr", {},
      h("th", { scope: "row" }, unitText(r.unit)), h("td", {}, PHASE_SHORT[r.kind] || r.kind),
      h("td", { class: "count" }, `${r.cases.length} 件`),
      h("td", {}, h("ul", { class: "plain" }, r.cases.map(({ kase, deadline }) => h("li", {},
        h("a", { href: `#/case/${encodeURIComponent(kase.case_id)}` }, kase.case_id), " ", badge(deadline))))))))));
}
