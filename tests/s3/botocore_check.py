#!/usr/bin/env python3
"""botocore_check.py - cross-check krait's SigV4 (tests/unit/aws_sign) against
botocore, an independent implementation. Prints TAP. For each case botocore
signs a request (SigV4Auth / S3SigV4Auth with the current time), then the C
driver signs the same method, path, query, headers and X-Amz-Date; the
Authorization values must be equal. Presigned URLs (S3SigV4QueryAuth) are
compared parameter by parameter.
    botocore_check.py PATH/TO/aws_sign
Credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN."""
import os
import subprocess
import sys
from urllib.parse import urlsplit, parse_qsl

from botocore.auth import SigV4Auth, S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

drv = sys.argv[1]
creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                    os.environ.get("AWS_SESSION_TOKEN"))
n = 0
failed = 0


def ok(cond, name, diag=""):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, name))
    if not cond:
        failed += 1
        for line in diag.splitlines():
            print("#   " + line)


def header_case(name, auth_cls, service, method, url, headers, body=b""):
    req = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    auth_cls(creds, service, "eu-central-1").add_auth(req)
    want = req.headers["Authorization"]
    signed = want.split("SignedHeaders=")[1].split(",")[0].split(";")
    parts = urlsplit(url)
    args = [drv, "sign", method, parts.path or "/", parts.query,
            req.headers.get("X-Amz-Content-SHA256") or __import__("hashlib").sha256(body).hexdigest(),
            req.headers["X-Amz-Date"], "eu-central-1", service]
    for h in signed:
        if h == "host":
            args += ["host", parts.netloc]
        else:
            args += [h, req.headers[h]]
    got = subprocess.run(args, capture_output=True, text=True).stdout.strip()
    ok(got == want, name, "botocore: %s\nkrait:    %s" % (want, got))


def presign_case(name, method, base, path, expires):
    req = AWSRequest(method=method, url=base + path)
    S3SigV4QueryAuth(creds, "s3", "eu-central-1", expires=expires).add_auth(req)
    want = dict(parse_qsl(urlsplit(req.url).query))
    got_url = subprocess.run([drv, "presign", method, base, path, str(expires),
                              want["X-Amz-Date"], "eu-central-1", "s3"],
                             capture_output=True, text=True).stdout.strip()
    got = dict(parse_qsl(urlsplit(got_url).query))
    ok(got == want and got_url.startswith(base + path + "?"), name,
       "botocore: %s\nkrait:    %s" % (req.url, got_url))


header_case("GET with query (service)", SigV4Auth, "service", "GET",
            "https://example.amazonaws.com/?b=2&a=1&a=0", {})
header_case("S3 GET object", S3SigV4Auth, "s3", "GET",
            "http://127.0.0.1:4568/bucket/dir/obj.txt", {})
header_case("S3 PUT with body, metadata and odd key", S3SigV4Auth, "s3", "PUT",
            "http://127.0.0.1:4568/bucket/a%20b/c%2Bd%3D%24.txt",
            {"x-amz-meta-krait-mtime": "1733400000.123456789",
             "Content-Type": "application/octet-stream"}, body=b"hello world\n")
header_case("S3 ListObjectsV2 with prefix and token", S3SigV4Auth, "s3", "GET",
            "http://127.0.0.1:4568/bucket?list-type=2&prefix=data%2Fx%20y&continuation-token=abc%3D%3D",
            {})
header_case("S3 header with folded spaces", S3SigV4Auth, "s3", "HEAD",
            "http://127.0.0.1:4568/bucket/k", {"X-Amz-Meta-Note": "  a   b  c "})
presign_case("presigned GET", "GET", "http://127.0.0.1:4568", "/bucket/dir/in.txt", 3600)
presign_case("presigned PUT, escaped key", "PUT", "http://127.0.0.1:4568",
             "/bucket/out%20put/x%2By.bin", 900)
print("1..%d" % n)
sys.exit(1 if failed else 0)
