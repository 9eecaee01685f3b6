#!/usr/bin/python3
"""kubelet.py - the stand-in kubelet of krait's Kubernetes test cluster.

The API server (kube-apiserver) and the Job controller (kube-controller-manager)
of the test cluster are the real ones, built from Debian's source. There is no
kube-scheduler and no real kubelet (no container runtime for them here), so this
script plays both parts for ONE node, talking to the API server like a kubelet:

  - registers the Node (InternalIP 127.0.0.1, capacity cpu/memory/pods, no GPUs);
  - watches pods; binds each unbound Pending pod to the node, unless it requests a
    resource the node lacks (e.g. nvidia.com/gpu): such a pod stays Pending with a
    PodScheduled=False/Unschedulable condition and the message kube-scheduler
    would write ("0/1 nodes are available: 1 Insufficient nvidia.com/gpu.");
  - runs the first container's command+args ON THE HOST (no image is pulled: the
    image name is only reported), in its workingDir, with its env, in a process
    group of its own; reports Running, then Succeeded/Failed with
    containerStatuses[0].state.terminated {exitCode, reason};
  - honours the pod's activeDeadlineSeconds (phase Failed, reason DeadlineExceeded);
  - persistentVolumeClaim volumes: a missing or unbound claim keeps the pod
    Pending with the scheduler's message; a claim bound (spec.volumeName) to a
    hostPath PersistentVolume whose path is the container's mountPath runs (no
    mount happens: pods run on the host), any other path fails the pod;
  - kills the process group when a pod is deleted and confirms the deletion
    (grace period 0), as a kubelet does;
  - serves GET /containerLogs/NS/POD/CONTAINER (tailLines, limitBytes) over HTTPS
    on 127.0.0.1:10250, so `GET pods/NAME/log` works through the API server.

Test hooks: the file STATE/hooks, read at each pod start, holds lines
"LABEL=VALUE ACTION" (e.g. "krait.io/rule=eat oom"). A pod whose labels match
gets ACTION: `oom` (killed with SIGKILL once running; reported OOMKilled, exit
137), `evict` (killed; the pod is reported Failed, reason Evicted), `evict-once`
(the same for the first matching pod of each working directory only), `deadline` (reported
DeadlineExceeded at once, as if activeDeadlineSeconds had passed).

Standard library only; run with Debian's /usr/bin/python3.
Usage: kubelet.py --server URL --token-file F --ca F --cert F --key F --state DIR
"""
import argparse
import http.client
import http.server
import json
import os
import queue
import signal
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

NODE = "krait-node"
CAPACITY = {"cpu": "64", "memory": "256Gi", "pods": "10000", "ephemeral-storage": "1Ti"}
ARGS = None
TLS = threading.local()
LOCK = threading.Lock()
PODS = {}       # uid -> Pod (running or finished, until deleted)
EVICTED_ONCE = set()


def log(msg):
    sys.stderr.write("kubelet: %s %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def conn():
    c = getattr(TLS, "conn", None)
    if c is None:
        u = urllib.parse.urlparse(ARGS.server)
        ctx = ssl.create_default_context(cafile=ARGS.ca)
        c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=30)
        TLS.conn = c
    return c


def api(method, path, body=None, ctype="application/json", stream=False, timeout=30):
    """One request to the API server; returns (status, parsed JSON or None)."""
    hdrs = {"Authorization": "Bearer " + ARGS.token, "Accept": "application/json",
            "User-Agent": "krait-test-kubelet"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = ctype
    for attempt in range(5):
        c = conn()
        try:
            c.timeout = timeout
            c.request(method, path, body=data, headers=hdrs)
            r = c.getresponse()
            raw = r.read()
            try:
                return r.status, json.loads(raw) if raw else None
            except ValueError:
                return r.status, None
        except (OSError, http.client.HTTPException) as e:
            TLS.conn = None
            try:
                c.close()
            except Exception:
                pass
            if attempt == 4:
                log("%s %s failed: %s" % (method, path, e))
                return 0, None
            time.sleep(0.2 * (attempt + 1))
    return 0, None


def register_node():
    node = {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": NODE, "labels": {"kubernetes.io/hostname": NODE,
                                              "kubernetes.io/os": "linux"}},
        "status": {
            "capacity": CAPACITY, "allocatable": CAPACITY,
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"},
                          {"type": "Hostname", "address": NODE}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": ARGS.port}},
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "krait stand-in kubelet is ready",
                            "lastHeartbeatTime": now(), "lastTransitionTime": now()}],
            "nodeInfo": {"kubeletVersion": "v1.20.2-krait-standin", "operatingSystem": "linux",
                         "architecture": "amd64", "containerRuntimeVersion": "host://0",
                         "kernelVersion": os.uname().release, "osImage": "host",
                         "kubeProxyVersion": "", "machineID": "", "systemUUID": "",
                         "bootID": ""},
        },
    }
    st, _ = api("POST", "/api/v1/nodes", node)
    if st == 409:
        st, _ = api("PUT", "/api/v1/nodes/%s/status" % NODE,
                    dict(node, metadata=dict(node["metadata"],
                                             resourceVersion=api("GET", "/api/v1/nodes/" + NODE)[1]["metadata"]["resourceVersion"])))
    if st not in (200, 201):
        log("cannot register node: HTTP %s" % st)
        sys.exit(1)
    # status is ignored on create by some servers: set it explicitly
    _, cur = api("GET", "/api/v1/nodes/" + NODE)
    if cur and not cur.get("status", {}).get("addresses"):
        cur["status"] = node["status"]
        api("PUT", "/api/v1/nodes/%s/status" % NODE, cur)
    log("node %s registered" % NODE)


