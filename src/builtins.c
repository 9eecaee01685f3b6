/*
 * builtins.c - Python's builtin functions as the rule language offers them
 * (len, range, sorted, min, max, sum, str, int, list, dict, zip, print ...),
 * attribute lookup for every value type, and `import` with a specific hint
 * for each module krait deliberately does not provide (pandas, yaml, json,
 * subprocess ...). Methods of str/list/dict live in builtin-methods.c; the
 * Snakemake builtins in builtin-smk.c; os and glob in builtin-os.c.
 */
#include "eval.h"
#include "mod.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- argument helpers ---- */

int kr_args_check(struct kr_interp *I, const char *fname, const struct kr_callargs *a,
                  size_t min, size_t max)
{
    if (a->npos < min) {
        if (min == max)
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "%s() takes exactly %zu argument%s (%zu given)", fname, min,
                                 min == 1 ? "" : "s", a->npos));
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "%s() takes at least %zu argument%s (%zu given)", fname, min,
                             min == 1 ? "" : "s", a->npos));
    }
    if (a->npos > max) {
        if (min == max)
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "%s() takes exactly %zu argument%s (%zu given)", fname, max,
                                 max == 1 ? "" : "s", a->npos));
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "%s() takes at most %zu argument%s (%zu given)", fname, max,
                             max == 1 ? "" : "s", a->npos));
    }
    return KR_OK;
}

struct kr_value *kr_args_kw(const struct kr_callargs *a, const char *name)
{
    size_t i;
    for (i = 0; i < a->nkw; i++)
        if (!strcmp(a->kwnames[i], name))
            return a->kwvals[i];
    return NULL;
}

/* Reject keyword arguments other than the allowed ones (NULL-terminated). */
static int kw_only(struct kr_interp *I, const char *fname, const struct kr_callargs *a,
                   const char *const *allowed)
{
    size_t i, j;
    for (i = 0; i < a->nkw; i++) {
        bool ok = false;
        for (j = 0; allowed && allowed[j]; j++)
            if (!strcmp(allowed[j], a->kwnames[i]))
                ok = true;
        if (!ok)
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "%s() got an unexpected keyword argument '%s'", fname,
                                 a->kwnames[i]));
    }
    return KR_OK;
}

#define NOKW(name) do { int rc_ = kw_only(I, name, a, NULL); if (rc_) return rc_; } while (0)

static int need_int(struct kr_interp *I, struct kr_value *v, const char *what, int64_t *out)
{
    if (v->type == KR_V_INT) {
        *out = v->u.i;
        return KR_OK;
    }
    if (v->type == KR_V_BOOL) {
        *out = v->u.b;
        return KR_OK;
    }
    return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "%s: an integer is required, not '%s'", what, kr_value_type_name(v)));
}

/* ---- builtin functions ---- */

static int bi_len(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    struct kr_value *v;
    int64_t n;
    int rc;
    NOKW("len");
    rc = kr_args_check(I, "len", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    v = a->pos[0];
    switch (v->type) {
    case KR_V_STR: n = (int64_t)v->u.str.len; break;
    case KR_V_LIST: case KR_V_TUPLE: n = (int64_t)v->u.list.len; break;
    case KR_V_DICT: case KR_V_SET: n = (int64_t)v->u.dict->live; break;
    case KR_V_NAMED: n = (int64_t)v->u.named.len; break;
    case KR_V_NS: {
        struct kr_value *r;
        bool handled;
        rc = kr_mod_special(I, v, "__len__", NULL, 0, &r, &handled);
        if (handled) {
            if (rc == KR_OK)
                *out = r;
            return rc;
        }
        n = (int64_t)v->u.ns.attrs->live;
        break;
    }
    default:
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "object of type '%s' has no len()", kr_value_type_name(v)));
    }
    *out = kr_value_int(I->A, n);
    return KR_OK;
}

static int bi_range(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                    struct kr_value **out)
{
    int64_t start = 0, stop = 0, step = 1, i, count;
    struct kr_value *res;
    int rc;
    NOKW("range");
    rc = kr_args_check(I, "range", a, 1, 3);
    if (rc != KR_OK)
        return rc;
    if (a->npos == 1) {
        rc = need_int(I, a->pos[0], "range()", &stop);
        if (rc != KR_OK)
            return rc;
    } else {
        rc = need_int(I, a->pos[0], "range()", &start);
        if (rc == KR_OK)
            rc = need_int(I, a->pos[1], "range()", &stop);
        if (rc != KR_OK)
            return rc;
        if (a->npos == 3) {
            rc = need_int(I, a->pos[2], "range()", &step);
            if (rc != KR_OK)
                return rc;
        }
    }
    if (step == 0)
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "range() arg 3 must not be zero"));
    if (step > 0)
        count = stop > start ? (int64_t)(((uint64_t)stop - (uint64_t)start - 1) / (uint64_t)step + 1) : 0;
    else
        count = start > stop ? (int64_t)(((uint64_t)start - (uint64_t)stop - 1) / (uint64_t)(-step) + 1) : 0;
    if (count > 10 * 1000 * 1000)
        return kr_eval_error(I, "range() of %lld items is too large for the rule language",
                             (long long)count);
    res = kr_value_list(I->A, (size_t)count);
    for (i = 0; i < count; i++)
        kr_list_push(I->A, res, kr_value_int(I->A, start + i * step));
    I->steps += count;
    *out = res;
    return KR_OK;
}

