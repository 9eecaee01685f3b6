/*
 * state.h - the state database: what krait remembers about a workflow
 * directory between runs. One SQLite file, WORKDIR/.krait/state.db, holds
 *   - the lock: at most one krait writes to a workflow directory at a time;
 *   - the runs: one row per `krait run` (command line, start, end, outcome);
 *   - the job journal: every attempt of every job, written BEFORE the job is
 *     submitted, with its external id as soon as the executor returns it and
 *     every state transition, so a killed krait can find and reattach (or
 *     abandon) what it left running;
 *   - the provenance of every output file (rule, code/params/input-set
 *     hashes, input fingerprints, container), which the planner uses for its
 *     rerun triggers, and the "incomplete" mark of outputs whose job started
 *     and never finished successfully.
 * The on-disk schema is described in src/state-schema.c, next to the code
 * that creates and migrates it. Nothing from the environment is ever stored.
 *
 * Conventions: every function returns KR_OK, KR_NOT_FOUND where stated, or a
 * negative KR_E* code (KR_ESTATE for database errors, KR_ELOCKED, KR_EIO)
 * with `err` filled (err may be NULL). Every multi-row write is one
 * transaction: it happens entirely or not at all.
 *
 * Ownership: a kr_state is created by kr_state_open and released by
 * kr_state_close. Strings passed in are copied into the database; strings
 * handed to callbacks are valid only during the call.
 *
 * Threads: a kr_state is used by one thread at a time. Several processes may
 * open the same database; only the lock holder should write journal and
 * provenance (the API does not enforce it: `krait status` only reads).
 */
#ifndef KR_STATE_H
#define KR_STATE_H

#include "kr.h"
#include "dag.h"
#include "workflow.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct kr_state;

/* ---- opening ----------------------------------------------------------- */

/*
 * Open WORKDIR/.krait/state.db (workdir NULL or "" = the current directory).
 * With `create`, makes .krait/ and the database when missing. Applies any
 * pending schema migrations (each in one transaction). Sets WAL mode,
 * synchronous=NORMAL, a busy timeout and foreign keys.
 * Returns KR_OK and *st; KR_NOT_FOUND (and *st = NULL) when !create and there
 * is no database, meaning "nothing built yet"; KR_EIO when .krait/ cannot be
 * made; KR_ESTATE when the file is not a krait database, is newer than this
 * krait understands, or SQLite fails.
 */
int kr_state_open(const char *workdir, bool create, struct kr_state **st,
                  struct kr_error *err);

/* Open the database read-only, migrating nothing (`immutable`: no locking
 * either, for a read-only directory; what a running krait writes meanwhile
 * may not be seen). KR_NOT_FOUND when there is none; KR_ESTATE when it
 * cannot be read or has an older or newer schema. */
int kr_state_open_readonly(const char *workdir, bool immutable, struct kr_state **st,
                           struct kr_error *err);

/*
 * For read-only commands (plan, status, explain, log): kr_state_open, else
 * read-only, else read-only immutable; the first that gives a readable
 * database wins (a warning naming the file says when it is not the first).
 * When none does, warns on stderr with the file, the cause and the way out
 * (`krait state check|repair`) and returns KR_NOT_FOUND: go on without
 * provenance. KR_OK / KR_NOT_FOUND only.
 */
int kr_state_open_read(const char *workdir, struct kr_state **st);

/* Print the state database's problems (PRAGMA integrity_check) to `out`:
 * KR_OK when it is sound, KR_ESTATE when it is damaged (err says so),
 * KR_NOT_FOUND when there is none. */
int kr_state_check(const char *workdir, FILE *out, struct kr_error *err);

/* Move a damaged state database (and its -wal/-shm) aside to
 * state.db.corrupt-YYYYMMDD-HHMMSS and create an empty one; with !force,
 * refuses a database that passes the check. The new name in *moved_to
 * (caller frees). KR_OK; KR_NOT_FOUND; KR_EUSAGE (sound, not forced);
 * KR_EIO / KR_ESTATE. */
int kr_state_repair(const char *workdir, bool force, char **moved_to, struct kr_error *err);

/* Close and free. Releases the lock if this process holds it. NULL is a no-op. */
void kr_state_close(struct kr_state *st);

