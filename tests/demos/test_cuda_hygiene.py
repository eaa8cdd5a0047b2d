"""CUDA hygiene of `execute` (demos/_base.py), checked on the CPU: a run on a CUDA device gets
deterministic algorithms, no cuDNN autotuning and a fixed cuBLAS workspace, and torch's
settings come back afterwards, also after a demo that raises. No GPU is needed: device
resolution is replaced, and the test demo never puts a tensor on the device."""

from __future__ import annotations

import os
from typing import Any

import pytest
import torch

from demos import _base
from demos._base import Verdict, execute
from studytool.demorun.params import DemoInfo, Param

INFO = DemoInfo(
    name="probe",
    title_en="Probe",
    title_ko="탐침",
    concept="testing",
    claim="nothing",
    params=(Param("seed", 0, "seed"), Param("explode", False, "raise")),
)


def _settings() -> dict[str, Any]:
    return {
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
        "cudnn_benchmark": torch.backends.cudnn.benchmark,
        "cudnn_deterministic": torch.backends.cudnn.deterministic,
        "cublas": os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
    }


def _run_on(device: str, monkeypatch: pytest.MonkeyPatch, explode: bool = False) -> dict:
    seen: dict[str, Any] = {}

    def run(params, dev, report):
        seen.update(_settings(), device=dev.type)
        if params["explode"]:
            raise RuntimeError("boom")
        return Verdict(True, {}, "ok")

    monkeypatch.setattr(_base, "resolve_device", lambda name: torch.device(device))
    events: list[dict] = []
    execute(INFO, run, {"explode": explode}, device=device, emit=events.append)
    assert events[-1]["type"] == "done"
    return seen


@pytest.fixture
def benchmark_on(monkeypatch: pytest.MonkeyPatch):
    """Start from settings a user might have: the autotuner on, no cuBLAS variable."""
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    before = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = True
    yield
    torch.backends.cudnn.benchmark = before


@pytest.mark.parametrize("explode", [False, True])
def test_a_cuda_run_is_deterministic_and_the_settings_come_back(
    monkeypatch: pytest.MonkeyPatch, benchmark_on, explode: bool
) -> None:
    before = _settings()
    seen = _run_on("cuda", monkeypatch, explode)
    assert seen == {
        "deterministic": True,
        "warn_only": True,  # an op without a deterministic kernel still runs
        "cudnn_benchmark": False,
        "cudnn_deterministic": True,
        "cublas": _base.CUBLAS_WORKSPACE,
        "device": "cuda",
    }
    after = _settings()
    assert after.pop("cublas") == _base.CUBLAS_WORKSPACE  # process-wide; harmless on the CPU
    before.pop("cublas")
    assert after == before


def test_a_cpu_run_changes_nothing(monkeypatch: pytest.MonkeyPatch, benchmark_on) -> None:
    before = _settings()
    seen = _run_on("cpu", monkeypatch)
    assert seen == {**before, "device": "cpu"}
    assert _settings() == before


def test_a_cublas_workspace_the_user_set_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", ":16:8")
    assert _run_on("cuda", monkeypatch)["cublas"] == ":16:8"


PROBE = """
import os

from demos._base import Verdict
from studytool.demorun.params import DemoInfo, Param

INFO = DemoInfo(
    name="envprobe", title_en="Env", title_ko="환경", concept="testing", claim="nothing",
    params=(Param("seed", 0, "seed"),),
)


def run(params, device, report):
    report.log(os.environ.get("CUBLAS_WORKSPACE_CONFIG", "unset"))
    return Verdict(True, {}, "ok")
"""


def test_the_worker_sets_the_cublas_workspace_before_torch_starts(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studytool.demorun.runner import DemoRunner, WorkerPool

    pkg = tmp_path / "cuda_probe_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "envprobe.py").write_text(PROBE)
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    env = {"STUDYTOOL_DEMO_WARMUP": "0", "STUDYTOOL_DEMO_THREADS": "1"}
    runner = DemoRunner(WorkerPool(extra_paths=[str(tmp_path)], env=env, keep_warm=False), 60)
    try:
        events = runner.run("envprobe", module="cuda_probe_pkg.envprobe", device="cpu").collect()
    finally:
        runner.shutdown()
    assert [e["message"] for e in events if e["type"] == "log"] == [_base.CUBLAS_WORKSPACE]
