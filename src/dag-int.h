/*
 * dag-int.h - the planner's private view of a dag, shared by its own files
 * (dag.c builds it, stale.c decides reruns, planfmt.c prints it). Nothing
 * outside the planner includes this.
 */
#ifndef KR_DAG_INT_H
#define KR_DAG_INT_H

#include "dag.h"
#include "pattern.h"
#include "storage.h"

/* resolution state of a file (fent.rstate) */
enum { RS_NEW = 0, RS_BUSY, RS_DONE, RS_FAILED };

/* An interned file plus planner-private fields. */
struct kr_fent {
    struct kr_file f;
    const char *fail;           /* RS_FAILED: the message of the first failure */
    int fail_code;
    uint8_t rstate;
};

/* job build state (kr_jent.state) */
enum { JS_NEW = 0, JS_BUSY, JS_BUILT, JS_SELECTED };

struct kr_jent {
    struct kr_job j;
    struct kr_file *req;        /* the file it was created for (NULL: rule target) */
    uint8_t state;
    bool removed;               /* --until / --omit-from dropped it */
};

/* One slot of the intern table: the hash beside the pointer. */
struct kr_slot {
    uint64_t hash;
    struct kr_fent *f;          /* NULL: empty */
};

struct kr_frame {
    struct kr_job *job;
    struct kr_file *file;
};

struct kr_dag {
    struct kr_arena arena;
    struct kr_workflow *wf;
    struct kr_storage *st;
    struct kr_slot *tab;        /* open addressing, power-of-two capacity */
    uint32_t cap, nfiles;
    struct kr_pindex *ix;
    struct kr_vec all;          /* every job created (kr_jent *) */
    struct kr_job **jobs;       /* final, topological */
    uint32_t njobs;
    struct kr_job **run;
    uint32_t nrun;
    struct kr_job **targets;
    uint32_t ntargets;
    uint32_t stamp;
    struct kr_frame *stack;
    uint32_t nstack, capstack;
    struct kr_buf tmp;
    struct kr_job **scratch;    /* dedupe of deps */
    uint32_t capscratch;
    const struct kr_plan_opts *opts;
    const char *cimage, *cid;   /* stale.c: the last image asked for and its identity */
    bool cskip;                 /* ... containers disabled: no container trigger */
    bool planned;
    int64_t nstat;              /* stat() calls, for tests */
    int64_t nchecksum;          /* checksums computed, for tests */
};

static inline struct kr_fent *kr_fent_of(struct kr_file *f)
{
    return (struct kr_fent *)f;
}
static inline struct kr_jent *kr_jent_of(struct kr_job *j)
{
    return (struct kr_jent *)j;
}

/* stale.c: decide needs_run and reasons for dag->jobs (topological). */
int kr_stale_decide(struct kr_dag *dag, const struct kr_plan_opts *o, struct kr_error *err);

#endif /* KR_DAG_INT_H */
