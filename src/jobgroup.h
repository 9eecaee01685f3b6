/*
 * jobgroup.h - pipe and service groups: the jobs of a run that have to run
 * at the same time. As Snakemake does (DAG.handle_pipes_and_services), a
 * job with a pipe() or service() output and every job of the run that
 * consumes that output belong to one group, transitively: a pipe's producer
 * writes into a FIFO its consumer reads, and a service runs until the jobs
 * that use it are done. The run loop starts a group's jobs together, once
 * every one of them has its other inputs, and stops its services when the
 * others have ended (src/runner.c).
 *
 * The groups are kept as two arrays indexed by job id: the group's leader
 * (its lowest job id) and the next member (a circular list), built with a
 * union-find in O(jobs + edges) over the jobs that run. A run without
 * pipe() or service() outputs allocates nothing.
 *
 * Ownership: kr_jgroups_build fills *g; kr_jgroups_free releases it.
 */
#ifndef KR_JOBGROUP_H
#define KR_JOBGROUP_H

#include "dag.h"

struct kr_jgroups {
    uint32_t *lead;     /* lead[id]: the leader of id's group (id when alone); NULL: no groups */
    uint32_t *next;     /* next[id]: the next member of id's group (circular; id when alone) */
    uint32_t ngroups;   /* groups of two jobs or more */
    bool service;       /* some group has a service() output */
};

/*
 * Group the jobs `run` (the jobs of the run, needs_run set; ids below nall)
 * by their pipe() and service() outputs and the jobs of `run` that consume
 * them. Leaves g->lead NULL when no job has such an output with a consumer
 * that runs. Never fails (allocation failure aborts).
 */
void kr_jgroups_build(struct kr_jgroups *g, uint32_t nall, struct kr_job *const *run,
                      uint32_t nrun);

/* Whether job `id` runs in a group of two jobs or more. */
static inline bool kr_jgroups_grouped(const struct kr_jgroups *g, uint32_t id)
{
    return g->lead && g->next[id] != id;
}

/* Whether jobs a and b are in one group (false when either is alone). */
static inline bool kr_jgroups_same(const struct kr_jgroups *g, uint32_t a, uint32_t b)
{
    return kr_jgroups_grouped(g, a) && g->lead[a] == g->lead[b];
}

/* The number of jobs in id's group (1 when alone). */
uint32_t kr_jgroups_size(const struct kr_jgroups *g, uint32_t id);

void kr_jgroups_free(struct kr_jgroups *g);

#endif /* KR_JOBGROUP_H */
