/*
 * dag.h - the planner's product: interned files, jobs and the dependency
 * graph between them, with each job's rerun decision and its reason. This is
 * what the scheduler and the executors consume; they never see rule patterns
 * or the syntax tree. (Design notes: top of src/dag.c.)
 *
 * Ownership: a kr_dag owns everything it points to (one arena, one hash
 * table); kr_dag_free releases it. The workflow must outlive the dag.
 *
 * Provenance: the planner does not talk to SQLite. The caller loads the
 * recorded provenance of outputs from the state database and attaches it to
 * files with kr_dag_attach_prov before kr_dag_plan (one table scan instead
 * of one query per file).
 */
#ifndef KR_DAG_H
#define KR_DAG_H

#include "kr.h"
#include "workflow.h"

struct kr_storage;   /* file metadata interface (src/storage.h) */
struct kr_job;

/* stat state of a file: each file is stat()ed at most once per run */
enum kr_stat {
    KR_STAT_UNKNOWN = 0,
    KR_STAT_MISSING,
    KR_STAT_FILE,
    KR_STAT_DIR,
};

/* One input's fingerprint as recorded when a job ran (checksum suppression). */
struct kr_prov_input {
    const char *path;
    int64_t mtime_ns;
    int64_t size;
    const char *checksum;   /* hex digest for small files, or NULL (too large) */
};

/* What the state database recorded for an output file. */
struct kr_prov {
    const char *rule;
    uint64_t code_hash;     /* kr_rule.code_hash when it ran */
    uint64_t params_hash;   /* hash of kr_jobinfo.params_repr */
    uint64_t inputs_hash;   /* hash of the sorted set of input paths */
    const char *container;  /* image identity, or NULL */
    bool incomplete;        /* the job was started and never finished */
    struct kr_prov_input *inputs;
    uint32_t ninputs;
    bool inputs_same;       /* set by kr_dag_attach_prov: every recorded input had a
                               digest and still has its recorded mtime and size, so
                               inputs[] was dropped (ninputs 0) */
};

/* An interned path (like ninja's Node): compare by pointer. Laid out
 * without padding holes (56 bytes): a plan holds one per path. */
struct kr_file {
    const char *path;
    int64_t mtime_ns;
    int64_t size;
    struct kr_job *producer;    /* the job that outputs it, or NULL (source file) */
    struct kr_prov *prov;       /* recorded provenance, or NULL */
    uint32_t len;
    uint32_t nconsumers;        /* jobs in the DAG reading it (temp() cleanup) */
    uint32_t flags;             /* KR_F_* as declared by its producer */
    uint8_t stat;               /* enum kr_stat, filled lazily by kr_dag_stat */
    uint8_t will_change;        /* set when its producer is scheduled to run */
    uint8_t pstate_;            /* planner-private (resolution state) */
    uint8_t pad_;
};

/* Why a job runs. KR_REASON_NONE = up to date. */
enum kr_reason {
    KR_REASON_NONE = 0,
    KR_REASON_MISSING_OUTPUT,   /* "output missing: FILE" */
    KR_REASON_INPUT_NEWER,      /* "input newer than output: FILE" */
    KR_REASON_FORCED,           /* -F, -R RULE, -f target */
    KR_REASON_INCOMPLETE,       /* output of an interrupted job */
    KR_REASON_CODE,             /* rule code changed */
    KR_REASON_PARAMS,           /* params changed */
    KR_REASON_INPUT_SET,        /* set of input files changed */
    KR_REASON_CONTAINER,        /* container image changed */
    KR_REASON_UPSTREAM,         /* "input updated by job N (rule)" */
    KR_REASON_NO_OUTPUT,        /* a target rule without outputs whose inputs update */
    KR_REASON__COUNT
};

/* Short name of a reason ("missing output", "updated input", ...). */
const char *kr_reason_name(enum kr_reason r);

/* One job. Pointers first, then counters, so that the struct has no
 * padding holes (120 bytes): a plan holds one per rule instance. */
struct kr_job {
    struct kr_rule *rule;
    struct kr_wildcards wc;
    struct kr_iofile *in;       /* resolved input (names, flags); in[i].path == infiles[i]->path */
    struct kr_file **infiles;
    struct kr_iofile *out;
    struct kr_file **outfiles;
    struct kr_job **deps;       /* distinct producer jobs of the inputs (NULL: none) */
    struct kr_job **rdeps;      /* jobs that depend on this one (NULL: none) */
    const char *reason_detail;  /* the file or rule the reason names, or NULL */
    uint32_t id;                /* 0-based, dense; stable for one plan */
    uint32_t nin;
    uint32_t nout;
    uint32_t ndeps;
    uint32_t nrdeps;
    uint32_t depth;             /* longest path to a sink (scheduling priority) */
    uint32_t visit;             /* planner scratch */
    uint8_t reason;             /* enum kr_reason; NONE = up to date */
    bool needs_run;
    bool is_target;
    uint8_t pstate_;            /* planner-private (build state, --until/--omit-from) */
};

