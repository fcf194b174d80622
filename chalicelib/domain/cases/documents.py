"""The documents handed over at the window, as plain data (pure): 一次性告知书, 受理回执, 结果通知书.

An approval's 结果通知书 says who explains the subsidy's type and standard (the 业务属地's unit and consultation phone
as configured, ``result_texts.explains_standard``), never the 受理地 window.

Each builder turns a case into a ``Document``: a title and blocks (label/value rows, tables,
paragraphs, headings, a QR code) in Chinese, ready for any renderer (``adapters/pdf.py`` draws A4
PDF; the API also answers them as JSON). ID numbers are masked (first 3 and last 4 characters);
dates are written YYYY年M月D日 and money in 元 with two decimals.

The remedies on a refusal (救济途径) — a whole refusal, or the subsidy a partial approval leaves out — are
``result_texts.remedies``, checked against the statutes there; the SMS quotes the same function.

Implements: 民办发〔2021〕2号 (DOMAIN.md §2): the 一次性告知书 is step 1's single complete notice (最多跑一次, waived
materials, electronic materials, no paper); the 受理回执 prints the D1–D3 limits of steps 2, 3 and 5, counted per
民法典 第二百零一条 (DOMAIN.md §4); the 结果通知书 is step 5's notice with step 6's subsidy type and standard, paid from
the application month (黑民发〔2021〕6号 四(二), as domain.payments cites it). The remedies: 行政复议法 and 行政诉讼法
(``result_texts``).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Union
from urllib.parse import quote

from msgspec import Struct
from msgspec.structs import asdict

from ..errors import Conflict
from ..identity import mask_id_number
from ..rules.registers import KINDS as ROSTER_KINDS
from ..rules.rules import STANDARD_LIST_NOTE, standard_list_used
from .applications import SUBSIDY_NAMES
from .case import Case, Deadline, DeadlineKind
from .result_texts import NO_REASON, explains_standard, not_granted, remedies, subsidy_names, unit_label

KINDS = ("notice", "receipt", "result_notice")
TITLES = {
    "notice": "残疾人两项补贴“跨省通办”一次性告知书",
    "receipt": "残疾人两项补贴“跨省通办”受理回执",
    "result_notice": "残疾人两项补贴“跨省通办”认定结果通知书",
}
FILE_NAMES = {"notice": "一次性告知书", "receipt": "受理回执", "result_notice": "结果通知书"}
# The purpose of each material, told to the applicant (rules.CATALOGUE keeps the English for operators).
PURPOSES = {
    "application_form": "记录申请事项和申请的补贴",
    "id_card": "核验申请人身份",
    "household_register": "核验户籍在业务属地",
    "disability_certificate": "核验残疾类别和等级",
    "photo": "用于补贴档案",
    "bank_account": "按月发放补贴的本人账户（社会化发放）",
    "agent_id_card": "核验代办人身份",
    "agent_relationship_proof": "证明代办人可代为办理",
    "pledge": "代办人承诺所报情况属实",
}
# The statutory timetable (DOMAIN.md §2): who, from which event, how many working days.
TIMETABLE = (
    (DeadlineKind.PUSH, "材料推送", "受理地", "自申请材料收齐之日起3个工作日内"),
    (DeadlineKind.REVIEW, "资格认定", "业务属地", "自收到推送材料之日起10个工作日内"),
    (DeadlineKind.NOTIFY, "结果告知", "受理地", "自收到认定结果之日起3个工作日内"),
)
PENDING_START = {DeadlineKind.PUSH: "材料收齐后起算", DeadlineKind.REVIEW: "推送后起算",
                 DeadlineKind.NOTIFY: "认定后起算"}


class Rows(Struct, frozen=True):
    """Label/value pairs, drawn as a two-column table."""

    rows: tuple[tuple[str, str], ...]
    type: str = "rows"


class Table(Struct, frozen=True):
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]  # relative column widths
    type: str = "table"


class Heading(Struct, frozen=True):
    text: str
    type: str = "heading"


class Paragraph(Struct, frozen=True):
    text: str
    type: str = "paragraph"


class QrCode(Struct, frozen=True):
    data: str  # what the code encodes (a URL), also printed in words beside it
    caption: str
    type: str = "qr"


Block = Union[Rows, Table, Heading, Paragraph, QrCode]


class Document(Struct, frozen=True):
    kind: str
    title: str
    case_id: str
    issuer: str  # the unit that issues it
    issued_at: str  # ISO 8601: the case event the document stands for (the PDF's creation date)
    version: int  # the case version it was built from
    blocks: tuple[Block, ...]

    @property
    def filename(self) -> str:
        return f"{FILE_NAMES[self.kind]}-{self.case_id}.pdf"

    def text(self) -> str:
        """Every character the document prints (a renderer checks its fonts against it)."""
        parts = [self.title, self.case_id]
        for block in self.blocks:
            if isinstance(block, Rows):
                parts += [cell for row in block.rows for cell in row]
            elif isinstance(block, Table):
                parts += list(block.header) + [cell for row in block.rows for cell in row]
            elif isinstance(block, QrCode):
                parts += [block.data, block.caption]
            else:
                parts.append(block.text)
        return "".join(parts)


def _plain(value: Any) -> Any:
    """Tuples as lists, so the JSON form reads back equal to itself."""
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def document_view(document: Document) -> dict[str, Any]:
    """The JSON form: the same content the PDF prints."""
    return {"document": document.kind, "case_id": document.case_id, "title": document.title,
            "issuer": document.issuer, "issued_at": document.issued_at, "version": document.version,
            "filename": document.filename, "blocks": [_plain(asdict(block)) for block in document.blocks]}


def cn_date(day: date | str) -> str:
    """2026-09-30 → 2026年9月30日."""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{value.year}年{value.month}月{value.day}日"


def cn_month(month: str) -> str:
    """2026-09 → 2026年9月."""
    year, number = month.split("-")
    return f"{int(year)}年{int(number)}月"


def yuan(amount: str | Decimal) -> str:
    return f"{Decimal(amount):.2f}元"


def _person_rows(case: Case) -> tuple[tuple[str, str], ...]:
    rows = [("申请人", str(case.applicant.get("name") or "")),
            ("公民身份号码", mask_id_number(str(case.applicant["id_number"])))]
    if case.agent:
        rows.append(("代办人", f"{case.agent.get('name') or ''}（{mask_id_number(str(case.agent['id_number']))}）"))
    return tuple(rows)


def _header_rows(case: Case) -> tuple[tuple[str, str], ...]:
    return (("受理编号", case.case_id), *_person_rows(case),
            ("申请事项", "、".join(SUBSIDY_NAMES[s] for s in case.subsidies)),
            ("受理日期", cn_date(case.applied_on)),
            ("受理地", unit_label(case.accepting_unit)),
            ("业务属地", unit_label(case.business_unit)))


def _waiver_text(waiver: str | None) -> str:
    source = (waiver or "").split(" roster", 1)[0]
    kind = ROSTER_KINDS.get(source)
    return f"已通过{kind.name}数据比对核验，免于提交" if kind else "已通过数据比对核验，免于提交"


def notice_document(case: Case) -> Document:
    """一次性告知书: every material the 业务属地 requires of this applicant, told once (最多跑一次)."""
    rows = tuple(
        (str(index), item.name, "免于提交" if item.waived else "必须提交" if item.required else "可选提交",
         _waiver_text(item.waiver) if item.waived else PURPOSES.get(item.code, item.purpose))
        for index, item in enumerate(case.notice, start=1))
    blocks: tuple[Block, ...] = (
        Rows(_header_rows(case)),
        Paragraph("根据业务属地的“跨省通办”材料要求，办理本事项需提交下列材料。本告知书一次性告知全部所需材料，"
                  "除下列材料外，不再要求申请人提交其他材料。"),
        # no list of the 户籍地 or above it was in force: say that the standard list was told (黑民发〔2021〕6号)
        *((Paragraph(f"{STANDARD_LIST_NOTE}。"),) if standard_list_used(case.notice) else ()),
        Table(("序号", "材料名称", "要求", "用途或说明"), rows, (8, 30, 18, 44)),
        Paragraph("材料由受理地窗口以电子形式留存并推送业务属地，受理地不收取、不邮寄纸质材料。"
                  "能够通过数据比对核验的信息，不再要求提交原件。"),
    )
    return Document("notice", TITLES["notice"], case.case_id, unit_label(case.accepting_unit), case.applied_at,
                    case.version, blocks)


def _deadline(case: Case, kind: DeadlineKind) -> Deadline | None:
    return next((d for d in reversed(case.deadlines) if d.kind == kind), None)


def _timetable_row(case: Case, kind: DeadlineKind, step: str, who: str, rule: str) -> tuple[str, ...]:
    deadline = _deadline(case, kind)
    if deadline is None:
        return (step, who, rule, PENDING_START[kind], "—")
    start = cn_date(deadline.counted_from or deadline.starts_on)
    due = cn_date(deadline.due_on)
    notes = {"met": "（已按期完成）", "overdue": "（已超期）", "paused": "（补正中，暂停计算）",
             "cancelled": "（已撤回）"}
    note = notes.get(deadline.state, "")
    if deadline.provisional:
        note += "（暂定：该年度节假日安排尚未公布）"
    return (step, who, rule, start, due + note)


def receipt_document(case: Case, progress_url: str | None) -> Document:
    """受理回执: the case number, the date, the 业务属地, the statutory timetable with the dates known so
    far, and how to follow progress without another trip (a QR code of the public progress page)."""
    table = tuple(_timetable_row(case, kind, step, who, rule) for kind, step, who, rule in TIMETABLE)
    blocks: list[Block] = [
        Rows(_header_rows(case) + (("补贴计发", f"经认定符合条件的，自递交申请当月（{cn_month(case.applied_on.isoformat()[:7])}）"
                                             "起计发"),)),
        Heading("办理时限"),
        Table(("环节", "办理单位", "法定时限", "起算日", "截止日期"), table, (14, 14, 34, 18, 20)),
        Paragraph("时限按工作日计算，不含法定节假日；自起算事件发生的次日起计算第一个工作日"
                  "（《中华人民共和国民法典》第二百零一条）。"),
        Heading("办理进度查询"),
    ]
    how = f"凭受理编号（{case.case_id}）和申请人公民身份号码后六位，即可查询办理状态和各环节日期，无需再到窗口。"
    if progress_url:
        blocks += [Paragraph(how + f"扫描下方二维码或访问：{progress_url}（进度查询接口：POST /progress）。"),
                   QrCode(progress_url, "扫码查询办理进度")]
    else:
        blocks.append(Paragraph(how + "进度查询接口：POST /progress。"))
    blocks.append(Paragraph(f"出具单位：{unit_label(case.accepting_unit)}（受理地窗口）　　出具日期：{cn_date(case.applied_on)}"))
    return Document("receipt", TITLES["receipt"], case.case_id, unit_label(case.accepting_unit), case.applied_at,
                    case.version, tuple(blocks))


def result_document(case: Case) -> Document:
    """结果通知书: the outcome; for an approval each subsidy, its monthly amount and start month (and the
    back pay where the 业务属地's table computed it); for a refusal, and for the subsidy a partial approval leaves
    out, the reason and how to contest it."""
    decision = case.decision
    if not decision:
        raise Conflict("RESULT_NOT_DECIDED", f"the case is {case.status.value}: the 业务属地 has not decided yet",
                       "status")
    approved = decision["outcome"] == "approved"
    refused = not_granted(decision, case.subsidies) if approved else []
    if not approved:
        outcome = "不符合条件，不予认定"
    elif refused:
        outcome = (f"予以认定{subsidy_names([item['type'] for item in decision['subsidies']])}；"
                   f"不予认定{subsidy_names([item['type'] for item in refused])}")
    else:
        outcome = "符合条件，予以认定"
    rows = (("受理编号", case.case_id), *_person_rows(case), ("申请日期", cn_date(case.applied_on)),
            ("认定单位", unit_label(case.business_unit)), ("认定日期", cn_date(decision["decided_on"])),
            ("认定结果", outcome))
    blocks: list[Block] = [Rows(rows)]
    if approved:
        granted = decision["subsidies"]
        # the last column is what the first roster pays for these months: the decision month and the arrears
        # before it (domain.payments.owed), the same figure on the 业务属地's payment roster
        blocks.append(Table(("补贴项目", "月补贴标准", "计发起始月份", "截至认定当月应发"), tuple(
            (SUBSIDY_NAMES[item["type"]], yuan(item["monthly_amount"]), cn_month(item["start_month"]),
             yuan(item["back_pay"]["total"]) if item.get("back_pay") else "—") for item in granted),
            (34, 22, 22, 22)))
        blocks.append(Paragraph("补贴自递交申请当月起计发，按月发放至申请人本人银行或信用社账户（社会化发放）。"
                                "享受补贴期间情况发生变化的，应及时告知业务属地。"))
        blocks.append(Paragraph(explains_standard(decision.get("contact"), case.business_unit)))
        if refused:
            blocks.append(Heading("不予认定的补贴及理由"))
            blocks += [Paragraph(f"{SUBSIDY_NAMES[item['type']]}：{item.get('reason') or NO_REASON}")
                       for item in refused]
        elif decision.get("reason"):
            blocks.append(Paragraph(f"说明：{decision['reason']}"))
    else:
        blocks += [Heading("不予认定的理由"), Paragraph(str(decision.get("reason") or ""))]
    if refused or not approved:
        blocks += [Heading("救济途径"), Paragraph(remedies(case.business_unit))]
    blocks.append(Paragraph(f"本通知书由业务属地出具，经受理地（{unit_label(case.accepting_unit)}）窗口告知申请人。"))
    blocks.append(Paragraph(f"出具单位：{unit_label(case.business_unit)}（业务属地）　　出具日期：{cn_date(decision['decided_on'])}"))
    issued = f"{decision['decided_on']}T00:00:00+08:00"
    return Document("result_notice", TITLES["result_notice"], case.case_id, unit_label(case.business_unit), issued,
                    case.version, tuple(blocks))


def progress_url(public_base_url: str | None, case_id: str) -> str | None:
    """The public progress page of a case: the case number only, never any part of the ID number."""
    return f"{public_base_url.rstrip('/')}/progress?case={case_id}" if public_base_url else None


def build_document(case: Case, kind: str, progress_url: str | None) -> Document:
    if kind == "notice":
        return notice_document(case)
    if kind == "receipt":
        return receipt_document(case, progress_url)
    if kind == "result_notice":
        return result_document(case)
    raise ValueError(f"unknown document {kind}")


def content_disposition(filename: str, fallback: str, disposition: str = "inline") -> str:
    """RFC 6266: an ASCII ``filename`` for old clients and the real (Chinese) name as ``filename*``."""
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
