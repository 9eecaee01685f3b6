/*
 * eval.c - the tree-walking evaluator of the rule language: statements,
 * expressions, calls, scopes and closures, comprehensions and f-strings,
 * with Python's semantics where the dialect overlaps Python. Snakemake
 * constructs (RULE, USERULE, TOPDIR) are handed to workflow.c; builtins and
 * methods live in builtins.c and builtin-*.c.
 *
 * Control flow: statement execution returns KR_OK, a negative error, or one
 * of the private positive signals below (return/break/continue) that
 * unwind to the enclosing function or loop.
 */
#include "checkpoint.h"
#include "eval.h"
#include "mod.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SIG_RETURN = 100, SIG_BREAK, SIG_CONTINUE };

/* Every statement and expression costs a step; the arena size is checked
 * too, so that neither loops nor allocation can run away. */
#define STEP(I) do { \
        if (++(I)->steps > (I)->max_steps || (I)->A->total > (I)->max_bytes) \
            return step_limit(I); \
    } while (0)

static int exec_block(struct kr_interp *I, const struct kr_node *blk);
static int exec_stmt(struct kr_interp *I, const struct kr_node *n);
int kr_eval_binop(struct kr_interp *I, int op, struct kr_value *a, struct kr_value *b,
                  struct kr_value **out);
int kr_eval_percent(struct kr_interp *I, struct kr_value *fmt, struct kr_value *args,
                    struct kr_value **out);

/* ---- interpreter lifetime ---- */

struct kr_interp *kr_interp_new(struct kr_workflow *wf, struct kr_error *err)
{
    struct kr_interp *I = kr_calloc(1, sizeof *I);
    I->wf = wf;
    I->A = &wf->arena;
    I->srcs = &wf->srcs;
    kr_interp_set_err(I, err);
    I->globals = kr_dict_new(I->A);
    I->builtins = kr_dict_new(I->A);
    I->modules = kr_dict_new(I->A);
    I->max_steps = 20L * 1000 * 1000;
    {
        /* tests lower the budget to keep runaway-loop checks fast */
        const char *ms = getenv("KRAIT_EVAL_MAX_STEPS");
        if (ms && atol(ms) > 0)
            I->max_steps = atol(ms);
    }
    I->max_bytes = (size_t)1 << 30;
    I->max_depth = 200;
    I->config = kr_value_dict(I->A);
    kr_builtins_install(I);
    kr_builtins_smk_install(I);
    kr_builtins_exc_install(I);
    kr_builtins_file_install(I);
    kr_dict_sets(I->A, I->globals, "config", I->config);
    return I;
}

void kr_interp_set_err(struct kr_interp *I, struct kr_error *err)
{
    I->err = err ? err : &I->own_err;
}

void kr_interp_free(struct kr_interp *I)
{
    size_t i;
    if (!I)
        return;
    for (i = 0; i < I->includes_dirs.len; i++)
        kr_free(I->includes_dirs.items[i]);
    kr_vec_free(&I->includes_dirs);
    kr_vec_free(&I->rules);
    kr_vec_free(&I->constraints);
    kr_vec_free(&I->ruleorder);
    kr_vec_free(&I->localrules);
    kr_vec_free(&I->configfiles);
    kr_ckpt_free(I);
    kr_vec_free(&I->readfiles);
    kr_vec_free(&I->pysrc);
    kr_free(I);
}

/* ---- errors ---- */

static int verror_at(struct kr_interp *I, const struct kr_node *n, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    I->exc_cls = NULL;          /* not a Python exception unless kr_exc_tag says so */
    I->exc_val = NULL;
    I->cascade = false;
    if (!n)
        return kr_error_set(I->err, KR_EEVAL, "%s", msg);
    return kr_error_at(I->err, KR_EEVAL, I->srcs, n->file, n->off, "%s", msg);
}

int kr_eval_error(struct kr_interp *I, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = verror_at(I, I->site, fmt, ap);
    va_end(ap);
    return rc;
}

int kr_eval_error_at(struct kr_interp *I, const struct kr_node *n, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = verror_at(I, n, fmt, ap);
    va_end(ap);
    return rc;
}

static int step_limit(struct kr_interp *I)
{
    if (I->A->total > I->max_bytes)
        return kr_eval_error(I, "evaluation memory limit exceeded (%zu MiB): a runaway loop?",
                             I->max_bytes >> 20);
    return kr_eval_error(I, "evaluation step limit exceeded (%ld steps): infinite loop?",
                         I->max_steps);
}

/* ---- names ---- */

static struct kr_value *lookup(struct kr_interp *I, const char *name)
{
    struct kr_scope *s;
    struct kr_value *v;
    for (s = I->scope; s; s = s->parent) {
        if (s->global_names && kr_dict_gets(s->global_names, name))
            break;
        v = kr_dict_gets(s->vars, name);
        if (v)
            return v;
    }
    v = kr_dict_gets(I->globals, name);
    if (v)
        return v;
    return kr_dict_gets(I->builtins, name);
}

static void collect_names(struct kr_dict *d, struct kr_vec *names)
{
    size_t i;
    for (i = 0; i < d->n; i++)
        if (d->keys[i] && d->keys[i]->type == KR_V_STR)
            kr_vec_push(names, d->keys[i]->u.str.s);
}

static int undefined_name(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_vec names = KR_VEC_INIT;
    struct kr_scope *s;
    const char *sug, *missing = kr_missing_name(I, n->str);
    int rc;
    if (missing)    /* a builtin krait lacks: the feature is missing, not the name */
        return kr_eval_error_at(I, n, "%s", missing);
    if (I->poisoned && kr_dict_gets(I->poisoned, n->str)) {
        /* its definition failed and was reported: this error is a consequence */
        rc = kr_eval_error_at(I, n, "name '%s' is not defined (its definition failed)", n->str);
        I->cascade = true;
        return rc;
    }
    if (I->include_failed) {
        /* the file whose include: failed (and was reported) may define it */
        rc = kr_eval_error_at(I, n, "name '%s' is not defined (an include: above failed)", n->str);
        I->cascade = true;
        return rc;
    }
    for (s = I->scope; s; s = s->parent)
        collect_names(s->vars, &names);
    collect_names(I->globals, &names);
    collect_names(I->builtins, &names);
    sug = kr_suggest(n->str, (const char *const *)names.items, names.len);
    if (sug)
        rc = kr_eval_error_at(I, n, "name '%s' is not defined (did you mean '%s'?)", n->str, sug);
    else
        rc = kr_eval_error_at(I, n, "name '%s' is not defined", n->str);
    kr_vec_free(&names);
    return kr_exc_tag(I, "NameError", NULL, rc);
}

static void set_name(struct kr_interp *I, const char *name, struct kr_value *v)
{
    struct kr_scope *s = I->scope;
    if (s && !(s->global_names && kr_dict_gets(s->global_names, name)))
        kr_dict_sets(I->A, s->vars, name, v);
    else
        kr_dict_sets(I->A, I->globals, name, v);
}

/* ---- iteration, indexing ---- */

int kr_eval_iter(struct kr_interp *I, struct kr_value *v, struct kr_value ***items, size_t *n)
{
    size_t i, k;
    struct kr_value **arr;
    switch (v->type) {
    case KR_V_LIST: case KR_V_TUPLE: case KR_V_NAMED: {
        struct kr_value **src = kr_value_items(v, n);
        arr = kr_arena_alloc(I->A, (*n ? *n : 1) * sizeof *arr);
        if (*n)
            memcpy(arr, src, *n * sizeof *arr);
        *items = arr;
        return KR_OK;
    }
    case KR_V_STR:
        arr = kr_arena_alloc(I->A, (v->u.str.len ? v->u.str.len : 1) * sizeof *arr);
        for (i = 0; i < v->u.str.len; i++)
            arr[i] = kr_value_str(I->A, v->u.str.s + i, 1);
        *items = arr;
        *n = v->u.str.len;
        return KR_OK;
    case KR_V_DICT: case KR_V_SET:
        arr = kr_arena_alloc(I->A, (v->u.dict->live ? v->u.dict->live : 1) * sizeof *arr);
        for (i = 0, k = 0; i < v->u.dict->n; i++)
            if (v->u.dict->keys[i])
                arr[k++] = v->u.dict->keys[i];
        *items = arr;
        *n = k;
        return KR_OK;
    case KR_V_NS: {
        struct kr_value *r;
        bool handled;
        int rc = kr_mod_special(I, v, "__iter__", NULL, 0, &r, &handled);
        if (handled) {
            if (rc != KR_OK)
                return rc;
            return kr_eval_iter(I, r, items, n);
        }
        if (kr_file_is(v))
            return kr_file_lines(I, v, items, n);
    }
        return kr_eval_error(I, "'%s' object is not iterable", kr_value_type_name(v));
    default:
        if (kr_file_is(v))
            return kr_file_lines(I, v, items, n);
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "'%s' object is not iterable", kr_value_type_name(v)));
    }
}

static int norm_index(struct kr_interp *I, struct kr_value *key, size_t len, const char *what,
                      size_t *out)
{
    int64_t i;
    if (key->type == KR_V_BOOL)
        i = key->u.b;
    else if (key->type == KR_V_INT)
        i = key->u.i;
    else
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "%s indices must be integers, not %s", what,
                             kr_value_type_name(key)));
    if (i < 0)
        i += (int64_t)len;
    if (i < 0 || (uint64_t)i >= len)
        /* the message says more than Python's; e.args[0] is Python's */
        return kr_exc_tag(I, "IndexError",
                          kr_value_cstr(I->A, kr_arena_printf(I->A, "%s index out of range",
                                                              what)),
                          kr_eval_error(I, "%s index out of range (index %lld, length %zu)",
                                        what, (long long)(key->type == KR_V_INT ? key->u.i : i),
                                        len));
    *out = (size_t)i;
    return KR_OK;
}

static void join_keys(struct kr_dict *d, struct kr_buf *b)
{
    size_t i, k = 0;
    for (i = 0; i < d->n && k < 20; i++) {
        if (!d->keys[i])
            continue;
        if (k++)
            kr_buf_puts(b, ", ");
        kr_value_str_buf(d->keys[i], b);
    }
    if (k == 0)
        kr_buf_puts(b, "none");
}

static int key_error(struct kr_interp *I, struct kr_value *obj, struct kr_dict *d,
                     struct kr_value *key)
{
    struct kr_buf b = KR_BUF_INIT, r = KR_BUF_INIT;
    int rc;
    const char *what = obj == I->config ? "config" : "dict";
    join_keys(d, &b);
    kr_value_repr_buf(key, &r);
    rc = kr_exc_tag(I, "KeyError", key,
                    kr_eval_error(I, "%s has no key %s (keys: %s)", what, kr_buf_cstr(&r),
                                  kr_buf_cstr(&b)));
    kr_buf_free(&b);
    kr_buf_free(&r);
    return rc;
}

