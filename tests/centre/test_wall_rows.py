"""The wall has nobody to scroll it: in screen mode each panel's list is cut to the rows that fit
its cell (centre.views.board.SCREEN_ROWS) with a "+N more" line; the desk shows every row."""

from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from centre.views.board import DESK_ROWS, SCREEN_ROWS


def _late(n):
    return {
        "items": [
            {
                "kind": "incident",
                "kind_label": "事件",
                "number": f"SJ{i:04d}",
                "url": "/x/",
                "title": "路灯",
                "holder": "东村",
                "status": "overdue",
                "late_by": {"text": "2小时"},
            }
            for i in range(n)
        ],
        "url": "/late/",
    }


def _render(mode, board):
    rows = SCREEN_ROWS if mode == "screen" else DESK_ROWS
    with translation.override("zh-hans"):
        return render_to_string(
            "centre/_panels.html", {"board": board, "mode": mode, "stamp": "s", "rows": rows}
        )


def test_the_wall_cuts_a_long_list_and_says_how_many_more():
    board = {"late": _late(SCREEN_ROWS["late"] + 4)}
    html = _render("screen", board)
    assert html.count('class="c-row-overdue"') == SCREEN_ROWS["late"]
    assert "另有 4 项" in html


def test_a_list_that_fits_has_no_more_line_and_the_desk_shows_every_row():
    board = {"late": _late(SCREEN_ROWS["late"])}
    assert "c-more" not in _render("screen", board)
    board = {"late": _late(SCREEN_ROWS["late"] + 4)}
    html = _render("desk", board)
    assert html.count('class="c-row-overdue"') == SCREEN_ROWS["late"] + 4
    assert "c-more" not in html


def _villages(n):
    states = [{"state": "reported", "label": "待核实"}, {"state": "handling", "label": "处置中"}]
    villages = [
        {
            "name": f"第{i}村",
            "open": 103,
            "clock": {"overdue": 49, "warning": 17},
            "states": {"reported": 3},
            "urls": {"open": "/o/", "overdue": "/r/", "warning": "/y/"},
            "grids": [],
        }
        for i in range(n)
    ]
    return {"states": states, "villages": villages}


class _Columns(HTMLParser):
    """Each row of the incidents panel's table: how many columns its cells span."""

    def __init__(self):
        super().__init__()
        self.inside, self.rows = False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.inside = attrs.get("data-panel") == "incidents"
        elif self.inside and tag == "tr":
            self.rows.append(0)
        elif self.inside and tag in ("th", "td"):
            self.rows[-1] += int(attrs.get("colspan") or 1)


def _columns(html):
    parser = _Columns()
    parser.feed(html)
    return parser.rows


@pytest.mark.parametrize("mode", ["screen", "desk"])
@pytest.mark.parametrize("villages", [0, SCREEN_ROWS["villages"] + 3])
def test_every_row_of_the_incidents_table_spans_its_columns_exactly(mode, villages):
    """A row spanning more columns than the header has adds empty columns: on the wall (a fixed
    table layout) they took the numbers' room and "103" showed as "1…". The wall has the
    village, open, overdue and warning columns; the desk one more per state."""
    columns = _columns(_render(mode, {"incidents": _villages(villages)}))
    assert columns[0] == (4 if mode == "screen" else 4 + 2)
    assert len(columns) > 1 and set(columns) == {columns[0]}
