/*
 * awsbatch.c - the AWS Batch executor ("aws-batch"): runs each job as a
 * Batch job of a container job definition, many ready jobs of one rule as
 * one array job, and follows every job of the run with DescribeJobs, 100
 * ids per request, once per poll interval. The API client (SigV4, JSON,
 * retries with backoff) is src/batch-api.c; credentials and region are
 * those of src/aws.c, shared with S3.
 *
 * Job definitions: one per distinct resource shape (image, vCPUs, memory
 * MiB, GPUs, timeout seconds), named "krait-" + the first 16 hex digits of
 * the SHA-256 of that shape, so every run and every machine finds the same
 * one: DescribeJobDefinitions (name, status ACTIVE) first, and
 * RegisterJobDefinition only when none exists. vCPUs come from threads,
 * memory from mem_mb (default 1024, --executor-arg aws-batch-default-mem),
 * GPUs from gpus, the timeout from runtime_min (at least 60 s, Batch's
 * minimum), the image from the job's container: or aws-batch-image.
 *
 * Jobs: SubmitJob with containerOverrides.command = ["bash", "-euo",
 * "pipefail", "-c", SCRIPT], where SCRIPT changes to the job's workdir,
 * sends the output to the job's log and runs the formatted command (shared
 * staging: the job sees krait's workflow directory); an isolated job's
 * SCRIPT (presigned staging: the job sees nothing of krait's) does neither,
 * writes its output to the container's stdout (the benchmark record as a
 * marker line) and, when the job SUCCEEDED or FAILED, krait reads its
 * CloudWatch log stream (GetLogEvents, group aws-batch-log-group) and lands
 * it into the job's log and benchmark files; and
 * containerOverrides.environment = the job's environment by name. An array
 * job's SCRIPT picks its task by AWS_BATCH_JOB_ARRAY_INDEX; external ids
 * are Batch's job ids, "ID:K" for task K of array ID. No AWS credential is
 * ever put into a job: none is in a job's environment to begin with, and
 * names that look like one (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN) are dropped should a rule set them.
 *
 * Outcomes: SUCCEEDED -> OK; FAILED with the container's exit code (and
 * reason, and the CloudWatch log stream name in the detail) -> FAILED, OOM
 * when the reason says OutOfMemory; statusReason "Host EC2 (instance ...)
 * terminated." (a spot reclaim) -> PREEMPTED and other infrastructure
 * failures (the task did not start) -> NODE_FAIL, both retried by the runner
 * without using up `retries` (at most BATCH_FREE_RETRIES times per job);
 * "Job attempt duration exceeded timeout" -> TIMEOUT; a job cancelled by
 * krait -> CANCELLED; a job DescribeJobs misses three times in a row -> LOST.
 *
 * Statistics: with KRAIT_AWS_BATCH_STATS=FILE in the environment,
 * shutdown() writes "NAME VALUE" lines (requests per operation, retries,
 * status queries, jobs, arrays, the most ids in one DescribeJobs).
 *
 * Backend arguments (--executor-arg, or the flags --aws-batch-queue and
 * --aws-batch-endpoint-url): aws-batch-queue=NAME|ARN (required),
 * aws-batch-endpoint-url=URL, aws-batch-image=IMAGE, aws-batch-array=0|1
 * (default 1), aws-batch-array-threshold=N (default 10),
 * aws-batch-poll-min=S (default 1), aws-batch-poll-max=S (default: the
 * run's poll interval), aws-batch-default-mem=MB,
 * aws-batch-log-group=NAME (default /aws/batch/job: isolated jobs' output),
 * aws-logs-endpoint-url=URL (CloudWatch Logs; default AWS_ENDPOINT_URL_LOGS,
 * AWS_ENDPOINT_URL, https://logs.REGION.amazonaws.com).
 */
#include "executor.h"

#include "aws.h"
#include "batch-api.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_POLL_MIN 1.0
#define BATCH_POLL_DEFAULT 10.0
#define BATCH_POLL_GROWTH 1.5
#define BATCH_ARRAY_THRESHOLD 10
#define BATCH_ARRAY_MAX 10000           /* Batch's largest array */
#define BATCH_SCRIPT_MAX (24 * 1024)    /* keep an array's command well inside Batch's limits */
#define BATCH_PAYLOAD_MAX (30 * 1024)   /* Batch's quota: a SubmitJob payload is at most 30 KiB */
#define BATCH_DESCRIBE_MAX 100          /* ids per DescribeJobs */
#define BATCH_QUERY_FAILS 10
#define BATCH_ABSENT_LOST 3             /* queries that miss a job before it is LOST */
#define BATCH_FREE_RETRIES 10           /* preemptions of one job before it counts as failed */
#define BATCH_DEFAULT_IMAGE "public.ecr.aws/docker/library/bash:5"
#define BATCH_LOG_GROUP "/aws/batch/job"     /* where the awslogs driver writes */
#define BATCH_LOG_MAX (64u << 20)           /* most bytes of a job's output landed */

/* A job Batch runs for us that has not been reported finished. */
struct bjob {
    uint32_t id;            /* kr_exec_job.id */
    char ext[64];           /* Batch job id, "ID:K" for an array task */
    char *log;              /* the job's log (owned), or NULL */
    char *bench;            /* an isolated job's benchmark path (owned), or NULL */
    bool isolated;          /* its output comes back from CloudWatch Logs (finish()) */
    char last[16];          /* last status seen */
    int absent;             /* consecutive queries that did not list it */
    bool cancelled, finished;
};

/* A job definition found or registered in this run. */
struct jobdef {
    char name[40];          /* "krait-<16 hex>" */
    char *arn;
};

struct awsb {
    struct kr_batch_api *api;
    char *queue, *image;
    char *log_group;        /* CloudWatch Logs group of the jobs' streams */
    int64_t default_mem;
    bool verbose, arrays;
    uint32_t array_threshold;
    double poll_min, poll_max, interval, next_query;
    int fails;
    struct bjob *jobs;
    uint32_t njobs, capjobs;
    struct kr_exec_result *done;
    uint32_t ndone, capdone;
    struct jobdef *defs;
    uint32_t ndefs;
    uint8_t *preempted;     /* free retries so far, by kr_exec_job.id */
    uint32_t npreempted;
    char *stats_path;
    struct {
        long queries, submitted, arrays, max_ids, preempted, timeouts;
    } n;
};

/* ---- small helpers ---------------------------------------------------------------- */

