"""Ending an HTTP exchange that is still running when its call's budget runs out.

httpx's timeouts bound each read, not a whole response: a server that sends a byte of its
headers or of its body every second, under the read timeout, holds a call for as long as
it keeps sending (httpcore gives up on headers only past 100 KiB of them). The
:class:`Watchdog` closes that gap. It learns the socket of every connection its client
opens, from httpx's ``trace`` request extension (httpcore reports each new connection's
network stream, whose ``get_extra_info("socket")`` is the socket), and when an exchange is
still running at its deadline it shuts those sockets down: the blocked read sees the end
of the stream at once and the exchange fails with an httpx transport error, which the
client reports as the budget having run out.

Shutting down is coarse: it ends every connection of the client, not only the late one,
because httpx does not say which pooled connection a request got. A runner makes one call
at a time, so the others are idle and are simply opened again; a call made at the same
moment on the same client would fail as a broken connection, which the client never
resends where that could apply an interaction twice.
"""

from __future__ import annotations

import itertools
import math
import socket
import threading
import time
import weakref
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["Watchdog"]

# httpcore's trace events for a new connection (plain, then TLS): info["return_value"] is
# the network stream.
_CONNECTED: Final = frozenset({"connection.connect_tcp.complete", "connection.start_tls.complete"})


class Watchdog:
    """Shuts down its client's connections when an armed exchange passes its deadline.

    :meth:`trace` is the ``trace`` extension to send with every request; :meth:`arm`
    before an exchange and :meth:`disarm` after it, which says whether the watchdog had
    to end it. A thread of its own waits for the deadlines; it starts with the first
    exchange and stops on :meth:`close`.
    """

    def __init__(self) -> None:
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._armed: dict[int, float] = {}
        self._fired: set[int] = set()
        self._tokens = itertools.count()
        self._changed = threading.Condition()
        # The deadline the thread sleeps until; a new one before it must wake the thread.
        self._waking_at = math.inf
        self._thread: threading.Thread | None = None
        self._closed = False

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpx's ``trace`` extension: remember the socket of each connection opened."""
        if event not in _CONNECTED:
            return
        extra_info = getattr(info.get("return_value"), "get_extra_info", None)
        sock = extra_info("socket") if callable(extra_info) else None
        if isinstance(sock, socket.socket):
            with self._changed:
                self._sockets.add(sock)

    def arm(self, deadline: float) -> int:
        """Watch an exchange that must end by ``deadline`` (``time.monotonic``)."""
        with self._changed:
            token = next(self._tokens)
            self._armed[token] = deadline
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="flowspec-remote-watchdog", daemon=True
                )
                self._thread.start()
            elif deadline < self._waking_at:
                self._changed.notify()
            return token

    def postpone(self, token: int, deadline: float) -> None:
        """Move an armed exchange's deadline to ``deadline`` if that is later."""
        with self._changed:
            if token in self._armed:
                self._armed[token] = max(self._armed[token], deadline)

    def disarm(self, token: int) -> bool:
        """Stop watching; True when the deadline passed and the connections were shut."""
        with self._changed:
            self._armed.pop(token, None)
            fired = token in self._fired
            self._fired.discard(token)
            return fired

    def close(self) -> None:
        """Stop the thread, and wait for it: a process with no other thread left may fork
        (its reports are then written side by side, see flowspec.reporting.writers)."""
        with self._changed:
            self._closed = True
            self._changed.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _watch(self) -> None:
        with self._changed:
            while not self._closed:
                now = time.monotonic()
                due = [token for token, deadline in self._armed.items() if deadline <= now]
                if due:
                    for token in due:
                        del self._armed[token]
                        self._fired.add(token)
                    self._shut_down()
                self._waking_at = min(self._armed.values(), default=math.inf)
                wait = None if self._waking_at == math.inf else self._waking_at - now
                self._changed.wait(wait)

    def _shut_down(self) -> None:
        for sock in list(self._sockets):
            try:
                # The plain socket's shutdown, also for a TLS socket: ssl.SSLSocket's own
                # would drop its TLS state under the thread still reading from it.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                # Already closed, or a plain socket that TLS took over: nothing to end.
                continue
