"""Photo ingest cost: process_photo on a 12-megapixel phone JPEG, against Pillow alone.

Run: .venv/bin/python bench/bench_photo_ingest.py
Generates a 4000x3000 photo-like JPEG at quality 92 with EXIF orientation and GPS, then times in
one run, alternating round by round: (a) Pillow alone (draft, resize, save: the floor for any
pipeline), (b) process_photo, (c) a naive full-size decode, resize and save. Prints medians, p90,
the ratios b/a and c/a, and peak memory of process_photo.
"""

from __future__ import annotations

import io
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps
from PIL.TiffImagePlugin import IFDRational

from inspect_app.photos.pipeline import process_photo

ROUNDS = 15
SIZE = (4000, 3000)
TARGET = (1600, 1200)


def phone_jpeg() -> bytes:
    """Return a 12 MP photo-like JPEG (gradient, shapes, sensor grain) as a phone would save it."""
    rnd = random.Random(12)
    gradient = Image.linear_gradient("L").rotate(30, expand=True).crop((64, 64, 298, 298))
    image = ImageOps.colorize(gradient.resize(SIZE), (40, 90, 170), (220, 200, 60))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y, w, h = (rnd.randrange(4000), rnd.randrange(3000), rnd.randrange(1000), 700)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        draw.ellipse((x, y, x + w, y + h), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(3))
    grain = Image.frombytes("L", SIZE, rnd.randbytes(SIZE[0] * SIZE[1])).point(
        lambda v: 128 + (v - 128) // 16
    )
    image = ImageChops.add(image, Image.merge("RGB", [grain] * 3), offset=-128)
    exif = Image.Exif()
    exif[0x0112] = 6  # held upright: the sensor's landscape pixels are to be turned clockwise
    exif.get_ifd(0x8769)[0x9003] = "2026:03:14 10:15:30"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (IFDRational(31), IFDRational(14), IFDRational(314159, 10000))})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def pillow_alone(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", TARGET)
    image = image.resize(TARGET, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()


def naive_full_decode(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    image.load()
    image = image.resize(TARGET, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()


def elapsed(fn: Callable[[bytes], object], data: bytes) -> float:
    start = time.perf_counter()
    fn(data)
    return time.perf_counter() - start


def p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10, method="inclusive")[-1]


def report(name: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    print(
        f"{name:<40} median {median * 1000:6.1f} ms   p90 {p90(samples) * 1000:6.1f}"
        f"   min {min(samples) * 1000:6.1f}   max {max(samples) * 1000:6.1f}"
    )
    return median


def peak_rss_growth(path: str, which: str) -> int:
    """Run one ingest in a fresh interpreter; return its peak RSS growth in KiB."""
    child = subprocess.run(
        [sys.executable, __file__, "--peak-rss", which, path],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def peak_rss_kib() -> int:
    """Return this process's peak resident memory in KiB."""
    try:
        # ru_maxrss survives exec on Linux, so a child would report its parent's peak; VmHWM
        # belongs to the current address space only.
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_peak_rss(which: str, path: str) -> None:
    with open(path, "rb") as f:
        data = f.read()
    fn = process_photo if which == "process_photo" else pillow_alone
    before = peak_rss_kib()
    fn(data)
    print(peak_rss_kib() - before)


def main() -> None:
    data = phone_jpeg()
    print(
        f"{SIZE[0]}x{SIZE[1]} JPEG q92 with EXIF orientation 6 and GPS, {len(data) / 1e6:.1f} MB;"
        f" {ROUNDS} rounds, alternating; {os.cpu_count()} cores, Pillow {Image.__version__}"
    )
    candidates = {
        "(a) Pillow alone: draft+resize+save": pillow_alone,
        "(b) process_photo": process_photo,
        "(c) naive full decode+resize+save": naive_full_decode,
    }
    for fn in candidates.values():
        fn(data)  # warm up: plugin imports, first-call allocations
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(ROUNDS):
        for name, fn in candidates.items():
            samples[name].append(elapsed(fn, data))
    baseline, processed, naive = (report(name, samples[name]) for name in candidates)
    print(f"ratio b/a (process_photo / Pillow alone)  {processed / baseline:.2f}  (target <= 1.3)")
    print(f"ratio c/a (naive / Pillow alone)          {naive / baseline:.2f}")

    tracemalloc.start()
    process_photo(data)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"process_photo peak traced by tracemalloc  {traced_peak / 2**20:.1f} MiB (Python objects only)"
    )
    with tempfile.NamedTemporaryFile(suffix=".jpg") as f:
        f.write(data)
        f.flush()
        for which in ("pillow_alone", "process_photo"):
            growth = peak_rss_growth(f.name, which)
            print(f"{which:<14} peak RSS growth (fresh process) {growth / 1024:.1f} MiB")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--peak-rss":
        child_peak_rss(sys.argv[2], sys.argv[3])
    else:
        main()
