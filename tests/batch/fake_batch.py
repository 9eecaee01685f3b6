#!/usr/bin/python3
"""fake_batch.py - an AWS Batch service of krait's own, for the tests and the
benchmark of the aws-batch executor (executors/awsbatch.c).

No Batch emulator exists in Debian or npm, so this one is written to be
strict rather than kind. Run it with Debian's /usr/bin/python3 and
python3-botocore (the pyenv `python3` here has another botocore).

What it checks, on every API request:
  - the SigV4 signature, recomputed with botocore.auth.SigV4Auth from the
    request as received (method, path, signed headers, body): an unknown
    access key -> 403 UnrecognizedClientException, a mismatch -> 403
    InvalidSignatureException, a wrong service/region in the credential
    scope or a date more than 15 minutes off -> 403, a missing or wrong
    session token (when one is configured) -> 403;
  - the JSON body against botocore's published Batch service model
    (botocore.validate.ParamValidator on the operation's input shape:
    required members, types, enums, unknown members) -> 400 ClientException
    with botocore's report; plus the service's documented rules that the
    model does not carry: job and job definition names ([A-Za-z0-9_-],
    first alphanumeric, at most 128), attemptDurationSeconds >= 60, array
    size 2..10000, DescribeJobs with at most 100 ids, VCPU and MEMORY
    required, environment names not starting with AWS_BATCH, a known job
    queue, a known ACTIVE job definition;
  - its own answers against the model's output shapes (a failure there is a
    bug of the fake: 500 with the report).

What it does: runs each job's command on this host (subprocess, a clean
environment: PATH, HOME, LANG plus the job definition's and the overrides'
environment and AWS_BATCH_JOB_ID / AWS_BATCH_JOB_ATTEMPT /
AWS_BATCH_JOB_ARRAY_INDEX / AWS_BATCH_JQ_NAME; never this process's
environment), moving it through SUBMITTED -> RUNNABLE -> STARTING ->
RUNNING -> SUCCEEDED/FAILED, at most --slots jobs RUNNING at once. Array
jobs have children "PARENT:INDEX". Timeouts are enforced (statusReason "Job
attempt duration exceeded timeout"); a job whose processes' resident memory
exceeds its MEMORY (MiB) is killed as a container's memory cgroup kills it
(exit code 137, reason "OutOfMemoryError: Container killed due to memory
usage"); a job's output goes to a "CloudWatch"
file under --logs named by its logStreamName.

CloudWatch Logs, on the same port: POST / with X-Amz-Target
"Logs_20140328.GetLogEvents" (the only Logs operation), signed like the
Batch requests but with service "logs", Content-Type
application/x-amz-json-1.1 (else 400 SerializationException), the body
validated against botocore's "logs" model and the answer against its
output shape. The one group is "/aws/batch/job"; its streams are the files
under --logs (one per job attempt); an unknown group or stream -> 400
ResourceNotFoundException. One event per non-empty line (as the awslogs
driver sends them), pages of FAKE_BATCH_LOG_PAGE events, nextForwardToken
"f/<index>", the same token coming back at the end as CloudWatch does.
Counted in /__stats under requests.GetLogEvents.

Knobs (environment at start, or POST /__control with a JSON object of the
same names in lower case without the prefix):
  FAKE_BATCH_SPOT_RATE=F      reclaim this fraction of jobs as spot does
                              (each attempt with that chance, retries too):
                              the job is killed
                              while RUNNING and FAILED with statusReason
                              "Host EC2 (instance i-0abc...) terminated."
  FAKE_BATCH_START_FAIL_RATE=F  fail this fraction of job attempts as a host
                              that cannot start the container does
                              (statusReason "Task failed to start", reason
                              "CannotStartContainerError: ...", no exit code)
  FAKE_BATCH_THROTTLE_RATE=F  answer this fraction of API requests 429
                              TooManyRequestsException
  FAKE_BATCH_ERROR_RATE=F     answer this fraction 500 ServerException
  FAKE_BATCH_THROTTLE_EVERY=N, FAKE_BATCH_ERROR_EVERY=M
                              the same, deterministic: every Nth API request
                              429, every Mth 500 (0: off)
  FAKE_BATCH_STEP=S           seconds each state transition takes (0.05)
  FAKE_BATCH_TIME_SCALE=F     job timeouts are multiplied by F (tests: 0.05
                              makes the 60 s minimum 3 s)
  FAKE_BATCH_SEED=N           seed of the random faults
  FAKE_BATCH_LOG_PAGE=N       events per GetLogEvents page (10000)

Test endpoints (not signed, not counted): GET /__stats -> JSON counts per
operation and of jobs, faults, job definitions; POST /__control -> set
knobs. --record FILE appends one JSON line per started job attempt (id,
name, command, environment) so tests can grep what a job was given.
"""
import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.validate import ParamValidator

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--port-file")
ap.add_argument("--region", default="us-east-1")
ap.add_argument("--queue", action="append", default=[])
ap.add_argument("--slots", type=int, default=8)
ap.add_argument("--logs", default="fake-batch-logs")
ap.add_argument("--record")
args = ap.parse_args()
QUEUES = set(args.queue or ["krait-test"])
ACCOUNT = "123456789012"

