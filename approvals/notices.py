"""Printable PDF notices (办件文书) issued to the applicant.

    pdf_bytes = render_notice("acceptance", NoticeContext(...))

Self-contained on purpose: ``NoticeContext`` holds plain values (no models, no database), so a
notice can be frozen at issue (``context.to_json()`` into ``Notice.context``) and rendered
again later, byte for byte the same (``NoticeContext.from_json``).

Notices are legal documents and are always in Chinese, whatever the user's language: nothing
here goes through gettext except the UI labels in ``KIND_LABELS``.

Fonts, Chinese line breaking, the page footer and the QR code come from portal.pdf, which the
enforcement documents share.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from portal.pdf import (  # noqa: F401  (chinese_date and unprintable are re-exported)
    BODY_SIZE,
    FRAME_WIDTH,
    _clause,
    _paragraphs,
    _qr_image,
    _Rule,
    _short_town,
    _Text,
    _text,
    _width,
    build,
    chinese_date,
    info_table,
    unprintable,
)
from portal.pdf import mask_id as _mask_id

__all__ = [
    "KIND_LABELS",
    "KINDS",
    "LICENSING_LAW",
    "PROCEDURE_LABELS",
    "TITLES",
    "NoticeContext",
    "NoticeError",
    "NoticeItem",
    "chinese_date",
    "make_notice_number",
    "render_notice",
    "unprintable",
    "validate_notice",
]

KINDS = (
    "acceptance",
    "correction",
    "refusal",
    "suspension",
    "extension",
    "decision_grant",
    "decision_deny",
)

# The printed titles: always Chinese.
TITLES = {
    "acceptance": "受理通知书",
    "correction": "补正材料通知书",
    "refusal": "不予受理通知书",
    "suspension": "特别程序告知书",
    "extension": "延期告知书",
    "decision_grant": "准予行政许可决定书",
    "decision_deny": "不予行政许可决定书",
}

# For pages and lists that name a notice (translated like any UI string).
KIND_LABELS = {
    "acceptance": _("受理通知书"),
    "correction": _("补正材料通知书"),
    "refusal": _("不予受理通知书"),
    "suspension": _("特别程序告知书"),
    "extension": _("延期告知书"),
    "decision_grant": _("准予行政许可决定书"),
    "decision_deny": _("不予行政许可决定书"),
}

# The character after "审" in the notice number: 下埠审受〔2026〕092400012号.
_NUMBER_MARKS = {
    "acceptance": "受",
    "correction": "补",
    "refusal": "不受",
    "suspension": "特",
    "extension": "延",
    "decision_grant": "许",
    "decision_deny": "不许",
}

# Codes of approvals.models.Suspension.Kind -> the Chinese printed on the notice. A caller may
# pass the code or any Chinese text; never a translated (English) label.
PROCEDURE_LABELS = {
    "hearing": "听证",
    "testing": "检验检测",
    "expert_review": "专家评审",
    "on_site": "现场核查",
    "supplement": "补充材料",
}

LICENSING_LAW = "《中华人民共和国行政许可法》"
_EXTENSION_BASIS = LICENSING_LAW + "第四十二条第一款"
UNCONFIRMED_NOTE = "该日期所在年度的节假日安排尚未确认，按周一至周五推算。"


class NoticeError(ValueError):
    """The context lacks what this kind of notice must state. ``fields`` maps each missing or
    invalid field to a message in the active language."""

    def __init__(self, message: str, fields: Mapping[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})


@dataclass(frozen=True)
class NoticeItem:
    """One line of a correction notice (or one tolerated-missing material on an acceptance):
    the material and what is wrong with it / what to supply."""

    material: str
    problem: str


@dataclass(frozen=True)
class NoticeContext:
    """Everything a notice prints, as plain values.

    Dates are ``datetime.date``; which ones a kind needs is checked by ``render_notice``:

    - ``received_on``: the day the application was received (申请日期).
    - ``accepted_on``: the acceptance date; ``due_date``: the committed due date (for an
      extension: the new due date after it); ``statutory_due_date``: the statutory one.
    - ``materials_due_date``: correction notice: the deadline to correct; acceptance with
      tolerated-missing materials (容缺): the date to supply them.
    - ``previous_due_date``: extension: the due date before it.
    - ``suspended_on``: suspension: the day the special procedure starts.
    - ``decided_on``: decisions; ``release_due_date``: grant: the certificate is issued by then
      (art. 44).
    - ``issued_on``: the date on the seal line.

    ``unconfirmed_years``: years whose holiday arrangement the working-day calendar has not
    confirmed (``not portal.workdays.is_confirmed(year)``). Deadlines falling in them are
    marked with * and a footnote. ``applicant_id_masked`` must come masked; an unmasked value
    is masked here anyway. ``notice_number`` empty -> generated by ``make_notice_number``.
    """

    town_name: str
    department_name: str
    application_number: str
    matter_name: str
    applicant_name: str
    issued_on: date
    applicant_id_masked: str = ""
    notice_number: str = ""
    notice_sequence: int = 1
    received_on: date | None = None
    accepted_on: date | None = None
    due_date: date | None = None
    statutory_due_date: date | None = None
    materials_due_date: date | None = None
    previous_due_date: date | None = None
    suspended_on: date | None = None
    decided_on: date | None = None
    release_due_date: date | None = None
    unconfirmed_years: frozenset[int] = frozenset()
    items: tuple[NoticeItem, ...] = ()
    reason: str = ""
    legal_basis: str = ""
    days: int | None = None
    procedure_kind: str = ""
    refer_to: str = ""
    review_body: str = ""
    court: str = ""
    contact: str = ""
    status_url: str = ""

    def __post_init__(self):
        # Lazy translations (gettext_lazy) are fixed in Chinese: a notice never follows the
        # language of the request that issued it.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Promise):
                object.__setattr__(self, f.name, _chinese(value))
        # Accept lists/tuples/dicts for items and any iterable of years; store immutably.
        object.__setattr__(self, "items", tuple(_coerce_item(i) for i in self.items or ()))
        object.__setattr__(
            self, "unconfirmed_years", frozenset(int(y) for y in self.unconfirmed_years or ())
        )

    def to_json(self) -> dict:
        """A JSON-serialisable dict (dates as ISO strings) for ``Notice.context``."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif f.name == "items":
                value = [{"material": i.material, "problem": i.problem} for i in value]
            elif f.name == "unconfirmed_years":
                value = sorted(value)
            out[f.name] = value
        return out

    @classmethod
    def from_json(cls, data: Mapping) -> NoticeContext:
        known = {f.name: f for f in fields(cls)}
        kwargs = {}
        for name, value in data.items():
            if name not in known:
                continue  # written by a later version; ignore rather than fail
            if value is not None and (name.endswith("_on") or name.endswith("_date")):
                value = date.fromisoformat(value)
            kwargs[name] = value
        return cls(**kwargs)


