/*
 * workflow.c - builds the evaluated workflow (workflow.h) from a rule file:
 * finds and loads the Snakefile, sets up config (configfile:, --configfile,
 * --config), turns RULE / USERULE / TOPDIR syntax nodes into kr_rule
 * structures (directives evaluated once, file patterns parsed once), handles
 * include: and the other top-level directives, and exposes `rules.NAME`.
 *
 * Per-job resolution (kr_wf_resolve, kr_wf_job_info) lives in wf-job.c;
 * Snakemake's shell formatting in shellfmt.c.
 */
#include "checkpoint.h"
#include "eval.h"
#include "mod.h"
#include "resources.h"
#include "shadow.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- patterns ---- */

int kr_pat_parse(struct kr_arena *arena, const char *text, uint32_t flags,
                 struct kr_pat *out, struct kr_error *err)
{
    struct kr_buf lit = KR_BUF_INIT;
    struct kr_patseg segs_small[16], *segs = segs_small;
    size_t nsegs = 0, cap = 16, i = 0, len = strlen(text);
    int rc = KR_OK;
#define PUSH_SEG(seg) do { \
        if (nsegs == cap) { \
            struct kr_patseg *ns_ = kr_malloc(cap * 2 * sizeof *ns_); \
            memcpy(ns_, segs, nsegs * sizeof *ns_); \
            if (segs != segs_small) kr_free(segs); \
            segs = ns_; cap *= 2; \
        } \
        segs[nsegs++] = (seg); \
    } while (0)
#define FLUSH_LIT() do { \
        if (lit.len) { \
            struct kr_patseg s_ = {0}; \
            s_.text = kr_arena_strndup(arena, lit.data, lit.len); \
            s_.len = (uint32_t)lit.len; \
            PUSH_SEG(s_); \
            kr_buf_reset(&lit); \
        } \
    } while (0)
    memset(out, 0, sizeof *out);
    while (i < len) {
        char c = text[i];
        if (c == '{' && text[i + 1] == '{') {
            kr_buf_putc(&lit, '{');
            i += 2;
            continue;
        }
        if (c == '}' && text[i + 1] == '}') {
            kr_buf_putc(&lit, '}');
            i += 2;
            continue;
        }
        if (c == '}') {
            rc = kr_error_set(err, KR_EEVAL, "unbalanced '}' in pattern '%s' (write '}}' for "
                              "a literal brace)", text);
            goto out;
        }
        if (c != '{') {
            kr_buf_putc(&lit, c);
            i++;
            continue;
        }
        {
            size_t st = i + 1, k, depth = 1, ne, ns, ne2;
            struct kr_patseg s = {0};
            for (k = st; k < len; k++) {
                if (text[k] == '{')
                    depth++;
                else if (text[k] == '}' && --depth == 0)
                    break;
            }
            if (k >= len) {
                rc = kr_error_set(err, KR_EEVAL, "unbalanced '{' in pattern '%s' (write '{{' "
                                  "for a literal brace)", text);
                goto out;
            }
            ne = st;
            while (ne < k && text[ne] != ',')
                ne++;
            ns = st;
            while (ns < ne && text[ns] == ' ')
                ns++;
            ne2 = ne;
            while (ne2 > ns && text[ne2 - 1] == ' ')
                ne2--;
            if (ne2 == ns) {
                rc = kr_error_set(err, KR_EEVAL, "empty wildcard name in pattern '%s'", text);
                goto out;
            }
            FLUSH_LIT();
            s.text = kr_arena_strndup(arena, text + ns, ne2 - ns);
            s.len = (uint32_t)(ne2 - ns);
            s.is_wildcard = true;
            if (ne < k) {
                size_t cs = ne + 1;
                while (cs < k && text[cs] == ' ')
                    cs++;
                s.constraint = kr_arena_strndup(arena, text + cs, k - cs);
            }
            PUSH_SEG(s);
            out->nwildcards++;
            i = k + 1;
        }
    }
    FLUSH_LIT();
    out->text = kr_arena_strdup(arena, text);
    out->flags = flags;
    out->nsegs = (uint32_t)nsegs;
    out->segs = kr_arena_alloc(arena, (nsegs ? nsegs : 1) * sizeof *out->segs);
    if (nsegs)
        memcpy(out->segs, segs, nsegs * sizeof *segs);
out:
    if (segs != segs_small)
        kr_free(segs);
    kr_buf_free(&lit);
    return rc;
#undef PUSH_SEG
#undef FLUSH_LIT
}

/* ---- finding and loading ---- */

const char *kr_find_snakefile(void)
{
    static const char *const names[] = {"Snakefile", "snakefile", "workflow/Snakefile",
                                        "workflow/snakefile", "Kraitfile"};
    struct stat st;
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(names); i++)
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            return names[i];
    return NULL;
}

/* The directory part of `path` ("." when none), kr_malloc'd. */
static char *dir_of(const char *path)
{
    char *copy = kr_strdup(path), *d = kr_strdup(dirname(copy));
    kr_free(copy);
    return d;
}

/* Command-line config (--configfile then --config), re-applied after every
 * configfile: directive so that the command line wins, as in Snakemake. */
struct overwrite {
    struct kr_value *dict;
};

static struct kr_value *overwrite_config(struct kr_interp *I)
{
    struct kr_value *v = kr_dict_gets(I->modules, " overwrite");
    return v;
}

static int build_overwrite(struct kr_interp *I, const struct kr_load_opts *opts,
                           struct kr_error *err)
{
    struct kr_value *ow = kr_value_dict(I->A);
    uint32_t i;
    int rc;
    for (i = 0; opts && i < opts->nconfigfiles; i++) {
        struct kr_value *c;
        rc = kr_config_load_file(I->A, opts->configfiles[i], &c, err);
        if (rc == KR_NOT_FOUND)
            return kr_error_set(err, KR_EUSAGE, "--configfile %s: no such file",
                                opts->configfiles[i]);
        if (rc)
            return rc;
        kr_config_merge(I->A, ow, c);
        kr_vec_push(&I->configfiles, kr_arena_strdup(I->A, opts->configfiles[i]));
    }
    for (i = 0; opts && i < opts->nconfig_kv; i++) {
        const char *kv = opts->config_kv[i], *eq = strchr(kv, '=');
        struct kr_value *v;
        if (!eq || eq == kv)
            return kr_error_set(err, KR_EUSAGE, "--config expects KEY=VALUE, got '%s'", kv);
        rc = kr_config_parse_value(I->A, eq + 1, &v, err);
        if (rc != KR_OK)
            return rc;
        kr_dict_set(I->A, ow->u.dict, kr_value_str(I->A, kv, (size_t)(eq - kv)), v);
    }
    kr_dict_sets(I->A, I->modules, " overwrite", ow);
    kr_config_merge(I->A, I->config, ow);
    return KR_OK;
}

static void *vec_to_arena(struct kr_arena *A, struct kr_vec *v)
{
    void **arr = kr_arena_alloc(A, (v->len ? v->len : 1) * sizeof *arr);
    if (v->len)
        memcpy(arr, v->items, v->len * sizeof *arr);
    return arr;
}

