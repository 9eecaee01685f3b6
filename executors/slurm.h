/*
 * slurm.h - private to the SLURM backend (executors/slurm.c, slurm-script.c,
 * slurm-status.c) and its unit tests; nothing else includes it. The backend's
 * only public name is `kr_executor_slurm` (see executor.h).
 *
 * Two halves, both pure (no SLURM needed, unit-tested in tests/unit/test_slurm.c):
 *   - slurm-script.c turns a kr_exec_job into sbatch options (resources,
 *     validated slurm_extra) and a task script;
 *   - slurm-status.c parses squeue / sacct / scontrol output and maps SLURM's
 *     job states to kr_exec_state.
 *
 * Ownership: strings appended to a struct kr_vec are kr_malloc'd and belong to
 * the caller (free each with kr_free, then kr_vec_free).
 */
#ifndef KR_SLURM_H
#define KR_SLURM_H

#include "executor.h"

/* ---- slurm-script.c: job -> sbatch options and batch script --------------- */

/*
 * Parse a runtime into whole minutes (rounded up, at least 1): a number of
 * minutes ("90"), units ("1h30m", "90m", "2d", "45s", "1.5h", "2 days"), or
 * SLURM's time forms ("MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM", "D-HH:MM:SS").
 * Returns KR_OK and *minutes, or KR_EUSAGE with a message quoting s.
 */
int kr_slurm_parse_runtime(const char *s, int64_t *minutes, struct kr_error *err);

/*
 * Parse a memory size into megabytes (rounded up): a bare number is MB;
 * units K/KB/M/MB/G/GB/T/TB are decimal, KiB/MiB/GiB/TiB binary (as
 * Snakemake's `mem` resource). Returns KR_OK and *mb, or KR_EUSAGE.
 */
int kr_slurm_parse_mem(const char *s, int64_t *mb, struct kr_error *err);

/*
 * Tokenise and validate the `slurm_extra` resource (extra sbatch options).
 * Tokens are separated by blanks; no quoting exists, so a value cannot hold
 * blanks. Accepted: `--name=value`, `--name value`, `--flag`, `-X value`,
 * `-X`, where names are [a-z0-9-] and values use only [A-Za-z0-9_.,:=+/@%-].
 * Options krait sets itself or that would run other code (--wrap, --array,
 * --output, --error, --input, --chdir, --job-name, --parsable, --export-file,
 * --uid, --gid, --test-only, --wait, --help, --usage, --version and their
 * short forms) are refused. Appends one kr_malloc'd string per token to
 * `out`. Returns KR_OK, or KR_EUSAGE naming the offending token (then
 * nothing is appended).
 */
int kr_slurm_extra_split(const char *extra, struct kr_vec *out, struct kr_error *err);

/*
 * Write a job name fit for --job-name into buf (size n >= 8): "krait." then
 * `name` with every character outside [A-Za-z0-9._=,+-] replaced by '_',
 * cut to n-1 bytes.
 */
void kr_slurm_job_name(const char *name, char *buf, size_t n);

/*
 * Append the sbatch options for job's resources to `out` (kr_malloc'd
 * strings): --cpus-per-task (threads), --mem=NM (mem_mb, else resource `mem`
 * as a size string), --time=MIN (runtime_min, else resource `runtime` as int
 * minutes or string), --gres=gpu:N (gpus, else resource `gpu`/`gpus`),
 * --partition/--account/--qos/--constraint from the string resources
 * slurm_partition, slurm_account, slurm_qos, constraint (values checked
 * against the safe character set), then the validated slurm_extra tokens.
 * Returns KR_OK, or KR_EUSAGE naming the job and resource (out may then
 * hold some strings: the caller frees them either way).
 */
int kr_slurm_resource_args(const struct kr_exec_job *job, struct kr_vec *out,
                           struct kr_error *err);

/*
 * The script one job runs on the compute node, into `out`: cd to the job's
 * workdir, export the job's environment, optionally redirect stdout+stderr
 * to `redirect_log` (array tasks: sbatch's own --output cannot name one file
 * per task), then run the formatted command with `bash -euo pipefail -c`,
 * the command embedded as one single-quoted word (never re-parsed from the
 * workflow, never interpolated). With a benchmark path the script times the
 * command and writes Snakemake's benchmark TSV (wall time only; other
 * columns NA). A job with a container arrives with its command already
 * wrapped by job preparation (kr_container_apply, src/container.h), so it is
 * run as is. Returns KR_OK, or KR_EUSAGE for an environment variable name
 * that is not an identifier.
 */
