/*
 * cmd.h - krait's subcommands. Each lives in its own src/cmd-NAME.c and
 * exports one `const struct kr_cmd kr_cmd_NAME`; src/main.c lists them in
 * its command table (like git's and tmux's command tables).
 *
 * A command's run() gets argv with argv[0] = the command name and returns
 * the process exit status (0 success, 1 failure, 2 usage error).
 */
#ifndef KR_CMD_H
#define KR_CMD_H

struct kr_cmd {
    const char *name;
    const char *summary;        /* one line for `krait help` */
    int (*run)(int argc, char **argv);
};

extern const struct kr_cmd kr_cmd_lint;
extern const struct kr_cmd kr_cmd_plan;
extern const struct kr_cmd kr_cmd_run;
extern const struct kr_cmd kr_cmd_explain;
extern const struct kr_cmd kr_cmd_dag;
extern const struct kr_cmd kr_cmd_status;
extern const struct kr_cmd kr_cmd_log;
extern const struct kr_cmd kr_cmd_report;
extern const struct kr_cmd kr_cmd_parse;
extern const struct kr_cmd kr_cmd_state;
extern const struct kr_cmd kr_cmd_archive;

#endif /* KR_CMD_H */
