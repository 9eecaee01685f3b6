/*
 * value.c - constructors, containers (insertion-ordered dicts), equality,
 * ordering, hashing, truthiness and str()/repr() of rule-language values.
 * See value.h for the ownership rules (everything lives in an arena).
 */
#include "value.h"
#include "eval.h"
#include "workflow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kr_value v_none = {.type = KR_V_NONE};
static struct kr_value v_true = {.type = KR_V_BOOL, .u.b = true};
static struct kr_value v_false = {.type = KR_V_BOOL, .u.b = false};

struct kr_value *kr_value_none(void) { return &v_none; }
struct kr_value *kr_value_bool(bool b) { return b ? &v_true : &v_false; }

static struct kr_value *vnew(struct kr_arena *A, int type)
{
    struct kr_value *v = kr_arena_zalloc(A, sizeof *v);
    v->type = (uint8_t)type;
    return v;
}

/* Small ints are shared (never mutated), which saves most loop allocations. */
#define SMALL_MIN (-5)
#define SMALL_MAX 1024
static struct kr_value small_ints[SMALL_MAX - SMALL_MIN + 1];

struct kr_value *kr_value_int(struct kr_arena *A, int64_t i)
{
    struct kr_value *v;
    if (i >= SMALL_MIN && i <= SMALL_MAX) {
        v = &small_ints[i - SMALL_MIN];
        if (v->type != KR_V_INT) {
            v->u.i = i;
            v->type = KR_V_INT;
        }
        return v;
    }
    v = vnew(A, KR_V_INT);
    v->u.i = i;
    return v;
}

struct kr_value *kr_value_float(struct kr_arena *A, double f)
{
    struct kr_value *v = vnew(A, KR_V_FLOAT);
    v->u.f = f;
    return v;
}

struct kr_value *kr_value_str_own(struct kr_arena *A, char *s, size_t len)
{
    struct kr_value *v = vnew(A, KR_V_STR);
    v->u.str.s = s;
    v->u.str.len = len;
    return v;
}

struct kr_value *kr_value_str(struct kr_arena *A, const char *s, size_t len)
{
    return kr_value_str_own(A, kr_arena_strndup(A, s, len), len);
}

struct kr_value *kr_value_cstr(struct kr_arena *A, const char *s)
{
    return kr_value_str(A, s, strlen(s));
}

struct kr_value *kr_value_list(struct kr_arena *A, size_t cap)
{
    struct kr_value *v = vnew(A, KR_V_LIST);
    if (cap) {
        v->u.list.items = kr_arena_alloc(A, cap * sizeof *v->u.list.items);
        v->u.list.cap = cap;
    }
    return v;
}

struct kr_value *kr_value_tuple(struct kr_arena *A, size_t n)
{
    struct kr_value *v = vnew(A, KR_V_TUPLE);
    if (n)
        v->u.list.items = kr_arena_zalloc(A, n * sizeof *v->u.list.items);
    v->u.list.len = v->u.list.cap = n;
    return v;
}

struct kr_value *kr_value_dict(struct kr_arena *A)
{
    struct kr_value *v = vnew(A, KR_V_DICT);
    v->u.dict = kr_dict_new(A);
    return v;
}

struct kr_value *kr_value_set(struct kr_arena *A)
{
    struct kr_value *v = vnew(A, KR_V_SET);
    v->u.dict = kr_dict_new(A);
    return v;
}

struct kr_value *kr_value_named(struct kr_arena *A, const char *kind)
{
    struct kr_value *v = vnew(A, KR_V_NAMED);
    v->u.named.names = kr_dict_new(A);
    v->u.named.kind = kind;
    return v;
}

struct kr_value *kr_value_ns(struct kr_arena *A, const char *name)
{
    struct kr_value *v = vnew(A, KR_V_NS);
    v->u.ns.name = name;
    v->u.ns.attrs = kr_dict_new(A);
    return v;
}

struct kr_value *kr_value_builtin(struct kr_arena *A, const char *name, kr_builtin_fn fn,
                                  struct kr_value *self, void *data)
{
    struct kr_value *v = vnew(A, KR_V_BUILTIN);
    v->u.bi.name = name;
    v->u.bi.fn = fn;
    v->u.bi.self = self;
    v->u.bi.data = data;
    return v;
}

