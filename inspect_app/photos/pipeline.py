"""Uploaded photos: refuse what is not a photo, then orient, shrink, strip and re-encode as JPEG.

Pure: bytes and explicit limits (limits.PhotoLimits) in, bytes and facts out; no Flask app, no
database. The format is recognised from the content, never from the file name or the
Content-Type the phone sent.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

import pillow_heif
from flask_babel import gettext as _
from PIL import Image, ImageCms

from inspect_app.photos.limits import PhotoLimits

pillow_heif.register_heif_opener()

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
DEFAULT_LIMITS = PhotoLimits()
#: Where naive EXIF times were taken unless the caller says otherwise (Config.TIMEZONE).
HALLS_TIMEZONE = ZoneInfo("Asia/Shanghai")
PhotoErrorCode = Literal[
    "too_large_bytes", "not_an_image", "unsupported_format", "too_many_pixels", "truncated", "empty"
]

# What Pillow and pillow-heif raise on hostile or damaged input; all of it means "not a usable photo".
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    struct.error,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    RuntimeError,
    zlib.error,
)
_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
# Image formats that are recognisable but not accepted, so the user is told to convert them.
_OTHER_SIGNATURES = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
    (b"\xff\x4f\xff\x51", "JPEG 2000"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JPEG XL"),
    (b"\xff\x0a", "JPEG XL"),
    (b"qoif", "QOI"),
)
# ImageOps.exif_transpose's table: the operation that turns a stored image upright.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ORIENTATION, _EXIF_IFD, _DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x0112, 0x8769, 0x9003, 0x9011
_UTC_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class ProcessedPhoto:
    """The stored JPEG, its thumbnail, and what was learned from the upload."""

    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str
    #: Of the bytes as uploaded, so a retried upload can be recognised.
    source_sha256: str
    #: 64-bit difference hash as 16 hex digits; compare with hamming_distance.
    perceptual_hash: str
    #: When the camera says it took the photo, in UTC, if the EXIF said so (not yet checked).
    captured_at: datetime | None
    source_format: str


class PhotoError(ValueError):
    """An upload that cannot be stored as a photo; str() is a sentence for the user."""

    def __init__(self, code: PhotoErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def process_photo(
    data: bytes,
    limits: PhotoLimits = DEFAULT_LIMITS,
    local_tz: tzinfo = HALLS_TIMEZONE,
) -> ProcessedPhoto:
    """Check an upload and return it upright, shrunk, stripped of metadata and re-encoded."""
    if not data:
        raise PhotoError("empty", _("The file is empty. Please choose a photo."))
    if len(data) > limits.max_bytes:
        raise PhotoError(
            "too_large_bytes",
            _(
                "The photo is larger than %(limit)s MB. Please choose a smaller one.",
                limit=f"{limits.max_bytes / 1024 / 1024:.3g}",
            ),
        )
    claimed = _claimed_format(data)
    if claimed is not None and claimed not in ACCEPTED_FORMATS:
        raise PhotoError(
            "unsupported_format",
            _(
                "%(format)s images are not accepted. Please upload a JPEG, PNG, WebP or HEIC photo.",
                format=claimed,
            ),
        )
    # catch_warnings is not thread-safe before Python 3.14; a filter leaked to another thread
    # would only silence metadata warnings or turn bomb warnings into errors.
    with warnings.catch_warnings():
        # Pillow warns about damaged metadata; that metadata is discarded anyway.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image, source_format, original_size, exif, box = _decode(data, claimed, limits)
        orientation, captured_at = _read_exif(exif, local_tz)
    icc_profile = image.info.get("icc_profile")
    image = _resizable(image)
    size = _fit(original_size, limits.long_side)
    if size != image.size:
        # reducing_gap=1.0 box-averages other formats by a whole factor first, as libjpeg's draft
        # does for JPEGs: a third less time on a 12 MP HEIC, a mean difference under 1/255.
        image = image.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=1.0)
    if orientation in _UPRIGHT:
        image = image.transpose(_UPRIGHT[orientation])
    image = _to_srgb(_flatten(image), icc_profile)
    # Comments, XMP, ICC and EXIF ride along in info through every copy; the output keeps none.
    image.info = {}
    jpeg = _encode(image, limits.jpeg_quality)

    thumb_size = _fit(image.size, limits.thumb_long_side)
    thumb = image.resize(thumb_size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    return ProcessedPhoto(
        jpeg=jpeg,
        thumbnail=_encode(thumb, limits.jpeg_quality),
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(jpeg).hexdigest(),
        source_sha256=hashlib.sha256(data).hexdigest(),
        perceptual_hash=_dhash(thumb),
        captured_at=captured_at,
        source_format=source_format,
    )


def hamming_distance(a: str, b: str) -> int:
    """Return how many of the 64 bits differ between two perceptual hashes."""
    if len(a) != 16 or len(b) != 16:
        raise ValueError("perceptual hashes are 16 hex digits")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _claimed_format(data: bytes) -> str | None:
    """Return the format the leading bytes announce, if they announce one."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        box_end = min(int.from_bytes(data[:4], "big"), len(data), 256)
        brands = {data[8:12]} | {data[i : i + 4] for i in range(16, box_end - 3, 4)}
        if brands & _HEIC_BRANDS:
            return "HEIF"
        if brands & {b"avif", b"avis"}:
            return "AVIF"
        return None
    if data.startswith(b"BM") and data[6:10] == b"\x00\x00\x00\x00":
        return "BMP"
    return next((name for magic, name in _OTHER_SIGNATURES if data.startswith(magic)), None)


