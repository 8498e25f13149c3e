"""Configuration from the environment: stage variables in Lambda, the shell locally.

Secrets (the token-signing and QR-signing keys) come from the environment
locally; in AWS the deploy puts them there from a secret store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta


class ConfigurationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    stage: str
    table_name: str
    token_key: bytes
    token_ttl_seconds: int
    qr_key: bytes
    public_url: str  # where customers reach the app, for QR codes; empty: the request's host
    min_press_interval_seconds: float
    notify_topic_arn: str  # SNS topic for notifications; empty: log lines (local)
    min_ratings: int = 30  # ratings a month before a clerk is ranked (SPEC §3)
    callback_clocks: str = ""  # JSON: per task type, working days to first contact and to resolution
    ticket_clocks: str = ""  # JSON: work-order working days per kind and key_account_hours
    export_bucket: str = ""  # S3 bucket of export files (AWS); empty: files under data_dir/exports
    data_dir: str = ".data"  # TINGSHENG_DATA_DIR: the local data directory

    @property
    def min_press_interval(self) -> timedelta:
        return timedelta(seconds=self.min_press_interval_seconds)

    @property
    def secure_cookies(self) -> bool:
        return self.stage != "local"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            stage=env.get("TINGSHENG_STAGE", "local"),
            table_name=env.get("TINGSHENG_TABLE", "tingsheng"),
            token_key=_secret(env, "TINGSHENG_TOKEN_KEY"),
            token_ttl_seconds=int(env.get("TINGSHENG_TOKEN_TTL_SECONDS", str(8 * 3600))),
            qr_key=_secret(env, "TINGSHENG_QR_KEY"),
            public_url=env.get("TINGSHENG_PUBLIC_URL", "").rstrip("/"),
            min_press_interval_seconds=float(env.get("TINGSHENG_MIN_PRESS_INTERVAL", "3")),
            min_ratings=_whole_number(env, "TINGSHENG_MIN_RATINGS", 30),
            notify_topic_arn=env.get("TINGSHENG_NOTIFY_TOPIC_ARN", ""),
            callback_clocks=env.get("TINGSHENG_CALLBACK_CLOCKS", ""),
            ticket_clocks=env.get("TINGSHENG_TICKET_CLOCKS", ""),
            export_bucket=env.get("TINGSHENG_EXPORT_BUCKET", ""),
            data_dir=env.get("TINGSHENG_DATA_DIR", "") or ".data",
        )


def _secret(env: Mapping[str, str], name: str) -> bytes:
    value = env.get(name, "")
    if len(value) < 32:
        raise ConfigurationError(f"{name} must be set to a random secret of at least 32 characters.")
    return value.encode()


def _whole_number(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise ConfigurationError(f"{name} must be a whole number of at least 1.")
    return int(value)