/* Stable merge sort of (key, value) pairs with a fallible comparator. */
struct sortctx {
    struct kr_interp *I;
    bool reverse;
    int rc;
};

static bool sort_less(struct sortctx *c, struct kr_value *x, struct kr_value *y)
{
    int cmp = 0;
    if (c->rc)
        return false;
    if (!kr_value_compare(x, y, &cmp)) {
        c->rc = kr_exc_tag(c->I, "TypeError", NULL, kr_eval_error(c->I, "'<' not supported between instances of '%s' and '%s'",
                              kr_value_type_name(x), kr_value_type_name(y)));
        return false;
    }
    return c->reverse ? cmp > 0 : cmp < 0;
}

static void merge_sort(struct sortctx *c, struct kr_value **keys, struct kr_value **vals,
                       struct kr_value **tk, struct kr_value **tv, size_t n)
{
    size_t mid, i, j, k;
    if (n < 2)
        return;
    mid = n / 2;
    merge_sort(c, keys, vals, tk, tv, mid);
    merge_sort(c, keys + mid, vals + mid, tk, tv, n - mid);
    memcpy(tk, keys, n * sizeof *tk);
    memcpy(tv, vals, n * sizeof *tv);
    i = 0;
    j = mid;
    k = 0;
    while (i < mid && j < n) {
        /* take from the right only when strictly less: stability */
        if (sort_less(c, tk[j], tk[i])) {
            keys[k] = tk[j];
            vals[k++] = tv[j++];
        } else {
            keys[k] = tk[i];
            vals[k++] = tv[i++];
        }
    }
    while (i < mid) {
        keys[k] = tk[i];
        vals[k++] = tv[i++];
    }
    while (j < n) {
        keys[k] = tk[j];
        vals[k++] = tv[j++];
    }
}

/* Sort `items` (n) in place by key function `key` (may be NULL). */
int kr_builtins_sort(struct kr_interp *I, struct kr_value **items, size_t n,
                     struct kr_value *key, bool reverse)
{
    struct kr_value **keys, **tk, **tv;
    struct sortctx c = {I, reverse, KR_OK};
    size_t i;
    int rc;
    if (n < 2)
        return KR_OK;
    keys = kr_malloc(n * sizeof *keys);
    tk = kr_malloc(n * sizeof *tk);
    tv = kr_malloc(n * sizeof *tv);
    for (i = 0; i < n; i++) {
        if (key && key->type != KR_V_NONE) {
            struct kr_callargs ka = {0};
            ka.pos = &items[i];
            ka.npos = 1;
            rc = kr_eval_call(I, key, &ka, NULL, &keys[i]);
            if (rc) {
                c.rc = rc;
                goto out;
            }
        } else {
            keys[i] = items[i];
        }
    }
    merge_sort(&c, keys, items, tk, tv, n);
    I->steps += (long)n;
out:
    kr_free(keys);
    kr_free(tk);
    kr_free(tv);
    return c.rc;
}

static int bi_sorted(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    static const char *const kws[] = {"key", "reverse", NULL};
    struct kr_value **items, *res, *rev;
    size_t n, i;
    int rc;
    rc = kw_only(I, "sorted", a, kws);
    if (rc == KR_OK)
        rc = kr_args_check(I, "sorted", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    rev = kr_args_kw(a, "reverse");
    rc = kr_builtins_sort(I, items, n, kr_args_kw(a, "key"), rev && kr_value_truthy(rev));
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, n);
    for (i = 0; i < n; i++)
        kr_list_push(I->A, res, items[i]);
    *out = res;
    return KR_OK;
}

static int minmax(struct kr_interp *I, const struct kr_callargs *a, struct kr_value **out,
                  bool want_max)
{
    static const char *const kws[] = {"key", "default", NULL};
    const char *fname = want_max ? "max" : "min";
    struct kr_value **items, *key = kr_args_kw(a, "key"), *best = NULL, *bestk = NULL;
    size_t n, i;
    int rc;
    rc = kw_only(I, fname, a, kws);
    if (rc != KR_OK)
        return rc;
    if (a->npos == 0)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "%s expected at least 1 argument, got 0", fname));
    if (a->npos == 1) {
        rc = kr_eval_iter(I, a->pos[0], &items, &n);
        if (rc != KR_OK)
            return rc;
    } else {
        items = a->pos;
        n = a->npos;
    }
    for (i = 0; i < n; i++) {
        struct kr_value *k = items[i];
        int cmp;
        if (key) {
            struct kr_callargs ka = {0};
            ka.pos = &items[i];
            ka.npos = 1;
            rc = kr_eval_call(I, key, &ka, NULL, &k);
            if (rc != KR_OK)
                return rc;
        }
        if (!best) {
            best = items[i];
            bestk = k;
            continue;
        }
        if (!kr_value_compare(k, bestk, &cmp))
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "'%s' not supported between instances of '%s' and '%s'",
                                 want_max ? ">" : "<", kr_value_type_name(k),
                                 kr_value_type_name(bestk)));
        if (want_max ? cmp > 0 : cmp < 0) {
            best = items[i];
            bestk = k;
        }
    }
    if (!best) {
        struct kr_value *d = kr_args_kw(a, "default");
        if (d) {
            *out = d;
            return KR_OK;
        }
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "%s() arg is an empty sequence", fname));
    }
    *out = best;
    return KR_OK;
}

