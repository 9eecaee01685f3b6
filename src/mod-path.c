/*
 * mod-path.c - pathlib for rule files: a read-only Path.
 *
 * A Path is a str value flagged KR_STR_PATH holding its normalised text
 * (Path("a//b/./c/") is "a/b/c", Path("") is "."), so it goes wherever a
 * path string goes - input:, output:, open(), os.path.* - while str(),
 * repr(), == and type() tell it apart as Python does (str(p) is the plain
 * text, repr(p) is "PosixPath('a/b')", Path("a") != "a"). `/` joins
 * (eval.c calls kr_path_div). Its properties (name, stem, suffix,
 * suffixes, parent, parents, parts, anchor, root) and read-only methods
 * (with_suffix, with_name, with_stem, joinpath, as_posix, is_absolute,
 * relative_to, exists, is_file, is_dir, glob, iterdir, read_text, open)
 * come from kr_path_getattr. glob() and iterdir() are sorted, for
 * determinism; read_text() and open() go through open(), so the file is
 * recorded as read (I->readfiles). Methods that write (mkdir, write_text,
 * touch ...) are errors saying that the rule language does not write
 * files; any other name is "krait does not support 'Path.X' yet".
 *
 * Ownership: every value lives in the workflow's arena.
 */
#include "mod.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_path(const struct kr_value *v)
{
    return v->type == KR_V_STR && (v->flags & KR_STR_PATH);
}

/* Append path segment text `s` to the normalised path in b: an absolute
 * segment restarts it, empty and "." components are dropped. */
static void join_seg(struct kr_buf *b, const char *s, size_t len)
{
    size_t i = 0, k;
    if (len && s[0] == '/') {
        b->len = 0;
        kr_buf_putc(b, '/');
    }
    while (i < len) {
        while (i < len && s[i] == '/')
            i++;
        for (k = i; k < len && s[k] != '/'; k++)
            ;
        if (k > i && !(k - i == 1 && s[i] == '.')) {
            if (b->len && b->data[b->len - 1] != '/')
                kr_buf_putc(b, '/');
            kr_buf_append(b, s + i, k - i);
        }
        i = k;
    }
}

/* A Path value from normalised text b (empty: "."). */
static struct kr_value *path_new(struct kr_interp *I, const struct kr_buf *b)
{
    struct kr_value *v = b->len ? kr_value_str(I->A, b->data, b->len) : kr_value_cstr(I->A, ".");
    v->flags |= KR_STR_PATH;
    return v;
}

static struct kr_value *path_of(struct kr_interp *I, const char *s, size_t len)
{
    struct kr_buf b = KR_BUF_INIT;
    struct kr_value *v;
    join_seg(&b, s, len);
    v = path_new(I, &b);
    kr_buf_free(&b);
    return v;
}

/* Join the str/Path arguments args[0..n) onto `base` (may be NULL). */
static int path_join(struct kr_interp *I, const char *fname, struct kr_value *base,
                     struct kr_value *const *args, size_t n, struct kr_value **out)
{
    struct kr_buf b = KR_BUF_INIT;
    size_t i;
    if (base)
        join_seg(&b, base->u.str.s, base->u.str.len);
    for (i = 0; i < n; i++) {
        if (args[i]->type != KR_V_STR) {
            kr_buf_free(&b);
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "%s(): expected str or Path arguments, not '%s'",
                                            fname, kr_value_type_name(args[i])));
        }
        join_seg(&b, args[i]->u.str.s, args[i]->u.str.len);
    }
    *out = path_new(I, &b);
    kr_buf_free(&b);
    return KR_OK;
}

KR_MOD_FN(path_ctor)
{
    KR_UNUSED(self);
    if (a->nkw)
        return kr_eval_error(I, "pathlib.Path() takes no keyword arguments");
    return path_join(I, "pathlib.Path", NULL, a->pos, a->npos, out);
}

int kr_path_div(struct kr_interp *I, struct kr_value *a, struct kr_value *b,
                struct kr_value **out)
{
    struct kr_value *args[2] = {a, b};
    if (a->type != KR_V_STR || b->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "unsupported operand type(s) for /: '%s' and '%s'",
                                        kr_value_type_name(a), kr_value_type_name(b)));
    return path_join(I, "pathlib.Path", NULL, args, 2, out);
}

/* ---- pure parts ---- */

