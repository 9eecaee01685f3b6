/*
 * mod-coll.c - Python's collections module for rule files: defaultdict,
 * Counter, OrderedDict and namedtuple, behaving as CPython's do for what
 * they support.
 *
 * defaultdict and Counter are ordinary dict values whose kr_dict carries a
 * kind (KR_DICT_DEFAULT, KR_DICT_COUNTER) and, for defaultdict, the
 * default factory: the evaluator asks kr_coll_missing() for a key a dict
 * lacks (d[k] fills in factory() for a defaultdict, c[k] is 0 for a
 * Counter), so `d[k].append(x)` and `c[k] += 1` work as in Python, and all
 * dict methods apply. OrderedDict is a plain dict (dicts keep insertion
 * order). A namedtuple class is a builtin (its constructor) bound to the
 * tuple (typename, fields, defaults); an instance is a tuple flagged
 * KR_TUPLE_NAMED whose class sits in items[len], so it indexes, unpacks,
 * compares and hashes as the tuple it is.
 *
 * Ownership: everything lives in the workflow's arena.
 */
#include "mod.h"

#include <ctype.h>
#include <string.h>

/* ---- defaultdict, Counter, OrderedDict ---- */

KR_MOD_FN(co_defaultdict)
{
    struct kr_value *d = kr_value_dict(I->A), *f = a->npos ? a->pos[0] : NULL;
    size_t i;
    int rc;
    KR_UNUSED(self);
    if (a->npos > 2)
        return kr_eval_error(I, "collections.defaultdict() takes at most 2 positional "
                             "arguments (%zu given)", a->npos);
    if (f && f->type != KR_V_NONE && !kr_value_is_callable(f))
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "collections.defaultdict(): first argument must be "
                                        "callable or None"));
    d->u.dict->kind = KR_DICT_DEFAULT;
    d->u.dict->factory = f && f->type != KR_V_NONE ? f : NULL;
    if (a->npos == 2) {
        rc = kr_builtins_dict_update(I, d, a->pos[1]);
        if (rc != KR_OK)
            return rc;
    }
    for (i = 0; i < a->nkw; i++)
        kr_dict_sets(I->A, d->u.dict, a->kwnames[i], a->kwvals[i]);
    *out = d;
    return KR_OK;
}

/* Add `by` times the counts of `src` (an iterable of keys, or a mapping of
 * counts) to Counter `c` (Counter.update / subtract). */
static int counter_add(struct kr_interp *I, const char *fname, struct kr_value *c,
                       struct kr_value *src, int64_t by)
{
    struct kr_value **items, *old, *cnt;
    size_t n, i;
    int64_t v;
    int rc;
    if (src->type == KR_V_DICT) {
        for (i = 0; i < src->u.dict->n; i++) {
            if (!src->u.dict->keys[i])
                continue;
            cnt = src->u.dict->vals[i];
            if (cnt->type != KR_V_INT && cnt->type != KR_V_BOOL)
                return kr_eval_error(I, "%s(): krait counts only ints (got %s for %s)", fname,
                                     kr_value_type_name(cnt),
                                     kr_value_to_repr(I->A, src->u.dict->keys[i]));
            old = kr_dict_get(c->u.dict, src->u.dict->keys[i]);
            v = old && old->type == KR_V_INT ? old->u.i : 0;
            v += by * (cnt->type == KR_V_BOOL ? cnt->u.b : cnt->u.i);
            kr_dict_set(I->A, c->u.dict, src->u.dict->keys[i], kr_value_int(I->A, v));
        }
        return KR_OK;
    }
    rc = kr_eval_iter(I, src, &items, &n);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < n; i++) {
        if (!kr_value_hashable(items[i]))
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "%s(): unhashable type: '%s'", fname,
                                            kr_value_type_name(items[i])));
        old = kr_dict_get(c->u.dict, items[i]);
        v = old && old->type == KR_V_INT ? old->u.i : 0;
        kr_dict_set(I->A, c->u.dict, items[i], kr_value_int(I->A, v + by));
    }
    return KR_OK;
}

