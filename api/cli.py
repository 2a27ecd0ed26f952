"""`ticketking`: serve the API, initialise the database, make API keys, run the demo."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from api.config import Settings
from api.db import make_engine, make_sessionmaker, migrate
from api.models import Event, Role
from api.security import NewKey
from api.services.circuit import ensure_circuit_keys
from api.services.keys import create_key, has_active_admin


def _prepare(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _ = settings.master_key  # makes the key file on first start
    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(engine)
    finally:
        engine.dispose()


def _circuit_keys(settings: Settings) -> None:
    """The circuit's keys: made once per depth (with a progress bar), reused on every start."""
    keys = ensure_circuit_keys(settings, progress=True)
    print(
        f"Circuit keys ready: {keys.zkey_path.parent} (depth {keys.depth}, "
        f"{keys.constraints} constraints)"
    )


def _first_admin(settings: Settings) -> NewKey | None:
    """Make the first admin key if there is none yet; None if one exists."""
    engine = make_engine(settings.resolved_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            if has_active_admin(session):
                return None
            _, new = create_key(session, Role.ADMIN)
            return new
    finally:
        engine.dispose()


def _print_admin(new: NewKey | None) -> None:
    if new is None:
        print("An admin key exists already (make another: ticketking keys create --role admin).")
        return
    print("Created the first admin API key. It is shown this once; keep it safe:")
    print(new.plaintext)


def cmd_init(settings: Settings, _: argparse.Namespace) -> int:
    """Apply migrations, make the circuit keys and print a first admin key (once)."""
    _prepare(settings)
    _circuit_keys(settings)
    print(f"Database ready: {_safe_url(settings)}")
    _print_admin(_first_admin(settings))
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """Migrate, make the circuit keys and the first admin key if needed, then run uvicorn."""
    from api.serve_workers import PortInUse

    try:
        return _serve(settings, args)
    except PortInUse as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    """cmd_serve's work; raises PortInUse if host:port is taken.

    Several workers get a listening socket each (api/serve_workers.py), where the OS spreads
    connections over them (Linux); elsewhere uvicorn's supervisor shares one socket.
    """
    import uvicorn

    from api.serve_workers import check_port_free, reuseport_supported, serve_workers

    check_port_free(args.host, args.port)  # before the slow steps: fail fast and clearly
    _prepare(settings)
    _circuit_keys(settings)
    new = _first_admin(settings)
    if new is not None:
        _print_admin(new)
    else:
        print(
            "Admin key: printed at first start; make another with "
            "`ticketking keys create --role admin`."
        )
    print(
        f"TicketKing on http://{args.host}:{args.port}  (docs: /docs, "
        f"database: {_safe_url(settings)})",
        flush=True,
    )
    if settings.prover_workers is None and args.workers > 1:
        # Each API worker has its own prover pool: share the cores rather than oversubscribe.
        share = max(1, (os.cpu_count() or 1) // args.workers)
        os.environ["TICKETKING_PROVER_WORKERS"] = str(share)
    app = "api.app:create_app"
    if args.workers > 1 and reuseport_supported():
        config = uvicorn.Config(
            app, factory=True, host=args.host, port=args.port, log_level=args.log_level
        )
        return serve_workers(config, args.workers)
    uvicorn.run(
        app,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
    )
    return 0


def cmd_keys_create(settings: Settings, args: argparse.Namespace) -> int:
    """Make a key and print it alone on the last line of stdout."""
    _prepare(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            event = None
            if args.event:
                event = session.query(Event).filter_by(event_id=args.event).first()
                if event is None:
                    print(f"error: event {args.event!r} not found", file=sys.stderr)
                    return 2
            row, new = create_key(
                session,
                Role(args.role),
                merchant_id=args.merchant,
                event=event,
                gate_ids=args.gate or None,
            )
    finally:
        engine.dispose()
    print(f"{row.role.value} key {row.key_id} created (shown once):")
    print(new.plaintext)
    return 0


def cmd_keys_revoke(settings: Settings, args: argparse.Namespace) -> int:
    """Revoke a key by its key_id."""
    from api.auth import Principal
    from api.services.keys import revoke_key

    _prepare(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            revoke_key(session, Principal("cli", Role.ADMIN, None), args.key_id)
    finally:
        engine.dispose()
    print(f"key {args.key_id} revoked")
    return 0


def cmd_token_inspect(_: Settings, args: argparse.Namespace) -> int:
    """Print a proof token's fields (or JSON); exit 2 with one line if it is malformed."""
    import json

    from api.token import TokenError, decode_token, describe_token

    try:
        info = describe_token(decode_token(args.token))
    except TokenError as exc:
        print(f"error: {exc.reason}: {exc.message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        width = max(len(k) for k in info)
        for key, value in info.items():
            print(f"{key:<{width}}  {value}")
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """The whole flow, narrated, against --url or an in-process server; exit 1 on a surprise."""
    import os
    from pathlib import Path

    from api.demo import DemoError, demo_against, demo_local

    png = Path(args.png)
    try:
        if args.url is not None:
            if args.depth is not None:
                raise DemoError("--depth applies to the in-process server (the server's is fixed)")
            admin = args.admin_key or os.environ.get("TICKETKING_ADMIN_KEY")
            if not admin:
                raise DemoError("--url needs an admin key: --admin-key or TICKETKING_ADMIN_KEY")
            demo_against(args.url, admin, png, sys.stdout)
            return 0
        if args.admin_key is not None:
            raise DemoError("--admin-key goes with --url (the in-process server makes its own)")
        depth = args.depth if args.depth is not None else settings.merkle_depth
        demo_local(settings, depth, png, sys.stdout)
        return 0
    except DemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _depth(text: str) -> int:
    depth = int(text)
    if not 1 <= depth <= 32:
        raise argparse.ArgumentTypeError("depth must be 1 to 32")
    return depth


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def cmd_wallet_new_secret(_: Settings, args: argparse.Namespace) -> int:
    """Print a fresh holder secret and its commitment (JSON); --out keeps the secret in a file."""
    import json

    from api.fields import element_hex
    from api.wallet import new_holder_secret, write_secret_file
    from circuits.ticket import holder_commitment

    secret = new_holder_secret()
    out = {"holder_commitment": element_hex(holder_commitment(secret))}
    if args.out:
        try:
            write_secret_file(args.out, secret)
        except OSError as exc:
            print(f"error: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
            return 2
        out["secret_file"] = args.out
    else:
        out["holder_secret"] = element_hex(secret)
    print(json.dumps(out, indent=2))
    return 0


def cmd_wallet_token(_: Settings, args: argparse.Namespace) -> int:
    """Prove locally from a wallet bundle and print the token (exit 2 with a reason if not)."""
    from api.wallet import WalletError, make_token, read_secret_file

    try:
        bundle = Path(args.bundle).read_bytes()
        token = make_token(
            bundle,
            read_secret_file(args.secret_file),
            proving_key=args.zkey,
            ttl_seconds=args.ttl,
            scope=args.scope,
        )
    except (OSError, WalletError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


def cmd_wallet_fetch_key(_: Settings, args: argparse.Namespace) -> int:
    """Download the service's proving key (GET /circuit/zkey) and print its SHA-256."""
    from api.wallet import WalletError, fetch_proving_key

    try:
        digest = fetch_proving_key(args.url, args.out, expected_sha256=args.sha256)
    except (OSError, WalletError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out}  sha256 {digest}")
    return 0


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.resolved_database_url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(prog="ticketking", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP API (migrates first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=_positive, default=1, help="API processes (each with a socket of its own)"
    )
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=cmd_serve)

    init = sub.add_parser("init", help="create the schema and print a first admin key")
    init.set_defaults(func=cmd_init)

    keys = sub.add_parser("keys", help="manage API keys").add_subparsers(
        dest="keys_cmd", required=True
    )
    create = keys.add_parser("create", help="make a key; printed alone on the last line")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--merchant", help="merchant id (merchant and gate keys)")
    create.add_argument("--event", help="event id (gate keys)")
    create.add_argument("--gate", action="append", help="gate id (repeatable; default: all)")
    create.set_defaults(func=cmd_keys_create)
    revoke = keys.add_parser("revoke", help="revoke a key by key_id")
    revoke.add_argument("key_id")
    revoke.set_defaults(func=cmd_keys_revoke)

    token = sub.add_parser("token", help="proof tokens").add_subparsers(
        dest="token_cmd", required=True
    )
    inspect = token.add_parser("inspect", help="print a proof token's fields (exit 2 if malformed)")
    inspect.add_argument("token")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(func=cmd_token_inspect)

    demo = sub.add_parser(
        "demo",
        help="run the whole flow, narrated: merchant to QR code to gate (exit 1 on a surprise)",
    )
    demo.add_argument("--url", help="a running server (default: start one in this process)")
    demo.add_argument("--admin-key", help="an admin key for --url (default: $TICKETKING_ADMIN_KEY)")
    demo.add_argument(
        "--png", default="ticketking-demo-qr.png", help="where to save the QR code's PNG"
    )
    demo.add_argument(
        "--depth",
        type=_depth,
        help="Merkle depth of the in-process server (default: TICKETKING_MERKLE_DEPTH or 20)",
    )
    demo.set_defaults(func=cmd_demo)

    wallet = sub.add_parser(
        "wallet", help="wallet binding: prove on the holder's own machine (docs/api.md)"
    ).add_subparsers(dest="wallet_cmd", required=True)
    new_secret = wallet.add_parser(
        "new-secret", help="a fresh holder secret and its commitment (give the merchant that)"
    )
    new_secret.add_argument("--out", help="write the secret to this new file (mode 0600)")
    new_secret.set_defaults(func=cmd_wallet_new_secret)
    make = wallet.add_parser("token", help="prove from a wallet bundle; prints the token")
    make.add_argument("--bundle", required=True, help="GET /tickets/{id}/wallet's JSON")
    make.add_argument("--secret-file", required=True, help="the holder secret (0x-hex)")
    make.add_argument("--zkey", required=True, help="the circuit's proving key (fetch-key)")
    make.add_argument("--ttl", type=int, default=30, help="token lifetime, 5 to 300 s")
    make.add_argument("--scope", help="entry scope (when the event has several)")
    make.set_defaults(func=cmd_wallet_token)
    fetch = wallet.add_parser("fetch-key", help="download the proving key (GET /circuit/zkey)")
    fetch.add_argument("--url", required=True, help="the service's base URL")
    fetch.add_argument("--out", default="ticketing.zkey", help="where to save it")
    fetch.add_argument("--sha256", help="expected SHA-256 (a bundle's proving_key_sha256)")
    fetch.set_defaults(func=cmd_wallet_fetch_key)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ticketking` command."""
    from api.errors import ApiError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(Settings(), args))
    except ApiError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
