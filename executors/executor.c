/*
 * executor.c - the table of execution backends (like curl's table of TLS
 * backends): each backend lives in its own file and exports one const
 * struct kr_executor; this file lists them and finds one by name.
 */
#include "executor.h"

#include <string.h>

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
