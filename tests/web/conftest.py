"""Browser fixtures: Debian's Chromium driven by Playwright's sync API, one browser per run.

The browser is launched lazily from inside a test, so a missing /usr/bin/chromium makes the
test fail with a clear message instead of erroring in setup or being skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.support.gateway import LiveGateway

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
MISSING = (f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium "
           "(install it with `apt-get install -y chromium`); Playwright cannot download one here")
TIMEOUT_MS = 10_000
PHONE = {"width": 360, "height": 740}  # a common small Android phone, in CSS pixels
# Screenshots the tests keep for people to look at (CI can collect the folder).
ARTEFACTS = Path(os.environ.get("NAGARSETU_ARTEFACTS",
                                Path(__file__).resolve().parents[2] / "tmp" / "artefacts"))
DEVANAGARI = re.compile(r"[\u0900-\u097F]")

expect.set_options(timeout=TIMEOUT_MS)


class Chromium:
    """Starts Playwright and the browser on first use and keeps them for the whole run."""

    def __init__(self, executable: Path = CHROMIUM) -> None:
        self.executable = executable
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def browser(self) -> Browser:
        """The running browser; fails the calling test when Chromium is not installed."""
        if self._browser is None:
            if not self.executable.is_file():
                pytest.fail(MISSING, pytrace=False)
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(self.executable), args=CHROMIUM_ARGS)
        return self._browser

    def close(self) -> None:
        """Shut the browser and Playwright down."""
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()


class Chat:
    """The web chat page in a fresh browser profile, with helpers that wait for replies."""

    def __init__(self, chromium: Chromium, gateway: LiveGateway) -> None:
        self.chromium = chromium
        self.gateway = gateway
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.viewport: dict[str, int] | None = None  # set to PHONE before first use
        self.permissions: list[str] = []
        self.geolocation: dict[str, float] | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None

    @property
    def page(self) -> Page:
        """The tab (created on first use, inside the test)."""
        if self._page is None:
            self._context = self.chromium.browser().new_context(
                locale="en-IN", viewport=self.viewport,  # type: ignore[arg-type]
                permissions=self.permissions, geolocation=self.geolocation)  # type: ignore[arg-type]
            self._page = self._context.new_page()
            self._page.set_default_timeout(TIMEOUT_MS)
            self._page.on("request", lambda request: self.requests.append(request.url))
            self._page.on("pageerror", lambda error: self.errors.append(str(error)))
        return self._page

    def open(self, path: str = "/chat") -> Chat:
        """Load the page and wait for the bot's first message."""
        self.page.goto(self.gateway.base_url + path)
        expect(self.bot.first).to_be_visible()
        return self

    @property
    def bot(self) -> Locator:
        """The bot's bubbles, oldest first."""
        return self.page.locator("#messages > li.bot")

    @property
    def mine(self) -> Locator:
        """The citizen's bubbles, oldest first."""
        return self.page.locator("#messages > li.me")

    @property
    def active(self) -> Locator:
        """The buttons that can still be pressed (the newest unanswered choice)."""
        return self.page.locator(".choices:not(.answered) button.choice:enabled")

    def button(self, label: str) -> Locator:
        """An active choice button by its exact label."""
        return self.active.filter(has_text=re.compile(rf"^{re.escape(label)}$"))

    def option(self, choice_id: str) -> Locator:
        """An active choice button by the option id it sends."""
        return self.page.locator(
            f'.choices:not(.answered) button.choice:enabled[data-choice="{choice_id}"]')

    def wait_reply(self, seen: int) -> Locator:
        """Wait until the bot has said more than `seen` messages; the newest one."""
        self.page.wait_for_function(
            "n => document.querySelectorAll('#messages > li.bot').length > n", arg=seen)
        return self.bot.last

    def click(self, button: Locator) -> Locator:
        """Press a choice button and wait for the bot's answer."""
        seen = self.bot.count()
        button.click()
        return self.wait_reply(seen)

    def say(self, text: str) -> Locator:
        """Type a message, press Enter, wait for the bot's answer."""
        seen = self.bot.count()
        self.page.locator("#input").fill(text)
        self.page.locator("#input").press("Enter")
        return self.wait_reply(seen)

    def screenshot(self, name: str) -> Path:
        """Keep a picture of the page as a test artefact (`tmp/artefacts/<name>.png`)."""
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTEFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def platform_fonts(self, selector: str) -> list[dict[str, object]]:
        """The fonts Chromium really drew a node's text with (family, custom = a web font)."""
        cdp = self.page.context.new_cdp_session(self.page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"nothing matches {selector}"
        fonts: list[dict[str, object]] = cdp.send(
            "CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        cdp.detach()
        return fonts

    def close(self) -> None:
        """Close the profile; uncaught page errors fail the test."""
        if self._context is not None:
            self._context.close()
        assert not self.errors, f"JavaScript errors on the page: {self.errors}"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """One browser for the whole run, launched when a test first needs it."""
    launcher = Chromium()
    yield launcher
    launcher.close()


@pytest.fixture
def chat(chromium: Chromium, gateway: LiveGateway) -> Iterator[Chat]:
    """The web chat of a live gateway, in a fresh browser profile (empty localStorage)."""
    page = Chat(chromium, gateway)
    yield page
    page.close()
