/*
 * wf-job.c - per-job resolution for the planner and the executors
 * (workflow.h): kr_wf_resolve formats a rule's file patterns with a job's
 * wildcards and calls its input functions; kr_wf_job_info resolves threads,
 * resources, params, log and benchmark files, formats shell:/script:/
 * message:, and builds the JSON context for script:/run: wrappers.
 *
 * Memory: everything handed back is copied into the caller's arena. The
 * evaluator values made on the way (wildcards objects, named lists, scopes
 * of called functions, their results) must live in the interpreter's arena,
 * the workflow's, which lasts the whole run; so each call borrows it: it
 * marks wf->arena, and releases the mark on return (kr_arena_release), and
 * wf->arena does not grow per job. That is only sound when nothing the
 * call creates can outlive it, i.e. when no function it calls can store a
 * value into an object of the workflow (a global list, config, a closure's
 * variable). scratch_safe() decides that from the functions' syntax trees,
 * conservatively (any `global`, augmented assignment, item or attribute
 * assignment, call of append/extend/insert/update/setdefault/add, or call
 * of something it cannot name); when in doubt the values stay, as before.
 * Each call also gets the evaluator's full step budget back afterwards, so
 * the budget limits one job's functions, not the sum over a run.
 */
#include "checkpoint.h"
#include "eval.h"
#include "resources.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct kr_value *kr_wf_iolist_value(struct kr_interp *I, const struct kr_iolist *l,
                                    const char *kind);

static const char *list_kind(const struct kr_rule *r, const struct kr_iolist *l)
{
    if (l == &r->input)
        return "input";
    if (l == &r->output)
        return "output";
    if (l == &r->log)
        return "log";
    if (l == &r->benchmark)
        return "benchmark";
    return "file";
}

static struct kr_value *wildcards_value(struct kr_interp *I, const struct kr_wildcards *wc)
{
    struct kr_value *w = kr_value_named(I->A, "wildcards");
    uint32_t i;
    for (i = 0; wc && i < wc->n; i++)
        kr_named_push(I->A, w, wc->names[i], kr_value_cstr(I->A, wc->values[i]));
    return w;
}

/* ---- Snakemake's apply_wildcards ---------------------------------------- */

/* Python's \s, \w and \d in a str regex, on bytes: non-ASCII bytes count as
 * word characters (letters of a UTF-8 name), never as blanks or digits. */
static bool py_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static bool py_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c >= 0x80;
}

static bool py_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/*
 * Does io.py's _wildcard_regex match at s[0] == '{'? Its body is an atomic
 * lookahead, so the greedy reading below is the only one tried:
 *   \{ \s* (\w+) (\s* , \s* ([^{}]+ | \{\d+(,\d+)?\})* )? \s* \}
 * Returns the length of the match (0: none) and the name's place.
 */
static size_t wc_match(const char *s, const char **name, size_t *namelen)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t j = 1, k, m;
    while (py_space(u[j]))
        j++;
    *name = s + j;
    for (k = j; py_word(u[k]); k++)
        ;
    if (k == j)
        return 0;
    *namelen = k - j;
    j = k;
    while (py_space(u[k]))
        k++;
    if (u[k] == ',') {
        k++;
        for (;;) {
            if (u[k] && u[k] != '{' && u[k] != '}') {
                while (u[k] && u[k] != '{' && u[k] != '}')
                    k++;
                continue;
            }
            if (u[k] != '{' || !py_digit(u[k + 1]))
                break;
            for (m = k + 1; py_digit(u[m]); m++)
                ;
            if (u[m] == ',' && py_digit(u[m + 1]))
                for (m++; py_digit(u[m]); m++)
                    ;
            if (u[m] != '}')
                break;
            k = m + 1;
        }
        j = k;
    }
    while (py_space(u[j]))
        j++;
    return u[j] == '}' ? j + 1 : 0;
}

int kr_wf_apply_wildcards(const char *s, const struct kr_wildcards *wc, struct kr_buf *out,
                          const char **bad, size_t *badlen)
{
    const char *p = s, *q, *name;
    size_t len, namelen;
    uint32_t w;
    kr_buf_reset(out);
    while ((q = strchr(p, '{')) != NULL) {
        len = wc_match(q, &name, &namelen);
        if (!len) {
            kr_buf_append(out, p, (size_t)(q - p) + 1);
            p = q + 1;
            continue;
        }
        for (w = 0; wc && w < wc->n; w++)
            if (!strncmp(wc->names[w], name, namelen) && !wc->names[w][namelen])
                break;
        if (!wc || w == wc->n) {
            *bad = name;
            *badlen = namelen;
            return KR_NOT_FOUND;
        }
        kr_buf_append(out, p, (size_t)(q - p));
        kr_buf_puts(out, wc->values[w]);
        p = q + len;
    }
    kr_buf_puts(out, p);
    return KR_OK;
}

struct filevec {
    struct kr_iofile *v;
    uint32_t n, cap;
};

/* Append a file; rule: the rule given as its producer (an input written
 * rules.NAME.output, kr_iofile.from_rule), or NULL. */
