/*
 * wf-job.c - per-job resolution for the planner and the executors
 * (workflow.h): kr_wf_resolve formats a rule's file patterns with a job's
 * wildcards and calls its input functions; kr_wf_job_info resolves threads,
 * resources, params, log and benchmark files, formats shell:/script:/
 * message:, and builds the JSON context for script:/run: wrappers.
 *
 * Values created while resolving (wildcards objects, function results) live
 * in the workflow's arena; everything handed back lives in the caller's
 * arena.
 */
#include "eval.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct kr_value *kr_wf_iolist_value(struct kr_interp *I, const struct kr_iolist *l,
                                    const char *kind);

static const char *list_kind(const struct kr_rule *r, const struct kr_iolist *l)
{
    if (l == &r->input)
        return "input";
    if (l == &r->output)
        return "output";
    if (l == &r->log)
        return "log";
    if (l == &r->benchmark)
        return "benchmark";
    return "file";
}

static struct kr_value *wildcards_value(struct kr_interp *I, const struct kr_wildcards *wc)
{
    struct kr_value *w = kr_value_named(I->A, "wildcards");
    uint32_t i;
    for (i = 0; wc && i < wc->n; i++)
        kr_named_push(I->A, w, wc->names[i], kr_value_cstr(I->A, wc->values[i]));
    return w;
}

struct filevec {
    struct kr_iofile *v;
    uint32_t n, cap;
};

static void fv_push(struct kr_arena *A, struct filevec *fv, const char *path, const char *name,
                    uint32_t flags)
{
    if (fv->n == fv->cap) {
        uint32_t nc = fv->cap ? fv->cap * 2 : 8;
        struct kr_iofile *nv = kr_arena_alloc(A, nc * sizeof *nv);
        if (fv->n)
            memcpy(nv, fv->v, fv->n * sizeof *nv);
        fv->v = nv;
        fv->cap = nc;
    }
    fv->v[fv->n].path = kr_arena_strdup(A, path);
    fv->v[fv->n].name = name ? kr_arena_strdup(A, name) : NULL;
    fv->v[fv->n].flags = flags;
    fv->n++;
}

static int fn_result_error(struct kr_interp *I, const struct kr_rule *r, const char *kind,
                           const struct kr_ioitem *it, const char *got)
{
    return kr_error_at(I->err, KR_EEVAL, I->srcs, it->file, it->off,
                       "rule '%s': the %s function returned %s; expected a file name or a "
                       "list of file names%s", r->name, kind, got,
                       (it->flags & KR_F_UNPACK) ? " (or, with unpack(), a dict)" : "");
}

/* Add the files of one value returned by an input function. */
static int add_fn_value(struct kr_interp *I, const struct kr_rule *r, const char *kind,
                        const struct kr_ioitem *it, struct kr_value *v, const char *name,
                        uint32_t flags, bool in_list, struct kr_arena *arena,
                        struct filevec *fv, int depth)
{
    size_t n, i;
    struct kr_value **items;
    int rc;
    if (v->type == KR_V_STR) {
        fv_push(arena, fv, v->u.str.s, name, flags | v->flags | (in_list ? KR_F_LISTITEM : 0));
        return KR_OK;
    }
    items = kr_value_items(v, &n);
    if ((items || v->type == KR_V_LIST || v->type == KR_V_TUPLE) && depth < 8) {
        for (i = 0; i < n; i++) {
            rc = add_fn_value(I, r, kind, it, items[i], name, flags, true, arena, fv, depth + 1);
            if (rc != KR_OK)
                return rc;
        }
        return KR_OK;
    }
    return fn_result_error(I, r, kind, it, kr_value_type_name(v));
}

static int call_input_fn(struct kr_interp *I, const struct kr_rule *r, const char *kind,
                         const struct kr_ioitem *it, struct kr_value *wv,
                         struct kr_arena *arena, struct filevec *fv)
{
    struct kr_value *res;
    int rc = kr_eval_call_smk(I, it->fn, wv, NULL, NULL, &res);
    uint32_t flags = it->flags & ~KR_F_UNPACK;
    if (rc) {
        kr_error_prefix(I->err, "rule '%s', %s function", r->name, kind);
        return rc;
    }
    if (it->flags & KR_F_UNPACK) {
        size_t i;
        if (res->type == KR_V_DICT) {
            for (i = 0; i < res->u.dict->n; i++) {
                struct kr_value *k = res->u.dict->keys[i];
                if (!k)
                    continue;
                if (k->type != KR_V_STR)
                    return fn_result_error(I, r, kind, it, "a dict with a non-string key");
                rc = add_fn_value(I, r, kind, it, res->u.dict->vals[i], k->u.str.s, flags,
                                  false, arena, fv, 0);
                if (rc)
                    return rc;
            }
            return KR_OK;
        }
        return add_fn_value(I, r, kind, it, res, it->name, flags, false, arena, fv, 0);
    }
    if (res->type == KR_V_NONE)
        return fn_result_error(I, r, kind, it, "None");
    return add_fn_value(I, r, kind, it, res, it->name, flags, false, arena, fv, 0);
}