/* The last component ("" for "/" and "."). */
static const char *name_of(const struct kr_value *p, size_t *len)
{
    const char *s = p->u.str.s, *slash = strrchr(s, '/');
    const char *n = slash ? slash + 1 : s;
    if (!strcmp(s, ".")) {
        *len = 0;
        return s;
    }
    *len = strlen(n);
    return n;
}

/* Length of the stem within name (Python: a suffix needs 0 < i < len - 1). */
static size_t stem_len(const char *n, size_t len)
{
    size_t i;
    for (i = len; i-- > 0;)
        if (n[i] == '.')
            break;
    if (i == (size_t)-1 || i == 0 || i + 1 >= len)
        return len;
    return i;
}

static struct kr_value *parent_of(struct kr_interp *I, struct kr_value *p)
{
    const char *s = p->u.str.s, *slash = strrchr(s, '/');
    if (!slash)
        return path_of(I, ".", 1);
    if (slash == s)
        return path_of(I, "/", 1);
    return path_of(I, s, (size_t)(slash - s));
}

static struct kr_value *parts_of(struct kr_interp *I, struct kr_value *p)
{
    struct kr_value *l = kr_value_list(I->A, 0), *t;
    const char *s = p->u.str.s;
    size_t i = 0, k, len = p->u.str.len;
    if (s[0] == '/') {
        kr_list_push(I->A, l, kr_value_cstr(I->A, "/"));
        i = 1;
    }
    if (strcmp(s, "."))
        while (i < len) {
            for (k = i; k < len && s[k] != '/'; k++)
                ;
            kr_list_push(I->A, l, kr_value_str(I->A, s + i, k - i));
            i = k + 1;
        }
    t = kr_value_tuple(I->A, l->u.list.len);
    if (l->u.list.len)
        memcpy(t->u.list.items, l->u.list.items, l->u.list.len * sizeof *t->u.list.items);
    return t;
}

static int want_args(struct kr_interp *I, const char *m, const struct kr_callargs *a, size_t min,
                     size_t max)
{
    return kr_args_check(I, kr_arena_printf(I->A, "Path.%s", m), a, min, max);
}

/* The str argument i of a Path method. */
static int str_arg(struct kr_interp *I, const char *m, const struct kr_callargs *a, size_t i,
                   const char **s)
{
    if (a->pos[i]->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "Path.%s(): expected a str, not '%s'", m,
                                        kr_value_type_name(a->pos[i])));
    *s = a->pos[i]->u.str.s;
    return KR_OK;
}

static int with_name(struct kr_interp *I, struct kr_value *p, const char *m, const char *nn,
                     struct kr_value **out)
{
    struct kr_value *par;
    struct kr_value *args[1];
    size_t len;
    name_of(p, &len);
    if (!len)
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "Path.%s(): %s has an empty name", m,
                                        kr_value_to_repr(I->A, p)));
    if (!*nn || strchr(nn, '/') || !strcmp(nn, "."))
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "Path.%s(): invalid name '%s'", m, nn));
    par = parent_of(I, p);
    args[0] = kr_value_cstr(I->A, nn);
    if (!strcmp(par->u.str.s, "."))
        return path_join(I, "Path.with_name", NULL, args, 1, out);
    return path_join(I, "Path.with_name", par, args, 1, out);
}

KR_MOD_FN(p_with_name)
{
    const char *nn;
    int rc = want_args(I, "with_name", a, 1, 1);
    if (rc == KR_OK)
        rc = str_arg(I, "with_name", a, 0, &nn);
    return rc != KR_OK ? rc : with_name(I, self, "with_name", nn, out);
}

KR_MOD_FN(p_with_suffix)
{
    const char *suf, *n;
    size_t len;
    int rc = want_args(I, "with_suffix", a, 1, 1);
    if (rc == KR_OK)
        rc = str_arg(I, "with_suffix", a, 0, &suf);
    if (rc != KR_OK)
        return rc;
    if (*suf && (suf[0] != '.' || !strcmp(suf, ".") || strchr(suf, '/')))
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "Path.with_suffix(): invalid suffix '%s'", suf));
    n = name_of(self, &len);
    if (!len)
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "Path.with_suffix(): %s has an empty name",
                                        kr_value_to_repr(I->A, self)));
    return with_name(I, self, "with_suffix",
                     kr_arena_printf(I->A, "%.*s%s", (int)stem_len(n, len), n, suf), out);
}

