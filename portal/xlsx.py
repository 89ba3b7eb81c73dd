"""Every .xlsx the portal writes or reads goes through this module.

Writing: ``XlsxBook`` (``write_xlsx`` for one call) writes text as text. A string that a
spreadsheet program could take for a formula or a command — one starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return — is stored as a plain string cell with Excel's
"quote prefix" (what Excel itself does when a person types ``'=…``), so no program runs it and
a round trip (export, then import) gives back exactly the same text. Characters that XML cannot
hold are dropped instead of crashing the export; aware datetimes are written in local time.

Reading: ``open_workbook`` refuses a file before parsing it when its sheets would unpack to more
than ``XLSX_MAX_UNCOMPRESSED_BYTES`` (a zip bomb), and ``sheet_rows`` stops a sheet at
``XLSX_MAX_ROWS`` rows or a row of more than ``XLSX_MAX_CELLS_PER_ROW`` cells. Both raise
``SpreadsheetRefused`` with a message for the person who uploaded the file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- writing ----------------------------------------------------------------------------------


def is_dangerous(value) -> bool:
    """A string a spreadsheet program could run as a formula (or a DDE command)."""
    return isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES)


def _clean_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


class XlsxBook:
    """A write-only workbook whose cells are always data, never formulas.

    book = XlsxBook()
    book.sheet("事项", ["编码", "名称"], rows)
    content = book.to_bytes()        # or book.save(response)
    """

    def __init__(self):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        self.book = Workbook(write_only=True)
        self._bold = Font(bold=True)

    def _cell(self, sheet, value, *, bold: bool = False):
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, datetime) and value.tzinfo is not None:
            value = timezone.localtime(value).replace(tzinfo=None)
        if isinstance(value, str):
            value = _clean_text(value)
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and (is_dangerous(value) or cell.data_type == "f"):
            cell.data_type = "s"
            cell.quotePrefix = True
        if bold:
            cell.font = self._bold
        return cell

    def sheet(self, title: str, header: Sequence | None, rows: Iterable[Sequence]) -> None:
        """Add a sheet: an optional bold header row, then the rows (None becomes empty)."""
        ws = self.book.create_sheet(title=_clean_text(str(title))[:31])
        if header:
            ws.append([self._cell(ws, str(value), bold=True) for value in header])
        for row in rows:
            ws.append([self._cell(ws, "" if v is None else v) for v in row])

    def save(self, target) -> None:
        """Write into a file-like object (an HttpResponse works)."""
        self.book.save(target)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()


def write_xlsx(sheets: Iterable[tuple[str, Sequence | None, Iterable[Sequence]]]) -> bytes:
    """The one-call form: ``write_xlsx([(title, header, rows), ...])`` -> the .xlsx bytes."""
    book = XlsxBook()
    for title, header, rows in sheets:
        book.sheet(title, header, rows)
    return book.to_bytes()


# --- reading ----------------------------------------------------------------------------------


class SpreadsheetRefused(ValueError):
    """The file is not read: the message says why, for the person who uploaded it."""

    def __init__(self, message: str, code: str = "spreadsheet_refused"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ReadLimits:
    uncompressed_bytes: int
    rows: int
    cells_per_row: int

    @classmethod
    def from_settings(cls) -> ReadLimits:
        return cls(
            uncompressed_bytes=settings.XLSX_MAX_UNCOMPRESSED_BYTES,
            rows=settings.XLSX_MAX_ROWS,
            cells_per_row=settings.XLSX_MAX_CELLS_PER_ROW,
        )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f}"


def check_archive(content: bytes, limits: ReadLimits | None = None) -> None:
    """Refuse what is not an .xlsx, or unpacks to more than the limit, before any parsing.
    zipfile never inflates an entry past the size its directory declares, so the declared
    sizes bound the work."""
    limits = limits or ReadLimits.from_settings()
    if content[:8] == OLE_MAGIC:
        raise SpreadsheetRefused(
            _("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为”.xlsx 格式后再导入。"), "xls_file"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SpreadsheetRefused(
            _("文件不是 .xlsx 表格，请上传 Excel 2007 及以上版本的 .xlsx 文件。"), "not_xlsx"
        ) from None
    total = sum(max(entry.file_size, 0) for entry in entries)
    if total > limits.uncompressed_bytes:
        raise SpreadsheetRefused(
            _("表格解压后超过 %(limit)s MB（本文件约 %(size)s MB），请拆分后分批导入。")
            % {"limit": _mb(limits.uncompressed_bytes), "size": _mb(total)},
            "too_large_uncompressed",
        )


def open_workbook(content: bytes, limits: ReadLimits | None = None):
    """A read-only openpyxl workbook (cached values, not formulas), after ``check_archive``.
    Raises SpreadsheetRefused for anything that is not a readable, reasonably sized .xlsx."""
    import openpyxl

    limits = limits or ReadLimits.from_settings()
    check_archive(content, limits)
    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure here means the file cannot be read
        raise SpreadsheetRefused(
            _("文件已损坏，无法读取，请重新导出后再上传。"), "damaged_file"
        ) from None


def sheet_rows(ws, limits: ReadLimits | None = None) -> Iterator[tuple]:
    """The rows of a read-only sheet as tuples of values, refusing a sheet that declares or
    holds more than the row limit, or a row wider than the cell limit."""
    limits = limits or ReadLimits.from_settings()
    title = ws.title
    too_many_rows = _("工作表“%(sheet)s”超过 %(limit)s 行，请拆分后分批导入。") % {
        "sheet": title,
        "limit": limits.rows,
    }
    declared_rows = ws.max_row or 0
    if declared_rows > limits.rows:
        raise SpreadsheetRefused(too_many_rows, "too_many_rows")
    declared_columns = ws.max_column or 0
    if declared_columns > limits.cells_per_row:
        raise SpreadsheetRefused(
            _("工作表“%(sheet)s”超过 %(limit)s 列。")
            % {"sheet": title, "limit": limits.cells_per_row},
            "too_many_cells",
        )
    # openpyxl pads every row to the declared width (checked above), or else to the row's own
    # last cell, which the loop refuses at the first row that is too wide.
    width = declared_columns or None
    count = 0
    for values in ws.iter_rows(values_only=True, max_col=width):
        count += 1
        if count > limits.rows:
            raise SpreadsheetRefused(too_many_rows, "too_many_rows")
        if len(values) > limits.cells_per_row and any(
            v is not None for v in values[limits.cells_per_row :]
        ):
            raise SpreadsheetRefused(
                _("工作表“%(sheet)s”第%(row)s行超过 %(limit)s 个单元格。")
                % {"sheet": title, "row": count, "limit": limits.cells_per_row},
                "too_many_cells",
            )
        yield values[: limits.cells_per_row]
