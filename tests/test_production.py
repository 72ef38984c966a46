"""Production serving: `make serve` runs gunicorn and the task worker with DEBUG off, static
files come from whitenoise, /healthz checks the database, and logs go to stdout."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse

from investigations.views import health

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def test_healthz_answers_ok_when_the_database_answers(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_503_and_says_no_more_when_the_database_fails(client, db, monkeypatch):
    class UnreachableDatabase:
        def cursor(self):
            raise OperationalError("connection refused by 10.0.0.5")

    monkeypatch.setattr(health, "connection", UnreachableDatabase())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"database": "unavailable"}


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def fetch(url, host=HOST, **headers):
    request = urllib.request.Request(url, headers={"Host": host, **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until_healthy(base, server, log, seconds=300):
    """A deadline, not a count of tries: on a busy machine migrate, collectstatic and the
    workers' start can take minutes, and a worker not yet booted lets a try time out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"make serve stopped: {log.read_text()}")
        try:
            if fetch(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("make serve did not answer /healthz")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`make serve` on a new SQLite database, as an operator would run it (without the
    install step: the tests already run in the installed environment)."""
    port = free_port()
    unset = ("DATABASE_URL", "WEB_CONCURRENCY")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(
        VAR_DIR=str(tmp_path_factory.mktemp("var")),
        SECRET_KEY="serve-test-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="INFO",
    )
    command = ["make", "-o", "install", "serve", f"BIN={Path(sys.executable).parent}"]
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with open(log, "w") as output:
        server = subprocess.Popen(
            [*command, f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://{HOST}:{port}"
    wait_until_healthy(base, server, log)
    yield base, server, log
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def server_log(served):
    """Everything the server printed, read once it has stopped: stopped once the task
    worker beside it has started, which on a busy machine can be after gunicorn answers."""
    base, server, log = served
    fetch(f"{base}/")
    for _ in range(300):
        if "Starting worker" in log.read_text():
            break
        time.sleep(0.2)
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
    return log.read_text()


def stylesheets(html):
    return re.findall(r'<link rel="stylesheet" href="(/static/[^"]+\.css)"', html.decode())


def test_the_public_site_is_styled_from_hashed_compressed_static_files(served):
    base, *_ = served
    status, _, html = fetch(f"{base}/")
    assert status == 200
    [stylesheet] = stylesheets(html)
    assert re.fullmatch(r"/static/investigations/site\.[0-9a-f]{12}\.css", stylesheet)
    status, headers, _ = fetch(base + stylesheet, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_the_admin_is_styled_too(served):
    base, *_ = served
    status, _, html = fetch(f"{base}/admin/login/")
    assert status == 200
    base_css = [href for href in stylesheets(html) if "/admin/css/base." in href]
    assert base_css
    assert fetch(base + base_css[0])[0] == 200


def test_it_refuses_a_host_it_does_not_serve(served):
    base, *_ = served
    assert fetch(f"{base}/", host="attacker.example")[0] == 400


def test_the_task_worker_runs_beside_gunicorn_and_logs_go_to_stdout(server_log):
    assert "Starting worker" in server_log
    assert "Listening at: http://" in server_log
    assert re.search(r'"GET / HTTP/1.1" 200', server_log)
    assert "Received Terminated - shutting down" in server_log  # stopped with the server


def test_it_serves_with_two_workers_a_core_and_one_more(server_log):
    # The Makefile's default: one worker would queue every reader behind the slowest.
    assert server_log.count("Booting worker with pid") == 2 * os.cpu_count() + 1


def test_make_serve_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env["ALLOWED_HOSTS"] = HOST
    command = ["make", "-o", "install", "serve", f"BIN={Path(sys.executable).parent}"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "set SECRET_KEY and ALLOWED_HOSTS" in result.stderr


def test_the_wsgi_application_freezes_what_loading_it_made():
    """A full collection then walks what requests made, not all of Django (wsgi.py)."""
    code = "import gc, investigations.wsgi; print(gc.get_freeze_count())"
    frozen = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert int(frozen) > 50_000
