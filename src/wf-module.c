/*
 * wf-module.c - Snakemake's modules: `module NAME:` and
 * `use rule ... from NAME [exclude a, b] [as NEW] [with: ...]`.
 *
 * A module names another Snakefile together with the config it sees
 * (config:), a prefix for its relative file paths (prefix: or the
 * replace_prefix: mapping) and skip_validation:. Nothing is read when the
 * module is defined. As in Snakemake (modules.py, WorkflowModifier), every
 * `use rule` statement evaluates the module's Snakefile afresh, in its own
 * global namespace in which `config` is the module's config and `rules`
 * names the module's own rules by their names in the module; only the
 * selected rules are built. Each of them
 *   - takes the directives given in the statement's `with:` block (evaluated
 *     where the statement stands) in place of its own, keeping the others;
 *   - has its relative input/output/log/benchmark paths prefixed (paths that
 *     are absolute, start with "..", are URLs, or were prefixed before, as
 *     `rules.a.output` inside the module, stay as they are);
 *   - is renamed by `as` (`as M_*` puts the rule's name in place of '*');
 *   - may replace a rule of the same name that an earlier `use rule` made
 *     (the usual `use rule * from M` followed by `use rule a from M with:`).
 * The module's own include:, configfile: and relative paths resolve against
 * the module's Snakefile, as the main Snakefile's do against it; a
 * configfile: inside a module given config: has no effect. After the
 * statement, NAME is a global whose attributes are the module's globals.
 *
 * Snakefiles named by github(...)/gitlab(...) or a URL cannot be fetched:
 * krait works offline, so that is an error naming the URL and the local-path
 * alternative; meta_wrapper: likewise.
 */
#include "eval.h"

#include <libgen.h>
#include <string.h>

/* One `module NAME:` definition. */
struct kr_moddef {
    const char *name;
    const struct kr_node *at;       /* the MODDEF node */
    const struct kr_node *sf_at;    /* the snakefile: value, for errors */
    const char *snakefile;          /* resolved against the defining file's directory */
    const char *dir;                /* directory of snakefile */
    struct kr_value *config;        /* config: (a dict), or NULL: the workflow's config */
    const char *prefix;             /* prefix: ending in '/', or NULL */
    struct kr_value *replace;       /* replace_prefix: dict str -> str, or NULL */
    struct kr_node *tree;           /* the parsed Snakefile, once used */
    struct kr_moddef *next;
};

/* One `use rule ... from NAME` statement while the module is evaluated. */
struct kr_moduse {
    struct kr_moddef *def;
    const struct kr_node *use;      /* the USERULE node: kids = with: directives */
    bool all;                       /* use rule * */
    struct kr_node *const *names;   /* the named source rules (when !all) */
    uint32_t nnames;
    bool *found;                    /* per name: met in the module */
    struct kr_node *const *exclude;
    uint32_t nexclude;
    const char *as;                 /* the `as` name (may hold '*'), or NULL */
    struct kr_rule *overlay;        /* the with: directives applied to an empty rule */
    struct kr_value *local_rules;   /* the module's `rules` */
    struct kr_vec seen;             /* const char *: every rule name met, for messages */
    struct kr_moduse *parent;       /* the use statement being evaluated around this one */
};

bool kr_mod_skip_configfile(const struct kr_interp *I)
{
    return I->moduse && I->moduse->def->config;
}

static struct kr_moddef *find_def(struct kr_interp *I, const char *name)
{
    struct kr_moddef *d;
    for (d = I->moddefs; d; d = d->next)
        if (!strcmp(d->name, name))
            return d;
    return NULL;
}

/* The directory part of `path` ("." when none), in the arena. */
static const char *arena_dir_of(struct kr_interp *I, const char *path)
{
    char *copy = kr_strdup(path);
    const char *d = kr_arena_strdup(I->A, dirname(copy));
    kr_free(copy);
    return d;
}

/* ---- module NAME: ---- */

