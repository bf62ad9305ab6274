"""What an uploaded photo may be and the sizes it is stored at; the configured values."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class PhotoLimits:
    """What an upload may be, and the sizes it is stored at."""

    max_bytes: int = 15 * 1024 * 1024
    #: width * height of the original, checked from the header before any pixel is decoded.
    #: Pillow's own Image.MAX_IMAGE_PIXELS (about 89 million) still applies above this.
    max_pixels: int = 50_000_000
    #: Longest side of the stored image; smaller images are not upscaled.
    long_side: int = 1600
    thumb_long_side: int = 320
    jpeg_quality: int = 82

    def __post_init__(self) -> None:
        if min(self.max_bytes, self.max_pixels, self.long_side, self.thumb_long_side) < 1:
            raise ValueError("photo limits must be positive")
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError("jpeg_quality must be between 1 and 100")


def photo_limits() -> PhotoLimits:
    """The configured byte and pixel caps for uploaded photos (MAX_UPLOAD_BYTES, MAX_PHOTO_PIXELS)."""
    return PhotoLimits(
        max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
        max_pixels=current_app.config["MAX_PHOTO_PIXELS"],
    )
