"""`serve --workers N`: N uvicorn processes, each accepting on a listening socket of its own.

uvicorn's supervisor hands every worker the same listening socket, and whichever worker is idle
first takes the next connection. Gates keep their connections open, so one worker could end up
with nearly all of them: measured 6 of 64 vs 58, at 349 scans/s and p99 915 ms (docs/api.md,
"Load"). Here each worker gets its own socket bound with SO_REUSEPORT, and the kernel spreads
new connections over the workers' sockets by a hash of their addresses.

The sockets are bound and listening in this (supervisor) process before a worker starts, so a
second server on the same port fails at once. A dead worker's socket closes with it (this
process keeps no copy) and leaves the group: new connections go to the live workers until its
replacement binds a fresh socket.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event as EventType

import uvicorn

logger = logging.getLogger("uvicorn.error")

# Checks for dead workers this often.
POLL_SECONDS = 0.5
# A stopping worker finishes its requests in flight; after this long it is killed.
STOP_GRACE_SECONDS = 30.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

multiprocessing.allow_connection_pickling()  # a socket goes to each worker as an argument
_spawn = multiprocessing.get_context("spawn")


class PortInUse(Exception):
    """The address is taken: another server (or another TicketKing) listens on it."""


def reuseport_supported() -> bool:
    """Only Linux spreads connections over SO_REUSEPORT sockets (BSDs give one socket all)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _address(host: str, port: int) -> tuple[socket.AddressFamily, tuple[str, int]]:
    family, _, _, _, sockaddr = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return family, (str(sockaddr[0]), int(sockaddr[1]))


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUse if anything listens on host:port, even a group of SO_REUSEPORT sockets.

    A plain bind (SO_REUSEADDR only, as uvicorn binds) fails against any listener; a
    SO_REUSEPORT bind would quietly join another server's group of the same user.
    """
    family, address = _address(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


def bind_worker_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A listening socket that shares host:port with the other workers' (SO_REUSEPORT)."""
    family, address = _address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
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
    config: uvicorn.Config, sock: socket.socket, serving: EventType
) -> None:  # pragma: no cover (runs in the child)
    """A worker process: uvicorn serving on its own socket."""
    config.configure_logging()
    # Ctrl-C reaches the whole process group: the supervisor stops too, no traceback here.
    with suppress(KeyboardInterrupt):
        _WorkerServer(config, serving).run(sockets=[sock])


@dataclass
class _Worker:
    process: SpawnProcess
    serving: EventType  # set once the worker has started serving


class Supervisor:
    """Starts the workers, replaces any that dies, and stops them all on SIGINT/SIGTERM/SIGHUP."""

    def __init__(self, config: uvicorn.Config, workers: int) -> None:
        self.config = config
        self.workers = workers
        self.running: list[_Worker] = []
        self.stopping = threading.Event()
        self.failed = False

    def _start_worker(self) -> _Worker:
        sock = bind_worker_socket(self.config.host, self.config.port, self.config.backlog)
        serving = _spawn.Event()
        try:
            process = _spawn.Process(target=_run_worker, args=(self.config, sock, serving))
            process.start()  # the child now holds its own descriptor of the socket
        finally:
            # No copy stays here: a dead worker's socket must close and leave the group,
            # or the kernel would keep handing it connections nobody accepts.
            sock.close()
        logger.info("Started worker process [%d]", process.pid)
        return _Worker(process, serving)

    def _stop_with_error(self, message: str, *args: object) -> None:
        logger.error(message, *args)
        self.failed = True
        self.stopping.set()

    def _replace_dead_workers(self) -> None:
        for i, worker in enumerate(self.running):
            process = worker.process
            if process.is_alive() or self.stopping.is_set():
                continue
            process.join()
            killed = process.exitcode is not None and process.exitcode < 0  # by a signal
            if not worker.serving.is_set() and not killed:
                # It gave up before serving: the app, its database or its keys are broken,
                # and every replacement would fail alike.
                self._stop_with_error(
                    "Worker process [%d] failed to start (exit code %s); stopping.",
                    process.pid,
                    process.exitcode,
                )
                return
            logger.warning(
                "Worker process [%d] died (exit code %s); starting another.",
                process.pid,
                process.exitcode,
            )
            try:
                self.running[i] = self._start_worker()
            except OSError as exc:  # the port was taken while no worker held it
                self._stop_with_error("Cannot start another worker: %s; stopping.", exc)
                return

    def _stop_all(self) -> None:
        processes = [worker.process for worker in self.running]
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn's graceful shutdown
        for process in processes:
            process.join(STOP_GRACE_SECONDS)
            if process.is_alive():
                logger.warning("Worker process [%d] did not stop; killing it.", process.pid)
                process.kill()
                process.join()

    def run(self) -> int:
        """Serve until a stop signal (exit code 0) or a worker that cannot start (1)."""
        for sig in STOP_SIGNALS:
            signal.signal(sig, lambda *_: self.stopping.set())
        try:
            for _ in range(self.workers):
                self.running.append(self._start_worker())
            while not self.stopping.wait(POLL_SECONDS):
                self._replace_dead_workers()
        finally:
            self._stop_all()
        return 1 if self.failed else 0


def serve_workers(config: uvicorn.Config, workers: int) -> int:
    """Run `workers` uvicorn processes on config.host:config.port, a socket each; the exit code."""
    check_port_free(config.host, config.port)
    return Supervisor(config, workers).run()