/* The string value of keyword `kw` of a call's arguments, or NULL. */
static int call_kw(struct kr_interp *I, const struct kr_node *call, const char *kw,
                   const char **out)
{
    uint32_t i;
    struct kr_value *v;
    int rc;
    *out = NULL;
    for (i = 0; i < call->nkids; i++) {
        const struct kr_node *k = call->kids[i];
        if (k->kind != KR_N_KWARG || strcmp(k->str, kw))
            continue;
        rc = kr_eval_expr(I, k->a, &v);
        if (rc != KR_OK)
            return rc;
        *out = kr_value_to_str(I->A, v);
    }
    return KR_OK;
}

/* snakefile: github("owner/repo", path=..., tag=...) or gitlab(...): build
 * the URL Snakemake would download and refuse it. */
static int remote_snakefile(struct kr_interp *I, const struct kr_moddef *def,
                            const struct kr_node *call)
{
    const char *fn = call->a->str, *repo = NULL, *path, *tag, *branch, *commit, *host, *ref;
    const char *url;
    struct kr_value *v;
    int rc;
    if (call->nkids && call->kids[0]->kind != KR_N_KWARG) {
        rc = kr_eval_expr(I, call->kids[0], &v);
        if (rc != KR_OK)
            return rc;
        repo = kr_value_to_str(I->A, v);
    }
    rc = call_kw(I, call, "path", &path);
    if (rc == KR_OK)
        rc = call_kw(I, call, "tag", &tag);
    if (rc == KR_OK)
        rc = call_kw(I, call, "branch", &branch);
    if (rc == KR_OK)
        rc = call_kw(I, call, "commit", &commit);
    if (rc == KR_OK)
        rc = call_kw(I, call, "host", &host);
    if (rc != KR_OK)
        return rc;
    if (!repo)
        rc = call_kw(I, call, "repo", &repo);
    if (rc != KR_OK)
        return rc;
    ref = tag ? tag : branch ? branch : commit ? commit : "HEAD";
    if (!strcmp(fn, "github"))
        url = kr_arena_printf(I->A, "https://github.com/%s/raw/%s/%s", repo ? repo : "?", ref,
                              path ? path : "?");
    else
        url = kr_arena_printf(I->A, "https://%s/%s/-/raw/%s/%s", host ? host : "gitlab.com",
                              repo ? repo : "?", ref, path ? path : "?");
    return kr_eval_error_at(I, call, "module %s: snakefile: %s(...) names %s, which krait "
                            "cannot fetch (it works offline): clone or download the "
                            "repository and give the local path, e.g. snakefile: "
                            "\"%s/%s\"", def->name, fn, url,
                            repo && strchr(repo, '/') ? strchr(repo, '/') + 1 : "REPO",
                            path ? path : "workflow/Snakefile");
}

static int def_snakefile(struct kr_interp *I, struct kr_moddef *def, const struct kr_node *d)
{
    const struct kr_node *e = d->nkids == 1 ? d->kids[0] : NULL;
    const char *cur = I->includes_dirs.len ? I->includes_dirs.items[I->includes_dirs.len - 1]
                                           : ".";
    struct kr_value *v;
    const char *s;
    int rc;
    if (!e || e->kind == KR_N_KWARG)
        return kr_eval_error_at(I, d, "module %s: snakefile: expects one path", def->name);
    if (e->kind == KR_N_CALL && e->a->kind == KR_N_NAME &&
        (!strcmp(e->a->str, "github") || !strcmp(e->a->str, "gitlab")))
        return remote_snakefile(I, def, e);
    rc = kr_eval_expr(I, e, &v);
    if (rc != KR_OK)
        return rc;
    if (v->type != KR_V_STR)
        return kr_eval_error_at(I, e, "module %s: snakefile: expects a path, got %s",
                                def->name, kr_value_type_name(v));
    s = v->u.str.s;
    def->sf_at = e;
    if (strstr(s, "://"))
        return kr_eval_error_at(I, e, "module %s: snakefile: %s is a URL, which krait cannot "
                                "fetch (it works offline): download the file and give its "
                                "local path", def->name, s);
    if (s[0] == '/' || !strcmp(cur, "."))
        def->snakefile = s;
    else
        def->snakefile = kr_arena_printf(I->A, "%s/%s", cur, s);
    def->dir = arena_dir_of(I, def->snakefile);
    return KR_OK;
}

