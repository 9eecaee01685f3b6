/*
 * builtin-format.c - Python's three string-formatting languages as the rule
 * language needs them: format specs ("05d", ".2f", ">10s"), str.format()
 * with positional/keyword fields, attribute and index chains, and the
 * printf-style `%` operator (%s %r %d %i %f %e %g %x %o %c %%, widths,
 * precisions, the 0 - + flags and %(name)s with a dict).
 */
#include "eval.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct spec {
    char fill, align, sign, type;
    bool zero, alt, comma;
    int width, prec;
};

static int parse_spec(struct kr_interp *I, const char *s, struct spec *sp)
{
    const char *p = s;
    memset(sp, 0, sizeof *sp);
    sp->fill = ' ';
    sp->prec = -1;
    if (p[0] && (p[1] == '<' || p[1] == '>' || p[1] == '^' || p[1] == '=')) {
        sp->fill = p[0];
        sp->align = p[1];
        p += 2;
    } else if (*p == '<' || *p == '>' || *p == '^' || *p == '=') {
        sp->align = *p++;
    }
    if (*p == '+' || *p == '-' || *p == ' ')
        sp->sign = *p++;
    if (*p == '#') {
        sp->alt = true;
        p++;
    }
    if (*p == '0') {
        sp->zero = true;
        p++;
    }
    while (isdigit((unsigned char)*p)) {
        sp->width = sp->width * 10 + (*p++ - '0');
        if (sp->width > 10000)
            return kr_eval_error(I, "format width too large");
    }
    if (*p == ',' || *p == '_') {
        sp->comma = true;
        p++;
    }
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return kr_eval_error(I, "format specifier missing precision");
        sp->prec = 0;
        while (isdigit((unsigned char)*p)) {
            sp->prec = sp->prec * 10 + (*p++ - '0');
            if (sp->prec > 1000)
                return kr_eval_error(I, "format precision too large");
        }
    }
    if (*p)
        sp->type = *p++;
    if (*p)
        return kr_eval_error(I, "invalid format specifier '%s'", s);
    return KR_OK;
}

static void pad(struct kr_buf *out, const char *body, size_t len, const struct spec *sp,
                char defalign)
{
    size_t w = sp->width > 0 ? (size_t)sp->width : 0, fill, i, left = 0, right = 0;
    char align = sp->align ? sp->align : defalign;
    if (sp->zero && !sp->align) {
        align = '=';
    }
    fill = len < w ? w - len : 0;
    if (align == '<')
        right = fill;
    else if (align == '^') {
        left = fill / 2;
        right = fill - left;
    } else if (align == '=') {
        char f = sp->zero && !sp->align ? '0' : sp->fill;
        size_t signlen = len && (body[0] == '-' || body[0] == '+' || body[0] == ' ') ? 1 : 0;
        kr_buf_append(out, body, signlen);
        for (i = 0; i < fill; i++)
            kr_buf_putc(out, f);
        kr_buf_append(out, body + signlen, len - signlen);
        return;
    } else
        left = fill;
    for (i = 0; i < left; i++)
        kr_buf_putc(out, sp->fill);
    kr_buf_append(out, body, len);
    for (i = 0; i < right; i++)
        kr_buf_putc(out, sp->fill);
}

static void add_commas(char *num, struct kr_buf *out)
{
    char *dot = strchr(num, '.');
    size_t intlen = dot ? (size_t)(dot - num) : strlen(num), i, start = 0;
    if (num[0] == '-' || num[0] == '+') {
        kr_buf_putc(out, num[0]);
        start = 1;
    }
    for (i = start; i < intlen; i++) {
        kr_buf_putc(out, num[i]);
        if (i + 1 < intlen && (intlen - i - 1) % 3 == 0)
            kr_buf_putc(out, ',');
    }
    kr_buf_puts(out, num + intlen);
}

