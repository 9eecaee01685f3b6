#!/usr/bin/env python3
"""sigv4-proxy.py - a verifying, fault-injecting HTTP proxy in front of s3rver
(which does not check SigV4 signatures itself).

Every request must carry a SigV4 signature - an Authorization header, a
presigned query (X-Amz-Signature) or, for a browser-based POST upload, a
signed policy in the form (botocore's S3SigV4PostAuth) whose conditions the
form meets - that botocore, recomputing it from the request as received with
the secret given in the environment, agrees with;
else the proxy answers 403 SignatureDoesNotMatch (XML, like S3) and does not
forward. A signed payload hash (x-amz-content-sha256) must match the body
(400 XAmzContentSHA256Mismatch), presigned URLs must not have expired (403).

Every x-amz-* header must be signed, as S3 requires. Where s3rver departs
from S3 the proxy answers as S3 does: UploadPartCopy (not implemented by
s3rver) is done over s3rver's GET and UploadPart (see upload_part_copy); a
Range of an empty object (a broken 206 from s3rver) is 416 InvalidRange.

Faults, at --fault-rate (0..1) per request, chosen at random among
--faults (comma list): 500 (InternalError), 503 (SlowDown), reset (close the
connection without answering), truncate (forward, then send only half of
the body announced by Content-Length), after500 (forward, then answer 500).

    sigv4-proxy.py --listen PORT --upstream http://127.0.0.1:S3RVER_PORT
                   [--fault-rate 0.1] [--faults 500,503,reset,truncate,after500]
                   [--fail-match RE] [--stall-match RE --stall-seconds S]
                   [--log FILE] [--seed N]
Credentials: PROXY_ACCESS_KEY, PROXY_SECRET_KEY (PROXY_SESSION_TOKEN, when
set, must be presented as X-Amz-Security-Token). The log has one line per
request: "METHOD PATH?QUERY -> STATUS [fault|reason]" (signatures and tokens
are cut from the logged query)."""
import argparse
import hashlib
import http.client
import os
import random
import re
import socket
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qsl, quote, unquote

import base64
import json
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY

from botocore.auth import S3SigV4Auth, S3SigV4PostAuth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ap = argparse.ArgumentParser()
ap.add_argument("--listen", type=int, required=True)
ap.add_argument("--upstream", required=True)
ap.add_argument("--fault-rate", type=float, default=0.0)
ap.add_argument("--faults", default="500,503,reset,truncate,after500")
ap.add_argument("--fail-match", help="always answer 500 to requests whose 'METHOD PATH?QUERY' matches")
ap.add_argument("--stall-match", help="hold requests whose 'METHOD PATH?QUERY' matches for "
                "--stall-seconds before handling them (logged as 'stalling' when they arrive)")
ap.add_argument("--stall-seconds", type=float, default=60.0)
ap.add_argument("--skew", type=int, default=0,
                help="the proxy's clock runs this many seconds ahead; requests more than "
                     "15 minutes off it get 403 RequestTimeTooSkewed")
ap.add_argument("--log")
ap.add_argument("--seed", type=int)
args = ap.parse_args()
rng = random.Random(args.seed)
ACCESS = os.environ["PROXY_ACCESS_KEY"]
SECRET = os.environ["PROXY_SECRET_KEY"]
TOKEN = os.environ.get("PROXY_SESSION_TOKEN") or None
UP = urlsplit(args.upstream)
FAULTS = [f for f in args.faults.split(",") if f]
lock = threading.Lock()
logf = open(args.log, "a", buffering=1) if args.log else None


def log(line):
    if logf:
        with lock:
            logf.write(line + "\n")


def scrub(q):
    return re.sub(r"(X-Amz-Signature|X-Amz-Security-Token|X-Amz-Credential)=[^&]*", r"\1=...", q)


def expected_header_auth(method, url, headers, signed, amz_date, region):
    req = AWSRequest(method=method, url=url, headers={h: headers[h] for h in signed if h != "host"})
    req.headers["host"] = headers["host"]
    req.context["timestamp"] = amz_date
    auth = S3SigV4Auth(Credentials(ACCESS, SECRET, TOKEN), "s3", region)
    cr = auth.canonical_request(req)
    sts = auth.string_to_sign(req, cr)
    return auth.signature(sts, req)


def expected_query_auth(method, url, host, amz_date, region, expires):
    # the URL without X-Amz-Signature, as the signer saw it
    parts = urlsplit(url)
    q = "&".join(p for p in parts.query.split("&") if not p.startswith("X-Amz-Signature="))
    req = AWSRequest(method=method, url="%s://%s%s?%s" % (parts.scheme, host, parts.path, q))
    req.headers["host"] = host
    req.context["timestamp"] = amz_date
    auth = S3SigV4QueryAuth(Credentials(ACCESS, SECRET, TOKEN), "s3", region, expires=expires)
    cr = auth.canonical_request(req)
    sts = auth.string_to_sign(req, cr)
    return auth.signature(sts, req)