/* One directive of a `module NAME:` body. */
static int def_directive(struct kr_interp *I, struct kr_moddef *def, const struct kr_node *d)
{
    struct kr_value *v;
    size_t i;
    int rc;
    I->site = d;
    if (!strcmp(d->str, "snakefile"))
        return def_snakefile(I, def, d);
    if (!strcmp(d->str, "meta_wrapper"))
        return kr_eval_error_at(I, d, "module %s: meta_wrapper: needs the Snakemake wrapper "
                                "repository, which krait cannot fetch (it works offline): "
                                "download the meta-wrapper's test/Snakefile and give its local "
                                "path as snakefile:", def->name);
    if (d->nkids != 1 || d->kids[0]->kind == KR_N_KWARG)
        return kr_eval_error_at(I, d, "module %s: %s: expects exactly one value", def->name,
                                d->str);
    rc = kr_eval_expr(I, d->kids[0], &v);
    if (rc != KR_OK)
        return rc;
    if (!strcmp(d->str, "config")) {
        if (v->type != KR_V_DICT)
            return kr_eval_error_at(I, d->kids[0], "module %s: config: expects a dict (the "
                                    "config the module sees), got %s", def->name,
                                    kr_value_type_name(v));
        def->config = v;
    } else if (!strcmp(d->str, "prefix")) {
        if (v->type != KR_V_STR)
            return kr_eval_error_at(I, d->kids[0], "module %s: prefix: expects a string, got "
                                    "%s", def->name, kr_value_type_name(v));
        def->prefix = v->u.str.len && v->u.str.s[v->u.str.len - 1] == '/'
                          ? v->u.str.s : kr_arena_printf(I->A, "%s/", v->u.str.s);
    } else if (!strcmp(d->str, "replace_prefix")) {
        if (v->type != KR_V_DICT)
            return kr_eval_error_at(I, d->kids[0], "module %s: replace_prefix: expects a dict "
                                    "{\"old/\": \"new/\"}, got %s", def->name,
                                    kr_value_type_name(v));
        for (i = 0; i < v->u.dict->n; i++)
            if (v->u.dict->keys[i] && (v->u.dict->keys[i]->type != KR_V_STR ||
                                       v->u.dict->vals[i]->type != KR_V_STR))
                return kr_eval_error_at(I, d->kids[0], "module %s: replace_prefix: keys and "
                                        "values must be strings", def->name);
        def->replace = v;
    }
    /* skip_validation: krait does not validate configs against schemas */
    return KR_OK;
}

int kr_mod_define(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_moddef *def = kr_arena_zalloc(I->A, sizeof *def), *old;
    bool has_prefix = false, has_replace = false;
    uint32_t i;
    int rc;
    def->name = n->str;
    def->at = n;
    for (i = 0; i < n->nkids; i++) {
        has_prefix |= !strcmp(n->kids[i]->str, "prefix");
        has_replace |= !strcmp(n->kids[i]->str, "replace_prefix");
        rc = def_directive(I, def, n->kids[i]);
        if (rc != KR_OK)
            return rc;
    }
    if (has_prefix && has_replace)
        return kr_eval_error_at(I, n, "module %s: has both prefix: and replace_prefix:; only "
                                "one of them is allowed", def->name);
    if (!def->snakefile)
        return kr_eval_error_at(I, n, "module %s: has no snakefile: (the path of the "
                                "module's Snakefile)", def->name);
    old = find_def(I, def->name);
    if (old) {
        /* a redefinition replaces the module for later `use rule` statements */
        *old = (struct kr_moddef){.name = def->name, .at = n, .snakefile = def->snakefile,
                                  .sf_at = def->sf_at, .dir = def->dir, .config = def->config,
                                  .prefix = def->prefix, .replace = def->replace,
                                  .next = old->next};
        return KR_OK;
    }
    def->next = I->moddefs;
    I->moddefs = def;
    return KR_OK;
}

/* ---- rules of a module being used ---- */

static bool name_in(struct kr_node *const *names, uint32_t n, const char *name, uint32_t *at)
{
    uint32_t i;
    for (i = 0; i < n; i++) {
        if (!strcmp(names[i]->str, name)) {
            if (at)
                *at = i;
            return true;
        }
    }
    return false;
}

/* The name a module rule gets in the workflow: `as` applied, then the
 * renaming of the use statements around this one (modules in modules). */
