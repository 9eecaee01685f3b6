/*
 * builtin-helpers.c - Snakemake's helper functions for rule files, with the
 * semantics of snakemake.io and snakemake.ioutils:
 *
 *   ensure(path, non_empty=, sha256=)   flags an output checked after its job
 *                                       (runner.c fails the job and removes
 *                                       its outputs when the check fails)
 *   report(path, caption=, category= ...) flags an output for a report; the
 *                                       details end up in kr_pat.report
 *   exists(path)                        os.path.exists
 *   subpath(path, strip_suffix=, with_suffix=, basename=, parent=, ancestor=)
 *   lookup(dpath=, within=, default=, **namespace)   over dicts (config)
 *   branch(condition, then=, otherwise=, cases=)
 *   evaluate("{wildcard} == 'x'")       a function of the wildcards
 *   workflow.source_path(rel)           rel joined to the current rule file's
 *                                       directory, made absolute
 *
 * Like Snakemake, evaluate() always, and subpath(), lookup() and branch()
 * when they need the job's wildcards (a callable argument, or a {wildcard}
 * in a dpath), return an input function; that function is a builtin whose `self` holds the captured
 * arguments. Everything else is evaluated at once. Arguments krait does not
 * support (lookup(query=), ensure(md5=) ...) are errors that name them.
 */
#include "eval.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- argument helpers ---- */

/* KR_EEVAL naming the first keyword of `a` that is not in `allowed`
 * (NULL-terminated); KR_OK when all are known. */
static int known_kws(struct kr_interp *I, const char *fname, const struct kr_callargs *a,
                     const char *const *allowed)
{
    size_t i, k;
    for (i = 0; i < a->nkw; i++) {
        for (k = 0; allowed[k]; k++)
            if (!strcmp(allowed[k], a->kwnames[i]))
                break;
        if (!allowed[k])
            return kr_eval_error(I, "%s() got an unexpected keyword argument '%s'", fname,
                                 a->kwnames[i]);
    }
    return KR_OK;
}

/* The argument `name`: keyword, else positional `pos` (or none: -1). */
static struct kr_value *arg(const struct kr_callargs *a, const char *name, int pos)
{
    struct kr_value *v = kr_args_kw(a, name);
    if (v)
        return v;
    if (pos >= 0 && (size_t)pos < a->npos)
        return a->pos[pos];
    return NULL;
}

static bool given(const struct kr_value *v)
{
    return v && v->type != KR_V_NONE;
}

/* Call a Snakemake-style function with only the wildcards. */
static int call_wc(struct kr_interp *I, struct kr_value *fn, struct kr_value *wc,
                   struct kr_value **out)
{
    return kr_eval_call_smk(I, fn, wc ? wc : kr_value_none(), NULL, NULL, out);
}

/* A builtin closure: `fn` called later with the wildcards, its captured
 * arguments in the namespace `self`. */
static struct kr_value *closure(struct kr_interp *I, const char *name, kr_builtin_fn fn,
                                struct kr_value *self)
{
    return kr_value_builtin(I->A, name, fn, self, NULL);
}

static void keep(struct kr_interp *I, struct kr_value *self, const char *name,
                 struct kr_value *v)
{
    kr_dict_sets(I->A, self->u.ns.attrs, name, v ? v : kr_value_none());
}

static struct kr_value *kept(struct kr_value *self, const char *name)
{
    struct kr_value *v = kr_dict_gets(self->u.ns.attrs, name);
    return v && v->type != KR_V_NONE ? v : NULL;
}

const char *kr_eval_current_dir(const struct kr_interp *I)
{
    return I->includes_dirs.len ? I->includes_dirs.items[I->includes_dirs.len - 1] : ".";
}

/* For each path string in v (a str or a list of them), d[path] = meta. */
static void remember(struct kr_interp *I, struct kr_dict **d, struct kr_value *v,
                     struct kr_value *meta)
{
    size_t n, i;
    struct kr_value **items;
    if (!*d)
        *d = kr_dict_new(I->A);
    if (v->type == KR_V_STR) {
        kr_dict_set(I->A, *d, v, meta);
        return;
    }
    items = kr_value_items(v, &n);
    for (i = 0; items && i < n; i++)
        remember(I, d, items[i], meta);
}

