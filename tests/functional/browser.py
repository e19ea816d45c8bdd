"""Headless Chromium (Debian's chromium and chromium-driver) driven by
Selenium, as shared/recipes/browser-console.md found it works here:
no network look-ups by Selenium Manager, no sandbox (root), a fresh
profile per browser."""
import os
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1024,768")


def chromium():
    """A new headless Chromium; quit() it."""
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='stratus-chromium-')}")
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def novnc_status(driver):
    """vnc_lite.html's status line: Loading, Connecting, "Connected to
    <desktop name>", or "Something went wrong, connection is closed"."""
    return driver.execute_script(
        "var s = document.getElementById('status'); return s ? s.textContent : '';")


def wait_status(driver, prefixes, timeout=30):
    """Wait until the status starts with one of `prefixes`; return it."""
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        status = novnc_status(driver)
        if status.startswith(prefixes):
            return status
        time.sleep(0.1)
    raise AssertionError(f"noVNC status stayed {status!r} for {timeout}s")


def settle_screen(driver, timeout=20, interval=1.0):
    """Wait until the guest's screen (noVNC's canvas) stops changing much:
    a screenshot taken at once shows only the BIOS banner, and a blinking
    cursor means it is never pixel-identical, so compare sizes."""
    last = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        size = driver.execute_script(
            "var c = document.querySelector('#screen canvas');"
            "return c ? c.toDataURL('image/png').length : 0;")
        if last and size and abs(size - last) <= 0.02 * last:
            return
        last = size
        time.sleep(interval)
