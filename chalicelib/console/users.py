"""Console: users and passwords. An admin's page per user (role, halls, active,
a new password, and the user's history from the audit log) and every signed-in
user's own account page (changing their password). The same service calls as
PATCH /api/v1/admin/users/{username}, /api/v1/admin/users/{username}/password
and /api/v1/auth/password, logged alike."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chalicelib import composition
from chalicelib.console import session as console_session
from chalicelib.console.audit import record_history
from chalicelib.console.halls import MAX_HALLS
from chalicelib.console.layout import DONE_QUERY, ConsoleRoutes, Sent, form_of, principal, redirect, render, submit
from chalicelib.domain import accounts as rules
from chalicelib.domain.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, Role
from chalicelib.domain.audit import RecordKind
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, Reason
from chalicelib.domain.organisation import Code
from chalicelib.services import accounts, departments, organisation
from chalicelib.web.requests import client_address, query
from chalicelib.web.routing import PathParam, schema
from chalicelib.web.schemas import Strict

routes = ConsoleRoutes(__name__)
USERNAME = PathParam("username", schema(type="string", pattern=r"^[A-Za-z0-9_.@-]{3,64}$"))


class _UserForm(Strict):
    role: Role
    halls: list[Code] = Field(default_factory=list, max_length=MAX_HALLS)
    departments: list[Code] = Field(default_factory=list, max_length=50)
    active: str = Field(default="", description="on: active; absent: deactivated (their sessions end)")


class _PasswordForm(Strict):
    password: str = Field(max_length=MAX_PASSWORD_LENGTH)


class _ChangeForm(Strict):
    old_password: str = Field(max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(max_length=MAX_PASSWORD_LENGTH)
    repeat_password: str = Field(max_length=MAX_PASSWORD_LENGTH)


# Why a password may not be used, as the words of web.messages.
_PASSWORD_REASONS = {
    rules.TOO_SHORT: "password_too_short",
    rules.TOO_LONG: "password_too_long",
    rules.BLANK: "password_blank",
    rules.NOT_TEXT: "password_not_text",
    rules.HOLDS_USERNAME: "password_holds_username",
    rules.COMMON: "password_common",
}


def _check_password(password: str, username: str, field: str) -> None:
    """The service's password rule, refused with a reason the form words beside ``field``."""
    problem = rules.password_problem(password, username)
    if problem is not None:
        facts = {"min_length": MIN_PASSWORD_LENGTH, "max_length": MAX_PASSWORD_LENGTH}
        reason = Reason(_PASSWORD_REASONS.get(problem, "value_error"), facts)
        raise InvalidInput(problem.message, {field: problem.note}, reason=reason)


def _user_page(request: Any, username: str, sent: Sent | None = None) -> Any:
    actor = principal(request)
    user = accounts.get_user(actor, composition.users(), username)
    history, more = record_history(request, RecordKind.user, username)
    if sent is not None:  # what was typed, never a password
        sent = Sent(sent.form, {k: v for k, v in sent.values.items() if "password" not in k}, sent.errors, sent.summary)
    return render(
        request,
        "admin_user.html",
        sent=sent,
        page=f"/console/admin/users/{username}",
        section="admin",
        account=user,
        halls=organisation.list_halls(actor, composition.organisation(), None, MAX_HALLS).items,
        roles=[r.value for r in Role],
        departments=departments.list_departments(composition.departments(), None, 200).items,
        history=history,
        more_history=more,
        done=query(request, "done"),
    )


@routes.page(
    "/console/admin/users/{username}",
    summary="A user's role, halls and whether active, a new password, and their history (admin)",
    query=(DONE_QUERY,),
    path_params=(USERNAME,),
)
def user_page(username: str):  # type: ignore[no-untyped-def]
    return _user_page(routes.request, username)


