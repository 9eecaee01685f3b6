/*
 * builtin-smk.c - Snakemake's builtins for rule files: expand() (product or
 * zip, allow_missing), glob_wildcards() (walks the file system, matches with
 * PCRE2), the IO flag markers temp/protected/directory/touch/ancient/pipe,
 * temporary() (temp's alias), collect() (expand's alias),
 * multiext(), unpack(), min_version() (a no-op), the top-level `shell`
 * object (shell.executable/prefix/suffix, recorded in the workflow and
 * applied to every shell: command by wf-job.c), and the modules
 * snakemake, snakemake.io and snakemake.utils for `from ... import`.
 */
#include "eval.h"
#include "mod.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* ---- flags ---- */

/* A shallow copy of v carrying `flag` (lists: every element flagged). */
struct kr_value *kr_smk_with_flag(struct kr_interp *I, struct kr_value *v, uint32_t flag)
{
    struct kr_value *c;
    size_t i;
    if (v->type == KR_V_LIST || v->type == KR_V_TUPLE || v->type == KR_V_NAMED) {
        size_t n;
        struct kr_value **items = kr_value_items(v, &n);
        c = kr_value_list(I->A, n);
        for (i = 0; i < n; i++)
            kr_list_push(I->A, c, kr_smk_with_flag(I, items[i], flag));
        return c;
    }
    c = kr_arena_alloc(I->A, sizeof *c);
    *c = *v;
    c->flags |= flag;
    return c;
}

static int flag_fn(struct kr_interp *I, const struct kr_callargs *a, struct kr_value **out,
                   const char *name, uint32_t flag)
{
    int rc = kr_args_check(I, name, a, 1, 1);
    struct kr_value *v;
    if (rc)
        return rc;
    v = a->pos[0];
    if (v->type != KR_V_STR && v->type != KR_V_LIST && v->type != KR_V_TUPLE &&
        v->type != KR_V_NAMED && !kr_value_is_callable(v))
        return kr_eval_error(I, "%s() expects a file name, a list of them or a function, got '%s'",
                             name, kr_value_type_name(v));
    *out = kr_smk_with_flag(I, v, flag);
    return KR_OK;
}

/* repeat(path, n): benchmark: runs the job n times, one row each. */
static int bi_repeat(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    int rc = kr_args_check(I, "repeat", a, 2, 2);
    struct kr_value *c;
    (void)self;
    if (rc)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_eval_error(I, "repeat() expects a benchmark file name and a count, e.g. "
                             "repeat(\"bench/{sample}.tsv\", 3); got '%s'",
                             kr_value_type_name(a->pos[0]));
    if (a->pos[1]->type != KR_V_INT || a->pos[1]->u.i < 1 || a->pos[1]->u.i > 1000)
        return kr_eval_error(I, "repeat(): the count must be an integer from 1 to 1000");
    c = kr_arena_alloc(I->A, sizeof *c);
    *c = *a->pos[0];
    c->u.str.repeat = (uint32_t)a->pos[1]->u.i;
    *out = c;
    return KR_OK;
}

