/*
 * builtin-mod.c - the registry of krait's builtin Python modules: installs
 * every src/mod-*.c module into the interpreter's module table (where
 * `import X`, `import X as Y` and `from X import Y` find them), knows which
 * namespaces belong to them so that a missing name reads "krait does not
 * support 're.subn' yet", and reads the text behind a file argument
 * (the hook a file object plugs into).
 */
#include "mod.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Namespaces created by the builtin modules (module names and the names
 * of the objects they return, such as "re.Pattern"). */
static const char *const builtin_ns[] = {
    "os", "os.path", "glob", "re", "re.Pattern", "re.Match", "json", "yaml", "sys",
    "sys.stderr", "math", "copy", "string", "textwrap", "itertools", "functools",
    "collections", "csv", "pandas", "numpy", "pandas.DataFrame", "pandas.Series",
    "pandas.Index", "pandas.loc", "pandas.Row", "pathlib", "datetime", "datetime.date",
    "datetime.datetime", "time", NULL,
};

bool kr_mod_is_builtin(const struct kr_value *ns)
{
    size_t i;
    if (!ns || ns->type != KR_V_NS || !ns->u.ns.name)
        return false;
    for (i = 0; builtin_ns[i]; i++)
        if (!strcmp(builtin_ns[i], ns->u.ns.name))
            return true;
    return false;
}

void kr_mod_def(struct kr_interp *I, struct kr_value *ns, const char *qual, kr_builtin_fn fn,
                struct kr_value *self)
{
    const char *dot = strrchr(qual, '.');
    kr_dict_sets(I->A, ns->u.ns.attrs, dot ? dot + 1 : qual,
                 kr_value_builtin(I->A, qual, fn, self, NULL));
}

int kr_mod_file_text(struct kr_interp *I, const char *fname, struct kr_value *src,
                     const char **text, size_t *len)
{
    struct kr_buf b = KR_BUF_INIT;
    char chunk[65536];
    size_t n;
    FILE *f;
    const char *path;
    if (kr_file_content(src, true, text, len, &path))    /* a file object from open() */
        return KR_OK;
    if (src->type != KR_V_STR)
        return kr_eval_error(I, "%s(): expected a file path (str) or a file object, got '%s'", fname,
                             kr_value_type_name(src));
    f = fopen(src->u.str.s, "rb");
    if (!f)
        return kr_eval_error(I, "%s(): cannot open '%s': %s", fname, src->u.str.s,
                             strerror(errno));
    for (;;) {
        n = fread(chunk, 1, sizeof chunk, f);
        if (n == 0)
            break;
        kr_buf_append(&b, chunk, n);
        if (b.len > ((size_t)256 << 20)) {
            fclose(f);
            kr_buf_free(&b);
            return kr_eval_error(I, "%s(): '%s' is larger than 256 MiB", fname, src->u.str.s);
        }
    }
    fclose(f);
    *len = b.len;
    *text = kr_arena_strndup(I->A, b.data ? b.data : "", b.len);
    kr_buf_free(&b);
    return KR_OK;
}

/* The names a Snakefile finds without importing them: Snakemake runs rule
 * files in the globals of snakemake.workflow, which imports these (re, os,
 * sys, json, copy; Path, OrderedDict, namedtuple, partial, chain...). Only
 * those krait's modules have; os is predefined by builtin-os.c. */
static void predefine(struct kr_interp *I)
{
    static const char *const mods[] = {"re", "sys", "json", "copy"};
    static const struct { const char *mod, *name, *as; } names[] = {
        {"pathlib", "Path", "Path"},           {"pathlib", "PosixPath", "PosixPath"},
        {"collections", "OrderedDict", NULL}, {"collections", "namedtuple", NULL},
        {"functools", "partial", NULL},       {"itertools", "chain", NULL},
    };
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(mods); i++) {
        struct kr_value *m = kr_dict_gets(I->modules, mods[i]);
        if (m)
            kr_dict_sets(I->A, I->globals, mods[i], m);
    }
    for (i = 0; i < KR_ARRAY_LEN(names); i++) {
        struct kr_value *m = kr_dict_gets(I->modules, names[i].mod), *v;
        if (m && m->type == KR_V_NS && (v = kr_dict_gets(m->u.ns.attrs, names[i].name)))
            kr_dict_sets(I->A, I->globals, names[i].as ? names[i].as : names[i].name, v);
    }
}

void kr_mod_install(struct kr_interp *I)
{
    kr_mod_re_install(I);
    kr_mod_json_install(I);
    kr_mod_sys_install(I);
    kr_mod_math_install(I);
    kr_mod_text_install(I);
    kr_mod_iter_install(I);
    kr_mod_validate_install(I);
    kr_mod_csv_install(I);
    kr_mod_pandas_install(I);
    kr_mod_coll_install(I);
    kr_mod_path_install(I);
    kr_mod_time_install(I);
    kr_mod_storage_install(I);
    predefine(I);
}

int kr_mod_getattr(struct kr_interp *I, struct kr_value *obj, const char *name,
                   struct kr_value **out, bool *handled)
{
    int rc = kr_coll_getattr(I, obj, name, out, handled);
    if (!*handled)
        rc = kr_path_getattr(I, obj, name, out, handled);
    if (!*handled)
        rc = kr_time_getattr(I, obj, name, out, handled);
    return rc;
}

int kr_mod_special(struct kr_interp *I, struct kr_value *obj, const char *name,
                   struct kr_value **args, size_t n, struct kr_value **out, bool *handled)
{
    struct kr_value *f;
    struct kr_callargs ca = {args, n, NULL, NULL, 0};
    *handled = false;
    if (obj->type != KR_V_NS)
        return KR_OK;
    f = kr_dict_gets(obj->u.ns.attrs, name);
    if (!f || f->type != KR_V_BUILTIN)
        return KR_OK;
    *handled = true;
    return f->u.bi.fn(I, f->u.bi.self, &ca, out);
}
