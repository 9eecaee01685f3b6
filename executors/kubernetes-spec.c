/*
 * kubernetes-spec.c - the Kubernetes executor's pure half: a kr_exec_job as
 * a batch/v1 Job object (JSON built with jansson), and Job / Pod status
 * objects read back into krait's results. No network, no globals; see
 * kubernetes.h for the contracts.
 *
 * The Job: backoffLimit 0 (krait retries, with `attempt`), restartPolicy
 * Never, activeDeadlineSeconds from runtime, ttlSecondsAfterFinished, labels
 * krait.io/workflow|run|rule|job|key on the Job and its pod template, and
 * one container named "job" running `bash -c SCRIPT krait-job`. The script
 * is built like the SLURM task script: every job-provided string is one
 * single-quoted word. No credential is ever put into the object: the API
 * token stays in the executor's memory.
 */
#include "kubernetes.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- names and labels ------------------------------------------------------ */

void kr_k8s_job_name(const char *run, uint32_t id, int attempt, char *buf, size_t n)
{
    snprintf(buf, n, "kr-%.24s-%u-%d", run, id, attempt);
}

bool kr_k8s_name_ok(const char *s)
{
    size_t i, n = strlen(s);
    if (n < 4 || n > 63 || strncmp(s, "kr-", 3) != 0)
        return false;
    for (i = 0; i < n; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
            return false;
    return isalnum((unsigned char)s[n - 1]) != 0;
}

void kr_k8s_label_value(const char *s, char *buf, size_t n)
{
    size_t k = 0, cap = n - 1 < 63 ? n - 1 : 63;
    for (; s && *s && k < cap; s++) {
        unsigned char c = (unsigned char)*s;
        buf[k++] = (isalnum(c) || c == '.' || c == '-' || c == '_') ? (char)c : '_';
    }
    while (k > 0 && !isalnum((unsigned char)buf[k - 1]))
        k--;
    buf[k] = '\0';
    while (buf[0] && !isalnum((unsigned char)buf[0]))
        memmove(buf, buf + 1, strlen(buf));
    if (!buf[0])
        snprintf(buf, n, "x");
}

/* FNV-1a, 64 bits, over a string and a separator. */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    h ^= 0x1f;
    h *= 1099511628211ull;
    return h;
}

void kr_k8s_job_key(const struct kr_exec_job *job, char out[17])
{
    uint64_t h = 14695981039346656037ull;
    uint32_t i;
    h = fnv(h, job->workdir);
    h = fnv(h, job->command);
    for (i = 0; i < job->noutputs; i++)
        h = fnv(h, job->outputs[i]);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* ---- the job script ---------------------------------------------------------- */

/*
 * Variables the runner sets for local processes that make no sense in a pod:
 * KRAIT_ATTEMPT marks a job's processes for kr_run_recover's /proc scan (on the
 * test cluster pods run on this host, and a restarted krait would kill a Job it
 * is about to adopt); CUDA_VISIBLE_DEVICES names this host's GPUs (the node's
 * device plugin sets it in a pod).
 */
static bool local_only_env(const char *name)
{
    return !strcmp(name, "KRAIT_ATTEMPT") || !strcmp(name, "CUDA_VISIBLE_DEVICES");
}

/* The script of `bash -c`: output to the pod log and (tee) the job's log;
 * an isolated job (presigned staging) touches no path of krait's: no cd,
 * no tee, the benchmark record goes to the pod log (kubernetes.c lands
 * both). The environment is in the container's env, not here. */
static int job_script(const struct kr_exec_job *job, struct kr_buf *b, struct kr_error *err)
{
    uint32_t i;
    for (i = 0; i < job->nenv; i++)
        if (!kr_is_shell_name(job->env[i].name))
            return kr_error_set(err, KR_EUSAGE, "job %s: environment variable name '%s' "
                                "is not an identifier", job->name,
                                job->env[i].name ? job->env[i].name : "");
    kr_buf_printf(b, "# krait job %u, attempt %d\nset -o pipefail\n", job->id, job->attempt);
    if (job->workdir && !job->isolated) {
        kr_buf_puts(b, "cd -- ");
        kr_buf_put_squoted(b, job->workdir);
        kr_buf_puts(b, " || exit 1\n");
    }
    kr_buf_puts(b, "{\n");
    if (!job->benchmark_path) {
        kr_buf_puts(b, "bash -euo pipefail -c ");
        kr_buf_put_squoted(b, job->command);
        kr_buf_putc(b, '\n');
    } else {
        kr_exec_put_timed(b, job->command, job->isolated ? NULL : job->benchmark_path,
                          job->bench_repeat);
        kr_buf_puts(b, "(exit $rc)\n");
    }
    kr_buf_puts(b, "} 2>&1");
    if (job->log_path && !job->isolated) {
        kr_buf_puts(b, " | tee -- ");
        kr_buf_put_squoted(b, job->log_path);
    }
    kr_buf_putc(b, '\n');
    return KR_OK;
}

/* ---- the Job object ------------------------------------------------------------- */

static const struct kr_resource_kv *find_res(const struct kr_exec_job *job, const char *name)
{
    uint32_t i;
    for (i = 0; i < job->nres; i++)
        if (job->res[i].name && !strcmp(job->res[i].name, name))
            return &job->res[i];
    return NULL;
}

/* A string resource, else the default. */
static const char *res_str(const struct kr_exec_job *job, const char *name, const char *def)
{
    const struct kr_resource_kv *kv = find_res(job, name);
    return kv && kv->sval && *kv->sval ? kv->sval : def;
}

/* Characters allowed in selector keys/values and toleration parts. */
static bool word_ok(const char *s, size_t n)
{
    size_t i;
    if (n == 0 || n > 253)
        return false;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && !strchr("._-/", c))
            return false;
    }
    return true;
}