static int path_arg(struct kr_interp *I, const char *fname, struct kr_value *v)
{
    if (v->type == KR_V_STR || v->type == KR_V_LIST || v->type == KR_V_TUPLE ||
        v->type == KR_V_NAMED)
        return KR_OK;
    return kr_eval_error(I, "%s() expects a file name or a list of them, got '%s'", fname,
                         kr_value_type_name(v));
}

/* ---- ensure ---- */

static int bi_ensure(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    static const char *const kws[] = {"non_empty", "sha256", "md5", "sha1", NULL};
    struct kr_value *v, *ne, *sha;
    uint32_t flags = 0;
    int rc = kr_args_check(I, "ensure", a, 1, 3);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = known_kws(I, "ensure", a, kws);
    if (rc)
        return rc;
    v = a->pos[0];
    rc = path_arg(I, "ensure", v);
    if (rc)
        return rc;
    if (given(kr_args_kw(a, "md5")) || given(kr_args_kw(a, "sha1")))
        return kr_eval_error(I, "ensure(): krait checks only sha256= checksums, not %s=",
                             given(kr_args_kw(a, "md5")) ? "md5" : "sha1");
    ne = arg(a, "non_empty", 1);
    sha = arg(a, "sha256", 2);
    if (ne && kr_value_truthy(ne))
        flags |= KR_F_NONEMPTY;
    if (given(sha)) {
        size_t i;
        char *hex;
        if (sha->type != KR_V_STR)
            return kr_eval_error(I, "ensure(): sha256= must be a string of 64 hex digits, "
                                 "got '%s'", kr_value_type_name(sha));
        if (sha->u.str.len != 64)
            return kr_eval_error(I, "ensure(): sha256= must be 64 hex digits, got %zu "
                                 "characters", sha->u.str.len);
        hex = kr_arena_strdup(I->A, sha->u.str.s);
        for (i = 0; i < 64; i++) {
            char c = hex[i];
            if (c >= 'A' && c <= 'F')
                hex[i] = (char)(c - 'A' + 'a');
            else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                return kr_eval_error(I, "ensure(): sha256= must be hex digits, got '%c' at "
                                     "position %zu", c, i + 1);
        }
        flags |= KR_F_SHA256;
        *out = kr_smk_with_flag(I, v, flags);
        remember(I, &I->ensure_sha, *out, kr_value_cstr(I->A, hex));
        return KR_OK;
    }
    *out = flags ? kr_smk_with_flag(I, v, flags) : v;
    return KR_OK;
}

/* ---- report ---- */

static int bi_report(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    static const char *const kws[] = {"caption", "category", "subcategory", "labels",
                                      "patterns", "htmlindex", NULL};
    static const char *const strs[] = {"caption", "category", "subcategory", "htmlindex"};
    struct kr_value *v, *meta;
    size_t i;
    int rc = kr_args_check(I, "report", a, 1, 7);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = known_kws(I, "report", a, kws);
    if (rc)
        return rc;
    v = a->pos[0];
    rc = path_arg(I, "report", v);
    if (rc)
        return rc;
    meta = kr_value_ns(I->A, "report");
    for (i = 0; i < KR_ARRAY_LEN(strs); i++) {
        struct kr_value *s = arg(a, strs[i], (int)i + 1);
        if (!given(s))
            continue;
        if (i > 0 && (s->type == KR_V_INT || s->type == KR_V_FLOAT))
            s = kr_value_cstr(I->A, kr_value_to_str(I->A, s));
        if (s->type != KR_V_STR)
            return kr_eval_error(I, "report(): %s= must be a string, got '%s'", strs[i],
                                 kr_value_type_name(s));
        if (i == 0 && s->u.str.s[0] != '/' && strcmp(kr_eval_current_dir(I), "."))
            s = kr_value_cstr(I->A, kr_arena_printf(I->A, "%s/%s", kr_eval_current_dir(I),
                                                    s->u.str.s));
        keep(I, meta, strs[i], s);
    }
    if (given(kr_args_kw(a, "labels"))) {
        struct kr_value *l = kr_args_kw(a, "labels");
        if (l->type != KR_V_DICT && !kr_value_is_callable(l))
            return kr_eval_error(I, "report(): labels= must be a dict (or a function), got "
                                 "'%s'", kr_value_type_name(l));
        keep(I, meta, "labels", l);
    }
    if (given(kr_args_kw(a, "patterns"))) {
        struct kr_value *p = kr_args_kw(a, "patterns");
        if (p->type != KR_V_LIST && p->type != KR_V_TUPLE)
            return kr_eval_error(I, "report(): patterns= must be a list of patterns, got '%s'",
                                 kr_value_type_name(p));
        keep(I, meta, "patterns", p);
    }
    *out = kr_smk_with_flag(I, v, KR_F_REPORT);
    remember(I, &I->reports, *out, meta);
    return KR_OK;
}