/* Absolute path of the .krait directory (e.g. for job logs). Owned by st. */
const char *kr_state_dir(const struct kr_state *st);

/* Whether the last failed statement found the database's file system full
 * (SQLITE_FULL): a write that can succeed later, once space is freed. */
bool kr_state_full(const struct kr_state *st);

/* The schema version this krait writes (PRAGMA user_version). */
int kr_state_schema_version(void);

/* ---- the lock: one writer per workflow directory -------------------------- */

/* Who holds the lock. */
struct kr_state_lockinfo {
    pid_t pid;
    char host[256];
    char boot_id[64];       /* /proc/sys/kernel/random/boot_id of the holder's host */
    int64_t proc_start;     /* field 22 of /proc/PID/stat (clock ticks since boot) */
    double since;           /* epoch seconds when the lock was taken */
};

/*
 * Take the lock for this process. Race-free between processes (one SQLite
 * write transaction decides). Re-locking by the holder is KR_OK.
 * A lock whose holder is dead (same host and: other boot, pid gone, or pid
 * recycled - its start time differs) is cleared and taken.
 * Returns KR_ELOCKED with "locked by krait pid 1234 on host X since
 * 2024-05-01 10:22:03; if it is dead run `krait run --unlock`" when a live
 * holder (or any holder on another host) exists; KR_ESTATE on SQLite errors.
 */
int kr_state_lock(struct kr_state *st, struct kr_error *err);

/* Release the lock if this process holds it (KR_OK when it did not). */
int kr_state_unlock(struct kr_state *st, struct kr_error *err);

/* Remove the lock whoever holds it (`krait run --unlock`). KR_OK even when none. */
int kr_state_force_unlock(struct kr_state *st, struct kr_error *err);

/* Read the current holder: KR_OK and *info, or KR_NOT_FOUND when unlocked. */
int kr_state_lock_holder(struct kr_state *st, struct kr_state_lockinfo *info,
                         struct kr_error *err);

/* ---- runs ------------------------------------------------------------------ */

enum kr_run_status {
    KR_RUN_RUNNING = 0,     /* begun, not ended (or krait was killed) */
    KR_RUN_OK,
    KR_RUN_FAILED,          /* some job failed */
    KR_RUN_INTERRUPTED,     /* SIGINT/SIGTERM */
    KR_RUN_ERROR,           /* krait itself failed (plan error, executor error) */
};

/* "running", "ok", "failed", "interrupted", "error" ("?" when out of range). */
const char *kr_state_run_status_name(int status);

/*
 * Record the start of a run: now, this pid and host, and `argv_summary` (the
 * command line as the user typed it; never the environment). *run_id is the
 * new run's id (> 0). KR_ESTATE on failure.
 */
int kr_state_run_begin(struct kr_state *st, const char *argv_summary, int64_t *run_id,
                       struct kr_error *err);

/*
 * Record the end of run `run_id`: now, `status` (enum kr_run_status) and the
 * numbers of jobs done and failed. KR_NOT_FOUND when there is no such run.
 */
int kr_state_run_end(struct kr_state *st, int64_t run_id, int status,
                     int njobs_done, int njobs_failed, struct kr_error *err);

/* ---- the job journal --------------------------------------------------------- */

/* States of one attempt of a job; every change is a row in `transitions`. */
enum kr_attempt_state {
    KR_ATTEMPT_SUBMITTED = 0,   /* journaled; being handed to the executor */
    KR_ATTEMPT_RUNNING,         /* the executor says it runs */
    KR_ATTEMPT_DONE,            /* finished successfully, provenance recorded */
    KR_ATTEMPT_FAILED,          /* failed (exit code, signal, OOM, timeout...) */
    KR_ATTEMPT_CANCELLED,       /* cancelled by krait or from outside */
    KR_ATTEMPT_ABANDONED,       /* left unfinished by a dead krait, given up */
};

/* "submitted", "running", "done", "failed", "cancelled", "abandoned" ("?"). */
const char *kr_state_attempt_name(int state);