def _chinese(value) -> str:
    if not isinstance(value, Promise):
        return str(value)
    with translation.override("zh-hans"):
        return str(value)


def _coerce_item(item) -> NoticeItem:
    if isinstance(item, NoticeItem):
        material, problem = item.material, item.problem
    elif isinstance(item, Mapping):
        material, problem = item.get("material", ""), item.get("problem", "")
    else:
        material, problem = item
    return NoticeItem(_chinese(material), _chinese(problem))


# --------------------------------------------------------------------------------------------
# Numbers, dates


_TOWN_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
_APPLICATION_NUMBER = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{5})$")


def make_notice_number(
    kind: str, application_number: str, *, town_name: str, year: int, sequence: int = 1
) -> str:
    """下埠审受〔2026〕092400012号 for acceptance of XB2026092400012 in 下埠镇.

    With the default application number format ({town code}{yyyymmdd}{5-digit daily
    sequence}) the year is the application's and the serial is mmdd + the daily sequence,
    so it is unique per application and kind; other formats use the whole number and
    ``year``. Kinds that can be issued more than once (correction per submission round,
    suspension per special procedure) pass ``sequence`` 2, 3… which adds "-2", "-3"."""
    if kind not in _NUMBER_MARKS:
        raise ValueError(f"unknown notice kind {kind!r}")
    match = _APPLICATION_NUMBER.search(application_number.strip())
    if match and 1 <= int(match[2]) <= 12 and 1 <= int(match[3]) <= 31:
        year, serial = int(match[1]), match[2] + match[3] + match[4]
    else:
        serial = re.sub(r"[^0-9A-Za-z]", "", application_number) or "0"
    suffix = f"-{sequence}" if sequence > 1 else ""
    return f"{_short_town(town_name)}审{_NUMBER_MARKS[kind]}〔{year}〕{serial}{suffix}号"


