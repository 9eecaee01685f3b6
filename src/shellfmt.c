/*
 * shellfmt.c - Snakemake's formatting of shell: commands (also used for
 * message: and script: paths): Python str.format fields resolved against
 * the job's namespace (input, output, params, wildcards, threads,
 * resources, log, rule, config) and then the rule file's globals, with
 * Snakemake's twists: list-like values are joined with single spaces, and
 * the `q` format flag shell-quotes (each item of a list separately), as
 * shlex.quote does. `{{` and `}}` are literal braces.
 *
 * Also the JSON rendering of values (kr_value_to_json) shared by the job
 * context of script:/run: wrappers and by `krait lint --json`.
 */
#include "eval.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void kr_shell_quote(const char *s, size_t n, struct kr_buf *out)
{
    size_t i;
    bool safe = n > 0;
    for (i = 0; i < n && safe; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || strchr("_@%+=:,./-", c)))
            safe = false;
    }
    if (safe) {
        kr_buf_append(out, s, n);
        return;
    }
    kr_buf_putc(out, '\'');
    for (i = 0; i < n; i++) {
        if (s[i] == '\'')
            kr_buf_puts(out, "'\"'\"'");
        else
            kr_buf_putc(out, s[i]);
    }
    kr_buf_putc(out, '\'');
}

static int fmt_error(struct kr_interp *I, const struct kr_rule *r, const char *what,
                     const char *field, size_t flen, const char *msg)
{
    return kr_error_at(I->err, KR_EEVAL, I->srcs, r->file, r->off,
                       "rule '%s', %s: {%.*s}: %s", r->name, what, (int)flen, field, msg);
}

static void list_keys(struct kr_dict *d, struct kr_vec *out)
{
    size_t i;
    for (i = 0; i < d->n; i++)
        if (d->keys[i] && d->keys[i]->type == KR_V_STR)
            kr_vec_push(out, d->keys[i]->u.str.s);
}

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* {wildcards} as Snakemake's formatter prints it: name=value pairs sorted
 * by name, joined with ',' (then quoted as a whole with :q). */
static void render_wildcards(const struct kr_value *v, bool quote, struct kr_buf *out)
{
    struct kr_vec names = KR_VEC_INIT;
    struct kr_buf tmp = KR_BUF_INIT;
    size_t i;
    list_keys(v->u.named.names, &names);
    if (names.len > 1)
        qsort(names.items, names.len, sizeof *names.items, cmp_cstr);
    for (i = 0; i < names.len; i++) {
        const char *nm = names.items[i];
        if (i)
            kr_buf_putc(&tmp, ',');
        kr_buf_printf(&tmp, "%s=", nm);
        kr_value_str_buf(kr_dict_gets(v->u.named.names, nm), &tmp);
    }
    if (quote)
        kr_shell_quote(kr_buf_cstr(&tmp), tmp.len, out);
    else
        kr_buf_append(out, kr_buf_cstr(&tmp), tmp.len);
    kr_buf_free(&tmp);
    kr_vec_free(&names);
}

/* str() of a value with Snakemake's joining of list-likes, optionally quoted. */
static void render(const struct kr_value *v, bool quote, struct kr_buf *out)
{
    size_t n, i;
    struct kr_value **items = kr_value_items(v, &n);
    if (v->type == KR_V_NAMED && v->u.named.kind && !strcmp(v->u.named.kind, "wildcards")) {
        render_wildcards(v, quote, out);
        return;
    }
    if (v->type == KR_V_LIST || v->type == KR_V_TUPLE || v->type == KR_V_NAMED) {
        for (i = 0; i < n; i++) {
            if (i)
                kr_buf_putc(out, ' ');
            render(items[i], quote, out);
        }
        return;
    }
    if (quote) {
        struct kr_buf tmp = KR_BUF_INIT;
        kr_value_str_buf(v, &tmp);
        kr_shell_quote(kr_buf_cstr(&tmp), tmp.len, out);
        kr_buf_free(&tmp);
        return;
    }
    kr_value_str_buf(v, out);
}

