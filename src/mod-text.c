/*
 * mod-text.c - Python's `string` constants (ascii_letters, ascii_lowercase,
 * ascii_uppercase, digits, hexdigits, octdigits, punctuation, whitespace)
 * and `textwrap.dedent` / `textwrap.indent`, as rule files use them to
 * build shell commands and messages.
 */
#include "mod.h"

#include <string.h>

/* Python's textwrap.dedent: lines of only blanks become empty; the longest
 * leading run of blanks common to all other lines is removed. */
KR_MOD_FN(tw_dedent)
{
    const char *s, *p, *end, *margin = NULL;
    size_t mlen = 0, len;
    struct kr_buf b = KR_BUF_INIT;
    int rc = kr_args_check(I, "textwrap.dedent", a, 1, 1);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_eval_error(I, "textwrap.dedent(): expected a str, got '%s'",
                             kr_value_type_name(a->pos[0]));
    s = a->pos[0]->u.str.s;
    len = a->pos[0]->u.str.len;
    end = s + len;
    for (p = s; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end, *q = p;
        while (q < le && (*q == ' ' || *q == '\t'))
            q++;
        if (q < le) {
            size_t ind = (size_t)(q - p), k = 0;
            if (!margin) {
                margin = p;
                mlen = ind;
            } else {
                while (k < mlen && k < ind && margin[k] == p[k])
                    k++;
                mlen = k;
            }
        }
        p = nl ? nl + 1 : end;
    }
    for (p = s; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end, *q = p;
        while (q < le && (*q == ' ' || *q == '\t'))
            q++;
        if (q < le)
            kr_buf_append(&b, p + mlen, (size_t)(le - p) - mlen);
        if (nl)
            kr_buf_putc(&b, '\n');
        p = nl ? nl + 1 : end;
    }
    *out = kr_value_str(I->A, b.data ? b.data : "", b.len);
    kr_buf_free(&b);
    return KR_OK;
}

/* textwrap.indent(text, prefix): prefix every line that is not only blanks. */
KR_MOD_FN(tw_indent)
{
    const char *s, *p, *end;
    struct kr_buf b = KR_BUF_INIT;
    int rc = kr_args_check(I, "textwrap.indent", a, 2, 2);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR || a->pos[1]->type != KR_V_STR)
        return kr_eval_error(I, "textwrap.indent(): expected (str, str)");
    s = a->pos[0]->u.str.s;
    end = s + a->pos[0]->u.str.len;
    for (p = s; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl + 1 : end, *q = p;
        while (q < le && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
            q++;
        if (q < le)
            kr_buf_append(&b, a->pos[1]->u.str.s, a->pos[1]->u.str.len);
        kr_buf_append(&b, p, (size_t)(le - p));
        p = le;
    }
    *out = kr_value_str(I->A, b.data ? b.data : "", b.len);
    kr_buf_free(&b);
    return KR_OK;
}

/* ---- string.Template ---- */