int kr_eval_getitem(struct kr_interp *I, struct kr_value *obj, struct kr_value *key,
                    struct kr_value **out)
{
    size_t i, n;
    struct kr_value *v;
    int rc;
    switch (obj->type) {
    case KR_V_LIST: case KR_V_TUPLE:
        rc = norm_index(I, key, obj->u.list.len, kr_value_type_name(obj), &i);
        if (rc)
            return rc;
        *out = obj->u.list.items[i];
        return KR_OK;
    case KR_V_STR:
        rc = norm_index(I, key, obj->u.str.len, "string", &i);
        if (rc)
            return rc;
        *out = kr_value_str(I->A, obj->u.str.s + i, 1);
        return KR_OK;
    case KR_V_DICT:
        if (!kr_value_hashable(key))
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "unhashable type: '%s'", kr_value_type_name(key)));
        v = kr_dict_get(obj->u.dict, key);
        if (!v && obj->u.dict->kind != KR_DICT_PLAIN) {
            rc = kr_coll_missing(I, obj, key, out);   /* Counter, defaultdict */
            if (rc != KR_NOT_FOUND)
                return rc;
        }
        if (!v)
            return key_error(I, obj, obj->u.dict, key);
        *out = v;
        return KR_OK;
    case KR_V_NAMED:
        if (key->type == KR_V_STR) {
            v = kr_dict_get(obj->u.named.names, key);
            if (!v) {
                struct kr_buf b = KR_BUF_INIT;
                join_keys(obj->u.named.names, &b);
                rc = kr_eval_error(I, "%s has no item '%s' (names: %s)", obj->u.named.kind,
                                   key->u.str.s, kr_buf_cstr(&b));
                kr_buf_free(&b);
                return rc;
            }
            *out = v;
            return KR_OK;
        }
        kr_value_items(obj, &n);
        rc = norm_index(I, key, n, obj->u.named.kind, &i);
        if (rc)
            return rc;
        *out = obj->u.named.items[i];
        return KR_OK;
    case KR_V_NS: {
        bool handled;
        rc = kr_mod_special(I, obj, "__getitem__", &key, 1, out, &handled);
        if (handled)
            return rc;
    }
        v = key->type == KR_V_STR ? kr_dict_get(obj->u.ns.attrs, key) : NULL;
        if (v) {
            *out = v;
            return KR_OK;
        }
        return kr_eval_getattr(I, obj, key->type == KR_V_STR ? key->u.str.s : "?", out);
    default:
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "'%s' object is not subscriptable", kr_value_type_name(obj)));
    }
}

/* Python slice index computation. */
static void slice_indices(int64_t len, struct kr_value *sv, struct kr_value *ev,
                          int64_t step, int64_t *start, int64_t *stop)
{
    int64_t s, e;
    if (step > 0) {
        s = 0;
        e = len;
    } else {
        s = len - 1;
        e = -1;
    }
    if (sv && sv->type != KR_V_NONE) {
        s = sv->u.i;
        if (s < 0) {
            s += len;
            if (s < 0)
                s = step > 0 ? 0 : -1;
        } else if (s >= len) {
            s = step > 0 ? len : len - 1;
        }
    }
    if (ev && ev->type != KR_V_NONE) {
        e = ev->u.i;
        if (e < 0) {
            e += len;
            if (e < 0)
                e = step > 0 ? 0 : -1;
        } else if (e >= len) {
            e = step > 0 ? len : len - 1;
        }
    }
    *start = s;
    *stop = e;
}

static int eval_slice(struct kr_interp *I, struct kr_value *obj, const struct kr_node *sl,
                      struct kr_value **out)
{
    struct kr_value *sv = NULL, *ev = NULL, *stv = NULL, **items = NULL, *res;
    int64_t step = 1, start, stop, len, i;
    size_t n = 0;
    int rc;
    if (sl->a) {
        rc = kr_eval_expr(I, sl->a, &sv);
        if (rc != KR_OK)
            return rc;
    }
    if (sl->b) {
        rc = kr_eval_expr(I, sl->b, &ev);
        if (rc != KR_OK)
            return rc;
    }
    if (sl->c) {
        rc = kr_eval_expr(I, sl->c, &stv);
        if (rc != KR_OK)
            return rc;
    }
    I->site = sl;
    if ((sv && sv->type != KR_V_INT && sv->type != KR_V_NONE) ||
        (ev && ev->type != KR_V_INT && ev->type != KR_V_NONE) ||
        (stv && stv->type != KR_V_INT && stv->type != KR_V_NONE))
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "slice indices must be integers or None"));
    if (stv && stv->type == KR_V_INT)
        step = stv->u.i;
    if (step == 0)
        return kr_eval_error(I, "slice step cannot be zero");
    if (obj->type == KR_V_STR) {
        struct kr_buf b = KR_BUF_INIT;
        len = (int64_t)obj->u.str.len;
        slice_indices(len, sv, ev, step, &start, &stop);
        for (i = start; step > 0 ? i < stop : i > stop; i += step)
            kr_buf_putc(&b, obj->u.str.s[i]);
        *out = kr_value_str(I->A, kr_buf_cstr(&b), b.len);
        kr_buf_free(&b);
        return KR_OK;
    }
    items = kr_value_items(obj, &n);
    if (obj->type != KR_V_LIST && obj->type != KR_V_TUPLE && obj->type != KR_V_NAMED)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "'%s' object is not subscriptable", kr_value_type_name(obj)));
    len = (int64_t)n;
    slice_indices(len, sv, ev, step, &start, &stop);
    res = obj->type == KR_V_TUPLE ? kr_value_tuple(I->A, 0) : kr_value_list(I->A, 0);
    for (i = start; step > 0 ? i < stop : i > stop; i += step)
        kr_list_push(I->A, res, items[i]);
    *out = res;
    return KR_OK;
}

/* ---- comparison ---- */

static int contains(struct kr_interp *I, struct kr_value *container, struct kr_value *x, bool *res)
{
    size_t i, n;
    struct kr_value **items;
    switch (container->type) {
    case KR_V_STR:
        if (x->type != KR_V_STR)
            return kr_eval_error(I, "'in <string>' requires string as left operand, not %s",
                                 kr_value_type_name(x));
        *res = x->u.str.len == 0 ||
               memmem(container->u.str.s, container->u.str.len, x->u.str.s, x->u.str.len) != NULL;
        return KR_OK;
    case KR_V_LIST: case KR_V_TUPLE: case KR_V_NAMED:
        items = kr_value_items(container, &n);
        for (i = 0; i < n; i++) {
            if (kr_value_equal(items[i], x)) {
                *res = true;
                return KR_OK;
            }
        }
        *res = false;
        return KR_OK;
    case KR_V_DICT: case KR_V_SET:
        if (!kr_value_hashable(x))
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "unhashable type: '%s'", kr_value_type_name(x)));
        *res = kr_dict_get(container->u.dict, x) != NULL;
        return KR_OK;
    case KR_V_NS: {
        struct kr_value *r;
        bool handled;
        int rc = kr_mod_special(I, container, "__contains__", &x, 1, &r, &handled);
        if (handled) {
            *res = rc == KR_OK && kr_value_truthy(r);
            return rc;
        }
        *res = x->type == KR_V_STR && kr_dict_get(container->u.ns.attrs, x) != NULL;
        return KR_OK;
    }
    default:
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "argument of type '%s' is not iterable",
                             kr_value_type_name(container)));
    }
}

static const char *op_text(int op)
{
    switch (op) {
    case KR_OP_ADD: return "+";
    case KR_OP_SUB: return "-";
    case KR_OP_MUL: return "*";
    case KR_OP_DIV: return "/";
    case KR_OP_FLOORDIV: return "//";
    case KR_OP_MOD: return "%";
    case KR_OP_POW: return "** or pow()";
    case KR_OP_MATMUL: return "@";
    case KR_OP_BITAND: return "&";
    case KR_OP_BITOR: return "|";
    case KR_OP_BITXOR: return "^";
    case KR_OP_LSHIFT: return "<<";
    case KR_OP_RSHIFT: return ">>";
    case KR_OP_LT: return "<";
    case KR_OP_LE: return "<=";
    case KR_OP_GT: return ">";
    case KR_OP_GE: return ">=";
    default: return "?";
    }
}

static int compare_op(struct kr_interp *I, int op, struct kr_value *a, struct kr_value *b,
                      bool *res)
{
    int c;
    switch (op) {
    case KR_OP_EQ: *res = kr_value_equal(a, b); return KR_OK;
    case KR_OP_NE: *res = !kr_value_equal(a, b); return KR_OK;
    case KR_OP_IN: return contains(I, b, a, res);
    case KR_OP_NOTIN: {
        int rc = contains(I, b, a, res);
        *res = !*res;
        return rc;
    }
    case KR_OP_IS:
    case KR_OP_ISNOT: {
        bool same = a == b || (a->type == KR_V_NONE && b->type == KR_V_NONE);
        *res = op == KR_OP_IS ? same : !same;
        return KR_OK;
    }
    default:
        break;
    }
    if ((a->type == KR_V_SET && b->type == KR_V_SET) && (op == KR_OP_LE || op == KR_OP_GE ||
                                                         op == KR_OP_LT || op == KR_OP_GT)) {
        struct kr_value *sub = op == KR_OP_LE || op == KR_OP_LT ? a : b;
        struct kr_value *sup = sub == a ? b : a;
        size_t i;
        bool all = true;
        for (i = 0; i < sub->u.dict->n; i++)
            if (sub->u.dict->keys[i] && !kr_dict_get(sup->u.dict, sub->u.dict->keys[i]))
                all = false;
        if (op == KR_OP_LT || op == KR_OP_GT)
            all = all && sub->u.dict->live < sup->u.dict->live;
        *res = all;
        return KR_OK;
    }
    if (!kr_value_compare(a, b, &c))
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "'%s' not supported between instances of '%s' and "
                                        "'%s'", op_text(op), kr_value_type_name(a),
                                        kr_value_type_name(b)));
    switch (op) {
    case KR_OP_LT: *res = c < 0; break;
    case KR_OP_LE: *res = c <= 0; break;
    case KR_OP_GT: *res = c > 0; break;
    default: *res = c >= 0; break;
    }
    return KR_OK;
}

/* ---- arithmetic ---- */

static bool isnum(const struct kr_value *v)
{
    return v->type == KR_V_INT || v->type == KR_V_BOOL || v->type == KR_V_FLOAT;
}

static bool isint(const struct kr_value *v)
{
    return v->type == KR_V_INT || v->type == KR_V_BOOL;
}

static int64_t ival(const struct kr_value *v) { return v->type == KR_V_BOOL ? v->u.b : v->u.i; }
static double fval(const struct kr_value *v)
{
    return v->type == KR_V_FLOAT ? v->u.f : (double)ival(v);
}

static int overflow(struct kr_interp *I, int op)
{
    return kr_eval_error(I, "integer overflow in '%s' (krait's ints are 64-bit)", op_text(op));
}

