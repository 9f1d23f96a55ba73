"""The production server: waitress in several pre-forked processes, each guarded against slow and idle clients.

The parent binds the listening socket once and forks ``processes`` workers; each worker
builds its own app (so each opens the memory-mapped index itself, and each notices
index switches and updates on its own) and serves the shared socket with waitress:
an asynchronous loop reads whole requests before a thread sees them, so a slow client
costs a socket, never a thread. Requests then go to one of two lanes (:mod:`webapp.lanes`):
searches one at a time on a thread of their own, exports and changes on the other threads.
The parent restarts a worker that dies and stops them
all on SIGTERM or SIGINT; a worker whose parent is gone stops too.

On top of waitress's limits, every connection is closed when it is

* idle (no request, nothing to send) for ``idle_timeout`` seconds;
* sending a request line and headers for longer than ``header_timeout`` seconds (slow
  headers), or a body of which nothing arrived for that long;
* owed a response of which the client has read nothing for ``send_timeout`` seconds
  (clients that never read; a response that produces nothing for that long).

A request body is bounded by its path (:meth:`ServerConfig.body_limit`): only the upload
paths take large bodies; any other request is answered 413 (JSON) as soon as its declared
size (``Content-Length``) or the chunked body read so far passes ``max_body``, before the
server reads or stores more of it.

Workers share out new connections: one that holds more connections than another waits
a moment (:data:`ACCEPT_DEFER`) before it takes a new one, so that the other takes it
first (each worker's count is in shared memory; a worker that is starting or has ended
counts as full); persistent clients (browsers, nginx's keep-alive pool) spread evenly over
the processes, and no connection waits for a worker that is asleep. At start, workers take
connections once every worker serves (or after :data:`STARTUP_WAIT`), so the first clients
do not all land on the worker that happened to open the index first.

A request target holding raw UTF-8 (``/api/search?q=校园欺凌``, as curl sends what it is given) is read as its
percent-encoded form, as nginx and gunicorn read it (waitress alone answers it 400 ``Bad URI``). Every error
waitress answers itself (a request it cannot read, headers or a body too large, an application that failed
mid-response) is the app's own error shape (:func:`webapp.errors.server_error`): JSON with ``message_zh``
under ``/api/``, a page in Chinese elsewhere.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import json
import logging
import multiprocessing.sharedctypes
import os
import re
import resource
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask
from waitress.utilities import RequestEntityTooLarge

from indexer.processes import die_with_parent
from indexer.settings import Settings
from webapp.errors import chinese_message
from webapp.lanes import Lanes

MAX_HEADER_BYTES = 96 * 1024  # request line and headers together
MAX_DEFAULT_PROCESSES = 4  # one per core, but no more by default: each process holds ~200 MB of its own
ACCEPT_DEFER = 0.002  # seconds a worker with more connections than another waits before accepting
NOT_SERVING = 2**31 - 1  # the connection count of a worker that is starting or has ended: never the fewest
STARTUP_WAIT = 20.0  # seconds a starting worker waits for the others to serve before it takes connections alone
RESTART_PAUSE = 1.0  # seconds before a dead worker is replaced
EARLY_DEATH = 10.0  # a worker that ends sooner than this after its start stops the server (it would fail again)
# Kernel send buffer of each connection (no autotuning up to 4 MB): a client that stops reading holds at most about
# twice this of the kernel's memory, and its stall shows (the response stops moving) after that much, not 4 MB.
# 256 KiB still carries about 5 MB/s to a client 100 ms away.
SEND_BUFFER = 256 * 1024
SPARE_FILES = 64  # file descriptors beyond the connections (listening socket, trigger, index files, temp files)
START_KEPT = 2048  # bytes of a request's start kept to name its path in an error answer
_RAW_BYTE = re.compile(rb"[\x80-\xff]")

# The app's answer to an error the server met before (or instead of) the app: (app, status, English message,
# the request's path) -> (content type, body).
ErrorPage = Callable[[Callable, int, str, str], tuple[str, bytes]]

log = logging.getLogger("jianbao.server")


@dataclass(frozen=True)
class ServerConfig:
    """How the server listens, how many processes and threads it runs, and its limits on clients."""

    host: str = "127.0.0.1"
    port: int = 5000
    processes: int = 1
    threads: int = 8  # for exports and changes; searches have a lane (thread) of their own
    search_lane: bool = True  # searches one at a time on their own thread (the local engine; see webapp.lanes)
    connection_limit: int = 1000
    idle_timeout: float = 10.0
    header_timeout: float = 10.0
    send_timeout: float = 30.0
    max_body: int = 16 * 1024  # bytes of a request body, on every path but large_body_paths
    large_body: int = 0  # bytes of a request body on large_body_paths (the uploads)
    large_body_paths: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> ServerConfig:
        """The configuration the settings give (``processes`` 0 resolved to one per core, at most 4)."""
        processes = settings.processes or min(os.cpu_count() or 1, MAX_DEFAULT_PROCESSES)
        values = dict(processes=processes, threads=settings.threads, connection_limit=settings.connection_limit,
                      idle_timeout=settings.idle_timeout, header_timeout=settings.header_timeout,
                      send_timeout=settings.send_timeout)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def body_limit(self, path: str) -> int:
        """The most bytes a request body to ``path`` may hold."""
        return max(self.max_body, self.large_body) if path in self.large_body_paths else self.max_body


class BodyTooLarge(RequestEntityTooLarge):
    """The 413 of a body past its path's limit, as the app's JSON error."""

    def to_response(self, ident: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
        error = {"code": "too_large", "message": self.body, "message_zh": chinese_message(413)}
        body = json.dumps({"error": error}, ensure_ascii=False).encode("utf-8")
        return f"{self.code} {self.reason}", [("Content-Type", "application/json")], body


class TargetParser(HTTPRequestParser):
    """Waitress's request parser, taking raw UTF-8 in the request target and keeping the request's start."""

    start = b""

    def received(self, data: bytes) -> int:
        if len(self.start) < START_KEPT and self.body_rcv is None:
            self.start += data[:START_KEPT - len(self.start)]
        return super().received(data)

    def parse_header(self, header_plus: bytes) -> None:
        """Parse with every non-ASCII byte of the request line percent-encoded (the target is its only place)."""
        line, newline, rest = header_plus.partition(b"\r\n")
        return super().parse_header(_RAW_BYTE.sub(lambda m: b"%%%02X" % m.group()[0], line) + newline + rest)

    def target_path(self) -> str:
        """The path the request asked for, as far as it was read (empty when not known)."""
        parts = self.start.split(b"\r\n", 1)[0].split(b" ")
        if len(parts) < 2:
            return ""
        try:
            return unquote(urlsplit(parts[1].decode("latin-1")).path)
        except ValueError:
            return ""


class BoundedParser(TargetParser):
    """A waitress request whose body limit is its path's, known once the request line is read (before the body)."""

    def __init__(self, adj: Adjustments, config: ServerConfig):
        super().__init__(adj)
        self.limit = config.max_body
        self.config = config

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        self.limit = self.config.body_limit(self.path)
        self.adj = copy.copy(self.adj)  # waitress refuses a body of max_request_body_size bytes or more
        self.adj.max_request_body_size = self.limit + 1

    def received(self, data: bytes) -> int:
        consumed = super().received(data)
        if isinstance(self.error, RequestEntityTooLarge) and not isinstance(self.error, BodyTooLarge):
            self.error = BodyTooLarge(f"the request body is larger than {self.limit} bytes")
        return consumed


