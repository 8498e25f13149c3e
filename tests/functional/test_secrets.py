"""In AWS the signing keys come from SSM Parameter Store at cold start (moto here); locally from the environment."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from chalicelib import composition
from chalicelib.adapters.secrets import with_parameter_store_secrets
from chalicelib.config import ConfigurationError

TOKEN_KEY = "t" * 40
QR_KEY = "q" * 40


@pytest.fixture
def ssm() -> Iterator[object]:
    with mock_aws():
        client = boto3.client("ssm")
        client.put_parameter(Name="/tingsheng/prod/TINGSHENG_TOKEN_KEY", Value=TOKEN_KEY, Type="SecureString")
        client.put_parameter(Name="/tingsheng/prod/TINGSHENG_QR_KEY", Value=QR_KEY, Type="SecureString")
        yield client


def test_the_keys_the_environment_lacks_are_read_from_the_stages_parameters(ssm: object):
    env = with_parameter_store_secrets({"TINGSHENG_SECRETS_PATH": "/tingsheng/prod/", "TINGSHENG_STAGE": "prod"}, ssm)
    assert env["TINGSHENG_TOKEN_KEY"] == TOKEN_KEY
    assert env["TINGSHENG_QR_KEY"] == QR_KEY
    assert env["TINGSHENG_STAGE"] == "prod"


def test_a_missing_parameter_is_named_in_a_configuration_error(ssm: object):
    with pytest.raises(ConfigurationError, match="/tingsheng/dev/TINGSHENG_QR_KEY"):
        with_parameter_store_secrets({"TINGSHENG_SECRETS_PATH": "/tingsheng/dev"}, ssm)


def test_without_a_secrets_path_nothing_is_read():
    env = {"TINGSHENG_TOKEN_KEY": "local"}
    assert with_parameter_store_secrets(env, ssm_client=None) == env


def test_the_settings_of_a_cold_start_in_aws_carry_the_keys_from_ssm(ssm: object, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TINGSHENG_SECRETS_PATH", "/tingsheng/prod")
    monkeypatch.delenv("TINGSHENG_TOKEN_KEY")
    monkeypatch.delenv("TINGSHENG_QR_KEY")
    composition.reset()
    try:
        settings = composition.settings()
    finally:
        composition.reset()
    assert settings.token_key == TOKEN_KEY.encode()
    assert settings.qr_key == QR_KEY.encode()