static int check_rule_refs(struct kr_workflow *wf, struct kr_interp *I, struct kr_error *err)
{
    uint32_t i, k;
    for (i = 0; i < wf->nlocalrules; i++)
        if (!kr_workflow_rule(wf, wf->localrules[i]))
            return kr_error_set(err, KR_EEVAL, "localrules: no rule named '%s'",
                                wf->localrules[i]);
    for (i = 0; i < wf->nruleorder; i++)
        for (k = 0; k < wf->ruleorder[i].n; k++)
            if (!kr_workflow_rule(wf, wf->ruleorder[i].names[k]))
                return kr_error_set(err, KR_EEVAL, "ruleorder: no rule named '%s'",
                                    wf->ruleorder[i].names[k]);
    KR_UNUSED(I);
    return KR_OK;
}

/* The shell object (shell.executable/prefix/suffix) changes every shell:
 * command whichever rule came first, so it counts for each shell: rule's
 * code trigger; unset, the hashes stay what they were. */
static void shell_object_hash(struct kr_workflow *wf)
{
    const char *parts[3] = {wf->shell_executable, wf->shell_prefix, wf->shell_suffix};
    uint32_t i, k;
    if (!parts[0] && !parts[1] && !parts[2])
        return;
    for (i = 0; i < wf->nrules; i++) {
        struct kr_rule *r = wf->rules[i];
        if (!r->shell)
            continue;
        for (k = 0; k < 3; k++)
            if (parts[k])
                r->code_hash = kr_hash64_seed(parts[k], strlen(parts[k]),
                                              r->code_hash ^ (0x73680ULL + k));
    }
}

const char *kr_wf_storage_path(const struct kr_workflow *wf, const char *path, uint32_t flags,
                               struct kr_arena *arena)
{
    if (!wf->default_storage || (flags & KR_F_LOCAL) || !path[0] || path[0] == '/' ||
        !strncmp(path, "..", 2) || strstr(path, "://") || !strncmp(path, "s3:/", 4))
        return path;
    if (path[0] == '.' && path[1] == '/')
        path += 2;
    return kr_arena_printf(arena, "%s%s", wf->default_storage, path);
}

/* Re-parse the patterns of one input/output/log list under the default
 * storage (items are copied: a use rule may share them). */
static int storage_iolist(struct kr_workflow *wf, struct kr_iolist *l, struct kr_error *err)
{
    struct kr_ioitem *items;
    uint32_t i, k;
    int rc;
    if (!l->n)
        return KR_OK;
    items = kr_arena_alloc(&wf->arena, l->n * sizeof *items);
    memcpy(items, l->items, l->n * sizeof *items);
    for (i = 0; i < l->n; i++) {
        struct kr_ioitem *it = &items[i];
        struct kr_pat *pats;
        if (it->fn || !it->npats)
            continue;
        pats = kr_arena_alloc(&wf->arena, it->npats * sizeof *pats);
        memcpy(pats, it->pats, it->npats * sizeof *pats);
        for (k = 0; k < it->npats; k++) {
            const char *np = kr_wf_storage_path(wf, pats[k].text, pats[k].flags, &wf->arena);
            if (np == pats[k].text)
                continue;
            {
                const char *sha = pats[k].sha256;
                const struct kr_report *rep = pats[k].report;
                rc = kr_pat_parse(&wf->arena, np, pats[k].flags, &pats[k], err);
                if (rc != KR_OK)
                    return rc;
                pats[k].sha256 = sha;       /* ensure() and report() stay */
                pats[k].report = rep;
            }
        }
        it->pats = pats;
    }
    l->items = items;
    return KR_OK;
}

/* --default-storage URL: check it and map every rule's relative input and
 * output patterns under it (decided once, at load). */
static int default_storage(struct kr_workflow *wf, const char *url, struct kr_error *err)
{
    size_t n = strlen(url);
    uint32_t i;
    int rc = KR_OK;
    if (strncmp(url, "s3://", 5) != 0 || !url[5] || url[5] == '/')
        return kr_error_set(err, KR_EUSAGE, "--default-storage: '%s' is not an "
                            "s3://BUCKET[/PREFIX] URL (only S3 is supported)", url);
    while (n > 5 && url[n - 1] == '/')
        n--;
    wf->default_storage = kr_arena_printf(&wf->arena, "%.*s/", (int)n, url);
    for (i = 0; rc == KR_OK && i < wf->nrules; i++) {
        struct kr_rule *r = wf->rules[i];
        rc = storage_iolist(wf, &r->input, err);
        if (rc == KR_OK)
            rc = storage_iolist(wf, &r->output, err);
        /* log: files stay local: the run shows a failed job's log from
         * there, and {log} is formatted where no staging path is known */
    }
    return rc;
}

const struct kr_pat *kr_rule_output_pat(const struct kr_rule *r, uint32_t i)
{
    uint32_t k;
    for (k = 0; k < r->output.n; k++) {
        const struct kr_ioitem *it = &r->output.items[k];
        if (i < it->npats)
            return &it->pats[i];
        i -= it->npats;
    }
    return NULL;
}

int kr_workflow_load(const struct kr_load_opts *opts, struct kr_workflow **out,
                     struct kr_error *err)
{
    struct kr_workflow *wf;
    struct kr_interp *I;
    struct kr_node *module;
    const char *path = opts ? opts->snakefile : NULL;
    uint16_t idx;
    char *dir = NULL;
    int rc;
    *out = NULL;
    if (!path) {
        path = kr_find_snakefile();
        if (!path)
            return kr_error_set(err, KR_NOT_FOUND, "no rule file found (looked for Snakefile, "
                                "snakefile, workflow/Snakefile, workflow/snakefile, Kraitfile); "
                                "use -s FILE");
    }
    wf = kr_calloc(1, sizeof *wf);
    kr_arena_init(&wf->arena);
    kr_sources_init(&wf->srcs);
    rc = kr_sources_load(&wf->srcs, path, &idx, err);
    if (rc)
        goto fail;
    wf->snakefile = kr_arena_strdup(&wf->arena, path);
    wf->allow_unquoted_wildcards = opts && opts->allow_unquoted_wildcards;
    if (opts) {
        wf->set_scatter = opts->set_scatter;
        wf->nset_scatter = opts->nset_scatter;
        wf->wrapper_prefix = opts->wrapper_prefix;
        wf->s3_endpoint = opts->s3_endpoint;
    }
    I = kr_interp_new(wf, err);
    wf->interp = I;
    wf->config = I->config;
    {
        struct kr_value *wfns = kr_value_ns(I->A, "workflow");
        char *d = dir_of(path);
        kr_dict_sets(I->A, wfns->u.ns.attrs, "basedir", kr_value_cstr(I->A, d));
        kr_dict_sets(I->A, wfns->u.ns.attrs, "current_basedir", kr_value_cstr(I->A, d));
        kr_dict_sets(I->A, wfns->u.ns.attrs, "snakefile", kr_value_cstr(I->A, path));
        kr_dict_sets(I->A, wfns->u.ns.attrs, "cores",
                     kr_value_int(I->A, opts && opts->cores > 0 ? opts->cores : 1));
        kr_builtins_workflow_ns(I, wfns);
        kr_dict_sets(I->A, I->globals, "workflow", wfns);
        kr_free(d);
    }
    rc = build_overwrite(I, opts, err);
    if (rc != KR_OK)
        goto fail;
    rc = kr_parse_file(&wf->arena, &wf->srcs, idx, &module, err);
    if (rc)
        goto fail;
    dir = dir_of(path);
    rc = kr_eval_module(I, module, dir);
    if (rc)
        goto fail;
    wf->nrules = (uint32_t)I->rules.len;
    wf->rules = vec_to_arena(&wf->arena, &I->rules);
    {
        size_t i;
        wf->nconstraints = (uint32_t)I->constraints.len;
        wf->constraints = kr_arena_alloc(&wf->arena, (I->constraints.len + 1) *
                                         sizeof *wf->constraints);
        for (i = 0; i < I->constraints.len; i++)
            wf->constraints[i] = *(struct kr_constraint *)I->constraints.items[i];
        wf->nruleorder = (uint32_t)I->ruleorder.len;
        wf->ruleorder = kr_arena_alloc(&wf->arena, (I->ruleorder.len + 1) *
                                       sizeof *wf->ruleorder);
        for (i = 0; i < I->ruleorder.len; i++)
            wf->ruleorder[i] = *(struct kr_ruleorder *)I->ruleorder.items[i];
    }
    wf->nlocalrules = (uint32_t)I->localrules.len;
    wf->localrules = vec_to_arena(&wf->arena, &I->localrules);
    wf->nconfigfiles = (uint32_t)I->configfiles.len;
    wf->configfiles = vec_to_arena(&wf->arena, &I->configfiles);
    wf->nreadfiles = (uint32_t)I->readfiles.len;
    wf->readfiles = vec_to_arena(&wf->arena, &I->readfiles);
    rc = check_rule_refs(wf, I, err);
    if (rc == KR_OK)
        rc = kr_res_apply_overrides(wf, opts, err);
    if (rc == KR_OK && opts && opts->default_storage)
        rc = default_storage(wf, opts->default_storage, err);
    if (rc != KR_OK)
        goto fail;
    shell_object_hash(wf);
    kr_free(dir);
    *out = wf;
    return KR_OK;
fail:
    kr_free(dir);
    if (rc == KR_NOT_FOUND && err && !err->msg[0])
        kr_error_set(err, KR_NOT_FOUND, "%s: no such file", path);
    kr_workflow_free(wf);
    return rc;
}

