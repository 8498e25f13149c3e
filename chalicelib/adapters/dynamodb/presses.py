"""A device's presses by the minute, for judging misuse (SPEC §3 Misuse).

Each UTC minute of a device's presses is one item (``keys.press_minute``)
holding a map ``presses`` of rating id -> {t: rated_at, m: misuse} and a
``version``. A batch reads the minutes around its presses (with the rest of
what it needs, adapters/dynamodb/device_batches.py), judges them
(domain.presses), and writes its ratings, their tallies, the minutes and any
stored press it turns into misuse in one transaction that conditions on the
version of every minute around its presses being what it read: of two
batches judging the same presses at once, one writes and the other reads
again. A written transaction tells the window it leaves behind, so the
batch's next chunk is judged without reading again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.adapters.dynamodb.tallies import tally_update
from chalicelib.adapters.dynamodb.transactions import ConditionFailed
from chalicelib.domain.presses import Press, neighbourhood
from chalicelib.domain.ratings import Rating
from chalicelib.domain.stats import StatKey, difference, merge
from chalicelib.services.ports import PressWindow, SaveOutcome

MAX_TRANSACTION_ITEMS = 100
MINUTE = timedelta(minutes=1)


def minutes_near(device_id: str, times: Sequence[datetime], min_interval: timedelta) -> set[tuple[str, str]]:
    """The keys of the device's minutes holding every press within ``min_interval`` of ``times``."""
    found: set[tuple[str, str]] = set()
    for at in times:
        first, last = neighbourhood(at, min_interval)
        minute = first.replace(second=0, microsecond=0)
        while minute <= last:
            found.add(keys.press_minute(device_id, minute))
            minute += MINUTE
    return found


def window_of(
    device_id: str,
    wanted: set[tuple[str, str]],
    found: dict[tuple[str, str], dict[str, Any]],
    min_interval: timedelta,
) -> PressWindow:
    """The press window of the minutes ``wanted``, from the items read (``found``, by key)."""
    versions: dict[str, int] = {}
    presses: list[Press] = []
    for key in sorted(wanted):
        item = found.get(key)
        versions[key[1]] = int(item["version"]) if item else 0  # version 0: nothing stored in that minute yet
        if item:
            presses += [
                Press(datetime.fromisoformat(p["t"]), rating_id, bool(p["m"]))
                for rating_id, p in item.get("presses", {}).items()
            ]
    return PressWindow(device_id, tuple(presses), versions, min_interval)


def read_window(table: Table, device_id: str, times: Sequence[datetime], min_interval: timedelta) -> PressWindow:
    wanted = minutes_near(device_id, times, min_interval)
    return window_of(device_id, wanted, table.get_many(wanted), min_interval)


