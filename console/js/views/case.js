// One case, for each side: summary, deadlines, the window's notice and uploads and steps, the
// reviewer's materials, rule checks, supplement request and decision, and the shared timeline.
import { ApiError, call, get, post, sha256Hex, uploadTo } from "../api.js";
import { EVENTS, MESSAGES, NOTIFY_METHOD, PURPOSES, PHASE, RELATIONSHIP, SCOPE, STATUS, SUBSIDY, eventDetail, message, notGrantedText, waiverText }
  from "../labels.js";
import { accepted } from "./accept.js";
import { CHAIN_ROLES, chainSection, decisionSection, holdsStep, isLastStep, materialsSection, opinionSection, rulesSection,
  supplementRequestSection } from "./review.js";
import { announce, badge, clearErrors, dateText, dateTime, field, formError, h, monthText, showError, showFieldError, unitText } from "../ui.js";

const TYPES = { pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png" };

export async function casePage(main, user, caseId) {
  let kase;
  try {
    kase = await get(`/cases/${encodeURIComponent(caseId)}`);
  } catch (error) {
    main.append(h("h1", {}, `无法打开案件 ${caseId}`),
      h("div", { class: "problem", role: "alert" }, h("p", {}, message(error)),
        h("p", { class: "hint" }, `（HTTP ${error.status} · ${error.code}）`)));
    return;
  }
  const rerender = async (note) => {
    main.replaceChildren();
    await casePage(main, user, caseId);
    if (note) announce(note);
  };
  main.append(h("h1", {}, `案件 ${kase.case_id}`), summary(kase), deadlines(kase));
  if (user.role === "window") {
    const fresh = accepted.get(caseId);
    accepted.delete(caseId);
    const notice = fresh?.notice ? { ...fresh.notice, materials: fresh.notice.materials.map((m) => ({ ...m, received: false })) }
      : await get(`/cases/${encodeURIComponent(caseId)}/notice`);
    main.append(noticeSection(kase, notice, rerender), receiptSection(kase, notice), windowSteps(kase, rerender));
    if (OPEN.includes(kase.status)) main.append(withdrawSection(kase, rerender));
  }
  if (CHAIN_ROLES.includes(user.role)) {
    main.append(chainSection(kase, user), materialsSection(kase), rulesSection(kase));
    if (kase.status === "under_review" && holdsStep(kase, user)) {
      main.append(supplementRequestSection(kase, rerender),
        isLastStep(kase) ? decisionSection(kase, rerender) : opinionSection(kase, rerender));
    }
  }
  if (kase.decision) main.append(decisionView(kase, user));
  main.append(timeline(kase));
}

function summary(kase) {
  const row = (term, value) => [h("dt", {}, term), h("dd", {}, value)];
  return h("section", { class: "card", "aria-labelledby": "summary-title" },
    h("h2", { id: "summary-title" }, "概况"),
    h("dl", { class: "facts" },
      row("状态", STATUS[kase.status] || kase.status),
      row("申请人", `${kase.applicant?.name || ""}（身份证 ${kase.applicant?.id_number || ""}）`),
      kase.agent ? row("代理人（委托办理）", `${kase.agent.name || ""}（${RELATIONSHIP[kase.agent.relationship]
        || kase.agent.relationship}；身份证 ${kase.agent.id_number || ""}）`) : null,
      row("残疾人证", kase.certificate?.number || ""),
      row("申请的补贴", kase.subsidies.map((s) => SUBSIDY[s] || s).join("、")),
      row("受理地", unitText(kase.accepting_unit)), row("业务属地", unitText(kase.business_unit)),
      row("村（居）委会（每月查询登记）", kase.applicant?.committee_unit || "未登记"),
      row("办理方式", SCOPE[kase.scope] || kase.scope), row("申请月份（计发起始）", monthText(kase.application_month))));
}

function deadlines(kase) {
  if (!kase.deadlines?.length) return h("p", { class: "hint" }, "材料收齐后开始计算推送时限。");
  return h("table", { class: "list" }, h("caption", {}, "法定期限"),
    h("thead", {}, h("tr", {}, ["阶段", "起算日", "到期日", "情况"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, kase.deadlines.map((d) => h("tr", {},
      h("th", { scope: "row" }, PHASE[d.kind] || d.kind), h("td", {}, dateText(d.starts_on)),
      h("td", {}, dateText(d.due_on) + (d.provisional ? "（暂定：节假日安排未发布）" : "")), h("td", {}, badge(d))))));
}

// --- the window ---------------------------------------------------------------------------------

async function printDocument(path, fallbackClass) {
  try {
    const response = await call("GET", path, undefined, { accept: "application/pdf", raw: true });
    if ((response.headers.get("Content-Type") || "").startsWith("application/pdf")) {
      // the API's own PDF, opened in the browser's PDF viewer, which prints it (Ctrl+P)
      const url = URL.createObjectURL(await response.blob());
      if (!window.open(url, "_blank")) location.assign(url);
      announce("已在新标签页打开 PDF，请在其中打印");
      return;
    }
  } catch {
    // no PDF for this document: print the page's own view below
  }
  document.body.classList.add(fallbackClass);
  window.print();
  document.body.classList.remove(fallbackClass);
}

/** 补正: the materials the latest request still waits for (code → what was asked), as the API counts them:
 * a named material needs a fresh upload received after the request; a request naming none, any one. */
export function supplementWanted(kase, notice) {
  const request = kase.status === "supplement_requested" ? (kase.supplements || []).at(-1) : null;
  if (!request) return new Map();
  const fresh = new Set((kase.materials || []).filter((m) => m.status === "received"
    && (m.received_at || "") >= request.requested_at).map((m) => m.code));
  const named = (request.items || []).filter((i) => i.code);
  if (named.length) return new Map(named.filter((i) => !fresh.has(i.code)).map((i) => [i.code, i.description]));
  if (fresh.size) return new Map();
  const asked = (request.items || []).map((i) => i.description).join("；");
  return new Map(notice.materials.filter((m) => !m.waived).map((m) => [m.code, asked]));
}

function noticeSection(kase, notice, rerender) {
  const open = kase.status === "awaiting_materials";
  const wanted = supplementWanted(kase, notice);
  // A receipt that moves the case (the last required material completes it: D1 starts; a 补正 material) shows the
  // case anew: its status, steps, deadlines and timeline. Any other receipt updates its row in place (files chosen in
  // other rows stay), and an earlier refusal of a step (e.g. 材料尚未收齐) no longer stands.
  const received = async (item) => {
    item.received = true;
    const complete = notice.materials.every((m) => !m.required || m.waived || m.received);
    if (kase.status === "supplement_requested" || (open && complete)) {
      return rerender(complete && open ? `${item.name}已收到，材料已收齐，推送时限起算` : `${item.name}已收到`);
    }
    document.querySelectorAll("section .step").forEach(clearErrors);
    announce(`${item.name}已收到`);
  };
  const rows = notice.materials.map((item) => materialRow(kase, item, open, received, wanted.get(item.code)));
  return h("section", { class: "card notice", id: "notice", "aria-labelledby": "notice-title" },
    h("h2", { id: "notice-title" }, "一次性告知书"),
    h("p", {}, `业务属地 ${unitText(notice.business_unit)} 要求申请人提交以下全部材料（一次告知，最多跑一次）：`),
    h("ol", { class: "materials" }, rows),
    h("p", { class: "no-print" },
      h("button", { type: "button", onclick: () => printDocument(`/cases/${kase.case_id}/notice`, "print-notice") }, "打印一次性告知书")));
}

function materialRow(kase, item, open, received, supplement) {
  const name = `material:${item.code}`;
  const state = supplement !== undefined ? `需补正：${supplement || "请重新提交"}`
    : item.waived ? `免交：${waiverText(item.waiver)}` : item.received ? "✓ 已收到（已核验）" : "未收到";
  const row = h("li", { class: "material", "data-code": item.code },
    h("p", {}, h("strong", {}, item.name), item.required ? "（必交）" : "（选交）",
      PURPOSES[item.code] ? ` — ${PURPOSES[item.code]}` : ""),
    h("p", { class: "material-state" }, `状态：${state}`));
  if (supplement === undefined && (!open || item.waived || item.received)) return row;
  const file = h("input", { type: "file", name, accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" });
  const bar = h("progress", { max: "100", value: "0", "aria-label": `${item.name} 上传进度` });
  const percent = h("span", { class: "percent", "aria-live": "polite" }, "");
  const button = h("button", { type: "button" }, `上传${item.name}`);
  button.addEventListener("click", async () => {
    clearErrors(row);
    const chosen = file.files[0];
    if (!chosen) return showFieldError(row, name, "请先选择文件");
    button.disabled = true;
    try {
      await sendMaterial(kase.case_id, item.code, chosen, (share) => {
        bar.value = Math.round(share * 100);
        percent.textContent = `${Math.round(share * 100)}%`;
      });
      row.querySelector(".material-state").textContent = "状态：✓ 已收到（已核验）";
      row.querySelector(".upload").remove();
      await received(item);
    } catch (error) {
      showFieldError(row, name, message(error instanceof ApiError ? error : new ApiError(0, "NETWORK", String(error))));
      percent.textContent = "未完成";
      button.disabled = false;
    }
  });
  row.append(h("div", { class: "upload" }, field(`选择${item.name}文件（PDF、JPEG 或 PNG）`, file), bar, percent, button));
  return row;
}

async function sendMaterial(caseId, code, file, progress) {
  const extension = file.name.split(".").pop().toLowerCase();
  const declared = { code, filename: file.name, content_type: file.type || TYPES[extension] || "application/octet-stream",
    size: file.size, sha256: await sha256Hex(file) };
  const registered = await post(`/cases/${caseId}/materials`, declared);
  await uploadTo(registered.upload, file, progress);
  return post(`/cases/${caseId}/materials/${registered.material_id}/confirm`);
}

function receiptSection(kase, notice) {
  const received = notice.materials.filter((m) => m.received).length;
  return h("section", { class: "card receipt", id: "receipt", "aria-labelledby": "receipt-title" },
    h("h2", { id: "receipt-title" }, "受理回执"),
    h("p", {}, `案件编号 ${kase.case_id}；受理日期 ${dateText(kase.applied_on)}；受理地 ${unitText(kase.accepting_unit)}；业务属地 ${unitText(kase.business_unit)}。`),
    h("p", {}, `申请人 ${kase.applicant?.name || ""}；已收材料 ${received} / ${notice.materials.length} 项。`),
    h("p", { class: "no-print" },
      h("button", { type: "button", onclick: () => printDocument(`/cases/${kase.case_id}/receipt`, "print-receipt") }, "打印受理回执")));
}

function stepButton(label, path, rerender, done) {
  const box = h("div", { class: "step" }, formError());
  const button = h("button", { type: "button", class: "primary" }, label);
  button.addEventListener("click", async () => {
    clearErrors(box);
    try {
      await post(path);
      await rerender(done);
    } catch (error) {
      showError(box, error);
    }
  });
  box.prepend(button);
  return box;
}

function windowSteps(kase, rerender) {
  const id = kase.case_id;
  const section = h("section", { class: "card", "aria-labelledby": "steps-title" }, h("h2", { id: "steps-title" }, "办理"));
  if (kase.status === "awaiting_materials") {
    section.append(h("p", {}, "最后一项必交材料收到之日即材料收齐，推送时限自动起算（3个工作日内推送）；未收齐时点此查看还缺哪些。"),
      stepButton("确认材料收齐", `/cases/${id}/complete`, rerender, "已确认材料收齐"));
  } else if (kase.status === "awaiting_push") {
    section.append(h("p", {}, "将完整案件推送至业务属地：推送时限结束，审核时限开始（10个工作日内审核）。"),
      stepButton("推送至业务属地", `/cases/${id}/push`, rerender, "已推送至业务属地"));
  } else if (kase.status === "supplement_requested") {
    const asked = (kase.supplements || []).at(-1);
    section.append(h("p", {}, `业务属地要求补正：${(asked?.items || []).map((i) => i.description).join("；")}`),
      stepButton("补正材料已送达", `/cases/${id}/supplement`, rerender, "已送达补正材料"));
  } else if (kase.status === "result_returned") {
    section.append(notificationForm(kase, rerender));
  } else {
    section.append(h("p", {}, `当前状态：${STATUS[kase.status] || kase.status}，无需窗口操作。`));
  }
  return section;
}

const OPEN = ["awaiting_materials", "awaiting_push", "under_review", "supplement_requested", "result_returned"];

/** 撤回: the applicant withdraws; the window writes the reason, then confirms in a second step. */
function withdrawSection(kase, rerender) {
  const reason = h("textarea", { name: "reason", rows: "2", maxlength: "500" });
  const confirmBox = h("div", { class: "confirm", role: "group", "aria-labelledby": "withdraw-confirm-text", hidden: true });
  const ask = h("button", { type: "submit" }, "撤回申请…");
  const form = h("form", { class: "stack" },
    h("p", {}, "申请人要求撤回时使用：案件结束办理，期限停止计算，不可恢复。"),
    field("撤回原因", reason, { hint: "必填，记入双方共享的办理记录" }), formError(), ask, confirmBox);
  const cancel = () => { confirmBox.hidden = true; ask.hidden = false; ask.focus(); };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!reason.value.trim()) return showFieldError(form, "reason", MESSAGES.MISSING_FIELD) && reason.focus();
    const yes = h("button", { type: "button", class: "danger" }, "确认撤回");
    const no = h("button", { type: "button", onclick: cancel }, "不撤回");
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      try {
        await post(`/cases/${kase.case_id}/withdraw`, { reason: reason.value.trim() });
        await rerender("申请已撤回");
      } catch (error) {
        yes.disabled = false;
        cancel();
        showError(form, error);
      }
    });
    confirmBox.replaceChildren(
      h("p", { id: "withdraw-confirm-text", class: "warning" }, `确认撤回案件 ${kase.case_id}？原因：${reason.value.trim()}`),
      yes, " ", no);
    ask.hidden = true;
    confirmBox.hidden = false;
    no.focus();  // the safe choice has the focus: Enter does not withdraw by accident
  });
  return h("section", { class: "card", "aria-labelledby": "withdraw-title" }, h("h2", { id: "withdraw-title" }, "撤回申请"), form);
}