static int bi_min(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    return minmax(I, a, out, false);
}

static int bi_max(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    return minmax(I, a, out, true);
}

int kr_eval_binop(struct kr_interp *I, int op, struct kr_value *a, struct kr_value *b,
                  struct kr_value **out);

static int bi_sum(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    static const char *const kws[] = {"start", NULL};
    struct kr_value **items, *acc;
    size_t n, i;
    int rc;
    rc = kw_only(I, "sum", a, kws);
    if (rc == KR_OK)
        rc = kr_args_check(I, "sum", a, 1, 2);
    if (rc != KR_OK)
        return rc;
    acc = a->npos == 2 ? a->pos[1] : kr_args_kw(a, "start");
    if (!acc)
        acc = kr_value_int(I->A, 0);
    if (acc->type == KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "sum() can't sum strings [use ''.join(seq) instead]"));
    rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < n; i++) {
        rc = kr_eval_binop(I, KR_OP_ADD, acc, items[i], &acc);
        if (rc != KR_OK)
            return rc;
    }
    *out = acc;
    return KR_OK;
}

static int bi_abs(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    struct kr_value *v;
    int rc;
    NOKW("abs");
    rc = kr_args_check(I, "abs", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    v = a->pos[0];
    if (v->type == KR_V_INT || v->type == KR_V_BOOL) {
        int64_t x = v->type == KR_V_BOOL ? v->u.b : v->u.i;
        if (x == INT64_MIN)
            return kr_eval_error(I, "integer overflow in abs()");
        *out = kr_value_int(I->A, x < 0 ? -x : x);
        return KR_OK;
    }
    if (v->type == KR_V_FLOAT) {
        *out = kr_value_float(I->A, fabs(v->u.f));
        return KR_OK;
    }
    return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "bad operand type for abs(): '%s'", kr_value_type_name(v)));
}

static int bi_round(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                    struct kr_value **out)
{
    static const char *const kws[] = {"ndigits", NULL};
    struct kr_value *v, *nd;
    double f, r;
    int rc;
    rc = kw_only(I, "round", a, kws);
    if (rc == KR_OK)
        rc = kr_args_check(I, "round", a, 1, 2);
    if (rc != KR_OK)
        return rc;
    v = a->pos[0];
    nd = a->npos == 2 ? a->pos[1] : kr_args_kw(a, "ndigits");
    if (v->type == KR_V_INT || v->type == KR_V_BOOL) {
        *out = v->type == KR_V_BOOL ? kr_value_int(I->A, v->u.b) : v;
        return KR_OK;
    }
    if (v->type != KR_V_FLOAT)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "type %s doesn't define __round__ method", kr_value_type_name(v)));
    f = v->u.f;
    if (!nd || nd->type == KR_V_NONE) {
        if (!isfinite(f) || fabs(f) > 9.2e18)
            return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "cannot convert float %s to integer",
                                 isnan(f) ? "NaN" : "infinity"));
        *out = kr_value_int(I->A, (int64_t)nearbyint(f));
        return KR_OK;
    }
    if (nd->type != KR_V_INT)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "round(): ndigits must be an integer"));
    if (nd->u.i >= 0 && nd->u.i < 40 && isfinite(f)) {
        /* printf rounds the exact binary value half-to-even, as Python does */
        char buf[400];
        snprintf(buf, sizeof buf, "%.*f", (int)nd->u.i, f);
        r = strtod(buf, NULL);
    } else if (nd->u.i < 0 && nd->u.i > -300) {
        double p = pow(10.0, (double)-nd->u.i);
        r = nearbyint(f / p) * p;
    } else {
        r = f;
    }
    *out = kr_value_float(I->A, r);
    return KR_OK;
}

static int bi_str(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    int rc;
    NOKW("str");
    rc = kr_args_check(I, "str", a, 0, 1);
    if (rc != KR_OK)
        return rc;
    if (a->npos == 0) {
        *out = kr_value_str(I->A, "", 0);
        return KR_OK;
    }
    if (a->pos[0]->type == KR_V_STR) {
        /* str() drops IO flags */
        *out = a->pos[0]->flags ? kr_value_str_own(I->A, a->pos[0]->u.str.s, a->pos[0]->u.str.len)
                                : a->pos[0];
        return KR_OK;
    }
    *out = kr_value_cstr(I->A, kr_value_to_str(I->A, a->pos[0]));
    return KR_OK;
}

