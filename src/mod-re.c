/*
 * mod-re.c - Python's `re` module over PCRE2: match, search, fullmatch,
 * findall, finditer (a list of match objects), sub (string templates with \1 and \g<name>, or a function),
 * split, compile (a pattern object with the same methods and .pattern), the
 * match object (group(n or name, ...), groups(), groupdict(), start(),
 * end(), span()) and the flags IGNORECASE/I, MULTILINE/M, DOTALL/S,
 * VERBOSE/X. Python's syntax is PCRE2's for everything rule files write
 * ((?P<name>...), (?P=name), lookarounds); \Z is translated to PCRE2's \z.
 * Patterns are compiled per call and freed at once: nothing outlives it.
 */
#include "mod.h"

#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

enum { PY_I = 2, PY_M = 8, PY_S = 16, PY_X = 64 };

/* A compiled pattern and what its match objects need to know. */
struct rx {
    pcre2_code *code;
    pcre2_match_data *md;
    uint32_t ngroups;
    struct kr_value *names;      /* dict name -> int group number */
};

static void rx_free(struct rx *r)
{
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->code);
}

static int rx_compile(struct kr_interp *I, const char *fname, struct kr_value *pat,
                      int64_t flags, struct rx *r)
{
    struct kr_buf b = KR_BUF_INIT;
    uint32_t opts = PCRE2_UTF, namecount = 0, entsize = 0, i;
    PCRE2_SPTR table = NULL;
    PCRE2_SIZE erroff;
    int errcode;
    size_t k;
    memset(r, 0, sizeof *r);
    if (pat->type != KR_V_STR)
        return kr_eval_error(I, "%s(): the pattern must be a str, not '%s'", fname,
                             kr_value_type_name(pat));
    for (k = 0; k < pat->u.str.len; k++) {
        if (pat->u.str.s[k] == '\\' && k + 1 < pat->u.str.len) {
            kr_buf_putc(&b, '\\');
            kr_buf_putc(&b, pat->u.str.s[k + 1] == 'Z' ? 'z' : pat->u.str.s[k + 1]);
            k++;
            continue;
        }
        kr_buf_putc(&b, pat->u.str.s[k]);
    }
    if (flags & PY_I)
        opts |= PCRE2_CASELESS;
    if (flags & PY_M)
        opts |= PCRE2_MULTILINE;
    if (flags & PY_S)
        opts |= PCRE2_DOTALL;
    if (flags & PY_X)
        opts |= PCRE2_EXTENDED;
    r->code = pcre2_compile((PCRE2_SPTR)(b.data ? b.data : ""), b.len, opts, &errcode, &erroff,
                            NULL);
    kr_buf_free(&b);
    if (!r->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        return kr_eval_error(I, "%s(): invalid regular expression '%s': %s at position %zu",
                             fname, pat->u.str.s, (const char *)msg, (size_t)erroff);
    }
    r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
    pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &r->ngroups);
    pcre2_pattern_info(r->code, PCRE2_INFO_NAMECOUNT, &namecount);
    pcre2_pattern_info(r->code, PCRE2_INFO_NAMEENTRYSIZE, &entsize);
    pcre2_pattern_info(r->code, PCRE2_INFO_NAMETABLE, &table);
    r->names = kr_value_dict(I->A);
    for (i = 0; i < namecount; i++) {
        PCRE2_SPTR e = table + (size_t)i * entsize;
        kr_dict_sets(I->A, r->names->u.dict, kr_arena_strdup(I->A, (const char *)e + 2),
                     kr_value_int(I->A, (e[0] << 8) | e[1]));
    }
    return KR_OK;
}

/* Run the pattern on subject from `start`; 1 matched, 0 not, <0 error. */
static int rx_exec(struct kr_interp *I, struct rx *r, const struct kr_value *subj, size_t start,
                   uint32_t opts)
{
    int rc = pcre2_match(r->code, (PCRE2_SPTR)subj->u.str.s, subj->u.str.len, start, opts,
                         r->md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        return kr_eval_error(I, "regular expression match failed: %s", (const char *)msg), -1;
    }
    return 1;
}

