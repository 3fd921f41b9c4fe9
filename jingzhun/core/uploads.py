"""Every uploaded file is hostile until its content says otherwise.

A file is accepted by what its bytes are, never by its name or the browser's
content type: photos must decode as images and are re-encoded (JPEG, or PNG
when they carry transparency) with their metadata dropped, so whatever rode
along in the original — script in an SVG, HTML behind a .jpg name, a GPS trail
in EXIF — is not kept. Documents kept as evidence (PDF, office files, photos)
are recognised by their leading bytes and always served as downloads.

The stored name is made here from the detected kind; the user's name is kept
only as a label. Serving goes through ``serve_upload``, which sends an image
inline only when the stored bytes really are a JPEG or PNG and everything else
as an attachment of type application/octet-stream, so a file planted in the
media folder by other means is never rendered by the browser either.
"""

from __future__ import annotations

import io
import uuid
import warnings
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, TypeAlias

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.http import FileResponse
from django.utils.translation import gettext as _

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC = b"%PDF-"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls
ZIP_MAGIC = b"PK\x03\x04"
# The long side of a stored photo: enough to read a house's cracks or a document on a wall.
PHOTO_MAX_SIDE = 2560


# A browser upload (Django's UploadedFile) or any binary stream, such as an API body.
Readable: TypeAlias = IO[bytes] | File


@dataclass(frozen=True)
class CleanUpload:
    """An upload that passed its checks: the bytes to store and the name to store them under."""

    content: ContentFile
    original_name: str
    content_type: str
    # Where a photo was taken, from the camera's GPS record: the one piece of metadata a
    # visit keeps (as its location); everything else in EXIF is dropped.
    location: tuple[Decimal, Decimal] | None = None


def _refuse(message: str, field: str | None) -> ValidationError:
    return ValidationError({field: [message]}) if field else ValidationError(message)


def _read_limited(upload: Readable, limit: int, field: str | None) -> bytes:
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(_("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)}, field)
    return data


def _label(name: str | None, default: str) -> str:
    # Only the last path segment, no control characters: it is a label, never a path.
    text = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if ch.isprintable()).strip()
    return (text or default)[:200]


def clean_image(upload: Readable, *, name: str | None = None, field: str | None = None) -> CleanUpload:
    """A photo decoded, checked for size and re-encoded without metadata.

    The pixel count is read from the header before any pixel is decoded, so a
    small file that would expand to gigabytes is refused without being expanded.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = _read_limited(upload, settings.UPLOAD_MAX_BYTES, field)
    max_pixels = settings.PHOTO_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")) as probe:
                width, height = probe.size
                if width * height > max_pixels:
                    raise _refuse(
                        _("The photo has %(pixels)s million pixels; at most %(limit)s million are accepted.")
                        % {"pixels": round(width * height / 1e6), "limit": round(max_pixels / 1e6)},
                        field,
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                location = _gps_location(image)
                upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _refuse(_("The file is not a photo (JPEG, PNG, WebP, GIF, BMP or TIFF)."), field) from None
    except Image.DecompressionBombWarning:
        raise _refuse(_("The photo is too large to be read."), field) from None
    upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    has_alpha = upright.mode in {"RGBA", "LA"} or "transparency" in upright.info
    output = io.BytesIO()
    if has_alpha:
        # A fresh image with only the pixels: no text chunks, no ICC profile, no EXIF.
        fresh = Image.new("RGBA", upright.size)
        fresh.paste(upright.convert("RGBA"))
        fresh.save(output, format="PNG", optimize=True)
        extension, content_type = "png", "image/png"
    else:
        fresh = Image.new("RGB", upright.size)
        fresh.paste(upright.convert("RGB"))
        fresh.save(output, format="JPEG", quality=85, optimize=True)
        extension, content_type = "jpg", "image/jpeg"
    return CleanUpload(
        content=ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}"),
        original_name=_label(name or getattr(upload, "name", None), f"photo.{extension}"),
        content_type=content_type,
        location=location,
    )


def _gps_location(image: Any) -> tuple[Decimal, Decimal] | None:
    """Latitude and longitude in degrees (6 places) from EXIF's GPS block, if it has them."""
    try:
        gps = image.getexif().get_ifd(0x8825)
        parts = [gps.get(key) for key in (1, 2, 3, 4)]  # N/S, latitude, E/W, longitude
        if not all(parts):
            return None
        latitude = _degrees(parts[1]) * (-1 if parts[0] == "S" else 1)
        longitude = _degrees(parts[3]) * (-1 if parts[2] == "W" else 1)
    except (AttributeError, TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    places = Decimal("0.000001")
    return latitude.quantize(places), longitude.quantize(places)


def _degrees(value: Any) -> Decimal:
    degrees, minutes, seconds = (Decimal(str(float(part))) for part in value)
    return degrees + minutes / 60 + seconds / 3600


def _office_kind(data: bytes) -> str | None:
    """The OOXML kind of a zip (docx/xlsx/pptx) by its parts, or None for any other zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, extension in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
        if any(name.startswith(prefix) for name in names):
            return extension
    return None


def clean_document(upload: Readable, *, name: str | None = None, field: str | None = None) -> CleanUpload:
    """Evidence kept with a case: a PDF, an office file or a photo (re-encoded)."""
    data = _read_limited(upload, settings.UPLOAD_MAX_BYTES, field)
    # A PDF starts with its version and ends with its end-of-file marker (trailing
    # bytes after it are tolerated, as readers do).
    if data.startswith(PDF_MAGIC) and b"%%EOF" in data[-2048:]:
        extension, content_type = "pdf", "application/pdf"
    elif data.startswith(OLE2_MAGIC):
        extension, content_type = "ole", "application/octet-stream"
    elif data.startswith(ZIP_MAGIC) and (office := _office_kind(data)):
        extension, content_type = office, "application/octet-stream"
    else:
        try:
            return clean_image(io.BytesIO(data), name=name or getattr(upload, "name", None), field=field)
        except ValidationError:
            raise _refuse(
                _("Only PDF files, Word or Excel files and photos can be attached."), field
            ) from None
    return CleanUpload(
        content=ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}"),
        original_name=_label(name or getattr(upload, "name", None), f"file.{extension}"),
        content_type=content_type,
    )


def serve_upload(file: File, *, download_name: str, inline_image: bool = False) -> FileResponse:
    """A stored upload as a response that no browser renders as a page.

    Inline only for a photo whose stored bytes start as a JPEG or PNG, and then
    with that exact type; anything else, whatever its name, is an attachment of
    an opaque type (``X-Content-Type-Options: nosniff`` is set site-wide).
    """
    handle = file.open("rb")
    head = handle.read(8)
    handle.seek(0)
    if inline_image and head.startswith(JPEG_MAGIC):
        content_type = "image/jpeg"
    elif inline_image and head.startswith(PNG_MAGIC):
        content_type = "image/png"
    elif head.startswith(PDF_MAGIC):
        content_type, inline_image = "application/pdf", False
    else:
        content_type, inline_image = "application/octet-stream", False
    response = FileResponse(
        handle, as_attachment=not inline_image, filename=download_name, content_type=content_type
    )
    # Even if a browser were to render it, it may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