class _Decoded(NamedTuple):
    image: Image.Image
    source_format: str
    original_size: tuple[int, int]
    exif: Image.Exif
    #: For a JPEG decoded at reduced scale: the original's area, in the decoded pixels' coordinates.
    box: tuple[float, float, float, float] | None


def _decode(data: bytes, claimed: str | None, limits: PhotoLimits) -> _Decoded:
    """Open, refuse oversized images from their header, then decode at the smallest useful scale."""
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except _BOMB as error:
        raise _too_many_pixels(limits) from error
    except Image.UnidentifiedImageError as error:
        if claimed in ACCEPTED_FORMATS:
            raise _damaged() from error
        raise PhotoError(
            "not_an_image",
            _("This file is not a photo. Please upload a JPEG, PNG, WebP or HEIC photo."),
        ) from error
    except _DECODE_ERRORS as error:
        raise _damaged() from error
    original_size = image.size
    if original_size[0] * original_size[1] > limits.max_pixels:
        image.close()
        raise _too_many_pixels(limits)
    # MPO is how Pillow names a JPEG carrying extra frames (depth maps, previews).
    source_format = "JPEG" if image.format == "MPO" else str(image.format)
    try:
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale for a fraction of the work; draft never goes
        # below the requested size, so the final LANCZOS resize still has pixels to spare.
        target = _fit(original_size, limits.long_side)
        drafted = image.draft("RGB", target) if source_format == "JPEG" else None
        image.load()
        exif = image.getexif()
    except _BOMB as error:
        raise _too_many_pixels(limits) from error
    except _DECODE_ERRORS as error:
        raise _damaged() from error
    box = drafted[1] if drafted is not None and image.size != original_size else None
    return _Decoded(image, source_format, original_size, exif, box)


def _damaged() -> PhotoError:
    return PhotoError(
        "truncated", _("The photo is incomplete or damaged. Please take or upload it again.")
    )


def _too_many_pixels(limits: PhotoLimits) -> PhotoError:
    return PhotoError(
        "too_many_pixels",
        _(
            "The photo has more than %(limit)s megapixels. Please choose a smaller one.",
            limit=f"{limits.max_pixels / 1_000_000:.3g}",
        ),
    )