/* Group g of the last match as a str, or None when it did not take part. */
static struct kr_value *rx_group(struct kr_interp *I, struct rx *r, const struct kr_value *subj,
                                 uint32_t g)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    if (ov[2 * g] == PCRE2_UNSET)
        return kr_value_none();
    return kr_value_str(I->A, subj->u.str.s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/* ---- match objects ---- */

/* A match object's state, kept in the `self` of its methods: a tuple
 * (groups tuple, spans tuple of (start, end), names dict, subject). */
static struct kr_value *match_state(struct kr_value *self, int k)
{
    return self->u.list.items[k];
}

static int match_index(struct kr_interp *I, struct kr_value *self, struct kr_value *g,
                       int64_t *idx)
{
    struct kr_value *groups = match_state(self, 0), *names = match_state(self, 2);
    if (g->type == KR_V_INT) {
        if (g->u.i < 0 || (size_t)g->u.i >= groups->u.list.len)
            return kr_eval_error(I, "no such group: %lld", (long long)g->u.i);
        *idx = g->u.i;
        return KR_OK;
    }
    if (g->type == KR_V_STR) {
        struct kr_value *n = kr_dict_get(names->u.dict, g);
        if (!n)
            return kr_eval_error(I, "no such group: '%s'", g->u.str.s);
        *idx = n->u.i;
        return KR_OK;
    }
    return kr_eval_error(I, "group index must be an int or a group name, not '%s'",
                         kr_value_type_name(g));
}

KR_MOD_FN(m_group)
{
    struct kr_value *groups = match_state(self, 0), *t;
    int64_t idx = 0;
    size_t i;
    int rc;
    if (a->npos <= 1) {
        if (a->npos == 1) {
            rc = match_index(I, self, a->pos[0], &idx);
            if (rc != KR_OK)
                return rc;
        }
        *out = groups->u.list.items[idx];
        return KR_OK;
    }
    t = kr_value_tuple(I->A, a->npos);
    for (i = 0; i < a->npos; i++) {
        rc = match_index(I, self, a->pos[i], &idx);
        if (rc != KR_OK)
            return rc;
        t->u.list.items[i] = groups->u.list.items[idx];
    }
    *out = t;
    return KR_OK;
}

KR_MOD_FN(m_groups)
{
    struct kr_value *groups = match_state(self, 0), *t, *dflt = kr_args_kw(a, "default");
    size_t i;
    int rc = kr_args_check(I, "groups", a, 0, 1);
    if (rc != KR_OK)
        return rc;
    if (a->npos == 1)
        dflt = a->pos[0];
    t = kr_value_tuple(I->A, groups->u.list.len - 1);
    for (i = 1; i < groups->u.list.len; i++) {
        struct kr_value *v = groups->u.list.items[i];
        t->u.list.items[i - 1] = v->type == KR_V_NONE && dflt ? dflt : v;
    }
    *out = t;
    return KR_OK;
}

KR_MOD_FN(m_groupdict)
{
    struct kr_value *groups = match_state(self, 0), *names = match_state(self, 2), *d;
    size_t i;
    KR_UNUSED(a);
    d = kr_value_dict(I->A);
    for (i = 0; i < names->u.dict->n; i++)
        if (names->u.dict->keys[i])
            kr_dict_set(I->A, d->u.dict, names->u.dict->keys[i],
                        groups->u.list.items[names->u.dict->vals[i]->u.i]);
    *out = d;
    return KR_OK;
}

static int span_of(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                   struct kr_value **span)
{
    int64_t idx = 0;
    int rc = kr_args_check(I, "span", a, 0, 1);
    if (rc == KR_OK && a->npos == 1)
        rc = match_index(I, self, a->pos[0], &idx);
    if (rc != KR_OK)
        return rc;
    *span = match_state(self, 1)->u.list.items[idx];
    return KR_OK;
}

KR_MOD_FN(m_start)
{
    struct kr_value *sp;
    int rc = span_of(I, self, a, &sp);
    if (rc == KR_OK)
        *out = sp->u.list.items[0];
    return rc;
}

KR_MOD_FN(m_end)
{
    struct kr_value *sp;
    int rc = span_of(I, self, a, &sp);
    if (rc == KR_OK)
        *out = sp->u.list.items[1];
    return rc;
}

KR_MOD_FN(m_span)
{
    return span_of(I, self, a, out);
}

/* Build the match object for the last successful rx_exec. Python reports
 * positions in characters: offsets are converted from bytes. */
static struct kr_value *make_match(struct kr_interp *I, struct rx *r, struct kr_value *subj)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    struct kr_value *st = kr_value_tuple(I->A, 4), *m = kr_value_ns(I->A, "re.Match");
    struct kr_value *groups = kr_value_tuple(I->A, r->ngroups + 1);
    struct kr_value *spans = kr_value_tuple(I->A, r->ngroups + 1);
    uint32_t g;
    for (g = 0; g <= r->ngroups; g++) {
        struct kr_value *sp = kr_value_tuple(I->A, 2);
        int64_t s = -1, e = -1;
        groups->u.list.items[g] = rx_group(I, r, subj, g);
        if (ov[2 * g] != PCRE2_UNSET) {
            size_t k;
            s = e = 0;
            for (k = 0; k < ov[2 * g + 1]; k++)
                if (((unsigned char)subj->u.str.s[k] & 0xC0) != 0x80) {
                    if (k < ov[2 * g])
                        s++;
                    e++;
                }
        }
        sp->u.list.items[0] = kr_value_int(I->A, s);
        sp->u.list.items[1] = kr_value_int(I->A, e);
        spans->u.list.items[g] = sp;
    }
    st->u.list.items[0] = groups;
    st->u.list.items[1] = spans;
    st->u.list.items[2] = r->names;
    st->u.list.items[3] = subj;
    kr_mod_def(I, m, "group", m_group, st);
    kr_mod_def(I, m, "groups", m_groups, st);
    kr_mod_def(I, m, "groupdict", m_groupdict, st);
    kr_mod_def(I, m, "start", m_start, st);
    kr_mod_def(I, m, "end", m_end, st);
    kr_mod_def(I, m, "span", m_span, st);
    kr_dict_sets(I->A, m->u.ns.attrs, "string", subj);
    return m;
}

