/*
 * cmd-report.c - `krait report`: a run's report as one self-contained HTML
 * file (src/report.h), read from the state database. When a rule file is
 * found (or given with -s), the workflow is planned as `krait plan` would,
 * so the rule graph also has the edges into failed rules and counts the
 * jobs still to run; --no-plan reads the database only.
 *
 *   krait report [-o FILE] [--run ID] [--max-bars N] [--no-plan] [-d DIR]
 *                [plan options...]
 */
#include "cli.h"
#include "cmd.h"
#include "kr.h"
#include "report.h"
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char summary[] = "write a run's report as one self-contained HTML file";

static void report_usage(FILE *f)
{
    fprintf(f, "usage: krait report [-o FILE] [--run ID] [--max-bars N] [--no-plan] [-d DIR]\n"
               "                    [plan options]\n"
               "  %s\n"
               "  -o, --output FILE   where to write it (default report.html; - = stdout)\n"
               "  --run ID            the run to report (default: the most recent)\n"
               "  --max-bars N        timeline bars before bucketing by rule (default 2000)\n"
               "  --no-plan           do not plan the workflow: the rule graph comes from\n"
               "                      the state database alone\n"
               "  -d, --directory DIR the workflow directory (default: .)\n"
               "Other options (-s FILE, --config ...) are `krait plan`'s, for the plan.\n",
            summary);
}

struct report_args {
    const char *out, *dir;
    int64_t run_id;
    uint32_t max_bars;      /* 0: the default */
    bool no_plan;
    char **rest;            /* argv for kr_cli_parse: rest[0] = "report" */
    int nrest;
};

static int parse_args(int argc, char **argv, struct report_args *a)
{
    int i;
    memset(a, 0, sizeof *a);
    a->out = "report.html";
    a->rest = kr_calloc((size_t)argc + 1, sizeof *a->rest);
    a->rest[a->nrest++] = argv[0];
    for (i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            report_usage(stdout);
            exit(0);
        }
        if (!strcmp(o, "--no-plan")) {
            a->no_plan = true;
            continue;
        }
        if (strcmp(o, "-o") && strcmp(o, "--output") && strcmp(o, "--run") && strcmp(o, "-d") &&
            strcmp(o, "--max-bars") &&
            strcmp(o, "--directory")) {
            a->rest[a->nrest++] = argv[i];
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "krait report: %s needs a value\n", o);
            return -1;
        }
        if (!strcmp(o, "--run") || !strcmp(o, "--max-bars")) {
            char *end;
            long long n;
            errno = 0;
            n = strtoll(argv[++i], &end, 10);
            if (errno || *end || n <= 0 || (o[2] == 'm' && n > 10000000)) {
                fprintf(stderr, "krait report: %s: not a valid number: '%s'\n", o, argv[i]);
                return -1;
            }
            if (o[2] == 'm')
                a->max_bars = (uint32_t)n;
            else
                a->run_id = n;
        } else if (o[1] == 'o' || !strcmp(o, "--output")) {
            a->out = argv[++i];
        } else {
            a->dir = argv[++i];
        }
    }
    return 0;
}

/* The plan of the workflow here, or NULL (saying why on stderr) when there
 * is no rule file or it does not plan. */
static void plan_quietly(struct report_args *a, struct kr_cli *cli, struct kr_workflow **wf,
                         struct kr_dag **dag)
{
    struct kr_error err;
    kr_error_clear(&err);
    if (kr_cli_parse(a->nrest, a->rest, 0, cli, &err) != KR_OK ||
        kr_cli_plan(cli, wf, dag, &err) != KR_OK) {
        fprintf(stderr, "krait report: warning: no plan (%s); the rule graph comes from the "
                        "state database alone\n", err.msg);
        *wf = NULL;
        *dag = NULL;
    }
}

static int report_run(int argc, char **argv)
{
    struct report_args a;
    struct kr_report_opts o;
    struct kr_state *st = NULL;
    struct kr_error err;
    struct kr_cli cli;
    struct kr_workflow *wf = NULL;
    struct kr_dag *dag = NULL;
    bool have_cli = false;
    FILE *f = NULL;
    int rc, status = 0;

    kr_error_clear(&err);
    memset(&cli, 0, sizeof cli);
    if (parse_args(argc, argv, &a)) {
        report_usage(stderr);
        status = 2;
        goto out;
    }
    if (a.dir && chdir(a.dir) != 0) {
        fprintf(stderr, "krait: error: -d %s: %s\n", a.dir, strerror(errno));
        status = 1;
        goto out;
    }
    rc = kr_state_open_read(NULL, &st);
    if (rc == KR_NOT_FOUND) {
        fprintf(stderr, "krait: error: no state database here: nothing has run yet\n");
        status = 1;
        goto out;
    }
    if (!a.no_plan) {
        have_cli = true;
        plan_quietly(&a, &cli, &wf, &dag);
    }
    memset(&o, 0, sizeof o);
    o.run_id = a.run_id;
    o.dag = dag;
    o.max_bars = a.max_bars;
    f = strcmp(a.out, "-") ? fopen(a.out, "w") : stdout;
    if (!f) {
        fprintf(stderr, "krait: error: %s: %s\n", a.out, strerror(errno));
        status = 1;
        goto out;
    }
    rc = kr_report_write(st, &o, f, &err);
    if (f != stdout && fclose(f) != 0 && rc == KR_OK)
        rc = kr_error_set(&err, KR_EIO, "%s: %s", a.out, strerror(errno));
    if (rc != KR_OK) {
        if (f != stdout)
            unlink(a.out);
        kr_error_print(&err, stderr);
        status = 1;
    } else if (f != stdout) {
        fprintf(stderr, "krait: report written to %s\n", a.out);
    }
out:
    kr_dag_free(dag);
    kr_workflow_free(wf);
    if (have_cli)
        kr_cli_free(&cli);
    kr_state_close(st);
    kr_free(a.rest);
    return status;
}

const struct kr_cmd kr_cmd_report = {
    .name = "report",
    .summary = summary,
    .run = report_run,
};
