"""The built site in a real browser: Debian's headless Chromium, driven over the DevTools protocol.

Home -> programme page -> download of the programme's pack, with every network
request recorded: none may fail and none may leave the local server (the site
must work in a training room without internet). Screenshots of the home,
programme, module and case pages go to build/screenshots/ for a person to look at.

Chromium is a system package (.ci/system-packages installs it); without it this
test fails and says so, it does not skip.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

from .conftest import REPO
from .test_book import BuiltSite, built_site

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
                  "--window-size=1280,900", "--remote-debugging-port=0")
SCREENSHOTS = REPO / "build" / "screenshots"
TIMEOUT = 30.0


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is not installed, so the site cannot be checked in a browser: install Debian's "
                    "'chromium' package (.ci/system-packages does this as root: apt-get install chromium)")
    return found


class Page:
    """One browser tab over a DevTools websocket: commands, and the events that arrive meanwhile."""

    def __init__(self, url: str):
        self.socket = websocket.create_connection(url, timeout=TIMEOUT, suppress_origin=True)
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
        height = int(self.evaluate("document.documentElement.scrollHeight"))
        self.send("Emulation.setDeviceMetricsOverride", width=1280, height=min(max(height, 900), 8000),
                  deviceScaleFactor=1, mobile=False)
        self.pump(0.3)
        data = self.send("Page.captureScreenshot", format="png")["data"]
        self.send("Emulation.clearDeviceMetricsOverride")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> BuiltSite:
    return built_site()


@pytest.fixture(scope="module")
def server(site: BuiltSite) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site.html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@contextlib.contextmanager
def browser_tab(profile: Path, domains: tuple[str, ...]) -> Iterator[Page]:
    """A fresh headless Chromium (profile in ``profile``) and its first tab with ``domains`` enabled."""
    log = profile.parent / "chromium.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        port = _devtools_port(profile, process, log)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=TIMEOUT) as response:
            targets = json.loads(response.read())
        tab = Page(next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page"))
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


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    with browser_tab(tmp_path_factory.mktemp("chromium-profile"), ("Page", "Network", "Runtime")) as tab:
        yield tab


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


def failed_requests(events: list[dict[str, Any]], origin: str) -> list[str]:
    """Every request that failed, returned an HTTP error, or went anywhere but the local server."""
    urls = {e["params"]["requestId"]: e["params"]["request"]["url"]
            for e in events if e["method"] == "Network.requestWillBeSent"}
    problems = [f"{url} (not the local site)" for url in sorted(set(urls.values()))
                if not url.startswith((origin, "data:", "blob:", "about:"))]
    for event in events:
        params = event["params"]
        if event["method"] == "Network.loadingFailed":
            problems.append(f"{urls.get(params['requestId'], '?')}: {params['errorText']}")
        elif event["method"] == "Network.responseReceived" and params["response"]["status"] >= 400:
            problems.append(f"{params['response']['url']}: HTTP {params['response']['status']}")
    return problems


def test_home_to_programme_to_pack_download(site: BuiltSite, server: str, page: Page, tmp_path: Path) -> None:
    programme = site.programmes[0]
    downloads = tmp_path / "downloads"
    page.send("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads), eventsEnabled=True)

    page.open(f"{server}/index.html", "/book/index.html")  # the top index.html forwards to the home page
    assert "三融" in page.evaluate("document.body.innerText")
    page.screenshot("home")

    page.click_link("培训项目", "/book/generated/programmes.html")
    page.click_link(programme.title, f"/book/generated/programmes/{programme.id}.html")
    heading = page.evaluate("document.querySelector('h1').textContent")
    assert programme.title in heading
    assert page.draws_chinese("h1"), "Chinese text is drawn as empty boxes (tofu): install fonts-noto-cjk"
    page.screenshot("programme")

    zip_name = Path(programme.zip).name
    page.click_link(zip_name, f"/book/generated/programmes/{programme.id}.html")
    page.wait_for("true", "the download")
    end = time.monotonic() + TIMEOUT
    while time.monotonic() < end and not any(
            e["method"] == "Browser.downloadProgress" and e["params"]["state"] in ("completed", "canceled")
            for e in page.events):
        page.pump(0.2)
    states = [e["params"]["state"] for e in page.events if e["method"] == "Browser.downloadProgress"]
    assert "completed" in states, f"the pack download did not complete (states: {states})"
    saved = downloads / zip_name
    assert saved.is_file(), f"{zip_name} was not saved (found {sorted(p.name for p in downloads.iterdir())})"
    assert saved.read_bytes() == (REPO / programme.zip).read_bytes()

    module_id = site.modules[0]
    page.open(f"{server}/book/generated/modules/{module_id}.html", f"/book/generated/modules/{module_id}.html")
    page.screenshot("module")
    case_id = site.cases[0]
    page.open(f"{server}/cases/{case_id}.html", f"/cases/{case_id}.html")
    page.screenshot("case")

    assert failed_requests(page.events, server) == []


def test_trainer_note_is_folded_until_clicked(site: BuiltSite, server: str, page: Page) -> None:
    module_id = site.module_with_trainer_note
    page.open(f"{server}/book/generated/modules/{module_id}.html", f"/book/generated/modules/{module_id}.html")
    page.wait_for("!!document.querySelector('.trainer-note .toggle-button')", "the toggle button on the trainer note")
    hidden = "document.querySelector('.trainer-note').classList.contains('toggle-hidden')"
    assert page.evaluate(hidden), "the trainer note is not folded when the page opens"
    page.evaluate("document.querySelector('.trainer-note .toggle-button').click()")
    page.pump(0.3)
    assert not page.evaluate(hidden), "clicking the trainer note's button does not open it"
    assert failed_requests(page.events, server) == []


def test_search_finds_chinese_words(site: BuiltSite, server: str, page: Page) -> None:
    page.open(f"{server}/search.html?q=新能源", "/search.html")
    count = page.wait_for("document.querySelectorAll('#search-results li').length", "search results for 新能源")
    assert count > 0
    assert "新能源汽车" in page.evaluate("document.querySelector('#search-results').innerText")
    assert failed_requests(page.events, server) == []