/* ---- exists ---- */

static int bi_exists(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    struct stat st;
    int rc = kr_args_check(I, "exists", a, 1, 1);
    KR_UNUSED(self);
    if (rc)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_eval_error(I, "exists() expects a path (a string), got '%s'",
                             kr_value_type_name(a->pos[0]));
    *out = kr_value_bool(stat(a->pos[0]->u.str.s, &st) == 0);
    return KR_OK;
}

/* ---- subpath ---- */

/* os.path.dirname, with "" as "." (Snakemake's subpath does that). */
static char *dirname_of(struct kr_interp *I, const char *p)
{
    const char *slash = strrchr(p, '/');
    size_t n;
    if (!slash)
        return kr_arena_strdup(I->A, ".");
    n = (size_t)(slash - p);
    while (n > 0 && p[n - 1] == '/')
        n--;
    if (n == 0)
        return kr_arena_strdup(I->A, "/");
    return kr_arena_strndup(I->A, p, n);
}

static int subpath_do(struct kr_interp *I, struct kr_value *opts, struct kr_value *pathv,
                      struct kr_value **out)
{
    struct kr_value *strip = kept(opts, "strip_suffix"), *with = kept(opts, "with_suffix");
    struct kr_value *base = kept(opts, "basename"), *parent = kept(opts, "parent");
    struct kr_value *anc = kept(opts, "ancestor");
    char *p;
    if (pathv->type != KR_V_STR)
        return kr_eval_error(I, "subpath(): the path must be a single string (or a function "
                             "returning one), got '%s'", kr_value_type_name(pathv));
    p = kr_arena_strdup(I->A, pathv->u.str.s);
    if (strip) {
        size_t n = strlen(p), sn = strip->u.str.len;
        if (sn > n || strcmp(p + n - sn, strip->u.str.s))
            return kr_eval_error(I, "subpath(): path '%s' does not end with the suffix '%s'",
                                 p, strip->u.str.s);
        p[n - sn] = '\0';
    }
    if (with)
        p = kr_arena_printf(I->A, "%s%s", p, with->u.str.s);
    if (base && kr_value_truthy(base)) {
        const char *slash = strrchr(p, '/');
        p = kr_arena_strdup(I->A, slash ? slash + 1 : p);
    } else if (parent && kr_value_truthy(parent)) {
        p = dirname_of(I, p);
    } else if (anc) {
        int64_t k;
        for (k = 0; k < anc->u.i; k++) {
            p = dirname_of(I, p);
            if (!strcmp(p, "."))
                break;
        }
    }
    *out = kr_value_cstr(I->A, p);
    return KR_OK;
}

static int bi_subpath_fn(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                         struct kr_value **out)
{
    struct kr_value *v;
    int rc = call_wc(I, kept(self, "path"), a->npos ? a->pos[0] : NULL, &v);
    if (rc)
        return rc;
    return subpath_do(I, self, v, out);
}