#define FLAGFN(fname, flag) \
    static int bi_##fname(struct kr_interp *I, struct kr_value *self, \
                          const struct kr_callargs *a, struct kr_value **out) \
    { return flag_fn(I, a, out, #fname, flag); }

FLAGFN(temp, KR_F_TEMP)
FLAGFN(protected, KR_F_PROTECTED)
FLAGFN(directory, KR_F_DIRECTORY)
FLAGFN(touch, KR_F_TOUCH)
FLAGFN(ancient, KR_F_ANCIENT)
FLAGFN(pipe, KR_F_PIPE)
FLAGFN(local, KR_F_LOCAL)
FLAGFN(update, KR_F_UPDATE)
FLAGFN(before_update, KR_F_BEFORE_UPDATE)
FLAGFN(service, KR_F_SERVICE)

static int bi_unpack(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    int rc = kr_args_check(I, "unpack", a, 1, 1);
    if (rc)
        return rc;
    if (!kr_value_is_callable(a->pos[0]))
        return kr_eval_error(I, "unpack() expects an input function, got '%s'",
                             kr_value_type_name(a->pos[0]));
    *out = kr_smk_with_flag(I, a->pos[0], KR_F_UNPACK);
    return KR_OK;
}

static int bi_multiext(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                       struct kr_value **out)
{
    struct kr_value *res, *prefix;
    size_t i;
    int rc = kr_args_check(I, "multiext", a, 2, 1000);
    if (rc)
        return rc;
    prefix = a->pos[0];
    if (prefix->type != KR_V_STR)
        return kr_eval_error(I, "multiext(): the prefix must be a string");
    res = kr_value_list(I->A, a->npos - 1);
    for (i = 1; i < a->npos; i++) {
        struct kr_value *e = a->pos[i], *v;
        char *s;
        if (e->type != KR_V_STR)
            return kr_eval_error(I, "multiext(): extensions must be strings");
        s = kr_arena_printf(I->A, "%s%s", prefix->u.str.s, e->u.str.s);
        v = kr_value_str_own(I->A, s, strlen(s));
        v->flags = prefix->flags;
        kr_list_push(I->A, res, v);
    }
    *out = res;
    return KR_OK;
}

static int bi_min_version(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                          struct kr_value **out)
{
    *out = kr_value_none();
    return KR_OK;
}

/* ---- expand ---- */

/* The name of the function that set the first IO flag in `flags`, or NULL. */
static const char *flag_name(uint32_t flags)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {
        {KR_F_TEMP, "temp"}, {KR_F_PROTECTED, "protected"}, {KR_F_DIRECTORY, "directory"},
        {KR_F_TOUCH, "touch"}, {KR_F_ANCIENT, "ancient"}, {KR_F_PIPE, "pipe"},
        {KR_F_UPDATE, "update"}, {KR_F_BEFORE_UPDATE, "before_update"},
        {KR_F_SERVICE, "service"}, {KR_F_NONEMPTY | KR_F_SHA256, "ensure"}, {KR_F_REPORT, "report"},
    };
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(names); i++)
        if (flags & names[i].bit)
            return names[i].name;
    return NULL;
}

/* Format one pattern with the wildcard values in `names`/`vals` (n).
 * Unknown names: kept as "{name}" when allow_missing, else an error. */
static int expand_one(struct kr_interp *I, const struct kr_value *pat, const char **names,
                      struct kr_value **vals, size_t n, bool allow_missing, struct kr_buf *b)
{
    const char *s = pat->u.str.s;
    size_t len = pat->u.str.len, i = 0;
    int rc;
    while (i < len) {
        size_t st, ne, k, depth;
        if (s[i] == '{' && i + 1 < len && s[i + 1] == '{') {
            kr_buf_putc(b, '{');
            i += 2;
            continue;
        }
        if (s[i] == '}' && i + 1 < len && s[i + 1] == '}') {
            kr_buf_putc(b, '}');
            i += 2;
            continue;
        }
        if (s[i] != '{') {
            kr_buf_putc(b, s[i++]);
            continue;
        }
        st = i + 1;
        depth = 1;
        for (k = st; k < len; k++) {
            if (s[k] == '{')
                depth++;
            else if (s[k] == '}' && --depth == 0)
                break;
        }
        if (k >= len)
            return kr_eval_error(I, "expand(): unbalanced '{' in pattern '%s'", s);
        ne = st;
        while (ne < k && s[ne] != ',' && s[ne] != ':' && s[ne] != '.' && s[ne] != '[')
            ne++;
        {
            size_t j;
            struct kr_value *v = NULL;
            for (j = 0; j < n; j++)
                if (strlen(names[j]) == ne - st && !memcmp(names[j], s + st, ne - st))
                    v = vals[j];
            /* Python's format field: {u.sample}, {row[0]}, {t[name]} */
            while (v && ne < k && (s[ne] == '.' || s[ne] == '[')) {
                bool attr = s[ne] == '.';
                size_t fs = ne + 1, fe = fs;
                char *field;
                if (attr)
                    while (fe < k && s[fe] != '.' && s[fe] != '[' && s[fe] != ':' &&
                           s[fe] != ',')
                        fe++;
                else
                    while (fe < k && s[fe] != ']')
                        fe++;
                if (fe == fs || (!attr && fe >= k))
                    return kr_eval_error(I, "expand(): bad field '%.*s' in pattern '%s'",
                                         (int)(k - st), s + st, s);
                field = kr_arena_strndup(I->A, s + fs, fe - fs);
                if (attr) {
                    rc = kr_eval_getattr(I, v, field, &v);
                } else {
                    char *end;
                    long long ix = strtoll(field, &end, 10);
                    rc = kr_eval_getitem(I, v, *end ? kr_value_cstr(I->A, field)
                                                    : kr_value_int(I->A, ix), &v);
                }
                if (rc != KR_OK)
                    return rc;
                ne = attr ? fe : fe + 1;
            }
            if (!v) {
                if (!allow_missing)
                    return kr_eval_error(I, "expand(): no values given for wildcard '%.*s' "
                                         "in '%s' (pass %.*s=[...] or allow_missing=True)",
                                         (int)(ne - st), s + st, s, (int)(ne - st), s + st);
                kr_buf_append(b, s + i, k + 1 - i);
            } else if (ne < k && s[ne] == ':') {
                char spec[64];
                snprintf(spec, sizeof spec, "%.*s", (int)(k - ne - 1), s + ne + 1);
                rc = kr_eval_format_spec(I, v, spec, b);
                if (rc != KR_OK)
                    return rc;
            } else {
                kr_value_str_buf(v, b);
            }
        }
        i = k + 1;
    }
    return KR_OK;
}

