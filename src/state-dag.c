/*
 * state-dag.c - hands the recorded provenance to the planner: one scan of
 * the outputs table (kr_state_scan_provenance), one kr_dag_attach_prov per
 * recorded output. Kept apart from state.c so that programs using the state
 * database without a planner (its unit test) do not link the planner.
 *
 * The scan reads the whole outputs table once. Through SQLite's memory map
 * (state.c sets mmap_size) every page of the database would stay mapped
 * and count in the process's peak memory (a 100k-output database is about
 * 60 MB); read into the bounded page cache instead, the scan costs the
 * same time; and a sequential scan needs only a small page cache (2 MB
 * instead of state.c's 16 MB). Both settings are restored after.
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
    int rc = kr_state_exec(st, "PRAGMA mmap_size=0; PRAGMA cache_size=-2048", err), rc2;
    if (rc)
        return rc;
    rc = kr_state_scan_provenance(st, attach, dag, err);
    rc2 = kr_state_exec(st, "PRAGMA mmap_size=268435456; PRAGMA cache_size=-16384",
                        rc ? NULL : err);
    return rc ? rc : rc2;
}