class AppErrorTask(ErrorTask):
    """An error waitress answers itself, in the app's shape (see the module docstring)."""

    def execute(self) -> None:
        server = self.channel.server
        if getattr(server, "error_page", None) is None:
            return super().execute()
        error = self.request.error
        asked = [self.request, *self.channel.requests]  # after a failed app, the request that failed is the first
        path = next((p for p in (r.target_path() for r in asked if isinstance(r, TargetParser)) if p), "")
        content_type, body = server.error_page(server.app, error.code, f"{error.reason}: {error.body}", path)
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", content_type), ("Cache-Control", "no-store"),
                                      ("X-Content-Type-Options", "nosniff")])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)
        return None


class GuardedChannel(HTTPChannel):
    """A waitress connection that remembers when the request it is reading began, and bounds each request's body by
    its path (:class:`BoundedParser`)."""

    error_task_class = AppErrorTask
    request_started = 0.0

    def parser_class(self, adj: Adjustments) -> BoundedParser:
        return BoundedParser(adj, self.server.config)

    def readable(self) -> bool:
        """Never once closed. The server's check closes overdue connections while the loop lists the descriptors to
        poll, so a closed one would still be listed; its "invalid descriptor" event would then close whichever visitor
        the same turn accepted on that number, now the lowest free one (a reset)."""
        return self.connected and super().readable()

    def writable(self) -> bool:
        """Never once closed (see :meth:`readable`)."""
        return self.connected and bool(super().writable())

    def received(self, data: bytes) -> bool:
        if data and self.request is None:
            self.request_started = time.time()
        return super().received(data)

    def overdue(self, now: float, config: ServerConfig) -> str | None:
        """Why this connection must be closed now, or None. Bytes that arrived but were not read yet (the check runs
        before the loop reads, and a busy machine may hold the loop for seconds) are read first."""
        if self.requests or self.total_outbufs_len:
            if now - self.last_activity > config.send_timeout:
                return "response not read"
        elif self.request is not None:
            if (not self.request.headers_finished and now - self.request_started > config.header_timeout
                    and not bytes_waiting(self.socket)):
                return "request line and headers not sent in time"
            if (self.request.headers_finished and now - self.last_activity > config.header_timeout
                    and not bytes_waiting(self.socket)):
                return "request body stopped"  # an upload may take long, but not stop
        elif now - self.last_activity > config.idle_timeout and not bytes_waiting(self.socket):
            return "idle"
        return None


