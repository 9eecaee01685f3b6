#!/usr/bin/python3
"""botocore_drive.py ENDPOINT - drive the fake AWS Batch with botocore's own
client (an independent implementation of the API: its serializer, SigV4
signer and response parser) and print TAP: the fake answers as AWS does,
refuses a wrong secret and an unknown key, and enforces the model."""
import os
import sys
import time

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

ep = sys.argv[1]
n = 0


def check(ok, what):
    global n
    n += 1
    print("%sok %d - botocore: %s" % ("" if ok else "not ", n, what))


s = botocore.session.get_session()


def client(key=None, secret=None, validate=True):
    return s.create_client("batch", region_name=os.environ["AWS_REGION"], endpoint_url=ep,
                           config=Config(parameter_validation=validate),
                           aws_access_key_id=key or os.environ["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=secret or os.environ["AWS_SECRET_ACCESS_KEY"],
                           aws_session_token=os.environ.get("AWS_SESSION_TOKEN"))


c = client()
r = c.register_job_definition(
    jobDefinitionName="botocore-check", type="container",
    containerProperties={"image": "img", "resourceRequirements": [
        {"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "64"}]})
check(r["jobDefinitionArn"].endswith("job-definition/botocore-check:1") and r["revision"] == 1,
      "RegisterJobDefinition answers name, ARN and revision")
d = c.describe_job_definitions(jobDefinitionName="botocore-check", status="ACTIVE")
check(len(d["jobDefinitions"]) == 1 and d["jobDefinitions"][0]["status"] == "ACTIVE",
      "DescribeJobDefinitions finds it ACTIVE")
j = c.submit_job(jobName="ok", jobQueue="krait-test", jobDefinition="botocore-check",
                 containerOverrides={"command": ["bash", "-c", "echo hello; echo; echo two; echo three; exit 3"]})
a = c.submit_job(jobName="arr", jobQueue="krait-test", jobDefinition="botocore-check",
                 arrayProperties={"size": 2},
                 containerOverrides={"command": ["bash", "-c", "test -n \"$AWS_BATCH_JOB_ARRAY_INDEX\""]})
seen = set()
for _ in range(200):
    jobs = c.describe_jobs(jobs=[j["jobId"], a["jobId"], a["jobId"] + ":1"])["jobs"]
    for x in jobs:
        seen.add(x["status"])
    if all(x["status"] in ("SUCCEEDED", "FAILED") for x in jobs):
        break
    time.sleep(0.02)
by = {x["jobId"]: x for x in jobs}
f = by[j["jobId"]]
check(f["status"] == "FAILED" and f["container"]["exitCode"] == 3 and
      f["container"]["logStreamName"].startswith("botocore-check/default/"),
      "a failed job: exit code 3 and a log stream")
# CloudWatch Logs on the same port: botocore's logs client reads the job's stream
lg = s.create_client("logs", region_name=os.environ["AWS_REGION"], endpoint_url=ep,
                     aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                     aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
                     aws_session_token=os.environ.get("AWS_SESSION_TOKEN"))
stream = f["container"]["logStreamName"]
msgs, tok, pages = [], None, 0
while pages < 20:
    kw = {"nextToken": tok} if tok else {}
    r = lg.get_log_events(logGroupName="/aws/batch/job", logStreamName=stream,
                          startFromHead=True, limit=1, **kw)
    pages += 1
    msgs += [e["message"] for e in r["events"]]
    if r["nextForwardToken"] == tok:
        break
    tok = r["nextForwardToken"]
check(msgs == ["hello", "two", "three"] and pages == 4,
      "the logs client reads the job's stream page by page (%r in %d pages)" % (msgs, pages))
try:
    lg.get_log_events(logGroupName="/aws/batch/job", logStreamName=stream + "x")
    check(False, "an unknown log stream is refused")
except ClientError as e:
    check(e.response["Error"]["Code"] == "ResourceNotFoundException",
          "an unknown log stream is refused (ResourceNotFoundException)")
check(len(seen & {"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING"}) >= 1 and
      seen <= {"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"},
      "jobs pass through Batch's states (seen: %s)" % " ".join(sorted(seen)))
check(by[a["jobId"]]["status"] == "SUCCEEDED" and
      by[a["jobId"]]["arrayProperties"]["statusSummary"].get("SUCCEEDED") == 2 and
      by[a["jobId"] + ":1"]["arrayProperties"]["index"] == 1,
      "an array job: children PARENT:INDEX, status summary")
try:
    client(secret="wrong" + os.environ["AWS_SECRET_ACCESS_KEY"]).describe_jobs(jobs=[])
    check(False, "a wrong secret is refused")
except ClientError as e:
    check(e.response["Error"]["Code"] == "InvalidSignatureException", "a wrong secret is refused "
          "(InvalidSignatureException)")
try:
    client(key="AKIAUNKNOWNKEY000000").describe_jobs(jobs=[])
    check(False, "an unknown key is refused")
except ClientError as e:
    check(e.response["Error"]["Code"] == "UnrecognizedClientException",
          "an unknown key is refused (UnrecognizedClientException)")
try:
    c.submit_job(jobName="bad name", jobQueue="krait-test", jobDefinition="botocore-check")
    check(False, "an invalid job name is refused")
except ClientError as e:
    check(e.response["Error"]["Code"] == "ClientException", "an invalid job name is refused")
try:
    c.submit_job(jobName="q", jobQueue="no-such-queue", jobDefinition="botocore-check")
    check(False, "an unknown queue is refused")
except ClientError as e:
    check("not found" in e.response["Error"]["Message"], "an unknown queue is refused")
try:
    c.describe_jobs(jobs=["x"] * 101)
    check(False, "DescribeJobs with 101 ids is refused")
except ClientError as e:
    check("at most 100" in e.response["Error"]["Message"], "DescribeJobs with 101 ids is refused")
# the server itself checks the model: a client that does not validate sends junk
raw = client(validate=False)
try:
    raw.submit_job(jobName="t", jobQueue="krait-test", jobDefinition="botocore-check",
                   arrayProperties={"size": "three"}, timeout={"attemptDurationSeconds": 60.5})
    check(False, "the server validates against the model")
except ClientError as e:
    m = e.response["Error"]["Message"]
    check(e.response["Error"]["Code"] == "ClientException" and "arrayProperties.size" in m and
          "attemptDurationSeconds" in m, "the server validates types against the model")
try:
    raw.submit_job(jobName="t", jobDefinition="botocore-check")
    check(False, "the server refuses a missing required member")
except ClientError as e:
    check("jobQueue" in e.response["Error"]["Message"], "the server refuses a missing required member")
print("1..%d" % n)
