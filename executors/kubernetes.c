/*
 * kubernetes.c - the Kubernetes executor: runs each job as one batch/v1 Job
 * (built by kubernetes-spec.c) through the API server's REST interface over
 * HTTPS (src/http.h, libcurl), configured from kubeconfig or the in-cluster
 * service account (src/kubeconfig.h). It follows every Job of the run with
 * ONE list request per poll interval.
 *
 * Submitting: one POST per job (submit_many sends a rule's ready jobs in
 * parallel over one connection pool). Job names are "kr-RUN-ID-ATTEMPT"; the
 * name is the external id the runner journals. Before the first submission
 * of a krait process the Jobs of this workflow still running are listed once:
 * a job whose identity label (krait.io/key: workdir, command, outputs) matches
 * one of them that nobody journaled (krait was killed between the POST and
 * the journal) is adopted instead of submitted while it runs: the runner has
 * already removed that attempt's partial outputs (it could not know the Job),
 * so when the adopted Job ends it is reported NODE_FAIL and the job runs again
 * (without using up `retries`), never two executions at once. Orphans no job
 * of this run matches are deleted at shutdown.
 *
 * Status: GET .../jobs?labelSelector=krait.io/workflow=WF,krait.io/run in
 * (..),krait.io/job in (..) lists the Jobs krait follows (with more than
 * KR_K8S_SELECT_MAX in flight: every Job of this working directory, finished
 * ones included until ttlSecondsAfterFinished); Complete / Failed conditions
 * come from the Job controller. Only a failed
 * Job costs more: one pod list (exit code, reason) and one log read (its
 * tail). While jobs wait, a list of this workflow's Pending pods (at most one
 * per KR_K8S_PENDING_CHECK seconds, whatever the job count) finds pods that
 * cannot be scheduled or whose image cannot be pulled; such a job fails after
 * the pending timeout with the scheduler's (or kubelet's) message. Queries
 * start poll-min apart, grow by half each quiet poll up to
 * opts->poll_interval and drop back when a job finishes. 429, 5xx and
 * transport errors are retried with backoff (Retry-After honoured).
 *
 * Cancelling: DELETE with propagationPolicy Background, one request per Job,
 * or when everything is cancelled one DELETE of the collection selected by
 * workflow and run labels.
 *
 * Secrets: the bearer token and the client key live only in this process's
 * memory (an Authorization header; libcurl's copy of the key); nothing here
 * prints a request's headers, and the Job objects carry no credential.
 *
 * Statistics: with KRAIT_K8S_STATS=FILE, shutdown() writes "NAME VALUE" lines
 * (requests by verb, list_jobs, list_pods, get_log, retries, jobs_submitted,
 * jobs_adopted, status_queries); with -v they go to stderr.
 *
 * Backend arguments (--executor-arg): k8s-namespace=NS, k8s-context=NAME,
 * k8s-gpu-resource=NAME (default nvidia.com/gpu), k8s-service-account=NAME,
 * k8s-node-selector=K=V[,K=V], k8s-tolerations=KEY[=VALUE]:EFFECT[,...],
 * k8s-ttl=SECONDS (ttlSecondsAfterFinished, default 3600), k8s-pending-timeout
 * =SECONDS (default 300), k8s-poll-min=SECONDS (default 0.5), k8s-pvc=CLAIM:MOUNT
 * (--k8s-pvc: the PersistentVolumeClaim holding the workflow directory,
 * mounted at MOUNT in every pod; krait's directory must be under MOUNT, and
 * staging is shared by default then). Per job the
 * resources k8s_service_account, k8s_node_selector, k8s_tolerations and
 * k8s_gpu_resource override the defaults.
 */
#include "kubernetes.h"
#include "http.h"
#include "kubeconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KR_K8S_POLL_MIN 0.5
#define KR_K8S_POLL_DEFAULT 5.0
#define KR_K8S_GROWTH 1.5
#define KR_K8S_QUERY_FAILS 10
#define KR_K8S_TRIES 6              /* attempts of one request (429/5xx/transport) */
#define KR_K8S_PARALLEL 8           /* requests in flight at once */
#define KR_K8S_PENDING_CHECK 3.0    /* seconds between pending-pod lists */
/* Marks the journaled external id of a Job adopted by identity (whose
 * outputs are not trusted when it ends), in front of its name. */
#define ADOPTED_MARK '~'
#define KR_K8S_TAIL_LINES 20
#define KR_K8S_LOG_MAX (64L << 20)  /* bytes of an isolated job's pod log krait keeps */
#define KR_K8S_SELECT_MAX 200       /* at most this many job ids in a list's selector */

/* A Job krait follows and has not reported finished. */
struct kjob {
    uint32_t id;
    char name[64];
    char run[32];           /* its run label (from the name) */
    char *log;              /* the job's log file (owned), or NULL */
    char *bench;            /* an isolated job's benchmark file (owned), or NULL */
    bool isolated;          /* kr_exec_job.isolated: krait lands its pod log */
    double since;           /* when submitted / adopted */
    bool adopted;           /* an unjournaled Job of an earlier krait */
    double pend_since;      /* first seen unschedulable (0: not) */
    int absent;             /* consecutive lists that did not show it */
    bool cancelled, finished;
    bool pending_now;       /* check_pending: seen unable to start this time */
};

/* A still running Job of this workflow from an earlier krait (adoption). */
struct orphan {
    char name[64];
    char key[17];
    bool taken;
};

struct k8s {
    struct kr_kubeconfig kc;
    struct kr_http_tls tls;
    struct kr_http_pool *pool;  /* kept-alive connections to the API server */
    char *auth;             /* "Authorization: Bearer ..." (secret), or NULL */
    char *base;             /* server URL without a trailing '/' */
    char *ns, *ns_esc;
    char wf[17], run[24];
    char *gpu_res, *sa, *sel, *tol, *env_secret;
    char *pvc_name, *pvc_mount;     /* --k8s-pvc, or NULL */
    struct kr_vec env_names;    /* --container-env NAMEs (owned strings) */
    struct kr_k8s_spec_opts so;
    double poll_min, poll_max, interval, next_query, pending_timeout, next_pod_check;
    int fails;
    bool verbose, scanned;
    struct kjob *jobs;
    uint32_t njobs, capjobs;
    struct kr_exec_result *done;
    uint32_t ndone, capdone;
    struct orphan *orphans;
    uint32_t norphans;
    struct {
        long get, post, del, list_jobs, list_pods, get_log, retries, queries, submitted,
            adopted;
    } n;
    char *stats_path;
};

/* ---- requests ------------------------------------------------------------------ */

struct call {
    const char *method;
    char *path;             /* owned */
    char *body;             /* owned, or NULL */
    struct kr_http_resp resp;
};

static void call_free(struct call *c)
{
    kr_free(c->path);
    kr_free(c->body);
    kr_http_resp_free(&c->resp);
}

static bool retryable(const struct kr_http_resp *r)
{
    return r->status == 0 || r->status == 429 || r->status >= 500;
}