static struct kr_value *seq_repeat(struct kr_interp *I, struct kr_value *seq, int64_t times)
{
    int64_t t;
    if (seq->type == KR_V_STR) {
        size_t len = seq->u.str.len;
        char *s;
        if (times <= 0 || len == 0)
            return kr_value_str(I->A, "", 0);
        s = kr_arena_alloc(I->A, len * (size_t)times + 1);
        for (t = 0; t < times; t++)
            memcpy(s + len * (size_t)t, seq->u.str.s, len);
        s[len * (size_t)times] = '\0';
        return kr_value_str_own(I->A, s, len * (size_t)times);
    } else {
        struct kr_value *r = seq->type == KR_V_TUPLE ? kr_value_tuple(I->A, 0)
                                                     : kr_value_list(I->A, 0);
        for (t = 0; t < times; t++) {
            size_t i;
            for (i = 0; i < seq->u.list.len; i++)
                kr_list_push(I->A, r, seq->u.list.items[i]);
        }
        return r;
    }
}

int kr_eval_binop(struct kr_interp *I, int op, struct kr_value *a, struct kr_value *b,
                  struct kr_value **out)
{
    int64_t x, y, r;
    double fx, fy;
    if (isint(a) && isint(b)) {
        x = ival(a);
        y = ival(b);
        switch (op) {
        case KR_OP_ADD:
            if (!kr_int_add(x, y, &r))
                return overflow(I, op);
            goto iret;
        case KR_OP_SUB:
            if (!kr_int_sub(x, y, &r))
                return overflow(I, op);
            goto iret;
        case KR_OP_MUL:
            if (!kr_int_mul(x, y, &r))
                return overflow(I, op);
            goto iret;
        case KR_OP_DIV:
            if (y == 0)
                return kr_exc_tag(I, "ZeroDivisionError", NULL, kr_eval_error(I, "division by zero"));
            *out = kr_value_float(I->A, (double)x / (double)y);
            return KR_OK;
        case KR_OP_FLOORDIV:
        case KR_OP_MOD:
            if (y == 0)
                return kr_exc_tag(I, "ZeroDivisionError", NULL, kr_eval_error(I, op == KR_OP_MOD ? "integer modulo by zero"
                                                        : "integer division by zero"));
            if (x == INT64_MIN && y == -1) {
                if (op == KR_OP_MOD) {
                    r = 0;
                    goto iret;
                }
                return overflow(I, op);
            }
            {
                int64_t q = x / y, m = x % y;
                if (m != 0 && ((m < 0) != (y < 0))) {
                    q -= 1;
                    m += y;
                }
                r = op == KR_OP_MOD ? m : q;
            }
            goto iret;
        case KR_OP_POW:
            if (y < 0) {
                if (x == 0)
                    return kr_eval_error(I, "0.0 cannot be raised to a negative power");
                *out = kr_value_float(I->A, pow((double)x, (double)y));
                return KR_OK;
            }
            r = 1;
            while (y > 0) {
                if (!kr_int_mul(r, x, &r))
                    return overflow(I, op);
                y--;
            }
            goto iret;
        case KR_OP_BITAND: r = x & y; goto iret;
        case KR_OP_BITOR: r = x | y; goto iret;
        case KR_OP_BITXOR: r = x ^ y; goto iret;
        case KR_OP_LSHIFT:
            if (y < 0)
                return kr_eval_error(I, "negative shift count");
            if (y >= 63 || (x != 0 && (x > (INT64_MAX >> y) || x < (INT64_MIN >> y))))
                return x == 0 ? (r = 0, *out = kr_value_int(I->A, 0), KR_OK) : overflow(I, op);
            r = (int64_t)((uint64_t)x << y);
            goto iret;
        case KR_OP_RSHIFT:
            if (y < 0)
                return kr_eval_error(I, "negative shift count");
            r = y >= 64 ? (x < 0 ? -1 : 0) : x >> y;
            goto iret;
        default:
            break;
        }
        goto bad;
    }
    if (isnum(a) && isnum(b)) {
        fx = fval(a);
        fy = fval(b);
        switch (op) {
        case KR_OP_ADD: *out = kr_value_float(I->A, fx + fy); return KR_OK;
        case KR_OP_SUB: *out = kr_value_float(I->A, fx - fy); return KR_OK;
        case KR_OP_MUL: *out = kr_value_float(I->A, fx * fy); return KR_OK;
        case KR_OP_DIV:
            if (fy == 0)
                return kr_exc_tag(I, "ZeroDivisionError", NULL, kr_eval_error(I, "float division by zero"));
            *out = kr_value_float(I->A, fx / fy);
            return KR_OK;
        case KR_OP_FLOORDIV:
            if (fy == 0)
                return kr_exc_tag(I, "ZeroDivisionError", NULL, kr_eval_error(I, "float floor division by zero"));
            *out = kr_value_float(I->A, floor(fx / fy));
            return KR_OK;
        case KR_OP_MOD: {
            double m;
            if (fy == 0)
                return kr_eval_error(I, "float modulo");
            m = fmod(fx, fy);
            if (m != 0 && ((m < 0) != (fy < 0)))
                m += fy;
            *out = kr_value_float(I->A, m);
            return KR_OK;
        }
        case KR_OP_POW:
            if (fx == 0 && fy < 0)
                return kr_eval_error(I, "0.0 cannot be raised to a negative power");
            *out = kr_value_float(I->A, pow(fx, fy));
            return KR_OK;
        default:
            goto bad;
        }
    }
    if ((a->type == KR_V_STR && (a->flags & KR_STR_PATH)) ||
        (b->type == KR_V_STR && (b->flags & KR_STR_PATH))) {
        /* a pathlib.Path: p / "x" and "x" / p join; "%s" % p formats */
        if (op == KR_OP_DIV)
            return kr_path_div(I, a, b, out);
        if (op != KR_OP_MOD || (a->type == KR_V_STR && (a->flags & KR_STR_PATH)))
            goto bad;
    }
    if (op == KR_OP_ADD && a->type == KR_V_STR && b->type == KR_V_STR) {
        size_t n = a->u.str.len + b->u.str.len;
        char *s = kr_arena_alloc(I->A, n + 1);
        memcpy(s, a->u.str.s, a->u.str.len);
        memcpy(s + a->u.str.len, b->u.str.s, b->u.str.len);
        s[n] = '\0';
        *out = kr_value_str_own(I->A, s, n);
        return KR_OK;
    }
    if (op == KR_OP_ADD && ((a->type == KR_V_LIST && b->type == KR_V_LIST) ||
                            (a->type == KR_V_TUPLE && b->type == KR_V_TUPLE))) {
        struct kr_value *res = a->type == KR_V_TUPLE ? kr_value_tuple(I->A, 0)
                                                     : kr_value_list(I->A, a->u.list.len + b->u.list.len);
        size_t i;
        for (i = 0; i < a->u.list.len; i++)
            kr_list_push(I->A, res, a->u.list.items[i]);
        for (i = 0; i < b->u.list.len; i++)
            kr_list_push(I->A, res, b->u.list.items[i]);
        *out = res;
        return KR_OK;
    }
    if (op == KR_OP_MUL && (a->type == KR_V_STR || a->type == KR_V_LIST || a->type == KR_V_TUPLE) &&
        isint(b)) {
        if (ival(b) > 0 && (a->type == KR_V_STR ? a->u.str.len : a->u.list.len) * (uint64_t)ival(b) >
                               (uint64_t)64 * 1024 * 1024)
            return kr_eval_error(I, "repetition result too large");
        *out = seq_repeat(I, a, ival(b));
        return KR_OK;
    }
    if (op == KR_OP_MUL && isint(a) &&
        (b->type == KR_V_STR || b->type == KR_V_LIST || b->type == KR_V_TUPLE))
        return kr_eval_binop(I, op, b, a, out);
    if (op == KR_OP_MOD && a->type == KR_V_STR)
        return kr_eval_percent(I, a, b, out);
    if (op == KR_OP_BITOR && a->type == KR_V_DICT && b->type == KR_V_DICT) {
        struct kr_value *res = kr_value_dict(I->A);
        size_t i;
        for (i = 0; i < a->u.dict->n; i++)
            if (a->u.dict->keys[i])
                kr_dict_set(I->A, res->u.dict, a->u.dict->keys[i], a->u.dict->vals[i]);
        for (i = 0; i < b->u.dict->n; i++)
            if (b->u.dict->keys[i])
                kr_dict_set(I->A, res->u.dict, b->u.dict->keys[i], b->u.dict->vals[i]);
        *out = res;
        return KR_OK;
    }
    if (a->type == KR_V_SET && b->type == KR_V_SET &&
        (op == KR_OP_BITOR || op == KR_OP_BITAND || op == KR_OP_SUB || op == KR_OP_BITXOR)) {
        struct kr_value *res = kr_value_set(I->A);
        size_t i;
        for (i = 0; i < a->u.dict->n; i++) {
            struct kr_value *k = a->u.dict->keys[i];
            bool inb;
            if (!k)
                continue;
            inb = kr_dict_get(b->u.dict, k) != NULL;
            if (op == KR_OP_BITOR || (op == KR_OP_BITAND && inb) ||
                ((op == KR_OP_SUB || op == KR_OP_BITXOR) && !inb))
                kr_dict_set(I->A, res->u.dict, k, kr_value_none());
        }
        if (op == KR_OP_BITOR || op == KR_OP_BITXOR)
            for (i = 0; i < b->u.dict->n; i++) {
                struct kr_value *k = b->u.dict->keys[i];
                if (k && (op == KR_OP_BITOR || !kr_dict_get(a->u.dict, k)))
                    kr_dict_set(I->A, res->u.dict, k, kr_value_none());
            }
        *out = res;
        return KR_OK;
    }
    if ((a->type == KR_V_NAMED || b->type == KR_V_NAMED) &&
        (a->type == KR_V_NAMED || a->type == KR_V_LIST) &&
        (b->type == KR_V_NAMED || b->type == KR_V_LIST) && op == KR_OP_ADD) {
        /* Snakemake's Namedlist is a list: adding gives a plain list */
        size_t na, nb, i;
        struct kr_value **ia = kr_value_items(a, &na), **ib = kr_value_items(b, &nb);
        struct kr_value *res = kr_value_list(I->A, na + nb);
        for (i = 0; i < na; i++)
            kr_list_push(I->A, res, ia[i]);
        for (i = 0; i < nb; i++)
            kr_list_push(I->A, res, ib[i]);
        *out = res;
        return KR_OK;
    }
    if (op == KR_OP_MUL && a->type == KR_V_NAMED && isint(b)) {
        size_t na;
        struct kr_value **ia = kr_value_items(a, &na), *lst = kr_value_list(I->A, na);
        size_t i;
        for (i = 0; i < na; i++)
            kr_list_push(I->A, lst, ia[i]);
        return kr_eval_binop(I, op, lst, b, out);
    }
bad:
    return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "unsupported operand type(s) for %s: '%s' and '%s'", op_text(op),
                         kr_value_type_name(a), kr_value_type_name(b)));
iret:
    *out = kr_value_int(I->A, r);
    return KR_OK;
}

/* ---- calls ---- */

