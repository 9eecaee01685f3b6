/*
 * slurm.c - the SLURM executor: runs each job as a SLURM batch job (sbatch),
 * many ready jobs of one rule as one job array, and follows all jobs of the
 * run with ONE squeue call per poll interval.
 *
 * Submitting: each job's script (slurm-script.c) is written under
 * STATE_DIR/slurm/ and handed to `sbatch --parsable` with the job's
 * resources as options; sbatch, squeue, sacct, scontrol and scancel are
 * always started with posix_spawnp and an argv (never a shell, never
 * system()). External ids are SLURM's: "123", or "123_4" for task 4 of array
 * 123. An array lives in STATE_DIR/slurm/a-TOKEN/ (task-K.sh per task and a
 * dispatcher array.sh that runs task-$SLURM_ARRAY_TASK_ID.sh); the symlink
 * STATE_DIR/slurm/ARRAYID points at it. Array tasks' slurmstepd messages go
 * to STATE_DIR/slurm/ARRAYID_K.out, the command's output to the job's log.
 *
 * Status: `squeue --states=all -h -r -O ... -j IDS` lists every job of the
 * run, array tasks one per line, finished ones included (for MinJobAge);
 * its exit_code field is the raw wait status, so one call gives the final
 * state and exit code. Queries start SLURM_POLL_MIN apart, grow by half each
 * quiet poll up to opts->poll_interval and drop back when a job changes
 * state; poll() never queries sooner, however often it is called. A job
 * squeue no longer lists is looked up once per poll in bulk: `sacct` with
 * accounting, else `sacct --completion` (the jobcomp file), else
 * `scontrol -o show job`; a job that none of them knows, twice in a row, is
 * LOST. The memory limit without cgroups shows only as signal 9 plus a line
 * in the job's output (tests/slurm/NOTES.md): such jobs are reported OOM.
 *
 * Statistics: with KRAIT_SLURM_STATS=FILE in the environment, shutdown()
 * writes "NAME VALUE" lines: the number of sbatch, squeue, sacct, scontrol
 * and scancel calls, status_queries (poll intervals that queried),
 * jobs_submitted, min_query_gap_s (smallest time between two status
 * queries) and poll_interval_s.
 *
 * Backend arguments (--executor-arg): slurm-array=0|1 (default 1),
 * slurm-array-threshold=N (default 10: fewer ready jobs of one rule are
 * submitted one by one), slurm-poll-min=SECONDS (first query interval,
 * default 1).
 */
#include "slurm.h"
#include "spawnattr.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLURM_POLL_MIN 1.0          /* seconds: first status query interval */
#define SLURM_POLL_DEFAULT 10.0     /* when opts->poll_interval is not set */
#define SLURM_POLL_GROWTH 1.5
#define SLURM_ARRAY_THRESHOLD 10
#define SLURM_QUERY_FAILS 10        /* consecutive failed squeue calls before giving up */

/* A job SLURM runs for us and that has not been reported finished. */
struct sjob {
    uint32_t id;            /* kr_exec_job.id */
    char ext[64];           /* "123" or "123_4" */
    char plain[32];         /* SLURM's own id of the job ("" until squeue says) */
    char last_state[32];
    char *log;              /* named in details: the job's log (owned) */
    char *slurm_out;        /* where slurmstepd writes (owned), for the OOM mark */
    unsigned seen;          /* query generation that last listed it */
    int absent;             /* consecutive queries that did not list it */
    bool cancelled;         /* by krait */
    bool finished;
};

enum { ACCT_UNKNOWN, ACCT_SACCT, ACCT_COMPLETION, ACCT_NONE };

struct slurm {
    char *dir;              /* STATE_DIR/slurm */
    char token[48];         /* unique per executor instance: file names */
    unsigned long seq;
    int max_jobs;
    bool verbose, arrays;
    uint32_t array_threshold;
    double poll_min, poll_max, interval, next_query, last_query;
    int fails;
    int acct;
    unsigned gen;
    struct sjob *jobs;
    uint32_t njobs, capjobs;
    struct kr_exec_result *done;    /* finished, not yet reported */
    uint32_t ndone, capdone;
    struct {
        long sbatch, squeue, sacct, scontrol, scancel, queries, submitted;
        double min_gap;
    } n;
    char *stats_path;
};

extern char **environ;

/* ---- running SLURM's commands ------------------------------------------------ */

/*
 * Run argv (argv[0] found on PATH) with stdin from /dev/null, in its own
 * process group (a ^C meant for krait does not kill a half-done sbatch),
 * capturing stdout into out and stderr into errout. *status is the exit
 * status, or 128+N when killed by signal N. Returns KR_OK, or KR_EEXEC when
 * the program cannot be started.
 */
