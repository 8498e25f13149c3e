"""The QR codes an admin prints for a hall: one per counter and one for its suggestion box."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import qrcodes
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.services.organisation import get_hall
from chalicelib.services.ports import OrganisationRepository


@dataclass(frozen=True)
class QrLink:
    url: str
    svg_url: str


@dataclass(frozen=True)
class CounterQr:
    counter: int
    url: str
    svg_url: str


@dataclass(frozen=True)
class HallQrCodes:
    counters: list[CounterQr]
    suggestion_box: QrLink


def hall_codes(
    actor: UserPrincipal, org: OrganisationRepository, qr_key: bytes, hall_code: str, base_url: str
) -> HallQrCodes:
    get_hall(actor, org, hall_code)
    counters = []
    for counter in org.list_counters(hall_code):
        code = qrcodes.counter_code(qr_key, hall_code, counter.number)
        counters.append(CounterQr(counter.number, f"{base_url}/r/{code}", f"{base_url}/r/{code}/qr.svg"))
    return HallQrCodes(counters, QrLink(f"{base_url}/s/{hall_code}", f"{base_url}/s/{hall_code}/qr.svg"))
