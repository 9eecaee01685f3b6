/*
 * cmd-status.c - `krait status [targets]`: every output file of the jobs
 * needed for the targets, with Snakemake's `--summary` columns (one line
 * per file, tab-separated):
 *
 *   output_file  date  rule  version  log-file(s)  status  plan
 *
 * date is the file's modification time ("-" when missing); rule is the rule
 * recorded in the state database as having made it ("-" when krait did not
 * make it); version is always "-" (krait has no version directive);
 * log-file(s) are the job's log files; status is "ok", "missing",
 * "incomplete" (its job started and never finished), "updated input files",
 * "rule implementation changed", "set of input files changed", "params
 * changed" or "container changed", or "running (EXECUTOR job ID)" for a
 * missing or incomplete output of an attempt the journal holds as still
 * submitted or running on a batch executor (left by `krait run --detach`,
 * or by a krait killed while its SLURM jobs went on); plan is "update pending" when the
 * planner will run its job, "no update" otherwise. `--json` prints the same
 * as a JSON array, with the planner's reason added.
 *
 * Read-only: it opens the state database without creating it and never
 * takes the lock, so it works while a `krait run` is going on.
 */
#include "cli.h"
#include "cmd.h"
#include "dag.h"
#include "kr.h"
#include "state.h"
#include "workflow.h"

#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Snakemake's per-file status (dag.py summary), from the file, its
 * recorded provenance and the planner's decision for its job. */
static const char *file_status(struct kr_dag *dag, struct kr_file *f, const struct kr_job *j)
{
    if (kr_dag_stat(dag, f) == KR_STAT_MISSING)
        return "missing";
    if (f->prov && f->prov->incomplete)
        return "incomplete";
    switch (j->reason) {
    case KR_REASON_INPUT_NEWER:
    case KR_REASON_UPSTREAM:
        return "updated input files";
    default:
        break;
    }
    if (f->prov && f->prov->rule && f->prov->code_hash != j->rule->code_hash)
        return "rule implementation changed";
    switch (j->reason) {
    case KR_REASON_CODE:
        return "rule implementation changed";
    case KR_REASON_INPUT_SET:
        return "set of input files changed";
    case KR_REASON_PARAMS:
        return "params changed";
    case KR_REASON_CONTAINER:
        return "container changed";
    case KR_REASON_INCOMPLETE:
        return "incomplete";
    default:
        return "ok";
    }
}

/* Outputs of unfinished attempts on a batch executor, sorted by path. */
struct running {
    struct kr_arena arena;
    struct { const char *path, *label; } *v;
    size_t n, cap;
};

static int add_running(void *ctx, const struct kr_state_attempt *a)
{
    struct running *R = ctx;
    const char *label;
    uint32_t i;
    /* a local job of a killed krait is gone; only a batch system keeps it */
    if (!a->executor || !strcmp(a->executor, "local") || !a->ext_id || !a->ext_id[0])
        return 0;
    label = kr_arena_printf(&R->arena, "running (%s job %s)", a->executor, a->ext_id);
    for (i = 0; i < a->noutputs; i++) {
        if (R->n == R->cap) {
            R->cap = R->cap ? 2 * R->cap : 64;
            R->v = kr_realloc(R->v, R->cap * sizeof *R->v);
        }
        R->v[R->n].path = kr_arena_strdup(&R->arena, a->outputs[i]);
        R->v[R->n].label = label;
        R->n++;
    }
    return 0;
}