/* ---- the functions ---- */

/* Arguments of every function: pattern (or the bound pattern object's
 * (pattern, flags) in self), then `nstr` more positional values, then
 * `count`/`maxsplit` and flags. */
struct reargs {
    struct kr_value *pat;
    int64_t flags;
    struct kr_value *args[3];
    int64_t count;
};

static int get_args(struct kr_interp *I, const char *fname, struct kr_value *self,
                    const struct kr_callargs *a, size_t nstr, const char *countname,
                    struct reargs *ra)
{
    size_t p = 0, i, maxpos = nstr + (self ? 0 : 1) + (countname ? 1 : 0) + (self ? 0 : 1);
    struct kr_value *v;
    int rc = kr_args_check(I, fname, a, nstr + (self ? 0 : 1), maxpos);
    if (rc != KR_OK)
        return rc;
    memset(ra, 0, sizeof *ra);
    if (self) {
        ra->pat = self->u.list.items[0];
        ra->flags = self->u.list.items[1]->u.i;
    } else {
        ra->pat = a->pos[p++];
    }
    for (i = 0; i < nstr; i++)
        ra->args[i] = a->pos[p++];
    if (countname) {
        v = p < a->npos ? a->pos[p++] : kr_args_kw(a, countname);
        if (v && v->type != KR_V_INT)
            return kr_eval_error(I, "%s(): %s must be an int", fname, countname);
        ra->count = v ? v->u.i : 0;
    }
    v = p < a->npos ? a->pos[p++] : kr_args_kw(a, "flags");
    if (v) {
        if (self)
            return kr_eval_error(I, "%s(): cannot give flags to a compiled pattern", fname);
        if (v->type != KR_V_INT)
            return kr_eval_error(I, "%s(): flags must be re flags (an int)", fname);
        ra->flags = v->u.i;
    }
    for (i = 0; i < nstr; i++)
        if (ra->args[i]->type != KR_V_STR && !(countname && i == 0 && nstr == 2))
            return kr_eval_error(I, "%s(): expected a str, got '%s'", fname,
                                 kr_value_type_name(ra->args[i]));
    return KR_OK;
}

