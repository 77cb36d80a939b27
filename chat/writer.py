"""One writer per server process: the sends waiting at a moment go to the database together.

A socket's ``send`` frame becomes a call of ``fn(*args)`` (the consumer's database half). The
first send finds the writer idle and goes at once, alone: one thread hop, its own transaction,
as before. Sends that arrive while a write is in the database thread wait, and the next write
takes all of them (up to ``MAX_BATCH``) in one thread hop and one transaction, each message
still numbered, checked and answered on its own. Under load that saves a thread hop, a
BEGIN/COMMIT and a wake-up per message (docs/performance.md, "Post path"); alone it costs
nothing. The broadcasts of a batch leave when it returns to the loop (``fanout.run_held``),
not by waking the loop from the database thread. Nothing waits on purpose: a batch is only
what queued up behind the previous write.

Errors stay per send: a ``ChatError`` (or another ``expected`` exception) raised for one send is
raised to its caller only. Any other exception rolls back the batch and is raised to every
caller in it (their clients resend their unacknowledged ``client_id``\\s on reconnect).

Deadlocks: a batch takes the row locks of the channels it writes in channel order (``key``),
so two processes' batches over the same channels queue up instead of deadlocking; a batch
the database still rolls back as a deadlock or lock wait timeout (``retryable``) is written again,
each send alone in its own transaction, up to ``ATTEMPTS`` times.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import deque
from collections.abc import Callable

from channels.db import database_sync_to_async
from django.db import OperationalError, transaction

from chat import fanout

MAX_BATCH = 50
ATTEMPTS = 3  # a send rolled back by a deadlock is written again, alone, up to this often

# MariaDB/MySQL: deadlock, lock wait timeout; PostgreSQL: deadlock, serialization failure.
_RETRY_CODES = {1213, 1205, "40P01", "40001"}


def retryable(exc: BaseException) -> bool:
    """Did the database roll back because of another transaction (a deadlock, a lock wait that
    timed out), so that the same writes may well succeed when tried again? (SQLite's "database
    is locked" is not: its IMMEDIATE transactions cannot deadlock, and it has already waited
    out its busy timeout.)"""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    if code is None and cause is not None and cause.args:
        code = cause.args[0]
    return code in _RETRY_CODES


class Batch:
    """A batch's one transaction, seen from the database thread while its sends run: they
    may keep what they found in ``state`` (a channel row already locked, its newest number)
    and leave writes for ``at_end`` (once per key, run in order just before the COMMIT), so
    that ten sends in one channel lock and update its row once, not ten times."""

    def __init__(self) -> None:
        self.state: dict = {}
        self._ends: dict = {}

    def at_end(self, key: object, fn: Callable[[], None]) -> None:
        self._ends.setdefault(key, fn)

    def end(self) -> None:
        for fn in self._ends.values():
            fn()


_local = threading.local()


def current_batch() -> Batch | None:
    """The batch of more than one send that this database thread is writing now, if any."""
    return getattr(_local, "batch", None)


class Writer:
    def __init__(
        self,
        fn: Callable,
        expected: tuple[type[BaseException], ...],
        key: Callable | None = None,
    ) -> None:
        self.fn = fn
        self.expected = expected
        self.key = key
        self.waiting: deque = deque()
        self.running = False

    async def submit(self, *args):
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((args, future))
        if not self.running:
            self.running = True
            asyncio.ensure_future(self._run())
        return await future

    async def _run(self) -> None:
        try:
            while self.waiting:
                batch = [self.waiting.popleft() for _ in range(min(MAX_BATCH, len(self.waiting)))]
                if self.key is not None and len(batch) > 1:
                    # Lock order (stable: one channel's sends keep their order).
                    batch.sort(key=lambda item: self.key(*item[0]))
                outcomes = await self._attempt([args for args, _f in batch])
                if len(batch) > 1 and any(retryable(v) for ok, v in outcomes if not ok):
                    outcomes = [await self._alone(args) for args, _f in batch]
                for (_args, future), (ok, value) in zip(batch, outcomes, strict=True):
                    if future.done():  # the socket went away meanwhile
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self.running = False

    async def _attempt(self, batch: list[tuple]) -> list[tuple[bool, object]]:
        """One thread hop, one transaction: every send's outcome (all the same error when
        the transaction failed)."""
        try:
            return await database_sync_to_async(self._write)(batch)
        except Exception as exc:
            return [(False, exc)] * len(batch)
        finally:
            # The batch's broadcasts, in commit order (also when this task is cancelled:
            # asgiref lets the database thread finish first).
            fanout.run_held()

    async def _alone(self, args: tuple) -> tuple[bool, object]:
        """One send in its own transaction, again while the database rolls it back for
        another transaction's locks (a rolled-back send left nothing behind)."""
        for _attempt in range(ATTEMPTS):
            ((ok, value),) = await self._attempt([args])
            if ok or not retryable(value):
                break
        return ok, value

    def _write(self, batch: list[tuple]) -> list[tuple[bool, object]]:
        """In the database thread: every send of the batch, in one transaction when more
        than one. No savepoint per send: ``fn`` raises its ``expected`` errors before it
        writes anything (``message_post``), so one send's refusal leaves the others' rows."""
        with fanout.wakeups_held():
            if len(batch) == 1:
                return [self._one(batch[0])]
            with transaction.atomic():
                _local.batch = shared = Batch()
                try:
                    outcomes = [self._one(args) for args in batch]
                    shared.end()
                finally:
                    _local.batch = None
                return outcomes

    def _one(self, args: tuple) -> tuple[bool, object]:
        try:
            return True, self.fn(*args)
        except self.expected as exc:
            return False, exc


_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # loop -> {fn: Writer}


def writer(
    fn: Callable, expected: tuple[type[BaseException], ...], key: Callable | None = None
) -> Writer:
    """This event loop's writer for ``fn``; ``key(*args)`` orders a batch (the channel whose
    row a send locks)."""
    per_loop = _writers.setdefault(asyncio.get_running_loop(), {})
    found = per_loop.get(fn)
    if found is None:
        found = per_loop[fn] = Writer(fn, expected, key)
    return found
