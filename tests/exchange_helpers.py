"""A local HTTP server standing in for a service the platform pushes to (the e-licence library,
the national platform): it records every POSTed JSON body and answers as the test says."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PushService:
    """answer(body) -> (status, json body); `received` holds the bodies, `headers` their Authorization."""

    def __init__(self, answer=None):
        self.answer = answer or (lambda body: (200, {"code": 0, "message": "ok"}))
        self.received, self.headers = [], []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length).decode("utf-8") or "null")
                service.headers.append(self.headers.get("Authorization"))
                status, reply = service.answer(body)
                if 200 <= status < 300:
                    service.received.append(body)
                payload = json.dumps(reply, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                from urllib.parse import parse_qs, urlparse

                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                service.headers.append(self.headers.get("Authorization"))
                status, reply = service.answer(query)
                payload = json.dumps(reply, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/push"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
