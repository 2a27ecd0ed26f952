"""A real `ticketking serve` for tests: its environment, started on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from tests.api.conftest import API, TEST_DEPTH

ROOT = Path(__file__).resolve().parents[2]


def server_env(data_dir: Path, database_url: str, circuits_dir: Path) -> dict[str, str]:
    """The environment of a test server: its own data dir and database, the shared small circuit.

    One prover process per API worker: the machine has few cores and the tests prove little.
    """
    env = {
        **os.environ,
        "TICKETKING_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "TICKETKING_MERKLE_DEPTH": str(TEST_DEPTH),
        "TICKETKING_CIRCUITS_DIR": str(circuits_dir),
        "TICKETKING_PROVER_WORKERS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TICKETKING_SECRET_KEY", None)
    return env


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Poll `condition` until it holds; fail with `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(env: dict[str, str], workers: int = 1) -> Iterator[tuple[str, str, int]]:
    """Run `ticketking serve`; yield (base URL, its output so far, its pid); SIGKILL it after.

    Its output goes to a file (a pipe nobody drains could fill and stall it), printed when the
    test fails so that a 500's traceback is in the report.
    """
    port = free_port()
    log_path = Path(env["TICKETKING_DATA_DIR"]).parent / f"serve-{port}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "api.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{base}{API}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.1)
        # The banner is printed before uvicorn starts.
        yield base, log_path.read_text(), proc.pid
    except BaseException:
        print(f"--- server output ({log_path}) ---\n{log_path.read_text()}")
        raise
    finally:
        # A crash, not a clean shutdown: state must survive without one. (A test may have
        # killed it already.)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
