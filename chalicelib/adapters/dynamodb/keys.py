"""Every key of the single table in one place (see docs/data-model.md).

Entities live under their own partition (``HALL#A01``, ``STAFF#A0123`` ...);
the sort key names the item kind, so one partition can later hold an entity's
children. ``gsi1`` serves the lists an admin or manager pages through.
"""

from __future__ import annotations


def hall(code: str) -> tuple[str, str]:
    return f"HALL#{code}", "HALL"


def counter(hall_code: str, number: int) -> tuple[str, str]:
    # Zero-padded so counters sort by number within their hall.
    return f"HALL#{hall_code}", f"COUNTER#{number:03d}"


COUNTER_PREFIX = "COUNTER#"


def staff(staff_no: str) -> tuple[str, str]:
    # Staff numbers are unique company-wide: a device names staff by number alone.
    return f"STAFF#{staff_no}", "STAFF"


def device(device_id: str) -> tuple[str, str]:
    return f"DEVICE#{device_id}", "DEVICE"


def user(username: str) -> tuple[str, str]:
    return f"USER#{username}", "USER"


# gsi1 partitions
ALL_HALLS = "HALLS"
ALL_USERS = "USERS"


def hall_staff(hall_code: str) -> str:
    return f"HALL#{hall_code}#STAFF"


def hall_devices(hall_code: str) -> str:
    return f"HALL#{hall_code}#DEVICES"