static int bind_params(struct kr_interp *I, struct kr_value *fn, const struct kr_callargs *a,
                       struct kr_dict *vars)
{
    const struct kr_node *def = fn->u.fn.node;
    const char *fname = fn->u.fn.name ? fn->u.fn.name : "<lambda>";
    size_t np = def->nparams, i, p = 0, k;
    bool has_star = false;
    struct kr_value *kwdict = NULL;
    for (i = 0; i < np; i++) {
        const struct kr_node *pm = def->params[i];
        if (pm->flags & KR_PARAM_STAR) {
            struct kr_value *t = kr_value_tuple(I->A, 0);
            for (; p < a->npos; p++)
                kr_list_push(I->A, t, a->pos[p]);
            kr_dict_sets(I->A, vars, pm->str, t);
            has_star = true;
            continue;
        }
        if (pm->flags & KR_PARAM_KWONLY_MARK) {
            has_star = true;
            continue;
        }
        if (pm->flags & KR_PARAM_DSTAR) {
            kwdict = kr_value_dict(I->A);
            kr_dict_sets(I->A, vars, pm->str, kwdict);
            continue;
        }
        if (!has_star && p < a->npos)
            kr_dict_sets(I->A, vars, pm->str, a->pos[p++]);
    }
    if (p < a->npos) {
        size_t npos = 0;
        for (i = 0; i < np; i++) {
            if (def->params[i]->flags & (KR_PARAM_STAR | KR_PARAM_KWONLY_MARK))
                break;
            if (!(def->params[i]->flags & KR_PARAM_DSTAR))
                npos++;
        }
        return kr_eval_error(I, "%s() takes %zu positional argument%s but %zu %s given", fname,
                             npos, npos == 1 ? "" : "s", a->npos, a->npos == 1 ? "was" : "were");
    }
    for (k = 0; k < a->nkw; k++) {
        bool found = false;
        for (i = 0; i < np; i++) {
            const struct kr_node *pm = def->params[i];
            if (pm->flags & (KR_PARAM_STAR | KR_PARAM_DSTAR | KR_PARAM_KWONLY_MARK))
                continue;
            if (strcmp(pm->str, a->kwnames[k]))
                continue;
            if (kr_dict_gets(vars, pm->str))
                return kr_eval_error(I, "%s() got multiple values for argument '%s'", fname,
                                     pm->str);
            kr_dict_sets(I->A, vars, pm->str, a->kwvals[k]);
            found = true;
            break;
        }
        if (found)
            continue;
        if (!kwdict)
            return kr_eval_error(I, "%s() got an unexpected keyword argument '%s'", fname,
                                 a->kwnames[k]);
        kr_dict_sets(I->A, kwdict->u.dict, a->kwnames[k], a->kwvals[k]);
    }
    for (i = 0; i < np; i++) {
        const struct kr_node *pm = def->params[i];
        if (pm->flags & (KR_PARAM_STAR | KR_PARAM_DSTAR | KR_PARAM_KWONLY_MARK))
            continue;
        if (kr_dict_gets(vars, pm->str))
            continue;
        if (fn->u.fn.defaults && fn->u.fn.defaults[i]) {
            kr_dict_sets(I->A, vars, pm->str, fn->u.fn.defaults[i]);
            continue;
        }
        return kr_eval_error(I, "%s() missing required argument: '%s'", fname, pm->str);
    }
    return KR_OK;
}

static int call_user(struct kr_interp *I, struct kr_value *fn, const struct kr_callargs *a,
                     struct kr_value **out)
{
    struct kr_scope *saved = I->scope, *sc;
    struct kr_dict *saved_globals = I->globals;
    const struct kr_node *def = fn->u.fn.node;
    int rc;
    if (I->depth >= I->max_depth)
        return kr_eval_error(I, "maximum recursion depth exceeded (%d nested calls) in %s()",
                             I->max_depth, fn->u.fn.name ? fn->u.fn.name : "<lambda>");
    sc = kr_arena_zalloc(I->A, sizeof *sc);
    sc->vars = kr_dict_new(I->A);
    sc->parent = fn->u.fn.closure;
    rc = bind_params(I, fn, a, sc->vars);
    if (rc)
        return rc;
    I->depth++;
    I->scope = sc;
    if (fn->u.fn.globals)
        I->globals = fn->u.fn.globals;  /* a module's function sees the module's globals */
    if (def->kind == KR_N_LAMBDA) {
        rc = kr_eval_expr(I, def->a, out);
    } else if (def->flags & KR_DEF_GENERATOR) {
        /* a generator: run to the end at once, its values collected into a
         * list (what the consumers of input functions, for and list() need) */
        struct kr_value *saved_y = I->yielded, *got = kr_value_list(I->A, 4);
        I->yielded = got;
        rc = exec_block(I, def->a);
        I->yielded = saved_y;
        if (rc == SIG_RETURN || rc == KR_OK) {
            *out = got;
            rc = KR_OK;
        } else if (rc == SIG_BREAK || rc == SIG_CONTINUE) {
            rc = kr_eval_error_at(I, def, "'break' or 'continue' outside loop");
        }
    } else {
        rc = exec_block(I, def->a);
        if (rc == SIG_RETURN) {
            *out = I->retval;
            rc = KR_OK;
        } else if (rc == KR_OK) {
            *out = kr_value_none();
        } else if (rc == SIG_BREAK || rc == SIG_CONTINUE) {
            rc = kr_eval_error_at(I, def, "'break' or 'continue' outside loop");
        }
    }
    I->scope = saved;
    I->globals = saved_globals;
    I->depth--;
    return rc;
}

int kr_eval_call(struct kr_interp *I, struct kr_value *fn, const struct kr_callargs *args,
                 const struct kr_node *site, struct kr_value **out)
{
    const struct kr_node *saved = I->site;
    int rc;
    if (site)
        I->site = site;
    switch (fn->type) {
    case KR_V_FUNC:
        rc = call_user(I, fn, args, out);
        break;
    case KR_V_BUILTIN:
        if (I->depth >= I->max_depth) {
            rc = kr_eval_error(I, "maximum recursion depth exceeded");
            break;
        }
        I->depth++;
        rc = fn->u.bi.fn(I, fn->u.bi.self, args, out);
        I->depth--;
        break;
    case KR_V_TYPE: {
        struct kr_value *ctor = kr_dict_gets(I->builtins, fn->u.type.name);
        if (ctor && ctor->type == KR_V_BUILTIN) {
            rc = ctor->u.bi.fn(I, NULL, args, out);
            break;
        }
        rc = kr_eval_error(I, "type '%s' cannot be called", fn->u.type.name);
        break;
    }
    default:
        rc = kr_eval_error(I, "'%s' object is not callable", kr_value_type_name(fn));
        break;
    }
    if (rc == KR_OK)
        I->site = saved;
    return rc;
}

int kr_eval_call_smk(struct kr_interp *I, struct kr_value *fn, struct kr_value *wildcards,
                     struct kr_dict *named, const struct kr_node *site, struct kr_value **out)
{
    struct kr_callargs a = {0};
    struct kr_value *pos[1];
    const char *kwn[16];
    struct kr_value *kwv[16];
    size_t i;
    pos[0] = wildcards;
    a.pos = pos;
    a.npos = 1;
    a.kwnames = kwn;
    a.kwvals = kwv;
    if (fn->type == KR_V_FUNC) {
        const struct kr_node *def = fn->u.fn.node;
        if (def->nparams == 0)
            a.npos = 0;
        for (i = 1; i < def->nparams && a.nkw < 16; i++) {
            const struct kr_node *pm = def->params[i];
            struct kr_value *v;
            if (pm->flags & (KR_PARAM_STAR | KR_PARAM_DSTAR | KR_PARAM_KWONLY_MARK))
                continue;
            v = named ? kr_dict_gets(named, pm->str) : NULL;
            if (!v)
                continue;
            kwn[a.nkw] = pm->str;
            kwv[a.nkw++] = v;
        }
    }
    return kr_eval_call(I, fn, &a, site, out);
}

static int collect_args(struct kr_interp *I, const struct kr_node *call, struct kr_callargs *a)
{
    size_t i, cap = call->nkids + 4, kcap = call->nkids + 4;
    int rc;
    a->pos = kr_arena_alloc(I->A, cap * sizeof *a->pos);
    a->kwnames = kr_arena_alloc(I->A, kcap * sizeof *a->kwnames);
    a->kwvals = kr_arena_alloc(I->A, kcap * sizeof *a->kwvals);
    a->npos = a->nkw = 0;
    for (i = 0; i < call->nkids; i++) {
        const struct kr_node *k = call->kids[i];
        struct kr_value *v;
        if (k->kind == KR_N_KWARG) {
            rc = kr_eval_expr(I, k->a, &v);
            if (rc != KR_OK)
                return rc;
            a->kwnames[a->nkw] = k->str;
            a->kwvals[a->nkw++] = v;
        } else if (k->kind == KR_N_STARRED || k->kind == KR_N_DSTAR) {
            struct kr_value **items;
            struct kr_dict *kw = NULL;
            size_t n, j;
            rc = kr_eval_expr(I, k->a, &v);
            if (rc != KR_OK)
                return rc;
            I->site = k;
            if (k->kind == KR_N_DSTAR) {
                /* a Namedlist (wildcards, input...) is a mapping of its names */
                kw = v->type == KR_V_DICT ? v->u.dict
                   : v->type == KR_V_NAMED ? v->u.named.names : NULL;
                if (!kw)
                    return kr_eval_error(I, "argument after ** must be a dict, not %s",
                                         kr_value_type_name(v));
                n = kw->live;
            } else {
                rc = kr_eval_iter(I, v, &items, &n);
                if (rc != KR_OK)
                    return rc;
            }
            if (k->kind == KR_N_DSTAR) {
                struct kr_value **nk = kr_arena_alloc(I->A, (kcap + n) * sizeof *nk);
                const char **nn = kr_arena_alloc(I->A, (kcap + n) * sizeof *nn);
                memcpy(nk, a->kwvals, a->nkw * sizeof *nk);
                memcpy(nn, a->kwnames, a->nkw * sizeof *nn);
                a->kwvals = nk;
                a->kwnames = nn;
                kcap += n;
                for (j = 0; j < kw->n; j++) {
                    if (!kw->keys[j])
                        continue;
                    if (kw->keys[j]->type != KR_V_STR)
                        return kr_eval_error(I, "keywords must be strings");
                    a->kwnames[a->nkw] = kw->keys[j]->u.str.s;
                    a->kwvals[a->nkw++] = kw->vals[j];
                }
            } else {
                struct kr_value **np = kr_arena_alloc(I->A, (cap + n) * sizeof *np);
                memcpy(np, a->pos, a->npos * sizeof *np);
                a->pos = np;
                cap += n;
                for (j = 0; j < n; j++)
                    a->pos[a->npos++] = items[j];
            }
        } else {
            rc = kr_eval_expr(I, k, &v);
            if (rc != KR_OK)
                return rc;
            a->pos[a->npos++] = v;
        }
    }
    return KR_OK;
}