@routes.action(
    "/console/admin/users/{username}/edit",
    summary="Change a user's role, halls or whether active; deactivating ends their sessions "
    "(admin; refused: the user's page again, the form as typed)",
    request=_UserForm,
    statuses=(404, 409),
    path_params=(USERNAME,),
)
def edit_user(username: str):  # type: ignore[no-untyped-def]
    request = routes.request

    def act() -> Any:
        form = form_of(request, _UserForm, repeatable=("halls", "departments"))
        try:
            accounts.update_user(
                principal(request),
                composition.users(),
                composition.organisation(),
                username,
                role=form.role,
                halls=form.halls,
                active=form.active in ("on", "1", "true"),
                auditor=composition.auditor(),
                departments=form.departments,
                department_known=departments.known(composition.departments()),
            )
        except Conflict as e:  # demoting or deactivating oneself
            raise InvalidInput(e.message, {"role": "your own account"}, reason=Reason("own_account")) from None
        except InvalidInput as e:
            if "halls" in e.fields and e.reason is None:
                raise InvalidInput(e.message, e.fields, reason=Reason("halls_required")) from None
            raise
        return redirect(request, f"/console/admin/users/{username}", done="edited")

    return submit(request, "edit-user", act, lambda sent: _user_page(request, username, sent))


@routes.action(
    "/console/admin/users/{username}/password",
    summary="Set a user's password; every session of that user ends "
    "(admin; refused: the user's page again, with why beside the field)",
    request=_PasswordForm,
    statuses=(404,),
    path_params=(USERNAME,),
)
def reset_password(username: str):  # type: ignore[no-untyped-def]
    request = routes.request

    def act() -> Any:
        form = form_of(request, _PasswordForm)
        _check_password(form.password, username, "password")
        accounts.reset_password(
            principal(request),
            composition.users(),
            username=username,
            password=form.password,
            auditor=composition.auditor(),
        )
        return redirect(request, f"/console/admin/users/{username}", done="password")

    return submit(request, "reset-password", act, lambda sent: _user_page(request, username, sent))


def _account_page(request: Any, sent: Sent | None = None) -> Any:
    if sent is not None:  # passwords are never shown again
        sent = Sent(sent.form, {}, sent.errors, sent.summary)
    return render(request, "account.html", sent=sent, page="/console/account", section="account")


@routes.page("/console/account", summary="Your account: change your password")
def account_page():  # type: ignore[no-untyped-def]
    return _account_page(routes.request)


@routes.action(
    "/console/account/password",
    summary="Change your own password: every session of yours ends, this one too, and the sign-in page "
    "follows (refused: the account page again, with why beside the field; a wrong current password "
    "counts as a failed sign-in)",
    request=_ChangeForm,
    statuses=(429,),
)
def change_password():  # type: ignore[no-untyped-def]
    request = routes.request

    def act() -> Any:
        form = form_of(request, _ChangeForm)
        actor = principal(request)
        if form.new_password != form.repeat_password:
            raise InvalidInput(
                "The two new passwords differ.",
                {"repeat_password": "must match the new password"},
                reason=Reason("password_repeat"),
            )
        _check_password(form.new_password, actor.username, "new_password")
        try:
            accounts.change_password(
                composition.users(),
                composition.clock(),
                composition.sign_in_failures(),
                actor,
                old_password=form.old_password,
                new_password=form.new_password,
                client=client_address(request),
            )
        except Forbidden as e:  # a wrong current password: said beside its field
            raise InvalidInput(e.message, e.fields, reason=Reason("password_wrong")) from None
        except InvalidInput as e:
            if "new_password" in e.fields and e.reason is None:  # the current password again
                raise InvalidInput(e.message, e.fields, reason=Reason("password_same")) from None
            raise
        response = redirect(request, console_session.LOGIN, done="password")
        response.headers["Set-Cookie"] = console_session.ended_session_cookie()
        return response

    return submit(request, "change-password", act, lambda sent: _account_page(request, sent))
