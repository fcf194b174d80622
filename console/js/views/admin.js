// Administrators (admin of a province, city or county; dpf_admin of a 市/县 残联; the national admin for the
// calendar): the 户籍地's materials list, set-up gaps, amount tables, the province's review chain and time limits,
// the holiday calendar, rosters and comparison files. Every page is a client of the same API routes.
import { call, get, post } from "../api.js";
import { MATERIALS, PURPOSES, ROLES, ROSTER } from "../labels.js";
import { announce, clearErrors, dateText, field, formError, h, showError, unitText } from "../ui.js";

const CATALOGUE = Object.keys(MATERIALS);
const put = (path, body) => call("PUT", path, body);
/** ``node``'s children replaced by ``children``, the null ones left out (replaceChildren would write "null"). */
const fill = (node, ...children) => node.replaceChildren(...children.filter((c) => c !== null && c !== undefined));

/** Today in China (the browser's clock, as the server's day is China's). */
export function today() {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());
}

/** A township of ``scope`` to read what is in force there (GET /rules takes a 9-digit 业务属地). */
export function sampleTownship(scope) {
  const s = String(scope || "");
  if (s.length === 6) return `${s}001`;
  if (s.length === 4) return `${s}02001`;
  if (s.length === 2) return `${s}0102001`;
  return "";
}

const dateInput = (name, value) => h("input", { name, type: "date", value, required: true });
const submit = (text) => h("button", { type: "submit", class: "primary" }, text);

function form(title, id, ...children) {
  return h("form", { class: "card", "aria-labelledby": id, novalidate: true },
    h("h2", { id }, title), ...children, formError());
}

function onSubmit(node, action) {
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(node);
    const button = node.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      await action();
    } catch (error) {
      showError(node, error);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

function table(caption, headings, rows, empty) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h("div", { class: "table-wrap" }, h("table", { class: "list" }, h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headings.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c, i) => (i === 0 ? h("th", { scope: "row" }, c) : h("td", {}, c))))))));
}

// --- 证明材料清单 ------------------------------------------------------------------------------------------------

/** The next version of ``scope``'s own list (a county's: the last layer of what a township of it shows), with
 * ``item`` added: its own items kept (catalogue items it added or marked optional, its local items), every
 * catalogue item absent from the township's list dropped, as the version in force does. */
export function nextCountyList(items, scope, item) {
  const own = items.filter((i) => String(i.source || "").startsWith(`${scope}@`));
  const present = new Set(items.map((i) => i.code));
  const local = own.filter((i) => !CATALOGUE.includes(i.code))
    .map(({ code, name, purpose, required }) => ({ code, name, purpose, required }));
  return {
    add: own.filter((i) => CATALOGUE.includes(i.code) && i.required).map((i) => i.code),
    optional: own.filter((i) => CATALOGUE.includes(i.code) && !i.required).map((i) => i.code),
    drop: CATALOGUE.filter((code) => !present.has(code)),
    local: [...local, item],
  };
}

function itemsTable(items) {
  return table("现行证明材料", ["材料", "用途", "是否必须", "设定来源"], items.map((i) => [
    MATERIALS[i.code] || i.name, PURPOSES[i.code] || i.purpose, i.required ? "必须提交" : "可选提交",
    i.source === "standard" ? "标准清单" : i.source,
  ]), "暂无材料。");
}

/** A national-level admin (unit 00) keeps the calendar; the lists and gaps belong to provinces, cities, counties. */
function nationalOnly(main, user) {
  if (user.unit !== "00") return false;
  main.append(h("p", { class: "empty" }, "国家级管理员（单位 00）不设定证明材料清单，也没有下辖县（区）；请到",
    h("a", { href: "#/calendar" }, "节假日安排"), "载入或纠错节假日安排。"));
  return true;
}