static int bi_repr(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                   struct kr_value **out)
{
    int rc;
    NOKW("repr");
    rc = kr_args_check(I, "repr", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    *out = kr_value_cstr(I->A, kr_value_to_repr(I->A, a->pos[0]));
    return KR_OK;
}

/* Parse a Python int literal from a string (base 10 or given base). */
int kr_builtins_parse_int(struct kr_interp *I, const char *s, size_t len, int base,
                          struct kr_value **out)
{
    char buf[128];
    char *end;
    long long x;
    size_t i = 0, j = 0;
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    while (len > i && isspace((unsigned char)s[len - 1]))
        len--;
    if (len - i == 0 || len - i >= sizeof buf)
        goto bad;
    for (; i < len; i++)
        if (s[i] != '_')
            buf[j++] = s[i];
    buf[j] = '\0';
    if (!isdigit((unsigned char)buf[j - 1]) && base <= 10)
        goto bad;
    errno = 0;
    x = strtoll(buf, &end, base);
    if (*end || end == buf)
        goto bad;
    if (errno == ERANGE)
        return kr_eval_error(I, "integer '%s' does not fit in 64 bits", buf);
    *out = kr_value_int(I->A, x);
    return KR_OK;
bad:
    return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "invalid literal for int() with base %d: '%.*s'", base, (int)len, s));
}

static int bi_int(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    static const char *const kws[] = {"base", NULL};
    struct kr_value *v, *bv;
    int64_t base = 10;
    int rc;
    rc = kw_only(I, "int", a, kws);
    if (rc == KR_OK)
        rc = kr_args_check(I, "int", a, 0, 2);
    if (rc != KR_OK)
        return rc;
    if (a->npos == 0) {
        *out = kr_value_int(I->A, 0);
        return KR_OK;
    }
    v = a->pos[0];
    bv = a->npos == 2 ? a->pos[1] : kr_args_kw(a, "base");
    if (bv) {
        rc = need_int(I, bv, "int() base", &base);
        if (rc != KR_OK)
            return rc;
    }
    switch (v->type) {
    case KR_V_INT: *out = v; return KR_OK;
    case KR_V_BOOL: *out = kr_value_int(I->A, v->u.b); return KR_OK;
    case KR_V_FLOAT:
        if (!isfinite(v->u.f) || fabs(v->u.f) >= 9.2e18)
            return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "cannot convert float %s to integer",
                                 isnan(v->u.f) ? "NaN" : "infinity"));
        *out = kr_value_int(I->A, (int64_t)v->u.f);
        return KR_OK;
    case KR_V_STR:
        if (base < 2 || base > 36)
            return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "int() base must be >= 2 and <= 36"));
        return kr_builtins_parse_int(I, v->u.str.s, v->u.str.len, (int)base, out);
    default:
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "int() argument must be a string or a number, not '%s'",
                             kr_value_type_name(v)));
    }
}

static int bi_float(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                    struct kr_value **out)
{
    struct kr_value *v;
    int rc;
    NOKW("float");
    rc = kr_args_check(I, "float", a, 0, 1);
    if (rc != KR_OK)
        return rc;
    if (a->npos == 0) {
        *out = kr_value_float(I->A, 0);
        return KR_OK;
    }
    v = a->pos[0];
    switch (v->type) {
    case KR_V_FLOAT: *out = v; return KR_OK;
    case KR_V_INT: *out = kr_value_float(I->A, (double)v->u.i); return KR_OK;
    case KR_V_BOOL: *out = kr_value_float(I->A, v->u.b); return KR_OK;
    case KR_V_STR: {
        char buf[128], *end;
        size_t i = 0, len = v->u.str.len;
        double f;
        while (i < len && isspace((unsigned char)v->u.str.s[i]))
            i++;
        while (len > i && isspace((unsigned char)v->u.str.s[len - 1]))
            len--;
        if (len - i == 0 || len - i >= sizeof buf)
            goto badf;
        memcpy(buf, v->u.str.s + i, len - i);
        buf[len - i] = '\0';
        f = strtod(buf, &end);
        if (*end)
            goto badf;
        *out = kr_value_float(I->A, f);
        return KR_OK;
    badf:
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "could not convert string to float: '%s'", v->u.str.s));
    }
    default:
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "float() argument must be a string or a number, not '%s'",
                             kr_value_type_name(v)));
    }
}

static int bi_bool(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                   struct kr_value **out)
{
    int rc;
    NOKW("bool");
    rc = kr_args_check(I, "bool", a, 0, 1);
    if (rc != KR_OK)
        return rc;
    *out = kr_value_bool(a->npos && kr_value_truthy(a->pos[0]));
    return KR_OK;
}