/* Planning options (from the command line). */
struct kr_plan_opts {
    const char **targets;       /* files or rule names; none = default target */
    uint32_t ntargets;
    bool forceall;              /* -F */
    bool force_targets;         /* -f */
    const char **forcerun;      /* -R RULE... */
    uint32_t nforcerun;
    const char **until;         /* --until RULE|FILE: run only jobs needed up to these */
    uint32_t nuntil;
    const char **omit_from;     /* --omit-from RULE|FILE: omit these and downstream */
    uint32_t nomit_from;
    const char *batch_rule;     /* --batch RULE=IDX/N: plan only batch IDX (1-based) */
    uint32_t batch_idx, batch_n;/* of N of RULE's sorted input files (Snakemake) */
    struct kr_storage *storage; /* remote paths (s3://) for kr_ckpt_plan's dag:
                                   NULL for local files only */
    bool defer_waiting;         /* leave out jobs waiting for a checkpoint and what
                                   follows them (a run plans again afterwards) */
    const char **allowed_rules; /* --allowed-rules: only these rules may be used */
    uint32_t nallowed_rules;
    unsigned triggers;          /* KR_TRIGGER_* mask; 0 means all */
    int64_t checksum_max_size;  /* files larger than this are never checksummed */
    const char *container_image;    /* --container-image: the image of jobs whose rule
                                       and workflow name none (NULL: none) */
    /*
     * The container trigger: the current identity of `image` ("sha256:..."),
     * as provenance records it (kr_container_identity_fn with a
     * kr_container_ctx as data). Called at most once per distinct image per
     * plan, only for jobs whose outputs exist and have provenance. Returns
     * KR_OK; KR_NOT_FOUND or KR_EUNSUPPORTED (containers disabled, no
     * runtime): the trigger is skipped; other errors fail the plan. NULL:
     * the trigger fires only when an image was added or removed.
     */
    int (*container_id)(void *data, const char *image, const char **id, struct kr_error *err);
    void *container_id_data;
};

#define KR_TRIGGER_MTIME     0x01u
#define KR_TRIGGER_PARAMS    0x02u
#define KR_TRIGGER_INPUT     0x04u
#define KR_TRIGGER_CODE      0x08u
#define KR_TRIGGER_CONTAINER 0x10u
#define KR_TRIGGER_ALL       0x1fu

struct kr_dag;

/* A new, empty dag for `wf`, reading file metadata through `storage`
 * (NULL = the local file system). */
struct kr_dag *kr_dag_new(struct kr_workflow *wf, struct kr_storage *storage);
void kr_dag_free(struct kr_dag *dag);

/* Intern a path (normalised: "./a" -> "a", "a//b" -> "a/b"). */
struct kr_file *kr_dag_file(struct kr_dag *dag, const char *path, size_t len);

/* Attach recorded provenance (copied into the dag's arena) to a path.
 * Recorded inputs with a digest are stat()ed here (once, as always); one
 * that still has the recorded mtime and size counts as unchanged and its
 * digest is not kept; when all are unchanged, none is kept (inputs_same). */
void kr_dag_attach_prov(struct kr_dag *dag, const char *path, const struct kr_prov *prov);

/*
 * Build the jobs needed for the targets by backward chaining, decide which
 * need to run and why, and compute depths. KR_EPLAN with err for ambiguity,
 * cycles (the cycle printed in the message), missing inputs (with the chain
 * from the target), bad targets.
 */
int kr_dag_plan(struct kr_dag *dag, const struct kr_plan_opts *opts, struct kr_error *err);

/* Jobs in a topological order (dependencies first). Valid after kr_dag_plan. */
struct kr_job **kr_dag_jobs(struct kr_dag *dag, uint32_t *njobs);

/* The jobs that need to run, topologically ordered. */
struct kr_job **kr_dag_jobs_to_run(struct kr_dag *dag, uint32_t *njobs);

/* stat() a file once (later calls return the cached result). */
enum kr_stat kr_dag_stat(struct kr_dag *dag, struct kr_file *f);

/* Forget a file's cached stat (after a job wrote it). */
void kr_dag_restat(struct kr_dag *dag, struct kr_file *f);

/* The workflow the dag was built from. */
struct kr_workflow *kr_dag_workflow(struct kr_dag *dag);

/* The dag's arena (lives as long as the dag). */
struct kr_arena *kr_dag_arena(struct kr_dag *dag);

/* ---- additions (planner) --------------------------------------------- */

/* Find an interned path (normalised as kr_dag_file) without adding it. */
struct kr_file *kr_dag_find(struct kr_dag *dag, const char *path, size_t len);

/* Jobs of the last kr_dag_plan whose input function waits for a checkpoint
 * that has not run (checkpoint.h); with defer_waiting they and what follows
 * them are left out of the plan and must be planned again after the run. */
uint32_t kr_dag_nwaiting(const struct kr_dag *dag);
bool kr_dag_job_waiting(const struct kr_job *j);

/* The rule built when no target is named: the one marked default_target:
 * True, else the first rule of the main rule file; NULL when it has none. */
struct kr_rule *kr_dag_default_rule(struct kr_workflow *wf);

/* The target jobs of the last kr_dag_plan (after --until: the until jobs). */
struct kr_job **kr_dag_targets(struct kr_dag *dag, uint32_t *n);

/*
 * The hashes provenance records, computed the same way by whoever records
 * them (the executor after a job) and by the planner when it compares:
 * params: kr_hash64 of kr_jobinfo.params_repr (NULL hashes as "");
 * inputs: of the job's input paths sorted bytewise, each followed by NUL.
 */
uint64_t kr_dag_params_hash(const char *params_repr);
uint64_t kr_dag_inputs_hash(const struct kr_job *job);

/* Counters for tests and benchmarks: stat() and checksum calls so far. */
void kr_dag_counters(const struct kr_dag *dag, int64_t *nstat, int64_t *nchecksum);

#endif /* KR_DAG_H */