static int bi_expand(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    struct kr_value **pats, *one[1], *res, *am = NULL;
    struct kr_value ***cols;
    const char **names;
    size_t npats, ncols = 0, *lens, i, j, total = 1;
    bool use_zip = false;
    int rc;
    if (a->npos < 1 || a->npos > 2)
        return kr_eval_error(I, "expand() takes a pattern (or a list of patterns) and "
                             "optionally zip, then keyword arguments (%zu positional given)",
                             a->npos);
    if (a->npos == 2) {
        struct kr_value *c = a->pos[1];
        if (c->type == KR_V_BUILTIN && !strcmp(c->u.bi.name, "zip"))
            use_zip = true;
        else if (!(c->type == KR_V_NS && !strcmp(c->u.ns.name, "itertools.product")) &&
                 !(c->type == KR_V_BUILTIN && !strcmp(c->u.bi.name, "product")))
            return kr_eval_error(I, "expand(): the second argument must be zip or product");
    }
    if (a->pos[0]->type == KR_V_STR) {
        one[0] = a->pos[0];
        pats = one;
        npats = 1;
    } else {
        pats = kr_value_items(a->pos[0], &npats);
        if (!pats && a->pos[0]->type != KR_V_LIST)
            return kr_eval_error(I, "expand(): the pattern must be a string or a list of "
                                 "strings, got '%s'", kr_value_type_name(a->pos[0]));
        for (i = 0; i < npats; i++)
            if (pats[i]->type != KR_V_STR)
                return kr_eval_error(I, "expand(): patterns must be strings, got '%s'",
                                     kr_value_type_name(pats[i]));
    }
    for (i = 0; i < npats; i++) {
        const char *fl = flag_name(pats[i]->flags & ~KR_F_MODPATH);
        if (fl)
            return kr_eval_error(I, "expand(): the pattern '%s' carries %s(), which is invalid "
                                 "inside expand(): apply it outside, e.g. "
                                 "%s(expand(\"%s\", ...)), as Snakemake requires",
                                 pats[i]->u.str.s, fl, fl, pats[i]->u.str.s);
    }
    names = kr_arena_alloc(I->A, (a->nkw + 1) * sizeof *names);
    cols = kr_arena_alloc(I->A, (a->nkw + 1) * sizeof *cols);
    lens = kr_arena_alloc(I->A, (a->nkw + 1) * sizeof *lens);
    for (i = 0; i < a->nkw; i++) {
        struct kr_value *v = a->kwvals[i];
        if (!strcmp(a->kwnames[i], "allow_missing")) {
            am = v;
            continue;
        }
        names[ncols] = a->kwnames[i];
        if (v->type == KR_V_STR || v->type == KR_V_INT || v->type == KR_V_FLOAT ||
            v->type == KR_V_BOOL) {
            cols[ncols] = kr_arena_alloc(I->A, sizeof **cols);
            cols[ncols][0] = v;
            lens[ncols] = 1;
        } else {
            rc = kr_eval_iter(I, v, &cols[ncols], &lens[ncols]);
            if (rc != KR_OK)
                return kr_eval_error(I, "expand(): the values of '%s' must be a string or a "
                                     "list, got '%s'", a->kwnames[i], kr_value_type_name(v));
        }
        ncols++;
    }
    if (use_zip) {
        for (i = 1; i < ncols; i++)
            if (lens[i] != lens[0])
                return kr_eval_error(I, "expand() with zip: '%s' has %zu values but '%s' has "
                                     "%zu (zip needs lists of the same length)",
                                     names[0], lens[0], names[i], lens[i]);
        total = ncols ? lens[0] : 1;
    } else {
        for (i = 0; i < ncols; i++) {
            total *= lens[i];
            if (total > 10 * 1000 * 1000)
                return kr_eval_error(I, "expand() would produce more than 10 million names");
        }
    }
    res = kr_value_list(I->A, npats * total);
    {
        struct kr_value **vals = kr_arena_alloc(I->A, (ncols + 1) * sizeof *vals);
        struct kr_buf b = KR_BUF_INIT;
        size_t p;
        for (p = 0; p < npats; p++) {
            /* only the wildcards that occur in this pattern take part in the
             * product, as Snakemake does */
            size_t *idx = kr_arena_zalloc(I->A, (ncols + 1) * sizeof *idx);
            bool *used = kr_arena_zalloc(I->A, (ncols + 1) * sizeof *used);
            size_t combos = 1;
            for (j = 0; j < ncols; j++) {
                char needle[256];
                int nl = snprintf(needle, sizeof needle, "{%s", names[j]);
                const char *s = pats[p]->u.str.s, *q = s;
                for (;;) {
                    char c;
                    q = strstr(q, needle);
                    if (!q)
                        break;
                    c = q[nl];
                    if ((q == s || q[-1] != '{') &&
                        (c == '}' || c == ',' || c == ':' || c == '.' || c == '[')) {
                        used[j] = true;
                        break;
                    }
                    q++;
                }
                if (used[j] && !use_zip)
                    combos *= lens[j];
            }
            if (use_zip)
                combos = ncols ? lens[0] : 1;
            for (i = 0; i < combos; i++) {
                struct kr_value *sv;
                size_t rem = i;
                if (use_zip) {
                    for (j = 0; j < ncols; j++)
                        vals[j] = cols[j][i];
                } else {
                    for (j = ncols; j > 0; j--) {
                        if (!used[j - 1]) {
                            vals[j - 1] = cols[j - 1][0];
                            continue;
                        }
                        idx[j - 1] = rem % lens[j - 1];
                        rem /= lens[j - 1];
                        vals[j - 1] = cols[j - 1][idx[j - 1]];
                    }
                }
                kr_buf_reset(&b);
                rc = expand_one(I, pats[p], names, vals, ncols, am && kr_value_truthy(am), &b);
                if (rc) {
                    kr_buf_free(&b);
                    return rc;
                }
                sv = kr_value_str(I->A, kr_buf_cstr(&b), b.len);
                sv->flags = pats[p]->flags;
                kr_list_push(I->A, res, sv);
            }
        }
        kr_buf_free(&b);
        I->steps += (long)res->u.list.len;
    }
    *out = res;
    return KR_OK;
}