/*
 * Wildcard values come from file names that users do not control (a
 * glob_wildcards() over a download folder). Substituted unquoted into a
 * shell: command, a value holding one of these characters is shell code,
 * not a word: such a substitution is refused (unless the workflow was
 * loaded with allow_unquoted_wildcards). The value is recognised in the
 * rendered field text, so {input}, {output}, {params.x} ... built from the
 * wildcard are caught as well as {wildcards.x}.
 */
static const char shell_meta[] = ";|&$`<>\n'\"";

/* The first wildcard of the job (vars["wildcards"]) whose value holds a
 * shell metacharacter and occurs in text[0..n), or -1; *bad = that character. */
static long unsafe_wildcard(struct kr_dict *vars, const char *text, size_t n, char *bad)
{
    struct kr_value *wv = kr_dict_gets(vars, "wildcards");
    size_t i, j;
    if (!wv || wv->type != KR_V_NAMED)
        return -1;
    for (i = 0; i < wv->u.named.len; i++) {
        const struct kr_value *v = wv->u.named.items[i];
        const char *m = NULL;
        if (v->type != KR_V_STR || v->u.str.len == 0 || v->u.str.len > n)
            continue;
        for (j = 0; j < v->u.str.len && !m; j++)
            if (v->u.str.s[j] != '\0' && strchr(shell_meta, v->u.str.s[j]))
                m = v->u.str.s + j;
        if (!m)
            continue;
        for (j = 0; j + v->u.str.len <= n; j++) {
            if (!memcmp(text + j, v->u.str.s, v->u.str.len)) {
                *bad = *m;
                return (long)i;
            }
        }
    }
    return -1;
}

static int unquoted_error(struct kr_interp *I, const struct kr_rule *r, const char *field,
                          size_t flen, size_t nlen, struct kr_dict *vars, long wi, char bad,
                          const char *text, size_t n)
{
    struct kr_value *wv = kr_dict_gets(vars, "wildcards");
    const char *wname = kr_named_item_name(wv, (size_t)wi);
    const struct kr_value *val = wv->u.named.items[wi];
    char shown[8];
    if (bad == '\n')
        snprintf(shown, sizeof shown, "newline");
    else
        snprintf(shown, sizeof shown, "'%c'", bad);
    return kr_error_at(I->err, KR_EEVAL, I->srcs, r->file, r->off,
                       "rule '%s', shell: {%.*s} is '%.*s%s': the wildcard %s='%.*s' (taken "
                       "from a file name) contains %s, and substituted unquoted the shell "
                       "would run it as code; write {%.*s:q} to quote it (or run with "
                       "--allow-unquoted-wildcards)",
                       r->name, (int)flen, field, n > 200 ? 200 : (int)n, text,
                       n > 200 ? "..." : "", wname ? wname : "?",
                       val->u.str.len > 200 ? 200 : (int)val->u.str.len, val->u.str.s, shown,
                       (int)nlen, field);
}

