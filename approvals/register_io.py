"""Registers travel as .xlsx: reading (every problem at once), planning (what would be created,
changed, retired), applying (atomic, idempotent), exporting and generating test registers.

Sheet 事项: 事项编码, 事项名称, 事项类型, 行使方式, 来源部门, 办理部门, 法定时限, 承诺时限,
设定依据, 收费标准, 办理渠道, 特色标签 (+ optional 业务类别, 办理环节).
Sheet 材料: 事项编码, 材料名称, 原件或复印件, 份数, 是否必需, 是否容缺.
Values are written in Chinese as a district writes them; messages are in the user's language.

Import semantics: an import adds and changes. A code that is new becomes a draft version 1; a
row that differs from the newest version of its code becomes a new draft version (or updates
the existing draft); a row equal to it changes nothing. A code in force that the file does not
list stays in force — unless the registrar explicitly asks (``retire_missing``) to treat the
file as the whole register, when it is retired from the day of the import. Nothing published
is ever overwritten."""

import hashlib
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from approvals import signals
from approvals.models import BusinessCategory, Material, Matter, RegisterImportJob
from portal import audit, xlsx
from portal.models import Department, Window

MATTER_SHEET = "事项"
MATERIAL_SHEET = "材料"
HELP_SHEET = "填写说明"

C_CODE = "事项编码"
C_NAME = "事项名称"
C_KIND = "事项类型"
C_MODE = "行使方式"
C_FROM = "来源部门"
C_DEPT = "办理部门"
C_STATUTORY = "法定时限"
C_COMMITTED = "承诺时限"
C_BASIS = "设定依据"
C_FEE = "收费标准"
C_CHANNELS = "办理渠道"
C_LANE = "特色标签"
C_CATEGORY = "业务类别"  # optional
C_STAGES = "办理环节"  # optional
MATTER_COLUMNS = [
    C_CODE,
    C_NAME,
    C_KIND,
    C_MODE,
    C_FROM,
    C_DEPT,
    C_STATUTORY,
    C_COMMITTED,
    C_BASIS,
    C_FEE,
    C_CHANNELS,
    C_LANE,
]
# Optional columns: the English name and the national service-guide standard's fields
# (办事指南要素). A column left out of the file keeps what the register holds; a column in the
# file sets the value exactly (an empty cell empties it), so an export reads back unchanged.
C_NAME_EN = "事项英文名称"
C_AUDIENCE = "办理对象"
C_CONDITIONS = "受理条件"
C_VISITS = "到现场次数"
C_OFFICE_ADDRESS = "办理地点"
C_OFFICE_HOURS = "办公时间"
C_ENQUIRY_PHONE = "咨询电话"
C_COMPLAINT_PHONE = "监督投诉电话"
C_FAQ = "常见问题"
# column, attribute, kind (text with a maximum length, audience, visits)
GUIDE_COLUMNS = [
    (C_NAME_EN, "name_en", 300),
    (C_AUDIENCE, "audience", "audience"),
    (C_CONDITIONS, "conditions", 5000),
    (C_VISITS, "visits", "visits"),
    (C_OFFICE_ADDRESS, "office_address", 200),
    (C_OFFICE_HOURS, "office_hours", 200),
    (C_ENQUIRY_PHONE, "enquiry_phone", 64),
    (C_COMPLAINT_PHONE, "complaint_phone", 64),
    (C_FAQ, "faq", 20000),
]
GUIDE_ATTRS = [attr for _column, attr, _kind in GUIDE_COLUMNS]
MATTER_OPTIONAL = [C_CATEGORY, C_STAGES, *(column for column, _a, _k in GUIDE_COLUMNS)]
AUDIENCE_LABELS = {
    "person": "自然人",
    "organisation": "法人或其他组织",
    "both": "自然人、法人或其他组织",
}
AUDIENCE_BY_TEXT = {
    **{label: key for key, label in AUDIENCE_LABELS.items()},
    "个人": "person",
    "法人": "organisation",
    "自然人和法人": "both",
    "自然人、法人": "both",
}
VISITS_BY_TEXT = {"0": 0, "0次": 0, "1": 1, "1次": 1, "2": 2, "2次": 2, "多次": 2, "2次及以上": 2}

# The optional sheet of English names for the reference data the register names.
NAMES_SHEET = "英文名称"
N_KIND = "类型"
N_NAME = "中文名称"
N_NAME_EN = "英文名称"
NAMES_COLUMNS = [N_KIND, N_NAME, N_NAME_EN]
NAME_KINDS = {"部门": "department", "窗口": "window", "业务类别": "category"}
WINDOW_NAME_RE = re.compile(r"^(\d+)号窗口$")


def _named_objects() -> dict[str, dict[str, object]]:
    """Departments, windows ("9号窗口") and categories by the Chinese name the sheet uses."""
    return {
        "department": {d.name: d for d in Department.objects.all()},
        "window": {f"{w.number}号窗口": w for w in Window.objects.all()},
        "category": {c.name: c for c in BusinessCategory.objects.all()},
    }


M_CODE = "事项编码"
M_NAME = "材料名称"
M_FORM = "原件或复印件"
M_COPIES = "份数"
M_MANDATORY = "是否必需"
M_TOLERATED = "是否容缺"
MATERIAL_COLUMNS = [M_CODE, M_NAME, M_FORM, M_COPIES, M_MANDATORY, M_TOLERATED]

# Values as the district writes them (always Chinese, whatever the user's language).
KIND_LABELS = {
    "licensing": "行政许可",
    "penalty": "行政处罚",
    "compulsion": "行政强制",
    "levy": "行政征收",
    "payment": "行政给付",
    "inspection": "行政检查",
    "confirmation": "行政确认",
    "award": "行政奖励",
    "adjudication": "行政裁决",
    "other": "其他行政权力",
    "public_service": "公共服务",
}
KIND_BY_TEXT = {**{v: k for k, v in KIND_LABELS.items()}, "其他权力": "other"}
MODE_LABELS = {"direct": "直接赋权", "entrusted": "委托行使", "forward": "受理转报", "own": "本级"}
MODE_BY_TEXT = {
    **{v: k for k, v in MODE_LABELS.items()},
    "镇级原有": "own",
    "驻镇机构": "own",
    "本级行使": "own",
}
FORM_LABELS = {
    "original": "原件",
    "copy": "复印件",
    "both": "原件和复印件",
    "electronic": "电子材料",
}
FORM_BY_TEXT = {
    **{v: k for k, v in FORM_LABELS.items()},
    "原件及复印件": "both",
    "原件、复印件": "both",
    "原件+复印件": "both",
    "原件或复印件": "both",
    "电子版": "electronic",
    "电子": "electronic",
}
CHANNEL_LABELS = {
    "hall": "窗口办理",
    "online": "网上办理",
    "self_service": "自助终端",
    "proxy": "帮代办",
}
CHANNEL_BY_TEXT = {
    **{v: k for k, v in CHANNEL_LABELS.items()},
    "窗口": "hall",
    "大厅": "hall",
    "现场办理": "hall",
    "网上": "online",
    "网办": "online",
    "线上": "online",
    "网上申请": "online",
    "自助": "self_service",
    "自助办理": "self_service",
    "代办": "proxy",
    "帮办代办": "proxy",
}
YES = {"是", "y", "yes", "true", "1", "√", "需要"}
NO = {"否", "n", "no", "false", "0", "×", "不需要"}
FREE = {"", "不收费", "免费", "无", "0", "0元", "无收费"}

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
DAYS_RE = re.compile(r"^(\d{1,4})\s*(?:个)?\s*(?:工作日|天|日)?$")
FEE_RE = re.compile(r"^(\d{1,8}(?:\.\d{1,2})?)\s*元?\s*(?:[；;，,。:：]\s*(.*))?$", re.S)
# Stages are joined by arrows (what the export writes) or, in a file without arrows, by 、 or >.
STAGE_ARROWS = re.compile(r"\s*(?:→|->|\n)\s*")
STAGE_FALLBACK = re.compile(r"\s*(?:＞|>|、)\s*")
CHANNEL_SPLIT = re.compile(r"[、,，;；/\s]+")
MAX_PROBLEMS = 5000
OLE_MAGIC = xlsx.OLE_MAGIC

