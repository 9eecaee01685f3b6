/* test_core.c - unit tests for src/kr.c: arena, buffers, errors, suggestions. */
#include "kr.h"
#include "source.h"
#include "tap.h"

#include <string.h>

int main(void)
{
    struct kr_arena a;
    struct kr_buf b = KR_BUF_INIT;
    struct kr_error e;
    struct kr_sources s;
    int i;
    char *p;

    kr_arena_init(&a);
    for (i = 0; i < 100000; i++) {
        p = kr_arena_alloc(&a, 24);
        memset(p, 'x', 24);
    }
    {
        /* 100000 x 32 bytes must fill 256 KiB blocks, not take one block each */
        size_t nblocks = 0;
        struct kr_arena_block **bp = &a.head;
        for (; *bp; bp = (struct kr_arena_block **)*bp)
            nblocks++;
        ok(nblocks <= 14, "small allocations share blocks (%zu blocks)", nblocks);
    }
    p = kr_arena_alloc(&a, 1 << 20);   /* a big block */
    memset(p, 0, 1 << 20);
    ok(((uintptr_t)p & 15) == 0, "arena blocks are 16-byte aligned");
    {
        char *before = a.cur;
        p = kr_arena_alloc(&a, 40);    /* small again: from the same bump block */
        ok(p == before, "bump block survives a big request");
    }
    is_str(kr_arena_printf(&a, "%s-%d", "rule", 7), "rule-7", "arena printf");
    kr_arena_free(&a);

    for (i = 0; i < 1000; i++)
        kr_buf_printf(&b, "%d,", i);
    ok(b.len > 3000 && strncmp(b.data, "0,1,2,", 6) == 0, "buffer grows");
    p = kr_buf_steal(&b);
    ok(b.data == NULL && b.len == 0, "steal empties the buffer");
    kr_free(p);

    kr_error_set(&e, KR_EEVAL, "name '%s' is not defined", "smaples");
    is_int(e.code, KR_EEVAL, "error code set");
    is_str(e.msg, "name 'smaples' is not defined", "error message");

    kr_sources_init(&s);
    kr_sources_add(&s, "Snakefile", "rule a:\n    ouput: 'x'\n", 23);
    kr_error_at(&e, KR_ESYNTAX, &s, 0, 12, "unknown directive 'ouput'");
    is_int(e.line, 2, "line of offset");
    is_int(e.col, 5, "column of offset");
    is_str(e.context, "        ouput: 'x'\n        ^\n", "context line and caret");
    {
        char line[2048];
        kr_error_format(&e, line, sizeof line);
        is_str(line, "Snakefile:2:5: error: unknown directive 'ouput'", "formatted error");
    }
    kr_sources_free(&s);

    {
        const char *dirs[] = {"input", "output", "params", "shell"};
        is_str(kr_suggest("ouput", dirs, 4), "output", "suggest output for ouput");
        ok(kr_suggest("zzzzzz", dirs, 4) == NULL, "no suggestion for nonsense");
    }
    ok(kr_hash64("abc", 3) != kr_hash64("abd", 3), "hash distinguishes");
    return tap_done();
}
