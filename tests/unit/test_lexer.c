/*
 * test_lexer.c - token streams of grammar/lex.c for the tricky inputs:
 * indentation and dedent bursts, implicit and explicit line joining, the
 * Snakefile context rules (rule, directives, joined directive lines, raw
 * run: blocks), string forms, nested f-strings, numbers, and lexical errors.
 */
#include "lex.h"
#include "parser.h"
#include "tap.h"

#include <string.h>

static const char *tok_name(int t)
{
    static char one[4];
    switch (t) {
    case TK_YYEOF: return "EOF";
    case TK_START_FILE: return "START";
    case TK_START_EXPR: return "STARTX";
    case TK_NAME: return "NAME";
    case TK_STRING: return "STR";
    case TK_NUMBER: return "NUM";
    case TK_DIRECTIVE: return "DIR";
    case TK_TOPDIR: return "TOPDIR";
    case TK_RAWBLOCK: return "RAW";
    case TK_NEWLINE: return "NL";
    case TK_INDENT: return "IN";
    case TK_DEDENT: return "DE";
    case TK_LEXERROR: return "ERR";
    case TK_IF: return "if";
    case TK_ELSE: return "else";
    case TK_FOR: return "for";
    case TK_IN: return "in";
    case TK_DEF: return "def";
    case TK_RULE: return "rule";
    case TK_USE: return "use";
    case TK_AS: return "as";
    case TK_WITH: return "with";
    case TK_LAMBDA: return "lambda";
    case TK_DECORATOR: return "DECO";
    case TK_POW: return "**";
    case TK_AUGOP: return "AUG";
    case TK_EQ: return "==";
    case TK_WALRUS: return ":=";
    default:
        if (t > 0 && t < 128) {
            one[0] = (char)t;
            one[1] = '\0';
            return one;
        }
        return "?";
    }
}

/* Lex `text` as a file and render the token stream: "NAME:x = NUM:1 NL EOF".
 * Names and directives show their text, numbers their value. */
static char *tokens(struct kr_arena *a, const char *text, struct kr_error *err)
{
    struct kr_sources s;
    struct kr_parser *p = kr_malloc(sizeof *p);
    struct kr_buf b = KR_BUF_INIT;
    struct kr_tok t;
    char *res;
    int n = 0;
    kr_sources_init(&s);
    kr_sources_add(&s, "t.smk", text, strlen(text));
    kr_lex_init(p, a, &s, 0, s.files[0].text, s.files[0].len, 0, false, err);
    kr_lex_next(p, &t);                 /* START */
    do {
        kr_lex_next(p, &t);
        if (b.len)
            kr_buf_putc(&b, ' ');
        kr_buf_puts(&b, tok_name(t.type));
        if ((t.type == TK_NAME || t.type == TK_DIRECTIVE || t.type == TK_TOPDIR) && t.node)
            kr_buf_printf(&b, ":%s", t.node->str);
        if (t.type == TK_NUMBER && t.node->kind == KR_N_INT)
            kr_buf_printf(&b, ":%lld", (long long)t.node->ival);
        if (t.type == TK_NUMBER && t.node->kind == KR_N_FLOAT)
            kr_buf_printf(&b, ":%g", t.node->fval);
    } while (t.type != TK_YYEOF && t.type != TK_LEXERROR && ++n < 500);
    res = kr_arena_strdup(a, kr_buf_cstr(&b));
    kr_buf_free(&b);
    kr_free(p);
    kr_sources_free(&s);
    return res;
}

/* The node of the first STRING/RAWBLOCK token of `text`, dumped. */
static char *first_value(struct kr_arena *a, const char *text, int type)
{
    struct kr_sources s;
    struct kr_parser *p = kr_malloc(sizeof *p);
    struct kr_buf b = KR_BUF_INIT;
    struct kr_error err;
    struct kr_tok t;
    char *res = NULL;
    kr_sources_init(&s);
    kr_sources_add(&s, "t.smk", text, strlen(text));
    kr_lex_init(p, a, &s, 0, s.files[0].text, s.files[0].len, 0, false, &err);
    do {
        kr_lex_next(p, &t);
        if (t.type == type) {
            kr_ast_dump(t.node, &b);
            res = kr_arena_strndup(a, b.data, b.len - 1);     /* without the '\n' */
            break;
        }
    } while (t.type != TK_YYEOF && t.type != TK_LEXERROR);
    kr_buf_free(&b);
    kr_free(p);
    kr_sources_free(&s);
    return res ? res : "(none)";
}