/* Seconds to wait before attempt `k` (1-based) of a request answered r. */
static double backoff(const struct kr_http_resp *r, int k)
{
    double d = 0.2 * (double)(1 << (k - 1));
    char *ra = kr_http_header(r, "Retry-After");
    if (ra) {
        double v = strtod(ra, NULL);
        if (v > 0 && v <= 10)
            d = v;
        kr_free(ra);
    }
    return d > 5 ? 5 : d;
}

static void sleep_s(double s)
{
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/*
 * Run calls[0..n-1] against the API server, in parallel, retrying those
 * answered 429/5xx or not at all (up to KR_K8S_TRIES attempts with backoff).
 * Every call ends with resp filled (status 0: never answered). KR_OK unless
 * libcurl cannot be used at all.
 */
static int api_run(struct k8s *S, struct call *calls, uint32_t n, struct kr_error *err)
{
    const char *hdrs[4];
    size_t nh = 0;
    struct kr_http_req *reqs = kr_calloc(n ? n : 1, sizeof *reqs);
    struct kr_http_resp *resps = kr_calloc(n ? n : 1, sizeof *resps);
    uint32_t *todo = kr_calloc(n ? n : 1, sizeof *todo), ntodo = n, i, k;
    int rc = KR_OK, attempt;

    if (S->auth)
        hdrs[nh++] = S->auth;
    hdrs[nh++] = "Accept: application/json";
    hdrs[nh++] = "Content-Type: application/json";
    hdrs[nh++] = "User-Agent: krait-kubernetes-executor";
    for (i = 0; i < n; i++)
        todo[i] = i;
    for (attempt = 1; ntodo > 0; attempt++) {
        double wait = 0;
        uint32_t left = 0;
        for (k = 0; k < ntodo; k++) {
            struct call *c = &calls[todo[k]];
            struct kr_http_req *q = &reqs[k];
            memset(q, 0, sizeof *q);
            memset(&resps[k], 0, sizeof resps[k]);
            q->method = c->method;
            q->url = kr_asprintf("%s%s", S->base, c->path);
            q->headers = hdrs;
            q->nheaders = nh;
            q->body = c->body;
            q->body_len = c->body ? strlen(c->body) : 0;
            q->timeout_s = 60;
            q->tls = &S->tls;
            if (!strcmp(c->method, "GET"))
                S->n.get++;
            else if (!strcmp(c->method, "POST"))
                S->n.post++;
            else if (!strcmp(c->method, "DELETE"))
                S->n.del++;
        }
        rc = kr_http_run_in(S->pool, reqs, resps, ntodo, KR_K8S_PARALLEL, err);
        for (k = 0; k < ntodo; k++)
            kr_free((char *)reqs[k].url);
        if (rc)
            break;
        for (k = 0; k < ntodo; k++) {
            struct call *c = &calls[todo[k]];
            kr_http_resp_free(&c->resp);
            c->resp = resps[k];
            if (retryable(&c->resp) && attempt < KR_K8S_TRIES) {
                double d = backoff(&c->resp, attempt);
                if (d > wait)
                    wait = d;
                todo[left++] = todo[k];
            }
        }
        if (left == 0)
            break;
        S->n.retries += left;
        if (S->verbose)
            fprintf(stderr, "krait: kubernetes: %u request(s) answered %ld%s%s; retrying in "
                    "%.1f s\n", left, calls[todo[0]].resp.status,
                    calls[todo[0]].resp.status ? "" : ": ", calls[todo[0]].resp.transport_msg,
                    wait);
        for (k = 0; k < left; k++)
            kr_http_resp_free(&calls[todo[k]].resp);
        ntodo = left;
        sleep_s(wait);
    }
    kr_free(reqs);
    kr_free(resps);
    kr_free(todo);
    return rc;
}

/* One request; the response stays in c->resp. */
static int api1(struct k8s *S, struct call *c, struct kr_error *err)
{
    return api_run(S, c, 1, err);
}

/* The API server's message for a failed call: Status.message, else the
 * transport error, else the HTTP status. */
static void call_msg(const struct call *c, char *buf, size_t n)
{
    json_t *j;
    if (c->resp.status == 0) {
        snprintf(buf, n, "no answer (%s)", c->resp.transport_msg);
        return;
    }
    j = c->resp.body.data ? json_loadb(c->resp.body.data, c->resp.body.len, 0, NULL) : NULL;
    if (j && json_string_value(json_object_get(j, "message")))
        snprintf(buf, n, "HTTP %ld: %s", c->resp.status,
                 json_string_value(json_object_get(j, "message")));
    else
        snprintf(buf, n, "HTTP %ld", c->resp.status);
    json_decref(j);
}

/* The JSON body of a 2xx answer, or NULL. */
static json_t *call_json(const struct call *c)
{
    if (c->resp.status < 200 || c->resp.status >= 300 || !c->resp.body.data)
        return NULL;
    return json_loadb(c->resp.body.data, c->resp.body.len, 0, NULL);
}

/* URL-escape a query value (selectors: '=', ',', '/', ' ', '(', ')'). */
static char *esc(const char *s)
{
    struct kr_buf b = KR_BUF_INIT;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~')
            kr_buf_putc(&b, (char)c);
        else
            kr_buf_printf(&b, "%%%02X", c);
    }
    kr_buf_append(&b, "", 0);
    return kr_buf_steal(&b);
}

static char *jobs_path(struct k8s *S, const char *rest)
{
    return kr_asprintf("/apis/batch/v1/namespaces/%s/jobs%s", S->ns_esc, rest ? rest : "");
}

/* ---- the job table ------------------------------------------------------------- */

static struct kjob *track(struct k8s *S, const struct kr_exec_job *job, const char *name)
{
    struct kjob *j;
    const char *r = name + 3, *dash;
    if (S->njobs == S->capjobs) {
        S->capjobs = S->capjobs ? 2 * S->capjobs : 64;
        S->jobs = kr_realloc(S->jobs, S->capjobs * sizeof *S->jobs);
    }
    j = &S->jobs[S->njobs++];
    memset(j, 0, sizeof *j);
    j->id = job->id;
    snprintf(j->name, sizeof j->name, "%s", name);
    dash = strchr(r, '-');
    snprintf(j->run, sizeof j->run, "%.*s", dash ? (int)(dash - r) : 0, r);
    j->log = job->log_path ? kr_strdup(job->log_path) : NULL;
    j->isolated = job->isolated;
    j->bench = job->isolated && job->benchmark_path ? kr_strdup(job->benchmark_path) : NULL;
    j->since = kr_now();
    return j;
}

static void push_result(struct k8s *S, const struct kr_exec_result *r)
{
    if (S->ndone == S->capdone) {
        S->capdone = S->capdone ? 2 * S->capdone : 64;
        S->done = kr_realloc(S->done, S->capdone * sizeof *S->done);
    }
    S->done[S->ndone++] = *r;
}

