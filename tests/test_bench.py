"""`make bench` in its seconds-long smoke form: every part runs (both engines, the exported graphs, a tiny
stand-in for the XLM-R-base-sized encoder, gunicorn as `make serve` starts it, the torch-free server next to the
PyTorch path) and the results carry the fields the README and the issue quote. Timings are not asserted here:
they come from the full benchmark."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.bench import ENGINE_ROWS, SERVED

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_benchmark_smoke_runs_every_part_and_writes_its_results(tmp_path):
    run = subprocess.run([sys.executable, "-m", "benchmarks.bench", "--smoke", "--out", str(tmp_path),
                          "--port", str(free_port())], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads((tmp_path / "results-smoke.json").read_text())
    for key in ("single_p50_ms", "single_p99_ms", "batch_texts_per_s", "xlmr_base_single_p50_ms", "cold_start_s",
                "rss_mb", "speedup_vs_xlmr_base"):
        assert results[key] > 0, key
    assert set(results["model"]) == ({name for name, _, _ in ENGINE_ROWS}
                                     | {"exported_int8", "xlmr_base_fp32", "xlmr_base_int8", "side_by_side"})
    pair = results["model"]["side_by_side"]  # the ratio is the one measured side by side
    assert results["speedup_vs_xlmr_base"] == round(pair["xlmr_base_int8"]["p50_ms"] / pair["ours"]["p50_ms"], 2)
    assert pair["ours"]["n"] == pair["xlmr_base_int8"]["n"] > 0
    assert results["model_single_p50_ms"] == results["model"][SERVED]["single"]["p50_ms"]
    assert [level["clients"] for level in results["http"]["load"]] == [1, 8, 32]
    assert all(level["errors"] == 0 and level["requests"] > 0 for level in results["http"]["load"])
    assert results["http"]["cache_size"] == 0  # every timed request ran the model
    servers = results["servers"]
    assert set(servers) == {"torch_free", "torch_path"}
    for row in servers.values():
        assert row["cold_start_s"] > 0 and row["http_p50_ms"] > 0 and row["requests"] > 0
        assert len(row["rss_mb_per_worker"]) == 2 and min(row["rss_mb_per_worker"]) > 0
    assert (servers["torch_free"]["torch_in_workers"], servers["torch_path"]["torch_in_workers"]) == (False, True)
    report = (tmp_path / "results-smoke.md").read_text()
    assert "| clients |" in report and "| torch_free |" in report