static int seq_ctor(struct kr_interp *I, const struct kr_callargs *a, const char *name,
                    struct kr_value *res, struct kr_value **out)
{
    struct kr_value **items;
    size_t n, i;
    int rc;
    NOKW(name);
    rc = kr_args_check(I, name, a, 0, 1);
    if (rc != KR_OK)
        return rc;
    if (a->npos) {
        rc = kr_eval_iter(I, a->pos[0], &items, &n);
        if (rc != KR_OK)
            return rc;
        for (i = 0; i < n; i++) {
            if (res->type == KR_V_SET) {
                if (!kr_value_hashable(items[i]))
                    return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "unhashable type: '%s'",
                                         kr_value_type_name(items[i])));
                kr_dict_set(I->A, res->u.dict, items[i], kr_value_none());
            } else {
                kr_list_push(I->A, res, items[i]);
            }
        }
    }
    *out = res;
    return KR_OK;
}

static int bi_list(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                   struct kr_value **out)
{
    return seq_ctor(I, a, "list", kr_value_list(I->A, 0), out);
}

static int bi_tuple(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                    struct kr_value **out)
{
    return seq_ctor(I, a, "tuple", kr_value_tuple(I->A, 0), out);
}

static int bi_set(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    return seq_ctor(I, a, "set", kr_value_set(I->A), out);
}

/* Add the items of a dict or of an iterable of pairs to `d`. */
int kr_builtins_dict_update(struct kr_interp *I, struct kr_value *d, struct kr_value *src)
{
    struct kr_value **items, **pair;
    size_t n, i, m;
    int rc;
    if (src->type == KR_V_DICT) {
        for (i = 0; i < src->u.dict->n; i++)
            if (src->u.dict->keys[i])
                kr_dict_set(I->A, d->u.dict, src->u.dict->keys[i], src->u.dict->vals[i]);
        return KR_OK;
    }
    if (src->type == KR_V_NAMED) {
        for (i = 0; i < src->u.named.names->n; i++)
            if (src->u.named.names->keys[i])
                kr_dict_set(I->A, d->u.dict, src->u.named.names->keys[i],
                            src->u.named.names->vals[i]);
        return KR_OK;
    }
    rc = kr_eval_iter(I, src, &items, &n);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < n; i++) {
        pair = kr_value_items(items[i], &m);
        if (!pair || m != 2)
            return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "dictionary update sequence element #%zu has length %zu; "
                                 "2 is required", i, pair ? m : (size_t)0));
        if (!kr_value_hashable(pair[0]))
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "unhashable type: '%s'", kr_value_type_name(pair[0])));
        kr_dict_set(I->A, d->u.dict, pair[0], pair[1]);
    }
    return KR_OK;
}

static int bi_dict(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                   struct kr_value **out)
{
    struct kr_value *d = kr_value_dict(I->A);
    size_t i;
    int rc;
    rc = kr_args_check(I, "dict", a, 0, 1);
    if (rc != KR_OK)
        return rc;
    if (a->npos) {
        rc = kr_builtins_dict_update(I, d, a->pos[0]);
        if (rc != KR_OK)
            return rc;
    }
    for (i = 0; i < a->nkw; i++)
        kr_dict_sets(I->A, d->u.dict, a->kwnames[i], a->kwvals[i]);
    *out = d;
    return KR_OK;
}

static int bi_zip(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    struct kr_value ***cols, *res;
    size_t *lens, n = (size_t)-1, i, j;
    int rc = KR_OK;
    NOKW("zip");
    res = kr_value_list(I->A, 0);
    if (a->npos == 0) {
        *out = res;
        return KR_OK;
    }
    cols = kr_arena_alloc(I->A, a->npos * sizeof *cols);
    lens = kr_arena_alloc(I->A, a->npos * sizeof *lens);
    for (i = 0; i < a->npos; i++) {
        rc = kr_eval_iter(I, a->pos[i], &cols[i], &lens[i]);
        if (rc != KR_OK)
            return rc;
        if (lens[i] < n)
            n = lens[i];
    }
    for (j = 0; j < n; j++) {
        struct kr_value *t = kr_value_tuple(I->A, a->npos);
        for (i = 0; i < a->npos; i++)
            t->u.list.items[i] = cols[i][j];
        kr_list_push(I->A, res, t);
    }
    *out = res;
    return KR_OK;
}

static int bi_enumerate(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                        struct kr_value **out)
{
    static const char *const kws[] = {"start", NULL};
    struct kr_value **items, *res, *sv;
    size_t n, i;
    int64_t start = 0;
    int rc;
    rc = kw_only(I, "enumerate", a, kws);
    if (rc == KR_OK)
        rc = kr_args_check(I, "enumerate", a, 1, 2);
    if (rc != KR_OK)
        return rc;
    sv = a->npos == 2 ? a->pos[1] : kr_args_kw(a, "start");
    if (sv) {
        rc = need_int(I, sv, "enumerate() start", &start);
        if (rc != KR_OK)
            return rc;
    }
    rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, n);
    for (i = 0; i < n; i++) {
        struct kr_value *t = kr_value_tuple(I->A, 2);
        t->u.list.items[0] = kr_value_int(I->A, start + (int64_t)i);
        t->u.list.items[1] = items[i];
        kr_list_push(I->A, res, t);
    }
    *out = res;
    return KR_OK;
}