KR_MOD_FN(p_with_stem)
{
    const char *st, *n;
    size_t len, sl;
    int rc = want_args(I, "with_stem", a, 1, 1);
    if (rc == KR_OK)
        rc = str_arg(I, "with_stem", a, 0, &st);
    if (rc != KR_OK)
        return rc;
    n = name_of(self, &len);
    sl = stem_len(n, len);
    return with_name(I, self, "with_stem", kr_arena_printf(I->A, "%s%s", st, n + sl), out);
}

KR_MOD_FN(p_joinpath)
{
    return path_join(I, "Path.joinpath", self, a->pos, a->npos, out);
}

KR_MOD_FN(p_as_posix)
{
    int rc = want_args(I, "as_posix", a, 0, 0);
    if (rc == KR_OK)
        *out = kr_value_str(I->A, self->u.str.s, self->u.str.len);
    return rc;
}

KR_MOD_FN(p_is_absolute)
{
    int rc = want_args(I, "is_absolute", a, 0, 0);
    if (rc == KR_OK)
        *out = kr_value_bool(self->u.str.s[0] == '/');
    return rc;
}

KR_MOD_FN(p_relative_to)
{
    struct kr_value *base, *ps, *bs;
    size_t i;
    int rc = path_join(I, "Path.relative_to", NULL, a->pos, a->npos, &base);
    if (rc != KR_OK)
        return rc;
    ps = parts_of(I, self);
    bs = parts_of(I, base);
    if (bs->u.list.len > ps->u.list.len)
        goto bad;
    for (i = 0; i < bs->u.list.len; i++)
        if (!kr_value_equal(ps->u.list.items[i], bs->u.list.items[i]))
            goto bad;
    return path_join(I, "Path.relative_to", NULL, ps->u.list.items + i, ps->u.list.len - i, out);
bad:
    return kr_exc_tag(I, "ValueError", NULL,
                      kr_eval_error(I, "'%s' is not in the subpath of '%s'", self->u.str.s,
                                    base->u.str.s));
}

/* ---- the file system (read only) ---- */

static int stat_test(struct kr_interp *I, struct kr_value *self, const char *m,
                     const struct kr_callargs *a, int what, struct kr_value **out)
{
    struct stat st;
    bool ok;
    int rc = want_args(I, m, a, 0, 0);
    if (rc != KR_OK)
        return rc;
    ok = (what == 3 ? lstat(self->u.str.s, &st) : stat(self->u.str.s, &st)) == 0;
    if (ok && what == 1)
        ok = S_ISREG(st.st_mode);
    else if (ok && what == 2)
        ok = S_ISDIR(st.st_mode);
    else if (ok && what == 3)
        ok = S_ISLNK(st.st_mode);
    *out = kr_value_bool(ok);
    return KR_OK;
}

KR_MOD_FN(p_exists) { return stat_test(I, self, "exists", a, 0, out); }
KR_MOD_FN(p_is_file) { return stat_test(I, self, "is_file", a, 1, out); }
KR_MOD_FN(p_is_dir) { return stat_test(I, self, "is_dir", a, 2, out); }
KR_MOD_FN(p_is_symlink) { return stat_test(I, self, "is_symlink", a, 3, out); }

/* The sorted matches of glob pattern `pat` under directory p, as Paths
 * (dot files included, as pathlib's glob includes them). */
static int glob_under(struct kr_interp *I, struct kr_value *p, const char *pat,
                      struct kr_value **out)
{
    glob_t g;
    struct kr_value *res = kr_value_list(I->A, 0);
    const char *dir = p->u.str.s;
    char *full;
    size_t i;
    bool here = !strcmp(dir, ".");
    full = here ? kr_arena_printf(I->A, "%s", pat)
                : kr_arena_printf(I->A, "%s%s%s", dir, dir[p->u.str.len - 1] == '/' ? "" : "/",
                                  pat);
    memset(&g, 0, sizeof g);
    if (glob(full, GLOB_PERIOD, NULL, &g) == 0) {
        for (i = 0; i < g.gl_pathc; i++) {
            const char *m = g.gl_pathv[i], *last = strrchr(m, '/');
            last = last ? last + 1 : m;
            if (!strcmp(last, ".") || !strcmp(last, ".."))
                continue;
            kr_list_push(I->A, res, path_of(I, m, strlen(m)));
        }
    }
    globfree(&g);
    *out = res;
    return KR_OK;
}