void kr_workflow_free(struct kr_workflow *wf)
{
    if (!wf)
        return;
    kr_interp_free(wf->interp);
    kr_sources_free(&wf->srcs);
    kr_arena_free(&wf->arena);
    kr_free(wf);
}

/* ---- rule building ---- */

static const char *const directive_names[] = {
    "input", "output", "params", "log", "benchmark", "threads", "resources", "priority",
    "retries", "shell", "script", "run", "message", "container", "singularity", "conda",
    "wildcard_constraints", "localrule", "default_target", "group", "shadow", "name", "cache",
    "envmodules", "handover", "version",
};

static void warn_conda(struct kr_interp *I)
{
    if (I->warned_conda)
        return;
    I->warned_conda = true;
    fprintf(stderr, "krait: warning: conda: directives are ignored (krait does not create "
                    "conda environments; use container: or tools on PATH)\n");
}

static void flatten_into(struct kr_interp *I, struct kr_value *v, struct kr_vec *out)
{
    size_t n, i;
    struct kr_value **items = kr_value_items(v, &n);
    if (v->type == KR_V_SET) {
        for (i = 0; i < v->u.dict->n; i++)
            if (v->u.dict->keys[i])
                flatten_into(I, v->u.dict->keys[i], out);
        return;
    }
    if (!items && v->type != KR_V_LIST && v->type != KR_V_TUPLE && v->type != KR_V_NAMED) {
        kr_vec_push(out, v);
        return;
    }
    for (i = 0; i < n; i++)
        flatten_into(I, items[i], out);
}

/* The details ensure(sha256=) and report() recorded for the path s. */
static int pat_meta(struct kr_interp *I, const char *directive, const struct kr_node *at,
                    const struct kr_value *s, struct kr_pat *p)
{
    struct kr_value *v;
    bool is_output = !strcmp(directive, "output");
    if ((s->flags & (KR_F_NONEMPTY | KR_F_SHA256)) && !is_output)
        return kr_eval_error_at(I, at, "%s: ensure() applies to output files only", directive);
    if ((s->flags & KR_F_REPORT) && !is_output)
        return kr_eval_error_at(I, at, "%s: report() applies to output files only", directive);
    if ((s->flags & KR_F_SHA256) && I->ensure_sha) {
        v = kr_dict_get(I->ensure_sha, s);
        p->sha256 = v ? v->u.str.s : NULL;
        if (!p->sha256)
            p->flags &= ~KR_F_SHA256;
    }
    if ((s->flags & KR_F_REPORT) && I->reports) {
        struct kr_report *r;
        struct kr_dict *d;
        v = kr_dict_get(I->reports, s);
        if (!v)
            return KR_OK;
        d = v->u.ns.attrs;
        r = kr_arena_zalloc(I->A, sizeof *r);
#define RSTR(f) do { struct kr_value *x_ = kr_dict_gets(d, #f); \
                     r->f = x_ && x_->type == KR_V_STR ? x_->u.str.s : NULL; } while (0)
        RSTR(caption);
        RSTR(category);
        RSTR(subcategory);
        RSTR(htmlindex);
#undef RSTR
        r->labels = kr_dict_gets(d, "labels");
        r->patterns = kr_dict_gets(d, "patterns");
        p->report = r;
    }
    return KR_OK;
}

/* Turn one evaluated item of input:/output:/log:/benchmark: into a kr_ioitem. */
static int make_ioitem(struct kr_interp *I, const char *directive, const struct kr_node *at,
                       const char *name, struct kr_value *v, struct kr_ioitem *it)
{
    struct kr_error perr;
    struct kr_vec flat = KR_VEC_INIT;
    size_t i;
    int rc = KR_OK;
    bool is_input = !strcmp(directive, "input");
    memset(it, 0, sizeof *it);
    it->name = name;
    it->file = at->file;
    it->off = at->off;
    if (kr_value_is_callable(v)) {
        if (!is_input)
            return kr_eval_error_at(I, at, "%s: functions are only allowed in input: (and "
                                    "params:, threads:, resources:)", directive);
        it->fn = v;
        it->flags = v->flags;
        return KR_OK;
    }
    if (v->type == KR_V_STR && v->u.str.repeat > 0) {
        if (strcmp(directive, "benchmark") != 0)
            return kr_eval_error_at(I, at, "%s: repeat() belongs in benchmark:, e.g. "
                                    "benchmark: repeat(\"bench/{sample}.tsv\", 3)", directive);
        it->repeat = v->u.str.repeat;
    }
    if (v->type == KR_V_STR) {
        kr_vec_push(&flat, v);
    } else if (v->type == KR_V_LIST || v->type == KR_V_TUPLE || v->type == KR_V_NAMED ||
               v->type == KR_V_SET) {
        flatten_into(I, v, &flat);
        it->is_list = true;
    } else {
        return kr_eval_error_at(I, at, "%s: expected a file name (string), a list of them%s, "
                                "got %s", directive, is_input ? " or a function" : "",
                                kr_value_type_name(v));
    }
    it->pats = kr_arena_alloc(I->A, (flat.len ? flat.len : 1) * sizeof *it->pats);
    it->npats = (uint32_t)flat.len;
    for (i = 0; i < flat.len; i++) {
        struct kr_value *s = flat.items[i];
        if (s->type != KR_V_STR) {
            rc = kr_eval_error_at(I, at, "%s: expected file names (strings) in the list, got %s",
                                  directive, kr_value_type_name(s));
            goto out;
        }
        kr_error_clear(&perr);
        if (kr_pat_parse(I->A, s->u.str.s, s->flags & ~KR_STR_PATH, &it->pats[i],
                         &perr) != KR_OK) {
            rc = kr_eval_error_at(I, at, "%s: %s", directive, perr.msg);
            goto out;
        }
        rc = pat_meta(I, directive, at, s, &it->pats[i]);
        if (rc != KR_OK)
            goto out;
        if (is_input)
            it->pats[i].from_rule = s->u.str.origin;
    }
out:
    kr_vec_free(&flat);
    return rc;
}