int kr_shellfmt(struct kr_interp *I, const struct kr_rule *r, const char *what,
                const char *tmpl, struct kr_dict *vars, struct kr_buf *out)
{
    size_t i = 0, len = strlen(tmpl);
    const struct kr_node *saved_site = I->site;
    bool check = !strcmp(what, "shell") && !(I->wf && I->wf->allow_unquoted_wildcards);
    int rc = KR_OK;
    I->site = NULL;
    while (i < len) {
        const char *f, *fend, *p, *spec = NULL;
        size_t k, depth, nlen, flen, at = out->len;
        bool quoted = false;
        struct kr_value *v;
        char name[256];
        if (tmpl[i] == '{' && tmpl[i + 1] == '{') {
            kr_buf_putc(out, '{');
            i += 2;
            continue;
        }
        if (tmpl[i] == '}' && tmpl[i + 1] == '}') {
            kr_buf_putc(out, '}');
            i += 2;
            continue;
        }
        if (tmpl[i] == '}') {
            rc = kr_error_at(I->err, KR_EEVAL, I->srcs, r->file, r->off,
                             "rule '%s', %s: single '}' in the command (write '}}' for a "
                             "literal brace)", r->name, what);
            goto out;
        }
        if (tmpl[i] != '{') {
            kr_buf_putc(out, tmpl[i++]);
            continue;
        }
        f = tmpl + i + 1;
        depth = 1;
        for (k = i + 1; k < len; k++) {
            if (tmpl[k] == '{')
                depth++;
            else if (tmpl[k] == '}' && --depth == 0)
                break;
        }
        if (k >= len) {
            rc = kr_error_at(I->err, KR_EEVAL, I->srcs, r->file, r->off,
                             "rule '%s', %s: unclosed '{' in the command (write '{{' for a "
                             "literal brace)", r->name, what);
            goto out;
        }
        fend = tmpl + k;
        /* field name */
        p = f;
        while (p < fend && (isalnum((unsigned char)*p) || *p == '_'))
            p++;
        nlen = (size_t)(p - f);
        if (nlen == 0 || nlen >= sizeof name) {
            rc = fmt_error(I, r, what, f, (size_t)(fend - f),
                           "expected a name such as input, output, params, wildcards, threads "
                           "(write '{{' for a literal brace)");
            goto out;
        }
        memcpy(name, f, nlen);
        name[nlen] = '\0';
        v = kr_dict_gets(vars, name);
        if (!v)
            v = kr_dict_gets(I->globals, name);
        if (!v) {
            struct kr_vec cands = KR_VEC_INIT;
            const char *sug;
            char msg[600];
            list_keys(vars, &cands);
            sug = kr_suggest(name, (const char *const *)cands.items, cands.len);
            if (sug)
                snprintf(msg, sizeof msg, "unknown name '%s' (did you mean '%s'?)", name, sug);
            else
                snprintf(msg, sizeof msg, "unknown name '%s'", name);
            kr_vec_free(&cands);
            rc = fmt_error(I, r, what, f, (size_t)(fend - f), msg);
            goto out;
        }
        /* .attr and [key] chains */
        while (p < fend && (*p == '.' || *p == '[')) {
            if (*p == '.') {
                const char *q = ++p;
                while (q < fend && (isalnum((unsigned char)*q) || *q == '_'))
                    q++;
                if (q == p || (size_t)(q - p) >= sizeof name) {
                    rc = fmt_error(I, r, what, f, (size_t)(fend - f), "bad attribute name");
                    goto out;
                }
                memcpy(name, p, (size_t)(q - p));
                name[q - p] = '\0';
                if (kr_eval_getattr(I, v, name, &v) != KR_OK) {
                    char msg[1100];
                    snprintf(msg, sizeof msg, "%s", I->err->msg);
                    rc = fmt_error(I, r, what, f, (size_t)(fend - f), msg);
                    goto out;
                }
                p = q;
            } else {
                const char *q = ++p, *t;
                struct kr_value *key;
                bool digits = true;
                while (q < fend && *q != ']')
                    q++;
                if (q >= fend) {
                    rc = fmt_error(I, r, what, f, (size_t)(fend - f), "missing ']'");
                    goto out;
                }
                for (t = p; t < q; t++)
                    if (!isdigit((unsigned char)*t) && !(t == p && *t == '-'))
                        digits = false;
                if (digits && q > p)
                    key = kr_value_int(I->A, strtoll(p, NULL, 10));
                else if (q - p >= 2 && (*p == '"' || *p == '\'') && q[-1] == *p)
                    key = kr_value_str(I->A, p + 1, (size_t)(q - p - 2));
                else
                    key = kr_value_str(I->A, p, (size_t)(q - p));
                if (kr_eval_getitem(I, v, key, &v) != KR_OK) {
                    char msg[1100];
                    snprintf(msg, sizeof msg, "%s", I->err->msg);
                    rc = fmt_error(I, r, what, f, (size_t)(fend - f), msg);
                    goto out;
                }
                p = q + 1;
            }
        }
        flen = (size_t)(p - f);             /* the field without conversion and spec */
        if (p < fend && *p == '!') {
            /* conversions: !r / !s */
            if (p + 1 < fend && p[1] == 'r')
                v = kr_value_cstr(I->A, kr_value_to_repr(I->A, v));
            p += 2;
        }
        if (p < fend && *p == ':')
            spec = p + 1;
        else if (p < fend) {
            rc = fmt_error(I, r, what, f, (size_t)(fend - f), "unexpected text in the field");
            goto out;
        }
        if (spec) {
            char sp[128];
            size_t sl = (size_t)(fend - spec);
            if (sl >= sizeof sp)
                sl = sizeof sp - 1;
            memcpy(sp, spec, sl);
            sp[sl] = '\0';
            if (!strcmp(sp, "q")) {
                quoted = true;
                render(v, true, out);
            } else {
                if (kr_eval_format_spec(I, v, sp, out) != KR_OK) {
                    char msg[1100];
                    snprintf(msg, sizeof msg, "%s", I->err->msg);
                    rc = fmt_error(I, r, what, f, (size_t)(fend - f), msg);
                    goto out;
                }
            }
        } else {
            render(v, false, out);
        }
        if (check && !quoted) {
            char bad = 0;
            long wi = unsafe_wildcard(vars, out->data + at, out->len - at, &bad);
            if (wi >= 0) {
                rc = unquoted_error(I, r, f, (size_t)(fend - f), flen, vars, wi, bad,
                                    out->data + at, out->len - at);
                goto out;
            }
        }
        i = k + 1;
    }
out:
    I->site = saved_site;
    return rc;
}