/* "k=v,k2=v2" -> {"k":"v",...} */
static int node_selector(const char *spec, json_t **out, const char *job, struct kr_error *err)
{
    json_t *o = json_object();
    const char *p = spec;
    while (*p) {
        size_t n = strcspn(p, ","), kl;
        const char *eq = memchr(p, '=', n);
        char *k, *v;
        if (!eq || !word_ok(p, kl = (size_t)(eq - p)) || !word_ok(eq + 1, n - kl - 1)) {
            json_decref(o);
            return kr_error_set(err, KR_EUSAGE, "job %s: node selector '%s': expected "
                                "KEY=VALUE[,KEY=VALUE...]", job, spec);
        }
        k = kr_strndup(p, kl);
        v = kr_strndup(eq + 1, n - kl - 1);
        json_object_set_new(o, k, json_string(v));
        kr_free(k);
        kr_free(v);
        p += n;
        if (*p == ',')
            p++;
    }
    *out = o;
    return KR_OK;
}

/* "key[=value]:Effect,..." -> [{key, operator, value, effect}] */
static int tolerations(const char *spec, json_t **out, const char *job, struct kr_error *err)
{
    json_t *a = json_array();
    const char *p = spec;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *colon = memchr(p, ':', n), *eq;
        json_t *t;
        char *key, *eff;
        size_t kl;
        if (!colon)
            goto bad;
        eq = memchr(p, '=', (size_t)(colon - p));
        kl = (size_t)((eq ? eq : colon) - p);
        if (!word_ok(p, kl) || (eq && !word_ok(eq + 1, (size_t)(colon - eq - 1))))
            goto bad;
        eff = kr_strndup(colon + 1, n - (size_t)(colon - p) - 1);
        if (strcmp(eff, "NoSchedule") && strcmp(eff, "PreferNoSchedule") &&
            strcmp(eff, "NoExecute")) {
            kr_free(eff);
            goto bad;
        }
        key = kr_strndup(p, kl);
        t = json_object();
        json_object_set_new(t, "key", json_string(key));
        if (eq) {
            char *val = kr_strndup(eq + 1, (size_t)(colon - eq - 1));
            json_object_set_new(t, "operator", json_string("Equal"));
            json_object_set_new(t, "value", json_string(val));
            kr_free(val);
        } else {
            json_object_set_new(t, "operator", json_string("Exists"));
        }
        json_object_set_new(t, "effect", json_string(eff));
        json_array_append_new(a, t);
        kr_free(key);
        kr_free(eff);
        p += n;
        if (*p == ',')
            p++;
    }
    *out = a;
    return KR_OK;