/* Snakemake refuses a rule that lists one output pattern twice: the new
 * item l->items[l->n] against the earlier ones and itself. */
static int no_duplicate_output(struct kr_interp *I, const struct kr_iolist *l,
                               const struct kr_node *at)
{
    const struct kr_ioitem *it = &l->items[l->n];
    uint32_t i, j, k;
    for (k = 0; k < it->npats; k++) {
        const char *p = it->pats[k].text;
        for (j = 0; j < k; j++)
            if (!strcmp(it->pats[j].text, p))
                goto dup;
        for (i = 0; i < l->n; i++)
            for (j = 0; j < l->items[i].npats; j++)
                if (!strcmp(l->items[i].pats[j].text, p))
                    goto dup;
        continue;
dup:
        return kr_eval_error_at(I, at, "output: the pattern '%s' is listed twice (Snakemake: "
                                "duplicate output file pattern); list each output once", p);
    }
    return KR_OK;
}

/* One evaluated item of a directive: its name (NULL: positional), its
 * value and the node to blame. */
struct ditem {
    const char *name;
    struct kr_value *v;
    const struct kr_node *node;
};

/*
 * A directive's items evaluated, with the unpacking Snakemake's directives
 * allow as the call arguments they are: `*seq` gives the elements of a
 * list, tuple or named list, `**mapping` the entries of a dict (or the
 * named entries of a named list) as named items. *out lives in the arena.
 */
static int directive_items(struct kr_interp *I, const struct kr_node *d, struct ditem **out,
                           uint32_t *n)
{
    uint32_t i, cap = d->nkids ? d->nkids : 1;
    struct ditem *it = kr_arena_zalloc(I->A, cap * sizeof *it);
    int rc;
    *n = 0;
    for (i = 0; i < d->nkids; i++) {
        const struct kr_node *k = d->kids[i];
        struct kr_value *v;
        size_t m, nv = 0;
        bool star = k->kind == KR_N_STARRED, dstar = k->kind == KR_N_DSTAR;
        rc = kr_eval_expr(I, k->kind == KR_N_KWARG || star || dstar ? k->a : k, &v);
        if (rc != KR_OK)
            return rc;
        if (!star && !dstar) {
            nv = 1;
        } else if (star && (v->type == KR_V_LIST || v->type == KR_V_TUPLE ||
                            v->type == KR_V_NAMED)) {
            nv = v->type == KR_V_NAMED ? v->u.named.len : v->u.list.len;
        } else if (dstar && v->type == KR_V_DICT) {
            nv = v->u.dict->live;
        } else if (dstar && v->type == KR_V_NAMED) {
            nv = v->u.named.len;
        } else {
            return kr_eval_error_at(I, k, "%s: %s expects a %s, got %s", d->str,
                                    star ? "*" : "**", star ? "list or tuple" : "dict",
                                    kr_value_type_name(v));
        }
        if (*n + nv > cap) {
            struct ditem *bigger;
            while (*n + nv > cap)
                cap *= 2;
            bigger = kr_arena_zalloc(I->A, cap * sizeof *bigger);
            memcpy(bigger, it, *n * sizeof *it);
            it = bigger;
        }
        if (!star && !dstar) {
            it[*n].name = k->kind == KR_N_KWARG ? k->str : NULL;
            it[*n].v = v;
            it[(*n)++].node = k;
        } else if (star) {
            struct kr_value **xs = kr_value_items(v, &nv);
            for (m = 0; m < nv; m++) {
                it[*n].v = xs[m];
                it[(*n)++].node = k;
            }
        } else if (v->type == KR_V_DICT) {
            for (m = 0; m < v->u.dict->n; m++) {
                struct kr_value *key = v->u.dict->keys[m];
                if (!key)
                    continue;
                if (key->type != KR_V_STR)
                    return kr_eval_error_at(I, k, "%s: ** keys must be strings, got %s", d->str,
                                            kr_value_type_name(key));
                it[*n].name = key->u.str.s;
                it[*n].v = v->u.dict->vals[m];
                it[(*n)++].node = k;
            }
        } else {
            for (m = 0; m < v->u.named.len; m++) {
                const char *nm = v->u.named.inames ? v->u.named.inames[m] : NULL;
                if (!nm)
                    continue;
                it[*n].name = nm;
                it[*n].v = v->u.named.items[m];
                it[(*n)++].node = k;
            }
        }
    }
    *out = it;
    return KR_OK;
}

static int build_iolist(struct kr_interp *I, const struct kr_node *d, struct kr_iolist *l)
{
    struct ditem *items;
    uint32_t i, nitems;
    int rc = directive_items(I, d, &items, &nitems);
    if (rc != KR_OK)
        return rc;
    l->items = kr_arena_zalloc(I->A, (nitems ? nitems : 1) * sizeof *l->items);
    l->n = 0;
    for (i = 0; i < nitems; i++) {
        const struct kr_node *k = items[i].node;
        struct kr_value *v = items[i].v;
        const char *name = items[i].name;
        if (name) {
            uint32_t j;
            for (j = 0; j < l->n; j++)
                if (l->items[j].name && !strcmp(l->items[j].name, name))
                    return kr_eval_error_at(I, k, "%s: the name '%s' is used twice", d->str,
                                            name);
            if (!strcmp(name, "keys") || !strcmp(name, "items") || !strcmp(name, "get"))
                return kr_eval_error_at(I, k, "%s: '%s' cannot be used as a name (it is a "
                                        "method of named lists)", d->str, name);
        }
        rc = make_ioitem(I, d->str, k, name, v, &l->items[l->n]);
        if (rc != KR_OK)
            return rc;
        if (!strcmp(d->str, "output")) {
            rc = no_duplicate_output(I, l, k);
            if (rc != KR_OK)
                return rc;
        }
        l->n++;
    }
    return KR_OK;
}

/* Evaluate a directive's items into a named list (params, resources). */
static int build_named(struct kr_interp *I, const struct kr_node *d, const char *kind,
                       bool allow_positional, struct kr_value **out)
{
    struct kr_value *nl = kr_value_named(I->A, kind);
    struct ditem *items;
    uint32_t i, nitems;
    int rc = directive_items(I, d, &items, &nitems);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < nitems; i++) {
        const struct kr_node *k = items[i].node;
        if (items[i].name) {
            if (kr_dict_gets(nl->u.named.names, items[i].name))
                return kr_eval_error_at(I, k, "%s: the name '%s' is used twice", d->str,
                                        items[i].name);
            kr_named_push(I->A, nl, items[i].name, items[i].v);
        } else {
            if (!allow_positional)
                return kr_eval_error_at(I, k, "%s: items must be named (name=value)", d->str);
            kr_named_push(I->A, nl, NULL, items[i].v);
        }
    }
    *out = nl;
    return KR_OK;
}

