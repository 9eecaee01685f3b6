/*
 * config.c - the workflow's config dict: YAML (libyaml, typed as PyYAML's
 * safe_load types plain scalars) and JSON (jansson) config files, the
 * YAML-typed values of --config k=v (tried as Snakemake does: int, float,
 * bool, YAML, then plain string), and Snakemake's recursive update_config
 * merge. Values are built in the given arena (value.h).
 */
#include "eval.h"
#include "mod.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- YAML ---- */

static bool all_match(const char *s, const char *set)
{
    for (; *s; s++)
        if (!strchr(set, *s))
            return false;
    return true;
}

/* Type a plain YAML scalar as PyYAML's safe_load would (YAML 1.1 core). */
static struct kr_value *yaml_plain(struct kr_arena *A, const char *s, size_t len)
{
    char buf[128], *end;
    size_t i, j = 0;
    if (len == 0 || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
        !strcmp(s, "NULL"))
        return kr_value_none();
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "yes") ||
        !strcmp(s, "Yes") || !strcmp(s, "YES") || !strcmp(s, "on") || !strcmp(s, "On") ||
        !strcmp(s, "ON"))
        return kr_value_bool(true);
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE") || !strcmp(s, "no") ||
        !strcmp(s, "No") || !strcmp(s, "NO") || !strcmp(s, "off") || !strcmp(s, "Off") ||
        !strcmp(s, "OFF"))
        return kr_value_bool(false);
    if (len < sizeof buf) {
        for (i = 0; i < len; i++)
            if (s[i] != '_')
                buf[j++] = s[i];
        buf[j] = '\0';
        /* integers: [-+]?(0|[1-9][0-9]*) , 0x.., 0o.. */
        if (j && (isdigit((unsigned char)buf[0]) ||
                  ((buf[0] == '-' || buf[0] == '+') && isdigit((unsigned char)buf[1])))) {
            const char *d = buf + (buf[0] == '-' || buf[0] == '+');
            int base = 10;
            if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X') && d[2] &&
                all_match(d + 2, "0123456789abcdefABCDEF"))
                base = 16;
            else if (d[0] == '0' && d[1] == 'o' && d[2] && all_match(d + 2, "01234567"))
                base = 8;
            if (base != 10 || all_match(d, "0123456789")) {
                long long x;
                errno = 0;
                if (base == 8)
                    x = strtoll(d + 2, &end, 8);
                else
                    x = strtoll(d, &end, base);
                if (buf[0] == '-')
                    x = -x;
                if (!*end && errno != ERANGE)
                    return kr_value_int(A, x);
            }
            /* floats need a dot in YAML 1.1 (1.5, 1.0e+3, 2.) */
            if (strchr(buf, '.') && all_match(buf, "0123456789.eE+-")) {
                double f = strtod(buf, &end);
                if (!*end)
                    return kr_value_float(A, f);
            }
        }
        if (buf[0] == '.' && isdigit((unsigned char)buf[1]) && all_match(buf, "0123456789.eE+-")) {
            double f = strtod(buf, &end);
            if (!*end)
                return kr_value_float(A, f);
        }
        if (!strcmp(buf, ".inf") || !strcmp(buf, ".Inf") || !strcmp(buf, "+.inf"))
            return kr_value_float(A, INFINITY);
        if (!strcmp(buf, "-.inf") || !strcmp(buf, "-.Inf"))
            return kr_value_float(A, -INFINITY);
        if (!strcmp(buf, ".nan") || !strcmp(buf, ".NaN"))
            return kr_value_float(A, NAN);
    }
    return kr_value_str(A, s, len);
}

/*
 * Limits of a YAML config file's conversion to values. libyaml's document
 * keeps an alias as a second reference to its anchor's node, so the
 * document stays small while the tree it stands for can be exponential
 * ("billion laughs": nine levels of nine aliases are 387 million values).
 * The conversion counts every alias expanded, every value built and the
 * arena bytes used, and stops at the first limit with an error located at
 * the collection that holds the outermost alias being expanded (libyaml
 * does not keep an alias' own position). The memory limit is the config file's own size limit.
 */
