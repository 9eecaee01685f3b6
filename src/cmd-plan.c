/*
 * cmd-plan.c - `krait plan [targets] [options]`: build the plan and show
 * which jobs would run and why (the same listing as `krait run -n`), as
 * text, JSON (--json) or counts only (-q). `--explain FILE` shows the chain
 * of reasons for one file instead.
 */
#include "cli.h"
#include "cmd.h"
#include "planfmt.h"

#include <stdio.h>

static const char summary[] = "show which jobs would run and why (a dry run)";

static int plan_run(int argc, char **argv)
{
    struct kr_cli cli;
    struct kr_error err;
    struct kr_workflow *wf = NULL;
    struct kr_dag *dag = NULL;
    enum kr_planfmt_mode mode = KR_PLANFMT_HUMAN;
    int rc, status = 0;

    kr_error_clear(&err);
    rc = kr_cli_parse(argc, argv, 0, &cli, &err);
    if (rc) {
        status = kr_cli_fail(&err);
        fprintf(stderr, "Run `krait plan --help` for the options.\n");
        goto out;
    }
    if (cli.help) {
        kr_cli_usage(stdout, "plan", summary, 0);
        goto out;
    }
    rc = kr_cli_plan(&cli, &wf, &dag, &err);
    if (rc) {
        status = kr_cli_fail(&err);
        goto out;
    }
    if (cli.explain) {
        rc = kr_planfmt_explain(dag, cli.explain, stdout, &err);
        if (rc)
            status = kr_cli_fail(&err);
        goto out;
    }
    if (cli.json)
        mode = KR_PLANFMT_JSON;
    else if (cli.quiet)
        mode = KR_PLANFMT_QUIET;
    if (kr_planfmt_print(dag, stdout, mode, cli.verbose))
        status = 1;
out:
    kr_dag_free(dag);
    kr_workflow_free(wf);
    kr_cli_free(&cli);
    return status;
}

const struct kr_cmd kr_cmd_plan = {
    .name = "plan",
    .summary = summary,
    .run = plan_run,
};
