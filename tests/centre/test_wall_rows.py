"""The wall has nobody to scroll it: in screen mode each panel's list is cut to the rows that fit
its cell (centre.views.board.SCREEN_ROWS) with a "+N more" line; the desk shows every row."""

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
