/*
 * mod-iter.c - the container helpers of Python's standard library that
 * rule files use to build sample and unit lists: itertools (product,
 * chain, combinations, permutations, islice, zip_longest, accumulate,
 * groupby, repeat(x, n): the results are lists, which
 * every idiom that consumes them - for, list(), expand() - accepts),
 * functools (partial, reduce; lru_cache and cache return the function
 * unchanged) and copy (copy, deepcopy; a defaultdict or
 * Counter stays one). collections is in mod-coll.c. Sizes count
 * against the evaluation step budget, so product() of large lists stops
 * with the usual budget error instead of exhausting memory.
 */
#include "mod.h"

#include <string.h>

/* Count `n` produced items against the step budget. */
static int charge(struct kr_interp *I, const char *fname, size_t n)
{
    I->steps += (long)n;
    if (I->steps > I->max_steps)
        return kr_eval_error(I, "%s(): the result is too large (more than the evaluation "
                             "budget of %ld steps)", fname, I->max_steps);
    return KR_OK;
}

/* ---- itertools ---- */

KR_MOD_FN(it_product)
{
    struct kr_value ***pools, *res, *rep = kr_args_kw(a, "repeat");
    size_t *lens, *idx, np, i, total = 1;
    int64_t r = 1;
    int rc = KR_OK;
    KR_UNUSED(self);
    if (rep) {
        if (rep->type != KR_V_INT || rep->u.i < 0)
            return kr_eval_error(I, "itertools.product(): repeat must be a non-negative int");
        r = rep->u.i;
    }
    if (r > 64 || a->npos > 64)
        return kr_eval_error(I, "itertools.product(): too many factors");
    np = a->npos * (size_t)r;
    pools = kr_arena_alloc(I->A, (np + 1) * sizeof *pools);
    lens = kr_arena_alloc(I->A, (np + 1) * sizeof *lens);
    idx = kr_arena_zalloc(I->A, (np + 1) * sizeof *idx);
    for (i = 0; i < a->npos; i++) {
        rc = kr_eval_iter(I, a->pos[i], &pools[i], &lens[i]);
        if (rc != KR_OK)
            return rc;
    }
    for (i = a->npos; i < np; i++) {
        pools[i] = pools[i % a->npos];
        lens[i] = lens[i % a->npos];
    }
    for (i = 0; i < np; i++) {
        if (lens[i] && total > (size_t)I->max_steps / lens[i])
            return charge(I, "itertools.product", (size_t)I->max_steps + 1);
        total *= lens[i];
    }
    rc = charge(I, "itertools.product", total);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, total);
    while (total) {
        struct kr_value *t = kr_value_tuple(I->A, np);
        for (i = 0; i < np; i++)
            t->u.list.items[i] = pools[i][idx[i]];
        kr_list_push(I->A, res, t);
        for (i = np; i-- > 0;) {
            if (++idx[i] < lens[i])
                break;
            idx[i] = 0;
        }
        if (i == (size_t)-1)
            break;
    }
    *out = res;
    return KR_OK;
}

KR_MOD_FN(it_chain)
{
    struct kr_value *res = kr_value_list(I->A, 0), **items;
    size_t i, k, n;
    int rc;
    KR_UNUSED(self);
    for (i = 0; i < a->npos; i++) {
        rc = kr_eval_iter(I, a->pos[i], &items, &n);
        if (rc == KR_OK)
            rc = charge(I, "itertools.chain", n);
        if (rc != KR_OK)
            return rc;
        for (k = 0; k < n; k++)
            kr_list_push(I->A, res, items[k]);
    }
    *out = res;
    return KR_OK;
}

/* combinations (perm = false) or permutations (true) of r items, in
 * Python's lexicographic order of positions. */
