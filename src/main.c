/*
 * main.c - the krait program: finds the subcommand in the command table and
 * runs it. `krait -n ...` and `krait [targets]` with no subcommand behave as
 * `krait run ...`, as `snakemake` does.
 */
#include "config.h"
#include "cmd.h"
#include "kr.h"

#include <stdio.h>
#include <string.h>

static const struct kr_cmd *const commands[] = {
    &kr_cmd_run,
    &kr_cmd_plan,
    &kr_cmd_explain,
    &kr_cmd_dag,
    &kr_cmd_lint,
    &kr_cmd_status,
    &kr_cmd_log,
    &kr_cmd_report,
    &kr_cmd_state,
    &kr_cmd_parse,
    &kr_cmd_archive,
    NULL
};

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "usage: krait <command> [options] [targets...]\n\ncommands:\n");
    for (i = 0; commands[i]; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "  %-10s %s\n", "version", "print the version");
    fprintf(f, "\nRun `krait <command> --help` for a command's options.\n");
}

int main(int argc, char **argv)
{
    size_t i;
    const char *name;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    name = argv[1];
    if (!strcmp(name, "help") || !strcmp(name, "--help") || !strcmp(name, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "version") || !strcmp(name, "--version")) {
        printf("krait %s\n", PACKAGE_VERSION);
        return 0;
    }
    for (i = 0; commands[i]; i++)
        if (!strcmp(commands[i]->name, name))
            return commands[i]->run(argc - 1, argv + 1);
    /* no subcommand: behave as `krait run` (options or targets follow) */
    for (i = 0; commands[i]; i++)
        if (!strcmp(commands[i]->name, "run"))
            return commands[i]->run(argc, argv);
    fprintf(stderr, "krait: unknown command '%s'\n", name);
    usage(stderr);
    return 2;
}
