"""The HTTP surfaces and the route table the API function serves them from.

A cold start must not import the surfaces (SPEC §5), so ``app.py`` serves the
routes from ``chalicelib/route_table.py``: plain data, written from the
surfaces' own declarations by ``make routes`` (``python -m chalicelib.surfaces``).
``tests/unit/test_route_table.py`` fails while the table differs from them.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from chalicelib.web import routing, serving

PACKAGES = ("chalicelib.api", "chalicelib.pages", "chalicelib.console")
TABLE = Path(__file__).with_name("route_table.py")

HEADER = '''"""Every route of the JSON API, the customer pages and the console, as plain data:
path, method, the body's media types (empty: JSON), the declaring module and its view.

Written by `make routes` from the routes the modules declare (chalicelib/surfaces.py); do not edit.
"""

ROUTES = (
'''


def declared() -> list[serving.Row]:
    """Imports every module of the surfaces; the routes they declare, sorted."""
    for package in PACKAGES:
        found = importlib.import_module(package)
        for module in pkgutil.iter_modules(found.__path__):
            importlib.import_module(f"{package}.{module.name}")
    return sorted(d.row for d in routing.declared_routes())


def table_source(rows: list[serving.Row]) -> str:
    return HEADER + "".join(f"    {row!r},\n" for row in rows) + ")\n"


def main() -> None:
    TABLE.write_text(table_source(declared()), encoding="utf-8")
    print(f"{TABLE}: {len(routing.declared_routes())} routes")


if __name__ == "__main__":
    main()
