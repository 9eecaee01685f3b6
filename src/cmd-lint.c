/*
 * cmd-lint.c - `krait lint [-s FILE] [--json] [--config k=v ...]
 * [--configfile F ...]`: load and evaluate the rule file and list its rules
 * (inputs, outputs as written, params, threads, resources, shell, flags),
 * in a human form or as a stable JSON document (keys sorted). Exit 0 when
 * the workflow loads, 1 with the error on stderr otherwise, 2 on bad usage.
 * Warnings (unquoted wildcard-derived fields in shell:) go to stderr as
 * "FILE:LINE: warning: ..." and change neither the exit status nor the JSON.
 *
 * The JSON document:
 *   { "snakefile": str, "workdir": str|null, "container": str|null,
 *     "config": {...}, "configfiles": [str], "localrules": [str],
 *     "readfiles": [str] (files read with open(); absent when none),
 *     "ruleorder": [[str]], "wildcard_constraints": {name: regex},
 *     "onstart"/"onsuccess"/"onerror": str|null (the Python source),
 *     "rules": [ { "name", "location" ("file:line"), "input", "output", "log",
 *                  "benchmark" (lists of items), "params" ({"positional",
 *                  "named"} or null), "threads" (int, "<lambda>" or null),
 *                  "resources" ({name: value} or null), "priority",
 *                  "retries", "shell", "script", "run" (source or null),
 *                  "message", "container", "group", "shadow", "envmodules",
 *                  "conda", "flags" ([localrule, default_target, cache,
 *                  handover] that are set), "wildcard_constraints" } ] }
 *   An item: { "name": str|null, "files": [str] | "function": "<lambda>",
 *              "list": bool, "flags": ["temp", ...] }; an output item with
 *              ensure(sha256=) adds "sha256": [digest per file], one with
 *              report() adds "report": [{"file", "caption", "category",
 *              "subcategory", "htmlindex", "labels", "patterns"} per file]
 *              (the keys of what was given).
 */
#include "cmd.h"
#include "eval.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Line numbers of rules: kr_source_linecol scans from the file's start, so
 * for thousands of rules we index each file's line starts once and
 * binary-search them. */
struct lines {
    uint32_t **starts;      /* per source file, or NULL until needed */
    size_t *n;
    size_t nfiles;
};

static struct lines g_lines;

static int rule_line(const struct kr_workflow *wf, const struct kr_rule *r)
{
    const struct kr_source *src;
    uint32_t *st;
    size_t lo, hi;
    if (r->file >= wf->srcs.n)
        return 0;
    if (!g_lines.starts) {
        g_lines.nfiles = wf->srcs.n;
        g_lines.starts = kr_calloc(wf->srcs.n, sizeof *g_lines.starts);
        g_lines.n = kr_calloc(wf->srcs.n, sizeof *g_lines.n);
    }
    src = &wf->srcs.files[r->file];
    if (!g_lines.starts[r->file]) {
        size_t i, n = 1;
        for (i = 0; i < src->len; i++)
            n += src->text[i] == '\n';
        st = kr_malloc(n * sizeof *st);
        st[0] = 0;
        for (i = 0, n = 1; i < src->len; i++)
            if (src->text[i] == '\n')
                st[n++] = (uint32_t)(i + 1);
        g_lines.starts[r->file] = st;
        g_lines.n[r->file] = n;
    }
    st = g_lines.starts[r->file];
    lo = 0;
    hi = g_lines.n[r->file];
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (st[mid] <= r->off)
            lo = mid;
        else
            hi = mid;
    }
    return (int)lo + 1;
}

static void lines_free(void)
{
    size_t i;
    for (i = 0; i < g_lines.nfiles; i++)
        kr_free(g_lines.starts[i]);
    kr_free(g_lines.starts);
    kr_free(g_lines.n);
    memset(&g_lines, 0, sizeof g_lines);
}

