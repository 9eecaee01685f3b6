/*
 * profile.c - finding and reading execution profiles (profile.h): the
 * search path for a profile name, the choice of config file in a profile
 * directory, and the walk over its YAML (libyaml's document API, so every
 * value keeps its line) that turns each key into the option arguments it
 * stands for.
 */
#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int kr_profile_find(const char *name, char **dir, struct kr_error *err)
{
    const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
    char *cand[4];
    struct kr_buf looked;
    int i, n = 0, rc;

    *dir = NULL;
    if (strchr(name, '/') || is_dir(name)) {
        if (is_dir(name)) {
            *dir = kr_strdup(name);
            return KR_OK;
        }
        return kr_error_set(err, KR_NOT_FOUND, "profile %s: no such directory", name);
    }
    if (xdg && *xdg)
        cand[n++] = kr_asprintf("%s/krait/%s", xdg, name);
    else if (home && *home)
        cand[n++] = kr_asprintf("%s/.config/krait/%s", home, name);
    if (home && *home)
        cand[n++] = kr_asprintf("%s/.config/snakemake/%s", home, name);
    cand[n++] = kr_asprintf("/etc/xdg/krait/%s", name);
    cand[n++] = kr_asprintf("/etc/xdg/snakemake/%s", name);
    for (i = 0; i < n && !*dir; i++)
        if (is_dir(cand[i]))
            *dir = kr_strdup(cand[i]);
    if (*dir) {
        rc = KR_OK;
    } else {
        kr_buf_init(&looked);
        for (i = 0; i < n; i++)
            kr_buf_printf(&looked, "%s%s", i ? ", " : "", cand[i]);
        rc = kr_error_set(err, KR_NOT_FOUND, "profile '%s' not found (looked in %s; a path to "
                          "a profile directory works too)", name, kr_buf_cstr(&looked));
        kr_buf_free(&looked);
    }
    for (i = 0; i < n; i++)
        kr_free(cand[i]);
    return rc;
}

/* $VAR and ${VAR} from the environment; unknown names stay as written. */
static char *expand_env(const char *s)
{
    struct kr_buf b;
    char *out;
    kr_buf_init(&b);
    kr_buf_reserve(&b, 1);
    while (*s) {
        const char *start = s, *name, *end;
        bool brace;
        if (*s != '$') {
            kr_buf_putc(&b, *s++);
            continue;
        }
        brace = s[1] == '{';
        name = s + 1 + brace;
        end = name;
        while ((*end >= 'A' && *end <= 'Z') || (*end >= 'a' && *end <= 'z') ||
               (*end >= '0' && *end <= '9') || *end == '_')
            end++;
        if (end == name || (brace && *end != '}')) {
            kr_buf_putc(&b, *s++);
            continue;
        }
        {
            char *var = kr_strndup(name, (size_t)(end - name));
            const char *v = getenv(var);
            kr_free(var);
            s = end + brace;
            if (v)
                kr_buf_puts(&b, v);
            else
                kr_buf_append(&b, start, (size_t)(s - start));
        }
    }
    out = kr_buf_steal(&b);
    return out ? out : kr_strdup("");
}

struct reader {
    struct kr_profile *p;
    yaml_document_t *doc;
    struct kr_error *err;
};

static void push(struct kr_profile *p, const char *name, char *value, bool flag, bool scalar,
                 int line)
{
    struct kr_profile_arg *a;
    p->args = kr_realloc(p->args, (p->nargs + 1) * sizeof *p->args);
    a = &p->args[p->nargs++];
    a->name = name;
    a->value = value;
    a->flag = flag;
    a->scalar = scalar;
    a->line = line;
}

static const char *scalar_of(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int line_of(yaml_node_t *n)
{
    return (int)n->start_mark.line + 1;
}

static int shape(struct reader *R, yaml_node_t *n, const char *key, const char *want)
{
    return kr_error_set(R->err, KR_EUSAGE, "%s:%d: profile key '%s': %s", R->p->file,
                        line_of(n), key, want);
}

/* One key's value: a scalar, a sequence of scalars, or a mapping. */
static int read_value(struct reader *R, const char *name, yaml_node_t *v)
{
    const char *s;
    yaml_node_item_t *it;
    yaml_node_pair_t *pr;

    switch (v->type) {
    case YAML_SCALAR_NODE:
        s = scalar_of(v);
        if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes") ||
             !strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "no"))) {
            push(R->p, name, NULL, s[0] == 't' || s[0] == 'T' || s[0] == 'y', true,
                 line_of(v));
            return KR_OK;
        }
        if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            (!strcmp(s, "~") || !strcmp(s, "null") || !*s))
            return KR_OK;       /* no value: the option keeps its default */
        push(R->p, name, expand_env(s), false, true, line_of(v));
        return KR_OK;
    case YAML_SEQUENCE_NODE:
        for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(R->doc, *it);
            if (!scalar_of(e))
                return shape(R, e, name, "a list item must be a single value");
            push(R->p, name, expand_env(scalar_of(e)), false, false, line_of(e));
        }
        return KR_OK;
    case YAML_MAPPING_NODE:
        for (pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
            yaml_node_t *k = yaml_document_get_node(R->doc, pr->key);
            yaml_node_t *e = yaml_document_get_node(R->doc, pr->value);
            const char *ks = scalar_of(k);
            if (!ks)
                return shape(R, k, name, "a mapping key must be a single value");
            if (e->type == YAML_MAPPING_NODE && !strcmp(name, "set-resources")) {
                yaml_node_pair_t *q;
                for (q = e->data.mapping.pairs.start; q < e->data.mapping.pairs.top; q++) {
                    const char *rk = scalar_of(yaml_document_get_node(R->doc, q->key));
                    yaml_node_t *rv = yaml_document_get_node(R->doc, q->value);
                    char *val;
                    if (!rk || !scalar_of(rv))
                        return shape(R, rv, name, "expected RULE: {RESOURCE: VALUE}");
                    val = expand_env(scalar_of(rv));
                    push(R->p, name, kr_asprintf("%s:%s=%s", ks, rk, val), false, false,
                         line_of(rv));
                    kr_free(val);
                }
                continue;
            }
            if (!scalar_of(e))
                return shape(R, e, name, "expected KEY: VALUE pairs with single values");
            {
                char *val = expand_env(scalar_of(e));
                push(R->p, name, kr_asprintf("%s=%s", ks, val), false, false, line_of(e));
                kr_free(val);
            }
        }
        return KR_OK;
    default:
        return shape(R, v, name, "no value");
    }
}

