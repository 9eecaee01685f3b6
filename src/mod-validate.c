/*
 * mod-validate.c - snakemake.utils.validate(data, schema, set_default=True):
 * checks the config dict, or a table (the rows of read_table(): a list of
 * row dicts, or a dict of them keyed by the index) row by row, against a
 * JSON Schema file (YAML or JSON), with the draft-7 keywords real
 * workflow schemas use: type (one or a list), properties, required,
 * additionalProperties (bool or schema), enum, const, pattern, items,
 * minimum/maximum, exclusiveMinimum/exclusiveMaximum, minItems/maxItems,
 * and local "$ref": "#/definitions/..." references. As in Snakemake,
 * defaults of missing properties are filled in (unless set_default=False),
 * the schema path is relative to the rule file that calls validate(), and
 * empty table cells count as missing. Table cells are strings: a cell that
 * reads as a number satisfies "number"/"integer" (pandas would have
 * converted it). The first violation is reported with the schema file, the
 * key and, for tables, the row.
 */
#include "mod.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct vctx {
    struct kr_interp *I;
    const char *schema_file;
    struct kr_value *root;      /* the whole schema, for $ref */
    bool set_default, table;
    const char *row;            /* "row 3" or NULL */
    const char *what;           /* "config" or "the data": names the top level */
};

/* Where in the data: a path such as ['ref']['genome'], built on the way down. */
struct where {
    const struct where *up;
    struct kr_value *key;       /* str or int */
};

static void where_str(const struct where *w, struct kr_buf *b)
{
    if (!w)
        return;
    where_str(w->up, b);
    kr_buf_putc(b, '[');
    kr_value_repr_buf(w->key, b);
    kr_buf_putc(b, ']');
}

static int fail(struct vctx *c, const struct where *w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct vctx *c, const struct where *w, const char *fmt, ...)
{
    struct kr_buf b = KR_BUF_INIT;
    va_list ap;
    int rc;
    char msg[512];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->row) {
        kr_buf_puts(&b, c->row);
        if (w && !w->up && w->key->type == KR_V_STR)
            kr_buf_printf(&b, ", column '%s'", w->key->u.str.s);
        else
            where_str(w, &b);
    } else {
        kr_buf_puts(&b, c->what);
        where_str(w, &b);
    }
    rc = kr_eval_error(c->I, "validate(): %s: %s%s", c->schema_file, kr_buf_cstr(&b), msg);
    kr_buf_free(&b);
    return rc;
}

static struct kr_value *S(struct vctx *c, struct kr_value *schema, const char *key)
{
    KR_UNUSED(c);
    return schema && schema->type == KR_V_DICT ? kr_dict_gets(schema->u.dict, key) : NULL;
}

static bool num_of(struct vctx *c, struct kr_value *v, double *d, bool *is_int)
{
    char *end;
    if (v->type == KR_V_INT) {
        *d = (double)v->u.i;
        *is_int = true;
        return true;
    }
    if (v->type == KR_V_FLOAT) {
        *d = v->u.f;
        *is_int = v->u.f == (double)(int64_t)v->u.f;
        return true;
    }
    if (c->table && v->type == KR_V_STR && v->u.str.len) {
        strtoll(v->u.str.s, &end, 10);
        if (!*end) {
            *d = strtod(v->u.str.s, NULL);
            *is_int = true;
            return true;
        }
        *d = strtod(v->u.str.s, &end);
        if (!*end) {
            *is_int = false;
            return true;
        }
    }
    return false;
}

static bool is_type(struct vctx *c, struct kr_value *v, const char *t)
{
    double d;
    bool i;
    if (!strcmp(t, "string"))
        return v->type == KR_V_STR;
    if (!strcmp(t, "number"))
        return v->type != KR_V_BOOL && num_of(c, v, &d, &i);
    if (!strcmp(t, "integer"))
        return v->type != KR_V_BOOL && num_of(c, v, &d, &i) && i;
    if (!strcmp(t, "boolean"))
        return v->type == KR_V_BOOL ||
               (c->table && v->type == KR_V_STR &&
                (!strcmp(v->u.str.s, "True") || !strcmp(v->u.str.s, "False")));
    if (!strcmp(t, "object"))
        return v->type == KR_V_DICT;
    if (!strcmp(t, "array"))
        return v->type == KR_V_LIST || v->type == KR_V_TUPLE;
    if (!strcmp(t, "null"))
        return v->type == KR_V_NONE;
    return true;
}