def bytes_waiting(sock: socket.socket) -> bool:
    """Whether the peer has sent bytes this side has not read yet (without reading them)."""
    try:
        return bool(sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except OSError:  # nothing waiting (EAGAIN), or the connection is gone
        return False


class GuardedServer(TcpWSGIServer):
    """One worker's waitress server on the shared socket: closes overdue connections, takes its turn to accept."""

    channel_class = GuardedChannel

    def __init__(self, app: Callable, sock: socket.socket, config: ServerConfig, loads: list[int] | None = None,
                 slot: int = 0, error_page: ErrorPage | None = None):
        self.config = config
        self.error_page = error_page
        self.app = app  # as given (waitress's ``application`` may be it wrapped in a proxy-headers middleware)
        self.loads = loads  # open connections of every worker (shared memory), or None for a single process
        self.slot = slot
        self.started = time.monotonic()
        adj = Adjustments(threads=config.threads, connection_limit=config.connection_limit,
                          channel_timeout=max(1, int(config.idle_timeout)), cleanup_interval=1,
                          asyncore_use_poll=True, ident="jianbao", max_request_header_size=MAX_HEADER_BYTES,
                          max_request_body_size=max(config.max_body, config.large_body) + 1, backlog=2048)
        adj.socket_options = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),  # not a keyword of Adjustments
                              (socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)]
        sockinfo = (sock.family, sock.type, sock.proto, sock.getsockname())
        super().__init__(app, map={}, _sock=sock, adj=adj, bind_socket=False, sockinfo=sockinfo,
                         dispatcher=Lanes(config.threads, config.search_lane))

    def maintenance(self, now: float) -> None:
        """Close every idle, slow-sending or non-reading connection (runs in the loop thread each second)."""
        for channel in list(self.active_channels.values()):
            try:
                reason = channel.overdue(now, self.config)
                if reason:
                    log.log(logging.DEBUG if reason == "idle" else logging.INFO, "closing connection from %s: %s",
                            channel.addr, reason)
                    channel.handle_close()
            except Exception:  # noqa: BLE001 - one connection's trouble must not end the worker's loop
                log.exception("could not check or close the connection from %s", channel.addr)

    def readable(self) -> bool:
        if self.loads is not None:
            self.loads[self.slot] = len(self.active_channels)
        return super().readable()

    def handle_accept(self) -> None:
        """Accept a waiting connection: after a moment if another worker holds fewer (it will likely take it), not
        while the server starts and another worker does not serve yet."""
        if self.loads is not None:
            mine = self.loads[self.slot] = len(self.active_channels)
            if NOT_SERVING in self.loads and time.monotonic() - self.started < STARTUP_WAIT:
                time.sleep(ACCEPT_DEFER)
                return  # the server is starting: the connection waits until every worker serves (or the wait ends)
            if mine > min(self.loads):
                time.sleep(ACCEPT_DEFER)
        super().handle_accept()