static void fv_push(struct kr_arena *A, struct filevec *fv, const char *path, const char *name,
                    uint32_t flags, const struct kr_rule *rule)
{
    if (fv->n == fv->cap) {
        uint32_t nc = fv->cap ? fv->cap * 2 : 8;
        struct kr_iofile *nv = kr_arena_alloc(A, nc * sizeof *nv);
        if (fv->n)
            memcpy(nv, fv->v, fv->n * sizeof *nv);
        fv->v = nv;
        fv->cap = nc;
    }
    fv->v[fv->n].path = kr_arena_strdup(A, path);
    fv->v[fv->n].name = name ? kr_arena_strdup(A, name) : NULL;
    fv->v[fv->n].flags = flags;
    fv->v[fv->n].from_rule = rule ? rule->index + 1 : 0;
    fv->n++;
}

static int fn_result_error(struct kr_interp *I, const struct kr_rule *r, const char *kind,
                           const struct kr_ioitem *it, const char *got)
{
    return kr_error_at(I->err, KR_EEVAL, I->srcs, it->file, it->off,
                       "rule '%s': the %s function returned %s; expected a file name or a "
                       "list of file names%s", r->name, kind, got,
                       (it->flags & KR_F_UNPACK) ? " (or, with unpack(), a dict)" : "");
}

/* What an input function returned, and for which job. */
struct fnctx {
    const struct kr_rule *r;
    const char *kind;
    const struct kr_ioitem *it;
    const struct kr_wildcards *wc;
    struct kr_buf *tmp;         /* scratch for apply_wildcards */
};

/* Add the files of one value returned by an input function. A file name is
 * an IOFile to Snakemake (rules.py concretize_iofile): the job's wildcards
 * are applied to it, a rules.X.output pattern as well as a plain string. */
static int add_fn_value(struct kr_interp *I, const struct fnctx *c, struct kr_value *v,
                        const char *name, uint32_t flags, bool in_list, struct kr_arena *arena,
                        struct filevec *fv, int depth)
{
    const struct kr_rule *r = c->r;
    const char *kind = c->kind;
    const struct kr_ioitem *it = c->it;
    size_t n, i;
    struct kr_value **items;
    int rc;
    if (v->type == KR_V_STR) {
        const char *path = kr_wf_storage_path(I->wf, v->u.str.s, flags | v->flags, arena);
        if (strchr(path, '{')) {
            const char *bad;
            size_t badlen;
            if (kr_wf_apply_wildcards(path, c->wc, c->tmp, &bad, &badlen) != KR_OK)
                return kr_error_at(I->err, KR_EEVAL, I->srcs, it->file, it->off,
                                   "rule '%s': wildcards in %s files cannot be determined "
                                   "from output files: '%.*s' (in '%s', returned by the %s "
                                   "function)", r->name, kind, (int)badlen, bad, path, kind);
            path = kr_buf_cstr(c->tmp);
        }
        fv_push(arena, fv, path, name,
                flags | (v->flags & ~KR_STR_PATH) | (in_list ? KR_F_LISTITEM : 0),
                v->u.str.origin);
        return KR_OK;
    }
    items = kr_value_items(v, &n);
    if ((items || v->type == KR_V_LIST || v->type == KR_V_TUPLE) && depth < 8) {
        for (i = 0; i < n; i++) {
            rc = add_fn_value(I, c, items[i], name, flags, true, arena, fv, depth + 1);
            if (rc != KR_OK)
                return rc;
        }
        return KR_OK;
    }
    return fn_result_error(I, r, kind, it, kr_value_type_name(v));
}

static int call_input_fn(struct kr_interp *I, const struct kr_rule *r, const char *kind,
                         const struct kr_ioitem *it, const struct kr_wildcards *wc,
                         struct kr_value *wv, struct kr_buf *tmp, struct kr_arena *arena,
                         struct filevec *fv)
{
    const struct fnctx c = {.r = r, .kind = kind, .it = it, .wc = wc, .tmp = tmp};
    struct kr_value *res;
    uint32_t flags = it->flags & ~KR_F_UNPACK;
    const char *wait;
    int rc;
    kr_ckpt_deps_reset(I);
    rc = kr_eval_call_smk(I, it->fn, wv, NULL, NULL, &res);
    if (rc == KR_OK)
        while ((wait = kr_ckpt_take_dep(I)) != NULL)
            fv_push(arena, fv, wait, NULL, KR_F_CKPT_DEP, NULL);
    if (rc) {
        wait = kr_ckpt_take_pending(I);
        if (wait && !strcmp(kind, "input")) {
            /* checkpoints.X.get() before X ran: depend on X, wait (checkpoint.h) */
            kr_error_clear(I->err);
            fv_push(arena, fv, wait, NULL, KR_F_CKPT_WAIT, NULL);
            return KR_OK;
        }
        kr_error_prefix(I->err, "rule '%s', %s function", r->name, kind);
        return rc;
    }
    if (it->flags & KR_F_UNPACK) {
        size_t i;
        if (res->type == KR_V_DICT) {
            for (i = 0; i < res->u.dict->n; i++) {
                struct kr_value *k = res->u.dict->keys[i];
                if (!k)
                    continue;
                if (k->type != KR_V_STR)
                    return fn_result_error(I, r, kind, it, "a dict with a non-string key");
                rc = add_fn_value(I, &c, res->u.dict->vals[i], k->u.str.s, flags, false,
                                  arena, fv, 0);
                if (rc)
                    return rc;
            }
            return KR_OK;
        }
        return add_fn_value(I, &c, res, it->name, flags, false, arena, fv, 0);
    }
    if (res->type == KR_V_NONE)
        return fn_result_error(I, r, kind, it, "None");
    return add_fn_value(I, &c, res, it->name, flags, false, arena, fv, 0);
}

