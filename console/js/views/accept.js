// 受理: the window accepts an application; ID and certificate numbers are checked as they are typed.
import { post } from "../api.js";
import { checkCertificate, checkIdNumber } from "../identity.js";
import { MESSAGES, RELATIONSHIP, SUBSIDY } from "../labels.js";
import { clearErrors, field, formError, h, showError, showFieldError } from "../ui.js";

export const accepted = new Map(); // case_id -> the POST /cases answer, so the notice shows at once

export function today() {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());
}

function say(form, name, result, typed, length) {
  const line = form.querySelector(`[data-error-for="${name}"]`);
  if (typed < length) {
    showFieldError(form, name, "");
    line.textContent = typed ? `已输入 ${typed} / ${length} 位` : "";
    return false;
  }
  if (!result.ok) {
    showFieldError(form, name, MESSAGES[result.code] || result.code);
    return false;
  }
  showFieldError(form, name, "");
  line.textContent = "✓ 校验通过";
  return true;
}

/** The village or residents committee (村/居委会) that checks the recipient each month: 12 digits, the first 9 those
 * of the hukou township (the API's applicant.committee_unit rules, chalicelib/domain/cases/applications.py). */
export function checkCommittee(raw, hukouUnit) {
  const value = String(raw || "").replaceAll(" ", "");
  if (!value) return { ok: false, code: "COMMITTEE_REQUIRED" };
  if (!/^[0-9]{12}$/.test(value)) return { ok: false, code: "COMMITTEE_FORMAT" };
  const township = String(hukouUnit || "").trim();
  if (/^[0-9]{9}$/.test(township) && !value.startsWith(township)) return { ok: false, code: "COMMITTEE_OUTSIDE_UNIT" };
  return { ok: true, value };
}

/** The agent's ID number: the same checks as the applicant's, and not the applicant's own. */
function checkAgentId(raw, applicantId) {
  const result = checkIdNumber(raw, today());
  const applicant = String(applicantId || "").replaceAll(" ", "").toUpperCase();
  return result.ok && result.value === applicant ? { ok: false, code: "AGENT_IS_APPLICANT" } : result;
}

