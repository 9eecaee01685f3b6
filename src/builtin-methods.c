/*
 * builtin-methods.c - methods of the rule language's builtin types: str
 * (format, join, split, strip, replace ...), list (append, extend, pop,
 * sort ...), tuple, dict (get, items, setdefault, update ...), set, and the
 * Snakemake named lists (get, keys, items). kr_builtins_method() returns the
 * method bound to its object, or NULL when there is no such method.
 */
#include "eval.h"

#include <ctype.h>
#include <string.h>

int kr_builtins_sort(struct kr_interp *I, struct kr_value **items, size_t n,
                     struct kr_value *key, bool reverse);
int kr_builtins_dict_update(struct kr_interp *I, struct kr_value *d, struct kr_value *src);

#define M(name) static int name(struct kr_interp *I, struct kr_value *self, \
                                const struct kr_callargs *a, struct kr_value **out)
#define ARGS(fname, min, max) do { int rc_ = kr_args_check(I, fname, a, min, max); \
    if (rc_) return rc_; } while (0)

static int need_str(struct kr_interp *I, struct kr_value *v, const char *what)
{
    if (v->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "%s: expected str, got '%s'", what, kr_value_type_name(v)));
    return KR_OK;
}

static struct kr_value *S(struct kr_interp *I, const char *s, size_t n)
{
    return kr_value_str(I->A, s, n);
}

/* ---- str ---- */

M(str_format)
{
    struct kr_buf b = KR_BUF_INIT;
    int rc = kr_eval_str_format(I, self->u.str.s, self->u.str.len, a, &b);
    if (rc == KR_OK)
        *out = S(I, kr_buf_cstr(&b), b.len);
    kr_buf_free(&b);
    return rc;
}

M(str_join)
{
    struct kr_value **items;
    struct kr_buf b = KR_BUF_INIT;
    size_t n, i;
    int rc;
    ARGS("join", 1, 1);
    rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < n; i++) {
        if (items[i]->type != KR_V_STR) {
            kr_buf_free(&b);
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "sequence item %zu: expected str instance, %s found", i,
                                 kr_value_type_name(items[i])));
        }
        if (i)
            kr_buf_append(&b, self->u.str.s, self->u.str.len);
        kr_buf_append(&b, items[i]->u.str.s, items[i]->u.str.len);
    }
    *out = S(I, kr_buf_cstr(&b), b.len);
    kr_buf_free(&b);
    return KR_OK;
}

static int do_split(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                    struct kr_value **out, bool right)
{
    struct kr_value *sep = a->npos > 0 ? a->pos[0] : kr_args_kw(a, "sep");
    struct kr_value *mx = a->npos > 1 ? a->pos[1] : kr_args_kw(a, "maxsplit");
    struct kr_value *res = kr_value_list(I->A, 0);
    const char *s = self->u.str.s;
    size_t len = self->u.str.len;
    int64_t maxsplit = -1, splits = 0;
    ARGS(right ? "rsplit" : "split", 0, 2);
    if (mx && mx->type == KR_V_INT)
        maxsplit = mx->u.i;
    if (sep && sep->type == KR_V_NONE)
        sep = NULL;
    if (sep && sep->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "must be str or None, not %s", kr_value_type_name(sep)));
    if (sep && sep->u.str.len == 0)
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "empty separator"));
    if (!right) {
        size_t i = 0;
        if (!sep) {
            while (i < len) {
                size_t st;
                while (i < len && isspace((unsigned char)s[i]))
                    i++;
                if (i >= len)
                    break;
                if (maxsplit >= 0 && splits >= maxsplit) {
                    /* the remainder keeps its trailing whitespace, as in Python */
                    kr_list_push(I->A, res, S(I, s + i, len - i));
                    break;
                }
                st = i;
                while (i < len && !isspace((unsigned char)s[i]))
                    i++;
                kr_list_push(I->A, res, S(I, s + st, i - st));
                splits++;
            }
        } else {
            size_t st = 0;
            const char *p;
            size_t sl = sep->u.str.len;
            while (maxsplit < 0 || splits < maxsplit) {
                p = memmem(s + st, len - st, sep->u.str.s, sl);
                if (!p)
                    break;
                kr_list_push(I->A, res, S(I, s + st, (size_t)(p - (s + st))));
                st = (size_t)(p - s) + sl;
                splits++;
            }
            kr_list_push(I->A, res, S(I, s + st, len - st));
        }
    } else {
        /* rsplit: collect from the right, then reverse */
        struct kr_value *tmp = kr_value_list(I->A, 0);
        size_t e = len, i;
        if (!sep) {
            while (e > 0) {
                size_t st;
                while (e > 0 && isspace((unsigned char)s[e - 1]))
                    e--;
                if (e == 0)
                    break;
                if (maxsplit >= 0 && splits >= maxsplit) {
                    kr_list_push(I->A, tmp, S(I, s, e));
                    break;
                }
                st = e;
                while (st > 0 && !isspace((unsigned char)s[st - 1]))
                    st--;
                kr_list_push(I->A, tmp, S(I, s + st, e - st));
                e = st;
                splits++;
            }
        } else {
            size_t sl = sep->u.str.len;
            while (maxsplit < 0 || splits < maxsplit) {
                size_t k;
                bool found = false;
                for (k = e; k >= sl && k > 0; k--) {
                    if (!memcmp(s + k - sl, sep->u.str.s, sl)) {
                        kr_list_push(I->A, tmp, S(I, s + k, e - k));
                        e = k - sl;
                        found = true;
                        break;
                    }
                }
                if (!found)
                    break;
                splits++;
            }
            kr_list_push(I->A, tmp, S(I, s, e));
        }
        for (i = tmp->u.list.len; i > 0; i--)
            kr_list_push(I->A, res, tmp->u.list.items[i - 1]);
    }
    *out = res;
    return KR_OK;
}