static int do_match(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                    const char *fname, uint32_t opts, struct kr_value **out)
{
    struct reargs ra;
    struct rx r;
    int rc = get_args(I, fname, self, a, 1, NULL, &ra), m;
    if (rc != KR_OK)
        return rc;
    rc = rx_compile(I, fname, ra.pat, ra.flags, &r);
    if (rc != KR_OK)
        return rc;
    m = rx_exec(I, &r, ra.args[0], 0, opts);
    if (m < 0)
        rc = KR_EEVAL;
    else
        *out = m ? make_match(I, &r, ra.args[0]) : kr_value_none();
    rx_free(&r);
    return rc;
}

KR_MOD_FN(re_match)
{
    return do_match(I, self, a, "re.match", PCRE2_ANCHORED, out);
}

KR_MOD_FN(re_search)
{
    return do_match(I, self, a, "re.search", 0, out);
}

KR_MOD_FN(re_fullmatch)
{
    return do_match(I, self, a, "re.fullmatch", PCRE2_ANCHORED | PCRE2_ENDANCHORED, out);
}

/*
 * Iterate over the non-overlapping matches of r in subj as Python does
 * (an empty match right after the previous match is skipped by retrying
 * with NOTEMPTY_ATSTART, then by advancing one character). Calls fn for
 * each match until it returns non-zero or `limit` matches (0 = all).
 */
typedef int (*each_fn)(struct kr_interp *I, struct rx *r, struct kr_value *subj, void *ctx);

static int each_match(struct kr_interp *I, struct rx *r, struct kr_value *subj, int64_t limit,
                      each_fn fn, void *ctx)
{
    size_t pos = 0, len = subj->u.str.len;
    uint32_t opts = 0;
    int64_t n = 0;
    int m, rc;
    while (pos <= len) {
        PCRE2_SIZE *ov;
        m = rx_exec(I, r, subj, pos, opts);
        if (m < 0)
            return KR_EEVAL;
        if (m == 0) {
            if (!opts)
                break;
            /* no non-empty match here: step one character */
            opts = 0;
            pos++;
            while (pos < len && ((unsigned char)subj->u.str.s[pos] & 0xC0) == 0x80)
                pos++;
            continue;
        }
        ov = pcre2_get_ovector_pointer(r->md);
        rc = fn(I, r, subj, ctx);
        if (rc != KR_OK)
            return rc;
        I->steps++;
        if (limit && ++n >= limit)
            break;
        pos = ov[1];
        opts = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
    }
    return KR_OK;
}

static int findall_one(struct kr_interp *I, struct rx *r, struct kr_value *subj, void *ctx)
{
    struct kr_value *res = ctx, *v;
    uint32_t g;
    if (r->ngroups == 0) {
        v = rx_group(I, r, subj, 0);
    } else if (r->ngroups == 1) {
        v = rx_group(I, r, subj, 1);
    } else {
        v = kr_value_tuple(I->A, r->ngroups);
        for (g = 1; g <= r->ngroups; g++)
            v->u.list.items[g - 1] = rx_group(I, r, subj, g);
    }
    if (v->type == KR_V_NONE)
        v = kr_value_str(I->A, "", 0);
    if (v->type == KR_V_TUPLE)
        for (g = 0; g < v->u.list.len; g++)
            if (v->u.list.items[g]->type == KR_V_NONE)
                v->u.list.items[g] = kr_value_str(I->A, "", 0);
    kr_list_push(I->A, res, v);
    return KR_OK;
}

