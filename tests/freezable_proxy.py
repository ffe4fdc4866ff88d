"""A TCP proxy for tests that can be frozen like a SIGSTOPped server, and thawed.

Frozen, it still accepts connections and reads what clients send (as a stopped server's
kernel does) but forwards nothing either way and keeps every socket open; thawed, it
forwards again, held bytes first.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class FreezableProxy:
    """Forwards loopback TCP connections to ``target`` until frozen."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        #: Set when bytes arrive while frozen: someone is now waiting for an answer.
        self.holding = threading.Event()
        self._closed = False
        self._sockets: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def freeze(self) -> None:
        """Stop forwarding in both directions; connections stay open."""
        self._flowing.clear()

    def thaw(self) -> None:
        """Forward again."""
        self.holding.clear()
        self._flowing.set()

    def close(self) -> None:
        """Close every socket and wait for the forwarding threads."""
        self._closed = True
        self._flowing.set()
        for sock in [self.listener, *self._sockets]:
            with suppress(OSError):  # never connected, or already shut
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(timeout=10)

    def _accept(self) -> None:
        """Pair each client with its own connection to the target."""
        while not self._closed:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                thread = threading.Thread(target=self._pump, args=(source, sink), daemon=True)
                self._threads.append(thread)
                thread.start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy bytes one way, holding them while frozen."""
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if data and not self._flowing.is_set():
                self.holding.set()
            self._flowing.wait()
            if not data or self._closed:
                break
            try:
                sink.sendall(data)
            except OSError:
                break
        with suppress(OSError):  # the other side went first
            sink.shutdown(socket.SHUT_WR)


@contextmanager
def running_proxy(target: tuple[str, int]) -> Iterator[FreezableProxy]:
    """A proxy to ``target`` for the block's duration."""
    proxy = FreezableProxy(target)
    try:
        yield proxy
    finally:
        proxy.close()