static int check(struct vctx *c, struct kr_value *v, struct kr_value *schema,
                 const struct where *w, int depth);

static int check_object(struct vctx *c, struct kr_value *v, struct kr_value *schema,
                        const struct where *w, int depth)
{
    struct kr_value *props = S(c, schema, "properties"), *req = S(c, schema, "required");
    struct kr_value *addl = S(c, schema, "additionalProperties");
    struct kr_dict *d = v->u.dict;
    size_t i;
    int rc;
    if (props && props->type == KR_V_DICT && c->set_default)
        for (i = 0; i < props->u.dict->n; i++) {
            struct kr_value *k = props->u.dict->keys[i], *dflt;
            if (!k || kr_dict_get(d, k))
                continue;
            dflt = S(c, props->u.dict->vals[i], "default");
            if (dflt)
                kr_dict_set(c->I->A, d, k, dflt);
        }
    if (req && req->type == KR_V_LIST)
        for (i = 0; i < req->u.list.len; i++) {
            struct kr_value *k = req->u.list.items[i];
            if (k->type == KR_V_STR && !kr_dict_get(d, k)) {
                struct where in = {w, k};
                return fail(c, &in, " is required but missing");
            }
        }
    for (i = 0; i < d->n; i++) {
        struct kr_value *k = d->keys[i], *sub = NULL;
        struct where in = {w, k};
        if (!k)
            continue;
        if (props && props->type == KR_V_DICT)
            sub = kr_dict_get(props->u.dict, k);
        if (sub) {
            rc = check(c, d->vals[i], sub, &in, depth + 1);
            if (rc != KR_OK)
                return rc;
        } else if (addl && addl->type == KR_V_BOOL && !addl->u.b) {
            return fail(c, &in, " is not allowed by the schema (additionalProperties is false)");
        } else if (addl && addl->type == KR_V_DICT) {
            rc = check(c, d->vals[i], addl, &in, depth + 1);
            if (rc != KR_OK)
                return rc;
        }
    }
    return KR_OK;
}

