// Chinese text for the API's codes. The API answers in English; the console shows these instead,
// and falls back to the API's own message for a code it does not know.
import { PHASES } from "./phases.js";
import { dateText } from "./ui.js";  // used at call time only: ui.js imports this module too

export const ROLES = { window: "受理窗口", reviewer: "业务属地审核", dpf_reviewer: "县残联审核", approver: "县民政审定",
  supervisor: "督查", admin: "管理员", dpf_admin: "市县残联管理员", committee: "村（居）委会" };

export const STATUS = {
  awaiting_materials: "收取材料中", awaiting_push: "材料已收齐，待推送", under_review: "业务属地审核中",
  supplement_requested: "待补正", result_returned: "结果已返回，待告知", closed: "已办结", withdrawn: "已撤回",
};

export const SCOPE = { cross_province: "跨省通办", cross_city: "跨市通办", cross_county: "跨县通办", local: "本地办理" };

// the statutory phases come from the domain's one table (chalicelib/domain/phases.py → phases.js, generated), named
// as the PDFs and SMS name them (推送时限, 审核时限, 告知时限; 收件时限, 补正时限), never by their codes D0–D3, DS
export const PHASE_SHORT = Object.fromEntries(Object.entries(PHASES).map(([key, p]) => [key, p.label]));
export const PHASE = Object.fromEntries(Object.entries(PHASES).map(
  ([key, p]) => [key, `${p.label}（${p.workingDays}个工作日）`]));

export const SUBSIDY = { living: "困难残疾人生活补贴", nursing: "重度残疾人护理补贴" };

// a committee's 每月查询登记 result (chalicelib/domain/supervision/monitoring.py RESULTS), in the order tapped
export const CHECK_RESULTS = ["present", "deceased", "moved", "other_change"];
export const CHECK_RESULT = { present: "在世且情况未变", deceased: "死亡", moved: "迁出", other_change: "其他变化" };

// an entitlement's status in a month, and what a proposal would do (chalicelib/domain/payments/entitlements.py)
export const ENTITLEMENT_STATUS = { active: "正常发放", suspended: "暂停发放", stopped: "停止发放" };
export const PROPOSAL_ACTION = { stop: "停发", suspend: "暂停发放", correct: "更正残疾类别或等级", resume: "恢复发放" };
export const PROPOSAL_STATUS = { proposed: "待确认", confirmed: "已确认", rejected: "已驳回" };
export const ROSTER_STATUS = { draft: "草稿", finalizing: "确认中", finalized: "已确认发放" };

export const NOTIFY_METHOD = { sms: "短信", phone: "电话", in_person: "当面告知", letter: "信函" };

export const MATERIALS = {
  application_form: "申请表", id_card: "身份证", household_register: "户口簿", disability_certificate: "残疾人证",
  photo: "一寸免冠照片", bank_account: "银行或信用社账户", agent_id_card: "代理人身份证",
  agent_relationship_proof: "委托关系证明", pledge: "承诺书",
};

export const PURPOSES = {
  application_form: "记录申请事项和所申请的补贴", id_card: "证明申请人身份", household_register: "证明户籍在业务属地",
  disability_certificate: "证明残疾类别和等级", photo: "补贴档案用", bank_account: "按月发放补贴的账户（社会化发放）",
  agent_id_card: "证明代理人身份", agent_relationship_proof: "证明代理人可代为申请", pledge: "代理人承诺所填属实",
};

export const MATERIAL_STATUS = { registered: "已登记，待上传", received: "已收到（已核验）", rejected: "已拒收" };

export const EVENTS = {
  accepted: "受理", material_registered: "登记材料", material_received: "收到材料", materials_completed: "材料收齐", review_agreed: "审核同意", review_sent_back: "退回上一环节",
  deadline_recounted: "按新的节假日安排重算期限", deadline_reminder: "期限提醒", deadline_reminded: "期限提醒",
  pushed: "推送至业务属地", decided: "作出决定", applicant_notified: "已告知申请人", withdrawn: "撤回",
  supplement_requested: "要求补正", supplement_sent: "补正材料已送达", identity_read: "查看完整证件号码",
  material_viewed: "查看材料", message_sent: "已发送短信", message_failed: "短信发送失败",
  message_skipped: "未发短信（没有手机号）", message_delivered: "短信已送达", overdue: "超期", deadline_overdue: "超期",
  message_undelivered: "短信未送达，将重发",
  correction_proposed: "提出纠错", correction_agreed: "纠错审核同意", correction_sent_back: "纠错退回上一环节",
  decision_corrected: "决定已纠正",
};