struct kr_value *kr_value_type(struct kr_arena *A, const char *name)
{
    struct kr_value *v = vnew(A, KR_V_TYPE);
    v->u.type.name = name;
    return v;
}

/* ---- lists ---- */

static void grow(struct kr_arena *A, struct kr_value ***items, size_t *cap, size_t need)
{
    size_t nc;
    struct kr_value **ni;
    if (need <= *cap)
        return;
    nc = *cap ? *cap * 2 : 4;
    while (nc < need)
        nc *= 2;
    ni = kr_arena_alloc(A, nc * sizeof *ni);
    if (*cap)
        memcpy(ni, *items, *cap * sizeof *ni);
    *items = ni;
    *cap = nc;
}

void kr_list_push(struct kr_arena *A, struct kr_value *list, struct kr_value *v)
{
    grow(A, &list->u.list.items, &list->u.list.cap, list->u.list.len + 1);
    list->u.list.items[list->u.list.len++] = v;
}

void kr_list_insert(struct kr_arena *A, struct kr_value *list, size_t at, struct kr_value *v)
{
    size_t n = list->u.list.len;
    if (at > n)
        at = n;
    grow(A, &list->u.list.items, &list->u.list.cap, n + 1);
    memmove(list->u.list.items + at + 1, list->u.list.items + at,
            (n - at) * sizeof *list->u.list.items);
    list->u.list.items[at] = v;
    list->u.list.len++;
}

void kr_named_push(struct kr_arena *A, struct kr_value *nl, const char *name, struct kr_value *v)
{
    size_t oldcap = nl->u.named.cap;
    grow(A, &nl->u.named.items, &nl->u.named.cap, nl->u.named.len + 1);
    if (name || nl->u.named.inames) {
        if (!nl->u.named.inames || oldcap != nl->u.named.cap) {
            const char **ni = kr_arena_zalloc(A, nl->u.named.cap * sizeof *ni);
            if (nl->u.named.inames)
                memcpy(ni, nl->u.named.inames, nl->u.named.len * sizeof *ni);
            nl->u.named.inames = ni;
        }
        nl->u.named.inames[nl->u.named.len] = name;
    }
    nl->u.named.items[nl->u.named.len++] = v;
    if (name)
        kr_dict_sets(A, nl->u.named.names, name, v);
}

const char *kr_named_item_name(const struct kr_value *nl, size_t i)
{
    if (nl->type != KR_V_NAMED || !nl->u.named.inames || i >= nl->u.named.len)
        return NULL;
    return nl->u.named.inames[i];
}

void kr_named_setname(struct kr_arena *A, struct kr_value *nl, const char *name, struct kr_value *v)
{
    kr_dict_sets(A, nl->u.named.names, name, v);
}

/* ---- dicts ---- */

struct kr_dict *kr_dict_new(struct kr_arena *A)
{
    return kr_arena_zalloc(A, sizeof(struct kr_dict));
}

static int32_t dict_find(const struct kr_dict *d, const struct kr_value *key, uint64_t h,
                         size_t *slot)
{
    size_t mask, i;
    if (!d->icap) {
        *slot = 0;
        return -1;
    }
    mask = d->icap - 1;
    i = (size_t)h & mask;
    for (;;) {
        int32_t e = d->index[i];
        if (e == -1) {
            *slot = i;
            return -1;
        }
        if (e >= 0 && d->keys[e] && kr_value_equal(d->keys[e], key)) {
            *slot = i;
            return e;
        }
        i = (i + 1) & mask;
    }
}

static void dict_reindex(struct kr_arena *A, struct kr_dict *d, size_t icap)
{
    size_t i, j;
    d->index = kr_arena_alloc(A, icap * sizeof *d->index);
    for (i = 0; i < icap; i++)
        d->index[i] = -1;
    d->icap = icap;
    for (j = 0; j < d->n; j++) {
        if (!d->keys[j])
            continue;
        i = (size_t)kr_value_hash(d->keys[j]) & (icap - 1);
        while (d->index[i] != -1)
            i = (i + 1) & (icap - 1);
        d->index[i] = (int32_t)j;
    }
}

struct kr_value *kr_dict_get(const struct kr_dict *d, const struct kr_value *key)
{
    size_t slot;
    int32_t e;
    if (!d->live)
        return NULL;
    if (d->icap == 0) {
        size_t i;
        for (i = 0; i < d->n; i++)
            if (d->keys[i] && kr_value_equal(d->keys[i], key))
                return d->vals[i];
        return NULL;
    }
    e = dict_find(d, key, kr_value_hash(key), &slot);
    return e < 0 ? NULL : d->vals[e];
}

