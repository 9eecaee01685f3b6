/*
 * cmd-state.c - `krait state check` and `krait state repair [--force]`:
 * what to do about a damaged state database (.krait/state.db). check runs
 * SQLite's integrity check and prints the problems (exit 0 sound, 1
 * damaged or unreadable); repair moves a damaged database aside to
 * state.db.corrupt-YYYYMMDD-HHMMSS and starts an empty one, after which the
 * outputs are judged by their modification times (src/state-repair.c).
 * Do not repair while a `krait run` is going on in the directory.
 */
#include "cmd.h"
#include "kr.h"
#include "state.h"

#include <stdio.h>
#include <string.h>

static void state_usage(FILE *f)
{
    fprintf(f, "usage: krait state check\n"
               "       krait state repair [--force]\n"
               "\n"
               "check   run SQLite's integrity check on .krait/state.db and print its problems\n"
               "repair  move a damaged .krait/state.db aside (state.db.corrupt-TIMESTAMP) and\n"
               "        start an empty one; outputs will then be re-checked by mtime.\n"
               "        --force also moves a database that passes the check.\n");
}

static int cmd_state(int argc, char **argv)
{
    struct kr_error err;
    char *moved = NULL;
    bool force = false;
    int rc, i;

    kr_error_clear(&err);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        state_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (i = 2; i < argc; i++) {
        if (!strcmp(argv[1], "repair") && !strcmp(argv[i], "--force")) {
            force = true;
        } else {
            fprintf(stderr, "krait: error: state %s: unknown argument '%s'\n", argv[1], argv[i]);
            state_usage(stderr);
            return 2;
        }
    }
    if (!strcmp(argv[1], "check")) {
        rc = kr_state_check(NULL, stdout, &err);
        if (rc == KR_NOT_FOUND) {
            printf("no state database here (.krait/state.db): nothing to check\n");
            return 0;
        }
    } else if (!strcmp(argv[1], "repair")) {
        rc = kr_state_repair(NULL, force, &moved, &err);
        if (rc == KR_OK)
            printf("moved the damaged state database to %s and started an empty one; "
                   "outputs will be re-checked by mtime (jobs whose outputs are older than "
                   "their inputs run again)\n", moved);
        kr_free(moved);
    } else {
        fprintf(stderr, "krait: error: unknown state command '%s'\n", argv[1]);
        state_usage(stderr);
        return 2;
    }
    if (rc != KR_OK) {
        kr_error_print(&err, stderr);
        return 1;
    }
    return 0;
}

const struct kr_cmd kr_cmd_state = {
    .name = "state",
    .summary = "check or repair the state database (.krait/state.db)",
    .run = cmd_state,
};