ACCESS = os.environ.get("FAKE_BATCH_ACCESS_KEY", "")
SECRET = os.environ.get("FAKE_BATCH_SECRET_KEY", "")
TOKEN = os.environ.get("FAKE_BATCH_SESSION_TOKEN") or None
if not ACCESS or not SECRET:
    sys.exit("fake_batch: set FAKE_BATCH_ACCESS_KEY and FAKE_BATCH_SECRET_KEY")

knobs = {
    "spot_rate": float(os.environ.get("FAKE_BATCH_SPOT_RATE", "0")),
    "throttle_rate": float(os.environ.get("FAKE_BATCH_THROTTLE_RATE", "0")),
    "start_fail_rate": float(os.environ.get("FAKE_BATCH_START_FAIL_RATE", "0")),
    "throttle_every": float(os.environ.get("FAKE_BATCH_THROTTLE_EVERY", "0")),
    "error_every": float(os.environ.get("FAKE_BATCH_ERROR_EVERY", "0")),
    "error_rate": float(os.environ.get("FAKE_BATCH_ERROR_RATE", "0")),
    "step": float(os.environ.get("FAKE_BATCH_STEP", "0.05")),
    "time_scale": float(os.environ.get("FAKE_BATCH_TIME_SCALE", "1")),
    "log_page": float(os.environ.get("FAKE_BATCH_LOG_PAGE", "10000")),
}
rng = random.Random(int(os.environ.get("FAKE_BATCH_SEED", "14")))

MODEL = botocore.session.get_session().get_service_model("batch")
OPS = {MODEL.operation_model(n).http["requestUri"]: MODEL.operation_model(n)
       for n in MODEL.operation_names}
VALIDATOR = ParamValidator()
LOGS_MODEL = botocore.session.get_session().get_service_model("logs")
LOGS_TARGET = "Logs_20140328."
LOG_GROUP = "/aws/batch/job"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
FINAL = ("SUCCEEDED", "FAILED")

lock = threading.RLock()
stats = {"requests": {}, "faults": {"throttled": 0, "server_error": 0, "bad_signature": 0,
                                    "unknown_key": 0, "invalid": 0},
         "jobs_submitted": 0, "array_jobs": 0, "attempts_started": 0, "reclaimed": 0,
         "timed_out": 0, "terminated": 0, "start_failed": 0, "job_definitions_registered": 0,
         "describe_jobs_max_ids": 0}
jobdefs = {}          # name -> [revision dicts]
jobs = {}             # id -> job dict (array children included)
order = []            # ids in submission order
recf = open(args.record, "a", buffering=1) if args.record else None
os.makedirs(args.logs, exist_ok=True)


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def now_ms():
    return int(time.time() * 1000)


def client_error(msg):
    return ApiError(400, "ClientException", msg)


# ---- job definitions ---------------------------------------------------------

def jobdef_arn(name, rev):
    return "arn:aws:batch:%s:%s:job-definition/%s:%d" % (args.region, ACCOUNT, name, rev)


def resolve_jobdef(ref):
    m = re.match(r"^arn:aws:batch:[^:]+:\d+:job-definition/([^:]+):(\d+)$", ref)
    if m:
        name, rev = m.group(1), int(m.group(2))
    elif ":" in ref:
        name, r = ref.rsplit(":", 1)
        if not r.isdigit():
            raise client_error("Job definition %s is not name, name:revision or an ARN" % ref)
        rev = int(r)
    else:
        name, rev = ref, None
    revs = [d for d in jobdefs.get(name, []) if d["status"] == "ACTIVE"]
    if rev is not None:
        revs = [d for d in revs if d["revision"] == rev]
    if not revs:
        raise client_error("Job definition %s does not exist or is not ACTIVE" % ref)
    return revs[-1]