def hooks_for(pod):
    labels = pod["metadata"].get("labels", {}) or {}
    acts = []
    try:
        with open(os.path.join(ARGS.state, "hooks")) as f:
            for line in f:
                parts = line.split()
                if len(parts) != 2 or "=" not in parts[0]:
                    continue
                k, v = parts[0].split("=", 1)
                if labels.get(k) == v:
                    acts.append((parts[0], parts[1]))
    except OSError:
        pass
    return acts


def claim_path(ns, claim):
    """(host path, None) of a PersistentVolumeClaim bound to a hostPath
    PersistentVolume (spec.volumeName: pre-bound, as no binder runs here), or
    (None, the scheduler's or kubelet's message)."""
    st, pvc = api("GET", "/api/v1/namespaces/%s/persistentvolumeclaims/%s" % (ns, claim))
    if st == 404:
        return None, 'persistentvolumeclaim "%s" not found' % claim
    if st != 200 or not pvc:
        return None, "cannot read persistentvolumeclaim %s (HTTP %s)" % (claim, st)
    vol = (pvc.get("spec") or {}).get("volumeName")
    if not vol:
        return None, "pod has unbound immediate PersistentVolumeClaims"
    st, pv = api("GET", "/api/v1/persistentvolumes/%s" % vol)
    path = ((pv or {}).get("spec") or {}).get("hostPath", {}).get("path") if st == 200 else None
    if not path:
        return None, "persistentvolume %s is not a hostPath volume" % vol
    return path, None


def unschedulable_reason(pod):
    """The scheduler's message when no node fits the pod, else None."""
    for v in pod["spec"].get("volumes") or []:
        if "persistentVolumeClaim" in v:
            _, why = claim_path(pod["metadata"]["namespace"], v["persistentVolumeClaim"]["claimName"])
            if why:
                return "0/1 nodes are available: %s." % why
    missing = []
    for c in pod["spec"].get("containers", []):
        res = c.get("resources", {}) or {}
        for kind in ("requests", "limits"):
            for name, val in (res.get(kind) or {}).items():
                if name in CAPACITY or name in missing:
                    continue
                if str(val) not in ("0", ""):
                    missing.append(name)
    sel = pod["spec"].get("nodeSelector") or {}
    bad_sel = [k for k, v in sel.items() if k not in ("kubernetes.io/hostname", "kubernetes.io/os")
               or (k == "kubernetes.io/hostname" and v != NODE) or (k == "kubernetes.io/os" and v != "linux")]
    if missing:
        return "0/1 nodes are available: " + ", ".join(
            "1 Insufficient %s" % m for m in sorted(missing)) + "."
    if bad_sel:
        return "0/1 nodes are available: 1 node(s) didn't match node selector."
    return None


def patch_status(pod, status):
    md = pod["metadata"]
    st, _ = api("PATCH", "/api/v1/namespaces/%s/pods/%s/status" % (md["namespace"], md["name"]),
                {"status": status}, ctype="application/merge-patch+json")
    return st