static void report(struct k8s *S, struct kjob *j, int state, int exit_code, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));
static void report(struct k8s *S, struct kjob *j, int state, int exit_code, const char *fmt, ...)
{
    struct kr_exec_result r;
    va_list ap;
    memset(&r, 0, sizeof r);
    r.id = j->id;
    r.state = state;
    r.exit_code = exit_code;
    va_start(ap, fmt);
    vsnprintf(r.detail, sizeof r.detail, fmt, ap);
    va_end(ap);
    push_result(S, &r);
    j->finished = true;
}

static void compact(struct k8s *S)
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

static struct kjob *find_name(struct k8s *S, const char *name)
{
    uint32_t i;
    for (i = 0; i < S->njobs; i++)
        if (!S->jobs[i].finished && !strcmp(S->jobs[i].name, name))
            return &S->jobs[i];
    return NULL;
}

/* ---- init -------------------------------------------------------------------------- */

static void k8s_free(struct k8s *S)
{
    uint32_t i;
    for (i = 0; i < S->njobs; i++) {
        kr_free(S->jobs[i].log);
        kr_free(S->jobs[i].bench);
    }
    kr_free(S->jobs);
    kr_free(S->done);
    kr_free(S->orphans);
    if (S->auth) {
        memset(S->auth, 0, strlen(S->auth));
        kr_free(S->auth);
    }
    kr_http_pool_free(S->pool);
    kr_kube_config_free(&S->kc);
    kr_free(S->base);
    kr_free(S->ns);
    kr_free(S->ns_esc);
    kr_free(S->gpu_res);
    kr_free(S->sa);
    kr_free(S->sel);
    kr_free(S->tol);
    kr_free(S->stats_path);
    kr_free(S->pvc_name);
    kr_free(S->pvc_mount);
    kr_free(S->env_secret);
    for (i = 0; i < S->env_names.len; i++)
        kr_free(S->env_names.items[i]);
    kr_vec_free(&S->env_names);
    kr_free(S);
}

static int number_arg(const char *key, const char *v, double lo, double hi, double *out,
                      struct kr_error *err)
{
    char *end;
    double t = strtod(v, &end);
    if (end == v || *end || !(t >= lo && t <= hi))
        return kr_error_set(err, KR_EUSAGE, "--executor-arg %s=%s: expected a number of "
                            "seconds between %g and %g", key, v, lo, hi);
    *out = t;
    return KR_OK;
}

/* Apply one --executor-arg k=v (k8s-context is taken before, in init). */
static int backend_arg(struct k8s *S, const char *arg, struct kr_error *err)
{
    static const char *const known[] = {
        "k8s-namespace", "k8s-context", "k8s-gpu-resource", "k8s-service-account",
        "k8s-node-selector", "k8s-tolerations", "k8s-ttl", "k8s-pending-timeout",
        "k8s-poll-min", "k8s-env", "k8s-env-secret", "k8s-pvc",
    };
    const char *eq = strchr(arg, '=');
    char key[64];
    const char *v;
    size_t kl;
    double d;
    int rc;

    if (!eq || (kl = (size_t)(eq - arg)) == 0 || kl >= sizeof key)
        return kr_error_set(err, KR_EUSAGE, "--executor-arg '%s': expected KEY=VALUE", arg);
    memcpy(key, arg, kl);
    key[kl] = '\0';
    v = eq + 1;
    if (!strcmp(key, "k8s-context")) {
        return KR_OK;
    } else if (!strcmp(key, "k8s-namespace")) {
        char lv[64];
        kr_k8s_label_value(v, lv, sizeof lv);
        if (strcmp(lv, v) || strchr(v, '_') || strchr(v, '.'))
            return kr_error_set(err, KR_EUSAGE, "--executor-arg k8s-namespace=%s: not a "
                                "namespace name (lower-case letters, digits and '-')", v);
        kr_free(S->ns);
        S->ns = kr_strdup(v);
    } else if (!strcmp(key, "k8s-gpu-resource")) {
        kr_free(S->gpu_res);
        S->gpu_res = kr_strdup(v);
    } else if (!strcmp(key, "k8s-service-account")) {
        kr_free(S->sa);
        S->sa = kr_strdup(v);
    } else if (!strcmp(key, "k8s-node-selector")) {
        kr_free(S->sel);
        S->sel = kr_strdup(v);
    } else if (!strcmp(key, "k8s-tolerations")) {
        kr_free(S->tol);
        S->tol = kr_strdup(v);
    } else if (!strcmp(key, "k8s-ttl")) {
        if ((rc = number_arg(key, v, 0, 30 * 86400, &d, err)) != KR_OK)
            return rc;
        S->so.ttl_s = (long)d;
    } else if (!strcmp(key, "k8s-pending-timeout")) {
        if ((rc = number_arg(key, v, 1, 30 * 86400, &d, err)) != KR_OK)
            return rc;
        S->pending_timeout = d;
    } else if (!strcmp(key, "k8s-env")) {
        const char *p = v;
        bool okname = *v && !(*v >= '0' && *v <= '9');
        for (; *p && okname; p++)
            okname = *p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9');
        if (!okname)
            return kr_error_set(err, KR_EUSAGE, "--container-env '%s': not a variable name", v);
        kr_vec_push(&S->env_names, kr_strdup(v));
    } else if (!strcmp(key, "k8s-env-secret")) {
        char lv[64];
        kr_k8s_label_value(v, lv, sizeof lv);
        if (strcmp(lv, v) || strchr(v, '_'))
            return kr_error_set(err, KR_EUSAGE, "--executor-arg k8s-env-secret=%s: not a "
                                "Secret name", v);
        kr_free(S->env_secret);
        S->env_secret = kr_strdup(v);
    } else if (!strcmp(key, "k8s-pvc")) {
        const char *colon = strchr(v, ':');
        char lv[64], name[64];
        size_t nl = colon ? (size_t)(colon - v) : 0;
        if (nl > 0 && nl < sizeof name) {
            memcpy(name, v, nl);
            name[nl] = '\0';
            kr_k8s_label_value(name, lv, sizeof lv);
        }
        if (!colon || nl == 0 || nl >= sizeof name || strcmp(lv, name) || strchr(name, '_') ||
            colon[1] != '/')
            return kr_error_set(err, KR_EUSAGE, "--k8s-pvc %s: expected CLAIM:MOUNT, a "
                                "PersistentVolumeClaim name and the absolute path where it "
                                "is mounted (where krait sees the workflow directory)", v);
        kr_free(S->pvc_name);
        kr_free(S->pvc_mount);
        S->pvc_name = kr_strdup(name);
        S->pvc_mount = kr_strdup(colon + 1);
        nl = strlen(S->pvc_mount);
        while (nl > 1 && S->pvc_mount[nl - 1] == '/')
            S->pvc_mount[--nl] = '\0';
    } else if (!strcmp(key, "k8s-poll-min")) {
        if ((rc = number_arg(key, v, 0.05, 3600, &d, err)) != KR_OK)
            return rc;
        S->poll_min = d;
    } else {
        const char *s = kr_suggest(key, known, KR_ARRAY_LEN(known));
        return kr_error_set(err, KR_EUSAGE, "unknown --executor-arg '%s' for the kubernetes "
                            "executor%s%s%s", key, s ? " (did you mean '" : "", s ? s : "",
                            s ? "'?)" : "");
    }
    return KR_OK;
}