class _Writer:
    """Builds the story of one notice."""

    def __init__(self, kind: str, ctx: NoticeContext):
        self.kind = kind
        self.ctx = ctx
        self.flagged = False  # any date marked as counted on an unconfirmed calendar year

    # -- dates

    def date(self, day: date | None, *, deadline: bool = True) -> str:
        if day is None:
            return ""
        text = chinese_date(day)
        if deadline and day.year in self.ctx.unconfirmed_years:
            self.flagged = True
            text += "*"
        return text

    # -- blocks

    def p(self, text: str, style: str = "body") -> _Text:
        return _text(text, style)

    def info_table(self, rows: Sequence[tuple[str, str]]) -> Table:
        return info_table(rows)

    def cell(self, text: str) -> _Text:
        return _text(text, "cell")

    def items_table(self, second_heading: str) -> Table:
        head = [
            _text("序号", "cell_head"),
            _text("材料名称", "cell_head"),
            _text(second_heading, "cell_head"),
        ]
        rows = [head]
        for number, item in enumerate(self.ctx.items, start=1):
            rows.append(
                [
                    _text(str(number), "cell_head"),
                    self.cell(item.material),
                    self.cell(item.problem),
                ]
            )
        table = Table(
            rows,
            colWidths=[13 * mm, 55 * mm, FRAME_WIDTH - 68 * mm],
            repeatRows=1,
            spaceBefore=4,
            spaceAfter=8,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#555555")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return table

    def remedies(self, document: str) -> _Text:
        ctx = self.ctx
        review = _clause(ctx.review_body) or "有管辖权的行政复议机关"
        court = _clause(ctx.court) or "有管辖权的人民法院"
        return self.p(
            f"如不服本{document}，可以自收到本{document}之日起六十日内向{review}申请行政复议，"
            f"或者自收到本{document}之日起六个月内向{court}提起行政诉讼。"
        )

    def basis(self, default: str = "") -> str:
        basis = _clause(self.ctx.legal_basis) or default
        return f"根据{basis}的规定，" if basis else ""

    # -- the notice

    def intro(self) -> str:
        ctx = self.ctx
        received = f"于{self.date(ctx.received_on, deadline=False)}" if ctx.received_on else ""
        return f"你（单位）{received}提交的“{ctx.matter_name}”申请（办件编号：{ctx.application_number}）"

    def accepted_clause(self) -> str:
        day = self.ctx.accepted_on
        return f"本机关已于{self.date(day, deadline=False)}受理" if day else "本机关已受理"

    def body(self) -> list[Flowable]:
        ctx, kind, p = self.ctx, self.kind, self.p
        out: list[Flowable] = []
        if kind == "acceptance":
            out.append(
                p(
                    f"{self.intro()}，经审查，申请材料齐全、符合法定形式。{self.basis()}"
                    f"本机关决定予以受理，受理日期为{self.date(ctx.accepted_on, deadline=False)}。"
                )
            )
            if ctx.items:
                out.append(
                    p(
                        f"本申请按容缺受理，你（单位）已承诺于{self.date(ctx.materials_due_date)}"
                        f"前补齐下列材料（共{len(ctx.items)}项）："
                    )
                )
                out.append(self.items_table("说明"))
            statutory = (
                f"（法定办理期限截止日为{self.date(ctx.statutory_due_date)}）"
                if ctx.statutory_due_date
                else ""
            )
            out.append(
                p(
                    f"本机关将于{self.date(ctx.due_date)}前作出决定{statutory}。"
                    "依法需要听证、检验、检测、检疫、鉴定或者专家评审的，所需时间不计算在办理期限内，"
                    "届时将另行书面告知。"
                )
            )
        elif kind == "correction":
            out.append(
                p(
                    f"{self.intro()}，经审查，申请材料不齐全或者不符合法定形式。{self.basis()}"
                    f"现将需要补正的全部内容一次性告知如下（共{len(ctx.items)}项）："
                )
            )
            out.append(self.items_table("存在的问题及补正要求"))
            out.append(
                p(
                    f"请于{self.date(ctx.materials_due_date)}前一并补正上述全部材料。"
                    "补正后申请材料齐全、符合法定形式的，本机关将予以受理。"
                )
            )
        elif kind == "refusal":
            out.append(p(f"{self.intro()}，经审查，存在以下情形："))
            out.extend(p(text, "quote") for text in _paragraphs(ctx.reason))
            out.append(p(f"{self.basis()}本机关决定不予受理。"))
            if ctx.refer_to.strip():
                out.append(p(f"请向{_clause(ctx.refer_to)}提出申请。"))
            out.append(self.remedies("通知书"))
        elif kind == "suspension":
            procedure = PROCEDURE_LABELS.get(ctx.procedure_kind, ctx.procedure_kind.strip())
            out.append(
                p(
                    f"{self.intro()}，{self.accepted_clause()}。经审查，需要进行{procedure}，理由如下："
                )
            )
            out.extend(p(text, "quote") for text in _paragraphs(ctx.reason))
            start = (
                f"自{self.date(ctx.suspended_on, deadline=False)}起，" if ctx.suspended_on else ""
            )
            moved = f"原定办结日期（{self.date(ctx.due_date)}）相应顺延，" if ctx.due_date else ""
            out.append(
                p(
                    f"{self.basis()}{procedure}所需时间不计算在办理期限内。"
                    f"{start}{procedure}预计需要{ctx.days}个工作日，{moved}"
                    f"{procedure}结束后继续计算办理期限，本机关将及时告知。"
                )
            )
        elif kind == "extension":
            out.append(
                p(
                    f"{self.intro()}，{self.accepted_clause()}。因以下原因，"
                    "本机关不能在原定期限内作出决定："
                )
            )
            out.extend(p(text, "quote") for text in _paragraphs(ctx.reason))
            change = (
                f"办结日期由{self.date(ctx.previous_due_date)}延至{self.date(ctx.due_date)}"
                if ctx.previous_due_date
                else f"延长后的办结日期为{self.date(ctx.due_date)}"
            )
            out.append(
                p(
                    f"经本机关负责人批准，{self.basis(_EXTENSION_BASIS)}"
                    f"办理期限延长{ctx.days}个工作日，{change}。"
                )
            )
        elif kind == "decision_grant":
            accepted = f"，{self.accepted_clause()}" if ctx.accepted_on else ""
            if ctx.reason.strip():
                out.append(p(f"{self.intro()}{accepted}。经审查："))
                out.extend(p(text, "quote") for text in _paragraphs(ctx.reason))
                out.append(p(f"{self.basis()}本机关决定准予行政许可。"))
            else:
                out.append(
                    p(
                        f"{self.intro()}{accepted}。经审查，申请符合法定条件、标准。"
                        f"{self.basis()}本机关决定准予行政许可。"
                    )
                )
            if ctx.release_due_date:
                out.append(
                    p(
                        f"本机关将于{self.date(ctx.release_due_date)}前向你（单位）"
                        "颁发、送达行政许可证件。"
                    )
                )
        elif kind == "decision_deny":
            accepted = f"，{self.accepted_clause()}" if ctx.accepted_on else ""
            out.append(p(f"{self.intro()}{accepted}。经审查，存在以下情形："))
            out.extend(p(text, "quote") for text in _paragraphs(ctx.reason))
            out.append(p(f"{self.basis()}本机关决定不予行政许可。"))
            out.append(self.remedies("决定书"))
        if ctx.status_url.strip():
            out.append(
                p(
                    "你（单位）可以扫描下方二维码或者访问所附网址，凭办件编号和手机号码后四位查询办理进度。"
                )
            )
        if ctx.contact.strip():
            out.append(p(f"联系方式：{ctx.contact.strip()}"))
        return out

    def info_rows(self) -> list[tuple[str, str]]:
        ctx, d = self.ctx, self.date
        rows = [
            ("申请人", ctx.applicant_name),
            ("证件号码", _mask_id(ctx.applicant_id_masked)),
            ("办件编号", ctx.application_number),
            ("申请日期", d(ctx.received_on, deadline=False)),
            ("申请事项", ctx.matter_name),
        ]
        kind = self.kind
        if kind == "acceptance":
            rows += [
                ("受理日期", d(ctx.accepted_on, deadline=False)),
                ("承诺办结日期", d(ctx.due_date)),
                ("法定办结日期", d(ctx.statutory_due_date)),
            ]
        elif kind == "correction":
            rows += [("补正期限", d(ctx.materials_due_date))]
        elif kind == "suspension":
            procedure = PROCEDURE_LABELS.get(ctx.procedure_kind, ctx.procedure_kind.strip())
            rows += [
                ("受理日期", d(ctx.accepted_on, deadline=False)),
                ("特别程序", procedure),
                ("开始日期", d(ctx.suspended_on, deadline=False)),
                ("预计时长", f"{ctx.days}个工作日" if ctx.days is not None else ""),
            ]
        elif kind == "extension":
            rows += [
                ("受理日期", d(ctx.accepted_on, deadline=False)),
                ("延长期限", f"{ctx.days}个工作日" if ctx.days is not None else ""),
                ("原办结日期", d(ctx.previous_due_date)),
                ("新办结日期", d(ctx.due_date)),
            ]
        elif kind in ("decision_grant", "decision_deny"):
            rows += [
                ("受理日期", d(ctx.accepted_on, deadline=False)),
                ("决定日期", d(ctx.decided_on, deadline=False)),
            ]
        return rows

    def closing(self) -> list[Flowable]:
        """The QR code to the status page (left) and the seal line (right), one block."""
        ctx = self.ctx
        seal = [
            self.p(ctx.department_name.strip(), "seal"),
            self.p("（印章）", "seal"),
            self.p(self.date(ctx.issued_on, deadline=False), "seal"),
        ]
        url = ctx.status_url.strip()
        if not url:
            return [Spacer(1, 8 * mm), *seal]
        qr_size = 26 * mm
        lookup = [
            _qr_image(url, qr_size),
            _text("扫码查询办理进度", "qr_caption"),
            _text(url, "url"),
        ]
        block = Table(
            [[lookup, seal]],
            colWidths=[52 * mm, FRAME_WIDTH - 52 * mm],
        )
        block.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        return [Spacer(1, 8 * mm), block]

    def story(self, number: str) -> list[Flowable]:
        ctx = self.ctx
        header = ctx.department_name.strip()
        town = ctx.town_name.strip()
        if town and not header.startswith(town):
            header = town + header
        title = TITLES[self.kind]
        body = self.body()
        story: list[Flowable] = [
            self.p(header, "header"),
            Spacer(1, 3 * mm),
            _Text(
                title,
                size=22,
                tracking=8 if len(title) <= 6 else 2,
                leading=34,
                align="center",
                bold=0.6,
                space_after=4,
            ),
            self.p(number, "number"),
            _Rule(),
            self.info_table(self.info_rows()),
            Spacer(1, 4 * mm),
            self.p(f"{ctx.applicant_name.strip()}：", "addressee"),
            *body[:-1],
            # the seal line never stands alone on a page: it keeps the last paragraph with it
            KeepTogether([body[-1], *self.closing()]),
        ]
        if self.flagged:
            story += [Spacer(1, 4 * mm), self.p(f"* {UNCONFIRMED_NOTE}", "note")]
        return story


# --------------------------------------------------------------------------------------------
# Validation and entry point

_REQUIRED = {
    "acceptance": ("accepted_on", "due_date"),
    "correction": ("items", "materials_due_date"),
    "refusal": ("reason", "legal_basis"),
    "suspension": ("procedure_kind", "reason", "days"),
    "extension": ("reason", "days", "due_date"),
    "decision_grant": (),
    "decision_deny": ("reason", "legal_basis"),
}
_COMMON = (
    "town_name",
    "department_name",
    "application_number",
    "matter_name",
    "applicant_name",
    "issued_on",
)
_FIELD_NAMES = {
    "town_name": _("乡镇名称"),
    "department_name": _("发文机关"),
    "application_number": _("办件编号"),
    "matter_name": _("申请事项"),
    "applicant_name": _("申请人"),
    "issued_on": _("落款日期"),
    "accepted_on": _("受理日期"),
    "due_date": _("办结日期"),
    "items": _("补正内容"),
    "materials_due_date": _("补正期限"),
    "reason": _("理由"),
    "legal_basis": _("法律依据"),
    "procedure_kind": _("特别程序类型"),
    "days": _("天数"),
}


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Iterable) and not isinstance(value, date):
        return not tuple(value)
    return False