static const char *resolve_name(struct kr_interp *I, const struct kr_moduse *u, const char *name)
{
    for (; u; u = u->parent) {
        struct kr_buf b = KR_BUF_INIT;
        const char *s;
        if (!u->as)
            continue;
        for (s = u->as; *s; s++) {
            if (*s == '*')
                kr_buf_puts(&b, name);
            else
                kr_buf_putc(&b, *s);
        }
        name = kr_arena_strdup(I->A, kr_buf_cstr(&b));
        kr_buf_free(&b);
    }
    return name;
}

/* Put the with: directive `dn` of the use statement in place of the rule's. */
static void override(struct kr_rule *r, const struct kr_rule *o, const char *dn)
{
    if (!strcmp(dn, "input"))
        r->input = o->input;
    else if (!strcmp(dn, "output"))
        r->output = o->output;
    else if (!strcmp(dn, "log"))
        r->log = o->log;
    else if (!strcmp(dn, "benchmark"))
        r->benchmark = o->benchmark;
    else if (!strcmp(dn, "params"))
        r->params = o->params;
    else if (!strcmp(dn, "threads"))
        r->threads = o->threads;
    else if (!strcmp(dn, "resources"))
        r->resources = o->resources;
    else if (!strcmp(dn, "retries"))
        r->retries_v = o->retries_v;
    else if (!strcmp(dn, "priority"))
        r->priority = o->priority;
    else if (!strcmp(dn, "shell") || !strcmp(dn, "script") || !strcmp(dn, "run") ||
             !strcmp(dn, "wrapper")) {
        /* one way to run the job: the new one replaces whichever the rule had */
        r->shell = o->shell;
        r->script = o->script;
        r->wrapper = o->wrapper;
        r->wrapper_url = o->wrapper_url;
        r->run_code = o->run_code;
        r->run_line = o->run_line;
    } else if (!strcmp(dn, "message"))
        r->message = o->message;
    else if (!strcmp(dn, "container") || !strcmp(dn, "singularity"))
        r->container = o->container;
    else if (!strcmp(dn, "conda"))
        r->conda = o->conda;
    else if (!strcmp(dn, "group"))
        r->group = o->group;
    else if (!strcmp(dn, "shadow"))
        r->shadow = o->shadow;
    else if (!strcmp(dn, "envmodules"))
        r->envmodules = o->envmodules;
    else if (!strcmp(dn, "localrule"))
        r->localrule = o->localrule;
    else if (!strcmp(dn, "default_target"))
        r->default_target = o->default_target;
    else if (!strcmp(dn, "handover"))
        r->handover = o->handover;
    else if (!strcmp(dn, "cache"))
        r->cache = o->cache;
    else if (!strcmp(dn, "wildcard_constraints")) {
        r->constraints = o->constraints;
        r->nconstraints = o->nconstraints;
    }
}

/* The module's path for `text`, or NULL when it stays as it is. */
static int modify_path(struct kr_interp *I, const struct kr_moddef *def, const char *text,
                       const struct kr_node *at, const char **out)
{
    const struct kr_dict *rp;
    const char *match = NULL, *repl = NULL;
    size_t i;
    *out = NULL;
    if (text[0] == '/' || !strncmp(text, "..", 2) || strstr(text, "://"))
        return KR_OK;
    if (def->prefix) {
        *out = kr_arena_printf(I->A, "%s%s", def->prefix, text);
        return KR_OK;
    }
    if (!def->replace)
        return KR_OK;
    rp = def->replace->u.dict;
    for (i = 0; i < rp->n; i++) {
        const char *k = rp->keys[i] ? rp->keys[i]->u.str.s : NULL;
        if (!k || strncmp(text, k, strlen(k)))
            continue;
        if (match)
            return kr_eval_error_at(I, at, "module %s: replace_prefix: both '%s' and '%s' "
                                    "match the path '%s'; make the prefixes unambiguous",
                                    def->name, match, k, text);
        match = k;
        repl = rp->vals[i]->u.str.s;
    }
    if (match)
        *out = kr_arena_printf(I->A, "%s%s", repl, text + strlen(match));
    return KR_OK;
}

