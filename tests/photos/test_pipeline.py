"""Photo ingest: accepted formats, orientation, stripped metadata, capture time, hashes, refusals."""

from __future__ import annotations

import hashlib
import io
import itertools
import struct
import zlib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pillow_heif
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageDraw, ImageFile, ImageOps

from inspect_app.photos.limits import PhotoLimits
from inspect_app.photos.pipeline import PhotoError, ProcessedPhoto, hamming_distance, process_photo
from tests.data.make_photos import gps_needles

PHOTOS = Path(__file__).parent.parent / "data" / "photos"
SHANGHAI = ZoneInfo("Asia/Shanghai")
TAKEN_UTC = datetime(2026, 3, 14, 2, 15, 30, tzinfo=UTC)
CAN_ENCODE_HEIF = bool(pillow_heif.libheif_info().get("HEIF"))
needs_heif_encoder = pytest.mark.skipif(
    not CAN_ENCODE_HEIF, reason="this libheif build has no HEVC encoder to make HEIC test images"
)

#: name, source_format, stored size, captured_at
ACCEPTED = [
    ("rotated-gps.jpg", "JPEG", (1200, 900), TAKEN_UTC),
    ("offset-time.jpg", "JPEG", (1200, 900), datetime(2026, 3, 14, 8, 15, 30, tzinfo=UTC)),
    ("plain.png", "PNG", (480, 360), TAKEN_UTC),
    ("transparent.png", "PNG", (400, 300), None),
    ("photo.webp", "WEBP", (1200, 900), TAKEN_UTC),
    ("photo.heic", "HEIF", (1200, 900), TAKEN_UTC),
    ("cmyk.jpg", "JPEG", (600, 450), None),
    ("small.jpg", "JPEG", (200, 150), TAKEN_UTC),
]
ACCEPTED_NAMES = [name for name, *_ in ACCEPTED]
WITH_GPS = [
    "rotated-gps.jpg",
    "offset-time.jpg",
    "plain.png",
    "photo.webp",
    "photo.heic",
    "small.jpg",
]
#: How a camera stores an upright scene under each EXIF orientation.
STORED_AS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def sample(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def encode(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def corners(image: Image.Image) -> dict[str, tuple[int, ...]]:
    """Return the mean colour of a small patch just inside each corner."""
    side = max(2, min(image.size) // 20)
    w, h = image.size
    boxes = {
        "top-left": (2, 2, 2 + side, 2 + side),
        "top-right": (w - 2 - side, 2, w - 2, 2 + side),
        "bottom-left": (2, h - 2 - side, 2 + side, h - 2),
        "bottom-right": (w - 2 - side, h - 2 - side, w - 2, h - 2),
    }
    rgb = image.convert("RGB")
    return {
        name: rgb.crop(box).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
        for name, box in boxes.items()
    }


def red_corners(image: Image.Image) -> list[str]:
    return [name for name, (r, g, b) in corners(image).items() if r > 170 and g < 90 and b < 90]


def exif_with(
    orientation: int | None = None, taken: str | None = None, offset: str | None = None
) -> bytes:
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken
    if offset is not None:
        exif.get_ifd(0x8769)[0x9011] = offset
    return exif.tobytes()


def marked(size: tuple[int, int]) -> Image.Image:
    """Return an upright grey picture with a red block in its top-left corner."""
    image = Image.new("RGB", size, (120, 130, 140))
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 4, size[1] // 4), fill=(230, 20, 20))
    return image


def png_header(width: int, height: int) -> bytes:
    """Return a PNG that declares width x height but carries almost no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def jpeg_segments(data: bytes) -> list[int]:
    """Return the marker bytes of a JPEG's segments before its image data."""
    markers, position = [], 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return markers


def swapped_primaries_profile() -> bytes:
    """Return an RGB colour profile whose red and green primaries are swapped."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    tags = {}
    for index in range(struct.unpack(">I", icc[128:132])[0]):
        entry = 132 + 12 * index
        tags[bytes(icc[entry : entry + 4])] = entry
    red, green = tags[b"rXYZ"], tags[b"gXYZ"]
    icc[red + 4 : red + 12], icc[green + 4 : green + 12] = (
        icc[green + 4 : green + 12],
        icc[red + 4 : red + 12],
    )
    # Not named sRGB, so it is not mistaken for the real thing.
    return bytes(icc).replace("sRGB".encode("utf-16-be"), "GRBs".encode("utf-16-be"))


# Accepted formats --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "source_format", "size", "captured_at"), ACCEPTED)
def test_accepted_photo_becomes_an_upright_jpeg(name, source_format, size, captured_at):
    photo = process_photo(sample(name))
    stored = reopen(photo.jpeg)
    assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", size)
    assert (photo.width, photo.height) == size
    assert photo.source_format == source_format
    assert red_corners(stored) == ["top-left"]


def test_sideways_photo_is_turned_upright_and_loses_its_gps():
    data = sample("rotated-gps.jpg")
    assert Image.open(io.BytesIO(data)).size == (900, 1200)
    assert any(needle in data for needle in gps_needles())
    photo = process_photo(data)
    stored = reopen(photo.jpeg)
    assert stored.size == (1200, 900)
    assert red_corners(stored) == ["top-left"]
    assert red_corners(reopen(photo.thumbnail)) == ["top-left"]
    assert not any(needle in photo.jpeg for needle in gps_needles())
    assert photo.captured_at == TAKEN_UTC


@pytest.mark.parametrize("orientation", list(STORED_AS))
def test_every_exif_orientation_is_turned_upright(orientation):
    upright = marked((120, 80))
    transpose = STORED_AS[orientation]
    stored = upright if transpose is None else upright.transpose(transpose)
    data = encode(stored, "JPEG", quality=90, exif=exif_with(orientation))
    # The table above agrees with Pillow's reference implementation.
    assert red_corners(ImageOps.exif_transpose(Image.open(io.BytesIO(data)))) == ["top-left"]
    photo = process_photo(data)
    assert (photo.width, photo.height) == (120, 80)
    assert red_corners(reopen(photo.jpeg)) == ["top-left"]


@pytest.mark.parametrize(
    ("format", "options"),
    [
        ("JPEG", {"quality": 92}),
        ("PNG", {}),
        ("WEBP", {"quality": 80}),
        pytest.param("HEIF", {"quality": 60}, marks=needs_heif_encoder),
    ],
)
@pytest.mark.parametrize(
    ("size", "stored", "thumb"),
    [((3200, 1600), (1600, 800), (320, 160)), ((1500, 3600), (667, 1600), (133, 320))],
)
def test_large_photo_is_shrunk_to_the_long_side(format, options, size, stored, thumb):
    photo = process_photo(encode(marked(size), format, **options))
    assert (photo.width, photo.height) == stored
    assert reopen(photo.jpeg).size == stored
    assert reopen(photo.thumbnail).size == thumb
    assert red_corners(reopen(photo.jpeg)) == ["top-left"]


def test_large_sideways_jpeg_is_drafted_resized_and_turned_upright():
    upright = marked((2400, 3200))
    data = encode(upright.transpose(Image.Transpose.ROTATE_90), "JPEG", exif=exif_with(6))
    photo = process_photo(data)
    assert (photo.width, photo.height) == (1200, 1600)
    assert red_corners(reopen(photo.jpeg)) == ["top-left"]
    assert reopen(photo.thumbnail).size == (240, 320)


def test_small_photo_is_not_upscaled():
    photo = process_photo(sample("small.jpg"))
    assert (photo.width, photo.height) == (200, 150)
    assert reopen(photo.thumbnail).size == (200, 150)


def test_jpeg_with_extra_frames_counts_as_jpeg():
    first, depth = marked((160, 120)), Image.new("RGB", (160, 120), (40, 40, 40))
    data = encode(first, "MPO", save_all=True, append_images=[depth])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    photo = process_photo(data)
    assert photo.source_format == "JPEG"
    assert red_corners(reopen(photo.jpeg)) == ["top-left"]


# Colours and modes -------------------------------------------------------------------------------


def half_transparent() -> Image.Image:
    """Return a picture whose left half is opaque blue and right half fully transparent."""
    image = Image.new("RGBA", (40, 30), (40, 90, 170, 255))
    ImageDraw.Draw(image).rectangle((20, 0, 39, 29), fill=(0, 0, 0, 0))
    return image


def palette(transparent: bool) -> Image.Image:
    """Return a two-colour palette picture: blue left half, black (or transparent) right half."""
    image = Image.new("P", (40, 30), 0)
    image.putpalette([40, 90, 170, 0, 0, 0] + [0] * 762)
    ImageDraw.Draw(image).rectangle((20, 0, 39, 29), fill=1)
    if transparent:
        image.info["transparency"] = 1
    return image


#: builder, format, expected colour of the left half, of the right half
MODES = [
    pytest.param(lambda: Image.new("1", (40, 30), 1), "PNG", (255,) * 3, (255,) * 3, id="1"),
    pytest.param(lambda: Image.new("L", (40, 30), 90), "PNG", (90,) * 3, (90,) * 3, id="L"),
    pytest.param(lambda: Image.new("L", (40, 30), 90), "JPEG", (90,) * 3, (90,) * 3, id="L-jpeg"),
    pytest.param(
        lambda: Image.new("I;16", (40, 30), 30000), "PNG", (117,) * 3, (117,) * 3, id="I;16"
    ),
    pytest.param(
        lambda: Image.new("RGBA", (40, 30), (40, 90, 170, 255)).convert("LA"),
        "PNG",
        (83,) * 3,
        (83,) * 3,
        id="LA",
    ),
    pytest.param(half_transparent, "PNG", (40, 90, 170), (255, 255, 255), id="RGBA"),
    pytest.param(half_transparent, "WEBP", (40, 90, 170), (255, 255, 255), id="RGBA-webp"),
    pytest.param(
        lambda: palette(transparent=True), "PNG", (40, 90, 170), (255, 255, 255), id="P-transparent"
    ),
    pytest.param(
        lambda: palette(transparent=False),
        "PNG",
        (40, 90, 170),
        (0, 0, 0),
        id="P",
    ),
]


@pytest.mark.parametrize(("build", "format", "left", "right"), MODES)
def test_every_mode_becomes_rgb_with_transparency_on_white(build, format, left, right):
    options = {"quality": 95} if format in ("JPEG", "WEBP") else {}
    if format == "WEBP":
        options["lossless"] = True
    stored = reopen(process_photo(encode(build(), format, **options)).jpeg)
    assert stored.mode == "RGB"
    for point, expected in (((8, 15), left), ((31, 15), right)):
        actual = stored.getpixel(point)
        assert all(abs(a - e) <= 8 for a, e in zip(actual, expected, strict=True)), (point, actual)


def test_transparent_png_is_composited_on_white():
    stored = reopen(process_photo(sample("transparent.png")).jpeg)
    assert corners(stored)["top-right"] == pytest.approx((255, 255, 255), abs=3)
    assert corners(stored)["bottom-right"] == pytest.approx((255, 255, 255), abs=3)


def test_cmyk_jpeg_keeps_its_colours():
    data = sample("cmyk.jpg")
    expected = Image.open(io.BytesIO(data)).convert("RGB")
    stored = reopen(process_photo(data).jpeg)
    difference = sum(
        abs(a - b)
        for a, b in zip(
            expected.resize((30, 20)).tobytes(), stored.resize((30, 20)).tobytes(), strict=True
        )
    ) / (30 * 20 * 3)
    assert difference < 4


def test_embedded_colour_profile_is_applied_then_dropped():
    image = Image.new("RGB", (40, 30), (255, 0, 0))
    data = encode(image, "JPEG", quality=95, icc_profile=swapped_primaries_profile())
    stored = reopen(process_photo(data).jpeg)
    r, g, b = stored.getpixel((20, 15))
    assert g > 200 and r < 60 and b < 60, "the profile said these pixels are green"
    assert "icc_profile" not in stored.info


def test_unusable_colour_profile_is_ignored():
    image = Image.new("RGB", (40, 30), (255, 0, 0))
    data = encode(image, "JPEG", quality=95, icc_profile=b"not a profile at all")
    assert reopen(process_photo(data).jpeg).getpixel((20, 15))[0] > 200


# Metadata ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACCEPTED_NAMES)
def test_all_metadata_is_stripped(name):
    data = sample(name)
    if name in WITH_GPS:
        assert any(needle in data for needle in gps_needles()), "the sample should carry GPS"
    photo = process_photo(data)
    for output in (photo.jpeg, photo.thumbnail):
        stored = reopen(output)
        assert len(stored.getexif()) == 0
        assert set(stored.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
        # JFIF (APP0), tables and frame headers only: no APP1 (EXIF, XMP), APP2 (ICC) or COM.
        assert not set(jpeg_segments(output)) & {*range(0xE1, 0xF0), 0xFE}
        for needle in [b"Exif", b"xpacket", b"ICC_PROFILE", b"SampleCam", *gps_needles()]:
            assert needle not in output


def test_xmp_comment_and_profile_of_the_sample_are_really_there():
    data = sample("rotated-gps.jpg")
    for needle in (b"xpacket", b"secret hall", b"ICC_PROFILE", b"Exif", b"SampleCam"):
        assert needle in data


@pytest.mark.parametrize(("name", "source_format", "size", "captured_at"), ACCEPTED)
def test_capture_time_comes_from_exif(name, source_format, size, captured_at):
    assert process_photo(sample(name)).captured_at == captured_at


@pytest.mark.parametrize(
    ("taken", "offset", "local_tz", "expected"),
    [
        ("2026:03:14 10:15:30", None, SHANGHAI, datetime(2026, 3, 14, 2, 15, 30, tzinfo=UTC)),
        ("2026:03:14 10:15:30", "+02:00", SHANGHAI, datetime(2026, 3, 14, 8, 15, 30, tzinfo=UTC)),
        ("2026:03:14 10:15:30", "-05:30", SHANGHAI, datetime(2026, 3, 14, 15, 45, 30, tzinfo=UTC)),
        ("2026:07:01 12:00:00", None, ZoneInfo("Europe/Berlin"), datetime(2026, 7, 1, 10, tzinfo=UTC)),
        ("2026:03:14 10:15:30", "Z", SHANGHAI, datetime(2026, 3, 14, 2, 15, 30, tzinfo=UTC)),
        ("2026:03:14 10:15:30", "+99:00", SHANGHAI, datetime(2026, 3, 14, 2, 15, 30, tzinfo=UTC)),
        ("2026:03:14 10:15:30", "      ", SHANGHAI, datetime(2026, 3, 14, 2, 15, 30, tzinfo=UTC)),
        ("0000:00:00 00:00:00", None, SHANGHAI, None),
        ("    :  :     :  :  ", None, SHANGHAI, None),
        ("yesterday afternoon", None, SHANGHAI, None),
        ("2026:02:30 10:15:30", None, SHANGHAI, None),
        ("0001:01:01 00:00:00", "+02:00", SHANGHAI, None),
        (None, "+02:00", SHANGHAI, None),
    ],
)  # fmt: skip
def test_capture_time_reads_offsets_and_the_halls_time_zone(taken, offset, local_tz, expected):
    data = encode(marked((40, 30)), "JPEG", exif=exif_with(taken=taken, offset=offset))
    captured_at = process_photo(data, local_tz=local_tz).captured_at
    assert captured_at == expected
    if captured_at is not None:
        assert captured_at.utcoffset().total_seconds() == 0


def test_photo_without_exif_has_no_capture_time():
    assert process_photo(encode(marked((40, 30)), "JPEG")).captured_at is None


# Hashes and determinism --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACCEPTED_NAMES)
def test_hashes_describe_the_stored_and_the_uploaded_bytes(name):
    data = sample(name)
    photo = process_photo(data)
    assert photo.sha256 == hashlib.sha256(photo.jpeg).hexdigest()
    assert photo.source_sha256 == hashlib.sha256(data).hexdigest()
    assert len(photo.perceptual_hash) == 16
    int(photo.perceptual_hash, 16)


@pytest.mark.parametrize("name", ACCEPTED_NAMES)
def test_same_upload_gives_the_same_bytes(name):
    first, second = process_photo(sample(name)), process_photo(sample(name))
    assert isinstance(first, ProcessedPhoto)
    assert first == second


@pytest.mark.parametrize("name", ACCEPTED_NAMES)
@pytest.mark.parametrize(("quality", "scale"), [(40, 1.0), (95, 0.5), (60, 0.3)])
def test_reencoded_photo_keeps_its_perceptual_hash(name, quality, scale):
    upright = ImageOps.exif_transpose(reopen(sample(name))).convert("RGBA")
    original = Image.alpha_composite(Image.new("RGBA", upright.size, "white"), upright).convert(
        "RGB"
    )
    size = (round(original.width * scale), round(original.height * scale))
    copy = encode(original.resize(size, Image.Resampling.LANCZOS), "JPEG", quality=quality)
    distance = hamming_distance(
        process_photo(sample(name)).perceptual_hash, process_photo(copy).perceptual_hash
    )
    assert distance <= 6


def test_unrelated_photos_have_distant_perceptual_hashes():
    hashes = {name: process_photo(sample(name)).perceptual_hash for name in ACCEPTED_NAMES}
    for a, b in itertools.combinations(ACCEPTED_NAMES, 2):
        assert hamming_distance(hashes[a], hashes[b]) > 16, (a, b)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("0000000000000000", "0000000000000000", 0),
        ("0000000000000000", "ffffffffffffffff", 64),
        ("8000000000000001", "0000000000000000", 2),
        ("0123456789abcdef", "0123456789ABCDEF", 0),
    ],
)
def test_hamming_distance_counts_differing_bits(a, b, distance):
    assert hamming_distance(a, b) == distance


def test_hamming_distance_refuses_other_lengths():
    with pytest.raises(ValueError):
        hamming_distance("abc", "0000000000000000")


# Refusals ----------------------------------------------------------------------------------------


def bad_inputs() -> list:
    tiny = marked((16, 12))
    return [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(sample("html-named.jpg"), "not_an_image", id="html"),
        pytest.param(sample("svg-named.jpg"), "not_an_image", id="svg"),
        pytest.param(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", "not_an_image", id="pdf"),
        pytest.param("巡检记录：一切正常\n".encode(), "not_an_image", id="text"),
        pytest.param(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "not_an_image", id="mp4"),
        pytest.param(encode(tiny, "GIF"), "unsupported_format", id="gif"),
        pytest.param(encode(tiny, "BMP"), "unsupported_format", id="bmp"),
        pytest.param(encode(tiny, "TIFF"), "unsupported_format", id="tiff"),
        pytest.param(
            b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 64,
            "unsupported_format",
            id="avif",
        ),
        pytest.param(
            b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf" + b"\x00" * 64,
            "unsupported_format",
            id="avif-mif1",
        ),
        pytest.param(sample("truncated.jpg"), "truncated", id="truncated-jpeg"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", "truncated", id="jpeg-header-only"),
        pytest.param(encode(tiny, "PNG")[:60], "truncated", id="truncated-png"),
        pytest.param(encode(tiny, "WEBP")[:30], "truncated", id="truncated-webp"),
        pytest.param(sample("photo.heic")[:2000], "truncated", id="truncated-heic"),
        pytest.param(sample("bomb.png"), "too_many_pixels", id="bomb"),
        pytest.param(png_header(10_000, 10_000), "too_many_pixels", id="over-pillow-warning"),
        pytest.param(png_header(8_000, 7_000), "too_many_pixels", id="over-our-limit"),
    ]


@pytest.mark.parametrize(("data", "code"), bad_inputs())
def test_bad_upload_is_refused_with_a_reason(data, code):
    with pytest.raises(PhotoError) as refused:
        process_photo(data)
    assert refused.value.code == code
    assert str(refused.value).endswith(".")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(sample("bomb.png"), id="over-pillow-limit"),
        pytest.param(png_header(10_000, 10_000), id="over-pillow-warning"),
        pytest.param(png_header(8_000, 7_000), id="over-our-limit"),
    ],
)
def test_oversized_image_is_refused_before_decoding(monkeypatch, data):
    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(AssertionError, match="decoded"):
        process_photo(sample("plain.png"))  # the trap works
    with pytest.raises(PhotoError) as refused:
        process_photo(data)
    assert refused.value.code == "too_many_pixels"


def test_bomb_sample_is_small_but_huge():
    data = sample("bomb.png")
    assert len(data) < 150 * 1024
    assert struct.unpack(">II", data[16:24]) == (30_000, 30_000)


def test_samples_are_small_enough_to_commit():
    sizes = {path.name: path.stat().st_size for path in PHOTOS.iterdir()}
    assert max(sizes.values()) < 150 * 1024
    assert sum(sizes.values()) < 1.5 * 1024 * 1024


def test_byte_limit_is_configurable_and_checked_first():
    data = sample("small.jpg")
    assert process_photo(data, PhotoLimits(max_bytes=len(data))).width == 200
    with pytest.raises(PhotoError) as refused:
        process_photo(data, PhotoLimits(max_bytes=len(data) - 1))
    assert refused.value.code == "too_large_bytes"
    with pytest.raises(PhotoError, match="larger than 2 MB") as refused:
        process_photo(b"\xff" * (2 * 1024 * 1024 + 1), PhotoLimits(max_bytes=2 * 1024 * 1024))
    with pytest.raises(PhotoError) as refused:
        process_photo(b"<html>" * 1000, PhotoLimits(max_bytes=100))
    assert refused.value.code == "too_large_bytes"


def test_pixel_limit_is_configurable():
    data = sample("small.jpg")  # 200 x 150 = 30,000 pixels
    assert process_photo(data, PhotoLimits(max_pixels=30_000)).width == 200
    with pytest.raises(PhotoError, match=r"more than 0\.03 megapixels") as refused:
        process_photo(data, PhotoLimits(max_pixels=29_999))
    assert refused.value.code == "too_many_pixels"


def test_sizes_and_quality_are_configurable():
    limits = PhotoLimits(long_side=300, thumb_long_side=60, jpeg_quality=50)
    photo = process_photo(sample("offset-time.jpg"), limits)
    assert (photo.width, photo.height) == (300, 225)
    assert reopen(photo.thumbnail).size == (60, 45)
    assert len(photo.jpeg) < len(process_photo(sample("offset-time.jpg")).jpeg)


@pytest.mark.parametrize(
    "options", [{"max_bytes": 0}, {"max_pixels": -1}, {"long_side": 0}, {"jpeg_quality": 0}]
)
def test_nonsensical_limits_are_refused(options):
    with pytest.raises(ValueError):
        PhotoLimits(**options)


# Hostile bytes -----------------------------------------------------------------------------------

FUZZ_LIMITS = PhotoLimits(max_pixels=2_000_000)
SIGNATURES = [
    b"\xff\xd8\xff",
    b"\xff\xd8\xff\xe1",
    b"\x89PNG\r\n\x1a\n",
    b"RIFF\x00\x01\x00\x00WEBPVP8 ",
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
]


@cache
def fuzz_bases() -> dict[str, bytes]:
    """Return small valid photos, with metadata, for the mutation tests to damage."""
    image = marked((48, 32))
    exif = exif_with(6, "2026:03:14 10:15:30", "+02:00")
    bases = {
        "jpeg": encode(image, "JPEG", quality=75, exif=exif, comment=b"hi"),
        "png": encode(image.convert("RGBA"), "PNG", exif=exif),
        "webp": encode(image, "WEBP", quality=60, exif=exif),
    }
    if CAN_ENCODE_HEIF:
        bases["heic"] = encode(image, "HEIF", quality=40, exif=exif)
    return bases


def only_photo_errors(data: bytes) -> None:
    """Process data; anything but a valid result or a PhotoError fails the test."""
    try:
        photo = process_photo(data, FUZZ_LIMITS)
    except PhotoError as error:
        assert error.code in {
            "not_an_image",
            "unsupported_format",
            "too_many_pixels",
            "truncated",
            "empty",
        }
        return
    assert reopen(photo.jpeg).size == (photo.width, photo.height)
    assert max(photo.width, photo.height) <= 1600


@settings(max_examples=200)
@given(st.binary(max_size=4096))
def test_random_bytes_only_raise_photo_errors(data):
    only_photo_errors(data)


@settings(max_examples=200)
@given(st.sampled_from(SIGNATURES), st.binary(max_size=2048))
def test_random_bytes_behind_an_image_signature_only_raise_photo_errors(signature, rest):
    only_photo_errors(signature + rest)


@settings(max_examples=300)
@given(
    base=st.sampled_from(["jpeg", "png", "webp", "heic"]),
    edits=st.lists(st.tuples(st.integers(0, 2**16), st.integers(0, 255)), max_size=12),
    keep=st.one_of(st.none(), st.integers(0, 2**16)),
)
def test_mutated_photos_only_raise_photo_errors(base, edits, keep):
    bases = fuzz_bases()
    data = bytearray(bases.get(base, bases["jpeg"]))
    for position, value in edits:
        data[position % len(data)] = value
    only_photo_errors(bytes(data[: keep % (len(data) + 1)] if keep is not None else data))