struct kr_value *kr_dict_gets(const struct kr_dict *d, const char *key)
{
    struct kr_value k = {.type = KR_V_STR};
    k.u.str.s = (char *)key;
    k.u.str.len = strlen(key);
    return kr_dict_get(d, &k);
}

/* Small dicts (<= 8 entries) are scanned linearly; larger ones are indexed. */
void kr_dict_set(struct kr_arena *A, struct kr_dict *d, struct kr_value *key, struct kr_value *v)
{
    size_t slot = 0;
    int32_t e;
    if (d->icap == 0) {
        size_t i;
        for (i = 0; i < d->n; i++) {
            if (d->keys[i] && kr_value_equal(d->keys[i], key)) {
                d->vals[i] = v;
                return;
            }
        }
    } else {
        e = dict_find(d, key, kr_value_hash(key), &slot);
        if (e >= 0) {
            d->vals[e] = v;
            return;
        }
    }
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 4;
        struct kr_value **nk = kr_arena_alloc(A, nc * sizeof *nk);
        struct kr_value **nv = kr_arena_alloc(A, nc * sizeof *nv);
        if (d->n) {
            memcpy(nk, d->keys, d->n * sizeof *nk);
            memcpy(nv, d->vals, d->n * sizeof *nv);
        }
        d->keys = nk;
        d->vals = nv;
        d->cap = nc;
    }
    d->keys[d->n] = key;
    d->vals[d->n] = v;
    d->n++;
    d->live++;
    if (d->icap == 0) {
        if (d->n > 8)
            dict_reindex(A, d, 32);
        return;
    }
    if (d->n * 2 >= d->icap) {
        dict_reindex(A, d, d->icap * 2);
        return;
    }
    d->index[slot] = (int32_t)(d->n - 1);
}

void kr_dict_sets(struct kr_arena *A, struct kr_dict *d, const char *key, struct kr_value *v)
{
    struct kr_value k = {.type = KR_V_STR};
    size_t slot, i;
    int32_t e;
    /* replacing an existing key allocates nothing (variables in loops) */
    k.u.str.s = (char *)key;
    k.u.str.len = strlen(key);
    if (d->live && d->icap) {
        e = dict_find(d, &k, kr_value_hash(&k), &slot);
        if (e >= 0) {
            d->vals[e] = v;
            return;
        }
    } else {
        for (i = 0; i < d->n; i++) {
            if (d->keys[i] && kr_value_equal(d->keys[i], &k)) {
                d->vals[i] = v;
                return;
            }
        }
    }
    kr_dict_set(A, d, kr_value_cstr(A, key), v);
}

struct kr_value *kr_dict_del(struct kr_dict *d, const struct kr_value *key)
{
    size_t i;
    for (i = 0; i < d->n; i++) {
        if (d->keys[i] && kr_value_equal(d->keys[i], key)) {
            struct kr_value *old = d->vals[i];
            size_t s;
            d->keys[i] = NULL;
            d->live--;
            /* mark the index slot as a tombstone (-2) */
            for (s = 0; s < d->icap; s++)
                if (d->index[s] == (int32_t)i)
                    d->index[s] = -2;
            return old;
        }
    }
    return NULL;
}

/* ---- inspection ---- */

/* A string attribute of a KR_NS_OBJ object ("__str__", "__repr__", "__type__"). */
static const char *obj_attr(const struct kr_value *v, const char *name)
{
    struct kr_value *s = kr_dict_gets(v->u.ns.attrs, name);
    return s && s->type == KR_V_STR ? s->u.str.s : "?";
}

