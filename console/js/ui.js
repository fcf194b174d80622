// Small DOM helpers: elements, labelled fields with their error next to them, text badges.
import { message } from "./labels.js";
import { PHASES } from "./phases.js";
import { COUNTIES, PROVINCES } from "./places.js";

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let counter = 0;
const slug = (text) => text.replace(/[^a-zA-Z0-9_-]/g, "-");

/** A labelled control with a hint and an error line, both tied to it by aria-describedby. */
export function field(label, control, { hint = null, name = control.getAttribute("name") } = {}) {
  const id = control.id || `f-${slug(name || "x")}-${++counter}`;
  control.id = id;
  const hintNode = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  const errorNode = h("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite", "data-error-for": name });
  control.setAttribute("aria-describedby", [hintNode && hintNode.id, errorNode.id].filter(Boolean).join(" "));
  if (name) control.dataset.field = name;
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintNode, errorNode);
}

/** Show ``text`` next to the control for ``name`` in ``scope``; false when no such control. */
export function showFieldError(scope, name, text) {
  const line = scope.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  if (!line) return false;
  line.textContent = text ? `错误：${text}` : "";
  const control = scope.querySelector(`[data-field="${CSS.escape(name)}"]`);
  if (control) {
    if (text) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
  }
  return true;
}

export function clearErrors(scope) {
  scope.querySelectorAll("[data-error-for]").forEach((line) => { line.textContent = ""; });
  scope.querySelectorAll("[aria-invalid]").forEach((control) => control.removeAttribute("aria-invalid"));
  scope.querySelectorAll(".form-error").forEach((box) => { box.textContent = ""; box.hidden = true; });
}

/** An API error: next to its field when the form has one, otherwise in the form's alert box. */
export function showError(scope, error) {
  const text = message(error);
  if (error.field && showFieldError(scope, error.field, text)) {
    scope.querySelector(`[data-field="${CSS.escape(error.field)}"]`)?.focus();
    return;
  }
  const box = scope.querySelector(".form-error");
  if (box) {
    box.hidden = false;
    box.textContent = `${text}（${error.code}）`;
  } else announce(`${text}（${error.code}）`, true);
}

export function formError() {
  return h("p", { class: "form-error", role: "alert", hidden: true });
}

export function announce(text, isError = false) {
  const region = document.getElementById(isError ? "alert" : "status");
  region.textContent = "";
  region.hidden = false;
  setTimeout(() => { region.textContent = text; }, 30);
}

/** A deadline as text, worded as the PDFs and SMS word it: never colour alone (剩3个工作日 / 已超期2个工作日). */
export function deadlineText(d) {
  if (!d) return "";
  if (d.state === "met") return "已按期完成";
  if (d.state === "paused") return `已暂停（剩${d.remaining_working_days ?? d.working_days_left ?? "?"}个工作日）`;
  if (d.working_days_overdue !== null && d.working_days_overdue !== undefined) return `已超期${d.working_days_overdue}个工作日`;
  if (d.state === "overdue") return d.closed_on ? "超期后完成" : "已超期";
  if (d.working_days_left !== null && d.working_days_left !== undefined) return `剩${d.working_days_left}个工作日`;
  return d.state;
}

export function badge(d) {
  const text = deadlineText(d);
  const kind = text.startsWith("已超期") || text.startsWith("超期") ? "late"
    : text.startsWith("剩0个") || text.startsWith("剩1个") ? "soon" : d?.state === "met" ? "done" : "open";
  const mark = kind === "late" ? "⚠ " : kind === "done" ? "✓ " : "";
  // the mark only repeats the words (never colour or a sign alone): hidden from screen readers, who hear which time
  // limit it is instead (审核时限：剩3个工作日), as the table's row or column tells a sighted reader
  const phase = PHASES[d?.kind]?.label;
  return h("span", { class: `badge badge-${kind}` }, mark ? h("span", { "aria-hidden": "true" }, mark) : null,
    h("span", { class: "sr-only" }, phase ? `${phase}：` : "时限："), text);
}

/** The open deadline of a case (the one running now), or null. */
export function openDeadline(kase) {
  return (kase.deadlines || []).find((d) => d.state === "open" || d.state === "paused" || (d.state === "overdue" && !d.closed_on)) || null;
}

/** A day as the PDFs and SMS write it: "2026-09-24" (or an ISO time, its own day) → 2026年9月24日. The one place
 * the console formats a date; anything else is shown as it came. */
export function dateText(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || ""));
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : String(iso || "");
}

/** A unit by name with its code, as the PDFs name it (黑龙江省道里区 230102001, 黑龙江省 23); the code alone where
 * the GB/T 2260 table has no name (a city's 4 digits, an unknown or abolished county). */
export function unitText(code) {
  const unit = String(code || "");
  const county = unit.length >= 6 ? COUNTIES[unit.slice(0, 6)] : null;
  const province = PROVINCES[unit.slice(0, 2)];
  if (county && province) return `${province}${county} ${unit}`;
  if (unit.length === 2 && province) return `${province} ${unit}`;
  return unit;
}

/** A month: "2026-12" → 2026年12月. */
export function monthText(month) {
  const m = /^(\d{4})-(\d{2})/.exec(String(month || ""));
  return m ? `${Number(m[1])}年${Number(m[2])}月` : String(month || "");
}

/** A moment (ISO 8601 with its offset) as the day and the time there: 2026年9月24日 10:05. */
export function dateTime(iso) {
  if (!iso) return "";
  return `${dateText(iso)} ${String(iso).slice(11, 16)}`.trim();
}