static int run_cmd(char *const argv[], struct kr_buf *out, struct kr_buf *errout, int *status,
                   struct kr_error *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int po[2] = {-1, -1}, pe[2] = {-1, -1};
    pid_t pid;
    int rc = KR_OK, e, ws;
    bool spawned = false;

    kr_buf_reset(out);
    kr_buf_reset(errout);
    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
        rc = kr_error_set(err, KR_EEXEC, "cannot run %s: pipe: %s", argv[0], strerror(errno));
        goto out;
    }
    posix_spawn_file_actions_init(&fa);
    kr_spawn_attrs_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    e = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0) {
        rc = kr_error_set(err, KR_EEXEC, "cannot run %s: %s", argv[0], strerror(e));
        goto out;
    }
    spawned = true;
    close(po[1]);
    close(pe[1]);
    po[1] = pe[1] = -1;
    while (po[0] >= 0 || pe[0] >= 0) {
        struct pollfd pf[2];
        char buf[4096];
        int i, np = 0;
        if (po[0] >= 0)
            pf[np++] = (struct pollfd){.fd = po[0], .events = POLLIN};
        if (pe[0] >= 0)
            pf[np++] = (struct pollfd){.fd = pe[0], .events = POLLIN};
        if (poll(pf, (nfds_t)np, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (i = 0; i < np; i++) {
            ssize_t r;
            if (!pf[i].revents)
                continue;
            r = read(pf[i].fd, buf, sizeof buf);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                close(pf[i].fd);
                if (pf[i].fd == po[0])
                    po[0] = -1;
                else
                    pe[0] = -1;
                continue;
            }
            kr_buf_append(pf[i].fd == po[0] ? out : errout, buf, (size_t)r);
        }
    }
out:
    for (int i = 0; i < 2; i++) {
        if (po[i] >= 0)
            close(po[i]);
        if (pe[i] >= 0)
            close(pe[i]);
    }
    if (spawned) {
        while (waitpid(pid, &ws, 0) < 0) {
            if (errno != EINTR) {
                ws = 127 << 8;
                break;
            }
        }
        *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    }
    kr_buf_append(out, "", 0);
    kr_buf_append(errout, "", 0);
    return rc;
}

/* The first line of a command's stderr, for error messages. */
static void first_line(const struct kr_buf *b, char *dst, size_t cap)
{
    const char *s = kr_buf_cstr(b);
    size_t n = strcspn(s, "\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* ---- files ------------------------------------------------------------------- */

static int write_file(const char *path, const struct kr_buf *b, struct kr_error *err)
{
    const char *s = kr_buf_cstr(b);
    size_t left = b->len;
    /* batch scripts hold the jobs' commands, params (maybe secrets) expanded:
     * owner only, also when an older file of that name had another mode */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0700);
    if (fd < 0)
        return kr_error_set(err, KR_EIO, "cannot write %s: %s", path, strerror(errno));
    if (fchmod(fd, 0700) != 0) {
        int e = errno;
        close(fd);
        return kr_error_set(err, KR_EIO, "cannot make %s private: %s", path, strerror(e));
    }
    while (left > 0) {
        ssize_t w = write(fd, s, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            return kr_error_set(err, KR_EIO, "cannot write %s: %s", path, strerror(e));
        }
        s += w;
        left -= (size_t)w;
    }
    if (close(fd) != 0)
        return kr_error_set(err, KR_EIO, "cannot write %s: %s", path, strerror(errno));
    return KR_OK;
}

/* ---- the job table ------------------------------------------------------------ */

static struct sjob *track(struct slurm *S, uint32_t id, const char *ext, const char *log,
                          const char *slurm_out)
{
    struct sjob *j;
    if (S->njobs == S->capjobs) {
        S->capjobs = S->capjobs ? 2 * S->capjobs : 64;
        S->jobs = kr_realloc(S->jobs, S->capjobs * sizeof *S->jobs);
    }
    j = &S->jobs[S->njobs++];
    memset(j, 0, sizeof *j);
    j->id = id;
    snprintf(j->ext, sizeof j->ext, "%s", ext);
    if (!strchr(ext, '_'))
        snprintf(j->plain, sizeof j->plain, "%s", ext);
    j->log = kr_strdup(log ? log : slurm_out);
    j->slurm_out = kr_strdup(slurm_out);
    j->seen = S->gen;
    return j;
}

static void push_result(struct slurm *S, const struct kr_exec_result *r)
{
    if (S->ndone == S->capdone) {
        S->capdone = S->capdone ? 2 * S->capdone : 64;
        S->done = kr_realloc(S->done, S->capdone * sizeof *S->done);
    }
    S->done[S->ndone++] = *r;
}

/* Report j finished with status st (state FINAL). */
static void finish(struct slurm *S, struct sjob *j, const struct kr_slurm_status *st,
                   double start, double end)
{
    struct kr_exec_result r;
    bool oom = false;
    memset(&r, 0, sizeof r);
    r.id = j->id;
    r.start = start;
    r.end = end;
    if (!strcmp(st->state, "FAILED") && st->have_exit && st->signal == 9)
        oom = kr_slurm_log_says_oom(j->slurm_out) ||
              (strcmp(j->log, j->slurm_out) && kr_slurm_log_says_oom(j->log));
    kr_slurm_fill_result(st, oom, j->cancelled, j->log, &r);
    push_result(S, &r);
    if (strcmp(j->log, j->slurm_out)) {
        struct stat sb;     /* an array task's empty slurmstepd file: nothing to keep */
        if (stat(j->slurm_out, &sb) == 0 && sb.st_size == 0)
            unlink(j->slurm_out);
    }
    j->finished = true;
}

/* Report j LOST: `why` NULL means SLURM does not know it any more. */
static void lost(struct slurm *S, struct sjob *j, const char *why)
{
    struct kr_exec_result r;
    memset(&r, 0, sizeof r);
    r.id = j->id;
    r.state = KR_EXEC_LOST;
    r.exit_code = -1;
    if (why)
        snprintf(r.detail, sizeof r.detail, "LOST: job %.40s: %.100s (log: %.80s)", j->ext, why,
                 j->log);
    else
        snprintf(r.detail, sizeof r.detail, "LOST: SLURM no longer knows job %.40s and has "
                 "no record of how it ended (log: %.100s)", j->ext, j->log);
    push_result(S, &r);
    j->finished = true;
}

/* Drop finished jobs from the table. */
static void compact(struct slurm *S)
{
    uint32_t i, k = 0;
    for (i = 0; i < S->njobs; i++) {
        if (S->jobs[i].finished) {
            kr_free(S->jobs[i].log);
            kr_free(S->jobs[i].slurm_out);
            continue;
        }
        S->jobs[k++] = S->jobs[i];
    }
    S->njobs = k;
}

/* ---- init ------------------------------------------------------------------------ */

static bool on_path(const char *prog)
{
    const char *path = getenv("PATH");
    bool found = false;
    char *copy, *save = NULL, *dir;
    if (!path)
        return false;
    copy = kr_strdup(path);
    for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        char *full = kr_asprintf("%s/%s", *dir ? dir : ".", prog);
        found = access(full, X_OK) == 0;
        kr_free(full);
    }
    kr_free(copy);
    return found;
}

