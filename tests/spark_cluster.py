"""A standalone Spark cluster on this machine, started from the installed pyspark: a master
and a worker on 127.0.0.1 (``spark-class …deploy.master.Master`` / ``…deploy.worker.Worker``),
as an operations team would run one. The screening and figure engines then connect to it
through ``JINGZHUN_SPARK_MASTER``, as they would to a cluster elsewhere."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _spark_class() -> str:
    import pyspark

    return str(Path(pyspark.__file__).parent / "bin" / "spark-class")


def _wait(condition: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the Spark {what} did not start within {timeout:.0f} s")


@contextlib.contextmanager
def standalone_cluster(workers: int = 1, cores: int = 1, memory: str = "1g") -> Iterator[str]:
    """Start a master and ``workers`` workers; yield the master's URL; stop them all."""
    port, ui = _free_port(), _free_port()
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_NO_DAEMONIZE": "1"}
    processes = [
        subprocess.Popen(
            [
                _spark_class(),
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--webui-port",
                str(ui),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    url = f"spark://127.0.0.1:{port}"
    try:

        def listening() -> bool:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True

        _wait(listening, "master")
        for _ in range(workers):
            processes.append(
                subprocess.Popen(
                    [
                        _spark_class(),
                        "org.apache.spark.deploy.worker.Worker",
                        url,
                        "--host",
                        "127.0.0.1",
                        "--cores",
                        str(cores),
                        "--memory",
                        memory,
                        "--webui-port",
                        str(_free_port()),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

        def registered() -> bool:
            # The master's status page says how many workers have registered.
            with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=2) as response:
                return int(json.load(response).get("aliveworkers", 0)) >= workers

        _wait(registered, "workers")
        yield url
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