M(str_split) { return do_split(I, self, a, out, false); }
M(str_rsplit) { return do_split(I, self, a, out, true); }

static int do_strip(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                    struct kr_value **out, bool left, bool right)
{
    const char *s = self->u.str.s, *chars = NULL;
    size_t b = 0, e = self->u.str.len;
    ARGS("strip", 0, 1);
    if (a->npos && a->pos[0]->type == KR_V_STR)
        chars = a->pos[0]->u.str.s;
    else if (a->npos && a->pos[0]->type != KR_V_NONE)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "strip arg must be None or str"));
#define STRIPPABLE(c) (chars ? strchr(chars, (c)) != NULL && (c) != '\0' : isspace((unsigned char)(c)))
    if (left)
        while (b < e && STRIPPABLE(s[b]))
            b++;
    if (right)
        while (e > b && STRIPPABLE(s[e - 1]))
            e--;
#undef STRIPPABLE
    *out = S(I, s + b, e - b);
    return KR_OK;
}

M(str_strip) { return do_strip(I, self, a, out, true, true); }
M(str_lstrip) { return do_strip(I, self, a, out, true, false); }
M(str_rstrip) { return do_strip(I, self, a, out, false, true); }

M(str_replace)
{
    struct kr_value *o, *n;
    struct kr_buf b = KR_BUF_INIT;
    const char *s = self->u.str.s, *p;
    size_t len = self->u.str.len, st = 0;
    int64_t count = -1, done = 0;
    int rc;
    ARGS("replace", 2, 3);
    o = a->pos[0];
    n = a->pos[1];
    rc = need_str(I, o, "replace()");
    if (rc == KR_OK)
        rc = need_str(I, n, "replace()");
    if (rc != KR_OK)
        return rc;
    if (a->npos == 3 && a->pos[2]->type == KR_V_INT)
        count = a->pos[2]->u.i;
    if (o->u.str.len == 0) {
        size_t i;
        for (i = 0; i <= len; i++) {
            if (count < 0 || done < count) {
                kr_buf_append(&b, n->u.str.s, n->u.str.len);
                done++;
            }
            if (i < len)
                kr_buf_putc(&b, s[i]);
        }
    } else {
        while (count < 0 || done < count) {
            p = memmem(s + st, len - st, o->u.str.s, o->u.str.len);
            if (!p)
                break;
            kr_buf_append(&b, s + st, (size_t)(p - (s + st)));
            kr_buf_append(&b, n->u.str.s, n->u.str.len);
            st = (size_t)(p - s) + o->u.str.len;
            done++;
        }
        kr_buf_append(&b, s + st, len - st);
    }
    *out = S(I, kr_buf_cstr(&b), b.len);
    kr_buf_free(&b);
    return KR_OK;
}

