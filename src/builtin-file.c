/*
 * builtin-file.c - open() for READING in the rule language, and the file
 * objects it returns: f.read(), f.readline(), f.readlines(), iteration over
 * lines (`for line in f`, `for line in open(p)`), f.close(), f.name, and
 * `with open(p) as f:`.
 *
 * The rule language never writes files: open() with a mode that writes
 * ("w", "a", "x", "+") is an error that says so. A file is read whole when
 * it is opened (the rule language is deterministic: what it saw is fixed at
 * that moment) and its path is recorded in I->readfiles (wf->readfiles),
 * so the workflow knows which files its evaluation depended on (`krait
 * lint --json` lists them as "readfiles"). What is read reaches jobs only
 * through values (params:, input: ...), which the params/input triggers
 * already compare, as for read_table() and configfile:.
 *
 * Other builtins that accept a file object (yaml.safe_load(f),
 * json.load(f), csv.reader(f)) get its content through kr_file_content()
 * (eval.h) and need not know how file objects are represented: a namespace
 * value flagged KR_NS_FILE whose methods carry a struct kr_file.
 */
#include "eval.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_FILE_BYTES ((size_t)256 << 20)

struct kr_file {
    const char *path;
    char *text;         /* the whole content, NUL-terminated, in the arena */
    size_t len, pos;    /* content length and read position */
};

static struct kr_file *file_of(const struct kr_value *v)
{
    struct kr_value *rd;
    if (!v || v->type != KR_V_NS || !(v->flags & KR_NS_FILE))
        return NULL;
    rd = kr_dict_gets(v->u.ns.attrs, "read");
    return rd && rd->type == KR_V_BUILTIN ? rd->u.bi.data : NULL;
}

bool kr_file_content(struct kr_value *v, bool consume, const char **text, size_t *len,
                     const char **path)
{
    struct kr_file *f = file_of(v);
    if (!f)
        return false;
    *text = f->text + f->pos;
    *len = f->len - f->pos;
    if (path)
        *path = f->path;
    if (consume)
        f->pos = f->len;
    return true;
}

/* The next line (with its '\n') from the read position, or "" at the end. */
static struct kr_value *next_line(struct kr_interp *I, struct kr_file *f)
{
    const char *s = f->text + f->pos, *nl = memchr(s, '\n', f->len - f->pos);
    size_t n = nl ? (size_t)(nl - s) + 1 : f->len - f->pos;
    f->pos += n;
    return kr_value_str(I->A, s, n);
}

int kr_file_lines(struct kr_interp *I, struct kr_value *v, struct kr_value ***items, size_t *n)
{
    struct kr_file *f = file_of(v);
    struct kr_value *list;
    if (!f)
        return kr_eval_error(I, "'%s' object is not a file", kr_value_type_name(v));
    list = kr_value_list(I->A, 0);
    while (f->pos < f->len)
        kr_list_push(I->A, list, next_line(I, f));
    *items = list->u.list.items;
    *n = list->u.list.len;
    return KR_OK;
}

static int bi_read(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                   struct kr_value **out)
{
    struct kr_file *f = file_of(self);
    int rc = kr_args_check(I, "read", a, 0, 0);
    if (rc != KR_OK)
        return rc;
    *out = kr_value_str(I->A, f->text + f->pos, f->len - f->pos);
    f->pos = f->len;
    return KR_OK;
}

static int bi_readline(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                       struct kr_value **out)
{
    int rc = kr_args_check(I, "readline", a, 0, 0);
    if (rc != KR_OK)
        return rc;
    *out = next_line(I, file_of(self));
    return KR_OK;
}

static int bi_readlines(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                        struct kr_value **out)
{
    struct kr_value **items, *list;
    size_t n, i;
    int rc = kr_args_check(I, "readlines", a, 0, 0);
    if (rc != KR_OK)
        return rc;
    rc = kr_file_lines(I, self, &items, &n);
    if (rc != KR_OK)
        return rc;
    list = kr_value_list(I->A, n);
    for (i = 0; i < n; i++)
        kr_list_push(I->A, list, items[i]);
    *out = list;
    return KR_OK;
}

static int bi_close(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                    struct kr_value **out)
{
    int rc = kr_args_check(I, "close", a, 0, 0);
    (void)self;
    if (rc != KR_OK)
        return rc;
    *out = kr_value_none();
    return KR_OK;
}

/* The Python exception class for a failed open() with errno e. */
static const char *errno_class(int e)
{
    switch (e) {
    case ENOENT: return "FileNotFoundError";
    case EACCES: case EPERM: return "PermissionError";
    case EISDIR: return "IsADirectoryError";
    case ENOTDIR: return "NotADirectoryError";
    default: return "OSError";
    }
}

/* Report a failed read of `path` with errno e as Python does: the class from
 * errno, args = (errno, strerror), and the errno/strerror/filename attributes. */
