/*
 * runner.h - the run loop of `krait run`: from a planned dag to finished
 * jobs. For each job that needs to run, in dependency order:
 *   pending queue -> prepare (jobprep, only near dispatch) -> queue
 *   (jobsched: priority, longest path, cores, resources) -> remove old outputs, make directories -> journal the
 *   attempt (kr_state_job_begin: outputs marked incomplete) -> submit ->
 *   journal the external id -> poll -> check declared outputs (waiting up
 *   to --latency-wait) -> touch()/directory()/protected() -> provenance
 *   (kr_state_job_end) -> release dependents -> delete temp() inputs whose
 *   consumers are all done.
 * A failed job's outputs are removed (unless --keep-incomplete), the last
 * 20 lines of its log shown, and it is retried while attempts remain
 * (--retries / the rule's retries; `attempt` is visible to resource
 * lambdas); then the run stops launching jobs and waits for the running
 * ones (or goes on with -k). SIGINT/SIGTERM cancel every running job (their
 * process groups), record them cancelled, remove their outputs.
 *
 * kr_run_recover deals with what a krait killed by SIGKILL left behind:
 * its still-running job processes (found by the KRAIT_ATTEMPT=ID@STATE_DIR
 * variable every job gets) are killed and its unfinished attempts
 * abandoned (their outputs stay marked incomplete, so the planner reruns
 * them) - except attempts of a backend that can re-adopt jobs
 * (KR_EXEC_CAP_ATTACH, e.g. SLURM) when this run uses that backend: those
 * stay in the journal, and kr_run_jobs maps each to the planned job with
 * the same outputs and calls the executor's attach() with its external id
 * instead of submitting the job again. The job is then polled as any other
 * and its outputs accepted (provenance recorded) when it completes; when
 * the backend no longer knows the id (attach fails, or poll says LOST) the
 * job is run again without using up a retry. An attempt that matches no
 * job of the plan (or whose dependencies must run again) is abandoned.
 *
 * With --detach (backends with KR_EXEC_CAP_DETACH) kr_run_jobs submits the
 * jobs that are ready, journals them and returns without waiting; a later
 * `krait run` re-adopts them as above and goes on with their dependents.
 */
#ifndef KR_RUNNER_H
#define KR_RUNNER_H

#include "dag.h"
#include "jobprep.h"
#include "jobsched.h"
#include "state.h"
#include "workflow.h"

struct kr_container_ctx;
struct kr_storage;

/* --storage-staging: krait fetches and uploads on this machine (shared), or
 * each job does with presigned URLs (src/stage-remote.h); AUTO: presigned
 * for executors without KR_EXEC_CAP_SHARED_FS, shared for the others. */
enum { KR_STAGING_AUTO = 0, KR_STAGING_SHARED, KR_STAGING_PRESIGNED };

struct kr_run_opts {
    int cores;                          /* >= 1 (the caller resolves "all") */
    int max_jobs;                       /* -j: jobs at once for remote backends (0 = cores) */
    bool keep_going;                    /* -k */
    int retries;                        /* --retries (rules' retries: override it) */
    const struct kr_sched_limit *limits;/* --resources */
    uint32_t nlimits;
    bool default_resources;             /* --default-resources given */
    const struct kr_defres *defres;
    uint32_t ndefres;
    double latency_wait;                /* --latency-wait seconds */
    bool keep_incomplete;               /* --keep-incomplete */
    const char *shadow_prefix;          /* --shadow-prefix DIR (shadow: directories go
                                           to DIR/shadow), or NULL: .krait/shadow */
    bool notemp;                        /* --notemp */
    const char *executor;               /* backend name; NULL = "local" */
    const char **backend_args;
    uint32_t nbackend_args;
    bool printshell;                    /* -p: print shell commands */
    int verbosity;                      /* KR_PROGRESS_QUIET / NORMAL / VERBOSE */
    int live;                           /* live progress line: 1, 0, -1 = if a terminal */
    struct kr_container_ctx *containers;/* NULL: no containers */
    int64_t checksum_max_size;          /* inputs up to this size get a checksum (0 = 1 MiB) */
    bool detach;                        /* --detach: submit what is ready, then return
                                           (executors with KR_EXEC_CAP_DETACH only) */
    struct kr_storage *storage;         /* the planner's storage: s3:// inputs are fetched
                                           into .krait/storage before a job and s3://
                                           outputs uploaded after it (src/stage.h); NULL:
                                           remote paths are handed to jobs unchanged */
    int staging;                        /* KR_STAGING_*: who transfers s3:// files */
};

struct kr_run_stats {
    uint32_t total;     /* jobs that needed to run */
    uint32_t done;
    uint32_t failed;
    uint32_t not_run;   /* never started (a dependency failed, or the run stopped) */
    int signal;         /* the signal that interrupted the run, or 0 */
    uint32_t detached;  /* --detach: jobs left running in the backend */
    uint32_t attached;  /* jobs of an earlier krait re-adopted (still running then) */
};

/*
 * Run every job of the plan that needs to run. `st` must be locked by this
 * process and `run_id` begun. Progress goes to stderr.
 * Returns KR_OK when every job succeeded; KR_EEXEC when some failed (err
 * says how many; the per-job messages were printed); KR_EINTR when a signal
 * stopped the run (stats->signal); other negative codes when the executor or
 * the state database failed. stats is always filled.
 */
int kr_run_jobs(struct kr_workflow *wf, struct kr_dag *dag, struct kr_state *st,
                int64_t run_id, const struct kr_run_opts *o, struct kr_run_stats *stats,
                struct kr_error *err);

/*
 * Clean up after a krait that died while jobs ran (call with the lock held,
 * before planning): find every process of an unfinished attempt of this
 * directory - its journaled process (same pid AND start time), processes
 * whose environment carries its KRAIT_ATTEMPT, their process groups and
 * descendants - stop, kill and wait for them, saying so on stderr (also
 * when quiet); then mark each unfinished attempt abandoned. KR_EEXEC when
 * such a process does not go away (the job is not started beside it);
 * KR_ESTATE on database errors.
 */
int kr_run_recover(struct kr_state *st, bool quiet, struct kr_error *err);

/*
 * kr_run_recover for a run that will use executor `executor` (NULL =
 * "local"): attempts journaled by that same executor, with an external id,
 * are left unfinished for kr_run_jobs to re-adopt when the executor has
 * KR_EXEC_CAP_ATTACH; attempts of another attach-capable executor are
 * abandoned with a warning that they may still be running there.
 * kr_run_recover(st, quiet, err) is kr_run_recover_for(st, NULL, quiet, err).
 */
int kr_run_recover_for(struct kr_state *st, const char *executor, bool quiet,
                       struct kr_error *err);

#endif /* KR_RUNNER_H */