static int affix(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                 struct kr_value **out, bool start)
{
    struct kr_value *one[1], **cands;
    size_t n, i;
    ARGS(start ? "startswith" : "endswith", 1, 1);
    if (a->pos[0]->type == KR_V_TUPLE) {
        cands = a->pos[0]->u.list.items;
        n = a->pos[0]->u.list.len;
    } else {
        one[0] = a->pos[0];
        cands = one;
        n = 1;
    }
    for (i = 0; i < n; i++) {
        struct kr_value *c = cands[i];
        int rc;
        rc = need_str(I, c, start ? "startswith()" : "endswith()");
        if (rc != KR_OK)
            return rc;
        if (c->u.str.len <= self->u.str.len &&
            !memcmp(start ? self->u.str.s : self->u.str.s + self->u.str.len - c->u.str.len,
                    c->u.str.s, c->u.str.len)) {
            *out = kr_value_bool(true);
            return KR_OK;
        }
    }
    *out = kr_value_bool(false);
    return KR_OK;
}

M(str_startswith) { return affix(I, self, a, out, true); }
M(str_endswith) { return affix(I, self, a, out, false); }

static int recase(struct kr_interp *I, struct kr_value *self, struct kr_value **out, int mode)
{
    char *s = kr_arena_strndup(I->A, self->u.str.s, self->u.str.len);
    size_t i;
    bool word_start = true;
    for (i = 0; i < self->u.str.len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (mode == 0)
            s[i] = (char)toupper(c);
        else if (mode == 1)
            s[i] = (char)tolower(c);
        else if (mode == 2)
            s[i] = (char)(i == 0 ? toupper(c) : tolower(c));
        else {
            s[i] = (char)(word_start ? toupper(c) : tolower(c));
            word_start = !isalpha(c);
        }
    }
    *out = kr_value_str_own(I->A, s, self->u.str.len);
    return KR_OK;
}

M(str_upper) { ARGS("upper", 0, 0); return recase(I, self, out, 0); }
M(str_lower) { ARGS("lower", 0, 0); return recase(I, self, out, 1); }
M(str_capitalize) { ARGS("capitalize", 0, 0); return recase(I, self, out, 2); }
M(str_title) { ARGS("title", 0, 0); return recase(I, self, out, 3); }

static int64_t find_sub(const struct kr_value *s, const struct kr_value *sub, bool last)
{
    size_t i;
    if (sub->u.str.len > s->u.str.len)
        return -1;
    if (!last) {
        const char *p = sub->u.str.len ? memmem(s->u.str.s, s->u.str.len, sub->u.str.s,
                                                sub->u.str.len) : s->u.str.s;
        return p ? (int64_t)(p - s->u.str.s) : -1;
    }
    for (i = s->u.str.len - sub->u.str.len + 1; i > 0; i--)
        if (!memcmp(s->u.str.s + i - 1, sub->u.str.s, sub->u.str.len))
            return (int64_t)(i - 1);
    return -1;
}

static int do_find(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                   struct kr_value **out, bool last, bool raise)
{
    int64_t r;
    int rc;
    ARGS(last ? "rfind" : "find", 1, 1);
    rc = need_str(I, a->pos[0], "find()");
    if (rc != KR_OK)
        return rc;
    r = find_sub(self, a->pos[0], last);
    if (r < 0 && raise)
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "substring not found"));
    *out = kr_value_int(I->A, r);
    return KR_OK;
}

M(str_find) { return do_find(I, self, a, out, false, false); }
M(str_rfind) { return do_find(I, self, a, out, true, false); }
M(str_index) { return do_find(I, self, a, out, false, true); }