KR_MOD_FN(re_findall)
{
    struct reargs ra;
    struct rx r;
    struct kr_value *res;
    int rc = get_args(I, "re.findall", self, a, 1, NULL, &ra);
    if (rc != KR_OK)
        return rc;
    rc = rx_compile(I, "re.findall", ra.pat, ra.flags, &r);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, 0);
    rc = each_match(I, &r, ra.args[0], 0, findall_one, res);
    rx_free(&r);
    if (rc == KR_OK)
        *out = res;
    return rc;
}

static int finditer_one(struct kr_interp *I, struct rx *r, struct kr_value *subj, void *ctx)
{
    kr_list_push(I->A, ctx, make_match(I, r, subj));
    return KR_OK;
}

/* re.finditer: the match objects of findall's matches, as a list. */
KR_MOD_FN(re_finditer)
{
    struct reargs ra;
    struct rx r;
    struct kr_value *res;
    int rc = get_args(I, "re.finditer", self, a, 1, NULL, &ra);
    if (rc != KR_OK)
        return rc;
    rc = rx_compile(I, "re.finditer", ra.pat, ra.flags, &r);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, 0);
    rc = each_match(I, &r, ra.args[0], 0, finditer_one, res);
    rx_free(&r);
    if (rc == KR_OK)
        *out = res;
    return rc;
}

struct subctx {
    struct kr_value *repl;
    struct kr_buf out;
    size_t last;
    int64_t n;              /* substitutions made (re.subn) */
};

/* Expand a Python replacement template for the current match. */
static int expand_template(struct kr_interp *I, struct rx *r, struct kr_value *subj,
                           const struct kr_value *t, struct kr_buf *b)
{
    size_t i;
    for (i = 0; i < t->u.str.len; i++) {
        char c = t->u.str.s[i], d;
        long g = -1;
        if (c != '\\' || i + 1 == t->u.str.len) {
            kr_buf_putc(b, c);
            continue;
        }
        d = t->u.str.s[++i];
        if (d >= '0' && d <= '9') {
            g = d - '0';
            if (i + 1 < t->u.str.len && t->u.str.s[i + 1] >= '0' && t->u.str.s[i + 1] <= '9')
                g = g * 10 + (t->u.str.s[++i] - '0');
        } else if (d == 'g' && i + 1 < t->u.str.len && t->u.str.s[i + 1] == '<') {
            const char *s = t->u.str.s + i + 2, *e = memchr(s, '>', t->u.str.len - (i + 2));
            char *name;
            struct kr_value *n;
            if (!e)
                return kr_eval_error(I, "re.sub(): missing '>' in the group reference of the "
                                     "replacement");
            name = kr_arena_strndup(I->A, s, (size_t)(e - s));
            i = (size_t)(e - t->u.str.s);
            if (*name >= '0' && *name <= '9') {
                g = strtol(name, NULL, 10);
            } else {
                n = kr_dict_gets(r->names->u.dict, name);
                if (!n)
                    return kr_eval_error(I, "re.sub(): unknown group name '%s' in the "
                                         "replacement", name);
                g = (long)n->u.i;
            }
        } else {
            static const char from[] = "ntr\\abfv", to[] = "\n\t\r\\\a\b\f\v";
            const char *p = strchr(from, d);
            if (p && d) {
                kr_buf_putc(b, to[p - from]);
            } else {
                kr_buf_putc(b, '\\');
                kr_buf_putc(b, d);
            }
            continue;
        }
        if (g < 0 || (uint32_t)g > r->ngroups)
            return kr_eval_error(I, "re.sub(): invalid group reference %ld in the replacement", g);
        {
            struct kr_value *v = rx_group(I, r, subj, (uint32_t)g);
            if (v->type == KR_V_STR)
                kr_buf_append(b, v->u.str.s, v->u.str.len);
        }
    }
    return KR_OK;
}

