/*
 * source.h - the texts of the rule files of one workflow load, and the
 * mapping from a byte offset to file:line:col plus the source line and a
 * caret, used when (and only when) an error is reported.
 *
 * Every syntax-tree node carries (file index, byte offset); line and column
 * are computed lazily here, never during parsing.
 *
 * Ownership: a kr_sources owns its file texts and paths; kr_sources_free
 * releases them.
 */
#ifndef KR_SOURCE_H
#define KR_SOURCE_H

#include "../src/kr.h"

struct kr_source {
    char *path;         /* as given (relative paths stay relative) */
    char *text;         /* NUL-terminated file contents */
    size_t len;
};

struct kr_sources {
    struct kr_source *files;
    size_t n, cap;
};

void kr_sources_init(struct kr_sources *s);
void kr_sources_free(struct kr_sources *s);

/* Read `path` into a new source. Returns KR_OK and sets *index, KR_NOT_FOUND
 * when the file does not exist, KR_EIO on other errors (err filled). */
int kr_sources_load(struct kr_sources *s, const char *path, uint16_t *index,
                    struct kr_error *err);
/* Add a source from memory (copied). Returns its index. */
uint16_t kr_sources_add(struct kr_sources *s, const char *path, const char *text,
                        size_t len);

/* 1-based line and column (column counts bytes, tabs as 1) of `off`. */
void kr_source_linecol(const struct kr_source *src, uint32_t off, int *line, int *col);

/*
 * Fill err with code, a location (file, line, col of `off` in source `file`),
 * the message, and a context of the source line and a caret:
 *     "    shell: 'x'\n    ^\n"
 * Returns code.
 */
int kr_error_at(struct kr_error *err, int code, const struct kr_sources *s,
                uint16_t file, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif /* KR_SOURCE_H */