M(str_count)
{
    struct kr_value *sub;
    int64_t n = 0;
    size_t st = 0;
    const char *p;
    int rc;
    ARGS("count", 1, 1);
    sub = a->pos[0];
    rc = need_str(I, sub, "count()");
    if (rc != KR_OK)
        return rc;
    if (sub->u.str.len == 0) {
        *out = kr_value_int(I->A, (int64_t)self->u.str.len + 1);
        return KR_OK;
    }
    for (;;) {
        p = memmem(self->u.str.s + st, self->u.str.len - st, sub->u.str.s, sub->u.str.len);
        if (!p)
            break;
        n++;
        st = (size_t)(p - self->u.str.s) + sub->u.str.len;
    }
    *out = kr_value_int(I->A, n);
    return KR_OK;
}

M(str_zfill)
{
    int64_t w;
    struct kr_buf b = KR_BUF_INIT;
    size_t len = self->u.str.len, sign = 0, i;
    ARGS("zfill", 1, 1);
    if (a->pos[0]->type != KR_V_INT)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "zfill() argument must be int"));
    w = a->pos[0]->u.i;
    if (w > 100000)
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "zfill() width too large"));
    if (len && (self->u.str.s[0] == '-' || self->u.str.s[0] == '+'))
        sign = 1;
    kr_buf_append(&b, self->u.str.s, sign);
    for (i = len; (int64_t)i < w; i++)
        kr_buf_putc(&b, '0');
    kr_buf_append(&b, self->u.str.s + sign, len - sign);
    *out = S(I, kr_buf_cstr(&b), b.len);
    kr_buf_free(&b);
    return KR_OK;
}

static int do_just(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                   struct kr_value **out, char how)
{
    int64_t w, fill, i, left;
    char fc = ' ';
    struct kr_buf b = KR_BUF_INIT;
    ARGS("ljust", 1, 2);
    if (a->pos[0]->type != KR_V_INT)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "width must be int"));
    w = a->pos[0]->u.i;
    if (w > 100000)
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "width too large"));
    if (a->npos == 2 && a->pos[1]->type == KR_V_STR && a->pos[1]->u.str.len == 1)
        fc = a->pos[1]->u.str.s[0];
    fill = w > (int64_t)self->u.str.len ? w - (int64_t)self->u.str.len : 0;
    left = how == '<' ? 0 : how == '>' ? fill : fill / 2 + (fill & w & 1);
    for (i = 0; i < left; i++)
        kr_buf_putc(&b, fc);
    kr_buf_append(&b, self->u.str.s, self->u.str.len);
    for (i = left; i < fill; i++)
        kr_buf_putc(&b, fc);
    *out = S(I, kr_buf_cstr(&b), b.len);
    kr_buf_free(&b);
    return KR_OK;
}

M(str_ljust) { return do_just(I, self, a, out, '<'); }
M(str_rjust) { return do_just(I, self, a, out, '>'); }
M(str_center) { return do_just(I, self, a, out, '^'); }

static int do_partition(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                        struct kr_value **out, bool last)
{
    struct kr_value *t = kr_value_tuple(I->A, 3), *sep;
    int64_t at;
    int rc;
    ARGS(last ? "rpartition" : "partition", 1, 1);
    sep = a->pos[0];
    rc = need_str(I, sep, "partition()");
    if (rc != KR_OK)
        return rc;
    if (sep->u.str.len == 0)
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "empty separator"));
    at = find_sub(self, sep, last);
    if (at < 0) {
        t->u.list.items[0] = last ? S(I, "", 0) : self;
        t->u.list.items[1] = S(I, "", 0);
        t->u.list.items[2] = last ? self : S(I, "", 0);
    } else {
        t->u.list.items[0] = S(I, self->u.str.s, (size_t)at);
        t->u.list.items[1] = sep;
        t->u.list.items[2] = S(I, self->u.str.s + at + sep->u.str.len,
                               self->u.str.len - (size_t)at - sep->u.str.len);
    }
    *out = t;
    return KR_OK;
}

M(str_partition) { return do_partition(I, self, a, out, false); }
M(str_rpartition) { return do_partition(I, self, a, out, true); }

static int classify(struct kr_interp *I, struct kr_value *self, struct kr_value **out,
                    int (*pred)(int))
{
    size_t i;
    bool r = self->u.str.len > 0;
    for (i = 0; i < self->u.str.len && r; i++)
        if (!pred((unsigned char)self->u.str.s[i]))
            r = false;
    *out = kr_value_bool(r);
    return KR_OK;
}