enum {
    YAML_MAX_ALIASES = 100000,      /* expansions of an anchored node */
    YAML_MAX_VALUES = 2000000,      /* values built, aliases expanded in full */
};
#define YAML_MAX_BYTES ((size_t)256 << 20)

struct yaml_conv {
    struct kr_arena *A;
    yaml_document_t *doc;
    const char *path;               /* for error locations; NULL for --config values */
    struct kr_error *err;
    unsigned char *seen;            /* per document node: already converted once */
    size_t nnodes;
    size_t arena_start;             /* A->total when the conversion began */
    const yaml_node_t *site;        /* the collection holding the alias being expanded */
    long aliases, values;
    bool failed;
};

static void yaml_limit(struct yaml_conv *c, const yaml_node_t *n, const char *what)
{
    const yaml_node_t *at = c->site ? c->site : n;
    c->failed = true;
    kr_error_set(c->err, KR_EEVAL, "YAML config too large when its aliases are expanded: %s "
                 "(a \"billion laughs\" file?); write the values out or nest fewer aliases",
                 what);
    if (c->path && c->err) {
        snprintf(c->err->file, sizeof c->err->file, "%s", c->path);
        c->err->line = (int)at->start_mark.line + 1;
        c->err->col = (int)at->start_mark.column + 1;
    }
}

/* Convert node index `idx`, an item of collection `parent` (NULL at the
 * root), counting it against c's limits. `in_alias`: some enclosing node is
 * an alias being expanded. */
static struct kr_value *yaml_node(struct yaml_conv *c, int idx, const yaml_node_t *parent,
                                  bool in_alias, int depth)
{
    yaml_node_t *n = yaml_document_get_node(c->doc, idx);
    const yaml_node_t *at = parent ? parent : n;
    struct kr_value *v;
    bool alias = false;
    char what[128];
    if (!n || depth > 200 || c->failed)
        return kr_value_none();
    if ((size_t)(idx - 1) < c->nnodes) {
        if (c->seen[idx - 1]) {
            if (!in_alias) {
                c->site = at;
                alias = true;
            }
            if (++c->aliases > YAML_MAX_ALIASES) {
                snprintf(what, sizeof what, "more than %d alias expansions", YAML_MAX_ALIASES);
                yaml_limit(c, at, what);
                return kr_value_none();
            }
        }
        c->seen[idx - 1] = 1;
    }
    if (++c->values > YAML_MAX_VALUES) {
        snprintf(what, sizeof what, "more than %d values", YAML_MAX_VALUES);
        yaml_limit(c, at, what);
        return kr_value_none();
    }
    if (c->A->total - c->arena_start > YAML_MAX_BYTES) {
        snprintf(what, sizeof what, "more than %zu MiB of memory", YAML_MAX_BYTES >> 20);
        yaml_limit(c, at, what);
        return kr_value_none();
    }
    switch (n->type) {
    case YAML_SCALAR_NODE: {
        const char *s = (const char *)n->data.scalar.value;
        size_t len = n->data.scalar.length;
        const char *tag = (const char *)n->tag;
        if (alias)
            c->site = NULL;
        if (tag && !strcmp(tag, YAML_STR_TAG) && n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
            return kr_value_str(c->A, s, len);
        if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
            return kr_value_str(c->A, s, len);
        if (tag && !strcmp(tag, "tag:yaml.org,2002:str") && strcmp(tag, YAML_DEFAULT_SCALAR_TAG))
            return kr_value_str(c->A, s, len);
        return yaml_plain(c->A, s, len);
    }
    case YAML_SEQUENCE_NODE: {
        yaml_node_item_t *it;
        v = kr_value_list(c->A, 0);
        for (it = n->data.sequence.items.start; it < n->data.sequence.items.top && !c->failed;
             it++)
            kr_list_push(c->A, v, yaml_node(c, *it, n, in_alias || alias, depth + 1));
        break;
    }
    case YAML_MAPPING_NODE: {
        yaml_node_pair_t *p;
        v = kr_value_dict(c->A);
        for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !c->failed; p++) {
            struct kr_value *k = yaml_node(c, p->key, n, in_alias || alias, depth + 1);
            struct kr_value *val = yaml_node(c, p->value, n, in_alias || alias, depth + 1);
            if (!kr_value_hashable(k))
                k = kr_value_cstr(c->A, kr_value_to_repr(c->A, k));
            kr_dict_set(c->A, v->u.dict, k, val);
        }
        break;
    }
    default:
        return kr_value_none();
    }
    if (alias && !c->failed)
        c->site = NULL;
    return v;
}

