"""Invalidating per-process caches across processes (gunicorn workers, the huey consumer).

The calendar and the policy profiles are cached in each process. Every write
to their data bumps a stored counter (``CacheGeneration``) in the same
transaction; each process compares the counter with the one it last saw at
most once every ``CHECK_INTERVAL`` seconds and empties its cache when they
differ. A change is therefore seen everywhere within a few seconds, and the hot
path of recording a visit gains one small read per process every few seconds,
not one per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db.models import F

from .models import CacheGeneration

CHECK_INTERVAL = 5.0  # seconds between two checks of one cache's counter in one process

CALENDAR = "workdays.calendar"
PROFILES = "compliance.profiles"

_clock = time.monotonic  # module-level so tests can move time on without sleeping


def stored_generation(name: str) -> int:
    return CacheGeneration.objects.filter(name=name).values_list("value", flat=True).first() or 0


def generation_bump(name: str) -> None:
    """Call inside the transaction that changes the cached data: other processes see both at once."""
    if CacheGeneration.objects.filter(name=name).update(value=F("value") + 1):
        return
    _, created = CacheGeneration.objects.get_or_create(name=name, defaults={"value": 1})
    if not created:  # another writer created the row meanwhile
        CacheGeneration.objects.filter(name=name).update(value=F("value") + 1)


class Generation:
    """One process's view of one cache's counter; ``check()`` before every use of the cache."""

    def __init__(self, name: str, clear: Callable[[], None]):
        self.name = name
        self._clear = clear
        self._seen: int | None = None
        self._checked_at: float | None = None

    def check(self, *, force: bool = False) -> None:
        """Empty the cache if another process changed its data (reads the counter at most every
        ``CHECK_INTERVAL`` seconds unless ``force``)."""
        now = _clock()
        if not force and self._checked_at is not None and now - self._checked_at < CHECK_INTERVAL:
            return
        value = stored_generation(self.name)
        self._checked_at = now
        if value != self._seen:
            self._seen = value
            self._clear()

    def cleared(self) -> None:
        """The cache was just emptied in this process: what it loads next is current, so the next
        check can wait a full interval."""
        self._checked_at = _clock()
