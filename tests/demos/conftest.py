"""Shared by the demo tests: one torch thread, as the worker uses (demos/_base.set_threads)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny tensors: one thread is as fast on an idle machine and many times faster on a busy
    one (OpenMP threads spin while waiting for a core)."""
    import torch  # here, not at the top: `pytest -m "not torch"` loads this file too

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
