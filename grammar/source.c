/*
 * source.c - rule file texts and byte-offset -> file:line:col mapping with
 * the source line and a caret for error reports. See source.h.
 */
#include "source.h"

#include <errno.h>
#include <string.h>

void kr_sources_init(struct kr_sources *s)
{
    s->files = NULL;
    s->n = s->cap = 0;
}

void kr_sources_free(struct kr_sources *s)
{
    size_t i;
    for (i = 0; i < s->n; i++) {
        kr_free(s->files[i].path);
        kr_free(s->files[i].text);
    }
    kr_free(s->files);
    kr_sources_init(s);
}

static uint16_t push(struct kr_sources *s, char *path, char *text, size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->files = kr_realloc(s->files, s->cap * sizeof *s->files);
    }
    s->files[s->n].path = path;
    s->files[s->n].text = text;
    s->files[s->n].len = len;
    return (uint16_t)s->n++;
}

uint16_t kr_sources_add(struct kr_sources *s, const char *path, const char *text,
                        size_t len)
{
    return push(s, kr_strdup(path), kr_strndup(text, len), len);
}

int kr_sources_load(struct kr_sources *s, const char *path, uint16_t *index,
                    struct kr_error *err)
{
    FILE *f = fopen(path, "rb");
    struct kr_buf b = KR_BUF_INIT;
    char chunk[65536];
    size_t n;
    if (!f) {
        if (errno == ENOENT)
            return kr_error_set(err, KR_NOT_FOUND, "%s: no such file", path);
        return kr_error_set(err, KR_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        kr_buf_append(&b, chunk, n);
    if (ferror(f)) {
        fclose(f);
        kr_buf_free(&b);
        return kr_error_set(err, KR_EIO, "cannot read %s: %s", path, strerror(errno));
    }
    fclose(f);
    if (s->n >= 65535) {
        kr_buf_free(&b);
        return kr_error_set(err, KR_EIO, "too many included files");
    }
    n = b.len;
    *index = push(s, kr_strdup(path), kr_buf_steal(&b), n);
    return KR_OK;
}

void kr_source_linecol(const struct kr_source *src, uint32_t off, int *line, int *col)
{
    size_t i, ln = 1, last = 0;
    if (off > src->len)
        off = (uint32_t)src->len;
    for (i = 0; i < off; i++) {
        if (src->text[i] == '\n') {
            ln++;
            last = i + 1;
        }
    }
    *line = (int)ln;
    *col = (int)(off - last) + 1;
}

int kr_error_at(struct kr_error *err, int code, const struct kr_sources *s,
                uint16_t file, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    const struct kr_source *src;
    size_t start, end, i, pos = 0;
    int line, col;
    if (!err)
        return code;
    va_start(ap, fmt);
    kr_error_vset(err, code, fmt, ap);
    va_end(ap);
    if (!s || file >= s->n)
        return code;
    src = &s->files[file];
    kr_source_linecol(src, off, &line, &col);
    snprintf(err->file, sizeof err->file, "%s", src->path);
    err->line = line;
    err->col = col;
    if (off > src->len)
        off = (uint32_t)src->len;
    start = off - (size_t)(col - 1);
    end = start;
    while (end < src->len && src->text[end] != '\n')
        end++;
    if (end - start > 400)
        return code;
    pos = (size_t)snprintf(err->context, sizeof err->context, "    %.*s\n    ",
                           (int)(end - start), src->text + start);
    for (i = start; i < off && pos + 3 < sizeof err->context; i++)
        err->context[pos++] = src->text[i] == '\t' ? '\t' : ' ';
    if (pos + 3 < sizeof err->context) {
        err->context[pos++] = '^';
        err->context[pos++] = '\n';
    }
    err->context[pos] = '\0';
    return code;
}
