/*
 * progress.c - the run's terminal output (see progress.h). The ETA is the
 * mean wall time per finished job so far times the jobs left, divided by
 * the parallelism observed (jobs running).
 */
#include "progress.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct kr_progress {
    FILE *f;
    uint32_t total, done, running, failed;
    int verbosity;
    bool live, color, drawn;
    double t0, last_draw;
    /* a transfer in progress (xfer_what[0] == 0: none) */
    char xfer_what[200];
    int64_t xfer_done, xfer_total;
    double xfer_t0, xfer_last_line;
};

/* n bytes as "512 B", "3.4 KiB", "1.2 GiB" into buf. */
static const char *human(int64_t n, char buf[32])
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, 32, "%lld B", (long long)n);
    else
        snprintf(buf, 32, "%.1f %s", v, unit[u]);
    return buf;
}

/* "what: 1.2 of 4.0 GiB (30%), 85.0 MiB/s" into buf. */
static void xfer_text(const struct kr_progress *p, char *buf, size_t size)
{
    char a[32], b[32], r[32];
    double el = kr_now() - p->xfer_t0;
    int64_t rate = el > 0.5 ? (int64_t)((double)p->xfer_done / el) : 0;
    int n = snprintf(buf, size, "%s: %s", p->xfer_what, human(p->xfer_done, a));
    if (n > 0 && (size_t)n < size && p->xfer_total > 0)
        n += snprintf(buf + n, size - (size_t)n, " of %s (%d%%)", human(p->xfer_total, b),
                      (int)(100.0 * (double)p->xfer_done / (double)p->xfer_total));
    if (n > 0 && (size_t)n < size && rate > 0)
        snprintf(buf + n, size - (size_t)n, ", %s/s", human(rate, r));
}

struct kr_progress *kr_progress_new(FILE *f, uint32_t total, int verbosity, int live)
{
    struct kr_progress *p = kr_calloc(1, sizeof *p);
    const char *nc = getenv("NO_COLOR");
    p->f = f;
    p->total = total;
    p->verbosity = verbosity;
    p->live = live < 0 ? isatty(fileno(f)) : live;
    p->color = p->live && !(nc && *nc);
    p->t0 = kr_now();
    return p;
}

void kr_progress_free(struct kr_progress *p)
{
    kr_free(p);
}

static void clear_line(struct kr_progress *p)
{
    if (p->live && p->drawn) {
        fputs("\r\033[K", p->f);
        p->drawn = false;
    }
}

static void draw(struct kr_progress *p)
{
    double el, eta;
    long s;
    if (!p->live || p->verbosity == KR_PROGRESS_QUIET)
        return;
    el = kr_now() - p->t0;
    fprintf(p->f, "\r\033[K[%*u/%u] %u running, %s%u failed%s", p->total >= 1000 ? 5 : 3,
            p->done, p->total, p->running, p->color && p->failed ? "\033[31m" : "", p->failed,
            p->color && p->failed ? "\033[0m" : "");
    if (p->done > 0 && p->done < p->total) {
        eta = el / p->done * (p->total - p->done);
        s = (long)(eta + 0.5);
        fprintf(p->f, ", ETA %ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    }
    if (p->xfer_what[0]) {
        char t[320];
        xfer_text(p, t, sizeof t);
        fprintf(p->f, " | %s", t);
    }
    fflush(p->f);
    p->drawn = true;
    p->last_draw = kr_now();
}

void kr_progress_tick(struct kr_progress *p)
{
    if (p->live && kr_now() - p->last_draw >= 0.1)
        draw(p);
}

void kr_progress_start(struct kr_progress *p, const char *desc)
{
    p->running++;
    if (p->verbosity >= KR_PROGRESS_VERBOSE) {
        clear_line(p);
        fprintf(p->f, "[%u/%u] %s started\n", p->done, p->total, desc);
    }
    kr_progress_tick(p);
}

void kr_progress_done(struct kr_progress *p, const char *desc, double secs)
{
    if (p->running)
        p->running--;
    p->done++;
    if (!p->live && p->verbosity >= KR_PROGRESS_NORMAL)
        fprintf(p->f, "[%u/%u] %s done in %.1fs\n", p->done, p->total, desc, secs);
    else if (p->live && p->verbosity >= KR_PROGRESS_VERBOSE) {
        clear_line(p);
        fprintf(p->f, "[%u/%u] %s done in %.1fs\n", p->done, p->total, desc, secs);
    }
    if (p->done == p->total)
        draw(p);
    else
        kr_progress_tick(p);
}

void kr_progress_failed(struct kr_progress *p, const char *desc, const char *detail,
                        bool will_retry)
{
    if (p->running)
        p->running--;
    if (!will_retry)
        p->failed++;
    clear_line(p);
    fprintf(p->f, "%s%s %s: %s%s\n", p->color ? "\033[31m" : "", desc,
            will_retry ? "failed, retrying" : "failed", detail, p->color ? "\033[0m" : "");
    draw(p);
}

void kr_progress_msg(struct kr_progress *p, bool always, const char *fmt, ...)
{
    va_list ap;
    if (p->verbosity == KR_PROGRESS_QUIET && !always)
        return;
    clear_line(p);
    va_start(ap, fmt);
    vfprintf(p->f, fmt, ap);
    va_end(ap);
    fputc('\n', p->f);
    if (p->live)
        draw(p);
}

void kr_progress_transfer(struct kr_progress *p, const char *what, int64_t done, int64_t total)
{
    const char *every = getenv("KRAIT_PROGRESS_EVERY");
    double gap = every && atof(every) > 0 ? atof(every) : 10.0;
    if (strncmp(p->xfer_what, what, sizeof p->xfer_what - 1) != 0) {
        snprintf(p->xfer_what, sizeof p->xfer_what, "%s", what);
        p->xfer_t0 = p->xfer_last_line = kr_now();
    }
    p->xfer_done = done;
    p->xfer_total = total > done ? total : done;
    if (p->live) {
        kr_progress_tick(p);
    } else if (p->verbosity != KR_PROGRESS_QUIET && kr_now() - p->xfer_last_line >= gap) {
        char t[320];
        xfer_text(p, t, sizeof t);
        fprintf(p->f, "krait: %s\n", t);
        fflush(p->f);
        p->xfer_last_line = kr_now();
    }
}

void kr_progress_transfer_end(struct kr_progress *p)
{
    if (!p->xfer_what[0])
        return;
    p->xfer_what[0] = 0;
    if (p->live && p->drawn)
        draw(p);
}

void kr_progress_end(struct kr_progress *p)
{
    if (p->live && p->verbosity != KR_PROGRESS_QUIET) {
        draw(p);
        fputc('\n', p->f);
        p->drawn = false;
    }
    fflush(p->f);
}

uint32_t kr_progress_ndone(const struct kr_progress *p) { return p->done; }
uint32_t kr_progress_nfailed(const struct kr_progress *p) { return p->failed; }
