"""The e2e tier's closing line: how many pages axe-core checked, and what it found."""

from __future__ import annotations

from typing import Any

import pytest

CHECKED: list[dict[str, Any]] = []


@pytest.fixture(scope="session")
def axe_pages() -> list[dict[str, Any]]:
    """Every page axe-core checked this session: script, url, label, violations (serious or critical), minor."""
    return CHECKED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not CHECKED:
        return
    addresses = {page["url"].split("?")[0] for page in CHECKED}
    serious = sum(page["violations"] for page in CHECKED)
    minor = sum(page["minor"] for page in CHECKED)
    terminalreporter.write_line(
        f"axe-core: {len(CHECKED)} page states checked ({len(addresses)} addresses), "
        f"{serious} serious or critical violations, {minor} minor or moderate"
    )
