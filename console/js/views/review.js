// The reviewer's part of a case: the materials shown in the page, the rule checks, 补正, the decision.
import { get, post } from "../api.js";
import { MATERIAL_STATUS, MATERIALS, ROLES, ROSTER, RULE_RESULT, SUBSIDY, message } from "../labels.js";
import { announce, clearErrors, field, formError, h, showError } from "../ui.js";

const NAMES = MATERIALS;

export function materialsSection(kase) {
  const viewer = h("div", { class: "viewer", id: "viewer", "aria-live": "polite" },
    h("p", { class: "hint" }, "选择一份材料，在此处查看（每次查看都记入办理记录）。"));
  const received = (kase.materials || []).filter((m) => m.status === "received");
  const list = h("ul", { class: "material-list" }, received.map((m) => {
    const name = NAMES[m.code] || m.code;
    const button = h("button", { type: "button" }, `查看${name}`);
    button.addEventListener("click", async () => {
      viewer.replaceChildren(h("p", {}, `正在打开${name}…`));
      try {
        const opened = await get(`/cases/${kase.case_id}/materials/${m.material_id}`);
        const shown = m.content_type.startsWith("image/")
          ? h("img", { src: opened.download.url, alt: `材料：${name}（${m.filename}）` })
          : h("iframe", { src: opened.download.url, title: `材料：${name}（${m.filename}）` });
        viewer.replaceChildren(h("h3", {}, `${name} · ${m.filename}`), shown);
        announce(`已打开${name}`);
      } catch (error) {
        viewer.replaceChildren(h("p", { class: "problem", role: "alert" }, message(error)));
      }
    });
    return h("li", {}, h("span", {}, `${name}：${MATERIAL_STATUS[m.status] || m.status}（${m.filename}）`), " ", button);
  }));
  return h("section", { class: "card", "aria-labelledby": "materials-title" },
    h("h2", { id: "materials-title" }, `推送的材料（${received.length} 份）`), h("div", { class: "columns" }, list, viewer));
}

const MISMATCH = { certificate_number: "证号", category: "残疾类别", grade: "残疾等级", status: "状态", valid_until: "有效期" };

/** One data comparison (数据比对) in Chinese: a waiver, or a declared 低保 / 特困 confirmed or not. */
export function dataCheckText(c) {
  const roster = `${ROSTER[c.source] || c.source}名册`;
  const fields = (c.mismatch || []).map((m) => MISMATCH[m.split(":")[0]] || m.split(":")[0]);
  const differs = fields.length ? `（不一致：${[...new Set(fields)].join("、")}）` : "";
  if (c.type === "waiver") return c.waived ? `${roster}：证件有效，免交${MATERIALS[c.code] || c.code}` : `${roster}：与申请不一致，不免交${differs}`;
  return c.confirmed ? `${roster}：申报属实` : `${roster}：与申报不一致${differs}`;
}

/** A rule check's conclusion; a server without ``result`` still has ``eligible``. */
export function ruleResultText(c) {
  return RULE_RESULT[c.result] || (c.eligible ? RULE_RESULT.met : RULE_RESULT.not_met);
}

