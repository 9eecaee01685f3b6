/*
 * executor.c - the table of execution backends (like curl's table of TLS
 * backends): each backend lives in its own file and exports one const
 * struct kr_executor; this file lists them and finds one by name. It also
 * holds the poll loop the remote backends share.
 */
#include "executor.h"

#include <errno.h>
#include <string.h>
#include <time.h>

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
