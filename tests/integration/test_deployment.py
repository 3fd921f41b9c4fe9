"""The documented deployment, run as far as this machine allows (scripts/deployment_check.py):
PostgreSQL, gunicorn and the worker from the systemd units' commands, nginx with the
site's TLS configuration, a page and a static file fetched over HTTPS, all stopped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# It starts its own PostgreSQL server: once per `make test`, in the SQLite pass.
pytestmark = pytest.mark.skipif(
    os.environ.get("JINGZHUN_DATABASE_URL", "").startswith("postgres"),
    reason="runs in the SQLite pass of the suite (it starts its own PostgreSQL)",
)


def test_the_documented_deployment_serves_pages_over_tls_through_the_proxy():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("JINGZHUN_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "scripts/with_postgres.py", "--", sys.executable, "scripts/deployment_check.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    for check in ("log-in page served through the proxy", "HSTS header", "static file from nginx"):
        assert f"ok   {check}" in result.stdout


def test_the_units_and_the_proxy_conf_name_what_the_project_has():
    units = {path.name: path.read_text() for path in (ROOT / "deploy" / "systemd").iterdir()}
    assert {
        "jingzhun-web.service",
        "jingzhun-worker.service",
        "jingzhun-backup.timer",
        "jingzhun-audit.timer",
        "jingzhun-night.timer",
    } <= set(units)
    assert "jingzhun backup" in units["jingzhun-backup.service"]
    assert "jingzhun audit seal" in units["jingzhun-audit.service"]
    assert "screen --area ${JINGZHUN_DEFAULT_PROVINCE} --incremental" in units["jingzhun-night.service"]
    assert "figures --area ${JINGZHUN_DEFAULT_PROVINCE} --incremental" in units["jingzhun-night.service"]
    env_names = {
        line.split("=", 1)[0]
        for line in (ROOT / "deploy" / "jingzhun.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    settings_text = (ROOT / "config" / "settings.py").read_text()
    for name in env_names - {"JINGZHUN_BACKUP_PASSPHRASE", "JINGZHUN_BACKUP_DIR"}:
        assert f'"{name.removeprefix("JINGZHUN_")}"' in settings_text, name