static int k8s_init(void **self, const struct kr_executor_opts *opts, struct kr_error *err)
{
    struct k8s *S;
    const char *context = NULL, *stats;
    uint64_t h = 14695981039346656037ull;
    size_t n;
    uint32_t i;
    int rc;

    *self = NULL;
    if (!opts->state_dir || opts->state_dir[0] != '/')
        return kr_error_set(err, KR_EUSAGE, "the kubernetes executor needs an absolute state "
                            "directory (got '%s')", opts->state_dir ? opts->state_dir : "");
    for (i = 0; i < opts->nbackend_args; i++)
        if (!strncmp(opts->backend_args[i], "k8s-context=", 12))
            context = opts->backend_args[i] + 12;
    S = kr_calloc(1, sizeof *S);
    rc = kr_kube_config_load(context, &S->kc, err);
    if (rc == KR_NOT_FOUND) {
        rc = kr_error_set(err, KR_EUSAGE, "the kubernetes executor found no cluster "
                          "configuration: set KUBECONFIG, write ~/.kube/config, or run "
                          "inside a pod with a service account");
        goto fail;
    }
    if (rc)
        goto fail;
    S->verbose = opts->verbose;
    S->base = kr_strdup(S->kc.server);
    n = strlen(S->base);
    while (n > 0 && S->base[n - 1] == '/')
        S->base[--n] = '\0';
    if (S->kc.token && *S->kc.token)
        S->auth = kr_asprintf("Authorization: Bearer %s", S->kc.token);
    S->tls.ca_file = S->kc.ca_file;
    S->tls.ca_pem = S->kc.ca_pem;
    S->tls.cert_file = S->kc.cert_file;
    S->tls.cert_pem = S->kc.cert_pem;
    S->tls.key_file = S->kc.key_file;
    S->tls.key_pem = S->kc.key_pem;
    S->tls.insecure = S->kc.insecure;
    S->ns = kr_strdup(S->kc.ns && *S->kc.ns ? S->kc.ns : "default");
    S->gpu_res = kr_strdup("nvidia.com/gpu");
    S->so.ttl_s = 3600;
    S->pending_timeout = 300;
    S->poll_min = KR_K8S_POLL_MIN;
    S->poll_max = opts->poll_interval > 0 ? opts->poll_interval : KR_K8S_POLL_DEFAULT;
    for (i = 0; i < opts->nbackend_args; i++) {
        rc = backend_arg(S, opts->backend_args[i], err);
        if (rc)
            goto fail;
    }
    if (S->poll_min > S->poll_max)
        S->poll_min = S->poll_max;
    S->interval = S->poll_min;
    S->ns_esc = esc(S->ns);
    /* the workflow label: this working directory's state directory */
    for (const char *p = opts->state_dir; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ull;
    }
    snprintf(S->wf, sizeof S->wf, "%016llx", (unsigned long long)h);
    snprintf(S->run, sizeof S->run, "%lx%05lx", (unsigned long)time(NULL),
             (unsigned long)getpid() & 0xfffffUL);
    S->so.ns = S->ns;
    S->so.workflow = S->wf;
    S->so.run = S->run;
    S->so.gpu_resource = S->gpu_res;
    S->so.service_account = S->sa;
    S->so.node_selector = S->sel;
    S->so.tolerations = S->tol;
    if (!S->env_secret)
        S->env_secret = kr_strdup("krait-env");
    S->so.env_names = (const char *const *)S->env_names.items;
    S->so.nenv_names = (uint32_t)S->env_names.len;
    S->so.env_secret = S->env_secret;
    if (S->pvc_mount) {
        /* the pods see the claim at the mount path, krait's directory must be on it */
        size_t ml = strlen(S->pvc_mount);
        if (strcmp(S->pvc_mount, "/") != 0 &&
            (strncmp(opts->state_dir, S->pvc_mount, ml) != 0 || opts->state_dir[ml] != '/')) {
            rc = kr_error_set(err, KR_EUSAGE, "--k8s-pvc %s:%s: the workflow directory (%s) is "
                              "not under %s: run krait where the claim is mounted at that "
                              "path, so that its jobs find the same paths", S->pvc_name,
                              S->pvc_mount, opts->state_dir, S->pvc_mount);
            goto fail;
        }
        S->so.pvc_name = S->pvc_name;
        S->so.pvc_mount = S->pvc_mount;
    }
    stats = getenv("KRAIT_K8S_STATS");
    if (stats && *stats)
        S->stats_path = kr_strdup(stats);
    rc = kr_http_pool_new(&S->pool, err);
    if (rc)
        goto fail;
    if (S->verbose)
        fprintf(stderr, "krait: kubernetes: %s (context %s from %s), namespace %s, "
                "workflow label %s, run %s\n", S->base, S->kc.context ? S->kc.context : "?",
                S->kc.source ? S->kc.source : "?", S->ns, S->wf, S->run);
    *self = S;
    return KR_OK;
fail:
    kr_error_prefix(err, "kubernetes executor");
    k8s_free(S);
    return rc;
}

/* ---- submitting ------------------------------------------------------------------ */

/*
 * The list of this workflow's Jobs, parsed (NULL on failure, err set). With
 * `mine`, and when this krait follows at most KR_K8S_SELECT_MAX jobs, only
 * those (their run and job id labels), so the answer grows with the jobs in
 * flight, not with every finished Job the TTL keeps: still one request.
 */
static json_t *list_jobs(struct k8s *S, bool mine, struct kr_error *err)
{
    struct call c;
    struct kr_buf sel = KR_BUF_INIT;
    char *q;
    json_t *j;
    char msg[300];
    uint32_t i, k, nl = 0;

    memset(&c, 0, sizeof c);
    kr_buf_printf(&sel, "krait.io/workflow=%s", S->wf);
    for (i = 0; i < S->njobs; i++)
        nl += !S->jobs[i].finished;
    if (mine && nl > 0 && nl <= KR_K8S_SELECT_MAX) {
        kr_buf_puts(&sel, ",krait.io/run in (");
        for (i = 0, nl = 0; i < S->njobs; i++) {
            for (k = 0; k < i && strcmp(S->jobs[k].run, S->jobs[i].run); k++)
                ;
            if (k == i && !S->jobs[i].finished)
                kr_buf_printf(&sel, "%s%s", nl++ ? "," : "", S->jobs[i].run);
        }
        kr_buf_puts(&sel, "),krait.io/job in (");
        for (i = 0, nl = 0; i < S->njobs; i++)
            if (!S->jobs[i].finished)
                kr_buf_printf(&sel, "%s%u", nl++ ? "," : "", S->jobs[i].id);
        kr_buf_puts(&sel, ")");
    }
    q = esc(kr_buf_cstr(&sel));
    kr_buf_free(&sel);
    c.method = "GET";
    c.path = kr_asprintf("/apis/batch/v1/namespaces/%s/jobs?labelSelector=%s", S->ns_esc, q);
    kr_free(q);
    S->n.list_jobs++;
    if (api1(S, &c, err) != KR_OK) {
        call_free(&c);
        return NULL;
    }
    j = call_json(&c);
    if (!j || !json_is_array(json_object_get(j, "items"))) {
        call_msg(&c, msg, sizeof msg);
        kr_error_set(err, KR_EEXEC, "listing Jobs in namespace %s at %s failed: %s", S->ns,
                     S->base, msg);
        json_decref(j);
        j = NULL;
    }
    call_free(&c);
    return j;
}