static void slurm_free(struct slurm *S)
{
    uint32_t i;
    for (i = 0; i < S->njobs; i++) {
        kr_free(S->jobs[i].log);
        kr_free(S->jobs[i].slurm_out);
    }
    kr_free(S->jobs);
    kr_free(S->done);
    kr_free(S->dir);
    kr_free(S->stats_path);
    kr_free(S);
}

/* Apply one --executor-arg k=v. */
static int backend_arg(struct slurm *S, const char *arg, struct kr_error *err)
{
    static const char *const known[] = {"slurm-array", "slurm-array-threshold",
                                        "slurm-poll-min"};
    const char *eq = strchr(arg, '=');
    char key[64], *end;
    const char *v;
    size_t kl;

    if (!eq || (kl = (size_t)(eq - arg)) == 0 || kl >= sizeof key)
        return kr_error_set(err, KR_EUSAGE, "--executor-arg '%s': expected KEY=VALUE", arg);
    memcpy(key, arg, kl);
    key[kl] = '\0';
    v = eq + 1;
    if (!strcmp(key, "slurm-array")) {
        if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on"))
            S->arrays = true;
        else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off"))
            S->arrays = false;
        else
            return kr_error_set(err, KR_EUSAGE, "--executor-arg slurm-array=%s: expected 0 or 1", v);
    } else if (!strcmp(key, "slurm-array-threshold")) {
        long t = strtol(v, &end, 10);
        if (end == v || *end || t < 2 || t > 1000000)
            return kr_error_set(err, KR_EUSAGE, "--executor-arg slurm-array-threshold=%s: "
                                "expected a number of jobs, at least 2", v);
        S->array_threshold = (uint32_t)t;
    } else if (!strcmp(key, "slurm-poll-min")) {
        double t = strtod(v, &end);
        if (end == v || *end || !(t >= 0.05 && t <= 3600))
            return kr_error_set(err, KR_EUSAGE, "--executor-arg slurm-poll-min=%s: expected "
                                "seconds between 0.05 and 3600", v);
        S->poll_min = t;
    } else {
        const char *s = kr_suggest(key, known, KR_ARRAY_LEN(known));
        return kr_error_set(err, KR_EUSAGE, "unknown --executor-arg '%s' for the slurm "
                            "executor%s%s%s", key, s ? " (did you mean '" : "", s ? s : "",
                            s ? "'?)" : "");
    }
    return KR_OK;
}

static int slurm_init(void **self, const struct kr_executor_opts *opts, struct kr_error *err)
{
    static const char *const progs[] = {"sbatch", "squeue", "scancel"};
    struct slurm *S;
    const char *stats;
    uint32_t i;
    int rc;

    *self = NULL;
    for (i = 0; i < KR_ARRAY_LEN(progs); i++)
        if (!on_path(progs[i]))
            return kr_error_set(err, KR_EEXEC, "the slurm executor needs SLURM's %s, which "
                                "is not on PATH (install the SLURM client commands)",
                                progs[i]);
    if (!opts->state_dir || opts->state_dir[0] != '/')
        return kr_error_set(err, KR_EUSAGE, "the slurm executor needs an absolute state "
                            "directory (got '%s')", opts->state_dir ? opts->state_dir : "");
    S = kr_calloc(1, sizeof *S);
    S->dir = kr_asprintf("%s/slurm", opts->state_dir);
    S->max_jobs = opts->max_jobs;
    S->verbose = opts->verbose;
    S->arrays = true;
    S->array_threshold = SLURM_ARRAY_THRESHOLD;
    S->poll_max = opts->poll_interval > 0 ? opts->poll_interval : SLURM_POLL_DEFAULT;
    S->poll_min = SLURM_POLL_MIN;
    S->n.min_gap = -1;
    snprintf(S->token, sizeof S->token, "%ld-%ld", (long)getpid(), (long)time(NULL));
    for (i = 0; i < opts->nbackend_args; i++) {
        rc = backend_arg(S, opts->backend_args[i], err);
        if (rc)
            goto fail;
    }
    if (S->poll_min > S->poll_max)
        S->poll_min = S->poll_max;
    S->interval = S->poll_min;
    rc = kr_mkdirs(S->dir, err);
    if (rc == KR_OK && chmod(S->dir, 0700) != 0)
        rc = kr_error_set(err, KR_EIO, "cannot make %s private (chmod 0700): %s", S->dir,
                          strerror(errno));
    if (rc)
        goto fail;
    stats = getenv("KRAIT_SLURM_STATS");
    if (stats && *stats)
        S->stats_path = kr_strdup(stats);
    *self = S;
    return KR_OK;
fail:
    slurm_free(S);
    return rc;
}

