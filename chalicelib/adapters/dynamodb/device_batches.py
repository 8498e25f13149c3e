"""What a device's rating batch reads by key, in one BatchGetItem (SPEC §4.2).

The counter and its hall, every clerk the batch names and the device's press
minutes around its presses (adapters/dynamodb/presses.py) are plain keyed
reads, so they go together: one round trip, where one GetItem each took one
after another. Only the shift history, a range of a counter's events, needs
a Query of its own (services/ratings.py asks it only when a rating names no
clerk).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from chalicelib.adapters.dynamodb import keys, presses
from chalicelib.adapters.dynamodb.table import Table, fields_of
from chalicelib.domain.organisation import Counter, Hall, Staff
from chalicelib.services.ports import DeviceBatchReads


class DynamoDeviceBatchReader:
    def __init__(self, table: Table) -> None:
        self.table = table

    def read_for_batch(
        self,
        device_id: str,
        hall_code: str,
        counter_number: int,
        staff_nos: Collection[str],
        times: Sequence[datetime],
        min_interval: timedelta,
    ) -> DeviceBatchReads:
        hall_key, counter_key = keys.hall(hall_code), keys.counter(hall_code, counter_number)
        staff_keys = {staff_no: keys.staff(staff_no) for staff_no in staff_nos}
        minutes = presses.minutes_near(device_id, times, min_interval)
        found = self.table.get_many({hall_key, counter_key, *staff_keys.values(), *minutes})
        hall, counter = found.get(hall_key), found.get(counter_key)
        return DeviceBatchReads(
            hall=Hall(**fields_of(hall, Hall)) if hall else None,
            counter=Counter(**fields_of(counter, Counter)) if counter else None,
            staff={
                staff_no: Staff(**fields_of(found[key], Staff)) if key in found else None
                for staff_no, key in staff_keys.items()
            },
            presses=presses.window_of(device_id, minutes, found, min_interval),
        )
