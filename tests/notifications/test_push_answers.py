"""Anyone may register any push address, so what a "push service" answers must not hold
the worker: its answer is read up to a few kilobytes and for a bounded time."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from autogestion.notifications import push


class _Flood(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(201)
        self.send_header("Content-Length", str(50 * 1024 * 1024))
        self.end_headers()
        try:
            if self.path == "/drip":
                for _ in range(600):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            else:
                chunk = b"x" * 65536
                for _ in range(800):
                    self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the worker hung up: what we want

    def log_message(self, *args):
        pass


@pytest.fixture
def hostile_service():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flood)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_flood_is_read_no_further_than_a_few_kilobytes(hostile_service):
    answer = push.session().post(hostile_service + "/flood", data=b"{}", timeout=5)
    assert answer.status_code == 201 and len(answer.content) <= push.MAX_ANSWER


def test_a_drip_is_cut_at_the_deadline(hostile_service, monkeypatch):
    monkeypatch.setattr(push, "DEADLINE", 1)
    started = time.monotonic()
    answer = push.session().post(hostile_service + "/drip", data=b"{}", timeout=5)
    assert time.monotonic() - started < 4  # not the 30 s the drip would take
    assert answer.status_code == 201 and len(answer.content) < 100