static int choose(struct kr_interp *I, const char *fname, const struct kr_callargs *a, bool perm,
                  struct kr_value **out)
{
    struct kr_value **pool, *res, *rv;
    size_t n, r, i, k, *idx;
    bool *used;
    int rc = kr_args_check(I, fname, a, perm ? 1 : 2, 2);
    if (rc != KR_OK)
        return rc;
    rc = kr_eval_iter(I, a->pos[0], &pool, &n);
    if (rc != KR_OK)
        return rc;
    rv = a->npos == 2 ? a->pos[1] : kr_args_kw(a, "r");
    if (rv && rv->type != KR_V_NONE && (rv->type != KR_V_INT || rv->u.i < 0))
        return kr_eval_error(I, "%s(): r must be a non-negative int", fname);
    r = rv && rv->type == KR_V_INT ? (size_t)rv->u.i : n;
    res = kr_value_list(I->A, 0);
    *out = res;
    if (r > n)
        return KR_OK;
    idx = kr_arena_zalloc(I->A, (r + 1) * sizeof *idx);
    used = kr_arena_zalloc(I->A, n + 1);
    /* depth-first enumeration of index sequences */
    k = 0;
    idx[0] = 0;
    for (;;) {
        if (k == r) {
            struct kr_value *t = kr_value_tuple(I->A, r);
            for (i = 0; i < r; i++)
                t->u.list.items[i] = pool[idx[i]];
            kr_list_push(I->A, res, t);
            rc = charge(I, fname, 1);
            if (rc != KR_OK)
                return rc;
            if (k == 0)
                return KR_OK;
            k--;
            used[idx[k]] = false;
            idx[k]++;
            continue;
        }
        while (idx[k] < n && perm && used[idx[k]])
            idx[k]++;
        if (idx[k] >= n) {
            if (k == 0)
                return KR_OK;
            k--;
            used[idx[k]] = false;
            idx[k]++;
            continue;
        }
        used[idx[k]] = true;
        idx[k + 1] = perm ? 0 : idx[k] + 1;
        k++;
    }
}

KR_MOD_FN(it_combinations)
{
    KR_UNUSED(self);
    return choose(I, "itertools.combinations", a, false, out);
}

KR_MOD_FN(it_permutations)
{
    KR_UNUSED(self);
    return choose(I, "itertools.permutations", a, true, out);
}

KR_MOD_FN(it_islice)
{
    struct kr_value **items, *res;
    int64_t v[3] = {0, -1, 1};
    size_t n, i;
    int rc = kr_args_check(I, "itertools.islice", a, 2, 4);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    for (i = 1; i < a->npos; i++) {
        struct kr_value *x = a->pos[i];
        size_t slot = a->npos == 2 ? 1 : i - 1;
        if (x->type == KR_V_NONE)
            continue;
        if (x->type != KR_V_INT || x->u.i < (slot == 2 ? 1 : 0))
            return kr_eval_error(I, "itertools.islice(): indices must be None or "
                                 "non-negative ints (step >= 1)");
        v[slot] = x->u.i;
    }
    rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, 0);
    for (i = (size_t)v[0]; i < n && (v[1] < 0 || (int64_t)i < v[1]); i += (size_t)v[2])
        kr_list_push(I->A, res, items[i]);
    *out = res;
    return KR_OK;
}

KR_MOD_FN(it_zip_longest)
{
    struct kr_value ***cols, *res, *fill = kr_args_kw(a, "fillvalue");
    size_t *lens, n = 0, i, j;
    int rc;
    KR_UNUSED(self);
    if (!fill)
        fill = kr_value_none();
    cols = kr_arena_alloc(I->A, (a->npos + 1) * sizeof *cols);
    lens = kr_arena_alloc(I->A, (a->npos + 1) * sizeof *lens);
    for (i = 0; i < a->npos; i++) {
        rc = kr_eval_iter(I, a->pos[i], &cols[i], &lens[i]);
        if (rc != KR_OK)
            return rc;
        if (lens[i] > n)
            n = lens[i];
    }
    rc = charge(I, "itertools.zip_longest", n);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, n);
    for (j = 0; j < n; j++) {
        struct kr_value *t = kr_value_tuple(I->A, a->npos);
        for (i = 0; i < a->npos; i++)
            t->u.list.items[i] = j < lens[i] ? cols[i][j] : fill;
        kr_list_push(I->A, res, t);
    }
    *out = res;
    return KR_OK;
}

