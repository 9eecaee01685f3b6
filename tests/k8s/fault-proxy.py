#!/usr/bin/python3
"""fault-proxy.py - an HTTPS proxy in front of the test cluster's API server that
answers some requests itself with 429 Too Many Requests (Retry-After: 0) or
503 Service Unavailable, to test that a client retries them with backoff.

Every request whose sequence number k (1, 2, ...) has k % EVERY == 0 gets a
fault, alternating 429 and 503; the others are forwarded to --upstream and the
answer copied back. Counts go to --stats as "requests N", "faults N".
Standard library only (Debian's /usr/bin/python3).
Usage: fault-proxy.py --port 6444 --upstream https://127.0.0.1:6443 --ca CA
       --cert CERT --key KEY --every 3 --stats FILE
"""
import argparse
import http.client
import http.server
import ssl
import threading
import urllib.parse

A = None
LOCK = threading.Lock()
COUNT = {"requests": 0, "faults": 0}


def save():
    with open(A.stats, "w") as f:
        for k, v in COUNT.items():
            f.write("%s %d\n" % (k, v))


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        with LOCK:
            COUNT["requests"] += 1
            k = COUNT["requests"]
            fault = k % A.every == 0
            if fault:
                COUNT["faults"] += 1
            save()
        if fault:
            code = 429 if (k // A.every) % 2 else 503
            msg = b'{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected","code":%d}' % code
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return
        u = urllib.parse.urlparse(A.upstream)
        c = http.client.HTTPSConnection(u.hostname, u.port, timeout=60,
                                        context=ssl.create_default_context(cafile=A.ca))
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        c.request(self.command, self.path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        c.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = any


def main():
    global A
    ap = argparse.ArgumentParser()
    for o in ("--upstream", "--ca", "--cert", "--key", "--stats"):
        ap.add_argument(o, required=True)
    ap.add_argument("--port", type=int, default=6444)
    ap.add_argument("--every", type=int, default=3)
    A = ap.parse_args()
    save()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", A.port), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(A.cert, A.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