static int one_value(struct kr_interp *I, const struct kr_node *d, struct kr_value **out)
{
    if (d->nkids != 1 || d->kids[0]->kind == KR_N_KWARG)
        return kr_eval_error_at(I, d, "%s: expects exactly one value", d->str);
    return kr_eval_expr(I, d->kids[0], out);
}

static int one_string(struct kr_interp *I, const struct kr_node *d, const char **out)
{
    struct kr_value *v;
    int rc = one_value(I, d, &v);
    if (rc)
        return rc;
    if (v->type != KR_V_STR)
        return kr_eval_error_at(I, d->kids[0], "%s: expects a string, got %s", d->str,
                                kr_value_type_name(v));
    *out = v->u.str.s;
    return KR_OK;
}

static int one_bool(struct kr_interp *I, const struct kr_node *d, bool *out)
{
    struct kr_value *v;
    int rc = one_value(I, d, &v);
    if (rc)
        return rc;
    if (v->type != KR_V_BOOL)
        return kr_eval_error_at(I, d->kids[0], "%s: expects True or False, got %s", d->str,
                                kr_value_type_name(v));
    *out = v->u.b;
    return KR_OK;
}

static int build_constraints(struct kr_interp *I, const struct kr_node *d,
                             struct kr_constraint **out, uint32_t *n)
{
    uint32_t i;
    int rc;
    *out = kr_arena_zalloc(I->A, (d->nkids ? d->nkids : 1) * sizeof **out);
    *n = 0;
    for (i = 0; i < d->nkids; i++) {
        const struct kr_node *k = d->kids[i];
        struct kr_value *v;
        if (k->kind != KR_N_KWARG)
            return kr_eval_error_at(I, k, "wildcard_constraints: items must be "
                                    "name=\"regex\"");
        rc = kr_eval_expr(I, k->a, &v);
        if (rc != KR_OK)
            return rc;
        if (v->type == KR_V_INT)    /* Snakemake takes str() of it: n=1 matches "1" */
            v = kr_value_cstr(I->A, kr_value_to_str(I->A, v));
        if (v->type != KR_V_STR)
            return kr_eval_error_at(I, k->a, "wildcard_constraints: the constraint of '%s' "
                                    "must be a string (a regex), got %s", k->str,
                                    kr_value_type_name(v));
        (*out)[*n].name = k->str;
        (*out)[*n].regex = v->u.str.s;
        (*n)++;
    }
    return KR_OK;
}

/* Apply one directive to a rule under construction. */
int kr_wf_apply_directive(struct kr_interp *I, struct kr_rule *r, const struct kr_node *d)
{
    const char *dn = d->str;
    struct kr_value *v;
    int rc = KR_OK;
    I->site = d;
    if (!strcmp(dn, "input"))
        return build_iolist(I, d, &r->input);
    if (!strcmp(dn, "output"))
        return build_iolist(I, d, &r->output);
    if (!strcmp(dn, "log"))
        return build_iolist(I, d, &r->log);
    if (!strcmp(dn, "benchmark"))
        return build_iolist(I, d, &r->benchmark);
    if (!strcmp(dn, "params"))
        return build_named(I, d, "params", true, &r->params);
    if (!strcmp(dn, "resources")) {
        size_t i;
        rc = build_named(I, d, "resources", false, &r->resources);
        if (rc != KR_OK)
            return rc;
        for (i = 0; i < r->resources->u.named.len; i++) {
            struct kr_value *x = r->resources->u.named.items[i];
            if (x->type != KR_V_INT && x->type != KR_V_STR && !kr_value_is_callable(x) &&
                x->type != KR_V_FLOAT && x->type != KR_V_BOOL)
                return kr_eval_error_at(I, d->kids[i], "resources: values must be integers, "
                                        "strings or functions, got %s", kr_value_type_name(x));
            if ((x->type == KR_V_INT && x->u.i < 0) || (x->type == KR_V_FLOAT && x->u.f < 0))
                return kr_eval_error_at(I, d->kids[i]->a, "resources: '%s' must not be "
                                        "negative", d->kids[i]->str);
            if (x->type == KR_V_FLOAT && x->u.f != (double)(int64_t)x->u.f)
                return kr_eval_error_at(I, d->kids[i]->a, "resources: '%s' must be an integer "
                                        "(or a string such as \"4GB\"), got %g",
                                        d->kids[i]->str, x->u.f);
        }
        return KR_OK;
    }
    if (!strcmp(dn, "threads")) {
        rc = one_value(I, d, &v);
        if (rc != KR_OK)
            return rc;
        /* Snakemake (Rule.threads): an int, a float (truncated: workflow.cores
         * * 0.75) or a callable */
        if (v->type == KR_V_FLOAT && v->u.f >= 0 && v->u.f < 1e9)
            v = kr_value_int(I->A, (int64_t)v->u.f);
        if (v->type != KR_V_INT && !kr_value_is_callable(v))
            return kr_eval_error_at(I, d->kids[0], "threads: expects an integer or a function, "
                                    "got %s", kr_value_type_name(v));
        if (v->type == KR_V_INT && v->u.i < 0)
            return kr_eval_error_at(I, d->kids[0], "threads: must not be negative");
        r->threads = v;
        return KR_OK;
    }
    if (!strcmp(dn, "priority") || !strcmp(dn, "retries")) {
        rc = one_value(I, d, &v);
        if (rc != KR_OK)
            return rc;
        if (v->type != KR_V_INT)
            return kr_eval_error_at(I, d->kids[0], "%s: expects an integer, got %s", dn,
                                    kr_value_type_name(v));
        if (dn[0] == 'p') {
            if (v->u.i < -1000000 || v->u.i > 1000000)
                return kr_eval_error_at(I, d->kids[0], "priority: out of range");
            r->priority = (int)v->u.i;
        } else {
            if (v->u.i < 0)
                return kr_eval_error_at(I, d->kids[0], "retries: must not be negative");
            r->retries_v = v;
        }
        return KR_OK;
    }
    if (!strcmp(dn, "shell"))
        return one_string(I, d, &r->shell);
    if (!strcmp(dn, "script"))
        return one_string(I, d, &r->script);
    if (!strcmp(dn, "wrapper"))
        return one_string(I, d, &r->wrapper) != KR_OK ? KR_EEVAL : kr_wf_wrapper_resolve(I, r);
    if (!strcmp(dn, "message"))
        return one_string(I, d, &r->message);
    if (!strcmp(dn, "container") || !strcmp(dn, "singularity"))
        return one_string(I, d, &r->container);
    if (!strcmp(dn, "group"))
        return one_string(I, d, &r->group);
    if (!strcmp(dn, "shadow")) {
        /* Snakemake: one of four modes, or True (= "full"); False/None: none */
        rc = one_value(I, d, &v);
        if (rc)
            return rc;
        if (v->type == KR_V_BOOL || v->type == KR_V_NONE) {
            r->shadow = v->type == KR_V_BOOL && v->u.b ? "full" : NULL;
            return KR_OK;
        }
        if (v->type != KR_V_STR || kr_shadow_mode(v->u.str.s) < 0)
            return kr_eval_error_at(I, d->kids[0], "Shadow must either be 'minimal', "
                                    "'copy-minimal', 'shallow', 'full', or True (equivalent "
                                    "to 'full')");
        r->shadow = v->u.str.s;
        return KR_OK;
    }
    if (!strcmp(dn, "name")) {
        const char *nm;
        rc = one_string(I, d, &nm);
        if (rc != KR_OK)
            return rc;
        r->name = nm;
        return KR_OK;
    }
    if (!strcmp(dn, "version"))
        return one_value(I, d, &v);
    if (!strcmp(dn, "conda")) {
        warn_conda(I);
        rc = one_value(I, d, &v);
        if (rc != KR_OK)
            return rc;
        r->conda = kr_value_to_str(I->A, v);
        return KR_OK;
    }
    if (!strcmp(dn, "envmodules")) {
        struct kr_buf b = KR_BUF_INIT;
        uint32_t i;
        for (i = 0; i < d->nkids; i++) {
            rc = kr_eval_expr(I, d->kids[i], &v);
            if (rc != KR_OK) {
                kr_buf_free(&b);
                return rc;
            }
            if (i)
                kr_buf_putc(&b, ' ');
            kr_value_str_buf(v, &b);
        }
        r->envmodules = kr_arena_strdup(I->A, kr_buf_cstr(&b));
        kr_buf_free(&b);
        return KR_OK;
    }
    if (!strcmp(dn, "localrule"))
        return one_bool(I, d, &r->localrule);
    if (!strcmp(dn, "default_target"))
        return one_bool(I, d, &r->default_target);
    if (!strcmp(dn, "handover"))
        return one_bool(I, d, &r->handover);
    if (!strcmp(dn, "cache")) {
        rc = one_value(I, d, &v);
        if (rc != KR_OK)
            return rc;
        r->cache = kr_value_truthy(v);
        return KR_OK;
    }
    if (!strcmp(dn, "wildcard_constraints"))
        return build_constraints(I, d, &r->constraints, &r->nconstraints);
    if (!strcmp(dn, "run")) {
        const struct kr_node *raw = d->nkids ? d->kids[0] : NULL;
        if (!raw || raw->kind != KR_N_RAWBLOCK)
            return kr_eval_error_at(I, d, "run: expects an indented block of Python code");
        r->run_code = raw->str;
        r->run_line = (uint32_t)raw->ival;
        return KR_OK;
    }
    {
        const char *sug = kr_suggest(dn, directive_names, KR_ARRAY_LEN(directive_names));
        if (sug)
            return kr_eval_error_at(I, d, "unknown directive '%s' in rule '%s' (did you mean "
                                    "'%s'?)", dn, r->name, sug);
        return kr_eval_error_at(I, d, "unknown directive '%s' in rule '%s'", dn, r->name);
    }
}

