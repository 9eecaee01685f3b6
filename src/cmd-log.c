/*
 * cmd-log.c - `krait log`: the history kept in the state database. Without
 * options, the past runs, most recent first: start, duration, outcome, jobs
 * done and failed, and the command line. `--run ID` lists that run's job
 * attempts with their transitions. `--json` prints the same as JSON.
 *
 *   krait log [-n N] [--run ID] [--json] [-d DIR]
 */
#include "cmd.h"
#include "kr.h"
#include "state.h"
#include "trace.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct log_opts {
    int limit;
    int64_t run_id;         /* 0: list runs */
    bool json;
    bool trace, raw;        /* --trace [--raw]: the run's trace as TSV */
    const char *dir;
};

static void log_usage(FILE *f)
{
    fprintf(f, "usage: krait log [-n N] [--run ID] [--json] [--trace [--raw]] [-d DIR]\n"
               "  -n N          show the N most recent runs (default 20; 0 = all)\n"
               "  --run ID      list the job attempts of run ID and their transitions\n"
               "  --json        print JSON\n"
               "  --trace       the trace of run ID (default: the last run) as TSV, with\n"
               "                Nextflow's columns; --raw: milliseconds and bytes\n"
               "  -d, --directory DIR   the workflow directory (default: .)\n");
}

static int parse_args(int argc, char **argv, struct log_opts *o)
{
    int i;
    char *end;
    const char *a, *v;
    memset(o, 0, sizeof *o);
    o->limit = 20;
    for (i = 1; i < argc; i++) {
        a = argv[i];
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        if (!strcmp(a, "--trace") || !strcmp(a, "--raw")) {
            *(a[2] == 't' ? &o->trace : &o->raw) = true;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            log_usage(stdout);
            exit(0);
        }
        if (strcmp(a, "-n") && strcmp(a, "--run") && strcmp(a, "-d") && strcmp(a, "--directory")) {
            fprintf(stderr, "krait log: unknown option '%s'\n", a);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "krait log: %s needs a value\n", a);
            return -1;
        }
        v = argv[++i];
        if (!strcmp(a, "-d") || !strcmp(a, "--directory")) {
            o->dir = v;
            continue;
        }
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno || *end || end == v || n < 0 || (!strcmp(a, "--run") && n == 0)) {
            fprintf(stderr, "krait log: %s: not a valid number: '%s'\n", a, v);
            return -1;
        }
        if (!strcmp(a, "-n"))
            o->limit = n > 1000000 ? 1000000 : (int)n;
        else
            o->run_id = n;
    }
    return 0;
}