/* The config file of a profile directory: config.vN+.yaml with the highest
 * N up to 8 (the Snakemake version whose options krait spells), else
 * config.yaml. NULL when there is none. */
static char *config_file(const char *dir)
{
    struct stat sb;
    int v;
    for (v = 8; v >= 1; v--) {
        char *f = kr_asprintf("%s/config.v%d+.yaml", dir, v);
        if (stat(f, &sb) == 0)
            return f;
        kr_free(f);
    }
    {
        char *f = kr_asprintf("%s/config.yaml", dir);
        if (stat(f, &sb) == 0)
            return f;
        kr_free(f);
    }
    return NULL;
}

int kr_profile_read(const char *dir, struct kr_profile *p, struct kr_error *err)
{
    yaml_parser_t yp;
    yaml_document_t doc;
    yaml_node_t *root;
    yaml_node_pair_t *pr;
    struct reader R;
    FILE *f;
    int rc = KR_OK;

    memset(p, 0, sizeof *p);
    p->dir = kr_strdup(dir);
    p->file = config_file(dir);
    if (!p->file)
        return kr_error_set(err, KR_EIO, "profile %s has no config.yaml", dir);
    f = fopen(p->file, "rb");
    if (!f)
        return kr_error_set(err, KR_EIO, "%s: %s", p->file, strerror(errno));
    yaml_parser_initialize(&yp);
    yaml_parser_set_input_file(&yp, f);
    if (!yaml_parser_load(&yp, &doc)) {
        rc = kr_error_set(err, KR_EUSAGE, "%s:%d: %s", p->file, (int)yp.problem_mark.line + 1,
                          yp.problem ? yp.problem : "not valid YAML");
        yaml_parser_delete(&yp);
        fclose(f);
        return rc;
    }
    yaml_parser_delete(&yp);
    fclose(f);
    R.p = p;
    R.doc = &doc;
    R.err = err;
    root = yaml_document_get_root_node(&doc);
    if (root && root->type != YAML_MAPPING_NODE)
        rc = kr_error_set(err, KR_EUSAGE, "%s:%d: a profile is a mapping of option names to "
                          "values", p->file, line_of(root));
    for (pr = root && !rc ? root->data.mapping.pairs.start : NULL;
         pr && pr < root->data.mapping.pairs.top && !rc; pr++) {
        yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
        const char *ks = scalar_of(k);
        char *name, *c;
        if (!ks) {
            rc = kr_error_set(err, KR_EUSAGE, "%s:%d: a profile key must be an option name",
                              p->file, line_of(k));
            break;
        }
        if (!strcmp(ks, "__use_yte__")) {
            rc = kr_error_set(err, KR_EUNSUPPORTED, "%s:%d: krait does not support YTE "
                              "templates in profiles: write the values out", p->file,
                              line_of(k));
            break;
        }
        /* the args point at the names, which the profile owns */
        name = kr_strdup(ks);
        for (c = name; *c; c++)
            if (*c == '_')
                *c = '-';
        p->names = kr_realloc(p->names, (p->nnames + 1) * sizeof *p->names);
        p->names[p->nnames++] = name;
        rc = read_value(&R, name, v);
    }
    yaml_document_delete(&doc);
    return rc;
}

void kr_profile_free(struct kr_profile *p)
{
    uint32_t i;
    for (i = 0; i < p->nargs; i++)
        kr_free((void *)p->args[i].value);
    for (i = 0; i < p->nnames; i++)
        kr_free(p->names[i]);
    kr_free(p->args);
    kr_free(p->names);
    kr_free(p->dir);
    kr_free(p->file);
    memset(p, 0, sizeof *p);
}