M(str_isdigit) { ARGS("isdigit", 0, 0); return classify(I, self, out, isdigit); }
M(str_isalpha) { ARGS("isalpha", 0, 0); return classify(I, self, out, isalpha); }
M(str_isalnum) { ARGS("isalnum", 0, 0); return classify(I, self, out, isalnum); }
M(str_isspace) { ARGS("isspace", 0, 0); return classify(I, self, out, isspace); }
M(str_isupper) { ARGS("isupper", 0, 0); return classify(I, self, out, isupper); }
M(str_islower) { ARGS("islower", 0, 0); return classify(I, self, out, islower); }

M(str_splitlines)
{
    struct kr_value *res = kr_value_list(I->A, 0);
    const char *s = self->u.str.s;
    size_t len = self->u.str.len, st = 0, i;
    ARGS("splitlines", 0, 0);
    for (i = 0; i < len; i++) {
        if (s[i] == '\n' || s[i] == '\r') {
            kr_list_push(I->A, res, S(I, s + st, i - st));
            if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
                i++;
            st = i + 1;
        }
    }
    if (st < len)
        kr_list_push(I->A, res, S(I, s + st, len - st));
    *out = res;
    return KR_OK;
}

static int do_affix_remove(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                           struct kr_value **out, bool prefix)
{
    struct kr_value *x;
    int rc;
    ARGS(prefix ? "removeprefix" : "removesuffix", 1, 1);
    x = a->pos[0];
    rc = need_str(I, x, "removeprefix()");
    if (rc != KR_OK)
        return rc;
    if (x->u.str.len <= self->u.str.len &&
        !memcmp(prefix ? self->u.str.s : self->u.str.s + self->u.str.len - x->u.str.len,
                x->u.str.s, x->u.str.len)) {
        *out = prefix ? S(I, self->u.str.s + x->u.str.len, self->u.str.len - x->u.str.len)
                      : S(I, self->u.str.s, self->u.str.len - x->u.str.len);
        return KR_OK;
    }
    *out = self;
    return KR_OK;
}

M(str_removeprefix) { return do_affix_remove(I, self, a, out, true); }
M(str_removesuffix) { return do_affix_remove(I, self, a, out, false); }

/* ---- list / tuple ---- */

M(list_append)
{
    ARGS("append", 1, 1);
    kr_list_push(I->A, self, a->pos[0]);
    *out = kr_value_none();
    return KR_OK;
}

M(list_extend)
{
    struct kr_value **items;
    size_t n, i;
    int rc;
    ARGS("extend", 1, 1);
    rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < n; i++)
        kr_list_push(I->A, self, items[i]);
    *out = kr_value_none();
    return KR_OK;
}

M(list_insert)
{
    int64_t at;
    int64_t len = (int64_t)self->u.list.len;
    ARGS("insert", 2, 2);
    if (a->pos[0]->type != KR_V_INT)
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "insert(): index must be an integer"));
    at = a->pos[0]->u.i;
    if (at < 0)
        at = at + len < 0 ? 0 : at + len;
    if (at > len)
        at = len;
    kr_list_insert(I->A, self, (size_t)at, a->pos[1]);
    *out = kr_value_none();
    return KR_OK;
}

M(list_pop)
{
    int64_t at, len = (int64_t)self->u.list.len;
    ARGS("pop", 0, 1);
    if (len == 0)
        return kr_exc_tag(I, "IndexError", NULL, kr_eval_error(I, "pop from empty list"));
    at = len - 1;
    if (a->npos) {
        if (a->pos[0]->type != KR_V_INT)
            return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "pop(): index must be an integer"));
        at = a->pos[0]->u.i;
        if (at < 0)
            at += len;
        if (at < 0 || at >= len)
            return kr_exc_tag(I, "IndexError", NULL, kr_eval_error(I, "pop index out of range"));
    }
    *out = self->u.list.items[at];
    memmove(self->u.list.items + at, self->u.list.items + at + 1,
            (size_t)(len - at - 1) * sizeof *self->u.list.items);
    self->u.list.len--;
    return KR_OK;
}

