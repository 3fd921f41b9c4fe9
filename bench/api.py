"""API benchmark: household get-by-id and list under load, against a plain Django peer.

The server is gunicorn (gthread workers) on 127.0.0.1 in front of PostgreSQL,
serving both the API (django-ninja, ``/api/v1/households/…``) and plain Django
views returning the same JSON from the same table with the same token and the
same area scoping (bench/api_urls.py). The load generator is wrk (Debian's,
installed when missing) with BENCH_API_CLIENTS (16) connections for
BENCH_API_SECONDS (10) per run, each request for a random household of the
token's county; BENCH_REPEATS (3) runs per endpoint, alternating, medians
reported. Requests/s and p50/p95/p99 latency go to bench/results/api.json with
the API/plain throughput ratio. Targets: at least 0.8× the plain view's
throughput and p99 under 50 ms at 16 clients.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.imports import fresh_postgres, machine_meta, postgres_url  # noqa: E402

RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
PORT = 8765
ENDPOINTS = {
    "get": ("/api/v1/households/{id}", "/plain/households/{id}"),
    "list": ("/api/v1/households/?page={page}&page_size=20", "/plain/households/?page={page}&page_size=20"),
}
# wrk's script: a random household (or page) per request; the summary as one JSON line.
WRK_SCRIPT = """
local ids = {%(ids)s}
local pages = %(pages)d
local template = "%(template)s"
request = function()
  local id = ids[math.random(#ids)]
  local path = template:gsub("{id}", tostring(id)):gsub("{page}", tostring(math.random(pages)))
  return wrk.format("GET", path, {["Authorization"] = "Bearer %(token)s"})
end
done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "errors": %%d, "non_2xx": %%d, '
    .. '"p50_ms": %%f, "p95_ms": %%f, "p99_ms": %%f}\\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""
SETUP = """
import json, django
django.setup()
from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Role
from jingzhun.api.services import token_create
from jingzhun.areas.models import Area
from jingzhun.registry.models import Household
households = Household.objects.filter(is_active=True)
county = Area.objects.get(code=households.first().village_id[:6] + "000000")
user, _ = User.objects.get_or_create(
    username="bench-county", defaults={"role": Role.COUNTY_OFFICER, "area": county}
)
token = token_create(actor=user, owner=user, name="bench")[1]
ids = list(households.order_by("?").values_list("pk", flat=True)[:2000])
from django.db import connection
with connection.cursor() as cursor:  # settled statistics: no autovacuum racing the load
    cursor.execute("VACUUM ANALYZE")
print(json.dumps({"token": token, "ids": ids, "households": households.count()}))
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return shutil.which("wrk") or "wrk"


def fetch(path: str, token: str) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait_until_serving(token: str, path: str) -> None:
    for _attempt in range(120):
        try:
            fetch(path, token)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not start")


def run_wrk(wrk: str, script: Path, clients: int, seconds: int) -> dict[str, Any]:
    output = subprocess.run(
        [wrk, f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{PORT}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(line for line in output.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["requests_per_second"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=int(os.environ.get("BENCH_API_HOUSEHOLDS", 20_000)))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_API_SECONDS", 10)))
    parser.add_argument("--clients", type=int, default=int(os.environ.get("BENCH_API_CLIENTS", 16)))
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", 3)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_API_WORKERS", 2)))
    args = parser.parse_args()
    postgres = postgres_url(__file__)
    wrk = ensure_wrk()
    env = {
        **os.environ,
        "JINGZHUN_DATABASE_URL": fresh_postgres(postgres, "api"),
        "JINGZHUN_SECRET_KEY": "benchmark-only-secret-key-" + "x" * 16,
        "JINGZHUN_ALLOWED_HOSTS": "127.0.0.1",
        "JINGZHUN_LOG_LEVEL": "ERROR",
        # wrk speaks plain HTTP to gunicorn on the loopback (no TLS proxy in between).
        "JINGZHUN_SSL_REDIRECT": "false",
        "DJANGO_SETTINGS_MODULE": "bench.api_settings",
        "PYTHONPATH": str(ROOT),
    }
    setup_env = {**env, "JINGZHUN_DEBUG": "true"}
    jingzhun = str(BIN / "jingzhun")
    subprocess.run([jingzhun, "migrate", "--no-input", "-v", "0"], env=setup_env, check=True)
    subprocess.run(
        [jingzhun, "demo-data", "--households", str(args.households), "--seed", "1", "--replace"],
        env=setup_env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    done = subprocess.run([sys.executable, "-c", SETUP], env=setup_env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    setup = json.loads(done.stdout.strip().splitlines()[-1])
    token, ids = setup["token"], setup["ids"]
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
         "--worker-class", "gthread", "--workers", str(args.workers), "--threads", "8",
         "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    results: list[dict[str, Any]] = []
    try:
        wait_until_serving(token, f"/plain/households/{ids[0]}")
        pages = max(1, min(fetch("/plain/households/?page_size=20", token)["count"] // 20, 500))
        for name, (api_path, plain_path) in ENDPOINTS.items():
            # The same JSON from both, or the comparison means nothing.
            sample = {"id": ids[0], "page": 1}
            api_body, plain_body = (
                fetch(api_path.format(**sample), token),
                fetch(plain_path.format(**sample), token),
            )
            if json.dumps(api_body, sort_keys=True) != json.dumps(plain_body, sort_keys=True):
                raise RuntimeError(f"{name}: the API and the plain view differ:\n{api_body}\n{plain_body}")
            runs: dict[str, list[dict[str, Any]]] = {"api": [], "plain": []}
            with tempfile.TemporaryDirectory() as work:
                scripts = {}
                for contender, template in (("api", api_path), ("plain", plain_path)):
                    scripts[contender] = Path(work) / f"{contender}.lua"
                    scripts[contender].write_text(
                        WRK_SCRIPT
                        % {
                            "ids": ",".join(map(str, ids)),
                            "pages": pages,
                            "template": template,
                            "token": token,
                        }
                    )
                run_wrk(wrk, scripts["api"], args.clients, 2)  # warm both workers' caches
                for _repeat in range(args.repeats):
                    for contender in ("plain", "api"):
                        runs[contender].append(run_wrk(wrk, scripts[contender], args.clients, args.seconds))
            summary = {
                contender: {
                    key: round(statistics.median(run[key] for run in contender_runs), 2)
                    for key in ("requests_per_second", "p50_ms", "p95_ms", "p99_ms")
                }
                | {"errors": sum(run["errors"] + run["non_2xx"] for run in contender_runs)}
                for contender, contender_runs in runs.items()
            }
            entry = {
                "endpoint": name,
                "clients": args.clients,
                **summary,
                "throughput_ratio": round(
                    summary["api"]["requests_per_second"] / summary["plain"]["requests_per_second"], 3
                ),
            }
            entry["meets_target"] = entry["throughput_ratio"] >= 0.8 and summary["api"]["p99_ms"] < 50
            results.append(entry)
            print(json.dumps(entry), flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {
        **machine_meta(),
        "households": setup["households"],
        "seconds_per_run": args.seconds,
        "repeats": args.repeats,
        "server": f"gunicorn gthread, {args.workers} workers × 8 threads, PostgreSQL",
        "load": "wrk on the same machine",
    }
    (RESULTS / "api.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    print(f"written {RESULTS / 'api.json'}")


if __name__ == "__main__":
    main()
