"""Evidence photos: the original is kept byte for byte with its SHA-256; the thumbnail is
upright and carries no EXIF (no location); content is checked by magic bytes; reads are
audited."""

import hashlib
import io

import pytest
from PIL import Image

from portal import photos
from portal.models import AuditEntry, Photo

pytestmark = pytest.mark.django_db


def camera_jpeg(*, orientation: int = 6, gps: bool = True, size=(120, 60)) -> bytes:
    """A JPEG as a phone writes it: landscape pixels, an orientation tag saying "rotate 90°",
    the location and the time it was taken."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[306] = "2026:03:02 09:15:00"
    if gps:
        gps_ifd = {1: "N", 2: (27.0, 37.0, 12.0), 3: "E", 4: (113.0, 51.0, 0.0)}
        exif[0x8825] = gps_ifd
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 255, 128)).save(out, format="PNG")
    return out.getvalue()


def test_original_kept_unaltered_with_sha256(make_user):
    user = make_user("grid_member")
    content = camera_jpeg()
    photo = photos.store(photos.check(content), actor=user, purpose="test")
    with photo.original.open("rb") as handle:
        stored = handle.read()
    assert stored == content
    assert photo.sha256 == hashlib.sha256(content).hexdigest()
    assert photos.verify(photo)
    assert photo.exif_lat == pytest.approx(27.62, abs=0.001)
    assert photo.exif_lng == pytest.approx(113.85, abs=0.001)
    assert photo.taken_at is not None
    assert AuditEntry.objects.filter(action="photo.store", object_id=str(photo.pk)).count() == 1


def test_thumbnail_upright_and_without_exif(make_user):
    user = make_user("grid_member")
    photo = photos.store(photos.check(camera_jpeg()), actor=user, purpose="test")
    with photo.thumbnail.open("rb") as handle:
        thumb = Image.open(io.BytesIO(handle.read()))
        thumb.load()
    # 120×60 pixels with "rotate 90°": people see it upright, 60 wide and 120 high.
    assert thumb.size == (60, 120)
    exif = thumb.getexif()
    assert len(exif) == 0
    assert not exif.get_ifd(0x8825)
    assert "exif" not in thumb.info


def test_png_thumbnail_is_jpeg(make_user):
    photo = photos.store(photos.check(png_bytes()), actor=make_user("citizen"), purpose="test")
    assert photo.content_type == "image/png"
    with photo.thumbnail.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4 not a photo",
        b"GIF89a....",
        b"\xff\xd8\xff\xe0 truncated jpeg",  # right magic, not an image
        b"",
    ],
)
def test_content_checked_by_magic_bytes(content):
    with pytest.raises(photos.PhotoRejected) as info:
        photos.check(content, field="photos")
    assert info.value.fields["photos"]


def test_name_does_not_matter():
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.jpg", b"<html>evil</html>", content_type="image/jpeg")
    with pytest.raises(photos.PhotoRejected):
        photos.check(upload)


def test_every_problem_at_once(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PHOTO_MAX_COUNT = 2
    files = [
        SimpleUploadedFile("a.jpg", b"nope"),
        SimpleUploadedFile("b.jpg", camera_jpeg()),
        SimpleUploadedFile("c.jpg", b"also nope"),
    ]
    with pytest.raises(photos.PhotoRejected) as info:
        photos.check_many(files, field="photos")
    problems = info.value.fields["photos"]
    assert len(problems) == 3  # too many, a.jpg, c.jpg
    assert any("a.jpg" in p for p in problems) and any("c.jpg" in p for p in problems)


def test_too_large(settings):
    settings.PHOTO_MAX_BYTES = 100
    with pytest.raises(photos.PhotoRejected):
        photos.check(camera_jpeg())


def test_reads_are_audited(make_user):
    user = make_user("supervisor")
    photo = photos.store(photos.check(camera_jpeg()), actor=user, purpose="test")
    response = photos.thumbnail_response(photo, actor=user)
    assert response["Content-Type"] == "image/jpeg"
    body = b"".join(response.streaming_content)
    assert body[:3] == b"\xff\xd8\xff"
    original = photos.original_response(photo, actor=user)
    assert b"".join(original.streaming_content) == camera_jpeg()
    actions = list(
        AuditEntry.objects.filter(object_id=str(photo.pk)).values_list("action", flat=True)
    )
    assert "photo.view" in actions and "photo.read_original" in actions


def test_missing_file_is_not_a_crash(make_user):
    user = make_user("supervisor")
    photo = photos.store(photos.check(camera_jpeg()), actor=user, purpose="test")
    photo.original.storage.delete(photo.original.name)
    with pytest.raises(photos.PhotoMissing):
        photos.original_response(Photo.objects.get(pk=photo.pk), actor=user)
