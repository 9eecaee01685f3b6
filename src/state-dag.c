/*
 * state-dag.c - hands the recorded provenance to the planner: one scan of
 * the outputs table (kr_state_scan_provenance), one kr_dag_attach_prov per
 * recorded output. Kept apart from state.c so that programs using the state
 * database without a planner (its unit test) do not link the planner.
 */
#include "state-int.h"
#include "dag.h"

static int attach(void *ctx, const char *path, const struct kr_prov *prov)
{
    kr_dag_attach_prov(ctx, path, prov);
    return 0;
}

int kr_state_load_provenance(struct kr_state *st, struct kr_dag *dag, struct kr_error *err)
{
    return kr_state_scan_provenance(st, attach, dag, err);
}
