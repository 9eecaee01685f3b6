/*
 * runner.c - the run loop (see runner.h for the sequence and semantics).
 *
 * Data: one `struct rjob` per dag job, indexed by job id. A job waits for
 * its dependencies through a counter (`waiting`) decremented when a
 * dependency finishes, so releasing dependents costs O(rdeps) and the whole
 * run O(jobs + edges). A job whose dependencies are done waits unprepared
 * in a pending queue (priority, then longest path); it is prepared
 * (kr_jobprep_job: job info, command) only when the scheduler has fewer
 * than `window` (cores + KR_SCHED_SCAN) prepared jobs waiting, into an
 * arena of its own freed when the attempt ends, so memory stays bounded by
 * the jobs running and about to run, not by the jobs ready. temp() inputs
 * are deleted when the last consumer that had to run has finished
 * (a pointer-keyed hash of remaining consumers).
 *
 * Journal order for each attempt: kr_state_job_begin (outputs marked
 * incomplete) -> executor submit -> kr_state_job_set_extid -> ... ->
 * kr_state_job_end. A krait killed between any two steps leaves the outputs
 * marked incomplete, so they are rerun (and partial files never accepted).
 */
#include "runner.h"
#include "container.h"
#include "shadow.h"
#include "executor.h"
#include "jobgroup.h"
#include "progress.h"
#include "signals.h"
#include "stage.h"
#include "stage-remote.h"
#include "storage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* R_PENDING: dependencies done, not prepared yet (in the pending queue);
 * R_READY: prepared and queued in the scheduler. */
enum { R_WAIT = 0, R_PENDING, R_READY, R_RUNNING, R_DONE, R_FAILED };

struct rjob {
    struct kr_job *job;
    struct kr_arena arena;
    bool has_arena;
    struct kr_prepared p;
    int attempt;
    int max_attempts;
    int64_t attempt_id;
    uint32_t waiting;
    uint8_t st;
    bool needs_run;
    bool attached;      /* re-adopted from an earlier krait (ex->attach) */
    bool service_stop;  /* a service krait stopped because its consumers are done */
    bool gcancel;       /* cancelled because a job of its group failed */
    bool unjournaled;   /* its external id could not be recorded (a full disk):
                           recorded again when it ends */
    double t0;
    struct kr_env env[2];
    char ext_id[64];
};

/* remaining consumers of temp() files */
struct tslot {
    struct kr_file *f;
    uint32_t left;
};

struct run {
    struct kr_workflow *wf;
    struct kr_dag *dag;
    struct kr_state *st;
    int64_t run_id;
    const struct kr_run_opts *o;
    const struct kr_executor *ex;
    void *exself;
    struct kr_sched *sched;
    struct kr_sched *pending;   /* ready, unprepared jobs, best first (only its queue is used) */
    uint32_t window;            /* at most this many prepared jobs wait in `sched` */
    bool noop;                  /* the executor runs nothing (KR_EXEC_CAP_NOOP) */
    bool presigned;             /* jobs stage their s3:// files themselves with
                                   presigned URLs (src/stage-remote.h) */
    bool isolated;              /* ... and do not see krait's file system (the
                                   executor lacks KR_EXEC_CAP_SHARED_FS):
                                   kr_exec_job.isolated */
    struct kr_progress *prog;
    struct kr_jobprep jp;
    struct rjob *rj;
    uint32_t nall;
    struct tslot *temps;
    uint32_t tcap;
    bool stopping;
    uint32_t nrunning;
    struct kr_buf failures;     /* summary lines */
    struct kr_run_stats *stats;
    char host[256];
    int fatal;                  /* executor/state failure code */
    struct kr_error fatal_err;
    struct kr_jgroups grp;      /* pipe and service groups, run together (src/jobgroup.h);
                                   none with a remote executor */
    uint32_t *gcount;           /* per group leader: members ready, then members unfinished */
    struct kr_vec svcwait;      /* services started whose output is not there yet (rjob *) */
};

static double wall_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* ---- temp() bookkeeping ------------------------------------------------ */

/* temp() files, and pipe() outputs: krait runs a pipe as an ordinary file,
 * removed once its consumer is done as Snakemake's named pipe is gone */
#define KR_F_TEMPISH (KR_F_TEMP | KR_F_PIPE)

static struct tslot *temp_slot(struct run *R, struct kr_file *f, bool add)
{
    uint32_t i;
    uintptr_t h = (uintptr_t)f;
    if (!R->tcap)
        return NULL;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15ull;
    for (i = (uint32_t)(h >> 20) & (R->tcap - 1);; i = (i + 1) & (R->tcap - 1)) {
        if (R->temps[i].f == f)
            return &R->temps[i];
        if (!R->temps[i].f) {
            if (!add)
                return NULL;
            R->temps[i].f = f;
            return &R->temps[i];
        }
    }
}

static void temp_init(struct run *R, struct kr_job **run, uint32_t nrun)
{
    uint32_t i, k, ntemp = 0;
    struct tslot *s;
    for (i = 0; i < nrun; i++)
        for (k = 0; k < run[i]->nin; k++)
            if (run[i]->in[k].flags & KR_F_TEMPISH || run[i]->infiles[k]->flags & KR_F_TEMPISH)
                ntemp++;
    if (!ntemp || R->o->notemp)
        return;
    R->tcap = 16;
    while (R->tcap < 2 * ntemp)
        R->tcap *= 2;
    R->temps = kr_calloc(R->tcap, sizeof *R->temps);
    for (i = 0; i < nrun; i++)
        for (k = 0; k < run[i]->nin; k++)
            if (run[i]->in[k].flags & KR_F_TEMPISH || run[i]->infiles[k]->flags & KR_F_TEMPISH) {
                /* count a job once per file even when it lists it twice */
                uint32_t m;
                bool dup = false;
                for (m = 0; m < k; m++)
                    dup |= run[i]->infiles[m] == run[i]->infiles[k];
                if (dup)
                    continue;
                s = temp_slot(R, run[i]->infiles[k], true);
                s->left++;
            }
}

/* Remove a temp() file no job of the run still needs (a remote one: its
 * object and its staged copy) and forget its provenance. */
static void temp_remove(struct run *R, struct kr_file *f)
{
    struct kr_error e;
    bool remote = R->o->storage && kr_storage_is_s3(f->path);
    if (kr_storage_remove(remote ? R->o->storage : kr_storage_local(), f->path, &e) != KR_OK) {
        if (remote)
            kr_progress_msg(R->prog, true, "krait: warning: cannot remove the temporary "
                            "output %s: %s", f->path, e.msg);
        return;
    }
    if (remote)
        kr_stage_forget(R->jp.stage_root, f->path);
    if (R->o->verbosity >= KR_PROGRESS_VERBOSE)
        kr_progress_msg(R->prog, false, "Removing temporary output %s.", f->path);
    kr_state_forget(R->st, f->path, NULL);
    kr_dag_restat(R->dag, f);
}

/* A consumer of `job`'s inputs finished (successfully): delete temp()
 * inputs nobody else still needs. */
static void temp_release(struct run *R, struct kr_job *job)
{
    uint32_t k, m;
    struct tslot *s;
    for (k = 0; k < job->nin; k++) {
        bool dup = false;
        for (m = 0; m < k; m++)
            dup |= job->infiles[m] == job->infiles[k];
        if (dup || !(s = temp_slot(R, job->infiles[k], false)) || s->left == 0)
            continue;
        if (--s->left > 0)
            continue;
        temp_remove(R, s->f);
    }
}

/* Snakemake's DAG.handle_temp for a job's own outputs: a temp() output that
 * no job of this run reads is removed as soon as its job is done - unless
 * the job is a target (the default rule's job excepted) or a checkpoint. */
static void temp_unread(struct run *R, struct kr_job *job)
{
    uint32_t k;
    if (R->o->notemp || R->noop || job->rule->checkpoint ||
        (job->is_target && job->rule != kr_dag_default_rule(R->wf)))
        return;
    for (k = 0; k < job->nout; k++)
        if ((job->out[k].flags & KR_F_TEMP) && !temp_slot(R, job->outfiles[k], false))
            temp_remove(R, job->outfiles[k]);
}

/* Snakemake's DAG.cleanup_workdir at the end of a run: the directory of an
 * input or output of a job this run ran that does not exist (a removed
 * temp() file, a consumed pipe, a failed job's output) is removed when
 * empty, and its parents while they are empty (os.removedirs); relative
 * paths only, never the working directory. Only the jobs that ran: the
 * files of the others were not touched, and a 100k-job plan that reran one
 * job must not stat every file again. */
static void cleanup_workdir(struct kr_job **ran, uint32_t nran)
{
    uint32_t i, k;
    char dir[PATH_MAX];
    for (i = 0; i < nran; i++) {
        struct kr_job *j = ran[i];
        for (k = 0; k < j->nin + j->nout; k++) {
            const char *p = k < j->nin ? j->in[k].path : j->out[k - j->nin].path;
            char *slash;
            struct stat sb;
            if (p[0] == '/' || strstr(p, "://") || strlen(p) >= sizeof dir ||
                !strchr(p, '/') || lstat(p, &sb) == 0)
                continue;
            strcpy(dir, p);
            while ((slash = strrchr(dir, '/')) != NULL) {
                *slash = '\0';
                if (!dir[0] || !strcmp(dir, ".") || !strcmp(dir, "..") || rmdir(dir) != 0)
                    break;
            }
        }
    }
}

/* What the job used, as the journal records it: the executor's figures,
 * or unknown (-1) when it reported none (res NULL, or all zero). */
static void usage(const struct kr_exec_result *res, struct kr_state_job_result *sr)
{
    bool known = res && (res->max_rss_kb > 0 || res->user_s > 0 || res->sys_s > 0);
    sr->cpu_s = known ? res->user_s + res->sys_s : -1;
    sr->max_rss_kb = known ? res->max_rss_kb : -1;
    sr->io_in = known ? res->io_in : -1;
    sr->io_out = known ? res->io_out : -1;
}

/* ---- messages ------------------------------------------------------------ */

/* Print the last `nlines` lines of a log file, indented. */
static void show_log_tail(struct run *R, const char *path, int nlines)
{
    char buf[65536], *p;
    if (!path)
        return;
    p = kr_file_tail(path, nlines, buf, sizeof buf);
    if (!p) {
        if (!errno)
            kr_progress_msg(R->prog, true, "    (log %s is empty)", path);
        return;
    }
    kr_progress_msg(R->prog, true, "    last lines of %s:", path);
    while (p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        kr_progress_msg(R->prog, true, "    | %s", p);
        p = nl ? nl + 1 : NULL;
    }
}

/* ---- preparation and release --------------------------------------------- */

static void attempt_free(struct rjob *j)
{
    if (j->has_arena) {
        kr_arena_free(&j->arena);
        j->has_arena = false;
    }
}

static void job_failed_final(struct run *R, struct rjob *j, const char *why);

/* A job's dependencies are done (or it is to be retried): queue it, not
 * yet prepared. Preparation waits until the job is near dispatch
 * (fill_ready), so a run with 10,000 ready jobs does not hold 10,000
 * prepared commands. */
static void make_ready(struct run *R, struct rjob *j)
{
    uint32_t id = j->job->id;
    attempt_free(j);
    j->st = R_PENDING;
    if (kr_jgroups_grouped(&R->grp, id)) {
        /* a group is queued, as its leader, once every member is ready */
        id = R->grp.lead[id];
        if (++R->gcount[id] < kr_jgroups_size(&R->grp, id))
            return;
        R->gcount[id] = 0;
        j = &R->rj[id];
    }
    kr_sched_push(R->pending, id, j->job->rule->priority, j->job->depth, 1, NULL, 0);
}

/* Threads a job takes from the scheduler (remote jobs use a slot, not cores). */
static int sched_threads(const struct run *R, const struct rjob *j)
{
    return (R->ex->caps & KR_EXEC_CAP_REMOTE) ? 1 : j->p.ej.threads;
}

/* Prepare attempt `attempt` of a job in a fresh arena. On failure the job
 * has failed for good (reported) and the result is not KR_OK. */