bad:
    json_decref(a);
    return kr_error_set(err, KR_EUSAGE, "job %s: tolerations '%s': expected "
                        "KEY[=VALUE]:NoSchedule|PreferNoSchedule|NoExecute[,...]", job, spec);
}

static json_t *labels(const struct kr_k8s_spec_opts *o, const struct kr_exec_job *job,
                      const char *key)
{
    json_t *l = json_object();
    char v[64];
    json_object_set_new(l, "app.kubernetes.io/managed-by", json_string("krait"));
    json_object_set_new(l, "krait.io/workflow", json_string(o->workflow));
    json_object_set_new(l, "krait.io/run", json_string(o->run));
    kr_k8s_label_value(job->rule, v, sizeof v);
    json_object_set_new(l, "krait.io/rule", json_string(v));
    snprintf(v, sizeof v, "%u", job->id);
    json_object_set_new(l, "krait.io/job", json_string(v));
    json_object_set_new(l, "krait.io/key", json_string(key));
    return l;
}

int kr_k8s_job_json(const struct kr_k8s_spec_opts *o, const struct kr_exec_job *job,
                    const char *name, const char *key, char **out, struct kr_error *err)
{
    const char *image = job->container && *job->container ? job->container : o->image;
    const char *sa, *sel, *tol;
    json_t *root = NULL, *md, *spec, *tmpl, *pspec, *c, *res, *req, *lim, *env, *x = NULL;
    struct kr_buf script = KR_BUF_INIT;
    char q[64];
    uint32_t i;
    int rc;

    *out = NULL;
    if (!image || !*image)
        return kr_error_set(err, KR_EUSAGE, "job %s: rule '%s' names no container image, "
                            "which the kubernetes executor needs: give the rule a "
                            "`container:` directive or pass --container-image IMAGE",
                            job->name, job->rule ? job->rule : "?");
    /* Snakefiles write Docker images as docker://REF (for Singularity); the
     * node's runtime wants the plain reference */
    if (!strncmp(image, "docker://", 9))
        image += 9;
    rc = job_script(job, &script, err);
    if (rc)
        goto out;

    root = json_object();
    json_object_set_new(root, "apiVersion", json_string("batch/v1"));
    json_object_set_new(root, "kind", json_string("Job"));
    md = json_object();
    json_object_set_new(md, "name", json_string(name));
    json_object_set_new(md, "namespace", json_string(o->ns));
    json_object_set_new(md, "labels", labels(o, job, key));
    x = json_object();
    json_object_set_new(x, "krait.io/name", json_string(job->name ? job->name : ""));
    if (job->workdir)
        json_object_set_new(x, "krait.io/workdir", json_string(job->workdir));
    if (job->log_path)
        json_object_set_new(x, "krait.io/log", json_string(job->log_path));
    json_object_set_new(md, "annotations", x);
    x = NULL;
    json_object_set_new(root, "metadata", md);

    spec = json_object();
    json_object_set_new(spec, "backoffLimit", json_integer(0));
    json_object_set_new(spec, "completions", json_integer(1));
    json_object_set_new(spec, "parallelism", json_integer(1));
    if (job->runtime_min > 0)
        json_object_set_new(spec, "activeDeadlineSeconds", json_integer(job->runtime_min * 60));
    if (o->ttl_s >= 0)
        json_object_set_new(spec, "ttlSecondsAfterFinished", json_integer(o->ttl_s));
    tmpl = json_object();
    x = json_object();
    json_object_set_new(x, "labels", labels(o, job, key));
    json_object_set_new(tmpl, "metadata", x);
    x = NULL;
    pspec = json_object();
    json_object_set_new(pspec, "restartPolicy", json_string("Never"));
    json_object_set_new(pspec, "automountServiceAccountToken", json_false());
    sa = res_str(job, "k8s_service_account", o->service_account);
    if (sa) {
        if (!word_ok(sa, strlen(sa)) || strchr(sa, '/')) {
            rc = kr_error_set(err, KR_EUSAGE, "job %s: service account '%s' is not a name",
                              job->name, sa);
            json_decref(tmpl);
            json_decref(pspec);
            json_decref(spec);
            goto out;
        }
        json_object_set_new(pspec, "serviceAccountName", json_string(sa));
    }
    sel = res_str(job, "k8s_node_selector", o->node_selector);
    if (sel && (rc = node_selector(sel, &x, job->name, err)) == KR_OK) {
        json_object_set_new(pspec, "nodeSelector", x);
        x = NULL;
    }
    tol = res_str(job, "k8s_tolerations", o->tolerations);
    if (rc == KR_OK && tol && (rc = tolerations(tol, &x, job->name, err)) == KR_OK) {
        json_object_set_new(pspec, "tolerations", x);
        x = NULL;
    }
    if (rc) {
        json_decref(tmpl);
        json_decref(pspec);
        json_decref(spec);
        goto out;
    }

    c = json_object();
    json_object_set_new(c, "name", json_string("job"));
    json_object_set_new(c, "image", json_string(image));
    x = json_array();
    json_array_append_new(x, json_string("bash"));
    json_array_append_new(x, json_string("-c"));
    json_array_append_new(x, json_string(kr_buf_cstr(&script)));
    json_array_append_new(x, json_string("krait-job"));
    json_object_set_new(c, "command", x);
    x = NULL;
    if (job->workdir && !job->isolated)
        json_object_set_new(c, "workingDir", json_string(job->workdir));
    env = json_array();
    for (i = 0; i < job->nenv; i++) {
        json_t *e;
        if (local_only_env(job->env[i].name))
            continue;
        e = json_object();
        json_object_set_new(e, "name", json_string(job->env[i].name));
        json_object_set_new(e, "value", json_string(job->env[i].value ? job->env[i].value : ""));
        json_array_append_new(env, e);
    }
    /* --container-env NAME: a reference to key NAME of a Secret, never the
     * value (the Job object would hold it) */
    for (i = 0; i < o->nenv_names && o->env_secret; i++) {
        json_t *e = json_object(), *vf = json_object(), *ref = json_object();
        json_object_set_new(ref, "name", json_string(o->env_secret));
        json_object_set_new(ref, "key", json_string(o->env_names[i]));
        json_object_set_new(ref, "optional", json_true());
        json_object_set_new(vf, "secretKeyRef", ref);
        json_object_set_new(e, "name", json_string(o->env_names[i]));
        json_object_set_new(e, "valueFrom", vf);
        json_array_append_new(env, e);
    }
    json_object_set_new(c, "env", env);
    res = json_object();
    req = json_object();
    lim = json_object();
    snprintf(q, sizeof q, "%d", job->threads > 0 ? job->threads : 1);
    json_object_set_new(req, "cpu", json_string(q));
    if (job->mem_mb > 0) {
        snprintf(q, sizeof q, "%lldMi", (long long)job->mem_mb);
        json_object_set_new(req, "memory", json_string(q));
        json_object_set_new(lim, "memory", json_string(q));
    }
    if (job->disk_mb > 0) {
        snprintf(q, sizeof q, "%lldMi", (long long)job->disk_mb);
        json_object_set_new(req, "ephemeral-storage", json_string(q));
        json_object_set_new(lim, "ephemeral-storage", json_string(q));
    }
    {
        int64_t gpus = job->gpus;
        const struct kr_resource_kv *kv = find_res(job, "gpu");
        if (!kv)
            kv = find_res(job, "gpus");
        if (gpus <= 0 && kv)
            gpus = kv->sval ? strtoll(kv->sval, NULL, 10) : kv->ival;
        if (gpus > 0) {
            const char *gr = res_str(job, "k8s_gpu_resource", o->gpu_resource);
            snprintf(q, sizeof q, "%lld", (long long)gpus);
            json_object_set_new(req, gr, json_string(q));
            json_object_set_new(lim, gr, json_string(q));
        }
    }
    json_object_set_new(res, "requests", req);
    json_object_set_new(res, "limits", lim);
    json_object_set_new(c, "resources", res);
    if (o->pvc_name && o->pvc_mount) {
        /* --k8s-pvc: the claim that holds the workflow directory, mounted
         * where krait sees it, so that workingDir is the same path */
        json_t *vol = json_object(), *claim = json_object(), *mnt = json_object();
        json_object_set_new(claim, "claimName", json_string(o->pvc_name));
        json_object_set_new(vol, "name", json_string("krait-work"));
        json_object_set_new(vol, "persistentVolumeClaim", claim);
        x = json_array();
        json_array_append_new(x, vol);
        json_object_set_new(pspec, "volumes", x);
        json_object_set_new(mnt, "name", json_string("krait-work"));
        json_object_set_new(mnt, "mountPath", json_string(o->pvc_mount));
        x = json_array();
        json_array_append_new(x, mnt);
        json_object_set_new(c, "volumeMounts", x);
    }
    x = json_array();
    json_array_append_new(x, c);
    json_object_set_new(pspec, "containers", x);
    x = NULL;
    json_object_set_new(tmpl, "spec", pspec);
    json_object_set_new(spec, "template", tmpl);
    json_object_set_new(root, "spec", spec);

    *out = json_dumps(root, JSON_COMPACT);
    if (!*out)
        rc = kr_error_set(err, KR_ENOMEM, "job %s: cannot encode the Job as JSON", job->name);
out:
    json_decref(x);
    json_decref(root);
    kr_buf_free(&script);
    return rc;
}

