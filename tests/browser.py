"""Headless Chromium for tests: Debian's chromium, driven over the DevTools protocol.

    with browser_tab(profile, ("Page", "Runtime"), screenshots) as page:
        page.open(url, "/index.html")

Chromium is a system package (.ci/system-packages installs it); without it the
test that asks for a tab fails and says so, it does not skip. Screenshots go to
the folder given (the session's ``screenshots`` fixture: a temporary folder,
named at the end of the run), never into the checkout.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
                  "--window-size=1280,900", "--remote-debugging-port=0")
TIMEOUT = 30.0


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is not installed, so the site cannot be checked in a browser: install Debian's "
                    "'chromium' package (.ci/system-packages does this as root: apt-get install chromium)")
    return found


class Page:
    """One browser tab over a DevTools websocket: commands, and the events that arrive meanwhile."""

    def __init__(self, url: str, screenshots: Path):
        self.socket = websocket.create_connection(url, timeout=TIMEOUT, suppress_origin=True)
        self.screenshots = screenshots
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise AssertionError(f"{method} failed: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self.events.append(message)

    def pump(self, seconds: float) -> None:
        """Collect events for ``seconds``."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.socket.settimeout(max(0.05, end - time.monotonic()))
            try:
                message = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                break
            if "method" in message:
                self.events.append(message)
        self.socket.settimeout(TIMEOUT)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} raised in the page: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str) -> Any:
        end = time.monotonic() + TIMEOUT
        while time.monotonic() < end:
            value = self.evaluate(expression)
            if value:
                return value
            self.pump(0.1)
        raise AssertionError(f"timed out waiting for {what} (at {self.evaluate('location.href')})")

    def open(self, url: str, expect: str) -> None:
        """Go to ``url`` and wait until a page whose address ends with ``expect`` has loaded."""
        self.send("Page.navigate", url=url)
        self.wait_until_loaded(expect)

    def wait_until_loaded(self, expect: str) -> None:
        self.wait_for(f"location.pathname.endsWith({json.dumps(expect)}) && document.readyState === 'complete'",
                      f"the page {expect}")
        self.pump(0.3)  # late requests (search index, fonts)

    def click_link(self, text: str, expect: str) -> None:
        found = self.evaluate(f"""(() => {{
            const link = [...document.querySelectorAll('a')].find(a => a.textContent.includes({json.dumps(text)}));
            if (!link) return false;
            link.click();
            return true;
        }})()""")
        assert found, f"no link '{text}' on {self.evaluate('location.href')}"
        self.wait_until_loaded(expect)

    def screenshot(self, name: str) -> Path:
        """The whole page as ``<screenshots>/<name>.png``, for a person to look at."""
        height = int(self.evaluate("document.documentElement.scrollHeight"))
        self.send("Emulation.setDeviceMetricsOverride", width=1280, height=min(max(height, 900), 8000),
                  deviceScaleFactor=1, mobile=False)
        self.pump(0.3)
        data = self.send("Page.captureScreenshot", format="png")["data"]
        self.send("Emulation.clearDeviceMetricsOverride")
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = self.screenshots / f"{name}.png"
        path.write_bytes(base64.b64decode(data))
        return path

    def draws_chinese(self, selector: str) -> bool:
        """Whether the font of ``selector`` draws two different hanzi differently (tofu boxes look alike)."""
        return bool(self.evaluate(f"""(() => {{
            const style = getComputedStyle(document.querySelector({json.dumps(selector)}));
            const draw = (text) => {{
                const canvas = document.createElement('canvas');
                canvas.width = 64; canvas.height = 64;
                const context = canvas.getContext('2d');
                context.font = `${{style.fontWeight}} 48px ${{style.fontFamily}}`;
                context.fillText(text, 4, 52);
                return canvas.toDataURL();
            }};
            return draw('党') !== draw('建') && draw('党') !== draw('');
        }})()"""))

    def close(self) -> None:
        self.socket.close()


@contextlib.contextmanager
def browser_tab(profile: Path, domains: tuple[str, ...], screenshots: Path) -> Iterator[Page]:
    """A fresh headless Chromium (profile in ``profile``) and its first tab with ``domains`` enabled."""
    log = profile.parent / "chromium.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        port = _devtools_port(profile, process, log)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=TIMEOUT) as response:
            targets = json.loads(response.read())
        tab = Page(next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page"), screenshots)
        for domain in domains:
            tab.send(f"{domain}.enable")
        yield tab
        tab.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _devtools_port(profile: Path, process: subprocess.Popen[bytes], log: Path) -> int:
    """Chromium writes the port it chose to <profile>/DevToolsActivePort."""
    marker = profile / "DevToolsActivePort"
    end = time.monotonic() + TIMEOUT
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError(f"Chromium exited with code {process.returncode}: {log.read_text()[-3000:]}")
        if marker.is_file() and marker.read_text().strip():
            return int(marker.read_text().split()[0])
        time.sleep(0.05)
    raise AssertionError("Chromium did not open its DevTools port")
