/*
 * jobprep.h - turning one planned job (struct kr_job) into what an executor
 * runs (struct kr_exec_job): threads, resources and the formatted command
 * from kr_wf_job_info, the log path (the rule's first log: file, else
 * .krait/log/RULE/WILDCARDS.log), the benchmark path, script:/run: jobs
 * wrapped by scriptwrap, --default-resources applied, and the requests the
 * scheduler accounts for.
 *
 * Ownership: everything a prepared job points to lives in the arena given to
 * kr_jobprep_job (the run loop keeps one arena per job attempt).
 */
#ifndef KR_JOBPREP_H
#define KR_JOBPREP_H

#include "dag.h"
#include "executor.h"
#include "jobsched.h"
#include "workflow.h"

struct kr_container_ctx;

/* One --default-resources NAME=VALUE: an integer, or (expr != NULL) a
 * Python expression of input, attempt, threads and system_tmpdir evaluated
 * per job (kr_res_default_value). fn_ caches the compiled expression. */
struct kr_defres {
    const char *name;
    int64_t value;
    const char *expr;
    struct kr_value *fn_;
};

struct kr_jobprep {
    struct kr_workflow *wf;
    struct kr_dag *dag;
    const char *workdir;            /* absolute */
    const char *state_dir;          /* absolute .krait */
    int cores;                      /* threads are capped at this */
    bool default_resources;         /* --default-resources given (Snakemake's
                                       mem_mb/disk_mb = max(2*input MB, 1000)) */
    const struct kr_defres *defres; /* its NAME=INT values (override the defaults) */
    uint32_t ndefres;
    int64_t checksum_max_size;
    struct kr_container_ctx *containers;   /* NULL: jobs run on the host */
    bool native_containers;         /* the executor runs images itself
                                       (KR_EXEC_CAP_CONTAINERS): ej.container is
                                       the image to use (the rule's, else
                                       --container-image), the command is not
                                       wrapped */
    char *wrapper;                  /* script wrapper path, installed lazily (owned) */
    const char *stage_root;         /* remote (s3://) paths are staged under this
                                       directory (src/stage.h); NULL: no staging */
    const char *shadow_base;        /* absolute directory of shadow: directories
                                       (--shadow-prefix DIR/shadow); NULL:
                                       state_dir/shadow */
};

/* A job ready to submit. */
struct kr_prepared {
    struct kr_exec_job ej;
    struct kr_jobinfo info;
    struct kr_sched_req *req;       /* integer resources for the scheduler */
    uint32_t nreq;
    const char *desc;               /* "rule map (sample=A)" */
    const char *wildcards;          /* "sample=A" or "" */
    const char **logs;              /* all log: files */
    uint32_t nlogs;
    const char *jobfile;            /* script:/run: job file (0600; may hold secrets) or NULL */
    const char **lout;              /* where the job writes output i: its path, or for a
                                       remote output its staged copy (kr_stage_local_path) */
    uint32_t nremote_in;            /* s3:// inputs to fetch before the job runs */
    uint32_t nremote_out;           /* s3:// outputs to upload after it */
    int shadow_mode;                /* enum kr_shadow_mode of the rule's shadow: */
    const char *shadow_dir;         /* where the job runs (ej.workdir) when it is
                                       shadowed, else NULL (src/shadow.h) */
    const char **rextra;            /* s3:// log: and benchmark: files: the job writes
                                       their staged copies, uploaded after it succeeded */
    uint32_t nrextra;
};

/*
 * Prepare `job` for attempt `attempt` (1-based) in `arena`. Does not touch
 * the file system except for writing script:/run: job files. Fails with the
 * evaluator's error (KR_EEVAL: a lambda raised...) or KR_EIO.
 */
int kr_jobprep_job(struct kr_jobprep *jp, struct kr_job *job, int attempt,
                   struct kr_arena *arena, struct kr_prepared *out, struct kr_error *err);

/* "rule NAME (k=v, k=v)" for messages, in arena. */
const char *kr_jobprep_desc(const struct kr_job *job, struct kr_arena *arena);

/* Release what kr_jobprep owns (the wrapper path). */
void kr_jobprep_cleanup(struct kr_jobprep *jp);

#endif /* KR_JOBPREP_H */