export async function materialsPage(main, user) {
  const scope = user.unit;
  main.append(h("h1", {}, "证明材料清单"));
  if (nationalOnly(main, user)) return;
  main.append(
    h("p", { class: "hint" }, `户籍地所需证明材料由市、县残联设定（黑民发〔2021〕6号）。本单位：${unitText(scope)}。`));
  const shown = h("div", { id: "materials-in-force" });
  const township = h("input", { name: "township", inputmode: "numeric", maxlength: "9", value: sampleTownship(scope),
    autocomplete: "off" });
  const on = dateInput("on", today());
  const viewForm = form("现行清单", "in-force-title",
    h("div", { class: "grid" }, field("查看的乡镇（街道）代码", township, { hint: "9 位代码：显示在该地受理时告知的材料" }),
      field("日期", on)),
    submit("查看"), shown);
  let items = [];
  async function showList() {
    const rules = await get(`/rules/${encodeURIComponent(township.value.trim())}?on=${on.value}&agent=true`);
    items = rules.materials.items;
    fill(shown,
      rules.materials.standard_list_used
        ? h("p", { class: "warning" }, "本户籍地尚未制定证明材料清单，按标准清单告知") : null,
      itemsTable(items),
      h("p", { class: "hint" }, `生效版本：${rules.materials.versions.map((v) => (v === "standard" ? "标准清单" : v)).join("，") || "无"}`));
  }
  onSubmit(viewForm, showList);
  main.append(viewForm);

  const county = scope.length === 6 ? scope : "";
  const scopeInput = h("input", { name: "scope", inputmode: "numeric", maxlength: "6", value: county, autocomplete: "off",
    readonly: user.role === "dpf_admin" ? true : null });
  const code = h("input", { name: "local[0].code", autocomplete: "off", maxlength: "40", placeholder: "residence_proof" });
  const name = h("input", { name: "local[0].name", autocomplete: "off", maxlength: "30" });
  const purpose = h("input", { name: "local[0].purpose", autocomplete: "off", maxlength: "100" });
  const required = h("select", { name: "local[0].required" },
    h("option", { value: "true" }, "必须提交（计入材料收齐）"), h("option", { value: "false" }, "可选提交"));
  const from = dateInput("effective_from", today());
  const addForm = form("增加本地材料", "add-title",
    h("p", { class: "hint" }, "在标准目录之外增加本户籍地要求的材料，写明中文名称和用途；一次性告知书按此打印。"
      + "保存为本县（区）清单的新版本：现行版本的增减和本地材料一并保留。"),
    h("div", { class: "grid" },
      field("县（区）代码", scopeInput, { hint: "6 位县级代码" }),
      field("生效日期", from),
      field("材料代码（小写英文字母、数字、下划线）", code),
      field("材料名称（中文）", name),
      field("用途（中文）", purpose),
      field("是否必须", required)),
    submit("保存材料"));
  const saved = h("div", { role: "status" });
  onSubmit(addForm, async () => {
    const target = scopeInput.value.trim();
    if (target.length !== 6) {
      const error = { code: "SCOPE_FORMAT", field: "scope", message: "请填写 6 位县级代码" };
      throw error;
    }
    const county_items = (await get(`/rules/${target}001?on=${from.value}&agent=true`)).materials.items;
    const item = { code: code.value.trim(), name: name.value.trim(), purpose: purpose.value.trim(),
      required: required.value === "true" };
    const answer = await put(`/rules/${target}/materials/${from.value}`, nextCountyList(county_items, target, item));
    saved.replaceChildren(h("p", { class: "status-line" },
      `已保存：${item.name}（${answer.version}），自${dateText(answer.effective_from)}起告知。`));
    announce(`已保存 ${item.name}`);
    township.value = `${target}001`;
    await showList();
    await gaps.refresh();
  });
  main.append(addForm, saved);

  const gaps = setupGapsSection(scope);
  main.append(gaps.node);
  try {
    await showList();
  } catch (error) {
    showError(viewForm, error);
  }
  await gaps.refresh();
}

// --- 清单缺口 (GET /setup-gaps) -----------------------------------------------------------------------------------

function setupGapsSection(scope) {
  const scopeInput = h("input", { name: "scope", inputmode: "numeric", maxlength: "6", value: scope, autocomplete: "off" });
  const on = dateInput("on", today());
  const out = h("div", { "aria-live": "polite" });
  const node = form("尚无证明材料清单的县（区）", "gaps-title",
    h("div", { class: "grid" }, field("范围（2、4 或 6 位代码）", scopeInput), field("日期", on)),
    submit("查询"), out);
  async function refresh() {
    clearErrors(node);
    try {
      const data = await get(`/setup-gaps?scope=${encodeURIComponent(scopeInput.value.trim())}&on=${on.value}`);
      fill(out,
        h("p", { class: "totals" }, `${unitText(data.scope)} 共 ${data.counties} 个县（区），其中 ${data.gap_count} 个尚无清单`
          + `（${dateText(data.on)}）。`),
        data.gaps.length ? h("p", { class: "hint" }, `这些户籍地的告知书写明：“${data.notice_says}”。`) : null,
        table("尚无清单的县（区）", ["县级代码", "名称", "所在地"],
          data.gaps.map((g) => [g.county, g.name, g.place]), "本范围内各县（区）均已有证明材料清单。"));
    } catch (error) {
      showError(node, error);
    }
  }
  node.addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
  return { node, refresh };
}

