/*
 * cmd-explain.c - `krait explain FILE [options]`: why FILE would be
 * (re)made: the job that makes it, its reason, and the upstream job whose
 * update caused it, down to source files. Plans for the given targets (or
 * the default target); when FILE is not part of that plan, plans for FILE.
 */
#include "cli.h"
#include "cmd.h"
#include "planfmt.h"

#include <stdio.h>
#include <string.h>

static const char summary[] = "explain why a file would be (re)made";

static int explain_run(int argc, char **argv)
{
    struct kr_cli cli;
    struct kr_error err;
    struct kr_workflow *wf = NULL;
    struct kr_dag *dag = NULL;
    const char *file;
    const char **own = NULL;    /* the targets array kr_cli_free must see */
    int rc, status = 0;

    kr_error_clear(&err);
    rc = kr_cli_parse(argc, argv, 0, &cli, &err);
    if (rc) {
        status = kr_cli_fail(&err);
        fprintf(stderr, "Run `krait explain --help` for the options.\n");
        goto out;
    }
    if (cli.help) {
        kr_cli_usage(stdout, "explain", "usage: krait explain FILE [targets] [options]\n"
                     "explain why a file would be (re)made", 0);
        goto out;
    }
    file = cli.explain;
    if (!file) {
        if (cli.plan.ntargets == 0) {
            kr_error_set(&err, KR_EUSAGE, "explain: which file? (krait explain FILE)");
            status = kr_cli_fail(&err);
            goto out;
        }
        file = cli.plan.targets[0];
        own = cli.plan.targets;
        cli.plan.targets++;
        cli.plan.ntargets--;
    }
    rc = kr_cli_plan(&cli, &wf, &dag, &err);
    if (rc == KR_OK) {
        rc = kr_planfmt_explain(dag, file, stdout, &err);
        if (rc == KR_NOT_FOUND) {
            /* not in the default plan: plan for the file itself */
            kr_dag_free(dag);
            dag = kr_dag_new(wf, NULL);
            struct kr_plan_opts po = cli.plan;
            po.targets = &file;
            po.ntargets = 1;
            rc = kr_dag_plan(dag, &po, &err);
            if (rc == KR_OK)
                rc = kr_planfmt_explain(dag, file, stdout, &err);
        }
    }
    if (rc)
        status = kr_cli_fail(&err);
out:
    if (own)
        cli.plan.targets = own;
    kr_dag_free(dag);
    kr_workflow_free(wf);
    kr_cli_free(&cli);
    return status;
}

const struct kr_cmd kr_cmd_explain = {
    .name = "explain",
    .summary = summary,
    .run = explain_run,
};
