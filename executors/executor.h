/*
 * executor.h - the one interface behind which every backend runs jobs:
 * local processes, a dry run, SLURM, Kubernetes, AWS Batch (one file each in
 * executors/, each exporting one const struct kr_executor).
 *
 * Shaped like ninja's command runner and designed for remote backends from
 * the start:
 *   - submit() hands one fully prepared job (its command already formatted:
 *     backends never re-parse the workflow) and returns an external id
 *     ("pid:1234", a SLURM job id, a Kubernetes job name...). The caller
 *     journals that id in the state database before doing anything else,
 *     so a killed engine can reattach.
 *   - poll() reports any number of finished jobs at once.
 *   - cancel() stops jobs; shutdown() releases the backend.
 *   - attach() (optional) re-adopts a job from a previous krait process by
 *     its journaled external id.
 * Optional hooks may be NULL; `caps` says what a backend can do.
 *
 * What the runner (src/runner.c) guarantees a backend:
 *   - it never has more than opts->max_jobs jobs submitted and not yet
 *     reported finished at once to a remote executor (KR_EXEC_CAP_REMOTE;
 *     max_jobs 0 = opts->cores), counting jobs re-adopted with attach()
 *     (only a later run given a smaller -j can exceed it, by the jobs it
 *     re-adopted, until they finish); a local executor never gets more jobs
 *     at once than fit into opts->cores threads;
 *   - submit_many() gets ready jobs of ONE rule at a time, never more than
 *     the free slots; the backend may group them further (SLURM: by workdir
 *     and resources);
 *   - the external ids returned by submit() / submit_many() are journaled
 *     before the runner does anything else with the jobs.
 *
 * Executors see kr_exec_job only: never the syntax tree, rules or the DAG.
 */
#ifndef KR_EXECUTOR_H
#define KR_EXECUTOR_H

#include "kr.h"

/* capability bits */
#define KR_EXEC_CAP_REMOTE     0x01u  /* runs jobs elsewhere (outputs may appear late) */
#define KR_EXEC_CAP_ATTACH     0x02u  /* can re-adopt jobs by external id after a restart */
#define KR_EXEC_CAP_CONTAINERS 0x04u  /* can run jobs inside containers */
#define KR_EXEC_CAP_ARRAYS     0x08u  /* can submit many jobs of one rule as one array */
#define KR_EXEC_CAP_DETACH     0x10u  /* jobs survive krait exiting (krait run --detach) */
#define KR_EXEC_CAP_NOOP       0x20u  /* runs nothing (the dry run): the runner neither
                                         removes, checks nor records outputs, and
                                         journals nothing */
#define KR_EXEC_CAP_SHARED_FS  0x40u  /* jobs see krait's working directory (local
                                         processes; SLURM on a shared file system):
                                         s3:// files are staged by krait
                                         (--storage-staging shared) unless told
                                         otherwise; without it, jobs stage themselves
                                         with presigned URLs (src/stage-remote.h) */

/* One environment variable for a job. */
struct kr_env {
    const char *name;
    const char *value;
};

/* A job as an executor sees it. All strings belong to the caller and stay
 * valid until the job is reported finished. */
struct kr_exec_job {
    uint32_t id;                /* the planner's job id */
    const char *name;           /* readable: "rule_map.sample=A" (for squeue, logs) */
    const char *rule;
    const char *command;        /* the formatted command, run with bash -euo pipefail -c */
    const char *workdir;        /* absolute working directory */
    const char *log_path;       /* where stdout+stderr go (.krait/log/...), or NULL */
    int threads;
    int64_t mem_mb, disk_mb, runtime_min, gpus;   /* 0 = not set */
    const struct kr_resource_kv { const char *name; int64_t ival; const char *sval; } *res;
    uint32_t nres;              /* all resources (custom and backend-specific, e.g. slurm_partition) */
    const struct kr_env *env;
    uint32_t nenv;
    const char *container;      /* image, or NULL */
    const char **outputs;       /* declared outputs (remote backends check them) */
    uint32_t noutputs;
    int attempt;                /* 1-based */
    const char *benchmark_path; /* write a benchmark TSV here, or NULL */
    uint32_t bench_repeat;      /* benchmark: repeat(path, n): run the command n times (one
                                   row each, wall time only); <= 1: once */
    bool isolated;              /* the job does not see krait's file system (presigned
                                   staging on a backend without KR_EXEC_CAP_SHARED_FS):
                                   workdir, log_path and benchmark_path are krait's, and
                                   the job must touch none of them; it runs where it
                                   starts (the staging wrapper makes its own scratch
                                   directory), writes its output and its benchmark
                                   record (kr_exec_put_timed with no path) to the
                                   container's stdout, and the backend brings them
                                   back to log_path and benchmark_path when the job
                                   ends (kr_exec_land_output) */
};

/* Outcome of a finished job. */
enum kr_exec_state {
    KR_EXEC_OK = 0,
    KR_EXEC_FAILED,         /* non-zero exit */
    KR_EXEC_SIGNALED,       /* killed by a signal */
    KR_EXEC_OOM,            /* out of memory */
    KR_EXEC_TIMEOUT,        /* time limit */
    KR_EXEC_NODE_FAIL,      /* node failure (retried without using up retries) */
    KR_EXEC_PREEMPTED,      /* preempted (retried without using up retries) */
    KR_EXEC_CANCELLED,      /* cancelled (by krait or from outside) */
    KR_EXEC_LOST,           /* the backend no longer knows the job */
};

