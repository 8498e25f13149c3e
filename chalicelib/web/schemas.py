"""Wire models every surface shares: the strict request base, lists, the error body,
and the readers of HTML form fields."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str]


class ErrorBody(BaseModel):
    error: ErrorDetail


class ListOf(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(description="cursor for the next page; null on the last")


def blank_is_none(value: object) -> object:
    """An empty (or blank) form field means "not given"."""
    return None if isinstance(value, str) and not value.strip() else value


def checkbox(value: object) -> object:
    """A ticked checkbox sends "on" (or "1"); an unticked one sends nothing."""
    return False if value is None or value == "" else value
