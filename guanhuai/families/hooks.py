"""Hooks run inside the transaction of any change to a family's register data
(created, edited, exited, reinstated, imported).

Apps that keep derived per-family state (compliance) register here from their
AppConfig.ready(), so families does not import them (dependencies point one
way: families ← compliance).
"""

from __future__ import annotations

from collections.abc import Callable

_callbacks: list[Callable[[list], None]] = []


def register(callback: Callable[[list], None]) -> None:
    if callback not in _callbacks:
        _callbacks.append(callback)


def families_changed(families: list) -> None:
    for callback in _callbacks:
        callback(families)