/* ---- glob_wildcards ---- */

static void regex_escape(struct kr_buf *b, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (strchr("\\^$.|?*+()[]{}", s[i]))
            kr_buf_putc(b, '\\');
        kr_buf_putc(b, s[i]);
    }
}

#define WALK_MAX 1000000

static void walk(struct kr_arena *A, const char *dir, bool top, struct kr_vec *paths, int depth)
{
    DIR *d;
    struct dirent *de;
    if (depth > 64 || paths->len > WALK_MAX)
        return;
    d = opendir(dir);
    if (!d)
        return;
    for (;;) {
        char *p;
        struct stat st;
        de = readdir(d);
        if (!de)
            break;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (top && !strcmp(dir, "."))
            p = kr_arena_strdup(A, de->d_name);
        else
            p = kr_arena_printf(A, "%s/%s", dir, de->d_name);
        kr_vec_push(paths, p);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            walk(A, p, false, paths, depth + 1);
    }
    closedir(d);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int bi_glob_wildcards(struct kr_interp *I, struct kr_value *self,
                             const struct kr_callargs *a, struct kr_value **out)
{
    struct kr_value *patv, *files;
    struct kr_pat pat;
    struct kr_buf re = KR_BUF_INIT, prefix = KR_BUF_INIT;
    struct kr_vec paths = KR_VEC_INIT, wnames = KR_VEC_INIT;
    struct kr_value *res = NULL;
    pcre2_code *code = NULL;
    pcre2_match_data *md = NULL;
    struct kr_error perr;
    int rc = KR_OK, errcode;
    PCRE2_SIZE erroff;
    uint32_t i;
    size_t k;
    bool in_prefix = true;
    rc = kr_args_check(I, "glob_wildcards", a, 1, 2);
    if (rc != KR_OK)
        return rc;
    patv = a->pos[0];
    files = a->npos == 2 ? a->pos[1] : kr_args_kw(a, "files");
    if (patv->type != KR_V_STR)
        return kr_eval_error(I, "glob_wildcards(): the pattern must be a string");
    kr_error_clear(&perr);
    if (kr_pat_parse(I->A, patv->u.str.s, 0, &pat, &perr) != KR_OK)
        return kr_eval_error(I, "glob_wildcards(): %s", perr.msg);
    kr_buf_putc(&re, '^');
    for (i = 0; i < pat.nsegs; i++) {
        const struct kr_patseg *sg = &pat.segs[i];
        if (!sg->is_wildcard) {
            regex_escape(&re, sg->text, sg->len);
            if (in_prefix)
                kr_buf_append(&prefix, sg->text, sg->len);
            continue;
        }
        in_prefix = false;
        for (k = 0; k < wnames.len; k++)
            if (!strcmp(wnames.items[k], sg->text))
                break;
        if (k < wnames.len) {
            kr_buf_printf(&re, "(?P=%s)", sg->text);
            continue;
        }
        kr_vec_push(&wnames, (void *)sg->text);
        kr_buf_printf(&re, "(?P<%s>%s)", sg->text, sg->constraint ? sg->constraint : ".+");
    }
    kr_buf_putc(&re, '$');
    code = pcre2_compile((PCRE2_SPTR)kr_buf_cstr(&re), re.len, 0, &errcode, &erroff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        rc = kr_eval_error(I, "glob_wildcards(): bad pattern '%s': %s", patv->u.str.s,
                           (char *)msg);
        goto out;
    }
    md = pcre2_match_data_create_from_pattern(code, NULL);
    if (files && files->type != KR_V_NONE) {
        struct kr_value **items;
        size_t n;
        rc = kr_eval_iter(I, files, &items, &n);
        if (rc != KR_OK)
            goto out;
        for (k = 0; k < n; k++)
            kr_vec_push(&paths, kr_value_to_str(I->A, items[k]));
    } else {
        /* walk from the directory part of the literal prefix */
        const char *pre = kr_buf_cstr(&prefix);
        const char *slash = strrchr(pre, '/');
        char *dir = slash ? kr_arena_strndup(I->A, pre, (size_t)(slash - pre)) : ".";
        if (slash && slash == pre)
            dir = "/";
        if (!strncmp(pre, "s3://", 5)) {
            /* objects in S3: one listing of the literal prefix */
            if ((rc = kr_storage_glob_s3(I, pre, &paths)) != KR_OK)
                goto out;
        } else {
            walk(I->A, dir, true, &paths, 0);
        }
        if (paths.len > WALK_MAX) {
            rc = kr_eval_error(I, "glob_wildcards(): more than %d files under '%s'; use a "
                               "longer literal prefix in the pattern", WALK_MAX, dir);
            goto out;
        }
        if (paths.len)
            qsort(paths.items, paths.len, sizeof *paths.items, cmp_str);
    }
    res = kr_value_named(I->A, "glob_wildcards result");
    {
        struct kr_value **lists = kr_arena_alloc(I->A, (wnames.len + 1) * sizeof *lists);
        for (k = 0; k < wnames.len; k++) {
            lists[k] = kr_value_list(I->A, 0);
            kr_named_push(I->A, res, wnames.items[k], lists[k]);
        }
        for (k = 0; k < paths.len; k++) {
            const char *p = paths.items[k];
            size_t w;
            if (pcre2_match(code, (PCRE2_SPTR)p, strlen(p), 0, 0, md, NULL) < 0)
                continue;
            for (w = 0; w < wnames.len; w++) {
                PCRE2_UCHAR *sub;
                PCRE2_SIZE sl;
                if (pcre2_substring_get_byname(md, (PCRE2_SPTR)wnames.items[w], &sub, &sl) != 0)
                    continue;
                kr_list_push(I->A, lists[w], kr_value_str(I->A, (char *)sub, sl));
                pcre2_substring_free(sub);
            }
        }
        I->steps += (long)paths.len;
    }
    *out = res;
out:
    if (md)
        pcre2_match_data_free(md);
    if (code)
        pcre2_code_free(code);
    kr_buf_free(&re);
    kr_buf_free(&prefix);
    kr_vec_free(&paths);
    kr_vec_free(&wnames);
    return rc;
}

/* ---- the shell object ---- */

/* `name` searched on PATH as shutil.which() does; arena string or NULL. */
static const char *which(struct kr_arena *A, const char *name)
{
    const char *path = getenv("PATH"), *p;
    if (!path)
        return NULL;
    for (p = path; *p;) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *cand = kr_arena_printf(A, "%.*s/%s", (int)n, n ? p : ".", name);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
            return cand;
        if (!e)
            break;
        p = e + 1;
    }
    return NULL;
}