const char *kr_value_type_name(const struct kr_value *v)
{
    switch (v->type) {
    case KR_V_NONE: return "NoneType";
    case KR_V_BOOL: return "bool";
    case KR_V_INT: return "int";
    case KR_V_FLOAT: return "float";
    case KR_V_STR: return v->flags & KR_STR_PATH ? "PosixPath" : "str";
    case KR_V_LIST: return "list";
    case KR_V_TUPLE: return v->flags & KR_TUPLE_NAMED ? kr_coll_nt_name(v) : "tuple";
    case KR_V_DICT:
        return v->u.dict->kind == KR_DICT_COUNTER   ? "Counter"
               : v->u.dict->kind == KR_DICT_DEFAULT ? "defaultdict"
                                                    : "dict";
    case KR_V_SET: return "set";
    case KR_V_FUNC: return "function";
    case KR_V_BUILTIN: return "builtin_function_or_method";
    case KR_V_NAMED: return "Namedlist";
    case KR_V_RULE: return "Rule";
    case KR_V_NS:
        if (v->flags & KR_NS_EXC)
            return v->u.ns.name;
        if (v->flags & KR_NS_OBJ)
            return obj_attr(v, "__type__");
        return v->flags & KR_NS_FILE ? "TextIOWrapper" : "module";
    case KR_V_TYPE: return "type";
    }
    return "object";
}

bool kr_value_truthy(const struct kr_value *v)
{
    switch (v->type) {
    case KR_V_NONE: return false;
    case KR_V_BOOL: return v->u.b;
    case KR_V_INT: return v->u.i != 0;
    case KR_V_FLOAT: return v->u.f != 0.0;
    case KR_V_STR: return v->u.str.len != 0;
    case KR_V_LIST: case KR_V_TUPLE: return v->u.list.len != 0;
    case KR_V_DICT: case KR_V_SET: return v->u.dict->live != 0;
    case KR_V_NAMED: return v->u.named.len != 0;
    default: return true;
    }
}

bool kr_value_is_str(const struct kr_value *v) { return v->type == KR_V_STR; }

bool kr_value_is_callable(const struct kr_value *v)
{
    return v->type == KR_V_FUNC || v->type == KR_V_BUILTIN || v->type == KR_V_TYPE;
}

struct kr_value **kr_value_items(const struct kr_value *v, size_t *n)
{
    if (v->type == KR_V_LIST || v->type == KR_V_TUPLE) {
        *n = v->u.list.len;
        return v->u.list.items;
    }
    if (v->type == KR_V_NAMED) {
        *n = v->u.named.len;
        return v->u.named.items;
    }
    *n = 0;
    return NULL;
}

bool kr_value_hashable(const struct kr_value *v)
{
    size_t i;
    switch (v->type) {
    case KR_V_LIST: case KR_V_DICT: case KR_V_SET: case KR_V_NAMED:
        return false;
    case KR_V_TUPLE:
        for (i = 0; i < v->u.list.len; i++)
            if (!kr_value_hashable(v->u.list.items[i]))
                return false;
        return true;
    default:
        return true;
    }
}

uint64_t kr_value_hash(const struct kr_value *v)
{
    uint64_t h;
    size_t i;
    int64_t iv;
    switch (v->type) {
    case KR_V_NONE: return 0x9e3779b97f4a7c15ULL;
    case KR_V_BOOL: iv = v->u.b; goto hint;
    case KR_V_INT: iv = v->u.i; goto hint;
    case KR_V_FLOAT:
        if (v->u.f == floor(v->u.f) && fabs(v->u.f) < 9.2e18) {
            iv = (int64_t)v->u.f;
            goto hint;
        }
        return kr_hash64(&v->u.f, sizeof v->u.f);
    case KR_V_STR: return kr_hash64(v->u.str.s, v->u.str.len);
    case KR_V_TUPLE:
        h = 0x345678;
        for (i = 0; i < v->u.list.len; i++) {
            uint64_t x = kr_value_hash(v->u.list.items[i]);
            h = kr_hash64_seed(&x, sizeof x, h);
        }
        return h;
    default:
        return kr_hash64(&v, sizeof v);
    }
hint:
    return kr_hash64(&iv, sizeof iv) ^ 0x55;
}

static bool is_num(const struct kr_value *v)
{
    return v->type == KR_V_INT || v->type == KR_V_BOOL || v->type == KR_V_FLOAT;
}

static double num_f(const struct kr_value *v)
{
    if (v->type == KR_V_FLOAT)
        return v->u.f;
    if (v->type == KR_V_BOOL)
        return v->u.b;
    return (double)v->u.i;
}

static int64_t num_i(const struct kr_value *v)
{
    return v->type == KR_V_BOOL ? v->u.b : v->u.i;
}