static int64_t seq_index(struct kr_value *self, struct kr_value *x)
{
    size_t i, n;
    struct kr_value **items = kr_value_items(self, &n);
    for (i = 0; i < n; i++)
        if (kr_value_equal(items[i], x))
            return (int64_t)i;
    return -1;
}

M(list_index)
{
    int64_t i;
    ARGS("index", 1, 1);
    i = seq_index(self, a->pos[0]);
    if (i < 0) {
        char *r = kr_value_to_repr(I->A, a->pos[0]);
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "%s is not in %s", r, kr_value_type_name(self)));
    }
    *out = kr_value_int(I->A, i);
    return KR_OK;
}

M(list_count)
{
    size_t i, n;
    int64_t c = 0;
    struct kr_value **items = kr_value_items(self, &n);
    ARGS("count", 1, 1);
    for (i = 0; i < n; i++)
        if (kr_value_equal(items[i], a->pos[0]))
            c++;
    *out = kr_value_int(I->A, c);
    return KR_OK;
}

M(list_remove)
{
    int64_t i;
    ARGS("remove", 1, 1);
    i = seq_index(self, a->pos[0]);
    if (i < 0)
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "list.remove(x): x not in list"));
    memmove(self->u.list.items + i, self->u.list.items + i + 1,
            (self->u.list.len - (size_t)i - 1) * sizeof *self->u.list.items);
    self->u.list.len--;
    *out = kr_value_none();
    return KR_OK;
}

M(list_reverse)
{
    size_t i, n = self->u.list.len;
    ARGS("reverse", 0, 0);
    for (i = 0; i < n / 2; i++) {
        struct kr_value *t = self->u.list.items[i];
        self->u.list.items[i] = self->u.list.items[n - 1 - i];
        self->u.list.items[n - 1 - i] = t;
    }
    *out = kr_value_none();
    return KR_OK;
}

M(list_sort)
{
    struct kr_value *rev = kr_args_kw(a, "reverse");
    int rc;
    ARGS("sort", 0, 0);
    rc = kr_builtins_sort(I, self->u.list.items, self->u.list.len, kr_args_kw(a, "key"),
                          rev && kr_value_truthy(rev));
    *out = kr_value_none();
    return rc;
}

M(list_copy)
{
    size_t i;
    struct kr_value *r = kr_value_list(I->A, self->u.list.len);
    ARGS("copy", 0, 0);
    for (i = 0; i < self->u.list.len; i++)
        kr_list_push(I->A, r, self->u.list.items[i]);
    *out = r;
    return KR_OK;
}

M(list_clear)
{
    ARGS("clear", 0, 0);
    self->u.list.len = 0;
    *out = kr_value_none();
    return KR_OK;
}

/* ---- dict ---- */

static int dict_view(struct kr_interp *I, struct kr_dict *d, struct kr_value **out, int which)
{
    struct kr_value *r = kr_value_list(I->A, d->live);
    size_t i;
    for (i = 0; i < d->n; i++) {
        if (!d->keys[i])
            continue;
        if (which == 0) {
            kr_list_push(I->A, r, d->keys[i]);
        } else if (which == 1) {
            kr_list_push(I->A, r, d->vals[i]);
        } else {
            struct kr_value *t = kr_value_tuple(I->A, 2);
            t->u.list.items[0] = d->keys[i];
            t->u.list.items[1] = d->vals[i];
            kr_list_push(I->A, r, t);
        }
    }
    *out = r;
    return KR_OK;
}

static struct kr_dict *dict_of(struct kr_value *self)
{
    return self->type == KR_V_NAMED ? self->u.named.names : self->u.dict;
}

M(dict_keys) { ARGS("keys", 0, 0); return dict_view(I, dict_of(self), out, 0); }
M(dict_values) { ARGS("values", 0, 0); return dict_view(I, dict_of(self), out, 1); }
M(dict_items) { ARGS("items", 0, 0); return dict_view(I, dict_of(self), out, 2); }

M(dict_get)
{
    struct kr_value *v;
    ARGS("get", 1, 2);
    if (!kr_value_hashable(a->pos[0]))
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "unhashable type: '%s'", kr_value_type_name(a->pos[0])));
    v = kr_dict_get(dict_of(self), a->pos[0]);
    *out = v ? v : a->npos == 2 ? a->pos[1] : kr_value_none();
    return KR_OK;
}