static int bi_subpath(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                      struct kr_value **out)
{
    static const char *const kws[] = {"strip_suffix", "with_suffix", "basename", "parent",
                                      "ancestor", NULL};
    struct kr_value *opts, *anc;
    size_t i;
    int rc = kr_args_check(I, "subpath", a, 1, 1);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = known_kws(I, "subpath", a, kws);
    if (rc)
        return rc;
    opts = kr_value_ns(I->A, "subpath");
    for (i = 0; kws[i]; i++)
        keep(I, opts, kws[i], kr_args_kw(a, kws[i]));
    for (i = 0; i < 2; i++) {
        struct kr_value *s = kept(opts, kws[i]);
        if (s && s->type != KR_V_STR)
            return kr_eval_error(I, "subpath(): %s= must be a string, got '%s'", kws[i],
                                 kr_value_type_name(s));
    }
    anc = kept(opts, "ancestor");
    if (anc && (anc->type != KR_V_INT || anc->u.i < 1))
        return kr_eval_error(I, "subpath(): ancestor= must be an integer greater than 0");
    if (kept(opts, "basename") && kr_value_truthy(kept(opts, "basename")) &&
        ((kept(opts, "parent") && kr_value_truthy(kept(opts, "parent"))) || anc))
        return kr_eval_error(I, "subpath(): basename= cannot be used together with parent= or "
                             "ancestor=");
    if (kept(opts, "parent") && kr_value_truthy(kept(opts, "parent")) && anc)
        return kr_eval_error(I, "subpath(): parent= cannot be used together with ancestor=");
    if (kr_value_is_callable(a->pos[0])) {
        keep(I, opts, "path", a->pos[0]);
        *out = closure(I, "subpath", bi_subpath_fn, opts);
        return KR_OK;
    }
    return subpath_do(I, opts, a->pos[0], out);
}

/* ---- lookup ---- */

/* The names of the {fields} of a format string ("{a}", "{b.c}", "{d[0]}"
 * give a, b, d); "{{" is literal. Pushed into `names` (arena strings). */
static void format_names(struct kr_interp *I, const char *s, struct kr_vec *names)
{
    size_t i = 0, n = strlen(s);
    while (i < n) {
        size_t st;
        if (s[i] == '{' && s[i + 1] == '{') {
            i += 2;
            continue;
        }
        if (s[i] != '{') {
            i++;
            continue;
        }
        st = ++i;
        while (i < n && !strchr("}.[!:,", s[i]))
            i++;
        if (i > st)
            kr_vec_push(names, kr_arena_strndup(I->A, s + st, i - st));
        while (i < n && s[i] != '}')
            i++;
    }
}

/* Walk `within` along the '/'-separated path (dpath.get without globs):
 * dict keys are strings (or ints, as YAML gives), lists take indexes.
 * Returns the value or NULL when a step is missing. */
static struct kr_value *dpath_get(struct kr_interp *I, struct kr_value *within, const char *path)
{
    struct kr_value *cur = within;
    const char *p = path;
    while (*p == '/')
        p++;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        struct kr_value *key = kr_value_str(I->A, p, n), *next = NULL;
        if (cur->type == KR_V_DICT) {
            next = kr_dict_get(cur->u.dict, key);
            if (!next) {
                char *end;
                long long iv = strtoll(key->u.str.s, &end, 10);
                if (n && !*end)
                    next = kr_dict_get(cur->u.dict, kr_value_int(I->A, iv));
            }
        } else if (cur->type == KR_V_LIST || cur->type == KR_V_TUPLE) {
            char *end;
            long long iv = strtoll(key->u.str.s, &end, 10);
            if (n && !*end && iv >= 0 && (size_t)iv < cur->u.list.len)
                next = cur->u.list.items[iv];
        }
        if (!next)
            return NULL;
        cur = next;
        if (!e)
            break;
        p = e + 1;
    }
    return cur;
}

