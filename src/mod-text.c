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
    kr_mod_def(I, tw, "textwrap.dedent", tw_dedent, NULL);
    kr_mod_def(I, tw, "textwrap.indent", tw_indent, NULL);
    kr_dict_sets(I->A, I->modules, "string", st);
    kr_dict_sets(I->A, I->modules, "textwrap", tw);
}