/*
 * Environment names never handed to a job: AWS credentials; Batch's own
 * (AWS_BATCH*, reserved); and krait's markers for local processes:
 * KRAIT_ATTEMPT (a restarted krait scans /proc for it and would kill a job
 * it is about to re-adopt when Batch runs on the same host, as the fake
 * does) and CUDA_VISIBLE_DEVICES (Batch assigns the GPUs itself).
 */
static bool env_refused(const char *name)
{
    return !strcmp(name, "AWS_ACCESS_KEY_ID") || !strcmp(name, "AWS_SECRET_ACCESS_KEY") ||
           !strcmp(name, "AWS_SESSION_TOKEN") || !strcmp(name, "AWS_SECURITY_TOKEN") ||
           !strncmp(name, "AWS_BATCH", 9) || !strcmp(name, "KRAIT_ATTEMPT") ||
           !strcmp(name, "CUDA_VISIBLE_DEVICES");
}

/* A Batch job name: "krait-" + s, [A-Za-z0-9_-] only, at most 128 bytes. */
static void job_name(const char *s, char *buf, size_t n)
{
    size_t k = (size_t)snprintf(buf, n, "krait-");
    for (; s && *s && k + 1 < n && k < 128; s++)
        buf[k++] = ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_') ? *s : '_';
    buf[k] = 0;
}

/* Follow job `job` as Batch job `ext`: remember its log, and whether it
 * is isolated (and then its benchmark path) for finish(). */
static struct bjob *track(struct awsb *S, const struct kr_exec_job *job, const char *ext)
{
    struct bjob *j;
    if (S->njobs == S->capjobs) {
        S->capjobs = S->capjobs ? 2 * S->capjobs : 64;
        S->jobs = kr_realloc(S->jobs, S->capjobs * sizeof *S->jobs);
    }
    j = &S->jobs[S->njobs++];
    memset(j, 0, sizeof *j);
    j->id = job->id;
    snprintf(j->ext, sizeof j->ext, "%s", ext);
    j->log = job->log_path ? kr_strdup(job->log_path) : NULL;
    j->isolated = job->isolated;
    j->bench = job->isolated && job->benchmark_path ? kr_strdup(job->benchmark_path) : NULL;
    return j;
}

static void push_result(struct awsb *S, const struct kr_exec_result *r)
{
    if (S->ndone == S->capdone) {
        S->capdone = S->capdone ? 2 * S->capdone : 64;
        S->done = kr_realloc(S->done, S->capdone * sizeof *S->done);
    }
    S->done[S->ndone++] = *r;
}

static void compact(struct awsb *S)
{
    uint32_t i, k = 0;
    for (i = 0; i < S->njobs; i++) {
        if (S->jobs[i].finished) {
            kr_free(S->jobs[i].log);
            kr_free(S->jobs[i].bench);
            continue;
        }
        S->jobs[k++] = S->jobs[i];
    }
    S->njobs = k;
}

/* ---- init ------------------------------------------------------------------------- */

static void awsb_free(struct awsb *S)
{
    uint32_t i;
    for (i = 0; i < S->njobs; i++) {
        kr_free(S->jobs[i].log);
        kr_free(S->jobs[i].bench);
    }
    for (i = 0; i < S->ndefs; i++)
        kr_free(S->defs[i].arn);
    kr_batch_api_close(S->api);
    kr_free(S->defs);
    kr_free(S->jobs);
    kr_free(S->done);
    kr_free(S->preempted);
    kr_free(S->queue);
    kr_free(S->image);
    kr_free(S->log_group);
    kr_free(S->stats_path);
    kr_free(S);
}

static int bool_arg(const char *key, const char *v, bool *out, struct kr_error *err)
{
    if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on"))
        *out = true;
    else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off"))
        *out = false;
    else
        return kr_error_set(err, KR_EUSAGE, "--executor-arg %s=%s: expected 0 or 1", key, v);
    return KR_OK;
}

static int seconds_arg(const char *key, const char *v, double *out, struct kr_error *err)
{
    char *end;
    double t = strtod(v, &end);
    if (end == v || *end || !(t >= 0.05 && t <= 3600))
        return kr_error_set(err, KR_EUSAGE, "--executor-arg %s=%s: expected seconds between "
                            "0.05 and 3600", key, v);
    *out = t;
    return KR_OK;
}

/* Apply one backend argument k=v; *endpoint points into arg. */
static int backend_arg(struct awsb *S, const char *arg, const char **endpoint,
                       const char **logs_endpoint, struct kr_error *err)
{
    static const char *const known[] = {
        "aws-batch-queue", "aws-batch-endpoint-url", "aws-batch-image", "aws-batch-array",
        "aws-batch-array-threshold", "aws-batch-poll-min", "aws-batch-poll-max",
        "aws-batch-default-mem", "aws-batch-log-group", "aws-logs-endpoint-url"};
    const char *eq = strchr(arg, '=');
    char key[64], *end;
    const char *v;
    size_t kl;

    if (!eq || (kl = (size_t)(eq - arg)) == 0 || kl >= sizeof key)
        return kr_error_set(err, KR_EUSAGE, "--executor-arg '%s': expected KEY=VALUE", arg);
    memcpy(key, arg, kl);
    key[kl] = 0;
    v = eq + 1;
    if (!strcmp(key, "aws-batch-queue")) {
        if (!*v)
            return kr_error_set(err, KR_EUSAGE, "--aws-batch-queue: empty queue name");
        kr_free(S->queue);
        S->queue = kr_strdup(v);
    } else if (!strcmp(key, "aws-batch-endpoint-url")) {
        *endpoint = v;
    } else if (!strcmp(key, "aws-logs-endpoint-url")) {
        *logs_endpoint = v;
    } else if (!strcmp(key, "aws-batch-log-group")) {
        if (!*v)
            return kr_error_set(err, KR_EUSAGE, "--executor-arg aws-batch-log-group: empty name");
        kr_free(S->log_group);
        S->log_group = kr_strdup(v);
    } else if (!strcmp(key, "aws-batch-image")) {
        if (!*v)
            return kr_error_set(err, KR_EUSAGE, "--executor-arg aws-batch-image: empty image");
        kr_free(S->image);
        S->image = kr_strdup(v);
    } else if (!strcmp(key, "aws-batch-array")) {
        return bool_arg(key, v, &S->arrays, err);
    } else if (!strcmp(key, "aws-batch-array-threshold")) {
        long t = strtol(v, &end, 10);
        if (end == v || *end || t < 2 || t > BATCH_ARRAY_MAX)
            return kr_error_set(err, KR_EUSAGE, "--executor-arg aws-batch-array-threshold=%s: "
                                "expected a number of jobs from 2 to %d", v, BATCH_ARRAY_MAX);
        S->array_threshold = (uint32_t)t;
    } else if (!strcmp(key, "aws-batch-poll-min")) {
        return seconds_arg(key, v, &S->poll_min, err);
    } else if (!strcmp(key, "aws-batch-poll-max")) {
        return seconds_arg(key, v, &S->poll_max, err);
    } else if (!strcmp(key, "aws-batch-default-mem")) {
        long long m = strtoll(v, &end, 10);
        if (end == v || *end || m < 4)
            return kr_error_set(err, KR_EUSAGE, "--executor-arg aws-batch-default-mem=%s: "
                                "expected MiB, at least 4", v);
        S->default_mem = m;
    } else {
        const char *s = kr_suggest(key, known, KR_ARRAY_LEN(known));
        return kr_error_set(err, KR_EUSAGE, "unknown --executor-arg '%s' for the aws-batch "
                            "executor%s%s%s", key, s ? " (did you mean '" : "", s ? s : "",
                            s ? "'?)" : "");
    }
    return KR_OK;
}

