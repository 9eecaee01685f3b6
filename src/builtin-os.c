/*
 * builtin-os.c - the read-only parts of Python's os, os.path and glob
 * modules that rule files use: path arithmetic (join, basename, dirname,
 * splitext, split, normpath, abspath, relpath), existence tests (exists,
 * isfile, isdir, islink, realpath, getsize, expanduser), os.getcwd(),
 * os.fspath(), os.pathsep/linesep/devnull/curdir/name,
 * os.listdir() (sorted), os.environ (a read-only snapshot: .get and
 * [key]) and os.getenv(), os.sep, and glob.glob() (sorted, for determinism). Rule files
 * cannot change the file system through these modules.
 */
#include "eval.h"

#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#define F(name) static int name(struct kr_interp *I, struct kr_value *self, \
                                const struct kr_callargs *a, struct kr_value **out)

static int str_args(struct kr_interp *I, const char *fname, const struct kr_callargs *a,
                    size_t min, size_t max)
{
    size_t i;
    int rc = kr_args_check(I, fname, a, min, max);
    if (rc)
        return rc;
    for (i = 0; i < a->npos; i++)
        if (a->pos[i]->type != KR_V_STR)
            return kr_eval_error(I, "%s(): expected str, got '%s'", fname,
                                 kr_value_type_name(a->pos[i]));
    return KR_OK;
}

static struct kr_value *S(struct kr_interp *I, const char *s, size_t n)
{
    return kr_value_str(I->A, s, n);
}

F(p_join)
{
    struct kr_buf b = KR_BUF_INIT;
    size_t i;
    int rc;
    rc = str_args(I, "os.path.join", a, 1, 1000);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < a->npos; i++) {
        const struct kr_value *p = a->pos[i];
        if (p->u.str.len && p->u.str.s[0] == '/')
            kr_buf_reset(&b);
        else if (b.len && b.data[b.len - 1] != '/')
            kr_buf_putc(&b, '/');
        kr_buf_append(&b, p->u.str.s, p->u.str.len);
    }
    *out = S(I, kr_buf_cstr(&b), b.len);
    kr_buf_free(&b);
    return KR_OK;
}

/* Python's os.path.split: (head, tail) with head's trailing slashes removed
 * unless it is all slashes. */
static void split_path(const char *s, size_t len, size_t *headlen, size_t *tailoff)
{
    size_t i = len, h;
    while (i > 0 && s[i - 1] != '/')
        i--;
    *tailoff = i;
    h = i;
    while (h > 0 && s[h - 1] == '/')
        h--;
    if (h == 0)
        h = i;  /* all slashes: keep them */
    *headlen = h;
}

