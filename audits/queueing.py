"""Handing work to the Celery worker without letting a broker outage reach the user.

Every task the portal queues goes through ``queue_on_commit``: the message is
published once the transaction commits (so the worker never meets a row that
is not there yet), the broker gets a short time to answer (the connect timeout
and publish retry policy in settings), and a broker that is down is logged, not
raised. The record the task would work on stays as it is ("queued", "not yet
sent"), and the sweep that beat runs publishes it again once the broker is
back. A view that wants to tell its user wraps the service call in ``watch()``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a broker that is down or unreachable raises through Celery and kombu.
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuError, RedisError, OSError)


@dataclass
class Watch:
    """The tasks that could not be handed to the worker while the watch was on."""

    unpublished: list[str] = field(default_factory=list)

    @property
    def worker_unavailable(self) -> bool:
        return bool(self.unpublished)


_watch: ContextVar[Watch | None] = ContextVar("queueing_watch", default=None)


@contextlib.contextmanager
def watch() -> Iterator[Watch]:
    """Note which publishes fail inside the block, e.g. to tell the user their
    request is queued until the report service is back."""
    current = Watch()
    token = _watch.set(current)
    try:
        yield current
    finally:
        _watch.reset(token)


def publish(task: Task, *args: Any) -> bool:
    """Publish now. True if the broker took the message; False, logged, if it is down."""
    if task.app.conf.task_always_eager:
        # Run in-process (the unit tests, or a deliberate configuration): there
        # is no broker, and the task's own errors must surface as they are.
        task.apply_async(args=args)
        return True
    try:
        task.apply_async(args=args, retry=True)
    except BROKER_ERRORS:
        logger.warning(
            "Could not hand %s%r to the worker: the broker is not answering. "
            "It stays queued and the sweep will publish it again.",
            task.name,
            args,
            exc_info=True,
        )
        current = _watch.get()
        if current is not None:
            current.unpublished.append(task.name)
        return False
    return True


def queue_on_commit(task: Task, *args: Any) -> None:
    """Publish ``task(*args)`` when the current transaction commits."""
    transaction.on_commit(lambda: publish(task, *args))
