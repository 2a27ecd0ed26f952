"""`serve --workers N`: N uvicorn processes, each accepting on a listening socket of its own.

uvicorn's supervisor hands every worker the same listening socket, and whichever worker is idle
first takes the next connection. Gates keep their connections open, so one worker could end up
with nearly all of them: measured 6 of 64 vs 58, at 349 scans/s and p99 915 ms (docs/api.md,
"Load"). Here each worker gets its own socket bound with SO_REUSEPORT, and the kernel spreads
new connections over the workers' listening sockets by a hash of their addresses.

A worker's socket is bound here and starts listening in the worker once its app has started
(asyncio's create_server listens): a worker that is starting gets no connections, the others
take them all. This process keeps no copy, so a dead worker's socket closes with it. The port
is checked with a plain bind first, so a second server on it fails instead of joining the
group; that check cannot see a server whose workers are all still starting.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event as EventType

import uvicorn

from api.parent_watch import when_orphaned

logger = logging.getLogger("uvicorn.error")

# Checks for dead workers this often.
POLL_SECONDS = 0.5
# A worker that died before serving is restarted after 1, 2, 4, ... seconds, at most this.
MAX_RESTART_DELAY_SECONDS = 30.0
# Stopping workers finish their requests in flight; after this long they are killed.
STOP_GRACE_SECONDS = 30.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_spawn = multiprocessing.get_context("spawn")


class PortInUse(Exception):
    """The address is taken: another server (or another TicketKing) listens on it."""


def reuseport_supported() -> bool:
    """Only Linux spreads connections over SO_REUSEPORT sockets (BSDs give one socket all)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    """As uvicorn binds: IPv6 for an address with a colon, else IPv4 (names resolve to IPv4)."""
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUse if anything listens on host:port, even a group of SO_REUSEPORT sockets.

    A plain bind (SO_REUSEADDR only, as uvicorn binds) fails against any listener; a
    SO_REUSEPORT bind would quietly join another server's group of the same user.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


def bind_worker_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port beside the other workers' (SO_REUSEPORT); not listening yet."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


class _WorkerServer(uvicorn.Server):
    """uvicorn's server that tells the supervisor once it serves (after the app's startup)."""

    def __init__(self, config: uvicorn.Config, serving: EventType) -> None:
        super().__init__(config)
        self.serving = serving

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.serving.set()


def _run_worker(
    config: uvicorn.Config, sock: socket.socket, serving: EventType, supervisor: int
) -> None:  # pragma: no cover (runs in the child)
    """A worker process: uvicorn serving on its own socket, until stopped or orphaned."""
    config.configure_logging()
    server = _WorkerServer(config, serving)
    # A SIGKILLed supervisor cannot stop its workers: they stop themselves, gracefully.
    when_orphaned(supervisor, lambda: setattr(server, "should_exit", True))
    # Ctrl-C reaches the whole process group: the supervisor stops too, no traceback here.
    with suppress(KeyboardInterrupt):
        server.run(sockets=[sock])


@dataclass
class _Worker:
    process: SpawnProcess
    serving: EventType  # set once the worker has started serving


class Supervisor:
    """Starts the workers, replaces any that dies, and stops them all on SIGINT/SIGTERM/SIGHUP."""

    def __init__(self, config: uvicorn.Config, workers: int) -> None:
        self.config = config
        self.workers = workers
        self.running: list[_Worker | None] = []
        self.restart_at: list[float] = [0.0] * workers  # for an empty slot
        self.restart_delay: list[float] = [0.0] * workers
        self.served = False  # some worker has served: the app itself works
        self.stop_requested = False  # a plain flag: signal handlers must not take locks
        self.failed = False

    def _start_worker(self) -> _Worker:
        serving = _spawn.Event()
        sock = bind_worker_socket(self.config.host, self.config.port)
        try:
            process = _spawn.Process(
                target=_run_worker, args=(self.config, sock, serving, os.getpid())
            )
            process.start()  # the child now holds its own descriptor of the socket
        finally:
            # No copy stays here: a dead worker's socket must close and leave the group.
            sock.close()
        logger.info("Started worker process [%d]", process.pid)
        return _Worker(process, serving)

    def _stop_with_error(self, message: str, *args: object) -> None:
        logger.error(message, *args)
        self.failed = True
        self.stop_requested = True

    def _reap(self, i: int, worker: _Worker) -> None:
        """A worker has died: stop if the app cannot start at all, else schedule a new one."""
        process = worker.process
        process.join()
        served = worker.serving.is_set()
        self.served = self.served or served
        killed = process.exitcode is not None and process.exitcode < 0  # by a signal
        if not served and not killed and not self.served:
            # It gave up before any worker ever served: the app, its database or its keys are
            # broken, and every new worker would fail alike.
            self._stop_with_error(
                "Worker process [%d] failed to start (exit code %s); stopping.",
                process.pid,
                process.exitcode,
            )
            return
        # One that served is replaced at once; one that never did, after a growing delay.
        backoff = min(max(1.0, 2 * self.restart_delay[i]), MAX_RESTART_DELAY_SECONDS)
        delay = 0.0 if served else backoff
        self.restart_delay[i] = delay
        self.restart_at[i] = time.monotonic() + delay
        self.running[i] = None
        logger.warning(
            "Worker process [%d] died (exit code %s); starting another in %.0f s.",
            process.pid,
            process.exitcode,
            delay,
        )

    def _keep_workers(self) -> None:
        for i, worker in enumerate(self.running):
            if self.stop_requested:
                return
            if worker is not None and not worker.process.is_alive():
                self._reap(i, worker)
            elif worker is None and time.monotonic() >= self.restart_at[i]:
                try:
                    self.running[i] = self._start_worker()
                except PortInUse as exc:  # taken while no worker held it
                    self._stop_with_error("Cannot start another worker: %s; stopping.", exc)

    def _stop_all(self) -> None:
        processes = [worker.process for worker in self.running if worker is not None]
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn's graceful shutdown
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                logger.warning("Worker process [%d] did not stop; killing it.", process.pid)
                process.kill()
                process.join()

    def _on_signal(self, *_: object) -> None:
        self.stop_requested = True

    def run(self) -> int:
        """Serve until a stop signal (exit code 0) or a worker that cannot start (1)."""
        for sig in STOP_SIGNALS:
            if signal.getsignal(sig) is not signal.SIG_IGN:  # nohup ignores SIGHUP: so do we
                signal.signal(sig, self._on_signal)
        try:
            for _ in range(self.workers):
                self.running.append(self._start_worker())
            while not self.stop_requested:
                time.sleep(POLL_SECONDS)
                self._keep_workers()
        finally:
            self._stop_all()
        return 1 if self.failed else 0


def serve_workers(config: uvicorn.Config, workers: int) -> int:
    """Run `workers` uvicorn processes on config.host:config.port, a socket each; the exit code."""
    check_port_free(config.host, config.port)
    return Supervisor(config, workers).run()
