"""A real headless Chromium for the review-page tests, driven with Selenium through Debian's chromedriver.

Debian's packages (``chromium``, ``chromium-driver``, ``fonts-noto-cjk``; .ci/run installs them): Selenium is
pointed at both binaries, so it never looks for or downloads a browser of its own. The browser starts with a
fresh profile and without its background traffic (component updates, sync, QUIC), so every network request
the performance log records comes from the page under test.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,1000",
)
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("/usr/bin/chromedriver", "chromedriver")
INSTALL_HINT = "apt-get install -y chromium chromium-driver fonts-noto-cjk (as .ci/run does)"


class NoBrowser(RuntimeError):
    """Chromium or its driver is missing or would not start; the message says which and how to install."""


def _which(names: tuple[str, ...]) -> str | None:
    return next((found for name in names if (found := shutil.which(name))), None)


@contextmanager
def chromium() -> Iterator[Any]:
    """A started headless Chromium (selenium WebDriver) with its console and performance logs kept; quit
    and its profile removed on exit. Raises :class:`NoBrowser` when it cannot start."""
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:
        raise NoBrowser(f"selenium is not installed ({error}); pip install -e '.[dev]'") from error
    binary, driver = _which(BROWSERS), _which(DRIVERS)
    if binary is None or driver is None:
        raise NoBrowser(f"no {'chromium' if binary is None else 'chromedriver'} on PATH; {INSTALL_HINT}")
    profile = tempfile.mkdtemp(prefix="review-chromium-")
    options = Options()
    options.binary_location = binary
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        browser = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    except WebDriverException as error:
        shutil.rmtree(profile, ignore_errors=True)
        raise NoBrowser(f"{binary} with {driver} did not start: {error.msg}") from error
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(browser: Any) -> list[str]:
    """The page's console messages at level SEVERE (script errors, blocked loads, CSP violations)."""
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def requested_urls(browser: Any) -> list[str]:
    """Every URL the browser asked for since the last call (DevTools ``Network.requestWillBeSent``)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def page_url(path: Path) -> str:
    return path.resolve().as_uri()
