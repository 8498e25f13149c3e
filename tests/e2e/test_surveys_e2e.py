"""End to end: a survey built, published, answered on a phone with JavaScript off, and its results,
in a real headless Chromium against `make run`'s stack; axe-core on every page (/q/{code} included)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.dynamodb_local import ROOT
from tests.e2e.test_console_e2e import CHROMIUM, HERE, MAX_SCREENSHOT_BYTES, _drain, _missing, _ok
from tests.integration.stack import RunningStack, start_stack

PASSWORD = "e2e-admin-password-1"
SURVEY_SCREENSHOTS = ("survey-builder", "survey-phone", "survey-results")

pytestmark = pytest.mark.skipif(_missing() is not None, reason=str(_missing()))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    folder = tmp_path_factory.mktemp("e2e-surveys")
    running = start_stack(folder / "data", PASSWORD)
    reader = _drain(running)  # the app's log must never fill the pipe while the browser runs
    try:
        token = _ok(running.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD}), 200)
        hall = {"code": "A01", "name": "城东营业厅", "branch": "城东分中心", "grade": "A"}
        _ok(running.call("POST", "/api/v1/admin/halls", hall, token["token"]))
        yield running
    finally:  # one Ctrl-C, as `make run` expects
        running.process.send_signal(signal.SIGINT)
        assert running.process.wait(timeout=60) == 0, "\n".join(running.output[-30:])
        reader.join(timeout=10)


def test_a_survey_goes_from_the_builder_to_results_answered_on_a_phone_without_javascript(
    stack: RunningStack, tmp_path: Path
):
    shots = Path(os.environ.get("E2E_SCREENSHOTS_DIR") or tmp_path).resolve()
    env = {
        **os.environ,
        "E2E_BASE_URL": stack.url(""),
        "E2E_USER": "admin",
        "E2E_PASSWORD": PASSWORD,
        "E2E_HALL": "A01",
        "E2E_SCREENSHOTS_DIR": str(shots),
        "E2E_CHROMIUM": CHROMIUM,
    }
    run = subprocess.run(
        ["node", str(HERE / "surveys.mjs")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert run.stdout.strip(), run.stderr
    seen: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["ok"], seen.get("error")
    axe = seen["axe"]
    faults = [f"{v['url']} ({v['label']}): {v['id']} [{v['impact']}] {v['help']}" for v in axe["violations"]]
    assert not faults, "axe-core found serious or critical violations:\n" + "\n".join(faults)
    checked = {page["url"].split("?")[0] for page in axe["checked"]}
    assert {f"/q/{seen['code']}", f"/q/{seen['code']}/thanks", f"/console/surveys/{seen['survey']}/results"} <= checked

    assert seen["questions"] == 6 and "已发布第 1 版" in seen["publish_flash"]
    assert seen["matrix_headers"] == 5 and seen["phone_scroll_width"] <= 390 and seen["scripts_ran"] == 0
    assert seen["reason_shown"] == 8  # asked only because the overall answer was 不满意
    assert seen["thanks_url"] == f"/q/{seen['code']}/thanks" and "谢谢" in seen["thanks"]
    assert seen["again_url"] == seen["thanks_url"]  # Back and submit again: thanked, counted once
    # Two customers: the phone without JavaScript (its second submit counted once) and the one axe-core checked.
    assert seen["responses"] == "2" and seen["results_svgs"] >= 5
    token = _ok(stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD}), 200)["token"]
    results = _ok(stack.call("GET", f"/api/v1/surveys/{seen['survey']}/results", token=token), 200)
    assert results["responses"] == 2 and results["questions"][3]["counts"]["long_wait"] == 2
    assert results["dimensions"]["有形性"] == 3.0
    for name in SURVEY_SCREENSHOTS:
        png = (shots / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) < MAX_SCREENSHOT_BYTES, (name, len(png))
