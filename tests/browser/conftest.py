"""A real Chromium (Debian's ``chromium``) driven by Playwright against ``htk up`` on free ports.

The Playwright browser download is not used: the tests launch the system's Chromium. Pages get
screenshots under ``test-artifacts/`` and an axe-core accessibility check.
"""

import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright

from htk_runtime.mail import read_sink
from tests.e2e.platform import REPO, Launched, launch, platform_env

CHROMIUM = os.environ.get("HTK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts" / "browser"
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launched]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    launched = launch(platform_env(tmp_path_factory.mktemp("var")))
    try:
        launched.wait_running()
        yield launched
    finally:
        if launched.process.poll() is None:
            launched.terminate()


def htk(platform: Launched, *args: str) -> str:
    """Run an ``htk`` command against the running platform; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "htk_cli.main", *args],
        env={**os.environ, **platform.env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


def mail_dir(platform: Launched) -> Path:
    return Path(platform.env["HTK_VAR_DIR"]) / "mail"


def link_for(platform: Launched, email: str, after: int, timeout: float = 60.0) -> str:
    """The sign-in link in the newest mail to ``email`` among mails after the first ``after``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails: list[EmailMessage] = read_sink(mail_dir(platform))[after:]
        for mail in reversed(mails):
            if mail["To"].lower() == email.lower():
                found = re.search(r"https?://\S+/auth/link/\S+", mail.get_content())
                if found:
                    return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no sign-in mail to {email}")


def mail_count(platform: Launched) -> int:
    return len(read_sink(mail_dir(platform))) if mail_dir(platform).exists() else 0


async def snapshot(page: Page, name: str) -> dict[str, Any]:
    """A screenshot of the page and its axe-core check; serious or critical violations fail."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = await Axe().run(page)
    violations = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
    assert violations == [], f"{name}: {violations}"
    return dict(results.response)
