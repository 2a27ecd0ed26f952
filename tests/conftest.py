"""Shared fixtures for every test package."""

from __future__ import annotations

import os

import numpy as np
import pytest

# In CI a missing external peer (node tools, PostgreSQL) is a failure, never a skip.
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_peer(available: bool, what: str) -> None:
    """Skip locally, fail in CI, when an external tool the test needs is missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available")


@pytest.fixture
def rng() -> np.random.Generator:
    """A reproducible numpy generator; the seed is fixed so failures replay."""
    return np.random.default_rng(20261124)
