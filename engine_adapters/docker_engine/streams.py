"""Blocking SDK streams turned into closable async iterators that never hang on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Generic, TypeVar

from engine_adapters.docker_engine.errors import translate
from engine_adapters.errors import EngineUnavailable

T = TypeVar("T")

Closer = Callable[[], None]
Opener = Callable[[], tuple[Iterator[T], Closer]]

_END = object()


class _Failure:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


class ThreadedStream(Generic[T]):
    """Runs a blocking iterator in a daemon thread and hands its items to the event loop.

    `aclose()` closes the underlying HTTP response from the loop, which makes the
    blocked read in the thread return at once (docker-py's CancellableStream idea).
    A stream that ends because the connection broke, rather than because it was
    closed or finished normally, raises EngineUnavailable when `ends_cleanly` is False.
    """

    def __init__(
        self,
        opener: Opener[T],
        endpoint: str,
        *,
        ends_cleanly: bool = True,
        name: str = "dockyard-stream",
    ) -> None:
        self._opener = opener
        self._endpoint = endpoint
        self._ends_cleanly = ends_cleanly
        self._name = name
        self._queue: asyncio.Queue[object] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closer: Closer | None = None
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._finished = False

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        if self._finished:
            raise StopAsyncIteration
        if self._queue is None:
            self._start()
        assert self._queue is not None
        item = await self._queue.get()
        if item is _END:
            self._finished = True
            raise StopAsyncIteration
        if isinstance(item, _Failure):
            self._finished = True
            raise item.error
        return item  # type: ignore[return-value]

    async def aclose(self) -> None:
        self._closed.set()
        with self._lock:
            closer = self._closer
        if closer is not None:
            await asyncio.to_thread(_quietly, closer)
        if self._queue is not None:
            self._queue.put_nowait(_END)
        self._finished = True

    def _start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        self._thread = threading.Thread(target=self._pump, name=self._name, daemon=True)
        self._thread.start()

    def _emit(self, item: object) -> None:
        assert self._loop is not None and self._queue is not None
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            self._closed.set()

    def _pump(self) -> None:
        try:
            iterator, closer = self._opener()
            with self._lock:
                self._closer = closer
            if self._closed.is_set():
                _quietly(closer)
                return
            for item in iterator:
                if self._closed.is_set():
                    break
                self._emit(item)
            if not self._closed.is_set() and not self._ends_cleanly:
                self._emit(_Failure(EngineUnavailable(f"lost the stream from {self._endpoint}")))
                return
        except BaseException as exc:
            if not self._closed.is_set():
                self._emit(_Failure(translate(exc, self._endpoint)))
            return
        self._emit(_END)


def _quietly(closer: Closer) -> None:
    # closing a dead connection may fail; it is closed either way
    with contextlib.suppress(Exception):
        closer()


def response_closer(response: Any) -> Closer:
    """Closes a streamed response even while a thread is blocked reading a quiet stream.

    `response.close()` alone waits for the buffer's lock, which that reader holds
    until data arrives (never, for a silent container); shutting the socket down
    first wakes the reader (docker-py's CancellableStream does the same).
    """

    def close() -> None:
        with contextlib.suppress(Exception):
            fp = response.raw._fp.fp
            raw = getattr(fp, "raw", fp)
            sock = getattr(raw, "_sock", None) or getattr(raw, "sock", None)
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
        response.close()

    return close