function notificationForm(kase, rerender) {
  const method = h("select", { name: "method" }, Object.entries(NOTIFY_METHOD).map(([v, t]) => h("option", { value: v }, t)));
  const note = h("input", { name: "note", maxlength: "200", autocomplete: "off" });
  const form = h("form", { class: "stack" }, h("p", {}, "审核结果已返回：3个工作日内告知申请人（告知时限），并在此记录。"),
    field("告知方式", method), field("备注", note), formError(),
    h("button", { type: "submit", class: "primary" }, "记录已告知申请人"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await post(`/cases/${kase.case_id}/notification`, { method: method.value, note: note.value.trim() || undefined });
      await rerender("已记录告知，案件办结");
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

// --- both sides -------------------------------------------------------------------------------------

const READS_ENTITLEMENTS = new Set(["window", "reviewer", "supervisor", "admin"]);  // GET /entitlements/{id}

function decisionView(kase, user) {
  const d = kase.decision;
  const print = ["window", "reviewer"].includes(user.role) ? h("p", { class: "no-print" }, h("button", {
    type: "button", onclick: () => printDocument(`/cases/${kase.case_id}/result-notice`, "print-decision") },
  "打印结果通知书")) : null;
  return h("section", { class: "card", id: "decision", "aria-labelledby": "decision-title" },
    h("h2", { id: "decision-title" }, "审核决定"),
    (d.not_granted || []).length && d.outcome === "approved"
      ? h("p", {}, "结论：部分批准；", notGrantedText(d.not_granted))
      : h("p", {}, d.outcome === "approved" ? "结论：批准" : "结论：不予批准", d.reason ? `；理由：${d.reason}` : ""),
    (d.subsidies || []).length ? h("ul", {}, d.subsidies.map((s) => h("li", {},
      `${SUBSIDY[s.type] || s.type}：每月 ${s.monthly_amount} 元，自${monthText(s.start_month || kase.application_month)}起计发`,
      s.back_pay ? `，补发 ${s.back_pay.total} 元` : "",
      READS_ENTITLEMENTS.has(user.role) ? [" ", h("a", { href: `#/entitlement/${encodeURIComponent(`${kase.case_id}-${s.type}`)}` },
        `${SUBSIDY[s.type] || s.type}的待遇及变更记录`)] : null))) : null, print);
}

function timeline(kase) {
  return h("section", { class: "card", "aria-labelledby": "timeline-title" },
    h("h2", { id: "timeline-title" }, "办理记录（双方共享）"),
    h("ol", { class: "timeline" }, (kase.timeline || []).map((e) => h("li", {},
      h("time", { datetime: e.at }, dateTime(e.at)), " ", h("strong", {}, EVENTS[e.event] || e.event),
      ` — ${e.actor}（单位 ${unitText(e.unit)}）`, eventDetail(e) ? `：${eventDetail(e)}` : ""))));
}