def form_fields(ctype, body):
    """The fields of a multipart/form-data body: {name: bytes}, in order."""
    msg = BytesParser(policy=HTTP_POLICY).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    out = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        out[name] = part.get_payload(decode=True) or b""
    return out


def verify_post(bucket, ctype, body):
    """None when a POST form upload is signed and meets its policy, else
    (status, code, message) - as S3 checks a browser-based upload."""
    try:
        f = form_fields(ctype, body)
    except Exception as e:  # noqa: BLE001 - a malformed form is a bad request
        return (400, "MalformedPOSTRequest", "cannot parse the form: %s" % e)
    if "file" not in f or list(f)[-1] != "file":
        return (400, "InvalidArgument", "the file must be the form's last field")
    fields = {k.lower(): v.decode() for k, v in f.items() if k != "file"}
    need = ("key", "policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature")
    if any(n not in fields for n in need):
        return (403, "AccessDenied", "the form lacks a SigV4 field")
    m = re.match(r"([^/]+)/(\d{8})/([^/]+)/s3/aws4_request$", fields["x-amz-credential"])
    if not m or m.group(1) != ACCESS:
        return (403, "InvalidAccessKeyId", "unknown access key")
    if TOKEN and fields.get("x-amz-security-token") != TOKEN:
        return (403, "InvalidToken", "missing or wrong security token")
    req = AWSRequest(method="POST", url="http://localhost/")
    req.context["timestamp"] = fields["x-amz-date"]
    auth = S3SigV4PostAuth(Credentials(ACCESS, SECRET, TOKEN), "s3", m.group(3))
    if auth.signature(fields["policy"], req) != fields["x-amz-signature"]:
        return (403, "SignatureDoesNotMatch", "policy signature mismatch")
    pol = json.loads(base64.b64decode(fields["policy"]))
    exp = datetime.strptime(pol["expiration"].replace(".000Z", "Z"), "%Y-%m-%dT%H:%M:%SZ")
    if time.time() > exp.replace(tzinfo=timezone.utc).timestamp():
        return (403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    covered = {"policy", "x-amz-signature", "file"}
    values = dict(fields, bucket=bucket)
    for c in pol["conditions"]:
        if isinstance(c, dict):
            (k, v), = c.items()
            ok = values.get(k.lower()) == v
            covered.add(k.lower())
        elif c[0] == "content-length-range":
            ok = c[1] <= len(f["file"]) <= c[2]
        else:
            k = c[1].lstrip("$").lower()
            covered.add(k)
            ok = c[0] == "starts-with" and values.get(k, "").startswith(c[2]) if c[0] != "eq" \
                else values.get(k) == c[2]
        if not ok:
            return (403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: %s"
                    % json.dumps(c))
    extra = [k for k in fields if k not in covered]
    if extra:
        return (403, "AccessDenied", "Invalid according to Policy: Extra input fields: %s"
                % ", ".join(extra))
    return None


def s3_error(code, message):
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
            "</Error>" % (code, message)).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body, headers=None):
        self.send_response_only(status)
        if not any(k.lower() == "date" for k, _ in (headers or [])):
            self.send_header("Date", self.date_time_string())
        for k, v in (headers or []):
            self.send_header(k, v)
        if not any(k.lower() == "content-length" for k, _ in (headers or [])):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def verify(self, body):
        """None when the request is properly signed, else (status, code, message)."""
        h = {k.lower(): v for k, v in self.headers.items()}
        url = "http://%s%s" % (h.get("host", ""), self.path)
        parts = urlsplit(self.path)
        q = dict(parse_qsl(parts.query, keep_blank_values=True))
        ctype = h.get("content-type", "")
        if self.command == "POST" and ctype.startswith("multipart/form-data") and \
                "authorization" not in h and "X-Amz-Signature" not in q:
            return verify_post(parts.path.strip("/").split("/")[0], ctype, body)
        if "X-Amz-Signature" in q:
            m = re.match(r"([^/]+)/(\d{8})/([^/]+)/s3/aws4_request$", q.get("X-Amz-Credential", ""))
            if not m or m.group(1) != ACCESS:
                return (403, "InvalidAccessKeyId", "unknown access key")
            if TOKEN and q.get("X-Amz-Security-Token") != TOKEN:
                return (403, "InvalidToken", "missing or wrong security token")
            amz = q.get("X-Amz-Date", "")
            expires = int(q.get("X-Amz-Expires", "0"))
            want = expected_query_auth(self.command, url, h["host"], amz, m.group(3), expires)
            if want != q["X-Amz-Signature"]:
                return (403, "SignatureDoesNotMatch", "presigned signature mismatch")
            t = datetime.strptime(amz, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).timestamp()
            if time.time() > t + expires:
                return (403, "AccessDenied", "Request has expired")
            return None
        a = h.get("authorization", "")
        m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, "
                     r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$", a)
        if not m:
            return (403, "AccessDenied", "no SigV4 Authorization header")
        if m.group(1) != ACCESS:
            return (403, "InvalidAccessKeyId", "unknown access key")
        if TOKEN and h.get("x-amz-security-token") != TOKEN:
            return (403, "InvalidToken", "missing or wrong security token")
        now = time.time() + args.skew
        t = datetime.strptime(h.get("x-amz-date", "19700101T000000Z"),
                              "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).timestamp()
        if abs(now - t) > 900:
            return (403, "RequestTimeTooSkewed",
                    "The difference between the request time and the current time is too large.")
        signed = m.group(4).split(";")
        for need in ["host", "x-amz-date", "x-amz-content-sha256"] + \
                [k for k in h if k.startswith("x-amz-")]:
            if need not in signed:
                return (403, "AccessDenied", "%s is not signed" % need)
        want = expected_header_auth(self.command, url, h, signed, h["x-amz-date"], m.group(3))
        if want != m.group(5):
            return (403, "SignatureDoesNotMatch", "signature mismatch")
        psha = h["x-amz-content-sha256"]
        if psha != "UNSIGNED-PAYLOAD" and psha != hashlib.sha256(body).hexdigest():
            return (400, "XAmzContentSHA256Mismatch", "payload hash does not match the body")
        return None

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        what = "%s %s" % (self.command, scrub(self.path))
        if self.command == "POST" and b"name=\"key\"" in body[:4096]:
            km = re.search(rb'name="key"\r\n\r\n([^\r]*)\r\n', body)
            what += " key=%s" % (km.group(1).decode(errors="replace") if km else "?")
        bad = self.verify(body)
        if bad:
            log("%s -> %d %s" % (what, bad[0], bad[2]))
            hdrs = [("Content-Type", "application/xml")]
            if bad[1] == "RequestTimeTooSkewed":
                hdrs.append(("Date", time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                                   time.gmtime(time.time() + args.skew))))
            return self.answer(bad[0], s3_error(bad[1], bad[2]), hdrs)
        if args.stall_match and re.search(args.stall_match, "%s %s" % (self.command, self.path)):
            log("%s -> stalling %g s" % (what, args.stall_seconds))
            time.sleep(args.stall_seconds)
        if args.fail_match and re.search(args.fail_match, "%s %s" % (self.command, self.path)):
            log("%s -> 500 fail-match" % what)
            return self.answer(500, s3_error("InternalError", "injected failure"),
                               [("Content-Type", "application/xml")])
        fault = None
        with lock:
            if FAULTS and rng.random() < args.fault_rate:
                # a truncated body needs a body: GETs get it half the time
                if self.command == "GET" and "truncate" in FAULTS and rng.random() < 0.5:
                    fault = "truncate"
                else:
                    fault = rng.choice([f for f in FAULTS if f != "truncate"] or FAULTS)
        if fault == "reset":
            log("%s -> reset" % what)
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            except OSError:
                pass
            return
        if fault in ("500", "503"):
            log("%s -> %s fault" % (what, fault))
            code = "InternalError" if fault == "500" else "SlowDown"
            return self.answer(int(fault), s3_error(code, "injected fault"),
                               [("Content-Type", "application/xml")])
        q = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        if self.command == "PUT" and "uploadId" in q and "partNumber" in q and \
                self.headers.get("x-amz-copy-source") is not None:
            return self.upload_part_copy(what, fault)
        conn = http.client.HTTPConnection(UP.hostname, UP.port, timeout=60)
        fwd = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "expect")}
        if args.skew:
            # s3rver checks x-amz-date against its own (true) clock but no
            # signature, so the date of a request fit for the skewed clock
            # is moved back for it
            for k in fwd:
                if k.lower() == "x-amz-date":
                    t = datetime.strptime(fwd[k], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
                    fwd[k] = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t.timestamp() - args.skew))
        conn.request(self.command, self.path, body=body if n else None, headers=fwd)
        r = conn.getresponse()
        try:
            data = r.read()
        except http.client.IncompleteRead as e:
            conn.close()
            if self.command == "GET" and r.status == 206 and self.headers.get("Range"):
                # s3rver answers a range of an empty object with a 206 that
                # announces one byte and sends none; S3 answers 416
                log("%s -> 416 InvalidRange (for s3rver's broken 206 of an empty object)" % what)
                return self.answer(416, s3_error("InvalidRange", "The requested range is not "
                                                 "satisfiable"), [("Content-Type", "application/xml")])
            data = e.partial
        hdrs = [(k, v) for k, v in r.getheaders()
                if k.lower() not in ("transfer-encoding", "connection", "content-length")]
        conn.close()
        if fault == "after500":
            log("%s -> after500 fault (upstream said %d)" % (what, r.status))
            return self.answer(500, s3_error("InternalError", "injected fault"),
                               [("Content-Type", "application/xml")])
        if fault == "truncate" and self.command == "GET" and len(data) > 1 and \
                r.status in (200, 206):
            log("%s -> truncate fault" % what)
            self.send_response_only(r.status)
            for k, v in hdrs:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        rng_h = self.headers.get("Range")
        log("%s -> %d%s" % (what, r.status, " range=%s" % rng_h if rng_h else ""))
        clen = r.getheader("Content-Length") if self.command == "HEAD" else None
        if clen is not None:
            hdrs.append(("Content-Length", clen))
        self.answer(r.status, data, hdrs)

    def upload_part_copy(self, what, fault):
        """UploadPartCopy, which s3rver lacks (NotImplemented), done here over
        s3rver's own GET and UploadPart, with S3's semantics: the source
        (x-amz-copy-source, optionally x-amz-copy-source-range) must exist
        (404 NoSuchKey) and match x-amz-copy-source-if-match (412
        PreconditionFailed); the answer is a CopyPartResult."""
        src = unquote(self.headers["x-amz-copy-source"]).split("?versionId=")[0].lstrip("/")
        sb, _, sk = src.partition("/")
        conn = http.client.HTTPConnection(UP.hostname, UP.port, timeout=60)
        conn.request("GET", "/%s/%s" % (sb, quote(sk, safe="/~")))
        r = conn.getresponse()
        data = r.read()
        etag = (r.getheader("ETag") or "").strip('"')
        conn.close()
        xml = [("Content-Type", "application/xml")]
        if r.status == 404:
            log("%s -> 404 UploadPartCopy: no source %s" % (what, src))
            return self.answer(404, s3_error("NoSuchKey", "The specified key does not exist."), xml)
        if r.status != 200:
            log("%s -> %d UploadPartCopy: source GET said %d" % (what, r.status, r.status))
            return self.answer(500, s3_error("InternalError", "source read failed"), xml)
        want = self.headers.get("x-amz-copy-source-if-match")
        if want is not None and want.strip('"') != etag:
            log("%s -> 412 UploadPartCopy: source ETag %s, not %s" % (what, etag, want))
            return self.answer(412, s3_error("PreconditionFailed", "At least one of the pre-"
                                             "conditions you specified did not hold"), xml)
        rng_h = self.headers.get("x-amz-copy-source-range")
        if rng_h:
            m = re.match(r"bytes=(\d+)-(\d+)$", rng_h)
            if not m or int(m.group(2)) >= len(data):
                return self.answer(400, s3_error("InvalidArgument", "bad copy source range"), xml)
            data = data[int(m.group(1)): int(m.group(2)) + 1]
        fwd = {k: v for k, v in self.headers.items()
               if k.lower() not in ("connection", "expect", "content-length")
               and not k.lower().startswith("x-amz-copy-source")}
        fwd["Content-Length"] = str(len(data))
        conn = http.client.HTTPConnection(UP.hostname, UP.port, timeout=60)
        conn.request("PUT", self.path, body=data, headers=fwd)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        if r.status != 200:
            log("%s -> %d UploadPartCopy: UploadPart said so" % (what, r.status))
            return self.answer(r.status, body, xml)
        if fault == "after500":
            log("%s -> after500 fault (UploadPartCopy done)" % what)
            return self.answer(500, s3_error("InternalError", "injected fault"), xml)
        log("%s -> 200 UploadPartCopy (emulated over s3rver) of %s, %d bytes" % (what, src, len(data)))
        res = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyPartResult><LastModified>%s"
               "</LastModified><ETag>&quot;%s&quot;</ETag></CopyPartResult>"
               % (time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                  (r.getheader("ETag") or "").strip('"')))
        self.answer(200, res.encode(), xml)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


srv = ThreadingHTTPServer(("127.0.0.1", args.listen), Handler)
srv.daemon_threads = True
print("sigv4-proxy listening on 127.0.0.1:%d" % args.listen, flush=True)
srv.serve_forever()
