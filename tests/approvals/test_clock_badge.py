"""clock_badge, written in Python (issue 19), gives the bytes of the template it replaced."""

import datetime

import pytest
from django.template import Context, Engine, Template
from django.utils import translation

from approvals.templatetags.applications import clock_badge

# The former approvals/_clock_status.html (its file ended with a newline).
FORMER = (
    '{% load i18n %}<span class="clock clock-{{ status }}">{% if status == "normal" %}'
    '{% translate "正常" %}{% elif status == "warning" %}{% translate "预警" %}'
    '{% elif status == "overdue" %}{% translate "超期" %}{% elif status == "paused" %}'
    '{% translate "暂停计时" %}{% elif status == "stopped" %}{% translate "已停止" %}'
    '{% else %}{% translate "未起算" %}{% endif %}</span>{% if due_date %} <time datetime="'
    '{{ due_date|date:\'Y-m-d\' }}">{{ due_date|date:"Y-m-d" }}</time>{% endif %}\n'
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_same_bytes_as_the_former_template(language):
    template = Template(FORMER, engine=Engine.get_default())
    days = [None, "", datetime.date(2026, 1, 2), datetime.date(2027, 12, 31)]
    statuses = ["normal", "warning", "overdue", "paused", "stopped", "not_started", None, "<x>"]
    with translation.override(language):
        for status in statuses:
            for day in days:
                expected = template.render(Context({"status": status, "due_date": day}))
                assert clock_badge(status, day) == expected
