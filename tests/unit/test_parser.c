/*
 * test_parser.c - grammar/parser.y through its public API (ast.h): node
 * shapes the evaluator relies on (slots, flags, CMP operators, chained
 * assignment, RAWBLOCK line numbers), kr_parse_expr with a base offset,
 * error locations, and the guards against hostile input: nesting limits
 * and linear time on long files.
 */
#include "ast.h"
#include "tap.h"

#include <string.h>

static struct kr_sources srcs;

/* Parse text as file "t.smk"; returns the dump, or "error: MSG @L:C". */
static char *parse(struct kr_arena *a, const char *text, struct kr_node **out)
{
    struct kr_node *m = NULL;
    struct kr_error e;
    struct kr_buf b = KR_BUF_INIT;
    uint16_t f = kr_sources_add(&srcs, "t.smk", text, strlen(text));
    char *res;
    kr_error_clear(&e);
    if (kr_parse_file(a, &srcs, f, &m, &e) != KR_OK)
        return kr_arena_printf(a, "error: %s @%d:%d", e.msg, e.line, e.col);
    if (out)
        *out = m;
    kr_ast_dump(m, &b);
    res = kr_arena_strndup(a, b.data ? b.data : "", b.len);
    kr_buf_free(&b);
    return res;
}

static char *repeat(const char *s, int n, const char *tail)
{
    struct kr_buf b = KR_BUF_INIT;
    int i;
    for (i = 0; i < n; i++)
        kr_buf_puts(&b, s);
    kr_buf_puts(&b, tail);
    return kr_buf_steal(&b);
}