export async function setupGapsPage(main, user) {
  main.append(h("h1", {}, "清单缺口"));
  if (nationalOnly(main, user)) return;
  main.append(h("p", { class: "hint" }, "没有本县（区）、本市或本省证明材料清单的户籍地：其一次性告知按标准清单。"));
  const gaps = setupGapsSection(user.unit);
  main.append(gaps.node);
  await gaps.refresh();
}

// --- 补贴标准表 (PUT /rules/{scope}/amounts) ------------------------------------------------------------------------

const SUBSIDY_NAMES = { living: "生活补贴", nursing: "护理补贴" };
const numbers = (text) => text.split(/[,，\s]+/).filter(Boolean).map(Number);

function amountRow(index) {
  const n = index + 1;
  const subsidy = h("select", { name: `rows[${index}].subsidy` },
    Object.entries(SUBSIDY_NAMES).map(([value, text]) => h("option", { value }, text)));
  const from = h("input", { name: `rows[${index}].effective_from`, type: "date", value: today() });
  const amount = h("input", { name: `rows[${index}].amount`, inputmode: "decimal", autocomplete: "off" });
  const grades = h("input", { name: `rows[${index}].grades`, autocomplete: "off" });
  const lowIncome = h("select", { name: `rows[${index}].low_income` }, h("option", { value: "" }, "不限"),
    h("option", { value: "dibao" }, "低保"), h("option", { value: "dibao_edge" }, "低保边缘"));
  const node = h("fieldset", { class: "row-edit" }, h("legend", {}, `第 ${n} 行`),
    h("div", { class: "grid" }, field("补贴", subsidy), field("起始日期", from), field("月标准（元）", amount),
      field("残疾等级（如 1,2；空为不限）", grades), field("低收入条件", lowIncome)));
  node.read = () => {
    const row = { subsidy: subsidy.value, effective_from: from.value, amount: amount.value.trim() };
    if (grades.value.trim()) row.grades = numbers(grades.value);
    if (lowIncome.value) row.low_income = lowIncome.value;
    return row;
  };
  return node;
}

export async function amountsPage(main, user) {
  main.append(h("h1", {}, "补贴标准表"),
    h("p", { class: "hint" }, "省或市的整张标准表：载入后即为现行标准，之前的表作为历史保留。每行写明起始日期和条件。"));
  const township = h("input", { name: "township", inputmode: "numeric", maxlength: "9", value: sampleTownship(user.unit),
    autocomplete: "off" });
  const current = h("div");
  const viewForm = form("现行标准表", "amounts-now-title", field("查看的乡镇（街道）代码", township), submit("查看"), current);
  onSubmit(viewForm, async () => {
    const rules = await get(`/rules/${encodeURIComponent(township.value.trim())}`);
    current.replaceChildren(table("适用的标准表", ["设定单位", "行数"],
      rules.amount_tables.map((t) => [unitText(t.scope), `${t.rows} 行`]), "暂无标准表。"));
  });
  main.append(viewForm);

  const scope = h("input", { name: "scope", inputmode: "numeric", maxlength: "4", autocomplete: "off",
    value: user.unit.length <= 4 ? user.unit : "" });
  const rows = h("div", { class: "rows" }, amountRow(0));
  const more = h("button", { type: "button", onclick: () => rows.append(amountRow(rows.children.length)) }, "增加一行");
  const loadForm = form("载入新标准表", "amounts-load-title",
    field("省或市代码（2 或 4 位）", scope), rows, h("p", {}, more), submit("载入标准表"));
  const done = h("div", { role: "status" });
  onSubmit(loadForm, async () => {
    const answer = await put(`/rules/${encodeURIComponent(scope.value.trim())}/amounts`,
      { rows: [...rows.children].map((r) => r.read()) });
    done.replaceChildren(h("p", { class: "status-line" }, `已载入 ${unitText(answer.scope)} 的标准表，共 ${answer.rows} 行。`));
  });
  main.append(loadForm, done);
  viewForm.requestSubmit();
}

// --- 审核流程 (PUT /rules/{province}/review-chain/{from}) -------------------------------------------------------------

const CHAIN_ROLES = ["reviewer", "dpf_reviewer", "approver"];

