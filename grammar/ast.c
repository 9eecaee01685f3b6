/*
 * ast.c - syntax tree nodes: construction in the arena (for the parser),
 * kind names, and kr_ast_dump, the stable S-expression form of a tree that
 * `krait parse --dump` prints and the golden tests in tests/lang/syntax
 * compare against.
 *
 * Dump format (a MODULE prints as its statements, one per line, nothing
 * else; an empty file dumps as nothing): the statements of a nested block
 * (if/for/def bodies, a rule's directives) follow on their own lines,
 * indented two spaces per level. Expressions stay on one line:
 *   names print bare (x), strings quoted with C escapes ("a\n"; r"..." when
 *   raw), ints by %lld, floats by %.17g with ".0" added when that has no
 *   point, True/False/None bare, everything else as
 *   (kind child...), where an absent optional child prints as _.
 */
#include "lex.h"

#include <string.h>

struct kr_node *kr_node_new(struct kr_arena *a, uint16_t file, int kind, uint32_t off)
{
    struct kr_node *n = kr_arena_zalloc(a, sizeof *n);
    n->kind = (uint16_t)kind;
    n->file = file;
    n->off = off;
    return n;
}

struct kr_nlist *kr_nlist_new(struct kr_arena *a)
{
    return kr_arena_zalloc(a, sizeof(struct kr_nlist));
}

void kr_nlist_push(struct kr_arena *a, struct kr_nlist *l, struct kr_node *n)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        struct kr_node **v = kr_arena_alloc(a, cap * sizeof *v);
        if (l->n)
            memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = n;
}

void kr_nlist_push_op(struct kr_arena *a, struct kr_nlist *l, int op)
{
    if (l->nops == l->opcap) {
        uint32_t cap = l->opcap ? l->opcap * 2 : 4;
        uint8_t *v = kr_arena_alloc(a, cap);
        if (l->nops)
            memcpy(v, l->ops, l->nops);
        l->ops = v;
        l->opcap = cap;
    }
    l->ops[l->nops++] = (uint8_t)op;
}

void kr_node_set_kids(struct kr_node *n, struct kr_nlist *l)
{
    n->kids = l->n ? l->v : NULL;
    n->nkids = l->n;
}

bool kr_node_yields(const struct kr_node *n)
{
    uint32_t i;
    if (!n || n->kind == KR_N_DEF || n->kind == KR_N_LAMBDA)
        return false;
    if (n->kind == KR_N_YIELD)
        return true;
    if (kr_node_yields(n->a) || kr_node_yields(n->b) || kr_node_yields(n->c))
        return true;
    for (i = 0; i < n->nkids; i++)
        if (kr_node_yields(n->kids[i]))
            return true;
    return false;
}

const char *kr_node_kind_name(int kind)
{
    static const char *const names[KR_N__COUNT] = {
        [KR_N_NAME] = "NAME", [KR_N_INT] = "INT", [KR_N_FLOAT] = "FLOAT",
        [KR_N_STR] = "STR", [KR_N_FSTR] = "FSTR", [KR_N_FIELD] = "FIELD",
        [KR_N_TRUE] = "TRUE", [KR_N_FALSE] = "FALSE", [KR_N_NONE] = "NONE",
        [KR_N_LIST] = "LIST", [KR_N_TUPLE] = "TUPLE", [KR_N_SET] = "SET",
        [KR_N_DICT] = "DICT", [KR_N_BINOP] = "BINOP", [KR_N_UNOP] = "UNOP",
        [KR_N_NOT] = "NOT", [KR_N_AND] = "AND", [KR_N_OR] = "OR", [KR_N_CMP] = "CMP",
        [KR_N_COND] = "COND", [KR_N_LAMBDA] = "LAMBDA", [KR_N_CALL] = "CALL",
        [KR_N_KWARG] = "KWARG", [KR_N_STARRED] = "STARRED", [KR_N_DSTAR] = "DSTAR",
        [KR_N_ATTR] = "ATTR", [KR_N_INDEX] = "INDEX", [KR_N_SLICE] = "SLICE",
        [KR_N_LISTCOMP] = "LISTCOMP", [KR_N_SETCOMP] = "SETCOMP",
        [KR_N_GENEXP] = "GENEXP", [KR_N_DICTCOMP] = "DICTCOMP",
        [KR_N_COMPFOR] = "COMPFOR", [KR_N_COMPIF] = "COMPIF",
        [KR_N_MODULE] = "MODULE", [KR_N_BLOCK] = "BLOCK", [KR_N_EXPR] = "EXPR",
        [KR_N_ASSIGN] = "ASSIGN", [KR_N_AUGASSIGN] = "AUGASSIGN", [KR_N_IF] = "IF",
        [KR_N_FOR] = "FOR", [KR_N_DEF] = "DEF", [KR_N_PARAM] = "PARAM",
        [KR_N_RETURN] = "RETURN", [KR_N_PASS] = "PASS", [KR_N_BREAK] = "BREAK",
        [KR_N_CONTINUE] = "CONTINUE", [KR_N_ASSERT] = "ASSERT", [KR_N_IMPORT] = "IMPORT",
        [KR_N_FROMIMPORT] = "FROMIMPORT", [KR_N_GLOBAL] = "GLOBAL", [KR_N_DEL] = "DEL",
        [KR_N_RAISE] = "RAISE", [KR_N_TRY] = "TRY", [KR_N_EXCEPT] = "EXCEPT",
        [KR_N_WHILE] = "WHILE", [KR_N_WITH] = "WITH", [KR_N_YIELD] = "YIELD",
        [KR_N_RULE] = "RULE", [KR_N_DIRECTIVE] = "DIRECTIVE",
        [KR_N_RAWBLOCK] = "RAWBLOCK", [KR_N_USERULE] = "USERULE", [KR_N_TOPDIR] = "TOPDIR",
        [KR_N_MODDEF] = "MODDEF",
    };
    if (kind <= 0 || kind >= KR_N__COUNT || !names[kind])
        return "?";
    return names[kind];
}