static int awsb_init(void **self, const struct kr_executor_opts *opts, struct kr_error *err)
{
    struct awsb *S;
    const char *endpoint = NULL, *logs_endpoint = NULL, *stats;
    uint32_t i;
    int rc;

    *self = NULL;
    S = kr_calloc(1, sizeof *S);
    S->verbose = opts->verbose;
    S->arrays = true;
    S->array_threshold = BATCH_ARRAY_THRESHOLD;
    S->poll_min = BATCH_POLL_MIN;
    S->poll_max = opts->poll_interval > 0 ? opts->poll_interval : BATCH_POLL_DEFAULT;
    S->default_mem = 1024;
    for (i = 0; i < opts->nbackend_args; i++) {
        rc = backend_arg(S, opts->backend_args[i], &endpoint, &logs_endpoint, err);
        if (rc)
            goto fail;
    }
    if (!S->queue) {
        rc = kr_error_set(err, KR_EUSAGE, "the aws-batch executor needs a job queue: "
                          "--aws-batch-queue NAME (or aws-batch-queue: in a profile)");
        goto fail;
    }
    if (!S->image)
        S->image = kr_strdup(BATCH_DEFAULT_IMAGE);
    if (S->poll_min > S->poll_max)
        S->poll_min = S->poll_max;
    S->interval = S->poll_min;
    if (!S->log_group)
        S->log_group = kr_strdup(BATCH_LOG_GROUP);
    rc = kr_batch_api_open(endpoint, &S->api, err);
    if (rc == KR_OK && logs_endpoint)
        rc = kr_batch_api_set_logs_endpoint(S->api, logs_endpoint, err);
    if (rc) {
        kr_error_prefix(err, "aws-batch executor");
        goto fail;
    }
    stats = getenv("KRAIT_AWS_BATCH_STATS");
    if (stats && *stats)
        S->stats_path = kr_strdup(stats);
    if (S->verbose)
        fprintf(stderr, "krait: aws-batch: queue %s at %s (region %s)\n", S->queue,
                kr_batch_api_endpoint(S->api), kr_batch_api_region(S->api));
    *self = S;
    return KR_OK;
fail:
    awsb_free(S);
    return rc;
}

/* ---- job definitions ---------------------------------------------------------------- */

/* The resource shape of a job. */
struct shape {
    const char *image;
    int vcpus;
    int64_t mem, gpus, timeout;
};

static void job_shape(const struct awsb *S, const struct kr_exec_job *job, struct shape *sh)
{
    sh->image = job->container && *job->container ? job->container : S->image;
    if (!strncmp(sh->image, "docker://", 9))    /* Snakemake's spelling of a registry image */
        sh->image += 9;
    sh->vcpus = job->threads > 0 ? job->threads : 1;
    sh->mem = job->mem_mb > 0 ? job->mem_mb : S->default_mem;
    if (sh->mem < 4)
        sh->mem = 4;
    sh->gpus = job->gpus > 0 ? job->gpus : 0;
    sh->timeout = job->runtime_min > 0 ? job->runtime_min * 60 : 0;
    if (sh->timeout > 0 && sh->timeout < 60)
        sh->timeout = 60;
}

static void shape_name(const struct shape *sh, char name[40])
{
    char key[1200], hex[65];
    snprintf(key, sizeof key, "image=%s\nvcpus=%d\nmemory=%lld\ngpus=%lld\ntimeout=%lld\n",
             sh->image, sh->vcpus, (long long)sh->mem, (long long)sh->gpus,
             (long long)sh->timeout);
    kr_aws_sha256_hex(key, strlen(key), hex);
    snprintf(name, 40, "krait-%.16s", hex);
}

static json_t *resource_reqs(const struct shape *sh)
{
    json_t *a = json_array();
    char v[32];
    snprintf(v, sizeof v, "%d", sh->vcpus);
    json_array_append_new(a, json_pack("{s:s,s:s}", "type", "VCPU", "value", v));
    snprintf(v, sizeof v, "%lld", (long long)sh->mem);
    json_array_append_new(a, json_pack("{s:s,s:s}", "type", "MEMORY", "value", v));
    if (sh->gpus > 0) {
        snprintf(v, sizeof v, "%lld", (long long)sh->gpus);
        json_array_append_new(a, json_pack("{s:s,s:s}", "type", "GPU", "value", v));
    }
    return a;
}

/*
 * The ARN of the job definition for sh: from this run's cache, else the
 * newest ACTIVE revision Batch has under the shape's name (with the same
 * image), else a new registration. *arn points into S. Errors: KR_EEXEC
 * from the API.
 */
static int ensure_jobdef(struct awsb *S, const struct shape *sh, const char **arn,
                         struct kr_error *err)
{
    char name[40];
    json_t *req = NULL, *resp = NULL, *defs, *d;
    const char *found = NULL;
    json_int_t best = -1;
    size_t i;
    int rc;