class Pod:
    def __init__(self, obj):
        self.obj = obj
        md = obj["metadata"]
        self.ns, self.name, self.uid = md["namespace"], md["name"], md["uid"]
        self.proc = None
        self.started = None
        self.done = False
        self.killed_for = None      # (phase reason, message, container reason, exit code)
        self.deleted = False
        self.logpath = os.path.join(ARGS.state, "logs", "%s_%s.log" % (self.ns, self.name))
        c = obj["spec"]["containers"][0]
        self.cname = c["name"]
        self.image = c.get("image", "")
        self.deadline = obj["spec"].get("activeDeadlineSeconds")

    def container_status(self, state):
        return [{"name": self.cname, "image": self.image, "imageID": "host://" + self.image,
                 "containerID": "host://%s" % (self.proc.pid if self.proc else 0),
                 "ready": "running" in state, "restartCount": 0, "started": "running" in state,
                 "state": state}]

    def start(self):
        c = self.obj["spec"]["containers"][0]
        argv = (c.get("command") or []) + (c.get("args") or [])
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/root",
               "HOSTNAME": self.name, "KUBERNETES_POD_NAME": self.name}
        for e in c.get("env") or []:
            if "value" in e:
                env[e["name"]] = e["value"]
            elif "valueFrom" in e and "secretKeyRef" in e["valueFrom"]:
                ref = e["valueFrom"]["secretKeyRef"]
                st, sec = api("GET", "/api/v1/namespaces/%s/secrets/%s" % (self.ns, ref["name"]))
                if st == 200 and ref["key"] in (sec.get("data") or {}):
                    import base64
                    env[e["name"]] = base64.b64decode(sec["data"][ref["key"]]).decode()
        cwd = c.get("workingDir") or "/"
        # volumes: this kubelet runs pods on the host and mounts nothing, so a
        # claim's hostPath must be its mount path (as the tests make it)
        vols = {v["name"]: v for v in self.obj["spec"].get("volumes") or []}
        for m in c.get("volumeMounts") or []:
            v = vols.get(m["name"], {})
            if "persistentVolumeClaim" in v:
                path, why = claim_path(self.ns, v["persistentVolumeClaim"]["claimName"])
                if why or os.path.realpath(path) != os.path.realpath(m["mountPath"]):
                    os.makedirs(os.path.dirname(self.logpath), exist_ok=True)
                    with open(self.logpath, "wb") as out:
                        out.write(("MountVolume failed for %s at %s: %s\n" % (
                            m["name"], m["mountPath"], why or "the volume's host path is %s"
                            % path)).encode())
                    self.started = now()
                    self.finish_status(128, "ContainerCannotRun")
                    return
        os.makedirs(os.path.dirname(self.logpath), exist_ok=True)
        out = open(self.logpath, "wb")
        self.started = now()
        self.t0 = time.time()
        try:
            self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as e:
            out.write(("cannot start %s: %s\n" % (argv, e)).encode())
            out.close()
            self.finish_status(128, "ContainerCannotRun")
            return
        out.close()
        patch_status(self.obj, {
            "phase": "Running", "startTime": self.started, "hostIP": "127.0.0.1", "podIP": "127.0.0.1",
            "conditions": [{"type": "PodScheduled", "status": "True"},
                           {"type": "Initialized", "status": "True"},
                           {"type": "Ready", "status": "True"},
                           {"type": "ContainersReady", "status": "True"}],
            "containerStatuses": self.container_status({"running": {"startedAt": self.started}})})
        for key, act in hooks_for(self.obj):
            if act == "oom":
                self.kill(("", "", "OOMKilled", 137, "Failed"))
            elif act == "deadline":
                self.kill(("DeadlineExceeded", "Pod was active on the node longer than the "
                           "specified deadline", "Error", 137, "Failed"))
            elif act == "evict" or (act == "evict-once" and (key, cwd) not in EVICTED_ONCE):
                EVICTED_ONCE.add((key, cwd))
                self.kill(("Evicted", "The node was low on resource: memory. Container %s was "
                           "using 9000000Ki, which exceeds its request of 0." % self.cname,
                           "Error", 137, "Failed"))

    def kill(self, why):
        if self.killed_for is None:
            self.killed_for = why
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass

    def finish_status(self, code, reason=None):
        fin = now()
        phase = "Succeeded" if code == 0 else "Failed"
        st = {"phase": phase,
              "conditions": [{"type": "PodScheduled", "status": "True"},
                             {"type": "Ready", "status": "False", "reason": "PodCompleted"},
                             {"type": "ContainersReady", "status": "False", "reason": "PodCompleted"}]}
        if self.killed_for:
            preason, pmsg, creason, code, phase = self.killed_for
            st["phase"] = phase
            if preason:
                st["reason"], st["message"] = preason, pmsg
            reason = creason
        term = {"exitCode": code, "reason": reason or ("Completed" if code == 0 else "Error"),
                "startedAt": self.started or fin, "finishedAt": fin}
        st["containerStatuses"] = self.container_status({"terminated": term})
        if not self.deleted:
            patch_status(self.obj, st)
        self.done = True


def reaper():
    """Wait for processes; enforce deadlines; report the end of each."""
    while True:
        time.sleep(0.05)
        with LOCK:
            pods = [p for p in PODS.values() if p.proc and not p.done]
        for p in pods:
            if p.deadline and p.proc.poll() is None and time.time() - p.t0 > p.deadline:
                p.kill(("DeadlineExceeded", "Pod was active on the node longer than the "
                        "specified deadline", "Error", 137, "Failed"))
            rc = p.proc.poll()
            if rc is None:
                continue
            code = rc if rc >= 0 else 128 - rc
            p.finish_status(code)