static int check_pattern(struct vctx *c, struct kr_value *v, struct kr_value *pat,
                         const struct where *w)
{
    pcre2_code *code;
    pcre2_match_data *md;
    PCRE2_SIZE off;
    int err, m;
    code = pcre2_compile((PCRE2_SPTR)pat->u.str.s, pat->u.str.len, PCRE2_UTF, &err, &off, NULL);
    if (!code)
        return kr_eval_error(c->I, "validate(): %s: invalid pattern '%s' in the schema",
                             c->schema_file, pat->u.str.s);
    md = pcre2_match_data_create_from_pattern(code, NULL);
    m = pcre2_match(code, (PCRE2_SPTR)v->u.str.s, v->u.str.len, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    if (m < 0)
        return fail(c, w, ": '%s' does not match '%s'", v->u.str.s, pat->u.str.s);
    return KR_OK;
}

static int check(struct vctx *c, struct kr_value *v, struct kr_value *schema,
                 const struct where *w, int depth)
{
    struct kr_value *t, *x;
    double d, lim;
    bool isint;
    size_t i;
    int rc;
    if (depth > 100)
        return kr_eval_error(c->I, "validate(): %s: the schema nests too deeply (a $ref loop?)",
                             c->schema_file);
    if (schema->type == KR_V_BOOL) {
        if (!schema->u.b)
            return fail(c, w, ": no value is allowed here");
        return KR_OK;
    }
    if (schema->type != KR_V_DICT)
        return KR_OK;
    x = S(c, schema, "$ref");
    if (x && x->type == KR_V_STR) {
        struct kr_value *target = c->root;
        char *ref = kr_arena_strdup(c->I->A, x->u.str.s), *part, *save = NULL;
        if (strncmp(ref, "#", 1))
            return kr_eval_error(c->I, "validate(): %s: krait supports only local $ref "
                                 "(\"#/definitions/...\"), not '%s'", c->schema_file, ref);
        for (part = strtok_r(ref + 1, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
            target = S(c, target, part);
            if (!target)
                return kr_eval_error(c->I, "validate(): %s: $ref '%s' does not resolve",
                                     c->schema_file, x->u.str.s);
        }
        rc = check(c, v, target, w, depth + 1);
        if (rc != KR_OK)
            return rc;
    }
    t = S(c, schema, "type");
    if (t) {
        bool ok = false;
        struct kr_buf names = KR_BUF_INIT;
        if (t->type == KR_V_STR) {
            ok = is_type(c, v, t->u.str.s);
            kr_buf_printf(&names, "'%s'", t->u.str.s);
        } else if (t->type == KR_V_LIST) {
            for (i = 0; i < t->u.list.len; i++)
                if (t->u.list.items[i]->type == KR_V_STR) {
                    ok = ok || is_type(c, v, t->u.list.items[i]->u.str.s);
                    kr_buf_printf(&names, "%s'%s'", i ? ", " : "",
                                  t->u.list.items[i]->u.str.s);
                }
        } else {
            ok = true;
        }
        if (!ok) {
            char *r = kr_value_to_repr(c->I->A, v);
            rc = fail(c, w, ": %.200s is not of type %s", r, kr_buf_cstr(&names));
            kr_buf_free(&names);
            return rc;
        }
        kr_buf_free(&names);
    }
    x = S(c, schema, "enum");
    if (x && x->type == KR_V_LIST) {
        for (i = 0; i < x->u.list.len; i++)
            if (kr_value_equal(x->u.list.items[i], v))
                break;
        if (i == x->u.list.len)
            return fail(c, w, ": %.200s is not one of %.300s", kr_value_to_repr(c->I->A, v),
                        kr_value_to_repr(c->I->A, x));
    }
    x = S(c, schema, "const");
    if (x && !kr_value_equal(x, v))
        return fail(c, w, ": %.200s is not %.200s", kr_value_to_repr(c->I->A, v),
                    kr_value_to_repr(c->I->A, x));
    x = S(c, schema, "pattern");
    if (x && x->type == KR_V_STR && v->type == KR_V_STR) {
        rc = check_pattern(c, v, x, w);
        if (rc != KR_OK)
            return rc;
    }
    if (v->type != KR_V_BOOL && num_of(c, v, &d, &isint)) {
        static const char *const kw[] = {"minimum", "maximum", "exclusiveMinimum",
                                         "exclusiveMaximum"};
        for (i = 0; i < 4; i++) {
            bool ib, bad;
            x = S(c, schema, kw[i]);
            if (!x || x->type == KR_V_STR || !num_of(c, x, &lim, &ib))
                continue;
            bad = i == 0 ? d < lim : i == 1 ? d > lim : i == 2 ? d <= lim : d >= lim;
            if (bad)
                return fail(c, w, ": %s is %s %s %s %s", kr_value_to_repr(c->I->A, v),
                            i % 2 ? "greater than" : "less than",
                            i < 2 ? "the" : "or equal to the", kw[i],
                            kr_value_to_repr(c->I->A, x));
        }
    }
    if (v->type == KR_V_DICT)
        return check_object(c, v, schema, w, depth);
    if (v->type == KR_V_LIST || v->type == KR_V_TUPLE) {
        struct kr_value *mn = S(c, schema, "minItems"), *mx = S(c, schema, "maxItems");
        if (mn && mn->type == KR_V_INT && (int64_t)v->u.list.len < mn->u.i)
            return fail(c, w, ": has %zu items, fewer than minItems %lld", v->u.list.len,
                        (long long)mn->u.i);
        if (mx && mx->type == KR_V_INT && (int64_t)v->u.list.len > mx->u.i)
            return fail(c, w, ": has %zu items, more than maxItems %lld", v->u.list.len,
                        (long long)mx->u.i);
        x = S(c, schema, "items");
        if (x)
            for (i = 0; i < v->u.list.len; i++) {
                struct where in = {w, kr_value_int(c->I->A, (int64_t)i)};
                rc = check(c, v->u.list.items[i], x, &in, depth + 1);
                if (rc != KR_OK)
                    return rc;
            }
    }
    return KR_OK;
}

/* A table row: empty cells are missing values (pandas reads them as NaN,
 * which Snakemake's validate drops). Returns a copy without them, or the
 * row itself when it has none. */
static struct kr_value *row_without_empty(struct kr_interp *I, struct kr_value *row)
{
    struct kr_value *c;
    size_t i;
    for (i = 0; i < row->u.dict->n; i++)
        if (row->u.dict->keys[i] && row->u.dict->vals[i]->type == KR_V_STR &&
            row->u.dict->vals[i]->u.str.len == 0)
            break;
    if (i == row->u.dict->n)
        return row;
    c = kr_value_dict(I->A);
    for (i = 0; i < row->u.dict->n; i++)
        if (row->u.dict->keys[i] && !(row->u.dict->vals[i]->type == KR_V_STR &&
                                      row->u.dict->vals[i]->u.str.len == 0))
            kr_dict_set(I->A, c->u.dict, row->u.dict->keys[i], row->u.dict->vals[i]);
    return c;
}

static int check_row(struct vctx *c, struct kr_value *row, struct kr_value *schema,
                     const char *label)
{
    struct kr_value *r = row_without_empty(c->I, row);
    size_t i;
    int rc;
    c->row = label;
    rc = check(c, r, schema, NULL, 0);
    c->row = NULL;
    if (rc != KR_OK || r == row)
        return rc;
    /* copy the defaults filled into the copy back into the row (missing or empty cells) */
    for (i = 0; i < r->u.dict->n; i++) {
        struct kr_value *k = r->u.dict->keys[i], *old;
        if (!k)
            continue;
        old = kr_dict_get(row->u.dict, k);
        if (!old || (old->type == KR_V_STR && old->u.str.len == 0))
            kr_dict_set(c->I->A, row->u.dict, k, r->u.dict->vals[i]);
    }
    return rc;
}

/* Is v a table as read_table() returns it: a non-empty list of dicts, or a
 * dict whose values are all dicts of str cells (index=)? */
static bool is_table(struct kr_value *v)
{
    size_t i;
    if (v->type == KR_V_LIST) {
        for (i = 0; i < v->u.list.len; i++)
            if (v->u.list.items[i]->type != KR_V_DICT)
                return false;
        return v->u.list.len > 0;
    }
    return false;
}

/* A pandas DataFrame, row by row: each row as a dict without its NaN
 * cells; defaults come back as new cells (a new column when needed). */
static int check_frame(struct vctx *c, struct kr_value *cols, struct kr_value *rows,
                       struct kr_value *index, struct kr_value *schema)
{
    struct kr_interp *I = c->I;
    size_t i, k;
    int rc;
    c->table = true;
    for (i = 0; i < rows->u.list.len; i++) {
        struct kr_value *row = rows->u.list.items[i], *d = kr_value_dict(I->A);
        for (k = 0; k < cols->u.list.len && k < row->u.list.len; k++) {
            struct kr_value *v = row->u.list.items[k];
            if (!(v->type == KR_V_FLOAT && isnan(v->u.f)) && v->type != KR_V_NONE)
                kr_dict_set(I->A, d->u.dict, cols->u.list.items[k], v);
        }
        c->row = kr_arena_printf(I->A, "row %s",
                                 kr_value_to_repr(I->A, index->u.list.items[i]));
        rc = check(c, d, schema, NULL, 0);
        c->row = NULL;
        if (rc != KR_OK)
            return rc;
        for (k = 0; k < d->u.dict->n; k++) {
            struct kr_value *key = d->u.dict->keys[k];
            size_t j;
            if (!key)
                continue;
            for (j = 0; j < cols->u.list.len && !kr_value_equal(cols->u.list.items[j], key); j++)
                ;
            if (j == cols->u.list.len) {
                /* a new column: NaN in every row, then this default */
                size_t r;
                kr_list_push(I->A, cols, key);
                for (r = 0; r < rows->u.list.len; r++)
                    kr_list_push(I->A, rows->u.list.items[r], kr_value_float(I->A, NAN));
            }
            rows->u.list.items[i]->u.list.items[j] = d->u.dict->vals[k];
        }
    }
    return KR_OK;
}

KR_MOD_FN(validate)
{
    struct kr_value *data, *sch, *sd, *schema, *cols, *rows, *index;
    struct vctx c;
    struct kr_error e;
    const char *dir;
    char *path;
    size_t i;
    int rc = kr_args_check(I, "validate", a, 1, 3);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    data = a->pos[0];
    sch = a->npos >= 2 ? a->pos[1] : kr_args_kw(a, "schema");
    if (!sch)
        return kr_eval_error(I, "validate() missing required argument: 'schema'");
    sd = a->npos == 3 ? a->pos[2] : kr_args_kw(a, "set_default");
    if (sch->type != KR_V_STR)
        return kr_eval_error(I, "validate(): the schema must be a file path (str), not '%s'",
                             kr_value_type_name(sch));
    dir = I->includes_dirs.len ? I->includes_dirs.items[I->includes_dirs.len - 1] : ".";
    path = sch->u.str.s[0] == '/' || !strcmp(dir, ".") || !*dir
               ? sch->u.str.s
               : kr_arena_printf(I->A, "%s/%s", dir, sch->u.str.s);
    memset(&e, 0, sizeof e);
    {
        const char *text;
        size_t len;
        struct kr_value *p = kr_value_cstr(I->A, path);
        rc = kr_mod_file_text(I, "validate", p, &text, &len);
        if (rc != KR_OK)
            return rc;
        rc = kr_config_parse_text(I->A, path, text, len, false, &schema, &e);
        if (rc != KR_OK)
            return kr_eval_error(I, "validate(): %s:%d:%d: %s", e.file, e.line, e.col, e.msg);
    }
    memset(&c, 0, sizeof c);
    c.I = I;
    c.schema_file = sch->u.str.s;
    c.root = schema;
    c.set_default = !sd || kr_value_truthy(sd);
    c.what = data == I->config ? "config" : "the data";
    *out = kr_value_none();
    if (kr_pandas_frame(data, &cols, &rows, &index))
        return check_frame(&c, cols, rows, index, schema);
    if (is_table(data)) {
        c.table = true;
        for (i = 0; i < data->u.list.len; i++) {
            rc = check_row(&c, data->u.list.items[i], schema,
                           kr_arena_printf(I->A, "row %zu", i + 1));
            if (rc != KR_OK)
                return rc;
        }
        return KR_OK;
    }
    if (data->type == KR_V_DICT && data != I->config && data->u.dict->live) {
        /* a table keyed by its index (read_table(index=)): every value is a
         * row dict and no key is one of the schema's properties */
        struct kr_value *props = S(&c, schema, "properties");
        bool keyed = true;
        for (i = 0; i < data->u.dict->n; i++)
            if (data->u.dict->keys[i] &&
                (data->u.dict->vals[i]->type != KR_V_DICT ||
                 (props && props->type == KR_V_DICT &&
                  kr_dict_get(props->u.dict, data->u.dict->keys[i]))))
                keyed = false;
        if (keyed) {
            c.table = true;
            for (i = 0; i < data->u.dict->n; i++) {
                if (!data->u.dict->keys[i])
                    continue;
                rc = check_row(&c, data->u.dict->vals[i], schema,
                               kr_arena_printf(I->A, "row %s",
                                               kr_value_to_repr(I->A, data->u.dict->keys[i])));
                if (rc != KR_OK)
                    return rc;
            }
            return KR_OK;
        }
    }
    return check(&c, data, schema, NULL, 0);
}

void kr_mod_validate_install(struct kr_interp *I)
{
    struct kr_value *utils = kr_dict_gets(I->modules, "snakemake.utils");
    if (utils)
        kr_mod_def(I, utils, "validate", validate, NULL);
}
