/*
 * test_k8s.c - the Kubernetes executor's pure half (executors/kubernetes-spec.c):
 * Job names and label values, the Job object built from a job (image choice and
 * the docker:// scheme, the script, resources, deadline, TTL, labels, selector
 * and tolerations, local-only environment left out, the error without an
 * image, malformed selectors refused), and Job / Pod status read back into
 * results (Complete, exit code, OOMKilled, DeadlineExceeded, Evicted,
 * Unschedulable, ImagePullBackOff).
 */
#include "kubernetes.h"
#include "tap.h"

#include <string.h>

static json_t *parse(const char *s)
{
    return json_loads(s, 0, NULL);
}

int main(void)
{
    struct kr_k8s_spec_opts o;
    struct kr_exec_job job;
    struct kr_error e;
    struct kr_env env[2] = {{"KRAIT_ATTEMPT", "7@/x/.krait"}, {"FOO", "it's"}};
    struct kr_resource_kv res[2] = {{"k8s_node_selector", 0, "disk=ssd,zone=a"},
                                    {"k8s_tolerations", 0, "gpu=yes:NoSchedule,spot:NoExecute"}};
    const char *outs[1] = {"out/a.txt"};
    char buf[128], key[17], key2[17], *js = NULL;
    json_t *j, *c;

    kr_k8s_job_name("6b14e93707475", 12, 2, buf, sizeof buf);
    is_str(buf, "kr-6b14e93707475-12-2", "job name kr-RUN-ID-ATTEMPT");
    ok(kr_k8s_name_ok(buf), "a name krait made is accepted");
    ok(!kr_k8s_name_ok("kr-X-1-1") && !kr_k8s_name_ok("other-1") && !kr_k8s_name_ok("kr-a-"),
       "other names are refused (attach, cancel_ext)");
    kr_k8s_label_value("map.sample=A/b", buf, sizeof buf);
    is_str(buf, "map.sample_A_b", "label value: characters outside [A-Za-z0-9._-] become _");
    kr_k8s_label_value("__x__", buf, sizeof buf);
    is_str(buf, "x", "label value: alphanumeric at both ends");
    kr_k8s_label_value("", buf, sizeof buf);
    is_str(buf, "x", "label value: never empty");

    memset(&o, 0, sizeof o);
    o.ns = "default";
    o.workflow = "0123456789abcdef";
    o.run = "run1";
    o.gpu_resource = "nvidia.com/gpu";
    o.ttl_s = 600;
    memset(&job, 0, sizeof job);
    job.id = 3;
    job.name = "map.sample=A";
    job.rule = "map";
    job.command = "echo 'hi' > out/a.txt";
    job.workdir = "/w d";
    job.log_path = "/w d/.krait/log/map/a.log";
    job.threads = 4;
    job.mem_mb = 2048;
    job.disk_mb = 100;
    job.runtime_min = 90;
    job.gpus = 1;
    job.env = env;
    job.nenv = 2;
    job.res = res;
    job.nres = 2;
    job.outputs = outs;
    job.noutputs = 1;
    job.attempt = 1;
    kr_error_clear(&e);

    is_int(kr_k8s_job_json(&o, &job, "kr-run1-3-1", "k", &js, &e), KR_EUSAGE,
           "no image anywhere: KR_EUSAGE");
    ok(strstr(e.msg, "names no container image") && strstr(e.msg, "--container-image"),
       "the error says what to give: %s", e.msg);
    job.container = "docker://quay.io/x/y:1";
    kr_error_clear(&e);
    is_int(kr_k8s_job_json(&o, &job, "kr-run1-3-1", "k", &js, &e), KR_OK, "a Job object");
    j = parse(js);
    ok(j != NULL, "it is JSON");
    is_str(json_string_value(json_object_get(j, "kind")), "Job", "kind Job");
    c = json_object_get(json_object_get(json_object_get(json_object_get(j, "spec"), "template"),
                                        "spec"), "containers");
    c = json_array_get(c, 0);
    is_str(json_string_value(json_object_get(c, "image")), "quay.io/x/y:1", "docker:// dropped");
    is_str(json_string_value(json_object_get(c, "workingDir")), "/w d", "workingDir");
    ok(strstr(json_string_value(json_array_get(json_object_get(c, "command"), 2)),
              "bash -euo pipefail -c 'echo '\\''hi'\\'' > out/a.txt'") != NULL,
       "the script runs the command, single-quoted, with bash -euo pipefail -c");
    ok(strstr(json_string_value(json_array_get(json_object_get(c, "command"), 2)),
              "| tee -- '/w d/.krait/log/map/a.log'") != NULL, "output tee'd to the log file");
    is_int(json_array_size(json_object_get(c, "env")), 1, "KRAIT_ATTEMPT is not passed to the pod");
    is_str(json_string_value(json_object_get(json_array_get(json_object_get(c, "env"), 0), "value")),
           "it's", "env value as given");
    {
        json_t *r = json_object_get(c, "resources");
        json_t *rq = json_object_get(r, "requests"), *lm = json_object_get(r, "limits");
        is_str(json_string_value(json_object_get(rq, "cpu")), "4", "threads -> cpu request");
        is_str(json_string_value(json_object_get(lm, "memory")), "2048Mi", "mem_mb -> memory limit");
        is_str(json_string_value(json_object_get(rq, "ephemeral-storage")), "100Mi",
               "disk_mb -> ephemeral-storage");
        is_str(json_string_value(json_object_get(lm, "nvidia.com/gpu")), "1", "gpu -> nvidia.com/gpu");
    }
    {
        json_t *sp = json_object_get(j, "spec"), *ps;
        is_int(json_integer_value(json_object_get(sp, "activeDeadlineSeconds")), 5400,
               "runtime 90 min -> activeDeadlineSeconds 5400");
        is_int(json_integer_value(json_object_get(sp, "backoffLimit")), 0, "backoffLimit 0");
        is_int(json_integer_value(json_object_get(sp, "ttlSecondsAfterFinished")), 600, "ttl");
        ps = json_object_get(json_object_get(sp, "template"), "spec");
        is_str(json_string_value(json_object_get(json_object_get(ps, "nodeSelector"), "zone")), "a",
               "k8s_node_selector -> nodeSelector");
        is_int(json_array_size(json_object_get(ps, "tolerations")), 2, "two tolerations");
        is_str(json_string_value(json_object_get(json_array_get(json_object_get(ps, "tolerations"), 1),
                                                 "operator")), "Exists", "key:Effect -> Exists");
        is_str(json_string_value(json_object_get(json_object_get(json_object_get(j, "metadata"),
                                                                 "labels"), "krait.io/rule")),
               "map", "rule label");
    }
    json_decref(j);
    kr_free(js);
    js = NULL;

    /* --k8s-pvc: the claim as a volume, mounted at the mount path */
    o.pvc_name = "work";
    o.pvc_mount = "/w";
    is_int(kr_k8s_job_json(&o, &job, "kr-run1-3-1", "k", &js, &e), KR_OK, "a Job with a claim");
    j = parse(js);
    {
        json_t *ps = json_object_get(json_object_get(json_object_get(j, "spec"), "template"), "spec");
        json_t *v = json_array_get(json_object_get(ps, "volumes"), 0);
        json_t *m = json_array_get(json_object_get(json_array_get(json_object_get(ps, "containers"), 0),
                                                   "volumeMounts"), 0);
        is_str(json_string_value(json_object_get(json_object_get(v, "persistentVolumeClaim"),
                                                 "claimName")), "work", "the claim is a volume");
        is_str(json_string_value(json_object_get(m, "mountPath")), "/w", "mounted at the mount path");
        is_str(json_string_value(json_object_get(m, "name")), json_string_value(json_object_get(v, "name")),
               "the mount names the volume");
    }
    json_decref(j);
    kr_free(js);
    js = NULL;
    o.pvc_name = o.pvc_mount = NULL;

    /* an isolated job (presigned staging): nothing of krait's file system */
    job.isolated = true;
    job.benchmark_path = "/w d/bench.tsv";
    is_int(kr_k8s_job_json(&o, &job, "kr-run1-3-1", "k", &js, &e), KR_OK, "an isolated job's Job");
    j = parse(js);
    c = json_array_get(json_object_get(json_object_get(json_object_get(json_object_get(j, "spec"),
                                                       "template"), "spec"), "containers"), 0);
    ok(json_object_get(c, "workingDir") == NULL, "isolated: no workingDir");
    {
        const char *sc = json_string_value(json_array_get(json_object_get(c, "command"), 2));
        ok(sc && !strstr(sc, "/w d") && !strstr(sc, "tee") && strstr(sc, "##krait-benchmark## "),
           "isolated: no cd, no tee, no path of krait's; the benchmark record goes to stdout");
    }
    json_decref(j);
    kr_free(js);
    js = NULL;
    job.isolated = false;
    job.benchmark_path = NULL;
    res[0].sval = "disk";
    kr_error_clear(&e);
    is_int(kr_k8s_job_json(&o, &job, "kr-run1-3-1", "k", &js, &e), KR_EUSAGE,
           "a malformed node selector is refused");
    res[0].sval = "disk=ssd";
    res[1].sval = "gpu=yes:Sometimes";
    is_int(kr_k8s_job_json(&o, &job, "kr-run1-3-1", "k", &js, &e), KR_EUSAGE,
           "an unknown toleration effect is refused");
    kr_k8s_job_key(&job, key);
    job.command = "echo other";
    kr_k8s_job_key(&job, key2);
    ok(strlen(key) == 16 && strcmp(key, key2) != 0, "the identity key follows the command");

    {
        struct kr_k8s_jobstat st;
        struct kr_k8s_podstat ps;
        struct kr_exec_result r;
        j = parse("{\"metadata\":{\"name\":\"kr-a-1-1\",\"labels\":{\"krait.io/key\":\"00ff\"}},"
                  "\"status\":{\"startTime\":\"2026-12-06T04:40:00Z\",\"completionTime\":"
                  "\"2026-12-06T04:40:03Z\",\"succeeded\":1,\"conditions\":[{\"type\":"
                  "\"Complete\",\"status\":\"True\"}]}}");
        is_int(kr_k8s_parse_job(j, &st), KR_OK, "a Job list item");
        is_int(st.done, 1, "Complete");
        is_int((long long)(st.end - st.start), 3, "start and completion times");
        is_str(st.key, "00ff", "its identity key");
        memset(&r, 0, sizeof r);
        kr_k8s_fill_result(&st, NULL, "kr-a-1-1", NULL, &r);
        is_int(r.state, KR_EXEC_OK, "Complete -> OK");
        json_decref(j);

        j = parse("{\"metadata\":{\"name\":\"kr-a-1-1\"},\"status\":{\"failed\":1,\"conditions\":"
                  "[{\"type\":\"Failed\",\"status\":\"True\",\"reason\":\"BackoffLimitExceeded\","
                  "\"message\":\"Job has reached the specified backoff limit\"}]}}");
        kr_k8s_parse_job(j, &st);
        is_int(st.done, 2, "Failed");
        json_decref(j);
        j = parse("{\"metadata\":{\"labels\":{\"job-name\":\"kr-a-1-1\"}},\"status\":{\"phase\":"
                  "\"Failed\",\"containerStatuses\":[{\"state\":{\"terminated\":{\"exitCode\":3,"
                  "\"reason\":\"Error\"}}}]}}");
        kr_k8s_parse_pod(j, &ps);
        is_str(ps.job, "kr-a-1-1", "the pod's job-name label");
        memset(&r, 0, sizeof r);
        kr_k8s_fill_result(&st, &ps, "kr-a-1-1", "line one\noops\n", &r);
        is_int(r.state, KR_EXEC_FAILED, "exit 3 -> FAILED");
        is_int(r.exit_code, 3, "exit code 3");
        ok(strstr(r.detail, "exit code 3") && strstr(r.detail, "oops"), "detail: %s", r.detail);
        json_decref(j);
        j = parse("{\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[{\"state\":{"
                  "\"terminated\":{\"exitCode\":137,\"reason\":\"OOMKilled\"}}}]}}");
        kr_k8s_parse_pod(j, &ps);
        kr_k8s_fill_result(&st, &ps, "kr-a-1-1", NULL, &r);
        is_int(r.state, KR_EXEC_OOM, "OOMKilled -> OOM");
        json_decref(j);
        j = parse("{\"status\":{\"phase\":\"Failed\",\"reason\":\"Evicted\",\"message\":"
                  "\"The node was low on resource: memory.\"}}");
        kr_k8s_parse_pod(j, &ps);
        kr_k8s_fill_result(&st, &ps, "kr-a-1-1", NULL, &r);
        is_int(r.state, KR_EXEC_PREEMPTED, "Evicted -> PREEMPTED (retried for free)");
        json_decref(j);
        snprintf(st.reason, sizeof st.reason, "DeadlineExceeded");
        kr_k8s_fill_result(&st, NULL, "kr-a-1-1", NULL, &r);
        is_int(r.state, KR_EXEC_TIMEOUT, "DeadlineExceeded -> TIMEOUT");
        j = parse("{\"metadata\":{\"labels\":{\"job-name\":\"kr-g-1-1\"}},\"status\":{\"phase\":"
                  "\"Pending\",\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"False\","
                  "\"reason\":\"Unschedulable\",\"message\":\"0/1 nodes are available: 1 "
                  "Insufficient nvidia.com/gpu.\"}]}}");
        kr_k8s_parse_pod(j, &ps);
        ok(ps.unschedulable && strstr(ps.sched_msg, "Insufficient nvidia.com/gpu"),
           "Unschedulable with the scheduler's message");
        json_decref(j);
        j = parse("{\"status\":{\"phase\":\"Pending\",\"containerStatuses\":[{\"state\":{"
                  "\"waiting\":{\"reason\":\"ImagePullBackOff\",\"message\":\"Back-off pulling "
                  "image\"}}}]}}");
        kr_k8s_parse_pod(j, &ps);
        is_str(ps.waiting, "ImagePullBackOff", "waiting reason ImagePullBackOff");
        json_decref(j);
    }
    is_int((long long)kr_k8s_time("1970-01-01T00:01:00Z"), 60, "RFC 3339 times, UTC");
    is_int((long long)kr_k8s_time("soon"), 0, "not a time: 0");
    return tap_done();
}