/* ---- submitting ------------------------------------------------------------------- */

static void free_strings(struct kr_vec *v)
{
    size_t i;
    for (i = 0; i < v->len; i++)
        kr_free(v->items[i]);
    kr_vec_free(v);
}

/*
 * sbatch --parsable with our options, `resources` (job-derived, validated)
 * and the script; writes SLURM's job id into id. `label` names the job(s)
 * in errors.
 */
static int sbatch(struct slurm *S, const char *jobname, const char *workdir, const char *output,
                  const char *array, const struct kr_vec *resources, const char *script,
                  const char *label, char *id, size_t idcap, struct kr_error *err)
{
    struct kr_vec argv = KR_VEC_INIT, own = KR_VEC_INIT;
    struct kr_buf out = KR_BUF_INIT, errout = KR_BUF_INIT;
    char msg[512];
    const char *s;
    size_t i, n;
    int rc, status = 0;

    kr_vec_push(&argv, "sbatch");
    kr_vec_push(&argv, "--parsable");
    kr_vec_push(&own, kr_asprintf("--job-name=%s", jobname));
    if (workdir)
        kr_vec_push(&own, kr_asprintf("--chdir=%s", workdir));
    kr_vec_push(&own, kr_asprintf("--output=%s", output));
    kr_vec_push(&own, kr_asprintf("--error=%s", output));
    if (array)
        kr_vec_push(&own, kr_asprintf("--array=%s", array));
    for (i = 0; i < own.len; i++)
        kr_vec_push(&argv, own.items[i]);
    for (i = 0; i < resources->len; i++)
        kr_vec_push(&argv, resources->items[i]);
    kr_vec_push(&argv, (void *)script);
    kr_vec_push(&argv, NULL);
    S->n.sbatch++;
    if (S->verbose)
        fprintf(stderr, "krait: slurm: sbatch %s (%zu options)\n", label, argv.len - 3);
    rc = run_cmd((char *const *)argv.items, &out, &errout, &status, err);
    if (rc)
        goto out;
    s = kr_buf_cstr(&out);
    while (*s == ' ' || *s == '\n')
        s++;
    n = strspn(s, "0123456789");
    if (status != 0 || n == 0 || n >= idcap || (s[n] && s[n] != ';' && s[n] != '\n')) {
        first_line(status ? &errout : &out, msg, sizeof msg);
        if (status && strstr(kr_buf_cstr(&errout), "Batch job submission failed")) {
            /* the useful line is the last one: "Batch job submission failed: ..." */
            const char *b = strstr(kr_buf_cstr(&errout), "Batch job submission failed");
            snprintf(msg, sizeof msg, "%.*s", (int)strcspn(b, "\n"), b);
        }
        rc = kr_error_set(err, KR_EEXEC, "sbatch refused %s (exit %d): %s", label, status,
                          msg[0] ? msg : "no output");
        goto out;
    }
    memcpy(id, s, n);
    id[n] = '\0';
out:
    kr_buf_free(&out);
    kr_buf_free(&errout);
    free_strings(&own);
    kr_vec_free(&argv);
    return rc;
}

static int slurm_submit(void *self, const struct kr_exec_job *job, char *ext_id,
                        size_t ext_id_len, struct kr_error *err)
{
    struct slurm *S = self;
    struct kr_vec res = KR_VEC_INIT;
    struct kr_buf script = KR_BUF_INIT;
    char *path = NULL, *output = NULL, *slurm_out = NULL;
    char name[200], id[32];
    int rc;

    rc = kr_slurm_resource_args(job, &res, err);
    if (rc)
        goto out;
    rc = kr_slurm_task_script(job, NULL, &script, err);
    if (rc)
        goto out;
    path = kr_asprintf("%s/job-%s-%lu.sh", S->dir, S->token, ++S->seq);
    rc = write_file(path, &script, err);
    if (rc)
        goto out;
    output = job->log_path ? kr_strdup(job->log_path) : kr_asprintf("%s/%%j.out", S->dir);
    rc = kr_mkdirs_parent(output, err);
    if (rc)
        goto out;
    kr_slurm_job_name(job->name, name, sizeof name);
    rc = sbatch(S, name, job->workdir, output, NULL, &res, path,
                job->name ? job->name : "job", id, sizeof id, err);
    if (rc)
        goto out;
    slurm_out = job->log_path ? kr_strdup(job->log_path) : kr_asprintf("%s/%s.out", S->dir, id);
    track(S, job->id, id, job->log_path, slurm_out);
    S->n.submitted++;
    snprintf(ext_id, ext_id_len, "%s", id);
out:
    free_strings(&res);
    kr_buf_free(&script);
    kr_free(path);
    kr_free(output);
    kr_free(slurm_out);
    return rc;
}

/*
 * Submit jobs[idx[0..m-1]] (same resources and workdir) as one array.
 * `res` holds their sbatch resource options.
 */