    shape_name(sh, name);
    for (i = 0; i < S->ndefs; i++) {
        if (!strcmp(S->defs[i].name, name)) {
            *arn = S->defs[i].arn;
            return KR_OK;
        }
    }
    req = json_pack("{s:s,s:s}", "jobDefinitionName", name, "status", "ACTIVE");
    rc = kr_batch_api_call(S->api, "DescribeJobDefinitions", req, &resp, err);
    json_decref(req);
    if (rc)
        return rc;
    defs = json_object_get(resp, "jobDefinitions");
    json_array_foreach(defs, i, d) {
        const char *img = json_string_value(
            json_object_get(json_object_get(d, "containerProperties"), "image"));
        json_int_t rev = json_integer_value(json_object_get(d, "revision"));
        const char *a = json_string_value(json_object_get(d, "jobDefinitionArn"));
        if (a && img && !strcmp(img, sh->image) && rev > best &&
            !strcmp(json_string_value(json_object_get(d, "status")) ?: "", "ACTIVE")) {
            best = rev;
            found = a;
        }
    }
    if (found) {
        S->defs = kr_realloc(S->defs, (S->ndefs + 1) * sizeof *S->defs);
        snprintf(S->defs[S->ndefs].name, sizeof S->defs[S->ndefs].name, "%s", name);
        S->defs[S->ndefs].arn = kr_strdup(found);
        *arn = S->defs[S->ndefs++].arn;
        json_decref(resp);
        if (S->verbose)
            fprintf(stderr, "krait: aws-batch: reusing job definition %s\n", *arn);
        return KR_OK;
    }
    json_decref(resp);
    resp = NULL;
    req = json_pack("{s:s,s:s,s:{s:s,s:o,s:[s,s,s]},s:{s:s}}", "jobDefinitionName", name,
                    "type", "container", "containerProperties", "image", sh->image,
                    "resourceRequirements", resource_reqs(sh), "command", "bash", "-c",
                    "echo krait sets the command of each job; exit 1",
                    "tags", "krait", "job definition of one resource shape");
    if (sh->timeout > 0)
        json_object_set_new(req, "timeout", json_pack("{s:I}", "attemptDurationSeconds",
                                                      (json_int_t)sh->timeout));
    rc = kr_batch_api_call(S->api, "RegisterJobDefinition", req, &resp, err);
    json_decref(req);
    if (rc)
        return rc;
    found = json_string_value(json_object_get(resp, "jobDefinitionArn"));
    if (!found) {
        json_decref(resp);
        return kr_error_set(err, KR_EEXEC, "AWS Batch RegisterJobDefinition: the answer has "
                            "no jobDefinitionArn");
    }
    S->defs = kr_realloc(S->defs, (S->ndefs + 1) * sizeof *S->defs);
    snprintf(S->defs[S->ndefs].name, sizeof S->defs[S->ndefs].name, "%s", name);
    S->defs[S->ndefs].arn = kr_strdup(found);
    *arn = S->defs[S->ndefs++].arn;
    json_decref(resp);
    if (S->verbose)
        fprintf(stderr, "krait: aws-batch: registered job definition %s\n", *arn);
    return KR_OK;
}

/* ---- submitting --------------------------------------------------------------------- */

/*
 * The shell text that runs one job: cd to its workdir, output to its log,
 * `exports` (array tasks: the job's environment; else it goes by name in
 * the overrides), then the command - inline when `nested` is false (the
 * outer bash already runs with -euo pipefail), else as one quoted word for
 * a nested `bash -euo pipefail -c`. With a benchmark path the command is
 * timed and Snakemake's benchmark TSV written (wall time only).
 */
static int task_text(const struct kr_exec_job *job, bool exports, bool nested,
                     struct kr_buf *b, struct kr_error *err)
{
    uint32_t i;
    kr_buf_printf(b, "# krait job %u, attempt %d\n", job->id, job->attempt);
    if (job->workdir && !job->isolated) {
        kr_buf_puts(b, "cd -- ");
        kr_buf_put_squoted(b, job->workdir);
        kr_buf_puts(b, " || exit 1\n");
    }
    if (job->log_path && !job->isolated) {
        kr_buf_puts(b, "exec >");
        kr_buf_put_squoted(b, job->log_path);
        kr_buf_puts(b, " 2>&1\n");
    }
    for (i = 0; i < job->nenv; i++) {
        if (!kr_is_shell_name(job->env[i].name))
            return kr_error_set(err, KR_EUSAGE, "job %s: environment variable name '%s' is "
                                "not an identifier", job->name ? job->name : "?",
                                job->env[i].name ? job->env[i].name : "");
        if (!exports || env_refused(job->env[i].name))
            continue;
        kr_buf_printf(b, "export %s=", job->env[i].name);
        kr_buf_put_squoted(b, job->env[i].value ? job->env[i].value : "");
        kr_buf_putc(b, '\n');
    }
    if (job->benchmark_path) {
        kr_exec_put_timed(b, job->command, job->isolated ? NULL : job->benchmark_path,
                          job->bench_repeat);
        kr_buf_puts(b, "exit $rc\n");
    } else if (nested) {
        kr_buf_puts(b, "exec bash -euo pipefail -c ");
        kr_buf_put_squoted(b, job->command ? job->command : "");
        kr_buf_putc(b, '\n');
    } else {
        kr_buf_puts(b, job->command ? job->command : "");
        kr_buf_putc(b, '\n');
    }
    return KR_OK;
}

/* containerOverrides for a script (and, for a single job, its environment). */
static json_t *overrides(const char *script, const struct kr_exec_job *env_of)
{
    json_t *co = json_pack("{s:[s,s,s,s,s]}", "command", "bash", "-euo", "pipefail", "-c", script);
    if (env_of) {
        json_t *env = json_array();
        uint32_t i;
        for (i = 0; i < env_of->nenv; i++)
            if (!env_refused(env_of->env[i].name))
                json_array_append_new(env, json_pack("{s:s,s:s}", "name", env_of->env[i].name,
                                                     "value", env_of->env[i].value ?: ""));
        json_object_set_new(co, "environment", env);
    }
    return co;
}

