/*
 * mod-pandas.c - a read-only pandas facade for sample sheets, and the three
 * numpy names pipelines use. `import pandas as pd`; pd.read_csv /
 * pd.read_table(path, sep=, comment=, dtype=, index_col=) read through
 * read_table() and give a DataFrame with the idioms rule files write:
 * .set_index(cols, drop=), .loc[key], .loc[key, col], .loc[(a, b), col],
 * .loc[key, [cols]], .loc[mask], df[col], df[[cols]], df[df[col] == v],
 * .index (.unique(), .tolist()), .columns, .dropna(), .to_dict(orient),
 * .iterrows(), .itertuples(), len(df), `col in df`; a Series has
 * .unique(), .tolist(), .to_dict(), .dropna(), .isnull()/.notnull(), ==,
 * [label], attribute access by label (row.fq1); pd.isnull/isna/notnull/
 * notna on values. Empty cells are NaN as in pandas; without dtype=str
 * a column whose cells all read as ints (floats) holds ints (floats).
 * numpy: np.arange, np.linspace, np.nan. Anything else is
 * "krait does not support 'pandas.DataFrame.NAME' yet".
 *
 * Objects are namespaces (KR_V_NS) whose methods are bound to a state
 * tuple; the evaluator reaches [], len(), iteration, `in` and == through
 * their __getitem__/__len__/__iter__/__contains__/__eq__ builtins
 * (kr_mod_special). State tuples: DataFrame (columns list, rows list of
 * lists, index list, index names list); Series (values list, index list,
 * name); Index (values list).
 */
#include "mod.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { DF_COLS, DF_ROWS, DF_INDEX, DF_NAMES, DF_N };
enum { SE_VALS, SE_INDEX, SE_NAME, SE_N };

static struct kr_value *make_df(struct kr_interp *I, struct kr_value *cols,
                                struct kr_value *rows, struct kr_value *index,
                                struct kr_value *names);
static struct kr_value *make_series(struct kr_interp *I, struct kr_value *vals,
                                    struct kr_value *index, struct kr_value *name, bool row);

static struct kr_value *tuple_of(struct kr_interp *I, size_t n, struct kr_value **v)
{
    struct kr_value *t = kr_value_tuple(I->A, n);
    size_t i;
    for (i = 0; i < n; i++)
        t->u.list.items[i] = v[i];
    return t;
}

static bool is_nan(const struct kr_value *v)
{
    return v->type == KR_V_NONE || (v->type == KR_V_FLOAT && isnan(v->u.f));
}

static struct kr_value *L(struct kr_value *st, int k)
{
    return st->u.list.items[k];
}

static long col_pos(struct kr_value *st, const struct kr_value *name)
{
    struct kr_value *cols = L(st, DF_COLS);
    size_t i;
    for (i = 0; i < cols->u.list.len; i++)
        if (kr_value_equal(cols->u.list.items[i], name))
            return (long)i;
    return -1;
}

static int no_column(struct kr_interp *I, struct kr_value *st, const struct kr_value *name)
{
    return kr_eval_error(I, "KeyError: column %s is not in the table (columns: %s)",
                         kr_value_to_repr(I->A, name), kr_value_to_repr(I->A, L(st, DF_COLS)));
}

/* ---- Index ---- */

KR_MOD_FN(ix_tolist)
{
    struct kr_value *l = kr_value_list(I->A, self->u.list.len);
    size_t i;
    KR_UNUSED(a);
    for (i = 0; i < self->u.list.len; i++)
        kr_list_push(I->A, l, self->u.list.items[i]);
    *out = l;
    return KR_OK;
}

static struct kr_value *unique_list(struct kr_interp *I, struct kr_value *vals)
{
    struct kr_value *seen = kr_value_set(I->A), *l = kr_value_list(I->A, 0);
    size_t i;
    for (i = 0; i < vals->u.list.len; i++) {
        struct kr_value *v = vals->u.list.items[i];
        if (kr_value_hashable(v) && kr_dict_get(seen->u.dict, v))
            continue;
        if (kr_value_hashable(v))
            kr_dict_set(I->A, seen->u.dict, v, kr_value_none());
        kr_list_push(I->A, l, v);
    }
    return l;
}

static struct kr_value *make_index(struct kr_interp *I, struct kr_value *vals);

/* unique() gives an Index (pandas: an Index or an ndarray; both have
 * tolist() and iterate) */
KR_MOD_FN(ix_unique)
{
    KR_UNUSED(a);
    *out = make_index(I, unique_list(I, self));
    return KR_OK;
}

KR_MOD_FN(ix_len)
{
    KR_UNUSED(a);
    *out = kr_value_int(I->A, (int64_t)self->u.list.len);
    return KR_OK;
}

KR_MOD_FN(ix_iter)
{
    KR_UNUSED(a);
    *out = self;
    return KR_OK;
}

KR_MOD_FN(ix_contains)
{
    size_t i;
    *out = kr_value_bool(false);
    for (i = 0; i < self->u.list.len; i++)
        if (kr_value_equal(self->u.list.items[i], a->pos[0]))
            *out = kr_value_bool(true);
    return KR_OK;
}

KR_MOD_FN(ix_getitem)
{
    return kr_eval_getitem(I, self, a->pos[0], out);
}

/* Index.astype(str): the labels as strings (the only dtype a table read by
 * krait needs: every cell is already a string or NaN). */
KR_MOD_FN(ix_astype)
{
    struct kr_value *l;
    size_t i;
    int rc = kr_args_check(I, "astype", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_BUILTIN || strcmp(a->pos[0]->u.bi.name, "str"))
        return kr_eval_error(I, "krait does not support Index.astype(%s) yet (astype(str) works)",
                             kr_value_to_repr(I->A, a->pos[0]));
    l = kr_value_list(I->A, self->u.list.len);
    for (i = 0; i < self->u.list.len; i++)
        kr_list_push(I->A, l, kr_value_cstr(I->A, kr_value_to_str(I->A, self->u.list.items[i])));
    *out = make_index(I, l);
    return KR_OK;
}

static int cmp_values(const void *x, const void *y)
{
    int c = 0;
    kr_value_compare(*(struct kr_value *const *)x, *(struct kr_value *const *)y, &c);
    return c;
}

/* The labels of level k of a MultiIndex (tuples), sorted and unique, as
 * pandas keeps a level. */
static struct kr_value *level_values(struct kr_interp *I, struct kr_value *vals, size_t k)
{
    struct kr_value *col = kr_value_list(I->A, vals->u.list.len), *u;
    size_t i;
    for (i = 0; i < vals->u.list.len; i++)
        kr_list_push(I->A, col, vals->u.list.items[i]->u.list.items[k]);
    u = unique_list(I, col);
    if (u->u.list.len > 1)
        qsort(u->u.list.items, u->u.list.len, sizeof *u->u.list.items, cmp_values);
    return u;
}