// the milestone a message was about (chalicelib/domain/messages.py MILESTONES)
export const MILESTONE = { accepted: "受理", pushed: "推送", decided: "审核决定", notified: "告知" };

export const RELATIONSHIP = {
  guardian: "监护人", spouse: "配偶", parent: "父母", child: "子女", sibling: "兄弟姐妹", other_relative: "其他亲属",
  committee: "村（居）委会", other: "其他受委托人",
};

// the rosters a material can be waived by (chalicelib/domain/rules/registers.py KINDS)
export const ROSTER = { disability_certificates: "残疾人证", dibao: "低保", tekun: "特困供养" };

// A rule check's result (GET /cases/{id} rule_checks[].result); contradicted: the claim would pass, the roster does not.
export const RULE_RESULT = { met: "✓ 符合条件", not_met: "✗ 不符合条件", contradicted: "✗ 与数据比对不一致（以名册为准）" };

/** A waived notice item's reason in Chinese (the API writes "<roster> roster, load <time>"). */
export function waiverText(waiver) {
  const source = String(waiver || "").split(" roster", 1)[0];
  return ROSTER[source] ? `已通过${ROSTER[source]}数据比对核验，免于提交` : "已通过数据比对核验，免于提交";
}

/** The subsidies a partial approval leaves out, with the reason: 未予认定重度残疾人护理补贴，理由：…… */
export function notGrantedText(items) {
  return (items || []).map((i) => `未予认定${SUBSIDY[i.type] || i.type}，理由：${i.reason || "未记录"}`).join("；");
}

/** What a timeline event adds to its name, in Chinese ("" when nothing). */
export function eventDetail(event) {
  const d = event.detail || {};
  switch (event.event) {
    case "material_registered": case "material_received": case "material_viewed":
      return MATERIALS[d.code] || d.code || "";
    case "review_agreed":
      return `${d.step || ""}同意，转${d.to_step || "下一环节"}`;
    case "review_sent_back":
      return `${d.step || ""}退回${d.to_step || "上一环节"}${d.reason ? `，理由：${d.reason}` : ""}`;
    case "correction_proposed":
      return `拟改为${d.outcome === "approved" ? "批准" : "不予批准"}，理由：${d.reason || "未记录"}，转${d.to_step || "下一环节"}`;
    case "correction_agreed":
      return `${d.step || ""}同意纠错，转${d.to_step || "下一环节"}`;
    case "correction_sent_back":
      return `${d.step || ""}退回纠错至${d.to_step || "上一环节"}${d.reason ? `，理由：${d.reason}` : ""}`;
    case "decision_corrected":
      return `原决定${d.was_outcome === "approved" ? "批准" : "不予批准"}，纠正为${d.outcome === "approved" ? "批准" : "不予批准"}${d.reason ? `，理由：${d.reason}` : ""}`;
    case "materials_completed":  // the last required material arrived: 推送时限 runs from this day
      return d.code ? `最后一项：${MATERIALS[d.code] || d.code}，推送时限起算` : "推送时限起算";
    case "message_sent": case "message_delivered": case "message_skipped":
      return d.milestone ? `${MILESTONE[d.milestone] || d.milestone}短信` : "";
    case "message_failed":
      return `${MILESTONE[d.milestone] || d.milestone || ""}短信，已尝试 ${d.attempts ?? "?"} 次，已报督查`;
    case "message_undelivered":
      return `${MILESTONE[d.milestone] || d.milestone || ""}短信，第 ${d.attempt ?? "?"} 次未送达`;
    case "decided":
      if (d.outcome === "approved") return (d.not_granted || []).length ? `部分批准；${notGrantedText(d.not_granted)}` : "批准";
      return d.outcome === "rejected" ? `不予批准${d.reason ? `，理由：${d.reason}` : ""}` : "";
    case "applicant_notified":
      return NOTIFY_METHOD[d.method] || d.method || "";
    case "withdrawn":
      return d.reason ? `原因：${d.reason}` : "";
    case "supplement_requested":
      return (d.items || []).map((i) => i.description).filter(Boolean).join("；");
    case "deadline_reminder": case "deadline_overdue":
      return `${PHASE_SHORT[d.kind] || d.kind || ""}，到期日 ${dateText(d.due_on)}`;
    case "deadline_recounted":
      return `${PHASE_SHORT[d.kind] || d.kind || ""}：${dateText(d.was_due_on)} → ${dateText(d.due_on)}${d.provisional ? "（仍为暂定）" : ""}`;
    default:
      return "";
  }
}