static int os_error(struct kr_interp *I, const char *path, int e)
{
    struct kr_value *args = kr_value_tuple(I->A, 2), *ev;
    int rc = kr_exc_tag(I, errno_class(e), NULL,
                        kr_eval_error(I, "%s: [Errno %d] %s: '%s'", errno_class(e), e,
                                      strerror(e), path));
    args->u.list.items[0] = kr_value_int(I->A, e);
    args->u.list.items[1] = kr_value_cstr(I->A, strerror(e));
    ev = I->exc_val;
    kr_dict_sets(I->A, ev->u.ns.attrs, "args", args);
    kr_dict_sets(I->A, ev->u.ns.attrs, "errno", args->u.list.items[0]);
    kr_dict_sets(I->A, ev->u.ns.attrs, "strerror", args->u.list.items[1]);
    kr_dict_sets(I->A, ev->u.ns.attrs, "filename", kr_value_cstr(I->A, path));
    return rc;
}

/* Read the whole of `path` into the arena. KR_EEVAL (tagged with the Python
 * class of the failure) when it cannot be read. */
static int slurp(struct kr_interp *I, const char *path, struct kr_file *f)
{
    struct kr_buf b = KR_BUF_INIT;
    char chunk[65536];
    size_t n;
    int rc = KR_OK;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return os_error(I, path, errno);
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        kr_buf_append(&b, chunk, n);
        if (b.len > MAX_FILE_BYTES) {
            rc = kr_eval_error(I, "open(): '%s' is larger than 256 MiB", path);
            goto out;
        }
    }
    if (ferror(fp)) {
        rc = os_error(I, path, errno);
        goto out;
    }
    f->len = b.len;
    f->text = kr_arena_alloc(I->A, b.len + 1);
    if (b.len)
        memcpy(f->text, b.data, b.len);
    f->text[b.len] = '\0';
out:
    fclose(fp);
    kr_buf_free(&b);
    return rc;
}

static void add_method(struct kr_interp *I, struct kr_value *fo, struct kr_file *f,
                       const char *name, kr_builtin_fn fn)
{
    kr_dict_sets(I->A, fo->u.ns.attrs, name, kr_value_builtin(I->A, name, fn, fo, f));
}

/* Note that evaluation depended on `path` (once per path; also when it is
 * missing, since its appearing would change what the code does). */
static void record_read(struct kr_interp *I, const char *path)
{
    size_t i;
    for (i = 0; i < I->readfiles.len; i++)
        if (!strcmp(I->readfiles.items[i], path))
            return;
    kr_vec_push(&I->readfiles, (void *)path);
}

/* open(path, mode="r", encoding=None): read-only. */
static int bi_open(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                   struct kr_value **out)
{
    struct kr_value *pathv, *modev = kr_args_kw(a, "mode"), *fo;
    struct kr_file *f;
    const char *mode = "r";
    size_t i;
    int rc;
    (void)self;
    for (i = 0; i < a->nkw; i++)
        if (strcmp(a->kwnames[i], "mode") && strcmp(a->kwnames[i], "encoding") &&
            strcmp(a->kwnames[i], "newline") && strcmp(a->kwnames[i], "errors"))
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "open() got an unexpected keyword argument "
                                            "'%s'", a->kwnames[i]));
    rc = kr_args_check(I, "open", a, 1, 3);
    if (rc != KR_OK)
        return rc;
    pathv = a->pos[0];
    if (a->npos >= 2)
        modev = a->pos[1];
    if (pathv->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "open(): the path must be a string, not '%s'",
                                        kr_value_type_name(pathv)));
    if (modev && modev->type != KR_V_NONE) {
        if (modev->type != KR_V_STR)
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "open(): mode must be a string"));
        mode = modev->u.str.s;
    }
    if (strpbrk(mode, "wax+"))
        return kr_eval_error(I, "open('%s', '%s'): krait does not write files from the rule "
                             "language (evaluation must not change the disk): write them from "
                             "a rule's shell:, run: or script:", pathv->u.str.s, mode);
    if (strchr(mode, 'b'))
        return kr_eval_error(I, "open(..., '%s'): krait does not support binary reads yet: "
                             "open the file in text mode (\"r\")", mode);
    if (strspn(mode, "rt") != strlen(mode))
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "invalid mode: '%s'", mode));
    f = kr_arena_zalloc(I->A, sizeof *f);
    f->path = pathv->u.str.s;
    record_read(I, f->path);
    rc = slurp(I, f->path, f);
    if (rc != KR_OK)
        return rc;
    fo = kr_value_ns(I->A, f->path);
    fo->flags |= KR_NS_FILE;
    add_method(I, fo, f, "read", bi_read);
    add_method(I, fo, f, "readline", bi_readline);
    add_method(I, fo, f, "readlines", bi_readlines);
    add_method(I, fo, f, "close", bi_close);
    kr_dict_sets(I->A, fo->u.ns.attrs, "name", pathv);
    kr_dict_sets(I->A, fo->u.ns.attrs, "mode", kr_value_cstr(I->A, mode));
    *out = fo;
    return KR_OK;
}

bool kr_file_is(const struct kr_value *v)
{
    return file_of(v) != NULL;
}

void kr_builtins_file_install(struct kr_interp *I)
{
    kr_dict_sets(I->A, I->builtins, "open", kr_value_builtin(I->A, "open", bi_open, NULL, NULL));
}
