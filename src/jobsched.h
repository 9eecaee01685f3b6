/*
 * jobsched.h - the scheduler core: a ready queue ordered by priority, then
 * longest path to a sink, and the accounting of cores, integer resources
 * (mem_mb, disk_mb, runtime, gpu, any custom name given to --resources) and
 * GPU device indices. It knows nothing of rules, files or executors: the run
 * loop pushes jobs whose dependencies are done and pops the best one that
 * fits into what is free.
 *
 * Semantics (Snakemake's): only resources named in the limits are
 * constrained; a job asking for more of a resource than its total can never
 * run (kr_sched_check reports it as Snakemake does); threads are capped at
 * the cores. A job asking for gpu=N while the limits include gpu=M gets N
 * free device indices out of 0..M-1 (kr_sched_gpus), returned on release.
 *
 * Cost: push and pop are O(log n) heap operations. A pop that finds the top
 * job too big for what is free sets it aside and looks further, at most
 * KR_SCHED_SCAN jobs deep, so a blocked queue never turns scheduling
 * quadratic.
 *
 * (Named jobsched.h, not sched.h: src/ is on the include path, so a
 * src/sched.h would shadow the system <sched.h> that <spawn.h> and
 * <pthread.h> include.)
 *
 * Ownership: kr_sched_new allocates, kr_sched_free releases; requests are
 * copied; resource names in the limits must outlive the scheduler.
 */
#ifndef KR_JOBSCHED_H
#define KR_JOBSCHED_H

#include "kr.h"

#define KR_SCHED_SCAN 64

/* A limited resource: --resources NAME=TOTAL. */
struct kr_sched_limit {
    const char *name;
    int64_t total;
};

/* A job's request for one resource. */
struct kr_sched_req {
    const char *name;
    int64_t amount;
};

struct kr_sched;

/*
 * A scheduler for job ids 0..njobs-1 with `cores` cores (>= 1) and the given
 * limits (copied). Never fails (allocation failure aborts).
 */
struct kr_sched *kr_sched_new(uint32_t njobs, int cores, const struct kr_sched_limit *limits,
                              uint32_t nlimits);
void kr_sched_free(struct kr_sched *s);

/*
 * Whether a request can ever be satisfied: KR_OK, or KR_EEXEC with
 * "needs mem_mb=5000 but only mem_mb=1000 are available" in err.
 * (threads are capped at the cores, so they never fail this check.)
 */
int kr_sched_check(const struct kr_sched *s, const struct kr_sched_req *req, uint32_t nreq,
                   struct kr_error *err);

/*
 * Queue job `id` as ready with its priority (higher first), depth (longer
 * path to a sink first; ties by lower id), threads and resource requests.
 * A job must not be pushed twice without being popped in between.
 */
void kr_sched_push(struct kr_sched *s, uint32_t id, int priority, uint32_t depth, int threads,
                   const struct kr_sched_req *req, uint32_t nreq);

/*
 * Take the best ready job that fits into the free cores and resources and
 * reserve them: KR_OK and *id, or KR_NOT_FOUND when no ready job fits now
 * (or none is ready).
 */
int kr_sched_pop(struct kr_sched *s, uint32_t *id);

/*
 * Reserve cores and resources for job `id` without queueing it and whether
 * or not they are free (free amounts may go below zero until it is
 * released): for a job that is already running when the scheduler starts,
 * such as one re-adopted from an earlier krait. The job must not be queued.
 */
void kr_sched_reserve(struct kr_sched *s, uint32_t id, int threads,
                      const struct kr_sched_req *req, uint32_t nreq);

/* Give back what job `id` (popped or reserved before) reserved. */
void kr_sched_release(struct kr_sched *s, uint32_t id);

/* The GPU indices reserved for a popped job, "0,2" (empty when none).
 * Valid until the job is released. */
const char *kr_sched_gpus(const struct kr_sched *s, uint32_t id);

/* The threads a job was granted (capped at the cores). */
int kr_sched_threads(const struct kr_sched *s, uint32_t id);

uint32_t kr_sched_nready(const struct kr_sched *s);
uint32_t kr_sched_nrunning(const struct kr_sched *s);
int kr_sched_free_cores(const struct kr_sched *s);

#endif /* KR_JOBSCHED_H */