KR_MOD_FN(p_glob)
{
    const char *pat;
    int rc = want_args(I, "glob", a, 1, 1);
    if (rc == KR_OK)
        rc = str_arg(I, "glob", a, 0, &pat);
    if (rc != KR_OK)
        return rc;
    if (!*pat || pat[0] == '/')
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "Path.glob(): non-relative patterns are unsupported"));
    if (strstr(pat, "**"))
        return kr_eval_error(I, "krait does not support '**' in 'Path.glob' yet: list the "
                             "directory levels (\"*/*.txt\") or use glob_wildcards()");
    return glob_under(I, self, pat, out);
}

KR_MOD_FN(p_iterdir)
{
    int rc = want_args(I, "iterdir", a, 0, 0);
    return rc != KR_OK ? rc : glob_under(I, self, "*", out);
}

/* Call the builtin open() on the path (recording the read). */
static int open_path(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     struct kr_value **out)
{
    struct kr_value *open = kr_dict_gets(I->builtins, "open");
    struct kr_callargs ca = *a;
    struct kr_value **pos = kr_arena_alloc(I->A, (a->npos + 1) * sizeof *pos);
    pos[0] = kr_value_str(I->A, self->u.str.s, self->u.str.len);
    if (a->npos)
        memcpy(pos + 1, a->pos, a->npos * sizeof *pos);
    ca.pos = pos;
    ca.npos = a->npos + 1;
    if (!open)
        return kr_eval_error(I, "Path.open(): open() is not available");
    return kr_eval_call(I, open, &ca, I->site, out);
}

KR_MOD_FN(p_open) { return open_path(I, self, a, out); }

KR_MOD_FN(p_read_text)
{
    struct kr_value *fo;
    const char *text, *path;
    size_t len;
    struct kr_callargs none = {NULL, 0, NULL, NULL, 0};
    int rc = want_args(I, "read_text", a, 0, 1);
    if (rc == KR_OK)
        rc = open_path(I, self, &none, &fo);
    if (rc != KR_OK)
        return rc;
    if (!kr_file_content(fo, true, &text, &len, &path))
        return kr_eval_error(I, "Path.read_text(): cannot read '%s'", self->u.str.s);
    *out = kr_value_str(I->A, text, len);
    return KR_OK;
}

KR_MOD_FN(p_absolute)
{
    char cwd[PATH_MAX];
    struct kr_value *args[1] = {self};
    int rc = want_args(I, "absolute", a, 0, 0);
    if (rc != KR_OK)
        return rc;
    if (self->u.str.s[0] == '/') {
        *out = self;
        return KR_OK;
    }
    if (!getcwd(cwd, sizeof cwd))
        return kr_eval_error(I, "Path.absolute(): cannot read the current directory: %s",
                             strerror(errno));
    return path_join(I, "Path.absolute", path_of(I, cwd, strlen(cwd)), args, 1, out);
}

KR_MOD_FN(p_resolve)
{
    char buf[PATH_MAX];
    struct kr_value *abs;
    int rc = kr_args_check(I, "Path.resolve", a, 0, 1);
    if (rc != KR_OK)
        return rc;
    if (realpath(self->u.str.s, buf)) {
        *out = path_of(I, buf, strlen(buf));
        return KR_OK;
    }
    /* a path that does not exist (yet) resolves lexically */
    rc = p_absolute(I, self, a, &abs);
    if (rc == KR_OK)
        *out = abs;
    return rc;
}

KR_MOD_FN(p_cwd)
{
    char cwd[PATH_MAX];
    int rc = kr_args_check(I, "Path.cwd", a, 0, 0);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    if (!getcwd(cwd, sizeof cwd))
        return kr_eval_error(I, "Path.cwd(): cannot read the current directory: %s",
                             strerror(errno));
    *out = path_of(I, cwd, strlen(cwd));
    return KR_OK;
}

static const char *const writers[] = {
    "mkdir", "write_text", "write_bytes", "touch", "unlink", "rmdir", "rename", "replace",
    "symlink_to", "hardlink_to", "link_to", "chmod", "lchmod", NULL,
};

