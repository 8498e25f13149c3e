"""Departments (业务部门): admins create, rename and deactivate them; everyone signed in may list them."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.departments import Department
from chalicelib.domain.errors import NotFound
from chalicelib.domain.paging import Page
from chalicelib.services.ports import Clock, DepartmentRepository


def create_department(
    actor: UserPrincipal, departments: DepartmentRepository, clock: Clock, code: str, name: str
) -> Department:
    actor.require_admin()
    department = Department(code=code, name=name, created_at=clock.now())
    departments.add(department)
    return department


def update_department(
    actor: UserPrincipal,
    departments: DepartmentRepository,
    code: str,
    name: str | None = None,
    active: bool | None = None,
) -> Department:
    actor.require_admin()
    department = departments.get(code)
    if department is None:
        raise NotFound(f"No department {code}.", {"code": "unknown department"})
    changed = department.model_copy(update={k: v for k, v in (("name", name), ("active", active)) if v is not None})
    departments.save(changed)
    return changed


def list_departments(departments: DepartmentRepository, cursor: str | None, limit: int) -> Page[Department]:
    return departments.list(cursor, limit)


def active_department(departments: DepartmentRepository, code: str, field: str = "department") -> Department:
    """The department an order goes to: it must exist and be active (NotFound naming ``field``)."""
    department = departments.get(code)
    if department is None or not department.active:
        raise NotFound(f"No active department {code}.", {field: "unknown or inactive department"})
    return department


def known(departments: DepartmentRepository) -> Callable[[str], bool]:
    """Whether a department code names a stored department (for a handler's departments)."""
    return lambda code: departments.get(code) is not None
