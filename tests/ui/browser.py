"""A real Chromium (Debian's `chromium` and `chromium-driver`) driven by selenium, headless, with a fresh
profile and Chromium's own background traffic turned off; every page visit checks that the console has
no error and that no request left 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

__all__ = ["FLAGS", "SCREENSHOTS", "Browser", "Visit", "screenshot_dir", "start_browser"]

ROOT = Path(__file__).resolve().parents[2]
# Without the background-networking flags Chromium reaches for the network on its own (updates, sync,
# safe browsing); the resolver rule makes any name other than the loopback address fail to resolve.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1360,900",
    "--hide-scrollbars",
)
# SCHEMAREG_UI_SCREENSHOTS=1 rewrites the committed docs/ui/*.png; otherwise they go to a temporary folder.
SCREENSHOTS = "SCHEMAREG_UI_SCREENSHOTS"
LOCAL_SCHEMES = {"data", "about", "blob"}
WIDTH = 1360


@dataclass
class Visit:
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def outside(self) -> list[str]:
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).hostname != "127.0.0.1"
        ]


class Browser:
    def __init__(self, driver: webdriver.Chrome, shots: Path) -> None:
        self.driver = driver
        self.shots = shots
        self.visits: list[Visit] = []

    def open(self, url: str) -> Visit:
        self.drain()
        self.driver.get(url)
        return self.settle(url)

    def settle(self, url: str | None = None) -> Visit:
        """Wait for the page to finish loading, then collect what it asked for and what it logged."""
        self.driver.execute_script("return document.readyState")
        visit = Visit(url or self.driver.current_url)
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                visit.requests.append(message["params"]["request"]["url"])
        visit.errors = [
            entry["message"] for entry in self.driver.get_log("browser") if entry.get("level") == "SEVERE"
        ]
        self.visits.append(visit)
        return visit

    def drain(self) -> None:
        self.driver.get_log("performance")
        self.driver.get_log("browser")

    def screenshot(self, name: str) -> Path:
        """The page (up to 2400 px of it) as docs/ui/<name>.png when SCHEMAREG_UI_SCREENSHOTS=1, else in
        a temporary folder: the viewport is stretched through the DevTools protocol, then restored."""
        height = self.driver.execute_script(
            "return Math.min(Math.max(document.documentElement.scrollHeight, 600), 2400)"
        )
        metrics = {"width": WIDTH, "height": int(height), "deviceScaleFactor": 1, "mobile": False}
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            path = self.shots / f"{name}.png"
            assert self.driver.save_screenshot(str(path)), f"no screenshot {path}"
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        return path


def start_browser(profile: Path, shots: Path) -> Browser:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        raise AssertionError(
            "the UI tests need Chromium and its driver (Debian: chromium, chromium-driver);"
            " scripts/ensure-test-tools.sh installs them"
        )
    options = Options()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # The driver path is given, so selenium does not run its manager (which would look for downloads).
    service = Service(executable_path=driver_path, log_output=subprocess.DEVNULL)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(10)
    return Browser(driver, shots)


def screenshot_dir(fallback: Path) -> Path:
    if os.environ.get(SCREENSHOTS) == "1":
        return ROOT / "docs" / "ui"
    return fallback