static int sub_one(struct kr_interp *I, struct rx *r, struct kr_value *subj, void *ctx)
{
    struct subctx *c = ctx;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    size_t s = ov[0], e = ov[1];
    int rc;
    c->n++;
    kr_buf_append(&c->out, subj->u.str.s + c->last, s - c->last);
    c->last = e;
    if (c->repl->type == KR_V_STR)
        return expand_template(I, r, subj, c->repl, &c->out);
    {
        struct kr_value *m = make_match(I, r, subj), *res;
        struct kr_callargs ca = {&m, 1, NULL, NULL, 0};
        rc = kr_eval_call(I, c->repl, &ca, I->site, &res);
        if (rc != KR_OK)
            return rc;
        if (res->type != KR_V_STR)
            return kr_eval_error(I, "re.sub(): the replacement function must return a str, "
                                 "not '%s'", kr_value_type_name(res));
        kr_buf_append(&c->out, res->u.str.s, res->u.str.len);
    }
    return KR_OK;
}

/* re.sub, and re.subn (n != NULL: the result is (new string, count)). */
static int do_sub(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out, bool subn)
{
    struct reargs ra;
    struct rx r;
    struct subctx c;
    int rc = get_args(I, subn ? "re.subn" : "re.sub", self, a, 2, "count", &ra);
    if (rc != KR_OK)
        return rc;
    if (ra.args[0]->type != KR_V_STR && !kr_value_is_callable(ra.args[0]))
        return kr_eval_error(I, "re.sub(): the replacement must be a str or a function, not "
                             "'%s'", kr_value_type_name(ra.args[0]));
    rc = rx_compile(I, "re.sub", ra.pat, ra.flags, &r);
    if (rc != KR_OK)
        return rc;
    memset(&c, 0, sizeof c);
    c.repl = ra.args[0];
    rc = each_match(I, &r, ra.args[1], ra.count, sub_one, &c);
    rx_free(&r);
    if (rc == KR_OK) {
        kr_buf_append(&c.out, ra.args[1]->u.str.s + c.last, ra.args[1]->u.str.len - c.last);
        *out = kr_value_str(I->A, c.out.data ? c.out.data : "", c.out.len);
        if (subn) {
            struct kr_value *t = kr_value_tuple(I->A, 2);
            t->u.list.items[0] = *out;
            t->u.list.items[1] = kr_value_int(I->A, c.n);
            *out = t;
        }
    }
    kr_buf_free(&c.out);
    return rc;
}

KR_MOD_FN(re_sub) { return do_sub(I, self, a, out, false); }
KR_MOD_FN(re_subn) { return do_sub(I, self, a, out, true); }

struct splitctx {
    struct kr_value *res;
    size_t last;
};

static int split_one(struct kr_interp *I, struct rx *r, struct kr_value *subj, void *ctx)
{
    struct splitctx *c = ctx;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    uint32_t g;
    kr_list_push(I->A, c->res, kr_value_str(I->A, subj->u.str.s + c->last, ov[0] - c->last));
    for (g = 1; g <= r->ngroups; g++)
        kr_list_push(I->A, c->res, rx_group(I, r, subj, g));
    c->last = ov[1];
    return KR_OK;
}

KR_MOD_FN(re_split)
{
    struct reargs ra;
    struct rx r;
    struct splitctx c;
    int rc = get_args(I, "re.split", self, a, 1, "maxsplit", &ra);
    if (rc != KR_OK)
        return rc;
    rc = rx_compile(I, "re.split", ra.pat, ra.flags, &r);
    if (rc != KR_OK)
        return rc;
    c.res = kr_value_list(I->A, 0);
    c.last = 0;
    rc = each_match(I, &r, ra.args[0], ra.count, split_one, &c);
    rx_free(&r);
    if (rc == KR_OK) {
        kr_list_push(I->A, c.res, kr_value_str(I->A, ra.args[0]->u.str.s + c.last,
                                               ra.args[0]->u.str.len - c.last));
        *out = c.res;
    }
    return rc;
}