static uint64_t code_hash(const struct kr_rule *r)
{
    uint64_t h = 0x6b72616974ULL;
    if (r->shell)
        h = kr_hash64_seed(r->shell, strlen(r->shell), h ^ 1);
    if (r->script)
        h = kr_hash64_seed(r->script, strlen(r->script), h ^ 2);
    if (r->run_code)
        h = kr_hash64_seed(r->run_code, strlen(r->run_code), h ^ 3);
    if (r->wrapper)
        h = kr_hash64_seed(r->wrapper, strlen(r->wrapper), h ^ 4);
    return h;
}

int kr_wf_register_rule(struct kr_interp *I, struct kr_rule *r, const struct kr_node *at,
                        bool replace)
{
    struct kr_value *old = kr_dict_gets(I->rules_ns->u.ns.attrs, r->name), *rv;
    if (old && old->type == KR_V_RULE && replace) {
        r->index = old->u.rule.rule->index;
        r->code_hash = code_hash(r);
        I->rules.items[r->index] = r;
        old->u.rule.rule = r;
        if (r->checkpoint)
            kr_ckpt_register(I, r);
        return KR_OK;
    }
    if (old && old->type == KR_V_RULE) {
        struct kr_rule *o = old->u.rule.rule;
        int line = 0, col = 0;
        if (o->file < I->srcs->n)
            kr_source_linecol(&I->srcs->files[o->file], o->off, &line, &col);
        return kr_eval_error_at(I, at, "rule '%s' is defined twice (first at %s:%d)", r->name,
                                o->file < I->srcs->n ? I->srcs->files[o->file].path : "?", line);
    }
    r->index = (uint32_t)I->rules.len;
    r->code_hash = code_hash(r);
    kr_vec_push(&I->rules, r);
    rv = kr_arena_zalloc(I->A, sizeof *rv);
    rv->type = KR_V_RULE;
    rv->u.rule.rule = r;
    kr_dict_sets(I->A, I->rules_ns->u.ns.attrs, r->name, rv);
    if (r->checkpoint)
        kr_ckpt_register(I, r);   /* also a `use rule` copy of a checkpoint */
    return KR_OK;
}

static bool is_action(const char *dn)
{
    return !strcmp(dn, "shell") || !strcmp(dn, "script") || !strcmp(dn, "run") ||
           !strcmp(dn, "wrapper");
}

static const char *canonical_directive(const char *dn)
{
    return !strcmp(dn, "singularity") ? "container" : dn;
}

/* Contradictions in a rule's directives, checked before directive k is
 * applied: an action (run:/shell:/script:) after another one, any directive
 * after the action (Snakemake's parser refuses both), and a directive given
 * twice (Snakemake silently keeps the last; krait says so). */
static int check_directive_order(struct kr_interp *I, const struct kr_rule *r,
                                 const struct kr_node *n, uint32_t k)
{
    const struct kr_node *d = n->kids[k];
    const char *dn = canonical_directive(d->str);
    uint32_t i;
    for (i = 0; i < k; i++) {
        const struct kr_node *p = n->kids[i];
        int line = 0, col = 0;
        /* the line is found (a scan of the file) only for an error */
        if (!is_action(p->str) && strcmp(canonical_directive(p->str), dn))
            continue;
        if (p->file < I->srcs->n)
            kr_source_linecol(&I->srcs->files[p->file], p->off, &line, &col);
        if (is_action(p->str) && is_action(d->str))
            return kr_eval_error_at(I, d, "rule '%s' has both %s: (line %d) and %s:; a rule "
                                    "runs one of run:, shell:, script:", r->name, p->str, line,
                                    d->str);
        if (is_action(p->str))
            return kr_eval_error_at(I, d, "rule '%s': %s: after %s: (line %d); no directive may "
                                    "follow run:/shell:/script:, move it above", r->name,
                                    d->str, p->str, line);
        if (strcmp(p->str, d->str))
            return kr_eval_error_at(I, d, "rule '%s': %s: and %s: (line %d) both set the "
                                    "container image; give one of them", r->name, d->str,
                                    p->str, line);
        return kr_eval_error_at(I, d, "rule '%s': %s: is given twice (first at line %d); give "
                                "each directive once, with all its items", r->name, d->str,
                                line);
    }
    return KR_OK;
}

int kr_wf_add_rule(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_rule *r = kr_arena_zalloc(I->A, sizeof *r);
    uint32_t i;
    int rc;
    if (I->moduse)
        return kr_mod_add_rule(I, n);
    if (n->str) {
        r->name = n->str;
    } else {
        /* Snakemake names an anonymous rule after its position: str(number of rules + 1) */
        r->name = kr_arena_printf(I->A, "%zu", I->rules.len + 1);
        I->anon_rules++;
    }
    r->file = n->file;
    r->off = n->off;
    for (i = 0; i < n->nkids; i++) {
        rc = check_directive_order(I, r, n, i);
        if (rc != KR_OK)
            return rc;
        rc = kr_wf_apply_directive(I, r, n->kids[i]);
        if (rc != KR_OK)
            return rc;
    }
    r->checkpoint = (n->flags & KR_RULE_CHECKPOINT) != 0;
    return kr_wf_register_rule(I, r, n, false);
}

