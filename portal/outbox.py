"""The phones' offline outbox (static/js/outbox-core.js, outbox.js, photo-picker.js and the
service worker at /outbox-sw.js), shared by every app whose people work in the field.

To use it in a page::

    {% include "portal/_outbox.html" %}     {# the "waiting to send" list, texts, scripts #}
    <form method="post" enctype="multipart/form-data" action="{% url 'my-app:report' %}"
          data-outbox="{% url 'my-api-create' %}" data-outbox-label="巡查记录">
      <input type="hidden" name="client_uuid" value="{{ client_uuid }}">
      ...
    </form>

The API endpoint must accept multipart with ``client_uuid`` and answer 201 the first time,
200 with the same object for a resend (a unique constraint on the UUID), 4xx with the usual
``{"code", "message", "fields"}`` when it refuses; ``number``, ``message`` and ``page_url`` of
the answer are shown in the list. Without JavaScript the form posts to its ``action`` as usual
(with the same ``client_uuid``, so the HTML view is idempotent too)."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET


def texts() -> dict:
    """What the outbox scripts show, in the person's language (json_script into the page)."""
    return {
        "waiting": _("等待发送：已保存在手机上，有信号时自动发送"),
        "needs_login": _("等待发送：请重新登录后自动发送"),
        "sending": _("正在发送…"),
        "sent": _("已发送"),
        "sent_before": _("已发送（服务器已收到过这条，未重复登记）"),
        "failed": _("未能提交，请查看原因"),
        "offline": _("当前无信号：上报会先保存在手机上，有信号后自动发送。"),
        "report": _("上报"),
        "saved_at": _("保存于"),
        "photos": _("%s 张照片"),
        "number": _("编号"),
        "send_now": _("立即发送"),
        "discard": _("删除"),
        "hide": _("隐藏"),
        "confirm_discard": _("删除后这条上报将不会发送，确定删除吗？"),
        "photo_n": _("照片 %s"),
        "remove_photo": _("移除这张照片"),
        "too_many_photos": _("最多 %s 张照片。"),
        "need_photo": _("请至少拍摄 %s 张照片。"),
    }


@require_GET
def service_worker(request):
    body = render_to_string("portal/outbox-sw.js", {"core_url": static("js/outbox-core.js")})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
