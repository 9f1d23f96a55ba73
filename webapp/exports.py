"""How many CSV exports run at once, and for how long each may hold its place.

An export is long (a whole result set) and a client may stop reading it. Each one
takes a :class:`Lease` from the app's :class:`ExportSlots`; when none is free the
request is answered 429. A lease ends when the response is closed or, at the
latest, ``seconds`` after it was taken: then the export stops writing rows, and its
slot counts as free even if the server is still stuck sending to a client that does
not read (cutting that connection is the server's send timeout).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Lease:
    """One export's place: valid until ``expires`` (a ``clock`` time) or until released."""

    expires: float
    clock: Callable[[], float]
    released: bool = False

    @property
    def expired(self) -> bool:
        """Has the export had its time (or been released)?"""
        return self.released or self.clock() >= self.expires


class ExportSlots:
    """At most ``size`` exports at once, each holding its slot at most ``seconds``."""

    def __init__(self, size: int, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.size = size
        self.seconds = seconds
        self.clock = clock
        self._leases: list[Lease] = []
        self._lock = threading.Lock()

    def acquire(self) -> Lease | None:
        """A lease for one export, or None when every slot is taken by an unexpired one."""
        with self._lock:
            self._leases = [lease for lease in self._leases if not lease.expired]
            if len(self._leases) >= self.size:
                return None
            lease = Lease(self.clock() + self.seconds, self.clock)
            self._leases.append(lease)
            return lease

    def release(self, lease: Lease) -> None:
        """Give the slot back (again is harmless)."""
        with self._lock:
            lease.released = True
            self._leases = [held for held in self._leases if held is not lease]

    @property
    def in_use(self) -> int:
        """Slots held by unexpired leases."""
        with self._lock:
            return sum(1 for lease in self._leases if not lease.expired)
