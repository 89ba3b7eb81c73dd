"""Enforcement documents (执法文书) as PDFs: the kinds, their numbers and the renderer.

A document's content is decided when it is issued and frozen in ``Document.context`` (plain
JSON: the rows of its table, its paragraphs, the officers and their certificates, the QR code's
address); :func:`render` turns that into the same PDF bytes every time, with the fonts and the
Chinese line breaking of portal.pdf. Documents are legal texts and always in Chinese.

Numbers follow ``settings.ENFORCEMENT["DOCUMENT_NUMBER_FORMAT"]`` (default
"{town}综执{kind}字〔{year}〕{n}号", e.g. 下埠综执罚决字〔2026〕12号), one sequence per kind and
year (enforcement.services.documents allocates them under a row lock)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from portal import pdf

# kind: (printed title, the mark in the number, label for pages)
KINDS = {
    "filing_approval": ("立案审批表", "立", _("立案审批表")),
    "correction_order": ("责令改正通知书", "责改", _("责令改正通知书")),
    "inquiry_record": ("询问笔录", "询", _("询问笔录")),
    "inspection_record": ("现场检查笔录", "检", _("现场检查笔录")),
    "preservation_notice": ("先行登记保存证据通知书", "先保", _("先行登记保存证据通知书")),
    "penalty_notice": ("行政处罚事先告知书", "罚告", _("行政处罚事先告知书")),
    "hearing_notice": ("听证告知书", "听告", _("听证告知书")),
    "penalty_decision": ("行政处罚决定书", "罚决", _("行政处罚决定书")),
    "no_penalty_decision": ("不予行政处罚决定书", "不罚", _("不予行政处罚决定书")),
    "on_the_spot_decision": ("当场行政处罚决定书", "当罚", _("当场处罚决定书")),
    "service_receipt": ("送达回证", "送", _("送达回证")),
    "closing_approval": ("结案审批表", "结", _("结案审批表")),
    "transfer_letter": ("案件移送函", "移", _("案件移送函")),
}
# Documents the party receives (a QR code on them leads to the public page where there is one).
TO_THE_PARTY = (
    "correction_order",
    "preservation_notice",
    "penalty_notice",
    "hearing_notice",
    "penalty_decision",
    "no_penalty_decision",
    "on_the_spot_decision",
)


def label(kind: str) -> str:
    return str(KINDS[kind][2]) if kind in KINDS else kind


def title(kind: str) -> str:
    return KINDS[kind][0]


def make_number(kind: str, year: int, n: int, *, town_name: str | None = None) -> str:
    town = pdf.short_town(town_name or settings.ONEWINDOW["TOWN_NAME"])
    pattern = settings.ENFORCEMENT["DOCUMENT_NUMBER_FORMAT"]
    return pattern.format(town=town, kind=KINDS[kind][1], year=year, n=n)


def _signatures(context: dict) -> list:
    """The officers who acted (name and certificate), and the party's line where it signs."""
    rows = []
    officers = context.get("officers") or []
    if officers:
        names = "；".join(
            f"{o['name']}（执法证号：{o['certificate']}）" if o.get("certificate") else o["name"]
            for o in officers
        )
        rows.append(pdf.text(f"执法人员：{names}", "body"))
    for line in context.get("sign_lines") or []:
        rows.append(pdf.text(f"{line}：＿＿＿＿＿＿＿＿　　年　　月　　日", "body"))
    return rows


def _closing(context: dict) -> list:
    seal = [
        pdf.text(context.get("bureau", ""), "seal"),
        pdf.text("（印章）", "seal"),
        pdf.text(context.get("issued_on_text", ""), "seal"),
    ]
    url = (context.get("qr_url") or "").strip()
    if not url:
        return [Spacer(1, 6 * mm), *seal]
    lookup = [
        pdf.qr_image(url, 26 * mm),
        pdf.text(context.get("qr_caption") or "扫码查看", "qr_caption"),
        pdf.text(url, "url"),
    ]
    block = Table([[lookup, seal]], colWidths=[52 * mm, pdf.FRAME_WIDTH - 52 * mm])
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
    return [Spacer(1, 6 * mm), block]


def render(context: dict) -> bytes:
    """The PDF of a frozen document context (same context, same bytes)."""
    header = context.get("bureau", "")
    doc_title = context["title"]
    number = context["number"]
    story = [
        pdf.text(header, "header"),
        Spacer(1, 3 * mm),
        pdf.Text(
            doc_title,
            size=22,
            tracking=8 if len(doc_title) <= 6 else 2,
            leading=34,
            align="center",
            bold=0.6,
            space_after=4,
        ),
        pdf.text(number, "number"),
        pdf.Rule(),
    ]
    rows = [(r[0], r[1]) for r in context.get("rows") or [] if r and r[1]]
    if rows:
        story += [pdf.info_table(rows), Spacer(1, 4 * mm)]
    if context.get("addressee"):
        story.append(pdf.text(f"{context['addressee']}：", "addressee"))
    paragraphs = [pdf.text(p, "body") for p in context.get("paragraphs") or []]
    items = context.get("items") or []
    if items:
        table = Table(
            [
                [pdf.text(str(i), "cell_head"), pdf.text(item, "cell")]
                for i, item in enumerate(items, 1)
            ],
            colWidths=[13 * mm, pdf.FRAME_WIDTH - 13 * mm],
            spaceBefore=4,
            spaceAfter=8,
        )
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#555555"))]))
        paragraphs.append(table)
    tail = _signatures(context) + _closing(context)
    if paragraphs:
        story += paragraphs[:-1]
        story.append(KeepTogether([paragraphs[-1], *tail]))
    else:
        story.append(KeepTogether(tail))
    return pdf.build(
        story,
        title=f"{doc_title} {number}",
        author=header,
        subject=context.get("case_number", ""),
        footer=number,
    )
