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
#include <regex.h>
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

/* ---- yaml.dump / yaml.safe_dump: PyYAML's default block style ----
 *
 * As PyYAML 5.1+ writes it with default_flow_style=False: keys sorted
 * (sort_keys=True), nested mappings indented by `indent` (2), sequences in
 * a mapping not indented, "- " items, empty collections as {} and [],
 * scalars plain when PyYAML's resolver would read them back as the same
 * string and no indicator forbids it, else single-quoted ('' for '), else
 * double-quoted with escapes (control characters, non-ASCII unless
 * allow_unicode=True); plain and single-quoted scalars longer than
 * `width` (80) fold at a space as PyYAML folds them, line breaks in a
 * single-quoted scalar are written as PyYAML writes them (one more break,
 * then the indentation); a plain scalar at the top is followed by "...".
 * Not done: folding of double-quoted scalars, anchors for repeated
 * objects, tags for non-standard types. */


struct yopt {
    int indent, width;
    bool sort_keys, unicode;
};

struct yemit {
    struct kr_buf *b;
    size_t line_start;      /* offset in b of the current line */
};

static int ycol(const struct yemit *e)
{
    return (int)(e->b->len - e->line_start);
}

static void y_newline(struct yemit *e, int indent)
{
    int i;
    kr_buf_putc(e->b, '\n');
    e->line_start = e->b->len;
    for (i = 0; i < indent; i++)
        kr_buf_putc(e->b, ' ');
}

/* Would PyYAML's resolver read this plain text as something else than a
 * str (bool, int, float, null, timestamp, merge, value)? */
static bool y_implicit_other(const char *s)
{
    static const char *const pats[] = {
        "^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
        "^([-+]?(0|[1-9][0-9_]*)|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?0x[0-9a-fA-F_]+|"
        "[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$",
        "^([-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9_]+([eE][-+][0-9]+)?|"
        "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$",
        "^(~|null|Null|NULL|)$",
        "^([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-"
        "[0-9][0-9]?([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\\.[0-9]*)?"
        "(([ \t]*)Z|[-+][0-9][0-9]?(:[0-9][0-9])?)?)$",
        "^(<<|=)$",
    };
    static regex_t re[KR_ARRAY_LEN(pats)];
    static bool compiled;
    size_t i;
    if (!compiled) {
        for (i = 0; i < KR_ARRAY_LEN(pats); i++)
            regcomp(&re[i], pats[i], REG_EXTENDED | REG_NOSUB);
        compiled = true;
    }
    for (i = 0; i < KR_ARRAY_LEN(pats); i++)
        if (regexec(&re[i], s, 0, NULL, 0) == 0)
            return true;
    return false;
}

/* PyYAML's analyze_scalar + choose_scalar_style for a block context:
 * 'p' plain, 's' single-quoted, 'd' double-quoted. */