function stepRow(index, step = {}) {
  const label = h("input", { name: `steps[${index}].label`, autocomplete: "off", maxlength: "8", value: step.label || "" });
  const role = h("select", { name: `steps[${index}].role` },
    CHAIN_ROLES.map((r) => h("option", { value: r, selected: r === step.role ? true : null }, ROLES[r] || r)));
  const days = h("input", { name: `steps[${index}].publicity_days`, inputmode: "numeric", autocomplete: "off" });
  const node = h("fieldset", { class: "row-edit" }, h("legend", {}, `第 ${index + 1} 环节`),
    h("div", { class: "grid" }, field("环节名称", label), field("办理角色", role), field("公示天数（公示环节填写）", days)));
  node.read = () => {
    const out = { label: label.value.trim(), role: role.value };
    if (days.value.trim()) out.publicity_days = Number(days.value.trim());
    return out;
  };
  return node;
}

export async function chainPage(main, user) {
  main.append(h("h1", {}, "审核流程"),
    h("p", { class: "hint" }, "本省业务属地的审核环节，自生效日期起；推送之日生效的流程随案件保留。未设定时由乡镇（街道）审核并决定。"));
  const province = h("input", { name: "scope", inputmode: "numeric", maxlength: "2", autocomplete: "off",
    value: user.unit.slice(0, 2) });
  const from = dateInput("effective_from", today());
  const steps = h("div", { class: "rows" }, stepRow(0, { label: "初审", role: "reviewer" }),
    stepRow(1, { label: "审核", role: "dpf_reviewer" }), stepRow(2, { label: "审定", role: "approver" }));
  const more = h("button", { type: "button", onclick: () => steps.append(stepRow(steps.children.length)) }, "增加环节");
  const less = h("button", { type: "button", onclick: () => steps.lastElementChild?.remove() }, "删除最后一个环节");
  const chainForm = form("设定审核流程", "chain-title",
    h("div", { class: "grid" }, field("省级代码", province), field("生效日期", from)),
    steps, h("p", { class: "actions" }, more, " ", less), submit("保存审核流程"));
  const done = h("div", { role: "status" });
  onSubmit(chainForm, async () => {
    const body = { steps: [...steps.children].map((s) => s.read()) };
    const answer = await put(`/rules/${encodeURIComponent(province.value.trim())}/review-chain/${from.value}`, body);
    done.replaceChildren(h("p", { class: "status-line" },
      `已保存：${unitText(answer.scope)} 自${dateText(answer.effective_from)}起 ${body.steps.map((s) => s.label).join(" → ")}。`));
  });
  main.append(chainForm, done);
}

// --- 办理时限 (PUT /rules/{province}/time-limits/{from}) ---------------------------------------------------------------

export async function timeLimitsPage(main, user) {
  main.append(h("h1", {}, "办理时限"),
    h("p", { class: "hint" }, "法规未规定的时限：收件时限（受理至材料收齐）和补正时限，以工作日计；未设定时各为 10 个工作日。"));
  const province = h("input", { name: "scope", inputmode: "numeric", maxlength: "2", autocomplete: "off",
    value: user.unit.slice(0, 2) });
  const now = h("div");
  const from = dateInput("effective_from", today());
  const materials = h("input", { name: "materials_working_days", inputmode: "numeric", autocomplete: "off" });
  const supplement = h("input", { name: "supplement_working_days", inputmode: "numeric", autocomplete: "off" });
  const limitsForm = form("设定时限", "limits-title",
    h("div", { class: "grid" }, field("省级代码", province), field("生效日期", from),
      field("收件时限（工作日，1–60）", materials), field("补正时限（工作日，1–60）", supplement)),
    submit("保存时限"));
  const done = h("div", { role: "status" });
  async function showNow() {
    const rules = await get(`/rules/${sampleTownship(province.value.trim())}`);
    const t = rules.time_limits;
    now.replaceChildren(h("p", { class: "totals" },
      `现行：收件时限${t.materials_working_days}个工作日，补正时限${t.supplement_working_days}个工作日。`));
  }
  onSubmit(limitsForm, async () => {
    const body = {};
    if (materials.value.trim()) body.materials_working_days = Number(materials.value.trim());
    if (supplement.value.trim()) body.supplement_working_days = Number(supplement.value.trim());
    const answer = await put(`/rules/${encodeURIComponent(province.value.trim())}/time-limits/${from.value}`, body);
    done.replaceChildren(h("p", { class: "status-line" }, `已保存：${unitText(answer.scope)} 自${dateText(answer.effective_from)}起生效。`));
    await showNow();
  });
  main.append(now, limitsForm, done);
  try { await showNow(); } catch (error) { showError(limitsForm, error); }
}

