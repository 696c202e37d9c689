"""Photos are checked by their bytes, re-encoded without EXIF or GPS, stored outside static/, served safely."""
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from planner_platform.extensions import db
from planner_platform.proposals.models import Proposal, ProposalPhoto
from tests.conftest import csrf_token_from, login
from tests.proposals.conftest import image_bytes, says


def _upload_dir(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / "proposals"


def _files(app) -> set[str]:
    folder = _upload_dir(app)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _post(client, cast, *photos, **extra):
    page = client.get("/proposals/new")
    data = {"csrf_token": csrf_token_from(page.data), "title": "座椅", "description": "说明", "category": "适老化",
            "community": str(cast.community.id), "submit": "1", **extra,
            "photos": [(io.BytesIO(content), name) for name, content in photos]}
    return client.post("/proposals/new", data=data, content_type="multipart/form-data")


def _gps_jpeg() -> bytes:
    image = Image.new("RGB", (120, 80), (10, 200, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 33.0, 18.0), 3: "E", 4: (114.0, 18.0, 0.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_photo_is_reencoded_without_location_and_served_with_safe_headers(app, client, cast):
    original = _gps_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the upload does carry GPS data
    login(client, cast.resident)
    before = _files(app)
    response = _post(client, cast, ("IMG_0001.JPG", original), ("scan.webp", image_bytes("WEBP")))
    assert response.status_code == 302
    with app.app_context():
        photos = db.session.scalars(select(ProposalPhoto).order_by(ProposalPhoto.id)).all()
        keys = [p.storage_key for p in photos]
        ids = [p.id for p in photos]
    assert len(keys) == 2 and not (set(keys) & {"IMG_0001", "scan"})
    assert not str(app.config["UPLOAD_FOLDER"]).startswith(str(Path(app.root_path) / "static"))
    assert len(_files(app) - before) == 2
    served = client.get(f"/proposals/photos/{ids[0]}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    stored = Image.open(io.BytesIO(served.data))
    assert stored.format == "JPEG" and not stored.getexif()
    assert b"PhoneMaker" not in served.data


@pytest.mark.parametrize("name, content", [
    ("photo.jpg", b"<!doctype html><html><script>alert(1)</script></html>"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'),
    ("anim.gif", image_bytes("GIF")),
    ("empty.png", b""),
])
def test_files_that_are_not_photos_are_refused_and_nothing_is_stored(app, client, cast, name, content):
    login(client, cast.resident)
    before = _files(app)
    page = _post(client, cast, (name, content)).get_data(as_text=True)
    assert says(app, page, "%(name)s is not a JPEG, PNG or WebP image.", name=name)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
    assert _files(app) == before


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # refused before decoding
def test_oversized_and_enormous_images_are_refused(app, client, cast):
    login(client, cast.resident)
    app.config["PHOTO_MAX_BYTES"], limit = 20_000, app.config["PHOTO_MAX_BYTES"]
    try:
        noisy = Image.effect_noise((400, 400), 80).convert("RGB")
        buffer = io.BytesIO()
        noisy.save(buffer, "PNG")
        page = _post(client, cast, ("big.png", buffer.getvalue())).get_data(as_text=True)
        assert says(app, page, "%(name)s is larger than %(mb)d MB.", name="big.png", mb=0)
    finally:
        app.config["PHOTO_MAX_BYTES"] = limit
    bomb = image_bytes("PNG", size=(12_000, 12_000))  # 144 megapixels of one colour: a few hundred kB on disk
    assert len(bomb) < limit
    page = _post(client, cast, ("bomb.png", bomb)).get_data(as_text=True)
    assert says(app, page, "%(name)s has too many pixels (%(w)d × %(h)d).", name="bomb.png", w=12_000, h=12_000)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_more_photos_than_the_district_allows_are_refused(app, client, cast):
    login(client, cast.resident)
    before = _files(app)
    page = _post(client, cast, *[(f"p{n}.png", image_bytes("PNG")) for n in range(3)]).get_data(as_text=True)
    assert says(app, page, "At most %(count)d photos per proposal.", count=2)
    assert _files(app) == before  # the files written before the refusal went with the rollback


def test_a_drafts_photos_are_private(app, client, cast):
    login(client, cast.resident)
    _post(client, cast, ("a.png", image_bytes("PNG")), submit="", draft="1")
    with app.app_context():
        photo_id = db.session.scalar(select(ProposalPhoto.id))
    assert client.get(f"/proposals/photos/{photo_id}").status_code == 200
    other = app.test_client()
    login(other, cast.neighbour)
    assert other.get(f"/proposals/photos/{photo_id}").status_code == 404
    assert app.test_client().get(f"/proposals/photos/{photo_id}").status_code == 404
