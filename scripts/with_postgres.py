"""Run a command against a throw-away PostgreSQL server.

    python scripts/with_postgres.py -- pytest -n 2

initdb creates a cluster in a temporary directory, pg_ctl starts it listening
only on a Unix socket in that directory, the command runs with
JINGZHUN_DATABASE_URL pointing at it, and the cluster is stopped and removed
afterwards, whatever the command's outcome. PostgreSQL refuses to run as root,
so as root the cluster belongs to the ``postgres`` (or ``nobody``) user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile


def _bin_dir() -> str:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql)")
    return os.path.dirname(candidates[-1])


def _run_as(user: str | None, args: list[str]) -> None:
    command = ["runuser", "-u", user, "--", *args] if user else args
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    if "--" not in sys.argv:
        sys.exit("usage: with_postgres.py -- COMMAND [ARGS...]")
    command = sys.argv[sys.argv.index("--") + 1 :]
    bin_dir = _bin_dir()
    owner = None
    if os.geteuid() == 0:
        owner = "postgres" if _user_exists("postgres") else "nobody"
    workdir = tempfile.mkdtemp(prefix="jingzhun-pg-")
    data, socket_dir = os.path.join(workdir, "data"), workdir
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(workdir, entry.pw_uid, entry.pw_gid)
    port = "54329"
    try:
        _run_as(
            owner,
            [
                f"{bin_dir}/initdb",
                "-D",
                data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories={socket_dir} -p {port} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        _run_as(
            owner,
            [
                f"{bin_dir}/pg_ctl",
                "-D",
                data,
                "-o",
                options,
                "-l",
                os.path.join(workdir, "log"),
                "-w",
                "start",
            ],
        )
        env = dict(os.environ)
        env["JINGZHUN_DATABASE_URL"] = f"postgres://postgres@/jingzhun?host={socket_dir}&port={port}"
        print(f"PostgreSQL running in {workdir}", flush=True)
        return subprocess.run(command, env=env).returncode
    finally:
        subprocess.run(
            (["runuser", "-u", owner, "--"] if owner else [])
            + [f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(workdir, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
