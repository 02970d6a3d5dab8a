"""The report's and the playground's browser tests share one headless Chromium.

Debian's package at /usr/bin/chromium, driven by Playwright with the flags a container
needs. Off CI a missing browser skips these tests; under CI (``CI`` set, as ``.ci/run``
does) it is a failure that says how to install it.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ON_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _need_browser() -> str:
    """The Chromium executable, or a skip (a failure under CI) that says what is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if ON_CI:
            pytest.fail("the browser tests need Playwright: pip install -e '.[test]'")
        pytest.skip("Playwright is not installed (pip install -e '.[test]')")
    exe = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if exe is None:
        if ON_CI:
            pytest.fail(f"the browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium "
                        "(.ci/run installs it when run as root)")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    return exe


@pytest.fixture(scope="module")
def browser():
    exe = _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()