KR_MOD_FN(re_escape)
{
    struct kr_buf b = KR_BUF_INIT;
    size_t i;
    int rc = kr_args_check(I, "re.escape", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_eval_error(I, "re.escape(): expected a str");
    for (i = 0; i < a->pos[0]->u.str.len; i++) {
        unsigned char c = (unsigned char)a->pos[0]->u.str.s[i];
        if (c < 0x80 && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
            !(c >= '0' && c <= '9') && c != '_' && strchr("()[]{}?*+-|^$\\.&~# \t\n\r\v\f", c))
            kr_buf_putc(&b, '\\');
        kr_buf_putc(&b, (char)c);
    }
    *out = kr_value_str(I->A, b.data ? b.data : "", b.len);
    kr_buf_free(&b);
    KR_UNUSED(self);
    return KR_OK;
}

KR_MOD_FN(re_compile)
{
    struct kr_value *st, *p, *fl = NULL;
    struct rx r;
    int rc = kr_args_check(I, "re.compile", a, 1, 2);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    fl = a->npos == 2 ? a->pos[1] : kr_args_kw(a, "flags");
    if (fl && fl->type != KR_V_INT)
        return kr_eval_error(I, "re.compile(): flags must be re flags (an int)");
    /* compile once now so that a bad pattern is reported where it is written */
    rc = rx_compile(I, "re.compile", a->pos[0], fl ? fl->u.i : 0, &r);
    if (rc != KR_OK)
        return rc;
    rx_free(&r);
    st = kr_value_tuple(I->A, 2);
    st->u.list.items[0] = a->pos[0];
    st->u.list.items[1] = fl ? fl : kr_value_int(I->A, 0);
    p = kr_value_ns(I->A, "re.Pattern");
    kr_mod_def(I, p, "re.match", re_match, st);
    kr_mod_def(I, p, "re.search", re_search, st);
    kr_mod_def(I, p, "re.fullmatch", re_fullmatch, st);
    kr_mod_def(I, p, "re.findall", re_findall, st);
    kr_mod_def(I, p, "re.finditer", re_finditer, st);
    kr_mod_def(I, p, "re.sub", re_sub, st);
    kr_mod_def(I, p, "re.subn", re_subn, st);
    kr_mod_def(I, p, "re.split", re_split, st);
    kr_dict_sets(I->A, p->u.ns.attrs, "pattern", a->pos[0]);
    kr_dict_sets(I->A, p->u.ns.attrs, "flags", st->u.list.items[1]);
    *out = p;
    return KR_OK;
}

void kr_mod_re_install(struct kr_interp *I)
{
    struct kr_value *re = kr_value_ns(I->A, "re");
    static const struct {
        const char *name;
        int64_t v;
    } flags[] = {
        {"IGNORECASE", PY_I}, {"I", PY_I}, {"MULTILINE", PY_M}, {"M", PY_M},
        {"DOTALL", PY_S}, {"S", PY_S}, {"VERBOSE", PY_X}, {"X", PY_X},
    };
    size_t i;
    kr_mod_def(I, re, "re.match", re_match, NULL);
    kr_mod_def(I, re, "re.search", re_search, NULL);
    kr_mod_def(I, re, "re.fullmatch", re_fullmatch, NULL);
    kr_mod_def(I, re, "re.findall", re_findall, NULL);
    kr_mod_def(I, re, "re.finditer", re_finditer, NULL);
    kr_mod_def(I, re, "re.sub", re_sub, NULL);
    kr_mod_def(I, re, "re.subn", re_subn, NULL);
    kr_mod_def(I, re, "re.split", re_split, NULL);
    kr_mod_def(I, re, "re.compile", re_compile, NULL);
    kr_mod_def(I, re, "re.escape", re_escape, NULL);
    for (i = 0; i < KR_ARRAY_LEN(flags); i++)
        kr_dict_sets(I->A, re->u.ns.attrs, flags[i].name, kr_value_int(I->A, flags[i].v));
    kr_dict_sets(I->A, I->modules, "re", re);
}