static int bi_reversed(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                       struct kr_value **out)
{
    struct kr_value **items, *res;
    size_t n, i;
    int rc;
    NOKW("reversed");
    rc = kr_args_check(I, "reversed", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type == KR_V_SET)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "'set' object is not reversible"));
    rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, n);
    for (i = n; i > 0; i--)
        kr_list_push(I->A, res, items[i - 1]);
    *out = res;
    return KR_OK;
}

static int anyall(struct kr_interp *I, const struct kr_callargs *a, struct kr_value **out,
                  bool any)
{
    struct kr_value **items;
    size_t n, i;
    int rc;
    NOKW(any ? "any" : "all");
    rc = kr_args_check(I, any ? "any" : "all", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < n; i++) {
        if (kr_value_truthy(items[i]) == any) {
            *out = kr_value_bool(any);
            return KR_OK;
        }
    }
    *out = kr_value_bool(!any);
    return KR_OK;
}

static int bi_any(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    return anyall(I, a, out, true);
}

static int bi_all(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    return anyall(I, a, out, false);
}

static bool is_instance(const struct kr_value *v, const char *tname)
{
    const char *vt = kr_value_type_name(v), *dot = strrchr(tname, '.');
    if (dot)    /* collections.defaultdict, datetime.date */
        tname = dot + 1;
    if (!strcmp(tname, vt))
        return true;
    if ((!strcmp(tname, "tuple") && v->type == KR_V_TUPLE) ||
        (!strcmp(tname, "dict") && v->type == KR_V_DICT) ||
        (!strcmp(tname, "date") && !strcmp(vt, "datetime")))
        return true;    /* namedtuple, Counter, defaultdict, datetime subclasses */
    if (v->type == KR_V_STR && (v->flags & KR_STR_PATH) &&
        (!strcmp(tname, "Path") || !strcmp(tname, "PurePath") ||
         !strcmp(tname, "PurePosixPath")))
        return true;
    if (!strcmp(tname, "int") && v->type == KR_V_BOOL)
        return true;
    if (!strcmp(tname, "list") && v->type == KR_V_NAMED)
        return true;
    if (!strcmp(tname, "object"))
        return true;
    return false;
}

static int bi_isinstance(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                         struct kr_value **out)
{
    struct kr_value *t, *one[1], **types;
    size_t n, i;
    int rc;
    NOKW("isinstance");
    rc = kr_args_check(I, "isinstance", a, 2, 2);
    if (rc != KR_OK)
        return rc;
    t = a->pos[1];
    if (t->type == KR_V_TUPLE) {
        types = t->u.list.items;
        n = t->u.list.len;
    } else {
        one[0] = t;
        types = one;
        n = 1;
    }
    for (i = 0; i < n; i++) {
        const char *tname;
        if (types[i]->type == KR_V_BUILTIN)
            tname = types[i]->u.bi.name;
        else if (types[i]->type == KR_V_TYPE)
            tname = types[i]->u.type.name;
        else
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "isinstance() arg 2 must be a type or tuple of types"));
        if (is_instance(a->pos[0], tname)) {
            *out = kr_value_bool(true);
            return KR_OK;
        }
    }
    *out = kr_value_bool(false);
    return KR_OK;
}

static int bi_print(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                    struct kr_value **out)
{
    static const char *const kws[] = {"sep", "end", "file", "flush", NULL};
    struct kr_value *sep = kr_args_kw(a, "sep"), *end = kr_args_kw(a, "end");
    struct kr_buf b = KR_BUF_INIT;
    size_t i;
    int rc;
    rc = kw_only(I, "print", a, kws);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < a->npos; i++) {
        if (i)
            kr_buf_puts(&b, sep && sep->type == KR_V_STR ? sep->u.str.s : " ");
        kr_value_str_buf(a->pos[i], &b);
    }
    kr_buf_puts(&b, end && end->type == KR_V_STR ? end->u.str.s : "\n");
    fputs(kr_buf_cstr(&b), stderr);
    kr_buf_free(&b);
    *out = kr_value_none();
    return KR_OK;
}

static int bi_hasattr(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                      struct kr_value **out)
{
    struct kr_value *v;
    struct kr_error saved = *I->err;
    int rc;
    NOKW("hasattr");
    rc = kr_args_check(I, "hasattr", a, 2, 2);
    if (rc != KR_OK)
        return rc;
    if (a->pos[1]->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "hasattr(): attribute name must be string"));
    rc = kr_eval_getattr(I, a->pos[0], a->pos[1]->u.str.s, &v);
    *I->err = saved;
    *out = kr_value_bool(rc == KR_OK);
    return KR_OK;
}

static int bi_getattr(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                      struct kr_value **out)
{
    struct kr_error saved = *I->err;
    int rc;
    NOKW("getattr");
    rc = kr_args_check(I, "getattr", a, 2, 3);
    if (rc != KR_OK)
        return rc;
    if (a->pos[1]->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "getattr(): attribute name must be string"));
    rc = kr_eval_getattr(I, a->pos[0], a->pos[1]->u.str.s, out);
    if (rc && a->npos == 3) {
        *I->err = saved;
        *out = a->pos[2];
        return KR_OK;
    }
    return rc;
}