static int submit_array(struct slurm *S, const struct kr_exec_job *const *jobs,
                        const uint32_t *idx, uint32_t m, const struct kr_vec *res,
                        char (*ext_ids)[64], struct kr_error *err)
{
    const struct kr_exec_job *first = jobs[idx[0]];
    struct kr_buf b = KR_BUF_INIT;
    char *adir = NULL, *path = NULL, *output = NULL, *link = NULL, *base = NULL;
    char name[200], id[32], spec[64];
    uint32_t k;
    int rc = KR_OK;

    base = kr_asprintf("a-%s-%lu", S->token, ++S->seq);
    adir = kr_asprintf("%s/%s", S->dir, base);
    rc = kr_mkdirs(adir, err);
    if (rc)
        goto out;
    for (k = 0; k < m; k++) {
        const struct kr_exec_job *job = jobs[idx[k]];
        kr_buf_reset(&b);
        rc = kr_slurm_task_script(job, job->log_path, &b, err);
        if (rc)
            goto out;
        if (job->log_path) {
            rc = kr_mkdirs_parent(job->log_path, err);
            if (rc)
                goto out;
        }
        kr_free(path);
        path = kr_asprintf("%s/task-%u.sh", adir, k);
        rc = write_file(path, &b, err);
        if (rc)
            goto out;
    }
    kr_buf_reset(&b);
    kr_buf_printf(&b, "#!/bin/bash\n# krait: array of %u jobs of rule ", m);
    for (const char *p = first->rule ? first->rule : "?"; *p; p++)
        kr_buf_putc(&b, (*p == '\n' || *p == '\r') ? ' ' : *p);
    kr_buf_puts(&b, "; task K runs task-K.sh of this directory\nexec bash -- ");
    kr_buf_put_squoted(&b, adir);
    kr_buf_puts(&b, "/task-\"$SLURM_ARRAY_TASK_ID\".sh\n");
    kr_free(path);
    path = kr_asprintf("%s/array.sh", adir);
    rc = write_file(path, &b, err);
    if (rc)
        goto out;
    if (S->max_jobs > 0 && (uint32_t)S->max_jobs < m)
        snprintf(spec, sizeof spec, "0-%u%%%d", m - 1, S->max_jobs);
    else
        snprintf(spec, sizeof spec, "0-%u", m - 1);
    output = kr_asprintf("%s/%%A_%%a.out", S->dir);
    kr_slurm_job_name(first->rule, name, sizeof name);
    kr_buf_reset(&b);
    kr_buf_printf(&b, "an array of %u jobs of rule %s", m, first->rule ? first->rule : "?");
    rc = sbatch(S, name, first->workdir, output, spec, res, path, kr_buf_cstr(&b), id,
                sizeof id, err);
    if (rc)
        goto out;
    link = kr_asprintf("%s/%s", S->dir, id);
    unlink(link);
    if (symlink(base, link) != 0 && S->verbose)
        fprintf(stderr, "krait: slurm: cannot link %s: %s\n", link, strerror(errno));
    for (k = 0; k < m; k++) {
        char ext[64], *so;
        snprintf(ext, sizeof ext, "%s_%u", id, k);
        so = kr_asprintf("%s/%s.out", S->dir, ext);
        track(S, jobs[idx[k]]->id, ext, jobs[idx[k]]->log_path, so);
        kr_free(so);
        snprintf(ext_ids[idx[k]], 64, "%s", ext);
    }
    S->n.submitted += m;
out:
    kr_buf_free(&b);
    kr_free(adir);
    kr_free(path);
    kr_free(output);
    kr_free(link);
    kr_free(base);
    return rc;
}

/* Key grouping jobs that can share one array: workdir and resource options. */
static char *group_key(const struct kr_exec_job *job, const struct kr_vec *res)
{
    struct kr_buf b = KR_BUF_INIT;
    size_t i;
    kr_buf_puts(&b, job->workdir ? job->workdir : "");
    for (i = 0; i < res->len; i++) {
        kr_buf_putc(&b, '\x1f');
        kr_buf_puts(&b, res->items[i]);
    }
    return kr_buf_steal(&b);
}

/*
 * submit_many: below the threshold (or with arrays off) one sbatch per job;
 * otherwise jobs with the same workdir and resources form one array each
 * (a group of one is submitted alone). On error, the jobs whose ext_ids[i]
 * is non-empty were submitted (and are tracked); the others were not.
 */
static int slurm_submit_many(void *self, const struct kr_exec_job *const *jobs, uint32_t n,
                             char (*ext_ids)[64], struct kr_error *err)
{
    struct slurm *S = self;
    struct kr_vec *res = NULL;
    char **keys = NULL;
    uint32_t *idx = NULL, i, j, m;
    bool *used = NULL;
    int rc = KR_OK;

    for (i = 0; i < n; i++)
        ext_ids[i][0] = '\0';
    if (!S->arrays || n < S->array_threshold) {
        for (i = 0; i < n; i++) {
            rc = slurm_submit(S, jobs[i], ext_ids[i], 64, err);
            if (rc)
                return rc;
        }
        return KR_OK;
    }
    res = kr_calloc(n, sizeof *res);
    keys = kr_calloc(n, sizeof *keys);
    idx = kr_calloc(n, sizeof *idx);
    used = kr_calloc(n, sizeof *used);
    for (i = 0; i < n; i++) {
        rc = kr_slurm_resource_args(jobs[i], &res[i], err);
        if (rc)
            goto out;
        keys[i] = group_key(jobs[i], &res[i]);
    }
    for (i = 0; i < n; i++) {
        if (used[i])
            continue;
        m = 0;
        for (j = i; j < n; j++) {
            if (!used[j] && !strcmp(keys[i], keys[j])) {
                used[j] = true;
                idx[m++] = j;
            }
        }
        if (m == 1)
            rc = slurm_submit(S, jobs[i], ext_ids[i], 64, err);
        else
            rc = submit_array(S, jobs, idx, m, &res[i], ext_ids, err);
        if (rc)
            goto out;
    }
out:
    for (i = 0; i < n; i++) {
        if (res)
            free_strings(&res[i]);
        if (keys)
            kr_free(keys[i]);
    }
    kr_free(res);
    kr_free(keys);
    kr_free(idx);
    kr_free(used);
    return rc;
}