Progress = Callable[[int, int, str], None]


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = [self.sheet or _("文件")]
        if self.row:
            where.append(_("第%(row)s行") % {"row": self.row})
        if self.column:
            where.append(_("“%(column)s”列") % {"column": self.column})
        return f"{' '.join(where)}：{self.message}"


@dataclass
class MaterialRow:
    row: int
    name: str
    form: str
    copies: int
    mandatory: bool
    tolerated_missing: bool

    def signature(self) -> tuple:
        return (self.name, self.form, self.copies, self.mandatory, self.tolerated_missing)


@dataclass
class MatterRow:
    row: int
    code: str
    name: str = ""
    kind: str = ""
    delegation_mode: str = ""
    delegating_department_id: int | None = None
    handling_department_id: int | None = None
    statutory_days: int = 0
    committed_days: int = 0
    legal_basis: str = ""
    fee_free: bool = True
    fee_amount: Decimal | None = None
    fee_basis: str = ""
    channels: frozenset = frozenset()
    special_lane: str = ""
    category_id: int | None = None  # None: not given in the file
    stages: list[str] | None = None  # None: not given in the file
    guide: dict = field(default_factory=dict)  # the optional guide columns given in the file
    materials: list[MaterialRow] = field(default_factory=list)


@dataclass
class ParsedRegister:
    matters: dict[str, MatterRow] = field(default_factory=dict)
    # (kind, Chinese name, English name) from the optional English-names sheet
    english_names: list[tuple[str, str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    matter_rows: int = 0
    material_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class _Problems:
    def __init__(self, target: list[Problem]):
        self.target = target

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        if len(self.target) < MAX_PROBLEMS:
            self.target.append(Problem(sheet, row, column, str(message)))


# --- reading ---------------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as text, without the spaces around it (full-width ones included); spaces inside
    are kept as they are, so that an exported register reads back exactly."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def split_stages(text: str) -> list[str]:
    """Stage names from the 办理环节 column: split on arrows when there are any (a name may then
    hold 、 or >), else on 、 or >."""
    pattern = STAGE_ARROWS if STAGE_ARROWS.search(text) else STAGE_FALLBACK
    return [s for s in pattern.split(text) if s]


def join_stages(names: list[str]) -> str:
    """The 办理环节 column that ``split_stages`` reads back as ``names``."""
    text = "→".join(names)
    if len(names) == 1 and STAGE_FALLBACK.search(text):
        text += "→"  # one stage whose name holds 、 or >: the arrow keeps it whole
    return text


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    match = DAYS_RE.match(_text(value))
    return int(match.group(1)) if match else None


def _yes_no(value, default: bool) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text == "":
        return default
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def _header_key(value) -> str:
    return re.sub(r"[\s*＊]", "", _text(value))


class _Lookups:
    """Departments and categories by code, name or short name."""

    def __init__(self):
        self.departments: dict[str, Department] = {}
        for dept in Department.objects.all():
            for key in (dept.code, dept.name, dept.short_name):
                if key:
                    self.departments.setdefault(key.strip(), dept)
        self.categories: dict[str, int] = {}
        for cat in BusinessCategory.objects.all():
            self.categories.setdefault(cat.code, cat.pk)
            self.categories.setdefault(cat.name, cat.pk)


def _open_workbook(content: bytes, problems: _Problems):
    try:
        return xlsx.open_workbook(content)
    except xlsx.SpreadsheetRefused as refused:
        problems.add("", None, "", refused.message)
        return None


def _columns(ws, sheet: str, wanted: list[str], optional: list[str], problems: _Problems, rows):
    """Map header names to column indexes from the first row; report missing columns."""
    header = next(rows, None)
    index: dict[str, int] = {}
    for position, value in enumerate(header or ()):
        key = _header_key(value)
        if key and key not in index:
            index[key] = position
    missing = [name for name in wanted if name not in index]
    for name in missing:
        problems.add(sheet, 1, name, _("缺少必需的列“%(column)s”。") % {"column": name})
    return index, not missing


def read_register(content: bytes, *, progress: Progress | None = None) -> ParsedRegister:
    """Read and check every row of a register file. Never raises on bad input: every problem
    is reported in ``problems`` (sheet, row, column, message)."""
    parsed = ParsedRegister()
    problems = _Problems(parsed.problems)
    wb = _open_workbook(content, problems)
    if wb is None:
        return parsed
    try:
        _read_sheets(wb, parsed, problems, progress)
    except xlsx.SpreadsheetRefused as refused:
        problems.add("", None, "", refused.message)
    except Exception:  # noqa: BLE001 - a damaged sheet part surfaces while iterating
        problems.add("", None, "", _("文件已损坏，无法读取，请重新导出后再上传。"))
    finally:
        wb.close()
    return parsed


def _read_sheets(wb, parsed: ParsedRegister, problems: _Problems, progress: Progress | None):
    names = {name.strip(): name for name in wb.sheetnames}
    for sheet in (MATTER_SHEET, MATERIAL_SHEET):
        if sheet not in names:
            problems.add(sheet, None, "", _("缺少工作表“%(sheet)s”。") % {"sheet": sheet})
    if MATTER_SHEET not in names:
        return
    lookups = _Lookups()
    ws = wb[names[MATTER_SHEET]]
    total = (ws.max_row or 0) + (
        wb[names[MATERIAL_SHEET]].max_row or 0 if MATERIAL_SHEET in names else 0
    )
    total = max(total, 1)
    rows = xlsx.sheet_rows(ws)
    index, complete = _columns(ws, MATTER_SHEET, MATTER_COLUMNS, MATTER_OPTIONAL, problems, rows)
    first_row: dict[str, int] = {}
    seen = 1
    matters_readable = complete
    if complete:
        for number, values in enumerate(rows, start=2):
            seen += 1
            if progress and number % 200 == 0:
                progress(seen, total, _("正在校验“事项”表"))
            if not any(_text(v) for v in values):
                continue
            parsed.matter_rows += 1
            row = _matter_row(values, number, index, lookups, problems)
            if row is None:
                continue
            if row.code in first_row:
                problems.add(
                    MATTER_SHEET,
                    number,
                    C_CODE,
                    _("事项编码 %(code)s 重复（第%(first)s行已有该编码）。")
                    % {"code": row.code, "first": first_row[row.code]},
                )
                continue
            first_row[row.code] = number
            parsed.matters[row.code] = row
    if NAMES_SHEET in names:
        _read_names(wb[names[NAMES_SHEET]], parsed, problems)
    if MATERIAL_SHEET not in names:
        return
    ws = wb[names[MATERIAL_SHEET]]
    rows = xlsx.sheet_rows(ws)
    index, complete = _columns(ws, MATERIAL_SHEET, MATERIAL_COLUMNS, [], problems, rows)
    if not complete:
        return
    material_names: dict[tuple[str, str], int] = {}
    for number, values in enumerate(rows, start=2):
        seen += 1
        if progress and number % 500 == 0:
            progress(seen, total, _("正在校验“材料”表"))
        if not any(_text(v) for v in values):
            continue
        parsed.material_rows += 1
        _material_row(
            values, number, index, parsed, first_row, material_names, problems, matters_readable
        )


def _read_names(ws, parsed: ParsedRegister, problems: _Problems) -> None:
    """The optional English-names sheet: one row per department, window, category (or the
    town), named by its Chinese name (a window also by its number)."""
    rows = xlsx.sheet_rows(ws)
    index, complete = _columns(ws, NAMES_SHEET, NAMES_COLUMNS, [], problems, rows)
    if not complete:
        return
    known = _named_objects()
    for number, values in enumerate(rows, start=2):
        if not any(_text(v) for v in values):
            continue
        label = _text(_cell(values, index, N_KIND))
        kind = NAME_KINDS.get(label)
        name = _text(_cell(values, index, N_NAME))
        english = _text(_cell(values, index, N_NAME_EN))
        if kind is None:
            problems.add(
                NAMES_SHEET,
                number,
                N_KIND,
                _("类型应为：%(allowed)s。") % {"allowed": "、".join(NAME_KINDS)},
            )
            continue
        if name not in known[kind]:
            problems.add(
                NAMES_SHEET,
                number,
                N_NAME,
                _("没有名为“%(name)s”的%(kind)s。") % {"name": name, "kind": label},
            )
            continue
        if len(english) > 200:
            problems.add(NAMES_SHEET, number, N_NAME_EN, _("不能超过%(n)s字。") % {"n": 200})
            continue
        parsed.english_names.append((kind, name, english))


def _cell(values, index: dict[str, int], column: str):
    position = index.get(column)
    if position is None or position >= len(values):
        return None
    return values[position]


def _matter_row(values, number, index, lookups: _Lookups, problems: _Problems) -> MatterRow | None:
    sheet = MATTER_SHEET

    def bad(column, message):
        problems.add(sheet, number, column, message)

    code = _text(_cell(values, index, C_CODE))
    if not code:
        bad(C_CODE, _("事项编码不能为空。"))
    elif not CODE_RE.match(code):
        bad(C_CODE, _("事项编码只能由字母、数字、“-”“_”“.”组成，最长64位。"))
    row = MatterRow(row=number, code=code)

    row.name = _text(_cell(values, index, C_NAME))
    if not row.name:
        bad(C_NAME, _("事项名称不能为空。"))
    elif len(row.name) > 200:
        bad(C_NAME, _("事项名称不能超过200字。"))

    kind = _text(_cell(values, index, C_KIND))
    row.kind = KIND_BY_TEXT.get(kind) or (kind if kind in KIND_LABELS else "")
    if not row.kind:
        bad(
            C_KIND,
            _("事项类型“%(value)s”无法识别，应为：%(allowed)s。")
            % {"value": kind, "allowed": "、".join(KIND_LABELS.values())},
        )

    mode = _text(_cell(values, index, C_MODE))
    row.delegation_mode = MODE_BY_TEXT.get(mode) or (mode if mode in MODE_LABELS else "")
    if not row.delegation_mode:
        bad(
            C_MODE,
            _("行使方式“%(value)s”无法识别，应为：%(allowed)s。")
            % {"value": mode, "allowed": "、".join(MODE_LABELS.values())},
        )

    source = _text(_cell(values, index, C_FROM))
    if source:
        dept = lookups.departments.get(source)
        if dept is None:
            bad(C_FROM, _("未知的部门“%(value)s”，请先在系统中登记该部门。") % {"value": source})
        else:
            row.delegating_department_id = dept.pk
    elif row.delegation_mode in ("entrusted", "forward"):
        bad(C_FROM, _("委托行使和受理转报事项须填写来源部门。"))

    handler = _text(_cell(values, index, C_DEPT))
    if not handler:
        bad(C_DEPT, _("办理部门不能为空。"))
    else:
        dept = lookups.departments.get(handler)
        if dept is None:
            bad(C_DEPT, _("未知的部门“%(value)s”，请先在系统中登记该部门。") % {"value": handler})
        else:
            row.handling_department_id = dept.pk

    statutory = _int(_cell(values, index, C_STATUTORY))
    committed = _int(_cell(values, index, C_COMMITTED))
    for column, value in ((C_STATUTORY, statutory), (C_COMMITTED, committed)):
        if value is None or not 1 <= value <= 3650:
            bad(column, _("应为1到3650之间的工作日天数（整数）。"))
    if statutory and committed and committed > statutory:
        bad(
            C_COMMITTED,
            _("承诺时限（%(committed)s个工作日）不得超过法定时限（%(statutory)s个工作日）。")
            % {"committed": committed, "statutory": statutory},
        )
    row.statutory_days = statutory or 0
    row.committed_days = committed or 0

    row.legal_basis = _text(_cell(values, index, C_BASIS))

    fee = _text(_cell(values, index, C_FEE))
    if fee in FREE:
        row.fee_free, row.fee_amount, row.fee_basis = True, None, ""
    else:
        match = FEE_RE.match(fee)
        if not match:
            bad(C_FEE, _("收费标准应写“不收费”，或金额加依据，如“50元；依据……”。"))
        else:
            try:
                row.fee_amount = Decimal(match.group(1)).quantize(Decimal("0.01"))
                row.fee_free = False
                row.fee_basis = (match.group(2) or "").strip()
            except InvalidOperation:
                bad(C_FEE, _("收费金额无法识别。"))

    channels = set()
    raw = _text(_cell(values, index, C_CHANNELS))
    for token in CHANNEL_SPLIT.split(raw):
        if not token:
            continue
        key = CHANNEL_BY_TEXT.get(token)
        if key is None:
            bad(
                C_CHANNELS,
                _("办理渠道“%(value)s”无法识别，应为：%(allowed)s（可多选，用顿号分隔）。")
                % {"value": token, "allowed": "、".join(CHANNEL_LABELS.values())},
            )
        else:
            channels.add(key)
    if not raw:
        bad(C_CHANNELS, _("至少填写一个办理渠道。"))
    row.channels = frozenset(channels)

    row.special_lane = _text(_cell(values, index, C_LANE))
    if len(row.special_lane) > 32:
        bad(C_LANE, _("特色标签不能超过32字。"))

    if C_CATEGORY in index:
        category = _text(_cell(values, index, C_CATEGORY))
        if category:
            row.category_id = lookups.categories.get(category)
            if row.category_id is None:
                bad(C_CATEGORY, _("未知的业务类别“%(value)s”。") % {"value": category})
    if C_STAGES in index:
        stages = _text(_cell(values, index, C_STAGES))
        if stages:
            row.stages = split_stages(stages)
    for column, attr, kind in GUIDE_COLUMNS:
        if column not in index:
            continue
        value = _text(_cell(values, index, column))
        if kind == "audience":
            row.guide[attr] = AUDIENCE_BY_TEXT.get(value or AUDIENCE_LABELS["person"])
            if row.guide[attr] is None:
                bad(
                    column,
                    _("办理对象“%(value)s”无法识别，应为：%(allowed)s。")
                    % {"value": value, "allowed": "、".join(AUDIENCE_LABELS.values())},
                )
        elif kind == "visits":
            row.guide[attr] = VISITS_BY_TEXT.get(value) if value else None
            if value and row.guide[attr] is None:
                bad(column, _("到现场次数应为 0、1 或 2（2次及以上）。"))
        else:
            if len(value) > kind:
                bad(column, _("不能超过%(n)s字。") % {"n": kind})
            row.guide[attr] = value

    if not code or not CODE_RE.match(code):
        return None
    return row


def _material_row(
    values, number, index, parsed, first_row, names, problems: _Problems, check_codes: bool
):
    sheet = MATERIAL_SHEET

    def bad(column, message):
        problems.add(sheet, number, column, message)

    code = _text(_cell(values, index, M_CODE))
    if not code:
        bad(M_CODE, _("事项编码不能为空。"))
    elif check_codes and code not in first_row:
        bad(M_CODE, _("事项编码 %(code)s 不在“事项”表中。") % {"code": code})
    name = _text(_cell(values, index, M_NAME))
    if not name:
        bad(M_NAME, _("材料名称不能为空。"))
    elif len(name) > 200:
        bad(M_NAME, _("材料名称不能超过200字。"))
    elif (code, name) in names:
        bad(
            M_NAME,
            _("同一事项的材料“%(name)s”重复（第%(first)s行已有）。")
            % {"name": name, "first": names[(code, name)]},
        )
    form_text = _text(_cell(values, index, M_FORM))
    form = FORM_BY_TEXT.get(form_text)
    if form is None:
        bad(
            M_FORM,
            _("“%(value)s”无法识别，应为：%(allowed)s。")
            % {"value": form_text, "allowed": "、".join(FORM_LABELS.values())},
        )
    raw_copies = _cell(values, index, M_COPIES)
    copies = 1 if _text(raw_copies) == "" else _int(raw_copies)
    if copies is None or not 1 <= copies <= 99:
        bad(M_COPIES, _("份数应为1到99之间的整数。"))
    mandatory = _yes_no(_cell(values, index, M_MANDATORY), True)
    if mandatory is None:
        bad(M_MANDATORY, _("应填“是”或“否”。"))
    tolerated = _yes_no(_cell(values, index, M_TOLERATED), False)
    if tolerated is None:
        bad(M_TOLERATED, _("应填“是”或“否”。"))
    if code and name:
        names.setdefault((code, name), number)
    matter = parsed.matters.get(code)
    if matter is not None and form and copies and mandatory is not None and tolerated is not None:
        matter.materials.append(
            MaterialRow(
                row=number,
                name=name,
                form=form,
                copies=copies,
                mandatory=mandatory,
                tolerated_missing=tolerated,
            )
        )


# --- planning --------------------------------------------------------------------------------

FIELD_LABELS = {
    "name": C_NAME,
    "kind": C_KIND,
    "delegation_mode": C_MODE,
    "delegating_department_id": C_FROM,
    "handling_department_id": C_DEPT,
    "statutory_days": C_STATUTORY,
    "committed_days": C_COMMITTED,
    "legal_basis": C_BASIS,
    "fee": C_FEE,
    "channels": C_CHANNELS,
    "special_lane": C_LANE,
    "category_id": C_CATEGORY,
    "stages": C_STAGES,
    "materials": MATERIAL_SHEET,
    **{attr: column for column, attr, _kind in GUIDE_COLUMNS},
}


@dataclass
class PlanEntry:
    action: str  # create | change | retire
    code: str
    name: str
    version: int  # the version created, updated or retired
    row: int | None = None
    fields: list[str] = field(default_factory=list)
    base_id: int | None = None  # the version compared against / retired
    base_revision: int | None = None
    base_status: str = ""

    def as_dict(self) -> dict:
        return {
            "action": self.action,
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "row": self.row,
            "fields": self.fields,
            "base_status": self.base_status,
        }


def retire_confirm_share() -> float:
    """Retiring more than this share of the matters in force needs the number typed in."""
    return float(settings.ONEWINDOW.get("REGISTER_RETIRE_CONFIRM_SHARE", 0.2))


@dataclass
class Plan:
    entries: list[PlanEntry] = field(default_factory=list)
    unchanged: int = 0
    in_force: int = 0  # codes in force today
    # English names to set: (kind, Chinese name, English name), only those that differ
    names: list[tuple[str, str, str]] = field(default_factory=list)

    def of(self, action: str) -> list[PlanEntry]:
        return [e for e in self.entries if e.action == action]

    @property
    def retire_share(self) -> int:
        """The retired codes as a whole percentage of the codes in force (at least 1 when any)."""
        codes = len({e.code for e in self.of("retire")})
        if not codes:
            return 0
        if not self.in_force:
            return 100
        return max(1, min(100, codes * 100 // self.in_force))

    @property
    def confirm_retire(self) -> bool:
        """Whether the retirements need the typed number (above the configured share)."""
        codes = len({e.code for e in self.of("retire")})
        return bool(codes) and codes > retire_confirm_share() * self.in_force

    def retire_confirmed(self, typed) -> bool:
        if not self.confirm_retire:
            return True
        try:
            return int(str(typed).strip()) == len(self.of("retire"))
        except (TypeError, ValueError):
            return False

    @property
    def fingerprint(self) -> str:
        data = [
            (e.action, e.code, e.version, e.base_id, e.base_revision, e.fields)
            for e in self.entries
        ]
        if self.names:
            data.append(sorted(self.names))
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()

    def report(self, limit: int = 2000) -> dict:
        created, changed, retired = self.of("create"), self.of("change"), self.of("retire")
        return {
            "created": len(created),
            "changed": len(changed),
            "retired": len(retired),
            "unchanged": self.unchanged,
            "in_force": self.in_force,
            "retire_share": self.retire_share,
            "confirm_retire": self.confirm_retire,
            "names": len(self.names),
            "has_changes": bool(self.entries or self.names),
            "entries": [e.as_dict() for e in self.entries[:limit]],
            "truncated": max(0, len(self.entries) - limit),
        }


@dataclass
class _CodeState:
    latest: Matter
    materials: list[Material]
    live_published: list[Matter]  # published versions in force today or later
    in_force: Matter | None = None  # the version in force today, when it is not the latest
    in_force_materials: list[Material] = field(default_factory=list)


def _current_state(today: date) -> dict[str, _CodeState]:
    versions = Matter.objects.order_by("code", "version")
    by_code: dict[str, list[Matter]] = {}
    for version in versions:
        by_code.setdefault(version.code, []).append(version)
    materials_of: dict[int, list[Material]] = {}
    states: dict[str, _CodeState] = {}
    for code, items in by_code.items():
        latest = items[-1]
        live = [
            v
            for v in items
            if v.status == Matter.Status.PUBLISHED
            and v.valid_from is not None
            and (v.valid_to is None or v.valid_to >= today)
        ]
        state = _CodeState(latest=latest, materials=[], live_published=live)
        materials_of[latest.pk] = state.materials
        in_force = next((v for v in items if v.pk != latest.pk and v.in_force_on(today)), None)
        if in_force is not None:
            state.in_force = in_force
            materials_of[in_force.pk] = state.in_force_materials
        states[code] = state
    for material in Material.objects.filter(matter_id__in=list(materials_of)).order_by(
        "matter_id", "order", "id"
    ):
        materials_of[material.matter_id].append(material)
    return states


def _material_signature(material: Material) -> tuple:
    return (
        material.name,
        material.form,
        material.copies,
        material.mandatory,
        material.tolerated_missing,
    )


def _differences(row: MatterRow, current: Matter, materials: list[Material]) -> list[str]:
    diffs = []
    simple = [
        "name",
        "kind",
        "delegation_mode",
        "delegating_department_id",
        "handling_department_id",
        "statutory_days",
        "committed_days",
        "legal_basis",
        "special_lane",
    ]
    for attr in simple:
        if getattr(row, attr) != getattr(current, attr):
            diffs.append(FIELD_LABELS[attr])
    current_fee = (
        (True, None, "")
        if current.fee_free
        else (False, Decimal(current.fee_amount or 0).quantize(Decimal("0.01")), current.fee_basis)
    )
    if (row.fee_free, row.fee_amount, row.fee_basis) != current_fee:
        diffs.append(FIELD_LABELS["fee"])
    if row.channels != frozenset(current.channels):
        diffs.append(FIELD_LABELS["channels"])
    if row.category_id is not None and row.category_id != current.category_id:
        diffs.append(FIELD_LABELS["category_id"])
    if row.stages is not None and row.stages != [s["name"] for s in current.stage_list()]:
        diffs.append(FIELD_LABELS["stages"])
    for attr, value in row.guide.items():
        if value != getattr(current, attr):
            diffs.append(FIELD_LABELS[attr])
    if [m.signature() for m in row.materials] != [_material_signature(m) for m in materials]:
        diffs.append(FIELD_LABELS["materials"])
    return diffs


def plan_import(
    parsed: ParsedRegister, *, retire_missing: bool = False, today: date | None = None
) -> Plan:
    """What applying ``parsed`` would do, against the register as it is now."""
    today = today or timezone.localdate()
    states = _current_state(today)
    plan = Plan(
        in_force=sum(
            1 for s in states.values() if any(v.in_force_on(today) for v in s.live_published)
        )
    )
    for code, row in parsed.matters.items():
        state = states.get(code)
        if state is None:
            plan.entries.append(PlanEntry("create", code, row.name, 1, row=row.row))
            continue
        latest = state.latest
        if latest.status == Matter.Status.RETIRED:
            plan.entries.append(
                PlanEntry(
                    "create",
                    code,
                    row.name,
                    latest.version + 1,
                    row=row.row,
                    fields=[_("重新纳入清单")],
                    base_id=latest.pk,
                    base_revision=latest.revision,
                    base_status=latest.status,
                )
            )
            continue
        diffs = _differences(row, latest, state.materials)
        if diffs and state.in_force is not None:
            # A row equal to the version in force (e.g. an export of today's register) leaves
            # a pending draft or a scheduled version alone.
            if not _differences(row, state.in_force, state.in_force_materials):
                diffs = []
        if not diffs:
            plan.unchanged += 1
            continue
        is_draft = latest.status == Matter.Status.DRAFT
        plan.entries.append(
            PlanEntry(
                "change",
                code,
                row.name,
                latest.version if is_draft else latest.version + 1,
                row=row.row,
                fields=diffs,
                base_id=latest.pk,
                base_revision=latest.revision,
                base_status=latest.status,
            )
        )
    if parsed.english_names:
        known = _named_objects()
        plan.names = [
            (kind, name, english)
            for kind, name, english in parsed.english_names
            if known[kind][name].name_en != english
        ]
    if retire_missing:
        for code in sorted(set(states) - set(parsed.matters)):
            for version in states[code].live_published:
                plan.entries.append(
                    PlanEntry(
                        "retire",
                        code,
                        version.name,
                        version.version,
                        base_id=version.pk,
                        base_revision=version.revision,
                        base_status=version.status,
                    )
                )
    return plan


# --- applying --------------------------------------------------------------------------------


class _CategoryGuess:
    """A new matter's window category: the first category served by a specialised window of
    its handling department, else by any window of it."""

    def __init__(self):
        self.by_department: dict[int, int] = {}
        fallback: dict[int, int] = {}
        for category in BusinessCategory.objects.filter(is_active=True).prefetch_related(
            "windows__departments"
        ):
            for window in category.windows.all():
                for dept in window.departments.all():
                    if window.kind == "specialised":
                        self.by_department.setdefault(dept.pk, category.pk)
                    fallback.setdefault(dept.pk, category.pk)
        for dept, category in fallback.items():
            self.by_department.setdefault(dept, category)

    def __call__(self, department_id: int | None) -> int | None:
        return self.by_department.get(department_id)


def _fill(matter: Matter, row: MatterRow) -> None:
    matter.name = row.name
    matter.kind = row.kind
    matter.delegation_mode = row.delegation_mode
    matter.delegating_department_id = row.delegating_department_id
    matter.handling_department_id = row.handling_department_id
    matter.statutory_days = row.statutory_days
    matter.committed_days = row.committed_days
    matter.legal_basis = row.legal_basis
    matter.fee_free = row.fee_free
    matter.fee_amount = row.fee_amount
    matter.fee_basis = row.fee_basis
    for key in CHANNEL_LABELS:
        setattr(matter, f"channel_{key}", key in row.channels)
    matter.special_lane = row.special_lane
    if row.category_id is not None:
        matter.category_id = row.category_id
    for attr, value in row.guide.items():
        setattr(matter, attr, value)


def _new_materials(matter: Matter, row: MatterRow, previous: list[Material]) -> list[Material]:
    """The row's materials; forms, samples and notes of same-named earlier ones are kept."""
    before = {m.name: m for m in previous}
    result = []
    for order, item in enumerate(row.materials, start=1):
        old = before.get(item.name)
        result.append(
            Material(
                matter=matter,
                name=item.name,
                form=item.form,
                copies=item.copies,
                mandatory=item.mandatory,
                tolerated_missing=item.tolerated_missing,
                blank_form=old.blank_form.name if old else "",
                sample_form=old.sample_form.name if old else "",
                notes=old.notes if old else "",
                order=order,
            )
        )
    return result


def _lock_register() -> None:
    """One import at a time, and no register edit in between: lock the versions we compare."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x52454749])  # "REGI"
    list(Matter.objects.select_for_update().exclude(status=Matter.Status.RETIRED).values_list("id"))


def apply_plan(
    parsed: ParsedRegister, plan: Plan, *, actor, progress: Progress | None = None
) -> dict:
    """Write ``plan`` (must run inside transaction.atomic, after _lock_register)."""
    from approvals.services.register import _retire_locked, snapshot

    assert connection.in_atomic_block, "apply_plan must run inside a transaction"
    today = timezone.localdate()
    states = _current_state(today)
    guess = _CategoryGuess()
    total = max(len(plan.entries), 1)
    done = 0
    new_matters: list[tuple[Matter, MatterRow, list[Material]]] = []
    updated_drafts: list[tuple[Matter, MatterRow, list[Material]]] = []

    for entry in plan.entries:
        if entry.action == "retire":
            continue
        row = parsed.matters[entry.code]
        state = states.get(entry.code)
        if entry.action == "change" and state and state.latest.status == Matter.Status.DRAFT:
            draft = state.latest
            _fill(draft, row)
            draft.revision += 1
            updated_drafts.append((draft, row, state.materials))
            continue
        matter = Matter(code=entry.code, version=entry.version, status=Matter.Status.DRAFT)
        if state is not None:  # a new version: what the sheet does not carry comes from the last
            base = state.latest
            for attr in (
                "category_id",
                *GUIDE_ATTRS,
                "warning_days",
                "suspension_allowed",
                "extension_allowed",
                "max_extension_days",
                "stages",
            ):
                setattr(matter, attr, getattr(base, attr))
            previous = state.materials
        else:
            licensing = row.kind == "licensing"
            matter.extension_allowed = licensing
            matter.max_extension_days = 10 if licensing else 0
            matter.category_id = guess(row.handling_department_id)
            previous = []
        _fill(matter, row)
        if row.stages is not None and row.stages != [s["name"] for s in matter.stage_list()]:
            matter.stages = row.stages
        matter.change_note = _("表格导入")
        new_matters.append((matter, row, previous))

    for draft, row, _previous in updated_drafts:
        if row.stages is not None and row.stages != [s["name"] for s in draft.stage_list()]:
            draft.stages = row.stages

    if new_matters:
        Matter.objects.bulk_create([m for m, _r, _p in new_matters], batch_size=500)
    if updated_drafts:
        Matter.objects.bulk_update(
            [d for d, _r, _p in updated_drafts],
            [
                "name",
                "kind",
                "delegation_mode",
                "delegating_department",
                "handling_department",
                "statutory_days",
                "committed_days",
                "legal_basis",
                "fee_free",
                "fee_amount",
                "fee_basis",
                "channel_hall",
                "channel_online",
                "channel_self_service",
                "channel_proxy",
                "special_lane",
                "category",
                "stages",
                *GUIDE_ATTRS,
                "revision",
                "updated_at",
            ],
            batch_size=500,
        )
        Material.objects.filter(matter__in=[d for d, _r, _p in updated_drafts]).delete()
    materials: list[Material] = []
    for matter, row, previous in [*new_matters, *updated_drafts]:
        materials.extend(_new_materials(matter, row, previous))
    Material.objects.bulk_create(materials, batch_size=1000)
    signals.register_changed()  # bulk writes send no signals

    for matter, _row, _previous in new_matters:
        audit.record(
            actor=actor, action="register.matter.import", obj=matter, after=snapshot(matter)
        )
        done += 1
        if progress and done % 50 == 0:
            progress(done, total, _("正在写入事项"))
    for draft, _row, _previous in updated_drafts:
        audit.record(actor=actor, action="register.matter.import", obj=draft, after=snapshot(draft))
        done += 1
        if progress and done % 50 == 0:
            progress(done, total, _("正在写入事项"))

    retire_ids = [e.base_id for e in plan.of("retire")]
    by_id = {v.pk: v for v in Matter.objects.filter(pk__in=retire_ids)}
    retired_versions = []
    for entry in plan.of("retire"):
        version = by_id[entry.base_id]
        # what an undo needs: the version and the dates it had before the import ended it
        retired_versions.append(
            {
                "id": version.pk,
                "code": version.code,
                "version": version.version,
                "valid_from": version.valid_from.isoformat() if version.valid_from else None,
                "valid_to": version.valid_to.isoformat() if version.valid_to else None,
            }
        )
        _retire_locked(
            actor=actor,
            version=by_id[entry.base_id],
            effective=today,
            reason=_("导入的清单中已无此事项"),
        )
        done += 1
        if progress and done % 50 == 0:
            progress(done, total, _("正在停用事项"))
    if plan.names:
        known = _named_objects()
        for kind, name, english in plan.names:
            target = known[kind][name]
            before = target.name_en
            target.name_en = english
            target.save(update_fields=["name_en"])
            audit.record(
                actor=actor,
                action="register.name_en.import",
                obj=target,
                before={"name_en": before},
                after={"name_en": english},
            )
    if progress:
        progress(total, total, _("正在提交"))
    return {**plan.report(), "retired_versions": retired_versions}


@dataclass
class ImportResult:
    problems: list[Problem]
    plan: Plan | None
    applied: bool
    stale: bool = False
    needs_confirmation: bool = False  # retirements above the threshold, number not typed
    job: RegisterImportJob | None = None  # the record of an applied import

    @property
    def report(self) -> dict:
        return self.plan.report() if self.plan else {}


def import_register(
    content: bytes,
    *,
    actor,
    dry_run: bool = False,
    retire_missing: bool = False,
    confirm_retire: int | str | None = None,
    expected_fingerprint: str = "",
    file_name: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Check, plan and (unless ``dry_run``) apply a register file, all or nothing. With
    ``expected_fingerprint``, nothing is written if the plan is no longer the one previewed.
    Retiring more than the configured share of the register needs ``confirm_retire`` equal to
    the number of versions retired. An applied import is kept as an applied job (file, report
    and the versions it retired), so that its retirements can be undone like a page import's."""
    parsed = read_register(content, progress=progress)
    if parsed.problems:
        return ImportResult(parsed.problems, None, applied=False)
    if dry_run:
        return ImportResult([], plan_import(parsed, retire_missing=retire_missing), applied=False)
    with transaction.atomic():
        _lock_register()
        plan = plan_import(parsed, retire_missing=retire_missing)
        if expected_fingerprint and plan.fingerprint != expected_fingerprint:
            return ImportResult([], plan, applied=False, stale=True)
        if not plan.retire_confirmed(confirm_retire):
            return ImportResult([], plan, applied=False, needs_confirmation=True)
        if not plan.entries and not plan.names:
            return ImportResult([], plan, applied=False)
        applied = apply_plan(parsed, plan, actor=actor, progress=progress)
        report = plan.report()
        report.update({"matter_rows": parsed.matter_rows, "material_rows": parsed.material_rows})
        user = actor if getattr(actor, "pk", None) else None
        job = RegisterImportJob.objects.create(
            created_by=user,
            file_name=(file_name or "register.xlsx")[:255],
            file_size=len(content),
            file_sha256=hashlib.sha256(content).hexdigest(),
            source=content,
            language=translation.get_language() or "zh-hans",
            retire_missing=retire_missing,
            status=RegisterImportJob.Status.APPLIED,
            progress=100,
            progress_note=_("导入完成"),
            report=report,
            plan_fingerprint=plan.fingerprint,
            retired_versions=applied["retired_versions"],
            applied_at=timezone.now(),
            applied_by=user,
        )
        audit.record(
            actor=actor,
            action="register.import.apply",
            obj=job,
            after={k: v for k, v in report.items() if k != "entries"},
        )
        return ImportResult([], plan, applied=True, job=job)


# --- background jobs ---------------------------------------------------------------------------


class JobProgress:
    """Writes a job's progress so that pollers see it while the job is still running — through
    a second database connection when the job's own transaction is open (PostgreSQL)."""

    def __init__(self, job_id: int, start: int, end: int):
        self.job_id, self.start, self.end = job_id, start, end
        self._side = None
        self._last = (-1, 0.0)

    def __call__(self, done: int, total: int, note: str) -> None:
        percent = self.start + int((self.end - self.start) * min(done, total) / max(total, 1))
        now = time.monotonic()
        if percent == self._last[0] or now - self._last[1] < 0.2:
            return
        self._last = (percent, now)
        self.write(percent, note)

    def write(self, percent: int, note: str) -> None:
        if not connection.in_atomic_block:
            RegisterImportJob.objects.filter(pk=self.job_id).update(
                progress=percent, progress_note=str(note)[:200], updated_at=timezone.now()
            )
            return
        if connection.vendor != "postgresql":
            return  # SQLite has one writer: the bar moves again after the commit
        if self._side is None:
            self._side = connections.create_connection("default")
        with self._side.cursor() as cursor:
            cursor.execute(
                "UPDATE approvals_registerimportjob SET progress = %s, progress_note = %s, "
                "updated_at = now() WHERE id = %s",
                [percent, str(note)[:200], self.job_id],
            )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _job_update(job: RegisterImportJob, **fields) -> None:
    fields["updated_at"] = timezone.now()
    RegisterImportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def job_check(job: RegisterImportJob) -> None:
    """Check the uploaded file and compute the preview (writes nothing to the register)."""
    _job_update(
        job,
        status=RegisterImportJob.Status.CHECKING,
        attempts=F("attempts") + 1,
        progress=1,
        progress_note=_("正在读取文件"),
    )
    progress = JobProgress(job.pk, 1, 80)
    parsed = read_register(bytes(job.source), progress=progress)
    if parsed.problems:
        _job_update(
            job,
            status=RegisterImportJob.Status.INVALID,
            progress=100,
            progress_note=_("校验未通过"),
            errors=[p.as_dict() for p in parsed.problems],
            report={"matter_rows": parsed.matter_rows, "material_rows": parsed.material_rows},
        )
        audit.record(
            actor=job.created_by or "worker",
            action="register.import.invalid",
            obj=job,
            after={"problems": len(parsed.problems)},
        )
        return
    progress.write(85, _("正在与现有清单比对"))
    plan = plan_import(parsed, retire_missing=job.retire_missing)
    report = plan.report()
    report.update({"matter_rows": parsed.matter_rows, "material_rows": parsed.material_rows})
    _job_update(
        job,
        status=RegisterImportJob.Status.READY,
        progress=100,
        progress_note=_("预览已生成"),
        errors=[],
        report=report,
        plan_fingerprint=plan.fingerprint,
    )
    audit.record(
        actor=job.created_by or "worker",
        action="register.import.preview",
        obj=job,
        after={k: v for k, v in report.items() if k != "entries"},
    )


def job_apply(job: RegisterImportJob) -> None:
    """Apply a confirmed job, all or nothing. If the register changed since the preview, the
    job goes back to the preview with the new plan and nothing is written."""
    _job_update(job, attempts=F("attempts") + 1, progress=1, progress_note=_("正在读取文件"))
    progress = JobProgress(job.pk, 1, 30)
    parsed = read_register(bytes(job.source), progress=progress)
    if parsed.problems:  # the stored file cannot change; kept for safety
        _job_update(
            job,
            status=RegisterImportJob.Status.INVALID,
            progress=100,
            errors=[p.as_dict() for p in parsed.problems],
        )
        return
    progress = JobProgress(job.pk, 30, 99)
    try:
        with transaction.atomic():
            progress.write(30, _("正在锁定清单"))
            _lock_register()
            plan = plan_import(parsed, retire_missing=job.retire_missing)
            report = plan.report()
            report.update(
                {"matter_rows": parsed.matter_rows, "material_rows": parsed.material_rows}
            )
            if plan.fingerprint != job.plan_fingerprint:
                report["notice"] = _(
                    "预览之后清单已有变化（可能有人修改了事项或完成了另一次导入），"
                    "已按最新情况重新生成预览，请核对后再次确认导入。"
                )
                _job_update(
                    job,
                    status=RegisterImportJob.Status.READY,
                    progress=100,
                    progress_note=_("预览已更新"),
                    report=report,
                    plan_fingerprint=plan.fingerprint,
                )
                return
            applied = apply_plan(
                parsed, plan, actor=job.applied_by or job.created_by, progress=progress
            )
            _job_update(
                job,
                status=RegisterImportJob.Status.APPLIED,
                progress=100,
                progress_note=_("导入完成"),
                report=report,
                retired_versions=applied["retired_versions"],
                applied_at=timezone.now(),
            )
            audit.record(
                actor=job.applied_by or job.created_by or "worker",
                action="register.import.apply",
                obj=job,
                after={k: v for k, v in report.items() if k != "entries"},
            )
    finally:
        progress.close()


# --- writing -----------------------------------------------------------------------------------


def build_workbook(
    matter_rows: list[dict],
    material_rows: list[dict],
    *,
    matter_columns: list[str] | None = None,
    material_columns: list[str] | None = None,
    with_help: bool = False,
    names_rows: list[list] | None = None,
) -> bytes:
    """An .xlsx with the two sheets; rows are dicts keyed by the Chinese column names."""
    matter_columns = matter_columns or [*MATTER_COLUMNS, *MATTER_OPTIONAL]
    material_columns = material_columns or MATERIAL_COLUMNS
    book = xlsx.XlsxBook()
    book.sheet(
        MATTER_SHEET,
        None,
        [matter_columns, *([row.get(c, "") for c in matter_columns] for row in matter_rows)],
    )
    book.sheet(
        MATERIAL_SHEET,
        None,
        [material_columns, *([row.get(c, "") for c in material_columns] for row in material_rows)],
    )
    if names_rows is not None:
        book.sheet(NAMES_SHEET, None, [NAMES_COLUMNS, *names_rows])
    if with_help:
        book.sheet(
            HELP_SHEET,
            None,
            [
                ["列", "可填写的值"],
                [C_KIND, "、".join(KIND_LABELS.values())],
                [C_MODE, "、".join(MODE_LABELS.values())],
                [C_STATUTORY + "/" + C_COMMITTED, "工作日天数；承诺时限不得超过法定时限"],
                [C_FEE, "不收费；或 金额元；依据"],
                [C_CHANNELS, "、".join(CHANNEL_LABELS.values()) + "（可多选，用顿号分隔）"],
                [C_STAGES, "环节名称用“→”连接"],
                [C_AUDIENCE, "、".join(AUDIENCE_LABELS.values())],
                [C_VISITS, "0（全程网办）、1、2（2次及以上）"],
                [C_FAQ, "每条以“问：”开头，下一行以“答：”开头，条与条之间空一行"],
                [NAMES_SHEET, "部门、窗口（如“9号窗口”）、业务类别的英文名称，选填"],
                [M_FORM, "、".join(FORM_LABELS.values())],
                [M_MANDATORY + "/" + M_TOLERATED, "是、否"],
            ],
        )
    return book.to_bytes()


def fee_text(matter: Matter) -> str:
    if matter.fee_free:
        return "不收费"
    amount = Decimal(matter.fee_amount or 0).quantize(Decimal("0.01"))
    # "0元" would read back as free of charge: a charged matter of 0 yuan keeps its decimals
    text = f"{amount.normalize():f}元" if amount else f"{amount:f}元"
    return f"{text}；{matter.fee_basis}" if matter.fee_basis else text


def matter_to_row(matter: Matter) -> dict:
    return {
        C_CODE: matter.code,
        C_NAME: matter.name,
        C_KIND: KIND_LABELS.get(matter.kind, matter.kind),
        C_MODE: MODE_LABELS.get(matter.delegation_mode, matter.delegation_mode),
        C_FROM: matter.delegating_department.name if matter.delegating_department_id else "",
        C_DEPT: matter.handling_department.name,
        C_STATUTORY: matter.statutory_days,
        C_COMMITTED: matter.committed_days,
        C_BASIS: matter.legal_basis,
        C_FEE: fee_text(matter),
        C_CHANNELS: "、".join(CHANNEL_LABELS[c] for c in matter.channels),
        C_LANE: matter.special_lane,
        C_CATEGORY: matter.category.name if matter.category_id else "",
        C_STAGES: join_stages([s["name"] for s in matter.stage_list()]),
        C_NAME_EN: matter.name_en,
        C_AUDIENCE: AUDIENCE_LABELS.get(matter.audience, matter.audience),
        C_CONDITIONS: matter.conditions,
        C_VISITS: "" if matter.visits is None else matter.visits,
        C_OFFICE_ADDRESS: matter.office_address,
        C_OFFICE_HOURS: matter.office_hours,
        C_ENQUIRY_PHONE: matter.enquiry_phone,
        C_COMPLAINT_PHONE: matter.complaint_phone,
        C_FAQ: matter.faq,
    }


def material_to_row(code: str, material: Material) -> dict:
    return {
        M_CODE: code,
        M_NAME: material.name,
        M_FORM: FORM_LABELS.get(material.form, material.form),
        M_COPIES: material.copies,
        M_MANDATORY: "是" if material.mandatory else "否",
        M_TOLERATED: "是" if material.tolerated_missing else "否",
    }


def export_register(*, on: date | None = None, latest: bool = False) -> bytes:
    """The register as a district-style .xlsx: the versions in force on ``on`` (default today),
    or with ``latest`` the newest version of each code that is not retired (drafts included)."""
    from approvals.selectors import register as sel

    if latest:
        matters = sel.admin_matters(latest_only=True).exclude(status=Matter.Status.RETIRED)
    else:
        matters = sel.matters_in_force(on)
    matters = (
        matters.select_related("handling_department", "delegating_department", "category")
        .prefetch_related("materials")
        .order_by("code")
    )
    matter_rows, material_rows = [], []
    for matter in matters:
        matter_rows.append(matter_to_row(matter))
        for material in sorted(matter.materials.all(), key=lambda m: (m.order, m.pk)):
            material_rows.append(material_to_row(matter.code, material))
    names_rows = [
        [label, name, obj.name_en]
        for label, kind in NAME_KINDS.items()
        for name, obj in _named_objects()[kind].items()
    ]
    return build_workbook(matter_rows, material_rows, with_help=True, names_rows=names_rows)


# --- a synthetic register for scale tests -----------------------------------------------------

_SUBJECTS = [
    "个体工商户",
    "农民专业合作社",
    "食品经营",
    "小餐饮",
    "药品零售",
    "宅基地建房",
    "临时占用道路",
    "户外广告设施",
    "城乡居民养老保险",
    "医疗救助",
    "最低生活保障",
    "特困人员供养",
    "残疾人补贴",
    "独生子女父母奖励",
    "生育登记",
    "渔业捕捞",
    "农药经营",
    "林木采伐",
    "农村土地承包",
    "农机登记",
    "建设工程",
    "城镇排水",
    "燃气经营",
    "文化娱乐场所",
    "烟花爆竹零售",
    "道路货物运输",
    "再生资源回收",
    "殡葬设施",
    "水土保持",
    "河道采砂",
]
_ACTIONS = {
    "licensing": ["许可", "设立审批", "变更审批", "延续审批", "注销"],
    "penalty": ["违法行为处罚", "无证经营处罚", "违规行为罚款"],
    "compulsion": ["查封扣押", "强制拆除", "代履行"],
    "levy": ["费用征收", "补偿费征收"],
    "payment": ["补贴发放", "救助金给付", "待遇发放"],
    "inspection": ["监督检查", "日常巡查", "专项检查"],
    "confirmation": ["登记", "资格确认", "认定"],
    "award": ["表彰奖励", "先进评选"],
    "adjudication": ["权属争议裁决", "纠纷裁决"],
    "other": ["备案", "年度报告核查"],
    "public_service": ["咨询服务", "证明开具", "政策查询"],
}
_MATERIALS = [
    ("申请表", "original"),
    ("申请人身份证", "copy"),
    ("营业执照", "copy"),
    ("场地使用证明", "both"),
    ("授权委托书", "original"),
    ("户口簿", "copy"),
    ("相关合同", "copy"),
    ("现场照片", "electronic"),
    ("村（居）委会意见", "original"),
    ("承诺书", "original"),
]


def generate_register(*, matters: int = 1129, materials: int = 5, seed: int = 1) -> bytes:
    """A synthetic but well-formed register of ``matters`` matters, ``materials`` each, using
    the departments of the demo township (seed_demo must have run)."""
    from portal.demo import DEPARTMENTS

    rng = random.Random(seed)
    internal = [name for code, name, _s, kind in DEPARTMENTS if kind == "internal"]
    external = [name for code, name, _s, kind in DEPARTMENTS if kind == "external"]
    kinds = list(KIND_LABELS)
    modes = list(MODE_LABELS)
    matter_rows, material_rows = [], []
    for n in range(1, matters + 1):
        kind = kinds[n % len(kinds)]
        mode = modes[n % len(modes)]
        subject = rng.choice(_SUBJECTS)
        action = rng.choice(_ACTIONS[kind])
        statutory = rng.choice([5, 10, 15, 20, 30, 60])
        committed = max(1, statutory // rng.choice([1, 2, 3]))
        channels = ["窗口办理"] + [
            c for c in ("网上办理", "自助终端", "帮代办") if rng.random() < 0.5
        ]
        code = f"GEN{n:05d}"
        matter_rows.append(
            {
                C_CODE: code,
                C_NAME: f"{subject}{action}（{n}）",
                C_KIND: KIND_LABELS[kind],
                C_MODE: MODE_LABELS[mode],
                C_FROM: rng.choice(external) if mode in ("entrusted", "forward", "direct") else "",
                C_DEPT: rng.choice(internal),
                C_STATUTORY: statutory,
                C_COMMITTED: committed,
                C_BASIS: f"《{subject}管理条例》第{rng.randint(1, 60)}条",
                C_FEE: "不收费"
                if rng.random() < 0.8
                else f"{rng.choice([10, 20, 50, 100])}元；按省定标准收取",
                C_CHANNELS: "、".join(channels),
                C_LANE: rng.choice(["", "", "", "3550", "全程代办", "一件事"]),
                C_STAGES: "申请→受理→审查→决定→办结",
            }
        )
        for m in range(materials):
            name, form = _MATERIALS[(n + m) % len(_MATERIALS)]
            material_rows.append(
                {
                    M_CODE: code,
                    M_NAME: name if m < len(_MATERIALS) else f"{name}（{m}）",
                    M_FORM: FORM_LABELS[form],
                    M_COPIES: rng.choice([1, 1, 1, 2]),
                    M_MANDATORY: "是" if m < 3 else rng.choice(["是", "否"]),
                    M_TOLERATED: "是" if m >= 3 and rng.random() < 0.3 else "否",
                }
            )
    names_rows = [
        [label, name, obj.name_en]
        for label, kind in NAME_KINDS.items()
        for name, obj in _named_objects()[kind].items()
    ]
    return build_workbook(matter_rows, material_rows, with_help=True, names_rows=names_rows)
