/*
 * mod-json.c - Python's `json` and `yaml` modules for reading data files:
 * json.loads(text), json.load(file), json.dumps(value, indent=, sort_keys=,
 * ensure_ascii=) written exactly as Python writes it, and
 * yaml.safe_load(text or file) / yaml.load(..., Loader=...) through libyaml
 * (the same loader as configfile:). A file argument is read through
 * kr_mod_file_text(), so a path string works today and a file object
 * plugs in there.
 */
#include "mod.h"

#include <math.h>
#include <string.h>

/* ---- json.dumps ---- */

struct dumpopt {
    int indent;             /* < 0: one line */
    bool sort_keys, ascii;
};

static void dump_str(const char *s, size_t n, bool ascii, struct kr_buf *b)
{
    size_t i;
    kr_buf_putc(b, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': kr_buf_puts(b, "\\\""); continue;
        case '\\': kr_buf_puts(b, "\\\\"); continue;
        case '\n': kr_buf_puts(b, "\\n"); continue;
        case '\r': kr_buf_puts(b, "\\r"); continue;
        case '\t': kr_buf_puts(b, "\\t"); continue;
        case '\b': kr_buf_puts(b, "\\b"); continue;
        case '\f': kr_buf_puts(b, "\\f"); continue;
        default: break;
        }
        if (c < 0x20) {
            kr_buf_printf(b, "\\u%04x", c);
        } else if (c >= 0x80 && ascii) {
            /* decode one UTF-8 sequence, write it as \uXXXX (surrogate pairs above BMP) */
            uint32_t cp;
            int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1, k;
            cp = c & (0x3F >> extra);
            for (k = 0; k < extra && i + 1 < n; k++)
                cp = (cp << 6) | ((unsigned char)s[++i] & 0x3F);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                kr_buf_printf(b, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
            } else {
                kr_buf_printf(b, "\\u%04x", cp);
            }
        } else {
            kr_buf_putc(b, (char)c);
        }
    }
    kr_buf_putc(b, '"');
}

static void newline(const struct dumpopt *o, int depth, struct kr_buf *b)
{
    int i;
    kr_buf_putc(b, '\n');
    for (i = 0; i < o->indent * depth; i++)
        kr_buf_putc(b, ' ');
}

static int dump(struct kr_interp *I, const struct dumpopt *o, struct kr_value *v, int depth,
                struct kr_buf *b)
{
    size_t i, n;
    struct kr_value **items;
    int rc;
    if (depth > 100)
        return kr_eval_error(I, "json.dumps(): the value is nested too deeply");
    switch (v->type) {
    case KR_V_NONE: kr_buf_puts(b, "null"); return KR_OK;
    case KR_V_BOOL: kr_buf_puts(b, v->u.b ? "true" : "false"); return KR_OK;
    case KR_V_INT: kr_buf_printf(b, "%lld", (long long)v->u.i); return KR_OK;
    case KR_V_FLOAT:
        if (isnan(v->u.f))
            kr_buf_puts(b, "NaN");
        else if (isinf(v->u.f))
            kr_buf_puts(b, v->u.f > 0 ? "Infinity" : "-Infinity");
        else
            kr_float_repr(v->u.f, b);
        return KR_OK;
    case KR_V_STR: dump_str(v->u.str.s, v->u.str.len, o->ascii, b); return KR_OK;
    case KR_V_DICT: {
        struct kr_value **keys = kr_malloc((v->u.dict->live + 1) * sizeof *keys);
        struct kr_value **vals = kr_malloc((v->u.dict->live + 1) * sizeof *vals);
        n = 0;
        for (i = 0; i < v->u.dict->n; i++)
            if (v->u.dict->keys[i]) {
                keys[n] = v->u.dict->keys[i];
                vals[n++] = v->u.dict->vals[i];
            }
        rc = KR_OK;
        if (o->sort_keys)
            rc = kr_builtins_sort(I, keys, n, NULL, false);
        if (rc == KR_OK && o->sort_keys) {
            /* kr_builtins_sort sorted keys only: look the values up again */
            for (i = 0; i < n; i++)
                vals[i] = kr_dict_get(v->u.dict, keys[i]);
        }
        kr_buf_putc(b, '{');
        for (i = 0; rc == KR_OK && i < n; i++) {
            struct kr_value *k = keys[i];
            if (i)
                kr_buf_putc(b, ',');
            if (o->indent >= 0)
                newline(o, depth + 1, b);
            else if (i)
                kr_buf_putc(b, ' ');
            if (k->type == KR_V_STR) {
                dump_str(k->u.str.s, k->u.str.len, o->ascii, b);
            } else if (k->type == KR_V_INT || k->type == KR_V_FLOAT || k->type == KR_V_BOOL ||
                       k->type == KR_V_NONE) {
                struct kr_buf kb = KR_BUF_INIT;
                dump(I, o, k, depth + 1, &kb);
                dump_str(kb.data, kb.len, o->ascii, b);
                kr_buf_free(&kb);
            } else {
                rc = kr_eval_error(I, "json.dumps(): keys must be str, int, float, bool or "
                                   "None, not '%s'", kr_value_type_name(k));
                break;
            }
            kr_buf_puts(b, ": ");
            rc = dump(I, o, vals[i], depth + 1, b);
        }
        if (rc == KR_OK && n && o->indent >= 0)
            newline(o, depth, b);
        kr_buf_putc(b, '}');
        kr_free(keys);
        kr_free(vals);
        return rc;
    }
    case KR_V_LIST: case KR_V_TUPLE: case KR_V_NAMED:
        items = kr_value_items(v, &n);
        kr_buf_putc(b, '[');
        for (i = 0; i < n; i++) {
            if (i)
                kr_buf_putc(b, ',');
            if (o->indent >= 0)
                newline(o, depth + 1, b);
            else if (i)
                kr_buf_putc(b, ' ');
            rc = dump(I, o, items[i], depth + 1, b);
            if (rc != KR_OK)
                return rc;
        }
        if (n && o->indent >= 0)
            newline(o, depth, b);
        kr_buf_putc(b, ']');
        return KR_OK;
    default:
        return kr_eval_error(I, "json.dumps(): object of type '%s' is not JSON serializable",
                             kr_value_type_name(v));
    }
}