/* Once per krait: the Jobs of this workflow still running that this krait
 * does not follow (candidates for adoption). */
static int scan_orphans(struct k8s *S, struct kr_error *err)
{
    json_t *l = list_jobs(S, false, err), *it;
    size_t i;
    if (!l)
        return KR_EEXEC;
    S->scanned = true;
    json_array_foreach(json_object_get(l, "items"), i, it) {
        struct kr_k8s_jobstat st;
        if (kr_k8s_parse_job(it, &st) != KR_OK || st.done || st.deleting || !st.key[0] ||
            find_name(S, st.name) || strlen(st.name) >= 64)
            continue;
        S->orphans = kr_realloc(S->orphans, (S->norphans + 1) * sizeof *S->orphans);
        snprintf(S->orphans[S->norphans].name, 64, "%s", st.name);
        snprintf(S->orphans[S->norphans].key, 17, "%s", st.key);
        S->orphans[S->norphans].taken = false;
        S->norphans++;
    }
    json_decref(l);
    if (S->verbose && S->norphans)
        fprintf(stderr, "krait: kubernetes: %u running Job(s) of an earlier krait not "
                "journaled; adopted when the same job is submitted\n", S->norphans);
    return KR_OK;
}

static int k8s_submit_many(void *self, const struct kr_exec_job *const *jobs, uint32_t n,
                           char (*ext_ids)[64], struct kr_error *err)
{
    struct k8s *S = self;
    struct call *calls = kr_calloc(n ? n : 1, sizeof *calls);
    uint32_t *which = kr_calloc(n ? n : 1, sizeof *which), nc = 0, i, k;
    char msg[300];
    int rc = KR_OK;

    for (i = 0; i < n; i++)
        ext_ids[i][0] = '\0';
    if (!S->scanned && (rc = scan_orphans(S, err)) != KR_OK)
        goto out;
    for (i = 0; i < n; i++) {
        const struct kr_exec_job *job = jobs[i];
        char key[17], name[64];
        char *body = NULL;
        kr_k8s_job_key(job, key);
        for (k = 0; k < S->norphans; k++) {
            if (!S->orphans[k].taken && !strcmp(S->orphans[k].key, key))
                break;
        }
        if (k < S->norphans) {
            struct kjob *t;
            S->orphans[k].taken = true;
            t = track(S, job, S->orphans[k].name);
            t->adopted = true;
            /* journaled with the mark: a krait that re-attaches it after this
             * one dies must not trust its outputs either (this run removed
             * the partial ones while the Job was writing them) */
            snprintf(ext_ids[i], 64, "%c%.62s", ADOPTED_MARK, S->orphans[k].name);
            S->n.adopted++;
            if (S->verbose)
                fprintf(stderr, "krait: kubernetes: %s: adopted running Job %s (created by "
                        "a krait that was stopped before journaling it)\n", job->name,
                        S->orphans[k].name);
            continue;
        }
        kr_k8s_job_name(S->run, job->id, job->attempt, name, sizeof name);
        rc = kr_k8s_job_json(&S->so, job, name, key, &body, err);
        if (rc == KR_OK && job->log_path)
            rc = kr_mkdirs_parent(job->log_path, err);
        if (rc) {
            kr_free(body);
            goto send;  /* submit what came before, then report the error */
        }
        calls[nc].method = "POST";
        calls[nc].path = jobs_path(S, NULL);
        calls[nc].body = body;
        which[nc++] = i;
    }
send:
    if (nc > 0) {
        struct kr_error e2;
        kr_error_clear(&e2);
        if (api_run(S, calls, nc, &e2) != KR_OK) {
            if (rc == KR_OK)
                rc = kr_error_set(err, e2.code, "%s", e2.msg);
            goto out;
        }
        for (k = 0; k < nc; k++) {
            const struct kr_exec_job *job = jobs[which[k]];
            char name[64];
            long st = calls[k].resp.status;
            kr_k8s_job_name(S->run, job->id, job->attempt, name, sizeof name);
            /* 409: an earlier attempt of this very request got through */
            if (st == 201 || st == 200 || st == 202 || st == 409) {
                track(S, job, name);
                snprintf(ext_ids[which[k]], 64, "%s", name);
                S->n.submitted++;
                if (S->verbose)
                    fprintf(stderr, "krait: kubernetes: created Job %s for %s\n", name,
                            job->name);
                continue;
            }
            if (rc == KR_OK) {
                call_msg(&calls[k], msg, sizeof msg);
                rc = kr_error_set(err, KR_EEXEC, "creating the Kubernetes Job for %s failed: "
                                  "%s", job->name, msg);
            }
        }
    }
    /* a query soon: the new Jobs' first news */
    if (S->next_query > kr_now() + S->poll_min || S->next_query == 0)
        S->next_query = kr_now() + S->poll_min;
    S->interval = S->poll_min;
out:
    for (k = 0; k < n; k++)
        call_free(&calls[k]);
    kr_free(calls);
    kr_free(which);
    return rc;
}

static int k8s_submit(void *self, const struct kr_exec_job *job, char *ext_id, size_t ext_id_len,
                      struct kr_error *err)
{
    char ids[1][64];
    const struct kr_exec_job *one[1] = {job};
    int rc = k8s_submit_many(self, one, 1, ids, err);
    snprintf(ext_id, ext_id_len, "%s", ids[0]);
    return rc;
}

/* ---- status ------------------------------------------------------------------------- */

/* The last bytes of a local file (the job's log on shared storage), or NULL. */
static char *file_tail(const char *path, size_t max)
{
    struct stat sb;
    char *buf;
    ssize_t r;
    int fd;
    if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return NULL;
    if (fstat(fd, &sb) != 0 || sb.st_size <= 0) {
        close(fd);
        return NULL;
    }
    if ((size_t)sb.st_size > max)
        lseek(fd, sb.st_size - (off_t)max, SEEK_SET);
    buf = kr_malloc(max + 1);
    r = read(fd, buf, max);
    close(fd);
    buf[r > 0 ? r : 0] = '\0';
    return buf;
}

/* The name of the (last) pod of Job j (one list; owned), or NULL. With
 * pod_out, the pod itself is parsed into it (*have set). */