/* ---- reading status ---------------------------------------------------------------- */

double kr_k8s_time(const char *s)
{
    struct tm tm;
    const char *end;
    if (!s)
        return 0;
    memset(&tm, 0, sizeof tm);
    end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end || (*end != 'Z' && *end != '.' && *end != '+'))
        return 0;
    return (double)timegm(&tm);
}

static void copy_str(json_t *o, const char *k, char *buf, size_t n)
{
    const char *s = json_string_value(json_object_get(o, k));
    snprintf(buf, n, "%s", s ? s : "");
}

int kr_k8s_parse_job(json_t *item, struct kr_k8s_jobstat *st)
{
    json_t *md = json_object_get(item, "metadata"), *status, *conds, *c;
    const char *key;
    size_t i;

    memset(st, 0, sizeof *st);
    st->name = json_string_value(json_object_get(md, "name"));
    if (!st->name)
        return KR_EEXEC;
    st->deleting = json_object_get(md, "deletionTimestamp") != NULL;
    key = json_string_value(json_object_get(json_object_get(md, "labels"), "krait.io/key"));
    snprintf(st->key, sizeof st->key, "%s", key ? key : "");
    status = json_object_get(item, "status");
    st->start = kr_k8s_time(json_string_value(json_object_get(status, "startTime")));
    st->end = kr_k8s_time(json_string_value(json_object_get(status, "completionTime")));
    conds = json_object_get(status, "conditions");
    json_array_foreach(conds, i, c) {
        const char *type = json_string_value(json_object_get(c, "type"));
        const char *cs = json_string_value(json_object_get(c, "status"));
        if (!type || !cs || strcmp(cs, "True"))
            continue;
        if (!strcmp(type, "Complete")) {
            st->done = 1;
        } else if (!strcmp(type, "Failed")) {
            st->done = 2;
            copy_str(c, "reason", st->reason, sizeof st->reason);
            copy_str(c, "message", st->message, sizeof st->message);
            if (!st->end)
                st->end = kr_k8s_time(json_string_value(json_object_get(c,
                                                                        "lastTransitionTime")));
        }
    }
    return KR_OK;
}

