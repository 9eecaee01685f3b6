/*
 * kr.h - the few things every krait module shares: result codes, the error
 * struct with a source location, the one allocator, growable byte buffers,
 * and the arena that owns everything loaded for one workflow.
 *
 * Conventions (see ../shared/STYLE.md):
 *  - Functions that can fail return an int: KR_OK (0) or a negative KR_E*
 *    code, and fill a caller-provided `struct kr_error *` (which may be NULL
 *    when the caller does not care about the message).
 *  - Loaders distinguish KR_OK, KR_NOT_FOUND and errors.
 *  - All heap allocation goes through kr_malloc/kr_calloc/kr_realloc/kr_free
 *    (or an arena), so tests can make allocation fail on purpose
 *    (kr_alloc_fail_after) and out-of-memory aborts with one message.
 *
 * Ownership: a kr_arena owns every block it hands out; kr_arena_free releases
 * them all at once. A kr_buf owns its data until kr_buf_steal.
 */
#ifndef KR_KR_H
#define KR_KR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- result codes ---------------------------------------------------- */
enum {
    KR_OK = 0,
    KR_NOT_FOUND = 1,   /* a loader found nothing: not an error by itself */
    KR_ESYNTAX = -1,    /* malformed rule file */
    KR_EEVAL = -2,      /* evaluation error in the rule file */
    KR_EIO = -3,        /* file system / OS error */
    KR_EPLAN = -4,      /* planning: ambiguity, cycle, missing input */
    KR_EUSAGE = -5,     /* bad command line */
    KR_ESTATE = -6,     /* state database */
    KR_EEXEC = -7,      /* job execution / executor */
    KR_ELOCKED = -8,    /* workflow directory locked by another krait */
    KR_EINTR = -9,      /* interrupted by a signal */
    KR_ENOMEM = -10,
    KR_EUNSUPPORTED = -11,
};

/* ---- errors ---------------------------------------------------------- */
/*
 * An error message plus, when it concerns a rule file, where. `file` empty
 * means no location. `context` holds the source line and a caret line
 * ("    ouput: 'x'\n    ^\n") or is empty. kr_error_print writes
 *   file:line:col: error: msg
 *   <context>
 */
struct kr_error {
    int code;
    int line, col;      /* 1-based; 0 when unknown */
    char file[512];
    char msg[1024];
    char context[1024];
    /* When a load found several independent errors (nerrors > 1), this
     * struct describes the last one by location and `before` holds the
     * others, formatted as kr_error_print writes them, in location order. */
    int nerrors;
    char before[8192];
};