/* ---- functions ---- */

static int make_function(struct kr_interp *I, const struct kr_node *n, const char *name,
                         struct kr_value **out)
{
    struct kr_value *fn = kr_arena_zalloc(I->A, sizeof *fn);
    size_t i;
    int rc;
    fn->type = KR_V_FUNC;
    fn->u.fn.node = n;
    fn->u.fn.closure = I->scope;
    fn->u.fn.globals = I->globals;
    fn->u.fn.name = name;
    if (n->nparams) {
        fn->u.fn.defaults = kr_arena_zalloc(I->A, n->nparams * sizeof *fn->u.fn.defaults);
        for (i = 0; i < n->nparams; i++) {
            if (!n->params[i]->a)
                continue;
            rc = kr_eval_expr(I, n->params[i]->a, &fn->u.fn.defaults[i]);
            if (rc)
                return rc;
        }
    }
    *out = fn;
    return KR_OK;
}

/* ---- comprehensions ---- */

static int assign(struct kr_interp *I, const struct kr_node *target, struct kr_value *v);

struct comp {
    const struct kr_node *n;
    struct kr_value *res;
};

static int comp_emit(struct kr_interp *I, struct comp *c)
{
    struct kr_value *v, *k;
    int rc;
    switch (c->n->kind) {
    case KR_N_LISTCOMP: case KR_N_GENEXP:
        rc = kr_eval_expr(I, c->n->a, &v);
        if (rc != KR_OK)
            return rc;
        kr_list_push(I->A, c->res, v);
        return KR_OK;
    case KR_N_SETCOMP:
        rc = kr_eval_expr(I, c->n->a, &v);
        if (rc != KR_OK)
            return rc;
        if (!kr_value_hashable(v))
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error_at(I, c->n->a, "unhashable type: '%s'", kr_value_type_name(v)));
        kr_dict_set(I->A, c->res->u.dict, v, kr_value_none());
        return KR_OK;
    default: /* DICTCOMP */
        rc = kr_eval_expr(I, c->n->a, &k);
        if (rc != KR_OK)
            return rc;
        rc = kr_eval_expr(I, c->n->b, &v);
        if (rc != KR_OK)
            return rc;
        if (!kr_value_hashable(k))
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error_at(I, c->n->a, "unhashable type: '%s'", kr_value_type_name(k)));
        kr_dict_set(I->A, c->res->u.dict, k, v);
        return KR_OK;
    }
}

static int comp_clause(struct kr_interp *I, struct comp *c, uint32_t ci)
{
    const struct kr_node *cl;
    struct kr_value *v, **items;
    size_t n, i;
    int rc;
    STEP(I);
    if (ci == c->n->nkids)
        return comp_emit(I, c);
    cl = c->n->kids[ci];
    if (cl->kind == KR_N_COMPIF) {
        rc = kr_eval_expr(I, cl->a, &v);
        if (rc != KR_OK)
            return rc;
        return kr_value_truthy(v) ? comp_clause(I, c, ci + 1) : KR_OK;
    }
    rc = kr_eval_expr(I, cl->b, &v);
    if (rc != KR_OK)
        return rc;
    I->site = cl->b;
    rc = kr_eval_iter(I, v, &items, &n);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < n; i++) {
        rc = assign(I, cl->a, items[i]);
        if (rc != KR_OK)
            return rc;
        rc = comp_clause(I, c, ci + 1);
        if (rc != KR_OK)
            return rc;
    }
    return KR_OK;
}

static int eval_comp(struct kr_interp *I, const struct kr_node *n, struct kr_value **out)
{
    struct kr_scope *saved = I->scope, *sc = kr_arena_zalloc(I->A, sizeof *sc);
    struct comp c;
    int rc;
    sc->vars = kr_dict_new(I->A);
    sc->parent = saved;
    c.n = n;
    if (n->kind == KR_N_SETCOMP)
        c.res = kr_value_set(I->A);
    else if (n->kind == KR_N_DICTCOMP)
        c.res = kr_value_dict(I->A);
    else
        c.res = kr_value_list(I->A, 0);
    I->scope = sc;
    rc = comp_clause(I, &c, 0);
    I->scope = saved;
    if (rc == KR_OK)
        *out = c.res;
    return rc;
}

/* ---- f-strings ---- */

static int eval_fstr(struct kr_interp *I, const struct kr_node *n, struct kr_buf *b)
{
    uint32_t i;
    int rc;
    for (i = 0; i < n->nkids; i++) {
        const struct kr_node *p = n->kids[i];
        struct kr_value *v;
        struct kr_buf spec = KR_BUF_INIT;
        if (p->kind == KR_N_STR) {
            kr_buf_append(b, p->str, p->slen);
            continue;
        }
        if (p->kind != KR_N_FIELD)
            continue;
        rc = kr_eval_expr(I, p->a, &v);
        if (rc != KR_OK)
            return rc;
        if (p->flags & KR_FIELD_DEBUG) {
            /* the grammar keeps the text as written, with or without the '=' */
            const char *dtext = p->str ? p->str : "";
            size_t dl = strlen(dtext);
            kr_buf_puts(b, dtext);
            while (dl > 0 && dtext[dl - 1] == ' ')
                dl--;
            if (dl == 0 || dtext[dl - 1] != '=')
                kr_buf_putc(b, '=');
        }
        if (p->op == 'r' || p->op == 'a' ||
            ((p->flags & KR_FIELD_DEBUG) && !p->op && !p->b)) {
            struct kr_buf r = KR_BUF_INIT;
            kr_value_repr_buf(v, &r);
            v = kr_value_str(I->A, kr_buf_cstr(&r), r.len);
            kr_buf_free(&r);
        } else if (p->op == 's') {
            v = kr_value_cstr(I->A, kr_value_to_str(I->A, v));
        }
        if (p->b) {
            rc = eval_fstr(I, p->b, &spec);
            if (rc != KR_OK) {
                kr_buf_free(&spec);
                return rc;
            }
        }
        I->site = p;
        rc = kr_eval_format_spec(I, v, kr_buf_cstr(&spec), b);
        kr_buf_free(&spec);
        if (rc)
            return rc;
    }
    return KR_OK;
}

/* ---- expressions ---- */

static int eval_seq(struct kr_interp *I, const struct kr_node *n, struct kr_value *res)
{
    uint32_t i;
    int rc;
    for (i = 0; i < n->nkids; i++) {
        struct kr_value *v;
        const struct kr_node *k = n->kids[i];
        if (k->kind == KR_N_STARRED) {
            struct kr_value **items;
            size_t m, j;
            rc = kr_eval_expr(I, k->a, &v);
            if (rc != KR_OK)
                return rc;
            I->site = k;
            rc = kr_eval_iter(I, v, &items, &m);
            if (rc != KR_OK)
                return rc;
            for (j = 0; j < m; j++) {
                if (res->type == KR_V_SET)
                    kr_dict_set(I->A, res->u.dict, items[j], kr_value_none());
                else
                    kr_list_push(I->A, res, items[j]);
            }
            continue;
        }
        rc = kr_eval_expr(I, k, &v);
        if (rc != KR_OK)
            return rc;
        if (res->type == KR_V_SET) {
            if (!kr_value_hashable(v))
                return kr_exc_tag(I, "TypeError", NULL, kr_eval_error_at(I, k, "unhashable type: '%s'", kr_value_type_name(v)));
            kr_dict_set(I->A, res->u.dict, v, kr_value_none());
        } else {
            kr_list_push(I->A, res, v);
        }
    }
    return KR_OK;
}