static int modify_iolist(struct kr_interp *I, const struct kr_moddef *def, struct kr_iolist *l,
                         const struct kr_node *at)
{
    struct kr_ioitem *items;
    struct kr_error perr;
    uint32_t i, k;
    int rc;
    if (!l->n || (!def->prefix && !def->replace))
        return KR_OK;
    /* the items may be shared with the rule a with: block came from: copy */
    items = kr_arena_alloc(I->A, l->n * sizeof *items);
    memcpy(items, l->items, l->n * sizeof *items);
    for (i = 0; i < l->n; i++) {
        struct kr_ioitem *it = &items[i];
        struct kr_pat *pats;
        if (it->fn || !it->npats)
            continue;
        pats = kr_arena_alloc(I->A, it->npats * sizeof *pats);
        memcpy(pats, it->pats, it->npats * sizeof *pats);
        for (k = 0; k < it->npats; k++) {
            const char *np, *sha;
            const struct kr_report *rep;
            if (pats[k].flags & KR_F_MODPATH)
                continue;
            rc = modify_path(I, def, pats[k].text, at, &np);
            if (rc != KR_OK)
                return rc;
            if (!np)
                continue;
            kr_error_clear(&perr);
            sha = pats[k].sha256;
            rep = pats[k].report;
            if (kr_pat_parse(I->A, np, pats[k].flags | KR_F_MODPATH, &pats[k], &perr) != KR_OK)
                return kr_eval_error_at(I, at, "module %s: %s", def->name, perr.msg);
            pats[k].sha256 = sha;       /* ensure() and report() stay */
            pats[k].report = rep;
        }
        it->pats = pats;
    }
    l->items = items;
    return KR_OK;
}

static bool skip_rule(const struct kr_moduse *u, const char *name, uint32_t *at)
{
    if (!u->all && !name_in(u->names, u->nnames, name, at))
        return true;
    return name_in(u->exclude, u->nexclude, name, NULL);
}

/* Register rule r, taken from the module under its name there (orig),
 * under its new name; inside the module, rules.ORIG is this rule. */
static int register_taken(struct kr_interp *I, struct kr_moduse *u, struct kr_rule *r,
                          const char *orig, const struct kr_node *n)
{
    struct kr_value *rv;
    int rc;
    r->name = resolve_name(I, u, orig);
    rc = kr_wf_register_rule(I, r, n, true);
    if (rc != KR_OK)
        return rc;
    rv = kr_arena_zalloc(I->A, sizeof *rv);
    rv->type = KR_V_RULE;
    rv->u.rule.rule = r;
    kr_dict_sets(I->A, u->local_rules->u.ns.attrs, orig, rv);
    return KR_OK;
}

int kr_mod_add_rule(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_moduse *u = I->moduse;
    struct kr_rule *r;
    const char *orig = n->str ? n->str : kr_arena_printf(I->A, "%zu", I->rules.len + 1);
    uint32_t i, at = 0;
    int rc;
    kr_vec_push(&u->seen, (void *)orig);
    if (skip_rule(u, orig, &at))
        return KR_OK;
    if (!u->all)
        u->found[at] = true;
    r = kr_arena_zalloc(I->A, sizeof *r);
    r->name = orig;
    r->file = n->file;
    r->off = n->off;
    for (i = 0; i < n->nkids; i++) {
        rc = kr_wf_apply_directive(I, r, n->kids[i]);
        if (rc != KR_OK)
            return rc;
    }
    for (i = 0; u->overlay && i < u->use->nkids; i++)
        override(r, u->overlay, u->use->kids[i]->str);
    rc = modify_iolist(I, u->def, &r->input, n);
    if (rc == KR_OK)
        rc = modify_iolist(I, u->def, &r->output, n);
    if (rc == KR_OK)
        rc = modify_iolist(I, u->def, &r->log, n);
    if (rc == KR_OK)
        rc = modify_iolist(I, u->def, &r->benchmark, n);
    if (rc != KR_OK)
        return rc;
    r->config = I->config != I->wf->config ? I->config : NULL;
    return register_taken(I, u, r, orig, n);
}