static char *job_pod(struct k8s *S, const struct kjob *j, struct kr_k8s_podstat *pod_out,
                     bool *have)
{
    struct call c;
    json_t *l, *pod = NULL;
    char *sel = kr_asprintf("job-name=%s", j->name), *q = esc(sel), *name = NULL;
    size_t i, nitems;
    memset(&c, 0, sizeof c);
    c.method = "GET";
    c.path = kr_asprintf("/api/v1/namespaces/%s/pods?labelSelector=%s", S->ns_esc, q);
    kr_free(sel);
    kr_free(q);
    S->n.list_pods++;
    if (api1(S, &c, NULL) == KR_OK && (l = call_json(&c))) {
        /* the pod that ran (with backoffLimit 0 there is one; take the last) */
        nitems = json_array_size(json_object_get(l, "items"));
        for (i = 0; i < nitems; i++)
            pod = json_array_get(json_object_get(l, "items"), i);
        if (pod) {
            const char *nm = json_string_value(json_object_get(json_object_get(pod, "metadata"),
                                                               "name"));
            if (pod_out) {
                kr_k8s_parse_pod(pod, pod_out);
                *have = true;
            }
            name = nm ? kr_strdup(nm) : NULL;
        }
        json_decref(l);
    }
    call_free(&c);
    return name;
}

/* An isolated job ended: its pod's whole log (one read, at most
 * KR_K8S_LOG_MAX bytes) becomes its log file and benchmark record
 * (kr_exec_land_output). A log that cannot be read or written is said on
 * stderr; the job's outcome stands. */
static void land(struct k8s *S, const struct kjob *j, const char *pod)
{
    struct call c;
    struct kr_error e;
    char *owned = NULL;
    if (!pod && !(pod = owned = job_pod(S, j, NULL, NULL))) {
        fprintf(stderr, "krait: kubernetes: Job %s has no pod left: its log is lost\n", j->name);
        return;
    }
    memset(&c, 0, sizeof c);
    c.method = "GET";
    c.path = kr_asprintf("/api/v1/namespaces/%s/pods/%s/log?container=job&limitBytes=%ld",
                         S->ns_esc, pod, (long)KR_K8S_LOG_MAX);
    S->n.get_log++;
    kr_error_clear(&e);
    if (api1(S, &c, &e) != KR_OK || c.resp.status != 200)
        fprintf(stderr, "krait: kubernetes: cannot read the log of pod %s (HTTP %ld)%s%s\n", pod,
                c.resp.status, e.msg[0] ? ": " : "", e.msg);
    else if (kr_exec_land_output(c.resp.body.data ? c.resp.body.data : "", c.resp.body.len,
                                 j->log, j->bench, &e) != KR_OK)
        fprintf(stderr, "krait: kubernetes: job %s: %s\n", j->name, e.msg);
    call_free(&c);
    kr_free(owned);
}

/* Why job j failed: its pod (one list) and the tail of its log (one read). */
static void failed(struct k8s *S, struct kjob *j, const struct kr_k8s_jobstat *st)
{
    struct call c;
    struct kr_k8s_podstat ps;
    struct kr_exec_result r;
    char *podname, *tail = NULL;
    bool have_pod = false;

    memset(&c, 0, sizeof c);
    memset(&r, 0, sizeof r);
    podname = job_pod(S, j, &ps, &have_pod);
    if (podname && j->isolated) {
        /* its whole log comes back to its log file; the tail is read there */
        land(S, j, podname);
    } else if (podname) {
        c.method = "GET";
        c.path = kr_asprintf("/api/v1/namespaces/%s/pods/%s/log?container=job&tailLines=%d",
                             S->ns_esc, podname, KR_K8S_TAIL_LINES);
        S->n.get_log++;
        if (api1(S, &c, NULL) == KR_OK && c.resp.status == 200 && c.resp.body.len) {
            kr_buf_append(&c.resp.body, "", 0);
            tail = kr_strdup(c.resp.body.data);
        }
    }
    if (!tail)
        tail = file_tail(j->log, 2048);
    r.id = j->id;
    kr_k8s_fill_result(st, have_pod ? &ps : NULL, j->name, tail, &r);
    if (j->cancelled && r.state == KR_EXEC_FAILED)
        r.state = KR_EXEC_CANCELLED;
    push_result(S, &r);
    j->finished = true;
    kr_free(tail);
    kr_free(podname);
    call_free(&c);
}

/* Delete Jobs by name (Background propagation); 404 counts as done. Returns
 * the number of refusals, with the first one's message in err. */
static uint32_t delete_jobs(struct k8s *S, const char *const *names, uint32_t n,
                            struct kr_error *err)
{
    struct call *c = kr_calloc(n ? n : 1, sizeof *c);
    uint32_t i, bad = 0;
    char msg[300];
    for (i = 0; i < n; i++) {
        char *e = esc(names[i]);
        c[i].method = "DELETE";
        c[i].path = kr_asprintf("/apis/batch/v1/namespaces/%s/jobs/%s", S->ns_esc, e);
        c[i].body = kr_strdup("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\","
                              "\"propagationPolicy\":\"Background\"}");
        kr_free(e);
    }
    if (api_run(S, c, n, err) != KR_OK) {
        bad = n;
    } else {
        for (i = 0; i < n; i++) {
            long st = c[i].resp.status;
            if (st == 200 || st == 202 || st == 404)
                continue;
            if (bad++ == 0) {
                call_msg(&c[i], msg, sizeof msg);
                kr_error_set(err, KR_EEXEC, "deleting Kubernetes Job %s failed: %s", names[i],
                             msg);
            }
        }
    }
    for (i = 0; i < n; i++)
        call_free(&c[i]);
    kr_free(c);
    return bad;
}

/* Pending pods of this workflow: fail jobs that cannot start for longer
 * than the pending timeout, with the scheduler's or kubelet's message. */