/* The SubmitJob request of one job; NULL with err set on a bad job. */
static json_t *submit_req(struct awsb *S, const struct kr_exec_job *job, const char *arn,
                          struct kr_error *err)
{
    struct kr_buf b = KR_BUF_INIT;
    char name[140];
    char idn[24];
    json_t *req;
    if (task_text(job, false, false, &b, err)) {
        kr_buf_free(&b);
        return NULL;
    }
    snprintf(idn, sizeof idn, "-%u", job->id);
    job_name(job->rule ? job->rule : "job", name, 129 - strlen(idn));  /* Batch: <= 128 */
    strcat(name, idn);
    req = json_pack("{s:s,s:s,s:s,s:o,s:{s:s}}", "jobName", name, "jobQueue", S->queue,
                    "jobDefinition", arn, "containerOverrides",
                    overrides(kr_buf_cstr(&b), job), "tags", "krait-job",
                    job->name ? job->name : "?");
    kr_buf_free(&b);
    {
        /* Batch refuses a SubmitJob payload over 30 KiB: say why before */
        char *body = json_dumps(req, JSON_COMPACT);
        size_t len = body ? strlen(body) : 0;
        if (body) {
            memset(body, 0, len);   /* it may hold presigned URLs */
            free(body);
        }
        if (len > BATCH_PAYLOAD_MAX) {
            json_decref(req);
            kr_error_set(err, KR_EUSAGE, "job %s: its SubmitJob request would be %zu bytes, "
                         "over AWS Batch's 30 KiB: its command (with the presigned URLs of "
                         "its S3 files, packed) or environment is too long; give the rule "
                         "fewer S3 files or a shorter environment, or run with "
                         "--storage-staging shared on a shared file system",
                         job->name ? job->name : "?", len);
            return NULL;
        }
    }
    return req;
}

/*
 * Submit jobs[0..n-1] one SubmitJob each, all at once (in parallel). On
 * error, ext_ids[i] is non-empty for the jobs that were submitted (and are
 * tracked).
 */
static int submit_each(struct awsb *S, const struct kr_exec_job *const *jobs, uint32_t n,
                       char (*ext_ids)[64], struct kr_error *err)
{
    json_t **reqs = kr_calloc(n, sizeof *reqs), **resps = kr_calloc(n, sizeof *resps);
    char (*errs)[256] = kr_calloc(n, sizeof *errs);
    uint32_t i;
    int rc = KR_OK;

    for (i = 0; i < n && rc == KR_OK; i++) {
        struct shape sh;
        const char *arn;
        ext_ids[i][0] = 0;
        job_shape(S, jobs[i], &sh);
        rc = ensure_jobdef(S, &sh, &arn, err);
        if (rc == KR_OK && !(reqs[i] = submit_req(S, jobs[i], arn, err)))
            rc = KR_EUSAGE;
        if (rc == KR_OK && jobs[i]->log_path)
            rc = kr_mkdirs_parent(jobs[i]->log_path, err);
    }
    if (rc == KR_OK)
        rc = kr_batch_api_call_many(S->api, "SubmitJob", reqs, n, resps, errs, err);
    for (i = 0; i < n; i++) {
        const char *id = json_string_value(json_object_get(resps[i], "jobId"));
        if (id && strlen(id) < 60) {
            snprintf(ext_ids[i], 64, "%s", id);
            track(S, jobs[i], id);
            S->n.submitted++;
            if (S->verbose)
                fprintf(stderr, "krait: aws-batch: submitted %s as %s\n",
                        jobs[i]->name ? jobs[i]->name : "?", id);
        } else if (resps[i] && rc == KR_OK) {
            rc = kr_error_set(err, KR_EEXEC, "AWS Batch SubmitJob: the answer has no jobId");
        }
        json_decref(reqs[i]);
        json_decref(resps[i]);
    }
    if (rc && rc != KR_EUSAGE)
        kr_error_prefix(err, "cannot submit %s", n == 1 && jobs[0]->name ? jobs[0]->name : "jobs");
    kr_free(reqs);
    kr_free(resps);
    kr_free(errs);
    return rc;
}

static int awsb_submit(void *self, const struct kr_exec_job *job, char *ext_id,
                       size_t ext_id_len, struct kr_error *err)
{
    char ext[1][64];
    int rc = submit_each(self, &job, 1, ext, err);
    if (rc == KR_OK)
        snprintf(ext_id, ext_id_len, "%s", ext[0]);
    return rc;
}

/*
 * Submit jobs[idx[0..m-1]] (one rule, one job definition `arn`) as one
 * array job: task K runs the branch K of a `case` on
 * AWS_BATCH_JOB_ARRAY_INDEX, with its own workdir, log and environment.
 */
static int submit_array(struct awsb *S, const struct kr_exec_job *const *jobs,
                        const uint32_t *idx, uint32_t m, const char *arn,
                        char (*ext_ids)[64], struct kr_error *err)
{
    struct kr_buf b = KR_BUF_INIT;
    json_t *req = NULL, *resp = NULL;
    const char *id;
    char name[140];
    uint32_t k;
    int rc = KR_OK;

    kr_buf_printf(&b, "# krait: array of %u jobs\ncase \"${AWS_BATCH_JOB_ARRAY_INDEX:-}\" in\n", m);
    for (k = 0; k < m && rc == KR_OK; k++) {
        kr_buf_printf(&b, "%u)\n", k);
        rc = task_text(jobs[idx[k]], true, true, &b, err);
        kr_buf_puts(&b, ";;\n");
        if (rc == KR_OK && jobs[idx[k]]->log_path)
            rc = kr_mkdirs_parent(jobs[idx[k]]->log_path, err);
    }
    kr_buf_puts(&b, "*) echo \"krait: no task ${AWS_BATCH_JOB_ARRAY_INDEX:-} in this array\" >&2; "
                "exit 2;;\nesac\n");
    if (rc)
        goto out;
    job_name(jobs[idx[0]]->rule ? jobs[idx[0]]->rule : "array", name, 129 - 6);
    strcat(name, "-array");
    req = json_pack("{s:s,s:s,s:s,s:{s:I},s:o,s:{s:s}}", "jobName", name, "jobQueue", S->queue,
                    "jobDefinition", arn, "arrayProperties", "size", (json_int_t)m,
                    "containerOverrides", overrides(kr_buf_cstr(&b), NULL), "tags",
                    "krait-rule", jobs[idx[0]]->rule ? jobs[idx[0]]->rule : "?");
    rc = kr_batch_api_call(S->api, "SubmitJob", req, &resp, err);
    if (rc)
        goto out;
    id = json_string_value(json_object_get(resp, "jobId"));
    if (!id || strlen(id) > 50) {
        rc = kr_error_set(err, KR_EEXEC, "AWS Batch SubmitJob: the answer has no jobId");
        goto out;
    }
    for (k = 0; k < m; k++) {
        char ext[64];
        snprintf(ext, sizeof ext, "%s:%u", id, k);
        track(S, jobs[idx[k]], ext);
        snprintf(ext_ids[idx[k]], 64, "%s", ext);
    }
    S->n.submitted += m;
    S->n.arrays++;
    if (S->verbose)
        fprintf(stderr, "krait: aws-batch: submitted %u jobs of rule %s as array %s\n", m,
                jobs[idx[0]]->rule ? jobs[idx[0]]->rule : "?", id);
out:
    if (rc && rc != KR_EUSAGE)
        kr_error_prefix(err, "cannot submit an array of %u jobs of rule %s", m,
                        jobs[idx[0]]->rule ? jobs[idx[0]]->rule : "?");
    json_decref(req);
    json_decref(resp);
    kr_buf_free(&b);
    return rc;
}

