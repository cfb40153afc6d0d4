"""Draw the service icon (frontend/../schools_portal/static/images/favicon.svg) as favicon.ico, with no image library.

The shapes are the SVG's, in its 64x64 coordinates: a blue rounded square, a white shield, its right half blue.
Run: python frontend/make_favicon.py (writes schools_portal/static/images/favicon.ico: 16, 32 and 48 pixels).
"""

import struct
import zlib
from pathlib import Path

BLUE = (0x1D, 0x70, 0xB8)
WHITE = (0xFF, 0xFF, 0xFF)
OUT = Path(__file__).resolve().parent.parent / "schools_portal" / "static" / "images" / "favicon.ico"


def _bezier(p0, p1, p2, p3, steps=16):
    for i in range(1, steps + 1):
        t = i / steps
        yield tuple(
            (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t**2 * c + t**3 * d
            for a, b, c, d in zip(p0, p1, p2, p3, strict=True)
        )


SHIELD = [(32, 8), (52, 15), (52, 31), *_bezier((52, 31), (52, 44), (43, 52), (32, 57))]
SHIELD += [*_bezier((32, 57), (21, 52), (12, 44), (12, 31)), (12, 15)]
HALF = [(32, 14), (46, 19), (46, 31), *_bezier((46, 31), (46, 40), (40, 46), (32, 50))]


def _inside(polygon, x, y) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _in_rounded_square(x, y, r=10, size=64) -> bool:
    cx = min(max(x, r), size - r)
    cy = min(max(y, r), size - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def _colour(x, y):
    if not _in_rounded_square(x, y):
        return None
    if _inside(HALF, x, y):
        return BLUE
    if _inside(SHIELD, x, y):
        return WHITE
    return BLUE


def _png(size: int, samples: int = 4) -> bytes:
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            r = g = b = a = 0
            for sy in range(samples):
                for sx in range(samples):
                    colour = _colour((px + (sx + 0.5) / samples) * 64 / size, (py + (sy + 0.5) / samples) * 64 / size)
                    if colour:
                        r, g, b, a = r + colour[0], g + colour[1], b + colour[2], a + 1
            n = samples * samples
            row += bytes([r // a, g // a, b // a, 255 * a // n] if a else [0, 0, 0, 0])
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def ico(sizes=(16, 32, 48)) -> bytes:
    images = [_png(size) for size in sizes]
    directory = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries = b""
    for size, image in zip(sizes, images, strict=True):
        entries += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return directory + entries + b"".join(images)


if __name__ == "__main__":
    OUT.write_bytes(ico())
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
