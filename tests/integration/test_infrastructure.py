import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_suite_runs_on_the_configured_database():
    url = os.environ.get("JINGZHUN_DATABASE_URL", "sqlite://")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
    if expected == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1


def _untranslated(po_text: str) -> list[str]:
    entries = po_text.split("\n\n")
    missing = []
    for entry in entries:
        if "msgid " not in entry or entry.startswith('msgid ""\nmsgstr ""\n"'):
            continue
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', entry.split("msgstr")[0], re.M))
        strings = re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', entry, re.M)
        if not msgid:
            continue  # the catalogue's header
        if not any(first or rest.strip() for first, rest in strings):
            missing.append(msgid)
        if "#, fuzzy" in entry:
            missing.append(msgid)
    return missing


def test_chinese_catalogue_is_complete_and_current(tmp_path):
    """Every user-facing string of the code and templates has a Chinese translation."""
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is required (make test-deps installs it)")
    copy = tmp_path / "jingzhun"
    shutil.copytree(ROOT / "jingzhun", copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    env = dict(os.environ, PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="config.test_settings")
    subprocess.run(
        [
            str(ROOT / ".venv/bin/django-admin"),
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    regenerated = (copy / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    assert _untranslated(regenerated) == []
    catalogue = ROOT / "jingzhun/locale/zh_Hans/LC_MESSAGES"
    subprocess.run(["msgfmt", "-o", str(tmp_path / "django.mo"), str(catalogue / "django.po")], check=True)
    assert (tmp_path / "django.mo").read_bytes() == (catalogue / "django.mo").read_bytes(), (
        "the compiled catalogue is out of date: run `make messages`"
    )


def test_the_error_pages_are_the_sites_own_and_in_chinese(cadre):
    from django.test import Client, RequestFactory
    from django.views.defaults import server_error

    client = Client()
    client.force_login(cadre)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    page = missing.content.decode()
    assert 'data-testid="not-found"' in page
    assert "页面不存在" in page
    assert "urlpatterns" not in page
    assert "households/<int:pk>/" not in page
    failed = server_error(RequestFactory().get("/"))
    assert failed.status_code == 500
    assert 'data-testid="server-error"' in failed.content.decode()