static void check_pending(struct k8s *S)
{
    struct call c;
    json_t *l, *it;
    char *sel, *q;
    size_t i;
    double now = kr_now();
    uint32_t k;
    struct kr_vec doomed = KR_VEC_INIT;

    memset(&c, 0, sizeof c);
    S->next_pod_check = now + (S->interval > KR_K8S_PENDING_CHECK ? S->interval
                                                                  : KR_K8S_PENDING_CHECK);
    sel = kr_asprintf("krait.io/workflow=%s", S->wf);
    q = esc(sel);
    c.method = "GET";
    c.path = kr_asprintf("/api/v1/namespaces/%s/pods?labelSelector=%s&fieldSelector=%s",
                         S->ns_esc, q, "status.phase%3DPending");
    kr_free(sel);
    kr_free(q);
    S->n.list_pods++;
    if (api1(S, &c, NULL) != KR_OK || !(l = call_json(&c))) {
        call_free(&c);
        return;
    }
    for (k = 0; k < S->njobs; k++)
        S->jobs[k].pending_now = false;
    json_array_foreach(json_object_get(l, "items"), i, it) {
        struct kr_k8s_podstat ps;
        struct kjob *j;
        const char *why;
        kr_k8s_parse_pod(it, &ps);
        if (!ps.job || !(j = find_name(S, ps.job)) || j->cancelled)
            continue;
        if (ps.unschedulable)
            why = ps.sched_msg[0] ? ps.sched_msg : "no node can run the pod";
        else if (!strcmp(ps.waiting, "ImagePullBackOff") || !strcmp(ps.waiting, "ErrImagePull") ||
                 !strcmp(ps.waiting, "InvalidImageName") ||
                 !strcmp(ps.waiting, "CreateContainerConfigError"))
            why = ps.waiting_msg[0] ? ps.waiting_msg : ps.waiting;
        else
            continue;
        j->pending_now = true;
        if (j->pend_since == 0)
            j->pend_since = now;
        if (now - j->pend_since >= S->pending_timeout) {
            report(S, j, KR_EXEC_FAILED, -1, "%s: %.150s (pending %.0f s; Kubernetes job %.50s)",
                   ps.unschedulable ? "Unschedulable" : ps.waiting, why, now - j->pend_since,
                   j->name);
            kr_vec_push(&doomed, j->name);
        }
    }
    for (k = 0; k < S->njobs; k++)
        if (!S->jobs[k].pending_now)
            S->jobs[k].pend_since = 0;     /* it started, or waits for another reason */
    if (doomed.len) {
        struct kr_error e;
        kr_error_clear(&e);
        if (delete_jobs(S, (const char *const *)doomed.items, (uint32_t)doomed.len, &e) &&
            S->verbose)
            fprintf(stderr, "krait: kubernetes: %s\n", e.msg);
    }
    kr_vec_free(&doomed);
    json_decref(l);
    call_free(&c);
}

/*
 * One status query for all jobs: the list of this workflow's Jobs. Finished
 * jobs move to S->done. KR_OK (a failed list is retried next interval), or
 * KR_EEXEC after KR_K8S_QUERY_FAILS failures in a row (every job LOST).
 */
static int query(struct k8s *S, struct kr_error *err)
{
    struct kr_error e;
    json_t *l, *it;
    size_t i;
    uint32_t k, nfinished = 0;
    double now = kr_now();
    int rc = KR_OK;
    bool waiting = false;

    S->n.queries++;
    kr_error_clear(&e);
    l = list_jobs(S, true, &e);
    if (!l) {
        if (++S->fails >= KR_K8S_QUERY_FAILS) {
            for (k = 0; k < S->njobs; k++)
                if (!S->jobs[k].finished)
                    report(S, &S->jobs[k], KR_EXEC_LOST, -1, "LOST: the Kubernetes API server "
                           "did not answer status queries (Job %.60s)", S->jobs[k].name);
            rc = kr_error_set(err, KR_EEXEC, "%d status queries in a row failed: %s", S->fails,
                              e.msg);
            goto out;
        }
        if (S->verbose)
            fprintf(stderr, "krait: kubernetes: %s (will retry)\n", e.msg);
        S->interval = S->interval * KR_K8S_GROWTH > S->poll_max ? S->poll_max
                                                                : S->interval * KR_K8S_GROWTH;
        goto out;
    }
    S->fails = 0;
    for (k = 0; k < S->njobs; k++)
        S->jobs[k].absent++;
    json_array_foreach(json_object_get(l, "items"), i, it) {
        struct kr_k8s_jobstat st;
        struct kjob *j;
        if (kr_k8s_parse_job(it, &st) != KR_OK || !(j = find_name(S, st.name)))
            continue;
        j->absent = 0;
        if (st.done && j->adopted) {
            /* its outputs cannot be trusted: this krait removed the partial
             * ones of the interrupted attempt while the Job was writing them */
            report(S, j, KR_EXEC_NODE_FAIL, -1, "Kubernetes job %.60s, left running by a "
                   "krait killed before journaling it, has ended; its outputs are not "
                   "trusted, running the job again", j->name);
            nfinished++;
        } else if (st.done == 1) {
            struct kr_exec_result r;
            memset(&r, 0, sizeof r);
            r.id = j->id;
            if (j->isolated)
                land(S, j, NULL);
            kr_k8s_fill_result(&st, NULL, j->name, NULL, &r);
            push_result(S, &r);
            j->finished = true;
            nfinished++;
        } else if (st.done == 2) {
            failed(S, j, &st);
            nfinished++;
        } else if (st.deleting && j->cancelled) {
            report(S, j, KR_EXEC_CANCELLED, -1, "cancelled (Kubernetes job %.60s deleted)",
                   j->name);
            nfinished++;
        } else if (now - j->since >= KR_K8S_PENDING_CHECK) {
            waiting = true;
        }
    }
    for (k = 0; k < S->njobs; k++) {
        struct kjob *j = &S->jobs[k];
        if (j->finished || j->absent == 0)
            continue;
        if (j->cancelled) {
            report(S, j, KR_EXEC_CANCELLED, -1, "cancelled (Kubernetes job %.60s deleted)",
                   j->name);
            nfinished++;
        } else if (j->absent >= 2) {
            report(S, j, KR_EXEC_LOST, -1, "LOST: Kubernetes job %.60s was deleted outside "
                   "krait (log: %.100s)", j->name, j->log ? j->log : "none");
            nfinished++;
        }
    }
    if (waiting && now >= S->next_pod_check)
        check_pending(S);
    json_decref(l);
    if (nfinished)
        S->interval = S->poll_min;
    else
        S->interval = S->interval * KR_K8S_GROWTH > S->poll_max ? S->poll_max
                                                                : S->interval * KR_K8S_GROWTH;
    /* while a pending timeout runs, look often enough to honour it */
    if (waiting && S->interval > S->pending_timeout / 2)
        S->interval = S->pending_timeout / 2 > S->poll_min ? S->pending_timeout / 2 : S->poll_min;
out:
    S->next_query = kr_now() + S->interval;
    compact(S);
    return rc;
}

/* query() for the shared poll loop. */
static int query_cb(void *self, struct kr_error *err)
{
    return query(self, err);
}

static int k8s_poll(void *self, struct kr_exec_result *results, uint32_t max, uint32_t *n,
                    double timeout, struct kr_error *err)
{
    struct k8s *S = self;
    const struct kr_exec_pollsrc src = {S, query_cb, &S->done, &S->ndone, &S->njobs,
                                        &S->next_query};
    return kr_exec_remote_poll(&src, results, max, n, timeout, err);
}

/* ---- cancel, attach, shutdown -------------------------------------------------------- */

