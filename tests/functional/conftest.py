"""Functional tier: the HTTP API through chalice.test.Client, AWS faked by moto."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import composition
from devstack import tables
from tests.http import Api


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        composition.reset()
        tables.ensure_table(composition.dynamodb_client(), os.environ["TINGSHENG_TABLE"])
        yield
    composition.reset()


@pytest.fixture
def api(aws: None) -> Iterator[Api]:
    from app import app

    with Client(app, stage_name="local") as client:
        yield Api(client)


@pytest.fixture
def admin(api: Api) -> Api:
    return api.as_admin()
