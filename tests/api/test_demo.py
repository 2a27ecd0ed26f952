"""`ticketking demo`: in-process at depth 4, against a running server, and every way it fails."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import segno

from api.cli import main
from api.config import Settings
from api.demo import PREFIX, DemoError, _local_settings, api_base, run_demo
from api.token import encode_token
from tests.api.conftest import SQLITE_ONLY, TEST_DEPTH
from tests.api.live_server import free_port, running_server, server_env
from tests.api.test_token import _token as sample_token
from tests.conftest import IN_CI

TOKEN_LINE = re.compile(r"^  (A[A-Za-z0-9_-]{334})$", re.MULTILINE)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
VERDICTS = ('"reason": "invalid_proof"', '"accepted": true', '"reason": "already_consumed"')


def _token_in(out: str) -> str:
    tokens = TOKEN_LINE.findall(out)
    assert len(tokens) == 1, out
    return str(tokens[0])


def check_png(png: Path, token: str) -> None:
    """The PNG is a QR code of `token` at level M (decoded back when zxing-cpp is installed)."""
    assert png.read_bytes().startswith(PNG_MAGIC)
    qr = segno.make(token, error="m", boost_error=False)
    assert (qr.error, qr.version, qr.mode) == ("M", 14, "byte")
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:
        # Locally the header and segno's symbol are all we can check; CI has the test extras.
        if IN_CI:
            pytest.fail("zxing-cpp and pillow (the test extras) are required in CI")
        return
    found = zxingcpp.read_barcodes(Image.open(png))
    assert [r.text for r in found] == [token]
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode and found[0].ec_level == "M"


def _check_story(out: str) -> None:
    assert "[9/9]" in out and "QR version 14" in out and "error correction level M" in out
    at = [out.index(verdict) for verdict in VERDICTS]
    assert at == sorted(at), out  # forgery refused, then accepted once, then the replay refused


def test_demo_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configured = tmp_path / "configured-data"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TICKETKING_DATA_DIR", str(configured))
    monkeypatch.delenv("TICKETKING_CIRCUITS_DIR", raising=False)
    # The throwaway server uses its own SQLite, never the configured database.
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/not-here")
    assert main(["demo", "--depth", str(TEST_DEPTH)]) == 0
    out = capsys.readouterr().out
    _check_story(out)
    assert f"Merkle depth {TEST_DEPTH}" in out
    assert f"Making the ticketing circuit's keys (depth {TEST_DEPTH})" in out
    check_png(tmp_path / "ticketking-demo-qr.png", _token_in(out))  # the default path
    # Nothing left behind but the PNG: no configured data dir made, the temporary one removed.
    assert not configured.exists()
    temp = re.search(r"SQLite in (\S+),", out)
    assert temp is not None and not Path(temp.group(1)).exists()


# The demo is an HTTP client: the server's storage is covered on both backends by the README
# walkthrough test (tests/api/test_readme_walkthrough.py), so one backend is enough here.
@SQLITE_ONLY
def test_demo_against_a_running_server(
    tmp_path: Path,
    database_url: str,
    circuits_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    png = tmp_path / "qr" / "token.png"
    with running_server(server_env(tmp_path / "data", database_url, circuits_dir)) as (
        base,
        banner,
        _,
    ):
        admin = [line for line in banner.splitlines() if line.startswith("tk_")][0]
        assert main(["demo", "--url", base, "--admin-key", admin, "--png", str(png)]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"TicketKing demo against {base}{PREFIX}\n")
        _check_story(out)
        check_png(png, _token_in(out))
        # Again on the same server (fresh ids), the key from the environment, the full API URL.
        monkeypatch.setenv("TICKETKING_ADMIN_KEY", admin)
        assert main(["demo", "--url", f"{base}{PREFIX}/", "--png", str(png)]) == 0
        check_png(png, _token_in(capsys.readouterr().out))
        # The invalid twin: a key the server does not know stops the demo at step 1.
        assert main(["demo", "--url", base, "--admin-key", "tk_nope_nope", "--png", "x.png"]) == 1
        err = capsys.readouterr().err
        assert err.startswith(
            "error: step 1 (A merchant (admin key)): POST /merchants answered 401"
        )
        assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--url", "http://127.0.0.1:{port}", "--admin-key", "tk_a_b"], "cannot reach"),
        (["--url", "ftp://127.0.0.1:{port}", "--admin-key", "tk_a_b"], "must start with http"),
        (["--url", "http://127.0.0.1:{port}"], "needs an admin key"),
        (["--url", "http://127.0.0.1:{port}", "--admin-key", "k", "--depth", "4"], "--depth"),
        (["--admin-key", "tk_a_b"], "goes with --url"),
    ],
)
def test_demo_refuses_with_one_line(
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("TICKETKING_ADMIN_KEY", raising=False)
    port = free_port()  # nothing listens there
    assert main(["demo", *(a.format(port=port) for a in argv)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_demo_depth_is_checked_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--depth", "0"])
    assert exit_.value.code == 2 and "depth must be 1 to 32" in capsys.readouterr().err


def test_api_base_accepts_the_server_or_the_api_url() -> None:
    assert api_base("http://h:8000") == f"http://h:8000{PREFIX}"
    assert api_base(f"http://h:8000{PREFIX}/") == f"http://h:8000{PREFIX}"
    with pytest.raises(DemoError):
        api_base("h:8000")


class FakeServer:
    """Canned answers for every step; `override` changes one path's (status, body)."""

    def __init__(self, override: dict[str, tuple[int, dict[str, Any]]]) -> None:
        self.override = override
        token = encode_token(sample_token())
        self.answers: dict[str, tuple[int, dict[str, Any]]] = {
            "/merchants": (201, {"merchant_id": "m_1", "key_id": "k1", "api_key": "tk_k1_s"}),
            "/events": (201, {"event_id": "ev", "scopes": ["ev"]}),
            "/tickets": (
                201,
                {"ticket_id": "t", "tier": "ga", "state": "active", "holder_bound": True},
            ),
            "/keys": (201, {"key_id": "k2", "api_key": "tk_k2_s"}),
            "/proof-token": (200, {"token": token, "scope": "ev", "expires_at": "soon"}),
            "/verify": (200, {"accepted": False, "reason": "invalid_proof"}),
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(PREFIX)
        status, body = self.override.get(path, self.answers[path])
        return httpx.Response(status, content=json.dumps(body).encode())


@pytest.mark.parametrize(
    ("override", "step"),
    [
        (
            {"/proof-token": (503, {"error": {"code": "prover_unavailable", "message": "busy"}})},
            "step 5 (A proof token for the holder's QR (merchant key; proved by the server)): "
            "POST /proof-token answered 503 (expected 200): prover_unavailable: busy",
        ),
        # A gate that takes the forgery must fail the demo, not pass it.
        ({"/verify": (200, {"accepted": True})}, "step 7 (A tampered token"),
        ({"/events": (200, {"event_id": "ev", "scopes": ["ev"]})}, "step 2"),
        ({"/keys": (201, {"key_id": "k2"})}, "step 4 (A key for the scanner at gate north "),
        (
            {"/proof-token": (200, {"token": "A" * 335, "scope": "ev", "expires_at": "soon"})},
            "step 5 (A proof token for the holder's QR (merchant key; proved by the server)): "
            "the server's token is malformed",
        ),
    ],
)
def test_an_unexpected_answer_stops_the_demo(
    tmp_path: Path, override: dict[str, tuple[int, dict[str, Any]]], step: str
) -> None:
    transport = httpx.MockTransport(FakeServer(override))
    with (
        httpx.Client(transport=transport, base_url=f"http://demo{PREFIX}") as client,
        pytest.raises(DemoError) as error,
    ):
        run_demo(client, "tk_admin_s", tmp_path / "qr.png", io.StringIO())
    assert str(error.value).startswith(step)
    assert "\n" not in str(error.value)


def test_local_settings_reuse_existing_circuit_keys_only(
    tmp_path: Path, circuits_dir: Path
) -> None:
    configured = Settings(
        data_dir=tmp_path / "configured",
        circuits_dir=circuits_dir,
        database_url="postgresql://nobody@127.0.0.1:9/not-here",
    )
    local = _local_settings(configured, tmp_path / "demo", TEST_DEPTH)
    assert local.circuits_dir == circuits_dir.resolve()  # the depth-4 keys are there
    assert local.resolved_database_url == f"sqlite:///{tmp_path / 'demo' / 'ticketking.db'}"
    assert local.prover_workers == 1
    deeper = _local_settings(configured, tmp_path / "demo", TEST_DEPTH + 1)
    assert deeper.circuits_dir == tmp_path / "demo" / "circuits"  # none: made in the temp dir
