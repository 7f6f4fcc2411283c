"""Whether the HTTP client of this request is still there, so that work nobody will read
stops (see :data:`translator.pipeline.CANCEL_CHUNK`).

The pipeline asks between chunks of sentences; asking is one ``select`` on the request's
socket (gunicorn and werkzeug's server put it in the WSGI environ): readable with
nothing to read means the client closed the connection. A pipelined next request makes
the socket readable with data, which is not a hang-up. A client that half-closes its
side after sending the request looks gone too; HTTP clients do not do that in practice.
"""

from __future__ import annotations

import select
import socket

ENVIRON_KEYS = ("gunicorn.socket", "werkzeug.socket")


class ClientGone:
    """``is_set()`` once the client of a request has hung up (a ``CancelSignal``)."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self._gone = False

    @classmethod
    def of(cls, environ: dict) -> "ClientGone | None":
        """The signal for the request of ``environ``; None when its socket is unknown (the
        test client) or cannot be peeked at (TLS in the worker)."""
        sock = next((environ[key] for key in ENVIRON_KEYS if environ.get(key) is not None), None)
        if not isinstance(sock, socket.socket) or hasattr(sock, "context"):
            return None
        return cls(sock)

    def is_set(self) -> bool:
        if self._gone:
            return True
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
            if readable and self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                self._gone = True
        except (BlockingIOError, InterruptedError):
            pass
        except (OSError, ValueError):  # reset, or closed under us: gone as well
            self._gone = True
        return self._gone
