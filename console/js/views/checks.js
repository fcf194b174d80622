// 每月查询登记: a village or residents committee's list of the month, made for a phone — one tap per result, a note
// for a change, what is still unrecorded and the deadline (GET /checks/{committee}/{month}, POST …/{entitlement_id}).
import { get, post } from "../api.js";
import { CHECK_RESULT, CHECK_RESULTS, SUBSIDY } from "../labels.js";
import { announce, clearErrors, dateText, dateTime, field, formError, h, monthText, showError, unitText } from "../ui.js";

/** Today where the console is used (Asia/Shanghai): "2026-11-16". */
export function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" })
    .format(new Date());
}

/** This month there: "2026-11". */
export function thisMonth() {
  return today().slice(0, 7);
}

function shift(month, by) {
  const [year, number] = month.split("-").map(Number);
  const index = year * 12 + (number - 1) + by;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

function summary(list, closed) {
  const c = list.counts || {};
  const open = c.open ?? 0;
  return h("section", { class: "card check-summary", "aria-labelledby": "summary-title" },
    h("h2", { id: "summary-title" }, `${monthText(list.month)}进度`),
    h("p", { class: "check-counts", role: "status" },
      h("span", { class: open ? "badge badge-soon" : "badge badge-done" }, open ? `未登记 ${open} 人次` : "✓ 已全部登记"),
      ` 共 ${c.total ?? 0} 人次，已登记 ${c.recorded ?? 0} 人次`),
    closed ? h("p", { class: "warning" }, `该月查询登记已于${dateText(list.closes_on)}关闭，不能再登记或更改。`)
      : h("p", {}, h("strong", {}, `登记截止：${dateText(list.due_on)}`),
        `（此后仍未登记的，报乡镇（街道）审核；${dateText(list.closes_on)}后不能再登记或更改）`));
}

function item(user, list, check, redraw, closed) {
  const noteId = `note-${check.entitlement_id}`;
  const note = h("textarea", { name: "note", rows: "2", maxlength: "500", id: noteId });
  const form = h("form", { class: "check-note", hidden: true },
    field("情况说明（必填）", note, { hint: "例如：死亡日期、迁往何处、发生了什么变化" }), formError(),
    h("div", { class: "tap-row" },
      h("button", { type: "submit", class: "primary tap" }, "提交登记"),
      h("button", { type: "button", class: "tap", onclick: () => { form.hidden = true; chosen = null; } }, "取消")));
  let chosen = null;

  async function record(result, text) {
    clearErrors(form);
    try {
      await post(`/checks/${user.unit}/${list.month}/${encodeURIComponent(check.entitlement_id)}`,
        text ? { result, note: text } : { result });
      announce(`已登记：${check.name} — ${CHECK_RESULT[result]}`);
      await redraw();
    } catch (error) {
      form.hidden = false;
      showError(form, error);
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    record(chosen, note.value.trim());
  });

  const buttons = CHECK_RESULTS.map((result) => h("button", {
    type: "button", class: result === "present" ? "tap primary" : "tap",
    "aria-pressed": check.result === result ? "true" : "false",
    onclick: () => {
      if (result === "present") { record(result, ""); return; }
      chosen = result;
      form.hidden = false;
      form.querySelector("button.primary").textContent = `提交登记：${CHECK_RESULT[result]}`;
      note.focus();
    },
  }, CHECK_RESULT[result]));

  const state = check.result
    ? h("p", { class: "check-state done" }, `✓ 已登记：${CHECK_RESULT[check.result] || check.result}`,
      check.note ? `（${check.note}）` : "", check.recorded_at ? `，${dateTime(check.recorded_at)}` : "")
    : h("p", { class: "check-state open" }, "未登记");
  return h("li", { class: "card check-item", "data-entitlement": check.entitlement_id },
    h("h3", {}, check.name || "（未记姓名）"),
    h("p", { class: "hint" }, `${check.masked_id || ""} · ${SUBSIDY[check.subsidy] || check.subsidy}`),
    state,
    closed ? null : h("div", { class: "tap-row", role: "group", "aria-label": `${check.name} 的查询结果` }, buttons),
    closed ? null : form);
}

export async function checksPage(main, user, month) {
  month = /^\d{4}-(0[1-9]|1[0-2])$/.test(month || "") ? month : thisMonth();
  const heading = h("h1", {}, `每月查询登记 · ${monthText(month)}`);
  const nav = h("nav", { class: "tap-row month-nav", "aria-label": "选择月份" },
    h("a", { class: "button tap", href: `#/checks/${shift(month, -1)}` }, `上个月（${monthText(shift(month, -1))}）`),
    h("a", { class: "button tap", href: `#/checks/${shift(month, 1)}` }, `下个月（${monthText(shift(month, 1))}）`));
  const body = h("div", { "aria-live": "polite" });
  main.append(heading,
    h("p", { class: "hint" }, `${user.name}（村（居）委会 ${unitText(user.unit)}）：逐一核实名单上的补贴对象，每人点一次结果；`
      + "死亡、迁出或其他变化须写明情况，由乡镇（街道）审核后处理，登记本身不停发补贴。"),
    nav, body);

  async function draw() {
    let list;
    try {
      list = await get(`/checks/${user.unit}/${month}`);
    } catch (error) {
      body.replaceChildren(formError());
      showError(body, error);
      return;
    }
    const closed = today() > list.closes_on;
    const open = list.checks.filter((c) => !c.result);
    const done = list.checks.filter((c) => c.result);
    body.replaceChildren(
      summary(list, closed),
      h("section", { "aria-labelledby": "open-title" },
        h("h2", { id: "open-title" }, `未登记（${open.length}）`),
        open.length ? h("ol", { class: "plain checks" }, open.map((c) => item(user, list, c, draw, closed)))
          : h("p", { class: "empty" }, list.checks.length ? "已全部登记" : "暂无记录：该月名单上没有补贴对象")),
      h("section", { "aria-labelledby": "done-title" },
        h("h2", { id: "done-title" }, `已登记（${done.length}）`),
        done.length ? h("ol", { class: "plain checks" }, done.map((c) => item(user, list, c, draw, closed)))
          : h("p", { class: "empty" }, "暂无记录")));
  }
  await draw();
}
