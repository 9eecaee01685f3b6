/*
 * builtin-table.c - read_table(), the rule language's declarative
 * replacement for pandas sample sheets:
 *
 *     read_table(path, sep="\t", index=None, comment="#")
 *
 * reads a delimited text file whose first (non-blank, non-comment) row is
 * the header, and returns a list of row dicts (header -> string value, in
 * header order). Blank lines and lines starting with `comment` are skipped;
 * trailing "\r" is removed; fields are not trimmed or unquoted beyond that.
 * With index="column" it returns a dict keyed by that column's values
 * instead (duplicate keys are an error). A row with the wrong number of
 * fields is an error reported at the table's file and line. The path is
 * relative to the working directory, as configfile: is.
 */
#include "eval.h"

#include <errno.h>
#include <string.h>

static int table_error(struct kr_interp *I, const char *path, int line, const char *text,
                       size_t tlen, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int table_error(struct kr_interp *I, const char *path, int line, const char *text,
                       size_t tlen, const char *fmt, ...)
{
    char msg[700], where[600];
    va_list ap;
    int fl = 0, fc = 0;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    where[0] = '\0';
    if (I->site && I->site->file < I->srcs->n) {
        kr_source_linecol(&I->srcs->files[I->site->file], I->site->off, &fl, &fc);
        snprintf(where, sizeof where, " (read_table called at %s:%d)",
                 I->srcs->files[I->site->file].path, fl);
    }
    kr_error_set(I->err, KR_EEVAL, "%s%s", msg, where);
    snprintf(I->err->file, sizeof I->err->file, "%s", path);
    I->err->line = line;
    I->err->col = 1;
    if (text && tlen < 400)
        snprintf(I->err->context, sizeof I->err->context, "    %.*s\n    ^\n", (int)tlen, text);
    return KR_EEVAL;
}

static void split_fields(struct kr_interp *I, const char *s, size_t len, const char *sep,
                         size_t seplen, struct kr_vec *out)
{
    size_t st = 0;
    const char *p;
    out->len = 0;
    for (;;) {
        p = memmem(s + st, len - st, sep, seplen);
        if (!p)
            break;
        kr_vec_push(out, kr_value_str(I->A, s + st, (size_t)(p - (s + st))));
        st = (size_t)(p - s) + seplen;
    }
    kr_vec_push(out, kr_value_str(I->A, s + st, len - st));
}

static int bi_read_table(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                         struct kr_value **out)
{
    struct kr_value *sepv, *indexv, *commentv, *res;
    struct kr_vec header = KR_VEC_INIT, fields = KR_VEC_INIT;
    struct kr_buf text = KR_BUF_INIT;
    const char *path, *sep = "\t", *comment = "#";
    char chunk[65536];
    size_t n, pos = 0, i, index_col = 0;
    int line = 0, rc = KR_OK;
    bool have_header = false;
    FILE *f;
    static const char *const allowed[] = {"sep", "index", "comment", NULL};
    for (i = 0; i < a->nkw; i++) {
        size_t k;
        bool ok = false;
        for (k = 0; allowed[k]; k++)
            if (!strcmp(allowed[k], a->kwnames[i]))
                ok = true;
        if (!ok)
            return kr_eval_error(I, "read_table() got an unexpected keyword argument '%s' "
                                 "(it takes path, sep=, index=, comment=)", a->kwnames[i]);
    }
    rc = kr_args_check(I, "read_table", a, 1, 2);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_eval_error(I, "read_table(): the path must be a string");
    path = a->pos[0]->u.str.s;
    sepv = a->npos == 2 ? a->pos[1] : kr_args_kw(a, "sep");
    indexv = kr_args_kw(a, "index");
    commentv = kr_args_kw(a, "comment");
    if (sepv) {
        if (sepv->type != KR_V_STR || sepv->u.str.len == 0)
            return kr_eval_error(I, "read_table(): sep must be a non-empty string");
        sep = sepv->u.str.s;
    }
    if (commentv && commentv->type == KR_V_STR)
        comment = commentv->u.str.s;
    else if (commentv && commentv->type == KR_V_NONE)
        comment = "";
    if (indexv && indexv->type != KR_V_NONE && indexv->type != KR_V_STR)
        return kr_eval_error(I, "read_table(): index must be a column name");
    if (indexv && indexv->type == KR_V_NONE)
        indexv = NULL;
    f = fopen(path, "rb");
    if (!f)
        return kr_eval_error(I, "read_table(): cannot open '%s': %s", path, strerror(errno));
    for (;;) {
        n = fread(chunk, 1, sizeof chunk, f);
        if (n == 0)
            break;
        kr_buf_append(&text, chunk, n);
        if (text.len > ((size_t)256 << 20)) {
            fclose(f);
            kr_buf_free(&text);
            return kr_eval_error(I, "read_table(): '%s' is larger than 256 MiB", path);
        }
    }
    fclose(f);
    res = indexv ? kr_value_dict(I->A) : kr_value_list(I->A, 0);
    while (pos < text.len) {
        const char *ls = text.data + pos, *nl = memchr(ls, '\n', text.len - pos);
        size_t ll = nl ? (size_t)(nl - ls) : text.len - pos, vis;
        pos += ll + (nl ? 1 : 0);
        line++;
        vis = ll;
        if (vis && ls[vis - 1] == '\r')
            vis--;
        {
            size_t k = 0;
            while (k < vis && (ls[k] == ' ' || ls[k] == '\t'))
                k++;
            if (k == vis)
                continue;
            if (*comment && !strncmp(ls, comment, strlen(comment)))
                continue;
        }
        split_fields(I, ls, vis, sep, strlen(sep), &fields);
        if (!have_header) {
            for (i = 0; i < fields.len; i++) {
                struct kr_value *h = fields.items[i];
                size_t k;
                for (k = 0; k < header.len; k++)
                    if (kr_value_equal(header.items[k], h)) {
                        rc = table_error(I, path, line, ls, vis,
                                         "duplicate column '%s' in the header", h->u.str.s);
                        goto out;
                    }
                kr_vec_push(&header, h);
            }
            have_header = true;
            if (indexv) {
                for (i = 0; i < header.len; i++)
                    if (kr_value_equal(header.items[i], indexv))
                        break;
                if (i == header.len) {
                    rc = table_error(I, path, line, ls, vis,
                                     "index column '%s' is not in the header",
                                     indexv->u.str.s);
                    goto out;
                }
                index_col = i;
            }
            continue;
        }
        if (fields.len != header.len) {
            rc = table_error(I, path, line, ls, vis,
                             "expected %zu fields (as in the header), found %zu", header.len,
                             fields.len);
            goto out;
        }
        {
            struct kr_value *row = kr_value_dict(I->A);
            for (i = 0; i < fields.len; i++)
                kr_dict_set(I->A, row->u.dict, header.items[i], fields.items[i]);
            if (indexv) {
                if (kr_dict_get(res->u.dict, fields.items[index_col])) {
                    rc = table_error(I, path, line, ls, vis,
                                     "duplicate value '%s' in index column '%s'",
                                     ((struct kr_value *)fields.items[index_col])->u.str.s,
                                     indexv->u.str.s);
                    goto out;
                }
                kr_dict_set(I->A, res->u.dict, fields.items[index_col], row);
            } else {
                kr_list_push(I->A, res, row);
            }
        }
        I->steps++;
    }
    if (!have_header) {
        rc = table_error(I, path, 1, NULL, 0, "the table has no header row");
        goto out;
    }
    *out = res;
out:
    kr_vec_free(&header);
    kr_vec_free(&fields);
    kr_buf_free(&text);
    return rc;
}

void kr_builtins_table_install(struct kr_interp *I)
{
    kr_dict_sets(I->A, I->builtins, "read_table",
                 kr_value_builtin(I->A, "read_table", bi_read_table, NULL, NULL));
}