/* The size of job's branch of an array script (an estimate good enough to split by). */
static size_t task_size(const struct kr_exec_job *job)
{
    size_t n = 200 + (job->command ? strlen(job->command) * 2 : 0);
    uint32_t i;
    n += job->workdir ? strlen(job->workdir) : 0;
    n += job->log_path ? strlen(job->log_path) : 0;
    n += job->benchmark_path ? 600 + strlen(job->benchmark_path) : 0;
    for (i = 0; i < job->nenv; i++)
        n += 16 + strlen(job->env[i].name) + (job->env[i].value ? strlen(job->env[i].value) : 0);
    return n;
}

/*
 * submit_many: below the threshold (or with arrays off) one SubmitJob per
 * job, sent in parallel; otherwise the jobs of one job definition form
 * arrays (split so that each array's command stays under BATCH_SCRIPT_MAX),
 * and a group of one is submitted alone. On error, ext_ids[i] is non-empty
 * for the jobs that were submitted.
 */
static int awsb_submit_many(void *self, const struct kr_exec_job *const *jobs, uint32_t n,
                            char (*ext_ids)[64], struct kr_error *err)
{
    struct awsb *S = self;
    const char **arns = NULL;
    uint32_t *idx = NULL, i, j, m;
    bool *used = NULL;
    int rc = KR_OK;

    for (i = 0; i < n; i++)
        ext_ids[i][0] = 0;
    if (!S->arrays || n < S->array_threshold)
        return submit_each(S, jobs, n, ext_ids, err);
    arns = kr_calloc(n, sizeof *arns);
    idx = kr_calloc(n, sizeof *idx);
    used = kr_calloc(n, sizeof *used);
    for (i = 0; i < n && rc == KR_OK; i++) {
        struct shape sh;
        job_shape(S, jobs[i], &sh);
        rc = ensure_jobdef(S, &sh, &arns[i], err);
    }
    for (i = 0; i < n && rc == KR_OK; i++) {
        size_t size = 0;
        if (used[i])
            continue;
        m = 0;
        for (j = i; j < n && m < BATCH_ARRAY_MAX; j++) {
            if (used[j] || strcmp(arns[i], arns[j]))
                continue;
            if (m > 0 && size + task_size(jobs[j]) > BATCH_SCRIPT_MAX)
                break;
            size += task_size(jobs[j]);
            used[j] = true;
            idx[m++] = j;
        }
        if (m == 1)
            rc = submit_each(S, &jobs[i], 1, &ext_ids[i], err);
        else
            rc = submit_array(S, jobs, idx, m, arns[i], ext_ids, err);
    }
    kr_free(arns);
    kr_free(idx);
    kr_free(used);
    return rc;
}

/* ---- status ------------------------------------------------------------------------- */

static bool contains(const char *s, const char *needle)
{
    return s && strstr(s, needle) != NULL;
}

/* One free retry more for job id; false when it has had BATCH_FREE_RETRIES. */
static bool free_retry_left(struct awsb *S, uint32_t id)
{
    if (id >= S->npreempted) {
        uint32_t nn = id + 64;
        S->preempted = kr_realloc(S->preempted, nn);
        memset(S->preempted + S->npreempted, 0, nn - S->npreempted);
        S->npreempted = nn;
    }
    if (S->preempted[id] >= BATCH_FREE_RETRIES)
        return false;
    S->preempted[id]++;
    return true;
}

/*
 * An isolated job ended: read its log stream from CloudWatch Logs and land
 * it into its log and benchmark files (kr_exec_land_output). A failure is
 * said on stderr; the job's outcome stands.
 */
static void land(struct awsb *S, const struct bjob *j, const char *stream)
{
    struct kr_buf out = KR_BUF_INIT;
    struct kr_error e = {0};
    bool cut = false;
    int rc;
    if (!stream) {
        fprintf(stderr, "krait: aws-batch: job %s: no log stream to read its output from\n",
                j->ext);
        return;
    }
    rc = kr_batch_api_read_log(S->api, S->log_group, stream, BATCH_LOG_MAX, &out, &cut, &e);
    if (rc == KR_OK) {
        if (cut)
            fprintf(stderr, "krait: aws-batch: job %s: output cut at %u bytes\n", j->ext,
                    BATCH_LOG_MAX);
        rc = kr_exec_land_output(out.data ? out.data : "", out.len, j->log, j->bench, &e);
    }
    if (rc != KR_OK)
        fprintf(stderr, "krait: aws-batch: job %s: %s\n", j->ext, e.msg);
    kr_buf_free(&out);
}

