"""Two lanes for a worker's requests: searches one at a time in arrival order, slow requests beside them.

A search on the local engine is CPU work under one GIL. Several threads searching
at once share it, each search takes as long as all of them together, and handing
the GIL and the turn between threads costs CPU besides. Measured with ``python -m
bench.load`` (2 cores, 2 processes, 8 keep-alive clients): 8 threads each searching
gave 910–935 requests/s and p95 18.5–19 ms, 2 threads 870 and 18 ms, one thread 1,030
and 12.8 ms. So reading requests (GET, HEAD) go to one thread, first come first served.

A request that may wait long for something else runs on the other lane's threads,
so that it never holds up searches: an export (``/export.csv``, which streams
megabytes to a client that may read slowly) and any request that changes something
(uploads and withdrawals wait for the index's writer). With a cluster backend, a
search mostly waits on the network: every request then goes to the threads.
"""

from __future__ import annotations

import logging

from waitress.task import ThreadedTaskDispatcher

READING = frozenset({"GET", "HEAD"})
SLOW_PATHS = ("/export.csv",)  # reading requests that stream long responses


class Lanes:
    """A waitress task dispatcher: reading requests to one thread (when ``searching_lane``), others to the pool."""

    def __init__(self, threads: int, searching_lane: bool = True):
        self.pool = ThreadedTaskDispatcher()
        self.pool.set_thread_count(threads)
        self.searching: ThreadedTaskDispatcher | None = None
        if searching_lane:
            self.searching = ThreadedTaskDispatcher()
            self.searching.queue_logger = SEARCH_QUEUE_LOG
            self.searching.set_thread_count(1)

    def add_task(self, channel) -> None:
        """Queue a connection whose request is ready on the lane its first request belongs to."""
        lane = self.searching if self.searching is not None and is_search(channel.requests[0]) else self.pool
        lane.add_task(channel)

    def set_thread_count(self, count: int) -> None:
        """Threads of the pool (the searching lane keeps its one)."""
        self.pool.set_thread_count(count)

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        """Stop both lanes' threads (waitress's contract: True when every thread stopped in time)."""
        done = self.pool.shutdown(cancel_pending, timeout)
        if self.searching is not None:
            done = self.searching.shutdown(cancel_pending, timeout) and done
        return done


# Waitress warns of every request that waits for a thread ("Task queue depth is 1"); on the searching lane searches
# wait their turn by design, and that warning a search flooded the log (hundreds of lines a second under load).
SEARCH_QUEUE_LOG = logging.getLogger("waitress.queue.searching")
SEARCH_QUEUE_LOG.setLevel(logging.ERROR)


def is_search(request) -> bool:
    """Does a parsed request belong on the searching lane: a reading request that is not an export?"""
    method = getattr(request, "command", "")
    path = getattr(request, "path", "") or ""
    return method in READING and not path.endswith(SLOW_PATHS)