/* ---- status ----------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Comma-separated ids for -j: plain jobs by id, array tasks by their array id once. */
static char *id_list(struct slurm *S, struct sjob **v, uint32_t nv, bool plain_for_tasks)
{
    char **ids = kr_calloc(nv ? nv : 1, sizeof *ids);
    struct kr_buf b = KR_BUF_INIT;
    uint32_t i, k = 0;
    KR_UNUSED(S);
    for (i = 0; i < nv; i++) {
        const char *e = v[i]->ext;
        if (plain_for_tasks) {
            if (v[i]->plain[0])
                ids[k++] = kr_strdup(v[i]->plain);
        } else {
            ids[k++] = kr_strndup(e, strcspn(e, "_"));
        }
    }
    qsort(ids, k, sizeof *ids, cmp_str);
    for (i = 0; i < k; i++) {
        if (i == 0 || strcmp(ids[i], ids[i - 1])) {
            if (b.len)
                kr_buf_putc(&b, ',');
            kr_buf_puts(&b, ids[i]);
        }
    }
    for (i = 0; i < k; i++)
        kr_free(ids[i]);
    kr_free(ids);
    return kr_buf_steal(&b);
}

static struct sjob *find_ext(struct slurm *S, const char *ext)
{
    uint32_t i;
    for (i = 0; i < S->njobs; i++)
        if (!S->jobs[i].finished && !strcmp(S->jobs[i].ext, ext))
            return &S->jobs[i];
    return NULL;
}

/*
 * Final states of jobs squeue no longer lists: one sacct (or sacct
 * --completion, or scontrol) call for all of them. found[i]/have[i] for v[i].
 * Returns true when some source answered (so "not found" means unknown to
 * SLURM), false when none could be asked.
 */
static bool final_lookup(struct slurm *S, struct sjob **v, uint32_t nv,
                         struct kr_slurm_status *found, bool *have)
{
    struct kr_buf out = KR_BUF_INIT, errout = KR_BUF_INIT;
    struct kr_slurm_status st;
    char *ids = NULL, *line, *save = NULL;
    bool answered = false;
    int status = 0, rc;
    uint32_t i;

