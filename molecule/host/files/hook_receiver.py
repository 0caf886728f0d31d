"""A webhook receiver on the VM's loopback for the GitOps side effect: one JSON line per POST in OUTPUT."""

import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

PORT, OUTPUT = int(sys.argv[1]), sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        with open(OUTPUT, "a", encoding="utf-8") as handle:
            handle.write(body.replace("\n", " ") + "\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
