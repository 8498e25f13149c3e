"""Service health."""

from __future__ import annotations

from typing import Protocol


class Storage(Protocol):
    def ping(self) -> None:
        """Raise when storage does not answer."""
        ...


def storage_answers(storage: Storage) -> bool:
    try:
        storage.ping()
    except Exception:  # any failure to answer means "not ready", never a 500
        return False
    return True