static int counter_update(struct kr_interp *I, const char *fname, struct kr_value *c,
                          const struct kr_callargs *a, int64_t by)
{
    size_t i;
    int rc;
    if (a->npos > 1)
        return kr_eval_error(I, "%s() takes at most 1 positional argument (%zu given)", fname,
                             a->npos);
    if (a->npos == 1 && a->pos[0]->type != KR_V_NONE) {
        rc = counter_add(I, fname, c, a->pos[0], by);
        if (rc != KR_OK)
            return rc;
    }
    for (i = 0; i < a->nkw; i++) {
        struct kr_value *k = kr_value_cstr(I->A, a->kwnames[i]), *old, *v = a->kwvals[i];
        if (v->type != KR_V_INT)
            return kr_eval_error(I, "%s(): krait counts only ints (got %s for '%s')", fname,
                                 kr_value_type_name(v), a->kwnames[i]);
        old = kr_dict_get(c->u.dict, k);
        kr_dict_set(I->A, c->u.dict, k,
                    kr_value_int(I->A, (old && old->type == KR_V_INT ? old->u.i : 0) +
                                       by * v->u.i));
    }
    return KR_OK;
}

KR_MOD_FN(co_counter)
{
    struct kr_value *c = kr_value_dict(I->A);
    int rc;
    KR_UNUSED(self);
    c->u.dict->kind = KR_DICT_COUNTER;
    rc = counter_update(I, "collections.Counter", c, a, 1);
    if (rc == KR_OK)
        *out = c;
    return rc;
}

KR_MOD_FN(counter_update_m)
{
    int rc = counter_update(I, "Counter.update", self, a, 1);
    if (rc == KR_OK)
        *out = kr_value_none();
    return rc;
}

KR_MOD_FN(counter_subtract)
{
    int rc = counter_update(I, "Counter.subtract", self, a, -1);
    if (rc == KR_OK)
        *out = kr_value_none();
    return rc;
}

/* The live entries of a Counter, ordered as most_common() orders them:
 * by count, highest first, ties in insertion order (a stable sort). */
static size_t counter_order(struct kr_arena *A, const struct kr_dict *d, size_t **order)
{
    size_t *o = kr_arena_alloc(A, (d->live + 1) * sizeof *o), n = 0, i, j;
    for (i = 0; i < d->n; i++) {
        if (!d->keys[i])
            continue;
        for (j = n; j > 0; j--) {
            int cmp = 0;
            if (!kr_value_compare(d->vals[o[j - 1]], d->vals[i], &cmp) || cmp >= 0)
                break;
            o[j] = o[j - 1];
        }
        o[j] = i;
        n++;
    }
    *order = o;
    return n;
}

KR_MOD_FN(counter_most_common)
{
    struct kr_value *res, *nv = a->npos ? a->pos[0] : kr_args_kw(a, "n");
    size_t *o, n, i;
    int rc = kr_args_check(I, "Counter.most_common", a, 0, 1);
    if (rc != KR_OK)
        return rc;
    n = counter_order(I->A, self->u.dict, &o);
    if (nv && nv->type != KR_V_NONE) {
        if (nv->type != KR_V_INT)
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "Counter.most_common(): n must be an int, not %s",
                                            kr_value_type_name(nv)));
        if (nv->u.i < 0)
            n = 0;
        else if ((uint64_t)nv->u.i < n)
            n = (size_t)nv->u.i;
    }
    res = kr_value_list(I->A, n);
    for (i = 0; i < n; i++) {
        struct kr_value *t = kr_value_tuple(I->A, 2);
        t->u.list.items[0] = self->u.dict->keys[o[i]];
        t->u.list.items[1] = self->u.dict->vals[o[i]];
        kr_list_push(I->A, res, t);
    }
    *out = res;
    return KR_OK;
}

KR_MOD_FN(counter_elements)
{
    struct kr_value *res = kr_value_list(I->A, 0);
    struct kr_dict *d = self->u.dict;
    size_t i;
    int64_t k;
    int rc = kr_args_check(I, "Counter.elements", a, 0, 0);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < d->n; i++) {
        if (!d->keys[i] || d->vals[i]->type != KR_V_INT)
            continue;
        I->steps += d->vals[i]->u.i > 0 ? (long)d->vals[i]->u.i : 0;
        if (I->steps > I->max_steps)
            return kr_eval_error(I, "Counter.elements(): the result is too large");
        for (k = 0; k < d->vals[i]->u.i; k++)
            kr_list_push(I->A, res, d->keys[i]);
    }
    *out = res;
    return KR_OK;
}

