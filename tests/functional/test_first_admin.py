"""`make first-admin` against a (moto) table: creates the first admin once."""

import os

import pytest

from chalicelib import composition
from infra import first_admin


def test_the_first_admin_of_a_deployed_stack_is_created_once(aws, capsys: pytest.CaptureFixture[str]):
    table = os.environ["TINGSHENG_TABLE"]
    assert first_admin.main([table]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Created the first admin 'admin' with password: ")
    password = printed.split("password: ")[1].split()[0]
    composition.reset()
    assert composition.users().get_user("admin").role.value == "admin"
    assert first_admin.main([table]) == 0
    assert "exists already" in capsys.readouterr().out
    from chalicelib.domain.credentials import verify_password

    assert verify_password(password, composition.users().get_user("admin").password_hash)
