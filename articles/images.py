"""Lead images: checking an upload, making its sizes, and what pages show of them.

Every file goes through a Django storage (the lead image field's, which is
`default_storage`), never a filesystem path, so a deployment may keep media
in object storage. Readers are only ever sent the sizes made here: they are
re-encoded (no camera metadata such as a location survives) and never wider
than the upload.
"""

from __future__ import annotations

import hashlib
import posixpath
import warnings
from io import BytesIO
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import FileExtensionValidator
from PIL import Image, ImageOps, UnidentifiedImageError

# The widths made of every lead image (those narrower than the upload, and
# the upload's own width when it is below the largest of these).
WIDTHS = (480, 960, 1600)
# Formats accepted; Pillow is never asked to read anything else.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
EXTENSIONS = ("jpg", "jpeg", "png", "webp", "gif")
JPEG_QUALITY = 82
WEBP_QUALITY = 82


class Rendition(NamedTuple):
    """One stored size of a lead image."""

    url: str
    width: int
    height: int
    bytes: int
    content_type: str


class LeadImage(NamedTuple):
    """What a page shows of a story's lead image."""

    alt: str
    caption: str
    credit: str
    renditions: tuple[Rendition, ...]  # narrowest first

    @property
    def largest(self) -> Rendition:
        """For feeds and link previews."""
        return self.renditions[-1]

    @property
    def smallest(self) -> Rendition:
        return self.renditions[0]

    @property
    def src(self) -> str:
        """The fallback for browsers without srcset: the size nearest 960 wide."""
        return min(self.renditions, key=lambda r: abs(r.width - 960)).url

    @property
    def srcset(self) -> str:
        return ", ".join(f"{r.url} {r.width}w" for r in self.renditions)

    @property
    def width(self) -> int:
        return self.largest.width

    @property
    def height(self) -> int:
        return self.largest.height


def lead_image_of(
    *, name: str, renditions: list[dict], alt: str, caption: str, credit: str, storage
) -> LeadImage | None:
    """The LeadImage stored as `renditions` (see `renditions_create`), or None."""
    if not name or not renditions:
        return None
    return LeadImage(
        alt=alt,
        caption=caption,
        credit=credit,
        renditions=tuple(
            Rendition(
                url=storage.url(row["name"]),
                width=row["width"],
                height=row["height"],
                bytes=row["bytes"],
                content_type=row["type"],
            )
            for row in renditions
        ),
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _open(file) -> Image.Image:
    """The image in `file`, its header read; pixels are decoded later, on demand.

    Raises ValidationError for anything that is not an image we accept or
    that holds more pixels than allowed (a decompression bomb among them).
    """
    limit = settings.NEWSROOM_LEAD_IMAGE_MAX_PIXELS
    too_large = (
        "This image is too large: the most allowed is {limit:,} pixels "
        "({megapixels:g} megapixels). Resize it and upload it again."
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, past its own limit: both are ours to refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file, formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            too_large.format(limit=limit, megapixels=limit / 1_000_000), code="too_many_pixels"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ValidationError(
            "This file is not an image we can use. Upload a JPEG, PNG, WebP or GIF image.",
            code="invalid_image",
        ) from exc
    width, height = image.size
    if width * height > limit:
        raise ValidationError(
            too_large.format(limit=limit, megapixels=limit / 1_000_000)
            + f" This one is {width:,} × {height:,} pixels.",
            code="too_many_pixels",
        )
    return image


def check_upload(file) -> None:
    """Refuse an upload that is too big, not an accepted image, or a decompression bomb."""
    limit = settings.NEWSROOM_LEAD_IMAGE_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            f"This file is {_megabytes(file.size)}; the largest allowed is {_megabytes(limit)}.",
            code="file_too_big",
        )
    file.seek(0)
    try:
        _open(file)
    finally:
        file.seek(0)


class LeadImageFormField(forms.ImageField):
    """An image upload checked against the lead image limits before Pillow decodes it."""

    default_validators = [FileExtensionValidator(allowed_extensions=list(EXTENSIONS))]

    def to_python(self, data):
        if data not in self.empty_values:
            check_upload(data)
        return super().to_python(data)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ",".join(f"image/{kind.lower()}" for kind in FORMATS)
        return attrs


def _encode(image: Image.Image) -> tuple[bytes, str, str]:
    """(data, extension, content type): JPEG, or WebP where the image has transparency."""
    out = BytesIO()
    if image.mode == "RGBA":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
        return out.getvalue(), "webp", "image/webp"
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), "jpg", "image/jpeg"


def _has_transparency(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        alpha = image.convert("RGBA").getchannel("A")
        return alpha.getextrema()[0] < 255
    return False


def renditions_create(*, name: str, storage) -> list[dict]:
    """Make and store the sizes of the image stored as `name` in `storage`.

    Returns the rows to keep with the story, narrowest first:
    {"name", "width", "height", "bytes", "type"}. The image is turned upright
    from its camera orientation, never enlarged, and stored next to the
    original as `<original>-<width>w-<digest>.<jpg|webp>`. If any size
    fails, those already stored are deleted and the error raised.
    """
    with storage.open(name, "rb") as source:
        image = _open(source)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = ImageOps.exif_transpose(image)  # loads the pixels
    image = image.convert("RGBA" if _has_transparency(image) else "RGB")
    full_width, full_height = image.size
    widths = sorted({min(width, full_width) for width in WIDTHS})
    stem = posixpath.splitext(name)[0]
    rows: list[dict] = []
    try:
        for width in widths:
            height = max(1, round(full_height * width / full_width))
            sized = image if width == full_width else image.resize(
                (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0
            )
            data, extension, content_type = _encode(sized)
            # Named by their content too: a name never comes back with other
            # content, so browsers and CDNs may keep these files for good.
            digest = hashlib.blake2b(data, digest_size=5).hexdigest()
            stored = storage.save(f"{stem}-{width}w-{digest}.{extension}", ContentFile(data))
            rows.append(
                {
                    "name": stored,
                    "width": width,
                    "height": height,
                    "bytes": len(data),
                    "type": content_type,
                }
            )
    except Exception:
        files_delete(names=[row["name"] for row in rows], storage=storage)
        raise
    return rows


def files_delete(*, names, storage) -> None:
    """Delete these stored files; one already gone is no error."""
    for name in names:
        if name:
            storage.delete(name)