F(p_basename)
{
    size_t h, t;
    int rc;
    rc = str_args(I, "os.path.basename", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    split_path(a->pos[0]->u.str.s, a->pos[0]->u.str.len, &h, &t);
    *out = S(I, a->pos[0]->u.str.s + t, a->pos[0]->u.str.len - t);
    return KR_OK;
}

F(p_dirname)
{
    size_t h, t;
    int rc;
    rc = str_args(I, "os.path.dirname", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    split_path(a->pos[0]->u.str.s, a->pos[0]->u.str.len, &h, &t);
    *out = S(I, a->pos[0]->u.str.s, h);
    return KR_OK;
}

F(p_split)
{
    size_t h, t;
    struct kr_value *r;
    int rc;
    rc = str_args(I, "os.path.split", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    split_path(a->pos[0]->u.str.s, a->pos[0]->u.str.len, &h, &t);
    r = kr_value_tuple(I->A, 2);
    r->u.list.items[0] = S(I, a->pos[0]->u.str.s, h);
    r->u.list.items[1] = S(I, a->pos[0]->u.str.s + t, a->pos[0]->u.str.len - t);
    *out = r;
    return KR_OK;
}

F(p_splitext)
{
    const char *s;
    size_t len, h, t, i, dot = 0;
    bool found = false;
    struct kr_value *r;
    int rc;
    rc = str_args(I, "os.path.splitext", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    s = a->pos[0]->u.str.s;
    len = a->pos[0]->u.str.len;
    split_path(s, len, &h, &t);
    /* the last dot of the basename, unless the basename is only leading dots */
    for (i = len; i > t; i--) {
        if (s[i - 1] == '.') {
            size_t j;
            bool only_dots = true;
            for (j = t; j < i - 1; j++)
                if (s[j] != '.')
                    only_dots = false;
            if (!only_dots) {
                dot = i - 1;
                found = true;
            }
            break;
        }
    }
    r = kr_value_tuple(I->A, 2);
    r->u.list.items[0] = S(I, s, found ? dot : len);
    r->u.list.items[1] = S(I, found ? s + dot : "", found ? len - dot : 0);
    *out = r;
    return KR_OK;
}

/* Python's posixpath.normpath. */
static char *normpath(struct kr_arena *A, const char *path)
{
    struct kr_vec parts = KR_VEC_INIT;
    struct kr_buf b = KR_BUF_INIT;
    char *copy = kr_strdup(path), *tok, *save = NULL, *res;
    int initial = 0;
    size_t i;
    if (!*path) {
        kr_free(copy);
        return kr_arena_strdup(A, ".");
    }
    if (path[0] == '/')
        initial = (path[1] == '/' && path[2] != '/') ? 2 : 1;
    for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (!strcmp(tok, "."))
            continue;
        if (!strcmp(tok, "..")) {
            if (parts.len && strcmp(parts.items[parts.len - 1], "..")) {
                parts.len--;
                continue;
            }
            if (initial)
                continue;
        }
        kr_vec_push(&parts, tok);
    }
    for (i = 0; i < (size_t)initial; i++)
        kr_buf_putc(&b, '/');
    for (i = 0; i < parts.len; i++) {
        if (i)
            kr_buf_putc(&b, '/');
        kr_buf_puts(&b, parts.items[i]);
    }
    res = kr_arena_strdup(A, b.len ? kr_buf_cstr(&b) : ".");
    kr_buf_free(&b);
    kr_vec_free(&parts);
    kr_free(copy);
    return res;
}

F(p_normpath)
{
    int rc;
    rc = str_args(I, "os.path.normpath", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    *out = kr_value_cstr(I->A, normpath(I->A, a->pos[0]->u.str.s));
    return KR_OK;
}

static char *abspath(struct kr_arena *A, const char *p)
{
    char cwd[PATH_MAX];
    if (p[0] == '/')
        return normpath(A, p);
    if (!getcwd(cwd, sizeof cwd))
        strcpy(cwd, "/");
    return normpath(A, kr_arena_printf(A, "%s/%s", cwd, p));
}

F(p_abspath)
{
    int rc;
    rc = str_args(I, "os.path.abspath", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    *out = kr_value_cstr(I->A, abspath(I->A, a->pos[0]->u.str.s));
    return KR_OK;
}

static size_t split_parts(char *p, char **parts, size_t max)
{
    size_t n = 0;
    char *save = NULL, *tok;
    for (tok = strtok_r(p, "/", &save); tok && n < max; tok = strtok_r(NULL, "/", &save))
        parts[n++] = tok;
    return n;
}

F(p_relpath)
{
    char *p, *start, *pp[256], *sp[256];
    size_t np, ns, common = 0, i;
    struct kr_buf b = KR_BUF_INIT;
    int rc;
    rc = str_args(I, "os.path.relpath", a, 1, 2);
    if (rc != KR_OK)
        return rc;
    p = abspath(I->A, a->pos[0]->u.str.s);
    start = abspath(I->A, a->npos == 2 ? a->pos[1]->u.str.s : ".");
    np = split_parts(p, pp, 256);
    ns = split_parts(start, sp, 256);
    while (common < np && common < ns && !strcmp(pp[common], sp[common]))
        common++;
    for (i = common; i < ns; i++)
        kr_buf_puts(&b, b.len ? "/.." : "..");
    for (i = common; i < np; i++) {
        if (b.len)
            kr_buf_putc(&b, '/');
        kr_buf_puts(&b, pp[i]);
    }
    *out = kr_value_cstr(I->A, b.len ? kr_buf_cstr(&b) : ".");
    kr_buf_free(&b);
    return KR_OK;
}

static int stat_test(struct kr_interp *I, const struct kr_callargs *a, struct kr_value **out,
                     const char *fname, int what)
{
    struct stat st;
    int rc;
    bool r;
    rc = str_args(I, fname, a, 1, 1);
    if (rc != KR_OK)
        return rc;
    r = stat(a->pos[0]->u.str.s, &st) == 0;
    if (r && what == 1)
        r = S_ISREG(st.st_mode);
    if (r && what == 2)
        r = S_ISDIR(st.st_mode);
    *out = kr_value_bool(r);
    return KR_OK;
}

F(p_exists) { return stat_test(I, a, out, "os.path.exists", 0); }
F(p_isfile) { return stat_test(I, a, out, "os.path.isfile", 1); }
F(p_isdir) { return stat_test(I, a, out, "os.path.isdir", 2); }

F(p_islink)
{
    struct stat st;
    int rc = str_args(I, "os.path.islink", a, 1, 1);
    if (rc == KR_OK)
        *out = kr_value_bool(lstat(a->pos[0]->u.str.s, &st) == 0 && S_ISLNK(st.st_mode));
    return rc;
}

/* os.path.realpath: symbolic links resolved; a path that does not exist
 * (yet) is made absolute lexically, as Python's non-strict realpath. */
F(p_realpath)
{
    char buf[PATH_MAX];
    int rc = str_args(I, "os.path.realpath", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    *out = kr_value_cstr(I->A, realpath(a->pos[0]->u.str.s, buf)
                                   ? buf : abspath(I->A, a->pos[0]->u.str.s));
    return KR_OK;
}

F(p_isabs)
{
    int rc;
    rc = str_args(I, "os.path.isabs", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    *out = kr_value_bool(a->pos[0]->u.str.s[0] == '/');
    return KR_OK;
}

F(os_getcwd)
{
    char cwd[PATH_MAX];
    int rc;
    rc = kr_args_check(I, "os.getcwd", a, 0, 0);
    if (rc != KR_OK)
        return rc;
    if (!getcwd(cwd, sizeof cwd))
        return kr_eval_error(I, "os.getcwd(): the working directory is not accessible");
    *out = kr_value_cstr(I->A, cwd);
    return KR_OK;
}

/* os.fspath(p): the str behind a str or pathlib.Path. */
F(os_fspath)
{
    int rc = kr_args_check(I, "os.fspath", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "os.fspath(): expected str or Path, not '%s'",
                                        kr_value_type_name(a->pos[0])));
    *out = S(I, a->pos[0]->u.str.s, a->pos[0]->u.str.len);
    return KR_OK;
}

/* os.getenv(name, default=None): from the same snapshot as os.environ. */
F(os_getenv)
{
    struct kr_value *env = kr_dict_gets(self->u.ns.attrs, "environ"), *v;
    int rc = str_args(I, "os.getenv", a, 1, 2);
    if (rc != KR_OK)
        return rc;
    v = env ? kr_dict_get(env->u.dict, a->pos[0]) : NULL;
    *out = v ? v : a->npos == 2 ? a->pos[1] : kr_value_none();
    return KR_OK;
}

/* os.listdir(path="."): the names in a directory, sorted (for determinism). */
F(os_listdir)
{
    glob_t g;
    struct kr_value *res;
    const char *dir;
    size_t i;
    int rc = str_args(I, "os.listdir", a, 0, 1);
    struct stat st;
    if (rc != KR_OK)
        return rc;
    dir = a->npos ? a->pos[0]->u.str.s : ".";
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return kr_exc_tag(I, "FileNotFoundError", NULL,
                          kr_eval_error(I, "os.listdir(): '%s' is not a directory", dir));
    res = kr_value_list(I->A, 0);
    memset(&g, 0, sizeof g);
    if (glob(kr_arena_printf(I->A, "%s/*", dir), GLOB_PERIOD, NULL, &g) == 0) {
        for (i = 0; i < g.gl_pathc; i++) {
            const char *n = strrchr(g.gl_pathv[i], '/');
            n = n ? n + 1 : g.gl_pathv[i];
            if (strcmp(n, ".") && strcmp(n, ".."))
                kr_list_push(I->A, res, kr_value_cstr(I->A, n));
        }
    }
    globfree(&g);
    *out = res;
    return KR_OK;
}

F(p_getsize)
{
    struct stat st;
    int rc = str_args(I, "os.path.getsize", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    if (stat(a->pos[0]->u.str.s, &st) != 0)
        return kr_exc_tag(I, "FileNotFoundError", NULL,
                          kr_eval_error(I, "os.path.getsize(): cannot stat '%s'",
                                        a->pos[0]->u.str.s));
    *out = kr_value_int(I->A, (int64_t)st.st_size);
    return KR_OK;
}

F(p_expanduser)
{
    const char *s, *home = getenv("HOME");
    int rc = str_args(I, "os.path.expanduser", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    s = a->pos[0]->u.str.s;
    if (s[0] == '~' && (s[1] == '/' || !s[1]) && home)
        *out = kr_value_cstr(I->A, kr_arena_printf(I->A, "%s%s", home, s + 1));
    else
        *out = S(I, s, a->pos[0]->u.str.len);
    return KR_OK;
}

F(glob_glob)
{
    glob_t g;
    struct kr_value *res;
    size_t i;
    int rc;
    rc = str_args(I, "glob.glob", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, 0);
    memset(&g, 0, sizeof g);
    if (glob(a->pos[0]->u.str.s, 0, NULL, &g) == 0) {
        for (i = 0; i < g.gl_pathc; i++)
            kr_list_push(I->A, res, kr_value_cstr(I->A, g.gl_pathv[i]));
    }
    globfree(&g);
    *out = res;
    return KR_OK;
}

static void def(struct kr_interp *I, struct kr_value *ns, const char *name, kr_builtin_fn fn)
{
    kr_dict_sets(I->A, ns->u.ns.attrs, name, kr_value_builtin(I->A, name, fn, NULL, NULL));
}

void kr_builtins_os_install(struct kr_interp *I)
{
    struct kr_value *os = kr_value_ns(I->A, "os");
    struct kr_value *path = kr_value_ns(I->A, "os.path");
    struct kr_value *env = kr_value_dict(I->A);
    struct kr_value *gl = kr_value_ns(I->A, "glob");
    char **e;
    def(I, path, "join", p_join);
    def(I, path, "basename", p_basename);
    def(I, path, "dirname", p_dirname);
    def(I, path, "split", p_split);
    def(I, path, "splitext", p_splitext);
    def(I, path, "normpath", p_normpath);
    def(I, path, "abspath", p_abspath);
    def(I, path, "relpath", p_relpath);
    def(I, path, "exists", p_exists);
    def(I, path, "isfile", p_isfile);
    def(I, path, "isdir", p_isdir);
    def(I, path, "isabs", p_isabs);
    def(I, path, "islink", p_islink);
    def(I, path, "realpath", p_realpath);
    kr_dict_sets(I->A, path->u.ns.attrs, "sep", kr_value_cstr(I->A, "/"));
    kr_dict_sets(I->A, os->u.ns.attrs, "path", path);
    def(I, os, "getcwd", os_getcwd);
    def(I, os, "fspath", os_fspath);
    def(I, os, "listdir", os_listdir);
    def(I, path, "getsize", p_getsize);
    def(I, path, "expanduser", p_expanduser);
    kr_dict_sets(I->A, os->u.ns.attrs, "getenv",
                 kr_value_builtin(I->A, "getenv", os_getenv, os, NULL));
    kr_dict_sets(I->A, os->u.ns.attrs, "sep", kr_value_cstr(I->A, "/"));
    kr_dict_sets(I->A, os->u.ns.attrs, "pathsep", kr_value_cstr(I->A, ":"));
    kr_dict_sets(I->A, os->u.ns.attrs, "linesep", kr_value_cstr(I->A, "\n"));
    kr_dict_sets(I->A, os->u.ns.attrs, "devnull", kr_value_cstr(I->A, "/dev/null"));
    kr_dict_sets(I->A, os->u.ns.attrs, "curdir", kr_value_cstr(I->A, "."));
    kr_dict_sets(I->A, os->u.ns.attrs, "name", kr_value_cstr(I->A, "posix"));
    for (e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        kr_dict_set(I->A, env->u.dict, kr_value_str(I->A, *e, (size_t)(eq - *e)),
                    kr_value_cstr(I->A, eq + 1));
    }
    kr_dict_sets(I->A, os->u.ns.attrs, "environ", env);
    def(I, gl, "glob", glob_glob);
    kr_dict_sets(I->A, I->modules, "os", os);
    /* Snakemake runs a Snakefile in the globals of its workflow module, which has
     * imported os: Snakefiles use os.path without importing it */
    kr_dict_sets(I->A, I->globals, "os", os);
    kr_dict_sets(I->A, I->modules, "os.path", path);
    kr_dict_sets(I->A, I->modules, "glob", gl);
}
