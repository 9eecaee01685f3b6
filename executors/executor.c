/*
 * executor.c - the table of execution backends (like curl's table of TLS
 * backends): each backend lives in its own file and exports one const
 * struct kr_executor; this file lists them and finds one by name. It also
 * holds what the backends share: the poll loop of the remote ones, the
 * timed-command text of the job scripts, and the landing of an isolated
 * job's output.
 */
#include "executor.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The line an isolated job prints in place of its benchmark file: the
 * marker, then "SECONDS<TAB>H:MM:SS". */
#define BENCH_MARK "##krait-benchmark## "

extern const struct kr_executor kr_executor_local;
extern const struct kr_executor kr_executor_dryrun;
extern const struct kr_executor kr_executor_slurm;
extern const struct kr_executor kr_executor_kubernetes;
extern const struct kr_executor kr_executor_awsbatch;

const struct kr_executor *const kr_executors[] = {
    &kr_executor_local,
    &kr_executor_dryrun,
    &kr_executor_slurm,
    &kr_executor_kubernetes,
    &kr_executor_awsbatch,
    NULL
};

/* Backend by name, or NULL when no backend has that name. */
const struct kr_executor *kr_executor_find(const char *name)
{
    size_t i;
    for (i = 0; kr_executors[i]; i++)
        if (!strcmp(kr_executors[i]->name, name))
            return kr_executors[i];
    return NULL;
}

int kr_exec_remote_poll(const struct kr_exec_pollsrc *src, struct kr_exec_result *results,
                        uint32_t max, uint32_t *n, double timeout, struct kr_error *err)
{
    double deadline = kr_now() + (timeout > 0 ? timeout : 0);
    int rc;

    *n = 0;
    for (;;) {
        double now, until;
        struct timespec ts;
        uint32_t nd = *src->ndone;
        if (nd > 0) {
            struct kr_exec_result *done = *src->done;
            uint32_t k = nd < max ? nd : max;
            memcpy(results, done, k * sizeof *results);
            memmove(done, done + k, (nd - k) * sizeof *done);
            *src->ndone = nd - k;
            *n = k;
            return KR_OK;
        }
        if (*src->njobs == 0)
            return KR_OK;
        now = kr_now();
        if (now >= *src->next_query) {
            rc = src->query(src->self, err);
            if (rc)
                return rc;
            continue;
        }
        if (now >= deadline)
            return KR_OK;
        until = *src->next_query < deadline ? *src->next_query : deadline;
        ts.tv_sec = (time_t)(until - now);
        ts.tv_nsec = (long)((until - now - (double)ts.tv_sec) * 1e9);
        if (nanosleep(&ts, NULL) != 0 && errno == EINTR)
            return KR_OK;   /* a signal: let the caller look at it */
    }
}

/* One timed run of command: its status in $rc (when it fails), its wall
 * time in $s (seconds) and $hms (H:MM:SS). */
static void put_run(struct kr_buf *b, const char *command)
{
    kr_buf_puts(b, "t0=$EPOCHREALTIME\nbash -euo pipefail -c ");
    kr_buf_put_squoted(b, command ? command : "");
    kr_buf_puts(b, " || rc=$?\nt1=$EPOCHREALTIME\n"
                "s=$(awk -v a=\"$t0\" -v b=\"$t1\" 'BEGIN { printf \"%.4f\", b - a }')\n"
                "hms=$(awk -v s=\"$s\" 'BEGIN { t = int(s); printf \"%d:%02d:%02d\", "
                "t / 3600, t % 3600 / 60, t % 60 }')\n");
}

void kr_exec_put_timed(struct kr_buf *b, const char *command, const char *bench_path,
                       uint32_t repeat)
{
    /* the command `repeat` times (benchmark: repeat(path, n); once by
     * default), until one fails; the rows "S\tH:M:S" joined by ';' */
    kr_buf_printf(b, "rc=0\nkr_rows=\nkr_k=0\nwhile [ $kr_k -lt %u ]; do\n",
                  repeat > 1 ? repeat : 1);
    put_run(b, command);
    kr_buf_puts(b, "kr_rows=\"$kr_rows${kr_rows:+;}$s\t$hms\"\nkr_k=$((kr_k + 1))\n"
                "[ $rc -eq 0 ] || break\ndone\n");
    if (bench_path) {
        kr_buf_puts(b, "{ printf 's\\th:m:s\\tmax_rss\\tmax_vms\\tmax_uss\\tmax_pss\\tio_in"
                    "\\tio_out\\tmean_load\\tcpu_time\\n'; kr_ifs=$IFS; IFS=';'; "
                    "for kr_r in $kr_rows; do printf '%s\\tNA\\tNA\\tNA\\tNA\\tNA\\tNA\\tNA"
                    "\\tNA\\n' \"$kr_r\"; done; IFS=$kr_ifs; } > ");
        kr_buf_put_squoted(b, bench_path);
        kr_buf_puts(b, " || true\n");
    } else {
        kr_buf_puts(b, "printf '\\n" BENCH_MARK "%s\\n' \"$kr_rows\"\n");
    }
}

/* Write n bytes to path (created 0644 or truncated). KR_OK or KR_EIO. */
static int write_all(const char *path, const char *data, size_t n, struct kr_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return kr_error_set(err, KR_EIO, "cannot write %s: %s", path, strerror(errno));
    bool ok = n == 0 || fwrite(data, 1, n, f) == n;
    if (fclose(f) != 0)
        ok = false;
    if (!ok)
        return kr_error_set(err, KR_EIO, "cannot write %s: %s", path, strerror(errno));
    return KR_OK;
}

int kr_exec_land_output(const char *text, size_t len, const char *log_path,
                        const char *bench_path, struct kr_error *err)
{
    static const char mark[] = BENCH_MARK;
    const size_t ml = sizeof mark - 1;
    const char *line = NULL, *p = text, *end = text + len;
    size_t keep = len;

    /* the last line that starts with the marker, and the blank line the
     * script printed before it (the job's output may not end in a newline) */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if ((size_t)(le - p) > ml && !memcmp(p, mark, ml))
            line = p;
        p = nl ? nl + 1 : end;
    }
    if (line) {
        keep = (size_t)(line - text);
        if (keep > 0 && text[keep - 1] == '\n')
            keep--;
    }
    if (log_path && write_all(log_path, text, keep, err) != KR_OK)
        return KR_EIO;
    if (bench_path && line) {
        const char *v = line + ml, *ve = memchr(v, '\n', (size_t)(end - v));
        struct kr_buf b;
        int rc;
        kr_buf_init(&b);
        const char *r = v, *re = ve ? ve : end;
        kr_buf_puts(&b, "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out"
                    "\tmean_load\tcpu_time\n");
        /* one row per ';'-separated "S\tH:M:S" (several: benchmark repeat()) */
        while (r < re) {
            const char *semi = memchr(r, ';', (size_t)(re - r));
            const char *e = semi ? semi : re;
            kr_buf_append(&b, r, (size_t)(e - r));
            kr_buf_puts(&b, "\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n");
            r = semi ? semi + 1 : re;
        }
        rc = write_all(bench_path, b.data, b.len, err);
        kr_buf_free(&b);
        return rc;
    }
    return KR_OK;
}