int kr_wf_resolve(struct kr_workflow *wf, const struct kr_rule *r,
                  const struct kr_iolist *list, const struct kr_wildcards *wc,
                  struct kr_arena *arena, struct kr_iofile **files, uint32_t *nfiles,
                  struct kr_error *err)
{
    struct kr_interp *I = wf->interp;
    struct filevec fv = {0};
    struct kr_buf b = KR_BUF_INIT;
    struct kr_value *wv = NULL;
    const char *kind = list_kind(r, list);
    uint32_t i, k, s, w;
    int rc = KR_OK;
    kr_interp_set_err(I, err);
    for (i = 0; i < list->n; i++) {
        const struct kr_ioitem *it = &list->items[i];
        if (it->fn) {
            if (!wv)
                wv = wildcards_value(I, wc);
            rc = call_input_fn(I, r, kind, it, wv, arena, &fv);
            if (rc != KR_OK)
                goto out;
            continue;
        }
        for (k = 0; k < it->npats; k++) {
            const struct kr_pat *p = &it->pats[k];
            kr_buf_reset(&b);
            for (s = 0; s < p->nsegs; s++) {
                const struct kr_patseg *sg = &p->segs[s];
                if (!sg->is_wildcard) {
                    kr_buf_append(&b, sg->text, sg->len);
                    continue;
                }
                for (w = 0; wc && w < wc->n; w++)
                    if (!strcmp(wc->names[w], sg->text))
                        break;
                if (!wc || w == wc->n) {
                    rc = kr_error_at(I->err, KR_EEVAL, I->srcs, it->file, it->off,
                                     "rule '%s': wildcards in %s files cannot be determined "
                                     "from output files: '%s' (in '%s')", r->name, kind,
                                     sg->text, p->text);
                    goto out;
                }
                kr_buf_puts(&b, wc->values[w]);
            }
            fv_push(arena, &fv, kr_buf_cstr(&b), it->name,
                    p->flags | (it->is_list ? KR_F_LISTITEM : 0));
        }
    }
out:
    kr_buf_free(&b);
    if (rc == KR_OK) {
        *files = fv.v;
        *nfiles = fv.n;
    } else {
        *files = NULL;
        *nfiles = 0;
    }
    return rc;
}

/* The named list of resolved files (input.name is a list for list items). */
static struct kr_value *files_value(struct kr_interp *I, const struct kr_iofile *f, uint32_t n,
                                    const char *kind)
{
    struct kr_value *nl = kr_value_named(I->A, kind);
    uint32_t i;
    for (i = 0; i < n; i++) {
        struct kr_value *s = kr_value_cstr(I->A, f[i].path);
        s->flags = f[i].flags & ~KR_F_LISTITEM;
        kr_named_push(I->A, nl, NULL, s);
        if (!f[i].name)
            continue;
        if (f[i].flags & KR_F_LISTITEM) {
            struct kr_value *lst = kr_dict_gets(nl->u.named.names, f[i].name);
            if (!lst || lst->type != KR_V_LIST) {
                lst = kr_value_list(I->A, 0);
                kr_named_setname(I->A, nl, f[i].name, lst);
            }
            kr_list_push(I->A, lst, s);
        } else {
            kr_named_setname(I->A, nl, f[i].name, s);
        }
    }
    return nl;
}

