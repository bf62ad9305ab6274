"""A manager's phone scales a 30 MB camera photo down before the appeal is sent."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import create_engine, text

from inspect_app.config import Config
from inspect_app.demo import DEMO_PASSWORDS

pytestmark = pytest.mark.browser

#: Records each text of the progress line in sessionStorage, which outlives the form's navigation.
RECORD_PROGRESS = """
new MutationObserver(function () {
  var line = document.querySelector(".scale-status");
  if (!line || !line.textContent) return;
  var seen = JSON.parse(sessionStorage.getItem("scale-progress") || "[]");
  if (seen[seen.length - 1] !== line.textContent) seen.push(line.textContent);
  sessionStorage.setItem("scale-progress", JSON.stringify(seen));
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def camera_photo(path: Path) -> int:
    """Write a 6000x4500 random-noise JPEG of about 30 MB (27 MP, under the 50 MP limit)."""
    width, height = 6000, 4500
    noise = random.Random(6000).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), noise).save(out, "JPEG", quality=95)
    path.write_bytes(out.getvalue())
    return out.tell()


REASON = "员工当时在为客户复印证件，工牌夹在胸袋内，见照片"


def open_appeal_form(base: str, page, appealable_uuid: str, photo: Path):
    """Sign in as the demo manager, open a failed item's appeal form and fill it in."""
    page.goto(f"{base}/login")
    page.fill("#username", "manager")
    page.fill("#password", DEMO_PASSWORDS["manager"][1])
    page.locator("button.primary").tap()
    page.wait_for_url(f"{base}/my-stores")
    page.goto(f"{base}/results/{appealable_uuid}")
    failed = page.locator("li.failed").filter(has=page.locator("details.appeal-form")).first
    failed.scroll_into_view_if_needed()
    failed.locator("details.appeal-form summary").tap()
    form = failed.locator("form[data-scale-photos]")
    form.locator("textarea[name=reason]").fill(REASON)
    form.locator("input[type=file][name=photos]").set_input_files(str(photo))
    return form


def test_a_30_mb_appeal_photo_is_scaled_on_the_phone(live_server, phone, tmp_path: Path):
    base, page = live_server["url"], phone
    photo = tmp_path / "IMG_0001.jpg"
    assert camera_photo(photo) > 2 * Config.MAX_UPLOAD_BYTES  # twice what one photo may be
    page.add_init_script(RECORD_PROGRESS)
    form = open_appeal_form(base, page, live_server["appealable_uuid"], photo)
    label = form.get_attribute("data-scale-photos")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/appeals")) as sent:
        form.locator("button.primary").tap()
    page.wait_for_selector(".flash-info")
    assert "申诉已提交" in page.text_content(".flash-info")
    assert page.js_errors == []

    body = sent.value.sizes()["requestBodySize"]
    assert body < 5 * 1024 * 1024, body  # the phone sent a scaled JPEG, not the 30 MB original
    progress = json.loads(page.evaluate("sessionStorage.getItem('scale-progress')") or "[]")
    assert f"{label} 0/1" in progress and f"{label} 1/1" in progress

    engine = create_engine(live_server["db"])
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT width, height, byte_size FROM photos WHERE purpose = 'appeal'")
        ).all()
        reason = conn.execute(text("SELECT reason FROM appeals")).scalar_one()
    engine.dispose()
    assert reason == REASON
    assert len(stored) == 1
    width, height, byte_size = stored[0]
    assert max(width, height) <= 1600 and min(width, height) > 1000 and byte_size > 0


def test_unscaled_the_30_mb_photo_is_refused_alone_and_the_reason_kept(
    live_server, phone, tmp_path: Path
):
    """As on a browser without the script: the photo is refused by name, never a bare 413."""
    base, page = live_server["url"], phone
    photo = tmp_path / "IMG_0002.jpg"
    camera_photo(photo)
    form = open_appeal_form(base, page, live_server["appealable_uuid"], photo)
    form.evaluate("f => { f.dataset.scaled = '1'; }")  # the script lets it go as chosen
    with page.expect_response(lambda r: r.request.method == "POST") as answered:
        form.locator("button.primary").tap()
    assert answered.value.status == 422
    page.wait_for_selector(".field-error")
    assert "IMG_0002.jpg" in page.text_content(".field-error")
    assert "15 MB" in page.text_content(".field-error")
    assert page.input_value("details[open] textarea[name=reason]") == REASON