/* MultiIndex.set_levels(levels): each label replaced by the label at the
 * same position of the new level (pandas keeps the codes). */
KR_MOD_FN(ix_set_levels)
{
    struct kr_value *ix = self, *names = kr_dict_gets(ix->u.ns.attrs, "names");
    struct kr_value *levels, *nv;
    struct kr_value **newl;
    size_t nlev, i, k, j;
    int rc = kr_args_check(I, "set_levels", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    self = kr_dict_gets(ix->u.ns.attrs, "values");
    if (!self->u.list.len || self->u.list.items[0]->type != KR_V_TUPLE)
        return kr_eval_error(I, "set_levels(): the index has one level (set_levels is for an "
                             "index of several columns)");
    nlev = self->u.list.items[0]->u.list.len;
    levels = a->pos[0];
    if ((levels->type != KR_V_LIST && levels->type != KR_V_TUPLE) || levels->u.list.len != nlev)
        return kr_eval_error(I, "set_levels(): expected a list of %zu levels", nlev);
    newl = kr_arena_alloc(I->A, nlev * sizeof *newl);
    for (k = 0; k < nlev; k++) {
        struct kr_value *l = levels->u.list.items[k], *vals;
        vals = l->type == KR_V_NS ? kr_dict_gets(l->u.ns.attrs, "values") : l;
        if (!vals || (vals->type != KR_V_LIST && vals->type != KR_V_TUPLE))
            return kr_eval_error(I, "set_levels(): level %zu is not a list or an Index", k);
        newl[k] = vals;
    }
    nv = kr_value_list(I->A, self->u.list.len);
    for (k = 0; k < nlev; k++) {
        struct kr_value *old = level_values(I, self, k);
        if (old->u.list.len != newl[k]->u.list.len)
            return kr_eval_error(I, "set_levels(): level %zu has %zu labels, the new one %zu", k,
                                 old->u.list.len, newl[k]->u.list.len);
        /* map old label -> new label, by position in the sorted level */
        for (i = 0; i < self->u.list.len; i++) {
            struct kr_value *t = k == 0 ? kr_value_tuple(I->A, nlev)
                                        : nv->u.list.items[i];
            struct kr_value *lab = self->u.list.items[i]->u.list.items[k];
            for (j = 0; j < old->u.list.len && !kr_value_equal(old->u.list.items[j], lab); j++)
                ;
            t->u.list.items[k] = newl[k]->u.list.items[j < old->u.list.len ? j : 0];
            if (k == 0)
                kr_list_push(I->A, nv, t);
        }
    }
    *out = make_index(I, nv);
    if (names)      /* pandas keeps the level names */
        kr_dict_sets(I->A, (*out)->u.ns.attrs, "names", names);
    return KR_OK;
}

/* MultiIndex.get_level_values(i or name): the labels of one level, as an
 * Index. self is the Index itself (its "values" and "names"). */
KR_MOD_FN(ix_get_level_values)
{
    struct kr_value *vals = kr_dict_gets(self->u.ns.attrs, "values");
    struct kr_value *names = kr_dict_gets(self->u.ns.attrs, "names"), *key, *l;
    size_t nlev, i;
    int64_t k = -1;
    int rc = kr_args_check(I, "get_level_values", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    key = a->pos[0];
    nlev = vals->u.list.len && vals->u.list.items[0]->type == KR_V_TUPLE
         ? vals->u.list.items[0]->u.list.len : 1;
    if (key->type == KR_V_INT) {
        k = key->u.i;
    } else if (names && (names->type == KR_V_LIST || names->type == KR_V_TUPLE)) {
        for (i = 0; i < names->u.list.len; i++)
            if (kr_value_equal(names->u.list.items[i], key))
                k = (int64_t)i;
    }
    if (k < 0 || k >= (int64_t)nlev)
        return kr_eval_error(I, "KeyError: get_level_values(%s): the index has no such level",
                             kr_value_to_repr(I->A, key));
    if (nlev == 1) {
        *out = self;
        return KR_OK;
    }
    l = kr_value_list(I->A, vals->u.list.len);
    for (i = 0; i < vals->u.list.len; i++)
        kr_list_push(I->A, l, vals->u.list.items[i]->u.list.items[k]);
    *out = make_index(I, l);
    return KR_OK;
}

/* Index.names = [...] / Index.name = "...": kept as attributes (labels
 * are looked up by value, not by name). self is the Index itself. */
KR_MOD_FN(ix_setattr)
{
    const char *name = a->pos[0]->u.str.s;
    if (strcmp(name, "names") && strcmp(name, "name"))
        return kr_eval_error(I, "krait does not support setting Index.%s yet", name);
    kr_dict_sets(I->A, self->u.ns.attrs, name, a->pos[1]);
    *out = kr_value_none();
    return KR_OK;
}

static struct kr_value *make_index(struct kr_interp *I, struct kr_value *vals)
{
    struct kr_value *ix = kr_value_ns(I->A, "pandas.Index");
    if (vals->u.list.len && vals->u.list.items[0]->type == KR_V_TUPLE) {
        size_t k, nlev = vals->u.list.items[0]->u.list.len;
        struct kr_value *levels = kr_value_list(I->A, nlev);
        for (k = 0; k < nlev; k++)
            kr_list_push(I->A, levels, make_index(I, level_values(I, vals, k)));
        kr_dict_sets(I->A, ix->u.ns.attrs, "levels", levels);
        kr_mod_def(I, ix, "set_levels", ix_set_levels, ix);
    }
    kr_mod_def(I, ix, "astype", ix_astype, vals);
    kr_mod_def(I, ix, "get_level_values", ix_get_level_values, ix);
    kr_mod_def(I, ix, "__setattr__", ix_setattr, ix);
    kr_mod_def(I, ix, "tolist", ix_tolist, vals);
    kr_mod_def(I, ix, "to_list", ix_tolist, vals);
    kr_mod_def(I, ix, "unique", ix_unique, vals);
    kr_mod_def(I, ix, "__len__", ix_len, vals);
    kr_mod_def(I, ix, "__iter__", ix_iter, vals);
    kr_mod_def(I, ix, "__contains__", ix_contains, vals);
    kr_mod_def(I, ix, "__getitem__", ix_getitem, vals);
    kr_dict_sets(I->A, ix->u.ns.attrs, "values", vals);
    return ix;
}

/* ---- Series ---- */

KR_MOD_FN(se_tolist)
{
    KR_UNUSED(a);
    return ix_tolist(I, L(self, SE_VALS), a, out);
}

KR_MOD_FN(se_unique)
{
    KR_UNUSED(a);
    *out = make_index(I, unique_list(I, L(self, SE_VALS)));
    return KR_OK;
}

KR_MOD_FN(se_to_dict)
{
    struct kr_value *d = kr_value_dict(I->A), *v = L(self, SE_VALS), *ix = L(self, SE_INDEX);
    size_t i;
    KR_UNUSED(a);
    for (i = 0; i < v->u.list.len; i++)
        kr_dict_set(I->A, d->u.dict, ix->u.list.items[i], v->u.list.items[i]);
    *out = d;
    return KR_OK;
}

static struct kr_value *series_map(struct kr_interp *I, struct kr_value *self, int what,
                                   struct kr_value *arg)
{
    struct kr_value *v = L(self, SE_VALS), *nv = kr_value_list(I->A, v->u.list.len);
    struct kr_value *ni = kr_value_list(I->A, v->u.list.len);
    size_t i;
    for (i = 0; i < v->u.list.len; i++) {
        struct kr_value *x = v->u.list.items[i];
        switch (what) {
        case 'd':   /* dropna */
            if (is_nan(x))
                continue;
            kr_list_push(I->A, nv, x);
            break;
        case 'n': kr_list_push(I->A, nv, kr_value_bool(is_nan(x))); break;
        case 'N': kr_list_push(I->A, nv, kr_value_bool(!is_nan(x))); break;
        case '=': kr_list_push(I->A, nv, kr_value_bool(kr_value_equal(x, arg))); break;
        default: kr_list_push(I->A, nv, kr_value_bool(!kr_value_equal(x, arg))); break;
        }
        kr_list_push(I->A, ni, L(self, SE_INDEX)->u.list.items[i]);
    }
    return make_series(I, nv, ni, L(self, SE_NAME), what == 'd' && L(self, SE_NAME)->type != KR_V_NONE);
}

KR_MOD_FN(se_dropna) { KR_UNUSED(a); *out = series_map(I, self, 'd', NULL); return KR_OK; }
KR_MOD_FN(se_isnull) { KR_UNUSED(a); *out = series_map(I, self, 'n', NULL); return KR_OK; }
KR_MOD_FN(se_notnull) { KR_UNUSED(a); *out = series_map(I, self, 'N', NULL); return KR_OK; }
KR_MOD_FN(se_eq) { *out = series_map(I, self, '=', a->pos[0]); return KR_OK; }
KR_MOD_FN(se_ne) { *out = series_map(I, self, '!', a->pos[0]); return KR_OK; }

KR_MOD_FN(se_len)
{
    KR_UNUSED(a);
    *out = kr_value_int(I->A, (int64_t)L(self, SE_VALS)->u.list.len);
    return KR_OK;
}

KR_MOD_FN(se_iter)
{
    KR_UNUSED(a);
    *out = L(self, SE_VALS);
    return KR_OK;
}

KR_MOD_FN(se_contains)
{
    return ix_contains(I, L(self, SE_INDEX), a, out);
}

KR_MOD_FN(se_getitem)
{
    struct kr_value *ix = L(self, SE_INDEX), *k = a->pos[0];
    size_t i;
    for (i = 0; i < ix->u.list.len; i++)
        if (kr_value_equal(ix->u.list.items[i], k)) {
            *out = L(self, SE_VALS)->u.list.items[i];
            return KR_OK;
        }
    if (k->type == KR_V_INT && k->u.i >= 0 && (size_t)k->u.i < ix->u.list.len) {
        *out = L(self, SE_VALS)->u.list.items[k->u.i];   /* positional, as old pandas */
        return KR_OK;
    }
    return kr_eval_error(I, "KeyError: %s is not in the Series' index",
                         kr_value_to_repr(I->A, k));
}

static struct kr_value *make_series(struct kr_interp *I, struct kr_value *vals,
                                    struct kr_value *index, struct kr_value *name, bool row)
{
    struct kr_value *s = kr_value_ns(I->A, "pandas.Series"), *parts[SE_N], *st;
    size_t i;
    parts[SE_VALS] = vals;
    parts[SE_INDEX] = index;
    parts[SE_NAME] = name ? name : kr_value_none();
    st = tuple_of(I, SE_N, parts);
    if (row)   /* a row: its labels are attributes too (row.fq1) */
        for (i = 0; i < index->u.list.len; i++)
            if (index->u.list.items[i]->type == KR_V_STR)
                kr_dict_set(I->A, s->u.ns.attrs, index->u.list.items[i], vals->u.list.items[i]);
    kr_mod_def(I, s, "tolist", se_tolist, st);
    kr_mod_def(I, s, "to_list", se_tolist, st);
    kr_mod_def(I, s, "unique", se_unique, st);
    kr_mod_def(I, s, "to_dict", se_to_dict, st);
    kr_mod_def(I, s, "dropna", se_dropna, st);
    kr_mod_def(I, s, "isnull", se_isnull, st);
    kr_mod_def(I, s, "isna", se_isnull, st);
    kr_mod_def(I, s, "notnull", se_notnull, st);
    kr_mod_def(I, s, "notna", se_notnull, st);
    kr_mod_def(I, s, "__eq__", se_eq, st);
    kr_mod_def(I, s, "__ne__", se_ne, st);
    kr_mod_def(I, s, "__len__", se_len, st);
    kr_mod_def(I, s, "__iter__", se_iter, st);
    kr_mod_def(I, s, "__contains__", se_contains, st);
    kr_mod_def(I, s, "__getitem__", se_getitem, st);
    kr_dict_sets(I->A, s->u.ns.attrs, "index", make_index(I, index));
    kr_dict_sets(I->A, s->u.ns.attrs, "name", parts[SE_NAME]);
    kr_dict_sets(I->A, s->u.ns.attrs, "values", vals);
    return s;
}

/* ---- DataFrame ---- */

static struct kr_value *column(struct kr_interp *I, struct kr_value *st, long c)
{
    struct kr_value *rows = L(st, DF_ROWS), *v = kr_value_list(I->A, rows->u.list.len);
    size_t i;
    for (i = 0; i < rows->u.list.len; i++)
        kr_list_push(I->A, v, rows->u.list.items[i]->u.list.items[c]);
    return v;
}

static struct kr_value *row_series(struct kr_interp *I, struct kr_value *st, size_t r)
{
    return make_series(I, L(st, DF_ROWS)->u.list.items[r], L(st, DF_COLS),
                       L(st, DF_INDEX)->u.list.items[r], true);
}

/* The rows (positions) where keep[i]; a DataFrame of them. */
static struct kr_value *subset(struct kr_interp *I, struct kr_value *st, const bool *keep,
                               struct kr_value *index)
{
    struct kr_value *rows = L(st, DF_ROWS), *nr = kr_value_list(I->A, 0);
    struct kr_value *ni = kr_value_list(I->A, 0);
    size_t i;
    for (i = 0; i < rows->u.list.len; i++)
        if (keep[i]) {
            kr_list_push(I->A, nr, rows->u.list.items[i]);
            kr_list_push(I->A, ni, (index ? index : L(st, DF_INDEX))->u.list.items[i]);
        }
    return make_df(I, L(st, DF_COLS), nr, ni, L(st, DF_NAMES));
}

static struct kr_value *select_cols(struct kr_interp *I, struct kr_value *st, long *pos, size_t n)
{
    struct kr_value *rows = L(st, DF_ROWS), *nr = kr_value_list(I->A, rows->u.list.len);
    struct kr_value *nc = kr_value_list(I->A, n);
    size_t i, k;
    for (k = 0; k < n; k++)
        kr_list_push(I->A, nc, L(st, DF_COLS)->u.list.items[pos[k]]);
    for (i = 0; i < rows->u.list.len; i++) {
        struct kr_value *r = kr_value_list(I->A, n);
        for (k = 0; k < n; k++)
            kr_list_push(I->A, r, rows->u.list.items[i]->u.list.items[pos[k]]);
        kr_list_push(I->A, nr, r);
    }
    return make_df(I, nc, nr, L(st, DF_INDEX), L(st, DF_NAMES));
}

/* A boolean Series as a mask over n rows, or NULL when key is not one. */
static bool *as_mask(struct kr_interp *I, struct kr_value *key, size_t n)
{
    struct kr_value *vals;
    bool *m;
    size_t i;
    if (key->type != KR_V_NS || !key->u.ns.name || strcmp(key->u.ns.name, "pandas.Series"))
        return NULL;
    vals = kr_dict_gets(key->u.ns.attrs, "values");
    if (!vals || vals->u.list.len != n)
        return NULL;
    m = kr_arena_zalloc(I->A, n + 1);
    for (i = 0; i < n; i++)
        m[i] = kr_value_truthy(vals->u.list.items[i]);
    return m;
}

static int cols_of(struct kr_interp *I, struct kr_value *st, struct kr_value *key, long **pos,
                   size_t *n)
{
    size_t i;
    *n = key->u.list.len;
    *pos = kr_arena_alloc(I->A, (*n + 1) * sizeof **pos);
    for (i = 0; i < *n; i++) {
        (*pos)[i] = col_pos(st, key->u.list.items[i]);
        if ((*pos)[i] < 0)
            return no_column(I, st, key->u.list.items[i]);
    }
    return KR_OK;
}

KR_MOD_FN(df_getitem)
{
    struct kr_value *key = a->pos[0];
    size_t nrows = L(self, DF_ROWS)->u.list.len, n;
    bool *mask;
    long c, *pos;
    int rc;
    if (key->type == KR_V_LIST) {
        rc = cols_of(I, self, key, &pos, &n);
        if (rc == KR_OK)
            *out = select_cols(I, self, pos, n);
        return rc;
    }
    mask = as_mask(I, key, nrows);
    if (mask) {
        *out = subset(I, self, mask, NULL);
        return KR_OK;
    }
    c = col_pos(self, key);
    if (c < 0)
        return no_column(I, self, key);
    *out = make_series(I, column(I, self, c), L(self, DF_INDEX), key, false);
    return KR_OK;
}

/* Rows whose index equals key (or whose first levels equal a shorter
 * tuple key, a partial key on a MultiIndex). */
static int rows_for(struct kr_interp *I, struct kr_value *st, struct kr_value *key,
                    bool **keep, size_t *count, bool *partial)
{
    struct kr_value *ix = L(st, DF_INDEX);
    size_t i, n = ix->u.list.len, nlev = L(st, DF_NAMES)->u.list.len;
    *keep = kr_arena_zalloc(I->A, n + 1);
    *count = 0;
    *partial = nlev > 1 && (key->type != KR_V_TUPLE || key->u.list.len < nlev);
    for (i = 0; i < n; i++) {
        struct kr_value *k = ix->u.list.items[i];
        bool eq;
        if (*partial) {
            size_t m = key->type == KR_V_TUPLE ? key->u.list.len : 1, j;
            eq = true;
            for (j = 0; j < m && eq; j++)
                eq = kr_value_equal(k->u.list.items[j],
                                    key->type == KR_V_TUPLE ? key->u.list.items[j] : key);
        } else {
            eq = kr_value_equal(k, key);
        }
        if (eq) {
            (*keep)[i] = true;
            (*count)++;
        }
    }
    if (!*count)
        return kr_eval_error(I, "KeyError: %s is not in the index of the table",
                             kr_value_to_repr(I->A, key));
    return KR_OK;
}

static int loc_rows(struct kr_interp *I, struct kr_value *st, struct kr_value *rk,
                    struct kr_value **out, long *single)
{
    bool *keep, partial;
    size_t count, i;
    int rc;
    *single = -1;
    keep = as_mask(I, rk, L(st, DF_ROWS)->u.list.len);
    if (keep) {
        *out = subset(I, st, keep, NULL);
        return KR_OK;
    }
    rc = rows_for(I, st, rk, &keep, &count, &partial);
    if (rc != KR_OK)
        return rc;
    if (count == 1 && !partial) {
        for (i = 0; !keep[i]; i++)
            ;
        *single = (long)i;
        *out = row_series(I, st, i);
        return KR_OK;
    }
    if (partial) {
        /* pandas drops the levels given */
        struct kr_value *ix = L(st, DF_INDEX), *ni = kr_value_list(I->A, ix->u.list.len);
        size_t m = rk->type == KR_V_TUPLE ? rk->u.list.len : 1;
        for (i = 0; i < ix->u.list.len; i++) {
            struct kr_value *k = ix->u.list.items[i];
            if (k->u.list.len - m == 1)
                kr_list_push(I->A, ni, k->u.list.items[m]);
            else
                kr_list_push(I->A, ni, tuple_of(I, k->u.list.len - m, k->u.list.items + m));
        }
        *out = subset(I, st, keep, ni);
        return KR_OK;
    }
    *out = subset(I, st, keep, NULL);
    return KR_OK;
}

KR_MOD_FN(loc_getitem)
{
    struct kr_value *key = a->pos[0], *rk = key, *ck = NULL, *rows = NULL;
    size_t nlev = L(self, DF_NAMES)->u.list.len;
    long single, c;
    int rc;
    if (key->type == KR_V_TUPLE && key->u.list.len == 2) {
        struct kr_value *k0 = key->u.list.items[0], *k1 = key->u.list.items[1];
        bool whole_key = false;
        if (nlev == 2 && k0->type != KR_V_TUPLE && k1->type != KR_V_LIST) {
            /* .loc[(a, b)] on a two-level index: a full key if it exists */
            struct kr_value *ix = L(self, DF_INDEX);
            size_t i;
            for (i = 0; i < ix->u.list.len && !whole_key; i++)
                whole_key = kr_value_equal(ix->u.list.items[i], key);
        }
        if (!whole_key) {
            rk = k0;
            ck = k1;
        }
    } else if (key->type == KR_V_TUPLE && nlev < 2) {
        return kr_eval_error(I, "krait does not support .loc with %zu keys on a table with a "
                             "single-level index yet", key->u.list.len);
    }
    rc = loc_rows(I, self, rk, &rows, &single);
    if (rc != KR_OK || !ck)
        *out = rows;
    if (rc != KR_OK || !ck)
        return rc;
    if (single >= 0) {
        /* one row: a value, or a Series for a list of columns */
        struct kr_value *row = L(self, DF_ROWS)->u.list.items[single];
        if (ck->type == KR_V_LIST) {
            struct kr_value *vals = kr_value_list(I->A, ck->u.list.len);
            size_t i;
            for (i = 0; i < ck->u.list.len; i++) {
                c = col_pos(self, ck->u.list.items[i]);
                if (c < 0)
                    return no_column(I, self, ck->u.list.items[i]);
                kr_list_push(I->A, vals, row->u.list.items[c]);
            }
            *out = make_series(I, vals, ck, L(self, DF_INDEX)->u.list.items[single], true);
            return KR_OK;
        }
        c = col_pos(self, ck);
        if (c < 0)
            return no_column(I, self, ck);
        *out = row->u.list.items[c];
        return KR_OK;
    }
    {
        struct kr_callargs ca = {&ck, 1, NULL, NULL, 0};
        struct kr_value *f = kr_dict_gets(rows->u.ns.attrs, "__getitem__");
        return f->u.bi.fn(I, f->u.bi.self, &ca, out);
    }
}

KR_MOD_FN(df_len)
{
    KR_UNUSED(a);
    *out = kr_value_int(I->A, (int64_t)L(self, DF_ROWS)->u.list.len);
    return KR_OK;
}

/* sort_index(ascending=True): the rows in the order of their index labels
 * (a stable sort, as pandas' default for one key). */
struct sortrow {
    struct kr_value *label, *row;
    size_t pos;
};

static int cmp_sortrow(const void *x, const void *y)
{
    const struct sortrow *a = x, *b = y;
    int c = 0;
    kr_value_compare(a->label, b->label, &c);
    return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

KR_MOD_FN(df_sort_index)
{
    struct kr_value *rows = L(self, DF_ROWS), *index = L(self, DF_INDEX), *asc, *nr, *ni;
    struct sortrow *v;
    size_t i, n = rows->u.list.len;
    int rc = kr_args_check(I, "sort_index", a, 0, 0);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < a->nkw; i++)
        if (strcmp(a->kwnames[i], "ascending"))
            return kr_eval_error(I, "krait does not support sort_index(%s=...) yet (it takes "
                                 "ascending=)", a->kwnames[i]);
    asc = kr_args_kw(a, "ascending");
    v = kr_arena_alloc(I->A, (n + 1) * sizeof *v);
    for (i = 0; i < n; i++) {
        v[i].label = index->u.list.items[i];
        v[i].row = rows->u.list.items[i];
        v[i].pos = asc && !kr_value_truthy(asc) ? n - i : i;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_sortrow);
    nr = kr_value_list(I->A, n);
    ni = kr_value_list(I->A, n);
    for (i = 0; i < n; i++) {
        size_t k = asc && !kr_value_truthy(asc) ? n - 1 - i : i;
        kr_list_push(I->A, nr, v[k].row);
        kr_list_push(I->A, ni, v[k].label);
    }
    *out = make_df(I, L(self, DF_COLS), nr, ni, L(self, DF_NAMES));
    return KR_OK;
}

/* A column as an attribute (samples.condition), as pandas allows for a
 * column name that is not a DataFrame attribute; KR_NOT_FOUND otherwise,
 * so the caller reports the missing feature. */
KR_MOD_FN(df_getattr)
{
    struct kr_value *cols = L(self, DF_COLS);
    size_t i;
    for (i = 0; i < cols->u.list.len; i++)
        if (kr_value_equal(cols->u.list.items[i], a->pos[0])) {
            *out = make_series(I, column(I, self, (long)i), L(self, DF_INDEX), a->pos[0], false);
            return KR_OK;
        }
    return KR_NOT_FOUND;
}

KR_MOD_FN(df_iter)
{
    KR_UNUSED(a);
    *out = L(self, DF_COLS);
    return KR_OK;
}

KR_MOD_FN(df_contains)
{
    *out = kr_value_bool(col_pos(self, a->pos[0]) >= 0);
    return KR_OK;
}

KR_MOD_FN(df_set_index)
{
    struct kr_value *keys, *drop, *names, *ni, *cols = L(self, DF_COLS), *rows = L(self, DF_ROWS);
    long *pos;
    size_t n, i, k;
    int rc = kr_args_check(I, "set_index", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < a->nkw; i++)
        if (strcmp(a->kwnames[i], "drop"))
            return kr_eval_error(I, "krait does not support set_index(%s=...) yet (it takes "
                                 "keys and drop=)", a->kwnames[i]);
    drop = kr_args_kw(a, "drop");
    keys = a->pos[0];
    if (keys->type == KR_V_STR) {
        keys = kr_value_list(I->A, 1);
        kr_list_push(I->A, keys, a->pos[0]);
    }
    if (keys->type != KR_V_LIST && keys->type != KR_V_TUPLE)
        return kr_eval_error(I, "set_index(): expected a column name or a list of them");
    rc = cols_of(I, self, keys, &pos, &n);
    if (rc != KR_OK)
        return rc;
    ni = kr_value_list(I->A, rows->u.list.len);
    for (i = 0; i < rows->u.list.len; i++) {
        struct kr_value *r = rows->u.list.items[i];
        if (n == 1) {
            kr_list_push(I->A, ni, r->u.list.items[pos[0]]);
        } else {
            struct kr_value *t = kr_value_tuple(I->A, n);
            for (k = 0; k < n; k++)
                t->u.list.items[k] = r->u.list.items[pos[k]];
            kr_list_push(I->A, ni, t);
        }
    }
    names = kr_value_list(I->A, n);
    for (k = 0; k < n; k++)
        kr_list_push(I->A, names, keys->u.list.items[k]);
    if (!drop || kr_value_truthy(drop)) {
        long *keep = kr_arena_alloc(I->A, (cols->u.list.len + 1) * sizeof *keep);
        size_t nk = 0;
        struct kr_value *df;
        for (i = 0; i < cols->u.list.len; i++) {
            for (k = 0; k < n && pos[k] != (long)i; k++)
                ;
            if (k == n)
                keep[nk++] = (long)i;
        }
        df = select_cols(I, self, keep, nk);
        *out = make_df(I, L(kr_dict_gets(df->u.ns.attrs, "__len__")->u.bi.self, DF_COLS),
                       L(kr_dict_gets(df->u.ns.attrs, "__len__")->u.bi.self, DF_ROWS), ni,
                       names);
        return KR_OK;
    }
    *out = make_df(I, cols, rows, ni, names);
    return KR_OK;
}

KR_MOD_FN(df_dropna)
{
    struct kr_value *rows = L(self, DF_ROWS), *sub = kr_args_kw(a, "subset"), *how;
    size_t i, k, n = rows->u.list.len;
    bool *keep = kr_arena_zalloc(I->A, n + 1), all;
    long *pos = NULL;
    size_t np = 0;
    int rc;
    how = kr_args_kw(a, "how");
    all = how && how->type == KR_V_STR && !strcmp(how->u.str.s, "all");
    if (sub) {
        if (sub->type == KR_V_STR) {
            struct kr_value *l = kr_value_list(I->A, 1);
            kr_list_push(I->A, l, sub);
            sub = l;
        }
        rc = cols_of(I, self, sub, &pos, &np);
        if (rc != KR_OK)
            return rc;
    }
    for (i = 0; i < n; i++) {
        struct kr_value *r = rows->u.list.items[i];
        size_t m = pos ? np : r->u.list.len, nn = 0;
        for (k = 0; k < m; k++)
            nn += is_nan(r->u.list.items[pos ? (size_t)pos[k] : k]);
        keep[i] = all ? nn < m : nn == 0;
    }
    *out = subset(I, self, keep, NULL);
    return KR_OK;
}

KR_MOD_FN(df_to_dict)
{
    struct kr_value *o = a->npos ? a->pos[0] : kr_args_kw(a, "orient");
    struct kr_value *cols = L(self, DF_COLS), *rows = L(self, DF_ROWS), *ix = L(self, DF_INDEX);
    const char *orient = o && o->type == KR_V_STR ? o->u.str.s : "dict";
    struct kr_value *res;
    size_t i, c;
    if (!strcmp(orient, "records") || !strcmp(orient, "index")) {
        res = !strcmp(orient, "records") ? kr_value_list(I->A, 0) : kr_value_dict(I->A);
        for (i = 0; i < rows->u.list.len; i++) {
            struct kr_value *d = kr_value_dict(I->A);
            for (c = 0; c < cols->u.list.len; c++)
                kr_dict_set(I->A, d->u.dict, cols->u.list.items[c],
                            rows->u.list.items[i]->u.list.items[c]);
            if (res->type == KR_V_LIST)
                kr_list_push(I->A, res, d);
            else
                kr_dict_set(I->A, res->u.dict, ix->u.list.items[i], d);
        }
    } else if (!strcmp(orient, "dict") || !strcmp(orient, "list")) {
        res = kr_value_dict(I->A);
        for (c = 0; c < cols->u.list.len; c++) {
            struct kr_value *d = orient[0] == 'd' ? kr_value_dict(I->A) : column(I, self, (long)c);
            if (orient[0] == 'd')
                for (i = 0; i < rows->u.list.len; i++)
                    kr_dict_set(I->A, d->u.dict, ix->u.list.items[i],
                                rows->u.list.items[i]->u.list.items[c]);
            kr_dict_set(I->A, res->u.dict, cols->u.list.items[c], d);
        }
    } else {
        return kr_eval_error(I, "krait does not support to_dict(orient='%s') yet (it takes "
                             "'dict', 'list', 'records', 'index')", orient);
    }
    *out = res;
    return KR_OK;
}

KR_MOD_FN(df_iterrows)
{
    struct kr_value *res = kr_value_list(I->A, 0);
    size_t i;
    KR_UNUSED(a);
    for (i = 0; i < L(self, DF_ROWS)->u.list.len; i++) {
        struct kr_value *p[2] = {L(self, DF_INDEX)->u.list.items[i], row_series(I, self, i)};
        kr_list_push(I->A, res, tuple_of(I, 2, p));
    }
    *out = res;
    return KR_OK;
}

KR_MOD_FN(df_itertuples)
{
    struct kr_value *res = kr_value_list(I->A, 0), *cols = L(self, DF_COLS);
    struct kr_value *wi = kr_args_kw(a, "index");
    size_t i, c;
    for (i = 0; i < L(self, DF_ROWS)->u.list.len; i++) {
        struct kr_value *row = kr_value_ns(I->A, "pandas.Row");
        if (!wi || kr_value_truthy(wi))
            kr_dict_sets(I->A, row->u.ns.attrs, "Index", L(self, DF_INDEX)->u.list.items[i]);
        for (c = 0; c < cols->u.list.len; c++)
            kr_dict_set(I->A, row->u.ns.attrs, cols->u.list.items[c],
                        L(self, DF_ROWS)->u.list.items[i]->u.list.items[c]);
        kr_list_push(I->A, res, row);
    }
    *out = res;
    return KR_OK;
}

/* DataFrame.index = ... / DataFrame.columns = ...: a list or an Index of
 * as many labels, which the frame's methods see from then on (they share
 * its state tuple). self is the DataFrame. */
KR_MOD_FN(df_setattr)
{
    const char *name = a->pos[0]->u.str.s;
    struct kr_value *st = kr_dict_gets(self->u.ns.attrs, "__len__")->u.bi.self;
    struct kr_value *v = a->pos[1], *vals;
    int slot = !strcmp(name, "index") ? DF_INDEX : !strcmp(name, "columns") ? DF_COLS : -1;
    size_t want;
    if (slot < 0)
        return kr_eval_error(I, "krait does not support setting DataFrame.%s yet (index and "
                             "columns can be set)", name);
    vals = v->type == KR_V_NS ? kr_dict_gets(v->u.ns.attrs, "values") : v;
    want = L(st, slot)->u.list.len;
    if (!vals || (vals->type != KR_V_LIST && vals->type != KR_V_TUPLE) ||
        vals->u.list.len != want)
        return kr_eval_error(I, "DataFrame.%s = ...: expected %zu labels (a list or an Index)",
                             name, want);
    if (vals->type == KR_V_TUPLE) {
        struct kr_value *l = kr_value_list(I->A, vals->u.list.len);
        size_t i;
        for (i = 0; i < vals->u.list.len; i++)
            kr_list_push(I->A, l, vals->u.list.items[i]);
        vals = l;
    }
    st->u.list.items[slot] = vals;
    kr_dict_sets(I->A, self->u.ns.attrs, name, v->type == KR_V_NS ? v : make_index(I, vals));
    *out = kr_value_none();
    return KR_OK;
}

static struct kr_value *make_df(struct kr_interp *I, struct kr_value *cols,
                                struct kr_value *rows, struct kr_value *index,
                                struct kr_value *names)
{
    struct kr_value *df = kr_value_ns(I->A, "pandas.DataFrame");
    struct kr_value *loc = kr_value_ns(I->A, "pandas.loc"), *parts[DF_N], *st;
    parts[DF_COLS] = cols;
    parts[DF_ROWS] = rows;
    parts[DF_INDEX] = index;
    parts[DF_NAMES] = names;
    st = tuple_of(I, DF_N, parts);
    kr_mod_def(I, loc, "__getitem__", loc_getitem, st);
    kr_mod_def(I, df, "__getitem__", df_getitem, st);
    kr_mod_def(I, df, "__len__", df_len, st);
    kr_mod_def(I, df, "__iter__", df_iter, st);
    kr_mod_def(I, df, "__contains__", df_contains, st);
    kr_mod_def(I, df, "set_index", df_set_index, st);
    kr_mod_def(I, df, "dropna", df_dropna, st);
    kr_mod_def(I, df, "to_dict", df_to_dict, st);
    kr_mod_def(I, df, "iterrows", df_iterrows, st);
    kr_mod_def(I, df, "itertuples", df_itertuples, st);
    kr_mod_def(I, df, "__setattr__", df_setattr, df);
    kr_mod_def(I, df, "sort_index", df_sort_index, st);
    kr_mod_def(I, df, "__getattr__", df_getattr, st);
    kr_dict_sets(I->A, df->u.ns.attrs, "loc", loc);
    {
        struct kr_value *ix = make_index(I, index);
        if (names && names->type == KR_V_LIST && names->u.list.len)
            kr_dict_sets(I->A, ix->u.ns.attrs, "names", names);
        kr_dict_sets(I->A, df->u.ns.attrs, "index", ix);
    }
    kr_dict_sets(I->A, df->u.ns.attrs, "columns", make_index(I, cols));
    kr_dict_sets(I->A, df->u.ns.attrs, "empty", kr_value_bool(rows->u.list.len == 0));
    {
        struct kr_value *shape = kr_value_tuple(I->A, 2);
        shape->u.list.items[0] = kr_value_int(I->A, (int64_t)rows->u.list.len);
        shape->u.list.items[1] = kr_value_int(I->A, (int64_t)cols->u.list.len);
        kr_dict_sets(I->A, df->u.ns.attrs, "shape", shape);
    }
    return df;
}

/* ---- reading ---- */

/* Convert a column to int or float when every non-empty cell reads as one. */
static void infer_column(struct kr_interp *I, struct kr_value *rows, size_t c)
{
    size_t i;
    bool ints = true, nums = true, any = false, missing = false;
    for (i = 0; i < rows->u.list.len; i++) {
        struct kr_value *v = rows->u.list.items[i]->u.list.items[c];
        char *end;
        if (v->type != KR_V_STR) {
            missing = true;
            continue;
        }
        any = true;
        strtoll(v->u.str.s, &end, 10);
        if (*end || !v->u.str.len)
            ints = false;
        strtod(v->u.str.s, &end);
        if (*end || !v->u.str.len)
            nums = false;
    }
    if (!any || !nums)
        return;
    for (i = 0; i < rows->u.list.len; i++) {
        struct kr_value **v = &rows->u.list.items[i]->u.list.items[c];
        if ((*v)->type != KR_V_STR)
            continue;
        if (ints && !missing)
            *v = kr_value_int(I->A, strtoll((*v)->u.str.s, NULL, 10));
        else
            *v = kr_value_float(I->A, strtod((*v)->u.str.s, NULL));
    }
}

static int read_common(struct kr_interp *I, const char *fname, const char *dsep,
                       const struct kr_callargs *a, struct kr_value **out)
{
    struct kr_value *sep = NULL, *comment = NULL, *dtype = NULL, *index_col = NULL, *res;
    struct kr_value *rt = kr_dict_gets(I->builtins, "read_table"), *cols, *rows, *ix, *names;
    struct kr_value *args[1], *kwv[2];
    const char *kwn[2] = {"sep", "comment"};
    struct kr_callargs ca;
    size_t i, c;
    int rc = kr_args_check(I, fname, a, 1, 1);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < a->nkw; i++) {
        const char *k = a->kwnames[i];
        if (!strcmp(k, "sep") || !strcmp(k, "delimiter"))
            sep = a->kwvals[i];
        else if (!strcmp(k, "comment"))
            comment = a->kwvals[i];
        else if (!strcmp(k, "dtype"))
            dtype = a->kwvals[i];
        else if (!strcmp(k, "index_col"))
            index_col = a->kwvals[i];
        else if (strcmp(k, "engine") && strcmp(k, "skipinitialspace"))
            return kr_eval_error(I, "krait does not support %s(%s=...) yet (it takes sep=, "
                                 "comment=, dtype=, index_col=)", fname, k);
    }
    if (sep && (sep->type != KR_V_STR || !strcmp(sep->u.str.s, "\\s+")))
        return kr_eval_error(I, "%s(): sep must be a plain string (krait does not support "
                             "regular-expression separators yet)", fname);
    args[0] = a->pos[0];
    kwv[0] = sep ? sep : kr_value_cstr(I->A, dsep);
    kwv[1] = comment ? comment : kr_value_none();
    ca.pos = args;
    ca.npos = 1;
    ca.kwnames = kwn;
    ca.kwvals = kwv;
    ca.nkw = 2;
    rc = kr_eval_call(I, rt, &ca, I->site, &res);
    if (rc != KR_OK)
        return rc;
    cols = kr_value_list(I->A, 0);
    rows = kr_value_list(I->A, res->u.list.len);
    ix = kr_value_list(I->A, res->u.list.len);
    if (res->u.list.len) {
        struct kr_dict *d0 = res->u.list.items[0]->u.dict;
        for (i = 0; i < d0->n; i++)
            if (d0->keys[i])
                kr_list_push(I->A, cols, d0->keys[i]);
    }
    for (i = 0; i < res->u.list.len; i++) {
        struct kr_dict *d = res->u.list.items[i]->u.dict;
        struct kr_value *r = kr_value_list(I->A, cols->u.list.len);
        for (c = 0; c < cols->u.list.len; c++) {
            struct kr_value *v = kr_dict_get(d, cols->u.list.items[c]);
            kr_list_push(I->A, r, v->u.str.len ? v : kr_value_float(I->A, NAN));
        }
        kr_list_push(I->A, rows, r);
        kr_list_push(I->A, ix, kr_value_int(I->A, (int64_t)i));
    }
    if (!dtype || !(dtype->type == KR_V_TYPE && !strcmp(dtype->u.type.name, "str")))
        if (!dtype || dtype->type == KR_V_NONE)
            for (c = 0; c < cols->u.list.len; c++)
                infer_column(I, rows, c);
    names = kr_value_list(I->A, 0);
    *out = make_df(I, cols, rows, ix, names);
    if (index_col && index_col->type != KR_V_NONE && !(index_col->type == KR_V_BOOL)) {
        struct kr_value *key = index_col, *f;
        struct kr_callargs sa = {&key, 1, NULL, NULL, 0};
        if (key->type == KR_V_INT) {
            if (key->u.i < 0 || (size_t)key->u.i >= cols->u.list.len)
                return kr_eval_error(I, "%s(): index_col %lld is out of range", fname,
                                     (long long)key->u.i);
            key = cols->u.list.items[key->u.i];
        }
        f = kr_dict_gets((*out)->u.ns.attrs, "set_index");
        return f->u.bi.fn(I, f->u.bi.self, &sa, out);
    }
    return KR_OK;
}

KR_MOD_FN(pd_read_csv)
{
    KR_UNUSED(self);
    return read_common(I, "pandas.read_csv", ",", a, out);
}

KR_MOD_FN(pd_read_table)
{
    KR_UNUSED(self);
    return read_common(I, "pandas.read_table", "\t", a, out);
}

static int nullness(struct kr_interp *I, const struct kr_callargs *a, bool want_null,
                    struct kr_value **out)
{
    struct kr_value *v;
    int rc = kr_args_check(I, want_null ? "pandas.isnull" : "pandas.notnull", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    v = a->pos[0];
    if (v->type == KR_V_NS && v->u.ns.name && !strcmp(v->u.ns.name, "pandas.Series")) {
        struct kr_value *f = kr_dict_gets(v->u.ns.attrs, want_null ? "isnull" : "notnull");
        return f->u.bi.fn(I, f->u.bi.self, a, out);
    }
    *out = kr_value_bool(is_nan(v) == want_null);
    return KR_OK;
}

KR_MOD_FN(pd_isnull) { KR_UNUSED(self); return nullness(I, a, true, out); }
KR_MOD_FN(pd_notnull) { KR_UNUSED(self); return nullness(I, a, false, out); }

/* ---- numpy ---- */

static int num_arg(struct kr_interp *I, struct kr_value *v, double *d, bool *isint)
{
    if (v->type == KR_V_INT || v->type == KR_V_BOOL) {
        *d = v->type == KR_V_INT ? (double)v->u.i : v->u.b;
        return KR_OK;
    }
    if (v->type == KR_V_FLOAT) {
        *d = v->u.f;
        *isint = false;
        return KR_OK;
    }
    return kr_eval_error(I, "numpy: expected a number, got '%s'", kr_value_type_name(v));
}

KR_MOD_FN(np_arange)
{
    double v[3] = {0, 0, 1}, x;
    bool isint = true;
    size_t i, n;
    struct kr_value *res;
    int rc = kr_args_check(I, "numpy.arange", a, 1, 3);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < a->npos; i++) {
        rc = num_arg(I, a->pos[i], &v[a->npos == 1 ? 1 : i], &isint);
        if (rc != KR_OK)
            return rc;
    }
    if (v[2] == 0)
        return kr_eval_error(I, "numpy.arange(): step must not be zero");
    x = ceil((v[1] - v[0]) / v[2]);
    n = x > 0 ? (size_t)x : 0;
    if (n > 10000000)
        return kr_eval_error(I, "numpy.arange() of %zu items is too large for the rule language",
                             n);
    res = kr_value_list(I->A, n);
    for (i = 0; i < n; i++) {
        double e = v[0] + (double)i * v[2];
        kr_list_push(I->A, res, isint ? kr_value_int(I->A, (int64_t)e) : kr_value_float(I->A, e));
    }
    *out = res;
    return KR_OK;
}

KR_MOD_FN(np_linspace)
{
    double s, e;
    bool isint = true;
    int64_t num = 50, i;
    struct kr_value *nv = a->npos == 3 ? a->pos[2] : kr_args_kw(a, "num"), *res;
    struct kr_value *ep = kr_args_kw(a, "endpoint");
    bool endpoint = !ep || kr_value_truthy(ep);
    int rc = kr_args_check(I, "numpy.linspace", a, 2, 3);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = num_arg(I, a->pos[0], &s, &isint);
    if (rc == KR_OK)
        rc = num_arg(I, a->pos[1], &e, &isint);
    if (rc != KR_OK)
        return rc;
    if (nv) {
        if (nv->type != KR_V_INT || nv->u.i < 0 || nv->u.i > 10000000)
            return kr_eval_error(I, "numpy.linspace(): num must be a non-negative int");
        num = nv->u.i;
    }
    res = kr_value_list(I->A, (size_t)num);
    for (i = 0; i < num; i++) {
        int64_t div = endpoint ? num - 1 : num;
        double step = div > 0 ? (e - s) / (double)div : 0;
        kr_list_push(I->A, res, kr_value_float(I->A, endpoint && i == num - 1 && num > 1
                                                        ? e : s + (double)i * step));
    }
    *out = res;
    return KR_OK;
}

void kr_mod_pandas_install(struct kr_interp *I)
{
    struct kr_value *pd = kr_value_ns(I->A, "pandas"), *np = kr_value_ns(I->A, "numpy");
    kr_mod_def(I, pd, "pandas.read_csv", pd_read_csv, NULL);
    kr_mod_def(I, pd, "pandas.read_table", pd_read_table, NULL);
    kr_mod_def(I, pd, "pandas.isnull", pd_isnull, NULL);
    kr_mod_def(I, pd, "pandas.isna", pd_isnull, NULL);
    kr_mod_def(I, pd, "pandas.notnull", pd_notnull, NULL);
    kr_mod_def(I, pd, "pandas.notna", pd_notnull, NULL);
    kr_mod_def(I, np, "numpy.arange", np_arange, NULL);
    kr_mod_def(I, np, "numpy.linspace", np_linspace, NULL);
    kr_dict_sets(I->A, np->u.ns.attrs, "nan", kr_value_float(I->A, NAN));
    kr_dict_sets(I->A, pd->u.ns.attrs, "NA", kr_value_float(I->A, NAN));
    kr_dict_sets(I->A, I->modules, "pandas", pd);
    kr_dict_sets(I->A, I->modules, "numpy", np);
}

bool kr_pandas_frame(struct kr_value *v, struct kr_value **cols, struct kr_value **rows,
                     struct kr_value **index)
{
    struct kr_value *f, *st;
    if (v->type != KR_V_NS || !v->u.ns.name || strcmp(v->u.ns.name, "pandas.DataFrame"))
        return false;
    f = kr_dict_gets(v->u.ns.attrs, "__len__");
    if (!f || f->type != KR_V_BUILTIN)
        return false;
    st = f->u.bi.self;
    *cols = L(st, DF_COLS);
    *rows = L(st, DF_ROWS);
    *index = L(st, DF_INDEX);
    return true;
}
