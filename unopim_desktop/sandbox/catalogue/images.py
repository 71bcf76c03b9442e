"""Small deterministic media files for catalogue paths: PNGs written with zlib and struct (no Pillow), and a
one-page PDF for the `file` attribute (UnoPim refuses image extensions on file attributes).

Each path gets its own colours and pattern (or text), derived from a SHA-256 of the seed and the path, so
two products never share a file and a re-generated catalogue yields byte-identical files.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from functools import lru_cache

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMAGE_SIZE = 96


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


@lru_cache(maxsize=2048)
def png_for(seed: int, path: str, size: int = IMAGE_SIZE) -> bytes:
    """An RGB PNG: a background colour, a centred square and a stripe, all picked from the digest."""
    digest = hashlib.sha256(f"{seed}:{path}".encode()).digest()
    background = bytes(digest[0:3])
    square = bytes(255 - b for b in background)
    stripe = bytes(digest[3:6])
    stripe_row = digest[6] % size
    lo, hi = size // 4, size - size // 4

    plain = b"\x00" + background * size
    framed = b"\x00" + background * lo + square * (hi - lo) + background * (size - hi)
    striped = b"\x00" + stripe * size
    rows = []
    for y in range(size):
        if abs(y - stripe_row) < 3:
            rows.append(striped)
        elif lo <= y < hi:
            rows.append(framed)
        else:
            rows.append(plain)
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def pdf_for(seed: int, path: str) -> bytes:
    """A minimal valid one-page PDF whose text names the file (with a correct xref table)."""
    title = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("(", "").replace(")", "").replace("\\", "")
    stream = f"BT /F1 14 Tf 40 760 Td (Size chart {title}) Tj ET".encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def media_for(seed: int, path: str) -> bytes:
    return pdf_for(seed, path) if path.endswith(".pdf") else png_for(seed, path)