static int prepare(struct run *R, struct rjob *j, int attempt)
{
    struct kr_error e;
    uint32_t i;
    int rc;

    attempt_free(j);
    kr_arena_init(&j->arena);
    j->has_arena = true;
    j->attempt = attempt;
    kr_error_clear(&e);
    rc = kr_jobprep_job(&R->jp, j->job, j->attempt, &j->arena, &j->p, &e);
    if (rc != KR_OK) {
        char line[2048];
        kr_error_format(&e, line, sizeof line);
        j->p.desc = kr_jobprep_desc(j->job, &j->arena);
        job_failed_final(R, j, line);
        return rc;
    }
    for (i = 0; i < j->p.ej.nres; i++) {
        /* Snakemake (Rule.expand_resources): a resource named by --resources
         * has that constraint's type in every job */
        const struct kr_resource_kv *kv = &j->p.ej.res[i];
        uint32_t k;
        for (k = 0; kv->sval && k < R->o->nlimits; k++) {
            char *m;
            if (strcmp(R->o->limits[k].name, kv->name))
                continue;
            m = kr_asprintf("rule '%s': Resource %s is of type str but global resource "
                            "constraint defines an int with value %lld. Resources with the "
                            "same name need to have the same types (int, float, or str are "
                            "allowed).", j->job->rule->name, kv->name,
                            (long long)R->o->limits[k].total);
            job_failed_final(R, j, m);
            kr_free(m);
            return KR_EEXEC;
        }
    }
    if (j->max_attempts == 0)
        j->max_attempts = 1 + (j->p.info.retries >= 0 ? j->p.info.retries : R->o->retries);
    if (j->max_attempts < j->attempt)
        j->max_attempts = j->attempt;
    rc = kr_sched_check(R->sched, j->p.req, j->p.nreq, &e);
    if (rc != KR_OK) {
        char *m = kr_asprintf("Job needs more than available: %s", e.msg);
        job_failed_final(R, j, m);
        kr_free(m);
        return rc;
    }
    return KR_OK;
}

/* ---- pipe and service groups (src/jobgroup.h) ------------------------------------------ */

static void sched_done(struct run *R, struct rjob *j);

static bool has_service(const struct kr_job *job)
{
    uint32_t i;
    for (i = 0; i < job->nout; i++)
        if (job->out[i].flags & KR_F_SERVICE)
            return true;
    return false;
}

/* A job of the group led by `lead` failed or was cancelled (`who`, or NULL
 * when the run stops): cancel the others that run (a pipe's other end or a
 * service would wait forever) and fail those not started. Each member is
 * taken once. */
static void group_abort(struct run *R, uint32_t lead, const char *who)
{
    uint32_t n = kr_jgroups_size(&R->grp, lead), nrun = 0, id = lead;
    uint32_t *ids = kr_malloc(n * sizeof *ids);
    char *why = who ? kr_asprintf("not run: %s, of its pipe/service group, failed", who)
                    : kr_asprintf("not run: the run stopped before its pipe/service group "
                                  "was done");
    do {
        struct rjob *m = &R->rj[id];
        if (!m->gcancel) {
            m->gcancel = true;
            if (m->st == R_RUNNING) {
                ids[nrun++] = id;
            } else if (m->st == R_READY || m->st == R_PENDING) {
                bool started = m->st == R_READY && R->gcount[lead] > 0;
                job_failed_final(R, m, why);
                if (started)
                    sched_done(R, m);
            }
        }
        id = R->grp.next[id];
    } while (id != lead);
    if (nrun)
        R->ex->cancel(R->exself, ids, nrun, NULL);
    kr_free(why);
    kr_free(ids);
}

/* After a job of a group ended: when only services still run, stop them
 * (SIGTERM, as Snakemake's GroupJob does); their end counts as success. */
static void stop_services(struct run *R, uint32_t lead)
{
    uint32_t n = 0, id = lead;
    uint32_t *ids;
    do {
        const struct rjob *m = &R->rj[id];
        if ((m->st == R_RUNNING || m->st == R_READY) && !has_service(m->job))
            return;
        id = R->grp.next[id];
    } while (id != lead);
    ids = kr_malloc(kr_jgroups_size(&R->grp, lead) * sizeof *ids);
    do {
        struct rjob *m = &R->rj[id];
        if (m->st == R_RUNNING && !m->service_stop && !m->gcancel) {
            m->service_stop = true;
            ids[n++] = id;
            kr_progress_msg(R->prog, false, "stopping %s: the jobs that use its service "
                            "are done", m->p.desc);
        }
        id = R->grp.next[id];
    } while (id != lead);
    if (n)
        R->ex->cancel(R->exself, ids, n, NULL);
    kr_free(ids);
}

/* The last job of a group ended: its pipes and services are gone (Snakemake's
 * GroupJob.postprocess removes them). */
static void group_end(struct run *R, uint32_t lead)
{
    struct kr_error e;
    uint32_t id = lead, i;
    if (R->noop)
        return;
    do {
        const struct kr_job *job = R->rj[id].job;
        for (i = 0; i < job->nout; i++) {
            if (!(job->out[i].flags & (KR_F_PIPE | KR_F_SERVICE)))
                continue;
            kr_storage_remove(kr_storage_local(), job->out[i].path, &e);
            kr_dag_restat(R->dag, job->outfiles[i]);
        }
        id = R->grp.next[id];
    } while (id != lead);
}

/* A job popped from the scheduler is done with what it reserved. A group
 * holds one reservation (its leader's) until its last job ends. */
static void sched_done(struct run *R, struct rjob *j)
{
    uint32_t id = j->job->id;
    if (!kr_jgroups_grouped(&R->grp, id)) {
        kr_sched_release(R->sched, id);
        return;
    }
    id = R->grp.lead[id];
    if (R->gcount[id] == 0 || --R->gcount[id] > 0)
        return;
    kr_sched_release(R->sched, id);
    group_end(R, id);
}

/* Prepare every job of the group led by `lead` and queue the group as one
 * request for the sum of its jobs' threads and resources (they run at the
 * same time). A job that cannot be prepared fails the group. Retries do not
 * apply inside a group. */
static void ready_group(struct run *R, uint32_t lead)
{
    struct rjob *L = &R->rj[lead], *m;
    struct kr_sched_req *req;
    struct kr_error e;
    uint32_t id = lead, k, q, nreq = 0, cap = 0;
    int threads = 0;

    do {
        m = &R->rj[id];
        if (prepare(R, m, m->attempt + 1) != KR_OK) {
            group_abort(R, lead, m->p.desc ? m->p.desc : m->job->rule->name);
            return;
        }
        m->max_attempts = m->attempt;
        m->st = R_READY;
        cap += m->p.nreq;
        id = R->grp.next[id];
    } while (id != lead);
    req = kr_arena_zalloc(&L->arena, (cap ? cap : 1) * sizeof *req);
    do {
        m = &R->rj[id];
        threads += sched_threads(R, m);
        for (k = 0; k < m->p.nreq; k++) {
            for (q = 0; q < nreq && strcmp(req[q].name, m->p.req[k].name) != 0; q++)
                ;
            if (q == nreq)
                req[nreq++] = m->p.req[k];
            else
                req[q].amount += m->p.req[k].amount;
        }
        id = R->grp.next[id];
    } while (id != lead);
    if (kr_sched_check(R->sched, req, nreq, &e) != KR_OK) {
        char *msg = kr_asprintf("the jobs of its group run at the same time and need "
                                "together more than available: %s", e.msg);
        job_failed_final(R, L, msg);
        kr_free(msg);
        return;
    }
    kr_sched_push(R->sched, lead, L->job->rule->priority, L->job->depth, threads, req, nreq);
}

/* Producers first: a pipe exists (a FIFO made before its producer starts)
 * before its consumer opens it. */
static int by_depth_desc(const void *a, const void *b)
{
    const struct rjob *x = *(struct rjob *const *)a, *y = *(struct rjob *const *)b;
    if (x->job->depth != y->job->depth)
        return x->job->depth > y->job->depth ? -1 : 1;
    return x->job->id < y->job->id ? -1 : x->job->id > y->job->id;
}

static bool begin_submit(struct run *R, struct rjob *j);
static void submit_one(struct run *R, struct rjob *j);

/* Whether job `c` of a group waits for job `d` of the same group to end: it
 * uses an ordinary output of d, not a pipe or service of it (those two run
 * at the same time). */
static bool waits_in_group(const struct kr_job *d, const struct kr_job *c)
{
    uint32_t m;
    bool uses = false;
    for (m = 0; m < c->nin; m++) {
        const struct kr_file *f = c->infiles[m];
        if (f->producer != d)
            continue;
        if (f->flags & (KR_F_PIPE | KR_F_SERVICE))
            return false;
        uses = true;
    }
    return uses;
}

/* Whether job c reads a service() output of job d. */
static bool reads_service(const struct kr_job *d, const struct kr_job *c)
{
    uint32_t m;
    for (m = 0; m < c->nin; m++)
        if (c->infiles[m]->producer == d && (c->infiles[m]->flags & KR_F_SERVICE))
            return true;
    return false;
}

/* Start job m of a started group, or when the run stops, give up the group. */
static void start_member(struct run *R, struct rjob *m)
{
    if (R->stopping)
        group_abort(R, R->grp.lead[m->job->id], NULL);
    else if (begin_submit(R, m))
        submit_one(R, m);
}

/* Service `svc` is up (its outputs exist) or has ended: the jobs of its
 * group that use it and wait for nothing else start. */
static void service_up(struct run *R, struct rjob *svc)
{
    uint32_t id = svc->job->id;
    for (id = R->grp.next[id]; id != svc->job->id; id = R->grp.next[id]) {
        struct rjob *c = &R->rj[id];
        if (c->st == R_READY && c->waiting > 0 && reads_service(svc->job, c->job) &&
            --c->waiting == 0)
            start_member(R, c);
    }
}

/* Once per turn of the run loop: the services whose outputs have appeared
 * (lstat: a socket or a symlink to a device counts) let their consumers
 * start, as Snakemake's documentation has a service create its output. */
static void check_services(struct run *R)
{
    uint32_t i = 0, k;
    struct stat sb;
    while (i < R->svcwait.len) {
        struct rjob *svc = R->svcwait.items[i];
        bool up = svc->st != R_RUNNING;
        if (!up) {
            up = true;
            for (k = 0; k < svc->job->nout && up; k++)
                if (svc->job->out[k].flags & KR_F_SERVICE)
                    up = lstat(svc->job->out[k].path, &sb) == 0;
        }
        if (!up) {
            i++;
            continue;
        }
        R->svcwait.items[i] = R->svcwait.items[--R->svcwait.len];
        service_up(R, svc);
    }
}

/* Start every job of the group led by `lead` (popped from the scheduler)
 * that does not wait for another job of the group; `waiting` counts, from
 * here on, the jobs of its group a job waits for, to end or (a service) to
 * make its output: release_dependents and check_services start it then. */
static void start_group(struct run *R, uint32_t lead)
{
    uint32_t n = kr_jgroups_size(&R->grp, lead), i = 0, k, id = lead;
    struct rjob **ms = kr_malloc(n * sizeof *ms);
    do {
        struct rjob *m = &R->rj[id];
        m->waiting = 0;
        for (k = 0; k < m->job->ndeps; k++)
            if (kr_jgroups_same(&R->grp, id, m->job->deps[k]->id) &&
                (waits_in_group(m->job->deps[k], m->job) ||
                 (!R->noop && reads_service(m->job->deps[k], m->job))))
                m->waiting++;
        ms[i++] = m;
        id = R->grp.next[id];
    } while (id != lead);
    qsort(ms, n, sizeof *ms, by_depth_desc);
    R->gcount[lead] = n;
    for (i = 0; i < n; i++) {
        if (ms[i]->st == R_READY && ms[i]->waiting == 0 && begin_submit(R, ms[i]))
            submit_one(R, ms[i]);
        if (!R->noop && ms[i]->st == R_RUNNING && has_service(ms[i]->job))
            kr_vec_push(&R->svcwait, ms[i]);
    }
    kr_free(ms);
}

/* Prepare the best pending jobs and hand them to the scheduler, keeping at
 * most R->window prepared jobs waiting there. */
static void fill_ready(struct run *R)
{
    struct rjob *j;
    uint32_t id;
    while (!R->stopping && kr_sched_nready(R->sched) < R->window &&
           kr_sched_pop(R->pending, &id) == KR_OK) {
        kr_sched_release(R->pending, id);
        j = &R->rj[id];
        if (kr_jgroups_grouped(&R->grp, id)) {
            ready_group(R, id);
            continue;
        }
        if (prepare(R, j, j->attempt + 1) != KR_OK)
            continue;
        j->st = R_READY;
        kr_sched_push(R->sched, j->job->id, j->job->rule->priority, j->job->depth,
                      sched_threads(R, j), j->p.req, j->p.nreq);
    }
}