int kr_slurm_task_script(const struct kr_exec_job *job, const char *redirect_log,
                         struct kr_buf *out, struct kr_error *err);

/* ---- slurm-status.c: squeue/sacct/scontrol output and state mapping -------- */

/* One job's status as one of SLURM's commands reports it. */
struct kr_slurm_status {
    char id[64];        /* squeue %i form: "123", or "123_4" for an array task */
    char plain_id[32];  /* the job's own id ("127" for task 123_4), "" unknown */
    char state[32];     /* "COMPLETED", "CANCELLED" (sacct's "by 0" cut off)... */
    char reason[64];    /* squeue/scontrol Reason, "" unknown */
    bool have_exit;     /* exit_code/signal known */
    int exit_code;      /* exit status of the batch script */
    int signal;         /* signal that ended it, 0 none */
};

/* kr_slurm_state_class() results */
enum {
    KR_SLURM_UNKNOWN = -1,  /* a state name this backend does not know */
    KR_SLURM_ACTIVE = 0,    /* PENDING, RUNNING, COMPLETING, SUSPENDED, REQUEUED... */
    KR_SLURM_FINAL = 1,     /* COMPLETED, FAILED, TIMEOUT, CANCELLED, ... */
};

/* Classify a SLURM job state name (upper case, as squeue %T prints it). */
int kr_slurm_state_class(const char *state);

/*
 * Fill r (except r->id) for a job in a final state: COMPLETED -> OK; FAILED
 * -> FAILED with the exit code, or SIGNALED with the signal, or OOM when the
 * signal is 9 and the job's output says the memory limit was exceeded
 * (`oom_in_log`; without cgroups that is SLURM's only mark, see
 * tests/slurm/NOTES.md); OUT_OF_MEMORY -> OOM; TIMEOUT; NODE_FAIL;
 * PREEMPTED; CANCELLED; BOOT_FAIL, DEADLINE and anything else -> FAILED.
 * `by_krait` says krait cancelled it. The detail names the state, the exit
 * code or signal, and `log_path` (may be NULL).
 */
void kr_slurm_fill_result(const struct kr_slurm_status *st, bool oom_in_log, bool by_krait,
                          const char *log_path, struct kr_exec_result *r);

/*
 * The squeue format krait asks for (-O): array-form id, plain id, state,
 * reason and the raw wait status, each followed by '|'.
 */
#define KR_SLURM_SQUEUE_FORMAT "JobArrayID:|,JobID:|,State:|,Reason:|,exit_code:|"

/*
 * Parse one line of `squeue -h -r -O KR_SLURM_SQUEUE_FORMAT`:
 * "123_4|127|FAILED|NonZeroExitCode|768|" (the last field is the raw wait
 * status: 768 = exit 3, 9 = signal 9). Blanks around fields are ignored.
 * Returns KR_OK, or KR_NOT_FOUND for a line that does not have that shape.
 */
int kr_slurm_parse_squeue_line(const char *line, struct kr_slurm_status *st);

/*
 * Parse one line of `sacct -P -n -o JobID,State,ExitCode` (with or without
 * --completion): "127|FAILED|3:0", "123_4|CANCELLED by 0|0:15". The id goes
 * to st->id and, when it has no '_', to st->plain_id. Returns KR_OK, or
 * KR_NOT_FOUND for other lines (e.g. "sacct: error: ...", step lines
 * "127.batch|...").
 */
int kr_slurm_parse_sacct_line(const char *line, struct kr_slurm_status *st);

/*
 * Parse one line of `scontrol -o show job`: JobId=, ArrayJobId=,
 * ArrayTaskId=, JobState=, Reason=, ExitCode=A:B. For an array task st->id
 * is "ARRAY_TASK" and st->plain_id the JobId. Returns KR_OK, or KR_NOT_FOUND
 * when the line has no JobId= or JobState=.
 */
int kr_slurm_parse_scontrol_line(const char *line, struct kr_slurm_status *st);

/*
 * Whether the file at `path` (its last 64 KiB) says SLURM killed the job for
 * exceeding its memory limit ("exceeded memory limit", "Exceeded job memory
 * limit", "oom-kill", "oom_kill"). False when it cannot be read.
 */
bool kr_slurm_log_says_oom(const char *path);

#endif /* KR_SLURM_H */
