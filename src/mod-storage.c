/*
 * mod-storage.c - the ways Snakemake's rule files name files in S3, so that
 * they run unchanged: Snakemake 8's storage plugins (`storage.s3("s3://B/K")`,
 * a `storage:` / `storage NAME:` directive with provider="s3" and
 * `storage.NAME("s3://B/K")`) and Snakemake 7's remote providers (`from
 * snakemake.remote.S3 import RemoteProvider`; `S3 = RemoteProvider(...)`;
 * `S3.remote("B/K")`, `S3.glob_wildcards("B/{x}.txt")`). Each gives the
 * plain `s3://BUCKET/KEY` path that krait's planner stores remotely
 * (src/storage-s3.c); a list gives a list. The IO flags of the argument
 * (temp(), directory() ...) are kept. glob_wildcards() of an s3:// pattern
 * (S3.glob_wildcards too) lists the objects under its literal prefix with
 * one paginated ListObjectsV2 (kr_storage_glob_s3).
 *
 * Settings: credentials given in the rule file (access_key_id,
 * secret_access_key, access_key, secret_key, token...) are ignored with a
 * warning - krait takes them from AWS_* and ~/.aws, never from a file that
 * may be committed - and so are tuning settings (retries, keep_local,
 * max_requests_per_second ...). A provider other than "s3" is an error
 * that says what to do.
 */
#include "mod.h"
#include "s3.h"
#include "workflow.h"

#include <stdio.h>
#include <string.h>

/* v (a str, or a list/tuple of them) as s3:// paths into *out. scheme:
 * add "s3://" to a name without it (the remote providers' "BUCKET/KEY");
 * else a name must be an s3:// URL already. */
static int s3_paths(struct kr_interp *I, const char *fname, struct kr_value *v, bool scheme,
                    struct kr_value **out)
{
    struct kr_value *c;
    if (v->type == KR_V_LIST || v->type == KR_V_TUPLE) {
        size_t n, i;
        struct kr_value **items = kr_value_items(v, &n);
        struct kr_value *l = kr_value_list(I->A, n);
        for (i = 0; i < n; i++) {
            int rc = s3_paths(I, fname, items[i], scheme, &c);
            if (rc != KR_OK)
                return rc;
            kr_list_push(I->A, l, c);
        }
        *out = l;
        return KR_OK;
    }
    if (v->type != KR_V_STR)
        return kr_eval_error(I, "%s() expects an s3:// path or a list of them, got '%s'", fname,
                             kr_value_type_name(v));
    if (v->u.str.len >= 5 && !memcmp(v->u.str.s, "s3://", 5)) {
        *out = v;
        return KR_OK;
    }
    if (!scheme || strstr(v->u.str.s, "://"))
        return kr_eval_error(I, "%s() expects an s3://BUCKET/KEY path, got '%s' (krait's "
                             "storage is S3; a local file needs no wrapper)", fname,
                             v->u.str.s);
    c = kr_arena_alloc(I->A, sizeof *c);
    *c = *v;
    c->u.str.s = kr_arena_printf(I->A, "s3://%s", v->u.str.s);
    c->u.str.len = v->u.str.len + 5;
    *out = c;
    return KR_OK;
}

static bool is_secret_setting(const char *k)
{
    static const char *const secret[] = {
        "access_key_id", "secret_access_key", "access_key", "secret_key", "token",
        "session_token", "aws_access_key_id", "aws_secret_access_key", "aws_session_token",
    };
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(secret); i++)
        if (!strcmp(k, secret[i]))
            return true;
    return false;
}

/* Warn once per setting name about credentials given in the rule file. */
static void warn_settings(struct kr_interp *I, const char *where, const char *const *names,
                          size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (is_secret_setting(names[i]))
            fprintf(stderr, "krait: warning: %s: %s is ignored: krait takes S3 credentials "
                            "from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, "
                            "AWS_PROFILE or ~/.aws, never from the rule file\n",
                    where, names[i]);
}

/* storage.s3(query) / storage.NAME(query): the s3:// path(s). */
KR_MOD_FN(st_query)
{
    const char *fname = self && self->type == KR_V_STR ? self->u.str.s : "storage.s3";
    int rc = kr_args_check(I, fname, a, 1, 1);
    (void)self;
    if (rc)
        return rc;
    /* retrieve=..., keep_local=...: tuning, nothing to do here */
    return s3_paths(I, fname, a->pos[0], false, out);
}

/* RemoteProvider(...).remote(value, ...) */
KR_MOD_FN(rp_remote)
{
    int rc = kr_args_check(I, "S3.remote", a, 1, 1);
    (void)self;
    if (rc)
        return rc;
    return s3_paths(I, "S3.remote", a->pos[0], true, out);
}

/* RemoteProvider(...).glob_wildcards(pattern, ...): glob_wildcards on s3://pattern */
KR_MOD_FN(rp_glob)
{
    struct kr_value *gw = kr_dict_gets(I->builtins, "glob_wildcards"), *pat;
    struct kr_callargs b;
    int rc = kr_args_check(I, "S3.glob_wildcards", a, 1, 1);
    (void)self;
    if (rc)
        return rc;
    if ((rc = s3_paths(I, "S3.glob_wildcards", a->pos[0], true, &pat)) != KR_OK)
        return rc;
    memset(&b, 0, sizeof b);
    b.pos = &pat;
    b.npos = 1;
    return gw->u.bi.fn(I, gw->u.bi.self, &b, out);
}