int kr_wf_use_rule(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_value *src;
    struct kr_rule *r;
    uint32_t i;
    int rc;
    I->site = n;
    if (n->b)
        return kr_mod_use(I, n);
    if (I->moduse && strcmp(n->str, "*") != 0 && !n->c)
        return kr_mod_use_local(I, n);
    if (!strcmp(n->str, "*"))
        return kr_eval_error_at(I, n, "use rule *: needs a module: `use rule * from MODULE`");
    if (n->c)
        return kr_eval_error_at(I, n, "use rule %s, ...: several rules can only be taken "
                                "from a module (`use rule a, b from MODULE as PREFIX_*`)",
                                n->str);
    src = kr_dict_gets(I->rules_ns->u.ns.attrs, n->str);
    if (!src || src->type != KR_V_RULE) {
        struct kr_value *dummy;
        return kr_eval_getattr(I, I->rules_ns, n->str, &dummy);
    }
    if (!n->a)
        return kr_eval_error_at(I, n, "use rule %s: give the new rule a name with "
                                "`use rule %s as NEWNAME with:`", n->str, n->str);
    r = kr_arena_alloc(I->A, sizeof *r);
    *r = *src->u.rule.rule;
    r->name = n->a->str;
    r->file = n->file;
    r->off = n->off;
    for (i = 0; i < n->nkids; i++) {
        rc = kr_wf_apply_directive(I, r, n->kids[i]);
        if (rc != KR_OK)
            return rc;
    }
    return kr_wf_register_rule(I, r, n, false);
}

/* ---- top-level directives ---- */

static int topdir_configfile(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_value *v, *c, *ow;
    struct kr_error e;
    int rc;
    if (kr_mod_skip_configfile(I))
        return KR_OK;       /* the module was given its own config: */
    rc = one_value(I, n, &v);
    if (rc != KR_OK)
        return rc;
    if (v->type != KR_V_STR)
        return kr_eval_error_at(I, n->kids[0], "configfile: expects a path, got %s",
                                kr_value_type_name(v));
    kr_error_clear(&e);
    rc = kr_config_load_file(I->A, v->u.str.s, &c, &e);
    if (rc == KR_NOT_FOUND) {
        if (I->configfiles.len)     /* given on the command line: fine */
            return KR_OK;
        return kr_eval_error_at(I, n->kids[0], "configfile: '%s' does not exist (paths are "
                                "relative to the working directory)", v->u.str.s);
    }
    if (rc) {
        if (e.file[0] && e.line) {
            *I->err = e;
            return rc;
        }
        return kr_eval_error_at(I, n->kids[0], "configfile: %s", e.msg);
    }
    kr_config_merge(I->A, I->config, c);
    ow = overwrite_config(I);
    if (ow)
        kr_config_merge(I->A, I->config, ow);
    kr_vec_push(&I->configfiles, v->u.str.s);
    return KR_OK;
}

/* `workdir: DIR` as Snakemake applies it: the directory is created if
 * needed and becomes the working directory when the directive is evaluated,
 * so rule paths, later configfile: and glob_wildcards() are relative to it.
 * What is relative to the rule files (includes, script: paths, error
 * locations) must survive the change: their paths are made absolute first
 * (so after a real move, error locations show absolute paths). */
static int topdir_workdir(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_workflow *wf = I->wf;
    char old[PATH_MAX];
    struct kr_error e;
    size_t i;
    int rc = one_string(I, n, &wf->workdir);
    if (rc != KR_OK)
        return rc;
    if (!getcwd(old, sizeof old))
        return kr_eval_error_at(I, n, "workdir: cannot read the current directory: %s",
                                strerror(errno));
    kr_error_clear(&e);
    if (kr_mkdirs(wf->workdir, &e) != KR_OK)
        return kr_eval_error_at(I, n->nkids ? n->kids[0] : n, "workdir: %s", e.msg);
    {
        /* already there (workdir: "." or the -d directory): nothing moves */
        char *want = realpath(wf->workdir, NULL);
        bool same = want && !strcmp(want, old);
        free(want);
        if (same)
            return KR_OK;
    }
    for (i = 0; i < I->includes_dirs.len; i++) {
        char *d = I->includes_dirs.items[i];
        if (d[0] != '/') {
            I->includes_dirs.items[i] = strcmp(d, ".") ? kr_asprintf("%s/%s", old, d)
                                                       : kr_strdup(old);
            kr_free(d);
        }
    }
    for (i = 0; i < I->srcs->n; i++) {
        char *path = I->srcs->files[i].path;
        if (path[0] != '/') {
            I->srcs->files[i].path = kr_asprintf("%s/%s", old, path);
            kr_free(path);
        }
    }
    if (wf->snakefile && wf->snakefile[0] != '/')
        wf->snakefile = kr_arena_printf(&wf->arena, "%s/%s", old, wf->snakefile);
    if (chdir(wf->workdir) != 0)
        return kr_eval_error_at(I, n->nkids ? n->kids[0] : n, "workdir: cannot enter '%s': %s",
                                wf->workdir, strerror(errno));
    return KR_OK;
}

static int topdir_include(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_value *v;
    struct kr_node *module;
    const char *cur = I->includes_dirs.len ? I->includes_dirs.items[I->includes_dirs.len - 1]
                                           : ".";
    char *path, *dir;
    uint16_t idx;
    struct kr_error e;
    int rc;
    rc = one_value(I, n, &v);
    if (rc != KR_OK)
        return rc;
    if (v->type != KR_V_STR)
        return kr_eval_error_at(I, n->kids[0], "include: expects a path, got %s",
                                kr_value_type_name(v));
    if (I->includes_dirs.len > 32)
        return kr_eval_error_at(I, n, "include: nested too deeply (an include cycle?)");
    if (v->u.str.s[0] == '/' || !strcmp(cur, "."))
        path = kr_arena_strdup(I->A, v->u.str.s);
    else
        path = kr_arena_printf(I->A, "%s/%s", cur, v->u.str.s);
    kr_error_clear(&e);
    rc = kr_sources_load(I->srcs, path, &idx, &e);
    if (rc == KR_NOT_FOUND)
        return kr_eval_error_at(I, n->kids[0], "include: '%s' does not exist", path);
    if (rc)
        return kr_eval_error_at(I, n->kids[0], "include: %s", e.msg);
    rc = kr_parse_file(I->A, I->srcs, idx, &module, I->err);
    if (rc)
        return rc;
    dir = dir_of(path);
    rc = kr_eval_module(I, module, dir);
    kr_free(dir);
    return rc;
}

