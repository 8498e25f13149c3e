"""Departments (业务部门, e.g. 计量室, 业扩班, 抢修班) that answer work orders; handlers belong to them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from .organisation import Code, Name


class Department(BaseModel):
    """Edited and deactivated, never deleted: orders keep pointing at it."""

    model_config = ConfigDict(frozen=True)

    code: Code
    name: Name
    active: bool = True
    created_at: datetime