KR_MOD_FN(counter_total)
{
    struct kr_dict *d = self->u.dict;
    size_t i;
    int64_t t = 0;
    int rc = kr_args_check(I, "Counter.total", a, 0, 0);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < d->n; i++)
        if (d->keys[i] && d->vals[i]->type == KR_V_INT)
            t += d->vals[i]->u.i;
    *out = kr_value_int(I->A, t);
    return KR_OK;
}

KR_MOD_FN(co_ordereddict)
{
    struct kr_value *dict = kr_dict_gets(I->builtins, "dict");
    KR_UNUSED(self);
    return kr_eval_call(I, dict, a, I->site, out);
}

int kr_coll_missing(struct kr_interp *I, struct kr_value *d, struct kr_value *key,
                    struct kr_value **out)
{
    struct kr_callargs none = {NULL, 0, NULL, NULL, 0};
    int rc;
    if (d->u.dict->kind == KR_DICT_COUNTER) {
        *out = kr_value_int(I->A, 0);
        return KR_OK;
    }
    if (d->u.dict->kind != KR_DICT_DEFAULT || !d->u.dict->factory)
        return KR_NOT_FOUND;
    rc = kr_eval_call(I, d->u.dict->factory, &none, I->site, out);
    if (rc == KR_OK)
        kr_dict_set(I->A, d->u.dict, key, *out);
    return rc;
}

/* ---- namedtuple ---- */

static int nt_new(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out);

/* The class of a namedtuple instance: a builtin bound to the tuple
 * (typename, fields, defaults or None, the class itself). */
static struct kr_value *nt_class(const struct kr_value *v)
{
    return v->u.list.items[v->u.list.len];
}

const char *kr_coll_nt_name(const struct kr_value *v)
{
    return nt_class(v)->u.bi.name;
}

struct kr_value *kr_coll_nt_fields(const struct kr_value *v)
{
    return nt_class(v)->u.bi.self->u.list.items[1];
}

static bool is_ident(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

KR_MOD_FN(co_namedtuple)
{
    struct kr_value *name, *fv, *fields, **items, *st, *dv = kr_args_kw(a, "defaults");
    struct kr_value *list = kr_value_list(I->A, 0);
    size_t n, i, k;
    int rc;
    KR_UNUSED(self);
    name = a->npos >= 1 ? a->pos[0] : kr_args_kw(a, "typename");
    fv = a->npos >= 2 ? a->pos[1] : kr_args_kw(a, "field_names");
    if (a->npos > 2 || !name || !fv)
        return kr_eval_error(I, "collections.namedtuple(typename, field_names, defaults=None) "
                             "takes a type name and field names");
    if (kr_args_kw(a, "rename") || kr_args_kw(a, "module"))
        return kr_eval_error(I, "krait does not support 'collections.namedtuple(rename=, "
                             "module=)' yet");
    if (name->type != KR_V_STR || !is_ident(name->u.str.s))
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "collections.namedtuple(): type names must be valid "
                                        "identifiers: %s", kr_value_to_repr(I->A, name)));
    if (fv->type == KR_V_STR) {
        /* "x y" or "x, y" */
        const char *s = fv->u.str.s;
        while (*s) {
            size_t len;
            while (*s == ' ' || *s == ',' || *s == '\t' || *s == '\n')
                s++;
            len = strcspn(s, " ,\t\n");
            if (len)
                kr_list_push(I->A, list, kr_value_str(I->A, s, len));
            s += len;
        }
    } else {
        rc = kr_eval_iter(I, fv, &items, &n);
        if (rc != KR_OK)
            return rc;
        for (i = 0; i < n; i++)
            kr_list_push(I->A, list, items[i]);
    }
    fields = kr_value_tuple(I->A, list->u.list.len);
    for (i = 0; i < list->u.list.len; i++) {
        struct kr_value *f = list->u.list.items[i];
        if (f->type != KR_V_STR)
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "collections.namedtuple(): field names must be "
                                            "strings, not %s", kr_value_type_name(f)));
        if (!is_ident(f->u.str.s) || f->u.str.s[0] == '_')
            return kr_exc_tag(I, "ValueError", NULL,
                              kr_eval_error(I, "collections.namedtuple(): %s: field names must "
                                            "be identifiers not starting with an underscore",
                                            kr_value_to_repr(I->A, f)));
        for (k = 0; k < i; k++)
            if (kr_value_equal(fields->u.list.items[k], f))
                return kr_exc_tag(I, "ValueError", NULL,
                                  kr_eval_error(I, "collections.namedtuple(): encountered "
                                                "duplicate field name: %s",
                                                kr_value_to_repr(I->A, f)));
        fields->u.list.items[i] = f;
    }
    st = kr_value_tuple(I->A, 4);
    st->u.list.items[0] = name;
    st->u.list.items[1] = fields;
    st->u.list.items[2] = kr_value_none();
    if (dv && dv->type != KR_V_NONE) {
        struct kr_value *dt;
        rc = kr_eval_iter(I, dv, &items, &n);
        if (rc != KR_OK)
            return rc;
        if (n > fields->u.list.len)
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "collections.namedtuple(): got more default "
                                            "values than field names"));
        dt = kr_value_tuple(I->A, n);
        for (i = 0; i < n; i++)
            dt->u.list.items[i] = items[i];
        st->u.list.items[2] = dt;
    }
    *out = kr_value_builtin(I->A, name->u.str.s, nt_new, st, NULL);
    st->u.list.items[3] = *out;    /* the class, for its instances */
    return KR_OK;
}

