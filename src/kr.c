/*
 * kr.c - implementation of the shared basics declared in kr.h: errors,
 * the one allocator (with a failure-injection hook for tests), arenas,
 * byte buffers, pointer vectors, hashing and "did you mean" suggestions.
 */
#include "kr.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- errors ---------------------------------------------------------- */

void kr_error_clear(struct kr_error *e)
{
    if (!e)
        return;
    e->code = KR_OK;
    e->line = e->col = 0;
    e->nerrors = 0;
    e->file[0] = e->msg[0] = e->context[0] = e->before[0] = '\0';
}

int kr_error_vset(struct kr_error *e, int code, const char *fmt, va_list ap)
{
    if (!e)
        return code;
    kr_error_clear(e);
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return code;
}

int kr_error_set(struct kr_error *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kr_error_vset(e, code, fmt, ap);
    va_end(ap);
    return code;
}

void kr_error_prefix(struct kr_error *e, const char *fmt, ...)
{
    char pre[256], old[sizeof e->msg];
    va_list ap;
    if (!e)
        return;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    if (!strncmp(e->msg, pre, strlen(pre)) && e->msg[strlen(pre)] == ':')
        return;     /* said already, deeper down */
    memcpy(old, e->msg, sizeof old);
    /* truncation is acceptable for an over-long message */
    if (snprintf(e->msg, sizeof e->msg, "%s: %.*s", pre, (int)(sizeof e->msg - strlen(pre) - 3), old) < 0)
        e->msg[0] = '\0';
}

void kr_error_format(const struct kr_error *e, char *buf, size_t n)
{
    if (e->file[0] && e->line > 0)
        snprintf(buf, n, "%s:%d:%d: error: %s", e->file, e->line, e->col, e->msg);
    else if (e->file[0])
        snprintf(buf, n, "%s: error: %s", e->file, e->msg);
    else
        snprintf(buf, n, "krait: error: %s", e->msg);
}

void kr_error_print(const struct kr_error *e, FILE *f)
{
    char line[2048];
    fputs(e->before, f);
    kr_error_format(e, line, sizeof line);
    fprintf(f, "%s\n", line);
    if (e->context[0]) {
        fputs(e->context, f);
        size_t n = strlen(e->context);
        if (e->context[n - 1] != '\n')
            fputc('\n', f);
    }
    if (e->nerrors > 1)
        fprintf(f, "krait: %d errors\n", e->nerrors);
}

/* ---- allocation ------------------------------------------------------ */

static long fail_after = -1;

void kr_alloc_fail_after(long n) { fail_after = n; }

static void oom(void)
{
    fputs("krait: out of memory\n", stderr);
    abort();
}

static void check_fail(void)
{
    if (fail_after < 0)
        return;
    if (fail_after == 0)
        oom();
    fail_after--;
}

