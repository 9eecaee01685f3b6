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

/* resolution state of a file (kr_file.pstate_) */
enum { RS_NEW = 0, RS_BUSY, RS_DONE, RS_FAILED };

/* Why a file could not be had (RS_FAILED), kept for its later consumers in
 * a small table beside the files (dag->fails: failures are rare, a pointer
 * in every file would cost 8 bytes per path). */
struct kr_fail {
    const struct kr_file *file;     /* NULL: empty slot */
    int code;
    const char *msg;
};

/* An interned file as the planner stores it (56 bytes; planner state in
 * f.pstate_). Files live in chunks of KR_FCHUNK (dag->fchunk), numbered in
 * interning order. */
struct kr_fent {
    struct kr_file f;
};
#define KR_FCHUNK_SHIFT 11
#define KR_FCHUNK (1u << KR_FCHUNK_SHIFT)

/* job build state (low bits of kr_job.pstate_) */
enum { JS_NEW = 0, JS_BUSY, JS_BUILT, JS_SELECTED };
#define KR_JS_MASK 0x3u
#define KR_JS_REMOVED 0x4u          /* --until / --omit-from dropped it */
#define KR_JS_WAITING 0x8u          /* an input function waits for a checkpoint */
#define KR_JS_SPECIAL_IO 0x10u      /* has a pipe(), service() or update() output */

/* One slot of the intern table (8 bytes): 32 bits of the hash beside the
 * file's number + 1 (0: empty), so probing touches no file on a mismatch. */
struct kr_slot {
    uint32_t hash;
    uint32_t idx;
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
    struct kr_fent **fchunk;    /* file n is fchunk[n >> KR_FCHUNK_SHIFT][n & (KR_FCHUNK-1)] */
    uint32_t nfchunk;
    char *bcur, *bend;          /* bump allocation inside arena chunks (no 16-byte rounding) */
    struct kr_fail *fails;      /* RS_FAILED files: open addressing by file pointer */
    uint32_t capfails, nfails;
    size_t bchunk;
    struct kr_pindex *ix;
    struct kr_vec all;          /* every job created (kr_job *) */
    struct kr_job **jobs;       /* final, topological */
    uint32_t njobs;
    struct kr_job **run;
    uint32_t nrun;
    struct kr_job **targets;
    uint32_t ntargets;
    uint32_t stamp;
    struct kr_frame *stack;
    uint32_t nstack, capstack;
    struct kr_buf tmp;          /* normalised paths */
    struct kr_buf pathbuf;      /* paths being formatted from patterns */
    struct kr_job **scratch;    /* dedupe of deps */
    uint32_t capscratch;
    const struct kr_plan_opts *opts;
    const char *cimage, *cid;   /* stale.c: the last image asked for and its identity */
    const char *prule;          /* kr_dag_attach_prov: the last rule name copied */
    bool cskip;                 /* ... containers disabled: no container trigger */
    uint64_t *phash;            /* stale.c: params hash per rule index ... */
    bool *phash_ok;             /* ... when its params are plain values */
    bool planned;
    bool has_ckpt;              /* the workflow has checkpoint rules */
    bool has_special_io;        /* some job has a before_update() input or a pipe(),
                                   service() or update() output (check_special_io) */
    const struct kr_rule *batch;/* --batch: the batching rule, or NULL */
    uint32_t nwaiting;          /* jobs with KR_JS_WAITING */
    int64_t nstat;              /* stat() calls, for tests */
    int64_t nchecksum;          /* checksums computed, for tests */
};

static inline struct kr_fent *kr_fent_of(struct kr_file *f)
{
    return (struct kr_fent *)f;
}
static inline unsigned kr_job_state(const struct kr_job *j)
{
    return j->pstate_ & KR_JS_MASK;
}
static inline void kr_job_set_state(struct kr_job *j, unsigned st)
{
    j->pstate_ = (uint8_t)((j->pstate_ & ~KR_JS_MASK) | st);
}
static inline bool kr_job_removed(const struct kr_job *j)
{
    return (j->pstate_ & KR_JS_REMOVED) != 0;
}
static inline void kr_job_set_removed(struct kr_job *j, bool removed)
{
    j->pstate_ = (uint8_t)(removed ? j->pstate_ | KR_JS_REMOVED : j->pstate_ & ~KR_JS_REMOVED);
}

/* The checksum kr_dag_attach_prov records for an input whose mtime and size
 * are still those recorded: its content counts as unchanged (compare the
 * pointer). */
extern const char kr_dag_same_content[];

/* stale.c: decide needs_run and reasons for dag->jobs (topological). */
int kr_stale_decide(struct kr_dag *dag, const struct kr_plan_opts *o, struct kr_error *err);

#endif /* KR_DAG_INT_H */
