"""The README's walkthrough and ticket rules, run as written against `ticketking serve`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.api.live_server import ROOT, running_server, server_env


def readme_block(mark: str) -> str:
    """The fenced bash block after README.md's `<!-- mark ... -->` comment (exactly one)."""
    pattern = re.compile(rf"<!-- {mark}\b[^>]*-->\s*```bash\n(.*?)```", re.DOTALL)
    blocks = pattern.findall((ROOT / "README.md").read_text())
    assert len(blocks) == 1, f"README.md needs exactly one <!-- {mark} --> bash block"
    return str(blocks[0])


def walkthrough_block() -> str:
    """The walkthrough: merchant, event, gate key, ticket, token, two scans."""
    return readme_block("walkthrough")


def _fake_venv(cwd: Path, script: str) -> None:
    """`.venv/bin/ticketking` in `cwd`, as the README's block calls it from the repo root."""
    path = cwd / ".venv" / "bin" / "ticketking"
    path.parent.mkdir(parents=True)
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)


def _run_block(
    cwd: Path, env: dict[str, str], script: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script or walkthrough_block()],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _answers(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith('{"accepted"')]


@contextmanager
def _checkout_with_server(
    tmp_path: Path, database_url: str, circuits_dir: Path
) -> Iterator[tuple[Path, dict[str, str]]]:
    """(a checkout dir, the env) with `ticketking serve` running and TICKETKING_URL set."""
    env = server_env(tmp_path / "data", database_url, circuits_dir)
    cwd = tmp_path / "checkout"
    # The real CLI on the server's database makes the admin key, as in a checkout with .venv.
    _fake_venv(cwd, f'PYTHONPATH="{ROOT}" exec "{sys.executable}" -m api.cli "$@"')
    with running_server(env) as (base, _, _):
        env["TICKETKING_URL"] = base
        yield cwd, env


def test_readme_walkthrough_works_as_written(
    tmp_path: Path, database_url: str, circuits_dir: Path
) -> None:
    with _checkout_with_server(tmp_path, database_url, circuits_dir) as (cwd, env):
        first = _run_block(cwd, env)
        assert first.returncode == 0, first.stderr + first.stdout
        answers = _answers(first.stdout)
        assert [a["accepted"] for a in answers] == [True, False], first.stdout
        assert answers[0]["gate_id"] == "north" and answers[0]["tier"] == "ga"
        assert answers[1] == {"accepted": False, "reason": "already_consumed"}
        lines = first.stdout.splitlines()
        assert lines[0].startswith("fest-") and lines[1] == "active"
        if database_url.startswith("sqlite"):  # storage-independent: one backend is enough
            # Fresh ids each run: the block works again on the same server.
            again = _run_block(cwd, env)
            assert again.returncode == 0, again.stderr + again.stdout
            assert [a["accepted"] for a in _answers(again.stdout)] == [True, False]
        # The invalid twin: a bad admin key is a 401 at the first curl, and the block stops.
        bad = tmp_path / "bad-checkout"
        _fake_venv(bad, "echo tk_notakey_notasecret")
        failed = _run_block(bad, env)
        assert failed.returncode != 0
        assert "401" in failed.stderr, failed.stderr
        assert _answers(failed.stdout) == [] and failed.stdout == ""


def test_readme_rules_work_as_written(
    tmp_path: Path, database_url: str, circuits_dir: Path
) -> None:
    with _checkout_with_server(tmp_path, database_url, circuits_dir) as (cwd, env):
        done = _run_block(cwd, env, walkthrough_block() + readme_block("rules"))
    assert done.returncode == 0, done.stderr + done.stdout
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("rules-"))
    steps = lines[start + 1 :]
    expected = [
        ("holder_mismatch", "403"),
        ('"accepted":true', '"scope":"day-1"'),
        ("token_interval", "429"),
        ("completed",),
        ("price_above_cap", "403"),
        ("not_yet_active", "409"),
        ("revoked",),
        ('{"accepted":false,"reason":"revoked"}',),
        ("wallet",),
        ('"accepted":true', '"scope":"day-2"'),
        ('"entries":2', '"rejections":{"revoked":1}'),
        ("ticket.consumed", "ticket.revoked"),
    ]
    assert len(steps) == len(expected), done.stdout
    for line, parts in zip(steps, expected, strict=True):
        assert all(p in line for p in parts), (line, parts)