static void release_dependents(struct run *R, struct rjob *j)
{
    uint32_t i;
    struct rjob *d;
    for (i = 0; i < j->job->nrdeps; i++) {
        d = &R->rj[j->job->rdeps[i]->id];
        if (kr_jgroups_same(&R->grp, j->job->id, d->job->id)) {
            /* a job of a started group that waited for this one */
            if (d->st != R_READY || d->waiting == 0 || !waits_in_group(j->job, d->job) ||
                --d->waiting > 0)
                continue;
            start_member(R, d);
            continue;
        }
        if (!d->needs_run || d->st != R_WAIT || d->waiting == 0)
            continue;
        if (--d->waiting == 0 && !(R->stopping))
            make_ready(R, d);
    }
}

/* Count a job (and, transitively, nothing else: dependents simply never
 * become ready) as failed for good. */
static void job_failed_final(struct run *R, struct rjob *j, const char *why)
{
    j->st = R_FAILED;
    R->stats->failed++;
    kr_progress_failed(R->prog, j->p.desc ? j->p.desc : j->job->rule->name, why, false);
    kr_buf_printf(&R->failures, "    %s: %s", j->p.desc ? j->p.desc : j->job->rule->name, why);
    if (j->p.ej.log_path)
        kr_buf_printf(&R->failures, " (log: %s)", j->p.ej.log_path);
    kr_buf_putc(&R->failures, '\n');
    if (!R->o->keep_going)
        R->stopping = true;
    if (kr_jgroups_grouped(&R->grp, j->job->id) && !j->gcancel) {
        j->gcancel = true;
        group_abort(R, R->grp.lead[j->job->id], j->p.desc ? j->p.desc : j->job->rule->name);
    }
    attempt_free(j);
}

/* ---- submission ---------------------------------------------------------------- */

/* Is the directory entry `path` outside the workflow directory (the current
 * directory), or the workflow directory itself? Symlinks among its parent
 * directories are followed; its last component is not (removing a symlink
 * removes only the link). False when its parent does not exist (then there
 * is nothing to remove). */
static bool outside_workflow_dir(const char *path)
{
    char cwd[PATH_MAX], buf[PATH_MAX], dir[PATH_MAX], full[PATH_MAX + 2];
    const char *parent, *base;
    char *slash;
    size_t n;
    if (!getcwd(cwd, sizeof cwd) || snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return true;
    n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    slash = strrchr(buf, '/');
    if (slash) {
        *slash = '\0';
        parent = buf[0] ? buf : "/";
        base = slash + 1;
    } else {
        parent = ".";
        base = buf;
    }
    if (!strcmp(base, ".") || !strcmp(base, "..") || !base[0]) {
        if (!realpath(path, full))
            return false;
    } else {
        if (!realpath(parent, dir))
            return false;
        snprintf(full, sizeof full, "%s/%s", strcmp(dir, "/") ? dir : "", base);
    }
    n = strcmp(cwd, "/") ? strlen(cwd) : 0;
    return strncmp(full, cwd, n) != 0 || full[n] != '/' || full[n + 1] == '\0';
}

/* Where the previous version of an update() output is kept while its job
 * runs (restored if the job fails, as Snakemake does). */
static const char *update_copy(struct run *R, struct rjob *j, uint32_t i)
{
    const char *p = j->job->out[i].path;
    return kr_arena_printf(&j->arena, "%s/update/%016llx", R->jp.state_dir,
                           (unsigned long long)kr_hash64(p, strlen(p)));
}

/* After a failure: remove the job's outputs (as Snakemake does), except that
 * a directory outside the workflow directory is never deleted recursively:
 * it is left in place with a warning. */
static void remove_outputs(struct run *R, struct rjob *j)
{
    uint32_t i;
    struct kr_error e;
    struct stat sb;
    for (i = 0; i < j->job->nout; i++) {
        const char *path = j->p.lout ? j->p.lout[i] : j->job->out[i].path;
        if (path != j->job->out[i].path)
            kr_stage_forget(R->jp.stage_root, j->job->out[i].path);
        if (j->job->out[i].flags & KR_F_UPDATE) {
            /* update(): the previous version comes back */
            const char *copy = update_copy(R, j, i);
            if (lstat(copy, &sb) == 0) {
                kr_storage_remove(kr_storage_local(), path, &e);
                if (rename(copy, path) != 0)
                    kr_progress_msg(R->prog, true, "krait: warning: cannot restore %s from "
                                    "%s: %s", path, copy, strerror(errno));
                kr_dag_restat(R->dag, j->job->outfiles[i]);
                continue;
            }
        }
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && outside_workflow_dir(path)) {
            kr_progress_msg(R->prog, true, "krait: warning: left the output directory %s of "
                            "the failed job in place: it is outside the workflow directory, "
                            "and krait never deletes recursively there (remove it yourself "
                            "if it is incomplete)", path);
            continue;
        }
        kr_storage_remove(kr_storage_local(), path, &e);
        kr_dag_restat(R->dag, j->job->outfiles[i]);
    }
}

/* Before a job runs: refuse protected outputs, remove old outputs, logs and
 * benchmark, make their directories. Returns NULL or a message (arena). */
static const char *prepare_fs(struct run *R, struct rjob *j)
{
    struct kr_prepared *p = &j->p;
    struct kr_error e;
    struct stat sb;
    uint32_t i;
    for (i = 0; i < j->job->nout; i++) {
        const char *path = p->lout[i];     /* a remote output: its staged copy */
        if (path != j->job->out[i].path)
            kr_stage_forget(R->jp.stage_root, j->job->out[i].path);
        else if ((j->job->out[i].flags & KR_F_PROTECTED) && lstat(path, &sb) == 0)
            return kr_arena_printf(&j->arena, "write-protected output exists: %s "
                                   "(remove it to rerun the job)", path);
        if (j->job->out[i].flags & KR_F_UPDATE) {
            /* update(): modified in place; a copy is kept until the job ends */
            const char *copy = update_copy(R, j, i);
            if (kr_storage_remove(kr_storage_local(), copy, &e) != KR_OK ||
                (lstat(path, &sb) == 0 &&
                 (kr_mkdirs_parent(copy, &e) != KR_OK || kr_copy_tree(path, copy, &e) != KR_OK)))
                return kr_arena_printf(&j->arena, "cannot keep a copy of the update() output "
                                       "%s: %s", path, e.msg);
            if (kr_mkdirs_parent(path, NULL) != KR_OK)
                return kr_arena_printf(&j->arena, "cannot create the directory of %s: %s",
                                       path, strerror(errno));
            continue;
        }
        if (kr_storage_remove(kr_storage_local(), path, &e) != KR_OK)
            return kr_arena_printf(&j->arena, "cannot remove old output: %s", e.msg);
        kr_dag_restat(R->dag, j->job->outfiles[i]);
        if (kr_mkdirs_parent(path, NULL) != KR_OK)
            return kr_arena_printf(&j->arena, "cannot create the directory of %s: %s", path,
                                   strerror(errno));
        /* a pipe of a group: the FIFO its producer writes and its consumer
         * reads at the same time (Snakemake's _IOFile.prepare) */
        if ((j->job->out[i].flags & KR_F_PIPE) && kr_jgroups_grouped(&R->grp, j->job->id) &&
            mkfifo(path, 0666) != 0)
            return kr_arena_printf(&j->arena, "cannot make the pipe %s: %s", path,
                                   strerror(errno));
    }
    for (i = 0; i < p->nlogs; i++) {
        unlink(p->logs[i]);
        if (kr_mkdirs_parent(p->logs[i], NULL) != KR_OK)
            return kr_arena_printf(&j->arena, "cannot create the directory of %s: %s",
                                   p->logs[i], strerror(errno));
    }
    if (p->ej.log_path && kr_mkdirs_parent(p->ej.log_path, NULL) != KR_OK)
        return kr_arena_printf(&j->arena, "cannot create the directory of %s: %s",
                               p->ej.log_path, strerror(errno));
    if (p->ej.benchmark_path) {
        unlink(p->ej.benchmark_path);
        if (kr_mkdirs_parent(p->ej.benchmark_path, NULL) != KR_OK)
            return kr_arena_printf(&j->arena, "cannot create the directory of %s: %s",
                                   p->ej.benchmark_path, strerror(errno));
    }
    if (p->shadow_dir) {
        const char **ins = kr_arena_zalloc(&j->arena, (j->job->nin + 1) * sizeof *ins);
        for (i = 0; i < j->job->nin; i++)
            ins[i] = j->job->in[i].path;
        if (kr_shadow_setup(p->shadow_mode, p->shadow_dir, R->jp.state_dir, ins, j->job->nin,
                            p->lout, j->job->nout, p->logs, p->nlogs, &e) != KR_OK)
            return kr_arena_printf(&j->arena, "cannot prepare the shadow directory %s: %s",
                                   p->shadow_dir, e.msg);
    }
    return NULL;
}

/* After a shadowed job: move its outputs (on success) and logs back, remove
 * the shadow directory (kept after a failure with --keep-incomplete). */
static const char *unshadow(struct run *R, struct rjob *j, bool success)
{
    struct kr_prepared *p = &j->p;
    struct kr_error e;
    bool keep = !success && R->o->keep_incomplete;
    if (!p->shadow_dir || R->noop)
        return NULL;
    if (kr_shadow_finish(p->shadow_dir, success, keep, p->lout, j->job->nout, p->logs,
                         p->nlogs, &e) != KR_OK)
        return kr_arena_printf(&j->arena, "cannot move the outputs out of the shadow "
                               "directory: %s", e.msg);
    if (keep)
        kr_progress_msg(R->prog, true, "krait: kept the shadow directory %s of the failed "
                        "job (--keep-incomplete)", p->shadow_dir);
    p->shadow_dir = NULL;
    return NULL;
}

/* The progress of a job's S3 transfers on the progress line, while it
 * lasts (transfers run in krait's loop: a long one shows what it moves). */
struct xfer_meter {
    struct run *R;
    char what[200];
};

static void on_meter(void *ud, int64_t done, int64_t total)
{
    struct xfer_meter *m = ud;
    kr_progress_transfer(m->R->prog, m->what, done, total);
}

static void meter_on(struct run *R, struct xfer_meter *m, const char *verb, unsigned n,
                     const char *noun, const char *desc)
{
    m->R = R;
    snprintf(m->what, sizeof m->what, "%s %u %s%s of %s", verb, n, noun, n == 1 ? "" : "s",
             desc);
    kr_storage_s3_meter(R->o->storage, on_meter, m);
}

static void meter_off(struct run *R)
{
    kr_storage_s3_meter(R->o->storage, NULL, NULL);
    kr_progress_transfer_end(R->prog);
}

/* Before a job runs: fetch its s3:// inputs into the cache (in parallel;
 * unchanged cached copies are reused). NULL or a message (arena). */
static const char *fetch_inputs(struct run *R, struct rjob *j)
{
    const char **paths = kr_arena_zalloc(&j->arena, (j->job->nin + 1) * sizeof *paths);
    struct kr_error e;
    uint32_t i;
    for (i = 0; i < j->job->nin; i++)
        paths[i] = j->job->in[i].path;
    kr_error_clear(&e);
    if (R->o->verbosity >= KR_PROGRESS_VERBOSE)
        kr_progress_msg(R->prog, false, "Fetching %u remote input%s of %s", j->p.nremote_in,
                        j->p.nremote_in == 1 ? "" : "s", j->p.desc);
    {
        struct xfer_meter m;
        int rc;
        meter_on(R, &m, "downloading", j->p.nremote_in, "input", j->p.desc);
        rc = kr_stage_fetch(R->o->storage, R->jp.stage_root, paths, j->job->nin, &e);
        meter_off(R);
        if (rc != KR_OK)
            return kr_arena_printf(&j->arena, "cannot fetch an input from S3: %s", e.msg);
    }
    return NULL;
}

/* Before a job runs under presigned staging: presign its s3:// inputs and
 * outputs and wrap its command into the script that transfers them
 * (*wrapped; the command itself when it has no remote path). NULL or a
 * message (arena). */