int kr_mod_use_local(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_moduse *u = I->moduse;
    struct kr_value *src = kr_dict_gets(u->local_rules->u.ns.attrs, n->str);
    const char *orig;
    struct kr_rule *r;
    uint32_t i, at = 0;
    int rc = KR_OK;
    if (!src || src->type != KR_V_RULE)
        return kr_eval_error_at(I, n, "use rule %s: the module %s has no rule '%s' above this "
                                "line (rules a module uses must be defined before)", n->str,
                                u->def->name, n->str);
    if (!n->a)
        return kr_eval_error_at(I, n, "use rule %s: give the new rule a name with "
                                "`use rule %s as NEWNAME with:`", n->str, n->str);
    orig = n->a->str;
    kr_vec_push(&u->seen, (void *)orig);
    if (skip_rule(u, orig, &at))
        return KR_OK;
    if (!u->all)
        u->found[at] = true;
    r = kr_arena_alloc(I->A, sizeof *r);
    *r = *src->u.rule.rule;      /* already renamed and path-modified */
    r->file = n->file;
    r->off = n->off;
    for (i = 0; i < n->nkids && rc == KR_OK; i++) {
        const char *dn = n->kids[i]->str;
        rc = kr_wf_apply_directive(I, r, n->kids[i]);
        /* what with: gives anew is modified as the module's own paths */
        if (rc == KR_OK && (!strcmp(dn, "input") || !strcmp(dn, "output") ||
                            !strcmp(dn, "log") || !strcmp(dn, "benchmark")))
            rc = modify_iolist(I, u->def, !strcmp(dn, "input") ? &r->input
                                          : !strcmp(dn, "output") ? &r->output
                                          : !strcmp(dn, "log") ? &r->log : &r->benchmark, n);
    }
    for (i = 0; rc == KR_OK && u->overlay && i < u->use->nkids; i++)
        override(r, u->overlay, u->use->kids[i]->str);
    if (rc != KR_OK)
        return rc;
    return register_taken(I, u, r, orig, n);
}

/* ---- use rule ... from NAME ---- */

static int no_module(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_vec names = KR_VEC_INIT;
    struct kr_moddef *d;
    const char *sug;
    int rc;
    if (I->poisoned &&
        kr_dict_gets(I->poisoned, kr_arena_printf(I->A, "module %s", n->b->str))) {
        /* its `module` statement failed and was reported: a consequence */
        rc = kr_eval_error_at(I, n->b, "use rule ... from %s: the module's definition failed",
                              n->b->str);
        I->cascade = true;
        return rc;
    }
    for (d = I->moddefs; d; d = d->next)
        kr_vec_push(&names, (void *)d->name);
    sug = names.len ? kr_suggest(n->b->str, (const char *const *)names.items, names.len)
                    : NULL;
    if (sug)
        rc = kr_eval_error_at(I, n->b, "use rule ... from %s: no module named '%s' (did you "
                              "mean '%s'?)", n->b->str, n->b->str, sug);
    else
        rc = kr_eval_error_at(I, n->b, "use rule ... from %s: no module named '%s' (define "
                              "it before this statement with `module %s:` and its "
                              "snakefile:)", n->b->str, n->b->str, n->b->str);
    kr_vec_free(&names);
    return rc;
}

/* The rule names of the statement and their checks (Snakemake's own). */
static int use_names(struct kr_interp *I, const struct kr_node *n, struct kr_moduse *u)
{
    u->all = !strcmp(n->str, "*");
    if (n->c) {
        u->names = n->c->kids;
        u->nnames = n->c->nkids;
    } else if (!u->all) {
        u->nnames = 1;      /* u->names is set by the caller */
    }
    u->exclude = n->b->kids;
    u->nexclude = n->b->nkids;
    u->as = n->a ? n->a->str : NULL;
    if (u->nexclude && !u->all)
        return kr_eval_error_at(I, n->b->kids[0], "use rule ... exclude: only `use rule * "
                                "from %s exclude ...` can exclude rules", n->b->str);
    if (u->as && !strchr(u->as, '*') && (u->all || u->nnames > 1))
        return kr_eval_error_at(I, n->a, "use rule: several rules are used but the new name "
                                "'%s' has no '*' to put each rule's name in (e.g. `as %s_*`)",
                                u->as, n->b->str);
    return KR_OK;
}

