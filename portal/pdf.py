"""Printable PDF documents in Chinese: the machinery every notice and enforcement document
shares (approvals.notices, enforcement.documents).

reportlab cannot embed the OTF/CFF Noto CJK fonts, so two TrueType fonts are vendored in
``static/fonts`` (see the README there): Droid Sans Fallback for the ideographs and CJK
punctuation, DejaVu Sans for digits, Latin letters and Western punctuation, which Droid Sans
Fallback lacks. Every text is split into runs by which font has the glyph. They are registered
once per process, lazily and under a lock; reportlab embeds only the glyphs used, and text stays
extractable (the tests read documents back with pypdf).

Lines break with the Chinese rules (禁则) and full lines are justified (:class:`Text`);
:class:`PagedCanvas` prints "第 n 页 共 N 页"; :func:`build` makes the A4 document with
``invariant=True``, so the same story gives the same bytes."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from datetime import date
from functools import partial
from pathlib import Path

import qrcode
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, SimpleDocTemplate, Table, TableStyle


def chinese_date(day: date) -> str:
    """2026-10-09 -> 2026年10月9日."""
    return f"{day.year}年{day.month}月{day.day}日"


_TOWN_SUFFIXES = ("街道办事处", "街道", "镇", "乡")


def _short_town(town_name: str) -> str:
    name = town_name.strip()
    for suffix in _TOWN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def mask_id(value: str) -> str:
    """An ID number masked for print (kept as is when already masked)."""
    value = (value or "").strip()
    if not value or "*" in value:
        return value
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


# --------------------------------------------------------------------------------------------
# Fonts

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
CJK_FONT = "OneWindowCJK"
LATIN_FONT = "OneWindowLatin"
_FONT_FILES = {CJK_FONT: "DroidSansFallbackFull.ttf", LATIN_FONT: "DejaVuSans.ttf"}

_font_lock = threading.Lock()
_glyphs: tuple[frozenset[int], frozenset[int]] | None = None


def _fonts() -> tuple[frozenset[int], frozenset[int]]:
    """Register the two fonts once per process; return the code points each one covers."""
    global _glyphs
    if _glyphs is None:
        with _font_lock:
            if _glyphs is None:
                covered = []
                for name, filename in _FONT_FILES.items():
                    font = TTFont(name, str(FONT_DIR / filename))
                    pdfmetrics.registerFont(font)
                    covered.append(frozenset(font.face.charToGlyph))
                _glyphs = (covered[0], covered[1])
    return _glyphs


def _runs(text: str) -> list[tuple[str, str]]:
    """Split text into (font name, text) runs: CJK font where it has the glyph, else the Latin
    font where it has it, else the CJK font (which then prints its missing-glyph box)."""
    cjk, latin = _fonts()
    runs: list[tuple[str, str]] = []
    for ch in text:
        code = ord(ch)
        font = CJK_FONT if code in cjk else LATIN_FONT if code in latin else CJK_FONT
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return runs


def unprintable(text: str) -> str:
    """The characters of ``text`` that no vendored font can draw (they would print as boxes),
    e.g. ideographs of the CJK extension blocks in a rare name. Whitespace never counts."""
    cjk, latin = _fonts()
    seen = dict.fromkeys(
        ch for ch in text if not ch.isspace() and ord(ch) not in cjk and ord(ch) not in latin
    )
    return "".join(seen)


def _width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(run, font, size) for font, run in _runs(text))


def _draw(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    align: str = "left",
    bold: float = 0.0,
    char_space: float = 0.0,
) -> None:
    """Draw one line of mixed text. ``bold`` > 0 also strokes the outlines with that line
    width (the fonts have no bold face); ``char_space`` spreads the glyphs (justification)."""
    width = _width(text, size) + char_space * max(len(text) - 1, 0)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    obj = canvas.beginText(x, y)
    if bold:
        canvas.setLineWidth(bold)
        obj.setTextRenderMode(2)
    if char_space:
        obj.setCharSpace(char_space)
    for font, run in _runs(text):
        obj.setFont(font, size)
        obj.textOut(run)
    canvas.drawText(obj)


# Chinese line-breaking rules (禁则): these never start a line / never end one. reportlab's own
# CJK wrapping misses the full-width comma, colon and semicolon and hangs at most one mark, so
# the notices break their lines themselves.
_NO_START = frozenset("，。、；：？！）》」』】〕〉”’…—·%‰℃°,.;:?!)]}")
_NO_END = frozenset("（《「『【〔〈“‘([{")
# Runs of printable ASCII (numbers, application numbers, URLs) stay together when they fit.
_TOKENS = re.compile(r"[!-~]+|\s+|.", re.S)


def _break_lines(text: str, size: float, first_width: float, width: float) -> list[str]:
    """Greedy line breaking with the rules above: when a line is full, characters are pushed
    to the next line until the break is allowed (oidashi)."""
    tokens = _TOKENS.findall(text)
    widths = [_width(t, size) for t in tokens]
    narrow = min(first_width, width)
    if any(w > narrow for w in widths):  # a word longer than a line breaks anywhere
        expanded = []
        for tok, w in zip(tokens, widths, strict=True):
            expanded.extend(tok if w > narrow and len(tok) > 1 else [tok])
        tokens = expanded
        widths = [_width(t, size) for t in tokens]
    lines: list[str] = []
    start, count = 0, len(tokens)
    while start < count:
        if lines:
            while start < count and tokens[start].isspace():
                start += 1
            if start >= count:
                break
        limit = first_width if not lines else width
        used, end = 0.0, start
        while end < count and used + widths[end] <= limit + 0.01:
            used += widths[end]
            end += 1
        if end < count:
            if end == start:
                end = start + 1  # a single glyph wider than the line: let it overflow
            else:
                brk = end
                while brk > start + 1 and (
                    tokens[brk][0] in _NO_START or tokens[brk - 1][-1] in _NO_END
                ):
                    brk -= 1
                if tokens[brk][0] not in _NO_START and tokens[brk - 1][-1] not in _NO_END:
                    end = brk
        lines.append("".join(tokens[start:end]).rstrip())
        start = end
    return lines or [""]


class _Text(Flowable):
    """A paragraph of plain text in the two fonts: wraps with the Chinese rules above, justifies
    full lines, and splits across pages between lines."""

    def __init__(
        self,
        text: str,
        *,
        size: float = 12,
        leading: float | None = None,
        indent: float = 0,
        first_indent: float = 0,
        align: str = "justify",
        color=None,
        space_before: float = 0,
        space_after: float = 0,
        bold: float = 0.0,
        tracking: float = 0.0,
        _lines: list[tuple[str, bool, bool]] | None = None,
    ):
        super().__init__()
        self.text = str(text)
        self.size = size
        self.leading = leading or size * 1.5
        self.indent = indent
        self.first_indent = first_indent
        self.align = align
        self.color = color or INK
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.bold = bold
        self.tracking = tracking  # extra space between glyphs of a short centred line
        self._fixed = _lines  # set on the pieces of a split paragraph
        self._lines: list[tuple[str, bool, bool]] = _lines or []

    def _layout(self, avail_width: float) -> list[tuple[str, bool, bool]]:
        """(text, is first line of a hard paragraph, is last line of it) per line."""
        if self._fixed is not None:
            return self._fixed
        out = []
        width = avail_width - self.indent
        for hard in self.text.split("\n"):
            lines = _break_lines(hard, self.size, width - self.first_indent, width)
            for number, line in enumerate(lines):
                out.append((line, number == 0, number == len(lines) - 1))
        return out

    def wrap(self, avail_width, avail_height):
        self._lines = self._layout(avail_width)
        self.width = avail_width
        self.height = len(self._lines) * self.leading
        return self.width, self.height

    def split(self, avail_width, avail_height):
        lines = self._layout(avail_width)
        fit = int((avail_height + 0.01) // self.leading)
        if fit >= len(lines):
            return [self]
        if fit < 2 or len(lines) - fit < 2:  # no orphan or widow lines
            fit = min(fit, len(lines) - 2)
            if fit < 2:
                return []
        head, tail = self._piece(lines[:fit]), self._piece(lines[fit:])
        head.spaceAfter = 0
        tail.spaceBefore = 0
        return [head, tail]

    def _piece(self, lines):
        return _Text(
            self.text,
            size=self.size,
            leading=self.leading,
            indent=self.indent,
            first_indent=self.first_indent,
            align=self.align,
            color=self.color,
            space_before=self.spaceBefore,
            space_after=self.spaceAfter,
            bold=self.bold,
            tracking=self.tracking,
            _lines=lines,
        )

    def draw(self):
        canvas = self.canv
        canvas.setFillColor(self.color)
        canvas.setStrokeColor(self.color)
        size, leading = self.size, self.leading
        # the ideographs fill the em box from -0.12 to 0.88 em: centre that box in the leading
        baseline = self.height - (leading - size) / 2 - 0.88 * size
        for line, first, last in self._lines:
            left = self.indent + (self.first_indent if first else 0)
            room = self.width - left
            char_space = 0.0
            if self.align == "justify" and not last and len(line) > 1:
                extra = room - _width(line, size)
                if 0 < extra <= 3 * size:
                    char_space = extra / (len(line) - 1)
            if self.align == "center":
                _draw(
                    canvas,
                    left + room / 2,
                    baseline,
                    line,
                    size,
                    align="center",
                    bold=self.bold,
                    char_space=self.tracking,
                )
            elif self.align == "right":
                _draw(canvas, self.width, baseline, line, size, align="right", bold=self.bold)
            else:
                _draw(canvas, left, baseline, line, size, bold=self.bold, char_space=char_space)
            baseline -= leading


# --------------------------------------------------------------------------------------------
# Layout

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT, MARGIN_RIGHT = 28 * mm, 26 * mm
MARGIN_TOP, MARGIN_BOTTOM = 25 * mm, 25 * mm
FRAME_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT - 12  # the frame pads 6 pt each side
BODY_SIZE = 12
INK = colors.HexColor("#111111")


_STYLES: dict[str, dict] = {
    "header": {"size": 15, "leading": 22, "align": "center"},
    "number": {"size": 11, "leading": 16, "align": "right"},
    "addressee": {"space_before": 6},
    "body": {"first_indent": 2 * BODY_SIZE, "space_after": 2},
    "quote": {"indent": 2 * BODY_SIZE, "space_after": 2},
    "cell": {"size": 10.5, "leading": 15},
    "cell_head": {"size": 10.5, "leading": 15, "align": "center"},
    "label": {"size": 10.5, "leading": 15, "align": "left", "color": colors.HexColor("#333333")},
    "seal": {"align": "right", "leading": BODY_SIZE * 1.9},
    "qr_caption": {"size": 9, "leading": 13, "align": "left"},
    "url": {"size": 7, "leading": 9, "align": "left"},
    "note": {"size": 9, "leading": 13, "color": colors.HexColor("#333333")},
}


def _text(text: str, style: str = "body") -> _Text:
    options = {"size": BODY_SIZE, "leading": BODY_SIZE * 1.75, **_STYLES[style]}
    return _Text(text, **options)


class _Rule(Flowable):
    def __init__(self, width_pt: float = 1.2, space: float = 6):
        super().__init__()
        self.line_width = width_pt
        self.space = space

    def wrap(self, avail_width, avail_height):
        self.avail_width = avail_width
        return avail_width, 2 * self.space

    def draw(self):
        self.canv.setStrokeColor(colors.HexColor("#a00000"))
        self.canv.setLineWidth(self.line_width)
        self.canv.line(0, self.space, self.avail_width, self.space)


class _PagedCanvas(Canvas):
    """Keeps each page until the end so the footer can say 第 n 页 共 N 页."""

    def __init__(self, *args, footer: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFillColor(colors.HexColor("#444444"))
            _draw(
                self,
                PAGE_WIDTH / 2,
                13 * mm,
                f"{self._footer}　第 {number} 页 共 {total} 页",
                8.5,
                align="center",
            )
            super().showPage()
        super().save()


def _qr_image(url: str, size: float) -> Image:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    buffer.seek(0)
    return Image(buffer, width=size, height=size)


# --------------------------------------------------------------------------------------------
# Content


def _sentence(text: str) -> str:
    """Trim and make sure it ends like a sentence."""
    text = text.strip()
    if text and text[-1] not in "。！？；.!?;：:":
        text += "。"
    return text


def _clause(text: str) -> str:
    """Trim trailing punctuation from text that is embedded in a sentence."""
    return text.strip().rstrip("。；;，,.、 ")


def _paragraphs(text: str) -> list[str]:
    return [_sentence(p) for p in re.split(r"\n\s*\n|\n", text.strip()) if p.strip()]


def info_table(rows: Sequence[tuple[str, str]], *, size: float = 10.5) -> Table:
    """Key-value pairs, two to a row; a long value, or a last one alone, takes the row."""
    label_w = 28 * mm
    value_w = FRAME_WIDTH / 2 - label_w
    pairs = [(label, value) for label, value in rows if value]
    lines: list[list[tuple[str, str, bool]]] = []
    for label, value in pairs:
        wide = _width(value, size) > value_w - 12
        if not wide and lines and len(lines[-1]) == 1 and not lines[-1][0][2]:
            lines[-1].append((label, value, False))
        else:
            lines.append([(label, value, wide)])
    cells = []
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    label_bg = colors.HexColor("#f1f1f1")
    for index, line in enumerate(lines):
        row = []
        for label, value, _wide in line:
            row += [_text(label, "label"), _text(value, "cell")]
        commands.append(("BACKGROUND", (0, index), (0, index), label_bg))
        if len(line) == 2:
            commands.append(("BACKGROUND", (2, index), (2, index), label_bg))
        else:
            row += ["", ""]
            commands.append(("SPAN", (1, index), (3, index)))
        cells.append(row)
    table = Table(cells, colWidths=[label_w, value_w, label_w, value_w])
    table.setStyle(TableStyle(commands))
    return table


def build(story: list, *, title: str, author: str, subject: str, footer: str) -> bytes:
    """The A4 PDF of ``story`` (same story, same bytes), with the page footer."""
    fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        creator="OneWindow 一窗通办",
        invariant=True,
    )
    doc.build(story, canvasmaker=partial(PagedCanvas, footer=footer))
    return buffer.getvalue()


# Public names (the underscored ones are kept for approvals.notices, which predates this module).
fonts = _fonts
runs = _runs
width = _width
draw = _draw
break_lines = _break_lines
Text = _Text
text = _text
Rule = _Rule
PagedCanvas = _PagedCanvas
qr_image = _qr_image
sentence = _sentence
clause = _clause
paragraphs = _paragraphs
short_town = _short_town