static const char *wrap_presigned(struct run *R, struct rjob *j, const char **wrapped)
{
    struct kr_job *job = j->job;
    const char **ins = kr_arena_zalloc(&j->arena, (job->nin + 1) * sizeof *ins);
    bool *touch = kr_arena_zalloc(&j->arena, (job->nout + 1) * sizeof *touch);
    bool *isdir = kr_arena_zalloc(&j->arena, (job->nout + 1) * sizeof *isdir);
    struct kr_error e;
    uint32_t i;
    for (i = 0; i < job->nin; i++) {
        ins[i] = job->in[i].path;
        /* the job may replace the cached copy: no record may claim it */
        kr_stage_unrecord(R->jp.stage_root, ins[i]);
    }
    for (i = 0; i < job->nout; i++) {
        touch[i] = (job->out[i].flags & KR_F_TOUCH) != 0;
        isdir[i] = (job->out[i].flags & KR_F_DIRECTORY) != 0;
    }
    kr_error_clear(&e);
    if (kr_stage_remote_wrap(R->o->storage, R->jp.stage_root, j->p.ej.command, ins, job->nin,
                             j->p.ej.outputs, touch, isdir, j->p.ej.noutputs,
                             j->p.ej.runtime_min,
                             (const char *const *)j->p.logs, j->p.nlogs, R->isolated,
                             &j->arena, wrapped, &e) != KR_OK)
        return kr_arena_printf(&j->arena, "cannot presign the job's S3 objects: %s", e.msg);
    if (R->o->verbosity >= KR_PROGRESS_VERBOSE)
        kr_progress_msg(R->prog, false, "%s stages %u remote input%s and %u output%s itself "
                        "(presigned URLs valid %ld s)", j->p.desc, j->p.nremote_in,
                        j->p.nremote_in == 1 ? "" : "s", j->p.nremote_out,
                        j->p.nremote_out == 1 ? "" : "s",
                        kr_stage_remote_expiry(j->p.ej.runtime_min));
    return NULL;
}

/* Before an isolated job runs (presigned staging where jobs do not see
 * krait's file system): every input and output must be in S3, since the job
 * cannot read or leave a local file. NULL or a message (arena). Its log and
 * benchmark files may be local: the executor brings them back. */
static const char *check_isolated(struct run *R, struct rjob *j)
{
    const struct kr_job *job = j->job;
    const char *what = NULL, *path = NULL;
    uint32_t i;
    for (i = 0; i < job->nin && !path; i++)
        if (!kr_storage_is_s3(job->in[i].path))
            what = "input", path = job->in[i].path;
    for (i = 0; i < job->nout && !path; i++)
        if (!kr_storage_is_s3(job->out[i].path))
            what = "output", path = job->out[i].path;
    if (!path)
        return NULL;
    return kr_arena_printf(&j->arena, "its %s %s is a local file, but jobs of the %s executor "
                           "do not see krait's file system under presigned staging: give it "
                           "an s3:// path (or use --default-storage s3://BUCKET/PREFIX), or "
                           "run with --storage-staging shared where the jobs share krait's "
                           "working directory", what, path, R->ex->name);
}

/* Whether any input or output of the jobs to run is in S3. */
static bool any_remote(struct kr_job *const *jobs, uint32_t n)
{
    uint32_t i, k;
    for (i = 0; i < n; i++) {
        for (k = 0; k < jobs[i]->nin; k++)
            if (kr_storage_is_s3(jobs[i]->in[k].path))
                return true;
        for (k = 0; k < jobs[i]->nout; k++)
            if (kr_storage_is_s3(jobs[i]->out[k].path))
                return true;
    }
    return false;
}

/* After a presigned job succeeded: its s3:// outputs must be in S3 (one
 * HEAD each; the inventory learns them). NULL or a message (arena). */
static const char *verify_presigned(struct run *R, struct rjob *j)
{
    struct kr_error e;
    kr_error_clear(&e);
    bool *isdir = kr_arena_zalloc(&j->arena, (j->job->nout + 1) * sizeof *isdir);
    uint32_t i;
    for (i = 0; i < j->job->nout; i++)
        isdir[i] = (j->job->out[i].flags & KR_F_DIRECTORY) != 0;
    {
        struct xfer_meter m;
        int rc;
        meter_on(R, &m, "checking", j->p.nremote_out, "output", j->p.desc);
        rc = kr_stage_remote_verify(R->o->storage, R->jp.stage_root, j->p.ej.outputs, isdir,
                                    j->p.ej.noutputs, &e);
        meter_off(R);
        if (rc != KR_OK)
            return kr_arena_printf(&j->arena, "%s", e.msg);
    }
    return NULL;
}

/* After a job succeeded: upload its s3:// outputs from their staged
 * copies. NULL or a message (arena); then nothing is recorded and the
 * job fails (an upload that failed left no object under its key). */
static const char *push_outputs(struct run *R, struct rjob *j)
{
    struct kr_error e;
    kr_error_clear(&e);
    if (R->o->verbosity >= KR_PROGRESS_VERBOSE)
        kr_progress_msg(R->prog, false, "Uploading %u remote output%s of %s",
                        j->p.nremote_out, j->p.nremote_out == 1 ? "" : "s", j->p.desc);
    {
        struct xfer_meter m;
        int rc;
        meter_on(R, &m, "uploading", j->p.nremote_out, "output", j->p.desc);
        rc = kr_stage_push(R->o->storage, R->jp.stage_root, j->p.ej.outputs,
                           j->p.ej.noutputs, &e);
        meter_off(R);
        if (rc != KR_OK)
            return kr_arena_printf(&j->arena, "%s", e.msg);
    }
    return NULL;
}

/* After a job succeeded: upload its s3:// log: and benchmark: files from
 * their staged copies - by krait, also under presigned staging (they are
 * written where krait runs: the executor's log, the benchmark record) -
 * those that exist (a job need not write its log). NULL or a message. */
static const char *push_extra(struct run *R, struct rjob *j)
{
    const char **paths = kr_arena_zalloc(&j->arena, (j->p.nrextra + 1) * sizeof *paths);
    struct kr_error e;
    struct stat sb;
    uint32_t i, n = 0;
    for (i = 0; i < j->p.nrextra; i++)
        if (stat(kr_stage_local_path(R->jp.stage_root, j->p.rextra[i], &j->arena), &sb) == 0)
            paths[n++] = j->p.rextra[i];
    kr_error_clear(&e);
    if (n && kr_stage_push(R->o->storage, R->jp.stage_root, paths, n, &e) != KR_OK)
        return kr_arena_printf(&j->arena, "uploading a log or benchmark file: %s", e.msg);
    return NULL;
}

static void finish_success(struct run *R, struct rjob *j, const struct kr_exec_result *res);
/* A failed job on a full file system often leaves no trace: its log could
 * not be written either. Before its outputs are removed (which frees the
 * space again), look at the file systems of its outputs and its log: when
 * one has no block or no inode left for this user, return a note naming the
 * file (caller frees), else NULL. */
static char *disk_full_note(const struct rjob *j)
{
    const char *paths[8];
    size_t np = 0, i;
    for (i = 0; i < j->job->nout && np < 7; i++)
        paths[np++] = j->job->outfiles[i]->path;
    if (j->p.ej.log_path)
        paths[np++] = j->p.ej.log_path;
    for (i = 0; i < np; i++) {
        char dir[PATH_MAX];
        const char *slash = strrchr(paths[i], '/');
        struct statvfs vf;
        if (strstr(paths[i], "://"))
            continue;                                   /* remote storage */
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - paths[i] + (slash == paths[i])),
                     paths[i]);
        if (statvfs(dir, &vf) != 0)
            continue;
        if (vf.f_blocks > 0 && vf.f_bavail == 0)
            return kr_asprintf("no space left on device (the file system of %s is full)",
                               paths[i]);
        if (vf.f_files > 0 && vf.f_favail == 0)
            return kr_asprintf("no space left on device (the file system of %s has no free "
                               "inodes)", paths[i]);
    }
    return NULL;
}

static void handle_failure(struct run *R, struct rjob *j, int state, const char *detail,
                           int exit_code, const struct kr_exec_result *res);

/*
 * Everything before handing a popped job to the executor: a job without a
 * command is done at once; otherwise its file system is prepared and the
 * attempt journaled (kr_state_job_begin). Returns true when the job is to
 * be submitted; false when it was finished or failed here (its scheduler
 * slot given back).
 */
/* The first shell descriptor a pipe's producer holds its FIFO on. */
#define KR_PIPE_FD 57

/*
 * A pipe's producer holds its FIFO open for writing from its start to its
 * end (`exec 57>FIFO`, which also waits for the consumer to open it): a
 * command that opens it several times, as Snakemake's documented
 * `for ...; do echo ... >> {output}; done` does, then never lets its
 * consumer see an end of file between two opens (after which the next open
 * would wait forever for a reader). The consumer sees the end of the pipe
 * when the producer ends.
 */
static void hold_pipes(struct rjob *j)
{
    struct kr_buf b = KR_BUF_INIT;
    int fd = KR_PIPE_FD;
    uint32_t i;
    for (i = 0; i < j->job->nout; i++) {
        if (!(j->job->out[i].flags & KR_F_PIPE))
            continue;
        kr_buf_printf(&b, "exec %d>", fd++);
        kr_buf_put_squoted(&b, j->p.lout[i]);
        kr_buf_puts(&b, " || exit 1; ");  /* one line: the command's line numbers hold */
    }
    if (!b.len)
        return;
    kr_buf_puts(&b, j->p.ej.command);
    j->p.ej.command = kr_arena_strdup(&j->arena, kr_buf_cstr(&b));
    kr_buf_free(&b);
}