    for (i = 0; i < nv; i++)
        have[i] = false;
    if (S->acct == ACCT_UNKNOWN || S->acct == ACCT_SACCT) {
        char *argv[] = {"sacct", "-P", "-n", "-X", "-o", "JobID,State,ExitCode", "-j", NULL, NULL};
        ids = id_list(S, v, nv, false);
        argv[7] = ids;
        S->n.sacct++;
        rc = run_cmd(argv, &out, &errout, &status, NULL);
        if (rc != KR_OK) {
            S->acct = ACCT_NONE;    /* no sacct at all */
        } else if (status == 0) {
            S->acct = ACCT_SACCT;
            answered = true;
            for (line = strtok_r(out.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (kr_slurm_parse_sacct_line(line, &st) != KR_OK)
                    continue;
                for (i = 0; i < nv; i++)
                    if (!strcmp(v[i]->ext, st.id) && kr_slurm_state_class(st.state) == KR_SLURM_FINAL) {
                        found[i] = st;
                        have[i] = true;
                    }
            }
        } else if (strstr(kr_buf_cstr(&errout), "accounting storage is disabled")) {
            S->acct = ACCT_COMPLETION;
        }
        kr_free(ids);
        ids = NULL;
    }
    if (S->acct == ACCT_COMPLETION) {
        char *argv[] = {"sacct", "--completion", "-P", "-n", "-o", "jobid,state,exitcode", "-j",
                        NULL, NULL};
        ids = id_list(S, v, nv, true);
        argv[7] = ids;
        if (!ids[0]) {
            answered = true;    /* no plain ids known: sacct --completion cannot know them */
            goto out;
        }
        S->n.sacct++;
        if (run_cmd(argv, &out, &errout, &status, NULL) == KR_OK && status == 0) {
            answered = true;
            /* later lines win: after a controller state wipe ids repeat */
            for (line = strtok_r(out.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (kr_slurm_parse_sacct_line(line, &st) != KR_OK)
                    continue;
                for (i = 0; i < nv; i++)
                    if (v[i]->plain[0] && !strcmp(v[i]->plain, st.plain_id) &&
                        kr_slurm_state_class(st.state) == KR_SLURM_FINAL) {
                        found[i] = st;
                        have[i] = true;
                    }
            }
        } else {
            S->acct = ACCT_NONE;
        }
    }
    if (S->acct == ACCT_NONE) {
        char *argv[] = {"scontrol", "-o", "show", "job", NULL};
        S->n.scontrol++;
        if (run_cmd(argv, &out, &errout, &status, NULL) == KR_OK &&
            (status == 0 || strstr(kr_buf_cstr(&errout), "No jobs"))) {
            answered = true;
            for (line = strtok_r(out.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (kr_slurm_parse_scontrol_line(line, &st) != KR_OK)
                    continue;
                for (i = 0; i < nv; i++)
                    if (!strcmp(v[i]->ext, st.id) && kr_slurm_state_class(st.state) == KR_SLURM_FINAL) {
                        found[i] = st;
                        have[i] = true;
                    }
            }
        }
    }
out:
    kr_free(ids);
    kr_buf_free(&out);
    kr_buf_free(&errout);
    return answered;
}

/* Parse "2026-11-21T06:17:02" (local time) into epoch seconds; 0 when not a time. */
static double parse_time(const char *s)
{
    struct tm tm;
    const char *end;
    memset(&tm, 0, sizeof tm);
    end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end || *end)
        return 0;
    tm.tm_isdst = -1;
    return (double)mktime(&tm);
}

/*
 * One status query for all jobs of the run. Finished jobs move to S->done.
 * Returns KR_OK (also after a failed squeue, which is retried next
 * interval) or KR_EEXEC after SLURM_QUERY_FAILS failures in a row; then
 * every job is reported LOST by the following polls.
 */
static int query(struct slurm *S, struct kr_error *err)
{
    static const char fmt[] = KR_SLURM_SQUEUE_FORMAT ",StartTime:|,EndTime:|";
    struct kr_buf out = KR_BUF_INIT, errout = KR_BUF_INIT;
    struct sjob **all = NULL, **gone = NULL;
    struct kr_slurm_status *found = NULL;
    bool *have = NULL, changed = false;
    char *ids = NULL, *line, *save = NULL;
    char *argv[] = {"squeue", "--states=all", "-h", "-r", "-O", (char *)fmt, "-j", NULL, NULL};
    uint32_t i, ngone = 0;
    int rc = KR_OK, status = 0;
    double now = kr_now();

    all = kr_calloc(S->njobs, sizeof *all);
    for (i = 0; i < S->njobs; i++)
        all[i] = &S->jobs[i];
    ids = id_list(S, all, S->njobs, false);
    argv[7] = ids;
    if (S->last_query > 0 && (S->n.min_gap < 0 || now - S->last_query < S->n.min_gap))
        S->n.min_gap = now - S->last_query;
    S->last_query = now;
    S->n.squeue++;
    S->n.queries++;
    S->gen++;
    rc = run_cmd(argv, &out, &errout, &status, err);
    if (rc == KR_OK && status != 0 && !strstr(kr_buf_cstr(&errout), "Invalid job id")) {
        char msg[512];
        first_line(&errout, msg, sizeof msg);
        rc = kr_error_set(err, KR_EEXEC, "squeue failed (exit %d): %s", status,
                          msg[0] ? msg : "no output");
    }
    if (rc) {
        if (++S->fails >= SLURM_QUERY_FAILS) {
            /* give up on every job, so a caller that keeps polling can finish */
            for (i = 0; i < S->njobs; i++)
                lost(S, &S->jobs[i], "SLURM did not answer status queries");
            kr_error_prefix(err, "%d status queries in a row failed", S->fails);
            goto out;
        }
        if (S->verbose)
            fprintf(stderr, "krait: slurm: %s (will retry)\n", err ? err->msg : "squeue failed");
        kr_error_clear(err);
        rc = KR_OK;
        S->interval = S->interval * SLURM_POLL_GROWTH > S->poll_max
                          ? S->poll_max : S->interval * SLURM_POLL_GROWTH;
        goto out;
    }
    S->fails = 0;
    if (status == 0) {
        for (line = strtok_r(out.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            struct kr_slurm_status st;
            struct sjob *j;
            char *f = line;
            double start = 0, end = 0;
            int cls;
            if (kr_slurm_parse_squeue_line(line, &st) != KR_OK)
                continue;
            j = find_ext(S, st.id);
            if (!j)
                continue;
            j->seen = S->gen;
            j->absent = 0;
            snprintf(j->plain, sizeof j->plain, "%s", st.plain_id);
            if (strcmp(j->last_state, st.state)) {
                snprintf(j->last_state, sizeof j->last_state, "%s", st.state);
                changed = true;
            }
            cls = kr_slurm_state_class(st.state);
            if (cls != KR_SLURM_FINAL)
                continue;
            for (int k = 0; k < 5 && f; k++) {   /* fields 6 and 7: start, end */
                f = strchr(f, '|');
                if (f)
                    f++;
            }
            if (f) {
                char t[64];
                size_t n = strcspn(f, "|");
                snprintf(t, sizeof t, "%.*s", (int)(n < 63 ? n : 63), f);
                start = parse_time(t);
                f = f[n] ? f + n + 1 : NULL;
                if (f) {
                    n = strcspn(f, "|");
                    snprintf(t, sizeof t, "%.*s", (int)(n < 63 ? n : 63), f);
                    end = parse_time(t);
                }
            }
            finish(S, j, &st, start, end);
        }
    }
    gone = kr_calloc(S->njobs, sizeof *gone);
    for (i = 0; i < S->njobs; i++) {
        struct sjob *j = &S->jobs[i];
        if (j->finished || j->seen == S->gen)
            continue;
        j->absent++;
        gone[ngone++] = j;
    }
    if (ngone) {
        found = kr_calloc(ngone, sizeof *found);
        have = kr_calloc(ngone, sizeof *have);
        bool answered = final_lookup(S, gone, ngone, found, have);
        for (i = 0; i < ngone; i++) {
            if (have[i])
                finish(S, gone[i], &found[i], 0, 0);
            else if (answered && gone[i]->absent >= 2)
                lost(S, gone[i], NULL);
            else
                continue;
            changed = true;
        }
    }
    if (changed)
        S->interval = S->poll_min;
    else
        S->interval = S->interval * SLURM_POLL_GROWTH > S->poll_max
                          ? S->poll_max : S->interval * SLURM_POLL_GROWTH;
out:
    S->next_query = kr_now() + S->interval;
    compact(S);
    kr_free(all);
    kr_free(gone);
    kr_free(found);
    kr_free(have);
    kr_free(ids);
    kr_buf_free(&out);
    kr_buf_free(&errout);
    return rc;
}

/* query() for the shared poll loop. */
static int query_cb(void *self, struct kr_error *err)
{
    return query(self, err);
}

static int slurm_poll(void *self, struct kr_exec_result *results, uint32_t max, uint32_t *n,
                      double timeout, struct kr_error *err)
{
    struct slurm *S = self;
    const struct kr_exec_pollsrc src = {S, query_cb, &S->done, &S->ndone, &S->njobs,
                                        &S->next_query};
    return kr_exec_remote_poll(&src, results, max, n, timeout, err);
}

/* ---- cancel, attach, shutdown --------------------------------------------------------- */

/* Run `scancel` with the ids collected in argv (after argv[0]); frees argv. */
static int run_scancel(struct slurm *S, struct kr_vec *argv, struct kr_error *err)
{
    struct kr_buf out = KR_BUF_INIT, errout = KR_BUF_INIT;
    int rc, status = 0;
    kr_vec_push(argv, NULL);
    S->n.scancel++;
    rc = run_cmd((char *const *)argv->items, &out, &errout, &status, err);
    if (rc == KR_OK && status != 0) {
        char msg[512];
        first_line(&errout, msg, sizeof msg);
        rc = kr_error_set(err, KR_EEXEC, "scancel failed (exit %d): %s", status, msg);
    }
    kr_vec_free(argv);
    kr_buf_free(&out);
    kr_buf_free(&errout);
    return rc;
}

static int slurm_cancel(void *self, const uint32_t *ids, uint32_t n, struct kr_error *err)
{
    struct slurm *S = self;
    struct kr_vec argv = KR_VEC_INIT;
    uint32_t i, k;
    int rc;

    kr_vec_push(&argv, "scancel");
    for (i = 0; i < S->njobs; i++) {
        struct sjob *j = &S->jobs[i];
        bool hit = n == 0;
        for (k = 0; k < n && !hit; k++)
            hit = ids[k] == j->id;
        if (!hit || j->cancelled || j->finished)
            continue;
        j->cancelled = true;
        kr_vec_push(&argv, j->ext);
    }
    if (argv.len == 1) {
        kr_vec_free(&argv);
        return KR_OK;
    }
    rc = run_scancel(S, &argv, err);
    /* report the cancellations soon */
    S->interval = S->poll_min;
    if (S->next_query > kr_now() + S->poll_min)
        S->next_query = kr_now() + S->poll_min;
    return rc;
}

static int slurm_cancel_ext(void *self, const char *const *ext_ids, uint32_t n,
                            struct kr_error *err)
{
    struct kr_vec argv = KR_VEC_INIT;
    uint32_t i;
    if (n == 0)
        return KR_OK;
    kr_vec_push(&argv, "scancel");
    for (i = 0; i < n; i++)
        kr_vec_push(&argv, (void *)ext_ids[i]);
    return run_scancel(self, &argv, err);
}

static int slurm_attach(void *self, const struct kr_exec_job *job, const char *ext_id,
                        struct kr_error *err)
{
    struct slurm *S = self;
    const char *p = ext_id;
    char *so;
    size_t nd = strspn(p, "0123456789");

    if (nd == 0 || nd > 20 || (p[nd] && (p[nd] != '_' || !p[nd + 1] ||
                                         strspn(p + nd + 1, "0123456789") != strlen(p + nd + 1))))
        return kr_error_set(err, KR_EUSAGE, "'%s' is not a SLURM job id (job %s)", ext_id,
                            job->name ? job->name : "?");
    if (strchr(ext_id, '_') || !job->log_path)
        so = kr_asprintf("%s/%s.out", S->dir, ext_id);
    else
        so = kr_strdup(job->log_path);
    track(S, job->id, ext_id, job->log_path, so);
    kr_free(so);
    S->interval = S->poll_min;
    S->next_query = 0;      /* ask SLURM at the next poll */
    return KR_OK;
}

static void write_stats(const struct slurm *S)
{
    FILE *f = fopen(S->stats_path, "w");
    if (!f) {
        fprintf(stderr, "krait: slurm: cannot write statistics to %s: %s\n", S->stats_path,
                strerror(errno));
        return;
    }
    fprintf(f, "sbatch %ld\nsqueue %ld\nsacct %ld\nscontrol %ld\nscancel %ld\n"
            "status_queries %ld\njobs_submitted %ld\nmin_query_gap_s %.3f\npoll_interval_s %.3f\n",
            S->n.sbatch, S->n.squeue, S->n.sacct, S->n.scontrol, S->n.scancel, S->n.queries,
            S->n.submitted, S->n.min_gap < 0 ? 0.0 : S->n.min_gap, S->poll_max);
    fclose(f);
}

static void slurm_shutdown(void *self)
{
    struct slurm *S = self;
    if (!S)
        return;
    if (S->stats_path)
        write_stats(S);
    slurm_free(S);
}

const struct kr_executor kr_executor_slurm = {
    .name = "slurm",
    .caps = KR_EXEC_CAP_REMOTE | KR_EXEC_CAP_ATTACH | KR_EXEC_CAP_ARRAYS | KR_EXEC_CAP_DETACH |
            KR_EXEC_CAP_SHARED_FS,
    .init = slurm_init,
    .submit = slurm_submit,
    .submit_many = slurm_submit_many,
    .poll = slurm_poll,
    .cancel = slurm_cancel,
    .attach = slurm_attach,
    .shutdown = slurm_shutdown,
    .cancel_ext = slurm_cancel_ext,
};