static void fmt_time(double t, char *buf, size_t n)
{
    struct tm tm;
    time_t s = (time_t)t;
    if (t <= 0) {
        snprintf(buf, n, "-");
        return;
    }
    localtime_r(&s, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void fmt_duration(double start, double end, char *buf, size_t n)
{
    long s;
    if (end <= 0 || end < start) {
        snprintf(buf, n, "-");
        return;
    }
    s = (long)(end - start + 0.5);
    snprintf(buf, n, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

/* A run still "running" whose krait process is gone on this host was killed. */
static const char *run_status(const struct kr_state_run *r)
{
    char host[256];
    if (r->status != KR_RUN_RUNNING)
        return kr_state_run_status_name(r->status);
    if (gethostname(host, sizeof host) == 0 && r->host && !strcmp(host, r->host) &&
        kill(r->pid, 0) != 0 && errno == ESRCH)
        return "killed";
    return "running";
}

/* ---- the list of runs ------------------------------------------------------ */

static int print_run(void *ctx, const struct kr_state_run *r)
{
    char start[32], dur[32];
    KR_UNUSED(ctx);
    fmt_time(r->start, start, sizeof start);
    fmt_duration(r->start, r->end, dur, sizeof dur);
    printf("%-5lld %-19s  %9s  %-11s %5d %6d  %s\n", (long long)r->id, start, dur,
           run_status(r), r->njobs_done, r->njobs_failed, r->argv ? r->argv : "");
    return 0;
}

static json_t *run_json(const struct kr_state_run *r)
{
    return json_pack("{s:I, s:f, s:o, s:s, s:i, s:i, s:s, s:I, s:s}",
                     "id", (json_int_t)r->id, "start", r->start,
                     "end", r->end > 0 ? json_real(r->end) : json_null(),
                     "status", run_status(r), "jobs_done", r->njobs_done,
                     "jobs_failed", r->njobs_failed, "command", r->argv ? r->argv : "",
                     "pid", (json_int_t)r->pid, "host", r->host ? r->host : "");
}

static int collect_run(void *ctx, const struct kr_state_run *r)
{
    json_array_append_new(ctx, run_json(r));
    return 0;
}

/* ---- the attempts of one run ------------------------------------------------ */

struct attempt_ctx {
    struct kr_state *st;
    json_t *arr;            /* --json */
    struct kr_buf line;
    struct kr_error *err;
    double first;
};

static int add_transition_text(void *ctx, int state, double t)
{
    struct attempt_ctx *a = ctx;
    char when[32];
    struct tm tm;
    time_t s = (time_t)t;
    localtime_r(&s, &tm);
    strftime(when, sizeof when, "%H:%M:%S", &tm);
    kr_buf_printf(&a->line, "%s%s %s", a->line.len ? " -> " : "", kr_state_attempt_name(state),
                  when);
    return 0;
}

static int add_transition_json(void *ctx, int state, double t)
{
    json_array_append_new(ctx, json_pack("{s:s, s:f}", "state", kr_state_attempt_name(state),
                                         "time", t));
    return 0;
}

static int print_attempt(void *ctx, const struct kr_state_attempt *at)
{
    struct attempt_ctx *a = ctx;
    char dur[32], start[32];
    char exitc[16];
    uint32_t i;
    int rc;

    if (a->arr) {
        json_t *outs = json_array(), *tr = json_array(), *o;
        for (i = 0; i < at->noutputs; i++)
            json_array_append_new(outs, json_string(at->outputs[i]));
        rc = kr_state_attempt_transitions(a->st, at->id, add_transition_json, tr, a->err);
        o = json_pack("{s:I, s:i, s:s, s:s, s:s?, s:i, s:s, s:s?, s:s, s:s, s:o, s:f, s:o,"
                      " s:s?, s:s?, s:s?, s:o, s:o}",
                      "attempt_id", (json_int_t)at->id, "job", (int)at->job_id,
                      "rule", at->rule, "name", at->name, "wildcards", at->wildcards,
                      "attempt", at->attempt, "executor", at->executor, "ext_id", at->ext_id,
                      "host", at->host, "state", kr_state_attempt_name(at->state),
                      "exit_code", at->exit_code >= 0 ? json_integer(at->exit_code) : json_null(),
                      "start", at->start, "end", at->end > 0 ? json_real(at->end) : json_null(),
                      "detail", at->detail, "reason", at->reason, "log", at->log_path,
                      "outputs", outs,
                      "transitions", tr);
        json_array_append_new(a->arr, o);
        return rc;
    }
    fmt_time(at->start, start, sizeof start);
    fmt_duration(at->start, at->end, dur, sizeof dur);
    if (at->exit_code >= 0)
        snprintf(exitc, sizeof exitc, "%d", at->exit_code);
    else
        snprintf(exitc, sizeof exitc, "-");
    printf("%-7lld %-30s %3d  %-9s %4s  %-8s %-12s %9s\n", (long long)at->id, at->name,
           at->attempt, kr_state_attempt_name(at->state), exitc, at->executor,
           at->ext_id ? at->ext_id : "-", dur);
    kr_buf_reset(&a->line);
    rc = kr_state_attempt_transitions(a->st, at->id, add_transition_text, a, a->err);
    if (rc)
        return rc;
    printf("        %s\n", kr_buf_cstr(&a->line));
    if (at->reason)
        printf("        why: %s\n", at->reason);
    if (at->detail)
        printf("        %s\n", at->detail);
    if (at->log_path)
        printf("        log: %s\n", at->log_path);
    return 0;
}

static int print_run_header(void *ctx, const struct kr_state_run *r)
{
    char start[32], end[32], dur[32];
    json_t **out = ctx;
    if (out) {
        *out = run_json(r);
        return 0;
    }
    fmt_time(r->start, start, sizeof start);
    fmt_time(r->end, end, sizeof end);
    fmt_duration(r->start, r->end, dur, sizeof dur);
    printf("run %lld: %s\n", (long long)r->id, r->argv ? r->argv : "");
    printf("  started %s, ended %s (%s), %s: %d jobs done, %d failed\n", start, end, dur,
           run_status(r), r->njobs_done, r->njobs_failed);
    return 0;
}

static int show_run(struct kr_state *st, const struct log_opts *o, struct kr_error *err)
{
    struct attempt_ctx a;
    json_t *run = NULL;
    int rc;

    memset(&a, 0, sizeof a);
    a.st = st;
    a.err = err;
    kr_buf_init(&a.line);
    rc = kr_state_run_get(st, o->run_id, print_run_header, o->json ? (void *)&run : NULL, err);
    if (rc == KR_NOT_FOUND) {
        rc = kr_error_set(err, KR_EUSAGE, "no run %lld in the state database",
                          (long long)o->run_id);
        goto out;
    }
    if (rc)
        goto out;
    if (o->json) {
        a.arr = json_array();
        json_object_set_new(run, "attempts", a.arr);
    } else {
        printf("\n%-7s %-30s %3s  %-9s %4s  %-8s %-12s %9s\n", "ATTEMPT", "JOB", "TRY",
               "STATE", "EXIT", "EXECUTOR", "EXT_ID", "DURATION");
    }
    rc = kr_state_run_attempts(st, o->run_id, print_attempt, &a, err);
    if (rc)
        goto out;
    if (o->json) {
        json_dumpf(run, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("\n");
    }
out:
    json_decref(run);
    kr_buf_free(&a.line);
    return rc;
}

static int cmd_log(int argc, char **argv)
{
    struct log_opts o;
    struct kr_state *st = NULL;
    struct kr_error err;
    json_t *arr = NULL;
    int rc;

    kr_error_clear(&err);
    if (parse_args(argc, argv, &o)) {
        log_usage(stderr);
        return 2;
    }
    rc = kr_state_open(o.dir, false, &st, &err);
    if (rc == KR_ESTATE) {
        /* unwritable (a read-only .krait, a read-only mount): the journal
         * can still be read; a damaged one keeps the first error */
        struct kr_error e2;
        kr_error_clear(&e2);
        if (kr_state_open_readonly(o.dir, false, &st, &e2) == KR_OK ||
            kr_state_open_readonly(o.dir, true, &st, &e2) == KR_OK) {
            fprintf(stderr, "krait: warning: %s; reading it read-only\n", err.msg);
            kr_error_clear(&err);
            rc = KR_OK;
        }
    }
    if (rc == KR_NOT_FOUND) {
        if (o.run_id) {
            fprintf(stderr, "krait: error: no run %lld: nothing has run here yet\n",
                    (long long)o.run_id);
            return 1;
        }
        if (o.json)
            printf("[]\n");
        else
            printf("no runs recorded: nothing has run here yet\n");
        return 0;
    }
    if (rc)
        goto out;
    if (o.trace) {
        rc = kr_trace_write(st, o.run_id, o.raw, stdout, &err);
        goto out;
    }
    if (o.run_id) {
        rc = show_run(st, &o, &err);
        goto out;
    }
    if (o.json) {
        arr = json_array();
        rc = kr_state_runs(st, o.limit, collect_run, arr, &err);
        if (rc == KR_OK) {
            json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            printf("\n");
        }
        goto out;
    }
    printf("%-5s %-19s  %9s  %-11s %5s %6s  %s\n", "RUN", "START", "DURATION", "STATUS",
           "DONE", "FAILED", "COMMAND");
    rc = kr_state_runs(st, o.limit, print_run, NULL, &err);
out:
    json_decref(arr);
    kr_state_close(st);
    if (rc) {
        kr_error_print(&err, stderr);
        return 1;
    }
    return 0;
}

const struct kr_cmd kr_cmd_log = {
    .name = "log",
    .summary = "past runs and their outcome (--run ID: that run's jobs)",
    .run = cmd_log,
};
