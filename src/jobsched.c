/*
 * jobsched.c - ready queue (a binary heap) and resource accounting for the run
 * loop. See jobsched.h for the semantics.
 */
#include "jobsched.h"

#include <stdlib.h>
#include <string.h>

struct sjob {
    int priority;
    uint32_t depth;
    int threads;
    int64_t *need;      /* one per limit, or NULL when the job asks for none */
    char *gpus;         /* reserved device indices "0,1", or NULL */
    bool queued, running;
};

struct kr_sched {
    struct sjob *jobs;
    uint32_t njobs;
    int cores, free_cores;
    struct kr_sched_limit *limits;
    int64_t *avail;     /* free amount per limit */
    uint32_t nlimits;
    int gpu_limit;      /* index of "gpu" in limits, or -1 */
    bool *gpu_busy;     /* per device index */
    uint32_t *heap;     /* job ids */
    uint32_t nheap;
    uint32_t nrunning;
};

struct kr_sched *kr_sched_new(uint32_t njobs, int cores, const struct kr_sched_limit *limits,
                              uint32_t nlimits)
{
    struct kr_sched *s = kr_calloc(1, sizeof *s);
    uint32_t i;
    s->njobs = njobs;
    s->jobs = kr_calloc(njobs ? njobs : 1, sizeof *s->jobs);
    s->cores = s->free_cores = cores < 1 ? 1 : cores;
    s->nlimits = nlimits;
    s->limits = kr_calloc(nlimits ? nlimits : 1, sizeof *s->limits);
    s->avail = kr_calloc(nlimits ? nlimits : 1, sizeof *s->avail);
    s->gpu_limit = -1;
    for (i = 0; i < nlimits; i++) {
        s->limits[i] = limits[i];
        s->avail[i] = limits[i].total;
        if (!strcmp(limits[i].name, "gpu"))
            s->gpu_limit = (int)i;
    }
    if (s->gpu_limit >= 0)
        s->gpu_busy = kr_calloc(limits[s->gpu_limit].total > 0 ?
                                (size_t)limits[s->gpu_limit].total : 1, sizeof *s->gpu_busy);
    s->heap = kr_calloc(njobs ? njobs : 1, sizeof *s->heap);
    return s;
}

void kr_sched_free(struct kr_sched *s)
{
    uint32_t i;
    if (!s)
        return;
    for (i = 0; i < s->njobs; i++) {
        kr_free(s->jobs[i].need);
        kr_free(s->jobs[i].gpus);
    }
    kr_free(s->jobs);
    kr_free(s->limits);
    kr_free(s->avail);
    kr_free(s->gpu_busy);
    kr_free(s->heap);
    kr_free(s);
}

static int find_limit(const struct kr_sched *s, const char *name)
{
    uint32_t i;
    for (i = 0; i < s->nlimits; i++)
        if (!strcmp(s->limits[i].name, name))
            return (int)i;
    return -1;
}

int kr_sched_check(const struct kr_sched *s, const struct kr_sched_req *req, uint32_t nreq,
                   struct kr_error *err)
{
    uint32_t i;
    int k;
    for (i = 0; i < nreq; i++) {
        k = find_limit(s, req[i].name);
        if (k >= 0 && req[i].amount > s->limits[k].total)
            return kr_error_set(err, KR_EEXEC,
                                "needs %s=%lld but only %s=%lld are available "
                                "(raise it with --resources %s=N)",
                                req[i].name, (long long)req[i].amount, req[i].name,
                                (long long)s->limits[k].total, req[i].name);
    }
    return KR_OK;
}

/* true when job a should run before job b */
static bool before(const struct kr_sched *s, uint32_t a, uint32_t b)
{
    const struct sjob *x = &s->jobs[a], *y = &s->jobs[b];
    if (x->priority != y->priority)
        return x->priority > y->priority;
    if (x->depth != y->depth)
        return x->depth > y->depth;
    return a < b;
}

static void heap_up(struct kr_sched *s, uint32_t i)
{
    uint32_t id = s->heap[i], p;
    while (i > 0) {
        p = (i - 1) / 2;
        if (!before(s, id, s->heap[p]))
            break;
        s->heap[i] = s->heap[p];
        i = p;
    }
    s->heap[i] = id;
}

