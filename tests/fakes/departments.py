"""In-memory departments (the DynamoDB one is adapters/dynamodb/departments.py)."""

from __future__ import annotations

from chalicelib.domain.departments import Department
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.paging import Page
from tests.fakes.organisation import page_of


class InMemoryDepartmentRepository:
    def __init__(self) -> None:
        self.departments: dict[str, Department] = {}

    def add(self, department: Department) -> None:
        if department.code in self.departments:
            raise Conflict(f"Department {department.code} exists already.")
        self.departments[department.code] = department

    def save(self, department: Department) -> None:
        if department.code not in self.departments:
            raise NotFound(f"No department {department.code}.")
        self.departments[department.code] = department

    def get(self, code: str) -> Department | None:
        return self.departments.get(code)

    def list(self, cursor: str | None, limit: int) -> Page[Department]:
        return page_of(dict(self.departments), cursor, limit)