static bool id_start(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool id_char(char c)
{
    return id_start(c) || (c >= '0' && c <= '9');
}

/* Template.substitute / safe_substitute: $name, ${name}, $$ (Python's
 * string.Template); the mapping and keywords give the values (keywords
 * win); a missing name is a KeyError (safe: kept as written). */
static int tpl_subst(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                     bool safe, struct kr_value **out)
{
    const char *t = self->u.str.s, *p = t;
    struct kr_value *map = a->npos ? a->pos[0] : NULL;
    struct kr_buf b = KR_BUF_INIT;
    if (a->npos > 1)
        return kr_eval_error(I, "Template.substitute(): too many positional arguments");
    if (map && map->type != KR_V_DICT)
        return kr_eval_error(I, "Template.substitute(): the mapping must be a dict, not '%s'",
                             kr_value_type_name(map));
    while (*p) {
        const char *dollar = strchr(p, '$'), *ns, *ne;
        bool braced;
        struct kr_value *v = NULL, *key;
        size_t k;
        if (!dollar) {
            kr_buf_puts(&b, p);
            break;
        }
        kr_buf_append(&b, p, (size_t)(dollar - p));
        if (dollar[1] == '$') {
            kr_buf_putc(&b, '$');
            p = dollar + 2;
            continue;
        }
        braced = dollar[1] == '{';
        ns = dollar + 1 + braced;
        ne = ns;
        if (id_start(*ne))
            while (id_char(*ne))
                ne++;
        if (ne == ns || (braced && *ne != '}')) {
            if (safe) {
                kr_buf_putc(&b, '$');
                p = dollar + 1;
                continue;
            }
            {
                int line = 1, col = 1;
                const char *q;
                for (q = t; q < dollar; q++) {
                    if (*q == '\n') {
                        line++;
                        col = 1;
                    } else {
                        col++;
                    }
                }
                kr_buf_free(&b);
                return kr_exc_tag(I, "ValueError", NULL,
                                  kr_eval_error(I, "ValueError: Invalid placeholder in string: "
                                                "line %d, col %d", line, col));
            }
        }
        key = kr_value_str(I->A, ns, (size_t)(ne - ns));
        for (k = 0; k < a->nkw; k++)
            if (strlen(a->kwnames[k]) == (size_t)(ne - ns) &&
                !strncmp(a->kwnames[k], ns, (size_t)(ne - ns)))
                v = a->kwvals[k];
        if (!v && map)
            v = kr_dict_get(map->u.dict, key);
        p = ne + braced;
        if (!v) {
            if (safe) {
                kr_buf_append(&b, dollar, (size_t)(p - dollar));
                continue;
            }
            kr_buf_free(&b);
            return kr_exc_tag(I, "KeyError", key,
                              kr_eval_error(I, "Template.substitute(): no value for $%s",
                                            key->u.str.s));
        }
        kr_buf_puts(&b, kr_value_to_str(I->A, v));
    }
    *out = kr_value_str(I->A, b.data ? b.data : "", b.len);
    kr_buf_free(&b);
    return KR_OK;
}

KR_MOD_FN(tpl_substitute) { return tpl_subst(I, self, a, false, out); }
KR_MOD_FN(tpl_safe_substitute) { return tpl_subst(I, self, a, true, out); }

KR_MOD_FN(tpl_new)
{
    struct kr_value *t;
    int rc = kr_args_check(I, "string.Template", a, 1, 1);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_eval_error(I, "string.Template(): expected a str, not '%s'",
                             kr_value_type_name(a->pos[0]));
    t = kr_value_ns(I->A, "string.Template");
    kr_mod_def(I, t, "substitute", tpl_substitute, a->pos[0]);
    kr_mod_def(I, t, "safe_substitute", tpl_safe_substitute, a->pos[0]);
    kr_dict_sets(I->A, t->u.ns.attrs, "template", a->pos[0]);
    *out = t;
    return KR_OK;
}

void kr_mod_text_install(struct kr_interp *I)
{
    struct kr_value *st = kr_value_ns(I->A, "string"), *tw = kr_value_ns(I->A, "textwrap");
    static const struct {
        const char *name, *val;
    } consts[] = {
        {"ascii_lowercase", "abcdefghijklmnopqrstuvwxyz"},
        {"ascii_uppercase", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
        {"ascii_letters", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"},
        {"digits", "0123456789"},
        {"hexdigits", "0123456789abcdefABCDEF"},
        {"octdigits", "01234567"},
        {"punctuation", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"},
        {"whitespace", " \t\n\r\v\f"},
    };
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(consts); i++)
        kr_dict_sets(I->A, st->u.ns.attrs, consts[i].name, kr_value_cstr(I->A, consts[i].val));
    kr_mod_def(I, st, "string.Template", tpl_new, NULL);
    kr_mod_def(I, tw, "textwrap.dedent", tw_dedent, NULL);
    kr_mod_def(I, tw, "textwrap.indent", tw_indent, NULL);
    kr_dict_sets(I->A, I->modules, "string", st);
    kr_dict_sets(I->A, I->modules, "textwrap", tw);
}
