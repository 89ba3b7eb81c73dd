"""portal.xlsx: the one writer (text stays text) and the one reader guard (limits before parsing)."""

import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from django.utils import timezone

from portal import xlsx

DANGEROUS = [
    '=HYPERLINK("http://evil.example/x","点击办理")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def sheet_xml(content: bytes, name: str = "xl/worksheets/sheet1.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(name).decode()


@pytest.mark.parametrize(
    "value", DANGEROUS, ids=["hyperlink", "dde", "plus", "minus", "at", "tab", "cr"]
)
def test_every_dangerous_prefix_is_written_as_text_with_the_quote_prefix(value):
    content = xlsx.write_xlsx([("表", ["列"], [[value], ["普通文字"]])])
    assert "<f>" not in sheet_xml(content)
    cell = openpyxl.load_workbook(io.BytesIO(content))["表"]["A2"]
    assert cell.data_type == "s"
    # the text itself is unchanged, so a round trip gives it back (XML reads CR as LF)
    assert cell.value == value.replace("\r", "\n")
    assert cell.quotePrefix is True
    assert openpyxl.load_workbook(io.BytesIO(content))["表"]["A3"].quotePrefix is False


def test_numbers_dates_and_plain_text_keep_their_types():
    when = timezone.make_aware(datetime(2026, 3, 2, 9, 30))
    content = xlsx.write_xlsx([("S", None, [[-5, 1.5, date(2026, 3, 2), when, "张三", None]])])
    row = [c.value for c in openpyxl.load_workbook(io.BytesIO(content))["S"][1]]
    assert row[:3] == [-5, 1.5, datetime(2026, 3, 2)]
    assert row[3] == datetime(2026, 3, 2, 9, 30)  # local time, not a crash on tzinfo
    assert row[4] == "张三" and row[5] is None


def test_characters_xml_cannot_hold_are_dropped_not_a_crash():
    content = xlsx.write_xlsx([("S\x01", None, [["a\x00b\x1fc"]])])
    assert openpyxl.load_workbook(io.BytesIO(content))["S"]["A1"].value == "abc"


# --- the reader guard -------------------------------------------------------------------------


def _book(rows, columns=3) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "事项"
    for n in range(rows):
        ws.append([f"r{n}c{c}" for c in range(columns)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite(content: bytes, name: str, transform) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == name:
                data = transform(data)
            dst.writestr(item.filename, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_parsing(settings):
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    padding = b"<!--" + b" " * (8 * 1024 * 1024) + b"-->"
    bomb = _rewrite(
        _book(2),
        "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b"<sheetData>", padding + b"<sheetData>", 1),
    )
    assert len(bomb) < 100_000  # small on the wire
    with pytest.raises(xlsx.SpreadsheetRefused) as refused:
        xlsx.open_workbook(bomb)
    assert refused.value.code == "too_large_uncompressed"
    assert "解压后超过 2 MB" in refused.value.message


def test_too_many_rows_are_refused(settings):
    settings.XLSX_MAX_ROWS = 50
    wb = xlsx.open_workbook(_book(51))
    with pytest.raises(xlsx.SpreadsheetRefused) as refused:
        list(xlsx.sheet_rows(wb["事项"]))
    assert refused.value.code == "too_many_rows" and "50 行" in refused.value.message
    assert len(list(xlsx.sheet_rows(xlsx.open_workbook(_book(50))["事项"]))) == 50


def test_rows_hidden_from_the_declared_dimension_are_still_counted(settings):
    settings.XLSX_MAX_ROWS = 50
    content = _rewrite(
        _book(2),
        "xl/worksheets/sheet1.xml",
        lambda d: (
            re.sub(rb"<dimension[^>]*/>", b"", d)
            .replace(b'<row r="2"', b'<row r="900000"')
            .replace(b'r="A2"', b'r="A900000"')
            .replace(b'r="B2"', b'r="B900000"')
            .replace(b'r="C2"', b'r="C900000"')
        ),
    )
    ws = xlsx.open_workbook(content)["事项"]
    with pytest.raises(xlsx.SpreadsheetRefused):
        list(xlsx.sheet_rows(ws))


def test_too_many_cells_in_a_row_are_refused(settings):
    settings.XLSX_MAX_CELLS_PER_ROW = 20
    with pytest.raises(xlsx.SpreadsheetRefused) as refused:
        list(xlsx.sheet_rows(xlsx.open_workbook(_book(2, columns=21))["事项"]))
    assert refused.value.code == "too_many_cells"
    # no declared dimension: the first row that is too wide is refused
    content = _rewrite(
        _book(2, columns=3),
        "xl/worksheets/sheet1.xml",
        lambda d: re.sub(rb"<dimension[^>]*/>", b"", d).replace(
            b"</row>", b'<c r="ZZ1" t="inlineStr"><is><t>x</t></is></c></row>', 1
        ),
    )
    with pytest.raises(xlsx.SpreadsheetRefused):
        list(xlsx.sheet_rows(xlsx.open_workbook(content)["事项"]))


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"", "not_xlsx"), (b"a,b\n1,2\n", "not_xlsx"), (xlsx.OLE_MAGIC + b"\0" * 100, "xls_file")],
)
def test_what_is_not_an_xlsx_is_refused_clearly(content, code):
    with pytest.raises(xlsx.SpreadsheetRefused) as refused:
        xlsx.open_workbook(content)
    assert refused.value.code == code