static int yaml_parse(struct kr_arena *A, const char *path, const char *text, size_t len,
                      struct kr_value **out, struct kr_error *err)
{
    yaml_parser_t p;
    yaml_document_t doc;
    struct yaml_conv c;
    int rc = KR_OK;
    if (!yaml_parser_initialize(&p))
        return kr_error_set(err, KR_ENOMEM, "cannot initialise the YAML parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &doc)) {
        kr_error_set(err, KR_EEVAL, "invalid YAML: %s%s%s", p.problem ? p.problem : "error",
                     p.context ? " " : "", p.context ? p.context : "");
        if (path && err) {
            snprintf(err->file, sizeof err->file, "%s", path);
            err->line = (int)p.problem_mark.line + 1;
            err->col = (int)p.problem_mark.column + 1;
        }
        yaml_parser_delete(&p);
        return KR_EEVAL;
    }
    memset(&c, 0, sizeof c);
    c.A = A;
    c.doc = &doc;
    c.path = path;
    c.err = err;
    c.arena_start = A->total;
    c.nnodes = (size_t)(doc.nodes.top - doc.nodes.start);
    c.seen = kr_calloc(c.nnodes ? c.nnodes : 1, 1);
    *out = yaml_document_get_root_node(&doc) ? yaml_node(&c, 1, NULL, false, 0) : kr_value_none();
    if (c.failed)
        rc = KR_EEVAL;
    kr_free(c.seen);
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    return rc;
}

/* ---- JSON ---- */

static struct kr_value *json_value(struct kr_arena *A, json_t *j, int depth)
{
    struct kr_value *v;
    size_t i;
    if (depth > 200)
        return kr_value_none();
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *val;
        v = kr_value_dict(A);
        json_object_foreach(j, key, val)
            kr_dict_sets(A, v->u.dict, key, json_value(A, val, depth + 1));
        return v;
    }
    case JSON_ARRAY:
        v = kr_value_list(A, json_array_size(j));
        for (i = 0; i < json_array_size(j); i++)
            kr_list_push(A, v, json_value(A, json_array_get(j, i), depth + 1));
        return v;
    case JSON_STRING:
        return kr_value_str(A, json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return kr_value_int(A, (int64_t)json_integer_value(j));
    case JSON_REAL:
        return kr_value_float(A, json_real_value(j));
    case JSON_TRUE:
        return kr_value_bool(true);
    case JSON_FALSE:
        return kr_value_bool(false);
    default:
        return kr_value_none();
    }
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

