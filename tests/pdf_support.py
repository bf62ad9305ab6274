"""Reading a PDF's text back in tests: poppler's pdftotext, with its layout kept."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def pdf_text(data: bytes, tmp_path) -> str:
    """Return the text of PDF `data` (pdftotext -layout); skip when poppler-utils is missing."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
