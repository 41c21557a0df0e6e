"""Badge images: a simple PNG drawn with the standard library, and "baking" (OB 3.0 §5.3):
the signed credential embedded in the PNG as an ``iTXt`` chunk with the keyword
``openbadgecredential``, so the image file alone can be verified.
"""
from __future__ import annotations

import hashlib
import struct
import zlib
from functools import lru_cache

SIZE = 240
KEYWORD = b"openbadgecredential"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Calm colours with enough contrast to white; one per track, chosen by its slug.
COLOURS = ((0x1F, 0x5F, 0x8B), (0x2E, 0x7D, 0x32), (0x8E, 0x24, 0xAA), (0xB2, 0x3C, 0x17),
           (0x00, 0x69, 0x5C), (0x45, 0x5A, 0x64))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _segment_distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


@lru_cache(maxsize=64)
def badge_png(seed: str) -> bytes:
    """A round badge with a tick, in a colour chosen by ``seed`` (the track's slug)."""
    colour = COLOURS[hashlib.sha256(seed.encode("utf-8")).digest()[0] % len(COLOURS)]
    centre, radius = SIZE / 2, SIZE / 2 - 4
    tick = ((SIZE * 0.30, SIZE * 0.52), (SIZE * 0.44, SIZE * 0.66), (SIZE * 0.72, SIZE * 0.36))
    rows = bytearray()
    for y in range(SIZE):
        rows.append(0)  # filter: none
        for x in range(SIZE):
            distance = ((x + 0.5 - centre) ** 2 + (y + 0.5 - centre) ** 2) ** 0.5
            if distance > radius:
                rows += b"\x00\x00\x00\x00"
            elif radius - 14 < distance < radius - 8:
                rows += b"\xff\xff\xff\xff"  # the white ring
            elif min(_segment_distance(x + 0.5, y + 0.5, tick[0], tick[1]),
                     _segment_distance(x + 0.5, y + 0.5, tick[1], tick[2])) < SIZE * 0.045:
                rows += b"\xff\xff\xff\xff"
            else:
                rows += bytes(colour) + b"\xff"
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (PNG_SIGNATURE + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + _chunk(b"IEND", b""))


def bake_png(png: bytes, credential: str) -> bytes:
    """``png`` with ``credential`` (a compact VC-JWT) in an uncompressed ``iTXt`` chunk
    before ``IEND``; an earlier baked credential is replaced."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG image")
    chunks, pos = [], len(PNG_SIGNATURE)
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind = png[pos + 4:pos + 8]
        data = png[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"iTXt" and data.split(b"\x00", 1)[0] == KEYWORD:
            continue
        chunks.append((kind, data))
    # keyword, NUL, compression flag 0, method 0, no language tag, no translated keyword
    itxt = KEYWORD + b"\x00\x00\x00" + b"\x00" + b"\x00" + credential.encode("utf-8")
    out = bytearray(PNG_SIGNATURE)
    for kind, data in chunks:
        if kind == b"IEND":
            out += _chunk(b"iTXt", itxt)
        out += _chunk(kind, data)
    return bytes(out)
