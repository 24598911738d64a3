"""The built site in a real browser: Debian's headless Chromium, driven over the DevTools protocol.

Home -> programme page -> download of the programme's pack, with every network
request recorded: none may fail and none may leave the local server (the site
must work in a training room without internet). Screenshots of the home,
programme, module and case pages go to the session's screenshot folder (named
at the end of the run) for a person to look at.

Chromium is a system package (.ci/system-packages installs it); without it this
test fails and says so, it does not skip (tests/browser.py).
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .book_site import BuiltSite
from .browser import TIMEOUT, Page, browser_tab

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.kernel]  # the real site: see test_book.py


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server(built_site: BuiltSite) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_site.html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, screenshots: Path) -> Iterator[Page]:
    with browser_tab(tmp_path_factory.mktemp("chromium-profile"), ("Page", "Network", "Runtime"), screenshots) as tab:
        yield tab


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


def test_home_to_programme_to_pack_download(built_site: BuiltSite, server: str, page: Page, tmp_path: Path) -> None:
    programme = built_site.programmes[0]
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
    assert saved.read_bytes() == (built_site.root / programme.zip).read_bytes()

    module_id = built_site.modules[0]
    page.open(f"{server}/book/generated/modules/{module_id}.html", f"/book/generated/modules/{module_id}.html")
    page.screenshot("module")
    case_id = built_site.cases[0]
    page.open(f"{server}/cases/{case_id}.html", f"/cases/{case_id}.html")
    page.screenshot("case")

    assert failed_requests(page.events, server) == []


def test_trainer_note_is_folded_until_clicked(built_site: BuiltSite, server: str, page: Page) -> None:
    module_id = built_site.module_with_trainer_note
    page.open(f"{server}/book/generated/modules/{module_id}.html", f"/book/generated/modules/{module_id}.html")
    page.wait_for("!!document.querySelector('.trainer-note .toggle-button')", "the toggle button on the trainer note")
    hidden = "document.querySelector('.trainer-note').classList.contains('toggle-hidden')"
    assert page.evaluate(hidden), "the trainer note is not folded when the page opens"
    page.evaluate("document.querySelector('.trainer-note .toggle-button').click()")
    page.pump(0.3)
    assert not page.evaluate(hidden), "clicking the trainer note's button does not open it"
    assert failed_requests(page.events, server) == []


def test_search_finds_chinese_words(built_site: BuiltSite, server: str, page: Page) -> None:
    page.open(f"{server}/search.html?q=新能源", "/search.html")
    count = page.wait_for("document.querySelectorAll('#search-results li').length", "search results for 新能源")
    assert count > 0
    assert "新能源汽车" in page.evaluate("document.querySelector('#search-results').innerText")
    assert failed_requests(page.events, server) == []