static int k8s_cancel(void *self, const uint32_t *ids, uint32_t n, struct kr_error *err)
{
    struct k8s *S = self;
    struct kr_vec names = KR_VEC_INIT, runs = KR_VEC_INIT;
    uint32_t i, k, bad = 0;
    int rc = KR_OK;

    for (i = 0; i < S->njobs; i++) {
        struct kjob *j = &S->jobs[i];
        bool hit = n == 0;
        for (k = 0; k < n && !hit; k++)
            hit = ids[k] == j->id;
        if (!hit || j->cancelled || j->finished)
            continue;
        j->cancelled = true;
        kr_vec_push(&names, j->name);
        for (k = 0; k < runs.len && strcmp(runs.items[k], j->run); k++)
            ;
        if (k == runs.len && j->run[0])
            kr_vec_push(&runs, j->run);
    }
    if (names.len == 0)
        goto out;
    if (n == 0 && names.len > 1 && runs.len > 0) {
        /* everything: one DELETE of the collection of this workflow's runs */
        struct call c;
        struct kr_buf sel = KR_BUF_INIT;
        char *q, msg[300];
        memset(&c, 0, sizeof c);
        kr_buf_printf(&sel, "krait.io/workflow=%s,krait.io/run in (", S->wf);
        for (k = 0; k < runs.len; k++)
            kr_buf_printf(&sel, "%s%s", k ? "," : "", (const char *)runs.items[k]);
        kr_buf_puts(&sel, ")");
        q = esc(kr_buf_cstr(&sel));
        c.method = "DELETE";
        c.path = kr_asprintf("/apis/batch/v1/namespaces/%s/jobs?labelSelector=%s", S->ns_esc,
                             q);
        c.body = kr_strdup("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\","
                           "\"propagationPolicy\":\"Background\"}");
        kr_free(q);
        kr_buf_free(&sel);
        rc = api1(S, &c, err);
        if (rc == KR_OK && c.resp.status != 200 && c.resp.status != 202) {
            call_msg(&c, msg, sizeof msg);
            rc = kr_error_set(err, KR_EEXEC, "deleting this run's Kubernetes Jobs failed: %s",
                              msg);
        }
        call_free(&c);
        if (S->verbose)
            fprintf(stderr, "krait: kubernetes: deleted the %zu Job(s) of this run in one "
                    "request\n", names.len);
    } else {
        bad = delete_jobs(S, (const char *const *)names.items, (uint32_t)names.len, err);
        if (bad)
            rc = KR_EEXEC;
    }
    S->interval = S->poll_min;
    if (S->next_query > kr_now() + S->poll_min)
        S->next_query = kr_now() + S->poll_min;
out:
    kr_vec_free(&names);
    kr_vec_free(&runs);
    return rc;
}

/* A journaled external id: the Job name, after the mark of an adopted Job. */
static const char *ext_name(const char *ext_id, bool *adopted)
{
    bool a = ext_id[0] == ADOPTED_MARK;
    if (adopted)
        *adopted = a;
    return a ? ext_id + 1 : ext_id;
}

static int k8s_cancel_ext(void *self, const char *const *ext_ids, uint32_t n,
                          struct kr_error *err)
{
    struct k8s *S = self;
    const char **names = kr_calloc(n ? n : 1, sizeof *names);
    uint32_t i;
    int rc = KR_OK;
    for (i = 0; i < n && rc == KR_OK; i++) {
        names[i] = ext_name(ext_ids[i], NULL);
        if (!kr_k8s_name_ok(names[i]))
            rc = kr_error_set(err, KR_EUSAGE, "'%s' is not a Kubernetes Job krait made",
                              ext_ids[i]);
    }
    if (rc == KR_OK && n > 0)
        rc = delete_jobs(S, names, n, err) ? KR_EEXEC : KR_OK;
    kr_free(names);
    return rc;
}

static int k8s_attach(void *self, const struct kr_exec_job *job, const char *ext_id,
                      struct kr_error *err)
{
    struct k8s *S = self;
    bool adopted;
    const char *name = ext_name(ext_id, &adopted);
    if (!kr_k8s_name_ok(name))
        return kr_error_set(err, KR_EUSAGE, "'%s' is not a Kubernetes Job krait made (job %s)",
                            ext_id, job->name ? job->name : "?");
    track(S, job, name)->adopted = adopted;
    S->interval = S->poll_min;
    S->next_query = 0;      /* ask at the next poll */
    return KR_OK;
}

static void write_stats(const struct k8s *S, FILE *f)
{
    fprintf(f, "requests %ld\nget %ld\npost %ld\ndelete %ld\nlist_jobs %ld\nlist_pods %ld\n"
            "get_log %ld\nretries %ld\nstatus_queries %ld\njobs_submitted %ld\njobs_adopted "
            "%ld\npoll_interval_s %.3f\n",
            S->n.get + S->n.post + S->n.del, S->n.get, S->n.post, S->n.del, S->n.list_jobs,
            S->n.list_pods, S->n.get_log, S->n.retries, S->n.queries, S->n.submitted,
            S->n.adopted, S->poll_max);
}

static void k8s_shutdown(void *self)
{
    struct k8s *S = self;
    if (!S)
        return;
    if (S->stats_path) {
        FILE *f = fopen(S->stats_path, "w");
        if (f) {
            write_stats(S, f);
            fclose(f);
        } else {
            fprintf(stderr, "krait: kubernetes: cannot write statistics to %s: %s\n",
                    S->stats_path, strerror(errno));
        }
    }
    if (S->norphans) {
        struct kr_vec names = KR_VEC_INIT;
        struct kr_error e;
        uint32_t i;
        for (i = 0; i < S->norphans; i++)
            if (!S->orphans[i].taken)
                kr_vec_push(&names, S->orphans[i].name);
        kr_error_clear(&e);
        if (names.len && delete_jobs(S, (const char *const *)names.items, (uint32_t)names.len,
                                     &e))
            fprintf(stderr, "krait: kubernetes: warning: %s\n", e.msg);
        else if (names.len && S->verbose)
            fprintf(stderr, "krait: kubernetes: deleted %zu unjournaled Job(s) of an earlier "
                    "krait that no job of this run matched\n", names.len);
        kr_vec_free(&names);
    }
    if (S->verbose)
        fprintf(stderr, "krait: kubernetes: %ld requests: %ld POST, %ld DELETE, %ld GET "
                "(%ld status lists of Jobs, %ld pod lists, %ld log reads), %ld retried\n",
                S->n.get + S->n.post + S->n.del, S->n.post, S->n.del, S->n.get,
                S->n.list_jobs, S->n.list_pods, S->n.get_log, S->n.retries);
    k8s_free(S);
}

const struct kr_executor kr_executor_kubernetes = {
    .name = "kubernetes",
    /* ARRAYS: submit_many creates a rule's ready Jobs in parallel (one Job
     * each; Indexed Jobs are not used yet) */
    .caps = KR_EXEC_CAP_REMOTE | KR_EXEC_CAP_ATTACH | KR_EXEC_CAP_DETACH |
            KR_EXEC_CAP_CONTAINERS | KR_EXEC_CAP_ARRAYS,
    .init = k8s_init,
    .submit = k8s_submit,
    .submit_many = k8s_submit_many,
    .poll = k8s_poll,
    .cancel = k8s_cancel,
    .attach = k8s_attach,
    .shutdown = k8s_shutdown,
    .cancel_ext = k8s_cancel_ext,
};