static const struct {
    uint32_t bit;
    const char *name;
} flag_names[] = {
    {KR_F_TEMP, "temp"}, {KR_F_PROTECTED, "protected"}, {KR_F_DIRECTORY, "directory"},
    {KR_F_TOUCH, "touch"}, {KR_F_ANCIENT, "ancient"}, {KR_F_PIPE, "pipe"},
    {KR_F_UPDATE, "update"}, {KR_F_BEFORE_UPDATE, "before_update"}, {KR_F_SERVICE, "service"},
    {KR_F_UNPACK, "unpack"}, {KR_F_NONEMPTY, "ensure_non_empty"}, {KR_F_SHA256, "ensure_sha256"},
    {KR_F_REPORT, "report"}, {KR_F_LOCAL, "local"},
};

/* report() details of one pattern. */
static json_t *report_json(const struct kr_pat *p)
{
    const struct kr_report *r = p->report;
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(p->text));
    if (r->caption)
        json_object_set_new(o, "caption", json_string(r->caption));
    if (r->category)
        json_object_set_new(o, "category", json_string(r->category));
    if (r->subcategory)
        json_object_set_new(o, "subcategory", json_string(r->subcategory));
    if (r->htmlindex)
        json_object_set_new(o, "htmlindex", json_string(r->htmlindex));
    if (r->labels && r->labels->type != KR_V_NONE)
        json_object_set_new(o, "labels", kr_value_to_json(r->labels));
    if (r->patterns && r->patterns->type != KR_V_NONE)
        json_object_set_new(o, "patterns", kr_value_to_json(r->patterns));
    return o;
}

static json_t *flags_json(uint32_t flags)
{
    json_t *a = json_array();
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(flag_names); i++)
        if (flags & flag_names[i].bit)
            json_array_append_new(a, json_string(flag_names[i].name));
    return a;
}

static uint32_t item_flags(const struct kr_ioitem *it)
{
    uint32_t f = it->fn ? it->flags : 0, k;
    for (k = 0; k < it->npats; k++)
        f |= it->pats[k].flags;
    return f;
}

