"""Uploaded photos: checked by content, re-encoded without EXIF or GPS, stored outside static/ under random names
in a folder of UPLOAD_FOLDER that the feature names, and served so that they can only ever be images.

Documents (clean_document): a PDF, recognised by its bytes and kept as uploaded, or an image re-encoded as photos
are; stored the same way and served as a download (a PDF) or an image, never as anything a browser would run.

A file is written before the transaction commits; if the transaction does not commit, the files it wrote are removed.
Who may see a stored file is the feature's business: it checks before calling send().
"""
import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from planner_platform.core.after_commit import on_commit
from planner_platform.core.errors import DomainError
from planner_platform.core.forms import apply_domain_error
from planner_platform.extensions import db

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
_WRITTEN_KEY = "photo_files_written"
#: Every PDF starts with this header and ends with an end-of-file marker near its last bytes.
PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
#: What a stored file's extension is served as.
MIMETYPES = {"jpg": "image/jpeg", "pdf": "application/pdf"}


@dataclass
class CleanPhoto:
    """A photo decoded and re-encoded in memory, ready to store."""
    data: bytes
    width: int
    height: int
    extension = "jpg"


@dataclass
class CleanFile:
    """A document checked by its bytes, ready to store: a PDF as uploaded, or a re-encoded image."""
    data: bytes
    extension: str


def clean_photo(stream, filename: str = "") -> CleanPhoto:
    """Decode an upload as JPEG, PNG or WebP (by its bytes, whatever its name says) and re-encode it as a JPEG
    with no metadata, scaled to PHOTO_MAX_SIDE. Raises DomainError naming the file on anything else."""
    config = current_app.config
    raw = stream.read(config["PHOTO_MAX_BYTES"] + 1)
    name = filename or _("the photo")
    if len(raw) > config["PHOTO_MAX_BYTES"]:
        raise DomainError(_("%(name)s is larger than %(mb)d MB.", name=name, mb=config["PHOTO_MAX_BYTES"] // 2**20))
    try:
        with Image.open(io.BytesIO(raw), formats=sorted(ALLOWED_FORMATS)) as image:
            # The header gives the size before any pixel is decoded: refuse decompression bombs here.
            if image.width * image.height > config["PHOTO_MAX_PIXELS"]:
                raise DomainError(_("%(name)s has too many pixels (%(w)d × %(h)d).", name=name, w=image.width,
                                    h=image.height))
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError(_("%(name)s is not a JPEG, PNG or WebP image.", name=name)) from None
    rgb.thumbnail((config["PHOTO_MAX_SIDE"], config["PHOTO_MAX_SIDE"]))
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=85, optimize=True)  # no exif= argument: EXIF and GPS are not written
    return CleanPhoto(out.getvalue(), rgb.width, rgb.height)


def clean_document(stream, filename: str = "") -> CleanFile:
    """A PDF (it must start with %PDF- and end with %%EOF, whatever its name says) or a JPEG, PNG or WebP image
    (re-encoded by clean_photo), at most DOCUMENT_MAX_BYTES. Raises DomainError naming the file on anything else."""
    limit = current_app.config["DOCUMENT_MAX_BYTES"]
    raw = stream.read(limit + 1)
    name = filename or _("the document")
    if len(raw) > limit:
        raise DomainError(_("%(name)s is larger than %(mb)d MB.", name=name, mb=limit // 2**20))
    if raw.startswith(PDF_MAGIC):
        if PDF_END not in raw[-1024:]:
            raise DomainError(_("%(name)s is not a complete PDF file.", name=name))
        return CleanFile(raw, "pdf")
    if not _looks_like_image(raw):
        raise DomainError(_("%(name)s is neither a PDF nor a JPEG, PNG or WebP image.", name=name))
    photo = clean_photo(io.BytesIO(raw), filename)  # a broken or oversized image says so
    return CleanFile(photo.data, photo.extension)


def _looks_like_image(raw: bytes) -> bool:
    """The signature of a JPEG, PNG or WebP file (clean_photo then decodes it for real)."""
    return raw.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (raw[:4] == b"RIFF" and raw[8:12] == b"WEBP")


def clean_uploads(form, upload_field) -> list[CleanPhoto] | None:
    """The uploads of one file field of a form, decoded and re-encoded; None, with the reason shown at the field,
    if one of them is not an acceptable photo."""
    cleaned = []
    for upload in upload_field.data or []:
        if not getattr(upload, "filename", ""):
            continue
        try:
            cleaned.append(clean_photo(upload.stream, upload.filename))
        except DomainError as error:
            error.field = upload_field.name
            apply_domain_error(form, error)
            return None
    return cleaned


def _path_of(folder: str, storage_key: str, extension: str = "jpg") -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / folder
    path.mkdir(parents=True, exist_ok=True)
    return path / f"{storage_key}.{extension}"


def send(folder: str, storage_key: str, download_name: str, extension: str = "jpg"):
    """The stored file as a response that can only ever be an image, or a PDF to download (callers check who may
    see it)."""
    path = _path_of(folder, storage_key, extension)
    if not path.exists():  # the volume was not restored with the database
        abort(404)
    response = send_file(path, mimetype=MIMETYPES[extension], max_age=0, download_name=download_name)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    disposition = "attachment" if extension == "pdf" else "inline"
    response.headers["Content-Disposition"] = f"{disposition}; filename={download_name}"
    return response


def write(folder: str, photo: CleanPhoto | CleanFile) -> str:
    """Store the bytes under a new random key in `folder` and return the key; removed again if the transaction
    does not commit."""
    key = secrets.token_urlsafe(24)
    target = _path_of(folder, key, photo.extension)
    target.write_bytes(photo.data)
    db.session.info.setdefault(_WRITTEN_KEY, []).append(target)
    return key


def read(folder: str, storage_key: str, extension: str = "jpg") -> bytes | None:
    """The stored file's bytes (a person's copy of their data holds their photos), or None if it is missing."""
    path = _path_of(folder, storage_key, extension)
    return path.read_bytes() if path.exists() else None


def remove(folder: str, storage_key: str, extension: str = "jpg") -> None:
    """Delete the stored file once the transaction that drops its row commits (kept if it rolls back)."""
    on_commit(db.session, _path_of(folder, storage_key, extension).unlink, missing_ok=True)


@sa_event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    session.info.pop(_WRITTEN_KEY, None)


@sa_event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted(session: Session, transaction) -> None:
    # Fires after after_commit; files still listed here belong to a transaction that rolled back or was closed
    # by an error (the session's teardown closes it without a rollback event).
    if transaction.parent is None:
        for path in session.info.pop(_WRITTEN_KEY, []):
            path.unlink(missing_ok=True)
