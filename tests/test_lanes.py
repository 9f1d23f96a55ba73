"""The server's two lanes: reading requests one at a time on their own thread, exports and changes beside them."""

from __future__ import annotations

import threading

from waitress.adjustments import Adjustments
from waitress.parser import HTTPRequestParser

from backends import backend_for
from indexer.settings import Settings
from webapp.lanes import Lanes, is_search
from webapp.server import GuardedServer, ServerConfig, listen


def parsed(raw: bytes) -> HTTPRequestParser:
    """A request as waitress's parser reads it off the wire."""
    request = HTTPRequestParser(Adjustments())
    while raw and not request.completed:
        raw = raw[request.received(raw):]
    assert request.completed and not request.error
    return request


class Connection:
    """Stands in for a waitress channel: one parsed request; ``service`` notes which thread served it."""

    def __init__(self, raw: bytes, served: list, done: threading.Semaphore,
                 *holds: threading.Event | threading.Barrier):
        self.requests = [parsed(raw)]
        self.served, self.done, self.holds = served, done, holds

    def service(self) -> None:
        for hold in self.holds:  # each waited for in turn before the request is answered
            hold.wait(10)
        self.served.append((self.requests[0].request_uri, threading.get_ident()))
        self.done.release()

    def cancel(self) -> None:
        pass


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()


POST = b"POST /api/withdrawals HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"


def test_which_requests_are_searches():
    assert is_search(parsed(get("/api/search?q=%E6%B2%B3%E9%95%BF")))
    assert is_search(parsed(b"HEAD /items/a HTTP/1.1\r\nHost: x\r\n\r\n"))
    assert not is_search(parsed(get("/export.csv?q=x")))
    assert not is_search(parsed(POST))


def test_searches_share_one_thread_in_arrival_order_while_slow_requests_wait_beside_them():
    lanes = Lanes(threads=4)
    served: list = []
    done = threading.Semaphore(0)
    both = threading.Barrier(2, timeout=10)  # passed only by the two slow requests served at once
    hold = threading.Event()
    try:
        slow = [Connection(get("/export.csv"), served, done, both, hold), Connection(POST, served, done, both, hold)]
        for c in slow:
            lanes.add_task(c)
        searches = [Connection(get(f"/api/search?q={n}"), served, done) for n in range(20)]
        for c in searches:
            lanes.add_task(c)
        for _ in searches:
            assert done.acquire(timeout=10)  # every search answered while the export and the POST still wait
        assert [uri for uri, _ in served] == [f"/api/search?q={n}" for n in range(20)]
        assert len({thread for _, thread in served}) == 1
        hold.set()
        for _ in slow:
            assert done.acquire(timeout=10)
        slow_threads = {thread for _, thread in served[20:]}
        assert len(slow_threads) == 2 and not slow_threads & {served[0][1]}
    finally:
        hold.set()
        lanes.shutdown(timeout=5)


def test_without_a_searching_lane_every_request_goes_to_the_threads():
    lanes = Lanes(threads=3, searching_lane=False)
    served: list = []
    done = threading.Semaphore(0)
    meet = threading.Barrier(3, timeout=10)  # passed only by three searches served at once
    try:
        for n in range(3):
            lanes.add_task(Connection(get(f"/api/search?q={n}"), served, done, meet))
        for _ in range(3):
            assert done.acquire(timeout=10)
        assert len({thread for _, thread in served}) == 3
    finally:
        lanes.shutdown(timeout=5)


def test_the_server_gives_searches_their_lane_on_the_local_engine_only():
    for backend, lane in (("local", True), ("sphinxql://127.0.0.1:9306", False)):
        settings = Settings.from_env({"JIANBAO_BACKEND": backend})
        config = ServerConfig.from_settings(settings, port=0, threads=3, search_lane=backend_for(settings).search_lane)
        sock = listen("127.0.0.1", 0)
        server = GuardedServer(lambda environ, start_response: [], sock, config)
        try:
            lanes = server.task_dispatcher
            assert isinstance(lanes, Lanes) and (lanes.searching is not None) == lane
            assert len(lanes.pool.threads) == 3
        finally:
            lanes.shutdown(timeout=5)
            server.close()
