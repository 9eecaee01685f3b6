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

static void series_more(struct kr_interp *I, struct kr_value *s, struct kr_value *st);
static void df_more(struct kr_interp *I, struct kr_value *df, struct kr_value *st);

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
    series_more(I, s, st);
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

/* ---- more idioms: masks, str accessor, conversions, head/fillna ---- */

static bool is_ns(const struct kr_value *v, const char *name)
{
    return v->type == KR_V_NS && v->u.ns.name && !strcmp(v->u.ns.name, name);
}

/* The values of a Series, Index or list-like; NULL otherwise. */
static struct kr_value *values_of(struct kr_value *v)
{
    if (v->type == KR_V_LIST || v->type == KR_V_TUPLE)
        return v;
    if (v->type == KR_V_NS && v->u.ns.name && (!strcmp(v->u.ns.name, "pandas.Series") ||
                                               !strcmp(v->u.ns.name, "pandas.Index")))
        return kr_dict_gets(v->u.ns.attrs, "values");
    return NULL;
}

/* a & b, a | b, ~a on boolean Series (op '&', '|', '~'). */
static int mask_op(struct kr_interp *I, struct kr_value *self, struct kr_value *other, int op,
                   struct kr_value **out)
{
    struct kr_value *v = L(self, SE_VALS), *ov = other ? values_of(other) : NULL;
    struct kr_value *nv = kr_value_list(I->A, v->u.list.len);
    size_t i;
    if (other && ov && ov->u.list.len != v->u.list.len)
        return kr_eval_error(I, "ValueError: the Series in '%c' have %zu and %zu items", op,
                             v->u.list.len, ov->u.list.len);
    for (i = 0; i < v->u.list.len; i++) {
        bool x = kr_value_truthy(v->u.list.items[i]) && !is_nan(v->u.list.items[i]), y;
        y = !other ? false : ov ? kr_value_truthy(ov->u.list.items[i]) && !is_nan(ov->u.list.items[i])
                              : kr_value_truthy(other);
        kr_list_push(I->A, nv, kr_value_bool(op == '&' ? x && y : op == '|' ? x || y : !x));
    }
    *out = make_series(I, nv, L(self, SE_INDEX), L(self, SE_NAME), false);
    return KR_OK;
}

/* s < v, s <= v, s > v, s >= v element by element (NaN compares False;
 * values that do not compare, such as a str and an int, are a TypeError as
 * in pandas). */
static int se_order(struct kr_interp *I, struct kr_value *self, struct kr_value *arg, int op,
                    struct kr_value **out)
{
    struct kr_value *v = L(self, SE_VALS), *nv = kr_value_list(I->A, v->u.list.len);
    size_t i;
    for (i = 0; i < v->u.list.len; i++) {
        struct kr_value *x = v->u.list.items[i];
        int c = 0;
        bool r;
        if (is_nan(x) || is_nan(arg)) {
            kr_list_push(I->A, nv, kr_value_bool(false));
            continue;
        }
        if ((x->type == KR_V_STR) != (arg->type == KR_V_STR))
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "TypeError: '%c' not supported between "
                                            "instances of '%s' and '%s'", op == 'l' || op == 'L'
                                            ? '<' : '>', kr_value_type_name(x),
                                            kr_value_type_name(arg)));
        kr_value_compare(x, arg, &c);
        r = op == 'l' ? c < 0 : op == 'L' ? c <= 0 : op == 'g' ? c > 0 : c >= 0;
        kr_list_push(I->A, nv, kr_value_bool(r));
    }
    *out = make_series(I, nv, L(self, SE_INDEX), L(self, SE_NAME), false);
    return KR_OK;
}

KR_MOD_FN(se_lt) { return se_order(I, self, a->pos[0], 'l', out); }
KR_MOD_FN(se_le) { return se_order(I, self, a->pos[0], 'L', out); }
KR_MOD_FN(se_gt) { return se_order(I, self, a->pos[0], 'g', out); }
KR_MOD_FN(se_ge) { return se_order(I, self, a->pos[0], 'G', out); }

KR_MOD_FN(se_and) { return mask_op(I, self, a->pos[0], '&', out); }
KR_MOD_FN(se_or) { return mask_op(I, self, a->pos[0], '|', out); }
KR_MOD_FN(se_invert) { KR_UNUSED(a); return mask_op(I, self, NULL, '~', out); }