void kr_k8s_parse_pod(json_t *item, struct kr_k8s_podstat *ps)
{
    json_t *md = json_object_get(item, "metadata");
    json_t *status = json_object_get(item, "status"), *c, *cs;
    size_t i;

    memset(ps, 0, sizeof *ps);
    ps->job = json_string_value(json_object_get(json_object_get(md, "labels"), "job-name"));
    copy_str(status, "phase", ps->phase, sizeof ps->phase);
    copy_str(status, "reason", ps->reason, sizeof ps->reason);
    copy_str(status, "message", ps->message, sizeof ps->message);
    json_array_foreach(json_object_get(status, "conditions"), i, c) {
        const char *type = json_string_value(json_object_get(c, "type"));
        const char *s = json_string_value(json_object_get(c, "status"));
        const char *r = json_string_value(json_object_get(c, "reason"));
        if (type && !strcmp(type, "PodScheduled") && s && !strcmp(s, "False") && r &&
            !strcmp(r, "Unschedulable")) {
            ps->unschedulable = true;
            copy_str(c, "message", ps->sched_msg, sizeof ps->sched_msg);
        }
    }
    cs = json_array_get(json_object_get(status, "containerStatuses"), 0);
    if (cs) {
        json_t *state = json_object_get(cs, "state");
        json_t *t = json_object_get(state, "terminated"), *w = json_object_get(state, "waiting");
        if (t) {
            ps->terminated = true;
            ps->exit_code = (int)json_integer_value(json_object_get(t, "exitCode"));
            copy_str(t, "reason", ps->term_reason, sizeof ps->term_reason);
        }
        if (w) {
            copy_str(w, "reason", ps->waiting, sizeof ps->waiting);
            copy_str(w, "message", ps->waiting_msg, sizeof ps->waiting_msg);
        }
    }
}

