"""Shared test set-up: a safe AWS environment and, on request, DynamoDB Local."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Before anything creates a boto3 client: never reach real AWS from a test.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "TINGSHENG_STAGE": "test",
        "TINGSHENG_TABLE": "tingsheng-test",
        "TINGSHENG_TOKEN_KEY": "test-token-key-0123456789abcdef0123456789",
        "TINGSHENG_QR_KEY": "test-qr-key-0123456789abcdef0123456789abcd",
    }
)
for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS"):
    os.environ.pop(name, None)


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[object]:
    """A DynamoDB Local (in memory) on a free port for this test session."""
    from devstack import dynamodb_local as ddb

    local = ddb.start(ddb.free_port())
    yield local
    local.stop()
