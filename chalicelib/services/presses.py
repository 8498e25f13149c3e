"""Storing a device's presses so that misuse stays a property of the set (SPEC §3 Misuse):
each chunk is judged against the stored presses around it and written only if those did
not change meanwhile; else it is read again."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.errors import StorageBusy
from chalicelib.domain.presses import Press, judge
from chalicelib.domain.ratings import Rating
from chalicelib.services.ports import RatingRepository, SaveOutcome

PRESS_CHUNK = 25  # ratings a transaction starts with (halved when their tallies do not fit)
MAX_PRESS_CHANGES = 8  # times a chunk is read again because another batch changed its neighbours


def store_presses(
    device_id: str, ratings: list[Rating], repo: RatingRepository, min_interval: timedelta
) -> dict[str, str]:
    """Store a device's new ratings a chunk at a time, in time order, each chunk judged against the
    stored presses around it and written only if those did not change meanwhile (else read again)."""
    statuses: dict[str, str] = {}
    pending = sorted(ratings, key=lambda r: (r.rated_at, r.id))
    size, changes = PRESS_CHUNK, 0
    while pending:
        chunk = pending[:size]
        window = repo.presses_near(device_id, [r.rated_at for r in chunk], min_interval)
        stored = {p.id for p in window.presses}
        outcome = SaveOutcome(duplicates=tuple(r.id for r in chunk if r.id in stored))
        if not outcome.duplicates:
            judgement = judge(window.presses, [Press(r.rated_at, r.id) for r in chunk], min_interval)
            flagged = [r.model_copy(update={"misuse": judgement.misuse[r.id]}) for r in chunk]
            turned = [t for t in (repo.get_rating(i) for i in judgement.turned) if t is not None]
            outcome = repo.save_presses(window, flagged, turned)
        if outcome.saved:
            statuses.update(dict.fromkeys((r.id for r in chunk), "created"))
            pending = pending[len(chunk) :]
        elif outcome.duplicates:
            statuses.update(dict.fromkeys(outcome.duplicates, "duplicate"))
            pending = [r for r in pending if r.id not in outcome.duplicates]
        elif outcome.too_large and size > 1:
            size = max(1, len(chunk) // 2)
        else:  # another batch of this device changed the presses around these: read them again
            changes += 1
            if changes >= MAX_PRESS_CHANGES or outcome.too_large:
                raise StorageBusy("The device's presses are changing too fast: please retry shortly.")
    return statuses