def _read_exif(exif: Image.Exif, local_tz: tzinfo) -> tuple[int, datetime | None]:
    """Return the EXIF orientation and capture time; damaged EXIF counts as absent."""
    try:
        orientation = exif.get(_ORIENTATION, 1)
        details = exif.get_ifd(_EXIF_IFD)
        taken, offset = details.get(_DATETIME_ORIGINAL), details.get(_OFFSET_TIME_ORIGINAL)
    except _DECODE_ERRORS:
        return 1, None
    return (orientation if isinstance(orientation, int) else 1), exif_capture_time(
        taken, offset, local_tz
    )


def exif_capture_time(taken: object, offset: object, local_tz: tzinfo) -> datetime | None:
    """Read EXIF "YYYY:MM:DD HH:MM:SS" (+ "+HH:MM") as UTC; a naive time is in local_tz.

    None for anything unreadable. The time is what the camera claims: whether it is plausible
    for a visit is decided by inspect_app.photos.capture_time.
    """
    try:
        naive = datetime.strptime(_exif_text(taken)[:19], "%Y:%m:%d %H:%M:%S")
        return naive.replace(tzinfo=_utc_offset(_exif_text(offset)) or local_tz).astimezone(UTC)
    except (ValueError, OverflowError):
        # Cameras without a clock write blanks or zeros; year-1 times overflow when shifted.
        return None


def _exif_text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ") if isinstance(value, str) else ""


def _utc_offset(text: str) -> timezone | None:
    match = _UTC_OFFSET.fullmatch(text)
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14) or int(minutes) >= 60:
        return None
    return timezone(-delta if sign == "-" else delta)


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """Return size scaled down so its longest side is long_side; never scaled up."""
    width, height = size
    if max(width, height) <= long_side:
        return size
    if width >= height:
        return long_side, max(1, round(height * long_side / width))
    return max(1, round(width * long_side / height)), long_side


def _resizable(image: Image.Image) -> Image.Image:
    """Convert modes that Pillow cannot resize smoothly (palette, bilevel, 16-bit)."""
    if image.mode in ("RGB", "RGBA", "L", "LA", "CMYK"):
        return image
    if image.mode in ("P", "PA"):
        has_alpha = image.mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    if image.mode == "1":
        return image.convert("L")
    if image.mode.startswith("I"):
        # 16-bit greys run to 65535; a plain conversion to L would clip everything above 255.
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image.convert("RGB")


def _flatten(image: Image.Image) -> Image.Image:
    """Composite transparent pixels on white, as the page around the photo is white."""
    if image.mode not in ("RGBA", "LA"):
        return image
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert to RGB in sRGB, through the embedded colour profile when there is one."""
    transform = _srgb_transform(icc_profile, image.mode) if icc_profile else None
    if transform is not None:
        try:
            return ImageCms.applyTransform(image, transform)
        except ImageCms.PyCMSError:
            pass  # a profile that does not fit the pixels; plain conversion is the best left
    return image if image.mode == "RGB" else image.convert("RGB")


@lru_cache(maxsize=16)
def _srgb_transform(icc_profile: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """Build (once per profile) the transform to sRGB, or None for sRGB and unusable profiles."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if ImageCms.getProfileDescription(profile).strip().startswith("sRGB"):
            return None  # already sRGB: the transform would cost time and change nothing
        return ImageCms.buildTransform(profile, _SRGB, mode, "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


def _encode(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def _dhash(image: Image.Image) -> str:
    """Return a 64-bit difference hash: is each of 8x8 cells brighter than its left neighbour."""
    # Ten lines of arithmetic; the imagehash package would pull in numpy, scipy and PyWavelets.
    grey = image.convert("L").resize((9, 8), Image.Resampling.BOX).tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = bits << 1 | (grey[row * 9 + col + 1] > grey[row * 9 + col])
    return f"{bits:016x}"
