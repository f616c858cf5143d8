"""nginx as deploy/compose.yaml runs it, on this machine: deploy/nginx/nginx.conf with Debian's nginx, in front of
local backends on their own ports (only the listen port and the upstream's server lines differ from compose).
Used by the failover load test (``python -m benchmarks.loadtest --nginx``) and tests/test_deploy.py."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = ROOT / "deploy" / "nginx"
COMPOSE_SERVER = "    server backend:7860 max_fails=1 fail_timeout=5s;\n"


def nginx_binary() -> str | None:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if Path(found).exists() else None


def write_conf(prefix: Path, port: int, backends: list[int]) -> Path:
    """deploy/nginx's two files in ``prefix``, listening on 127.0.0.1:``port``, the upstream on ``backends``."""
    conf = (NGINX_CONF / "nginx.conf").read_text()
    upstream = (NGINX_CONF / "upstream.conf").read_text()
    if conf.count("listen 8080;") != 1 or COMPOSE_SERVER not in upstream:
        raise RuntimeError("deploy/nginx changed: update benchmarks/proxy.py")
    (prefix / "nginx.conf").write_text(conf.replace("listen 8080;", f"listen 127.0.0.1:{port};"))
    servers = "".join(COMPOSE_SERVER.replace("backend:7860", f"127.0.0.1:{p}") for p in backends)
    (prefix / "upstream.conf").write_text(upstream.replace(COMPOSE_SERVER, servers))
    return prefix / "nginx.conf"


def start_nginx(prefix: Path, port: int, backends: list[int]) -> subprocess.Popen:
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx-light)")
    conf = write_conf(prefix, port, backends)
    return subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def start_backend(port: int, env_extra: dict[str, str] | None = None) -> subprocess.Popen:
    """gunicorn as `make serve` runs it, one worker, trusting one proxy."""
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "1", "EMOJI_TRUSTED_PROXIES": "1",
           "EMOJI_TORCH_THREADS": "1", **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "backend/gunicorn.conf.py"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL to the process group (gunicorn's master and workers alike)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=10)