def check_resources(reqs, where, need):
    seen = {}
    for r in reqs or []:
        if r["type"] in seen:
            raise client_error("%s: resourceRequirements lists %s twice" % (where, r["type"]))
        try:
            v = float(r["value"]) if r["type"] == "VCPU" else int(r["value"])
        except ValueError:
            raise client_error("%s: %s value '%s' is not a number" % (where, r["type"], r["value"]))
        if v <= 0 or (r["type"] == "MEMORY" and v < 4):
            raise client_error("%s: %s value %s is too small" % (where, r["type"], r["value"]))
        seen[r["type"]] = r["value"]
    for t in need:
        if t not in seen:
            raise client_error("%s: resourceRequirements must set %s" % (where, t))
    return seen


def check_env(env, where):
    for e in env or []:
        if e.get("name", "").startswith("AWS_BATCH"):
            raise client_error("%s: environment variable names starting with AWS_BATCH are "
                               "reserved (%s)" % (where, e["name"]))


def op_register(p):
    if not NAME_RE.match(p["jobDefinitionName"]):
        raise client_error("jobDefinitionName '%s': up to 128 letters, numbers, hyphens and "
                           "underscores" % p["jobDefinitionName"])
    if p["type"] != "container" or "containerProperties" not in p:
        raise client_error("this service runs type container job definitions with "
                           "containerProperties only")
    cp = p["containerProperties"]
    if not cp.get("image"):
        raise client_error("containerProperties.image is required")
    check_resources(cp.get("resourceRequirements"), "containerProperties", ("VCPU", "MEMORY"))
    check_env(cp.get("environment"), "containerProperties")
    t = p.get("timeout", {}).get("attemptDurationSeconds")
    if t is not None and t < 60:
        raise client_error("timeout.attemptDurationSeconds must be at least 60 (got %d)" % t)
    with lock:
        revs = jobdefs.setdefault(p["jobDefinitionName"], [])
        rev = len(revs) + 1
        d = {"jobDefinitionName": p["jobDefinitionName"], "revision": rev,
             "jobDefinitionArn": jobdef_arn(p["jobDefinitionName"], rev), "status": "ACTIVE",
             "type": "container", "containerProperties": cp}
        for k in ("timeout", "parameters", "retryStrategy", "tags", "propagateTags",
                  "platformCapabilities"):
            if k in p:
                d[k] = p[k]
        revs.append(d)
        stats["job_definitions_registered"] += 1
    return {"jobDefinitionName": d["jobDefinitionName"], "jobDefinitionArn": d["jobDefinitionArn"],
            "revision": rev}


def op_describe_jobdefs(p):
    with lock:
        out = [d for revs in jobdefs.values() for d in revs]
    if p.get("jobDefinitionName"):
        out = [d for d in out if d["jobDefinitionName"] == p["jobDefinitionName"]]
    if p.get("jobDefinitions"):
        want = set(p["jobDefinitions"])
        out = [d for d in out if d["jobDefinitionArn"] in want or d["jobDefinitionName"] in want
               or "%s:%d" % (d["jobDefinitionName"], d["revision"]) in want]
    if p.get("status"):
        out = [d for d in out if d["status"] == p["status"]]
    start = int(p.get("nextToken") or 0)
    n = p.get("maxResults") or 100
    if n > 100 or n < 1:
        raise client_error("maxResults must be 1..100")
    page = out[start:start + n]
    res = {"jobDefinitions": page}
    if start + n < len(out):
        res["nextToken"] = str(start + n)
    return res


# ---- jobs ----------------------------------------------------------------------

def job_wanted_reclaim(name):
    # every attempt (every submitted job or array task) is reclaimed with
    # the same chance, a retry too, as spot capacity does
    return knobs["spot_rate"] > 0 and rng.random() < knobs["spot_rate"]


def new_job(p, jd, jid, name, index=None, parent=None):
    co = p.get("containerOverrides", {})
    cp = jd["containerProperties"]
    env = {e["name"]: e["value"] for e in cp.get("environment", [])}
    env.update({e["name"]: e["value"] for e in co.get("environment", [])})
    res = {r["type"]: r["value"] for r in cp.get("resourceRequirements", [])}
    res.update({r["type"]: r["value"] for r in co.get("resourceRequirements", [])})
    timeout = p.get("timeout", jd.get("timeout", {})).get("attemptDurationSeconds")
    return {"jobId": jid, "jobName": name, "jobQueue": p["jobQueue"], "jobDefinition": jd,
            "status": "SUBMITTED", "statusReason": None, "createdAt": now_ms(),
            "startedAt": None, "stoppedAt": None, "command": co.get("command") or cp.get("command") or [],
            "env": env, "resources": res, "timeout": timeout, "index": index, "parent": parent,
            "children": [], "next": time.time() + knobs["step"], "proc": None, "exitCode": None,
            "reason": None, "logStreamName": None, "attempts": [],
            "reclaim": job_wanted_reclaim(name), "tags": p.get("tags")}