static void heap_down(struct kr_sched *s, uint32_t i)
{
    uint32_t id = s->heap[i], c;
    for (;;) {
        c = 2 * i + 1;
        if (c >= s->nheap)
            break;
        if (c + 1 < s->nheap && before(s, s->heap[c + 1], s->heap[c]))
            c++;
        if (!before(s, s->heap[c], id))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    s->heap[i] = id;
}

static uint32_t heap_pop(struct kr_sched *s)
{
    uint32_t top = s->heap[0];
    s->heap[0] = s->heap[--s->nheap];
    if (s->nheap > 0)
        heap_down(s, 0);
    return top;
}

static void heap_push(struct kr_sched *s, uint32_t id)
{
    s->heap[s->nheap] = id;
    heap_up(s, s->nheap++);
}

/* Record a job's priority, depth, threads and needs (push and reserve). */
static void set_job(struct kr_sched *s, uint32_t id, int priority, uint32_t depth, int threads,
                    const struct kr_sched_req *req, uint32_t nreq)
{
    struct sjob *j = &s->jobs[id];
    uint32_t i;
    int k;
    j->priority = priority;
    j->depth = depth;
    j->threads = threads < 1 ? 1 : threads > s->cores ? s->cores : threads;
    kr_free(j->need);
    j->need = NULL;
    for (i = 0; i < nreq; i++) {
        k = find_limit(s, req[i].name);
        if (k < 0 || req[i].amount <= 0)
            continue;
        if (!j->need)
            j->need = kr_calloc(s->nlimits, sizeof *j->need);
        j->need[k] = req[i].amount;
    }
}

void kr_sched_push(struct kr_sched *s, uint32_t id, int priority, uint32_t depth, int threads,
                   const struct kr_sched_req *req, uint32_t nreq)
{
    set_job(s, id, priority, depth, threads, req, nreq);
    s->jobs[id].queued = true;
    heap_push(s, id);
}

static bool fits(const struct kr_sched *s, const struct sjob *j)
{
    uint32_t k;
    if (j->threads > s->free_cores)
        return false;
    if (j->need)
        for (k = 0; k < s->nlimits; k++)
            if (j->need[k] > s->avail[k])
                return false;
    return true;
}

static void reserve(struct kr_sched *s, uint32_t id)
{
    struct sjob *j = &s->jobs[id];
    struct kr_buf b = KR_BUF_INIT;
    uint32_t k;
    int64_t want, d;
    s->free_cores -= j->threads;
    if (j->need) {
        for (k = 0; k < s->nlimits; k++)
            s->avail[k] -= j->need[k];
        if (s->gpu_limit >= 0 && (want = j->need[s->gpu_limit]) > 0) {
            for (d = 0; d < s->limits[s->gpu_limit].total && want > 0; d++) {
                if (s->gpu_busy[d])
                    continue;
                s->gpu_busy[d] = true;
                kr_buf_printf(&b, "%s%lld", b.len ? "," : "", (long long)d);
                want--;
            }
            j->gpus = kr_buf_steal(&b);
        }
    }
    j->queued = false;
    j->running = true;
    s->nrunning++;
}

void kr_sched_reserve(struct kr_sched *s, uint32_t id, int threads,
                      const struct kr_sched_req *req, uint32_t nreq)
{
    set_job(s, id, 0, 0, threads, req, nreq);
    reserve(s, id);
}

int kr_sched_pop(struct kr_sched *s, uint32_t *id)
{
    uint32_t aside[KR_SCHED_SCAN];
    uint32_t naside = 0, i, cand;
    int rc = KR_NOT_FOUND;
    if (s->free_cores <= 0)
        return KR_NOT_FOUND;
    while (s->nheap > 0 && naside < KR_SCHED_SCAN) {
        cand = heap_pop(s);
        if (fits(s, &s->jobs[cand])) {
            reserve(s, cand);
            *id = cand;
            rc = KR_OK;
            break;
        }
        aside[naside++] = cand;
    }
    for (i = 0; i < naside; i++)
        heap_push(s, aside[i]);
    return rc;
}

void kr_sched_release(struct kr_sched *s, uint32_t id)
{
    struct sjob *j = &s->jobs[id];
    uint32_t k;
    const char *p;
    if (!j->running)
        return;
    s->free_cores += j->threads;
    if (j->need)
        for (k = 0; k < s->nlimits; k++)
            s->avail[k] += j->need[k];
    if (j->gpus) {
        for (p = j->gpus; *p; ) {
            long d = strtol(p, (char **)&p, 10);
            if (d >= 0 && d < s->limits[s->gpu_limit].total)
                s->gpu_busy[d] = false;
            if (*p == ',')
                p++;
        }
        kr_free(j->gpus);
        j->gpus = NULL;
    }
    j->running = false;
    s->nrunning--;
}

const char *kr_sched_gpus(const struct kr_sched *s, uint32_t id)
{
    return s->jobs[id].gpus ? s->jobs[id].gpus : "";
}

int kr_sched_threads(const struct kr_sched *s, uint32_t id) { return s->jobs[id].threads; }
uint32_t kr_sched_nready(const struct kr_sched *s) { return s->nheap; }
uint32_t kr_sched_nrunning(const struct kr_sched *s) { return s->nrunning; }
int kr_sched_free_cores(const struct kr_sched *s) { return s->free_cores; }
