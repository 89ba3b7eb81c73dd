"""Issue 16: notices' QR codes and links, and the links in messages, start with the one
configured public base URL (SITE_URL) — not http://127.0.0.1:8000 whatever the site runs on."""

import io

import pytest
import qrcode
from pypdf import PdfReader

from approvals.models import Notice
from approvals.services.documents import notice_pdf
from portal.notifications import absolute_url
from tests.approvals.staff_fixtures import accepted

pytestmark = pytest.mark.django_db

SITE = "https://yiwangtong.xiabu.gov.cn"


def _qr_matrix(url: str):
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def _qr_in_pdf(content: bytes):
    image = PdfReader(io.BytesIO(content)).pages[0].images[0].image.convert("L")
    size = image.width
    return image, size


def _encodes(content: bytes, url: str) -> bool:
    image, size = _qr_in_pdf(content)
    matrix = _qr_matrix(url)
    box = size // len(matrix)
    if box * len(matrix) != size:
        return False
    seen = [
        [image.getpixel((x * box + box // 2, y * box + box // 2)) < 128 for x in range(len(matrix))]
        for y in range(len(matrix))
    ]
    return seen == matrix


def test_a_notice_links_to_the_configured_site(world, settings):
    settings.SITE_URL = SITE
    app = accepted(world)
    notice = Notice.objects.get(application=app, kind=Notice.Kind.ACCEPTANCE)
    expected = f"{SITE}/status/?number={app.number}"
    assert notice.context["status_url"] == expected
    assert _encodes(notice_pdf(notice), expected)


def test_an_earlier_notice_follows_the_site_when_it_moves(world, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    app = accepted(world)
    notice = Notice.objects.get(application=app, kind=Notice.Kind.ACCEPTANCE)
    settings.SITE_URL = SITE
    assert _encodes(notice_pdf(notice), f"{SITE}/status/?number={app.number}")


def test_message_links_use_the_site_url(settings):
    settings.SITE_URL = SITE + "/"
    assert absolute_url("/notifications/") == f"{SITE}/notifications/"
    assert absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"
