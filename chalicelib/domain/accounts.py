"""Accounts, roles and who may act on which hall."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from .errors import Forbidden
from .organisation import Code, CounterNumber

Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{3,64}$")]


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    agent = "agent"


class User(BaseModel):
    model_config = ConfigDict(frozen=True)

    username: Username
    password_hash: str
    role: Role
    halls: tuple[Code, ...] = ()
    created_at: datetime


class UserPrincipal(BaseModel):
    """A signed-in manager, agent or admin, as loaded for this request."""

    model_config = ConfigDict(frozen=True)

    username: str
    role: Role
    halls: frozenset[str] = frozenset()

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(f"This needs the role {' or '.join(r.value for r in roles)}.")

    def require_admin(self) -> None:
        self.require_role(Role.admin)

    def can_see_hall(self, hall_code: str) -> bool:
        return self.role is Role.admin or hall_code in self.halls

    def require_hall(self, hall_code: str) -> None:
        if not self.can_see_hall(hall_code):
            raise Forbidden(f"Hall {hall_code} is not one of yours.")


class DevicePrincipal(BaseModel):
    """A counter device, authenticated by its key; its place comes from registration."""

    model_config = ConfigDict(frozen=True)

    device_id: str
    hall_code: Code
    counter_number: CounterNumber
