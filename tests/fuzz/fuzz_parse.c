/*
 * fuzz_parse.c - libFuzzer target: parse the input bytes as a rule file and,
 * when it parses, dump the tree. Crashes, sanitizer reports, leaks and
 * timeouts are bugs; syntax errors are the expected outcome for most inputs.
 * Built by tests/fuzz/build.sh.
 *
 * The source entry is filled by hand rather than with kr_sources_add, which
 * copies with strndup and would cut the text at the first NUL byte: files
 * read by kr_sources_load keep NUL bytes, so the parser must handle them.
 */
#include "ast.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kr_sources s;
    struct kr_arena a;
    struct kr_error e;
    struct kr_node *m = NULL;
    struct kr_buf b = KR_BUF_INIT;
    kr_sources_init(&s);
    s.files = kr_calloc(1, sizeof *s.files);
    s.n = s.cap = 1;
    s.files[0].path = kr_strdup("fuzz.smk");
    s.files[0].text = kr_malloc(size + 1);
    memcpy(s.files[0].text, data, size);
    s.files[0].text[size] = '\0';
    s.files[0].len = size;
    kr_arena_init(&a);
    kr_error_clear(&e);
    if (kr_parse_file(&a, &s, 0, &m, &e) == KR_OK)
        kr_ast_dump(m, &b);
    else if (e.code != KR_ESYNTAX || !e.msg[0])
        __builtin_trap();               /* every failure must explain itself */
    kr_buf_free(&b);
    kr_arena_free(&a);
    kr_sources_free(&s);
    return 0;
}