/* ---- dump ------------------------------------------------------------------ */

static const char *op_text(int op)
{
    static const char *const t[] = {
        [KR_OP_NONE] = "?", [KR_OP_ADD] = "+", [KR_OP_SUB] = "-", [KR_OP_MUL] = "*",
        [KR_OP_DIV] = "/", [KR_OP_FLOORDIV] = "//", [KR_OP_MOD] = "%", [KR_OP_POW] = "**",
        [KR_OP_MATMUL] = "@", [KR_OP_BITAND] = "&", [KR_OP_BITOR] = "|",
        [KR_OP_BITXOR] = "^", [KR_OP_LSHIFT] = "<<", [KR_OP_RSHIFT] = ">>",
        [KR_OP_NEG] = "-", [KR_OP_POS] = "+", [KR_OP_INVERT] = "~", [KR_OP_LT] = "<",
        [KR_OP_LE] = "<=", [KR_OP_GT] = ">", [KR_OP_GE] = ">=", [KR_OP_EQ] = "==",
        [KR_OP_NE] = "!=", [KR_OP_IN] = "in", [KR_OP_NOTIN] = "not-in", [KR_OP_IS] = "is",
        [KR_OP_ISNOT] = "is-not",
    };
    if (op < 0 || op >= (int)KR_ARRAY_LEN(t) || !t[op])
        return "?";
    return t[op];
}

static void quote(struct kr_buf *out, const char *s, size_t n)
{
    size_t i;
    kr_buf_putc(out, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': kr_buf_puts(out, "\\\""); break;
        case '\\': kr_buf_puts(out, "\\\\"); break;
        case '\n': kr_buf_puts(out, "\\n"); break;
        case '\t': kr_buf_puts(out, "\\t"); break;
        case '\r': kr_buf_puts(out, "\\r"); break;
        default:
            if (c < 0x20 || c == 0x7f)
                kr_buf_printf(out, "\\x%02x", c);
            else
                kr_buf_putc(out, (char)c);
        }
    }
    kr_buf_putc(out, '"');
}

static void dump(const struct kr_node *n, struct kr_buf *out, int level);

static void dump_kids(const struct kr_node *n, struct kr_buf *out, int level)
{
    uint32_t i;
    for (i = 0; i < n->nkids; i++) {
        kr_buf_putc(out, ' ');
        dump(n->kids[i], out, level);
    }
}

static void dump_opt(const struct kr_node *n, struct kr_buf *out, int level)
{
    kr_buf_putc(out, ' ');
    if (n)
        dump(n, out, level);
    else
        kr_buf_putc(out, '_');
}

/* A statement or directive on its own line, indented. */
static void dump_line(const struct kr_node *n, struct kr_buf *out, int level)
{
    int i;
    kr_buf_putc(out, '\n');
    for (i = 0; i < level; i++)
        kr_buf_puts(out, "  ");
    dump(n, out, level);
}

/* "elif"/"else" of an IF, on its own line at the IF's indentation. */
static void dump_keyword_line(const char *kw, struct kr_buf *out, int level)
{
    int i;
    kr_buf_putc(out, '\n');
    for (i = 0; i < level; i++)
        kr_buf_puts(out, "  ");
    kr_buf_puts(out, kw);
}