/* Reset *e to "no error". Safe with e == NULL. */
void kr_error_clear(struct kr_error *e);
/* Set code and printf-style message, no location. Returns code. e may be NULL. */
int kr_error_set(struct kr_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int kr_error_vset(struct kr_error *e, int code, const char *fmt, va_list ap);
/* Prefix the existing message with "prefix: " (for adding context up the
 * stack), unless it starts with that prefix already. */
void kr_error_prefix(struct kr_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print as "file:line:col: error: msg\n<context>" (or "krait: error: msg"). */
void kr_error_print(const struct kr_error *e, FILE *f);
/* Format the one-line form (no context) into buf. */
void kr_error_format(const struct kr_error *e, char *buf, size_t n);

/* ---- allocation ------------------------------------------------------ */
/* All abort with "krait: out of memory" when the system (or a test through
 * kr_alloc_fail_after) refuses. They never return NULL for n > 0. */
void *kr_malloc(size_t n);
void *kr_calloc(size_t nmemb, size_t size);
void *kr_realloc(void *p, size_t n);
void kr_free(void *p);
/*
 * The last `nlines` lines of the file at `path`, read from at most its last
 * `size` - 1 bytes into buf: returns where they start in buf (without the
 * final newline; when the window began inside a line, that partial line
 * is left out), or NULL with errno set when the file cannot be opened
 * (0 when it is empty). For showing the end of a job's log.
 */
char *kr_file_tail(const char *path, int nlines, char *buf, size_t size);

char *kr_strdup(const char *s);
char *kr_strndup(const char *s, size_t n);
/* printf into a fresh kr_malloc'd string. */
char *kr_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Testing hook: the n-th allocation from now on fails (n < 0 disables). */
void kr_alloc_fail_after(long n);

/* ---- arena ------------------------------------------------------------ */
/*
 * A bump allocator in large blocks. Used for the syntax tree, rules, the DAG
 * and interned strings of one workflow load; freed at once.
 */
struct kr_arena_block;
struct kr_arena {
    struct kr_arena_block *head;
    char *cur, *end;
    size_t total;       /* bytes handed out, for statistics */
};

void kr_arena_init(struct kr_arena *a);
void kr_arena_free(struct kr_arena *a);
/* Returns zeroed?  No: uninitialised memory aligned to 16 bytes. */
void *kr_arena_alloc(struct kr_arena *a, size_t n);
void *kr_arena_zalloc(struct kr_arena *a, size_t n);
char *kr_arena_strndup(struct kr_arena *a, const char *s, size_t n);
char *kr_arena_strdup(struct kr_arena *a, const char *s);
char *kr_arena_printf(struct kr_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A point in an arena's life to come back to: kr_arena_mark records it,
 * kr_arena_release frees every block opened since and rewinds the bump
 * pointer and `total` to the mark, so a caller can borrow an arena for
 * temporary work (one job's evaluation) without it growing. Marks nest
 * (release the inner one first). Everything allocated after the mark is
 * invalid afterwards: the rewound bytes are overwritten with 0xA5 so a
 * dangling reference shows up in tests instead of reading stale data.
 * Nothing fails; releasing a mark of another arena is undefined.
 */
struct kr_arena_mark {
    struct kr_arena_block *head, *after_head;
    char *cur, *end;
    size_t total;
};
void kr_arena_mark(const struct kr_arena *a, struct kr_arena_mark *m);
void kr_arena_release(struct kr_arena *a, const struct kr_arena_mark *m);

/* ---- growable byte buffer -------------------------------------------- */
struct kr_buf {
    char *data;         /* always NUL-terminated when len > 0 or after any append */
    size_t len, cap;
};

#define KR_BUF_INIT {NULL, 0, 0}
void kr_buf_init(struct kr_buf *b);
void kr_buf_free(struct kr_buf *b);
void kr_buf_reset(struct kr_buf *b);          /* len = 0, keeps memory */
void kr_buf_reserve(struct kr_buf *b, size_t extra);
void kr_buf_append(struct kr_buf *b, const char *s, size_t n);
void kr_buf_puts(struct kr_buf *b, const char *s);
void kr_buf_putc(struct kr_buf *b, char c);
/* Append s (NULL: empty) single-quoted for a POSIX shell, always quoted
 * ('' for the empty string; ' becomes '\''). */
void kr_buf_put_squoted(struct kr_buf *b, const char *s);
/* Whether s (NULL: no) is a shell variable name: [A-Za-z_][A-Za-z0-9_]*. */
bool kr_is_shell_name(const char *s);
void kr_buf_printf(struct kr_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Return data (never NULL: "" when empty) and reset b to empty; caller kr_free()s. */
char *kr_buf_steal(struct kr_buf *b);
/* data, or "" when nothing was appended yet. */
const char *kr_buf_cstr(const struct kr_buf *b);

/* ---- growable pointer vector ---------------------------------------- */
struct kr_vec {
    void **items;
    size_t len, cap;
};
#define KR_VEC_INIT {NULL, 0, 0}
void kr_vec_push(struct kr_vec *v, void *p);
void kr_vec_free(struct kr_vec *v);   /* frees the array, not the items */

/* ---- hashing ---------------------------------------------------------- */
/* 64-bit FNV-1a-like hash with good mixing (not cryptographic). */
uint64_t kr_hash64(const void *data, size_t n);
/* Hash continuing from `seed` (for hashing several pieces). */
uint64_t kr_hash64_seed(const void *data, size_t n, uint64_t seed);

/* ---- misc ------------------------------------------------------------- */
#define KR_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define KR_UNUSED(x) ((void)(x))

/*
 * mkdir -p: create `dir` and every missing parent (mode 0777 less the
 * umask); existing directories are fine. Returns KR_OK, or KR_EIO with err
 * "cannot create directory D: <strerror>" naming the part that failed
 * (errno is left as mkdir set it; EINVAL for an empty name). err may be NULL.
 */
int kr_mkdirs(const char *dir, struct kr_error *err);
/* kr_mkdirs of the directory part of `path`; KR_OK when it has none. */
int kr_mkdirs_parent(const char *path, struct kr_error *err);

/* Monotonic clock in seconds. */
double kr_now(void);
/* Levenshtein distance, for "did you mean" suggestions (bounded strings). */
int kr_edit_distance(const char *a, const char *b);
/* Return the candidate closest to `word` (distance <= max(1, len/3)), or NULL. */
const char *kr_suggest(const char *word, const char *const *candidates, size_t n);

#endif /* KR_KR_H */