static int cmp_running(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Read the journal's unfinished attempts (read-only; no database: none). */
static int load_running(struct running *R, struct kr_error *err)
{
    struct kr_state *st = NULL;
    int rc = kr_state_open_read(NULL, &st);
    if (rc == KR_NOT_FOUND)
        return KR_OK;
    if (rc != KR_OK)
        return rc;
    rc = kr_state_unfinished(st, add_running, R, err);
    kr_state_close(st);
    if (rc == KR_ESTATE) {
        fprintf(stderr, "krait: warning: %s (running jobs are not shown)\n", err->msg);
        kr_error_clear(err);
        rc = KR_OK;
    }
    if (rc == KR_OK && R->n)
        qsort(R->v, R->n, sizeof *R->v, cmp_running);
    return rc;
}

static const char *running_label(const struct running *R, const char *path)
{
    size_t lo = 0, hi = R->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(path, R->v[mid].path);
        if (!c)
            return R->v[mid].label;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* The job's log files joined by ", " into b. */
static int job_logs(struct kr_workflow *wf, struct kr_dag *dag, const struct kr_job *j,
                    struct kr_buf *b, struct kr_error *err)
{
    struct kr_iofile *logs = NULL;
    uint32_t n = 0, i;
    int rc;
    kr_buf_reset(b);
    if (j->rule->log.n == 0)
        return KR_OK;
    rc = kr_wf_resolve(wf, j->rule, &j->rule->log, &j->wc, kr_dag_arena(dag), &logs, &n, err);
    if (rc)
        return rc;
    for (i = 0; i < n; i++)
        kr_buf_printf(b, "%s%s", i ? ", " : "", logs[i].path);
    return KR_OK;
}

static int print_status(struct kr_workflow *wf, struct kr_dag *dag, bool json,
                        struct kr_error *err)
{
    struct running run = {0};
    struct kr_buf logs = KR_BUF_INIT;
    struct kr_job **jobs;
    json_t *arr = json ? json_array() : NULL;
    uint32_t njobs, i, k;
    char date[64];
    int rc = KR_OK;

    kr_arena_init(&run.arena);
    rc = load_running(&run, err);
    if (rc != KR_OK)
        goto out;
    jobs = kr_dag_jobs(dag, &njobs);
    if (!json)
        printf("output_file\tdate\trule\tversion\tlog-file(s)\tstatus\tplan\n");
    for (i = 0; i < njobs; i++) {
        const struct kr_job *j = jobs[i];
        rc = job_logs(wf, dag, j, &logs, err);
        if (rc)
            goto out;
        for (k = 0; k < j->nout; k++) {
            struct kr_file *f = j->outfiles[k];
            const char *status = file_status(dag, f, j);
            const char *rule = f->prov && f->prov->rule ? f->prov->rule : NULL;
            bool exists = kr_dag_stat(dag, f) != KR_STAT_MISSING;
            time_t t = (time_t)(f->mtime_ns / 1000000000);
            struct tm tm;

            if (!strcmp(status, "missing") || !strcmp(status, "incomplete")) {
                const char *label = running_label(&run, f->path);
                if (label)
                    status = label;
            }
            strcpy(date, "-");
            if (exists) {
                localtime_r(&t, &tm);
                strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
            }
            if (json) {
                json_t *o = json_pack("{s:s, s:s?, s:o, s:s?, s:n, s:[], s:s, s:s, s:s}",
                                      "output_file", f->path,
                                      "date", exists ? date : NULL,
                                      "mtime", exists ? json_real(f->mtime_ns / 1e9) : json_null(),
                                      "rule", rule, "version", "log",
                                      "status", status,
                                      "plan", j->needs_run ? "update pending" : "no update",
                                      "reason", kr_reason_name(j->reason));
                if (logs.len) {
                    /* the log list, split back from its text */
                    const char *p = logs.data, *q;
                    json_t *la = json_object_get(o, "log");
                    for (;;) {
                        q = strstr(p, ", ");
                        json_array_append_new(la, q ? json_stringn(p, (size_t)(q - p))
                                                    : json_string(p));
                        if (!q)
                            break;
                        p = q + 2;
                    }
                }
                json_array_append_new(arr, o);
            } else {
                printf("%s\t%s\t%s\t-\t%s\t%s\t%s\n", f->path, date, rule ? rule : "-",
                       logs.len ? logs.data : "-", status,
                       j->needs_run ? "update pending" : "no update");
            }
        }
    }
    if (json) {
        json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("\n");
    }
out:
    json_decref(arr);
    kr_buf_free(&logs);
    kr_free(run.v);
    kr_arena_free(&run.arena);
    return rc;
}

static int cmd_status(int argc, char **argv)
{
    static const char summary[] = "output files: date, rule, status and plan";
    struct kr_cli cli;
    struct kr_workflow *wf = NULL;
    struct kr_dag *dag = NULL;
    struct kr_error err;
    int rc;

    kr_error_clear(&err);
    rc = kr_cli_parse(argc, argv, 0, &cli, &err);
    if (rc == KR_OK && cli.help) {
        kr_cli_usage(stdout, "status", summary, 0);
        kr_cli_free(&cli);
        return 0;
    }
    if (rc == KR_OK)
        rc = kr_cli_plan(&cli, &wf, &dag, &err);
    if (rc == KR_OK)
        rc = print_status(wf, dag, cli.json, &err);
    if (dag)
        kr_dag_free(dag);
    if (wf)
        kr_workflow_free(wf);
    kr_cli_free(&cli);
    return rc ? kr_cli_fail(&err) : 0;
}

const struct kr_cmd kr_cmd_status = {
    .name = "status",
    .summary = "output files: date, rule, status and plan (Snakemake's --summary)",
    .run = cmd_status,
};
