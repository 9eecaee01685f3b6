/*
 * mod-csv.c - Python's `csv` module for reading: csv.reader(lines,
 * delimiter=",", quotechar='"') and csv.DictReader(lines, delimiter=,
 * fieldnames=) with Python's default dialect (quoted fields, doubled quotes
 * inside them, delimiters and newlines inside quotes). The input is a file
 * (through kr_mod_file_text, the hook a file object plugs into) or a list
 * of lines, as Python accepts any iterable of strings; a bare str is
 * refused because Python would read it character by character. Both return
 * lists (rows as lists, or dicts keyed by the header).
 */
#include "mod.h"

#include <string.h>

struct csvopt {
    char delim, quote;
};

/* Parse all of text into rows (a list of lists of str). */
static struct kr_value *parse_rows(struct kr_interp *I, const char *s, size_t n,
                                   const struct csvopt *o)
{
    struct kr_value *rows = kr_value_list(I->A, 0), *row = NULL;
    struct kr_buf f = KR_BUF_INIT;
    size_t i = 0;
    bool inq = false, field_started = false;
    while (i < n) {
        char c = s[i];
        if (inq) {
            if (c == o->quote && i + 1 < n && s[i + 1] == o->quote) {
                kr_buf_putc(&f, c);
                i += 2;
                continue;
            }
            if (c == o->quote)
                inq = false;
            else
                kr_buf_putc(&f, c);
            i++;
            continue;
        }
        if (!row)
            row = kr_value_list(I->A, 0);
        if (c == o->quote && !f.len && !field_started) {
            inq = true;
            field_started = true;
        } else if (c == o->delim) {
            kr_list_push(I->A, row, kr_value_str(I->A, f.data ? f.data : "", f.len));
            kr_buf_reset(&f);
            field_started = false;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
                i++;
            if (row->u.list.len || f.len || field_started)
                kr_list_push(I->A, row, kr_value_str(I->A, f.data ? f.data : "", f.len));
            kr_list_push(I->A, rows, row);
            row = NULL;
            kr_buf_reset(&f);
            field_started = false;
        } else {
            kr_buf_putc(&f, c);
            field_started = true;
        }
        i++;
    }
    if (row || f.len) {
        if (!row)
            row = kr_value_list(I->A, 0);
        kr_list_push(I->A, row, kr_value_str(I->A, f.data ? f.data : "", f.len));
        kr_list_push(I->A, rows, row);
    }
    kr_buf_free(&f);
    return rows;
}

static int read_input(struct kr_interp *I, const char *fname, const struct kr_callargs *a,
                      struct csvopt *o, struct kr_value **rows)
{
    struct kr_value *src, *d, *q;
    struct kr_buf all = KR_BUF_INIT;
    const char *text;
    size_t len, i;
    int rc = kr_args_check(I, fname, a, 1, 1);
    if (rc != KR_OK)
        return rc;
    for (i = 0; i < a->nkw; i++)
        if (strcmp(a->kwnames[i], "delimiter") && strcmp(a->kwnames[i], "quotechar") &&
            strcmp(a->kwnames[i], "fieldnames"))
            return kr_eval_error(I, "krait does not support %s(%s=...) yet (it takes "
                                 "delimiter=, quotechar=%s)", fname, a->kwnames[i],
                                 strcmp(fname, "csv.DictReader") ? "" : ", fieldnames=");
    o->delim = ',';
    o->quote = '"';
    d = kr_args_kw(a, "delimiter");
    q = kr_args_kw(a, "quotechar");
    if (d && (d->type != KR_V_STR || d->u.str.len != 1))
        return kr_eval_error(I, "%s(): delimiter must be a 1-character string", fname);
    if (q && (q->type != KR_V_STR || q->u.str.len != 1))
        return kr_eval_error(I, "%s(): quotechar must be a 1-character string", fname);
    if (d)
        o->delim = d->u.str.s[0];
    if (q)
        o->quote = q->u.str.s[0];
    src = a->pos[0];
    if (src->type == KR_V_STR)
        return kr_eval_error(I, "%s() reads a file or a list of lines, not a str (Python would "
                             "read the string character by character): write %s(open(path)) "
                             "or %s(text.splitlines())", fname, fname, fname);
    if (src->type == KR_V_LIST || src->type == KR_V_TUPLE) {
        for (i = 0; i < src->u.list.len; i++) {
            struct kr_value *l = src->u.list.items[i];
            if (l->type != KR_V_STR)
                return kr_eval_error(I, "%s(): the lines must be str, not '%s'", fname,
                                     kr_value_type_name(l));
            kr_buf_append(&all, l->u.str.s, l->u.str.len);
            if (!l->u.str.len || l->u.str.s[l->u.str.len - 1] != '\n')
                kr_buf_putc(&all, '\n');
        }
        *rows = parse_rows(I, all.data ? all.data : "", all.len, o);
        kr_buf_free(&all);
        return KR_OK;
    }
    rc = kr_mod_file_text(I, fname, src, &text, &len);
    if (rc != KR_OK)
        return rc;
    *rows = parse_rows(I, text, len, o);
    return KR_OK;
}

KR_MOD_FN(csv_reader)
{
    struct csvopt o;
    KR_UNUSED(self);
    return read_input(I, "csv.reader", a, &o, out);
}

KR_MOD_FN(csv_dictreader)
{
    struct csvopt o;
    struct kr_value *rows, *hdr, *res, *fn = kr_args_kw(a, "fieldnames");
    size_t i = 0, k;
    int rc = read_input(I, "csv.DictReader", a, &o, &rows);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    res = kr_value_list(I->A, 0);
    *out = res;
    if (fn && fn->type != KR_V_NONE) {
        if (fn->type != KR_V_LIST && fn->type != KR_V_TUPLE)
            return kr_eval_error(I, "csv.DictReader(): fieldnames must be a list");
        hdr = fn;
    } else {
        while (i < rows->u.list.len && !rows->u.list.items[i]->u.list.len)
            i++;
        if (i == rows->u.list.len)
            return KR_OK;
        hdr = rows->u.list.items[i++];
    }
    for (; i < rows->u.list.len; i++) {
        struct kr_value *r = rows->u.list.items[i], *d;
        if (!r->u.list.len)
            continue;   /* Python's DictReader skips blank rows */
        d = kr_value_dict(I->A);
        for (k = 0; k < hdr->u.list.len; k++)
            kr_dict_set(I->A, d->u.dict, hdr->u.list.items[k],
                        k < r->u.list.len ? r->u.list.items[k] : kr_value_none());
        if (r->u.list.len > hdr->u.list.len) {
            struct kr_value *rest = kr_value_list(I->A, 0);
            for (k = hdr->u.list.len; k < r->u.list.len; k++)
                kr_list_push(I->A, rest, r->u.list.items[k]);
            kr_dict_set(I->A, d->u.dict, kr_value_none(), rest);
        }
        kr_list_push(I->A, res, d);
    }
    return KR_OK;
}

void kr_mod_csv_install(struct kr_interp *I)
{
    struct kr_value *csv = kr_value_ns(I->A, "csv");
    kr_mod_def(I, csv, "csv.reader", csv_reader, NULL);
    kr_mod_def(I, csv, "csv.DictReader", csv_dictreader, NULL);
    kr_dict_sets(I->A, I->modules, "csv", csv);
}