static json_t *iolist_json(const struct kr_iolist *l)
{
    json_t *a = json_array();
    uint32_t i, k;
    for (i = 0; i < l->n; i++) {
        const struct kr_ioitem *it = &l->items[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", it->name ? json_string(it->name) : json_null());
        if (it->fn) {
            json_object_set_new(o, "function", kr_value_to_json(it->fn));
        } else {
            json_t *files = json_array();
            for (k = 0; k < it->npats; k++)
                json_array_append_new(files, json_string(it->pats[k].text));
            json_object_set_new(o, "files", files);
        }
        json_object_set_new(o, "list", json_boolean(it->is_list));
        json_object_set_new(o, "flags", flags_json(item_flags(it)));
        {
            json_t *sha = NULL, *rep = NULL;
            for (k = 0; k < it->npats; k++) {
                if (it->pats[k].sha256) {
                    if (!sha)
                        sha = json_array();
                    json_array_append_new(sha, json_string(it->pats[k].sha256));
                }
                if (it->pats[k].report) {
                    if (!rep)
                        rep = json_array();
                    json_array_append_new(rep, report_json(&it->pats[k]));
                }
            }
            if (sha)
                json_object_set_new(o, "sha256", sha);
            if (rep)
                json_object_set_new(o, "report", rep);
        }
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *constraints_json(const struct kr_constraint *c, uint32_t n)
{
    json_t *o = json_object();
    uint32_t i;
    for (i = 0; i < n; i++)
        json_object_set_new(o, c[i].name, json_string(c[i].regex));
    return o;
}

static json_t *rule_json(const struct kr_workflow *wf, const struct kr_rule *r)
{
    json_t *o = json_object(), *fl = json_array();
    char loc[600];
    if (r->file < wf->srcs.n) {
        snprintf(loc, sizeof loc, "%s:%d", wf->srcs.files[r->file].path, rule_line(wf, r));
    } else {
        snprintf(loc, sizeof loc, "?");
    }
    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "location", json_string(loc));
    json_object_set_new(o, "input", iolist_json(&r->input));
    json_object_set_new(o, "output", iolist_json(&r->output));
    json_object_set_new(o, "log", iolist_json(&r->log));
    json_object_set_new(o, "benchmark", iolist_json(&r->benchmark));
    json_object_set_new(o, "params", r->params ? kr_value_to_json(r->params) : json_null());
    json_object_set_new(o, "threads", r->threads ? kr_value_to_json(r->threads) : json_null());
    if (r->resources) {
        json_t *named = kr_value_to_json(r->resources);
        json_object_set(o, "resources", json_object_get(named, "named"));
        json_decref(named);
    } else {
        json_object_set_new(o, "resources", json_null());
    }
    json_object_set_new(o, "priority", json_integer(r->priority));
    json_object_set_new(o, "retries", r->retries_v ? kr_value_to_json(r->retries_v) : json_null());
    json_object_set_new(o, "shell", str_or_null(r->shell));
    json_object_set_new(o, "script", str_or_null(r->script));
    json_object_set_new(o, "run", str_or_null(r->run_code));
    json_object_set_new(o, "message", str_or_null(r->message));
    json_object_set_new(o, "container", str_or_null(r->container));
    json_object_set_new(o, "group", str_or_null(r->group));
    json_object_set_new(o, "shadow", str_or_null(r->shadow));
    json_object_set_new(o, "envmodules", str_or_null(r->envmodules));
    json_object_set_new(o, "conda", str_or_null(r->conda));
    if (r->localrule)
        json_array_append_new(fl, json_string("localrule"));
    if (r->default_target)
        json_array_append_new(fl, json_string("default_target"));
    if (r->cache)
        json_array_append_new(fl, json_string("cache"));
    if (r->handover)
        json_array_append_new(fl, json_string("handover"));
    json_object_set_new(o, "flags", fl);
    json_object_set_new(o, "wildcard_constraints",
                        constraints_json(r->constraints, r->nconstraints));
    return o;
}

static void print_json(const struct kr_workflow *wf)
{
    json_t *o = json_object(), *rules = json_array(), *a;
    uint32_t i, k;
    char *s;
    json_object_set_new(o, "snakefile", json_string(wf->snakefile));
    json_object_set_new(o, "workdir", str_or_null(wf->workdir));
    json_object_set_new(o, "container", str_or_null(wf->container));
    json_object_set_new(o, "config", kr_value_to_json(wf->config));
    a = json_array();
    for (i = 0; i < wf->nconfigfiles; i++)
        json_array_append_new(a, json_string(wf->configfiles[i]));
    json_object_set_new(o, "configfiles", a);
    if (wf->nreadfiles) {       /* only when open() was used: older documents stay as they were */
        a = json_array();
        for (i = 0; i < wf->nreadfiles; i++)
            json_array_append_new(a, json_string(wf->readfiles[i]));
        json_object_set_new(o, "readfiles", a);
    }
    a = json_array();
    for (i = 0; i < wf->nlocalrules; i++)
        json_array_append_new(a, json_string(wf->localrules[i]));
    json_object_set_new(o, "localrules", a);
    a = json_array();
    for (i = 0; i < wf->nruleorder; i++) {
        json_t *chain = json_array();
        for (k = 0; k < wf->ruleorder[i].n; k++)
            json_array_append_new(chain, json_string(wf->ruleorder[i].names[k]));
        json_array_append_new(a, chain);
    }
    json_object_set_new(o, "ruleorder", a);
    json_object_set_new(o, "wildcard_constraints",
                        constraints_json(wf->constraints, wf->nconstraints));
    json_object_set_new(o, "onstart", str_or_null(wf->onstart));
    json_object_set_new(o, "onsuccess", str_or_null(wf->onsuccess));
    json_object_set_new(o, "onerror", str_or_null(wf->onerror));
    for (i = 0; i < wf->nrules; i++)
        json_array_append_new(rules, rule_json(wf, wf->rules[i]));
    json_object_set_new(o, "rules", rules);
    s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(o);
}

static void print_iolist(const char *label, const struct kr_iolist *l)
{
    uint32_t i, k;
    size_t f;
    if (!l->n)
        return;
    printf("    %-11s", label);
    for (i = 0; i < l->n; i++) {
        const struct kr_ioitem *it = &l->items[i];
        uint32_t fl = item_flags(it);
        if (i)
            printf(", ");
        if (it->name)
            printf("%s=", it->name);
        if (it->fn) {
            struct kr_buf b = KR_BUF_INIT;
            kr_value_str_buf(it->fn, &b);
            printf("%s", kr_buf_cstr(&b));
            kr_buf_free(&b);
        } else {
            if (it->is_list)
                printf("[");
            for (k = 0; k < it->npats; k++)
                printf("%s%s", k ? ", " : "", it->pats[k].text);
            if (it->is_list)
                printf("]");
        }
        for (f = 0; f < KR_ARRAY_LEN(flag_names); f++)
            if (fl & flag_names[f].bit)
                printf(" (%s)", flag_names[f].name);
    }
    printf("\n");
}

static void print_value_line(const char *label, const struct kr_value *v)
{
    struct kr_buf b = KR_BUF_INIT;
    size_t i;
    if (!v)
        return;
    if (v->type == KR_V_NAMED) {
        for (i = 0; i < v->u.named.len; i++) {
            const char *nm = kr_named_item_name(v, i);
            if (i)
                kr_buf_puts(&b, ", ");
            if (nm)
                kr_buf_printf(&b, "%s=", nm);
            kr_value_repr_buf(v->u.named.items[i], &b);
        }
    } else {
        kr_value_repr_buf(v, &b);
    }
    printf("    %-11s%s\n", label, kr_buf_cstr(&b));
    kr_buf_free(&b);
}

static void print_text(const char *label, const char *s)
{
    const char *p;
    if (!s)
        return;
    printf("    %-11s", label);
    for (p = s; *p; p++) {
        putchar(*p);
        if (*p == '\n' && p[1])
            printf("    %-11s", "");
    }
    if (p > s && p[-1] != '\n')
        putchar('\n');
}

static void print_human(const struct kr_workflow *wf)
{
    uint32_t i;
    printf("%u rule%s in %s\n", wf->nrules, wf->nrules == 1 ? "" : "s", wf->snakefile);
    for (i = 0; i < wf->nrules; i++) {
        const struct kr_rule *r = wf->rules[i];
        char th[32];
        printf("\nrule %s (%s:%d)\n", r->name,
               r->file < wf->srcs.n ? wf->srcs.files[r->file].path : "?", rule_line(wf, r));
        print_iolist("input:", &r->input);
        print_iolist("output:", &r->output);
        print_iolist("log:", &r->log);
        print_iolist("benchmark:", &r->benchmark);
        print_value_line("params:", r->params);
        if (r->threads && r->threads->type == KR_V_INT) {
            snprintf(th, sizeof th, "%lld", (long long)r->threads->u.i);
            print_text("threads:", th);
        } else if (r->threads) {
            print_value_line("threads:", r->threads);
        }
        print_value_line("resources:", r->resources);
        if (r->priority) {
            snprintf(th, sizeof th, "%d", r->priority);
            print_text("priority:", th);
        }
        print_value_line("retries:", r->retries_v);
        print_text("shell:", r->shell);
        print_text("script:", r->script);
        print_text("run:", r->run_code);
        print_text("message:", r->message);
        print_text("container:", r->container);
        if (r->localrule || r->default_target || r->cache || r->handover) {
            printf("    %-11s%s%s%s%s\n", "flags:", r->localrule ? "localrule " : "",
                   r->default_target ? "default_target " : "", r->cache ? "cache " : "",
                   r->handover ? "handover" : "");
        }
    }
}

/* Does any output pattern of r have wildcards? */
static bool has_wildcards(const struct kr_rule *r)
{
    uint32_t i, k;
    for (i = 0; i < r->output.n; i++)
        for (k = 0; k < r->output.items[i].npats; k++)
            if (r->output.items[i].pats[k].nwildcards)
                return true;
    return false;
}

/*
 * Warnings (on stderr; the exit status and the JSON document do not change):
 * in the shell: command of a rule with wildcards, a field {input...},
 * {output...}, {log...} or {wildcards...} without the :q flag. Its value
 * comes from file names, which may hold spaces (the command then sees two
 * words) or shell characters (krait run refuses those unquoted). Returns
 * the number of warnings.
 */
static int warn_unquoted(const struct kr_workflow *wf)
{
    static const char *const names[] = {"input", "output", "log", "wildcards"};
    uint32_t i;
    size_t k, m;
    int n = 0;
    for (i = 0; i < wf->nrules; i++) {
        const struct kr_rule *r = wf->rules[i];
        const char *s = r->shell, *f, *e, *colon;
        if (!s || !has_wildcards(r))
            continue;
        for (k = 0; s[k]; k++) {
            if (s[k] == '{' && s[k + 1] == '{') {
                k++;
                continue;
            }
            if (s[k] != '{')
                continue;
            f = s + k + 1;
            e = strchr(f, '}');
            if (!e)
                break;
            colon = memchr(f, ':', (size_t)(e - f));
            for (m = 0; m < sizeof names / sizeof *names; m++) {
                size_t nl = strlen(names[m]);
                if (strncmp(f, names[m], nl) || (f + nl < e && f[nl] != '.' && f[nl] != '[' &&
                                                 f[nl] != ':' && f[nl] != '!'))
                    continue;
                if (colon && e - colon == 2 && colon[1] == 'q')
                    break;
                fprintf(stderr, "%s:%d: warning: rule '%s', shell: {%.*s} is not quoted; its "
                        "value comes from file names, which may contain spaces or shell "
                        "characters: write {%.*s:q}\n",
                        r->file < wf->srcs.n ? wf->srcs.files[r->file].path : "?",
                        rule_line(wf, r), r->name, (int)(e - f), f,
                        (int)((colon ? colon : e) - f), f);
                n++;
                break;
            }
            k = (size_t)(e - s);
        }
    }
    return n;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: krait lint [-s FILE] [--json] [--config KEY=VALUE ...] "
               "[--configfile FILE ...]\n");
}

static int lint_run(int argc, char **argv)
{
    struct kr_load_opts opts;
    struct kr_workflow *wf = NULL;
    struct kr_error err;
    const char **cfiles, **kvs;
    bool json = false;
    int i, rc;
    memset(&opts, 0, sizeof opts);
    cfiles = kr_calloc((size_t)argc + 1, sizeof *cfiles);
    kvs = kr_calloc((size_t)argc + 1, sizeof *kvs);
    opts.configfiles = cfiles;
    opts.config_kv = kvs;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            rc = 0;
            goto out;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if ((!strcmp(a, "-s") || !strcmp(a, "--snakefile")) && i + 1 < argc) {
            opts.snakefile = argv[++i];
        } else if (!strcmp(a, "--configfile") || !strcmp(a, "--configfiles")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "krait lint: --configfile needs a file\n");
                rc = 2;
                goto out;
            }
            while (i + 1 < argc && argv[i + 1][0] != '-')
                cfiles[opts.nconfigfiles++] = argv[++i];
        } else if (!strcmp(a, "--config") || !strcmp(a, "-C")) {
            if (i + 1 >= argc || !strchr(argv[i + 1], '=')) {
                fprintf(stderr, "krait lint: --config needs KEY=VALUE\n");
                rc = 2;
                goto out;
            }
            while (i + 1 < argc && argv[i + 1][0] != '-' && strchr(argv[i + 1], '='))
                kvs[opts.nconfig_kv++] = argv[++i];
        } else {
            fprintf(stderr, "krait lint: unknown option '%s'\n", a);
            usage(stderr);
            rc = 2;
            goto out;
        }
    }
    kr_error_clear(&err);
    rc = kr_workflow_load(&opts, &wf, &err);
    if (rc != KR_OK) {
        kr_error_print(&err, stderr);
        rc = rc == KR_EUSAGE ? 2 : 1;
        goto out;
    }
    warn_unquoted(wf);
    if (json)
        print_json(wf);
    else
        print_human(wf);
    rc = 0;
out:
    lines_free();
    kr_workflow_free(wf);
    kr_free(cfiles);
    kr_free(kvs);
    return rc;
}

const struct kr_cmd kr_cmd_lint = {
    .name = "lint",
    .summary = "load the rule file and list its rules (--json for a JSON document)",
    .run = lint_run,
};
