"""A live server behind a cuttable proxy, and Debian's Chromium driven by Playwright at phone size."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from inspect_app.config import PROJECT_ROOT
from tests.browser.proxy import CuttableProxy

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


@contextlib.contextmanager
def demo_server(tmp_path: Path) -> Iterator[dict]:
    """The app in its own process with the demo data, reached through a proxy."""
    _require_chromium()
    db_path = tmp_path / "live.db"
    server_port, proxy_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.live_server", f"sqlite:///{db_path}", str(server_port), str(tmp_path / "photos")],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        appealable = process.stdout.readline().strip()
        assert process.stdout.readline().strip() == "ready", appealable
        proxy = CuttableProxy(proxy_port, server_port)
        proxy.restore()
        yield {
            "url": f"http://127.0.0.1:{proxy_port}",
            "db": f"sqlite:///{db_path}",
            "proxy": proxy,
            "appealable_uuid": appealable,
        }
        proxy.cut()
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[dict]:
    """The app in its own process with the demo data, reached through a proxy."""
    with demo_server(tmp_path) as server:
        yield server


@pytest.fixture(scope="module")
def module_live_server(tmp_path_factory) -> Iterator[dict]:
    """One demo server for a module whose tests only read pages."""
    with demo_server(tmp_path_factory.mktemp("live")) as server:
        yield server


@contextlib.contextmanager
def chromium() -> Iterator:
    """Debian's headless Chromium."""
    _require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def module_browser() -> Iterator:
    """One Chromium for a module; each test opens its own context."""
    with chromium() as browser:
        yield browser


@pytest.fixture
def phone(request, tmp_path: Path) -> Iterator:
    """A 390x844 touch phone page in headless Chromium; a screenshot is kept on failure."""
    with chromium() as browser:
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.js_errors = errors  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            failed = getattr(request.node, "rep_call", None)
            if failed is not None and failed.failed:
                ARTIFACTS.mkdir(exist_ok=True)
                # The page may be gone; the failure itself is what matters.
                with contextlib.suppress(Exception):
                    page.screenshot(
                        path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True
                    )
            context.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def wait_until(check, timeout: float = 60, interval: float = 0.5):
    """Poll check() until it returns something truthy, or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
