"""Images made in memory for lead image tests."""

import struct
import zlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_upload(
    name="photo.png", *, size=(1200, 800), color=(200, 30, 30), mode="RGB", format="PNG", **save
) -> SimpleUploadedFile:
    """An upload of a plain image made with Pillow."""
    out = BytesIO()
    Image.new(mode, size, color).save(out, format, **save)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{format.lower()}")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb(name="bomb.png", *, side=30_000) -> SimpleUploadedFile:
    """A PNG of a few hundred bytes whose header claims side × side pixels."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + _chunk(b"IEND", b"")
    )
    return SimpleUploadedFile(name, data, content_type="image/png")
