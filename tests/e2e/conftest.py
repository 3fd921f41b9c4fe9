"""Browser tests: Debian's Chromium driven by Playwright against Django's live server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import factories

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright's sync API keeps an event loop in this thread; the test's own
# database calls are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Anything the Content-Security-Policy blocks is a page that does not work for users.
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: blocked.append(str(error)))
    yield page
    context.close()
    assert blocked == [], blocked


@pytest.fixture
def screenshot(page):
    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, live_server, username):
    """Log in as a person does: the password, then — for the roles that need it — the
    authenticator app, set up on the first log-in from the key the page shows."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/second-factor/" in page.url:
        key = page.text_content("[data-testid=totp-secret]") if "setup" in page.url else None
        page.fill("#id_token", totp_code(username, key))
        page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def totp_code(username, key=None):
    """The code an authenticator app shows now: from the key the setup page showed, or
    (on later log-ins) from the key the app keeps, which is the device's."""
    from base64 import b32decode

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if key is None:
        secret = TOTPDevice.objects.get(user__username=username, confirmed=True).bin_key
    else:
        compact = key.replace(" ", "")
        secret = b32decode(compact + "=" * (-len(compact) % 8))
    return f"{TOTP(secret).token():06d}"