int kr_wf_topdir(struct kr_interp *I, const struct kr_node *n)
{
    const char *dn = n->str;
    struct kr_workflow *wf = I->wf;
    uint32_t i;
    int rc;
    I->site = n;
    if (!strcmp(dn, "configfile"))
        return topdir_configfile(I, n);
    if (!strcmp(dn, "include"))
        return topdir_include(I, n);
    if (!strcmp(dn, "workdir"))
        return topdir_workdir(I, n);
    if (!strcmp(dn, "container") || !strcmp(dn, "singularity"))
        return one_string(I, n, &wf->container);
    if (!strcmp(dn, "conda")) {
        warn_conda(I);
        return KR_OK;
    }
    if (!strcmp(dn, "wildcard_constraints")) {
        struct kr_constraint *c;
        uint32_t nc;
        rc = build_constraints(I, n, &c, &nc);
        if (rc != KR_OK)
            return rc;
        for (i = 0; i < nc; i++)
            kr_vec_push(&I->constraints, &c[i]);
        return KR_OK;
    }
    if (!strcmp(dn, "localrules")) {
        for (i = 0; i < n->nkids; i++) {
            if (n->kids[i]->kind != KR_N_NAME)
                return kr_eval_error_at(I, n->kids[i], "localrules: expects rule names");
            kr_vec_push(&I->localrules, (void *)n->kids[i]->str);
        }
        return KR_OK;
    }
    if (!strcmp(dn, "ruleorder")) {
        struct kr_ruleorder *ro = kr_arena_zalloc(I->A, sizeof *ro);
        ro->names = kr_arena_alloc(I->A, (n->nkids ? n->nkids : 1) * sizeof *ro->names);
        for (i = 0; i < n->nkids; i++) {
            if (n->kids[i]->kind != KR_N_NAME)
                return kr_eval_error_at(I, n->kids[i], "ruleorder: expects rule names");
            ro->names[ro->n++] = n->kids[i]->str;
        }
        kr_vec_push(&I->ruleorder, ro);
        return KR_OK;
    }
    if (!strcmp(dn, "onstart") || !strcmp(dn, "onsuccess") || !strcmp(dn, "onerror")) {
        const struct kr_node *raw = n->nkids ? n->kids[0] : NULL;
        if (!raw || raw->kind != KR_N_RAWBLOCK)
            return kr_eval_error_at(I, n, "%s: expects an indented block of Python code", dn);
        if (dn[2] == 's' && dn[3] == 't') {
            wf->onstart = raw->str;
            wf->onstart_line = (uint32_t)raw->ival;
            wf->onstart_file = raw->file < I->srcs->n ? I->srcs->files[raw->file].path
                                                 : wf->snakefile;
        } else if (dn[2] == 's') {
            wf->onsuccess = raw->str;
            wf->onsuccess_line = (uint32_t)raw->ival;
            wf->onsuccess_file = raw->file < I->srcs->n ? I->srcs->files[raw->file].path
                                                 : wf->snakefile;
        } else {
            wf->onerror = raw->str;
            wf->onerror_line = (uint32_t)raw->ival;
            wf->onerror_file = raw->file < I->srcs->n ? I->srcs->files[raw->file].path
                                                 : wf->snakefile;
        }
        return KR_OK;
    }
    if (!strcmp(dn, "envvars") || !strcmp(dn, "report")) {
        for (i = 0; i < n->nkids; i++) {
            struct kr_value *v;
            rc = kr_eval_expr(I, n->kids[i]->kind == KR_N_KWARG ? n->kids[i]->a : n->kids[i], &v);
            if (rc != KR_OK)
                return rc;
        }
        return KR_OK;
    }
    if (!strcmp(dn, "resource_scopes"))
        return kr_res_topdir_scopes(I, n);
    if (!strcmp(dn, "scattergather"))
        return kr_smk_scattergather(I, n);
    if (!strncmp(dn, "storage", 7) && (dn[7] == '\0' || dn[7] == ' '))
        return kr_storage_topdir(I, n);
    if (!strcmp(dn, "pepfile"))
        return kr_eval_error_at(I, n, "pepfile: is not supported by krait; use read_table() "
                                "for sample sheets");
    return kr_eval_error_at(I, n, "unknown top-level directive '%s'", dn);
}

/* ---- rules.NAME.attr ---- */

/* The named list of a rule's input/output/log/benchmark as written. As
 * Snakemake's rules.NAME (whose items are plain strings), the paths do not
 * carry the IO flags of the rule (temp(), directory() ...), so that they can
 * go into expand() or another rule's output:; only the module marker stays. */
struct kr_value *kr_wf_iolist_value(struct kr_interp *I, const struct kr_iolist *l,
                                    const char *kind)
{
    struct kr_value *nl = kr_value_named(I->A, kind);
    uint32_t i, k;
    for (i = 0; i < l->n; i++) {
        const struct kr_ioitem *it = &l->items[i];
        if (it->fn) {
            kr_named_push(I->A, nl, it->name, it->fn);
            continue;
        }
        if (it->is_list) {
            struct kr_value *lst = kr_value_list(I->A, it->npats);
            for (k = 0; k < it->npats; k++) {
                struct kr_value *s = kr_value_cstr(I->A, it->pats[k].text);
                s->flags = it->pats[k].flags & KR_F_MODPATH;
                kr_list_push(I->A, lst, s);
                kr_named_push(I->A, nl, NULL, s);
            }
            if (it->name)
                kr_named_setname(I->A, nl, it->name, lst);
            continue;
        }
        for (k = 0; k < it->npats; k++) {
            struct kr_value *s = kr_value_cstr(I->A, it->pats[k].text);
            s->flags = it->pats[k].flags & KR_F_MODPATH;
            kr_named_push(I->A, nl, it->name, s);
        }
    }
    return nl;
}

int kr_wf_rule_attr(struct kr_interp *I, struct kr_rule *r, const char *attr,
                    struct kr_value **out)
{
    static const char *const attrs[] = {"input", "output", "log", "benchmark", "params",
                                        "name", "threads", "resources", NULL};
    const char *sug;
    if (!strcmp(attr, "input"))
        *out = kr_wf_iolist_value(I, &r->input, "input");
    else if (!strcmp(attr, "output")) {
        size_t i;
        *out = kr_wf_iolist_value(I, &r->output, "output");
        /* as Snakemake's rules.NAME.output: an input written with it depends
         * on NAME (which resolves an ambiguity with another rule) */
        for (i = 0; i < (*out)->u.named.len; i++)
            if ((*out)->u.named.items[i]->type == KR_V_STR)
                (*out)->u.named.items[i]->u.str.origin = r;
    }
    else if (!strcmp(attr, "log"))
        *out = kr_wf_iolist_value(I, &r->log, "log");
    else if (!strcmp(attr, "benchmark"))
        *out = kr_wf_iolist_value(I, &r->benchmark, "benchmark");
    else if (!strcmp(attr, "params"))
        *out = r->params ? r->params : kr_value_named(I->A, "params");
    else if (!strcmp(attr, "resources"))
        *out = r->resources ? r->resources : kr_value_named(I->A, "resources");
    else if (!strcmp(attr, "name") || !strcmp(attr, "rule"))
        *out = kr_value_cstr(I->A, r->name);
    else if (!strcmp(attr, "threads"))
        *out = r->threads ? r->threads : kr_value_int(I->A, 1);
    else {
        sug = kr_suggest(attr, attrs, KR_ARRAY_LEN(attrs) - 1);
        if (sug)
            return kr_eval_error(I, "rules.%s has no attribute '%s' (did you mean '%s'?)",
                                 r->name, attr, sug);
        return kr_eval_error(I, "rules.%s has no attribute '%s' (it has input, output, log, "
                             "benchmark, params, resources, threads, name)", r->name, attr);
    }
    return KR_OK;
}