export function acceptPage(main) {
  const input = (name, attrs = {}) => h("input", { name, autocomplete: "off", ...attrs });
  const idNumber = input("applicant.id_number", { maxlength: "20", spellcheck: "false" });
  const certNumber = input("certificate.number", { maxlength: "22", spellcheck: "false" });
  const validUntil = input("certificate.valid_until", { type: "date" });
  const hukouUnit = input("applicant.hukou_unit", { inputmode: "numeric", maxlength: "9" });
  const committee = input("applicant.committee_unit", { inputmode: "numeric", maxlength: "12", spellcheck: "false" });
  const subsidies = Object.entries(SUBSIDY).map(([value, text]) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "subsidy", value, checked: true }), text));
  // 委托办理: an agent files for the applicant (guardian, family, committee...); the notice then adds the
  // agent's ID card, the proof of the delegation and the pledge
  const byAgent = h("input", { type: "checkbox", name: "by_agent", "aria-controls": "agent-fields" });
  const agentId = input("agent.id_number", { maxlength: "20", spellcheck: "false" });
  const relationship = h("select", { name: "agent.relationship" }, h("option", { value: "" }, "（请选择）"),
    Object.entries(RELATIONSHIP).map(([value, text]) => h("option", { value }, text)));
  const agentFields = h("div", { class: "grid", id: "agent-fields", hidden: true },
    field("代理人姓名", input("agent.name", { maxlength: "50" })),
    field("代理人公民身份号码", agentId, { hint: "18 位，输入时即校验；不能与申请人相同" }),
    field("代理人与申请人的关系", relationship));
  const lowIncome = [["dibao", "低保"], ["dibao_edge", "低保边缘"], ["tekun", "特困供养"]].map(([value, text]) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "low_income", value }), text));

  const form = h("form", { class: "card wide", novalidate: true },
    h("fieldset", {}, h("legend", {}, "申请人"),
      h("div", { class: "grid" },
        field("姓名", input("applicant.name", { maxlength: "40" })),
        field("公民身份号码", idNumber, { hint: "18 位，输入时即校验（末位可为 X）" }),
        field("手机号", input("applicant.phone", { inputmode: "tel", maxlength: "11" })),
        field("户籍所在乡镇（街道）代码", hukouUnit, { hint: "9 位：业务属地，由它审核和发放" }),
        field("所在村（居）委会代码", committee,
          { hint: "12 位：乡镇（街道）代码 9 位 + 村（居）委会 3 位；由它每月查询登记" }),
        field("户籍地址", input("applicant.hukou_address", { maxlength: "120" })))),
    h("fieldset", {}, h("legend", {}, "残疾人证"),
      h("div", { class: "grid" },
        field("残疾人证号", certNumber, { hint: "20 位：身份证号 + 残疾类别 + 残疾等级" }),
        field("有效期至", validUntil))),
    h("fieldset", { "data-field": "subsidies", "aria-describedby": "subsidies-error" }, h("legend", {}, "申请的补贴"),
      subsidies, h("p", { class: "field-error", id: "subsidies-error", "data-error-for": "subsidies", "aria-live": "polite" })),
    h("fieldset", {}, h("legend", {}, "委托办理"),
      h("label", { class: "check" }, byAgent, "由代理人申请（监护人、家属、村（居）委会或其他受委托人）"),
      agentFields),
    h("fieldset", {}, h("legend", {}, "家庭经济状况（申请人自报，由数据比对核实）"), lowIncome),
    h("fieldset", {}, h("legend", {}, "补贴发放账户（社会化发放，本人名下）"),
      h("div", { class: "grid" },
        field("开户银行或信用社", input("applicant.bank_account.bank", { maxlength: "60" }),
          { hint: "写到支行，如 中国农业银行哈尔滨道里支行" }),
        field("账号", input("applicant.bank_account.number", { inputmode: "numeric", maxlength: "40" }),
          { hint: "8 至 30 位数字，可带空格" }))),
    formError(),
    h("button", { type: "submit", class: "primary" }, "受理并生成一次性告知书"));

  idNumber.addEventListener("input", () => {
    const typed = idNumber.value.replaceAll(" ", "").length;
    say(form, "applicant.id_number", checkIdNumber(idNumber.value, today()), typed, 18);
    if (certNumber.value) certNumber.dispatchEvent(new Event("input"));
    if (agentId.value) agentId.dispatchEvent(new Event("input"));
  });
  byAgent.addEventListener("change", () => {
    agentFields.hidden = !byAgent.checked;
    if (byAgent.checked) form.elements["agent.name"].focus();
  });
  agentId.addEventListener("input", () => {
    const typed = agentId.value.replaceAll(" ", "").length;
    say(form, "agent.id_number", checkAgentId(agentId.value, idNumber.value), typed, 18);
  });
  // the committee as typed: the digits counted, then checked against the hukou township
  const sayCommittee = () => {
    const typed = committee.value.replaceAll(" ", "").length;
    say(form, "applicant.committee_unit", checkCommittee(committee.value, hukouUnit.value), typed, 12);
  };
  committee.addEventListener("input", sayCommittee);
  hukouUnit.addEventListener("input", () => { if (committee.value) sayCommittee(); });
  certNumber.addEventListener("input", () => {
    const holder = idNumber.value.replaceAll(" ", "").toUpperCase();
    const typed = certNumber.value.replaceAll(" ", "").length;
    say(form, "certificate.number", checkCertificate(certNumber.value, undefined, holder, today()), typed, 20);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const value = (name) => form.elements[name].value.trim();
    const id = checkIdNumber(value("applicant.id_number"), today());
    if (!id.ok) return showError(form, { code: id.code, field: "applicant.id_number" });
    const cert = checkCertificate(value("certificate.number"), value("certificate.valid_until"), id.value, today());
    if (!cert.ok) return showError(form, { code: cert.code, field: `certificate.${cert.field}` });
    const village = checkCommittee(value("applicant.committee_unit"), value("applicant.hukou_unit"));
    if (!village.ok) return showError(form, { code: village.code, field: "applicant.committee_unit" });
    let agent;
    if (byAgent.checked) {
      const checked = checkAgentId(value("agent.id_number"), id.value);
      if (!checked.ok) return showError(form, { code: checked.code, field: "agent.id_number" });
      if (!value("agent.name")) return showError(form, { code: "MISSING_FIELD", field: "agent.name" });
      if (!value("agent.relationship")) return showError(form, { code: "UNKNOWN_RELATIONSHIP", field: "agent.relationship" });
      agent = { name: value("agent.name"), id_number: checked.value, relationship: value("agent.relationship") };
    }
    const bank = value("applicant.bank_account.bank"), account = value("applicant.bank_account.number");
    const body = {
      applicant: { name: value("applicant.name"), id_number: id.value, phone: value("applicant.phone"),
        hukou_unit: value("applicant.hukou_unit"), hukou_address: value("applicant.hukou_address"),
        committee_unit: village.value,
        bank_account: bank || account ? { bank, number: account } : undefined },
      certificate: { number: cert.value, valid_until: value("certificate.valid_until") },
      subsidies: [...form.querySelectorAll("input[name=subsidy]:checked")].map((c) => c.value),
      agent,
      low_income: Object.fromEntries([...form.querySelectorAll("input[name=low_income]")].map((c) => [c.value, c.checked])),
    };
    try {
      const kase = await post("/cases", body);
      accepted.set(kase.case_id, kase);
      location.hash = `#/case/${encodeURIComponent(kase.case_id)}`;
    } catch (error) {
      showError(form, error);
    }
  });
  main.append(h("h1", {}, "受理新申请"), form);
}
