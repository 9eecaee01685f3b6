/*
 * trace.c - a run's trace (trace.h): one pass over the run's attempts in
 * the journal, each formatted as a TSV row in Nextflow's column names and,
 * by default, its human units.
 */
#include "trace.h"

#include <errno.h>
#include <string.h>
#include <time.h>

struct tracer {
    FILE *f;
    bool raw;
};

static const char *status_name(int state)
{
    switch (state) {
    case KR_ATTEMPT_SUBMITTED: return "SUBMITTED";
    case KR_ATTEMPT_RUNNING: return "RUNNING";
    case KR_ATTEMPT_DONE: return "COMPLETED";
    case KR_ATTEMPT_FAILED: return "FAILED";
    default: return "ABORTED";      /* cancelled, abandoned */
    }
}

static void put_time(const struct tracer *T, double t)
{
    char buf[40];
    struct tm tm;
    long long ms = (long long)(t * 1000 + 0.5);
    time_t s = (time_t)(ms / 1000);
    if (t <= 0) {
        fputs("-", T->f);
        return;
    }
    if (T->raw) {
        fprintf(T->f, "%lld", ms);
        return;
    }
    localtime_r(&s, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(T->f, "%s.%03d", buf, (int)(ms % 1000));
}

/* Nextflow's duration: "350ms", "4.2s", "1m 3s", "2h 5m 1s". */
static void put_duration(const struct tracer *T, double from, double to)
{
    double d = to - from;
    long s;
    if (from <= 0 || to <= 0 || d < 0) {
        fputs("-", T->f);
        return;
    }
    if (T->raw) {   /* the difference of the rounded times the row shows */
        fprintf(T->f, "%lld", (long long)(to * 1000 + 0.5) - (long long)(from * 1000 + 0.5));
        return;
    }
    if (d < 1) {
        fprintf(T->f, "%dms", (int)(d * 1000 + 0.5));
        return;
    }
    if (d < 60) {
        fprintf(T->f, "%.1fs", d);
        return;
    }
    s = (long)(d + 0.5);
    if (s >= 3600)
        fprintf(T->f, "%ldh %ldm %lds", s / 3600, s / 60 % 60, s % 60);
    else
        fprintf(T->f, "%ldm %lds", s / 60, s % 60);
}

/* Bytes as Nextflow prints memory: "812 B", "1.5 KB", "12.3 MB", "2 GB". */
static void put_bytes(const struct tracer *T, int64_t b)
{
    static const char *const unit[] = {"B", "KB", "MB", "GB", "TB"};
    double v = (double)b;
    int u = 0;
    if (b < 0) {
        fputs("-", T->f);
        return;
    }
    if (T->raw) {
        fprintf(T->f, "%lld", (long long)b);
        return;
    }
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0 || v >= 100 || v == (double)(int64_t)v)
        fprintf(T->f, "%.0f %s", v, unit[u]);
    else
        fprintf(T->f, "%.1f %s", v, unit[u]);
}

static int row(void *ctx, const struct kr_state_attempt *a)
{
    const struct tracer *T = ctx;
    double real = a->running > 0 && a->end > 0 ? a->end - a->running : -1;
    fprintf(T->f, "%lld\t%s\t%s\t", (long long)a->id, a->name, status_name(a->state));
    if (a->exit_code >= 0)
        fprintf(T->f, "%d", a->exit_code);
    else
        fputs("-", T->f);
    fputc('\t', T->f);
    put_time(T, a->start);
    fputc('\t', T->f);
    put_time(T, a->running);
    fputc('\t', T->f);
    put_time(T, a->end);
    fputc('\t', T->f);
    put_duration(T, a->start, a->end);
    fputc('\t', T->f);
    put_duration(T, a->running, a->end);
    fputc('\t', T->f);
    if (a->cpu_s >= 0 && real > 0)
        fprintf(T->f, T->raw ? "%.1f" : "%.1f%%", 100 * a->cpu_s / real);
    else
        fputs("-", T->f);
    fputc('\t', T->f);
    put_bytes(T, a->max_rss_kb >= 0 ? a->max_rss_kb * 1024 : -1);
    fputc('\t', T->f);
    put_bytes(T, a->io_in >= 0 ? a->io_in * 512 : -1);
    fputc('\t', T->f);
    put_bytes(T, a->io_out >= 0 ? a->io_out * 512 : -1);
    fprintf(T->f, "\t%s\t%s\t%d\t%s\n", a->executor, a->ext_id && *a->ext_id ? a->ext_id : "-",
            a->attempt, a->host);
    return 0;
}

static int latest(void *ctx, const struct kr_state_run *r)
{
    *(int64_t *)ctx = r->id;
    return 0;
}

int kr_trace_write(struct kr_state *st, int64_t run_id, bool raw, FILE *f,
                   struct kr_error *err)
{
    struct tracer T = {f, raw};
    int rc;
    if (run_id <= 0) {
        rc = kr_state_runs(st, 1, latest, &run_id, err);
        if (rc)
            return rc;
        if (run_id <= 0)
            return kr_error_set(err, KR_NOT_FOUND, "no runs recorded: nothing has run here yet");
    } else {
        int64_t found = 0;
        rc = kr_state_run_get(st, run_id, latest, &found, err);
        if (rc == KR_NOT_FOUND || (!rc && !found))
            return kr_error_set(err, KR_NOT_FOUND, "no run %lld", (long long)run_id);
        if (rc)
            return rc;
    }
    fputs("task_id\tname\tstatus\texit\tsubmit\tstart\tcomplete\tduration\trealtime\t%cpu\t"
          "peak_rss\tread_bytes\twrite_bytes\texecutor\tnative_id\tattempt\thost\n", f);
    rc = kr_state_run_attempts(st, run_id, row, &T, err);
    if (rc)
        return rc;
    if (fflush(f) != 0 || ferror(f))
        return kr_error_set(err, KR_EIO, "writing the trace: %s", strerror(errno));
    return KR_OK;
}