int main(void)
{
    struct kr_arena a;
    struct kr_error e;
    kr_arena_init(&a);

    is_str(tokens(&a, "x = 1\n", &e), "NAME:x = NUM:1 NL EOF", "simple assignment");
    is_str(tokens(&a, "x = 1", &e), "NAME:x = NUM:1 NL EOF", "missing final newline");
    is_str(tokens(&a, "", &e), "EOF", "empty file");
    is_str(tokens(&a, "\n\n# c\n   \n", &e), "EOF", "blank and comment lines only");
    is_str(tokens(&a, "if a:\n    b\n\n    # c\n    c\nd\n", &e),
           "if NAME:a : NL IN NAME:b NL NAME:c NL DE NAME:d NL EOF",
           "indent, blank and comment lines inside a block");
    is_str(tokens(&a, "if a:\n  if b:\n    c\n", &e),
           "if NAME:a : NL IN if NAME:b : NL IN NAME:c NL DE DE EOF", "dedent burst at EOF");
    is_str(tokens(&a, "if a:\n  if b:\n    c\nd\n", &e),
           "if NAME:a : NL IN if NAME:b : NL IN NAME:c NL DE DE NAME:d NL EOF",
           "two dedents before a statement");
    is_str(tokens(&a, "x = (1,\n  2)\ny = [\n]\n", &e),
           "NAME:x = ( NUM:1 , NUM:2 ) NL NAME:y = [ ] NL EOF", "implicit line joining");
    is_str(tokens(&a, "x = 1 + \\\n    2\n", &e), "NAME:x = NUM:1 + NUM:2 NL EOF",
           "backslash continuation");
    is_str(tokens(&a, "x = 0x1F + 0o17 + 0b11 + 1_000 + 1.5 + .5 + 1e3\n", &e),
           "NAME:x = NUM:31 + NUM:15 + NUM:3 + NUM:1000 + NUM:1.5 + NUM:0.5 + NUM:1000 NL EOF",
           "number forms");
    is_str(tokens(&a, "x **= 2 ** y == z\n", &e), "NAME:x AUG NUM:2 ** NAME:y == NAME:z NL EOF",
           "multi-character operators");
    is_str(tokens(&a, "@deco\nx = a @ b\n", &e), "DECO NAME:deco NL NAME:x = NAME:a @ NAME:b NL EOF",
           "'@' is a decorator only at the start of a statement");

    /* Snakefile context */
    is_str(tokens(&a, "rule a:\n    input: 'x'\n", &e),
           "rule NAME:a : NL IN DIR:input : STR NL DE EOF", "rule with a directive");
    is_str(tokens(&a, "rule:\n    output: 'x'\n", &e),
           "rule : NL IN DIR:output : STR NL DE EOF", "anonymous rule");
    is_str(tokens(&a, "rule = 1\ninput = rule\n", &e),
           "NAME:rule = NUM:1 NL NAME:input = NAME:rule NL EOF",
           "rule and input are names outside rule headers and bodies");
    is_str(tokens(&a, "rule a:\n    shell:\n        'a '\n\n        'b'\n    output: 'c'\nx = 1\n", &e),
           "rule NAME:a : NL IN DIR:shell : STR STR NL DIR:output : STR NL DE NAME:x = NUM:1 NL EOF",
           "directive items on deeper lines are joined");
    is_str(tokens(&a, "rule a:\n    input: 'a',\n        'b'\n", &e),
           "rule NAME:a : NL IN DIR:input : STR , STR NL DE EOF",
           "continuation lines after items on the directive line");
    is_str(tokens(&a, "rule a:\n    run:\n        x = 1\n        if x:\n            y\n    output: 'o'\n", &e),
           "rule NAME:a : NL IN DIR:run : RAW NL DIR:output : STR NL DE EOF",
           "run: body is one RAWBLOCK token");
    is_str(first_value(&a, "rule a:\n    run:\n        s = '''x\nnot indented'''\n\n        t = (1,\n  2)\nz = 1\n", TK_RAWBLOCK),
           "(rawblock 3 \"s = '''x\\nnot indented'''\\n\\nt = (1,\\n2)\\n\")",
           "raw block: strings verbatim, bracket lines dedented, trailing blanks dropped");
    is_str(tokens(&a, "use rule a as b with:\n    input: 'x'\n", &e),
           "use rule NAME:a as NAME:b with : NL IN DIR:input : STR NL DE EOF",
           "use rule ... with: has a directive body");
    is_str(tokens(&a, "configfile: 'c.yaml'\nonstart:\n    print(1)\n", &e),
           "TOPDIR:configfile : STR NL TOPDIR:onstart : RAW NL EOF", "top-level directives");
    is_str(tokens(&a, "f(lambda wildcards, input: input)\n", &e),
           "NAME:f ( lambda NAME:wildcards , NAME:input : NAME:input ) NL EOF",
           "directive names inside expressions are names");

    /* strings */
    is_str(first_value(&a, "x = 'a\\tb\\x41\\u00e9\\N'\n", TK_STRING),
           "(none)", "\\N escapes are rejected");
    is_str(first_value(&a, "x = 'a\\tb\\x41\\u00e9\\d'\n", TK_STRING), "\"a\\tbAé\\\\d\"",
           "escapes decoded, unknown escapes kept");
    is_str(first_value(&a, "x = r'a\\tb\\''\n", TK_STRING), "r\"a\\\\tb\\\\'\"",
           "raw string keeps backslashes, an escaped quote does not end it");
    is_str(first_value(&a, "x = '''a\n'b'\n\"\"\"'''\n", TK_STRING), "\"a\\n'b'\\n\\\"\\\"\\\"\"",
           "triple-quoted string with quotes inside");
    is_str(first_value(&a, "x = f\"{a + f'{b!r:>{w}}'}\"\n", TK_STRING),
           "(fstr (field (binop + a (fstr (field b !r :(fstr \">\" (field w)))))))",
           "nested f-string with conversion and nested spec field");
    is_str(first_value(&a, "x = f'{{a}} {b=} {c:{d}.{e}f}!'\n", TK_STRING),
           "(fstr \"{a} \" (field b !r =\"b=\") \" \" (field c :(fstr (field d) \".\" (field e) \"f\")) \"!\")",
           "f-string escapes, debug field, spec with fields");
    is_str(first_value(&a, "x = f'{a!=b}'\n", TK_STRING), "(fstr (field (cmp a != b)))",
           "'!=' inside a field is not a conversion");
    is_str(first_value(&a, "x = f'{d[\"k\"]:x}'\n", TK_STRING),
           "(fstr (field (index d \"k\") :(fstr \"x\")))", "other quotes inside a field");

    /* errors */
    kr_error_clear(&e);
    is_str(tokens(&a, "x = 'abc\n", &e), "NAME:x = ERR", "unterminated string stops the stream");
    is_str(e.msg, "unterminated string (opened at line 1)", "unterminated string message");
    is_int(e.line, 1, "error line");
    is_int(e.col, 5, "error column points at the quote");
    kr_error_clear(&e);
    tokens(&a, "if a:\n        b\n\tc\n", &e);
    is_str(e.msg, "inconsistent use of tabs and spaces in indentation", "tab/space mix");
    kr_error_clear(&e);
    tokens(&a, "if a:\n        b\n    c\n", &e);
    is_str(e.msg, "unindent does not match any outer indentation level", "bad dedent");
    is_int(e.line, 3, "bad dedent line");
    kr_error_clear(&e);
    tokens(&a, "x = b'x'\n", &e);
    is_str(e.msg, "bytes literals (b'...') are not supported: use a normal string", "bytes");
    kr_error_clear(&e);
    tokens(&a, "rule a:\n    ouput: 'x'\n", &e);
    is_str(e.msg, "unknown directive 'ouput' in rule 'a' (did you mean 'output'?)",
           "unknown directive with a suggestion");
    kr_error_clear(&e);
    tokens(&a, "x = [1,\n2\n", &e);
    is_str(e.msg, "'[' was never closed", "unclosed bracket at EOF");
    kr_error_clear(&e);
    tokens(&a, "x = 99999999999999999999\n", &e);
    is_str(e.msg, "integer literal is too large (the limit is 2**63-1)", "int overflow");

    kr_arena_free(&a);
    return tap_done();
}