/* ---- may one job's values be released? ---------------------------------- */

#define SCAN_MAX_DEPTH 16
/* The verdict on a user function, memoised in its value's flags (which are
 * IO flags for strings and otherwise unused by functions: KR_F_* are low bits). */
#define FN_SCANNED (1u << 30)
#define FN_SAFE    (1u << 31)

struct scan {
    struct kr_interp *I;
    const struct kr_value *stack[SCAN_MAX_DEPTH];   /* functions being scanned */
    int depth;
};

static bool fn_safe(struct scan *sc, const struct kr_value *fn);

/* Methods that put a value into an existing container. */
static bool is_mutator(const char *name)
{
    static const char *const m[] = {"append", "extend", "insert", "update", "setdefault",
                                    "add"};
    size_t i;
    for (i = 0; name && i < KR_ARRAY_LEN(m); i++)
        if (!strcmp(name, m[i]))
            return true;
    return false;
}

/* Is `name` bound inside `def` (a parameter or an assignment/for/comprehension
 * target anywhere in its body)? Then it is a local: its value is unknown here. */
static bool binds(const struct kr_node *n, const char *name)
{
    uint32_t i;
    if (!n)
        return false;
    switch (n->kind) {
    case KR_N_ASSIGN:
    case KR_N_FOR:
    case KR_N_COMPFOR:
        if (n->a && n->a->kind == KR_N_NAME && !strcmp(n->a->str, name))
            return true;
        if (n->a && (n->a->kind == KR_N_TUPLE || n->a->kind == KR_N_LIST))
            for (i = 0; i < n->a->nkids; i++)
                if (n->a->kids[i]->kind == KR_N_NAME && !strcmp(n->a->kids[i]->str, name))
                    return true;
        break;
    case KR_N_DEF:
    case KR_N_PARAM:
        if (n->str && !strcmp(n->str, name))
            return true;
        break;
    case KR_N_IMPORT:
    case KR_N_FROMIMPORT:
        return true;    /* binds names we do not model: be conservative */
    default:
        break;
    }
    for (i = 0; i < n->nkids; i++)
        if (binds(n->kids[i], name))
            return true;
    for (i = 0; i < n->nparams; i++)
        if (binds(n->params[i], name))
            return true;
    return binds(n->a, name) || binds(n->b, name) || binds(n->c, name);
}

/* Is `name` a parameter of `def` or bound in its body? */
static bool is_local(const struct kr_node *def, const char *name)
{
    uint32_t i;
    for (i = 0; i < def->nparams; i++)
        if (binds(def->params[i], name))
            return true;
    return binds(def->a, name);
}

/* Methods that only read their object (str, list, dict, named-list ones). */
static bool is_reader(const char *name)
{
    static const char *const m[] = {
        "format", "join", "split", "rsplit", "strip", "lstrip", "rstrip", "replace",
        "startswith", "endswith", "upper", "lower", "capitalize", "title", "find", "rfind",
        "index", "count", "zfill", "ljust", "rjust", "center", "partition", "rpartition",
        "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "splitlines",
        "removeprefix", "removesuffix", "get", "items", "keys", "values", "copy",
        "union", "intersection", "difference"};
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(m); i++)
        if (!strcmp(name, m[i]))
            return true;
    return false;
}

/* The value a free name of `fn` refers to: its closures' variables, then
 * globals, then builtins; NULL when unknown. */
static struct kr_value *resolve_free(struct scan *sc, const struct kr_value *fn, const char *name)
{
    const struct kr_scope *s;
    struct kr_value *v;
    for (s = fn->u.fn.closure; s; s = s->parent) {
        v = kr_dict_gets(s->vars, name);
        if (v)
            return v;
    }
    v = kr_dict_gets(fn->u.fn.globals ? fn->u.fn.globals : sc->I->globals, name);
    return v ? v : kr_dict_gets(sc->I->builtins, name);
}

/* Is assigning to target `t` only binding local names? */
static bool plain_target(const struct kr_node *t)
{
    uint32_t i;
    if (t->kind == KR_N_NAME)
        return true;
    if (t->kind != KR_N_TUPLE && t->kind != KR_N_LIST)
        return false;
    for (i = 0; i < t->nkids; i++)
        if (!plain_target(t->kids[i]))
            return false;
    return true;
}

/* Does the callee expression name something whose code the scan sees (a
 * user function, a builtin, a module's function, a reading method)? A
 * function fetched at run time (a local, an item, rules.NAME.input.fn) is not. */
