#!/usr/bin/env python3
"""seed.py - put N small objects straight into s3rver (unsigned requests,
which s3rver accepts) over one keep-alive connection per thread, for tests
and benchmarks that need many objects fast.
    seed.py http://127.0.0.1:PORT BUCKET PREFIX N [THREADS]
Objects are PREFIX0.txt .. PREFIX{N-1}.txt, each holding its own number."""
import http.client
import sys
import threading
from urllib.parse import urlsplit

url, bucket, prefix, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 8
u = urlsplit(url)
errors = []


def work(k):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    for i in range(k, n, threads):
        body = ("%d\n" % i).encode()
        c.request("PUT", "/%s/%s%d.txt" % (bucket, prefix, i), body=body,
                  headers={"Content-Length": str(len(body))})
        r = c.getresponse()
        r.read()
        if r.status != 200:
            errors.append("%d: HTTP %d" % (i, r.status))


ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
if errors:
    sys.exit("seed: %d puts failed, first: %s" % (len(errors), errors[0]))