int main(void)
{
    struct kr_arena a;
    struct kr_node *m, *n;
    struct kr_error e;
    char *text;
    int k;

    kr_arena_init(&a);
    kr_sources_init(&srcs);

    /* node shapes */
    is_str(parse(&a, "a = b = c\n", &m), "(assign a b c)\n", "chained assignment dump");
    n = m->kids[0];
    ok(n->kind == KR_N_ASSIGN && n->a->kind == KR_N_NAME && !strcmp(n->a->str, "a") &&
       n->nkids == 1 && !strcmp(n->kids[0]->str, "b") && !strcmp(n->b->str, "c"),
       "chained assignment: a = first target, kids = other targets, b = value");
    parse(&a, "x = 1 < y <= 2 != z\n", &m);
    n = m->kids[0]->b;
    ok(n->kind == KR_N_CMP && n->nkids == 4 && n->ops[0] == KR_OP_LT &&
       n->ops[1] == KR_OP_LE && n->ops[2] == KR_OP_NE, "CMP: operands and ops");
    parse(&a, "x = f'{y=}'\n", &m);
    n = m->kids[0]->b;
    ok(n->kind == KR_N_FSTR && n->nkids == 1 && n->kids[0]->kind == KR_N_FIELD &&
       (n->kids[0]->flags & KR_FIELD_DEBUG) && !strcmp(n->kids[0]->str, "y=") &&
       n->kids[0]->op == 'r', "FIELD debug: str is the text shown, repr by default");
    parse(&a, "x = 'a' r'\\b'\n", &m);
    n = m->kids[0]->b;
    ok(n->kind == KR_N_STR && n->slen == 3 && !memcmp(n->str, "a\\b", 3) &&
       (n->flags & KR_STR_RAW), "folded STR with a raw part is flagged raw");
    parse(&a, "x = 'a\\0b'\n", &m);
    n = m->kids[0]->b;
    ok(n->slen == 3 && n->str[1] == '\0' && n->str[2] == 'b', "STR may hold NUL bytes");
    parse(&a, "\n\nrule r:\n    run:\n\n        pass\n", &m);
    n = m->kids[0]->kids[0]->kids[0];
    ok(n->kind == KR_N_RAWBLOCK && n->ival == 6 && !strcmp(n->str, "pass\n"),
       "RAWBLOCK: text and 1-based line of its first line");
    parse(&a, "def f(a, *, b=1, **kw): pass\n", &m);
    n = m->kids[0];
    ok(n->nparams == 4 && (n->params[1]->flags & KR_PARAM_KWONLY_MARK) &&
       n->params[2]->a && n->params[2]->a->ival == 1 && (n->params[3]->flags & KR_PARAM_DSTAR),
       "DEF params with flags and defaults");
    parse(&a, "x = {**d, 'k': 1}\n", &m);
    n = m->kids[0]->b;
    ok(n->kind == KR_N_DICT && n->nkids == 4 && n->kids[0]->kind == KR_N_DSTAR &&
       n->kids[1] == NULL && n->kids[2]->kind == KR_N_STR, "DICT: DSTAR entry has a NULL value");
    parse(&a, "x = 1\nrule r:\n    input: 'a'\n", &m);
    n = m->kids[1];
    ok(n->off == 6 && n->kids[0]->off == 18 && n->kids[0]->kids[0]->off == 25,
       "nodes carry byte offsets of their first character");
    for (k = 1; k < KR_N__COUNT; k++)
        if (!strcmp(kr_node_kind_name(k), "?"))
            break;
    ok(k == KR_N__COUNT, "every node kind has a name");
    is_str(kr_node_kind_name(0), "?", "kind 0 has no name");

    /* kr_parse_expr: offsets relative to the file */
    {
        const char *t = "rule x:\n    input: a + b\n";
        uint16_t f = kr_sources_add(&srcs, "e.smk", t, strlen(t));
        kr_error_clear(&e);
        ok(kr_parse_expr(&a, &srcs, f, 19, t + 19, 5, &n, &e) == KR_OK &&
           n->kind == KR_N_BINOP && n->off == 19 && n->b->off == 23, "kr_parse_expr offsets");
        ok(kr_parse_expr(&a, &srcs, f, 19, "a +", 3, &n, &e) == KR_ESYNTAX &&
           e.line == 2 && e.col == 15, "kr_parse_expr error located in the file");
    }

    /* errors */
    is_str(parse(&a, "x = f(1,\n      2\ny = 3\n", NULL), "error: '(' was never closed @1:6",
           "unclosed paren noticed later is reported at the paren");
    is_str(parse(&a, "x = (1 +\n", NULL), "error: '(' was never closed @1:5",
           "unclosed paren");
    is_str(parse(&a, "rule a\n    input: 'x'\n", NULL),
           "error: expected ':' after rule name @1:7", "rule header without ':'");
    is_str(parse(&a, "x = f'{}'\n", NULL),
           "error: f-string: empty expression not allowed @1:7", "empty f-string field");
    is_str(parse(&a, "while x:\n    pass\nelse:\n    pass\n", NULL),
           "error: 'else' after a 'while' loop is not supported: use a flag variable set "
           "inside the loop @3:1",
           "while-else is rejected with the alternative");

    /* hostile input: bounded depth, no stack overflow */
    text = repeat("-", 1500, "1\n");
    ok(!strncmp(parse(&a, text, NULL), "error: expression or block nested too deeply", 44),
       "1500 unary minuses: a depth error");
    kr_free(text);
    text = repeat("not ", 12000, "x\n");
    ok(!strncmp(parse(&a, text, NULL), "error: expression or block nested too deeply", 44),
       "12000 'not's (past bison's stack limit): a depth error, not a crash");
    kr_free(text);
    text = repeat("x = f'{", 10, "1");
    ok(!strncmp(parse(&a, text, NULL), "error:", 6), "unterminated nested f-strings");
    kr_free(text);
    text = repeat("[", 300, "");
    is_str(parse(&a, text, NULL), "error: too many nested brackets (the limit is 200) @1:201",
           "bracket nesting limit");
    kr_free(text);
    {
        struct kr_buf b = KR_BUF_INIT;
        for (k = 0; k < 120; k++) {
            int j;
            for (j = 0; j < k; j++)
                kr_buf_putc(&b, ' ');
            kr_buf_puts(&b, "if x:\n");
        }
        ok(!strncmp(parse(&a, kr_buf_cstr(&b), NULL), "error: too many levels of indentation", 37),
           "indentation depth limit");
        kr_buf_free(&b);
    }
    text = repeat("a + ", 900, "a\n");
    ok(!strncmp(parse(&a, text, NULL), "(expr", 5), "a sum of 900 terms is fine");
    kr_free(text);
    text = repeat("a + ", 1500, "a\n");
    ok(!strncmp(parse(&a, text, NULL), "error: expression or block nested too deeply", 44),
       "a sum of 1500 terms exceeds the tree depth limit");
    kr_free(text);

    /* large inputs parse (speed is measured by bench/gen_rules.py, not here) */
    {
        char *big = repeat("rule r:\n    input: 'a', b=f'{x}'\n    shell: 'c'\n", 2000, "");
        char *flat = repeat("1, ", 20000, "1]\n");
        char *lst = kr_asprintf("x = [%s", flat);
        ok(!strncmp(parse(&a, big, NULL), "(rule r", 7), "2000 rules parse");
        ok(!strncmp(parse(&a, lst, NULL), "(assign x (list 1 1", 19), "a 20000-element list");
        kr_free(big);
        kr_free(flat);
        kr_free(lst);
    }

    kr_sources_free(&srcs);
    kr_arena_free(&a);
    return tap_done();
}