static char y_style(const char *s, size_t n, bool key, const struct yopt *o)
{
    bool flow_ind = false, block_ind = false, breaks = false, special = false;
    bool lead_sp = false, lead_br = false, trail_sp = false, trail_br = false;
    bool break_space = false, space_break = false, prev_sp = false, prev_br = false;
    bool pre_ws = true, allow_plain = true, allow_single = true;
    size_t i;
    if (n == 0)
        return 's';
    if ((n >= 3 && (!strncmp(s, "---", 3) || !strncmp(s, "...", 3))))
        flow_ind = block_ind = true;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool fol_ws = i + 1 >= n || s[i + 1] == ' ' || s[i + 1] == '\t' || s[i + 1] == '\n' ||
                      s[i + 1] == '\r';
        if (i == 0) {
            if (strchr("#,[]{}&*!|>'\"%@`", c)) {
                flow_ind = block_ind = true;
            }
            if (c == '?' || c == ':') {
                flow_ind = true;
                if (fol_ws)
                    block_ind = true;
            }
            if (c == '-' && fol_ws)
                flow_ind = block_ind = true;
        } else {
            if (strchr(",?[]{}", c))
                flow_ind = true;
            if (c == ':') {
                flow_ind = true;
                if (fol_ws)
                    block_ind = true;
            }
            if (c == '#' && pre_ws)
                flow_ind = block_ind = true;
        }
        if (c == '\n')
            breaks = true;
        if (!(c == '\n' || (c >= 0x20 && c <= 0x7e))) {
            if (c >= 0x80 && o->unicode)
                ;   /* a printable non-ASCII character, written as is */
            else
                special = true;
        }
        if (c == ' ') {
            if (i == 0)
                lead_sp = true;
            if (i == n - 1)
                trail_sp = true;
            if (prev_br)
                break_space = true;
            prev_sp = true;
            prev_br = false;
        } else if (c == '\n') {
            if (i == 0)
                lead_br = true;
            if (i == n - 1)
                trail_br = true;
            if (prev_sp)
                space_break = true;
            prev_br = true;
            prev_sp = false;
        } else {
            prev_sp = prev_br = false;
        }
        pre_ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
    if (lead_sp || lead_br || trail_sp || trail_br)
        allow_plain = false;
    if (break_space)
        allow_plain = allow_single = false;
    if (space_break || special)
        allow_plain = allow_single = false;
    if (breaks)
        allow_plain = false;
    if (breaks && key)
        allow_single = false;
    if (block_ind)
        allow_plain = false;
    KR_UNUSED(flow_ind);
    if (allow_plain && !(key && breaks) && !y_implicit_other(s))
        return 'p';
    if (allow_single)
        return 's';
    return 'd';
}

/* Write text (plain or single-quoted), folding at single spaces past the
 * width as PyYAML does; continuation lines at `indent`. */
static void y_write_folded(struct yemit *e, const char *s, size_t n, bool quoted, int indent,
                           const struct yopt *o, bool fold)
{
    size_t i;
    if (quoted)
        kr_buf_putc(e->b, '\'');
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n' && quoted) {
            /* a run of line breaks: one more, then each, then the indent */
            y_newline(e, 0);
            while (i < n && s[i] == '\n') {
                y_newline(e, 0);
                i++;
            }
            {
                int k;
                for (k = 0; k < indent; k++)
                    kr_buf_putc(e->b, ' ');
            }
            i--;
            continue;
        }
        if (c == ' ' && fold && (i + 1 < n && s[i + 1] != ' ') && (i == 0 || s[i - 1] != ' ') &&
            ycol(e) > o->width && i != 0 && i + 1 != n) {
            y_newline(e, indent);
            continue;
        }
        if (quoted && c == '\'')
            kr_buf_putc(e->b, '\'');
        kr_buf_putc(e->b, c);
    }
    if (quoted)
        kr_buf_putc(e->b, '\'');
}

static void y_write_double(struct yemit *e, const char *s, size_t n, const struct yopt *o)
{
    size_t i = 0;
    kr_buf_putc(e->b, '"');
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp = c;
        size_t len = 1;
        if (c >= 0x80) {
            /* decode UTF-8 (invalid bytes stand for themselves) */
            int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
            size_t k;
            if (extra && i + (size_t)extra < n + 0) {
                cp = c & (0x3f >> extra);
                for (k = 1; k <= (size_t)extra; k++)
                    cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3f);
                len = (size_t)extra + 1;
            }
        }
        switch (cp) {
        case 0: kr_buf_puts(e->b, "\\0"); break;
        case 7: kr_buf_puts(e->b, "\\a"); break;
        case 8: kr_buf_puts(e->b, "\\b"); break;
        case 9: kr_buf_puts(e->b, "\\t"); break;
        case 10: kr_buf_puts(e->b, "\\n"); break;
        case 11: kr_buf_puts(e->b, "\\v"); break;
        case 12: kr_buf_puts(e->b, "\\f"); break;
        case 13: kr_buf_puts(e->b, "\\r"); break;
        case 27: kr_buf_puts(e->b, "\\e"); break;
        case '"': kr_buf_puts(e->b, "\\\""); break;
        case '\\': kr_buf_puts(e->b, "\\\\"); break;
        case 0x85: kr_buf_puts(e->b, "\\N"); break;
        case 0xa0: kr_buf_puts(e->b, "\\_"); break;
        case 0x2028: kr_buf_puts(e->b, "\\L"); break;
        case 0x2029: kr_buf_puts(e->b, "\\P"); break;
        default:
            if (cp >= 0x20 && cp <= 0x7e)
                kr_buf_putc(e->b, (char)cp);
            else if (cp >= 0x80 && o->unicode)
                kr_buf_append(e->b, s + i, len);
            else if (cp <= 0xff)
                kr_buf_printf(e->b, "\\x%02X", cp);
            else if (cp <= 0xffff)
                kr_buf_printf(e->b, "\\u%04X", cp);
            else
                kr_buf_printf(e->b, "\\U%08X", cp);
        }
        i += len;
    }
    kr_buf_putc(e->b, '"');
}

