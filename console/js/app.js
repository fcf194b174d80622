// The console's shell: configuration, sign-in state, and a hash router over the role pages.
import { setApiBase } from "./api.js";
import { oidcCallback, session, signOut } from "./auth.js";
import { ROLES } from "./labels.js";
import { h, unitText } from "./ui.js";
import { acceptPage } from "./views/accept.js";
import { amountsPage, calendarPage, chainPage, dataPage, materialsPage, setupGapsPage, timeLimitsPage } from "./views/admin.js";
import { casePage } from "./views/case.js";
import { checksPage } from "./views/checks.js";
import { entitlementPage, paymentsPage } from "./views/payments.js";
import { inboxPage, worklistPage } from "./views/worklist.js";
import { signInPage } from "./views/signin.js";
import { supervisorPage } from "./views/supervisor.js";

export const HOME = { window: "#/cases", reviewer: "#/inbox", dpf_reviewer: "#/inbox", approver: "#/inbox",
  supervisor: "#/overdue", admin: "#/materials", dpf_admin: "#/materials", committee: "#/checks" };
export const NAV = {
  window: [["#/cases", "本窗口案件"], ["#/accept", "受理新申请"]],
  reviewer: [["#/inbox", "待审核（按期限）"], ["#/payments", "补贴发放"]],
  dpf_reviewer: [["#/inbox", "本环节待办（按期限）"]],
  approver: [["#/inbox", "本环节待办（按期限）"]],
  supervisor: [["#/overdue", "超期督办"], ["#/gaps", "清单缺口"]],
  admin: [["#/materials", "证明材料清单"], ["#/gaps", "清单缺口"], ["#/amounts", "补贴标准"], ["#/chain", "审核流程"],
    ["#/time-limits", "办理时限"], ["#/calendar", "节假日安排"], ["#/data", "名册与数据比对"]],
  dpf_admin: [["#/materials", "证明材料清单"], ["#/gaps", "清单缺口"]],
  committee: [["#/checks", "每月查询登记"]],
};
let config = null;

async function loadConfig() {
  const response = await fetch("config.json", { cache: "no-store" });
  config = await response.json();
  setApiBase(config.api);
  return config;
}

function header(user) {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  nav.replaceChildren();
  who.replaceChildren();
  if (!user) return;
  const here = location.hash.split("/").slice(0, 2).join("/");
  nav.append(h("ul", {}, (NAV[user.role] || []).map(([href, text]) =>
    h("li", {}, h("a", { href, "aria-current": here === href ? "page" : null }, text)))));
  who.append(
    h("span", {}, `${user.name}（${ROLES[user.role] || user.role} · 单位 ${unitText(user.unit)}）`),
    h("button", { type: "button", class: "link", onclick: () => { signOut(); location.hash = "#/signin"; } }, "退出"),
  );
}

async function route() {
  const main = document.getElementById("main");
  document.getElementById("alert").hidden = true;
  const user = session();
  const [, page, id] = location.hash.split("/");
  if (!user && page !== "signin") {
    location.hash = "#/signin";
    return;
  }
  header(user);
  // each navigation renders into a container of its own: a slower page still loading from the one
  // before writes into its detached container, never into this one
  const view = document.createElement("div");
  main.replaceChildren(view);
  const pages = {
    signin: () => signInPage(view, config),
    cases: () => worklistPage(view, user),
    accept: () => acceptPage(view, user),
    case: () => casePage(view, user, decodeURIComponent(id || "")),
    inbox: () => inboxPage(view, user),
    overdue: () => supervisorPage(view, user),
    materials: () => materialsPage(view, user),
    gaps: () => setupGapsPage(view, user),
    amounts: () => amountsPage(view, user),
    chain: () => chainPage(view, user),
    "time-limits": () => timeLimitsPage(view, user),
    calendar: () => calendarPage(view, user),
    data: () => dataPage(view, user),
    checks: () => checksPage(view, user, id),
    payments: () => paymentsPage(view, user),
    entitlement: () => entitlementPage(view, user, decodeURIComponent(id || "")),
  };
  const show = pages[page] || (() => { location.hash = HOME[user?.role] || "#/signin"; });
  await show();
  const heading = view.querySelector("h1");
  if (heading && view.isConnected) {
    document.title = `${heading.textContent} · 跨省通办工作台`;
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

// 适老化: a large-text mode (the header's toggle), kept across visits in this browser
const LARGE = "console.largeText";
function largeTextToggle() {
  const button = document.getElementById("large-text");
  const apply = (on) => {
    document.documentElement.classList.toggle("large-text", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
  };
  apply(localStorage.getItem(LARGE) === "1");
  button.addEventListener("click", () => {
    const on = button.getAttribute("aria-pressed") !== "true";
    localStorage.setItem(LARGE, on ? "1" : "0");
    apply(on);
  });
}

async function start() {
  largeTextToggle();
  await loadConfig();
  if (config.auth?.kind === "oidc") {
    try {
      if (await oidcCallback(config.auth)) location.hash = HOME[session().role] || "#/";
    } catch (error) {
      document.getElementById("alert").hidden = false;
      document.getElementById("alert").textContent = `登录未完成：${error.message}`;
    }
  }
  window.addEventListener("hashchange", route);
  await route();
}

start();