// --- 节假日安排 (GET/PUT /calendar/{year}, POST /calendar/{year}/correction) ---------------------------------------------

const dates = (text) => text.split(/[,，;；\s]+/).map((d) => d.trim()).filter(Boolean);
/** The dates an API message lists (CALENDAR_CONFLICT names the days that would change). */
export const datesIn = (text) => [...new Set(String(text || "").match(/\d{4}-\d{2}-\d{2}/g) || [])];

export async function calendarPage(main, user) {
  main.append(h("h1", {}, "节假日安排"),
    h("p", { class: "hint" }, "法定时限按国务院办公厅公布的节假日安排计算工作日。载入和纠错由国家级管理员（单位 00）办理；"
      + "纠错后，所有进行中的时限按新安排重新计算。"));
  const year = h("input", { name: "year", inputmode: "numeric", maxlength: "4", autocomplete: "off",
    value: today().slice(0, 4) });
  const shown = h("div");
  const readForm = form("查看年度安排", "year-title", field("年份", year), submit("查看"), shown);
  onSubmit(readForm, async () => {
    shown.replaceChildren();
    try {
      const data = await get(`/calendar/${encodeURIComponent(year.value.trim())}`);
      shown.replaceChildren(h("dl", { class: "facts" },
        h("dt", {}, "来源"), h("dd", {}, `${data.source}（${data.origin === "loaded" ? "已载入" : "内置"}）`),
        h("dt", {}, "休息日"), h("dd", {}, `${data.holidays.length} 天：${data.holidays.map(dateText).join("，")}`),
        h("dt", {}, "调休上班"), h("dd", {}, `${data.workdays.length} 天：${data.workdays.map(dateText).join("，") || "无"}`)));
    } catch (error) {
      if (error.code !== "CALENDAR_YEAR_MISSING") throw error;
      shown.replaceChildren(h("p", { class: "empty" }, `${year.value} 年的节假日安排尚未载入。`));
    }
  });
  main.append(readForm);

  const holidays = h("textarea", { name: "holidays", rows: "3" });
  const workdays = h("textarea", { name: "workdays", rows: "2" });
  const source = h("input", { name: "source", autocomplete: "off", maxlength: "300" });
  const reason = h("textarea", { name: "reason", rows: "2", maxlength: "500" });
  const conflict = h("div", { class: "conflict", hidden: true, role: "alert" });
  const correctBox = h("div", { hidden: true }, field("纠错理由（纠错时必填）", reason),
    h("button", { type: "button", class: "primary", onclick: () => correct() }, "提交纠错"));
  const loadForm = form("载入或纠错", "load-title",
    h("p", { class: "hint" }, "日期写成 年-月-日，用空格、逗号或换行分隔。与已知安排不同的日期会被拒绝并列出，请核对后改为纠错。"),
    field("休息日（节假日）", holidays), field("调休上班日", workdays), field("依据（如 国办发明电〔2026〕x号）", source),
    submit("载入"), conflict, correctBox);
  const done = h("div", { role: "status" });
  const body = () => ({ holidays: dates(holidays.value), workdays: dates(workdays.value), source: source.value.trim() });
  onSubmit(loadForm, async () => {
    conflict.hidden = true;
    correctBox.hidden = true;
    done.replaceChildren();
    try {
      const answer = await put(`/calendar/${encodeURIComponent(year.value.trim())}`, body());
      done.replaceChildren(h("p", { class: "status-line" }, `已载入 ${answer.year} 年（${answer.source}），`
        + `重新计算了 ${answer.recomputed ?? 0} 件案件的暂定时限。`));
      readForm.requestSubmit();
    } catch (error) {
      if (error.code !== "CALENDAR_CONFLICT") throw error;
      const days = datesIn(error.message);
      conflict.replaceChildren(
        h("h3", {}, `与已知安排冲突的日期（${days.length} 天）`),
        h("p", {}, "这些日期在已知安排和所填安排之间由工作日变为休息日，或相反。如确属更正，请填写理由后提交纠错。"),
        h("ul", { class: "dates" }, days.map((d) => h("li", {}, h("time", { datetime: d }, dateText(d))))));
      conflict.hidden = false;
      correctBox.hidden = false;
      reason.focus();
    }
  });
  async function correct() {
    clearErrors(loadForm);
    try {
      const answer = await post(`/calendar/${encodeURIComponent(year.value.trim())}/correction`,
        { ...body(), reason: reason.value.trim() });
      conflict.hidden = true;
      correctBox.hidden = true;
      done.replaceChildren(h("div", { class: "card" },
        h("h3", {}, `${answer.year} 年安排已纠错`),
        h("p", {}, `改变的日期（${answer.changed_days.length} 天）：`),
        h("ul", { class: "dates" }, answer.changed_days.map((d) => h("li", {}, h("time", { datetime: d }, dateText(d))))),
        h("p", {}, `进行中的时限已按新安排重新计算：${answer.recomputed ?? 0} 件案件。`)));
      announce(`${answer.year} 年安排已纠错`);
      readForm.requestSubmit();
    } catch (error) {
      showError(loadForm, error);
    }
  }
  main.append(loadForm, done);
  readForm.requestSubmit();
}