export function rulesSection(kase) {
  const checks = kase.rule_checks || [];
  const compared = kase.data_checks || [];
  return h("section", { class: "card", "aria-labelledby": "rules-title" },
    h("h2", { id: "rules-title" }, "规则校验（业务属地申请日有效的规则）"),
    compared.length ? h("ul", { class: "data-checks", "aria-label": "数据比对" },
      compared.map((c) => h("li", {}, `数据比对 · ${dataCheckText(c)}`))) : null,
    checks.length ? h("table", { class: "list" },
      h("thead", {}, h("tr", {}, ["补贴", "结论", "依据", "规则版本"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, checks.map((c) => h("tr", {},
        h("th", { scope: "row" }, SUBSIDY[c.subsidy] || c.subsidy),
        h("td", {}, ruleResultText(c)),
        h("td", {}, (c.reasons_zh?.length ? c.reasons_zh : c.reasons || []).join("；") || "—"),
        h("td", {}, c.rule_version === "national-default" ? "国家标准（国发〔2015〕52号）"
          : String(c.rule_version).replace(/^(\d+)@(.+)$/, "地区 $1，$2 起施行"))))))
      : h("p", { class: "empty" }, "暂无规则校验结果。"));
}

export function supplementRequestSection(kase, rerender) {
  const code = h("select", { name: "items[0].code" }, h("option", { value: "" }, "（不对应某项材料）"),
    Object.entries(NAMES).map(([value, text]) => h("option", { value }, text)));
  const description = h("input", { name: "items[0].description", maxlength: "300", autocomplete: "off" });
  const note = h("input", { name: "note", maxlength: "500", autocomplete: "off" });
  const form = h("form", { class: "stack" }, field("需补正的材料", code), field("需补正的内容", description),
    field("说明（可不填）", note), formError(), h("button", { type: "submit" }, "发出补正要求（审核时限暂停）"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await post(`/cases/${kase.case_id}/supplement-request`, {
        items: [{ code: code.value || undefined, description: description.value.trim() }],
        note: note.value.trim() || undefined });
      await rerender("已发出补正要求");
    } catch (error) {
      showError(form, error);
    }
  });
  return h("section", { class: "card", "aria-labelledby": "supplement-title" },
    h("h2", { id: "supplement-title" }, "要求补正"), form);
}

export function decisionSection(kase, rerender) {
  const outcome = (value, text) => h("label", { class: "check" },
    h("input", { type: "radio", name: "outcome", value, checked: value === "approved" }), text);
  const subsidies = kase.subsidies.map((s) => h("label", { class: "check" },
    h("input", { type: "checkbox", name: "granted", value: s, checked: true }), SUBSIDY[s] || s));
  const reason = h("textarea", { name: "reason", rows: "2", maxlength: "1000" });
  const override = h("textarea", { name: "override_reason", rows: "2", maxlength: "1000" });
  const form = h("form", { class: "stack" },
    h("fieldset", { "data-field": "outcome", "aria-describedby": "outcome-error" }, h("legend", {}, "审核结论"),
      outcome("approved", "批准"), outcome("rejected", "不予批准"),
      h("p", { class: "field-error", id: "outcome-error", "data-error-for": "outcome", "aria-live": "polite" })),
    h("fieldset", { "data-field": "subsidies", "aria-describedby": "granted-error" }, h("legend", {}, "批准的补贴（金额按业务属地标准计算）"),
      subsidies, h("p", { class: "field-error", id: "granted-error", "data-error-for": "subsidies", "aria-live": "polite" })),
    field("理由（不予批准时必填）", reason, { hint: "只批准部分申请的补贴时也必填：写明未批准补贴的理由（载入结果通知书；短信只提示理由见结果通知书）" }),
    field("与规则校验不一致时的理由", override, { hint: "规则校验认定不符合而仍批准时必填" }),
    formError(), h("button", { type: "submit", class: "primary" }, "提交审核决定"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const chosen = form.querySelector("input[name=outcome]:checked").value;
    const body = {
      outcome: chosen, reason: reason.value.trim() || undefined, override_reason: override.value.trim() || undefined,
      subsidies: chosen === "approved"
        ? [...form.querySelectorAll("input[name=granted]:checked")].map((c) => ({ type: c.value })) : [],
    };
    try {
      await post(`/cases/${kase.case_id}/decision`, body);
      await rerender("审核决定已提交，结果已实时返回受理地");
    } catch (error) {
      const field = error.field?.startsWith("subsidies") ? "subsidies" : error.field;
      showError(form, Object.assign(error, { field }));
    }
  });
  return h("section", { class: "card", "aria-labelledby": "decide-title" }, h("h2", { id: "decide-title" }, "审核决定"), form);
}

// --- the review chain (初审 → 审核 → 审定): where the case is, and the opinion of the step that holds it ---------------

export const CHAIN_ROLES = ["reviewer", "dpf_reviewer", "approver"];
const LEVEL_DIGITS = { township: 9, county: 6 };

/** Whether the signed-in user holds the case's current step (its role, at its level); the server decides. */
export function holdsStep(kase, user) {
  const step = kase.review?.steps?.[kase.review.at];
  if (!step) return user.role === "reviewer";
  return step.role === user.role && String(user.unit).length === LEVEL_DIGITS[step.level];
}

export function isLastStep(kase) {
  return !kase.review || kase.review.at === kase.review.steps.length - 1;
}

export function chainSection(kase, user) {
  const review = kase.review;
  if (!review) return h("p", { class: "hint" }, "案件推送后进入业务属地的审核流程。");
  const steps = h("ol", { class: "chain" }, review.steps.map((step, index) => {
    const here = index === review.at;
    const who = ROLES[step.role] || step.role;
    const days = step.publicity_days ? `，公示 ${step.publicity_days} 天` : "";
    return h("li", { "aria-current": here ? "step" : null, class: here ? "current" : null },
      `${step.label}（${who}${days}）`, here ? h("strong", {}, " ← 当前环节") : null);
  }));
  const mine = kase.status === "under_review" && holdsStep(kase, user);
  const note = kase.status !== "under_review" ? "" : mine ? "本环节由您办理。"
    : `当前由${ROLES[review.steps[review.at].role] || ""}办理${review.steps[review.at].label}。`;
  return h("section", { class: "card", "aria-labelledby": "chain-title" },
    h("h2", { id: "chain-title" }, "审核流程"), steps,
    review.publicity_ends ? h("p", {}, `公示期至 ${review.publicity_ends}`) : null,
    note ? h("p", { class: "hint" }, note) : null);
}

export function opinionSection(kase, rerender) {
  const step = kase.review.steps[kase.review.at];
  const next = kase.review.steps[kase.review.at + 1];
  const reason = h("textarea", { name: "reason", rows: "2", maxlength: "500" });
  const form = h("form", { class: "stack" },
    field("退回理由（退回时必填）", reason, { hint: "退回上一环节时写明原因，上一环节办理人可在办理记录中看到" }),
    formError(),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", value: "agree" }, `同意，转${next?.label || "下一环节"}`),
      kase.review.at > 0 ? h("button", { type: "submit", value: "send_back" }, "退回上一环节") : null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const opinion = event.submitter?.value || "agree";
    try {
      await post(`/cases/${kase.case_id}/review`, { opinion, reason: reason.value.trim() || undefined });
      await rerender(opinion === "agree" ? `已同意，案件已转${next?.label || "下一环节"}` : "已退回上一环节");
    } catch (error) {
      showError(form, error);
    }
  });
  return h("section", { class: "card", "aria-labelledby": "opinion-title" },
    h("h2", { id: "opinion-title" }, `${step.label}意见`), form);
}