int kr_eval_format_spec(struct kr_interp *I, struct kr_value *v, const char *spec,
                        struct kr_buf *out)
{
    struct spec sp;
    char tmp[1200];
    struct kr_buf body = KR_BUF_INIT;
    int rc;
    if (!spec || !*spec) {
        kr_value_str_buf(v, out);
        return KR_OK;
    }
    rc = parse_spec(I, spec, &sp);
    if (rc != KR_OK)
        return rc;
    if (v->type == KR_V_INT || v->type == KR_V_BOOL) {
        long long x = v->type == KR_V_BOOL ? v->u.b : v->u.i;
        if (v->type == KR_V_BOOL && !sp.type) {
            pad(out, x ? "True" : "False", x ? 4 : 5, &sp, '<');
            return KR_OK;
        }
        switch (sp.type) {
        case 0: case 'd': case 'n':
            snprintf(tmp, sizeof tmp, sp.sign == '+' ? "%+lld" : sp.sign == ' ' ? "% lld" : "%lld", x);
            break;
        case 'x': case 'X': case 'o': case 'b': {
            unsigned long long ux = x < 0 ? (unsigned long long)(-(x + 1)) + 1 : (unsigned long long)x;
            char digits[80];
            int nd = 0;
            int base = sp.type == 'o' ? 8 : sp.type == 'b' ? 2 : 16;
            const char *dig = sp.type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            do {
                digits[nd++] = dig[ux % (unsigned)base];
                ux /= (unsigned)base;
            } while (ux);
            kr_buf_puts(&body, x < 0 ? "-" : sp.sign == '+' ? "+" : "");
            if (sp.alt)
                kr_buf_puts(&body, sp.type == 'o' ? "0o" : sp.type == 'b' ? "0b" :
                                   sp.type == 'X' ? "0X" : "0x");
            while (nd)
                kr_buf_putc(&body, digits[--nd]);
            pad(out, kr_buf_cstr(&body), body.len, &sp, '>');
            kr_buf_free(&body);
            return KR_OK;
        }
        case 'c':
            tmp[0] = (char)x;
            tmp[1] = '\0';
            break;
        case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case '%':
            v = kr_value_float(I->A, (double)x);
            goto flt;
        default:
            return kr_eval_error(I, "unknown format code '%c' for object of type 'int'", sp.type);
        }
        if (sp.comma)
            add_commas(tmp, &body);
        else
            kr_buf_puts(&body, tmp);
        pad(out, kr_buf_cstr(&body), body.len, &sp, '>');
        kr_buf_free(&body);
        return KR_OK;
    }
    if (v->type == KR_V_FLOAT) {
flt:;
        double f = v->u.f;
        int prec = sp.prec < 0 ? 6 : sp.prec;
        char fmt[32];
        const char *sg = sp.sign == '+' ? "+" : sp.sign == ' ' ? " " : "";
        switch (sp.type) {
        case 0:
            if (sp.prec < 0) {
                struct kr_buf r = KR_BUF_INIT;
                if (sp.sign == '+' && f >= 0)
                    kr_buf_putc(&r, '+');
                kr_float_repr(f, &r);
                snprintf(tmp, sizeof tmp, "%s", kr_buf_cstr(&r));
                kr_buf_free(&r);
            } else {
                snprintf(fmt, sizeof fmt, "%%%s.%dg", sg, prec ? prec : 1);
                snprintf(tmp, sizeof tmp, fmt, f);
            }
            break;
        case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
            snprintf(fmt, sizeof fmt, "%%%s.%d%c", sg, prec, sp.type);
            snprintf(tmp, sizeof tmp, fmt, f);
            break;
        case '%':
            snprintf(fmt, sizeof fmt, "%%%s.%df%%%%", sg, prec);
            snprintf(tmp, sizeof tmp, fmt, f * 100);
            break;
        default:
            return kr_eval_error(I, "unknown format code '%c' for object of type 'float'",
                                 sp.type);
        }
        if (sp.comma)
            add_commas(tmp, &body);
        else
            kr_buf_puts(&body, tmp);
        pad(out, kr_buf_cstr(&body), body.len, &sp, '>');
        kr_buf_free(&body);
        return KR_OK;
    }
    if (sp.type && sp.type != 's')
        return kr_eval_error(I, "unknown format code '%c' for object of type '%s'", sp.type,
                             kr_value_type_name(v));
    kr_value_str_buf(v, &body);
    if (sp.prec >= 0 && body.len > (size_t)sp.prec)
        body.len = (size_t)sp.prec;
    pad(out, kr_buf_cstr(&body), body.len, &sp, '<');
    kr_buf_free(&body);
    return KR_OK;
}