/* A scalar; returns whether it was written plain. */
static int y_scalar(struct kr_interp *I, struct yemit *e, struct kr_value *v, int indent,
                    bool key, const struct yopt *o, bool *plain)
{
    struct kr_buf t = KR_BUF_INIT;
    char st;
    *plain = true;
    switch (v->type) {
    case KR_V_NONE: kr_buf_puts(e->b, "null"); return KR_OK;
    case KR_V_BOOL: kr_buf_puts(e->b, v->u.b ? "true" : "false"); return KR_OK;
    case KR_V_INT: kr_buf_printf(e->b, "%lld", (long long)v->u.i); return KR_OK;
    case KR_V_FLOAT:
        if (isnan(v->u.f)) {
            kr_buf_puts(e->b, ".nan");
        } else if (isinf(v->u.f)) {
            kr_buf_puts(e->b, v->u.f > 0 ? ".inf" : "-.inf");
        } else {
            size_t k;
            kr_float_repr(v->u.f, &t);
            for (k = 0; k < t.len; k++)
                if (t.data[k] == 'E')
                    t.data[k] = 'e';
            if (!strchr(kr_buf_cstr(&t), '.') && strchr(kr_buf_cstr(&t), 'e')) {
                char *ep = strchr(t.data, 'e');
                kr_buf_append(e->b, t.data, (size_t)(ep - t.data));
                kr_buf_puts(e->b, ".0");
                kr_buf_puts(e->b, ep);
            } else {
                kr_buf_puts(e->b, kr_buf_cstr(&t));
            }
            kr_buf_free(&t);
        }
        return KR_OK;
    case KR_V_STR:
        st = y_style(v->u.str.s, v->u.str.len, key, o);
        *plain = st == 'p';
        if (st == 'd')
            y_write_double(e, v->u.str.s, v->u.str.len, o);
        else
            y_write_folded(e, v->u.str.s, v->u.str.len, st == 's', indent, o, !key);
        return KR_OK;
    default:
        return kr_exc_tag(I, "RepresenterError", NULL,
                          kr_eval_error(I, "yaml.dump(): cannot represent an object of type "
                                        "'%s'", kr_value_type_name(v)));
    }
}

static bool y_is_map(const struct kr_value *v)
{
    return v->type == KR_V_DICT;
}

static bool y_is_seq(const struct kr_value *v)
{
    return v->type == KR_V_LIST || v->type == KR_V_TUPLE || v->type == KR_V_NAMED;
}

static size_t y_len(struct kr_value *v)
{
    size_t n = 0;
    if (y_is_map(v))
        return v->u.dict->live;
    kr_value_items(v, &n);
    return n;
}

static int y_node(struct kr_interp *I, struct yemit *e, struct kr_value *v, int indent,
                  const struct yopt *o, int depth, bool inline_first);
static int y_seq(struct kr_interp *I, struct yemit *e, struct kr_value *v, int indent,
                 const struct yopt *o, int depth, bool inline_first);