M(dict_setdefault)
{
    struct kr_value *v;
    ARGS("setdefault", 1, 2);
    if (!kr_value_hashable(a->pos[0]))
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "unhashable type: '%s'", kr_value_type_name(a->pos[0])));
    v = kr_dict_get(self->u.dict, a->pos[0]);
    if (!v) {
        v = a->npos == 2 ? a->pos[1] : kr_value_none();
        kr_dict_set(I->A, self->u.dict, a->pos[0], v);
    }
    *out = v;
    return KR_OK;
}

M(dict_update)
{
    size_t i;
    int rc;
    ARGS("update", 0, 1);
    if (a->npos) {
        rc = kr_builtins_dict_update(I, self, a->pos[0]);
        if (rc != KR_OK)
            return rc;
    }
    for (i = 0; i < a->nkw; i++)
        kr_dict_sets(I->A, self->u.dict, a->kwnames[i], a->kwvals[i]);
    *out = kr_value_none();
    return KR_OK;
}

M(dict_pop)
{
    struct kr_value *v;
    ARGS("pop", 1, 2);
    if (!kr_value_hashable(a->pos[0]))
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "unhashable type: '%s'", kr_value_type_name(a->pos[0])));
    v = kr_dict_del(self->u.dict, a->pos[0]);
    if (!v) {
        if (a->npos == 2) {
            *out = a->pos[1];
            return KR_OK;
        }
        return kr_exc_tag(I, "KeyError", NULL, kr_eval_error(I, "key %s not found", kr_value_to_repr(I->A, a->pos[0])));
    }
    *out = v;
    return KR_OK;
}

M(dict_copy)
{
    struct kr_value *r = kr_value_dict(I->A);
    ARGS("copy", 0, 0);
    *out = r;
    return kr_builtins_dict_update(I, r, self);
}

/* ---- set ---- */

M(set_add)
{
    ARGS("add", 1, 1);
    if (!kr_value_hashable(a->pos[0]))
        return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "unhashable type: '%s'", kr_value_type_name(a->pos[0])));
    kr_dict_set(I->A, self->u.dict, a->pos[0], kr_value_none());
    *out = kr_value_none();
    return KR_OK;
}

M(set_update)
{
    struct kr_value **items;
    size_t n, i, k;
    int rc;
    for (k = 0; k < a->npos; k++) {
        rc = kr_eval_iter(I, a->pos[k], &items, &n);
        if (rc != KR_OK)
            return rc;
        for (i = 0; i < n; i++) {
            if (!kr_value_hashable(items[i]))
                return kr_exc_tag(I, "TypeError", NULL, kr_eval_error(I, "unhashable type: '%s'", kr_value_type_name(items[i])));
            kr_dict_set(I->A, self->u.dict, items[i], kr_value_none());
        }
    }
    *out = kr_value_none();
    return KR_OK;
}

M(set_union)
{
    struct kr_value *r = kr_value_set(I->A), *dummy, *selfarg[1] = {self};
    struct kr_callargs one = {0};
    int rc;
    one.pos = selfarg;
    one.npos = 1;
    rc = set_update(I, r, &one, &dummy);
    if (rc != KR_OK)
        return rc;
    rc = set_update(I, r, a, &dummy);
    if (rc != KR_OK)
        return rc;
    *out = r;
    return KR_OK;
}

static int set_filter(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                      struct kr_value **out, bool keep_common)
{
    struct kr_value *r = kr_value_set(I->A), *other = kr_value_set(I->A), *dummy;
    size_t i;
    int rc;
    rc = set_update(I, other, a, &dummy);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < self->u.dict->n; i++) {
        struct kr_value *k = self->u.dict->keys[i];
        if (k && (kr_dict_get(other->u.dict, k) != NULL) == keep_common)
            kr_dict_set(I->A, r->u.dict, k, kr_value_none());
    }
    *out = r;
    return KR_OK;
}

M(set_intersection) { return set_filter(I, self, a, out, true); }
M(set_difference) { return set_filter(I, self, a, out, false); }

