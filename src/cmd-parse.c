/*
 * cmd-parse.c - `krait parse [--dump] [--time] FILE`: a developer command
 * that only parses a rule file. With --dump it prints the syntax tree as
 * kr_ast_dump's S-expressions (what the golden tests in tests/lang/syntax
 * compare); with --time it reports the parse time on stderr. A syntax error
 * is printed as file:line:col, the source line and a caret; exit status 1.
 */
#include "ast.h"
#include "cmd.h"
#include "kr.h"
#include "source.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: krait parse [--dump] [--time] FILE\n"
               "  --dump   print the syntax tree (one statement per line)\n"
               "  --time   print the parse time and tree size on stderr\n");
}

static int run(int argc, char **argv)
{
    bool dump = false, timing = false;
    const char *path = NULL;
    struct kr_sources srcs;
    struct kr_arena arena;
    struct kr_error err;
    struct kr_buf out = KR_BUF_INIT;
    struct kr_node *module = NULL;
    uint16_t file;
    double t0;
    int i, rc, status = 1;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dump")) {
            dump = true;
        } else if (!strcmp(argv[i], "--time")) {
            timing = true;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "krait parse: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (path) {
            fprintf(stderr, "krait parse: only one FILE may be given\n");
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    kr_sources_init(&srcs);
    kr_arena_init(&arena);
    kr_error_clear(&err);
    rc = kr_sources_load(&srcs, path, &file, &err);
    if (rc != KR_OK) {
        kr_error_print(&err, stderr);
        goto out;
    }
    t0 = kr_now();
    rc = kr_parse_file(&arena, &srcs, file, &module, &err);
    if (timing)
        fprintf(stderr, "parse: %.3f ms, %zu bytes of source, %zu bytes of tree\n",
                (kr_now() - t0) * 1e3, srcs.files[file].len, arena.total);
    if (rc != KR_OK) {
        kr_error_print(&err, stderr);
        goto out;
    }
    if (dump) {
        kr_ast_dump(module, &out);
        fwrite(kr_buf_cstr(&out), 1, out.len, stdout);
    }
    status = 0;
out:
    kr_buf_free(&out);
    kr_arena_free(&arena);
    kr_sources_free(&srcs);
    return status;
}

const struct kr_cmd kr_cmd_parse = {
    .name = "parse",
    .summary = "parse a rule file and print its syntax tree (for developers)",
    .run = run,
};
