"""Whether the time a photo says it was taken is plausible for the visit it belongs to.

Pure: UTC instants in, a verdict out; no Flask app, no database (recheck_capture_time sorts a
photo row's times again in place, without a query). The rule (issue 13, item 5; the windows
are inclusive):

* an evidence photo can have been taken from a day before the inspector arrived until a day
  after they left;
* an appeal or corrective-action photo is taken by the hall after the visit: from a day before
  the visit's arrival (a photo from before the visit can neither dispute a finding nor prove it
  fixed) until it is uploaded;
* no photo is taken after it reached the server: its upload time plus CLOCK_SKEW (ten minutes,
  as inspections.visit_checks.CLOCK_GRACE allows for typed visit times), for a phone clock
  running fast;
* nothing before 2000-01-01 (as inspections.visit_checks.EARLIEST_TIME): a camera whose clock
  was never set.

The day on either side of the visit is CAPTURE_MARGIN: a camera set to another time zone
writes a local time hours off (EXIF times without an offset are read in the halls' zone), and
some cameras are a day off. While a draft has no
arrival or departure yet, that side of the window is open; the window narrows when the visit's
times are saved, and every save and the submission sort the visit's photos again.

A time outside the window is not kept as the capture time; it is kept aside so that the
reviewer sees that the photo carried it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from inspect_app.db import utcnow
from inspect_app.photos.models import Photo, PhotoPurpose

if TYPE_CHECKING:
    from inspect_app.inspections.models import Inspection

#: How far a phone's clock may run fast: a photo may claim up to this long after its upload.
CLOCK_SKEW = timedelta(minutes=10)
#: How far before the arrival and after the departure a camera's time is still believed.
CAPTURE_MARGIN = timedelta(days=1)
#: Capture times before this come from a camera whose clock was never set.
EARLIEST_CAPTURE = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CaptureWindow:
    """The instants (UTC, both ends included) at which a photo can have been taken."""

    earliest: datetime
    latest: datetime

    def admits(self, taken: datetime) -> bool:
        """Whether a timezone-aware instant lies in the window."""
        return self.earliest <= taken <= self.latest


def capture_window(
    *,
    received_at: datetime,
    visit_start: datetime | None = None,
    visit_end: datetime | None = None,
) -> CaptureWindow:
    """Return when a photo uploaded at ``received_at`` can have been taken (the module's rule).

    ``visit_start`` and ``visit_end`` are the visit's arrival and departure (timezone-aware
    UTC; None while unknown). Pass ``visit_end=None`` for appeal and corrective-action photos,
    which are taken after the visit: only the upload time closes their window.
    """
    earliest = EARLIEST_CAPTURE
    if visit_start is not None:
        earliest = max(earliest, visit_start - CAPTURE_MARGIN)
    latest = received_at + CLOCK_SKEW
    if visit_end is not None:
        latest = min(latest, visit_end + CAPTURE_MARGIN)
    return CaptureWindow(earliest=earliest, latest=latest)


def sort_capture_time(
    claimed: datetime | None, window: CaptureWindow
) -> tuple[datetime | None, datetime | None]:
    """Return (kept, implausible): the claimed time in the first place if the window admits it.

    A time outside the window comes back second, to be shown to the reviewer as implausible;
    no claim (no EXIF, unreadable or damaged EXIF, no time from the phone) gives (None, None).
    """
    if claimed is None:
        return None, None
    if window.admits(claimed):
        return claimed, None
    return None, claimed


def photo_capture_window(
    inspection: Inspection, purpose: PhotoPurpose, received_at: datetime
) -> CaptureWindow:
    """When a photo of this purpose for this visit, uploaded at ``received_at``, can be taken.

    Evidence is taken during the visit; appeal and corrective-action photos after it, so only
    their upload closes the window (capture_window gives the rule).
    """
    return capture_window(
        received_at=received_at,
        visit_start=inspection.visit_started_at,
        visit_end=inspection.visit_ended_at if purpose == PhotoPurpose.EVIDENCE else None,
    )


def recheck_capture_time(photo: Photo) -> None:
    """Sort a photo's claimed capture time again against its visit's times as they now stand.

    Called whenever a visit's arrival or departure is saved; changes the row only if the
    verdict changed (the claim moves between captured_at and implausible_captured_at).
    """
    kept, implausible = sort_capture_time(
        photo.captured_at or photo.implausible_captured_at,
        # created_at is unset only on a photo not yet flushed: it is being received now.
        photo_capture_window(photo.inspection, photo.purpose, photo.created_at or utcnow()),
    )
    if (kept, implausible) != (photo.captured_at, photo.implausible_captured_at):
        photo.captured_at, photo.implausible_captured_at = kept, implausible