def listen(host: str, port: int) -> socket.socket:
    """The listening socket every worker shares."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def serve(make_app: Callable[[], Callable], config: ServerConfig, error_page: ErrorPage | None = None) -> None:
    """Serve ``make_app()`` (called once in each worker) until SIGTERM or SIGINT; ``error_page`` makes the answers
    to errors waitress meets itself (its plain-text English when None)."""
    _raise_file_limit(config.connection_limit + SPARE_FILES)
    sock = listen(config.host, config.port)
    if config.processes == 1:
        GuardedServer(make_app(), sock, config, error_page=error_page).run()
        return
    loads = multiprocessing.sharedctypes.RawArray(ctypes.c_int, [NOT_SERVING] * config.processes)
    Supervisor(lambda slot: _worker(make_app, sock, config, loads, slot, error_page), config.processes,
               ended=lambda slot: loads.__setitem__(slot, NOT_SERVING)).run()


class WorkerFailed(RuntimeError):
    """A worker ended right after it started; its log says why."""


class Supervisor:
    """Keeps ``count`` forked workers running; stops them when told to stop, or when one fails at its start."""

    def __init__(self, work: Callable[[int], None], count: int, ended: Callable[[int], None] = lambda slot: None):
        self.work = work
        self.count = count
        self.ended = ended  # called with a worker's slot when it ends
        self.workers: dict[int, tuple[int, float]] = {}  # pid -> (slot, start time)
        self.stopping = False

    def run(self) -> None:
        """Start the workers and wait; raises :class:`WorkerFailed` when one ends within EARLY_DEATH of its start."""
        parent = os.getpid()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._stop)
        for slot in range(self.count):
            self._start(slot, parent)
        failed = None
        while self.workers:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            if pid not in self.workers or self.stopping:
                self.workers.pop(pid, None)
                continue
            slot, started = self.workers.pop(pid)
            self.ended(slot)
            if time.monotonic() - started < EARLY_DEATH:
                failed = f"worker {pid} ended {time.monotonic() - started:.1f} s after its start (status {status})"
                self._stop(signal.SIGTERM, None)
                continue
            log.warning("worker %d ended (status %d); starting another", pid, status)
            time.sleep(RESTART_PAUSE)
            if not self.stopping:
                self._start(slot, parent)
        if failed:
            raise WorkerFailed(failed)

    def _start(self, slot: int, parent: int) -> None:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                die_with_parent(parent, signal.SIGTERM)
                self.work(slot)
            except BaseException:  # noqa: BLE001 - a worker must never return into the parent's code
                log.exception("worker failed")
                code = 1
            finally:
                os._exit(code)
        self.workers[pid] = (slot, time.monotonic())

    def _stop(self, signum: int, frame) -> None:
        self.stopping = True
        for pid in self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)


def _worker(make_app: Callable[[], Callable], sock: socket.socket, config: ServerConfig, loads, slot: int,
            error_page: ErrorPage | None) -> None:
    GuardedServer(make_app(), sock, config, loads, slot, error_page).run()


def _raise_file_limit(wanted: int) -> None:
    """Raise the soft limit of open files to ``wanted`` (as far as the hard limit allows)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < wanted:
            log.warning("open files limited to %d: fewer connections than the limit can be held", target)
