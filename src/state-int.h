/*
 * state-int.h - internals shared by the files of the state database
 * (src/state.c, src/state-lock.c, src/state-schema.c, src/state-dag.c) and
 * its unit test. Everyone else uses src/state.h.
 */
#ifndef KR_STATE_INT_H
#define KR_STATE_INT_H

#include "kr.h"
#include "state.h"

#include <sqlite3.h>

/* The newest schema version (PRAGMA user_version of a current database). */
#define KR_STATE_SCHEMA_VERSION 5

struct kr_state {
    sqlite3 *db;
    char *dir;              /* absolute .krait directory */
    char *path;             /* .krait/state.db */
    pid_t lock_pid;         /* getpid() when this handle took the lock, else 0 */
    char host[256];         /* this host's name */
};

/*
 * Bring `db` from its PRAGMA user_version up to `target` (<= the newest),
 * applying each migration in order, each in its own BEGIN IMMEDIATE
 * transaction that also bumps user_version, so a crash leaves the database
 * at some whole version. Another process migrating at the same instant is
 * harmless: the version is re-read inside the transaction.
 * Returns KR_OK; KR_ESTATE when the database is newer than this krait
 * (made by a newer krait) or SQLite fails (nothing of that step applied).
 */
int kr_state_schema_migrate(sqlite3 *db, int target, struct kr_error *err);

/* Fill err with KR_ESTATE "state database: WHAT: <sqlite message>"; returns KR_ESTATE. */
int kr_state_dberr(struct kr_state *st, const char *what, struct kr_error *err);

/* What to do about a damaged database, appended to its errors. */
#define KR_STATE_DAMAGED_HINT \
    " (the file is damaged: `krait state check` examines it; `krait state repair` moves it" \
    " aside and starts afresh - outputs will be re-checked by mtime)"

/* After a read-only open: the schema is the current one and readable
 * (src/state-repair.c). KR_OK or KR_ESTATE. */
int kr_state_ro_check(struct kr_state *st, struct kr_error *err);

/* Run SQL without results (BEGIN IMMEDIATE, COMMIT...). KR_OK or KR_ESTATE. */
int kr_state_exec(struct kr_state *st, const char *sql, struct kr_error *err);

/* Roll back the open transaction, if any (ignores errors). */
void kr_state_rollback(struct kr_state *st);

/* Wall-clock time, epoch seconds. */
double kr_state_now(void);

#endif /* KR_STATE_INT_H */