/* Evaluate the module's Snakefile for the statement u, in the module's own
 * globals; restores the caller's state whatever happens. */
static int eval_module(struct kr_interp *I, struct kr_moduse *u)
{
    struct kr_moddef *def = u->def;
    struct kr_dict *saved_globals = I->globals, *g;
    struct kr_value *saved_config = I->config, *wfv, *ns;
    struct kr_moduse *saved_use = I->moduse;
    size_t i;
    int rc;
    if (!def->tree) {
        struct kr_error e;
        uint16_t idx;
        kr_error_clear(&e);
        rc = kr_sources_load(I->srcs, def->snakefile, &idx, &e);
        if (rc == KR_NOT_FOUND)
            return kr_eval_error_at(I, def->sf_at, "module %s: snakefile '%s' does not exist "
                                    "(a relative path is relative to the file that defines "
                                    "the module)", def->name, def->snakefile);
        if (rc)
            return kr_eval_error_at(I, def->sf_at, "module %s: %s", def->name, e.msg);
        rc = kr_parse_file(I->A, I->srcs, idx, &def->tree, I->err);
        if (rc)
            return rc;
    }
    if (I->includes_dirs.len > 32)
        return kr_eval_error_at(I, u->use, "use rule: modules nested too deeply (a module "
                                "that uses itself?)");
    g = kr_dict_new(I->A);
    if (def->config)
        I->config = def->config;
    kr_dict_sets(I->A, g, "config", I->config);
    u->local_rules = kr_value_ns(I->A, "rules");
    kr_dict_sets(I->A, g, "rules", u->local_rules);
    wfv = kr_dict_gets(saved_globals, "workflow");
    if (wfv)
        kr_dict_sets(I->A, g, "workflow", wfv);
    I->globals = g;
    u->parent = saved_use;
    I->moduse = u;
    rc = kr_eval_module(I, def->tree, def->dir);
    I->moduse = saved_use;
    I->globals = saved_globals;
    I->config = saved_config;
    if (rc != KR_OK)
        return rc;
    /* NAME.var reads the module's globals afterwards, as in Snakemake */
    ns = kr_value_ns(I->A, def->name);
    for (i = 0; i < g->n; i++)
        if (g->keys[i])
            kr_dict_sets(I->A, ns->u.ns.attrs, g->keys[i]->u.str.s, g->vals[i]);
    kr_dict_sets(I->A, I->globals, def->name, ns);
    return KR_OK;
}

int kr_mod_use(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_moduse u;
    struct kr_node *single[1];
    uint32_t i;
    int rc;
    I->site = n;
    memset(&u, 0, sizeof u);
    u.use = n;
    u.def = find_def(I, n->b->str);
    if (!u.def)
        return no_module(I, n);
    rc = use_names(I, n, &u);
    if (rc != KR_OK)
        return rc;
    if (!u.all && !n->c) {
        single[0] = (struct kr_node *)n;    /* its str is the one source name */
        u.names = single;
    }
    if (n->nkids) {
        /* with: is evaluated here, in the namespace of the using file */
        u.overlay = kr_arena_zalloc(I->A, sizeof *u.overlay);
        u.overlay->name = u.as ? u.as : n->str;
        for (i = 0; i < n->nkids; i++) {
            rc = kr_wf_apply_directive(I, u.overlay, n->kids[i]);
            if (rc != KR_OK)
                return rc;
        }
    }
    u.found = kr_arena_zalloc(I->A, (u.nnames ? u.nnames : 1) * sizeof *u.found);
    rc = eval_module(I, &u);
    for (i = 0; rc == KR_OK && i < u.nnames; i++) {
        const char *want = u.names[i]->str, *sug;
        if (u.found[i])
            continue;
        sug = u.seen.len ? kr_suggest(want, (const char *const *)u.seen.items, u.seen.len)
                         : NULL;
        rc = kr_eval_error_at(I, u.nnames > 1 ? u.names[i] : n, "use rule %s from %s: the "
                              "module's Snakefile %s has no rule '%s'%s%s%s", want,
                              u.def->name, u.def->snakefile, want, sug ? " (did you mean '" : "",
                              sug ? sug : "", sug ? "'?)" : "");
    }
    kr_vec_free(&u.seen);
    return rc;
}
