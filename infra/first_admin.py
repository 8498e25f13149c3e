"""``make first-admin STAGE=prod TABLE=<table>``: create the first admin of a deployed stack, once.

Run from a machine with credentials for the account. The signing keys are
not needed; the table name is the stack's ``TableName`` output. The admin's
user name comes from TINGSHENG_ADMIN_USER (default ``admin``) and the password
from TINGSHENG_ADMIN_PASSWORD, or is generated and printed once. Nothing
happens when an admin exists already.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", help="the stack's DynamoDB table (its TableName output)")
    args = parser.parse_args(argv)
    os.environ["TINGSHENG_TABLE"] = args.table
    # The keys only sign tokens and QR codes; creating a user needs neither.
    os.environ.setdefault("TINGSHENG_TOKEN_KEY", "unused-here-" + "x" * 32)
    os.environ.setdefault("TINGSHENG_QR_KEY", "unused-here-" + "x" * 32)

    from chalicelib import composition
    from chalicelib.services import accounts

    username = os.environ.get("TINGSHENG_ADMIN_USER") or "admin"
    if composition.users().any_admin():
        print("An admin exists already: nothing to do.")
        return 0
    generated = accounts.ensure_first_admin(
        composition.users(), composition.clock(), username=username, password=os.environ.get("TINGSHENG_ADMIN_PASSWORD")
    )
    print(
        f"Created the first admin '{username}'" + (f" with password: {generated}  (shown once)" if generated else ".")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