/* shell.executable(cmd): as Snakemake, a name is looked up on PATH (an
 * error when absent); bash (what krait runs anyway) restores the default;
 * None means /bin/sh (Popen's default); another shell runs each command as
 * `EXE -c CMD`. */
static int bi_shell_executable(struct kr_interp *I, struct kr_value *self,
                               const struct kr_callargs *a, struct kr_value **out)
{
    int rc = kr_args_check(I, "shell.executable", a, 1, 1);
    const char *cmd, *base;
    KR_UNUSED(self);
    if (rc)
        return rc;
    if (a->pos[0]->type == KR_V_NONE) {
        cmd = "/bin/sh";
    } else if (a->pos[0]->type != KR_V_STR || !a->pos[0]->u.str.s[0]) {
        return kr_eval_error(I, "shell.executable() expects the name or path of a shell, "
                             "got %s", kr_value_type_name(a->pos[0]));
    } else {
        cmd = a->pos[0]->u.str.s;
        if (cmd[0] != '/') {
            const char *found = which(I->A, cmd);
            if (!found)
                return kr_eval_error(I, "shell.executable(): cannot use '%s' as the shell: it "
                                     "is not on PATH (give its absolute path)", cmd);
            cmd = found;
        }
    }
    base = strrchr(cmd, '/');
    base = base ? base + 1 : cmd;
    if (!strcmp(base, "bash")) {
        I->wf->shell_executable = NULL;
        I->wf->shell_prefix = NULL;     /* Snakemake's "set -euo pipefail; ": krait's default */
    } else {
        I->wf->shell_executable = kr_arena_strdup(I->A, cmd);
    }
    *out = kr_value_none();
    return KR_OK;
}