bool kr_value_equal(const struct kr_value *a, const struct kr_value *b)
{
    size_t i, na, nb;
    struct kr_value **ia, **ib;
    if (a == b)
        return true;
    if (is_num(a) && is_num(b)) {
        if (a->type != KR_V_FLOAT && b->type != KR_V_FLOAT)
            return num_i(a) == num_i(b);
        return num_f(a) == num_f(b);
    }
    if (a->type == KR_V_STR && b->type == KR_V_STR)
        return a->u.str.len == b->u.str.len && !memcmp(a->u.str.s, b->u.str.s, a->u.str.len) &&
               (a->flags & KR_STR_PATH) == (b->flags & KR_STR_PATH);   /* Path("a") != "a" */
    if (a->type == KR_V_NS && b->type == KR_V_NS && (a->flags & KR_NS_OBJ) &&
        (b->flags & KR_NS_OBJ))
        return !strcmp(obj_attr(a, "__type__"), obj_attr(b, "__type__")) &&
               !strcmp(obj_attr(a, "__repr__"), obj_attr(b, "__repr__"));
    if (((a->type == KR_V_LIST || a->type == KR_V_NAMED) &&
         (b->type == KR_V_LIST || b->type == KR_V_NAMED)) ||
        (a->type == KR_V_TUPLE && b->type == KR_V_TUPLE)) {
        ia = kr_value_items(a, &na);
        ib = kr_value_items(b, &nb);
        if (na != nb)
            return false;
        for (i = 0; i < na; i++)
            if (!kr_value_equal(ia[i], ib[i]))
                return false;
        return true;
    }
    if ((a->type == KR_V_DICT && b->type == KR_V_DICT) ||
        (a->type == KR_V_SET && b->type == KR_V_SET)) {
        if (a->u.dict->live != b->u.dict->live)
            return false;
        for (i = 0; i < a->u.dict->n; i++) {
            struct kr_value *other;
            if (!a->u.dict->keys[i])
                continue;
            other = kr_dict_get(b->u.dict, a->u.dict->keys[i]);
            if (!other || (a->type == KR_V_DICT && !kr_value_equal(other, a->u.dict->vals[i])))
                return false;
        }
        return true;
    }
    if (a->type == KR_V_TYPE && b->type == KR_V_TYPE)
        return !strcmp(a->u.type.name, b->u.type.name);
    return false;
}

bool kr_value_compare(const struct kr_value *a, const struct kr_value *b, int *cmp)
{
    if (is_num(a) && is_num(b)) {
        if (a->type != KR_V_FLOAT && b->type != KR_V_FLOAT) {
            int64_t x = num_i(a), y = num_i(b);
            *cmp = x < y ? -1 : x > y;
        } else {
            double x = num_f(a), y = num_f(b);
            *cmp = x < y ? -1 : x > y;
        }
        return true;
    }
    if (a->type == KR_V_STR && b->type == KR_V_STR) {
        size_t n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
        int c = memcmp(a->u.str.s, b->u.str.s, n);
        if (c == 0)
            c = a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
        *cmp = c < 0 ? -1 : c > 0;
        return true;
    }
    if (a->type == KR_V_NS && b->type == KR_V_NS && (a->flags & KR_NS_OBJ) &&
        (b->flags & KR_NS_OBJ)) {
        /* objects of one type with an integer sort key (dates, timedeltas) */
        const struct kr_value *x = kr_dict_gets(a->u.ns.attrs, "__order__"),
                              *y = kr_dict_gets(b->u.ns.attrs, "__order__");
        if (!x || !y || x->type != KR_V_INT || y->type != KR_V_INT ||
            strcmp(obj_attr(a, "__type__"), obj_attr(b, "__type__")) != 0)
            return false;
        *cmp = x->u.i < y->u.i ? -1 : x->u.i > y->u.i;
        return true;
    }
    if ((a->type == KR_V_LIST && b->type == KR_V_LIST) ||
        (a->type == KR_V_TUPLE && b->type == KR_V_TUPLE)) {
        size_t i, n = a->u.list.len < b->u.list.len ? a->u.list.len : b->u.list.len;
        for (i = 0; i < n; i++) {
            if (kr_value_equal(a->u.list.items[i], b->u.list.items[i]))
                continue;
            return kr_value_compare(a->u.list.items[i], b->u.list.items[i], cmp);
        }
        *cmp = a->u.list.len < b->u.list.len ? -1 : a->u.list.len > b->u.list.len;
        return true;
    }
    return false;
}

