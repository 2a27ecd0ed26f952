"""What a server's processes hold, read from Linux /proc: children, open files, TCP sockets."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from sqlalchemy.engine import make_url

LISTEN = "0A"
ESTABLISHED = "01"


def children(pid: int) -> list[int]:
    """The direct children of a process."""
    kids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with suppress(OSError):
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def api_workers(server_pid: int, workers: int) -> list[int]:
    """The uvicorn worker processes of a server (the server itself with one worker)."""
    if workers == 1:
        return [server_pid]
    # Direct children started by multiprocessing's spawn (not its resource tracker).
    return [
        pid
        for pid in children(server_pid)
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def open_files(pid: int) -> set[str]:
    """The targets of a process's descriptors (paths, or `socket:[inode]`)."""
    links = set()
    with suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with suppress(OSError):
                links.add(os.readlink(fd))
    return links


def _tcp_sockets(port: int, state: str, *, remote: bool) -> set[str]:
    """`socket:[inode]` of the TCP sockets in a state whose local (or remote) port is `port`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                address = fields[2] if remote else fields[1]
                if int(address.rsplit(":", 1)[1], 16) == port and fields[3] == state:
                    inodes.add(f"socket:[{fields[9]}]")
    return inodes


def listening_sockets(port: int) -> set[str]:
    """The listening sockets on a local port (one per worker with SO_REUSEPORT)."""
    return _tcp_sockets(port, LISTEN, remote=False)


def holds_database(pid: int, database_url: str) -> bool:
    """Whether the process has the database open: the SQLite file, or a PostgreSQL socket."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return os.path.realpath(str(url.database)) in open_files(pid)
    postgres = _tcp_sockets(url.port or 5432, ESTABLISHED, remote=True)
    return bool(open_files(pid) & postgres)


def alive(pid: int) -> bool:
    """Running: not gone, and not a zombie waiting for a parent that may never reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
