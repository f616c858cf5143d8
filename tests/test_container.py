"""The serving image (Dockerfile, make image): built, run, and held to its contract: the API answers, the
processes run as UID 1000, no worker has torch (it is not even installed), the HEALTHCHECK passes, slow clients
do not stall it, and the image stays under 600 MB. Needs podman or docker; CI sets EMOJI_CONTAINER_REQUIRED=1
so that a missing engine fails instead of skipping."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.traffic import free_port, p99, probe, request, trickling_clients, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "emoji-suggest-test"
MAX_IMAGE_BYTES = 600_000_000

pytestmark = [pytest.mark.container, pytest.mark.slow]


def engine() -> str:
    found = shutil.which("podman") or shutil.which("docker")
    if found is None:
        if os.environ.get("EMOJI_CONTAINER_REQUIRED"):
            pytest.fail("EMOJI_CONTAINER_REQUIRED is set but neither podman nor docker is installed")
        pytest.skip("neither podman nor docker is installed")
    return found


def container_env() -> dict:
    env = dict(os.environ)
    if "podman" in engine() and "CONTAINERS_CONF" not in env and not Path("/sys/fs/cgroup/cgroup.controllers").exists():
        conf = Path(os.environ.get("TMPDIR", "/tmp")) / "emoji-containers.conf"  # what deploy/image.sh writes
        conf.write_text('[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\n'
                        'runtime = "runc"\n')
        env["CONTAINERS_CONF"] = str(conf)
    return env


def run(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([engine(), *args], capture_output=True, text=True, check=check, timeout=timeout,
                          env=container_env())


@pytest.fixture(scope="module")
def image() -> str:
    build = subprocess.run([str(ROOT / "deploy" / "image.sh")], cwd=ROOT, capture_output=True, text=True,
                           timeout=900, env={**container_env(), "IMAGE": IMAGE})
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    return IMAGE


@pytest.fixture(scope="module")
def container(image):
    port = free_port()
    name = f"emoji-test-{port}"
    run("run", "-d", "--name", name, "--network", "host", "-e", f"PORT={port}", image)
    try:
        wait_healthy(port, seconds=120)
        yield name, port
    finally:
        run("rm", "-f", name, check=False)


def test_image_is_small(image):
    size = int(run("image", "inspect", "--format", "{{.Size}}", image).stdout.strip())
    assert size <= MAX_IMAGE_BYTES, f"{size / 1e6:.0f} MB"


def test_api_contract(container):
    _, port = container
    status, body = request(port, "POST", "/v1/suggest", {"text": "Merry Christmas everyone!", "k": 3})
    assert status == 200 and len(body["suggestions"]) == 3
    assert all(set(s) == {"emoji", "name", "score"} for s in body["suggestions"])
    status, body = request(port, "POST", "/v1/suggest/batch", {"texts": ["so sad", "lol"]})
    assert status == 200 and [len(r["suggestions"]) for r in body["results"]] == [5, 5]
    assert request(port, "GET", "/v1/labels")[1]["emojis"]
    status, body = request(port, "POST", "/v1/suggest", {"text": 42})
    assert status == 400 and "error" in body
    status, body = request(port, "GET", "/v1/health")
    assert status == 200 and body["model"]["torch"] is False and body["model"]["exported"] is True
    assert request(port, "GET", "/")[0] == 200  # the demo page


def test_runs_as_uid_1000_without_torch(container):
    name, _ = container
    script = ("import os, sys; pids = [p for p in os.listdir('/proc') if p.isdigit()]; "
              "uids = {open(f'/proc/{p}/status').read().split('Uid:')[1].split()[0] for p in pids}; "
              "maps = [p for p in pids if 'torch' in open(f'/proc/{p}/maps').read()]; "
              "print(sorted(uids), maps)")
    out = run("exec", name, "python3", "-c", script).stdout.strip()
    assert out == "['1000'] []"
    assert run("exec", name, "python3", "-c", "import torch", check=False).returncode != 0


def test_healthcheck_passes(container):
    name, _ = container
    if "podman" in engine():
        assert run("healthcheck", "run", name, check=False).returncode == 0
    else:
        cmd = run("inspect", "--format", "{{json .Config.Healthcheck.Test}}", name).stdout
        assert "/v1/health" in cmd


def test_slow_clients_do_not_stall_the_image(container):
    _, port = container
    with trickling_clients(port, n=64):
        latencies, failed = probe(port, n=50)
    assert failed == 0 and p99(latencies) < 1.0, f"p99 {p99(latencies):.3f} s, {failed} failed"


def test_runs_on_a_read_only_root_file_system(image):
    """As deploy/k8s/deployment.yaml runs it (readOnlyRootFilesystem, /tmp writable): it serves and logs no error."""
    port = free_port()
    name = f"emoji-test-ro-{port}"
    run("run", "-d", "--name", name, "--read-only", "--tmpfs", "/tmp", "--network", "host", "-e", f"PORT={port}",
        "-e", "EMOJI_RATE_LIMIT=600", image)
    try:
        wait_healthy(port, seconds=120)
        assert request(port, "POST", "/v1/suggest", {"text": "hello"})[0] == 200
        logs = run("logs", name).stdout + run("logs", name).stderr
        assert "[ERROR]" not in logs and "Traceback" not in logs
    finally:
        run("rm", "-f", name, check=False)
