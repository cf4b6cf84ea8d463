"""Integration tests commit for real and may use a real worker (tests.worker)."""

from __future__ import annotations

import pytest

from tests.worker import celery_worker, private_redis, wait_for

__all__ = ["celery_worker", "private_redis", "wait_for"]


@pytest.fixture(autouse=True)
def _reference_data(reference_data: None) -> None:
    """Integration tests commit for real, so they need the roles and geography."""
