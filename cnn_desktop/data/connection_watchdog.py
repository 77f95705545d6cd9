"""Cut a blocked download at once when it is cancelled or too slow (Qt-free).

A read blocked on a server that trickles one byte at a time cannot check a cancel token itself;
a watchdog thread that shuts the connection's socket down ends such a read within a fraction of
a second.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Protocol

WATCH_INTERVAL = 0.1
"""Seconds between two looks at the cancel token and the deadline."""


class EventLike(Protocol):
    def is_set(self) -> bool: ...


CancelToken = EventLike | Callable[[], bool]
"""A threading.Event or a function that says whether to stop."""


def is_cancelled(cancel: CancelToken | None) -> bool:
    """True once ``cancel`` (an event or a function) says stop; None never does."""
    if cancel is None:
        return False
    is_set = getattr(cancel, "is_set", None)
    if is_set is not None:
        return bool(is_set())
    return bool(cancel())  # type: ignore[operator]


class ConnectionWatchdog:
    """Cuts the connection of one attempt at once when it is cancelled or too slow.

    A read blocked on a server that trickles one byte at a time cannot check the cancel token
    itself; shutting its socket down from this thread ends the read within ``WATCH_INTERVAL``.
    """

    def __init__(self, cancel: CancelToken | None, deadline: float) -> None:
        self.cancel, self.deadline = cancel, deadline
        self.sockets: list[socket.socket] = []
        self.too_slow = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="download-watchdog", daemon=True)

    def __enter__(self) -> ConnectionWatchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._done.wait(WATCH_INTERVAL):
            self.too_slow = time.monotonic() > self.deadline
            if self.too_slow or is_cancelled(self.cancel):
                for sock in list(self.sockets):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                return

    def opener(self) -> urllib.request.OpenerDirector:
        """A urllib opener (proxies, redirects as usual) whose connections this watchdog can cut."""
        sockets = self.sockets

        class WatchedHTTP(http.client.HTTPConnection):
            def connect(self) -> None:
                super().connect()
                sockets.append(self.sock)

        class WatchedHTTPS(http.client.HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                sockets.append(self.sock)

        class HTTPHandler(urllib.request.HTTPHandler):
            def http_open(self, req):  # noqa: ANN001, ANN202 - urllib's own signature
                return self.do_open(WatchedHTTP, req)

        class HTTPSHandler(urllib.request.HTTPSHandler):
            def https_open(self, req):  # noqa: ANN001, ANN202
                return self.do_open(WatchedHTTPS, req, context=self._context)

        return urllib.request.build_opener(HTTPHandler, HTTPSHandler)
