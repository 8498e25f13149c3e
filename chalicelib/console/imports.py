"""Console: bulk import (admin). A form takes a CSV file (or rows pasted from a
spreadsheet) of halls, counters or staff, and the answer is the same page with
what happened: how many were created, updated and unchanged, and each refused
line with its reason. The same service call as POST /api/v1/admin/import."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chalicelib import composition
from chalicelib.console.layout import ConsoleRoutes, lang_of, principal, render
from chalicelib.domain import labels
from chalicelib.domain.errors import DomainError, InvalidInput, StorageBusy
from chalicelib.domain.imports import HEADERS, ImportKind
from chalicelib.services import imports
from chalicelib.web.errors import status_of
from chalicelib.web.requests import MULTIPART, form_fields
from chalicelib.web.routing import FORM, HTML, Auth, QueryParam, schema
from chalicelib.web.schemas import Strict

routes = ConsoleRoutes(__name__)
KIND_QUERY = QueryParam("kind", "the kind of sheet chosen", schema=schema(enum=[k.value for k in ImportKind]))


class ImportForm(Strict):
    kind: ImportKind
    file: bytes | None = Field(default=None, description="a CSV file (UTF-8)")
    text: str | None = Field(default=None, description="or the sheet pasted, CSV or tab-separated")


def _page(request: Any, kind: str | None, status: int = 200, **shown: Any) -> Any:
    principal(request).require_admin()
    lang = lang_of(request)
    return render(
        request,
        "admin_import.html",
        status=status,
        section="admin",
        kind=kind if kind in set(ImportKind) else ImportKind.halls.value,
        kinds=[(k.value, labels.label(labels.IMPORT_KIND, k, lang)) for k in ImportKind],
        columns={k.value: [(c, names[1]) for c, names in HEADERS[k].items()] for k in ImportKind},
        reason=lambda key: labels.label(labels.IMPORT_REASON, key, lang),
        **shown,
    )


@routes.page(
    "/console/admin/import", summary="Import halls, counters or staff from a sheet (admin)", query=(KIND_QUERY,)
)
def form_page():  # type: ignore[no-untyped-def]
    return _page(routes.request, (routes.request.query_params or {}).get("kind"))


def _sheet(form: dict[str, Any]) -> bytes | str:
    """The file chosen, else the rows pasted."""
    file, text = form.get("file"), form.get("text")
    if isinstance(file, bytes) and file.strip():
        return file
    if isinstance(text, str) and text.strip():
        return text
    raise InvalidInput("Choose a file or paste the sheet.", {"file": "choose a file or paste the sheet"})


@routes(
    "/console/admin/import",
    "POST",
    summary="Import a sheet: the page again, with what happened to each line (admin)",
    auth=Auth.session,
    request=ImportForm,
    produces=HTML,
    content_types=[MULTIPART, FORM],
)
def upload():  # type: ignore[no-untyped-def]
    request = routes.request
    principal(request).require_admin()
    form = form_fields(request)
    kind = form.get("kind")
    try:
        if kind not in set(ImportKind):
            raise InvalidInput("Say what the sheet holds.", {"kind": "halls, counters or staff"})
        report = imports.import_sheet(principal(request), composition.import_ports(), ImportKind(kind), _sheet(form))
    except StorageBusy:
        raise
    except DomainError as e:  # the sheet as a whole: shown on the form, to choose another
        return _page(request, kind, status=status_of(e), refused=e)
    return _page(request, kind, report=report)