KR_MOD_FN(se_isin)
{
    struct kr_value *v = L(self, SE_VALS), *nv, *ref;
    size_t i, k;
    int rc = kr_args_check(I, "Series.isin", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    ref = values_of(a->pos[0]);
    if (!ref && (a->pos[0]->type == KR_V_SET || a->pos[0]->type == KR_V_DICT)) {
        ref = kr_value_list(I->A, 0);
        for (k = 0; k < a->pos[0]->u.dict->n; k++)
            if (a->pos[0]->u.dict->keys[k])
                kr_list_push(I->A, ref, a->pos[0]->u.dict->keys[k]);
    }
    if (!ref)
        return kr_eval_error(I, "TypeError: only list-like objects are allowed to be passed to "
                             "isin(), you passed a '%s'", kr_value_type_name(a->pos[0]));
    nv = kr_value_list(I->A, v->u.list.len);
    for (i = 0; i < v->u.list.len; i++) {
        bool in = false;
        for (k = 0; k < ref->u.list.len && !in; k++)
            in = kr_value_equal(v->u.list.items[i], ref->u.list.items[k]);
        kr_list_push(I->A, nv, kr_value_bool(in));
    }
    *out = make_series(I, nv, L(self, SE_INDEX), L(self, SE_NAME), false);
    return KR_OK;
}

/* One value converted as astype(int/float/str) does. */
static int convert(struct kr_interp *I, struct kr_value *x, char to, struct kr_value **out)
{
    char *end;
    if (to == 's') {
        *out = kr_value_cstr(I->A, is_nan(x) ? "nan" : kr_value_to_str(I->A, x));
        return KR_OK;
    }
    if (is_nan(x)) {
        if (to == 'f') {
            *out = kr_value_float(I->A, NAN);
            return KR_OK;
        }
        return kr_eval_error(I, "IntCastingNaNError: Cannot convert non-finite values (NA or "
                             "inf) to integer");
    }
    if (x->type == KR_V_BOOL || x->type == KR_V_INT) {
        int64_t v = x->type == KR_V_BOOL ? x->u.b : x->u.i;
        *out = to == 'i' ? kr_value_int(I->A, v) : kr_value_float(I->A, (double)v);
        return KR_OK;
    }
    if (x->type == KR_V_FLOAT) {
        *out = to == 'i' ? kr_value_int(I->A, (int64_t)x->u.f) : x;
        return KR_OK;
    }
    if (x->type == KR_V_STR) {
        if (to == 'i') {
            long long v = strtoll(x->u.str.s, &end, 10);
            if (x->u.str.len && !*end) {
                *out = kr_value_int(I->A, v);
                return KR_OK;
            }
        } else {
            double d = strtod(x->u.str.s, &end);
            if (x->u.str.len && !*end) {
                *out = kr_value_float(I->A, d);
                return KR_OK;
            }
        }
        return kr_eval_error(I, "ValueError: invalid literal for %s: %s",
                             to == 'i' ? "int() with base 10" : "float()",
                             kr_value_to_repr(I->A, x));
    }
    return kr_eval_error(I, "TypeError: cannot convert '%s' with astype()",
                         kr_value_type_name(x));
}

static int astype_code(struct kr_interp *I, struct kr_value *t, char *to)
{
    const char *n = t->type == KR_V_BUILTIN ? t->u.bi.name : t->type == KR_V_STR ? t->u.str.s : "";
    if (!strcmp(n, "int") || !strcmp(n, "int64") || !strcmp(n, "int32"))
        *to = 'i';
    else if (!strcmp(n, "float") || !strcmp(n, "float64"))
        *to = 'f';
    else if (!strcmp(n, "str") || !strcmp(n, "string") || !strcmp(n, "object"))
        *to = 's';
    else
        return kr_eval_error(I, "krait does not support astype(%s) yet (int, float and str work)",
                             kr_value_to_repr(I->A, t));
    return KR_OK;
}

static int convert_list(struct kr_interp *I, struct kr_value *v, char to, struct kr_value **out)
{
    struct kr_value *nv = kr_value_list(I->A, v->u.list.len), *x = NULL;
    size_t i;
    int rc;
    for (i = 0; i < v->u.list.len; i++) {
        rc = convert(I, v->u.list.items[i], to, &x);
        if (rc != KR_OK)
            return rc;
        kr_list_push(I->A, nv, x);
    }
    *out = nv;
    return KR_OK;
}

KR_MOD_FN(se_astype)
{
    struct kr_value *nv;
    char to = 0;
    int rc = kr_args_check(I, "Series.astype", a, 1, 1);
    if (rc == KR_OK)
        rc = astype_code(I, a->pos[0], &to);
    if (rc == KR_OK)
        rc = convert_list(I, L(self, SE_VALS), to, &nv);
    if (rc == KR_OK)
        *out = make_series(I, nv, L(self, SE_INDEX), L(self, SE_NAME), false);
    return rc;
}

static int head_n(struct kr_interp *I, const struct kr_callargs *a, size_t len, size_t *n)
{
    struct kr_value *v = a->npos ? a->pos[0] : kr_args_kw(a, "n");
    int64_t k = 5;
    if (v) {
        if (v->type != KR_V_INT)
            return kr_eval_error(I, "head(): n must be an int");
        k = v->u.i;
    }
    if (k < 0)
        k = (int64_t)len + k > 0 ? (int64_t)len + k : 0;
    *n = (size_t)k < len ? (size_t)k : len;
    return KR_OK;
}

static struct kr_value *list_prefix(struct kr_interp *I, struct kr_value *l, size_t n)
{
    struct kr_value *r = kr_value_list(I->A, n);
    size_t i;
    for (i = 0; i < n; i++)
        kr_list_push(I->A, r, l->u.list.items[i]);
    return r;
}

KR_MOD_FN(se_head)
{
    size_t n = 0;
    int rc = head_n(I, a, L(self, SE_VALS)->u.list.len, &n);
    if (rc == KR_OK)
        *out = make_series(I, list_prefix(I, L(self, SE_VALS), n),
                           list_prefix(I, L(self, SE_INDEX), n), L(self, SE_NAME), false);
    return rc;
}

KR_MOD_FN(se_fillna)
{
    struct kr_value *v = L(self, SE_VALS), *nv = kr_value_list(I->A, v->u.list.len), *f;
    size_t i;
    f = a->npos ? a->pos[0] : kr_args_kw(a, "value");
    if (!f)
        return kr_eval_error(I, "fillna(): give the value to fill in");
    for (i = 0; i < v->u.list.len; i++)
        kr_list_push(I->A, nv, is_nan(v->u.list.items[i]) ? f : v->u.list.items[i]);
    *out = make_series(I, nv, L(self, SE_INDEX), L(self, SE_NAME), false);
    return KR_OK;
}

/* ---- Series.str ---- */

/* The str method `what` applied to each string of the Series (NaN stays
 * NaN, as pandas does). */
static int str_map(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                   const char *what, struct kr_value **out)
{
    struct kr_value *v = L(self, SE_VALS), *nv = kr_value_list(I->A, v->u.list.len);
    struct kr_value *arg0 = a->npos ? a->pos[0] : NULL, *arg1 = a->npos > 1 ? a->pos[1] : NULL;
    struct kr_value *rx = kr_args_kw(a, "regex"), *re = NULL;
    bool regex = !strcmp(what, "contains") ? !rx || kr_value_truthy(rx) : rx && kr_value_truthy(rx);
    size_t i;
    int rc;
    if (!strcmp(what, "contains") || !strcmp(what, "startswith") || !strcmp(what, "endswith") ||
        !strcmp(what, "replace")) {
        if (!arg0 && !strcmp(what, "contains"))
            arg0 = kr_args_kw(a, "pat");
        if (!arg0 || arg0->type != KR_V_STR)
            return kr_eval_error(I, "Series.str.%s(): expected a string pattern", what);
        if (!strcmp(what, "replace") && (!arg1 || arg1->type != KR_V_STR))
            return kr_eval_error(I, "Series.str.replace(): expected (pat, repl) strings");
        if (regex && (!strcmp(what, "contains") || !strcmp(what, "replace")))
            re = kr_dict_gets(kr_dict_gets(I->modules, "re")->u.ns.attrs,
                              !strcmp(what, "contains") ? "search" : "sub");
    }
    for (i = 0; i < v->u.list.len; i++) {
        struct kr_value *x = v->u.list.items[i], *r = NULL;
        if (x->type != KR_V_STR) {
            if (!strcmp(what, "get") && (x->type == KR_V_LIST || x->type == KR_V_TUPLE)) {
                int64_t k = arg0 && arg0->type == KR_V_INT ? arg0->u.i : 0;
                if (k < 0)
                    k += (int64_t)x->u.list.len;
                r = k >= 0 && (size_t)k < x->u.list.len ? x->u.list.items[k]
                                                         : kr_value_float(I->A, NAN);
            } else {
                r = kr_value_float(I->A, NAN);
            }
            kr_list_push(I->A, nv, r);
            continue;
        }
        if (re) {
            struct kr_value *args[3];
            struct kr_callargs ca = {args, 0, NULL, NULL, 0};
            args[ca.npos++] = arg0;
            if (arg1)
                args[ca.npos++] = arg1;
            args[ca.npos++] = x;
            rc = re->u.bi.fn(I, re->u.bi.self, &ca, &r);
            if (rc != KR_OK)
                return rc;
            if (!strcmp(what, "contains"))
                r = kr_value_bool(r->type != KR_V_NONE);
        } else if (!strcmp(what, "contains")) {
            r = kr_value_bool(strstr(x->u.str.s, arg0->u.str.s) != NULL);
        } else if (!strcmp(what, "startswith")) {
            r = kr_value_bool(!strncmp(x->u.str.s, arg0->u.str.s, arg0->u.str.len));
        } else if (!strcmp(what, "endswith")) {
            r = kr_value_bool(x->u.str.len >= arg0->u.str.len &&
                              !memcmp(x->u.str.s + x->u.str.len - arg0->u.str.len, arg0->u.str.s,
                                      arg0->u.str.len));
        } else if (!strcmp(what, "replace")) {
            struct kr_buf b = KR_BUF_INIT;
            const char *s = x->u.str.s, *hit;
            if (!arg0->u.str.len) {
                r = x;
            } else {
                while ((hit = strstr(s, arg0->u.str.s))) {
                    kr_buf_append(&b, s, (size_t)(hit - s));
                    kr_buf_append(&b, arg1->u.str.s, arg1->u.str.len);
                    s = hit + arg0->u.str.len;
                }
                kr_buf_puts(&b, s);
                r = kr_value_str(I->A, b.data ? b.data : "", b.len);
                kr_buf_free(&b);
            }
        } else if (!strcmp(what, "get")) {
            int64_t k = arg0 && arg0->type == KR_V_INT ? arg0->u.i : 0;
            if (k < 0)
                k += (int64_t)x->u.str.len;
            r = k >= 0 && (size_t)k < x->u.str.len ? kr_value_str(I->A, x->u.str.s + k, 1)
                                                    : kr_value_float(I->A, NAN);
        } else if (!strcmp(what, "len")) {
            r = kr_value_int(I->A, (int64_t)x->u.str.len);
        } else {
            /* split strip lower upper ...: the str method itself */
            struct kr_value *m;
            rc = kr_eval_getattr(I, x, what, &m);
            if (rc != KR_OK)
                return rc;
            rc = kr_eval_call(I, m, a, NULL, &r);
            if (rc != KR_OK)
                return rc;
        }
        kr_list_push(I->A, nv, r);
    }
    *out = make_series(I, nv, L(self, SE_INDEX), L(self, SE_NAME), false);
    return KR_OK;
}

#define STRFN(n) KR_MOD_FN(str_##n) { return str_map(I, self, a, #n, out); }
STRFN(contains)
STRFN(startswith)
STRFN(endswith)
STRFN(replace)
STRFN(split)
STRFN(rsplit)
STRFN(strip)
STRFN(lstrip)
STRFN(rstrip)
STRFN(lower)
STRFN(upper)
STRFN(len)
STRFN(get)
KR_MOD_FN(str_getitem) { return str_map(I, self, a, "get", out); }

static struct kr_value *str_accessor(struct kr_interp *I, struct kr_value *st)
{
    struct kr_value *s = kr_value_ns(I->A, "pandas.StringMethods");
    kr_mod_def(I, s, "contains", str_contains, st);
    kr_mod_def(I, s, "startswith", str_startswith, st);
    kr_mod_def(I, s, "endswith", str_endswith, st);
    kr_mod_def(I, s, "replace", str_replace, st);
    kr_mod_def(I, s, "split", str_split, st);
    kr_mod_def(I, s, "rsplit", str_rsplit, st);
    kr_mod_def(I, s, "strip", str_strip, st);
    kr_mod_def(I, s, "lstrip", str_lstrip, st);
    kr_mod_def(I, s, "rstrip", str_rstrip, st);
    kr_mod_def(I, s, "lower", str_lower, st);
    kr_mod_def(I, s, "upper", str_upper, st);
    kr_mod_def(I, s, "len", str_len, st);
    kr_mod_def(I, s, "get", str_get, st);
    kr_mod_def(I, s, "__getitem__", str_getitem, st);
    return s;
}

/* ---- DataFrame: reset_index, head, fillna, drop_duplicates, groupby,
 * merge; pandas.concat / pandas.merge ---- */

KR_MOD_FN(df_head)
{
    size_t n = 0;
    int rc = head_n(I, a, L(self, DF_ROWS)->u.list.len, &n);
    if (rc == KR_OK)
        *out = make_df(I, L(self, DF_COLS), list_prefix(I, L(self, DF_ROWS), n),
                       list_prefix(I, L(self, DF_INDEX), n), L(self, DF_NAMES));
    return rc;
}

KR_MOD_FN(df_fillna)
{
    struct kr_value *rows = L(self, DF_ROWS), *cols = L(self, DF_COLS);
    struct kr_value *f = a->npos ? a->pos[0] : kr_args_kw(a, "value"), *nr;
    size_t i, c;
    if (!f)
        return kr_eval_error(I, "fillna(): give the value to fill in");
    nr = kr_value_list(I->A, rows->u.list.len);
    for (i = 0; i < rows->u.list.len; i++) {
        struct kr_value *r = rows->u.list.items[i], *n = kr_value_list(I->A, r->u.list.len);
        for (c = 0; c < r->u.list.len; c++) {
            struct kr_value *x = r->u.list.items[c], *fill = f;
            if (f->type == KR_V_DICT)   /* per column */
                fill = kr_dict_get(f->u.dict, cols->u.list.items[c]);
            kr_list_push(I->A, n, is_nan(x) && fill ? fill : x);
        }
        kr_list_push(I->A, nr, n);
    }
    *out = make_df(I, cols, nr, L(self, DF_INDEX), L(self, DF_NAMES));
    return KR_OK;
}

KR_MOD_FN(df_reset_index)
{
    struct kr_value *drop = kr_args_kw(a, "drop"), *names = L(self, DF_NAMES);
    struct kr_value *cols = L(self, DF_COLS), *rows = L(self, DF_ROWS), *ix = L(self, DF_INDEX);
    struct kr_value *nc, *nr, *ni;
    size_t i, k, nlev = names->u.list.len ? names->u.list.len : 1;
    ni = kr_value_list(I->A, rows->u.list.len);
    for (i = 0; i < rows->u.list.len; i++)
        kr_list_push(I->A, ni, kr_value_int(I->A, (int64_t)i));
    if (drop && kr_value_truthy(drop)) {
        *out = make_df(I, cols, rows, ni, kr_value_list(I->A, 0));
        return KR_OK;
    }
    nc = kr_value_list(I->A, cols->u.list.len + nlev);
    for (k = 0; k < nlev; k++) {
        struct kr_value *nm = names->u.list.len ? names->u.list.items[k] : kr_value_none();
        if (nm->type == KR_V_NONE)
            nm = nlev == 1 ? kr_value_cstr(I->A, "index")
                           : kr_value_cstr(I->A, kr_arena_printf(I->A, "level_%zu", k));
        if (col_pos(self, nm) >= 0)
            return kr_eval_error(I, "ValueError: cannot insert %s, already exists",
                                 kr_value_to_str(I->A, nm));
        kr_list_push(I->A, nc, nm);
    }
    for (k = 0; k < cols->u.list.len; k++)
        kr_list_push(I->A, nc, cols->u.list.items[k]);
    nr = kr_value_list(I->A, rows->u.list.len);
    for (i = 0; i < rows->u.list.len; i++) {
        struct kr_value *r = rows->u.list.items[i], *lab = ix->u.list.items[i];
        struct kr_value *n = kr_value_list(I->A, nc->u.list.len);
        for (k = 0; k < nlev; k++)
            kr_list_push(I->A, n, nlev > 1 && lab->type == KR_V_TUPLE ? lab->u.list.items[k] : lab);
        for (k = 0; k < r->u.list.len; k++)
            kr_list_push(I->A, n, r->u.list.items[k]);
        kr_list_push(I->A, nr, n);
    }
    *out = make_df(I, nc, nr, ni, kr_value_list(I->A, 0));
    return KR_OK;
}

/* The key of row i over the columns pos[0..n-1] (one value or a tuple). */
static struct kr_value *row_key(struct kr_interp *I, struct kr_value *row, const long *pos,
                                size_t n)
{
    struct kr_value *t;
    size_t k;
    /* NaN cells compare equal in keys, as pandas' duplicated() has them */
    if (n == 1)
        return is_nan(row->u.list.items[pos[0]]) ? kr_value_none() : row->u.list.items[pos[0]];
    t = kr_value_tuple(I->A, n);
    for (k = 0; k < n; k++)
        t->u.list.items[k] = is_nan(row->u.list.items[pos[k]]) ? kr_value_none()
                                                               : row->u.list.items[pos[k]];
    return t;
}

static int key_cols(struct kr_interp *I, struct kr_value *st, struct kr_value *key, long **pos,
                    size_t *n)
{
    if (!key || key->type == KR_V_NONE) {
        size_t i, nc = L(st, DF_COLS)->u.list.len;
        *pos = kr_arena_alloc(I->A, (nc + 1) * sizeof **pos);
        for (i = 0; i < nc; i++)
            (*pos)[i] = (long)i;
        *n = nc;
        return KR_OK;
    }
    if (key->type == KR_V_LIST || key->type == KR_V_TUPLE)
        return cols_of(I, st, key, pos, n);
    *pos = kr_arena_alloc(I->A, sizeof **pos);
    (*pos)[0] = col_pos(st, key);
    *n = 1;
    return (*pos)[0] < 0 ? no_column(I, st, key) : KR_OK;
}

KR_MOD_FN(df_drop_duplicates)
{
    struct kr_value *rows = L(self, DF_ROWS), *seen = kr_value_dict(I->A);
    struct kr_value *keep = kr_args_kw(a, "keep");
    size_t i, n, nr = rows->u.list.len;
    bool *mask = kr_arena_zalloc(I->A, nr + 1), last;
    long *pos;
    int rc = key_cols(I, self, a->npos ? a->pos[0] : kr_args_kw(a, "subset"), &pos, &n);
    if (rc != KR_OK)
        return rc;
    if (keep && !(keep->type == KR_V_STR && (!strcmp(keep->u.str.s, "first") ||
                                             !strcmp(keep->u.str.s, "last"))))
        return kr_eval_error(I, "krait does not support drop_duplicates(keep=%s) yet "
                             "('first' and 'last' work)", kr_value_to_repr(I->A, keep));
    last = keep && !strcmp(keep->u.str.s, "last");
    for (i = 0; i < nr; i++) {
        size_t r = last ? nr - 1 - i : i;
        struct kr_value *k = row_key(I, rows->u.list.items[r], pos, n);
        if (!kr_value_hashable(k)) {
            mask[r] = true;
            continue;
        }
        if (kr_dict_get(seen->u.dict, k))
            continue;
        kr_dict_set(I->A, seen->u.dict, k, kr_value_none());
        mask[r] = true;
    }
    *out = subset(I, self, mask, NULL);
    return KR_OK;
}

/* groupby(by): the groups in sorted key order (pandas' sort=True), each
 * the sub-table of its rows in their order. */
KR_MOD_FN(gb_iter)
{
    KR_UNUSED(a);
    *out = L(self, 0);
    return KR_OK;
}

KR_MOD_FN(gb_get_group)
{
    struct kr_value *g = L(self, 0);
    size_t i;
    int rc = kr_args_check(I, "get_group", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < g->u.list.len; i++)
        if (kr_value_equal(g->u.list.items[i]->u.list.items[0], a->pos[0])) {
            *out = g->u.list.items[i]->u.list.items[1];
            return KR_OK;
        }
    return kr_eval_error(I, "KeyError: %s", kr_value_to_repr(I->A, a->pos[0]));
}

KR_MOD_FN(gb_len)
{
    KR_UNUSED(a);
    *out = kr_value_int(I->A, (int64_t)L(self, 0)->u.list.len);
    return KR_OK;
}

static int cmp_groupkey(const void *x, const void *y)
{
    struct kr_value *const *a = x, *const *b = y;
    int c = 0;
    kr_value_compare((*a)->u.list.items[0], (*b)->u.list.items[0], &c);
    return c;
}

KR_MOD_FN(df_groupby)
{
    struct kr_value *rows = L(self, DF_ROWS), *ix = L(self, DF_INDEX), *order, *groups, *gd;
    struct kr_value *by = a->npos ? a->pos[0] : kr_args_kw(a, "by"), *gb, *st;
    size_t i, n, nr = rows->u.list.len;
    long *pos;
    int rc;
    if (!by)
        return kr_eval_error(I, "groupby(): give the column(s) to group by");
    rc = key_cols(I, self, by, &pos, &n);
    if (rc != KR_OK)
        return rc;
    gd = kr_value_dict(I->A);      /* key -> list of row positions */
    order = kr_value_list(I->A, 0);
    for (i = 0; i < nr; i++) {
        struct kr_value *k = row_key(I, rows->u.list.items[i], pos, n), *l;
        if (is_nan(k))
            continue;   /* pandas drops NaN keys (dropna=True) */
        l = kr_dict_get(gd->u.dict, k);
        if (!l) {
            struct kr_value *p = kr_value_tuple(I->A, 2);
            l = kr_value_list(I->A, 0);
            kr_dict_set(I->A, gd->u.dict, k, l);
            p->u.list.items[0] = k;
            p->u.list.items[1] = l;
            kr_list_push(I->A, order, p);
        }
        kr_list_push(I->A, l, kr_value_int(I->A, (int64_t)i));
    }
    if (order->u.list.len > 1)
        qsort(order->u.list.items, order->u.list.len, sizeof *order->u.list.items, cmp_groupkey);
    groups = kr_value_dict(I->A);
    for (i = 0; i < order->u.list.len; i++) {
        struct kr_value *p = order->u.list.items[i], *l = p->u.list.items[1];
        struct kr_value *labels = kr_value_list(I->A, l->u.list.len);
        bool *keep = kr_arena_zalloc(I->A, nr + 1);
        size_t k;
        for (k = 0; k < l->u.list.len; k++) {
            keep[l->u.list.items[k]->u.i] = true;
            kr_list_push(I->A, labels, ix->u.list.items[l->u.list.items[k]->u.i]);
        }
        kr_dict_set(I->A, groups->u.dict, p->u.list.items[0], make_index(I, labels));
        p->u.list.items[1] = subset(I, self, keep, NULL);
    }
    gb = kr_value_ns(I->A, "pandas.DataFrameGroupBy");
    st = kr_value_tuple(I->A, 1);
    st->u.list.items[0] = order;
    kr_mod_def(I, gb, "__iter__", gb_iter, st);
    kr_mod_def(I, gb, "__len__", gb_len, st);
    kr_mod_def(I, gb, "get_group", gb_get_group, st);
    kr_dict_sets(I->A, gb->u.ns.attrs, "groups", groups);
    kr_dict_sets(I->A, gb->u.ns.attrs, "ngroups", kr_value_int(I->A, (int64_t)order->u.list.len));
    *out = gb;
    return KR_OK;
}

static struct kr_value *df_state(struct kr_value *v)
{
    struct kr_value *f;
    if (!is_ns(v, "pandas.DataFrame"))
        return NULL;
    f = kr_dict_gets(v->u.ns.attrs, "__len__");
    return f && f->type == KR_V_BUILTIN ? f->u.bi.self : NULL;
}

static long find_col(struct kr_value *cols, struct kr_value *name)
{
    size_t i;
    for (i = 0; i < cols->u.list.len; i++)
        if (kr_value_equal(cols->u.list.items[i], name))
            return (long)i;
    return -1;
}

/* pandas.concat(frames, ignore_index=False): rows one after the other,
 * columns the union in order of appearance, missing cells NaN. */
KR_MOD_FN(pd_concat)
{
    struct kr_value *frames, *ign = kr_args_kw(a, "ignore_index"), *cols, *rows, *ix;
    size_t f, i, c;
    int rc = kr_args_check(I, "pandas.concat", a, 1, 1);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    frames = a->pos[0];
    if (kr_args_kw(a, "axis") && kr_value_truthy(kr_args_kw(a, "axis")))
        return kr_eval_error(I, "krait does not support pandas.concat(axis=1) yet");
    if (frames->type != KR_V_LIST && frames->type != KR_V_TUPLE)
        return kr_eval_error(I, "pandas.concat(): expected a list of DataFrames");
    cols = kr_value_list(I->A, 0);
    rows = kr_value_list(I->A, 0);
    ix = kr_value_list(I->A, 0);
    for (f = 0; f < frames->u.list.len; f++) {
        struct kr_value *st = df_state(frames->u.list.items[f]);
        if (!st)
            return kr_eval_error(I, "pandas.concat(): item %zu is a '%s', not a DataFrame", f,
                                 kr_value_type_name(frames->u.list.items[f]));
        for (c = 0; c < L(st, DF_COLS)->u.list.len; c++)
            if (find_col(cols, L(st, DF_COLS)->u.list.items[c]) < 0)
                kr_list_push(I->A, cols, L(st, DF_COLS)->u.list.items[c]);
    }
    for (f = 0; f < frames->u.list.len; f++) {
        struct kr_value *st = df_state(frames->u.list.items[f]);
        for (i = 0; i < L(st, DF_ROWS)->u.list.len; i++) {
            struct kr_value *r = L(st, DF_ROWS)->u.list.items[i];
            struct kr_value *n = kr_value_list(I->A, cols->u.list.len);
            for (c = 0; c < cols->u.list.len; c++) {
                long p = find_col(L(st, DF_COLS), cols->u.list.items[c]);
                kr_list_push(I->A, n, p >= 0 ? r->u.list.items[p] : kr_value_float(I->A, NAN));
            }
            kr_list_push(I->A, rows, n);
            kr_list_push(I->A, ix, ign && kr_value_truthy(ign)
                                       ? kr_value_int(I->A, (int64_t)ix->u.list.len)
                                       : L(st, DF_INDEX)->u.list.items[i]);
        }
    }
    *out = make_df(I, cols, rows, ix, kr_value_list(I->A, 0));
    return KR_OK;
}

/* merge(left, right, on=, how="inner"|"left"): rows of left in their order,
 * each joined with the matching rows of right in theirs; the other columns
 * of right follow (a name in both gets _x / _y, as pandas' suffixes). */
static int do_merge(struct kr_interp *I, struct kr_value *l, struct kr_value *r,
                    const struct kr_callargs *a, struct kr_value **out)
{
    struct kr_value *ls = df_state(l), *rs = df_state(r), *on = kr_args_kw(a, "on");
    struct kr_value *how = kr_args_kw(a, "how"), *cols, *rows, *ix, *lorder;
    long *lp, *rp, *rother;
    size_t n, nro = 0, i, j, k;
    bool left;
    int rc;
    if (!ls || !rs)
        return kr_eval_error(I, "merge(): expected two DataFrames");
    if (how && !(how->type == KR_V_STR && (!strcmp(how->u.str.s, "inner") ||
                                           !strcmp(how->u.str.s, "left"))))
        return kr_eval_error(I, "krait does not support merge(how=%s) yet ('inner' and 'left' "
                             "work)", kr_value_to_repr(I->A, how));
    left = how && !strcmp(how->u.str.s, "left");
    if (!on) {   /* the common columns */
        struct kr_value *common = kr_value_list(I->A, 0);
        for (i = 0; i < L(ls, DF_COLS)->u.list.len; i++)
            if (find_col(L(rs, DF_COLS), L(ls, DF_COLS)->u.list.items[i]) >= 0)
                kr_list_push(I->A, common, L(ls, DF_COLS)->u.list.items[i]);
        if (!common->u.list.len)
            return kr_eval_error(I, "MergeError: No common columns to perform merge on");
        on = common;
    }
    rc = key_cols(I, ls, on, &lp, &n);
    if (rc == KR_OK)
        rc = key_cols(I, rs, on, &rp, &n);
    if (rc != KR_OK)
        return rc;
    rother = kr_arena_alloc(I->A, (L(rs, DF_COLS)->u.list.len + 1) * sizeof *rother);
    for (j = 0; j < L(rs, DF_COLS)->u.list.len; j++) {
        for (k = 0; k < n && rp[k] != (long)j; k++)
            ;
        if (k == n)
            rother[nro++] = (long)j;
    }
    cols = kr_value_list(I->A, 0);
    for (i = 0; i < L(ls, DF_COLS)->u.list.len; i++) {
        struct kr_value *c = L(ls, DF_COLS)->u.list.items[i];
        bool key = false, clash = false;
        for (k = 0; k < n; k++)
            key |= lp[k] == (long)i;
        for (k = 0; !key && k < nro; k++)
            clash |= kr_value_equal(c, L(rs, DF_COLS)->u.list.items[rother[k]]);
        kr_list_push(I->A, cols, clash ? kr_value_cstr(I->A, kr_arena_printf(I->A, "%s_x",
                                                           kr_value_to_str(I->A, c))) : c);
    }
    for (k = 0; k < nro; k++) {
        struct kr_value *c = L(rs, DF_COLS)->u.list.items[rother[k]];
        bool clash = find_col(L(ls, DF_COLS), c) >= 0;
        kr_list_push(I->A, cols, clash ? kr_value_cstr(I->A, kr_arena_printf(I->A, "%s_y",
                                                           kr_value_to_str(I->A, c))) : c);
    }
    rows = kr_value_list(I->A, 0);
    ix = kr_value_list(I->A, 0);
    /* inner: the left rows grouped by key, keys in order of first
     * appearance (pandas "preserves the order of the left keys"); left:
     * the left rows in their order */
    lorder = kr_value_list(I->A, 0);
    if (left) {
        for (i = 0; i < L(ls, DF_ROWS)->u.list.len; i++)
            kr_list_push(I->A, lorder, L(ls, DF_ROWS)->u.list.items[i]);
    } else {
        struct kr_value *seen = kr_value_list(I->A, 0);
        for (i = 0; i < L(ls, DF_ROWS)->u.list.len; i++) {
            struct kr_value *k1 = row_key(I, L(ls, DF_ROWS)->u.list.items[i], lp, n);
            size_t s2;
            for (j = 0; j < seen->u.list.len && !kr_value_equal(seen->u.list.items[j], k1); j++)
                ;
            if (j < seen->u.list.len)
                continue;
            kr_list_push(I->A, seen, k1);
            for (s2 = i; s2 < L(ls, DF_ROWS)->u.list.len; s2++)
                if (kr_value_equal(row_key(I, L(ls, DF_ROWS)->u.list.items[s2], lp, n), k1))
                    kr_list_push(I->A, lorder, L(ls, DF_ROWS)->u.list.items[s2]);
        }
    }
    for (i = 0; i < lorder->u.list.len; i++) {
        struct kr_value *lr = lorder->u.list.items[i];
        struct kr_value *lk = row_key(I, lr, lp, n);
        bool matched = false;
        for (j = 0; j <= L(rs, DF_ROWS)->u.list.len; j++) {
            struct kr_value *rr = j < L(rs, DF_ROWS)->u.list.len ? L(rs, DF_ROWS)->u.list.items[j]
                                                                  : NULL, *nrow;
            if (rr && !kr_value_equal(lk, row_key(I, rr, rp, n)))
                continue;
            if (!rr && (matched || !left))
                break;
            matched = true;
            nrow = kr_value_list(I->A, cols->u.list.len);
            for (k = 0; k < lr->u.list.len; k++)
                kr_list_push(I->A, nrow, lr->u.list.items[k]);
            for (k = 0; k < nro; k++)
                kr_list_push(I->A, nrow, rr ? rr->u.list.items[rother[k]]
                                            : kr_value_float(I->A, NAN));
            kr_list_push(I->A, rows, nrow);
            kr_list_push(I->A, ix, kr_value_int(I->A, (int64_t)ix->u.list.len));
        }
    }
    *out = make_df(I, cols, rows, ix, kr_value_list(I->A, 0));
    return KR_OK;
}

KR_MOD_FN(df_merge)
{
    struct kr_value *me;
    if (a->npos != 1)
        return kr_eval_error(I, "merge(): expected the right DataFrame");
    /* self is the state tuple; rebuild the frame */
    me = make_df(I, L(self, DF_COLS), L(self, DF_ROWS), L(self, DF_INDEX), L(self, DF_NAMES));
    return do_merge(I, me, a->pos[0], a, out);
}

KR_MOD_FN(pd_merge)
{
    KR_UNUSED(self);
    if (a->npos != 2)
        return kr_eval_error(I, "pandas.merge(): expected (left, right)");
    return do_merge(I, a->pos[0], a->pos[1], a, out);
}

/* The methods above on a new Series / DataFrame (st: its state tuple). */
static void series_more(struct kr_interp *I, struct kr_value *s, struct kr_value *st)
{
    kr_mod_def(I, s, "__and__", se_and, st);
    kr_mod_def(I, s, "__lt__", se_lt, st);
    kr_mod_def(I, s, "__le__", se_le, st);
    kr_mod_def(I, s, "__gt__", se_gt, st);
    kr_mod_def(I, s, "__ge__", se_ge, st);
    kr_mod_def(I, s, "__or__", se_or, st);
    kr_mod_def(I, s, "__invert__", se_invert, st);
    kr_mod_def(I, s, "isin", se_isin, st);
    kr_mod_def(I, s, "astype", se_astype, st);
    kr_mod_def(I, s, "head", se_head, st);
    kr_mod_def(I, s, "fillna", se_fillna, st);
    kr_dict_sets(I->A, s->u.ns.attrs, "str", str_accessor(I, st));
    kr_dict_sets(I->A, s->u.ns.attrs, "empty", kr_value_bool(L(st, SE_VALS)->u.list.len == 0));
}

static void df_more(struct kr_interp *I, struct kr_value *df, struct kr_value *st)
{
    kr_mod_def(I, df, "head", df_head, st);
    kr_mod_def(I, df, "fillna", df_fillna, st);
    kr_mod_def(I, df, "reset_index", df_reset_index, st);
    kr_mod_def(I, df, "drop_duplicates", df_drop_duplicates, st);
    kr_mod_def(I, df, "groupby", df_groupby, st);
    kr_mod_def(I, df, "merge", df_merge, st);
    kr_dict_sets(I->A, df->u.ns.attrs, "values", L(st, DF_ROWS));
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
    df_more(I, df, st);
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
    kr_mod_def(I, pd, "pandas.concat", pd_concat, NULL);
    kr_mod_def(I, pd, "pandas.merge", pd_merge, NULL);
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
