// Sign-in: the local stage's role/unit picker, or the identity provider in deployed stages.
import { localSignIn, localUsers, oidcSignIn } from "../auth.js";
import { ROLES } from "../labels.js";
import { clearErrors, field, formError, h, showError } from "../ui.js";

const HOME = { window: "#/cases", reviewer: "#/inbox", supervisor: "#/overdue", committee: "#/checks" };

export async function signInPage(main, config) {
  main.append(h("h1", {}, "登录"));
  if (config.auth?.kind === "oidc") {
    main.append(
      h("p", {}, "使用本单位的统一身份认证账号登录。"),
      h("button", { type: "button", class: "primary", onclick: () => oidcSignIn(config.auth) }, "前往统一身份认证登录"),
    );
    return;
  }
  const users = await localUsers();
  const done = (user) => { location.hash = HOME[user.role] || "#/"; };

  const demo = h("select", { name: "sub" }, users.map((u) =>
    h("option", { value: u.sub }, `${u.name}（${ROLES[u.role] || u.role} ${u.unit}）`)));
  const demoForm = h("form", { class: "card", "aria-labelledby": "demo-title" },
    h("h2", { id: "demo-title" }, "演示用户"),
    h("p", { class: "hint" }, "本地环境（local）专用：令牌由本机签发，部署环境使用统一身份认证。"),
    field("选择演示用户", demo),
    formError(),
    h("button", { type: "submit", class: "primary" }, "以此用户登录"));
  demoForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(demoForm);
    try { done(await localSignIn({ sub: demo.value })); } catch (error) { showError(demoForm, error); }
  });

  const role = h("select", { name: "role" }, ["window", "reviewer", "dpf_reviewer", "approver", "supervisor", "committee"].map((r) =>
    h("option", { value: r }, ROLES[r])));
  role.append(...["admin", "dpf_admin"].map((r) => h("option", { value: r }, ROLES[r])));  // administrators
  const unit = h("input", { name: "unit", inputmode: "numeric", autocomplete: "off", maxlength: "12" });
  const name = h("input", { name: "name", autocomplete: "off", maxlength: "40" });
  const pickForm = h("form", { class: "card", "aria-labelledby": "pick-title" },
    h("h2", { id: "pick-title" }, "按角色和单位登录"),
    field("角色", role),
    field("单位代码", unit, { hint: "窗口和审核为 9 位乡镇（街道）代码，县残联审核和县民政审定为 6 位县级代码，督查可为 2、4、6 位，村（居）委会为 12 位" }),
    field("显示名称（可不填）", name),
    formError(),
    h("button", { type: "submit", class: "primary" }, "登录"));
  pickForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(pickForm);
    try {
      done(await localSignIn({ role: role.value, unit: unit.value.trim(), name: name.value.trim() }));
    } catch (error) {
      showError(pickForm, error);
    }
  });
  main.append(h("div", { class: "columns" }, demoForm, pickForm));
}