void kr_k8s_fill_result(const struct kr_k8s_jobstat *st, const struct kr_k8s_podstat *ps,
                        const char *name, const char *log_tail, struct kr_exec_result *r)
{
    char why[200];
    r->start = st->start;
    r->end = st->end;
    r->exit_code = 0;
    if (st->done == 1) {
        r->state = KR_EXEC_OK;
        snprintf(r->detail, sizeof r->detail, "Kubernetes job %s complete", name);
        return;
    }
    r->exit_code = ps && ps->terminated ? ps->exit_code : -1;
    if (!strcmp(st->reason, "DeadlineExceeded") || (ps && !strcmp(ps->reason, "DeadlineExceeded"))) {
        r->state = KR_EXEC_TIMEOUT;
        snprintf(why, sizeof why, "DeadlineExceeded: %.170s",
                 ps && ps->reason[0] && ps->message[0] ? ps->message : st->message);
    } else if (ps && !strcmp(ps->reason, "Evicted")) {
        r->state = KR_EXEC_PREEMPTED;
        snprintf(why, sizeof why, "Evicted: %.180s", ps->message);
    } else if (ps && (!strcmp(ps->reason, "NodeLost") || !strcmp(ps->reason, "NodeAffinity") ||
                      !strcmp(ps->reason, "Terminated"))) {
        r->state = KR_EXEC_NODE_FAIL;
        snprintf(why, sizeof why, "%.40s: %.150s", ps->reason, ps->message);
    } else if (ps && !strcmp(ps->term_reason, "OOMKilled")) {
        r->state = KR_EXEC_OOM;
        snprintf(why, sizeof why, "OOMKilled (exit code %d)", ps->exit_code);
    } else if (ps && ps->terminated) {
        r->state = KR_EXEC_FAILED;
        snprintf(why, sizeof why, "exit code %d", ps->exit_code);
    } else {
        r->state = KR_EXEC_FAILED;
        snprintf(why, sizeof why, "%.60s%s%.120s", st->reason[0] ? st->reason : "failed",
                 st->message[0] ? ": " : "", st->message);
    }
    if (log_tail && *log_tail) {
        /* the last line or two of the log, on one line */
        char tail[120];
        size_t n = strlen(log_tail), k = 0;
        const char *p = log_tail + (n > sizeof tail - 1 ? n - (sizeof tail - 1) : 0);
        for (; *p && k + 1 < sizeof tail; p++)
            tail[k++] = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
        while (k > 0 && tail[k - 1] == ' ')
            k--;
        tail[k] = '\0';
        snprintf(r->detail, sizeof r->detail, "%.100s (Kubernetes job %.40s); log: ...%.80s", why,
                 name, tail);
    } else {
        snprintf(r->detail, sizeof r->detail, "%.160s (Kubernetes job %.60s)", why, name);
    }
}
