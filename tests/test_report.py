"""The Snakemake report of a real build: `snakemake --report results/report.html` holds every figure, and headless
Chromium (Debian's `chromium`, driven over the DevTools protocol on a pipe) renders each one, loaded and not blank.
Without Chromium the browser test skips, saying so; `.ci/run` installs it."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import matplotlib.image
import pytest

from infospace.figures import FIGURES

from conftest import run_snakemake

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(built_project: Path) -> Path:
    done = run_snakemake(built_project, "--report", "results/report.html")
    assert done.returncode == 0, done.stderr[-3000:]
    return built_project / "results" / "report.html"


def test_report_holds_every_figure_with_its_caption(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    for spec in FIGURES:
        assert f"results/figures/{spec.name}.png" in html, spec.name
    assert html.count("data:image/png") >= len(FIGURES)
    assert "Data Docs" in html and "validation/data_docs/index.html" in html  # the validation figure's link
    assert "Decode, parse and clean one shard" in html  # rule docstrings describe the steps


class Browser:
    """Chromium with --remote-debugging-pipe: DevTools commands as NUL-terminated JSON on fds 3 (in) and 4 (out)."""

    def __init__(self, profile: Path) -> None:
        to_browser, self._commands = os.pipe()
        self._responses, from_browser = os.pipe()

        def child_fds() -> None:
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={profile}", "--window-size=1400,1000", "about:blank"],
            pass_fds=(3, 4), preexec_fn=child_fds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._id = 0
        self.session = ""

    def send(self, method: str, params: dict[str, Any] | None = None, session: bool = True) -> dict[str, Any]:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._responses, 1 << 16)
                assert chunk, "Chromium closed the DevTools pipe"
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                assert "error" not in reply, reply["error"]
                return reply["result"]

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": url}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]

    def evaluate(self, expression: str) -> Any:
        return self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                              "awaitPromise": True})["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for: {expression}")

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"]))

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        os.close(self._commands)
        os.close(self._responses)


def click_link(text: str) -> str:
    """JS: click the first link whose text is `text`; true when found."""
    return (f"(() => {{ const a = [...document.querySelectorAll('a')].find(e => e.innerText.trim() === "
            f"{json.dumps(text)}); if (a) a.click(); return !!a; }})()")


def click_eye(file_name: str) -> str:
    """JS: click the 'show' (eye) button of the results-table row of `file_name`."""
    return (f"(() => {{ const row = [...document.querySelectorAll('tr')].find(r => r.cells[0] && "
            f"r.cells[0].innerText.trim() === {json.dumps(file_name)}); const eye = row && "
            f"row.querySelector('a[iconname=eye]'); if (eye) eye.click(); return !!eye; }})()")


def shown_image(png: bytes) -> str:
    """JS: the shown <img> holding exactly the bytes `png`, decoded (naturalWidth > 0), drawn on the page, and the
    share of its pixels that are not white; null until it is there."""
    payload = base64.b64encode(png).decode()
    return """(() => {
  const img = [...document.querySelectorAll('img')].find(i => i.src.endsWith('base64,' + %s) && i.complete
      && i.naturalWidth > 0 && i.getBoundingClientRect().width > 100);
  if (!img) return null;
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 235 || pixels[i + 1] < 235 || pixels[i + 2] < 235) ink++;
  return {width: img.naturalWidth, height: img.naturalHeight, ink: ink / (pixels.length / 4)};
})()""" % json.dumps(payload)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package `chromium`; .ci/run "
                                             "installs it with apt-get)")
def test_report_renders_every_figure_in_chromium(report: Path, tmp_path: Path) -> None:
    browser = Browser(tmp_path / "profile")
    shots = report.parent / "report-screenshots"
    shots.mkdir(exist_ok=True)
    try:
        browser.open(report.as_uri())
        browser.wait_for(click_link(FIGURES[0].category) + " && document.readyState === 'complete'")
        for spec in FIGURES:
            browser.wait_for(click_link("Results") + " || true")
            assert browser.wait_for(click_link(spec.category)), spec.category
            assert browser.wait_for(click_eye(f"results/figures/{spec.name}.png")), spec.name
            png = (report.parent / "figures" / f"{spec.name}.png").read_bytes()
            shown = browser.wait_for(shown_image(png))
            browser.screenshot(shots / f"{spec.name}.png")
            assert shown["width"] > 300 and shown["height"] > 150, (spec.name, shown)
            assert shown["ink"] > 0.02, (spec.name, shown)  # bars, axes and labels, not a blank canvas
    finally:
        browser.close()
    page = matplotlib.image.imread(shots / f"{FIGURES[0].name}.png")
    assert page.std() > 0.05  # the screenshot itself is not blank
    print(f"report screenshots: {shots}")