/* A new instance of class `cls` with items vals[0..n). */
static struct kr_value *nt_make(struct kr_interp *I, struct kr_value *cls,
                                struct kr_value **vals, size_t n)
{
    struct kr_value *t = kr_value_tuple(I->A, n + 1);
    if (n)
        memcpy(t->u.list.items, vals, n * sizeof *vals);
    t->u.list.items[n] = cls;
    t->u.list.len = n;
    t->flags |= KR_TUPLE_NAMED;
    return t;
}

/* Point(1, y=2): bind arguments to fields as Python's generated __new__. */
static int nt_new(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    struct kr_value *fields = self->u.list.items[1], *defs = self->u.list.items[2];
    const char *tn = self->u.list.items[0]->u.str.s;
    size_t nf = fields->u.list.len, nd = defs->type == KR_V_TUPLE ? defs->u.list.len : 0, i, k;
    struct kr_value **vals = kr_arena_zalloc(I->A, (nf + 1) * sizeof *vals);
    if (a->npos > nf)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "%s() takes %zu positional arguments but %zu were "
                                        "given", tn, nf, a->npos));
    for (i = 0; i < a->npos; i++)
        vals[i] = a->pos[i];
    for (k = 0; k < a->nkw; k++) {
        for (i = 0; i < nf; i++)
            if (!strcmp(fields->u.list.items[i]->u.str.s, a->kwnames[k]))
                break;
        if (i == nf)
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "%s() got an unexpected keyword argument '%s'",
                                            tn, a->kwnames[k]));
        if (vals[i])
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "%s() got multiple values for argument '%s'", tn,
                                            a->kwnames[k]));
        vals[i] = a->kwvals[k];
    }
    for (i = 0; i < nf; i++) {
        if (vals[i])
            continue;
        if (i + nd >= nf) {
            vals[i] = defs->u.list.items[i + nd - nf];
            continue;
        }
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "%s() missing required argument '%s'", tn,
                                        fields->u.list.items[i]->u.str.s));
    }
    *out = nt_make(I, self->u.list.items[3], vals, nf);
    return KR_OK;
}

KR_MOD_FN(nt_asdict)
{
    struct kr_value *d = kr_value_dict(I->A), *fields = kr_coll_nt_fields(self);
    size_t i;
    int rc = kr_args_check(I, "_asdict", a, 0, 0);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < self->u.list.len; i++)
        kr_dict_set(I->A, d->u.dict, fields->u.list.items[i], self->u.list.items[i]);
    *out = d;
    return KR_OK;
}