static int bi_map(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    struct kr_value **items, *res;
    size_t n, i;
    int rc;
    NOKW("map");
    rc = kr_args_check(I, "map", a, 2, 2);
    if (rc != KR_OK)
        return rc;
    rc = kr_eval_iter(I, a->pos[1], &items, &n);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, n);
    for (i = 0; i < n; i++) {
        struct kr_callargs ca = {0};
        struct kr_value *v;
        ca.pos = &items[i];
        ca.npos = 1;
        rc = kr_eval_call(I, a->pos[0], &ca, NULL, &v);
        if (rc != KR_OK)
            return rc;
        kr_list_push(I->A, res, v);
    }
    *out = res;
    return KR_OK;
}

static int bi_filter(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    struct kr_value **items, *res;
    size_t n, i;
    int rc;
    NOKW("filter");
    rc = kr_args_check(I, "filter", a, 2, 2);
    if (rc != KR_OK)
        return rc;
    rc = kr_eval_iter(I, a->pos[1], &items, &n);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, n);
    for (i = 0; i < n; i++) {
        struct kr_value *v = items[i];
        if (a->pos[0]->type != KR_V_NONE) {
            struct kr_callargs ca = {0};
            ca.pos = &items[i];
            ca.npos = 1;
            rc = kr_eval_call(I, a->pos[0], &ca, NULL, &v);
            if (rc != KR_OK)
                return rc;
        }
        if (kr_value_truthy(v))
            kr_list_push(I->A, res, items[i]);
    }
    *out = res;
    return KR_OK;
}

static int bi_format(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    struct kr_buf b = KR_BUF_INIT;
    int rc;
    NOKW("format");
    rc = kr_args_check(I, "format", a, 1, 2);
    if (rc != KR_OK)
        return rc;
    if (a->npos == 2 && a->pos[1]->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "format() argument 2 must be str"));
    rc = kr_eval_format_spec(I, a->pos[0], a->npos == 2 ? a->pos[1]->u.str.s : "", &b);
    if (rc == KR_OK)
        *out = kr_value_str(I->A, kr_buf_cstr(&b), b.len);
    kr_buf_free(&b);
    return rc;
}

static int bi_chr(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    int64_t c = 0;
    char ch;
    int rc;
    NOKW("chr");
    rc = kr_args_check(I, "chr", a, 1, 1);
    if (rc == KR_OK)
        rc = need_int(I, a->pos[0], "chr()", &c);
    if (rc != KR_OK)
        return rc;
    if (c < 0 || c > 127)
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "chr() arg not in range(128) (krait strings are bytes)"));
    ch = (char)c;
    *out = kr_value_str(I->A, &ch, 1);
    return KR_OK;
}

static int bi_ord(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    int rc;
    NOKW("ord");
    rc = kr_args_check(I, "ord", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR || a->pos[0]->u.str.len != 1)
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "ord() expected a character"));
    *out = kr_value_int(I->A, (unsigned char)a->pos[0]->u.str.s[0]);
    return KR_OK;
}