def transaction_items(
    table: str, window: PressWindow, ratings: Sequence[Rating], turned: Sequence[Rating], rating_item: Any
) -> list[dict[str, Any]]:
    """The ratings' puts (first, one per rating, in order), the press record's minutes around
    them, the turned ratings and the tallies: one transaction's items."""
    puts = [
        {
            "Put": {
                "TableName": table,
                "Item": to_item(rating_item(r)),
                # A stored id is a duplicate: nothing of the transaction is written.
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        for r in ratings
    ]
    items = [*puts, *_minute_writes(table, window, ratings, turned)]
    items += [_turn(table, r) for r in turned]
    return items + [tally_update(table, k, n) for k, n in sorted(_tallies(ratings, turned).items())]


def save(
    table: Table, window: PressWindow, ratings: Sequence[Rating], turned: Sequence[Rating], rating_item: Any
) -> SaveOutcome:
    items = transaction_items(table.name, window, ratings, turned, rating_item)
    if len(items) > MAX_TRANSACTION_ITEMS:
        return SaveOutcome(too_large=True)
    try:
        table.transact(items)
    except ConditionFailed as failed:
        duplicates = tuple(ratings[i].id for i in failed.positions if i < len(ratings))
        return SaveOutcome(duplicates=duplicates) if duplicates else SaveOutcome(changed=True)
    return SaveOutcome(window=_after(window, ratings, turned))


def _near(window: PressWindow, ratings: Sequence[Rating]) -> dict[str, int]:
    """The minutes of ``window`` that decide the ratings' flags (and hold any press they turn), as read."""
    near = {sk for _, sk in minutes_near(window.device_id, [r.rated_at for r in ratings], window.min_interval)}
    if not near <= window.versions.keys():
        raise ValueError("the press window does not cover these ratings")
    return {sk: window.versions[sk] for sk in sorted(near)}


def _after(window: PressWindow, ratings: Sequence[Rating], turned: Sequence[Rating]) -> PressWindow:
    """The window as the transaction left it: each minute written moves to its next version."""
    written = {keys.press_minute(window.device_id, r.rated_at)[1] for r in (*ratings, *turned)}
    flipped = {r.id for r in turned}
    presses = [Press(p.rated_at, p.id, p.misuse or p.id in flipped) for p in window.presses]
    presses += [Press(r.rated_at, r.id, r.misuse) for r in ratings]
    versions = {sk: v + 1 if sk in written else v for sk, v in window.versions.items()}
    return PressWindow(window.device_id, tuple(presses), versions, window.min_interval)


def _minute_writes(
    table: str, window: PressWindow, ratings: Sequence[Rating], turned: Sequence[Rating]
) -> list[dict[str, Any]]:
    added: dict[str, list[Rating]] = defaultdict(list)
    for r in ratings:
        added[keys.press_minute(window.device_id, r.rated_at)[1]].append(r)
    flipped: dict[str, list[Rating]] = defaultdict(list)
    for r in turned:
        flipped[keys.press_minute(window.device_id, r.rated_at)[1]].append(r)
    pk = keys.device_presses(window.device_id)
    writes: list[dict[str, Any]] = []
    for sk, version in _near(window, ratings).items():
        key = to_item({"pk": pk, "sk": sk})
        entries = {r.id: {"t": r.rated_at.isoformat(), "m": r.misuse} for r in added.get(sk, [])}
        if version == 0 and not entries:
            # Nothing stored in this minute when read: it must still be empty.
            writes.append(
                {"ConditionCheck": {"TableName": table, "Key": key, "ConditionExpression": "attribute_not_exists(pk)"}}
            )
        elif version == 0:
            item = {"pk": pk, "sk": sk, "version": 1, "presses": entries}
            writes.append(
                {"Put": {"TableName": table, "Item": to_item(item), "ConditionExpression": "attribute_not_exists(pk)"}}
            )
        elif not entries and not flipped.get(sk):
            writes.append(
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": key,
                        "ConditionExpression": "#v = :v",  # unchanged since read
                        "ExpressionAttributeNames": {"#v": "version"},
                        "ExpressionAttributeValues": to_item({":v": version}),
                    }
                }
            )
        else:
            writes.append({"Update": _minute_update(table, key, version, entries, flipped.get(sk, []))})
    return writes


def _minute_update(
    table: str, key: dict[str, Any], version: int, entries: dict[str, Any], flipped: list[Rating]
) -> dict[str, Any]:
    names: dict[str, str] = {"#v": "version", "#p": "presses"}
    values: dict[str, Any] = {":v": version, ":next": version + 1}
    if flipped:  # DynamoDB refuses placeholders an expression does not use
        names["#m"], values[":t"] = "m", True
    sets = ["#v = :next"]
    for n, (rating_id, entry) in enumerate(sorted(entries.items())):
        names[f"#a{n}"], values[f":a{n}"] = rating_id, entry
        sets.append(f"#p.#a{n} = :a{n}")
    for n, r in enumerate(flipped):
        names[f"#b{n}"] = r.id
        sets.append(f"#p.#b{n}.#m = :t")
    return {
        "TableName": table,
        "Key": key,
        "UpdateExpression": "SET " + ", ".join(sets),
        "ConditionExpression": "#v = :v",  # no other batch wrote this minute since it was read
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_item(values),
    }


def _turn(table: str, rating: Rating) -> dict[str, Any]:
    """Mark a stored rating misuse, provided it is still as read (scored, appeal state unchanged)."""
    return {
        "Update": {
            "TableName": table,
            "Key": to_item(dict(zip(("pk", "sk"), keys.rating(rating.id), strict=True))),
            "UpdateExpression": "SET misuse = :t",
            # The tallies move by what was read: scored, and the appeal as it was.
            "ConditionExpression": "(attribute_not_exists(misuse) OR misuse = :f) AND "
            + (
                "appeal_upheld = :t"
                if rating.appeal_upheld
                else "(attribute_not_exists(appeal_upheld) OR appeal_upheld = :f)"
            ),
            "ExpressionAttributeValues": to_item({":t": True, ":f": False}),
        }
    }


def _tallies(ratings: Sequence[Rating], turned: Sequence[Rating]) -> dict[StatKey, Counter[str]]:
    total = merge(ratings)
    for before in turned:
        for key, delta in difference(before, before.model_copy(update={"misuse": True})).items():
            total.setdefault(key, Counter()).update(delta)
    return {k: Counter({f: n for f, n in v.items() if n}) for k, v in total.items() if any(v.values())}