/* ---- str / repr ---- */

void kr_float_repr(double f, struct kr_buf *out)
{
    char tmp[64];
    int prec;
    if (isnan(f)) {
        kr_buf_puts(out, "nan");
        return;
    }
    if (isinf(f)) {
        kr_buf_puts(out, f < 0 ? "-inf" : "inf");
        return;
    }
    /* shortest representation that round-trips, as Python's repr */
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, f);
        if (strtod(tmp, NULL) == f)
            break;
    }
    {
        double a = fabs(f);
        if (a != 0 && (a >= 1e16 || a < 1e-4)) {
            /* Python uses exponent form: 1e+16, 1e-05 */
            char *e = strchr(tmp, 'e');
            if (!e) {
                snprintf(tmp, sizeof tmp, "%.*e", prec - 1, f);
                e = strchr(tmp, 'e');
            }
            kr_buf_puts(out, tmp);
            return;
        }
        if (strchr(tmp, 'e')) {
            snprintf(tmp, sizeof tmp, "%.*f", 17, f);
            /* trim trailing zeros */
            {
                size_t n = strlen(tmp);
                while (n > 0 && tmp[n - 1] == '0')
                    tmp[--n] = '\0';
            }
        }
    }
    kr_buf_puts(out, tmp);
    if (!strchr(tmp, '.') && !strchr(tmp, 'e') && !strchr(tmp, 'n') && !strchr(tmp, 'i'))
        kr_buf_puts(out, ".0");
    else if (tmp[strlen(tmp) - 1] == '.')
        kr_buf_puts(out, "0");
}

static void repr_str(const char *s, size_t len, struct kr_buf *out)
{
    size_t i;
    char q = '\'';
    if (memchr(s, '\'', len) && !memchr(s, '"', len))
        q = '"';
    kr_buf_putc(out, q);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == (unsigned char)q || c == '\\') {
            kr_buf_putc(out, '\\');
            kr_buf_putc(out, (char)c);
        } else if (c == '\n') {
            kr_buf_puts(out, "\\n");
        } else if (c == '\t') {
            kr_buf_puts(out, "\\t");
        } else if (c == '\r') {
            kr_buf_puts(out, "\\r");
        } else if (c < 0x20 || c == 0x7f) {
            kr_buf_printf(out, "\\x%02x", c);
        } else {
            kr_buf_putc(out, (char)c);
        }
    }
    kr_buf_putc(out, q);
}

static void repr_seq(struct kr_value **items, size_t n, struct kr_buf *out)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (i)
            kr_buf_puts(out, ", ");
        kr_value_repr_buf(items[i], out);
    }
}

void kr_value_repr_buf(const struct kr_value *v, struct kr_buf *out)
{
    size_t i, k;
    if (v->type == KR_V_NS && (v->flags & KR_NS_EXC)) {
        /* ValueError('x'): the class and the args tuple without its trailing comma */
        struct kr_value *args = kr_dict_gets(v->u.ns.attrs, "args");
        kr_buf_puts(out, v->u.ns.name);
        kr_buf_putc(out, '(');
        if (args && args->type == KR_V_TUPLE)
            repr_seq(args->u.list.items, args->u.list.len, out);
        kr_buf_putc(out, ')');
        return;
    }
    if (v->type == KR_V_NS && (v->flags & KR_NS_OBJ)) {
        kr_buf_puts(out, obj_attr(v, "__repr__"));
        return;
    }
    if ((v->type == KR_V_TUPLE && (v->flags & KR_TUPLE_NAMED)) ||
        (v->type == KR_V_DICT && v->u.dict->kind != KR_DICT_PLAIN)) {
        kr_coll_repr_buf(v, out);
        return;
    }
    switch (v->type) {
    case KR_V_STR:
        if (v->flags & KR_STR_PATH) {
            kr_buf_puts(out, "PosixPath(");
            repr_str(v->u.str.s, v->u.str.len, out);
            kr_buf_putc(out, ')');
            return;
        }
        repr_str(v->u.str.s, v->u.str.len, out);
        return;
    case KR_V_LIST:
        kr_buf_putc(out, '[');
        repr_seq(v->u.list.items, v->u.list.len, out);
        kr_buf_putc(out, ']');
        return;
    case KR_V_TUPLE:
        kr_buf_putc(out, '(');
        repr_seq(v->u.list.items, v->u.list.len, out);
        if (v->u.list.len == 1)
            kr_buf_putc(out, ',');
        kr_buf_putc(out, ')');
        return;
    case KR_V_DICT:
        kr_buf_putc(out, '{');
        for (i = 0, k = 0; i < v->u.dict->n; i++) {
            if (!v->u.dict->keys[i])
                continue;
            if (k++)
                kr_buf_puts(out, ", ");
            kr_value_repr_buf(v->u.dict->keys[i], out);
            kr_buf_puts(out, ": ");
            kr_value_repr_buf(v->u.dict->vals[i], out);
        }
        kr_buf_putc(out, '}');
        return;
    case KR_V_SET:
        if (!v->u.dict->live) {
            kr_buf_puts(out, "set()");
            return;
        }
        kr_buf_putc(out, '{');
        for (i = 0, k = 0; i < v->u.dict->n; i++) {
            if (!v->u.dict->keys[i])
                continue;
            if (k++)
                kr_buf_puts(out, ", ");
            kr_value_repr_buf(v->u.dict->keys[i], out);
        }
        kr_buf_putc(out, '}');
        return;
    default:
        kr_value_str_buf(v, out);
    }
}

