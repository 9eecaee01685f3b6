/*
 * dryrun.c - an executor that runs nothing: every submitted job is reported
 * finished successfully by the next poll(), all at once. Used by tests of
 * the scheduler and the run loop, where what matters is the order in which
 * jobs are released, not what they do. It has KR_EXEC_CAP_NOOP, so `krait
 * run --executor dryrun` removes, checks and records nothing: outputs on
 * disk are left as they are and never waited for (--latency-wait).
 */
#include "executor.h"

#include <string.h>
#include <sys/time.h>

struct dryrun {
    uint32_t *ids;      /* submitted, not yet reported */
    uint32_t n, cap;
};

static int dryrun_init(void **self, const struct kr_executor_opts *opts, struct kr_error *err)
{
    KR_UNUSED(opts);
    KR_UNUSED(err);
    *self = kr_calloc(1, sizeof(struct dryrun));
    return KR_OK;
}

static int dryrun_submit(void *self, const struct kr_exec_job *job, char *ext_id,
                         size_t ext_id_len, struct kr_error *err)
{
    struct dryrun *D = self;
    KR_UNUSED(err);
    if (D->n == D->cap) {
        D->cap = D->cap ? 2 * D->cap : 64;
        D->ids = kr_realloc(D->ids, D->cap * sizeof *D->ids);
    }
    D->ids[D->n++] = job->id;
    snprintf(ext_id, ext_id_len, "dryrun:%u", job->id);
    return KR_OK;
}

static int dryrun_poll(void *self, struct kr_exec_result *results, uint32_t max, uint32_t *n,
                       double timeout, struct kr_error *err)
{
    struct dryrun *D = self;
    struct timeval tv;
    uint32_t i, k = D->n < max ? D->n : max;
    KR_UNUSED(timeout);
    KR_UNUSED(err);
    gettimeofday(&tv, NULL);
    for (i = 0; i < k; i++) {
        memset(&results[i], 0, sizeof results[i]);
        results[i].id = D->ids[i];
        results[i].state = KR_EXEC_OK;
        results[i].start = results[i].end = tv.tv_sec + tv.tv_usec / 1e6;
        snprintf(results[i].detail, sizeof results[i].detail, "dry run");
    }
    if (k > 0) {
        memmove(D->ids, D->ids + k, (D->n - k) * sizeof *D->ids);
        D->n -= k;
    }
    *n = k;
    return KR_OK;
}

static int dryrun_cancel(void *self, const uint32_t *ids, uint32_t n, struct kr_error *err)
{
    KR_UNUSED(self);
    KR_UNUSED(ids);
    KR_UNUSED(n);
    KR_UNUSED(err);
    return KR_OK;   /* nothing runs, so nothing to stop */
}

static void dryrun_shutdown(void *self)
{
    struct dryrun *D = self;
    if (!D)
        return;
    kr_free(D->ids);
    kr_free(D);
}

const struct kr_executor kr_executor_dryrun = {
    .name = "dryrun",
    .caps = KR_EXEC_CAP_NOOP,
    .init = dryrun_init,
    .submit = dryrun_submit,
    .submit_many = NULL,
    .poll = dryrun_poll,
    .cancel = dryrun_cancel,
    .attach = NULL,
    .shutdown = dryrun_shutdown,
};
