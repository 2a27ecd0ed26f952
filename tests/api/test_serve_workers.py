"""The worker supervisor of `serve --workers N`: a listening socket per worker, restarts, stops.

It runs here with tiny ASGI apps (tests/api/pid_app.py) in a real process tree: the behaviour
under test is the processes' and sockets', not the app's.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from api.cli import main
from api.serve_workers import PortInUse, check_port_free, reuseport_supported
from tests.api.live_server import ROOT, free_port, wait_until
from tests.api.procfs import alive, api_workers, listening_sockets, open_files

pytestmark = pytest.mark.skipif(not reuseport_supported(), reason="SO_REUSEPORT spreads on Linux")

WORKERS = 2
SUPERVISOR = (
    "import sys, uvicorn\n"
    "from api.serve_workers import serve_workers\n"
    "config = uvicorn.Config(sys.argv[1], port=int(sys.argv[2]), log_level='info')\n"
    "sys.exit(serve_workers(config, int(sys.argv[3])))\n"
)


def _start(app: str, port: int, log: Path, flag: Path | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PID_APP_FAIL_FLAG": str(flag or log.with_suffix(".flag"))}
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-c", SUPERVISOR, f"tests.api.pid_app:{app}", str(port), str(WORKERS)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _pid_of_a_new_connection(base: str, timeout: float = 5) -> int:
    """A request on a fresh connection: which worker's socket the kernel chose."""
    return int(httpx.get(base, timeout=timeout).text)


def _every_worker_answers(base: str) -> bool:
    """Whether ten fresh connections reach every worker (all ten on one: odds 2**-9)."""
    try:
        return len({_pid_of_a_new_connection(base) for _ in range(10)}) == WORKERS
    except httpx.TransportError:  # none listens yet
        return False


@contextmanager
def supervisor(
    tmp_path: Path, app: str = "pid_app", flag: Path | None = None, ready: bool = True
) -> Iterator[tuple[subprocess.Popen[bytes], str, int]]:
    """A supervisor of a tests/api/pid_app.py app; yields (its process, base URL, port).

    With `ready`, once every worker listens (a worker listens once its app has started).
    """
    port = free_port()
    log = tmp_path / f"{app}.log"
    proc = _start(app, port, log, flag)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until(lambda: len(api_workers(proc.pid, WORKERS)) == WORKERS, "workers")
        if ready:
            wait_until(lambda: len(listening_sockets(port)) == WORKERS, "workers listening")
        yield proc, base, port
    except BaseException:
        print(log.read_text())
        raise
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def test_each_worker_accepts_on_a_socket_of_its_own(tmp_path: Path) -> None:
    with supervisor(tmp_path) as (proc, base, port):
        workers = api_workers(proc.pid, WORKERS)
        listening = listening_sockets(port)
        assert [len(open_files(pid) & listening) for pid in workers] == [1] * WORKERS
        assert not open_files(proc.pid) & listening  # the supervisor keeps no copy
        # The kernel spreads new connections over both (all 40 on one: odds 2**-39).
        answered = {_pid_of_a_new_connection(base) for _ in range(40)}
        assert answered == set(workers)


def test_a_second_server_on_the_port_is_refused(tmp_path: Path) -> None:
    with supervisor(tmp_path) as (_, _, port):
        with pytest.raises(PortInUse, match=f"127.0.0.1:{port}"):
            check_port_free("127.0.0.1", port)
        second = _start("pid_app", port, tmp_path / "second.log")
        assert second.wait(30) != 0
        assert "cannot listen" in (tmp_path / "second.log").read_text()
        assert len(listening_sockets(port)) == WORKERS  # the first server is untouched


def test_a_killed_worker_is_replaced_and_its_replacement_gets_nothing_till_it_serves(
    tmp_path: Path,
) -> None:
    with supervisor(tmp_path, "slow_app") as (proc, base, port):
        victim = _pid_of_a_new_connection(base)
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: not alive(victim), "the victim lives")
        # While the replacement starts (two seconds): the other worker answers every new
        # connection at once, none waits on the dead socket or on the one not serving yet.
        answered = [_pid_of_a_new_connection(base, timeout=1) for _ in range(20)]
        assert len(set(answered)) == 1 and victim not in answered
        wait_until(lambda: _every_worker_answers(base), "the replacement gets no connections")
        assert victim not in api_workers(proc.pid, WORKERS)
        assert len(listening_sockets(port)) == WORKERS and proc.poll() is None


def test_a_worker_killed_while_starting_is_replaced(tmp_path: Path) -> None:
    """A signal is not a broken app: the server keeps going (the OOM killer, an operator)."""
    with supervisor(tmp_path, "slow_app", ready=False) as (proc, base, _):
        victim = api_workers(proc.pid, WORKERS)[0]
        os.kill(victim, signal.SIGKILL)  # during its two-second startup
        wait_until(lambda: _every_worker_answers(base), "no replacement serving")
        assert proc.poll() is None and victim not in api_workers(proc.pid, WORKERS)


def test_a_replacement_that_cannot_start_is_retried_while_the_others_serve(
    tmp_path: Path,
) -> None:
    """Once the app has served, a failed start is an outage to wait out, not a broken app."""
    flag = tmp_path / "outage"
    log = tmp_path / "flagged_app.log"
    with supervisor(tmp_path, "flagged_app", flag) as (proc, base, _):
        flag.touch()  # from now on an app's startup fails
        victim = _pid_of_a_new_connection(base)
        os.kill(victim, signal.SIGKILL)
        failed = "died (exit code 3); starting another in 1 s"
        wait_until(lambda: failed in log.read_text(), "the replacement did not fail")
        assert proc.poll() is None
        assert victim != _pid_of_a_new_connection(base)  # the other one still serves
        flag.unlink()  # the outage ends
        wait_until(lambda: _every_worker_answers(base), "never replaced")


def test_sigterm_stops_every_worker_and_frees_the_port(tmp_path: Path) -> None:
    with supervisor(tmp_path) as (proc, _, port):
        workers = api_workers(proc.pid, WORKERS)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
        assert not any(alive(pid) for pid in workers)
        check_port_free("127.0.0.1", port)


def test_workers_stop_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    """A SIGKILLed supervisor cannot stop them: they notice and stop, and free the port."""
    with supervisor(tmp_path) as (proc, _, port):
        workers = api_workers(proc.pid, WORKERS)
        os.kill(proc.pid, signal.SIGKILL)
        wait_until(lambda: not any(alive(pid) for pid in workers), "orphaned workers still run")
        check_port_free("127.0.0.1", port)


def test_a_worker_that_cannot_start_stops_the_supervisor(tmp_path: Path) -> None:
    """No restart loop: an app that fails its first startup would fail every time."""
    log = tmp_path / "failing.log"
    proc = _start("failing_app", free_port(), log)
    try:
        assert proc.wait(60) == 1
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert "failed to start" in log.read_text()
    assert log.read_text().count("Started worker process") == WORKERS


def test_serve_refuses_a_taken_port_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TICKETKING_DATA_DIR", str(tmp_path / "data"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--workers", "2"]) == 1
    assert f"error: cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()  # failed before it made anything


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_serve_refuses_a_bad_worker_count(workers: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--workers", workers])
    assert exit_.value.code == 2