/* shell.prefix(s) / shell.suffix(s): formatted like a shell: command
 * against the rule file's globals (Snakemake's format(prefix, stepout=2)). */
static int shell_affix(struct kr_interp *I, const struct kr_callargs *a, const char *what,
                       const char **dst, struct kr_value **out)
{
    int rc = kr_args_check(I, what, a, 1, 1);
    struct kr_rule fake;
    struct kr_buf b = KR_BUF_INIT;
    if (rc)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_eval_error(I, "%s() expects a string, got %s", what,
                             kr_value_type_name(a->pos[0]));
    memset(&fake, 0, sizeof fake);
    fake.name = "shell";
    fake.file = I->site ? I->site->file : 0;
    fake.off = I->site ? I->site->off : 0;
    rc = kr_shellfmt(I, &fake, what, a->pos[0]->u.str.s, kr_dict_new(I->A), &b);
    if (rc == KR_OK) {
        *dst = kr_arena_strdup(I->A, kr_buf_cstr(&b));
        *out = kr_value_none();
    }
    kr_buf_free(&b);
    return rc;
}

static int bi_shell_prefix(struct kr_interp *I, struct kr_value *self,
                           const struct kr_callargs *a, struct kr_value **out)
{
    KR_UNUSED(self);
    return shell_affix(I, a, "shell.prefix", &I->wf->shell_prefix, out);
}

