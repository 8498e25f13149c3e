"""A thin JSON helper over chalice.test.Client, shared by the functional and integration tiers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalice.test import Client

from chalicelib import composition
from chalicelib.services import accounts

ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-password-1"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)

    @property
    def text(self) -> str:
        return self.raw.decode()


class Api:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.token: str | None = None

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"Content-Type": "application/json", **(headers or {})}
        bearer = token if token is not None else self.token
        if bearer:
            sent["Authorization"] = f"Bearer {bearer}"
        data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        r = self.client.http.request(method, path, headers=sent, body=data or b"")
        return Answer(r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.body)

    def get(self, path: str, **kw: Any) -> Answer:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.request("POST", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Answer:
        return self.request("DELETE", path, **kw)

    def login(self, username: str, password: str) -> str:
        answer = self.post("/api/v1/auth/login", {"username": username, "password": password}, token="")
        assert answer.status == 200, answer.raw
        return str(answer.json["token"])

    def as_admin(self) -> Api:
        accounts.ensure_first_admin(
            composition.users(), composition.clock(), username=ADMIN_USER, password=ADMIN_PASSWORD
        )
        self.token = self.login(ADMIN_USER, ADMIN_PASSWORD)
        return self

    def seed_hall(self, code: str = "A01", counters: int = 2) -> None:
        assert (
            self.post(
                "/api/v1/admin/halls", {"code": code, "name": f"{code}营业厅", "branch": "城东分中心", "grade": "A"}
            ).status
            == 201
        )
        for n in range(1, counters + 1):
            assert self.post(f"/api/v1/admin/halls/{code}/counters", {"number": n}).status == 201