def validate_notice(kind: str, ctx: NoticeContext) -> None:
    """Raise ``NoticeError`` if ``ctx`` lacks what this kind of notice must state. Call it when
    the notice is issued, so that a notice that could not be printed is never stored."""
    if kind not in TITLES:
        raise ValueError(f"unknown notice kind {kind!r}; expected one of {', '.join(KINDS)}")
    problems = {}
    for name in (*_COMMON, *_REQUIRED[kind]):
        if _blank(getattr(ctx, name)):
            problems[name] = gettext("%(notice)s必须写明%(field)s。") % {
                "notice": KIND_LABELS[kind],
                "field": _FIELD_NAMES[name],
            }
    if kind == "correction":
        for number, item in enumerate(ctx.items, start=1):
            if not item.material.strip() or not item.problem.strip():
                problems["items"] = gettext(
                    "第%(number)s项补正内容须同时写明材料名称和存在的问题。"
                ) % {"number": number}
                break
    if ctx.days is not None and (not isinstance(ctx.days, int) or ctx.days < 1):
        problems["days"] = gettext("天数应为正整数。")
    if problems:
        raise NoticeError("；".join(problems.values()), problems)


def render_notice(kind: str, context: NoticeContext) -> bytes:
    """The notice as PDF bytes (A4). Raises ``NoticeError`` naming the missing fields and
    ``ValueError`` for an unknown kind. Same context -> same bytes."""
    validate_notice(kind, context)
    number = context.notice_number.strip() or make_notice_number(
        kind,
        context.application_number,
        town_name=context.town_name,
        year=context.issued_on.year,
        sequence=context.notice_sequence,
    )
    writer = _Writer(kind, context)
    story = writer.story(number)
    return build(
        story,
        title=f"{TITLES[kind]} {number}",
        author=context.department_name,
        subject=context.application_number,
        footer=number,
    )