/* snakemake.remote.S3.RemoteProvider(**settings) */
KR_MOD_FN(rp_new)
{
    struct kr_value *rp = kr_value_ns(I->A, "S3RemoteProvider");
    (void)self;
    warn_settings(I, "S3.RemoteProvider()", a->kwnames, a->nkw);
    kr_mod_def(I, rp, "remote", rp_remote, rp);
    kr_mod_def(I, rp, "glob_wildcards", rp_glob, rp);
    *out = rp;
    return KR_OK;
}

int kr_storage_topdir(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_value *ns = kr_dict_gets(I->globals, "storage");
    const char *dn = n->str, *name = NULL, *provider = NULL;
    const char **names = kr_arena_zalloc(I->A, (n->nkids + 1) * sizeof *names);
    size_t i, nn = 0;
    if (dn[7] == ' ')
        name = dn + 8;
    for (i = 0; i < n->nkids; i++) {
        const struct kr_node *k = n->kids[i];
        struct kr_value *v;
        int rc;
        if (k->kind != KR_N_KWARG)
            return kr_eval_error_at(I, k, "storage: entries are SETTING=VALUE, e.g. "
                                    "storage: provider=\"s3\"");
        if ((rc = kr_eval_expr(I, k->a, &v)) != KR_OK)
            return rc;
        if (!strcmp(k->str, "provider")) {
            if (v->type != KR_V_STR)
                return kr_eval_error_at(I, k->a, "storage: provider must be a string");
            provider = v->u.str.s;
        }
        names[nn++] = k->str;
    }
    if (!provider)
        return kr_eval_error_at(I, n, "storage: needs provider=\"s3\"");
    if (strcmp(provider, "s3") != 0)
        return kr_eval_error_at(I, n, "storage: provider \"%s\" is not supported: krait's "
                                "remote storage is S3 (provider=\"s3\"); keep other files local",
                                provider);
    warn_settings(I, "storage:", names, nn);
    if (name && ns) {
        struct kr_value *fnv;
        if (!strcmp(name, "s3"))
            return KR_OK;
        fnv = kr_value_builtin(I->A, kr_arena_printf(I->A, "storage.%s", name), st_query,
                               kr_value_cstr(I->A, kr_arena_printf(I->A, "storage.%s", name)),
                               NULL);
        kr_dict_sets(I->A, ns->u.ns.attrs, name, fnv);
    }
    return KR_OK;
}

int kr_storage_glob_s3(struct kr_interp *I, const char *prefix, struct kr_vec *paths)
{
    struct kr_s3 *s3 = NULL;
    struct kr_s3_object *objs = NULL;
    struct kr_error err;
    char *bucket = NULL, *key = NULL;
    const char *slash = strchr(prefix + 5, '/');
    size_t n = 0, i;
    int rc;
    kr_error_clear(&err);
    if (!slash || slash == prefix + 5)
        return kr_eval_error(I, "glob_wildcards(): '%s' does not name a bucket: write "
                             "s3://BUCKET/...", prefix);
    bucket = kr_strndup(prefix + 5, (size_t)(slash - prefix - 5));
    key = kr_strdup(slash + 1);
    rc = kr_s3_open(&s3, I->wf->s3_endpoint, &err);
    if (rc == KR_OK)
        rc = kr_s3_list(s3, bucket, key, &objs, &n, &err);
    for (i = 0; rc == KR_OK && i < n; i++)
        kr_vec_push(paths, kr_arena_printf(I->A, "s3://%s/%s", bucket, objs[i].key));
    kr_s3_objects_free(objs, n);
    kr_s3_close(s3);
    kr_free(bucket);
    kr_free(key);
    if (rc != KR_OK)
        return kr_eval_error(I, "glob_wildcards(): cannot list %s: %s", prefix, err.msg);
    return KR_OK;
}

void kr_mod_storage_install(struct kr_interp *I)
{
    struct kr_value *storage = kr_value_ns(I->A, "storage");
    struct kr_value *remote = kr_value_ns(I->A, "snakemake.remote");
    struct kr_value *s3 = kr_value_ns(I->A, "snakemake.remote.S3");
    struct kr_value *smk = kr_dict_gets(I->modules, "snakemake");
    kr_mod_def(I, storage, "storage.s3", st_query, kr_value_cstr(I->A, "storage.s3"));
    kr_dict_sets(I->A, I->globals, "storage", storage);
    kr_mod_def(I, s3, "snakemake.remote.S3.RemoteProvider", rp_new, NULL);
    kr_dict_sets(I->A, remote->u.ns.attrs, "S3", s3);
    if (smk)
        kr_dict_sets(I->A, smk->u.ns.attrs, "remote", remote);
    kr_dict_sets(I->A, I->modules, "snakemake.remote", remote);
    kr_dict_sets(I->A, I->modules, "snakemake.remote.S3", s3);
}