static bool callee_known(struct scan *sc, const struct kr_value *fn, const struct kr_node *c)
{
    const struct kr_node *root = c;
    struct kr_value *v;
    if (c->kind == KR_N_LAMBDA)
        return true;
    if (c->kind == KR_N_ATTR && is_reader(c->str))
        return true;
    while (root->kind == KR_N_ATTR)
        root = root->a;
    if (root->kind != KR_N_NAME || is_local(fn->u.fn.node, root->str))
        return false;
    v = resolve_free(sc, fn, root->str);
    if (!v)
        return false;
    return c == root || (v->type == KR_V_NS && v != sc->I->rules_ns);
}

static bool node_safe(struct scan *sc, const struct kr_value *fn, const struct kr_node *n)
{
    const struct kr_node *def = fn->u.fn.node;
    struct kr_value *v;
    uint32_t i;
    if (!n)
        return true;
    switch (n->kind) {
    case KR_N_GLOBAL:
    case KR_N_AUGASSIGN:
        return false;
    case KR_N_ASSIGN:
        if (!plain_target(n->a))
            return false;
        for (i = 0; i < n->nkids; i++)
            if (!plain_target(n->kids[i]))
                return false;
        break;
    case KR_N_ATTR:
        if (is_mutator(n->str))
            return false;
        break;
    case KR_N_NAME:
        if (is_local(def, n->str))
            return true;
        v = resolve_free(sc, fn, n->str);
        if (v && !fn_safe(sc, v))
            return false;
        break;
    case KR_N_CALL:
        if (!callee_known(sc, fn, n->a))
            return false;   /* calls a value it got at run time */
        break;
    default:
        break;
    }
    for (i = 0; i < n->nkids; i++)
        if (!node_safe(sc, fn, n->kids[i]))
            return false;
    for (i = 0; i < n->nparams; i++)
        if (!node_safe(sc, fn, n->params[i]))
            return false;
    return node_safe(sc, fn, n->a) && node_safe(sc, fn, n->b) && node_safe(sc, fn, n->c);
}

/* Can calling `fn` leave a reference to a value it creates in an object
 * that outlives the call? Non-callables are safe (they are only read). */
static bool fn_safe(struct scan *sc, const struct kr_value *fn)
{
    const struct kr_node *def;
    bool ok;
    int i;
    if (!fn)
        return true;
    if (fn->type == KR_V_BUILTIN)
        return !is_mutator(fn->u.bi.name);
    if (fn->type != KR_V_FUNC)
        return true;
    for (i = 0; i < sc->depth; i++)
        if (sc->stack[i] == fn)
            return true;    /* recursion: decided by the outer scan */
    if (sc->depth == SCAN_MAX_DEPTH)
        return false;
    if (fn->flags & FN_SCANNED)
        return (fn->flags & FN_SAFE) != 0;
    def = fn->u.fn.node;
    sc->stack[sc->depth++] = fn;
    ok = node_safe(sc, fn, def->a);     /* the body; defaults were evaluated at definition */
    sc->depth--;
    /* a verdict inside a recursion may rest on an assumption: keep only
     * the outermost one, and any "unsafe" */
    if (sc->depth == 0 || !ok)
        ((struct kr_value *)fn)->flags |= FN_SCANNED | (ok ? FN_SAFE : 0);
    return ok;
}

static bool iolist_safe(struct scan *sc, const struct kr_iolist *l)
{
    uint32_t i;
    for (i = 0; i < l->n; i++)
        if (l->items[i].fn && !fn_safe(sc, l->items[i].fn))
            return false;
    return true;
}

static bool named_safe(struct scan *sc, const struct kr_value *nl)
{
    size_t i;
    if (!nl || nl->type != KR_V_NAMED)
        return fn_safe(sc, nl);
    for (i = 0; i < nl->u.named.len; i++)
        if (!fn_safe(sc, nl->u.named.items[i]))
            return false;
    if (nl->u.named.names)
        for (i = 0; i < nl->u.named.names->n; i++)
            if (nl->u.named.names->keys[i] && !fn_safe(sc, nl->u.named.names->vals[i]))
                return false;
    return true;
}

/* A borrowed stretch of the interpreter's arena (see the top of the file). */
struct scratch {
    struct kr_arena_mark mark;
    long steps;
    bool release;
};

static void scratch_begin(struct kr_workflow *wf, struct kr_arena *out, bool safe,
                          struct scratch *s)
{
    struct kr_interp *I = wf->interp;
    kr_arena_mark(I->A, &s->mark);
    s->steps = I->steps;
    /* a caller collecting its results in the workflow's own arena keeps them */
    s->release = safe && out != I->A;
}

static void scratch_end(struct kr_workflow *wf, const struct scratch *s)
{
    struct kr_interp *I = wf->interp;
    I->steps = s->steps;
    if (s->release) {
        I->retval = NULL;
        kr_arena_release(I->A, &s->mark);
    }
}