static int bi_type(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                   struct kr_value **out)
{
    int rc;
    NOKW("type");
    rc = kr_args_check(I, "type", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    *out = kr_value_type(I->A, kr_value_type_name(a->pos[0]));
    return KR_OK;
}

/* ---- attribute lookup ---- */

static int no_attr(struct kr_interp *I, const char *what, const char *name, struct kr_dict *cands,
                   const char *const *extra)
{
    struct kr_vec names = KR_VEC_INIT;
    const char *sug;
    size_t i;
    int rc;
    if (cands)
        for (i = 0; i < cands->n; i++)
            if (cands->keys[i] && cands->keys[i]->type == KR_V_STR)
                kr_vec_push(&names, cands->keys[i]->u.str.s);
    for (i = 0; extra && extra[i]; i++)
        kr_vec_push(&names, (void *)extra[i]);
    sug = kr_suggest(name, (const char *const *)names.items, names.len);
    if (sug)
        rc = kr_exc_tag(I, "AttributeError", NULL, kr_eval_error(I, "%s has no attribute '%s' (did you mean '%s'?)", what, name, sug));
    else
        rc = kr_exc_tag(I, "AttributeError", NULL, kr_eval_error(I, "%s has no attribute '%s'", what, name));
    kr_vec_free(&names);
    return rc;
}

extern const char *const kr_builtins_method_names[];

int kr_eval_getattr(struct kr_interp *I, struct kr_value *obj, const char *name,
                    struct kr_value **out)
{
    struct kr_value *v;
    char what[160];
    switch (obj->type) {
    case KR_V_NAMED:
        v = kr_dict_gets(obj->u.named.names, name);
        if (v) {
            *out = v;
            return KR_OK;
        }
        v = kr_builtins_method(I, obj, name);
        if (v) {
            *out = v;
            return KR_OK;
        }
        snprintf(what, sizeof what, "%s", obj->u.named.kind);
        return no_attr(I, what, name, obj->u.named.names, NULL);
    case KR_V_NS:
        v = kr_dict_gets(obj->u.ns.attrs, name);
        if (v) {
            *out = v;
            return KR_OK;
        }
        if (obj == I->rules_ns) {
            struct kr_vec names = KR_VEC_INIT;
            const char *sug;
            size_t i;
            int rc;
            for (i = 0; i < obj->u.ns.attrs->n; i++)
                if (obj->u.ns.attrs->keys[i])
                    kr_vec_push(&names, obj->u.ns.attrs->keys[i]->u.str.s);
            sug = kr_suggest(name, (const char *const *)names.items, names.len);
            if (sug)
                rc = kr_eval_error(I, "rules.%s: no rule named '%s' is defined above this line "
                                   "(did you mean '%s'?)", name, name, sug);
            else
                rc = kr_eval_error(I, "rules.%s: no rule named '%s' is defined above this line",
                                   name, name);
            kr_vec_free(&names);
            return rc;
        }
        if (kr_mod_is_builtin(obj)) {
            /* a builtin object's own lookup (a DataFrame's columns as attributes) */
            struct kr_value *arg = kr_value_cstr(I->A, name);
            bool handled;
            int rc = kr_mod_special(I, obj, "__getattr__", &arg, 1, out, &handled);
            if (handled && (rc == KR_OK || rc != KR_NOT_FOUND))
                return rc;
            return kr_eval_error(I, "krait does not support '%s.%s' yet", obj->u.ns.name, name);
        }
        snprintf(what, sizeof what, "module '%s'", obj->u.ns.name);
        return no_attr(I, what, name, obj->u.ns.attrs, NULL);
    case KR_V_RULE:
        return kr_wf_rule_attr(I, obj->u.rule.rule, name, out);
    default: {
        bool handled;
        int rc;
        if (obj->type == KR_V_TYPE && !strcmp(name, "__name__")) {
            *out = kr_value_cstr(I->A, obj->u.type.name);
            return KR_OK;
        }
        rc = kr_mod_getattr(I, obj, name, out, &handled);   /* Counter, Path ... */
        if (handled)
            return rc;
    }
        v = kr_builtins_method(I, obj, name);
        if (v) {
            *out = v;
            return KR_OK;
        }
        snprintf(what, sizeof what, "'%s' object", kr_value_type_name(obj));
        return no_attr(I, what, name, NULL, kr_builtins_method_names);
    }
}

/* ---- import ---- */

static const struct {
    const char *module, *hint;
} import_hints[] = {
    {"subprocess", "rule files cannot run commands while loading; use a rule with shell:"},
    {"shutil", "rule files cannot touch the file system while loading; do it in a rule"},
    {"random", "rule files must be deterministic"},
};

int kr_builtins_import(struct kr_interp *I, const char *module, struct kr_value **out)
{
    struct kr_value *m = kr_dict_gets(I->modules, module);
    char top[64];
    size_t i, len;
    int line = 0, col = 0;
    if (m) {
        *out = m;
        return KR_OK;
    }
    len = strcspn(module, ".");
    snprintf(top, sizeof top, "%.*s", (int)(len < sizeof top ? len : sizeof top - 1), module);
    if (I->site && I->site->file < I->srcs->n)
        kr_source_linecol(&I->srcs->files[I->site->file], I->site->off, &line, &col);
    for (i = 0; i < KR_ARRAY_LEN(import_hints); i++)
        if (!strcmp(import_hints[i].module, top))
            return kr_eval_error(I, "module '%s' is not available in krait's rule language "
                                 "(line %d): %s", module, line, import_hints[i].hint);
    return kr_eval_error(I, "module '%s' is not available in krait's rule language (line %d)",
                         module, line);
}

/* ---- installation ---- */

static const struct {
    const char *name;
    kr_builtin_fn fn;
} builtin_table[] = {
    {"len", bi_len}, {"range", bi_range}, {"sorted", bi_sorted}, {"min", bi_min},
    {"max", bi_max}, {"sum", bi_sum}, {"abs", bi_abs}, {"round", bi_round},
    {"str", bi_str}, {"repr", bi_repr}, {"int", bi_int}, {"float", bi_float},
    {"bool", bi_bool}, {"list", bi_list}, {"tuple", bi_tuple}, {"set", bi_set},
    {"dict", bi_dict}, {"zip", bi_zip}, {"enumerate", bi_enumerate},
    {"reversed", bi_reversed}, {"any", bi_any}, {"all", bi_all},
    {"isinstance", bi_isinstance}, {"print", bi_print}, {"hasattr", bi_hasattr},
    {"getattr", bi_getattr}, {"map", bi_map}, {"filter", bi_filter},
    {"format", bi_format}, {"chr", bi_chr}, {"ord", bi_ord}, {"type", bi_type},
};

void kr_builtins_install(struct kr_interp *I)
{
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(builtin_table); i++)
        kr_dict_sets(I->A, I->builtins, builtin_table[i].name,
                     kr_value_builtin(I->A, builtin_table[i].name, builtin_table[i].fn, NULL,
                                      NULL));
}