/* Report j finished, from its DescribeJobs entry d (status SUCCEEDED or FAILED). */
static void finish(struct awsb *S, struct bjob *j, json_t *d)
{
    struct kr_exec_result r;
    const char *status = json_string_value(json_object_get(d, "status"));
    const char *why = json_string_value(json_object_get(d, "statusReason"));
    json_t *c = json_object_get(d, "container"), *ec = json_object_get(c, "exitCode");
    const char *reason = json_string_value(json_object_get(c, "reason"));
    const char *stream = json_string_value(json_object_get(c, "logStreamName"));
    json_t *attempts = json_object_get(d, "attempts");
    char where[200] = "";

    if (!stream && json_array_size(attempts) > 0) {
        json_t *last = json_array_get(attempts, json_array_size(attempts) - 1);
        stream = json_string_value(json_object_get(json_object_get(last, "container"),
                                                   "logStreamName"));
    }
    if (stream)
        snprintf(where, sizeof where, "; log stream %.150s", stream);
    memset(&r, 0, sizeof r);
    r.id = j->id;
    r.start = (double)json_integer_value(json_object_get(d, "startedAt")) / 1000.0;
    r.end = (double)json_integer_value(json_object_get(d, "stoppedAt")) / 1000.0;
    if (status && !strcmp(status, "SUCCEEDED")) {
        r.state = KR_EXEC_OK;
    } else if (j->cancelled) {
        r.state = KR_EXEC_CANCELLED;
        snprintf(r.detail, sizeof r.detail, "CANCELLED: AWS Batch job %.60s terminated by krait",
                 j->ext);
    } else if (contains(why, "Host EC2") && contains(why, "terminated")) {
        S->n.preempted++;
        r.state = free_retry_left(S, j->id) ? KR_EXEC_PREEMPTED : KR_EXEC_FAILED;
        r.exit_code = -1;
        snprintf(r.detail, sizeof r.detail, "PREEMPTED: spot reclaim of AWS Batch job %.60s: "
                 "%.80s%s", j->ext, why, where);
    } else if (contains(why, "attempt duration exceeded timeout")) {
        S->n.timeouts++;
        r.state = KR_EXEC_TIMEOUT;
        r.exit_code = -1;
        snprintf(r.detail, sizeof r.detail, "TIMEOUT: AWS Batch job %.60s: %.80s%s", j->ext,
                 why, where);
    } else if (json_is_integer(ec)) {
        r.exit_code = (int)json_integer_value(ec);
        r.state = contains(reason, "OutOfMemory") ? KR_EXEC_OOM : KR_EXEC_FAILED;
        snprintf(r.detail, sizeof r.detail, "%s: exit code %d (AWS Batch job %.50s: %.60s%s%.40s%s)",
                 r.state == KR_EXEC_OOM ? "OUT_OF_MEMORY" : "FAILED", r.exit_code, j->ext,
                 why ? why : "FAILED", reason ? "; " : "", reason ? reason : "", where);
    } else if (contains(reason, "CannotPullContainer") || contains(reason, "CannotCreateContainer")) {
        r.state = KR_EXEC_FAILED;     /* the image is wrong: trying again will not help */
        r.exit_code = -1;
        snprintf(r.detail, sizeof r.detail, "FAILED: AWS Batch job %.60s could not start its "
                 "container: %.120s", j->ext, reason);
    } else if (contains(reason, "Error") || contains(why, "Task failed to start") ||
               contains(why, "ResourceInitializationError") || contains(why, "DockerTimeoutError")) {
        r.state = free_retry_left(S, j->id) ? KR_EXEC_NODE_FAIL : KR_EXEC_FAILED;
        r.exit_code = -1;
        snprintf(r.detail, sizeof r.detail, "NODE_FAIL: AWS Batch job %.60s did not run: "
                 "%.60s%s%.60s", j->ext, why ? why : "", reason ? "; " : "", reason ? reason : "");
    } else {
        r.state = KR_EXEC_FAILED;
        r.exit_code = -1;
        snprintf(r.detail, sizeof r.detail, "FAILED: AWS Batch job %.60s: %.120s%s", j->ext,
                 why ? why : "no reason given", where);
    }
    if (j->isolated && status && (!strcmp(status, "SUCCEEDED") || !strcmp(status, "FAILED")))
        land(S, j, stream);
    push_result(S, &r);
    j->finished = true;
}

static void lost(struct awsb *S, struct bjob *j, const char *why)
{
    struct kr_exec_result r;
    memset(&r, 0, sizeof r);
    r.id = j->id;
    r.state = KR_EXEC_LOST;
    r.exit_code = -1;
    snprintf(r.detail, sizeof r.detail, "LOST: AWS Batch job %.60s: %.150s", j->ext, why);
    push_result(S, &r);
    j->finished = true;
}

static struct bjob *find_ext(struct awsb *S, const char *ext)
{
    uint32_t i;
    for (i = 0; i < S->njobs; i++)
        if (!S->jobs[i].finished && !strcmp(S->jobs[i].ext, ext))
            return &S->jobs[i];
    return NULL;
}

/*
 * One status query: DescribeJobs for every job of the run, 100 ids per
 * request, the requests in parallel. Finished jobs move to S->done.
 * KR_OK also after a failed query (retried next interval); KR_EEXEC after
 * BATCH_QUERY_FAILS failures in a row, when every job is reported LOST.
 */
static int query(struct awsb *S, struct kr_error *err)
{
    uint32_t nreq = (S->njobs + BATCH_DESCRIBE_MAX - 1) / BATCH_DESCRIBE_MAX, i, k;
    json_t **reqs = kr_calloc(nreq ? nreq : 1, sizeof *reqs);
    json_t **resps = kr_calloc(nreq ? nreq : 1, sizeof *resps);
    unsigned *seen = kr_calloc(S->njobs ? S->njobs : 1, sizeof *seen);
    bool changed = false;
    int rc;

    for (k = 0; k < nreq; k++) {
        json_t *ids = json_array();
        for (i = k * BATCH_DESCRIBE_MAX; i < S->njobs && i < (k + 1) * BATCH_DESCRIBE_MAX; i++)
            json_array_append_new(ids, json_string(S->jobs[i].ext));
        if ((long)json_array_size(ids) > S->n.max_ids)
            S->n.max_ids = (long)json_array_size(ids);
        reqs[k] = json_pack("{s:o}", "jobs", ids);
    }
    S->n.queries++;
    rc = kr_batch_api_call_many(S->api, "DescribeJobs", reqs, nreq, resps, NULL, err);
    if (rc) {
        if (++S->fails >= BATCH_QUERY_FAILS) {
            for (i = 0; i < S->njobs; i++)
                lost(S, &S->jobs[i], "AWS Batch did not answer status queries");
            kr_error_prefix(err, "%d status queries in a row failed", S->fails);
            goto out;
        }
        if (S->verbose)
            fprintf(stderr, "krait: aws-batch: %s (will retry)\n", err ? err->msg : "DescribeJobs failed");
        kr_error_clear(err);
        rc = KR_OK;
        goto out;
    }
    S->fails = 0;
    for (k = 0; k < nreq; k++) {
        json_t *d;
        size_t x;
        json_array_foreach(json_object_get(resps[k], "jobs"), x, d) {
            const char *id = json_string_value(json_object_get(d, "jobId"));
            const char *st = json_string_value(json_object_get(d, "status"));
            struct bjob *j = id ? find_ext(S, id) : NULL;
            if (!j || !st)
                continue;
            seen[j - S->jobs] = 1;
            j->absent = 0;
            if (strcmp(j->last, st)) {
                snprintf(j->last, sizeof j->last, "%s", st);
                changed = true;
            }
            if (!strcmp(st, "SUCCEEDED") || !strcmp(st, "FAILED"))
                finish(S, j, d);
        }
    }
    for (i = 0; i < S->njobs; i++) {
        if (seen[i] || S->jobs[i].finished)
            continue;
        /* Batch's answers are eventually consistent: a job submitted a
         * moment ago may be missing once; three misses in a row are not that */
        if (++S->jobs[i].absent >= BATCH_ABSENT_LOST) {
            lost(S, &S->jobs[i], "DescribeJobs does not know it (any more)");
            changed = true;
        }
    }
out:
    S->interval = changed ? S->poll_min
                          : (S->interval * BATCH_POLL_GROWTH > S->poll_max
                                 ? S->poll_max : S->interval * BATCH_POLL_GROWTH);
    S->next_query = kr_now() + S->interval;
    compact(S);
    for (k = 0; k < nreq; k++) {
        json_decref(reqs[k]);
        json_decref(resps[k]);
    }
    kr_free(reqs);
    kr_free(resps);
    kr_free(seen);
    return rc;
}

