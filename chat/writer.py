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
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import Callable

from channels.db import database_sync_to_async
from django.db import transaction

from chat import fanout

MAX_BATCH = 50


class Writer:
    def __init__(self, fn: Callable, expected: tuple[type[BaseException], ...]) -> None:
        self.fn = fn
        self.expected = expected
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
                try:
                    outcomes = await database_sync_to_async(self._write)([a for a, _f in batch])
                except Exception as exc:
                    outcomes = [(False, exc)] * len(batch)
                finally:
                    # The batch's broadcasts, in commit order (also when this task is
                    # cancelled: asgiref lets the database thread finish first).
                    fanout.run_held()
                for (_args, future), (ok, value) in zip(batch, outcomes, strict=True):
                    if future.done():  # the socket went away meanwhile
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self.running = False

    def _write(self, batch: list[tuple]) -> list[tuple[bool, object]]:
        """In the database thread: every send of the batch, in one transaction when more
        than one (a send's own atomic block becomes a savepoint, so its errors stay its own)."""
        with fanout.wakeups_held():
            if len(batch) == 1:
                return [self._one(batch[0])]
            with transaction.atomic():
                return [self._one(args) for args in batch]

    def _one(self, args: tuple) -> tuple[bool, object]:
        try:
            return True, self.fn(*args)
        except self.expected as exc:
            return False, exc


_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # loop -> {fn: Writer}


def writer(fn: Callable, expected: tuple[type[BaseException], ...]) -> Writer:
    """This event loop's writer for ``fn``."""
    per_loop = _writers.setdefault(asyncio.get_running_loop(), {})
    found = per_loop.get(fn)
    if found is None:
        found = per_loop[fn] = Writer(fn, expected)
    return found