static int lookup_do(struct kr_interp *I, struct kr_value *opts, struct kr_value *wc,
                     struct kr_value **out)
{
    struct kr_value *dpath = kept(opts, "dpath"), *within = kept(opts, "within");
    struct kr_value *nsv = kept(opts, "namespace"), *dflt;
    struct kr_dict *ns = nsv ? nsv->u.dict : NULL;
    const char *path = dpath->u.str.s;
    struct kr_value *res;
    if (wc || (ns && ns->live)) {
        /* format the dpath with the namespace, then the wildcards */
        struct kr_callargs fa = {0};
        struct kr_buf b = KR_BUF_INIT;
        size_t cap = (ns ? ns->n : 0) + 1, i;
        int rc;
        if (wc && wc->type == KR_V_NAMED && wc->u.named.names)
            cap += wc->u.named.names->n;
        fa.kwnames = kr_arena_alloc(I->A, cap * sizeof *fa.kwnames);
        fa.kwvals = kr_arena_alloc(I->A, cap * sizeof *fa.kwvals);
        for (i = 0; ns && i < ns->n; i++) {
            struct kr_value *v = ns->vals[i];
            if (!ns->keys[i])
                continue;
            if (kr_value_is_callable(v)) {
                rc = call_wc(I, v, wc, &v);
                if (rc)
                    return rc;
            }
            fa.kwnames[fa.nkw] = ns->keys[i]->u.str.s;
            fa.kwvals[fa.nkw++] = v;
        }
        if (wc && wc->type == KR_V_NAMED && wc->u.named.names) {
            struct kr_dict *wn = wc->u.named.names;
            for (i = 0; i < wn->n; i++)
                if (wn->keys[i] && (!ns || !kr_dict_get(ns, wn->keys[i]))) {
                    fa.kwnames[fa.nkw] = wn->keys[i]->u.str.s;
                    fa.kwvals[fa.nkw++] = wn->vals[i];
                }
        }
        rc = kr_eval_str_format(I, path, strlen(path), &fa, &b);
        if (rc) {
            kr_buf_free(&b);
            return rc;
        }
        path = kr_arena_strdup(I->A, kr_buf_cstr(&b));
        kr_buf_free(&b);
    }
    if (strchr(path, '*') || strchr(path, '?') || strchr(path, '['))
        return kr_eval_error(I, "lookup(): dpath '%s': krait does not support dpath glob "
                             "patterns (*, ?, [...]); give the exact path", path);
    res = dpath_get(I, within, path);
    if (!res) {
        dflt = kr_dict_gets(opts->u.ns.attrs, "default");
        if (dflt && kr_value_truthy(kr_dict_gets(opts->u.ns.attrs, "has_default"))) {
            *out = dflt;
            return KR_OK;
        }
        return kr_eval_error(I, "lookup(): dpath '%s' not found (LookupError; pass default= "
                             "for a fallback)", path);
    }
    *out = res;
    return KR_OK;
}

static int bi_lookup_fn(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                        struct kr_value **out)
{
    return lookup_do(I, self, a->npos ? a->pos[0] : kr_value_none(), out);
}

static int bi_lookup(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    struct kr_value *opts, *dpath, *within, *nsv = NULL;
    struct kr_vec names = KR_VEC_INIT;
    bool needs_wc = false;
    size_t i;
    int rc = kr_args_check(I, "lookup", a, 0, 2);
    KR_UNUSED(self);
    if (rc)
        return rc;
    dpath = arg(a, "dpath", 0);
    within = kr_args_kw(a, "within");
    if (given(arg(a, "query", 1)) || given(kr_args_kw(a, "cols")) ||
        given(kr_args_kw(a, "is_nrows")))
        return kr_eval_error(I, "lookup(): krait does not support query=, cols= or is_nrows= "
                             "(pandas queries) yet: use dpath= over a dict, or index "
                             "read_table() rows directly");
    if (!given(within))
        return kr_eval_error(I, "lookup(): within= is required (the dict to search in)");
    if (within->type != KR_V_DICT)
        return kr_eval_error(I, "lookup(): dpath= can only be used with a mapping (a dict) "
                             "as within=, got '%s'", kr_value_type_name(within));
    if (!given(dpath))
        return kr_eval_error(I, "lookup(): give dpath= (krait does not support query=)");
    if (dpath->type != KR_V_STR)
        return kr_eval_error(I, "lookup(): dpath= must be a string such as 'samples/a/path', "
                             "got '%s'", kr_value_type_name(dpath));
    opts = kr_value_ns(I->A, "lookup");
    keep(I, opts, "dpath", dpath);
    keep(I, opts, "within", within);
    if (kr_args_kw(a, "default")) {
        keep(I, opts, "default", kr_args_kw(a, "default"));
        keep(I, opts, "has_default", kr_value_bool(true));
    }
    /* the other keywords are the namespace {name} fields may refer to */
    for (i = 0; i < a->nkw; i++) {
        const char *k = a->kwnames[i];
        if (!strcmp(k, "dpath") || !strcmp(k, "within") || !strcmp(k, "default") ||
            !strcmp(k, "query") || !strcmp(k, "cols") || !strcmp(k, "is_nrows"))
            continue;
        if (!nsv)
            nsv = kr_value_dict(I->A);
        kr_dict_sets(I->A, nsv->u.dict, k, a->kwvals[i]);
        if (kr_value_is_callable(a->kwvals[i]))
            needs_wc = true;
    }
    keep(I, opts, "namespace", nsv);
    format_names(I, dpath->u.str.s, &names);
    for (i = 0; i < names.len; i++)
        if (!nsv || !kr_dict_gets(nsv->u.dict, names.items[i]))
            needs_wc = true;
    kr_vec_free(&names);
    if (needs_wc) {
        *out = closure(I, "lookup", bi_lookup_fn, opts);
        return KR_OK;
    }
    return lookup_do(I, opts, NULL, out);
}