int kr_eval_expr(struct kr_interp *I, const struct kr_node *n, struct kr_value **out)
{
    struct kr_value *a, *b, *v;
    int rc;
    uint32_t i;
    STEP(I);
    switch (n->kind) {
    case KR_N_NAME:
        v = lookup(I, n->str);
        if (!v)
            return undefined_name(I, n);
        *out = v;
        return KR_OK;
    case KR_N_INT:
        *out = kr_value_int(I->A, n->ival);
        return KR_OK;
    case KR_N_FLOAT:
        *out = kr_value_float(I->A, n->fval);
        return KR_OK;
    case KR_N_STR:
        *out = kr_value_str_own(I->A, (char *)n->str, n->slen);
        return KR_OK;
    case KR_N_FSTR: {
        struct kr_buf b2 = KR_BUF_INIT;
        rc = eval_fstr(I, n, &b2);
        if (rc == KR_OK)
            *out = kr_value_str(I->A, kr_buf_cstr(&b2), b2.len);
        kr_buf_free(&b2);
        return rc;
    }
    case KR_N_TRUE: *out = kr_value_bool(true); return KR_OK;
    case KR_N_FALSE: *out = kr_value_bool(false); return KR_OK;
    case KR_N_NONE: *out = kr_value_none(); return KR_OK;
    case KR_N_LIST:
        v = kr_value_list(I->A, n->nkids);
        rc = eval_seq(I, n, v);
        if (rc != KR_OK)
            return rc;
        *out = v;
        return KR_OK;
    case KR_N_TUPLE:
        v = kr_value_tuple(I->A, 0);
        rc = eval_seq(I, n, v);
        if (rc != KR_OK)
            return rc;
        *out = v;
        return KR_OK;
    case KR_N_SET:
        v = kr_value_set(I->A);
        rc = eval_seq(I, n, v);
        if (rc != KR_OK)
            return rc;
        *out = v;
        return KR_OK;
    case KR_N_DICT:
        v = kr_value_dict(I->A);
        for (i = 0; i < n->nkids; i += 2) {
            const struct kr_node *kn = n->kids[i];
            if (kn->kind == KR_N_DSTAR) {
                size_t j;
                rc = kr_eval_expr(I, kn->a, &a);
                if (rc != KR_OK)
                    return rc;
                if (a->type != KR_V_DICT)
                    return kr_eval_error_at(I, kn, "'%s' object is not a mapping",
                                            kr_value_type_name(a));
                for (j = 0; j < a->u.dict->n; j++)
                    if (a->u.dict->keys[j])
                        kr_dict_set(I->A, v->u.dict, a->u.dict->keys[j], a->u.dict->vals[j]);
                continue;
            }
            rc = kr_eval_expr(I, kn, &a);
            if (rc != KR_OK)
                return rc;
            rc = kr_eval_expr(I, n->kids[i + 1], &b);
            if (rc != KR_OK)
                return rc;
            if (!kr_value_hashable(a))
                return kr_exc_tag(I, "TypeError", NULL, kr_eval_error_at(I, kn, "unhashable type: '%s'", kr_value_type_name(a)));
            kr_dict_set(I->A, v->u.dict, a, b);
        }
        *out = v;
        return KR_OK;
    case KR_N_BINOP:
        rc = kr_eval_expr(I, n->a, &a);
        if (rc != KR_OK)
            return rc;
        rc = kr_eval_expr(I, n->b, &b);
        if (rc != KR_OK)
            return rc;
        I->site = n;
        if (a->type == KR_V_NS || b->type == KR_V_NS) {
            /* pandas masks ((df.a == 1) & df.b.isin(...)), date + timedelta */
            static const struct { int op; const char *name, *rname; } ops[] = {
                {KR_OP_BITAND, "__and__", NULL}, {KR_OP_BITOR, "__or__", NULL},
                {KR_OP_ADD, "__add__", "__radd__"}, {KR_OP_SUB, "__sub__", NULL},
                {KR_OP_MUL, "__mul__", "__mul__"},
            };
            bool handled = false;
            size_t k;
            for (k = 0; k < KR_ARRAY_LEN(ops) && ops[k].op != n->op; k++)
                ;
            if (k < KR_ARRAY_LEN(ops) && a->type == KR_V_NS)
                rc = kr_mod_special(I, a, ops[k].name, &b, 1, out, &handled);
            else if (k < KR_ARRAY_LEN(ops) && ops[k].rname)
                rc = kr_mod_special(I, b, ops[k].rname, &a, 1, out, &handled);
            if (handled)
                return rc;
        }
        return kr_eval_binop(I, n->op, a, b, out);
    case KR_N_UNOP:
        rc = kr_eval_expr(I, n->a, &a);
        if (rc != KR_OK)
            return rc;
        I->site = n;
        if (a->type == KR_V_NS && n->op == KR_OP_INVERT) {
            bool handled;
            rc = kr_mod_special(I, a, "__invert__", NULL, 0, out, &handled);
            if (handled)
                return rc;
        }
        if (a->type == KR_V_INT || a->type == KR_V_BOOL) {
            int64_t x = a->type == KR_V_BOOL ? a->u.b : a->u.i;
            if (n->op == KR_OP_NEG) {
                if (x == INT64_MIN)
                    return overflow(I, KR_OP_SUB);
                x = -x;
            } else if (n->op == KR_OP_INVERT) {
                x = ~x;
            }
            *out = kr_value_int(I->A, x);
            return KR_OK;
        }
        if (a->type == KR_V_FLOAT && n->op != KR_OP_INVERT) {
            *out = kr_value_float(I->A, n->op == KR_OP_NEG ? -a->u.f : a->u.f);
            return KR_OK;
        }
        return kr_eval_error(I, "bad operand type for unary %s: '%s'",
                             n->op == KR_OP_NEG ? "-" : n->op == KR_OP_POS ? "+" : "~",
                             kr_value_type_name(a));
    case KR_N_NOT:
        rc = kr_eval_expr(I, n->a, &a);
        if (rc != KR_OK)
            return rc;
        *out = kr_value_bool(!kr_value_truthy(a));
        return KR_OK;
    case KR_N_AND:
    case KR_N_OR:
        rc = kr_eval_expr(I, n->a, &a);
        if (rc != KR_OK)
            return rc;
        if (kr_value_truthy(a) == (n->kind == KR_N_OR)) {
            *out = a;
            return KR_OK;
        }
        return kr_eval_expr(I, n->b, out);
    case KR_N_CMP:
        rc = kr_eval_expr(I, n->kids[0], &a);
        if (rc != KR_OK)
            return rc;
        for (i = 1; i < n->nkids; i++) {
            bool res;
            rc = kr_eval_expr(I, n->kids[i], &b);
            if (rc != KR_OK)
                return rc;
            I->site = n;
            if (n->nkids == 2 && a->type == KR_V_NS) {
                /* a pandas Series compares element by element */
                static const struct { int op; const char *name; } cmps[] = {
                    {KR_OP_EQ, "__eq__"}, {KR_OP_NE, "__ne__"}, {KR_OP_LT, "__lt__"},
                    {KR_OP_LE, "__le__"}, {KR_OP_GT, "__gt__"}, {KR_OP_GE, "__ge__"},
                };
                bool handled = false;
                size_t k;
                for (k = 0; k < KR_ARRAY_LEN(cmps) && cmps[k].op != n->ops[0]; k++)
                    ;
                if (k < KR_ARRAY_LEN(cmps))
                    rc = kr_mod_special(I, a, cmps[k].name, &b, 1, out, &handled);
                if (handled)
                    return rc;
            }
            rc = compare_op(I, n->ops[i - 1], a, b, &res);
            if (rc != KR_OK)
                return rc;
            if (!res) {
                *out = kr_value_bool(false);
                return KR_OK;
            }
            a = b;
        }
        *out = kr_value_bool(true);
        return KR_OK;
    case KR_N_COND:
        rc = kr_eval_expr(I, n->b, &v);
        if (rc != KR_OK)
            return rc;
        return kr_eval_expr(I, kr_value_truthy(v) ? n->a : n->c, out);
    case KR_N_LAMBDA:
        return make_function(I, n, NULL, out);
    case KR_N_CALL: {
        struct kr_callargs args;
        rc = kr_eval_expr(I, n->a, &v);
        if (rc != KR_OK)
            return rc;
        rc = collect_args(I, n, &args);
        if (rc != KR_OK)
            return rc;
        return kr_eval_call(I, v, &args, n, out);
    }
    case KR_N_ATTR:
        rc = kr_eval_expr(I, n->a, &a);
        if (rc != KR_OK)
            return rc;
        I->site = n;
        return kr_eval_getattr(I, a, n->str, out);
    case KR_N_INDEX:
        rc = kr_eval_expr(I, n->a, &a);
        if (rc != KR_OK)
            return rc;
        if (n->b->kind == KR_N_SLICE)
            return eval_slice(I, a, n->b, out);
        rc = kr_eval_expr(I, n->b, &b);
        if (rc != KR_OK)
            return rc;
        I->site = n;
        return kr_eval_getitem(I, a, b, out);
    case KR_N_LISTCOMP: case KR_N_SETCOMP: case KR_N_GENEXP: case KR_N_DICTCOMP:
        return eval_comp(I, n, out);
    case KR_N_STARRED:
        return kr_eval_error_at(I, n, "can't use starred expression here");
    default:
        return kr_eval_error_at(I, n, "unsupported expression (%s)", kr_node_kind_name(n->kind));
    }
}

/* ---- assignment ---- */

static int setitem(struct kr_interp *I, struct kr_value *obj, struct kr_value *key,
                   struct kr_value *v)
{
    size_t i;
    int rc;
    switch (obj->type) {
    case KR_V_LIST:
        rc = norm_index(I, key, obj->u.list.len, "list assignment", &i);
        if (rc != KR_OK)
            return rc;
        obj->u.list.items[i] = v;
        return KR_OK;
    case KR_V_DICT:
        if (!kr_value_hashable(key))
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "unhashable type: '%s'", kr_value_type_name(key)));
        kr_dict_set(I->A, obj->u.dict, key, v);
        return KR_OK;
    default:
        return kr_eval_error(I, "'%s' object does not support item assignment",
                             kr_value_type_name(obj));
    }
}

static int assign(struct kr_interp *I, const struct kr_node *t, struct kr_value *v)
{
    struct kr_value *obj, *key, **items;
    size_t n, i;
    int rc;
    switch (t->kind) {
    case KR_N_NAME:
        set_name(I, t->str, v);
        return KR_OK;
    case KR_N_TUPLE:
    case KR_N_LIST:
        I->site = t;
        rc = kr_eval_iter(I, v, &items, &n);
        if (rc != KR_OK)
            return rc;
        if (n != t->nkids)
            return kr_eval_error_at(I, t, n < t->nkids
                                    ? "not enough values to unpack (expected %u, got %zu)"
                                    : "too many values to unpack (expected %u, got %zu)",
                                    t->nkids, n);
        for (i = 0; i < n; i++) {
            rc = assign(I, t->kids[i], items[i]);
            if (rc != KR_OK)
                return rc;
        }
        return KR_OK;
    case KR_N_INDEX:
        rc = kr_eval_expr(I, t->a, &obj);
        if (rc != KR_OK)
            return rc;
        if (t->b->kind == KR_N_SLICE)
            return kr_eval_error_at(I, t, "slice assignment is not supported");
        rc = kr_eval_expr(I, t->b, &key);
        if (rc != KR_OK)
            return rc;
        I->site = t;
        return setitem(I, obj, key, v);
    case KR_N_ATTR: {
        /* only builtin objects that define it (a pandas Index's names, a
         * DataFrame's index): rule-file objects stay immutable */
        struct kr_value *args[2], *res;
        bool handled;
        rc = kr_eval_expr(I, t->a, &obj);
        if (rc != KR_OK)
            return rc;
        args[0] = kr_value_cstr(I->A, t->str);
        args[1] = v;
        I->site = t;
        rc = kr_mod_special(I, obj, "__setattr__", args, 2, &res, &handled);
        if (!handled)
            return kr_eval_error_at(I, t, "cannot assign to attribute '%s'", t->str);
        return rc;
    }
    default:
        return kr_eval_error_at(I, t, "cannot assign to this expression");
    }
}

/* ---- statements ---- */

static int exec_block(struct kr_interp *I, const struct kr_node *blk)
{
    uint32_t i;
    int rc;
    if (!blk)
        return KR_OK;
    if (blk->kind != KR_N_BLOCK && blk->kind != KR_N_MODULE)
        return exec_stmt(I, blk);
    for (i = 0; i < blk->nkids; i++) {
        rc = exec_stmt(I, blk->kids[i]);
        if (rc != KR_OK)
            return rc;
    }
    return KR_OK;
}

static int exec_augassign(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_value *cur, *rhs, *res, *obj = NULL, *key = NULL;
    const struct kr_node *t = n->a;
    int rc;
    if (t->kind == KR_N_NAME) {
        cur = lookup(I, t->str);
        if (!cur)
            return undefined_name(I, t);
    } else if (t->kind == KR_N_INDEX && t->b->kind != KR_N_SLICE) {
        rc = kr_eval_expr(I, t->a, &obj);
        if (rc != KR_OK)
            return rc;
        rc = kr_eval_expr(I, t->b, &key);
        if (rc != KR_OK)
            return rc;
        I->site = t;
        rc = kr_eval_getitem(I, obj, key, &cur);
        if (rc != KR_OK)
            return rc;
    } else {
        return kr_eval_error_at(I, t, "illegal target for augmented assignment");
    }
    rc = kr_eval_expr(I, n->b, &rhs);
    if (rc != KR_OK)
        return rc;
    I->site = n;
    if (n->op == KR_OP_ADD && cur->type == KR_V_LIST) {
        /* list += iterable extends in place */
        struct kr_value **items;
        size_t k, m;
        rc = kr_eval_iter(I, rhs, &items, &m);
        if (rc != KR_OK)
            return rc;
        for (k = 0; k < m; k++)
            kr_list_push(I->A, cur, items[k]);
        return KR_OK;
    }
    rc = kr_eval_binop(I, n->op, cur, rhs, &res);
    if (rc != KR_OK)
        return rc;
    if (t->kind == KR_N_NAME) {
        set_name(I, t->str, res);
        return KR_OK;
    }
    return setitem(I, obj, key, res);
}