static int bi_shell_suffix(struct kr_interp *I, struct kr_value *self,
                           const struct kr_callargs *a, struct kr_value **out)
{
    KR_UNUSED(self);
    return shell_affix(I, a, "shell.suffix", &I->wf->shell_suffix, out);
}

/* ---- scattergather ---- */

/* scatter.NAME / gather.NAME: self is the split count N. */
static int bi_scatter(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                      struct kr_value **out)
{
    struct kr_value *items = kr_value_list(I->A, (size_t)self->u.i), **kwv;
    const char **kwn;
    struct kr_callargs ea;
    int64_t i, n = self->u.i;
    size_t k;
    if (a->npos < 1)
        return kr_eval_error(I, "scatter/gather functions take a pattern, e.g. "
                             "scatter.split(\"splitted/{scatteritem}.txt\")");
    for (i = 1; i <= n; i++)
        kr_list_push(I->A, items, kr_value_cstr(I->A, kr_arena_printf(I->A, "%lld-of-%lld",
                                                                        (long long)i,
                                                                        (long long)n)));
    kwn = kr_arena_alloc(I->A, (a->nkw + 1) * sizeof *kwn);
    kwv = kr_arena_alloc(I->A, (a->nkw + 1) * sizeof *kwv);
    for (k = 0; k < a->nkw; k++) {
        kwn[k] = a->kwnames[k];
        kwv[k] = a->kwvals[k];
    }
    kwn[a->nkw] = "scatteritem";
    kwv[a->nkw] = items;
    ea.pos = a->pos;
    ea.npos = a->npos;
    ea.kwnames = kwn;
    ea.kwvals = kwv;
    ea.nkw = a->nkw + 1;
    return bi_expand(I, NULL, &ea, out);
}

/* The namespace `name` (scatter or gather) in the globals, made on first use. */
static struct kr_value *scatter_ns(struct kr_interp *I, const char *name)
{
    struct kr_value *ns = kr_dict_gets(I->globals, name);
    if (!ns || ns->type != KR_V_NS) {
        ns = kr_value_ns(I->A, name);
        kr_dict_sets(I->A, I->globals, name, ns);
    }
    return ns;
}