/* One attempt of a job, as the runner describes it to kr_state_job_begin. */
struct kr_state_job {
    uint32_t job_id;                /* the planner's job id (informational) */
    const char *rule;
    const char *name;               /* readable job name ("map.sample=A") */
    const struct kr_wildcards *wc;  /* or NULL; stored as "k=v,k=v" */
    const char *const *outputs;     /* paths as the planner interned them */
    uint32_t noutputs;
    int attempt;                    /* 1-based */
    const char *executor;           /* "local", "slurm"... */
    const char *host;               /* NULL = this host's name */
    const char *log_path;           /* or NULL */
    const char *reason;             /* why it runs ("params changed: ..."), or NULL */
    double start;                   /* epoch seconds; 0 = now */
};

/*
 * Journal a job attempt BEFORE it is submitted: in one transaction, the
 * attempt row (state SUBMITTED), its outputs, the SUBMITTED transition, and
 * an "incomplete" mark on every output (existing provenance is kept until
 * the attempt succeeds). *attempt_id is the new attempt's id.
 * `run_id` must name a run (foreign key): KR_ESTATE otherwise.
 */
int kr_state_job_begin(struct kr_state *st, int64_t run_id, const struct kr_state_job *j,
                       int64_t *attempt_id, struct kr_error *err);

/* Record the executor's external id ("pid:1234", a SLURM job id...).
 * KR_NOT_FOUND when there is no such attempt. */
int kr_state_job_set_extid(struct kr_state *st, int64_t attempt_id, const char *ext_id,
                           struct kr_error *err);

/* The process of a local job, to find it again after a killed krait. */
struct kr_state_proc {
    long pid, pgid;
    long long start;        /* field 22 of /proc/PID/stat (clock ticks since boot) */
};

/* kr_state_job_set_extid, also recording the job's process `p` (one
 * statement). KR_NOT_FOUND when there is no such attempt. */
int kr_state_job_set_spawned(struct kr_state *st, int64_t attempt_id, const char *ext_id,
                             const struct kr_state_proc *p, struct kr_error *err);

/* Record a non-final transition (KR_ATTEMPT_RUNNING) at time t (0 = now).
 * KR_NOT_FOUND when there is no such attempt. */
int kr_state_job_transition(struct kr_state *st, int64_t attempt_id, int state, double t,
                            struct kr_error *err);

/* How an attempt ended (kr_state_job_end). */
struct kr_state_job_result {
    int state;              /* KR_ATTEMPT_DONE / FAILED / CANCELLED / ABANDONED */
    int exit_code;          /* exit status, or -1 when unknown / not applicable */
    double end;             /* epoch seconds; 0 = now */
    const char *detail;     /* "exit code 3", "OUT_OF_MEMORY"..., or NULL */
    /* what the job used, where the executor knows it (negative: unknown) */
    double cpu_s;           /* user + system CPU seconds */
    int64_t max_rss_kb;     /* peak resident set size */
    int64_t io_in, io_out;  /* blocks read and written (512 bytes) */
};

/*
 * End an attempt, in one transaction: its final state, exit code, end time
 * and transition; and when state is KR_ATTEMPT_DONE, the provenance of each
 * output (replacing what was recorded before) with its incomplete mark
 * cleared. `prov` has `nprov` entries: 1 = the same provenance for every
 * output, or one per output in the order given to kr_state_job_begin.
 * A job without outputs ends DONE with prov NULL and nprov 0.
 * prov[i].incomplete is ignored. Start/end time, exit status, host, executor
 * and external id of an output's provenance are the attempt's (joined, not
 * copied). On any other state the outputs stay marked incomplete.
 * KR_NOT_FOUND when there is no such attempt; KR_EUSAGE (nothing written)
 * for a state that is not final, or DONE with outputs and nprov not 1 or
 * their number; KR_ESTATE on SQLite errors.
 */
int kr_state_job_end(struct kr_state *st, int64_t attempt_id,
                     const struct kr_state_job_result *res,
                     const struct kr_prov *prov, uint32_t nprov, struct kr_error *err);

/* An attempt as read back from the journal (all strings valid during the
 * callback only; absent values are NULL). */
struct kr_state_attempt {
    int64_t id, run_id;
    uint32_t job_id;
    const char *rule, *name, *wildcards, *executor, *host, *ext_id, *log_path, *detail;
    const char *reason;     /* why it ran ("missing output: a.txt"), or NULL */
    const char *const *outputs;
    uint32_t noutputs;
    int attempt;
    int state;              /* enum kr_attempt_state */
    int exit_code;          /* -1 unknown */
    double start, end;      /* end 0 = not ended */
    double running;         /* when it was seen running (0 = never) */
    struct kr_state_proc proc;  /* pid 0 = not known */
    double cpu_s;           /* the usage kr_state_job_end recorded; -1 unknown */
    int64_t max_rss_kb, io_in, io_out;
};

