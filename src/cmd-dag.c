/*
 * cmd-dag.c - `krait dag [targets] [--format dot|mermaid|json] [--rules]`:
 * the planned job graph (or, with --rules, the rule graph) for drawing.
 * Jobs that are up to date are drawn dashed in dot, as Snakemake does.
 */
#include "cli.h"
#include "cmd.h"
#include "planfmt.h"

#include <stdio.h>

static const char summary[] = "print the job graph (or --rules: the rule graph)";

static int dag_run(int argc, char **argv)
{
    struct kr_cli cli;
    struct kr_error err;
    struct kr_workflow *wf = NULL;
    struct kr_dag *dag = NULL;
    int rc, status = 0;

    kr_error_clear(&err);
    rc = kr_cli_parse(argc, argv, KR_CLI_GRAPH, &cli, &err);
    if (rc) {
        status = kr_cli_fail(&err);
        fprintf(stderr, "Run `krait dag --help` for the options.\n");
        goto out;
    }
    if (cli.help) {
        kr_cli_usage(stdout, "dag", summary, KR_CLI_GRAPH);
        goto out;
    }
    rc = kr_cli_plan(&cli, &wf, &dag, &err);
    if (rc == KR_OK)
        rc = kr_planfmt_graph(dag, stdout, cli.graph_format, cli.graph_rules, &err);
    if (rc)
        status = kr_cli_fail(&err);
out:
    kr_dag_free(dag);
    kr_workflow_free(wf);
    kr_cli_free(&cli);
    return status;
}

const struct kr_cmd kr_cmd_dag = {
    .name = "dag",
    .summary = summary,
    .run = dag_run,
};