KR_MOD_FN(nt_replace)
{
    struct kr_value *fields = kr_coll_nt_fields(self);
    struct kr_value **vals = kr_arena_alloc(I->A, (self->u.list.len + 1) * sizeof *vals);
    size_t i, k;
    if (a->npos)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "%s._replace() takes keyword arguments only",
                                        kr_coll_nt_name(self)));
    memcpy(vals, self->u.list.items, self->u.list.len * sizeof *vals);
    for (k = 0; k < a->nkw; k++) {
        for (i = 0; i < self->u.list.len; i++)
            if (!strcmp(fields->u.list.items[i]->u.str.s, a->kwnames[k]))
                break;
        if (i == self->u.list.len)
            return kr_exc_tag(I, "ValueError", NULL,
                              kr_eval_error(I, "%s._replace(): got unexpected field name '%s'",
                                            kr_coll_nt_name(self), a->kwnames[k]));
        vals[i] = a->kwvals[k];
    }
    *out = nt_make(I, nt_class(self), vals, self->u.list.len);
    return KR_OK;
}

/* Point._make(iterable) */
KR_MOD_FN(nt_make_m)
{
    struct kr_value **items;
    size_t n;
    struct kr_callargs ca = {NULL, 0, NULL, NULL, 0};
    int rc = kr_args_check(I, "_make", a, 1, 1);
    if (rc == KR_OK)
        rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    ca.pos = items;
    ca.npos = n;
    return nt_new(I, self, &ca, out);
}

int kr_coll_getattr(struct kr_interp *I, struct kr_value *obj, const char *name,
                    struct kr_value **out, bool *handled)
{
    static const struct {
        const char *name;
        kr_builtin_fn fn;
    } counter_methods[] = {
        {"most_common", counter_most_common}, {"elements", counter_elements},
        {"update", counter_update_m}, {"subtract", counter_subtract},
        {"total", counter_total},
    };
    size_t i;
    *handled = false;
    if (obj->type == KR_V_DICT && obj->u.dict->kind == KR_DICT_COUNTER) {
        for (i = 0; i < KR_ARRAY_LEN(counter_methods); i++)
            if (!strcmp(name, counter_methods[i].name)) {
                *handled = true;
                *out = kr_value_builtin(I->A, kr_arena_printf(I->A, "Counter.%s", name),
                                        counter_methods[i].fn, obj, NULL);
                return KR_OK;
            }
        if (!strcmp(name, "fromkeys")) {
            *handled = true;
            return kr_eval_error(I, "krait does not support 'Counter.fromkeys' yet");
        }
        return KR_OK;
    }
    if (obj->type == KR_V_DICT && obj->u.dict->kind == KR_DICT_DEFAULT) {
        if (strcmp(name, "default_factory"))
            return KR_OK;
        *handled = true;
        *out = obj->u.dict->factory ? obj->u.dict->factory : kr_value_none();
        return KR_OK;
    }
    if (obj->type == KR_V_TUPLE && (obj->flags & KR_TUPLE_NAMED)) {
        struct kr_value *fields = kr_coll_nt_fields(obj);
        for (i = 0; i < fields->u.list.len; i++)
            if (!strcmp(fields->u.list.items[i]->u.str.s, name)) {
                *handled = true;
                *out = obj->u.list.items[i];
                return KR_OK;
            }
        if (!strcmp(name, "_fields")) {
            *handled = true;
            *out = fields;
        } else if (!strcmp(name, "_asdict") || !strcmp(name, "_replace")) {
            *handled = true;
            *out = kr_value_builtin(I->A, kr_arena_printf(I->A, "%s.%s", kr_coll_nt_name(obj),
                                                          name),
                                    name[1] == 'a' ? nt_asdict : nt_replace, obj, NULL);
        }
        return KR_OK;
    }
    if (obj->type == KR_V_BUILTIN && obj->u.bi.fn == nt_new) {
        struct kr_value *st = obj->u.bi.self;
        *handled = true;
        if (!strcmp(name, "_fields")) {
            *out = st->u.list.items[1];
        } else if (!strcmp(name, "__name__")) {
            *out = st->u.list.items[0];
        } else if (!strcmp(name, "_make")) {
            *out = kr_value_builtin(I->A, kr_arena_printf(I->A, "%s._make", obj->u.bi.name),
                                    nt_make_m, st, NULL);
        } else if (!strcmp(name, "_field_defaults")) {
            struct kr_value *d = kr_value_dict(I->A), *f = st->u.list.items[1];
            struct kr_value *dv = st->u.list.items[2];
            size_t nd = dv->type == KR_V_TUPLE ? dv->u.list.len : 0, nf = f->u.list.len;
            for (i = 0; i < nd; i++)
                kr_dict_set(I->A, d->u.dict, f->u.list.items[nf - nd + i], dv->u.list.items[i]);
            *out = d;
        } else {
            return kr_eval_error(I, "krait does not support '%s.%s' (a namedtuple class "
                                 "attribute) yet", obj->u.bi.name, name);
        }
        return KR_OK;
    }
    return KR_OK;
}