/* A block mapping at `indent`; the first key is written where the cursor
 * is when inline_first (after "- "). */
static int y_map(struct kr_interp *I, struct yemit *e, struct kr_value *v, int indent,
                 const struct yopt *o, int depth, bool inline_first)
{
    size_t n = 0, i;
    struct kr_value **keys = kr_arena_alloc(I->A, (v->u.dict->live + 1) * sizeof *keys);
    int rc = KR_OK;
    for (i = 0; i < v->u.dict->n; i++)
        if (v->u.dict->keys[i])
            keys[n++] = v->u.dict->keys[i];
    if (o->sort_keys && n > 1) {
        /* PyYAML sorts when it can (sorted() raising TypeError: as inserted) */
        bool strs = true, nums = true;
        for (i = 0; i < n; i++) {
            strs &= keys[i]->type == KR_V_STR;
            nums &= keys[i]->type == KR_V_INT || keys[i]->type == KR_V_FLOAT ||
                    keys[i]->type == KR_V_BOOL;
        }
        if (strs || nums)
            rc = kr_builtins_sort(I, keys, n, NULL, false);
        if (rc != KR_OK)
            return rc;
    }
    for (i = 0; i < n && rc == KR_OK; i++) {
        struct kr_value *val = kr_dict_get(v->u.dict, keys[i]);
        bool plain;
        if (i || !inline_first)
            y_newline(e, indent);
        if (y_is_map(keys[i]) || y_is_seq(keys[i]))
            return kr_eval_error(I, "yaml.dump(): krait does not support collection keys yet");
        rc = y_scalar(I, e, keys[i], indent + o->indent, true, o, &plain);
        if (rc != KR_OK)
            return rc;
        kr_buf_putc(e->b, ':');
        if (y_is_map(val) && y_len(val)) {
            rc = y_map(I, e, val, indent + o->indent, o, depth + 1, false);
        } else if (y_is_seq(val) && y_len(val)) {
            rc = y_seq(I, e, val, indent, o, depth + 1, false);
        } else {
            kr_buf_putc(e->b, ' ');
            rc = y_node(I, e, val, indent + o->indent, o, depth + 1, true);
        }
    }
    return rc;
}

/* A block sequence: "- item" lines at `indent`. */
static int y_seq(struct kr_interp *I, struct yemit *e, struct kr_value *v, int indent,
                 const struct yopt *o, int depth, bool inline_first)
{
    size_t n, i;
    struct kr_value **items = kr_value_items(v, &n);
    int rc = KR_OK;
    for (i = 0; i < n && rc == KR_OK; i++) {
        if (i || !inline_first)
            y_newline(e, indent);
        kr_buf_puts(e->b, "- ");
        rc = y_node(I, e, items[i], indent + o->indent, o, depth + 1, true);
    }
    return rc;
}

static int y_node(struct kr_interp *I, struct yemit *e, struct kr_value *v, int indent,
                  const struct yopt *o, int depth, bool inline_first)
{
    bool plain;
    if (depth > 100)
        return kr_eval_error(I, "yaml.dump(): the value is nested too deeply");
    if (y_is_map(v))
        return y_len(v) ? y_map(I, e, v, indent, o, depth, inline_first)
                        : (kr_buf_puts(e->b, "{}"), KR_OK);
    if (y_is_seq(v))
        return y_len(v) ? y_seq(I, e, v, indent, o, depth, inline_first)
                        : (kr_buf_puts(e->b, "[]"), KR_OK);
    return y_scalar(I, e, v, indent, false, o, &plain);
}