static int located(struct kr_interp *I, const struct kr_rule *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int located(struct kr_interp *I, const struct kr_rule *r, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kr_error_at(I->err, KR_EEVAL, I->srcs, r->file, r->off, "rule '%s': %s", r->name, msg);
}

static int to_int(struct kr_value *v, int64_t *out)
{
    if (v->type == KR_V_INT) {
        *out = v->u.i;
        return 1;
    }
    if (v->type == KR_V_BOOL) {
        *out = v->u.b;
        return 1;
    }
    if (v->type == KR_V_FLOAT && isfinite(v->u.f) && fabs(v->u.f) < 9e18) {
        *out = (int64_t)llround(v->u.f);
        return 1;
    }
    return 0;
}

static json_t *files_json(const struct kr_iofile *f, uint32_t n)
{
    json_t *j = json_object(), *pos = json_array(), *named = json_object();
    uint32_t i;
    for (i = 0; i < n; i++) {
        json_array_append_new(pos, json_string(f[i].path));
        if (!f[i].name)
            continue;
        if (f[i].flags & KR_F_LISTITEM) {
            json_t *lst = json_object_get(named, f[i].name);
            if (!lst) {
                lst = json_array();
                json_object_set_new(named, f[i].name, lst);
            }
            json_array_append_new(lst, json_string(f[i].path));
        } else {
            json_object_set_new(named, f[i].name, json_string(f[i].path));
        }
    }
    json_object_set_new(j, "positional", pos);
    json_object_set_new(j, "named", named);
    return j;
}

int kr_wf_job_info(struct kr_workflow *wf, const struct kr_rule *r,
                   const struct kr_wildcards *wc,
                   const struct kr_iofile *in, uint32_t nin,
                   const struct kr_iofile *out, uint32_t nout,
                   int attempt, int max_cores, bool want_json,
                   struct kr_arena *arena, struct kr_jobinfo *info,
                   struct kr_error *err)
{
    struct kr_interp *I = wf->interp;
    struct kr_value *wv, *inv, *outv, *params, *resv, *logv, *thr;
    struct kr_dict *named, *vars;
    struct kr_buf b = KR_BUF_INIT;
    int64_t threads = 1;
    size_t i;
    int rc = KR_OK;
    kr_interp_set_err(I, err);
    memset(info, 0, sizeof *info);
    info->retries = -1;
    wv = wildcards_value(I, wc);
    inv = files_value(I, in, nin, "input");
    outv = files_value(I, out, nout, "output");
    named = kr_dict_new(I->A);
    kr_dict_sets(I->A, named, "input", inv);
    kr_dict_sets(I->A, named, "output", outv);
    kr_dict_sets(I->A, named, "attempt", kr_value_int(I->A, attempt));
    kr_dict_sets(I->A, named, "rule", kr_value_cstr(I->A, r->name));

    /* threads */
    if (r->threads) {
        thr = r->threads;
        if (kr_value_is_callable(thr)) {
            rc = kr_eval_call_smk(I, thr, wv, named, NULL, &thr);
            if (rc != KR_OK) {
                kr_error_prefix(I->err, "rule '%s', threads function", r->name);
                goto out;
            }
        }
        if (!to_int(thr, &threads) || threads < 0) {
            rc = located(I, r, "threads must be a non-negative integer, got %s",
                         kr_value_to_repr(I->A, thr));
            goto out;
        }
    }
    if (max_cores > 0 && threads > max_cores)
        threads = max_cores;
    if (threads > INT_MAX)
        threads = INT_MAX;
    info->threads = (int)threads;
    kr_dict_sets(I->A, named, "threads", kr_value_int(I->A, threads));

    /* resources */
    resv = kr_value_named(I->A, "resources");
    if (r->resources) {
        struct kr_dict *names = r->resources->u.named.names;
        info->res = kr_arena_zalloc(arena, (names->live + 1) * sizeof *info->res);
        for (i = 0; i < names->n; i++) {
            struct kr_value *v;
            struct kr_resource *res;
            int64_t iv;
            if (!names->keys[i])
                continue;
            v = names->vals[i];
            if (kr_value_is_callable(v)) {
                kr_dict_sets(I->A, named, "resources", resv);
                rc = kr_eval_call_smk(I, v, wv, named, NULL, &v);
                if (rc != KR_OK) {
                    kr_error_prefix(I->err, "rule '%s', resources function for %s", r->name,
                                    names->keys[i]->u.str.s);
                    goto out;
                }
            }
            res = &info->res[info->nres++];
            res->name = kr_arena_strdup(arena, names->keys[i]->u.str.s);
            if (v->type == KR_V_STR) {
                res->sval = kr_arena_strdup(arena, v->u.str.s);
            } else if (to_int(v, &iv)) {
                res->ival = iv;
            } else {
                rc = located(I, r, "resource '%s' must be an integer or a string, got %s",
                             res->name, kr_value_type_name(v));
                goto out;
            }
            kr_named_push(I->A, resv, res->name, v);
        }
    }
    kr_dict_sets(I->A, named, "resources", resv);

    /* params */
    params = kr_value_named(I->A, "params");
    if (r->params) {
        struct kr_value *src = r->params;
        for (i = 0; i < src->u.named.len; i++) {
            struct kr_value *v = src->u.named.items[i];
            const char *pname = kr_named_item_name(src, i);
            if (kr_value_is_callable(v)) {
                rc = kr_eval_call_smk(I, v, wv, named, NULL, &v);
                if (rc != KR_OK) {
                    kr_error_prefix(I->err, "rule '%s', params function%s%s", r->name,
                                    pname ? " for " : "", pname ? pname : "");
                    goto out;
                }
            }
            kr_named_push(I->A, params, pname, v);
        }
    }
    {
        struct kr_buf pr = KR_BUF_INIT;
        for (i = 0; i < params->u.named.len; i++) {
            struct kr_value *v = params->u.named.items[i];
            const char *pname = kr_named_item_name(params, i);
            if (i)
                kr_buf_puts(&pr, ", ");
            if (pname)
                kr_buf_printf(&pr, "%s=", pname);
            kr_value_repr_buf(v, &pr);
        }
        info->params_repr = kr_arena_strdup(arena, kr_buf_cstr(&pr));
        kr_buf_free(&pr);
    }

    /* log and benchmark */
    rc = kr_wf_resolve(wf, r, &r->log, wc, arena, &info->log, &info->nlog, err);
    if (rc != KR_OK)
        goto out;
    rc = kr_wf_resolve(wf, r, &r->benchmark, wc, arena, &info->bench, &info->nbench, err);
    if (rc != KR_OK)
        goto out;
    kr_interp_set_err(I, err);
    logv = files_value(I, info->log, info->nlog, "log");

    vars = kr_dict_new(I->A);
    kr_dict_sets(I->A, vars, "input", inv);
    kr_dict_sets(I->A, vars, "output", outv);
    kr_dict_sets(I->A, vars, "params", params);
    kr_dict_sets(I->A, vars, "wildcards", wv);
    kr_dict_sets(I->A, vars, "threads", kr_value_int(I->A, threads));
    kr_dict_sets(I->A, vars, "resources", resv);
    kr_dict_sets(I->A, vars, "log", logv);
    kr_dict_sets(I->A, vars, "rule", kr_value_cstr(I->A, r->name));
    kr_dict_sets(I->A, vars, "config", I->config);
    kr_dict_sets(I->A, vars, "attempt", kr_value_int(I->A, attempt));

    if (r->shell) {
        kr_buf_reset(&b);
        rc = kr_shellfmt(I, r, "shell", r->shell, vars, &b);
        if (rc != KR_OK)
            goto out;
        info->shell_cmd = kr_arena_strdup(arena, kr_buf_cstr(&b));
    }
    if (r->script) {
        kr_buf_reset(&b);
        rc = kr_shellfmt(I, r, "script", r->script, vars, &b);
        if (rc != KR_OK)
            goto out;
        info->script_path = kr_arena_strdup(arena, kr_buf_cstr(&b));
    }
    if (r->message) {
        kr_buf_reset(&b);
        rc = kr_shellfmt(I, r, "message", r->message, vars, &b);
        if (rc != KR_OK)
            goto out;
        info->message = kr_arena_strdup(arena, kr_buf_cstr(&b));
    }
    info->container = r->container ? r->container : wf->container;
    if (info->container)
        info->container = kr_arena_strdup(arena, info->container);
    if (r->retries_v && r->retries_v->type == KR_V_INT)
        info->retries = (int)r->retries_v->u.i;

    if (want_json) {
        json_t *j = json_object(), *wj = json_object(), *rj = json_object();
        char *dump, cwd[PATH_MAX];
        const char *sf = r->file < I->srcs->n ? I->srcs->files[r->file].path : wf->snakefile;
        char *sdir = kr_arena_strdup(I->A, sf), *slash = strrchr(sdir, '/');
        if (slash)
            *slash = '\0';
        else
            sdir = ".";
        json_object_set_new(j, "input", files_json(in, nin));
        json_object_set_new(j, "output", files_json(out, nout));
        json_object_set_new(j, "log", files_json(info->log, info->nlog));
        json_object_set_new(j, "params", kr_value_to_json(params));
        for (i = 0; wc && i < wc->n; i++)
            json_object_set_new(wj, wc->names[i], json_string(wc->values[i]));
        json_object_set_new(j, "wildcards", wj);
        json_object_set_new(j, "threads", json_integer(threads));
        for (i = 0; i < info->nres; i++)
            json_object_set_new(rj, info->res[i].name,
                                info->res[i].sval ? json_string(info->res[i].sval)
                                                  : json_integer(info->res[i].ival));
        json_object_set_new(j, "resources", rj);
        json_object_set_new(j, "config", kr_value_to_json(I->config));
        json_object_set_new(j, "rule", json_string(r->name));
        json_object_set_new(j, "attempt", json_integer(attempt));
        if (sdir[0] != '/' && getcwd(cwd, sizeof cwd))
            sdir = strcmp(sdir, ".") ? kr_arena_printf(I->A, "%s/%s", cwd, sdir)
                                     : kr_arena_strdup(I->A, cwd);
        json_object_set_new(j, "scriptdir", json_string(sdir));
        dump = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        info->context_json = kr_arena_strdup(arena, dump ? dump : "{}");
        free(dump);
        json_decref(j);
    }
out:
    kr_buf_free(&b);
    return rc;
}