/* ---- JSON ---- */

struct json_t *kr_value_to_json(const struct kr_value *v)
{
    size_t i;
    json_t *j, *pos, *named;
    switch (v->type) {
    case KR_V_NONE: return json_null();
    case KR_V_BOOL: return json_boolean(v->u.b);
    case KR_V_INT: return json_integer((json_int_t)v->u.i);
    case KR_V_FLOAT: return json_real(v->u.f);
    case KR_V_STR: return json_stringn(v->u.str.s, v->u.str.len);
    case KR_V_LIST: case KR_V_TUPLE:
        j = json_array();
        for (i = 0; i < v->u.list.len; i++)
            json_array_append_new(j, kr_value_to_json(v->u.list.items[i]));
        return j;
    case KR_V_SET:
        j = json_array();
        for (i = 0; i < v->u.dict->n; i++)
            if (v->u.dict->keys[i])
                json_array_append_new(j, kr_value_to_json(v->u.dict->keys[i]));
        return j;
    case KR_V_DICT:
        j = json_object();
        for (i = 0; i < v->u.dict->n; i++) {
            struct kr_buf k = KR_BUF_INIT;
            if (!v->u.dict->keys[i])
                continue;
            kr_value_str_buf(v->u.dict->keys[i], &k);
            json_object_set_new(j, kr_buf_cstr(&k), kr_value_to_json(v->u.dict->vals[i]));
            kr_buf_free(&k);
        }
        return j;
    case KR_V_NAMED:
        j = json_object();
        pos = json_array();
        named = json_object();
        for (i = 0; i < v->u.named.len; i++)
            json_array_append_new(pos, kr_value_to_json(v->u.named.items[i]));
        for (i = 0; i < v->u.named.names->n; i++)
            if (v->u.named.names->keys[i])
                json_object_set_new(named, v->u.named.names->keys[i]->u.str.s,
                                    kr_value_to_json(v->u.named.names->vals[i]));
        json_object_set_new(j, "positional", pos);
        json_object_set_new(j, "named", named);
        return j;
    default: {
        struct kr_buf b = KR_BUF_INIT;
        kr_value_str_buf(v, &b);
        j = json_string(kr_buf_cstr(&b));
        kr_buf_free(&b);
        return j;
    }
    }
}
