"""Run the documented deployment as far as one machine without systemd allows.

    python scripts/with_postgres.py -- python scripts/deployment_check.py

The commands come from the files an installation uses (deploy/systemd/*.service,
deploy/nginx/jingzhun.conf, deploy/jingzhun.env.example) with only the paths and
ports moved into a temporary folder: the database is migrated and the static
files collected as install.sh does, gunicorn and the worker start from their
units' ExecStart lines, nginx serves the site conf with a self-signed
certificate, and a page and a static file are fetched over HTTPS through it. All
of it is stopped at the end, whatever happened. Exits non-zero on any failure.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
WEB_PORT, HTTPS_PORT, HTTP_PORT = 18000, 18443, 18080


def _free(port: int) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            sys.exit(f"port {port} is taken")


def _exec_start(unit: str, paths: dict[str, str]) -> list[str]:
    text = (DEPLOY / "systemd" / unit).read_text()
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    command = line.removeprefix("ExecStart=")
    for old, new in paths.items():
        command = command.replace(old, new)
    return shlex.split(command)


def _environment(workdir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("JINGZHUN_")}
    for line in (DEPLOY / "jingzhun.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    env.update(
        JINGZHUN_SECRET_KEY=os.urandom(32).hex(),
        JINGZHUN_FIELD_KEYS="k1:" + base64.b64encode(os.urandom(32)).decode(),
        JINGZHUN_INDEX_KEY=base64.b64encode(os.urandom(32)).decode(),
        JINGZHUN_DATABASE_URL=os.environ["JINGZHUN_DATABASE_URL"],  # the throw-away server
        JINGZHUN_ALLOWED_HOSTS="127.0.0.1,localhost",
        JINGZHUN_CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{HTTPS_PORT}",
        JINGZHUN_VAR_DIR=str(workdir / "var"),
        JINGZHUN_BACKUP_DIR=str(workdir / "backups"),
    )
    return env


def _nginx_conf(workdir: Path, static: Path) -> Path:
    site = (DEPLOY / "nginx" / "jingzhun.conf").read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{HTTP_PORT};").replace("listen [::]:80;", "")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{HTTPS_PORT} ssl http2;")
    site = site.replace("listen [::]:443 ssl http2;", "")
    site = site.replace("/etc/jingzhun/tls", str(workdir / "tls")).replace(
        "/opt/jingzhun/static/", f"{static}/"
    )
    site = site.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{WEB_PORT}")
    conf = workdir / "nginx.conf"
    user = "root" if os.geteuid() == 0 else ""
    conf.write_text(
        f"{'user ' + user + ';' if user else ''}\n"
        f"pid {workdir}/nginx.pid;\nerror_log {workdir}/nginx-error.log;\ndaemon off;\n"
        "events {}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log {workdir}/nginx-access.log;\n"
        f"  client_body_temp_path {workdir}/body; proxy_temp_path {workdir}/proxy;\n"
        f"  fastcgi_temp_path {workdir}/fcgi; uwsgi_temp_path {workdir}/uwsgi;\n"
        f"  scgi_temp_path {workdir}/scgi;\n"
        f"{site}\n}}\n"
    )
    return conf


def _create_database(url: str) -> None:
    """What install.sh's createdb does, on the throw-away server."""
    import psycopg
    from psycopg import sql

    match = re.match(r"^postgres(?:ql)?://([^/]*)/([^?]+)(\?.*)?$", url)
    if match is None:
        sys.exit(f"not a PostgreSQL URL: {url}")
    credentials, name, query = match.group(1), match.group(2), match.group(3) or ""
    with psycopg.connect(f"postgresql://{credentials}/postgres{query}", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(name)))


def _get(path: str) -> http.client.HTTPResponse:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", HTTPS_PORT, context=context, timeout=20)
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    return response


def _wait_for(path: str, deadline: float) -> http.client.HTTPResponse:
    while True:
        try:
            return _get(path)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main() -> int:
    for port in (WEB_PORT, HTTPS_PORT, HTTP_PORT):
        _free(port)
    workdir = Path(tempfile.mkdtemp(prefix="jingzhun-deploy-"))
    workdir.chmod(0o755)
    (workdir / "logs").mkdir()
    (workdir / "tls").mkdir()
    env = _environment(workdir)
    venv = ROOT / ".venv"
    paths = {
        "/opt/jingzhun/.venv": str(venv),
        "/var/log/jingzhun": str(workdir / "logs"),
        "127.0.0.1:8000": f"127.0.0.1:{WEB_PORT}",
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        _create_database(env["JINGZHUN_DATABASE_URL"])
        manage = [str(venv / "bin" / "jingzhun")]
        for step in (["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"]):
            subprocess.run(manage + step, env=env, cwd=ROOT, check=True)
        static = workdir / "var" / "static"
        tls = workdir / "tls"
        certificate = ["-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem")]
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                *certificate,
            ],
            check=True,
            capture_output=True,
        )
        web = _exec_start("jingzhun-web.service", paths)
        # systemd's notify type is not there to answer: gunicorn runs in the foreground as it would.
        processes.append(subprocess.Popen(web, env=env, cwd=ROOT))
        worker = _exec_start("jingzhun-worker.service", paths)
        processes.append(subprocess.Popen(worker, env=env, cwd=ROOT, stdout=subprocess.DEVNULL))
        processes.append(subprocess.Popen(["nginx", "-c", str(_nginx_conf(workdir, static))]))
        deadline = time.monotonic() + 60
        page = _wait_for("/accounts/login/", deadline)
        while page.status == 502 and time.monotonic() < deadline:  # gunicorn still starting
            time.sleep(0.5)
            page = _get("/accounts/login/")
        body = page.body.decode()  # type: ignore[attr-defined]
        checks = {
            "log-in page served through the proxy": page.status == 200 and "id_password" in body,
            "HSTS header": "max-age=31536000" in (page.getheader("Strict-Transport-Security") or ""),
            "Content-Security-Policy": "script-src 'self'"
            in (page.getheader("Content-Security-Policy") or ""),
            "secure session cookie": all(
                "Secure" in cookie for cookie in page.headers.get_all("Set-Cookie") or []
            ),
        }
        asset = _get("/static/jingzhun/site.js")
        checks["static file from nginx"] = asset.status == 200 and asset.getheader("Server", "").startswith(
            "nginx"
        )
        for name, passed in checks.items():
            print(f"{'ok  ' if passed else 'FAIL'} {name}")
        for process in processes:
            if process.poll() is not None:
                print(f"FAIL {process.args[0]} exited with {process.returncode}")
                return 1
        return 0 if all(checks.values()) else 1
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
