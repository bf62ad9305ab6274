"""Regenerate the sample uploads in tests/data/photos/ (photo-like, small enough to commit).

Run: .venv/bin/python tests/data/make_photos.py
The scenes are drawn from a seeded random generator, so a rerun draws the same pictures; the
encoders (libjpeg-turbo, libwebp, x265) may still vary their bytes between versions.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import pillow_heif
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFilter, ImageOps
from PIL.TiffImagePlugin import IFDRational

PHOTOS = Path(__file__).resolve().parent / "photos"
TAKEN = "2026:03:14 10:15:30"
#: GPS position written into samples, as rationals distinctive enough to search for in bytes.
GPS_LATITUDE = ((31, 1), (14, 1), (314159, 10000))
GPS_LONGITUDE = ((121, 1), (28, 1), (271829, 10000))
RED = (230, 20, 20)
#: Shape colours: no strong red, so the red corner marker stays the only red in a scene.
PALETTE = [
    (40, 90, 170),
    (60, 150, 80),
    (220, 200, 60),
    (120, 120, 130),
    (30, 40, 50),
    (200, 210, 220),
    (90, 60, 140),
    (70, 170, 190),
    (160, 130, 90),
]
BOMB_SIDE = 30_000


def scene(size: tuple[int, int], seed: int, noise: int = 8, marker: bool = True) -> Image.Image:
    """Draw a photo-like picture: a tilted gradient, soft shapes, grain, a red top-left block."""
    rnd = random.Random(seed)
    width, height = size
    gradient = Image.linear_gradient("L").rotate(rnd.uniform(0, 360), expand=True)
    gradient = gradient.crop((64, 64, gradient.width - 64, gradient.height - 64)).resize(size)
    low, high = rnd.sample(PALETTE, 2)
    image = ImageOps.colorize(gradient, low, high)
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rnd.randrange(width), rnd.randrange(height)
        w, h = rnd.randrange(width // 10, width // 3), rnd.randrange(height // 10, height // 3)
        box = (x - w // 2, y - h // 2, x + w // 2, y + h // 2)
        colour = rnd.choice(PALETTE)
        match rnd.randrange(3):
            case 0:
                draw.ellipse(box, fill=colour)
            case 1:
                draw.rectangle(box, fill=colour)
            case _:
                draw.rounded_rectangle(box, radius=min(w, h) // 4, fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(max(1, width // 600)))
    if noise:
        grain = Image.frombytes("L", size, rnd.randbytes(width * height))
        grain = grain.point(lambda v: 128 + (v - 128) * noise // 128)
        image = ImageChops.add(image, Image.merge("RGB", [grain] * 3), offset=-128)
    if marker:
        side = min(width, height) // 7
        ImageDraw.Draw(image).rectangle((0, 0, side, side), fill=RED)
    return image


def exif_bytes(
    orientation: int | None = None, offset: str | None = None, gps: bool = True
) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SampleCam"  # Make
    exif[0x0110] = "Phone 1"  # Model
    if orientation:
        exif[0x0112] = orientation
    details = exif.get_ifd(0x8769)
    details[0x9003] = TAKEN  # DateTimeOriginal
    if offset:
        details[0x9011] = offset  # OffsetTimeOriginal
    if gps:
        location = exif.get_ifd(0x8825)
        location[1] = "N"
        location[2] = tuple(IFDRational(n, d) for n, d in GPS_LATITUDE)
        location[3] = "E"
        location[4] = tuple(IFDRational(n, d) for n, d in GPS_LONGITUDE)
    return exif.tobytes()


def gps_needles() -> list[bytes]:
    """Return the GPS seconds as stored rationals, in both byte orders."""
    needles = []
    for n, d in (GPS_LATITUDE[2], GPS_LONGITUDE[2]):
        needles += [struct.pack("<II", n, d), struct.pack(">II", n, d)]
    return needles


XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="Secret City"/>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png(side: int) -> bytes:
    """Return a valid bilevel PNG of side x side white pixels: tiny file, huge when decoded."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def encode(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def samples() -> dict[str, bytes]:
    pillow_heif.register_heif_opener()
    upright = scene((1200, 900), seed=1)
    # Orientation 6 means "turn 90° clockwise to view", so the camera stored it turned the other way.
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    photo_jpeg = encode(scene((800, 600), seed=6), "JPEG", quality=85)
    return {
        "rotated-gps.jpg": encode(
            sideways,
            "JPEG",
            quality=80,
            exif=exif_bytes(orientation=6),
            xmp=XMP,
            comment=b"Shot at the secret hall",
            icc_profile=SRGB_ICC,
        ),
        "offset-time.jpg": encode(
            scene((1200, 900), seed=2), "JPEG", quality=80, exif=exif_bytes(offset="+02:00")
        ),
        "plain.png": encode(
            scene((480, 360), seed=3, noise=0), "PNG", optimize=True, exif=exif_bytes()
        ),
        "transparent.png": encode(transparent(), "PNG", optimize=True),
        "photo.webp": encode(scene((1200, 900), seed=4), "WEBP", quality=75, exif=exif_bytes()),
        "photo.heic": encode(scene((1200, 900), seed=5), "HEIF", quality=40, exif=exif_bytes()),
        "truncated.jpg": photo_jpeg[: len(photo_jpeg) // 2],
        "html-named.jpg": b"<!doctype html>\n<html><body><h1>Not a photo</h1></body></html>\n",
        "svg-named.jpg": (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
            b'<circle cx="50" cy="50" r="40" fill="red"/></svg>\n'
        ),
        "bomb.png": bomb_png(BOMB_SIDE),
        "cmyk.jpg": encode(scene((600, 450), seed=7).convert("CMYK"), "JPEG", quality=85),
        "small.jpg": encode(scene((200, 150), seed=8), "JPEG", quality=85, exif=exif_bytes()),
    }


def transparent() -> Image.Image:
    """Return an RGBA scene whose right third is fully transparent."""
    image = scene((400, 300), seed=9, noise=0).convert("RGBA")
    alpha = Image.new("L", image.size, 255)
    ImageDraw.Draw(alpha).rectangle((image.width * 2 // 3, 0, image.width, image.height), fill=0)
    image.putalpha(alpha)
    return image


def main() -> None:
    PHOTOS.mkdir(exist_ok=True)
    total = 0
    for name, data in samples().items():
        (PHOTOS / name).write_bytes(data)
        total += len(data)
        print(f"{name:<18} {len(data) / 1024:7.1f} KB")
    print(f"{'total':<18} {total / 1024:7.1f} KB")


if __name__ == "__main__":
    main()