/* Resolve `.attr` and `[key]` chains after a field's first name. */
static int field_chain(struct kr_interp *I, struct kr_value *v, const char *p, const char *end,
                       struct kr_value **out)
{
    int rc;
    while (p < end) {
        if (*p == '.') {
            const char *q = ++p;
            char name[256];
            while (q < end && *q != '.' && *q != '[')
                q++;
            if ((size_t)(q - p) >= sizeof name || q == p)
                return kr_eval_error(I, "bad attribute in format field");
            memcpy(name, p, (size_t)(q - p));
            name[q - p] = '\0';
            rc = kr_eval_getattr(I, v, name, &v);
            if (rc != KR_OK)
                return rc;
            p = q;
        } else if (*p == '[') {
            const char *q = ++p;
            struct kr_value *key;
            bool digits = true;
            const char *t;
            while (q < end && *q != ']')
                q++;
            if (q >= end)
                return kr_eval_error(I, "missing ']' in format string");
            for (t = p; t < q; t++)
                if (!isdigit((unsigned char)*t))
                    digits = false;
            if (digits && q > p)
                key = kr_value_int(I->A, strtoll(p, NULL, 10));
            else
                key = kr_value_str(I->A, p, (size_t)(q - p));
            rc = kr_eval_getitem(I, v, key, &v);
            if (rc != KR_OK)
                return rc;
            p = q + 1;
        } else {
            return kr_eval_error(I, "bad format field");
        }
    }
    *out = v;
    return KR_OK;
}

int kr_eval_str_format(struct kr_interp *I, const char *fmt, size_t len,
                       const struct kr_callargs *a, struct kr_buf *out)
{
    size_t i = 0, autoidx = 0;
    int rc;
    while (i < len) {
        char c = fmt[i];
        const char *f, *fend, *name_end, *conv = NULL, *spec = NULL;
        struct kr_value *v = NULL;
        int depth;
        if (c == '}') {
            if (i + 1 < len && fmt[i + 1] == '}') {
                kr_buf_putc(out, '}');
                i += 2;
                continue;
            }
            return kr_eval_error(I, "single '}' encountered in format string");
        }
        if (c != '{') {
            kr_buf_putc(out, c);
            i++;
            continue;
        }
        if (i + 1 < len && fmt[i + 1] == '{') {
            kr_buf_putc(out, '{');
            i += 2;
            continue;
        }
        f = fmt + i + 1;
        depth = 1;
        fend = f;
        while (fend < fmt + len) {
            if (*fend == '{')
                depth++;
            else if (*fend == '}' && --depth == 0)
                break;
            fend++;
        }
        if (fend >= fmt + len)
            return kr_eval_error(I, "expected '}' before end of string");
        name_end = f;
        while (name_end < fend && *name_end != '!' && *name_end != ':' && *name_end != '.' &&
               *name_end != '[')
            name_end++;
        {
            const char *chain_end = name_end;
            while (chain_end < fend && *chain_end != '!' && *chain_end != ':') {
                if (*chain_end == '[')
                    while (chain_end < fend && *chain_end != ']')
                        chain_end++;
                chain_end++;
            }
            if (chain_end > fend)
                chain_end = fend;
            if (chain_end < fend && *chain_end == '!') {
                conv = chain_end + 1;
                if (conv + 1 < fend && conv[1] == ':')
                    spec = conv + 2;
                else if (conv + 1 != fend)
                    return kr_eval_error(I, "expected ':' after conversion specifier");
            } else if (chain_end < fend && *chain_end == ':') {
                spec = chain_end + 1;
            }
            if (name_end == f) {
                if (autoidx >= a->npos)
                    return kr_eval_error(I, "format: replacement index %zu out of range "
                                         "for %zu positional argument%s", autoidx, a->npos,
                                         a->npos == 1 ? "" : "s");
                v = a->pos[autoidx++];
            } else if (isdigit((unsigned char)*f)) {
                size_t idx = (size_t)strtoul(f, NULL, 10);
                if (idx >= a->npos)
                    return kr_eval_error(I, "format: replacement index %zu out of range "
                                         "for %zu positional argument%s", idx, a->npos,
                                         a->npos == 1 ? "" : "s");
                v = a->pos[idx];
            } else {
                size_t k;
                for (k = 0; k < a->nkw; k++)
                    if (strlen(a->kwnames[k]) == (size_t)(name_end - f) &&
                        !memcmp(a->kwnames[k], f, (size_t)(name_end - f)))
                        v = a->kwvals[k];
                if (!v)
                    return kr_eval_error(I, "format: no argument named '%.*s'",
                                         (int)(name_end - f), f);
            }
            rc = field_chain(I, v, name_end, chain_end, &v);
            if (rc != KR_OK)
                return rc;
        }
        if (conv && (*conv == 'r' || *conv == 'a')) {
            v = kr_value_cstr(I->A, kr_value_to_repr(I->A, v));
        } else if (conv && *conv == 's') {
            v = kr_value_cstr(I->A, kr_value_to_str(I->A, v));
        }
        {
            struct kr_buf sb = KR_BUF_INIT;
            if (spec) {
                /* nested fields inside the spec */
                struct kr_callargs same = *a;
                rc = kr_eval_str_format(I, spec, (size_t)(fend - spec), &same, &sb);
                if (rc) {
                    kr_buf_free(&sb);
                    return rc;
                }
            }
            rc = kr_eval_format_spec(I, v, kr_buf_cstr(&sb), out);
            kr_buf_free(&sb);
            if (rc)
                return rc;
        }
        i = (size_t)(fend - fmt) + 1;
    }
    return KR_OK;
}

