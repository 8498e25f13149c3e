"""A device batch's keyed reads, from the in-memory organisation and ratings."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from chalicelib.services.ports import DeviceBatchReads
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryRatingRepository


class InMemoryDeviceBatchReader:
    def __init__(self, org: InMemoryOrganisationRepository, ratings: InMemoryRatingRepository) -> None:
        self.org = org
        self.ratings = ratings

    def read_for_batch(
        self,
        device_id: str,
        hall_code: str,
        counter_number: int,
        staff_nos: Collection[str],
        times: Sequence[datetime],
        min_interval: timedelta,
    ) -> DeviceBatchReads:
        return DeviceBatchReads(
            hall=self.org.get_hall(hall_code),
            counter=self.org.get_counter(hall_code, counter_number),
            staff={s: self.org.get_staff(s) for s in staff_nos},
            presses=self.ratings.presses_near(device_id, times, min_interval),
        )