/* Append the repr of a factory as Python shows it: <class 'list'>. */
static void factory_repr(const struct kr_value *f, struct kr_buf *out)
{
    static const char *const types[] = {"int", "str", "list", "dict", "set", "tuple", "float",
                                        "bool", NULL};
    size_t i;
    if (f->type == KR_V_BUILTIN)
        for (i = 0; types[i]; i++)
            if (!strcmp(f->u.bi.name, types[i])) {
                kr_buf_printf(out, "<class '%s'>", types[i]);
                return;
            }
    if (f->type == KR_V_BUILTIN && f->u.bi.fn == co_defaultdict) {
        kr_buf_puts(out, "<class 'collections.defaultdict'>");
        return;
    }
    if (f->type == KR_V_BUILTIN && f->u.bi.fn == co_counter) {
        kr_buf_puts(out, "<class 'collections.Counter'>");
        return;
    }
    kr_value_str_buf(f, out);
}

void kr_coll_repr_buf(const struct kr_value *v, struct kr_buf *out)
{
    struct kr_arena scratch;
    size_t *o, n, i;
    if (v->type == KR_V_TUPLE) {
        struct kr_value *fields = kr_coll_nt_fields(v);
        kr_buf_printf(out, "%s(", kr_coll_nt_name(v));
        for (i = 0; i < v->u.list.len; i++) {
            if (i)
                kr_buf_puts(out, ", ");
            kr_buf_printf(out, "%s=", fields->u.list.items[i]->u.str.s);
            kr_value_repr_buf(v->u.list.items[i], out);
        }
        kr_buf_putc(out, ')');
        return;
    }
    if (v->u.dict->kind == KR_DICT_DEFAULT) {
        kr_buf_puts(out, "defaultdict(");
        if (v->u.dict->factory)
            factory_repr(v->u.dict->factory, out);
        else
            kr_buf_puts(out, "None");
        kr_buf_puts(out, ", ");
        kr_buf_putc(out, '{');
        for (i = 0, n = 0; i < v->u.dict->n; i++) {
            if (!v->u.dict->keys[i])
                continue;
            if (n++)
                kr_buf_puts(out, ", ");
            kr_value_repr_buf(v->u.dict->keys[i], out);
            kr_buf_puts(out, ": ");
            kr_value_repr_buf(v->u.dict->vals[i], out);
        }
        kr_buf_puts(out, "})");
        return;
    }
    /* Counter({'a': 3, 'b': 1}), most common first; Counter() when empty */
    kr_buf_puts(out, "Counter(");
    kr_arena_init(&scratch);
    n = counter_order(&scratch, v->u.dict, &o);
    if (n) {
        kr_buf_putc(out, '{');
        for (i = 0; i < n; i++) {
            if (i)
                kr_buf_puts(out, ", ");
            kr_value_repr_buf(v->u.dict->keys[o[i]], out);
            kr_buf_puts(out, ": ");
            kr_value_repr_buf(v->u.dict->vals[o[i]], out);
        }
        kr_buf_putc(out, '}');
    }
    kr_buf_putc(out, ')');
    kr_arena_free(&scratch);
}

void kr_mod_coll_install(struct kr_interp *I)
{
    struct kr_value *co = kr_value_ns(I->A, "collections");
    kr_mod_def(I, co, "collections.defaultdict", co_defaultdict, NULL);
    kr_mod_def(I, co, "collections.Counter", co_counter, NULL);
    kr_mod_def(I, co, "collections.OrderedDict", co_ordereddict, NULL);
    kr_mod_def(I, co, "collections.namedtuple", co_namedtuple, NULL);
    kr_dict_sets(I->A, I->modules, "collections", co);
}