int kr_eval_binop(struct kr_interp *I, int op, struct kr_value *a, struct kr_value *b,
                  struct kr_value **out);

/* accumulate(iterable, func=operator.add, *, initial=None) */
KR_MOD_FN(it_accumulate)
{
    struct kr_value **items, *res, *acc, *fn = a->npos > 1 ? a->pos[1] : kr_args_kw(a, "func");
    struct kr_value *init = kr_args_kw(a, "initial");
    size_t n, i = 0;
    int rc = kr_args_check(I, "itertools.accumulate", a, 1, 2);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, n + 1);
    *out = res;
    if (init && init->type != KR_V_NONE)
        acc = init;
    else if (n)
        acc = items[i++];
    else
        return KR_OK;
    kr_list_push(I->A, res, acc);
    for (; i < n; i++) {
        if (fn && fn->type != KR_V_NONE) {
            struct kr_value *args[2] = {acc, items[i]};
            struct kr_callargs ca = {args, 2, NULL, NULL, 0};
            rc = kr_eval_call(I, fn, &ca, I->site, &acc);
        } else {
            rc = kr_eval_binop(I, KR_OP_ADD, acc, items[i], &acc);
        }
        if (rc != KR_OK)
            return rc;
        kr_list_push(I->A, res, acc);
    }
    return KR_OK;
}

/* groupby(iterable, key=None): a list of (key, list of items) for each run
 * of consecutive items with equal keys (Python's groups are iterators;
 * lists serve every idiom that consumes them). */
KR_MOD_FN(it_groupby)
{
    struct kr_value **items, *res, *key = a->npos > 1 ? a->pos[1] : kr_args_kw(a, "key");
    struct kr_value *cur = NULL, *grp = NULL;
    size_t n, i;
    int rc = kr_args_check(I, "itertools.groupby", a, 1, 2);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, 0);
    for (i = 0; i < n; i++) {
        struct kr_value *k = items[i];
        if (key && key->type != KR_V_NONE) {
            struct kr_callargs ca = {&items[i], 1, NULL, NULL, 0};
            rc = kr_eval_call(I, key, &ca, I->site, &k);
            if (rc != KR_OK)
                return rc;
        }
        if (!grp || !kr_value_equal(cur, k)) {
            struct kr_value *t = kr_value_tuple(I->A, 2);
            grp = kr_value_list(I->A, 0);
            cur = k;
            t->u.list.items[0] = k;
            t->u.list.items[1] = grp;
            kr_list_push(I->A, res, t);
        }
        kr_list_push(I->A, grp, items[i]);
    }
    *out = res;
    return KR_OK;
}

/* repeat(x, n): n times x (without n it would never end). */
KR_MOD_FN(it_repeat)
{
    struct kr_value *res, *nv = a->npos > 1 ? a->pos[1] : kr_args_kw(a, "times");
    int64_t k;
    int rc = kr_args_check(I, "itertools.repeat", a, 1, 2);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    if (!nv || nv->type != KR_V_INT)
        return kr_eval_error(I, "itertools.repeat(): krait needs the number of times "
                             "(repeat(x, n)): an endless iterator cannot be a list");
    rc = charge(I, "itertools.repeat", nv->u.i > 0 ? (size_t)nv->u.i : 0);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, 0);
    for (k = 0; k < nv->u.i; k++)
        kr_list_push(I->A, res, a->pos[0]);
    *out = res;
    return KR_OK;
}

/* ---- functools ---- */

/* @lru_cache / @cache: rule files are deterministic and evaluated once, so
 * the decorated function is returned as it is. */
KR_MOD_FN(ft_identity)
{
    int rc = kr_args_check(I, "functools.lru_cache", a, 1, 1);
    KR_UNUSED(self);
    if (rc == KR_OK)
        *out = a->pos[0];
    return rc;
}