/* ---- branch ---- */

/* Snakemake's convert_none: a false value becomes []. */
static int branch_value(struct kr_interp *I, struct kr_value *v, struct kr_value *wc,
                        struct kr_value **out)
{
    int rc;
    if (v && kr_value_is_callable(v)) {
        rc = call_wc(I, v, wc, &v);
        if (rc)
            return rc;
    }
    *out = v && kr_value_truthy(v) ? v : kr_value_list(I->A, 0);
    return KR_OK;
}

static int branch_do(struct kr_interp *I, struct kr_value *opts, struct kr_value *wc,
                     struct kr_value **out)
{
    struct kr_value *cond = kept(opts, "condition"), *cases = kept(opts, "cases"), *c;
    int rc = branch_value(I, cond, wc, &c);
    if (rc)
        return rc;
    if (cases) {
        struct kr_value *sel = kr_value_hashable(c) ? kr_dict_get(cases->u.dict, c) : NULL;
        if (!sel) {
            if (kept(opts, "otherwise"))
                return branch_value(I, kept(opts, "otherwise"), wc, out);
            return kr_eval_error(I, "branch(): key %s not found in the given cases",
                                 kr_value_to_repr(I->A, c));
        }
        return branch_value(I, sel, wc, out);
    }
    return branch_value(I, kr_value_truthy(c) ? kept(opts, "then") : kept(opts, "otherwise"),
                        wc, out);
}

static int bi_branch_fn(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                        struct kr_value **out)
{
    return branch_do(I, self, a->npos ? a->pos[0] : kr_value_none(), out);
}

static int bi_branch(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    static const char *const kws[] = {"condition", "then", "otherwise", "cases", NULL};
    struct kr_value *opts;
    size_t i;
    bool fn = false;
    int rc = kr_args_check(I, "branch", a, 0, 4);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = known_kws(I, "branch", a, kws);
    if (rc)
        return rc;
    opts = kr_value_ns(I->A, "branch");
    for (i = 0; kws[i]; i++)
        keep(I, opts, kws[i], arg(a, kws[i], (int)i));
    if (!arg(a, "condition", 0))
        return kr_eval_error(I, "branch() needs a condition (a value or a function of the "
                             "wildcards)");
    if (kept(opts, "cases")) {
        if (kept(opts, "cases")->type != KR_V_DICT)
            return kr_eval_error(I, "branch(): cases= must be a dict, got '%s'",
                                 kr_value_type_name(kept(opts, "cases")));
        if (kept(opts, "then"))
            return kr_eval_error(I, "branch(): cases= cannot be used together with then=");
    }
    for (i = 0; i < 3; i++) {
        struct kr_value *v = kept(opts, kws[i]);
        if (v && kr_value_is_callable(v))
            fn = true;
    }
    if (fn) {
        *out = closure(I, "branch", bi_branch_fn, opts);
        return KR_OK;
    }
    return branch_do(I, opts, kr_value_none(), out);
}

/* ---- evaluate ---- */

/* evaluate(expr)(wildcards): expr.format(**{w: repr(v)}), then evaluated
 * as a Python expression (in the rule file's globals; Snakemake's sees
 * only the builtins, a subset). The formatted text becomes a source of its
 * own so that errors point into it. */
