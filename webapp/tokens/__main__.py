"""``python -m webapp.tokens``: issue, list and revoke API tokens (the store is :mod:`webapp.tokens`).

Its own module, so that running it never imports it twice (the package ``webapp`` loads the store first).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from indexer.settings import Settings
from webapp.tokens import ROLES, TokenFileError, TokenStore


def main(argv: list[str] | None = None) -> int:
    """The ``python -m webapp.tokens`` command line."""
    p = argparse.ArgumentParser(prog="python -m webapp.tokens", description="Issue, list and revoke API tokens.")
    p.add_argument("--file", type=Path, default=None, help="tokens file (default $JIANBAO_TOKENS_FILE)")
    sub = p.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="issue a token and print it (it is shown only this once)")
    add.add_argument("--user", required=True)
    add.add_argument("--groups", default="", help="comma-separated groups")
    add.add_argument("--role", default="reader", choices=ROLES)
    add.add_argument("--days", type=float, default=None, help="valid for this many days (default: no expiry)")
    sub.add_parser("list", help="list tokens (ids, users, groups, roles, expiry; never the secrets)")
    revoke = sub.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id")
    args = p.parse_args(argv)
    path = args.file or Settings.from_env().tokens_file
    if path is None:
        print("error: no tokens file: set JIANBAO_TOKENS_FILE or pass --file", file=sys.stderr)
        return 2
    try:
        return _run(TokenStore(path), args)
    except TokenFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _run(store: TokenStore, args: argparse.Namespace) -> int:
    if args.command == "add":
        print(store.add(args.user, [g.strip() for g in args.groups.split(",") if g.strip()], args.role, args.days))
    elif args.command == "list":
        for r in store.records().values():
            state = "revoked" if r.revoked else f"expires {r.expires}" if r.expires else "no expiry"
            print(f"{r.id}\t{r.user}\t{','.join(r.groups)}\t{r.role}\t{state}")
    elif not store.revoke(args.id):
        print(f"error: no token with id {args.id}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