KR_MOD_FN(ft_lru_cache)
{
    KR_UNUSED(self);
    if (a->npos == 1 && kr_value_is_callable(a->pos[0]) && !a->nkw) {
        *out = a->pos[0];       /* @lru_cache without parentheses */
        return KR_OK;
    }
    *out = kr_value_builtin(I->A, "functools.lru_cache", ft_identity, NULL, NULL);
    return KR_OK;
}

/* The bound state of a partial: (function, args tuple, kwargs dict). */
KR_MOD_FN(partial_call)
{
    struct kr_value *fn = self->u.list.items[0], *pa = self->u.list.items[1];
    struct kr_dict *kw = self->u.list.items[2]->u.dict;
    struct kr_callargs ca;
    size_t i, k;
    ca.npos = pa->u.list.len + a->npos;
    ca.pos = kr_arena_alloc(I->A, (ca.npos + 1) * sizeof *ca.pos);
    for (i = 0; i < pa->u.list.len; i++)
        ca.pos[i] = pa->u.list.items[i];
    for (i = 0; i < a->npos; i++)
        ca.pos[pa->u.list.len + i] = a->pos[i];
    ca.kwnames = kr_arena_alloc(I->A, (kw->live + a->nkw + 1) * sizeof *ca.kwnames);
    ca.kwvals = kr_arena_alloc(I->A, (kw->live + a->nkw + 1) * sizeof *ca.kwvals);
    ca.nkw = 0;
    for (i = 0; i < kw->n; i++) {
        if (!kw->keys[i])
            continue;
        for (k = 0; k < a->nkw; k++)
            if (!strcmp(a->kwnames[k], kw->keys[i]->u.str.s))
                break;
        if (k < a->nkw)
            continue;   /* overridden by the call */
        ca.kwnames[ca.nkw] = kw->keys[i]->u.str.s;
        ca.kwvals[ca.nkw++] = kw->vals[i];
    }
    for (k = 0; k < a->nkw; k++) {
        ca.kwnames[ca.nkw] = a->kwnames[k];
        ca.kwvals[ca.nkw++] = a->kwvals[k];
    }
    return kr_eval_call(I, fn, &ca, I->site, out);
}

KR_MOD_FN(ft_partial)
{
    struct kr_value *st, *pa, *kw;
    size_t i;
    KR_UNUSED(self);
    if (a->npos < 1 || !kr_value_is_callable(a->pos[0]))
        return kr_eval_error(I, "functools.partial(): the first argument must be callable");
    st = kr_value_tuple(I->A, 3);
    pa = kr_value_tuple(I->A, a->npos - 1);
    for (i = 1; i < a->npos; i++)
        pa->u.list.items[i - 1] = a->pos[i];
    kw = kr_value_dict(I->A);
    for (i = 0; i < a->nkw; i++)
        kr_dict_sets(I->A, kw->u.dict, a->kwnames[i], a->kwvals[i]);
    st->u.list.items[0] = a->pos[0];
    st->u.list.items[1] = pa;
    st->u.list.items[2] = kw;
    *out = kr_value_builtin(I->A, "functools.partial", partial_call, st, NULL);
    return KR_OK;
}

KR_MOD_FN(ft_reduce)
{
    struct kr_value **items, *acc;
    size_t n, i = 0;
    int rc = kr_args_check(I, "functools.reduce", a, 2, 3);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = kr_eval_iter(I, a->pos[1], &items, &n);
    if (rc != KR_OK)
        return rc;
    if (a->npos == 3) {
        acc = a->pos[2];
    } else if (n) {
        acc = items[i++];
    } else {
        return kr_eval_error(I, "functools.reduce() of an empty iterable with no initial value");
    }
    for (; i < n; i++) {
        struct kr_value *args[2] = {acc, items[i]};
        struct kr_callargs ca = {args, 2, NULL, NULL, 0};
        rc = kr_eval_call(I, a->pos[0], &ca, I->site, &acc);
        if (rc != KR_OK)
            return rc;
    }
    *out = acc;
    return KR_OK;
}

/* ---- copy ---- */

