"""Fixed-window request counters in this process's memory, keyed by a client and the window's
number. `add(keys, window_seconds)` counts one more for each key and returns the totals.

The chat channel's limits (bot/rate_limit.py, which also counts in Redis for several servers)
and the web app's Open Referral UK API (directory/web/oruk.py) count with these. Keys hold
an address and a number, never anything a person typed, and expire with their window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class MemoryCounters:
    """Fixed-window counts in this process; old windows are dropped as time moves on."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        # window length -> (current window number, counts in it)
        self._windows: dict[float, tuple[int, dict[str, int]]] = {}
        # The web app serves requests on several threads; Rasa's one loop never waits on it.
        self._lock = threading.Lock()

    def add(self, keys: list[str], window_seconds: float) -> list[int]:
        window = int(self._clock() // window_seconds)
        with self._lock:
            current, counts = self._windows.get(window_seconds, (None, {}))
            if current != window:
                counts = {}
                self._windows[window_seconds] = (window, counts)
            totals = []
            for key in keys:
                counts[key] = counts.get(key, 0) + 1
                totals.append(counts[key])
        return totals