int kr_smk_scattergather(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_constraint *c;
    uint32_t i, k;
    for (i = 0; i < n->nkids; i++) {
        const struct kr_node *kw = n->kids[i];
        struct kr_value *v, *f;
        int64_t count;
        size_t len;
        int rc;
        if (kw->kind != KR_N_KWARG)
            return kr_eval_error_at(I, kw, "scattergather: entries are NAME=COUNT, e.g. "
                                    "scattergather: split=8");
        rc = kr_eval_expr(I, kw->a, &v);
        if (rc != KR_OK)
            return rc;
        if (v->type != KR_V_INT || v->u.i < 1)
            return kr_eval_error_at(I, kw->a, "scattergather: %s must be a positive integer, "
                                    "got %s", kw->str, kr_value_to_repr(I->A, v));
        count = v->u.i;
        len = strlen(kw->str);
        for (k = 0; k < I->wf->nset_scatter; k++) {     /* --set-scatter NAME=N wins */
            const char *e = I->wf->set_scatter[k];
            char *end;
            long long m;
            if (strncmp(e, kw->str, len) || e[len] != '=')
                continue;
            m = strtoll(e + len + 1, &end, 10);
            if (*end || end == e + len + 1 || m < 1)
                return kr_eval_error_at(I, kw, "--set-scatter %s: the count must be a positive "
                                        "integer", e);
            count = m;
        }
        f = kr_value_builtin(I->A, kw->str, bi_scatter, kr_value_int(I->A, count), NULL);
        kr_dict_sets(I->A, scatter_ns(I, "scatter")->u.ns.attrs, kw->str, f);
        kr_dict_sets(I->A, scatter_ns(I, "gather")->u.ns.attrs, kw->str, f);
    }
    c = kr_arena_zalloc(I->A, sizeof *c);
    c->name = "scatteritem";
    c->regex = "\\d+-of-\\d+";
    kr_vec_push(&I->constraints, c);
    return KR_OK;
}

/* ---- installation ---- */

static const struct {
    const char *name;
    kr_builtin_fn fn;
} smk_table[] = {
    {"expand", bi_expand}, {"glob_wildcards", bi_glob_wildcards}, {"temp", bi_temp}, {"local", bi_local},
    {"protected", bi_protected}, {"directory", bi_directory}, {"touch", bi_touch},
    {"ancient", bi_ancient}, {"pipe", bi_pipe}, {"update", bi_update},
    {"before_update", bi_before_update}, {"service", bi_service}, {"multiext", bi_multiext},
    {"unpack", bi_unpack}, {"temporary", bi_temp}, {"collect", bi_expand},
    {"repeat", bi_repeat},
};

void kr_builtins_os_install(struct kr_interp *I);
void kr_builtins_table_install(struct kr_interp *I);

void kr_builtins_smk_install(struct kr_interp *I)
{
    struct kr_value *io = kr_value_ns(I->A, "snakemake.io");
    struct kr_value *utils = kr_value_ns(I->A, "snakemake.utils");
    struct kr_value *smk = kr_value_ns(I->A, "snakemake");
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(smk_table); i++) {
        struct kr_value *f = kr_value_builtin(I->A, smk_table[i].name, smk_table[i].fn, NULL,
                                              NULL);
        kr_dict_sets(I->A, I->builtins, smk_table[i].name, f);
        kr_dict_sets(I->A, io->u.ns.attrs, smk_table[i].name, f);
    }
    kr_dict_sets(I->A, utils->u.ns.attrs, "min_version",
                 kr_value_builtin(I->A, "min_version", bi_min_version, NULL, NULL));
    kr_dict_sets(I->A, smk->u.ns.attrs, "io", io);
    kr_dict_sets(I->A, smk->u.ns.attrs, "utils", utils);
    kr_dict_sets(I->A, I->modules, "snakemake", smk);
    kr_dict_sets(I->A, I->modules, "snakemake.io", io);
    kr_dict_sets(I->A, I->modules, "snakemake.utils", utils);
    {
        struct kr_value *sh = kr_value_ns(I->A, "shell");
        kr_dict_sets(I->A, sh->u.ns.attrs, "executable",
                     kr_value_builtin(I->A, "executable", bi_shell_executable, NULL, NULL));
        kr_dict_sets(I->A, sh->u.ns.attrs, "prefix",
                     kr_value_builtin(I->A, "prefix", bi_shell_prefix, NULL, NULL));
        kr_dict_sets(I->A, sh->u.ns.attrs, "suffix",
                     kr_value_builtin(I->A, "suffix", bi_shell_suffix, NULL, NULL));
        kr_dict_sets(I->A, I->globals, "shell", sh);
        kr_dict_sets(I->A, smk->u.ns.attrs, "shell", sh);
    }
    I->rules_ns = kr_value_ns(I->A, "rules");
    kr_dict_sets(I->A, I->globals, "rules", I->rules_ns);
    kr_builtins_os_install(I);
    kr_builtins_table_install(I);
    kr_builtins_helpers_install(I);
    kr_mod_install(I);
}