static int yaml_dump_common(struct kr_interp *I, const char *fname, const struct kr_callargs *a,
                            struct kr_value **out)
{
    struct yopt o = {2, 80, true, false};
    struct kr_buf b = KR_BUF_INIT;
    struct yemit e = {&b, 0};
    struct kr_value *v;
    bool start = false, plain = false;
    size_t i;
    int rc;
    if (a->npos != 1)
        return kr_eval_error(I, "%s(): expected one value (krait's rule language writes no "
                             "files: use the returned string)", fname);
    for (i = 0; i < a->nkw; i++) {
        const char *k = a->kwnames[i];
        v = a->kwvals[i];
        if (!strcmp(k, "sort_keys"))
            o.sort_keys = kr_value_truthy(v);
        else if (!strcmp(k, "allow_unicode"))
            o.unicode = kr_value_truthy(v);
        else if (!strcmp(k, "explicit_start"))
            start = kr_value_truthy(v);
        else if (!strcmp(k, "indent") && v->type == KR_V_INT && v->u.i >= 2 && v->u.i <= 9)
            o.indent = (int)v->u.i;
        else if (!strcmp(k, "width") && v->type == KR_V_INT)
            o.width = v->u.i > o.indent * 2 ? (int)v->u.i : 80;
        else if (!strcmp(k, "default_flow_style") && !kr_value_truthy(v))
            ;
        else if (!strcmp(k, "Dumper"))
            ;
        else
            return kr_eval_error(I, "krait does not support %s(%s=...) yet (it takes "
                                 "sort_keys, allow_unicode, explicit_start, indent, width, "
                                 "default_flow_style=False)", fname, k);
    }
    v = a->pos[0];
    if (start) {
        kr_buf_puts(&b, "---");
        if (y_is_map(v) && y_len(v))
            ;
        else
            kr_buf_putc(&b, ' ');
    }
    if (y_is_map(v) && y_len(v))
        rc = y_map(I, &e, v, 0, &o, 0, !start);
    else if (y_is_seq(v) && y_len(v))
        rc = y_seq(I, &e, v, 0, &o, 0, !start);
    else if (y_is_map(v) || y_is_seq(v))
        rc = (kr_buf_puts(&b, y_is_map(v) ? "{}" : "[]"), KR_OK);
    else
        rc = y_scalar(I, &e, v, o.indent, false, &o, &plain);
    if (rc == KR_OK) {
        kr_buf_putc(&b, '\n');
        if (plain && !y_is_map(v) && !y_is_seq(v))
            kr_buf_puts(&b, "...\n");
        *out = kr_value_str(I->A, b.data, b.len);
    }
    kr_buf_free(&b);
    return rc;
}

KR_MOD_FN(yaml_safe_dump)
{
    KR_UNUSED(self);
    return yaml_dump_common(I, "yaml.safe_dump", a, out);
}

KR_MOD_FN(yaml_dump)
{
    KR_UNUSED(self);
    return yaml_dump_common(I, "yaml.dump", a, out);
}

void kr_mod_json_install(struct kr_interp *I)
{
    struct kr_value *json = kr_value_ns(I->A, "json"), *yaml = kr_value_ns(I->A, "yaml");
    kr_mod_def(I, json, "json.loads", json_loads, NULL);
    kr_mod_def(I, json, "json.load", json_load, NULL);
    kr_mod_def(I, json, "json.dumps", json_dumps, NULL);
    kr_mod_def(I, yaml, "yaml.safe_load", yaml_safe_load, NULL);
    kr_mod_def(I, yaml, "yaml.load", yaml_load, NULL);
    kr_mod_def(I, yaml, "yaml.safe_dump", yaml_safe_dump, NULL);
    kr_mod_def(I, yaml, "yaml.dump", yaml_dump, NULL);
    /* the Loader classes are accepted (and ignored: krait always loads safely) */
    kr_dict_sets(I->A, yaml->u.ns.attrs, "SafeLoader", kr_value_cstr(I->A, "SafeLoader"));
    kr_dict_sets(I->A, yaml->u.ns.attrs, "FullLoader", kr_value_cstr(I->A, "FullLoader"));
    kr_dict_sets(I->A, yaml->u.ns.attrs, "Loader", kr_value_cstr(I->A, "Loader"));
    kr_dict_sets(I->A, I->modules, "json", json);
    kr_dict_sets(I->A, I->modules, "yaml", yaml);
}