int kr_wf_resolve(struct kr_workflow *wf, const struct kr_rule *r,
                  const struct kr_iolist *list, const struct kr_wildcards *wc,
                  struct kr_arena *arena, struct kr_iofile **files, uint32_t *nfiles,
                  struct kr_error *err)
{
    struct kr_interp *I = wf->interp;
    struct filevec fv = {0};
    struct kr_buf b = KR_BUF_INIT;
    struct kr_value *wv = NULL;
    const char *kind = list_kind(r, list);
    struct scan sc = {.I = I};
    struct scratch scr;
    uint32_t i, k, s, w;
    int rc = KR_OK;
    kr_interp_set_err(I, err);
    scratch_begin(wf, arena, iolist_safe(&sc, list), &scr);
    for (i = 0; i < list->n; i++) {
        const struct kr_ioitem *it = &list->items[i];
        if (it->fn) {
            if (!wv)
                wv = wildcards_value(I, wc);
            rc = call_input_fn(I, r, kind, it, wc, wv, &b, arena, &fv);
            if (rc != KR_OK)
                goto out;
            continue;
        }
        for (k = 0; k < it->npats; k++) {
            const struct kr_pat *p = &it->pats[k];
            kr_buf_reset(&b);
            for (s = 0; s < p->nsegs; s++) {
                const struct kr_patseg *sg = &p->segs[s];
                if (!sg->is_wildcard) {
                    kr_buf_append(&b, sg->text, sg->len);
                    continue;
                }
                for (w = 0; wc && w < wc->n; w++)
                    if (!strcmp(wc->names[w], sg->text))
                        break;
                if (!wc || w == wc->n) {
                    rc = kr_error_at(I->err, KR_EEVAL, I->srcs, it->file, it->off,
                                     "rule '%s': wildcards in %s files cannot be determined "
                                     "from output files: '%s' (in '%s')", r->name, kind,
                                     sg->text, p->text);
                    goto out;
                }
                kr_buf_puts(&b, wc->values[w]);
            }
            fv_push(arena, &fv, kr_buf_cstr(&b), it->name,
                    p->flags | (it->is_list ? KR_F_LISTITEM : 0), p->from_rule);
        }
    }
out:
    kr_buf_free(&b);
    scratch_end(wf, &scr);
    if (rc == KR_OK) {
        *files = fv.v;
        *nfiles = fv.n;
    } else {
        *files = NULL;
        *nfiles = 0;
    }
    return rc;
}

/* The named list of resolved files (input.name is a list for list items). */
static struct kr_value *files_value(struct kr_interp *I, const struct kr_iofile *f, uint32_t n,
                                    const char *kind)
{
    struct kr_value *nl = kr_value_named(I->A, kind);
    uint32_t i;
    for (i = 0; i < n; i++) {
        struct kr_value *s;
        if (f[i].flags & KR_F_CKPT_DEP)
            continue;
        s = kr_value_cstr(I->A, f[i].path);
        s->flags = f[i].flags & ~KR_F_LISTITEM;
        kr_named_push(I->A, nl, NULL, s);
        if (!f[i].name)
            continue;
        if (f[i].flags & KR_F_LISTITEM) {
            struct kr_value *lst = kr_dict_gets(nl->u.named.names, f[i].name);
            if (!lst || lst->type != KR_V_LIST) {
                lst = kr_value_list(I->A, 0);
                kr_named_setname(I->A, nl, f[i].name, lst);
            }
            kr_list_push(I->A, lst, s);
        } else {
            kr_named_setname(I->A, nl, f[i].name, s);
        }
    }
    return nl;
}