static int exec_import(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_value *mod;
    int rc;
    uint32_t i;
    I->site = n;
    rc = kr_builtins_import(I, n->str, &mod);
    if (rc != KR_OK)
        return rc;
    if (n->kind == KR_N_IMPORT) {
        if (n->b) {
            set_name(I, n->b->str, mod);
        } else {
            /* `import os.path` binds `os` */
            char top[128];
            const char *dot = strchr(n->str, '.');
            size_t len = dot ? (size_t)(dot - n->str) : strlen(n->str);
            struct kr_value *topmod;
            if (len >= sizeof top)
                len = sizeof top - 1;
            memcpy(top, n->str, len);
            top[len] = '\0';
            rc = kr_builtins_import(I, top, &topmod);
            if (rc != KR_OK)
                return rc;
            set_name(I, top, topmod);
        }
        return KR_OK;
    }
    for (i = 0; i < n->nkids; i++) {
        const struct kr_node *nm = n->kids[i];
        struct kr_value *v;
        if (!strcmp(nm->str, "*")) {
            size_t j;
            if (mod->type != KR_V_NS)
                continue;
            for (j = 0; j < mod->u.ns.attrs->n; j++)
                if (mod->u.ns.attrs->keys[j])
                    set_name(I, mod->u.ns.attrs->keys[j]->u.str.s, mod->u.ns.attrs->vals[j]);
            continue;
        }
        I->site = nm;
        rc = kr_eval_getattr(I, mod, nm->str, &v);
        if (rc != KR_OK) {
            if (kr_mod_is_builtin(mod))
                return rc;  /* "krait does not support 'itertools.groupby' yet" */
            return kr_eval_error_at(I, nm, "cannot import name '%s' from '%s'", nm->str, n->str);
        }
        set_name(I, nm->a ? nm->a->str : nm->str, v);
    }
    return KR_OK;
}

/* ---- raise, try, while, with ---- */

static int exec_raise(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_value *v;
    struct kr_buf b = KR_BUF_INIT;
    const char *cls;
    int rc;
    if (!n->a) {
        if (!I->handling)
            return kr_exc_tag(I, "RuntimeError", NULL,
                              kr_eval_error_at(I, n, "No active exception to reraise"));
        *I->err = I->handling->err;
        I->exc_cls = I->handling->cls;
        I->exc_val = I->handling->val;
        return KR_EEVAL;
    }
    rc = kr_eval_expr(I, n->a, &v);
    if (rc != KR_OK)
        return rc;
    cls = kr_exc_class_of(v);
    if (cls)
        v = kr_exc_new(I, cls, NULL);
    else if (!kr_exc_is(v))
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error_at(I, n->a, "exceptions must derive from BaseException "
                                           "(raise ValueError(\"message\") for example), not "
                                           "'%s'", kr_value_type_name(v)));
    kr_exc_str_buf(v, &b);
    if (b.len)
        rc = kr_eval_error_at(I, n, "%s: %s", v->u.ns.name, kr_buf_cstr(&b));
    else
        rc = kr_eval_error_at(I, n, "%s", v->u.ns.name);
    kr_buf_free(&b);
    I->exc_cls = v->u.ns.name;
    I->exc_val = v;
    return rc;
}

/* Whether the except clause `h` catches exception class `cls`. */
static int except_matches(struct kr_interp *I, const struct kr_node *h, const char *cls,
                          bool *match)
{
    struct kr_value *v, **alts, *one[1];
    size_t n, i;
    int rc;
    *match = false;
    if (!h->a) {
        *match = true;
        return KR_OK;
    }
    rc = kr_eval_expr(I, h->a, &v);
    if (rc != KR_OK)
        return rc;
    if (v->type == KR_V_TUPLE) {
        alts = v->u.list.items;
        n = v->u.list.len;
    } else {
        one[0] = v;
        alts = one;
        n = 1;
    }
    for (i = 0; i < n; i++) {
        const char *c = kr_exc_class_of(alts[i]);
        if (!c)
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error_at(I, h->a, "catching classes that do not inherit "
                                               "from BaseException is not allowed ('%s')",
                                               kr_value_type_name(alts[i])));
        if (kr_exc_subclass(cls, c))
            *match = true;
    }
    return KR_OK;
}

/* Run the first except clause of `n` that catches the error in I->err, if
 * any; otherwise leave the error as it was. */
static int handle_exception(struct kr_interp *I, const struct kr_node *n, int rc)
{
    struct kr_exc_handling *h = kr_arena_zalloc(I->A, sizeof *h);
    uint32_t i;
    bool match;
    int mrc;
    h->err = *I->err;
    h->cls = I->exc_cls;
    h->val = I->exc_val;
    for (i = 0; i < n->nkids; i++) {
        const struct kr_node *ex = n->kids[i];
        mrc = except_matches(I, ex, h->cls, &match);
        if (mrc != KR_OK)
            return mrc;
        if (!match)
            continue;
        if (ex->str)
            set_name(I, ex->str, h->val);
        kr_error_clear(I->err);
        I->exc_cls = NULL;
        I->exc_val = NULL;
        h->outer = I->handling;
        I->handling = h;
        rc = exec_block(I, ex->b);
        I->handling = h->outer;
        return rc;
    }
    *I->err = h->err;
    I->exc_cls = h->cls;
    I->exc_val = h->val;
    return rc;
}

static int exec_try(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_error *saved;
    const char *cls;
    struct kr_value *val, *ret;
    int rc = exec_block(I, n->a), frc;
    if (rc < 0 && I->exc_cls && n->nkids)
        rc = handle_exception(I, n, rc);
    else if (rc == KR_OK && n->b)
        rc = exec_block(I, n->b);
    if (!n->c)
        return rc;
    /* finally: runs in every case; its own error or jump wins */
    saved = rc < 0 ? kr_arena_alloc(I->A, sizeof *saved) : NULL;
    if (saved)
        *saved = *I->err;
    cls = I->exc_cls;
    val = I->exc_val;
    ret = I->retval;
    frc = exec_block(I, n->c);
    if (frc != KR_OK)
        return frc;
    if (saved)
        *I->err = *saved;
    I->exc_cls = cls;
    I->exc_val = val;
    I->retval = ret;
    return rc;
}

static int exec_while(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_value *v;
    int rc;
    for (;;) {
        STEP(I);
        rc = kr_eval_expr(I, n->a, &v);
        if (rc != KR_OK)
            return rc;
        if (!kr_value_truthy(v))
            return KR_OK;
        rc = exec_block(I, n->b);
        if (rc == SIG_BREAK)
            return KR_OK;
        if (rc != KR_OK && rc != SIG_CONTINUE)
            return rc;
    }
}

static int exec_with(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_value *v;
    int rc = kr_eval_expr(I, n->a, &v);
    if (rc != KR_OK)
        return rc;
    if (!kr_file_is(v))
        return kr_eval_error_at(I, n->a, "krait does not support 'with' on a value of type '%s' yet: only "
                                "'with open(path) as f:' (reading) works outside run:",
                                kr_value_type_name(v));
    if (n->str)
        set_name(I, n->str, v);
    return exec_block(I, n->b);
}

static int exec_stmt(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_value *v, **items;
    size_t cnt, k;
    uint32_t i;
    int rc;
    STEP(I);
    I->site = n;
    switch (n->kind) {
    case KR_N_EXPR:
        return kr_eval_expr(I, n->a, &v);
    case KR_N_ASSIGN:
        rc = kr_eval_expr(I, n->b, &v);
        if (rc != KR_OK)
            return rc;
        rc = assign(I, n->a, v);
        if (rc != KR_OK)
            return rc;
        for (i = 0; i < n->nkids; i++) {
            rc = assign(I, n->kids[i], v);
            if (rc != KR_OK)
                return rc;
        }
        return KR_OK;
    case KR_N_AUGASSIGN:
        return exec_augassign(I, n);
    case KR_N_IF:
        for (i = 0; i + 1 < n->nkids; i += 2) {
            rc = kr_eval_expr(I, n->kids[i], &v);
            if (rc != KR_OK)
                return rc;
            if (kr_value_truthy(v))
                return exec_block(I, n->kids[i + 1]);
        }
        return n->c ? exec_block(I, n->c) : KR_OK;
    case KR_N_FOR:
        rc = kr_eval_expr(I, n->b, &v);
        if (rc != KR_OK)
            return rc;
        I->site = n->b;
        rc = kr_eval_iter(I, v, &items, &cnt);
        if (rc != KR_OK)
            return rc;
        for (k = 0; k < cnt; k++) {
            rc = assign(I, n->a, items[k]);
            if (rc != KR_OK)
                return rc;
            rc = exec_block(I, n->c);
            if (rc == SIG_BREAK)
                break;
            if (rc == SIG_CONTINUE)
                continue;
            if (rc != KR_OK)
                return rc;
        }
        return KR_OK;
    case KR_N_DEF:
        rc = make_function(I, n, n->str, &v);
        if (rc != KR_OK)
            return rc;
        set_name(I, n->str, v);
        return KR_OK;
    case KR_N_RETURN:
        if (!I->scope)
            return kr_eval_error_at(I, n, "'return' outside function");
        if (n->a) {
            rc = kr_eval_expr(I, n->a, &v);
            if (rc != KR_OK)
                return rc;
        } else {
            v = kr_value_none();
        }
        I->retval = v;
        return SIG_RETURN;
    case KR_N_YIELD:
        if (!I->yielded)
            return kr_eval_error_at(I, n, "'yield' outside function");
        if (!n->a) {
            kr_list_push(I->A, I->yielded, kr_value_none());
            return KR_OK;
        }
        rc = kr_eval_expr(I, n->a, &v);
        if (rc != KR_OK)
            return rc;
        if (n->flags & 1) {
            struct kr_value *into = I->yielded;
            rc = kr_eval_iter(I, v, &items, &cnt);
            if (rc != KR_OK)
                return rc;
            for (k = 0; k < cnt; k++)
                kr_list_push(I->A, into, items[k]);
            return KR_OK;
        }
        kr_list_push(I->A, I->yielded, v);
        return KR_OK;
    case KR_N_PASS:
        return KR_OK;
    case KR_N_BREAK:
        return SIG_BREAK;
    case KR_N_CONTINUE:
        return SIG_CONTINUE;
    case KR_N_ASSERT:
        rc = kr_eval_expr(I, n->a, &v);
        if (rc != KR_OK)
            return rc;
        if (kr_value_truthy(v))
            return KR_OK;
        if (n->b) {
            rc = kr_eval_expr(I, n->b, &v);
            if (rc != KR_OK)
                return rc;
            return kr_eval_error_at(I, n, "assertion failed: %s", kr_value_to_str(I->A, v));
        }
        return kr_eval_error_at(I, n, "assertion failed");
    case KR_N_IMPORT:
    case KR_N_FROMIMPORT:
        return exec_import(I, n);
    case KR_N_GLOBAL:
        if (!I->scope)
            return KR_OK;
        if (!I->scope->global_names)
            I->scope->global_names = kr_dict_new(I->A);
        for (i = 0; i < n->nkids; i++)
            kr_dict_sets(I->A, I->scope->global_names, n->kids[i]->str, kr_value_bool(true));
        return KR_OK;
    case KR_N_DEL:
        for (i = 0; i < n->nkids; i++) {
            const struct kr_node *t = n->kids[i];
            if (t->kind == KR_N_NAME) {
                struct kr_dict *d = I->scope ? I->scope->vars : I->globals;
                struct kr_value key = {.type = KR_V_STR};
                key.u.str.s = (char *)t->str;
                key.u.str.len = strlen(t->str);
                if (!kr_dict_del(d, &key))
                    return undefined_name(I, t);
            } else if (t->kind == KR_N_INDEX && t->b->kind != KR_N_SLICE) {
                struct kr_value *obj, *key;
                rc = kr_eval_expr(I, t->a, &obj);
                if (rc != KR_OK)
                    return rc;
                rc = kr_eval_expr(I, t->b, &key);
                if (rc != KR_OK)
                    return rc;
                I->site = t;
                if (obj->type == KR_V_DICT) {
                    if (!kr_dict_del(obj->u.dict, key))
                        return key_error(I, obj, obj->u.dict, key);
                } else if (obj->type == KR_V_LIST) {
                    size_t at;
                    rc = norm_index(I, key, obj->u.list.len, "list", &at);
                    if (rc != KR_OK)
                        return rc;
                    memmove(obj->u.list.items + at, obj->u.list.items + at + 1,
                            (obj->u.list.len - at - 1) * sizeof *obj->u.list.items);
                    obj->u.list.len--;
                } else {
                    return kr_eval_error(I, "'%s' object doesn't support item deletion",
                                         kr_value_type_name(obj));
                }
            } else {
                return kr_eval_error_at(I, t, "cannot delete this expression");
            }
        }
        return KR_OK;
    case KR_N_BLOCK:
        return exec_block(I, n);
    case KR_N_RAISE:
        return exec_raise(I, n);
    case KR_N_TRY:
        return exec_try(I, n);
    case KR_N_WHILE:
        return exec_while(I, n);
    case KR_N_WITH:
        return exec_with(I, n);
    case KR_N_RULE:
        if (I->scope)
            return kr_eval_error_at(I, n, "rules cannot be defined inside a function");
        return kr_wf_add_rule(I, n);
    case KR_N_USERULE:
        return kr_wf_use_rule(I, n);
    case KR_N_MODDEF:
        if (I->scope)
            return kr_eval_error_at(I, n, "modules cannot be defined inside a function");
        return kr_mod_define(I, n);
    case KR_N_TOPDIR:
        return kr_wf_topdir(I, n);
    default:
        return kr_eval_error_at(I, n, "unsupported statement (%s)", kr_node_kind_name(n->kind));
    }
}

