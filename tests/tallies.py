"""Every tally of a hall-month, read the way reports read them: one kind at a time."""

from __future__ import annotations

from collections import Counter

from chalicelib.domain.stats import StatKey, StatKind
from chalicelib.services.ports import TallyReader


def every_tally(reader: TallyReader, hall_code: str, month: str) -> dict[StatKey, Counter[str]]:
    return {key: counts for kind in StatKind for key, counts in reader.tallies_of_kind(hall_code, month, kind).items()}