/* printf-style `fmt % args`. */
int kr_eval_percent(struct kr_interp *I, struct kr_value *fmtv, struct kr_value *args,
                    struct kr_value **out)
{
    const char *s = fmtv->u.str.s;
    size_t len = fmtv->u.str.len, i = 0, argi = 0, nargs;
    struct kr_value **argv, *one[1];
    struct kr_buf b = KR_BUF_INIT;
    int rc = KR_OK;
    bool mapping = args->type == KR_V_DICT;
    if (args->type == KR_V_TUPLE) {
        argv = args->u.list.items;
        nargs = args->u.list.len;
    } else {
        one[0] = args;
        argv = one;
        nargs = 1;
    }
    while (i < len) {
        struct spec sp;
        struct kr_value *v = NULL;
        char conv;
        if (s[i] != '%') {
            kr_buf_putc(&b, s[i++]);
            continue;
        }
        i++;
        if (i >= len) {
            rc = kr_eval_error(I, "incomplete format");
            goto out;
        }
        if (s[i] == '%') {
            kr_buf_putc(&b, '%');
            i++;
            continue;
        }
        memset(&sp, 0, sizeof sp);
        sp.fill = ' ';
        sp.prec = -1;
        if (s[i] == '(') {
            size_t j = i + 1;
            while (j < len && s[j] != ')')
                j++;
            if (j >= len || !mapping) {
                rc = kr_eval_error(I, mapping ? "incomplete format key"
                                              : "format requires a mapping");
                goto out;
            }
            {
                struct kr_value *key = kr_value_str(I->A, s + i + 1, j - i - 1);
                rc = kr_eval_getitem(I, args, key, &v);
                if (rc != KR_OK)
                    goto out;
            }
            i = j + 1;
        }
        for (; i < len && strchr("-+ 0#", s[i]); i++) {
            if (s[i] == '-')
                sp.align = '<';
            else if (s[i] == '0')
                sp.zero = true;
            else if (s[i] == '+' || s[i] == ' ')
                sp.sign = s[i];
        }
        while (i < len && isdigit((unsigned char)s[i])) {
            sp.width = sp.width * 10 + (s[i++] - '0');
            if (sp.width > 10000) {
                rc = kr_eval_error(I, "format width too large");
                goto out;
            }
        }
        if (i < len && s[i] == '.') {
            sp.prec = 0;
            i++;
            while (i < len && isdigit((unsigned char)s[i])) {
                sp.prec = sp.prec * 10 + (s[i++] - '0');
                if (sp.prec > 1000) {
                    rc = kr_eval_error(I, "format precision too large");
                    goto out;
                }
            }
        }
        if (i >= len) {
            rc = kr_eval_error(I, "incomplete format");
            goto out;
        }
        conv = s[i++];
        if (!v) {
            if (mapping) {
                v = args;
            } else {
                if (argi >= nargs) {
                    rc = kr_eval_error(I, "not enough arguments for format string");
                    goto out;
                }
                v = argv[argi++];
            }
        }
        if (sp.align == '<')
            sp.zero = false;
        {
            char spec[64];
            char *p = spec;
            if (sp.align == '<')
                *p++ = '<';
            else if (!sp.zero)
                *p++ = '>';
            if (sp.sign)
                *p++ = sp.sign;
            if (sp.zero)
                *p++ = '0';
            if (sp.width)
                p += snprintf(p, 12, "%d", sp.width);
            if (sp.prec >= 0 && conv != 'd' && conv != 'i')
                p += snprintf(p, 12, ".%d", sp.prec);
            *p = '\0';
            switch (conv) {
            case 's': case 'r': case 'a': {
                struct kr_value *sv = conv == 's' ? kr_value_cstr(I->A, kr_value_to_str(I->A, v))
                                                  : kr_value_cstr(I->A, kr_value_to_repr(I->A, v));
                /* strings never zero-pad in %-formatting */
                char *z = strchr(spec, '0');
                if (z && sp.zero && !(sp.width))
                    *z = '\0';
                rc = kr_eval_format_spec(I, sv, sp.zero ? spec + 0 : spec, &b);
                break;
            }
            case 'd': case 'i': case 'u':
                if (v->type == KR_V_FLOAT)
                    v = kr_value_int(I->A, (int64_t)v->u.f);
                if (v->type != KR_V_INT && v->type != KR_V_BOOL) {
                    rc = kr_eval_error(I, "%%%c format: a real number is required, not %s", conv,
                                       kr_value_type_name(v));
                    goto out;
                }
                strcat(spec, "d");
                rc = kr_eval_format_spec(I, v, spec, &b);
                break;
            case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
                if (v->type != KR_V_INT && v->type != KR_V_BOOL && v->type != KR_V_FLOAT) {
                    rc = kr_eval_error(I, "must be real number, not %s", kr_value_type_name(v));
                    goto out;
                }
                if (sp.prec < 0)
                    strcat(spec, ".6");
                {
                    size_t n = strlen(spec);
                    spec[n] = conv;
                    spec[n + 1] = '\0';
                }
                rc = kr_eval_format_spec(I, v, spec, &b);
                break;
            case 'x': case 'X': case 'o': case 'c': {
                size_t n = strlen(spec);
                if (v->type != KR_V_INT && v->type != KR_V_BOOL) {
                    rc = kr_eval_error(I, "%%%c format: an integer is required, not %s", conv,
                                       kr_value_type_name(v));
                    goto out;
                }
                spec[n] = conv;
                spec[n + 1] = '\0';
                rc = kr_eval_format_spec(I, v, spec, &b);
                break;
            }
            default:
                rc = kr_eval_error(I, "unsupported format character '%c'", conv);
                goto out;
            }
            if (rc)
                goto out;
        }
    }
    if (!mapping && argi < nargs) {
        rc = kr_eval_error(I, "not all arguments converted during string formatting");
        goto out;
    }
    *out = kr_value_str(I->A, kr_buf_cstr(&b), b.len);
out:
    kr_buf_free(&b);
    return rc;
}