static bool begin_submit(struct run *R, struct rjob *j)
{
    struct kr_state_job sj;
    char why[1024];
    struct kr_error e;
    const char *msg, *gpus, *wrapped = NULL;
    int rc;

    j->st = R_RUNNING;
    j->t0 = kr_now();
    j->attempt_id = 0;
    R->nrunning++;
    kr_progress_start(R->prog, j->p.desc);
    if (!j->p.ej.command) {
        /* a rule without shell/script/run: nothing to execute; its log:
         * files are still created (empty), as Snakemake does */
        struct kr_exec_result res;
        uint32_t i;
        for (i = 0; !R->noop && i < j->p.nlogs; i++) {
            int fd;
            if (kr_mkdirs_parent(j->p.logs[i], NULL) != KR_OK)
                continue;
            fd = open(j->p.logs[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
            if (fd >= 0)
                close(fd);
        }
        memset(&res, 0, sizeof res);
        res.id = j->job->id;
        res.start = res.end = wall_now();
        R->nrunning--;
        finish_success(R, j, &res);
        sched_done(R, j);
        return false;
    }
    msg = R->noop ? NULL : prepare_fs(R, j);
    if (!msg && R->isolated)
        msg = check_isolated(R, j);
    j->p.ej.isolated = R->isolated;
    if (!msg && !R->noop && R->presigned && (j->p.nremote_in || j->p.nremote_out))
        msg = wrap_presigned(R, j, &wrapped);
    else if (!msg && !R->noop && j->p.nremote_in)
        msg = fetch_inputs(R, j);
    if (msg) {
        R->nrunning--;
        job_failed_final(R, j, msg);
        sched_done(R, j);
        return false;
    }
    if (j->p.info.message && R->o->verbosity >= KR_PROGRESS_NORMAL)
        kr_progress_msg(R->prog, false, "%s", j->p.info.message);
    if (R->o->printshell || R->o->verbosity >= KR_PROGRESS_VERBOSE)
        kr_progress_msg(R->prog, false, "%s:\n    %s", j->p.desc, j->p.ej.command);
    if (wrapped)
        j->p.ej.command = wrapped;  /* holds presigned URLs: never printed */
    if (!R->noop && kr_jgroups_grouped(&R->grp, j->job->id))
        hold_pipes(j);

    j->p.ej.nenv = 0;
    if (!R->noop) {
        memset(&sj, 0, sizeof sj);
        sj.job_id = j->job->id;
        sj.rule = j->job->rule->name;
        sj.name = j->p.ej.name;
        sj.wc = &j->job->wc;
        sj.outputs = j->p.ej.outputs;
        sj.noutputs = j->p.ej.noutputs;
        sj.attempt = j->attempt;
        sj.executor = R->ex->name;
        sj.log_path = j->p.ej.log_path;
        if (j->job->reason != KR_REASON_NONE) {
            snprintf(why, sizeof why, "%s%s%s", kr_reason_name(j->job->reason),
                     j->job->reason_detail ? ": " : "",
                     j->job->reason_detail ? j->job->reason_detail : "");
            sj.reason = why;
        }
        rc = kr_state_job_begin(R->st, R->run_id, &sj, &j->attempt_id, &e);
        if (rc != KR_OK) {
            R->fatal = rc;
            R->fatal_err = e;
            R->stopping = true;
            R->nrunning--;
            job_failed_final(R, j, "cannot journal the job in the state database");
            sched_done(R, j);
            return false;
        }
        /* how kr_run_recover finds the job's processes if krait dies */
        j->env[0].name = "KRAIT_ATTEMPT";
        j->env[0].value = kr_arena_printf(&j->arena, "%lld@%s", (long long)j->attempt_id,
                                          kr_state_dir(R->st));
        j->p.ej.nenv = 1;
    }
    /* a group's jobs share its reservation, the leader's */
    gpus = kr_sched_gpus(R->sched, kr_jgroups_grouped(&R->grp, j->job->id)
                                       ? R->grp.lead[j->job->id] : j->job->id);
    if (*gpus) {
        j->env[j->p.ej.nenv].name = "CUDA_VISIBLE_DEVICES";
        j->env[j->p.ej.nenv].value = kr_arena_strdup(&j->arena, gpus);
        j->p.ej.nenv++;
    }
    j->p.ej.env = j->env;
    j->ext_id[0] = 0;
    return true;
}

/* After the executor took (or refused) a job: journal its external id and
 * RUNNING, or count the submission as a failed attempt (`why`). */
/* /proc/PID/stat of a process: parent, process group, state and start time
 * (field 22). False when there is no such process. */
static bool proc_stat(long pid, long *ppid, long *pgrp, char *state, long long *start)
{
    char path[64], buf[1024], *p;
    ssize_t n;
    int fd;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = 0;
    p = strrchr(buf, ')');
    /* fields 3 state, 4 ppid, 5 pgrp, then 6..21 skipped, 22 starttime */
    return p && sscanf(p + 1, " %c %ld %ld %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d"
                       " %*d %*d %*d %*d %lld", state, ppid, pgrp, start) == 4;
}

/* The process of a job the local executor started ("pid:N"), read at once
 * (posix_spawn returns after the exec, so this is the job's process). */
static const struct kr_state_proc *spawned_proc(const char *ext_id, struct kr_state_proc *p)
{
    long ppid;
    char state;
    if (!ext_id || strncmp(ext_id, "pid:", 4) != 0)
        return NULL;
    p->pid = atol(ext_id + 4);
    if (p->pid <= 0 || !proc_stat(p->pid, &ppid, &p->pgid, &state, &p->start) ||
        ppid != (long)getpid())
        return NULL;
    return p;
}

static void end_submit(struct run *R, struct rjob *j, bool submitted, const char *why)
{
    struct kr_state_proc proc;
    struct kr_error e;
    int rc;

    if (!submitted) {
        R->nrunning--;
        handle_failure(R, j, KR_EXEC_FAILED, why, -1, NULL);
        sched_done(R, j);
        return;
    }
    if (j->attempt_id <= 0)
        return;
    rc = kr_state_job_set_spawned(R->st, j->attempt_id, j->ext_id,
                                  spawned_proc(j->ext_id, &proc), &e);
    if (rc == KR_OK)
        rc = kr_state_job_transition(R->st, j->attempt_id, KR_ATTEMPT_RUNNING, 0, &e);
    if (rc != KR_OK && kr_state_full(R->st)) {
        /* The job runs (it may be what filled the disk, and its failure is
         * what the user needs to see); its attempt stays SUBMITTED, so a
         * krait killed meanwhile still distrusts its outputs. */
        j->unjournaled = true;
        kr_progress_msg(R->prog, true, "krait: warning: %s: %s; the job runs, but a krait "
                        "killed before it ends could not find it again (%s)",
                        j->p.desc, e.msg, j->ext_id);
        return;
    }
    if (rc != KR_OK && !R->fatal) {
        R->fatal = rc;
        R->fatal_err = e;
        R->stopping = true;
    }
}

static void submit_one(struct run *R, struct rjob *j)
{
    struct kr_error e;
    int rc;
    kr_error_clear(&e);
    rc = R->ex->submit(R->exself, &j->p.ej, j->ext_id, sizeof j->ext_id, &e);
    end_submit(R, j, rc == KR_OK, e.msg);
}

/*
 * Submit jobs of one rule at once (ex->submit_many: a SLURM array). Every
 * external id is journaled as soon as submit_many returns; on an error the
 * jobs that got an id were submitted, the others fail this attempt.
 */
static void submit_group(struct run *R, struct rjob **js, uint32_t n)
{
    const struct kr_exec_job **ejs = kr_calloc(n, sizeof *ejs);
    char (*ids)[64] = kr_calloc(n, sizeof *ids);
    struct kr_error e;
    uint32_t i;
    int rc;

    for (i = 0; i < n; i++)
        ejs[i] = &js[i]->p.ej;
    kr_error_clear(&e);
    rc = R->ex->submit_many(R->exself, ejs, n, ids, &e);
    for (i = 0; i < n; i++) {
        if (!ids[i][0])
            continue;
        snprintf(js[i]->ext_id, sizeof js[i]->ext_id, "%s", ids[i]);
        end_submit(R, js[i], true, NULL);
    }
    for (i = 0; i < n; i++)
        if (!ids[i][0])
            end_submit(R, js[i], false, rc != KR_OK && e.msg[0] ? e.msg
                                                                 : "the executor did not submit the job");
    kr_free(ejs);
    kr_free(ids);
}

/*
 * Hand a batch of popped jobs to the executor one group per rule (groups in
 * the order their rule first appears, jobs of a group in popped order):
 * a counting sort on the rule index, O(batch + rules).
 */
static void submit_by_rule(struct run *R, struct rjob **batch, uint32_t n)
{
    uint32_t nr = R->wf->nrules, i, r, *start, *fill;
    struct rjob **grp;
    if (n == 1) {
        submit_one(R, batch[0]);
        return;
    }
    start = kr_calloc((size_t)nr + 1, sizeof *start);
    fill = kr_calloc(nr, sizeof *fill);
    grp = kr_malloc(n * sizeof *grp);
    for (i = 0; i < n; i++)
        start[batch[i]->job->rule->index + 1]++;
    for (r = 0; r < nr; r++)
        start[r + 1] += start[r];
    for (i = 0; i < n; i++) {
        r = batch[i]->job->rule->index;
        grp[start[r] + fill[r]++] = batch[i];
    }
    for (i = 0; i < n; i++) {
        r = batch[i]->job->rule->index;
        if (!fill[r])
            continue;   /* its group went already */
        if (fill[r] == 1)
            submit_one(R, grp[start[r]]);
        else
            submit_group(R, grp + start[r], fill[r]);
        fill[r] = 0;
    }
    kr_free(grp);
    kr_free(fill);
    kr_free(start);
}

/*
 * Start every job the scheduler lets run now. With an executor that takes
 * arrays (submit_many and KR_EXEC_CAP_ARRAYS), the popped jobs of one rule
 * are handed over together; others are submitted one by one. Returns the
 * number of jobs popped.
 */
static uint32_t dispatch(struct run *R)
{
    bool arrays = R->ex->submit_many && (R->ex->caps & KR_EXEC_CAP_ARRAYS) && !R->noop;
    struct rjob **batch = NULL;
    uint32_t nbatch = 0, cap = 0, npopped = 0;
    uint32_t id;

    while (!R->stopping && kr_sched_pop(R->sched, &id) == KR_OK) {
        struct rjob *j = &R->rj[id];
        npopped++;
        if (kr_jgroups_grouped(&R->grp, id)) {
            start_group(R, id);
            continue;
        }
        if (!begin_submit(R, j))
            continue;
        if (!arrays) {
            submit_one(R, j);
            continue;
        }
        if (nbatch == cap) {
            cap = cap ? 2 * cap : 64;
            batch = kr_realloc(batch, cap * sizeof *batch);
        }
        batch[nbatch++] = j;
    }
    if (nbatch)
        submit_by_rule(R, batch, nbatch);
    kr_free(batch);
    return npopped;
}

/* ---- completion -------------------------------------------------------------------- */

/* Whether directory `path` holds nothing (but its .snakemake_timestamp). */
static bool dir_empty(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    bool empty = true;
    if (!d)
        return true;
    while (empty && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
            strcmp(de->d_name, ".snakemake_timestamp"))
            empty = false;
    closedir(d);
    return empty;
}

/* ensure(): the outputs flagged non_empty must not be empty, those with a
 * sha256= must have that checksum (Snakemake checks after the job and
 * fails it; the caller then removes the outputs). NULL or the message. */
static const char *check_ensure(struct rjob *j)
{
    struct kr_job *job = j->job;
    struct stat sb;
    uint32_t i;
    for (i = 0; i < job->nout; i++) {
        const char *path = j->p.lout[i];   /* a remote output: its staged copy */
        const struct kr_pat *pat;
        char hex[KR_SHA256_HEX_LEN + 1];
        struct kr_error e;
        if (!(job->out[i].flags & (KR_F_NONEMPTY | KR_F_SHA256)) || stat(path, &sb) != 0)
            continue;
        if ((job->out[i].flags & KR_F_NONEMPTY) &&
            (S_ISDIR(sb.st_mode) ? dir_empty(path) : sb.st_size == 0))
            return kr_arena_printf(&j->arena, "output %s is empty, but the rule declares it "
                                   "ensure(..., non_empty=True)", path);
        pat = kr_rule_output_pat(job->rule, i);
        if (!(job->out[i].flags & KR_F_SHA256) || !pat || !pat->sha256)
            continue;
        kr_error_clear(&e);
        if (S_ISDIR(sb.st_mode) || kr_checksum_file(path, -1, hex, &e) != KR_OK)
            return kr_arena_printf(&j->arena, "cannot compute the sha256 checksum of output "
                                   "%s for ensure(): %s", path,
                                   e.msg[0] ? e.msg : "not a regular file");
        if (strcmp(hex, pat->sha256))
            return kr_arena_printf(&j->arena, "output %s has sha256 checksum %s, but the rule "
                                   "declares ensure(..., sha256=\"%s\")", path, hex,
                                   pat->sha256);
    }
    return NULL;
}

/* Check the declared outputs after a successful run: apply touch(), wait
 * up to --latency-wait for missing ones, mark directories, protect.
 * Returns NULL or the message naming the missing outputs. */
static const char *check_outputs(struct run *R, struct rjob *j)
{
    struct kr_job *job = j->job;
    struct stat sb;
    struct kr_buf missing = KR_BUF_INIT;
    double deadline = kr_now() + R->o->latency_wait;
    const char *msg = NULL;
    uint32_t i, nmiss;
    int fd;

    for (i = 0; i < job->nout; i++) {
        /* a presigned job's remote outputs are checked in S3 (verify_presigned);
         * its wrapper applied touch() */
        if (!(job->out[i].flags & KR_F_TOUCH) || (R->presigned && j->p.lout[i] != job->out[i].path))
            continue;
        if (kr_mkdirs_parent(j->p.lout[i], NULL) == KR_OK) {
            fd = open(j->p.lout[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
            if (fd >= 0)
                close(fd);
            utimensat(AT_FDCWD, j->p.lout[i], NULL, 0);
        }
    }
    for (;;) {
        nmiss = 0;
        kr_buf_reset(&missing);
        for (i = 0; i < job->nout; i++) {
            if (R->presigned && j->p.lout[i] != job->out[i].path)
                continue;
            /* a group's pipe or service exists only while the group runs */
            if ((job->out[i].flags & (KR_F_PIPE | KR_F_SERVICE)) &&
                kr_jgroups_grouped(&R->grp, job->id))
                continue;
            if (stat(j->p.lout[i], &sb) == 0) {
                if ((job->out[i].flags & KR_F_DIRECTORY) && !S_ISDIR(sb.st_mode)) {
                    msg = kr_arena_printf(&j->arena, "output %s was declared directory() "
                                          "but is a file", j->p.lout[i]);
                    goto out;
                }
                continue;
            }
            nmiss++;
            kr_buf_printf(&missing, "\n        %s", job->out[i].path);
            if (j->p.lout[i] != job->out[i].path)
                kr_buf_printf(&missing, " (the job was to write it to %s)", j->p.lout[i]);
        }
        if (nmiss == 0 || kr_now() >= deadline || kr_signals_pending())
            break;
        usleep(100000);
    }
    if (nmiss) {
        msg = kr_arena_printf(&j->arena, "MissingOutputException: the job finished but "
                              "%u output%s missing after waiting %.0f s (--latency-wait):%s",
                              nmiss, nmiss == 1 ? " is" : "s are", R->o->latency_wait,
                              kr_buf_cstr(&missing));
        goto out;
    }
    msg = check_ensure(j);
    if (msg)
        goto out;
    for (i = 0; i < job->nout; i++) {
        if (R->presigned && j->p.lout[i] != job->out[i].path)
            continue;
        if (job->out[i].flags & KR_F_DIRECTORY) {
            char *ts = kr_asprintf("%s/.snakemake_timestamp", j->p.lout[i]);
            fd = open(ts, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
            if (fd >= 0)
                close(fd);
            kr_free(ts);
        }
        if ((job->out[i].flags & KR_F_PROTECTED) && stat(j->p.lout[i], &sb) == 0)
            chmod(j->p.lout[i], sb.st_mode & ~(mode_t)(S_IWUSR | S_IWGRP | S_IWOTH));
    }
out:
    kr_buf_free(&missing);
    return msg;
}

/* A job whose external id a full disk kept out of the journal: record it
 * now that it ended (best effort: the end record that follows says whether
 * the database can be written again). */
static void rejournal(struct run *R, struct rjob *j)
{
    struct kr_error e;
    if (!j->unjournaled)
        return;
    j->unjournaled = false;
    (void)kr_state_job_set_spawned(R->st, j->attempt_id, j->ext_id, NULL, &e);
}

/* Record provenance of the outputs and end the attempt as done. */
static int record_done(struct run *R, struct rjob *j, const struct kr_exec_result *res,
                       struct kr_error *e)
{
    struct kr_job *job = j->job;
    struct kr_prov prov;
    struct kr_prov_input *pin;
    struct kr_state_job_result sr;
    char hex[KR_SHA256_HEX_LEN + 1];
    int64_t maxsz = R->o->checksum_max_size > 0 ? R->o->checksum_max_size : 1 << 20;
    uint32_t i;

    rejournal(R, j);
    memset(&prov, 0, sizeof prov);
    prov.rule = job->rule->name;
    prov.code_hash = job->rule->code_hash;
    prov.params_hash = kr_dag_params_hash(j->p.info.params_repr);
    prov.inputs_hash = kr_dag_inputs_hash(job);
    prov.container = NULL;
    if (R->jp.native_containers) {
        /* the backend ran the image itself: its name is the identity krait knows */
        prov.container = j->p.ej.container;
    } else if (R->o->containers) {
        /* the rule's image, or the --container-image default it ran in */
        const char *image = kr_container_job_image(R->o->containers, j->p.info.container);
        const char *ident = NULL;
        if (image && kr_container_identity(R->o->containers, image, &ident, NULL) == KR_OK)
            prov.container = ident;
    }
    pin = kr_arena_zalloc(&j->arena, (job->nin + 1) * sizeof *pin);
    for (i = 0; i < job->nin; i++) {
        struct kr_file *f = job->infiles[i];
        pin[i].path = f->path;
        if (kr_dag_stat(R->dag, f) == KR_STAT_MISSING)
            continue;
        pin[i].mtime_ns = f->mtime_ns;
        pin[i].size = f->size;
        if (f->stat == KR_STAT_FILE && f->size <= maxsz &&
            kr_checksum_file(f->path, maxsz, hex, NULL) == KR_OK)
            pin[i].checksum = kr_arena_strdup(&j->arena, hex);
        else if (f->stat == KR_STAT_FILE && R->o->storage && kr_storage_is_s3(f->path) &&
                 kr_storage_checksum(R->o->storage, f->path, -1, hex, NULL) == KR_OK)
            pin[i].checksum = kr_arena_strdup(&j->arena, hex);  /* the object's ETag */
    }
    prov.inputs = pin;
    prov.ninputs = job->nin;
    memset(&sr, 0, sizeof sr);
    sr.state = KR_ATTEMPT_DONE;
    sr.exit_code = res->exit_code;
    sr.end = res->end;
    sr.detail = res->detail[0] ? res->detail : NULL;
    usage(res, &sr);
    if (job->nout == 0)
        return kr_state_job_end(R->st, j->attempt_id, &sr, NULL, 0, e);
    return kr_state_job_end(R->st, j->attempt_id, &sr, &prov, 1, e);
}

static void finish_success(struct run *R, struct rjob *j, const struct kr_exec_result *res)
{
    struct kr_error e;
    const char *msg;
    uint32_t i;
    int rc;

    /* a dry run ran nothing: there is nothing to check */
    msg = unshadow(R, j, true);
    if (!msg)
        msg = R->noop ? NULL : check_outputs(R, j);
    if (!msg && !R->noop && j->p.nremote_out)
        msg = R->presigned ? verify_presigned(R, j) : push_outputs(R, j);
    if (!msg && !R->noop && j->p.nrextra)
        msg = push_extra(R, j);
    if (msg) {
        handle_failure(R, j, KR_EXEC_FAILED, msg, res->exit_code, res);
        return;
    }
    if (j->p.ej.command && j->attempt_id > 0) {
        rc = record_done(R, j, res, &e);
        if (rc != KR_OK && !R->fatal) {
            R->fatal = rc;
            R->fatal_err = e;
            R->stopping = true;
        }
    }
    for (i = 0; !R->noop && i < j->job->nout; i++)
        if (j->job->out[i].flags & KR_F_UPDATE)
            kr_storage_remove(kr_storage_local(), update_copy(R, j, i), &e);
    /* the job file may hold secrets (params): kept only for a failed job */
    if (j->p.jobfile && unlink(j->p.jobfile) != 0 && errno != ENOENT)
        kr_progress_msg(R->prog, true, "krait: warning: cannot remove job file %s: %s",
                        j->p.jobfile, strerror(errno));
    for (i = 0; i < j->job->nout; i++)
        kr_dag_restat(R->dag, j->job->outfiles[i]);
    j->st = R_DONE;
    R->stats->done++;
    kr_progress_done(R->prog, j->p.desc, kr_now() - j->t0);
    temp_release(R, j->job);
    temp_unread(R, j->job);
    release_dependents(R, j);
    attempt_free(j);
}

static void handle_failure(struct run *R, struct rjob *j, int state, const char *detail,
                           int exit_code, const struct kr_exec_result *res)
{
    struct kr_state_job_result sr;
    struct kr_error e;
    bool cancelled = state == KR_EXEC_CANCELLED;
    /* a re-adopted job the backend no longer knows is simply run again */
    bool free_retry = state == KR_EXEC_NODE_FAIL || state == KR_EXEC_PREEMPTED ||
                      (state == KR_EXEC_LOST && j->attached);
    bool retry;
    char *why, *full, *full_detail = NULL;

    j->attached = false;
    unshadow(R, j, false);
    if (!cancelled && !R->noop && (full = disk_full_note(j))) {
        detail = full_detail = kr_asprintf("%s: %s", detail, full);
        kr_free(full);
    }
    if (!R->o->keep_incomplete && !R->noop)
        remove_outputs(R, j);
    if (j->attempt_id > 0) {
        rejournal(R, j);
        memset(&sr, 0, sizeof sr);
        sr.state = cancelled ? KR_ATTEMPT_CANCELLED : KR_ATTEMPT_FAILED;
        sr.exit_code = exit_code;
        sr.detail = detail;
        usage(res, &sr);
        if (kr_state_job_end(R->st, j->attempt_id, &sr, NULL, 0, &e) != KR_OK && !R->fatal) {
            R->fatal = KR_ESTATE;
            R->fatal_err = e;
            R->stopping = true;
        }
        j->attempt_id = 0;
    }
    if (free_retry)
        j->max_attempts++;
    retry = !cancelled && !kr_signals_pending() && !R->fatal && j->attempt < j->max_attempts &&
            !kr_jgroups_grouped(&R->grp, j->job->id);
    why = kr_asprintf("%s (attempt %d of %d)", detail, j->attempt, j->max_attempts);
    if (retry) {
        kr_progress_failed(R->prog, j->p.desc, why, true);
        kr_free(why);
        make_ready(R, j);
        kr_free(full_detail);
        return;
    }
    if (cancelled) {
        j->st = R_FAILED;
        R->stats->failed++;
        kr_progress_failed(R->prog, j->p.desc, "cancelled", false);
        if (kr_jgroups_grouped(&R->grp, j->job->id) && !j->gcancel) {
            j->gcancel = true;
            group_abort(R, R->grp.lead[j->job->id], j->p.desc);
        }
        attempt_free(j);
        kr_free(why);
        kr_free(full_detail);
        return;
    }
    kr_progress_msg(R->prog, true, "Error in %s:", j->p.desc);
    show_log_tail(R, j->p.ej.log_path, 20);
    if (!R->o->keep_incomplete && !R->noop && j->job->nout)
        kr_progress_msg(R->prog, false, "    removed the outputs of the failed job");
    job_failed_final(R, j, j->max_attempts > 1 ? why : detail);
    kr_free(why);
    kr_free(full_detail);
}

static void handle_result(struct run *R, const struct kr_exec_result *res)
{
    struct rjob *j;
    if (res->id >= R->nall)
        return;
    j = &R->rj[res->id];
    if (j->st != R_RUNNING)
        return;
    R->nrunning--;
    if (res->state == KR_EXEC_OK) {
        finish_success(R, j, res);
    } else if (j->service_stop) {
        /* stopped by krait once its consumers were done: its end is a success */
        struct kr_exec_result ok = *res;
        ok.state = KR_EXEC_OK;
        ok.exit_code = 0;
        ok.detail[0] = 0;
        finish_success(R, j, &ok);
    } else {
        handle_failure(R, j, res->state, res->detail[0] ? res->detail : "failed",
                       res->state == KR_EXEC_FAILED ? res->exit_code : -1, res);
    }
    if (kr_jgroups_grouped(&R->grp, res->id))
        stop_services(R, R->grp.lead[res->id]);
    sched_done(R, j);
}

/* ---- re-adopting jobs of an earlier krait -------------------------------------------------- */

/* An unfinished attempt from the journal, and the planned job it made. */
struct unf {
    int64_t id;
    int attempt;
    uint32_t job;
    bool ours;          /* this run's executor started it and can follow it */
    bool match;
    char ext[64];
    char name[128];
};

struct unflist {
    struct run *R;
    struct unf *v;
    uint32_t n, cap;
};

/* kr_state_unfinished callback: keep each attempt with the job whose
 * outputs are exactly its outputs (in order), when this run's executor can
 * re-adopt it. */
static int collect_attachable(void *ctx, const struct kr_state_attempt *a)
{
    struct unflist *L = ctx;
    struct run *R = L->R;
    struct unf *u;
    struct kr_file *f;
    struct kr_job *job;
    uint32_t i;

    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 16;
        L->v = kr_realloc(L->v, L->cap * sizeof *L->v);
    }
    u = &L->v[L->n++];
    memset(u, 0, sizeof *u);
    u->id = a->id;
    u->attempt = a->attempt;
    snprintf(u->ext, sizeof u->ext, "%s", a->ext_id ? a->ext_id : "");
    snprintf(u->name, sizeof u->name, "%s", a->name ? a->name : a->rule ? a->rule : "?");
    if (!a->executor || strcmp(a->executor, R->ex->name) != 0 || !R->ex->attach ||
        !(R->ex->caps & KR_EXEC_CAP_ATTACH) || !u->ext[0])
        return 0;
    u->ours = true;
    if (a->noutputs == 0)
        return 0;
    f = kr_dag_find(R->dag, a->outputs[0], strlen(a->outputs[0]));
    job = f ? f->producer : NULL;
    if (!job || job->id >= R->nall || R->rj[job->id].job != job || job->nout != a->noutputs)
        return 0;
    for (i = 0; i < a->noutputs; i++)
        if (kr_dag_find(R->dag, a->outputs[i], strlen(a->outputs[i])) != job->outfiles[i])
            return 0;
    u->match = true;
    u->job = job->id;
    return 0;
}

/* Give up an attempt of an earlier krait (its outputs stay incomplete).
 * With `stop`, one this run's executor follows is also queued in `stops`
 * for cancel_stops: it must not go on writing outputs nobody collects. */
static int abandon(struct run *R, const struct unf *u, const char *why, bool stop,
                   struct kr_vec *stops, struct kr_error *err)
{
    int rc = kr_state_mark_abandoned(R->st, u->id, err);
    bool cancel = stop && u->ours && R->ex->cancel_ext;
    if (rc == KR_NOT_FOUND)
        rc = KR_OK;
    if (cancel)
        kr_vec_push(stops, (void *)u->ext);
    if (R->o->verbosity >= KR_PROGRESS_NORMAL)
        kr_progress_msg(R->prog, false, "krait: %s (%s job %s) of an interrupted run: %s%s",
                        u->name, R->ex->name, u->ext[0] ? u->ext : "?", why,
                        cancel ? "; cancelling it" : "");
    return rc;
}

/* Cancel the abandoned attempts still running in the backend, in one
 * request; a refusal is a warning (the journal already gave them up). */
static void cancel_stops(struct run *R, struct kr_vec *stops)
{
    struct kr_error e;
    if (!stops->len)
        return;
    kr_error_clear(&e);
    if (R->ex->cancel_ext(R->exself, (const char *const *)stops->items, (uint32_t)stops->len,
                          &e) != KR_OK)
        kr_progress_msg(R->prog, false, "krait: warning: could not cancel %zu abandoned %s "
                        "job(s): %s", stops->len, R->ex->name, e.msg);
    else if (R->o->verbosity >= KR_PROGRESS_NORMAL)
        kr_progress_msg(R->prog, false, "krait: cancelled %zu abandoned %s job(s)", stops->len,
                        R->ex->name);
}

/*
 * Re-adopt the unfinished attempts this run's executor can follow (see
 * runner.h): each becomes a running job of this run, holding its scheduler
 * slot, with its old attempt id (so its provenance is recorded on it).
 * Attempts that match no job ready to run are abandoned. KR_ESTATE on
 * database errors.
 */
static int reattach(struct run *R, struct kr_error *err)
{
    struct unflist L;
    struct kr_vec stops = KR_VEC_INIT;     /* ext ids to cancel (into L.v) */
    struct kr_error e;
    uint32_t i;
    int rc;

    memset(&L, 0, sizeof L);
    L.R = R;
    rc = kr_state_unfinished(R->st, collect_attachable, &L, err);
    for (i = 0; rc == KR_OK && i < L.n; i++) {
        struct unf *u = &L.v[i];
        struct rjob *j = u->match ? &R->rj[u->job] : NULL;
        if (!j || !j->needs_run || j->st != R_WAIT) {
            rc = abandon(R, u, j && j->st != R_WAIT ? "already re-adopted"
                                                    : "not part of this run", true, &stops, err);
            continue;
        }
        if (j->waiting > 0) {
            rc = abandon(R, u, "its inputs are to be made again", true, &stops, err);
            continue;
        }
        if (prepare(R, j, u->attempt) != KR_OK) {
            rc = abandon(R, u, "cannot prepare the job", true, &stops, err);
            continue;
        }
        kr_error_clear(&e);
        if (R->ex->attach(R->exself, &j->p.ej, u->ext, &e) != KR_OK) {
            char *why = kr_asprintf("cannot re-adopt it (%s); running it again", e.msg);
            attempt_free(j);
            rc = abandon(R, u, why, false, &stops, err);
            kr_free(why);
            continue;
        }
        snprintf(j->ext_id, sizeof j->ext_id, "%s", u->ext);
        j->attempt_id = u->id;
        j->attached = true;
        j->st = R_RUNNING;
        j->t0 = kr_now();
        R->nrunning++;
        R->stats->attached++;
        kr_sched_reserve(R->sched, j->job->id, sched_threads(R, j), j->p.req, j->p.nreq);
        if (R->o->verbosity >= KR_PROGRESS_NORMAL)
            kr_progress_msg(R->prog, false, "krait: re-adopted %s (%s job %s) of an "
                            "interrupted run", j->p.desc, R->ex->name, u->ext);
        kr_progress_start(R->prog, j->p.desc);
    }
    cancel_stops(R, &stops);
    kr_vec_free(&stops);
    kr_free(L.v);
    return rc;
}

/* ---- the loop ---------------------------------------------------------------------------- */

int kr_run_jobs(struct kr_workflow *wf, struct kr_dag *dag, struct kr_state *st,
                int64_t run_id, const struct kr_run_opts *o, struct kr_run_stats *stats,
                struct kr_error *err)
{
    struct run R;
    struct kr_executor_opts xo;
    struct kr_exec_result res[64];
    struct kr_job **all, **torun;
    uint32_t nall, nrun, i, k, n;
    char cwd[PATH_MAX];
    int rc = KR_OK, cores, sig = 0;
    double poll_s = 0;

    memset(&R, 0, sizeof R);
    memset(stats, 0, sizeof *stats);
    R.wf = wf;
    R.dag = dag;
    R.st = st;
    R.run_id = run_id;
    R.o = o;
    R.stats = stats;
    all = kr_dag_jobs(dag, &nall);
    torun = kr_dag_jobs_to_run(dag, &nrun);
    stats->total = nrun;
    if (nrun == 0)
        return KR_OK;

    R.ex = kr_executor_find(o->executor ? o->executor : "local");
    if (!R.ex)
        return kr_error_set(err, KR_EUSAGE, "unknown executor '%s'", o->executor);
    if (o->detach && !(R.ex->caps & KR_EXEC_CAP_DETACH))
        return kr_error_set(err, KR_EUSAGE, "--detach: the %s executor cannot leave jobs "
                            "running after krait exits", R.ex->name);
    if (!getcwd(cwd, sizeof cwd))
        return kr_error_set(err, KR_EIO, "getcwd: %s", strerror(errno));
    memset(&xo, 0, sizeof xo);
    xo.cores = o->cores;
    xo.max_jobs = o->max_jobs;
    xo.poll_interval = 5;
    xo.state_dir = kr_state_dir(st);
    xo.verbose = o->verbosity >= KR_PROGRESS_VERBOSE;
    xo.backend_args = o->backend_args;
    xo.nbackend_args = o->nbackend_args;
    rc = R.ex->init(&R.exself, &xo, err);
    if (rc != KR_OK)
        return rc;

    cores = (R.ex->caps & KR_EXEC_CAP_REMOTE) ? (o->max_jobs > 0 ? o->max_jobs : o->cores)
                                               : o->cores;
    R.jp.wf = wf;
    R.jp.dag = dag;
    R.jp.workdir = cwd;
    R.jp.state_dir = kr_state_dir(st);
    R.jp.cores = o->cores;
    R.jp.default_resources = o->default_resources;
    R.jp.defres = o->defres;
    R.jp.ndefres = o->ndefres;
    R.jp.checksum_max_size = o->checksum_max_size;
    R.jp.containers = o->containers;
    if (o->shadow_prefix)
        R.jp.shadow_base = kr_arena_printf(kr_dag_arena(dag), "%s%s%s/shadow",
                                           o->shadow_prefix[0] == '/' ? "" : cwd,
                                           o->shadow_prefix[0] == '/' ? "" : "/",
                                           o->shadow_prefix);
    R.jp.native_containers = (R.ex->caps & KR_EXEC_CAP_CONTAINERS) != 0;
    if (o->storage) {
        /* the cache of remote files, relative to the working directory when
         * it is inside it (the paths jobs see stay short) */
        const char *sd = kr_state_dir(st);
        size_t cwdlen = strlen(cwd);
        if (strncmp(sd, cwd, cwdlen) == 0 && sd[cwdlen] == '/')
            sd += cwdlen + 1;
        R.jp.stage_root = kr_arena_printf(kr_dag_arena(dag), "%s/storage", sd);
        if (!(R.ex->caps & KR_EXEC_CAP_NOOP)) {
            int nab = kr_stage_recover(o->storage, R.jp.stage_root);
            if (nab > 0 && o->verbosity >= KR_PROGRESS_NORMAL)
                fprintf(stderr, "krait: aborted %d unfinished multipart upload%s of an "
                        "interrupted run\n", nab, nab == 1 ? "" : "s");
        }
    }
    gethostname(R.host, sizeof R.host - 1);

    R.nall = 0;
    for (i = 0; i < nall; i++)
        if (all[i]->id + 1 > R.nall)
            R.nall = all[i]->id + 1;
    R.rj = kr_calloc(R.nall ? R.nall : 1, sizeof *R.rj);
    for (i = 0; i < nall; i++)
        R.rj[all[i]->id].job = all[i];
    for (i = 0; i < nrun; i++)
        R.rj[torun[i]->id].needs_run = true;
    kr_jgroups_build(&R.grp, R.nall, torun, nrun);
    if (R.grp.lead && (R.ex->caps & KR_EXEC_CAP_REMOTE)) {
        /* the jobs of a group would land on different machines: pipes run
         * one after the other as files; a service cannot */
        if (R.grp.service && !R.fatal) {
            R.fatal = kr_error_set(&R.fatal_err, KR_EUNSUPPORTED, "service() outputs need the "
                                   "local executor: a service job runs alongside the jobs that "
                                   "use it, on one machine (executor %s)", R.ex->name);
            R.stopping = true;
        }
        kr_jgroups_free(&R.grp);
    }
    if (R.grp.lead)
        R.gcount = kr_calloc(R.nall, sizeof *R.gcount);
    for (i = 0; i < nrun; i++) {
        struct rjob *j = &R.rj[torun[i]->id];
        for (k = 0; k < torun[i]->ndeps; k++)
            if (R.rj[torun[i]->deps[k]->id].needs_run &&
                !kr_jgroups_same(&R.grp, torun[i]->id, torun[i]->deps[k]->id))
                j->waiting++;
    }
    R.sched = kr_sched_new(R.nall, cores, o->limits, o->nlimits);
    R.pending = kr_sched_new(R.nall, 1, NULL, 0);
    R.window = (uint32_t)cores + KR_SCHED_SCAN;
    R.noop = (R.ex->caps & KR_EXEC_CAP_NOOP) != 0;
    R.presigned = o->storage && !R.noop &&
                  (o->staging == KR_STAGING_PRESIGNED ||
                   (o->staging == KR_STAGING_AUTO && !(R.ex->caps & KR_EXEC_CAP_SHARED_FS)));
    /* isolated only when the run moves something through S3: a workflow
     * of local files on such a backend runs in krait's directory as before
     * (the backend's nodes share it, like the test cluster's) */
    R.isolated = R.presigned && !(R.ex->caps & KR_EXEC_CAP_SHARED_FS) &&
                 any_remote(torun, nrun);
    if (R.presigned) {
        /* the S3 client holds the credentials from here on: they leave
         * krait's environment, so that no job inherits them (the local
         * executor passes it on; sbatch exports it into SLURM's records) */
        struct kr_s3 *s3;
        if (kr_storage_s3_client(o->storage, &s3, NULL) == KR_OK) {
            unsetenv("AWS_ACCESS_KEY_ID");
            unsetenv("AWS_SECRET_ACCESS_KEY");
            unsetenv("AWS_SESSION_TOKEN");
            unsetenv("AWS_SECURITY_TOKEN");
        }
    }
    R.prog = kr_progress_new(stderr, nrun, o->verbosity, o->live);
    temp_init(&R, torun, nrun);
    kr_signals_install();

    if (!R.noop) {
        rc = reattach(&R, &R.fatal_err);
        if (rc != KR_OK) {
            R.fatal = rc;
            R.stopping = true;
        }
    }
    for (i = 0; i < nrun && !R.stopping; i++)
        if (R.rj[torun[i]->id].waiting == 0 && R.rj[torun[i]->id].st == R_WAIT)
            make_ready(&R, &R.rj[torun[i]->id]);

    for (;;) {
        if (!sig && (sig = kr_signals_pending()) != 0) {
            kr_progress_msg(R.prog, true, "krait: %s received, cancelling %u running job%s",
                            sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal",
                            R.nrunning, R.nrunning == 1 ? "" : "s");
            R.stopping = true;
            R.ex->cancel(R.exself, NULL, 0, NULL);
        }
        for (;;) {
            fill_ready(&R);
            if (R.stopping || dispatch(&R) == 0)
                break;
        }
        if (o->detach && !sig && !R.fatal) {
            /* leave what runs to the backend; a later run re-adopts it */
            stats->detached = R.nrunning;
            break;
        }
        if (R.nrunning == 0)
            break;
        if (R.svcwait.len) {
            check_services(&R);
            if (R.svcwait.len)
                poll_s = 0.05;  /* a service's consumers wait for its output */
        }
        rc = R.ex->poll(R.exself, res, KR_ARRAY_LEN(res), &n,
                        poll_s ? poll_s : R.prog && o->live != 0 ? 0.25 : 1.0, err);
        poll_s = 0;
        if (rc != KR_OK) {
            R.fatal = rc;
            R.fatal_err = *err;
            R.stopping = true;
            R.ex->cancel(R.exself, NULL, 0, NULL);
            /* keep polling so cancelled jobs are recorded */
            continue;
        }
        for (i = 0; i < n; i++)
            handle_result(&R, &res[i]);
        kr_progress_tick(R.prog);
    }
    kr_progress_end(R.prog);
    if (!R.noop && !o->detach && R.nrunning == 0 && nrun > 0)
        cleanup_workdir(torun, nrun);

    for (i = 0; i < nrun; i++) {
        struct rjob *j = &R.rj[torun[i]->id];
        if (j->st == R_WAIT || j->st == R_PENDING || j->st == R_READY)
            stats->not_run++;
        attempt_free(j);
    }
    stats->signal = sig;
    if (R.fatal) {
        rc = R.fatal;
        if (err)
            *err = R.fatal_err;
    } else if (sig) {
        rc = kr_error_set(err, KR_EINTR, "interrupted by %s: %u job%s cancelled, %u done",
                          sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal",
                          stats->failed, stats->failed == 1 ? "" : "s", stats->done);
    } else if (stats->failed) {
        fprintf(stderr, "krait: %u of %u job%s failed:\n%s", stats->failed, stats->total,
                stats->total == 1 ? "" : "s", kr_buf_cstr(&R.failures));
        if (stats->not_run)
            fprintf(stderr, "krait: %u job%s not run because of the failure%s\n",
                    stats->not_run, stats->not_run == 1 ? " was" : "s were",
                    o->keep_going ? " (their inputs could not be made)" : " (use -k to go on with independent jobs)");
        rc = kr_error_set(err, KR_EEXEC, "%u job%s failed", stats->failed,
                          stats->failed == 1 ? "" : "s");
    } else {
        rc = KR_OK;
    }
    kr_signals_restore();
    R.ex->shutdown(R.exself);
    kr_sched_free(R.sched);
    kr_sched_free(R.pending);
    kr_progress_free(R.prog);
    kr_jobprep_cleanup(&R.jp);
    kr_buf_free(&R.failures);
    kr_free(R.temps);
    kr_free(R.rj);
    kr_jgroups_free(&R.grp);
    kr_free(R.gcount);
    kr_vec_free(&R.svcwait);
    return rc;
}

/* ---- recovery after a killed krait ------------------------------------------------------- */

/*
 * The processes of an attempt left unfinished by a killed krait are found
 * three ways, so that none keeps writing while the next run starts the job
 * again:
 *   - its journaled process (pid, process group, start time: the process is
 *     taken only when /proc/PID/stat still shows that start time, so a
 *     recycled pid is never touched), with every process of its group;
 *   - every process carrying KRAIT_ATTEMPT=ID@STATE_DIR in its environment
 *     (inherited by the job's children; also covers a krait killed between
 *     spawning a job and journaling it), with its group;
 *   - every descendant of those (a child that cleared its environment with
 *     `env -i` and moved to its own session with setsid is still a child).
 * All are stopped (SIGSTOP) until a scan finds no new one (so none can fork
 * away meanwhile), then killed (SIGKILL) and waited for. One that does not
 * go away is an error: the job is not started a second time beside it.
 */

/* Read /proc/PID/environ (NUL-separated) into b. */
static bool read_environ(long pid, struct kr_buf *b)
{
    char path[64], buf[8192];
    ssize_t n;
    int fd;
    kr_buf_reset(b);
    snprintf(path, sizeof path, "/proc/%ld/environ", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        kr_buf_append(b, buf, (size_t)n);
    close(fd);
    return true;
}

struct orphan_att {
    int64_t id;
    struct kr_state_proc proc;
    char name[96];
};

struct recover {
    bool quiet;
    const struct kr_executor *ex;   /* this run's executor */
    struct orphan_att *att;
    uint32_t n, cap;
    uint32_t kept;                  /* left for kr_run_jobs to re-adopt */
    uint32_t elsewhere;             /* abandoned, maybe still running in another backend */
    char other[32];                 /* that backend's name */
};

static int collect_unfinished(void *ctx, const struct kr_state_attempt *a)
{
    struct recover *rc = ctx;
    const struct kr_executor *aex = a->executor ? kr_executor_find(a->executor) : NULL;
    struct orphan_att *o;
    if (aex && (aex->caps & KR_EXEC_CAP_ATTACH) && a->ext_id && *a->ext_id) {
        if (aex == rc->ex) {
            rc->kept++;
            return 0;
        }
        rc->elsewhere++;
        snprintf(rc->other, sizeof rc->other, "%s", aex->name);
    }
    if (rc->n == rc->cap) {
        rc->cap = rc->cap ? 2 * rc->cap : 16;
        rc->att = kr_realloc(rc->att, rc->cap * sizeof *rc->att);
    }
    o = &rc->att[rc->n++];
    o->id = a->id;
    o->proc = a->proc;
    snprintf(o->name, sizeof o->name, "%s", a->name ? a->name : "?");
    return 0;
}

/* One process of /proc, and the attempt (index into recover.att) it was
 * found to belong to, or -1. */
struct pinfo {
    long pid, ppid, pgrp;
    long long start;
    char state;
    int owner;
    bool stopped;
};

/* Read every process of /proc into *ps (excluding krait itself); for those
 * whose environment names an attempt of rc, set owner. */
static uint32_t scan_procs(struct recover *rc, const char *state_dir, struct pinfo **ps)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    struct kr_buf env = KR_BUF_INIT;
    uint32_t n = 0, cap = 0, k;
    size_t dl = strlen(state_dir);
    long self = (long)getpid();
    char *p, *end;
    long long id;
    *ps = NULL;
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        struct pinfo pi;
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        memset(&pi, 0, sizeof pi);
        pi.pid = atol(de->d_name);
        pi.owner = -1;
        if (pi.pid == self || !proc_stat(pi.pid, &pi.ppid, &pi.pgrp, &pi.state, &pi.start) ||
            pi.state == 'Z' || pi.state == 'X')
            continue;
        if (read_environ(pi.pid, &env)) {
            for (p = env.data; p && p < env.data + env.len; p += strlen(p) + 1) {
                if (strncmp(p, "KRAIT_ATTEMPT=", 14) != 0)
                    continue;
                id = strtoll(p + 14, &end, 10);
                if (*end == '@' && strncmp(end + 1, state_dir, dl) == 0 && end[1 + dl] == 0)
                    for (k = 0; k < rc->n; k++)
                        if (rc->att[k].id == id)
                            pi.owner = (int)k;
                break;
            }
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            *ps = kr_realloc(*ps, cap * sizeof **ps);
        }
        (*ps)[n++] = pi;
    }
    closedir(d);
    kr_buf_free(&env);
    return n;
}

/* Mark the journaled processes, their groups and all descendants of marked
 * processes with their attempt, until nothing changes. */
static void mark_job_procs(struct recover *rc, struct pinfo *ps, uint32_t n)
{
    bool changed = true;
    uint32_t i, k;
    for (i = 0; i < n; i++)
        for (k = 0; k < rc->n; k++)
            if (rc->att[k].proc.pid > 0 && ps[i].pid == rc->att[k].proc.pid &&
                ps[i].start == rc->att[k].proc.start)
                ps[i].owner = (int)k;
    while (changed) {
        changed = false;
        for (i = 0; i < n; i++) {
            if (ps[i].owner >= 0)
                continue;
            for (k = 0; k < n; k++) {
                if (ps[k].owner < 0 || k == i)
                    continue;
                /* same group as a job process (not krait's or the shell's:
                 * a job's group is its own), or its child */
                if ((ps[i].pgrp == ps[k].pgrp && ps[k].pgrp != (long)getpgrp() &&
                     ps[k].pgrp == ps[k].pid) || ps[i].ppid == ps[k].pid) {
                    ps[i].owner = ps[k].owner;
                    changed = true;
                    break;
                }
            }
        }
    }
}

/* Whether process pid with start time `start` still exists (zombies do not
 * count: killed orphans stay zombies until their new parent reaps them). */
static bool proc_alive(long pid, long long start)
{
    long ppid, pgrp;
    long long st;
    char state;
    return proc_stat(pid, &ppid, &pgrp, &state, &st) && st == start && state != 'Z' &&
           state != 'X';
}

/* Wait (at most about a second) until process pid (started at `start`) is
 * stopped or gone. SIGSTOP takes effect on the way back to user space: a
 * process in the middle of fork() finishes it first, so only a stopped
 * process's children are all visible to the next scan. */
static void wait_stopped(long pid, long long start)
{
    int i;
    for (i = 0; i < 1000; i++) {
        long ppid, pgrp;
        long long st;
        char state;
        if (!proc_stat(pid, &ppid, &pgrp, &state, &st) || st != start || state == 'T' ||
            state == 't' || state == 'Z' || state == 'X')
            return;
        usleep(1000);
    }
}

/* Stop, kill and wait for every process of the attempts in rc. KR_EEXEC
 * when one does not go away. */
static int kill_orphans(struct recover *rc, const char *state_dir, struct kr_error *err)
{
    struct pinfo *ps = NULL, *killed = NULL;
    uint32_t n, i, k, nkilled = 0, pass, found;
    uint32_t *per = kr_calloc(rc->n ? rc->n : 1, sizeof *per);
    double t0;
    int r = KR_OK;

    /* stop what belongs to the attempts until a scan finds nothing new */
    for (pass = 0; pass < 20; pass++) {
        n = scan_procs(rc, state_dir, &ps);
        mark_job_procs(rc, ps, n);
        found = 0;
        for (i = 0; i < n; i++) {
            if (ps[i].owner < 0)
                continue;
            for (k = 0; k < nkilled && (killed[k].pid != ps[i].pid ||
                                        killed[k].start != ps[i].start); k++)
                ;
            if (k < nkilled)
                continue;
            kill((pid_t)ps[i].pid, SIGSTOP);
            killed = kr_realloc(killed, (nkilled + 1) * sizeof *killed);
            killed[nkilled++] = ps[i];
            per[ps[i].owner]++;
            found++;
        }
        kr_free(ps);
        ps = NULL;
        if (found == 0)
            break;
        /* the next scan must see the children a fork in flight makes */
        for (k = nkilled - found; k < nkilled; k++)
            wait_stopped(killed[k].pid, killed[k].start);
    }
    for (k = 0; k < nkilled; k++)
        kill((pid_t)killed[k].pid, SIGKILL);
    for (k = 0; k < rc->n; k++)
        if (per[k])
            fprintf(stderr, "krait: killed %u process%s of job %s (attempt %lld), left "
                    "running by a krait that was killed%s\n", per[k], per[k] == 1 ? "" : "es",
                    rc->att[k].name, (long long)rc->att[k].id,
                    rc->att[k].proc.pid > 0 ? "" : " (found by its environment)");
    t0 = kr_now();
    for (k = 0; k < nkilled; k++) {
        while (proc_alive(killed[k].pid, killed[k].start) && kr_now() - t0 < 10)
            usleep(10000);
        if (proc_alive(killed[k].pid, killed[k].start) && r == KR_OK)
            r = kr_error_set(err, KR_EEXEC, "process %ld of job %s, left running by a killed "
                             "krait, does not go away after SIGKILL (state %c); not starting the "
                             "job a second time beside it: wait for it to end, then run again",
                             killed[k].pid, rc->att[killed[k].owner].name, killed[k].state);
    }
    kr_free(killed);
    kr_free(per);
    return r;
}

int kr_run_recover(struct kr_state *st, bool quiet, struct kr_error *err)
{
    return kr_run_recover_for(st, NULL, quiet, err);
}

int kr_run_recover_for(struct kr_state *st, const char *executor, bool quiet,
                       struct kr_error *err)
{
    struct recover rc;
    uint32_t i;
    int r;
    memset(&rc, 0, sizeof rc);
    rc.quiet = quiet;
    rc.ex = kr_executor_find(executor ? executor : "local");
    r = kr_state_unfinished(st, collect_unfinished, &rc, err);
    if (r == KR_OK && rc.n)
        r = kill_orphans(&rc, kr_state_dir(st), err);
    for (i = 0; r == KR_OK && i < rc.n; i++) {
        r = kr_state_mark_abandoned(st, rc.att[i].id, err);
        if (r == KR_NOT_FOUND)
            r = KR_OK;
    }
    if (r == KR_OK && rc.n && !quiet)
        fprintf(stderr, "krait: %u job%s of an interrupted run will be rerun (outputs "
                "marked incomplete)\n", rc.n, rc.n == 1 ? "" : "s");
    if (r == KR_OK && rc.elsewhere && !quiet)
        fprintf(stderr, "krait: warning: %u of them had been submitted to %s and may still "
                "be running there (use `krait run --executor %s` to re-adopt such jobs)\n",
                rc.elsewhere, rc.other, rc.other);
    kr_free(rc.att);
    return r;
}