/* Callbacks return 0 to continue; any other value stops the iteration and is
 * returned by the iterating function. */
typedef int (*kr_state_attempt_fn)(void *ctx, const struct kr_state_attempt *a);

/*
 * Call fn for every attempt begun and never ended (state SUBMITTED or
 * RUNNING), oldest first: what a krait killed by SIGKILL left behind, for
 * reattaching (executor, ext_id) or abandoning. KR_OK when all were visited.
 */
int kr_state_unfinished(struct kr_state *st, kr_state_attempt_fn fn, void *ctx,
                        struct kr_error *err);

/* Give up an unfinished attempt: state ABANDONED, its outputs stay marked
 * incomplete. KR_NOT_FOUND when there is no such attempt. */
int kr_state_mark_abandoned(struct kr_state *st, int64_t attempt_id, struct kr_error *err);

/* ---- provenance ------------------------------------------------------------------ */

/*
 * ONE table scan: call kr_dag_attach_prov(dag, path, &prov) for every output
 * recorded in the database, including outputs that carry only an incomplete
 * mark (prov.rule may then be NULL). The kr_prov passed is valid during the
 * call only (kr_dag_attach_prov copies it). KR_ESTATE on SQLite errors or a
 * corrupt fingerprint record.
 */
int kr_state_load_provenance(struct kr_state *st, struct kr_dag *dag, struct kr_error *err);

/*
 * The same scan without a dag: fn(ctx, path, prov) per recorded output
 * (used by kr_state_load_provenance, `krait status` and tests).
 */
typedef int (*kr_state_prov_fn)(void *ctx, const char *path, const struct kr_prov *prov);
int kr_state_scan_provenance(struct kr_state *st, kr_state_prov_fn fn, void *ctx,
                             struct kr_error *err);

/* What is recorded for one output, for `krait status` and explanations. */
struct kr_state_output {
    struct kr_prov prov;        /* inputs not loaded (ninputs = 0) */
    int64_t attempt_id;         /* the attempt that made (or is making) it, 0 none */
    double start, end;          /* of that attempt */
    int exit_code;
    const char *executor, *host, *ext_id, *log_path;
};

/*
 * Look up one output. KR_OK and *out (strings allocated in `arena`),
 * KR_NOT_FOUND when nothing is recorded for `path`.
 */
int kr_state_output_get(struct kr_state *st, const char *path, struct kr_arena *arena,
                        struct kr_state_output *out, struct kr_error *err);

/* Forget an output's provenance and incomplete mark (its file was deleted).
 * KR_OK, or KR_NOT_FOUND when nothing was recorded. */
int kr_state_forget(struct kr_state *st, const char *path, struct kr_error *err);

/* ---- reading the history (krait log) ------------------------------------------------ */

struct kr_state_run {
    int64_t id;
    double start, end;      /* end 0 = not ended */
    int status;             /* enum kr_run_status */
    int njobs_done, njobs_failed;
    const char *argv;       /* the command line */
    pid_t pid;
    const char *host;
};
typedef int (*kr_state_run_fn)(void *ctx, const struct kr_state_run *r);

/* Runs, most recent first, at most `limit` (<= 0: all). */
int kr_state_runs(struct kr_state *st, int limit, kr_state_run_fn fn, void *ctx,
                  struct kr_error *err);

/* One run by id: KR_OK and fn called once, or KR_NOT_FOUND. */
int kr_state_run_get(struct kr_state *st, int64_t run_id, kr_state_run_fn fn, void *ctx,
                     struct kr_error *err);

/* The attempts of a run, in the order they were begun. */
int kr_state_run_attempts(struct kr_state *st, int64_t run_id, kr_state_attempt_fn fn,
                          void *ctx, struct kr_error *err);

typedef int (*kr_state_transition_fn)(void *ctx, int state, double t);
/* The transitions of one attempt, oldest first. */
int kr_state_attempt_transitions(struct kr_state *st, int64_t attempt_id,
                                 kr_state_transition_fn fn, void *ctx, struct kr_error *err);

#endif /* KR_STATE_H */