// --- 名册与数据比对 (POST /rosters, POST /comparisons) --------------------------------------------------------------------

const COMPARISONS = { deaths: "死亡", hukou_moves: "户籍迁出", dibao_exits: "退出低保", tekun_entries: "纳入特困供养",
  certificate_cancellations: "残疾人证注销", certificate_expiries: "残疾人证到期", imprisonments: "服刑" };

export async function dataPage(main) {
  main.append(h("h1", {}, "名册与数据比对"),
    h("p", { class: "hint" }, "运维人员将文件放入材料存储桶后，在此载入。比对和残疾人证名册发现的变化只形成变更提议，"
      + "由业务属地审核人员确认或驳回，从不自动停发。"));
  const rosterKind = h("select", { name: "kind" }, Object.entries(ROSTER).map(([v, t]) => h("option", { value: v }, t)));
  const rosterKey = h("input", { name: "key", autocomplete: "off", value: "rosters/" });
  const rosterForm = form("载入名册", "roster-title",
    h("div", { class: "grid" }, field("名册种类", rosterKind), field("文件位置（rosters/ 下）", rosterKey)), submit("载入名册"));
  const rosterOut = h("div", { role: "status" });
  onSubmit(rosterForm, async () => {
    const r = await post("/rosters", { kind: rosterKind.value, key: rosterKey.value.trim() });
    rosterOut.replaceChildren(h("div", { class: "card" }, h("h3", {}, `${ROSTER[r.kind] || r.kind}名册`),
      h("dl", { class: "facts" },
        h("dt", {}, "载入编号"), h("dd", {}, r.load_id),
        h("dt", {}, "结果"), h("dd", {}, r.already_loaded ? "此文件此前已载入，未重复处理" : "已载入"),
        h("dt", {}, "行数"), h("dd", {}, `${r.rows ?? 0} 行，错误 ${r.error_count ?? 0} 行`),
        h("dt", {}, "提出的变更提议"), h("dd", {}, `${r.proposals ?? 0} 件`))));
  });
  const cmpKind = h("select", { name: "kind" }, Object.entries(COMPARISONS).map(([v, t]) => h("option", { value: v }, t)));
  const cmpKey = h("input", { name: "key", autocomplete: "off", value: "comparisons/" });
  const cmpForm = form("数据比对", "cmp-title",
    h("div", { class: "grid" }, field("比对数据", cmpKind), field("文件位置（comparisons/ 下）", cmpKey)), submit("运行比对"));
  const cmpOut = h("div", { role: "status" });
  onSubmit(cmpForm, async () => {
    const r = await post("/comparisons", { kind: cmpKind.value, key: cmpKey.value.trim() });
    cmpOut.replaceChildren(h("div", { class: "card" }, h("h3", {}, `${COMPARISONS[r.kind] || r.kind}比对`),
      h("dl", { class: "facts" },
        h("dt", {}, "载入编号"), h("dd", {}, r.load_id),
        h("dt", {}, "结果"), h("dd", {}, r.already_done ? "此文件此前已比对，未重复处理" : "已比对"),
        h("dt", {}, "行数"), h("dd", {}, `${r.rows ?? 0} 行，错误 ${r.errors ?? 0} 行`),
        h("dt", {}, "提出的变更提议"), h("dd", {}, `${r.proposals ?? 0} 件（由业务属地审核人员确认或驳回）`))));
  });
  main.append(h("div", { class: "columns" }, h("div", {}, rosterForm, rosterOut), h("div", {}, cmpForm, cmpOut)));
}