def confirm_delete(p):
    p.deleted = True
    p.kill(("", "", "Error", 137, "Failed"))
    api("DELETE", "/api/v1/namespaces/%s/pods/%s" % (p.ns, p.name),
        {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0,
         "preconditions": {"uid": p.uid}})


def handle(ev_type, obj):
    md = obj["metadata"]
    uid = md["uid"]
    spec = obj["spec"]
    with LOCK:
        p = PODS.get(uid)
    if ev_type == "DELETED":
        if p:
            p.deleted = True
            p.kill(("", "", "Error", 137, "Failed"))
            with LOCK:
                PODS.pop(uid, None)
        return
    if md.get("deletionTimestamp"):
        if spec.get("nodeName") == NODE:
            if p:
                confirm_delete(p)
            else:
                api("DELETE", "/api/v1/namespaces/%s/pods/%s" % (md["namespace"], md["name"]),
                    {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0})
        return
    phase = obj.get("status", {}).get("phase")
    if not spec.get("nodeName"):
        if phase not in (None, "Pending"):
            return
        why = unschedulable_reason(obj)
        if why:
            conds = obj.get("status", {}).get("conditions") or []
            if not any(c.get("type") == "PodScheduled" and c.get("message") == why for c in conds):
                patch_status(obj, {"phase": "Pending", "conditions": [
                    {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                     "message": why, "lastTransitionTime": now()}]})
            return
        st, _ = api("POST", "/api/v1/namespaces/%s/pods/%s/binding" % (md["namespace"], md["name"]),
                    {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": md["name"]},
                     "target": {"apiVersion": "v1", "kind": "Node", "name": NODE}})
        if st not in (200, 201):
            log("bind %s: HTTP %s" % (md["name"], st))
        return
    if spec.get("nodeName") != NODE or p is not None or phase not in (None, "Pending"):
        return
    p = Pod(obj)
    with LOCK:
        PODS[uid] = p
    p.start()


def watcher(q):
    """List, then watch pods; feed events into q. Re-lists when the watch breaks."""
    while True:
        st, lst = api("GET", "/api/v1/pods")
        if st != 200:
            time.sleep(1)
            continue
        for it in lst["items"]:
            q.put(("ADDED", it))
        rv = lst["metadata"]["resourceVersion"]
        u = urllib.parse.urlparse(ARGS.server)
        ctx = ssl.create_default_context(cafile=ARGS.ca)
        c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=600)
        try:
            c.request("GET", "/api/v1/pods?watch=1&allowWatchBookmarks=false&timeoutSeconds=300"
                      "&resourceVersion=" + rv,
                      headers={"Authorization": "Bearer " + ARGS.token,
                               "User-Agent": "krait-test-kubelet"})
            r = c.getresponse()
            if r.status != 200:
                r.read()
                time.sleep(1)
                continue
            while True:
                line = r.readline()
                if not line:
                    break
                ev = json.loads(line)
                if ev.get("type") == "ERROR":
                    break
                q.put((ev["type"], ev["object"]))
        except (OSError, http.client.HTTPException, ValueError) as e:
            log("watch broke: %s" % e)
            time.sleep(0.2)
        finally:
            c.close()


class LogHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *a):
        pass

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        parts = u.path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "containerLogs":
            self.send_error(404)
            return
        q = urllib.parse.parse_qs(u.query)
        path = os.path.join(ARGS.state, "logs", "%s_%s.log" % (parts[1], parts[2]))
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            data = b""
        if "tailLines" in q:
            n = int(q["tailLines"][0])
            lines = data.splitlines(True)
            data = b"".join(lines[-n:]) if n > 0 else b""
        if "limitBytes" in q:
            data = data[:int(q["limitBytes"][0])]
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class TLSServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve_logs():
    srv = TLSServer(("127.0.0.1", ARGS.port), LogHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--port", type=int, default=10250)
    ARGS = ap.parse_args()
    with open(ARGS.token_file) as f:
        ARGS.token = f.read().strip()
    os.makedirs(os.path.join(ARGS.state, "logs"), exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    threading.Thread(target=serve_logs, daemon=True).start()
    register_node()
    q = queue.Queue()
    threading.Thread(target=watcher, args=(q,), daemon=True).start()
    threading.Thread(target=reaper, daemon=True).start()
    # pods that stay Pending unscheduled are looked at again every few seconds
    while True:
        try:
            ev, obj = q.get(timeout=5)
        except queue.Empty:
            continue
        try:
            handle(ev, obj)
        except Exception as e:     # a bad pod must not stop the node
            log("event %s %s: %r" % (ev, obj.get("metadata", {}).get("name"), e))


if __name__ == "__main__":
    main()