void *kr_malloc(size_t n)
{
    void *p;
    check_fail();
    p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *kr_calloc(size_t nmemb, size_t size)
{
    void *p;
    check_fail();
    p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *kr_realloc(void *p, size_t n)
{
    void *q;
    check_fail();
    q = realloc(p, n ? n : 1);
    if (!q)
        oom();
    return q;
}

void kr_free(void *p) { free(p); }

char *kr_strndup(const char *s, size_t n)
{
    char *d = kr_malloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *kr_strdup(const char *s) { return kr_strndup(s, strlen(s)); }

char *kr_asprintf(const char *fmt, ...)
{
    struct kr_buf b = KR_BUF_INIT;
    va_list ap;
    char tmp[256];
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < (int)sizeof tmp)
        return kr_strndup(tmp, (size_t)n);
    kr_buf_reserve(&b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b.data, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return b.data;
}

/* ---- arena ------------------------------------------------------------ */

struct kr_arena_block {
    struct kr_arena_block *next;
    size_t size;
    /* payload follows, 16-byte aligned */
};

#define ARENA_HDR ((sizeof(struct kr_arena_block) + 15) & ~(size_t)15)
#define ARENA_BLOCK (256 * 1024)

void kr_arena_init(struct kr_arena *a)
{
    a->head = NULL;
    a->cur = a->end = NULL;
    a->total = 0;
}

void kr_arena_free(struct kr_arena *a)
{
    struct kr_arena_block *b = a->head, *next;
    while (b) {
        next = b->next;
        kr_free(b);
        b = next;
    }
    kr_arena_init(a);
}

void *kr_arena_alloc(struct kr_arena *a, size_t n)
{
    char *p;
    struct kr_arena_block *b;
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    if (n > ARENA_BLOCK / 4) {
        /* a big request gets a block of its own, linked behind the current
         * bump block so that block keeps serving small requests */
        b = kr_malloc(ARENA_HDR + n);
        b->size = n;
        if (a->head) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = NULL;
            a->head = b;
            a->cur = a->end = (char *)b + ARENA_HDR + n;   /* full: next small request opens a block */
        }
        a->total += n;
        return (char *)b + ARENA_HDR;
    }
    if (!a->cur || (size_t)(a->end - a->cur) < n) {
        b = kr_malloc(ARENA_HDR + ARENA_BLOCK);
        b->size = ARENA_BLOCK;
        b->next = a->head;
        a->head = b;
        a->cur = (char *)b + ARENA_HDR;
        a->end = a->cur + ARENA_BLOCK;
    }
    p = a->cur;
    a->cur += n;
    a->total += n;
    return p;
}

void *kr_arena_zalloc(struct kr_arena *a, size_t n)
{
    void *p = kr_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *kr_arena_strndup(struct kr_arena *a, const char *s, size_t n)
{
    char *d = kr_arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *kr_arena_strdup(struct kr_arena *a, const char *s)
{
    return kr_arena_strndup(a, s, strlen(s));
}

char *kr_arena_printf(struct kr_arena *a, const char *fmt, ...)
{
    va_list ap;
    char tmp[512];
    int n;
    char *d;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    d = kr_arena_alloc(a, (size_t)n + 1);
    if (n < (int)sizeof tmp) {
        memcpy(d, tmp, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(d, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return d;
}

void kr_arena_mark(const struct kr_arena *a, struct kr_arena_mark *m)
{
    m->head = a->head;
    m->after_head = a->head ? a->head->next : NULL;
    m->cur = a->cur;
    m->end = a->end;
    m->total = a->total;
}

/* Blocks opened after the mark sit in two places of the list: new bump
 * blocks (and big blocks while there was no head) in front of the marked
 * head, big blocks linked right behind the marked head (kr_arena_alloc). */
void kr_arena_release(struct kr_arena *a, const struct kr_arena_mark *m)
{
    struct kr_arena_block *b = a->head, *next;
    while (b && b != m->head) {
        next = b->next;
        kr_free(b);
        b = next;
    }
    if (m->head) {
        b = m->head->next;
        while (b && b != m->after_head) {
            next = b->next;
            kr_free(b);
            b = next;
        }
        m->head->next = m->after_head;
    }
    if (a->head == m->head && m->cur && a->cur > m->cur)
        memset(m->cur, 0xA5, (size_t)(a->cur - m->cur));
    a->head = m->head;
    a->cur = m->cur;
    a->end = m->end;
    a->total = m->total;
}

/* ---- buffers ---------------------------------------------------------- */

void kr_buf_init(struct kr_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void kr_buf_free(struct kr_buf *b)
{
    kr_free(b->data);
    kr_buf_init(b);
}

void kr_buf_reset(struct kr_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void kr_buf_reserve(struct kr_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = kr_realloc(b->data, cap);
    b->cap = cap;
}

void kr_buf_append(struct kr_buf *b, const char *s, size_t n)
{
    kr_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void kr_buf_puts(struct kr_buf *b, const char *s) { kr_buf_append(b, s, strlen(s)); }

void kr_buf_putc(struct kr_buf *b, char c)
{
    kr_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void kr_buf_put_squoted(struct kr_buf *b, const char *s)
{
    kr_buf_putc(b, '\'');
    for (; s && *s; s++) {
        if (*s == '\'')
            kr_buf_puts(b, "'\\''");
        else
            kr_buf_putc(b, *s);
    }
    kr_buf_putc(b, '\'');
}

bool kr_is_shell_name(const char *s)
{
    if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

void kr_buf_printf(struct kr_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    kr_buf_reserve(b, 64);
    va_start(ap, fmt);
    n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if ((size_t)n >= b->cap - b->len) {
        kr_buf_reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

char *kr_buf_steal(struct kr_buf *b)
{
    char *d = b->data;
    if (!d)
        d = kr_strdup("");
    kr_buf_init(b);
    return d;
}

const char *kr_buf_cstr(const struct kr_buf *b) { return b->data ? b->data : ""; }

/* ---- vectors ---------------------------------------------------------- */

void kr_vec_push(struct kr_vec *v, void *p)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->items = kr_realloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->len++] = p;
}

void kr_vec_free(struct kr_vec *v)
{
    kr_free(v->items);
    v->items = NULL;
    v->len = v->cap = 0;
}

/* ---- hashing ---------------------------------------------------------- */

uint64_t kr_hash64_seed(const void *data, size_t n, uint64_t h)
{
    const unsigned char *p = data;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    /* final avalanche (splitmix64 finaliser) */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

uint64_t kr_hash64(const void *data, size_t n)
{
    return kr_hash64_seed(data, n, 0xcbf29ce484222325ULL);
}

/* ---- misc ------------------------------------------------------------- */

double kr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int kr_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    int row[65];
    if (la > 64 || lb > 64)
        return 1000;
    for (j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (i = 1; i <= la; i++) {
        int prev = row[0], tmp;
        row[0] = (int)i;
        for (j = 1; j <= lb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = prev + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            tmp = row[j];
            row[j] = best;
            prev = tmp;
        }
    }
    return row[lb];
}

const char *kr_suggest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    int bestd = 1000;
    size_t i;
    int limit = (int)strlen(word) / 3;
    if (limit < 1)
        limit = 1;
    if (limit > 3)
        limit = 3;
    for (i = 0; i < n; i++) {
        int d = kr_edit_distance(word, candidates[i]);
        if (d < bestd) {
            bestd = d;
            best = candidates[i];
        }
    }
    return bestd <= limit ? best : NULL;
}

/* ---- directories -------------------------------------------------------- */

int kr_mkdirs(const char *dir, struct kr_error *err)
{
    char *p, *s;
    int rc = KR_OK, saved;
    if (!*dir) {
        errno = EINVAL;
        return kr_error_set(err, KR_EIO, "cannot create a directory with an empty name");
    }
    p = kr_strdup(dir);
    for (s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            saved = errno;
            rc = kr_error_set(err, KR_EIO, "cannot create directory %s: %s", p, strerror(saved));
            errno = saved;
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    kr_free(p);
    return rc;
}

int kr_mkdirs_parent(const char *path, struct kr_error *err)
{
    const char *slash = strrchr(path, '/');
    char *d;
    int rc, saved;
    if (!slash || slash == path)
        return KR_OK;
    d = kr_strndup(path, (size_t)(slash - path));
    rc = kr_mkdirs(d, err);
    saved = errno;
    kr_free(d);
    errno = saved;
    return rc;
}

char *kr_file_tail(const char *path, int nlines, char *buf, size_t size)
{
    struct stat sb;
    ssize_t n;
    off_t off = 0;
    int fd, seen = 0;
    char *p, *start;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &sb) == 0 && sb.st_size > (off_t)size - 1)
        off = sb.st_size - (off_t)(size - 1);
    n = pread(fd, buf, size - 1, off);
    close(fd);
    if (n <= 0) {
        errno = 0;
        return NULL;
    }
    buf[n] = 0;
    p = buf + n;
    if (p > buf && p[-1] == '\n')
        *--p = 0;
    start = buf;
    while (p > buf) {
        p--;
        if (*p == '\n' && ++seen == nlines) {
            start = p + 1;
            break;
        }
    }
    if (start == buf && off > 0) {      /* a partial first line: drop it */
        char *nl = strchr(buf, '\n');
        if (nl)
            start = nl + 1;
    }
    return start;
}