M(set_discard)
{
    ARGS("discard", 1, 1);
    if (kr_value_hashable(a->pos[0]))
        kr_dict_del(self->u.dict, a->pos[0]);
    *out = kr_value_none();
    return KR_OK;
}

M(set_remove)
{
    ARGS("remove", 1, 1);
    if (!kr_value_hashable(a->pos[0]) || !kr_dict_del(self->u.dict, a->pos[0]))
        return kr_exc_tag(I, "KeyError", NULL, kr_eval_error(I, "set.remove(x): %s not in set",
                             kr_value_to_repr(I->A, a->pos[0])));
    *out = kr_value_none();
    return KR_OK;
}

/* ---- tables ---- */

struct method {
    const char *name;
    kr_builtin_fn fn;
};

static const struct method str_methods[] = {
    {"format", str_format}, {"join", str_join}, {"split", str_split}, {"rsplit", str_rsplit},
    {"strip", str_strip}, {"lstrip", str_lstrip}, {"rstrip", str_rstrip},
    {"replace", str_replace}, {"startswith", str_startswith}, {"endswith", str_endswith},
    {"upper", str_upper}, {"lower", str_lower}, {"capitalize", str_capitalize},
    {"title", str_title}, {"find", str_find}, {"rfind", str_rfind}, {"index", str_index},
    {"count", str_count}, {"zfill", str_zfill}, {"ljust", str_ljust}, {"rjust", str_rjust},
    {"center", str_center}, {"partition", str_partition}, {"rpartition", str_rpartition},
    {"isdigit", str_isdigit}, {"isalpha", str_isalpha}, {"isalnum", str_isalnum},
    {"isspace", str_isspace}, {"isupper", str_isupper}, {"islower", str_islower},
    {"splitlines", str_splitlines}, {"removeprefix", str_removeprefix},
    {"removesuffix", str_removesuffix}, {NULL, NULL},
};

static const struct method list_methods[] = {
    {"append", list_append}, {"extend", list_extend}, {"insert", list_insert},
    {"pop", list_pop}, {"index", list_index}, {"count", list_count}, {"remove", list_remove},
    {"reverse", list_reverse}, {"sort", list_sort}, {"copy", list_copy}, {"clear", list_clear},
    {NULL, NULL},
};

static const struct method tuple_methods[] = {
    {"index", list_index}, {"count", list_count}, {NULL, NULL},
};

static const struct method dict_methods[] = {
    {"get", dict_get}, {"items", dict_items}, {"keys", dict_keys}, {"values", dict_values},
    {"setdefault", dict_setdefault}, {"update", dict_update}, {"pop", dict_pop},
    {"copy", dict_copy}, {NULL, NULL},
};

static const struct method named_methods[] = {
    {"get", dict_get}, {"items", dict_items}, {"keys", dict_keys}, {"index", list_index},
    {"count", list_count}, {NULL, NULL},
};

static const struct method set_methods[] = {
    {"add", set_add}, {"update", set_update}, {"union", set_union},
    {"intersection", set_intersection}, {"difference", set_difference},
    {"discard", set_discard}, {"remove", set_remove}, {NULL, NULL},
};

const char *const kr_builtins_method_names[] = {
    "format", "join", "split", "rsplit", "strip", "lstrip", "rstrip", "replace", "startswith",
    "endswith", "upper", "lower", "find", "count", "zfill", "partition", "append", "extend",
    "insert", "pop", "index", "sort", "get", "items", "keys", "values", "setdefault", "update",
    "add", NULL,
};

struct kr_value *kr_builtins_method(struct kr_interp *I, struct kr_value *self, const char *name)
{
    const struct method *t;
    size_t i;
    switch (self->type) {
    case KR_V_STR: t = str_methods; break;
    case KR_V_LIST: t = list_methods; break;
    case KR_V_TUPLE: t = tuple_methods; break;
    case KR_V_DICT: t = dict_methods; break;
    case KR_V_SET: t = set_methods; break;
    case KR_V_NAMED: t = named_methods; break;
    default: return NULL;
    }
    for (i = 0; t[i].name; i++)
        if (!strcmp(t[i].name, name))
            return kr_value_builtin(I->A, t[i].name, t[i].fn, self, NULL);
    return NULL;
}