def op_submit(p):
    if not NAME_RE.match(p["jobName"]):
        raise client_error("jobName '%s': up to 128 letters, numbers, hyphens and underscores, "
                           "starting with a letter or number" % p["jobName"])
    if p["jobQueue"] not in QUEUES and not any(p["jobQueue"].endswith("job-queue/" + q)
                                               for q in QUEUES):
        raise client_error("JobQueue %s not found" % p["jobQueue"])
    co = p.get("containerOverrides", {})
    check_resources(co.get("resourceRequirements"), "containerOverrides", ())
    check_env(co.get("environment"), "containerOverrides")
    t = p.get("timeout", {}).get("attemptDurationSeconds")
    if t is not None and t < 60:
        raise client_error("timeout.attemptDurationSeconds must be at least 60 (got %d)" % t)
    size = p.get("arrayProperties", {}).get("size")
    if size is not None and not 2 <= size <= 10000:
        raise client_error("arrayProperties.size must be between 2 and 10000 (got %d)" % size)
    with lock:
        jd = resolve_jobdef(p["jobDefinition"])
        jid = str(uuid.uuid4())
        j = new_job(p, jd, jid, p["jobName"])
        j["size"] = size
        jobs[jid] = j
        order.append(jid)
        stats["jobs_submitted"] += 1
        if size:
            stats["array_jobs"] += 1
            for i in range(size):
                cid = "%s:%d" % (jid, i)
                c = new_job(p, jd, cid, p["jobName"], index=i, parent=jid)
                jobs[cid] = c
                j["children"].append(cid)
    return {"jobArn": "arn:aws:batch:%s:%s:job/%s" % (args.region, ACCOUNT, jid),
            "jobName": p["jobName"], "jobId": jid}


def summary(j):
    counts = {}
    for cid in j["children"]:
        s = jobs[cid]["status"]
        counts[s] = counts.get(s, 0) + 1
    return counts


def describe(j):
    jd = j["jobDefinition"]
    d = {"jobArn": "arn:aws:batch:%s:%s:job/%s" % (args.region, ACCOUNT, j["jobId"]),
         "jobName": j["jobName"], "jobId": j["jobId"], "jobQueue": j["jobQueue"],
         "status": j["status"], "createdAt": j["createdAt"],
         "jobDefinition": jd["jobDefinitionArn"], "attempts": j["attempts"],
         "dependsOn": [], "parameters": {}}
    if j["statusReason"]:
        d["statusReason"] = j["statusReason"]
    for k in ("startedAt", "stoppedAt"):
        if j[k]:
            d[k] = j[k]
    if j["timeout"]:
        d["timeout"] = {"attemptDurationSeconds": j["timeout"]}
    if j["children"]:
        d["arrayProperties"] = {"statusSummary": summary(j), "size": len(j["children"])}
    elif j["index"] is not None:
        d["arrayProperties"] = {"index": j["index"]}
    if not j["children"]:
        c = {"image": jd["containerProperties"]["image"], "command": j["command"],
             "environment": [{"name": k, "value": v} for k, v in j["env"].items()],
             "resourceRequirements": [{"type": k, "value": v} for k, v in j["resources"].items()]}
        if j["exitCode"] is not None:
            c["exitCode"] = j["exitCode"]
        if j["reason"]:
            c["reason"] = j["reason"]
        if j["logStreamName"]:
            c["logStreamName"] = j["logStreamName"]
        d["container"] = c
    return d


def op_describe_jobs(p):
    ids = p["jobs"]
    if len(ids) > 100:
        raise client_error("DescribeJobs takes at most 100 job ids (got %d)" % len(ids))
    with lock:
        stats["describe_jobs_max_ids"] = max(stats["describe_jobs_max_ids"], len(ids))
        out = [describe(jobs[i]) for i in ids if i in jobs]
    return {"jobs": out}


