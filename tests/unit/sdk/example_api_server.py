#!/usr/bin/env python3
"""Tiny local API for the paged-rest example plugin: an OAuth 2.0 token endpoint with the
client-credentials grant (RFC 6749 §4.4, errors per §5.2) and a paged, bearer-protected
/api/records collection (RFC 6750 401 with WWW-Authenticate). Loopback only, a free port
chosen by the kernel and written to argv[1]. GET /control/stats returns the call counters;
POST /control/expire invalidates every issued token (the next API call gets a 401)."""
import base64
import json
import os
import secrets
import threading
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLIENT_ID = "example-app"
CLIENT_SECRET = sys.argv[2]
RECORDS = [{"id": "r%d" % i, "updated_at": "2026-01-%02dT00:00:00Z" % i, "n": i}
           for i in range(1, 6)]
state = {"tokens": set(), "token_requests": 0, "record_requests": 0, "unauthorized": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if self.path == "/control/expire":
            state["tokens"].clear()
            return self.reply(200, {})
        if self.path != "/oauth/token":
            return self.reply(404, {"error": "not_found"})
        state["token_requests"] += 1
        client_id = form.get("client_id", [""])[0]
        client_secret = form.get("client_secret", [""])[0]
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        if form.get("grant_type", [""])[0] != "client_credentials":
            return self.reply(400, {"error": "unsupported_grant_type"})
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return self.reply(401, {"error": "invalid_client",
                                    "error_description": "client authentication failed"},
                              [("WWW-Authenticate", 'Basic realm="example"')])
        token = secrets.token_urlsafe(24)
        state["tokens"].add(token)
        return self.reply(200, {"access_token": token, "token_type": "Bearer",
                                "expires_in": 3600})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/control/stats":
            return self.reply(200, {k: v for k, v in state.items() if k != "tokens"})
        if url.path != "/api/records":
            return self.reply(404, {"error": "not_found"})
        state["record_requests"] += 1
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in state["tokens"]:
            state["unauthorized"] += 1
            return self.reply(401, {"error": "invalid_token"},
                              [("WWW-Authenticate", 'Bearer error="invalid_token"')])
        q = urllib.parse.parse_qs(url.query)
        limit = int(q.get("limit", ["100"])[0])
        since = q.get("updated_since", [""])[0]
        offset = int(q.get("page_token", ["0"])[0])
        match = [r for r in RECORDS if r["updated_at"] >= since]
        body = {"records": match[offset:offset + limit]}
        if offset + limit < len(match):
            body["next_page_token"] = str(offset + limit)
        return self.reply(200, body)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
# A bounded life: a test that dies without stopping the server cannot leave it behind for long.
threading.Timer(300, os._exit, args=(0,)).start()
with open(sys.argv[1] + ".pid", "w") as f:
    f.write(str(os.getpid()))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