KR_MOD_FN(json_dumps)
{
    struct dumpopt o = {-1, false, true};
    struct kr_value *v;
    struct kr_buf b = KR_BUF_INIT;
    size_t i;
    int rc = kr_args_check(I, "json.dumps", a, 1, 1);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < a->nkw; i++) {
        const char *k = a->kwnames[i];
        v = a->kwvals[i];
        if (!strcmp(k, "indent") && v->type == KR_V_INT)
            o.indent = (int)(v->u.i < 0 ? 0 : v->u.i > 64 ? 64 : v->u.i);
        else if (!strcmp(k, "indent") && v->type == KR_V_NONE)
            o.indent = -1;
        else if (!strcmp(k, "sort_keys"))
            o.sort_keys = kr_value_truthy(v);
        else if (!strcmp(k, "ensure_ascii"))
            o.ascii = kr_value_truthy(v);
        else
            return kr_eval_error(I, "krait does not support json.dumps(%s=...) yet (it takes "
                                 "indent=, sort_keys=, ensure_ascii=)", k);
    }
    rc = dump(I, &o, a->pos[0], 0, &b);
    if (rc == KR_OK)
        *out = kr_value_str(I->A, b.data ? b.data : "", b.len);
    kr_buf_free(&b);
    return rc;
}

/* ---- loading ---- */

static int parse(struct kr_interp *I, const char *fname, const char *name, const char *text,
                 size_t len, bool json, struct kr_value **out)
{
    struct kr_error e;
    memset(&e, 0, sizeof e);
    if (kr_config_parse_text(I->A, name, text, len, json, out, &e) != KR_OK) {
        if (e.line > 0)
            return kr_eval_error(I, "%s(): %s:%d:%d: %s", fname, e.file, e.line, e.col, e.msg);
        return kr_eval_error(I, "%s(): %s", fname, e.msg);
    }
    return KR_OK;
}

KR_MOD_FN(json_loads)
{
    int rc = kr_args_check(I, "json.loads", a, 1, 1);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_eval_error(I, "json.loads(): expected a str, got '%s'",
                             kr_value_type_name(a->pos[0]));
    return parse(I, "json.loads", "<string>", a->pos[0]->u.str.s, a->pos[0]->u.str.len, true,
                 out);
}

KR_MOD_FN(json_load)
{
    const char *text;
    size_t len;
    int rc = kr_args_check(I, "json.load", a, 1, 1);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = kr_mod_file_text(I, "json.load", a->pos[0], &text, &len);
    if (rc != KR_OK)
        return rc;
    return parse(I, "json.load", a->pos[0]->type == KR_V_STR ? a->pos[0]->u.str.s : "<file>",
                 text, len, true, out);
}

/* yaml.safe_load(stream): a str is the YAML text itself (as in PyYAML);
 * anything else is a file (kr_mod_file_text). */
static int yaml_load_common(struct kr_interp *I, const char *fname, const struct kr_callargs *a,
                            struct kr_value **out)
{
    const char *text, *name = "<string>";
    size_t len, i;
    int rc = kr_args_check(I, fname, a, 1, 2);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < a->nkw; i++)
        if (strcmp(a->kwnames[i], "Loader"))
            return kr_eval_error(I, "%s() got an unexpected keyword argument '%s'", fname,
                                 a->kwnames[i]);
    if (a->pos[0]->type == KR_V_STR) {
        text = a->pos[0]->u.str.s;
        len = a->pos[0]->u.str.len;
    } else {
        rc = kr_mod_file_text(I, fname, a->pos[0], &text, &len);
        if (rc != KR_OK)
            return rc;
        name = "<file>";
    }
    return parse(I, fname, name, text, len, false, out);
}

KR_MOD_FN(yaml_safe_load)
{
    KR_UNUSED(self);
    return yaml_load_common(I, "yaml.safe_load", a, out);
}

KR_MOD_FN(yaml_load)
{
    KR_UNUSED(self);
    return yaml_load_common(I, "yaml.load", a, out);
}

void kr_mod_json_install(struct kr_interp *I)
{
    struct kr_value *json = kr_value_ns(I->A, "json"), *yaml = kr_value_ns(I->A, "yaml");
    kr_mod_def(I, json, "json.loads", json_loads, NULL);
    kr_mod_def(I, json, "json.load", json_load, NULL);
    kr_mod_def(I, json, "json.dumps", json_dumps, NULL);
    kr_mod_def(I, yaml, "yaml.safe_load", yaml_safe_load, NULL);
    kr_mod_def(I, yaml, "yaml.load", yaml_load, NULL);
    /* the Loader classes are accepted (and ignored: krait always loads safely) */
    kr_dict_sets(I->A, yaml->u.ns.attrs, "SafeLoader", kr_value_cstr(I->A, "SafeLoader"));
    kr_dict_sets(I->A, yaml->u.ns.attrs, "FullLoader", kr_value_cstr(I->A, "FullLoader"));
    kr_dict_sets(I->A, yaml->u.ns.attrs, "Loader", kr_value_cstr(I->A, "Loader"));
    kr_dict_sets(I->A, I->modules, "json", json);
    kr_dict_sets(I->A, I->modules, "yaml", yaml);
}