def op_list_jobs(p):
    with lock:
        if p.get("arrayJobId"):
            par = jobs.get(p["arrayJobId"])
            cand = [jobs[c] for c in par["children"]] if par else []
        elif p.get("jobQueue"):
            cand = [jobs[i] for i in order if jobs[i]["jobQueue"] == p["jobQueue"]]
        else:
            raise client_error("ListJobs needs jobQueue or arrayJobId")
        st = p.get("jobStatus", "RUNNING")
        cand = [j for j in cand if j["status"] == st]
        start = int(p.get("nextToken") or 0)
        n = p.get("maxResults") or 100
        page = cand[start:start + n]
        out = []
        for j in page:
            s = {"jobArn": "arn:aws:batch:%s:%s:job/%s" % (args.region, ACCOUNT, j["jobId"]),
                 "jobId": j["jobId"], "jobName": j["jobName"], "createdAt": j["createdAt"],
                 "status": j["status"]}
            if j["statusReason"]:
                s["statusReason"] = j["statusReason"]
            out.append(s)
    res = {"jobSummaryList": out}
    if start + n < len(cand):
        res["nextToken"] = str(start + n)
    return res


def stop_job(j, reason, status_reason):
    """Kill j (under lock): FAILED with status_reason; its process group is killed."""
    if j["status"] in FINAL:
        return
    if j["proc"] is not None:
        try:
            os.killpg(j["proc"].pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        j["killed_for"] = (reason, status_reason)
        return   # the reaper finishes it
    j["status"] = "FAILED"
    j["statusReason"] = status_reason
    j["stoppedAt"] = now_ms()


def op_terminate(p, cancel=False):
    with lock:
        j = jobs.get(p["jobId"])
        if not j:
            raise client_error("Job %s not found" % p["jobId"])
        targets = [jobs[c] for c in j["children"]] if j["children"] else [j]
        for t in targets:
            if cancel and t["status"] in ("STARTING", "RUNNING"):
                continue
            stats["terminated"] += 1
            stop_job(t, "terminated", p["reason"])
    return {}


HANDLERS = {"RegisterJobDefinition": op_register, "DescribeJobDefinitions": op_describe_jobdefs,
            "SubmitJob": op_submit, "DescribeJobs": op_describe_jobs, "ListJobs": op_list_jobs,
            "TerminateJob": op_terminate, "CancelJob": lambda p: op_terminate(p, cancel=True)}


# ---- the scheduler ---------------------------------------------------------------

def start(j):
    jd = j["jobDefinition"]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}
    env.update(j["env"])
    env["AWS_BATCH_JOB_ID"] = j["jobId"]
    env["AWS_BATCH_JOB_ATTEMPT"] = "1"
    env["AWS_BATCH_JQ_NAME"] = j["jobQueue"]
    if j["index"] is not None:
        env["AWS_BATCH_JOB_ARRAY_INDEX"] = str(j["index"])
    j["logStreamName"] = "%s/default/%s" % (jd["jobDefinitionName"], uuid.uuid4().hex)
    if recf:
        recf.write(json.dumps({"jobId": j["jobId"], "jobName": j["jobName"],
                               "command": j["command"], "environment": env}) + "\n")
    out = open(os.path.join(args.logs, j["logStreamName"].replace("/", "_")), "wb")
    try:
        if not j["command"]:
            raise OSError("the job has no command")
        j["proc"] = subprocess.Popen(j["command"], env=env, cwd="/", stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as e:
        out.write(("CannotStartContainerError: %s\n" % e).encode())
        j["status"] = "FAILED"
        j["reason"] = "CannotStartContainerError: %s" % e
        j["statusReason"] = "Essential container in task exited"
        j["stoppedAt"] = now_ms()
    out.close()
    stats["attempts_started"] += 1
    j["startedAt"] = now_ms()
    j["t0"] = time.time()


def finish_attempt(j, status, status_reason, exit_code=None, reason=None):
    j["status"] = status
    j["statusReason"] = status_reason
    j["exitCode"] = exit_code
    j["reason"] = reason
    j["stoppedAt"] = now_ms()
    c = {"logStreamName": j["logStreamName"]}
    if exit_code is not None:
        c["exitCode"] = exit_code
    if reason:
        c["reason"] = reason
    j["attempts"].append({"container": c, "startedAt": j["startedAt"], "stoppedAt": j["stoppedAt"],
                          "statusReason": status_reason})
    j["proc"] = None


_rss_at = [0.0, {}]


def group_rss_mib():
    """Resident MiB per process group on this host (at most every 0.1 s: a
    container's memory cgroup, as the memory limit sees it)."""
    if time.time() - _rss_at[0] < 0.1:
        return _rss_at[1]
    groups = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            pgrp, rss_pages = int(fields[2]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        groups[pgrp] = groups.get(pgrp, 0) + rss_pages * os.sysconf("SC_PAGE_SIZE") / 1048576.0
    _rss_at[0], _rss_at[1] = time.time(), groups
    return groups


def over_memory(j):
    """Whether job j's processes use more than its MEMORY (MiB)."""
    limit = j["resources"].get("MEMORY")
    if not limit:
        return False
    return group_rss_mib().get(j["proc"].pid, 0) > float(limit)


def tick():
    t = time.time()
    running = sum(1 for j in jobs.values() if j["status"] in ("STARTING", "RUNNING"))
    for jid in list(jobs):
        j = jobs[jid]
        if j["children"]:
            s = summary(j)
            if j["status"] == "SUBMITTED":
                j["status"] = "PENDING"
            if sum(s.get(k, 0) for k in FINAL) == len(j["children"]) and j["status"] not in FINAL:
                j["status"] = "FAILED" if s.get("FAILED") else "SUCCEEDED"
                j["statusReason"] = ("Array Child Job failed" if s.get("FAILED")
                                     else "Array Child Job succeeded")
                j["stoppedAt"] = now_ms()
            elif any(jobs[c]["status"] == "RUNNING" for c in j["children"]) and j["status"] not in FINAL:
                j["status"] = "RUNNING"
            continue
        st = j["status"]
        if st in FINAL:
            continue
        if st == "RUNNING":
            rc = j["proc"].poll()
            kf = j.get("killed_for")
            if rc is None:
                if j["timeout"] and t - j["t0"] > j["timeout"] * knobs["time_scale"]:
                    os.killpg(j["proc"].pid, signal.SIGKILL)
                    j["killed_for"] = ("timeout", "Job attempt duration exceeded timeout")
                elif not kf and over_memory(j):
                    # as the container's memory cgroup does: SIGKILL, exit 137
                    os.killpg(j["proc"].pid, signal.SIGKILL)
                    j["killed_for"] = ("oom", "Essential container in task exited")
                elif j["reclaim"] and t - j["t0"] > 2 * knobs["step"] and not kf:
                    os.killpg(j["proc"].pid, signal.SIGKILL)
                    j["killed_for"] = ("spot", "Host EC2 (instance i-0abc%012x) terminated."
                                       % rng.getrandbits(48))
                continue
            running -= 1
            if kf:
                if kf[0] == "timeout":
                    stats["timed_out"] += 1
                if kf[0] == "spot":
                    stats["reclaimed"] += 1
                    finish_attempt(j, "FAILED", kf[1])
                elif kf[0] == "oom":
                    stats["oom_killed"] = stats.get("oom_killed", 0) + 1
                    finish_attempt(j, "FAILED", kf[1], exit_code=137,
                                   reason="OutOfMemoryError: Container killed due to memory usage")
                else:
                    finish_attempt(j, "FAILED", kf[1], exit_code=None if rc < 0 else rc,
                                   reason=None)
            elif rc == 0:
                finish_attempt(j, "SUCCEEDED", "Essential container in task exited", 0)
            else:
                finish_attempt(j, "FAILED", "Essential container in task exited",
                               rc if rc >= 0 else 128 - rc,
                               None if rc >= 0 else "container killed by signal %d" % -rc)
            continue
        if t < j["next"]:
            continue
        nxt = {"SUBMITTED": "PENDING", "PENDING": "RUNNABLE", "RUNNABLE": "STARTING",
               "STARTING": "RUNNING"}[st]
        if nxt == "STARTING" and running >= args.slots:
            continue
        if nxt == "RUNNING" and knobs["start_fail_rate"] > 0 and rng.random() < knobs["start_fail_rate"]:
            stats["start_failed"] += 1
            j["logStreamName"] = "%s/default/%s" % (j["jobDefinition"]["jobDefinitionName"],
                                                    uuid.uuid4().hex)
            j["startedAt"] = now_ms()
            finish_attempt(j, "FAILED", "Task failed to start", None,
                           "CannotStartContainerError: Error response from daemon: "
                           "failed to initialize logging driver")
            continue
        if nxt == "RUNNING":
            start(j)
            if j["status"] in FINAL:
                continue
        elif nxt == "STARTING":
            running += 1   # a slot is taken from STARTING on
        j["status"] = nxt
        j["next"] = t + knobs["step"]


def scheduler():
    while True:
        with lock:
            tick()
        time.sleep(min(0.02, knobs["step"] / 2 or 0.02))


# ---- HTTP ------------------------------------------------------------------------

def verify(handler, body, service="batch"):
    h = {k.lower(): v for k, v in handler.headers.items()}
    a = h.get("authorization", "")
    m = re.match(r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                 r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$", a)
    if not m:
        raise ApiError(403, "MissingAuthenticationTokenException",
                       "Missing Authentication Token (no SigV4 Authorization header)")
    if m.group(1) != ACCESS:
        stats["faults"]["unknown_key"] += 1
        raise ApiError(403, "UnrecognizedClientException",
                       "The security token included in the request is invalid.")
    if m.group(3) != args.region or m.group(4) != service:
        raise ApiError(403, "InvalidSignatureException",
                       "Credential should be scoped to a valid region and service '%s' "
                       "(got %s/%s)" % (service, m.group(3), m.group(4)))
    signed = m.group(5).split(";")
    for need in ("host", "x-amz-date") + (("x-amz-target",) if service == "logs" else ()):
        if need not in signed:
            raise ApiError(403, "InvalidSignatureException", "%s is not signed" % need)
    if TOKEN and (h.get("x-amz-security-token") != TOKEN or "x-amz-security-token" not in signed):
        raise ApiError(403, "UnrecognizedClientException",
                       "The security token included in the request is invalid.")
    amz = h.get("x-amz-date", "")
    try:
        ts = datetime.strptime(amz, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise ApiError(403, "InvalidSignatureException", "bad X-Amz-Date")
    if abs(time.time() - ts) > 900 or m.group(2) != amz[:8]:
        raise ApiError(403, "InvalidSignatureException", "Signature expired or date mismatch")
    req = AWSRequest(method=handler.command, url="http://%s%s" % (h["host"], handler.path),
                     data=body, headers={k: h[k] for k in signed if k in h})
    req.context["timestamp"] = amz
    auth = SigV4Auth(Credentials(ACCESS, SECRET, TOKEN), service, args.region)
    cr = auth.canonical_request(req)
    want = auth.signature(auth.string_to_sign(req, cr), req)
    if want != m.group(6):
        stats["faults"]["bad_signature"] += 1
        raise ApiError(403, "InvalidSignatureException",
                       "The request signature we calculated does not match the signature you "
                       "provided.")


def get_log_events(params):
    """GetLogEvents over the files under --logs (see the docstring)."""
    name = params["logStreamName"]
    path = os.path.join(args.logs, name.replace("/", "_"))
    if params["logGroupName"] != LOG_GROUP or "/" in name.replace("/", "_") or \
            not os.path.isfile(path):
        raise ApiError(400, "ResourceNotFoundException", "The specified log stream does not exist.")
    if params.get("startFromHead") is False and "nextToken" not in params:
        raise client_error("the fake reads from the head only (startFromHead true)")
    ms = int(os.path.getmtime(path) * 1000)
    with open(path, "rb") as f:
        lines = [l.decode("utf-8", "replace") for l in f.read().split(b"\n") if l]
    start = 0
    tok = params.get("nextToken")
    if tok:
        m = re.match(r"^f/(\d+)$", tok)
        if not m or int(m.group(1)) > len(lines):
            raise client_error("The specified nextToken is invalid.")
        start = int(m.group(1))
    page = max(1, int(knobs["log_page"]))
    if "limit" in params:
        page = min(page, params["limit"])
    evs = [{"timestamp": ms, "message": l, "ingestionTime": ms} for l in lines[start:start + page]]
    end = start + len(evs)
    return {"events": evs, "nextForwardToken": "f/%d" % end, "nextBackwardToken": "b/%d" % start}


def request_params(body, op):
    """The JSON body of a request, validated against op's input shape."""
    try:
        params = json.loads(body or b"{}")
    except ValueError as e:
        raise ApiError(400, "SerializationException", "body is not JSON: %s" % e)
    if op.name == "SubmitJob" and len(body or b"") > 30 * 1024:
        # AWS Batch's service quota: "Maximum job payload size (for SubmitJob
        # API operations): 30 KiB"
        stats["faults"]["invalid"] += 1
        raise client_error("SubmitJob payload of %d bytes exceeds the maximum of 30 KiB"
                           % len(body))
    report = VALIDATOR.validate(params, op.input_shape)
    if report.has_errors():
        stats["faults"]["invalid"] += 1
        raise client_error(report.generate_report())
    return params


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, obj, err_type=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if err_type:
            self.send_header("x-amzn-ErrorType", err_type)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/__stats":
            with lock:
                s = json.loads(json.dumps(stats))
                s["job_definitions"] = sum(len(v) for v in jobdefs.values())
                s["images"] = " ".join(sorted({d["containerProperties"]["image"]
                                               for v in jobdefs.values() for d in v}))
                s["shapes"] = " ".join(sorted(
                    ",".join(["%s=%s" % (r["type"], r["value"]) for r in sorted(
                        d["containerProperties"].get("resourceRequirements", []),
                        key=lambda r: r["type"])] +
                             ["timeout=%s" % d.get("timeout", {}).get("attemptDurationSeconds", 0)])
                    for v in jobdefs.values() for d in v))
                s["states"] = {}
                for j in jobs.values():
                    if not j["children"]:
                        s["states"][j["status"]] = s["states"].get(j["status"], 0) + 1
            return self.answer(200, s)
        self.answer(404, {"message": "not found"}, "ResourceNotFoundException")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if self.path == "/__control":
            with lock:
                for k, v in json.loads(body or b"{}").items():
                    if k not in knobs:
                        return self.answer(400, {"message": "unknown knob " + k})
                    knobs[k] = float(v)
            return self.answer(200, knobs)
        target = self.headers.get("X-Amz-Target") or ""
        if self.path == "/" and target.startswith(LOGS_TARGET):
            return self.logs_call(target[len(LOGS_TARGET):], body)
        op = OPS.get(self.path)
        try:
            if not op:
                raise ApiError(404, "UnknownOperationException", "no operation at " + self.path)
            with lock:
                stats["requests"][op.name] = stats["requests"].get(op.name, 0) + 1
                seq = sum(stats["requests"].values())
            verify(self, body)
            te, ee = int(knobs["throttle_every"]), int(knobs["error_every"])
            r = rng.random()
            if te and seq % te == 0:
                r = -1.0
            elif ee and seq % ee == 0:
                r = knobs["throttle_rate"]
            if r < knobs["throttle_rate"]:
                stats["faults"]["throttled"] += 1
                raise ApiError(429, "TooManyRequestsException", "Too Many Requests")
            if r < knobs["throttle_rate"] + knobs["error_rate"] or (ee and seq % ee == 0):
                stats["faults"]["server_error"] += 1
                raise ApiError(500, "ServerException", "injected internal error")
            params = request_params(body, op)
            out = HANDLERS[op.name](params) if op.name in HANDLERS else None
            if out is None:
                raise client_error("the fake does not implement %s" % op.name)
            rep = VALIDATOR.validate(out, op.output_shape)
            # the model marks JobDetail.startedAt required, yet AWS omits it
            # until a job has started (and for array parents): not an error
            rep._errors = [e for e in rep._errors
                           if not (e[0] == "missing required field" and
                                   e[2].get("required_name") == "startedAt")]
            if rep.has_errors():
                raise ApiError(500, "ServerException", "fake bug: " + rep.generate_report())
            self.answer(200, out)
        except ApiError as e:
            self.answer(e.status, {"__type": e.code, "message": e.message}, e.code)

    def logs_call(self, name, body):
        try:
            with lock:
                stats["requests"][name] = stats["requests"].get(name, 0) + 1
            if name != "GetLogEvents":
                raise ApiError(400, "UnknownOperationException",
                               "the fake's CloudWatch Logs has only GetLogEvents, not " + name)
            verify(self, body, "logs")
            ct = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if ct != "application/x-amz-json-1.1":
                raise ApiError(400, "SerializationException",
                               "Content-Type must be application/x-amz-json-1.1, not %r" % ct)
            op = LOGS_MODEL.operation_model(name)
            params = request_params(body, op)
            out = get_log_events(params)
            rep = VALIDATOR.validate(out, op.output_shape)
            if rep.has_errors():
                raise ApiError(500, "ServiceUnavailableException",
                               "fake bug: " + rep.generate_report())
            self.answer(200, out)
        except ApiError as e:
            self.answer(e.status, {"__type": e.code, "message": e.message}, e.code)


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(args.port_file + ".tmp", args.port_file)
    threading.Thread(target=scheduler, daemon=True).start()

    def bye(*_):
        with lock:
            for j in jobs.values():
                if j["proc"] is not None:
                    try:
                        os.killpg(j["proc"].pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        os._exit(0)
    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGINT, bye)
    srv.serve_forever()


if __name__ == "__main__":
    main()
