"""Test doubles for the government services network: copies of the sample files that a test may
edit (as the network's data would change), and a local HTTP server standing in for a service."""
import csv
import json
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
SAMPLES = os.path.join(ROOT, "seeds", "govnet")


class DirectoryFile:
    """A private copy of seeds/govnet/directory.json, set as GOVNET_DIRECTORY_FILE."""

    def __init__(self, folder):
        self.path = str(folder / "directory.json")
        shutil.copy(os.path.join(SAMPLES, "directory.json"), self.path)

    def read(self):
        with open(self.path, encoding="utf-8") as f:
            return json.load(f)

    def write(self, data):
        temporary = self.path + ".new"
        with open(temporary, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(temporary, self.path)  # a new file, as a re-published directory would be
        from app.govnet.directory import FileDirectory

        FileDirectory._cache.pop(self.path, None)  # two writes within one clock tick look alike

    def change(self, credit_code, **fields):
        data = self.read()
        for row in data["enterprises"]:
            if row["credit_code"] == credit_code:
                row.update(fields)
        self.write(data)

    def add(self, **row):
        data = self.read()
        data["enterprises"].append({"enterprise_type": "有限责任公司", "status": "存续", **row})
        self.write(data)

    def remove(self, credit_code):
        data = self.read()
        data["enterprises"] = [r for r in data["enterprises"] if r["credit_code"] != credit_code]
        self.write(data)

    def record(self, name):
        return next(r for r in self.read()["enterprises"] if r["name"] == name)


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


class JsonService:
    """A local HTTP server answering GET with answer(query) -> (status, body); records the queries."""

    def __init__(self, answer, token=None):
        self.answer, self.token, self.queries = answer, token, []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                service.queries.append((query, self.headers.get("Authorization")))
                if service.token and self.headers.get("Authorization") != f"Bearer {service.token}":
                    status, body = 401, {"error": "unauthorized"}
                else:
                    status, body = service.answer(query)
                payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def closed_port_url():
    """An address where nothing listens: the service is down."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"