export const MESSAGES = {
  MISSING_FIELD: "此项必填",
  ID_NUMBER_LENGTH: "身份证号应为 18 位",
  ID_NUMBER_FORMAT: "身份证号应为 17 位数字加最后 1 位数字或 X",
  ID_NUMBER_CHECKSUM: "身份证号校验位不符，请逐位核对",
  ID_NUMBER_BIRTH_DATE: "身份证号中的出生日期不是有效日期",
  ID_NUMBER_REGION: "身份证号的地址码不存在",
  CERTIFICATE_FORMAT: "残疾人证号应为 20 位：身份证号 + 残疾类别 + 残疾等级",
  CERTIFICATE_HOLDER_MISMATCH: "残疾人证号的前 18 位应与申请人身份证号一致",
  CERTIFICATE_CATEGORY: "残疾类别位应为 1–7",
  CERTIFICATE_GRADE: "残疾等级位应为 1–4",
  CERTIFICATE_EXPIRED: "残疾人证已过有效期",
  CERTIFICATE_VALID_UNTIL: "请填写有效期至（年-月-日）",
  UNIT_FORMAT: "单位代码应为 9 位数字（省 2 + 市 2 + 县 2 + 乡镇街道 3）",
  UPLOAD_SIZE_MISMATCH: "拒收：存入的文件大小与登记的不一致",
  UPLOAD_TYPE_MISMATCH: "拒收：存入的文件类型与登记的不一致",
  UPLOAD_CONTENT_MISMATCH: "拒收：文件内容与其类型不符（例如扩展名为 PDF，内容却不是 PDF）",
  UPLOAD_CHECKSUM_MISMATCH: "拒收：文件校验值（SHA-256）与登记的不一致",
  UPLOAD_MISSING: "文件未能存入，请重新上传",
  UPLOAD_ACTIVE_CONTENT: "拒收：文件含可执行内容（脚本、启动动作、内嵌文件或网页代码），或图片不完整；请重新扫描为普通 PDF 或图片",
  TEXT_NOT_UNICODE: "内容含无法识别的字符，请删除后重新输入",
  NAME_CHARACTERS: "姓名含控制字符或文字方向控制符，请按身份证上的姓名重新输入",
  CONTENT_TYPE_NOT_ALLOWED: "拒收：只接受 PDF、JPEG 或 PNG 文件",
  MATERIAL_TOO_LARGE: "拒收：文件超过允许的大小",
  CASE_OUT_OF_REACH: "无此案件，或此案件不在您所在单位的办理范围内",
  ROLE_NOT_ALLOWED: "无权操作：您的角色不能进行此操作",
  UNIT_NOT_TOWNSHIP: "无权操作：此操作需要乡镇（街道）级单位",
  UNIT_NOT_NATIONAL: "无权操作：节假日安排由国家级管理员载入和更正",
  UNIT_NOT_COUNTY: "无权操作：此操作需要县级单位（6 位代码）",
  NOT_YOUR_STEP: "此案件当前不在您负责的审核环节",
  CHAIN_NOT_DONE: "审核流程尚未走到最后一个环节，请先在本环节签署同意，转下一环节",
  LAST_STEP_DECIDES: "这是最后一个环节：请直接作出认定决定",
  PUBLICITY_RUNNING: "公示期尚未结束，期满后方可转下一环节",
  FIRST_STEP: "这是第一个环节，无法再退回；如需申请人补充材料，请要求补正",
  NOT_DECIDED: "案件尚未作出决定，不能纠错",
  CORRECTION_PENDING: "本案已有纠错正在审核，请先同意或退回",
  NO_CORRECTION: "本案没有待审核的纠错",
  DECISION_UNCHANGED: "纠错内容与现行决定相同",
  CORRECTION_REASON_REQUIRED: "纠错须填写理由",
  UNIT_NOT_CITY_OR_COUNTY: "此操作须由市级或县级单位（4 位或 6 位单位代码）办理",
  // administrators: material lists, set-up gaps, tables, chains, time limits, the calendar, rosters, comparisons
  SCOPE_OUT_OF_REACH: "无权操作：此范围不在本单位之内", SCOPE_FORMAT: "范围代码应为 2、4 或 6 位数字",
  LOCAL_CODE_FORMAT: "材料代码应为 2 至 40 位小写英文字母、数字或下划线，以字母开头",
  LOCAL_CODE_IS_STANDARD: "此代码是标准目录中的材料，请用标准材料的增减设置", DUPLICATE_CODE: "同一清单中材料代码重复",
  NOT_CHINESE: "请用中文填写（告知书按此打印）", LOCAL_NAME_IS_STANDARD: "此名称是标准目录中的材料",
  DUPLICATE_NAME: "同一清单中材料名称重复", RULES_REFUSED: "清单与上级清单冲突，未保存",
  CONFLICTING_CODE: "本清单的本地材料不能同时删除或改为可选", RULE_IN_FORCE: "该日已生效的版本不能修改：请另设较晚的生效日期",
  AMOUNT_TABLE_REFUSED: "标准表有重叠或缺口，未载入", OUT_OF_RANGE: "数值超出允许范围",
  CALENDAR_CONFLICT: "与已知的节假日安排冲突", CALENDAR_UNCHANGED: "纠错内容与现行安排相同",
  CALENDAR_YEAR_NOT_LOADED: "该年尚未载入，请先载入", CALENDAR_YEAR_MISSING: "该年的节假日安排尚未载入",
  CALENDAR_ALREADY_LOADED: "该年刚被他人载入，请刷新后核对", YEAR_RANGE: "年份超出范围",
  ROSTER_MISSING: "存储桶中此位置没有文件，请核对文件位置",
  ROSTER_KEY: "文件位置应以 rosters/ 开头", UNKNOWN_ROSTER: "没有这种名册", ROSTER_FORMAT: "名册文件格式不正确（应为 CSV）",
  ROSTER_HEADER: "名册文件的表头不正确", UNKNOWN_ID_POLICY: "名册身份证号的显示方式不正确",
  DATE_IN_BOTH: "同一日期不能既是休息日又是调休上班日", DATE_OUTSIDE_YEAR: "日期不在所载入的年份之内",
  DATE_RANGE: "日期超出范围或结束日期早于起始日期", DUPLICATE_DATE: "日期重复", WORKDAY_NOT_WEEKEND: "调休上班日应为周六或周日",
  AGE_FORMAT: "年龄应为整数", AGE_RANGE: "年龄范围不正确", AMBIGUOUS_AMOUNT_STANDARD: "同一人同一天适用两行标准，请调整条件或日期",
  AMOUNT_OR_PERCENT: "每行填写月标准金额或低保标准百分比，二者只填一项", NO_DIBAO_LINE: "按低保标准百分比计算时须有低保标准",
  PERCENT_FORMAT: "百分比格式不正确（大于 0，至多 100）", ROWS_EMPTY: "标准表至少一行",
  OPTIONAL_NOT_REQUIRED: "标为可选的材料不在清单之中", OVERRIDE_ONLY_FOR_CITY_OR_COUNTY: "增删材料只用于市、县清单",
  REQUIRE_EMPTY: "省级清单至少一项材料", REQUIRE_ONLY_FOR_PROVINCE: "完整清单只用于省级",
  UNKNOWN_OPINION: "审核意见只能是“同意”或“退回”",
  REASON_REQUIRED: "退回时须填写理由",
  STEP_LABEL: "环节名称须为 2 至 8 个汉字（如初审、审核、审定、公示）",
  UNKNOWN_STEP_ROLE: "环节的办理角色不正确",
  PUBLICITY_DAYS: "公示天数须为 1 至 30 天",
  TOO_MANY_STEPS: "审核流程最多 6 个环节",
  TOKEN_LIFETIME: "登录凭证有效期过长（最长 24 小时），请重新登录",
  TOKEN_MISSING: "请先登录", TOKEN_EXPIRED: "登录已过期，请重新登录", TOKEN_INVALID: "登录凭证无效，请重新登录",
  INVALID_TRANSITION: "案件当前的状态不允许此操作",
  MATERIALS_MISSING: "材料尚未收齐",
  MATERIAL_NOT_RECEIVED: "此材料尚未收到，不能查看",
  DUPLICATE_APPLICATION: "此人已有同一补贴的在办申请",
  SUBSIDIES_EMPTY: "批准时至少选择一项补贴",
  NOT_GRANTED_REASON_MISSING: "只批准部分申请的补贴时，须填写未批准补贴的理由",
  SUBSIDY_NOT_REQUESTED: "申请人未申请此项补贴",
  RULE_CHECK_FAILED: "规则校验认定不符合条件；如仍批准，须填写理由",
  AMOUNT_MISMATCH: "月补贴金额与业务属地的标准不一致",
  PHONE_FORMAT: "手机号格式不正确",
  MATERIAL_ALREADY_RECEIVED: "此材料已收到",
  MATERIAL_NOT_REQUIRED: "一次性告知中没有这项材料",
  SUPPLEMENT_INCOMPLETE: "补正材料尚未全部收到",
  UNKNOWN_METHOD: "请选择告知方式",
  SUBSIDIES_ON_REJECTION: "不予批准时不能选择补贴",
  TOO_LONG: "内容过长",
  SUPPLEMENT_ITEMS_EMPTY: "至少列出一项需要补正的内容",
  UNKNOWN_OUTCOME: "请选择审核结论",
  CONCURRENT_UPDATE: "案件正被他人修改，请刷新后重试",
  AGENT_IS_APPLICANT: "代理人不能是申请人本人",
  UNKNOWN_RELATIONSHIP: "请选择代理人与申请人的关系",
  UNKNOWN_SUBSIDY: "请选择要申请的补贴", DUPLICATE_SUBSIDY: "同一补贴只能选择一次",
  UNKNOWN_AREA: "城乡类别不正确", UNKNOWN_MATERIAL: "没有这种材料", UNKNOWN_FIELD: "提交了不认识的项目",
  WRONG_TYPE: "所填内容的类型不正确", DATE_FORMAT: "日期格式应为 年-月-日",
  AMOUNT_FORMAT: "金额格式应为元，如 99.00", AMOUNT_NOT_POSITIVE: "金额应大于 0",
  AMOUNT_REQUIRED: "业务属地没有补贴标准表，请填写月补贴金额",
  ACCOUNT_FORMAT: "账号应为 8 至 30 位数字（可带空格）", MONTH_FORMAT: "月份格式应为 年-月，如 2026-09", UPLOAD_ENCODING: "文件须为 UTF-8 或 GB18030（GBK）编码的 CSV",
  NO_AMOUNT_STANDARD: "补贴标准表没有适用的标准：请填写月补贴金额并写明特批理由",
  ROSTER_FINALIZED: "该月发放名册已确认发放，不能再次生成或确认", DRAFT_STALE: "名册草稿生成后有变动，请重新生成并核对",
  LEDGER_BUSY: "本单位正在确认另一份发放名册，请几分钟后再试", RECOVERY_EXCEEDS_DEBT: "追回金额超过应退金额",
  COMMITTEE_OUTSIDE_UNIT: "村（居）委会不在申请人户籍所在乡镇（街道）：代码前 9 位应与户籍所在乡镇（街道）代码相同",
  COMMITTEE_REQUIRED: "请填写所在村（居）委会代码：由它每月查询登记",
  COMMITTEE_FORMAT: "村（居）委会代码应为 12 位数字（乡镇街道 9 位 + 村居委会 3 位）",
  FILENAME: "文件名不正确", SHA256_FORMAT: "文件校验值格式不正确", SIZE: "文件大小不正确",
  TOO_MANY_ITEMS: "一次最多列出 20 项补正内容",
  MATERIAL_NOT_FOUND: "没有这份材料", WRONG_ROLE: "您的角色不能进行此操作",
  RESULT_NOT_DECIDED: "尚未作出审核决定，没有结果通知书", UNKNOWN_DELIVERY: "不支持的文书获取方式",
  UNIT_UNKNOWN_COUNTY: "单位代码中的县级代码不存在", UNIT_OUT_OF_REACH: "无权查看：此单位不在您的范围内",
  CASE_ID_TAKEN: "案件编号已被使用，请重新提交", CASE_NOT_FOUND: "没有这个案件",
  BAD_PAGE_TOKEN: "翻页位置已失效，请从第一页重新查看", BOOLEAN_FORMAT: "应为是或否", UNKNOWN_STATUS: "没有这种案件状态",
  IDEMPOTENCY_IN_PROGRESS: "同一操作正在处理，请稍候", IDEMPOTENCY_KEY_FORMAT: "请求编号格式不正确，请刷新后重试",
  IDEMPOTENCY_KEY_REUSED: "请求编号已用于另一操作，请刷新后重试",
  BODY_MISSING: "请求内容为空", BODY_TOO_LARGE: "请求内容过大", MALFORMED_JSON: "请求内容格式不正确",
  UNSUPPORTED_MEDIA_TYPE: "请求内容类型不正确", CLOCK_NOW_FORMAT: "测试时间格式不正确",
  TOKEN_MALFORMED: "登录凭证无效，请重新登录", TOKEN_ROLE: "登录凭证中的角色不正确", TOKEN_UNIT: "登录凭证中的单位代码不正确",
  TOKEN_SUB: "登录凭证缺少用户标识，请重新登录",
  // the committees' 每月查询登记 and payments (issue 19)
  CHECK_MONTH_CLOSED: "该月的查询登记已于月底截止，不能再登记或更改", CHECK_NOT_FOUND: "本月名单上没有此补贴对象",
  UNKNOWN_RESULT: "请选择查询结果", NOTE_TOO_LONG: "情况说明最多 500 字", YEAR_FORMAT: "年份格式应为四位数字，如 2026",
  REVIEW_TASK_NOT_FOUND: "本年度没有此补贴对象的复核任务",
  ENTITLEMENT_OUT_OF_REACH: "无此补贴对象，或不在本单位的办理范围内", ENTITLEMENT_NOT_FOUND: "没有这个补贴对象",
  DUPLICATE_RECEIPT: "此人已在领取同一补贴，不能重复享受",
  UNKNOWN_PRICING: "金额依据只能是“按标准表”或“特批金额”",
  PROPOSAL_DECIDED: "此提议已由他人处理，请刷新后查看", PROPOSAL_NOT_FOUND: "没有这条提议",
  PROPOSAL_OUT_OF_REACH: "无权操作：此提议不在本单位的办理范围内",
  ROSTER_NOT_FOUND: "该月还没有这份名册，请先生成名册草稿", UNKNOWN_STAGE: "只能下载名册草稿或已确认发放的名册",
  UNKNOWN_COMPARISON: "没有这种数据比对", COMPARISON_KEY: "比对文件须放在存储桶的 comparisons/ 目录下",
  UNKNOWN_ACTION: "请选择停止发放、暂停发放或恢复发放", MONTH_RANGE: "生效月份早于开始发放的月份",
  AMOUNT_OR_TABLE: "填写特批金额，或按标准表，二者选一", NOTHING_TO_CORRECT: "请填写要纠正的内容",
  UNKNOWN_LOW_INCOME: "低保情况只能是低保、低保边缘或无",
  NETWORK: "无法连接服务器，请检查网络后重试",
  INTERNAL: "服务器内部错误，请稍后重试",
};

export function message(error) {
  const text = MESSAGES[error.code];
  if (text) return text;
  if (error.status === 403) return `无权操作：${error.message}`;
  return error.message || "操作未成功";
}