static struct kr_value *copy_value(struct kr_interp *I, struct kr_value *v, int deep)
{
    struct kr_value *c;
    size_t i;
    if (deep > 200)
        return v;
    switch (v->type) {
    case KR_V_LIST: case KR_V_TUPLE:
        if (v->type == KR_V_TUPLE && !deep)
            return v;
        c = v->type == KR_V_LIST ? kr_value_list(I->A, v->u.list.len)
                                 : kr_value_tuple(I->A, v->u.list.len + 1);
        if (v->type == KR_V_TUPLE) {
            /* a namedtuple keeps its class past its items */
            if (v->flags & KR_TUPLE_NAMED)
                c->u.list.items[v->u.list.len] = v->u.list.items[v->u.list.len];
            c->u.list.len = v->u.list.len;
            c->flags = v->flags;
        }
        for (i = 0; i < v->u.list.len; i++) {
            struct kr_value *x = deep ? copy_value(I, v->u.list.items[i], deep + 1)
                                      : v->u.list.items[i];
            if (v->type == KR_V_LIST)
                kr_list_push(I->A, c, x);
            else
                c->u.list.items[i] = x;
        }
        return c;
    case KR_V_DICT: case KR_V_SET:
        c = v->type == KR_V_DICT ? kr_value_dict(I->A) : kr_value_set(I->A);
        c->u.dict->kind = v->u.dict->kind;
        c->u.dict->factory = v->u.dict->factory;
        for (i = 0; i < v->u.dict->n; i++)
            if (v->u.dict->keys[i])
                kr_dict_set(I->A, c->u.dict, v->u.dict->keys[i],
                            deep && v->u.dict->vals[i]
                                ? copy_value(I, v->u.dict->vals[i], deep + 1)
                                : v->u.dict->vals[i]);
        return c;
    default:
        return v;
    }
}

KR_MOD_FN(cp_copy)
{
    int rc = kr_args_check(I, "copy.copy", a, 1, 1);
    KR_UNUSED(self);
    if (rc == KR_OK)
        *out = copy_value(I, a->pos[0], 0);
    return rc;
}

KR_MOD_FN(cp_deepcopy)
{
    int rc = kr_args_check(I, "copy.deepcopy", a, 1, 1);
    KR_UNUSED(self);
    if (rc == KR_OK)
        *out = copy_value(I, a->pos[0], 1);
    return rc;
}

void kr_mod_iter_install(struct kr_interp *I)
{
    struct kr_value *it = kr_value_ns(I->A, "itertools"), *ft = kr_value_ns(I->A, "functools");
    struct kr_value *cp = kr_value_ns(I->A, "copy");
    kr_mod_def(I, it, "itertools.product", it_product, NULL);
    kr_mod_def(I, it, "itertools.chain", it_chain, NULL);
    kr_mod_def(I, it, "itertools.combinations", it_combinations, NULL);
    kr_mod_def(I, it, "itertools.permutations", it_permutations, NULL);
    kr_mod_def(I, it, "itertools.islice", it_islice, NULL);
    kr_mod_def(I, it, "itertools.zip_longest", it_zip_longest, NULL);
    kr_mod_def(I, it, "itertools.accumulate", it_accumulate, NULL);
    kr_mod_def(I, it, "itertools.groupby", it_groupby, NULL);
    kr_mod_def(I, it, "itertools.repeat", it_repeat, NULL);
    kr_mod_def(I, ft, "functools.partial", ft_partial, NULL);
    kr_mod_def(I, ft, "functools.reduce", ft_reduce, NULL);
    kr_mod_def(I, ft, "functools.lru_cache", ft_lru_cache, NULL);
    kr_mod_def(I, ft, "functools.cache", ft_identity, NULL);
    kr_mod_def(I, cp, "copy.copy", cp_copy, NULL);
    kr_mod_def(I, cp, "copy.deepcopy", cp_deepcopy, NULL);
    kr_dict_sets(I->A, I->modules, "itertools", it);
    kr_dict_sets(I->A, I->modules, "functools", ft);
    kr_dict_sets(I->A, I->modules, "copy", cp);
}
