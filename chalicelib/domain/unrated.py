"""未评价: a visit where a device invited a rating (the clerk pressed 请评价) and none came (SPEC §3).

Stored like a rating (keyed by the device's id, so a retry counts once) and
counted in the hall's, counter's and clerk's month tallies; 未评价率 is read
from those tallies.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from .organisation import Code, CounterNumber
from .stats import StatKey, unrated_contributions


class UnratedVisit(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    hall_code: Code
    counter_number: CounterNumber
    staff_no: str | None = None  # the clerk named, else the one whose shift covered ``at``
    at: datetime  # the device clock, timezone-aware
    received_at: datetime
    device_id: str

    def contributions(self) -> dict[StatKey, Counter[str]]:
        return unrated_contributions(self.hall_code, self.counter_number, self.staff_no, self.at)


def merged(visits: list[UnratedVisit]) -> dict[StatKey, Counter[str]]:
    """The summed tally increments of several visits, one entry per tally."""
    total: dict[StatKey, Counter[str]] = {}
    for visit in visits:
        for key, inc in visit.contributions().items():
            total.setdefault(key, Counter()).update(inc)
    return total