static void dump_block(const struct kr_node *blk, struct kr_buf *out, int level)
{
    uint32_t i;
    if (!blk)
        return;
    for (i = 0; i < blk->nkids; i++)
        dump_line(blk->kids[i], out, level);
}

static void dump_params(const struct kr_node *n, struct kr_buf *out, int level)
{
    uint32_t i;
    kr_buf_puts(out, " (params");
    for (i = 0; i < n->nparams; i++) {
        const struct kr_node *pm = n->params[i];
        kr_buf_putc(out, ' ');
        if (pm->a) {
            kr_buf_printf(out, "(%s ", pm->str);
            dump(pm->a, out, level);
            kr_buf_putc(out, ')');
        } else {
            kr_buf_printf(out, "%s%s", pm->flags & KR_PARAM_STAR ? "*"
                                       : pm->flags & KR_PARAM_DSTAR ? "**" : "",
                          pm->flags & KR_PARAM_KWONLY_MARK ? "" : pm->str);
            if (pm->flags & KR_PARAM_KWONLY_MARK)
                kr_buf_putc(out, '*');
        }
    }
    kr_buf_putc(out, ')');
}

static void dump(const struct kr_node *n, struct kr_buf *out, int level)
{
    uint32_t i;
    if (!n) {
        kr_buf_putc(out, '_');
        return;
    }
    switch (n->kind) {
    case KR_N_NAME: kr_buf_puts(out, n->str); return;
    case KR_N_INT: kr_buf_printf(out, "%lld", (long long)n->ival); return;
    case KR_N_FLOAT: {
        char num[64];
        snprintf(num, sizeof num, "%.17g", n->fval);
        kr_buf_puts(out, num);
        if (!strpbrk(num, ".eEni"))     /* keep 2.0 apart from the int 2 */
            kr_buf_puts(out, ".0");
        return;
    }
    case KR_N_STR:
        if (n->flags & KR_STR_RAW)
            kr_buf_putc(out, 'r');
        quote(out, n->str, n->slen);
        return;
    case KR_N_TRUE: kr_buf_puts(out, "True"); return;
    case KR_N_FALSE: kr_buf_puts(out, "False"); return;
    case KR_N_NONE: kr_buf_puts(out, "None"); return;
    default: break;
    }
    kr_buf_putc(out, '(');
    {
        const char *k = kr_node_kind_name(n->kind);
        for (; *k; k++)
            kr_buf_putc(out, (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k));
    }
    switch (n->kind) {
    case KR_N_FIELD:
        dump_opt(n->a, out, level);
        if (n->op)
            kr_buf_printf(out, " !%c", n->op);
        if (n->b) {
            kr_buf_puts(out, " :");
            dump(n->b, out, level);
        }
        if (n->flags & KR_FIELD_DEBUG) {
            kr_buf_puts(out, " =");
            quote(out, n->str, n->slen);
        }
        break;
    case KR_N_BINOP: case KR_N_AUGASSIGN:
        kr_buf_printf(out, " %s", op_text(n->op));
        dump_opt(n->a, out, level);
        dump_opt(n->b, out, level);
        break;
    case KR_N_UNOP:
        kr_buf_printf(out, " %s", op_text(n->op));
        dump_opt(n->a, out, level);
        break;
    case KR_N_CMP:
        for (i = 0; i < n->nkids; i++) {
            if (i > 0)
                kr_buf_printf(out, " %s", op_text(n->ops[i - 1]));
            kr_buf_putc(out, ' ');
            dump(n->kids[i], out, level);
        }
        break;
    case KR_N_LAMBDA:
        dump_params(n, out, level);
        dump_opt(n->a, out, level);
        break;
    case KR_N_CALL:
        dump_opt(n->a, out, level);
        dump_kids(n, out, level);
        break;
    case KR_N_KWARG:
        kr_buf_printf(out, " %s", n->str);
        dump_opt(n->a, out, level);
        break;
    case KR_N_ATTR:
        dump_opt(n->a, out, level);
        kr_buf_printf(out, " %s", n->str);
        break;
    case KR_N_LISTCOMP: case KR_N_SETCOMP: case KR_N_GENEXP:
        dump_opt(n->a, out, level);
        dump_kids(n, out, level);
        break;
    case KR_N_SLICE:
        dump_opt(n->a, out, level);
        dump_opt(n->b, out, level);
        dump_opt(n->c, out, level);
        break;
    case KR_N_DICTCOMP:
        dump_opt(n->a, out, level);
        dump_opt(n->b, out, level);
        dump_kids(n, out, level);
        break;
    case KR_N_MODULE:
        dump_block(n, out, level + 1);
        break;
    case KR_N_BLOCK:
        dump_block(n, out, level + 1);
        break;
    case KR_N_ASSIGN:
        dump_opt(n->a, out, level);
        dump_kids(n, out, level);
        dump_opt(n->b, out, level);
        break;
    case KR_N_IF:
        for (i = 0; i + 1 < n->nkids; i += 2) {
            if (i > 0)
                dump_keyword_line("elif", out, level);
            dump_opt(n->kids[i], out, level);
            dump_block(n->kids[i + 1], out, level + 1);
        }
        if (n->c) {
            dump_keyword_line("else", out, level);
            dump_block(n->c, out, level + 1);
        }
        break;
    case KR_N_FOR:
        dump_opt(n->a, out, level);
        dump_opt(n->b, out, level);
        dump_block(n->c, out, level + 1);
        break;
    case KR_N_TRY:
        dump_block(n->a, out, level + 1);
        for (i = 0; i < n->nkids; i++)
            dump_line(n->kids[i], out, level);
        if (n->b) {
            dump_keyword_line("else", out, level);
            dump_block(n->b, out, level + 1);
        }
        if (n->c) {
            dump_keyword_line("finally", out, level);
            dump_block(n->c, out, level + 1);
        }
        break;
    case KR_N_EXCEPT:
        if (n->a)
            dump_opt(n->a, out, level);
        if (n->str)
            kr_buf_printf(out, " as %s", n->str);
        dump_block(n->b, out, level + 1);
        break;
    case KR_N_WHILE:
        dump_opt(n->a, out, level);
        dump_block(n->b, out, level + 1);
        break;
    case KR_N_WITH:
        dump_opt(n->a, out, level);
        if (n->str)
            kr_buf_printf(out, " as %s", n->str);
        dump_block(n->b, out, level + 1);
        break;
    case KR_N_DEF:
        kr_buf_printf(out, " %s", n->str);
        dump_params(n, out, level);
        dump_block(n->a, out, level + 1);
        break;
    case KR_N_IMPORT:
        kr_buf_printf(out, " %s", n->str);
        if (n->b)
            kr_buf_printf(out, " as %s", n->b->str);
        break;
    case KR_N_FROMIMPORT:
        kr_buf_printf(out, " %s", n->str);
        for (i = 0; i < n->nkids; i++) {
            kr_buf_printf(out, " %s", n->kids[i]->str);
            if (n->kids[i]->a)
                kr_buf_printf(out, "=%s", n->kids[i]->a->str);
        }
        break;
    case KR_N_RULE: case KR_N_MODDEF:
        kr_buf_printf(out, " %s%s", n->str ? n->str : "_",
                      (n->flags & KR_RULE_CHECKPOINT) ? " checkpoint" : "");
        for (i = 0; i < n->nkids; i++)
            dump_line(n->kids[i], out, level + 1);
        break;
    case KR_N_USERULE:
        kr_buf_printf(out, " %s", n->str);
        for (i = 1; n->c && i < n->c->nkids; i++)
            kr_buf_printf(out, ", %s", n->c->kids[i]->str);
        if (n->b) {
            kr_buf_puts(out, " from ");
            dump(n->b, out, level);
            for (i = 0; i < n->b->nkids; i++)
                kr_buf_printf(out, "%s%s", i ? ", " : " exclude ", n->b->kids[i]->str);
        }
        if (n->a)
            kr_buf_printf(out, " as %s", n->a->str);
        for (i = 0; i < n->nkids; i++)
            dump_line(n->kids[i], out, level + 1);
        break;
    case KR_N_DIRECTIVE: case KR_N_TOPDIR:
        kr_buf_printf(out, " %s", n->str);
        dump_kids(n, out, level);
        break;
    case KR_N_RAWBLOCK:
        kr_buf_printf(out, " %lld ", (long long)n->ival);
        quote(out, n->str, n->slen);
        break;
    default:
        /* generic shape: str, a, b, c, kids */
        if (n->str)
            kr_buf_printf(out, " %s", n->str);
        if (n->a || n->b || n->c)
            dump_opt(n->a, out, level);
        if (n->b || n->c)
            dump_opt(n->b, out, level);
        if (n->c)
            dump_opt(n->c, out, level);
        dump_kids(n, out, level);
        break;
    }
    kr_buf_putc(out, ')');
}

void kr_ast_dump(const struct kr_node *n, struct kr_buf *out)
{
    uint32_t i;
    if (n && n->kind == KR_N_MODULE) {
        for (i = 0; i < n->nkids; i++) {
            dump(n->kids[i], out, 0);
            kr_buf_putc(out, '\n');
        }
        return;
    }
    dump(n, out, 0);
    kr_buf_putc(out, '\n');
}