static int bi_evaluate_fn(struct kr_interp *I, struct kr_value *self,
                          const struct kr_callargs *a, struct kr_value **out)
{
    struct kr_value *expr = kept(self, "expr"), *wc = a->npos ? a->pos[0] : NULL;
    struct kr_callargs fa = {0};
    struct kr_buf b = KR_BUF_INIT;
    struct kr_node *n;
    struct kr_error perr;
    const char *text;
    uint16_t f;
    size_t i, cap = 1;
    int rc;
    if (wc && wc->type == KR_V_NAMED && wc->u.named.names)
        cap += wc->u.named.names->n;
    fa.kwnames = kr_arena_alloc(I->A, cap * sizeof *fa.kwnames);
    fa.kwvals = kr_arena_alloc(I->A, cap * sizeof *fa.kwvals);
    if (wc && wc->type == KR_V_NAMED && wc->u.named.names) {
        struct kr_dict *wn = wc->u.named.names;
        for (i = 0; i < wn->n; i++)
            if (wn->keys[i]) {
                fa.kwnames[fa.nkw] = wn->keys[i]->u.str.s;
                fa.kwvals[fa.nkw++] = kr_value_cstr(I->A, kr_value_to_repr(I->A, wn->vals[i]));
            }
    }
    rc = kr_eval_str_format(I, expr->u.str.s, expr->u.str.len, &fa, &b);
    if (rc) {
        kr_buf_free(&b);
        return rc;
    }
    text = kr_arena_strdup(I->A, kr_buf_cstr(&b));
    kr_buf_free(&b);
    f = kr_sources_add(I->srcs, kr_arena_printf(I->A, "evaluate(%s)", expr->u.str.s), text,
                       strlen(text));
    kr_error_clear(&perr);
    if (kr_parse_expr(I->A, I->srcs, f, 0, text, strlen(text), &n, &perr) != KR_OK)
        return kr_eval_error(I, "evaluate(): '%s' (formatted from '%s') is not a Python "
                             "expression: %s", text, expr->u.str.s, perr.msg);
    return kr_eval_expr(I, n, out);
}

static int bi_evaluate(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                       struct kr_value **out)
{
    struct kr_value *opts;
    int rc = kr_args_check(I, "evaluate", a, 1, 1);
    KR_UNUSED(self);
    if (rc)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_eval_error(I, "evaluate() expects an expression in a string, such as "
                             "evaluate(\"{sample} == 'a'\"), got '%s'",
                             kr_value_type_name(a->pos[0]));
    opts = kr_value_ns(I->A, "evaluate");
    keep(I, opts, "expr", a->pos[0]);
    *out = closure(I, "evaluate", bi_evaluate_fn, opts);
    return KR_OK;
}

/* ---- workflow.source_path ---- */

static int bi_source_path(struct kr_interp *I, struct kr_value *self,
                          const struct kr_callargs *a, struct kr_value **out)
{
    const char *rel, *dir = kr_eval_current_dir(I);
    char cwd[PATH_MAX];
    int rc = kr_args_check(I, "workflow.source_path", a, 1, 1);
    KR_UNUSED(self);
    if (rc)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_eval_error(I, "workflow.source_path() expects a path relative to the rule "
                             "file, got '%s'", kr_value_type_name(a->pos[0]));
    rel = a->pos[0]->u.str.s;
    if (rel[0] == '/') {
        *out = a->pos[0];
        return KR_OK;
    }
    if (dir[0] != '/') {
        if (!getcwd(cwd, sizeof cwd))
            return kr_eval_error(I, "workflow.source_path(): cannot read the current "
                                 "directory");
        dir = strcmp(dir, ".") ? kr_arena_printf(I->A, "%s/%s", cwd, dir)
                               : kr_arena_strdup(I->A, cwd);
    }
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    *out = kr_value_cstr(I->A, kr_arena_printf(I->A, "%s/%s", dir, rel));
    return KR_OK;
}

void kr_builtins_workflow_ns(struct kr_interp *I, struct kr_value *wfns)
{
    kr_dict_sets(I->A, wfns->u.ns.attrs, "source_path",
                 kr_value_builtin(I->A, "source_path", bi_source_path, NULL, NULL));
}

/* ---- installation ---- */

void kr_builtins_helpers_install(struct kr_interp *I)
{
    static const struct {
        const char *name;
        kr_builtin_fn fn;
    } table[] = {
        {"ensure", bi_ensure}, {"report", bi_report}, {"exists", bi_exists},
        {"subpath", bi_subpath}, {"lookup", bi_lookup}, {"branch", bi_branch},
        {"evaluate", bi_evaluate},
    };
    struct kr_value *io = kr_dict_gets(I->modules, "snakemake.io");
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(table); i++) {
        struct kr_value *f = kr_value_builtin(I->A, table[i].name, table[i].fn, NULL, NULL);
        kr_dict_sets(I->A, I->builtins, table[i].name, f);
        if (io)
            kr_dict_sets(I->A, io->u.ns.attrs, table[i].name, f);
    }
}