static int located(struct kr_interp *I, const struct kr_rule *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int located(struct kr_interp *I, const struct kr_rule *r, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kr_error_at(I->err, KR_EEVAL, I->srcs, r->file, r->off, "rule '%s': %s", r->name, msg);
}

static int to_int(struct kr_value *v, int64_t *out)
{
    if (v->type == KR_V_INT) {
        *out = v->u.i;
        return 1;
    }
    if (v->type == KR_V_BOOL) {
        *out = v->u.b;
        return 1;
    }
    if (v->type == KR_V_FLOAT && isfinite(v->u.f) && fabs(v->u.f) < 9e18) {
        *out = (int64_t)llround(v->u.f);
        return 1;
    }
    return 0;
}

/* The top-level shell object applied to a formatted shell: command `b`:
 * " ".join((prefix, cmd, suffix)).strip() as Snakemake's shell() does, then,
 * for a shell other than bash, `EXE -c 'CMD'` (krait itself runs bash). */
static void shell_object_apply(const struct kr_workflow *wf, struct kr_buf *b)
{
    struct kr_buf t = KR_BUF_INIT;
    const char *cmd = kr_buf_cstr(b), *s, *e;
    if (wf->shell_prefix) {
        kr_buf_puts(&t, wf->shell_prefix);
        kr_buf_putc(&t, ' ');
    }
    kr_buf_puts(&t, cmd);
    if (wf->shell_suffix) {
        kr_buf_putc(&t, ' ');
        kr_buf_puts(&t, wf->shell_suffix);
    }
    s = kr_buf_cstr(&t);
    e = s + t.len;
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        e--;
    kr_buf_reset(b);
    if (wf->shell_executable) {
        kr_buf_puts(b, wf->shell_executable);
        kr_buf_puts(b, " -c '");
        for (; s < e; s++) {
            if (*s == '\'')
                kr_buf_puts(b, "'\\''");
            else
                kr_buf_putc(b, *s);
        }
        kr_buf_putc(b, '\'');
    } else {
        kr_buf_append(b, s, (size_t)(e - s));
    }
    kr_buf_free(&t);
}

static json_t *files_json(const struct kr_iofile *f, uint32_t n)
{
    json_t *j = json_object(), *pos = json_array(), *named = json_object();
    uint32_t i;
    for (i = 0; i < n; i++) {
        if (f[i].flags & KR_F_CKPT_DEP)
            continue;
        json_array_append_new(pos, json_string(f[i].path));
        if (!f[i].name)
            continue;
        if (f[i].flags & KR_F_LISTITEM) {
            json_t *lst = json_object_get(named, f[i].name);
            if (!lst) {
                lst = json_array();
                json_object_set_new(named, f[i].name, lst);
            }
            json_array_append_new(lst, json_string(f[i].path));
        } else {
            json_object_set_new(named, f[i].name, json_string(f[i].path));
        }
    }
    json_object_set_new(j, "positional", pos);
    json_object_set_new(j, "named", named);
    return j;
}

/* One string of params: with the job's wildcards applied (into I->A). */
static int param_str(struct kr_interp *I, const struct kr_rule *r, const struct kr_wildcards *wc,
                     const char *pname, struct kr_value **v, struct kr_buf *tmp)
{
    const char *bad;
    size_t badlen;
    struct kr_value *nv;
    if (!strchr((*v)->u.str.s, '{'))
        return KR_OK;
    if (kr_wf_apply_wildcards((*v)->u.str.s, wc, tmp, &bad, &badlen) != KR_OK)
        return located(I, r, "wildcards in params cannot be determined from output files: "
                       "'%.*s' (in %s%s'%s'); to keep braces in a parameter, give it as a "
                       "function, e.g. `lambda wildcards: '{test}'`", (int)badlen, bad,
                       pname ? pname : "", pname ? "=" : "", (*v)->u.str.s);
    nv = kr_value_str(I->A, tmp->data ? tmp->data : "", tmp->len);
    nv->flags = (*v)->flags;
    *v = nv;
    return KR_OK;
}

/* A params value given as such, not by a function: Snakemake applies the
 * job's wildcards to a string and to the strings of a list (rules.py
 * concretize_param); a tuple, dict or function result is left alone. */
static int param_wildcards(struct kr_interp *I, const struct kr_rule *r,
                           const struct kr_wildcards *wc, const char *pname,
                           struct kr_value **v, struct kr_buf *tmp)
{
    struct kr_value *nl;
    size_t i, k;
    int rc;
    if ((*v)->type == KR_V_STR)
        return param_str(I, r, wc, pname, v, tmp);
    if ((*v)->type != KR_V_LIST)
        return KR_OK;
    for (i = 0; i < (*v)->u.list.len; i++) {
        struct kr_value *x = (*v)->u.list.items[i];
        if (x->type == KR_V_STR && strchr(x->u.str.s, '{'))
            break;
    }
    if (i == (*v)->u.list.len)
        return KR_OK;
    nl = kr_value_list(I->A, (*v)->u.list.len);
    for (k = 0; k < (*v)->u.list.len; k++) {
        struct kr_value *x = (*v)->u.list.items[k];
        if (k >= i && x->type == KR_V_STR) {
            rc = param_str(I, r, wc, pname, &x, tmp);
            if (rc != KR_OK)
                return rc;
        }
        kr_list_push(I->A, nl, x);
    }
    nl->flags = (*v)->flags;
    *v = nl;
    return KR_OK;
}

/* kr_res_infer's question: does the rule set resource `name` itself? */
static bool rule_has_res(const char *name, void *data)
{
    return kr_dict_gets((struct kr_dict *)data, name) != NULL;
}

int kr_wf_job_info(struct kr_workflow *wf, const struct kr_rule *r,
                   const struct kr_wildcards *wc,
                   const struct kr_iofile *in, uint32_t nin,
                   const struct kr_iofile *out, uint32_t nout,
                   int attempt, int max_cores, bool want_json,
                   const struct kr_wf_resdefaults *defaults,
                   struct kr_arena *arena, struct kr_jobinfo *info,
                   struct kr_error *err)
{
    struct kr_interp *I = wf->interp;
    struct kr_value *wv, *inv, *outv, *params, *resv, *logv, *thr;
    struct kr_dict *named, *vars;
    struct kr_buf b = KR_BUF_INIT;
    struct scan sc = {.I = I};
    struct scratch scr;
    int64_t threads = 1;
    size_t i;
    uint32_t at, k;
    char msg[300];
    int rc = KR_OK;
    kr_interp_set_err(I, err);
    memset(info, 0, sizeof *info);
    info->retries = -1;
    scratch_begin(wf, arena,
                  iolist_safe(&sc, &r->log) && iolist_safe(&sc, &r->benchmark)
                  && fn_safe(&sc, r->threads) && named_safe(&sc, r->resources)
                  && named_safe(&sc, r->params), &scr);
    wv = wildcards_value(I, wc);
    inv = files_value(I, in, nin, "input");
    outv = files_value(I, out, nout, "output");
    named = kr_dict_new(I->A);
    kr_dict_sets(I->A, named, "input", inv);
    kr_dict_sets(I->A, named, "output", outv);
    kr_dict_sets(I->A, named, "attempt", kr_value_int(I->A, attempt));
    kr_dict_sets(I->A, named, "rule", kr_value_cstr(I->A, r->name));

    /* threads */
    if (r->threads) {
        thr = r->threads;
        if (kr_value_is_callable(thr)) {
            rc = kr_eval_call_smk(I, thr, wv, named, NULL, &thr);
            if (rc != KR_OK) {
                kr_error_prefix(I->err, "rule '%s', threads function", r->name);
                goto out;
            }
        }
        if (!to_int(thr, &threads) || threads < 0) {
            rc = located(I, r, "threads must be a non-negative integer, got %s",
                         kr_value_to_repr(I->A, thr));
            goto out;
        }
    }
    if (max_cores > 0 && threads > max_cores)
        threads = max_cores;
    if (threads > INT_MAX)
        threads = INT_MAX;
    info->threads = (int)threads;
    kr_dict_sets(I->A, named, "threads", kr_value_int(I->A, threads));

    /* resources */
    resv = kr_value_named(I->A, "resources");
    if (r->resources) {
        struct kr_dict *names = r->resources->u.named.names;
        /* each may imply two more (mem="5GB": mem_mb, mem_mib) */
        info->res = kr_arena_zalloc(arena, (3 * names->live + 1) * sizeof *info->res);
        for (i = 0; i < names->n; i++) {
            struct kr_value *v;
            struct kr_resource *res;
            int64_t iv;
            if (!names->keys[i])
                continue;
            v = names->vals[i];
            if (kr_value_is_callable(v)) {
                kr_dict_sets(I->A, named, "resources", resv);
                rc = kr_eval_call_smk(I, v, wv, named, NULL, &v);
                if (rc != KR_OK) {
                    kr_error_prefix(I->err, "rule '%s', resources function for %s", r->name,
                                    names->keys[i]->u.str.s);
                    goto out;
                }
            }
            at = info->nres;
            res = &info->res[info->nres++];
            res->name = kr_arena_strdup(arena, names->keys[i]->u.str.s);
            if (v->type == KR_V_STR) {
                res->sval = kr_arena_strdup(arena, v->u.str.s);
            } else if (to_int(v, &iv)) {
                if (iv < 0) {
                    rc = located(I, r, "resource '%s' must not be negative, got %lld",
                                 res->name, (long long)iv);
                    goto out;
                }
                res->ival = iv;
            } else {
                rc = located(I, r, "resource '%s' must be an integer or a string, got %s",
                             res->name, kr_value_type_name(v));
                goto out;
            }
            /* Snakemake's standard resources: mem="5GB", runtime="2h" ... */
            if (kr_res_infer(info->res, &info->nres, at, rule_has_res, names, arena, msg,
                             sizeof msg) != KR_OK) {
                rc = located(I, r, "%s", msg);
                goto out;
            }
            for (k = at; k < info->nres; k++)
                kr_named_push(I->A, resv, info->res[k].name,
                              k == at && (v->type == KR_V_STR) == !!info->res[k].sval ? v
                              : info->res[k].sval ? kr_value_cstr(I->A, info->res[k].sval)
                              : kr_value_int(I->A, info->res[k].ival));
        }
    }
    if (defaults) {
        uint32_t before = info->nres;
        rc = defaults->fill(defaults->data, info, attempt, arena, err);
        if (rc != KR_OK)
            goto out;
        for (k = before; k < info->nres; k++)
            kr_named_push(I->A, resv, info->res[k].name,
                          info->res[k].sval ? kr_value_cstr(I->A, info->res[k].sval)
                                            : kr_value_int(I->A, info->res[k].ival));
    }
    kr_dict_sets(I->A, named, "resources", resv);

    /* params */
    params = kr_value_named(I->A, "params");
    if (r->params) {
        struct kr_value *src = r->params;
        for (i = 0; i < src->u.named.len; i++) {
            struct kr_value *v = src->u.named.items[i];
            const char *pname = kr_named_item_name(src, i);
            if (kr_value_is_callable(v)) {
                rc = kr_eval_call_smk(I, v, wv, named, NULL, &v);
                if (rc != KR_OK) {
                    kr_error_prefix(I->err, "rule '%s', params function%s%s", r->name,
                                    pname ? " for " : "", pname ? pname : "");
                    goto out;
                }
            } else if ((rc = param_wildcards(I, r, wc, pname, &v, &b)) != KR_OK) {
                goto out;
            }
            kr_named_push(I->A, params, pname, v);
        }
    }
    {
        struct kr_buf pr = KR_BUF_INIT;
        for (i = 0; i < params->u.named.len; i++) {
            struct kr_value *v = params->u.named.items[i];
            const char *pname = kr_named_item_name(params, i);
            if (i)
                kr_buf_puts(&pr, ", ");
            if (pname)
                kr_buf_printf(&pr, "%s=", pname);
            kr_value_repr_buf(v, &pr);
        }
        info->params_repr = kr_arena_strdup(arena, kr_buf_cstr(&pr));
        kr_buf_free(&pr);
    }

    /* log and benchmark */
    rc = kr_wf_resolve(wf, r, &r->log, wc, arena, &info->log, &info->nlog, err);
    if (rc != KR_OK)
        goto out;
    rc = kr_wf_resolve(wf, r, &r->benchmark, wc, arena, &info->bench, &info->nbench, err);
    if (rc != KR_OK)
        goto out;
    if (defaults && defaults->map_file) {
        uint32_t m;
        for (m = 0; m < info->nlog; m++)
            info->log[m].path = defaults->map_file(defaults->data, info->log[m].path, arena);
        for (m = 0; m < info->nbench; m++)
            info->bench[m].path = defaults->map_file(defaults->data, info->bench[m].path, arena);
    }
    kr_interp_set_err(I, err);
    logv = files_value(I, info->log, info->nlog, "log");

    vars = kr_dict_new(I->A);
    kr_dict_sets(I->A, vars, "input", inv);
    kr_dict_sets(I->A, vars, "output", outv);
    kr_dict_sets(I->A, vars, "params", params);
    kr_dict_sets(I->A, vars, "wildcards", wv);
    kr_dict_sets(I->A, vars, "threads", kr_value_int(I->A, threads));
    kr_dict_sets(I->A, vars, "resources", resv);
    kr_dict_sets(I->A, vars, "log", logv);
    kr_dict_sets(I->A, vars, "rule", kr_value_cstr(I->A, r->name));
    kr_dict_sets(I->A, vars, "config", r->config ? r->config : I->config);
    kr_dict_sets(I->A, vars, "attempt", kr_value_int(I->A, attempt));

    if (r->shell) {
        kr_buf_reset(&b);
        rc = kr_shellfmt(I, r, "shell", r->shell, vars, &b);
        if (rc != KR_OK)
            goto out;
        if (wf->shell_prefix || wf->shell_suffix || wf->shell_executable)
            shell_object_apply(wf, &b);
        info->shell_cmd = kr_arena_strdup(arena, kr_buf_cstr(&b));
    }
    if (r->script) {
        kr_buf_reset(&b);
        rc = kr_shellfmt(I, r, "script", r->script, vars, &b);
        if (rc != KR_OK)
            goto out;
        info->script_path = kr_arena_strdup(arena, kr_buf_cstr(&b));
    }
    if (r->message) {
        kr_buf_reset(&b);
        rc = kr_shellfmt(I, r, "message", r->message, vars, &b);
        if (rc != KR_OK)
            goto out;
        info->message = kr_arena_strdup(arena, kr_buf_cstr(&b));
    }
    info->container = r->container ? r->container : wf->container;
    if (info->container)
        info->container = kr_arena_strdup(arena, info->container);
    if (r->retries_v && r->retries_v->type == KR_V_INT)
        info->retries = (int)r->retries_v->u.i;

    if (want_json) {
        json_t *j = json_object(), *wj = json_object(), *rj = json_object();
        char *dump, cwd[PATH_MAX];
        const char *sf = r->file < I->srcs->n ? I->srcs->files[r->file].path : wf->snakefile;
        char *sdir = kr_arena_strdup(I->A, sf), *slash = strrchr(sdir, '/');
        if (slash)
            *slash = '\0';
        else
            sdir = ".";
        json_object_set_new(j, "input", files_json(in, nin));
        json_object_set_new(j, "output", files_json(out, nout));
        json_object_set_new(j, "log", files_json(info->log, info->nlog));
        json_object_set_new(j, "params", kr_value_to_json(params));
        for (i = 0; wc && i < wc->n; i++)
            json_object_set_new(wj, wc->names[i], json_string(wc->values[i]));
        json_object_set_new(j, "wildcards", wj);
        json_object_set_new(j, "threads", json_integer(threads));
        for (i = 0; i < info->nres; i++)
            json_object_set_new(rj, info->res[i].name,
                                info->res[i].sval ? json_string(info->res[i].sval)
                                                  : json_integer(info->res[i].ival));
        json_object_set_new(j, "resources", rj);
        json_object_set_new(j, "config", kr_value_to_json(r->config ? r->config : I->config));
        json_object_set_new(j, "rule", json_string(r->name));
        json_object_set_new(j, "attempt", json_integer(attempt));
        if (sdir[0] != '/' && getcwd(cwd, sizeof cwd))
            sdir = strcmp(sdir, ".") ? kr_arena_printf(I->A, "%s/%s", cwd, sdir)
                                     : kr_arena_strdup(I->A, cwd);
        json_object_set_new(j, "scriptdir", json_string(sdir));
        dump = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        info->context_json = kr_arena_strdup(arena, dump ? dump : "{}");
        free(dump);
        json_decref(j);
    }
out:
    kr_buf_free(&b);
    scratch_end(wf, &scr);
    return rc;
}
