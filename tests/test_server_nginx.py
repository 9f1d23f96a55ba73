"""The deployment example: deploy/nginx.conf, run by the system's nginx on loopback in front of the app."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.serving import ROOT, SEARCH, free_port, get, running_server

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx.conf"

pytestmark = pytest.mark.system


def main_config(tmp: Path) -> str:
    """The rest of an nginx.conf, as a distribution ships it, with every path in ``tmp`` (no root needed)."""
    return f"""daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/jianbao.conf;
}}
"""


def site_config(app_port: int, nginx_port: int) -> str:
    """deploy/nginx.conf with its two addresses moved to free loopback ports."""
    text = SITE.read_text(encoding="utf-8")
    for old, new in (("listen 80;", f"listen 127.0.0.1:{nginx_port};"),
                     ("server 127.0.0.1:5000;", f"server 127.0.0.1:{app_port};")):
        assert text.count(old) == 1, f"{SITE} should contain {old!r} once"
        text = text.replace(old, new)
    return text


def test_example_nginx_config_proxies_to_the_app(seed_index, tmp_path):
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run `make system`")
    nginx_port = free_port()
    with running_server(seed_index) as (app_port, _):
        (tmp_path / "jianbao.conf").write_text(site_config(app_port, nginx_port), encoding="utf-8")
        (tmp_path / "nginx.conf").write_text(main_config(tmp_path), encoding="utf-8")
        command = [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            _wait_port(nginx_port, nginx)
            status, direct = get(app_port, SEARCH)
            assert status == 200
            conn = http.client.HTTPConnection("127.0.0.1", nginx_port, timeout=10)
            for _ in range(2):  # twice on one connection: keep-alive through the proxy
                conn.request("GET", SEARCH)
                response = conn.getresponse()
                body = response.read()
                assert response.status == 200 and response.getheader("Server", "").startswith("nginx")
                assert json.loads(body)["total"] == json.loads(direct)["total"] > 0
            conn.close()
            status, body = get(nginx_port, "/api/search?q=" + "x" * 70_000)  # a long query string reaches the app:
            assert status == 414 and json.loads(body)["error"]  # its JSON error, not nginx's page
        finally:
            nginx.terminate()
            nginx.wait(timeout=30)
    assert "[emerg]" not in (tmp_path / "error.log").read_text()


def _wait_port(port: int, proc: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            get(port, "/api/health", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("nginx did not start")