struct kr_exec_result {
    uint32_t id;            /* kr_exec_job.id */
    int state;              /* enum kr_exec_state */
    int exit_code;          /* when FAILED */
    int signal;             /* when SIGNALED */
    double start, end;      /* wall-clock seconds since the epoch (0 unknown) */
    int64_t max_rss_kb;     /* 0 unknown */
    double user_s, sys_s;
    int64_t io_in, io_out;  /* blocks, from getrusage where known */
    char detail[256];       /* "exit code 3", "OUT_OF_MEMORY", "TIMEOUT after 1:00"... */
};

struct kr_executor_opts {
    int cores;              /* local: max cores in use */
    int max_jobs;           /* remote: max jobs in the queue (-j) */
    double poll_interval;   /* seconds between status queries (remote) */
    const char *state_dir;  /* absolute path of .krait/ */
    bool verbose;
    const char **backend_args;  /* --executor-arg k=v */
    uint32_t nbackend_args;
};

struct kr_executor {
    const char *name;
    unsigned caps;
    /* Create the backend's state in *self. Fails when the backend is unusable
     * (e.g. no sbatch on PATH) with a message saying why. */
    int (*init)(void **self, const struct kr_executor_opts *opts, struct kr_error *err);
    /* Start one job. Writes the external id (NUL-terminated) into ext_id. */
    int (*submit)(void *self, const struct kr_exec_job *job, char *ext_id, size_t ext_id_len,
                  struct kr_error *err);
    /* Optional: submit many jobs of one rule at once (arrays). ext_ids[i] for jobs[i]. */
    int (*submit_many)(void *self, const struct kr_exec_job *const *jobs, uint32_t n,
                       char (*ext_ids)[64], struct kr_error *err);
    /* Report finished jobs: fills up to `max` results, sets *n. Waits at most
     * `timeout` seconds for at least one (0 = do not wait). */
    int (*poll)(void *self, struct kr_exec_result *results, uint32_t max, uint32_t *n,
                double timeout, struct kr_error *err);
    /* Stop jobs (all running jobs when n == 0). */
    int (*cancel)(void *self, const uint32_t *ids, uint32_t n, struct kr_error *err);
    /* Optional: adopt a job started by an earlier krait, by its external id. */
    int (*attach)(void *self, const struct kr_exec_job *job, const char *ext_id,
                  struct kr_error *err);
    /* Release everything; running jobs are left alone unless cancelled before. */
    void (*shutdown)(void *self);
    /* Optional: stop jobs this krait does not follow, by external id (what
     * an earlier krait left running and this run abandons), in one request
     * to the backend. KR_EEXEC when the backend refuses. */
    int (*cancel_ext)(void *self, const char *const *ext_ids, uint32_t n,
                      struct kr_error *err);
};

/* The table of backends, NULL-terminated; a backend that is compiled out
 * stays listed with init returning "not built in". */
extern const struct kr_executor *const kr_executors[];

/* Backend by name, or NULL. */
const struct kr_executor *kr_executor_find(const char *name);

/*
 * The poll loop the remote backends share (SLURM, Kubernetes, AWS Batch):
 * each keeps an outbox of finished results (*done, *ndone) that its query()
 * fills by asking the backend about every job it follows (*njobs) in one
 * round, and the time of the next round (*next_query, set by query()).
 * The fields are read through these pointers after every query(), which may
 * grow or move them.
 */
struct kr_exec_pollsrc {
    void *self;
    int (*query)(void *self, struct kr_error *err);
    struct kr_exec_result *const *done;
    uint32_t *ndone;
    const uint32_t *njobs;
    const double *next_query;
};

/*
 * kr_executor.poll for a remote backend: hands out up to `max` results from
 * the outbox (the rest move up); with an empty outbox and jobs followed,
 * runs query() whenever next_query has passed and otherwise sleeps until
 * the next round or until `timeout` seconds from now have passed. Returns
 * KR_OK with *n results (0 at the timeout, with no job followed, or when a
 * signal interrupted the wait, so the caller can look at it), or query()'s
 * error.
 */
int kr_exec_remote_poll(const struct kr_exec_pollsrc *src, struct kr_exec_result *results,
                        uint32_t max, uint32_t *n, double timeout, struct kr_error *err);

/*
 * The shell text that times `command` (as one quoted word of a nested
 * `bash -euo pipefail -c`) and writes Snakemake's benchmark TSV (wall time
 * only; the other columns NA): to bench_path, or, with bench_path NULL (an
 * isolated job), as one marker line on stdout that kr_exec_land_output()
 * turns back into the file. repeat > 1 (benchmark: repeat(path, n)): the
 * command runs up to `repeat` times, one row each, until one fails. Leaves
 * the command's exit status in $rc; the caller ends the script with it
 * ("exit $rc").
 */
void kr_exec_put_timed(struct kr_buf *b, const char *command, const char *bench_path,
                       uint32_t repeat);

/*
 * An isolated job ended: its output (text, len: the pod log, the CloudWatch
 * events) goes to log_path (when not NULL) without the benchmark marker
 * line, and the marker becomes the benchmark TSV at bench_path (when not
 * NULL and the output has one). The directories exist (the runner made
 * them). Returns KR_OK, or KR_EIO naming the file that could not be written.
 */
int kr_exec_land_output(const char *text, size_t len, const char *log_path,
                        const char *bench_path, struct kr_error *err);

#endif /* KR_EXECUTOR_H */