/* ---- several errors per load ---- */

#define MAX_ERRORS 20

/* Mark the names that statement `n` would have bound (assignment targets,
 * def, import, for, with and except names, also inside its blocks) as
 * poisoned: their definition failed. */
static void poison(struct kr_interp *I, const struct kr_node *n)
{
    uint32_t i;
    if (!n)
        return;
    switch (n->kind) {
    case KR_N_NAME:
        kr_dict_sets(I->A, I->poisoned, n->str, kr_value_bool(true));
        return;
    case KR_N_TUPLE: case KR_N_LIST:
        for (i = 0; i < n->nkids; i++)
            poison(I, n->kids[i]);
        return;
    case KR_N_STARRED:
        poison(I, n->a);
        return;
    case KR_N_ASSIGN:
        poison(I, n->a);
        for (i = 0; i < n->nkids; i++)
            poison(I, n->kids[i]);
        return;
    case KR_N_AUGASSIGN:
        poison(I, n->a);
        return;
    case KR_N_DEF:
        kr_dict_sets(I->A, I->poisoned, n->str, kr_value_bool(true));
        return;
    case KR_N_IMPORT: {
        const char *dot = strchr(n->str, '.');
        kr_dict_sets(I->A, I->poisoned, n->b ? n->b->str :
                     dot ? kr_arena_printf(I->A, "%.*s", (int)(dot - n->str), n->str) : n->str,
                     kr_value_bool(true));
        return;
    }
    case KR_N_FROMIMPORT:
        for (i = 0; i < n->nkids; i++)
            kr_dict_sets(I->A, I->poisoned, n->kids[i]->a ? n->kids[i]->a->str
                         : n->kids[i]->str, kr_value_bool(true));
        return;
    case KR_N_FOR:
        poison(I, n->a);
        poison(I, n->c);
        return;
    case KR_N_WITH: case KR_N_EXCEPT:
        if (n->str)
            kr_dict_sets(I->A, I->poisoned, n->str, kr_value_bool(true));
        poison(I, n->b);
        return;
    case KR_N_WHILE:
        poison(I, n->b);
        return;
    case KR_N_TOPDIR:   /* a failed include: may have defined any name */
        if (n->str && !strcmp(n->str, "include"))
            I->include_failed = true;
        return;
    case KR_N_MODDEF:   /* "module NAME" cannot clash with a Python name */
        kr_dict_sets(I->A, I->poisoned, kr_arena_printf(I->A, "module %s", n->str),
                     kr_value_bool(true));
        return;
    case KR_N_IF: case KR_N_TRY: case KR_N_BLOCK:
        for (i = 0; i < n->nkids; i++)
            poison(I, n->kids[i]);
        poison(I, n->a);
        poison(I, n->b);
        poison(I, n->c);
        return;
    default:
        return;
    }
}

static int cmp_errors(const void *pa, const void *pb)
{
    const struct kr_error *a = *(struct kr_error *const *)pa, *b = *(struct kr_error *const *)pb;
    int c = strcmp(a->file, b->file);
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return a->col < b->col ? -1 : a->col > b->col;
}

/* Put the collected errors (in location order) into I->err: the last one
 * as the error itself, the others formatted into its `before`. */
static void merge_errors(struct kr_interp *I, struct kr_vec *errs)
{
    struct kr_buf b = KR_BUF_INIT;
    char line[2048];
    size_t i;
    /* sort by location; equal locations keep their order (insertion index
     * breaks ties because qsort is not stable) */
    for (i = 1; i < errs->len; i++) {
        size_t j = i;
        while (j > 0 && cmp_errors(&errs->items[j - 1], &errs->items[j]) > 0) {
            void *t = errs->items[j];
            errs->items[j] = errs->items[j - 1];
            errs->items[j - 1] = t;
            j--;
        }
    }
    for (i = 0; i + 1 < errs->len; i++) {
        const struct kr_error *e = errs->items[i];
        kr_error_format(e, line, sizeof line);
        kr_buf_printf(&b, "%s\n", line);
        if (e->context[0]) {
            kr_buf_puts(&b, e->context);
            if (e->context[strlen(e->context) - 1] != '\n')
                kr_buf_putc(&b, '\n');
        }
    }
    *I->err = *(struct kr_error *)errs->items[errs->len - 1];
    I->err->nerrors = (int)errs->len;
    snprintf(I->err->before, sizeof I->err->before, "%s", kr_buf_cstr(&b));
    kr_buf_free(&b);
}

/*
 * The statements of the top-level rule file, going on after an error so
 * that one run reports every independent error (up to MAX_ERRORS): a failed
 * statement's names are poisoned, and errors that only follow from those
 * are not reported. The evaluation budget running out stops at once.
 */
static int exec_toplevel(struct kr_interp *I, const struct kr_node *m)
{
    struct kr_vec errs = KR_VEC_INIT;
    uint32_t i;
    int rc = KR_OK, first = KR_OK;
    size_t k;
    for (i = 0; i < m->nkids; i++) {
        rc = exec_stmt(I, m->kids[i]);
        if (rc >= 0 && rc != KR_OK)
            break;                          /* return/break/continue: the caller says */
        if (rc == KR_OK)
            continue;
        if (first == KR_OK)
            first = rc;
        if (!I->cascade) {
            struct kr_error *e = kr_malloc(sizeof *e);
            *e = *I->err;
            kr_vec_push(&errs, e);
        }
        if (I->steps > I->max_steps || I->A->total > I->max_bytes || errs.len >= MAX_ERRORS)
            break;
        if (!I->poisoned)
            I->poisoned = kr_dict_new(I->A);
        poison(I, m->kids[i]);
        kr_error_clear(I->err);
        rc = KR_OK;
    }
    if (errs.len) {
        merge_errors(I, &errs);
        rc = first;
    }
    for (k = 0; k < errs.len; k++)
        kr_free(errs.items[k]);
    kr_vec_free(&errs);
    return rc;
}

/* workflow.current_basedir: the absolute directory of the rule file being
 * evaluated (Snakemake's), updated as include: enters and leaves files. */
static void set_current_basedir(struct kr_interp *I)
{
    struct kr_value *wf = kr_dict_gets(I->globals, "workflow");
    const char *d = kr_eval_current_dir(I);
    char cwd[PATH_MAX];
    if (!wf || wf->type != KR_V_NS || !I->includes_dirs.len)
        return;
    if (d[0] != '/' && getcwd(cwd, sizeof cwd))
        d = strcmp(d, ".") ? kr_arena_printf(I->A, "%s/%s", cwd, d) : kr_arena_strdup(I->A, cwd);
    kr_dict_sets(I->A, wf->u.ns.attrs, "current_basedir", kr_value_cstr(I->A, d));
}

int kr_eval_module(struct kr_interp *I, const struct kr_node *module, const char *dir)
{
    struct kr_value *wf = kr_dict_gets(I->globals, "workflow"), *outer_file = NULL;
    int rc;
    kr_vec_push(&I->includes_dirs, kr_strdup(dir ? dir : "."));
    set_current_basedir(I);
    /* workflow.snakefile: the file being evaluated (Snakemake's is the
     * calling file), the including one again afterwards */
    if (wf && wf->type == KR_V_NS && module->file < I->srcs->n) {
        outer_file = kr_dict_gets(wf->u.ns.attrs, "snakefile");
        kr_dict_sets(I->A, wf->u.ns.attrs, "snakefile",
                     kr_value_cstr(I->A, I->srcs->files[module->file].path));
    }
    /* only the top-level file goes on after errors: an included file stops
     * at its first, which its include: statement then reports */
    if (module->kind == KR_N_MODULE)
        kr_wf_pyctx_note(I, module);
    if (I->includes_dirs.len == 1 && !I->scope && module->kind == KR_N_MODULE)
        rc = exec_toplevel(I, module);
    else
        rc = exec_block(I, module);
    if (rc == SIG_BREAK || rc == SIG_CONTINUE)
        rc = kr_eval_error_at(I, I->site, "'break' or 'continue' outside loop");
    else if (rc == SIG_RETURN)
        rc = kr_eval_error_at(I, I->site, "'return' outside function");
    kr_free(I->includes_dirs.items[--I->includes_dirs.len]);
    set_current_basedir(I);
    if (outer_file)
        kr_dict_sets(I->A, wf->u.ns.attrs, "snakefile", outer_file);
    return rc;
}
