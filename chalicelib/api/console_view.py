"""Console pages: the route declarations, rendering with the shared layout,
POST/redirect/GET, and the labels of stable keys.

Every console page is server-rendered (autoescape on) and works without
JavaScript; Chinese by default, ``?lang=en`` carried along every link, form
and redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from chalice import Response
from pydantic import BaseModel, ValidationError

from chalicelib import composition
from chalicelib.api import console_session, pages, params
from chalicelib.api.errors import invalid_input, status_of
from chalicelib.api.requests import form_fields, query
from chalicelib.api.routing import PRINCIPAL, Auth, Operation, Routes
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.errors import DomainError, InvalidInput
from chalicelib.domain.organisation import Hall
from chalicelib.domain.ratings import LEVEL_LABELS
from chalicelib.services import organisation

FORM = "application/x-www-form-urlencoded"
MAX_HALLS = 200

# Labels of stable keys the console shows (the domain's own label tables are used where they exist).
LABELS: dict[str, tuple[str, str]] = {
    "open": ("待回访", "Open"),
    "in_progress": ("回访中", "In progress"),
    "closed": ("已办结", "Closed"),
    "at_risk": ("即将超期", "At risk"),
    "overdue": ("已超期", "Overdue"),
    "no_answer": ("无人接听", "No answer"),
    "reached": ("已联系上", "Reached"),
    "wrong_number": ("号码错误", "Wrong number"),
    "resolved_satisfied": ("已解决·满意", "Resolved, satisfied"),
    "resolved_unsatisfied": ("已解决·不满意", "Resolved, unsatisfied"),
    "unreachable": ("无法联系", "Unreachable"),
    "bad_rating": ("差评", "Bad rating"),
    "complaint": ("投诉", "Complaint"),
    "report": ("举报", "Report"),
    "reply_request": ("要求答复", "Reply requested"),
    "rating": ("评价", "Rating"),
    "suggestion": ("意见建议", "Suggestion"),
    "admin": ("管理员", "Admin"),
    "manager": ("营业厅主任", "Manager"),
    "agent": ("回访专员", "Callback agent"),
    "reward": ("奖励", "Reward"),
    "community": ("进社区", "Communities"),
    "enterprise": ("进企业", "Enterprises"),
    "village": ("进农村", "Villages"),
    "household": ("进家庭", "Households"),
    "school": ("进学校", "Schools"),
    "assess": ("考核", "Assess"),
    "malicious": ("恶意评价", "Malicious"),
    "mistaken": ("误评", "Mistaken"),
    "pending": ("待复核", "Pending"),
    "upheld": ("已核准", "Upheld"),
    "rejected": ("已驳回", "Rejected"),
    **{f"level_{n}": labels for n, labels in LEVEL_LABELS.items()},
}

# Form fields, as error pages name them ("field_<name>").
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "outcome": ("办结结果", "Outcome"),
    "result": ("回访结果", "Call result"),
    "note": ("备注", "Note"),
    "reply": ("答复", "Reply"),
    "content": ("内容", "Content"),
    "phone": ("手机号", "Phone"),
    "consent": ("同意保存手机号", "Consent"),
    "csrf": ("表单令牌（请刷新页面后重试）", "Form token (reload the page and retry)"),
    "hall": ("营业厅", "Hall"),
    "hall_code": ("营业厅编码", "Hall code"),
    "halls": ("营业厅", "Halls"),
    "month": ("月份", "Month"),
    "day": ("日期", "Date"),
    "date": ("日期", "Date"),
    "quarter": ("季度", "Quarter"),
    "category": ("活动类别", "Category"),
    "title": ("主题", "Title"),
    "place": ("地点", "Place"),
    "status": ("状态", "Status"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "role": ("角色", "Role"),
    "code": ("编码", "Code"),
    "name": ("名称", "Name"),
    "branch": ("分中心", "Branch"),
    "grade": ("等级", "Grade"),
    "number": ("窗口号", "Counter number"),
    "counter_number": ("窗口号", "Counter number"),
    "staff_no": ("工号", "Staff number"),
    "ground": ("申诉理由", "Ground"),
    "working": ("是否工作日", "Working day"),
    "year": ("年份", "Year"),
}


class ConsoleRoutes(Routes):
    """Routes of the console: a signed-in session (cookie + CSRF), answers are pages."""

    def _error(self, op: Operation, error: DomainError) -> Any:
        return problem_page(error, self.request)

    def page(self, path: str, summary: str, auth: Auth = Auth.session) -> Callable[..., Any]:
        return self(path, "GET", summary=summary, auth=auth, produces="text/html")

    def action(self, path: str, summary: str, auth: Auth = Auth.session) -> Callable[..., Any]:
        return self(path, "POST", summary=summary, auth=auth, produces="text/html", content_types=[FORM])


def lang_of(request: Any) -> str:
    return pages.lang_of(request)


def with_lang(path: str, lang: str, **params: Any) -> str:
    """A console URL keeping the language; ``None`` parameters are left out."""
    kept = {k: v for k, v in params.items() if v is not None and v != ""}
    if lang == "en":
        kept["lang"] = "en"
    return path + (("&" if "?" in path else "?") + urlencode(kept) if kept else "")


def principal(request: Any) -> UserPrincipal:
    found = request.context.get(PRINCIPAL)
    if not isinstance(found, UserPrincipal):  # the boundary authenticates every session route
        raise console_session.SignInRequired("Please sign in.")
    return found


def render(request: Any, template: str, status: int = 200, **context: Any) -> Response:
    lang = lang_of(request)
    token = console_session.session_token(request)
    user = request.context.get(PRINCIPAL)
    response = pages.render(
        f"console/{template}",
        lang,
        status=status,
        _=lambda zh, en: zh if lang == "zh" else en,
        label=lambda key: LABELS.get(str(key), (str(key), str(key)))[0 if lang == "zh" else 1],
        field_label=lambda key: FIELD_LABELS.get(str(key).split(".")[0], (str(key), str(key)))[
            0 if lang == "zh" else 1
        ],
        url=lambda path, **params: with_lang(path, lang, **params),
        here=console_session.current_path(request),
        other_lang=_other_lang(request, lang),
        user=user if isinstance(user, UserPrincipal) else None,
        csrf=console_session.csrf_token(token) if token else "",
        **context,
    )
    response.headers.update({"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"})
    return response


def _other_lang(request: Any, lang: str) -> str:
    """This page in the other language."""
    path = console_session.current_path(request).split("?")[0]
    params = {k: v for k, v in (request.query_params or {}).items() if k != "lang"}
    return with_lang(path, "en" if lang == "zh" else "zh", **params)


def redirect(request: Any, path: str, **params: Any) -> Response:
    """POST/redirect/GET: 303 to a console page."""
    location = with_lang(path, lang_of(request), **params)
    return Response(body="", status_code=303, headers={"Location": location, "Cache-Control": "no-store"})


def problem_page(error: DomainError, request: Any) -> Response:
    return render(request, "error.html", status=status_of(error), status_code=status_of(error), error=error)


def form_of[M: BaseModel](
    request: Any, model: type[M], repeatable: tuple[str, ...] = (), counts: tuple[str, ...] = ()
) -> M:
    """A console form as ``model`` (the boundary has checked its ``csrf`` field already).

    ``counts`` are whole numbers for strict models: digits become ints, and a
    blank one is left out so the model's default applies.
    """
    data = form_fields(request, repeatable)
    data.pop("csrf", None)
    for name in counts:
        value = data.get(name)
        if value == "":
            del data[name]
        elif isinstance(value, str) and value.isascii() and value.isdigit():
            data[name] = int(value)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise invalid_input(e) from None


# ---- halls the signed-in user works with -------------------------------------
def halls_of(actor: UserPrincipal) -> list[Hall]:
    return list(organisation.list_halls(actor, composition.organisation(), None, MAX_HALLS).items)


def hall_param(request: Any, actor: UserPrincipal, required: bool = True) -> str | None:
    """The ``hall`` query parameter, else the user's only (or first) hall."""
    code = query(request, "hall")
    if code is not None and not params.HALL_CODE.match(code):
        raise InvalidInput("Bad hall code.", {"hall": "a hall code"})
    if code is None and actor.halls:
        code = sorted(actor.halls)[0]
    if code is None and required:
        first = halls_of(actor)[:1]
        code = first[0].code if first else None
    return code


def can_read_reports(actor: UserPrincipal) -> bool:
    return actor.role in (Role.admin, Role.manager)