/* query() for the shared poll loop. */
static int query_cb(void *self, struct kr_error *err)
{
    return query(self, err);
}

static int awsb_poll(void *self, struct kr_exec_result *results, uint32_t max, uint32_t *n,
                     double timeout, struct kr_error *err)
{
    struct awsb *S = self;
    const struct kr_exec_pollsrc src = {S, query_cb, &S->done, &S->ndone, &S->njobs,
                                        &S->next_query};
    return kr_exec_remote_poll(&src, results, max, n, timeout, err);
}

/* ---- cancel, attach, shutdown -------------------------------------------------------- */

/* TerminateJob for each id, in parallel. */
static int terminate(struct awsb *S, const char *const *ids, uint32_t n, const char *reason,
                     struct kr_error *err)
{
    json_t **reqs = kr_calloc(n ? n : 1, sizeof *reqs), **resps = kr_calloc(n ? n : 1, sizeof *resps);
    uint32_t i;
    int rc;
    for (i = 0; i < n; i++)
        reqs[i] = json_pack("{s:s,s:s}", "jobId", ids[i], "reason", reason);
    rc = kr_batch_api_call_many(S->api, "TerminateJob", reqs, n, resps, NULL, err);
    for (i = 0; i < n; i++) {
        json_decref(reqs[i]);
        json_decref(resps[i]);
    }
    kr_free(reqs);
    kr_free(resps);
    return rc;
}

static int awsb_cancel(void *self, const uint32_t *ids, uint32_t n, struct kr_error *err)
{
    struct awsb *S = self;
    const char **ext = kr_calloc(S->njobs ? S->njobs : 1, sizeof *ext);
    uint32_t i, k, m = 0;
    int rc = KR_OK;

    for (i = 0; i < S->njobs; i++) {
        struct bjob *j = &S->jobs[i];
        bool hit = n == 0;
        for (k = 0; k < n && !hit; k++)
            hit = ids[k] == j->id;
        if (!hit || j->cancelled || j->finished)
            continue;
        j->cancelled = true;
        ext[m++] = j->ext;
    }
    if (m)
        rc = terminate(S, ext, m, "cancelled by krait", err);
    kr_free(ext);
    S->interval = S->poll_min;
    if (S->next_query > kr_now() + S->poll_min)
        S->next_query = kr_now() + S->poll_min;
    return rc;
}

static int awsb_cancel_ext(void *self, const char *const *ext_ids, uint32_t n,
                           struct kr_error *err)
{
    if (n == 0)
        return KR_OK;
    return terminate(self, ext_ids, n, "abandoned by krait", err);
}

/* Whether s is a Batch job id as krait journals it: [0-9a-f-] (a UUID), ":K" for a task. */
static bool is_batch_id(const char *s)
{
    size_t n = strspn(s, "0123456789abcdefABCDEF-");
    if (n < 8 || n > 48)
        return false;
    if (!s[n])
        return true;
    return s[n] == ':' && s[n + 1] && strspn(s + n + 1, "0123456789") == strlen(s + n + 1) &&
           strlen(s + n + 1) <= 5;
}

static int awsb_attach(void *self, const struct kr_exec_job *job, const char *ext_id,
                       struct kr_error *err)
{
    struct awsb *S = self;
    if (!is_batch_id(ext_id))
        return kr_error_set(err, KR_EUSAGE, "'%s' is not an AWS Batch job id (job %s)", ext_id,
                            job->name ? job->name : "?");
    track(S, job, ext_id);
    S->interval = S->poll_min;
    S->next_query = 0;
    return KR_OK;
}

static void write_stats(const struct awsb *S)
{
    const struct kr_batch_api_stats *a = kr_batch_api_stats(S->api);
    FILE *f = fopen(S->stats_path, "w");
    if (!f) {
        fprintf(stderr, "krait: aws-batch: cannot write statistics to %s: %s\n", S->stats_path,
                strerror(errno));
        return;
    }
    fprintf(f, "register_job_definition %ld\ndescribe_job_definitions %ld\nsubmit_job %ld\n"
            "describe_jobs %ld\nterminate_job %ld\nget_log_events %ld\nrequests %ld\n"
            "retries %ld\n"
            "status_queries %ld\njobs_submitted %ld\narrays %ld\nmax_ids_per_describe %ld\n"
            "preempted %ld\ntimeouts %ld\npoll_interval_s %.3f\n",
            a->register_jobdef, a->describe_jobdefs, a->submit, a->describe_jobs, a->terminate,
            a->get_log_events, a->requests, a->retries, S->n.queries, S->n.submitted, S->n.arrays, S->n.max_ids,
            S->n.preempted, S->n.timeouts, S->poll_max);
    fclose(f);
}

static void awsb_shutdown(void *self)
{
    struct awsb *S = self;
    if (!S)
        return;
    if (S->stats_path)
        write_stats(S);
    awsb_free(S);
}

const struct kr_executor kr_executor_awsbatch = {
    .name = "aws-batch",
    .caps = KR_EXEC_CAP_REMOTE | KR_EXEC_CAP_ATTACH | KR_EXEC_CAP_ARRAYS | KR_EXEC_CAP_DETACH |
            KR_EXEC_CAP_CONTAINERS,
    .init = awsb_init,
    .submit = awsb_submit,
    .submit_many = awsb_submit_many,
    .poll = awsb_poll,
    .cancel = awsb_cancel,
    .attach = awsb_attach,
    .shutdown = awsb_shutdown,
    .cancel_ext = awsb_cancel_ext,
};