int kr_config_load_file(struct kr_arena *A, const char *path, struct kr_value **out,
                        struct kr_error *err)
{
    FILE *f = fopen(path, "rb");
    struct kr_buf b = KR_BUF_INIT;
    char chunk[65536];
    size_t n;
    int rc = KR_OK;
    if (!f) {
        if (errno == ENOENT)
            return kr_error_set(err, KR_NOT_FOUND, "config file %s not found", path);
        return kr_error_set(err, KR_EIO, "cannot open config file %s: %s", path, strerror(errno));
    }
    for (;;) {
        n = fread(chunk, 1, sizeof chunk, f);
        if (n == 0)
            break;
        kr_buf_append(&b, chunk, n);
        if (b.len > ((size_t)256 << 20)) {
            fclose(f);
            kr_buf_free(&b);
            return kr_error_set(err, KR_EIO, "config file %s is larger than 256 MiB", path);
        }
    }
    fclose(f);
    if (ends_with(path, ".json")) {
        json_error_t je;
        json_t *j = json_loadb(kr_buf_cstr(&b), b.len, JSON_DECODE_ANY, &je);
        if (!j) {
            kr_error_set(err, KR_EEVAL, "invalid JSON: %s", je.text);
            if (err) {
                snprintf(err->file, sizeof err->file, "%s", path);
                err->line = je.line > 0 ? je.line : 1;
                err->col = je.column > 0 ? je.column : 1;
            }
            rc = KR_EEVAL;
            goto out;
        }
        *out = json_value(A, j, 0);
        json_decref(j);
    } else {
        rc = yaml_parse(A, path, kr_buf_cstr(&b), b.len, out, err);
        if (rc)
            goto out;
    }
    if ((*out)->type == KR_V_NONE) {
        *out = kr_value_dict(A);
    } else if ((*out)->type != KR_V_DICT) {
        rc = kr_error_set(err, KR_EEVAL, "config file %s must contain a mapping at the top "
                          "level, not a %s", path, kr_value_type_name(*out));
    }
out:
    kr_buf_free(&b);
    return rc;
}

int kr_config_parse_value(struct kr_arena *A, const char *text, struct kr_value **out,
                          struct kr_error *err)
{
    char *end;
    size_t len = strlen(text);
    long long x;
    double f;
    if (len && !isspace((unsigned char)text[0])) {
        errno = 0;
        x = strtoll(text, &end, 10);
        if (!*end && errno != ERANGE) {
            *out = kr_value_int(A, x);
            return KR_OK;
        }
        f = strtod(text, &end);
        if (!*end) {
            *out = kr_value_float(A, f);
            return KR_OK;
        }
    }
    if (!strcmp(text, "True") || !strcmp(text, "False")) {
        *out = kr_value_bool(text[0] == 'T');
        return KR_OK;
    }
    if (yaml_parse(A, NULL, text, len, out, NULL) == KR_OK) {
        /* a plain word stays a string even when YAML calls it something else */
        return KR_OK;
    }
    KR_UNUSED(err);
    *out = kr_value_str(A, text, len);
    return KR_OK;
}

void kr_config_merge(struct kr_arena *A, struct kr_value *dst, struct kr_value *src)
{
    size_t i;
    for (i = 0; i < src->u.dict->n; i++) {
        struct kr_value *k = src->u.dict->keys[i], *v, *old;
        if (!k)
            continue;
        v = src->u.dict->vals[i];
        old = kr_dict_get(dst->u.dict, k);
        if (old && old->type == KR_V_DICT && v->type == KR_V_DICT) {
            kr_config_merge(A, old, v);
            continue;
        }
        if (v->type == KR_V_DICT) {
            /* copy, so that later merges never write into `src` */
            struct kr_value *copy = kr_value_dict(A);
            kr_config_merge(A, copy, v);
            v = copy;
        }
        kr_dict_set(A, dst->u.dict, k, v);
    }
}

int kr_config_parse_text(struct kr_arena *A, const char *name, const char *text, size_t len,
                         bool json, struct kr_value **out, struct kr_error *err)
{
    json_error_t je;
    json_t *j;
    if (!json)
        return yaml_parse(A, name ? name : "<string>", text, len, out, err);
    j = json_loadb(text, len, JSON_DECODE_ANY, &je);
    if (!j) {
        kr_error_set(err, KR_EEVAL, "invalid JSON: %s", je.text);
        if (err) {
            snprintf(err->file, sizeof err->file, "%s", name ? name : "<string>");
            err->line = je.line > 0 ? je.line : 1;
            err->col = je.column > 0 ? je.column : 1;
        }
        return KR_EEVAL;
    }
    *out = json_value(A, j, 0);
    json_decref(j);
    return KR_OK;
}