void kr_value_str_buf(const struct kr_value *v, struct kr_buf *out)
{
    size_t i;
    switch (v->type) {
    case KR_V_NONE: kr_buf_puts(out, "None"); return;
    case KR_V_BOOL: kr_buf_puts(out, v->u.b ? "True" : "False"); return;
    case KR_V_INT: kr_buf_printf(out, "%lld", (long long)v->u.i); return;
    case KR_V_FLOAT: kr_float_repr(v->u.f, out); return;
    case KR_V_STR: kr_buf_append(out, v->u.str.s, v->u.str.len); return;
    case KR_V_NAMED:
        for (i = 0; i < v->u.named.len; i++) {
            if (i)
                kr_buf_putc(out, ' ');
            kr_value_str_buf(v->u.named.items[i], out);
        }
        return;
    case KR_V_FUNC:
        if (v->u.fn.name)
            kr_buf_printf(out, "<function %s>", v->u.fn.name);
        else
            kr_buf_puts(out, "<lambda>");
        return;
    case KR_V_BUILTIN: kr_buf_printf(out, "<built-in function %s>", v->u.bi.name); return;
    case KR_V_RULE: kr_buf_printf(out, "<rule %s>", v->u.rule.rule->name); return;
    case KR_V_NS:
        if (v->flags & KR_NS_EXC)
            kr_exc_str_buf(v, out);
        else if (v->flags & KR_NS_OBJ)
            kr_buf_puts(out, obj_attr(v, "__str__"));
        else if (v->flags & KR_NS_FILE)
            kr_buf_printf(out, "<file '%s'>", v->u.ns.name);
        else
            kr_buf_printf(out, "<module '%s'>", v->u.ns.name);
        return;
    case KR_V_TYPE: kr_buf_printf(out, "<class '%s'>", v->u.type.name); return;
    default: kr_value_repr_buf(v, out); return;
    }
}

char *kr_value_to_str(struct kr_arena *A, const struct kr_value *v)
{
    struct kr_buf b = KR_BUF_INIT;
    char *s;
    if (v->type == KR_V_STR)
        return v->u.str.s;
    kr_value_str_buf(v, &b);
    s = kr_arena_strndup(A, kr_buf_cstr(&b), b.len);
    kr_buf_free(&b);
    return s;
}

char *kr_value_to_repr(struct kr_arena *A, const struct kr_value *v)
{
    struct kr_buf b = KR_BUF_INIT;
    char *s;
    kr_value_repr_buf(v, &b);
    s = kr_arena_strndup(A, kr_buf_cstr(&b), b.len);
    kr_buf_free(&b);
    return s;
}

/* ---- checked arithmetic ---- */

bool kr_int_add(int64_t a, int64_t b, int64_t *r) { return !__builtin_add_overflow(a, b, r); }
bool kr_int_sub(int64_t a, int64_t b, int64_t *r) { return !__builtin_sub_overflow(a, b, r); }
bool kr_int_mul(int64_t a, int64_t b, int64_t *r) { return !__builtin_mul_overflow(a, b, r); }