static const struct {
    const char *name;
    kr_builtin_fn fn;
} path_methods[] = {
    {"with_name", p_with_name}, {"with_suffix", p_with_suffix}, {"with_stem", p_with_stem},
    {"joinpath", p_joinpath}, {"as_posix", p_as_posix}, {"is_absolute", p_is_absolute},
    {"relative_to", p_relative_to}, {"exists", p_exists}, {"is_file", p_is_file},
    {"is_dir", p_is_dir}, {"is_symlink", p_is_symlink}, {"glob", p_glob},
    {"iterdir", p_iterdir}, {"open", p_open}, {"read_text", p_read_text},
    {"absolute", p_absolute}, {"resolve", p_resolve},
};

int kr_path_getattr(struct kr_interp *I, struct kr_value *obj, const char *name,
                    struct kr_value **out, bool *handled)
{
    const char *n;
    size_t len, i;
    *handled = false;
    if (obj->type == KR_V_BUILTIN && obj->u.bi.fn == path_ctor) {
        *handled = true;
        if (!strcmp(name, "cwd")) {
            *out = kr_value_builtin(I->A, "Path.cwd", p_cwd, NULL, NULL);
            return KR_OK;
        }
        return kr_eval_error(I, "krait does not support 'Path.%s' yet", name);
    }
    if (!is_path(obj))
        return KR_OK;
    *handled = true;
    n = name_of(obj, &len);
    if (!strcmp(name, "name")) {
        *out = kr_value_str(I->A, n, len);
    } else if (!strcmp(name, "stem")) {
        *out = kr_value_str(I->A, n, stem_len(n, len));
    } else if (!strcmp(name, "suffix")) {
        size_t sl = stem_len(n, len);
        *out = kr_value_str(I->A, n + sl, len - sl);
    } else if (!strcmp(name, "suffixes")) {
        struct kr_value *l = kr_value_list(I->A, 0);
        if (len && n[len - 1] != '.') {
            const char *s = n, *d;
            while (*s == '.')
                s++;
            for (d = strchr(s, '.'); d; d = strchr(d + 1, '.'))
                kr_list_push(I->A, l, kr_value_str(I->A, d, strcspn(d + 1, ".") + 1));
        }
        *out = l;
    } else if (!strcmp(name, "parent")) {
        *out = parent_of(I, obj);
    } else if (!strcmp(name, "parents")) {
        struct kr_value *l = kr_value_list(I->A, 0), *p = obj, *t;
        for (;;) {
            struct kr_value *q = parent_of(I, p);
            if (!strcmp(q->u.str.s, p->u.str.s))
                break;
            kr_list_push(I->A, l, q);
            p = q;
        }
        t = kr_value_tuple(I->A, l->u.list.len);
        if (l->u.list.len)
            memcpy(t->u.list.items, l->u.list.items, l->u.list.len * sizeof *t->u.list.items);
        *out = t;
    } else if (!strcmp(name, "parts")) {
        *out = parts_of(I, obj);
    } else if (!strcmp(name, "anchor") || !strcmp(name, "root")) {
        *out = kr_value_cstr(I->A, obj->u.str.s[0] == '/' ? "/" : "");
    } else if (!strcmp(name, "drive")) {
        *out = kr_value_cstr(I->A, "");
    } else {
        for (i = 0; i < KR_ARRAY_LEN(path_methods); i++)
            if (!strcmp(name, path_methods[i].name)) {
                *out = kr_value_builtin(I->A, kr_arena_printf(I->A, "Path.%s", name),
                                        path_methods[i].fn, obj, NULL);
                return KR_OK;
            }
        for (i = 0; writers[i]; i++)
            if (!strcmp(name, writers[i]))
                return kr_eval_error(I, "'Path.%s': krait's rule language does not write files "
                                     "(create or change files in a rule's shell:, run: or "
                                     "script:)", name);
        return kr_eval_error(I, "krait does not support 'Path.%s' yet", name);
    }
    return KR_OK;
}

void kr_mod_path_install(struct kr_interp *I)
{
    struct kr_value *pl = kr_value_ns(I->A, "pathlib");
    struct kr_value *p = kr_value_builtin(I->A, "Path", path_ctor, NULL, NULL);
    kr_dict_sets(I->A, pl->u.ns.attrs, "Path", p);
    kr_dict_sets(I->A, pl->u.ns.attrs, "PosixPath", p);
    kr_dict_sets(I->A, pl->u.ns.attrs, "PurePath", p);
    kr_dict_sets(I->A, pl->u.ns.attrs, "PurePosixPath", p);
    kr_dict_sets(I->A, I->modules, "pathlib", pl);
}
