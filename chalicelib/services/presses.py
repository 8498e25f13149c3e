"""Storing a device's presses so that misuse stays a property of the set (SPEC §3 Misuse):
each chunk is judged against the stored presses around it and written only if those did
not change meanwhile; else it is read again."""

from __future__ import annotations

from chalicelib.domain.errors import StorageBusy
from chalicelib.domain.presses import Press, judge
from chalicelib.domain.ratings import Rating
from chalicelib.services.ports import PressWindow, RatingRepository, SaveOutcome

PRESS_CHUNK = 25  # ratings a transaction starts with (halved when their tallies do not fit)
MAX_PRESS_CHANGES = 8  # times a chunk is read again because another batch changed its neighbours


def store_presses(
    ratings: list[Rating], repo: RatingRepository, window: PressWindow, chunk_size: int = PRESS_CHUNK
) -> dict[str, str]:
    """Store a device's new ratings a chunk at a time, in time order, each chunk judged against the
    stored presses around it and written, with the press record, only if those did not change
    meanwhile (else read again).

    ``window`` holds the device's presses around every one of ``ratings``, read with the rest of
    the batch; each written chunk hands on the window as it left it, so the next chunk is judged
    against it without reading again.
    """
    statuses: dict[str, str] = {}
    pending = sorted(ratings, key=lambda r: (r.rated_at, r.id))
    size, changes = chunk_size, 0
    while pending:
        chunk = pending[:size]
        stored = {p.id for p in window.presses}
        outcome = SaveOutcome(duplicates=tuple(r.id for r in chunk if r.id in stored))
        known = bool(outcome.duplicates)  # duplicates the window shows: nothing was tried, it still holds
        if not known:
            judgement = judge(window.presses, [Press(r.rated_at, r.id) for r in chunk], window.min_interval)
            flagged = [r.model_copy(update={"misuse": judgement.misuse[r.id]}) for r in chunk]
            turned = [t for t in (repo.get_rating(i) for i in judgement.turned) if t is not None]
            outcome = repo.save_presses(window, flagged, turned)
        if outcome.window is not None:
            statuses.update(dict.fromkeys((r.id for r in chunk), "created"))
            pending = pending[len(chunk) :]
            window = outcome.window
            continue
        if outcome.duplicates:
            statuses.update(dict.fromkeys(outcome.duplicates, "duplicate"))
            pending = [r for r in pending if r.id not in outcome.duplicates]
            if known:
                continue
        elif outcome.too_large and size > 1:
            size = max(1, len(chunk) // 2)
            continue
        else:  # another batch of this device changed the presses around these
            changes += 1
            if changes >= MAX_PRESS_CHANGES or outcome.too_large:
                raise StorageBusy("The device's presses are changing too fast: please retry shortly.")
        if pending:  # another writer stored some of these meanwhile: read the presses around the rest again
            window = repo.presses_near(window.device_id, [r.rated_at for r in pending], window.min_interval)
    return statuses
