/*
 * state-schema.c - the on-disk schema of WORKDIR/.krait/state.db and the
 * migrations that build it, one SQL script per version, applied in order.
 * PRAGMA user_version is the version; a fresh database is version 0 and goes
 * through every step. A new version appends a step; old steps never change.
 *
 * The schema (version 3):
 *
 *   lock(id = 1, pid, host, boot_id, proc_start, since)
 *       At most one row: the krait process that may write. proc_start is
 *       field 22 of /proc/PID/stat and boot_id the kernel's boot id, so a
 *       recycled pid or a reboot is not mistaken for the holder. Taken and
 *       cleared inside BEGIN IMMEDIATE transactions (src/state.c).
 *
 *   runs(id, start, end, status, njobs_done, njobs_failed, argv, pid, host)
 *       One row per `krait run`. Times are epoch seconds (REAL); end NULL =
 *       not ended. status is enum kr_run_status. argv is the command line.
 *
 *   attempts(id, run_id -> runs, job_id, rule, name, wildcards, attempt,
 *            executor, host, ext_id, state, exit_code, start, end, detail,
 *            log_path [v2], pid, pgid, proc_start [v3])
 *       The job journal: one row per attempt of a job, inserted before the
 *       job is submitted. state is enum kr_attempt_state; ext_id is the
 *       executor's id of the job, written as soon as it is known. A partial
 *       index covers the unfinished ones (state SUBMITTED or RUNNING).
 *       pid, pgid and proc_start (field 22 of /proc/PID/stat) name the
 *       process of a local job, journaled when it is spawned, so that the
 *       next run finds it after a SIGKILLed krait (never a recycled pid).
 *
 *   attempt_outputs(attempt_id -> attempts, idx, path)
 *       The declared outputs of an attempt, in the runner's order.
 *
 *   transitions(id, attempt_id -> attempts, state, t)
 *       Every state an attempt went through, with its time.
 *
 *   outputs(path PRIMARY KEY, rule, code_hash, params_hash, inputs_hash,
 *           container, incomplete, attempt_id -> attempts, inputs)
 *       The provenance of each output file, read by ONE table scan before
 *       planning. The three hashes are the planner's 64-bit hashes stored
 *       as signed INTEGERs. incomplete = 1 while a job writing the file has
 *       begun and not succeeded. rule is NULL for a file that only carries
 *       an incomplete mark. attempt_id names the attempt that made (or is
 *       making) it: its start/end, exit code, host, executor and external
 *       id complete the provenance without being copied here.
 *       `inputs` holds the input fingerprints of the job compactly in one
 *       BLOB (so the scan reads one row per output, no join), decoded only
 *       while scanning: a format byte 1, then a varint count, then per input
 *       varint path length, path bytes, zigzag varint mtime_ns, zigzag
 *       varint size, varint checksum length (0 = none), checksum bytes.
 *
 * Foreign keys are on: deleting a run deletes its attempts, their outputs
 * lists and transitions; an output's attempt_id becomes NULL.
 *
 * Secrets: nothing from the environment is ever stored - no variables, no
 * credentials; only the command line, paths, rule names, wildcard values,
 * hashes, host names, pids and times. Commands are not stored either (only
 * their hash, in code_hash).
 *
 * Migrations: v1 creates everything above but attempts.log_path; v2 adds
 * attempts.log_path (the job's log file, shown by `krait log --run`); v3
 * adds attempts.pid, pgid and proc_start; v4 cpu_s, max_rss_kb, io_in, io_out;
 * v5 attempts.reason (why the job ran).
 */
#include "state-int.h"

#include <stdio.h>
#include <string.h>

static const char *const migrations[] = {
    /* 0 -> 1: the initial schema */
    "CREATE TABLE lock("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  pid INTEGER NOT NULL,"
    "  host TEXT NOT NULL,"
    "  boot_id TEXT NOT NULL,"
    "  proc_start INTEGER NOT NULL,"
    "  since REAL NOT NULL);"
    "CREATE TABLE runs("
    "  id INTEGER PRIMARY KEY,"
    "  start REAL NOT NULL,"
    "  end REAL,"
    "  status INTEGER NOT NULL DEFAULT 0,"
    "  njobs_done INTEGER NOT NULL DEFAULT 0,"
    "  njobs_failed INTEGER NOT NULL DEFAULT 0,"
    "  argv TEXT NOT NULL,"
    "  pid INTEGER NOT NULL,"
    "  host TEXT NOT NULL);"
    "CREATE TABLE attempts("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  job_id INTEGER NOT NULL,"
    "  rule TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  wildcards TEXT,"
    "  attempt INTEGER NOT NULL,"
    "  executor TEXT NOT NULL,"
    "  host TEXT NOT NULL,"
    "  ext_id TEXT,"
    "  state INTEGER NOT NULL,"
    "  exit_code INTEGER,"
    "  start REAL NOT NULL,"
    "  end REAL,"
    "  detail TEXT);"
    "CREATE INDEX attempts_run ON attempts(run_id);"
    "CREATE INDEX attempts_unfinished ON attempts(id) WHERE state <= 1;"
    "CREATE TABLE attempt_outputs("
    "  attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL,"
    "  path TEXT NOT NULL,"
    "  PRIMARY KEY (attempt_id, idx)) WITHOUT ROWID;"
    "CREATE TABLE transitions("
    "  id INTEGER PRIMARY KEY,"
    "  attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,"
    "  state INTEGER NOT NULL,"
    "  t REAL NOT NULL);"
    "CREATE INDEX transitions_attempt ON transitions(attempt_id);"
    "CREATE TABLE outputs("
    "  path TEXT PRIMARY KEY,"
    "  rule TEXT,"
    "  code_hash INTEGER,"
    "  params_hash INTEGER,"
    "  inputs_hash INTEGER,"
    "  container TEXT,"
    "  incomplete INTEGER NOT NULL DEFAULT 0,"
    "  attempt_id INTEGER REFERENCES attempts(id) ON DELETE SET NULL,"
    "  inputs BLOB);"
    "CREATE INDEX outputs_attempt ON outputs(attempt_id);",

    /* 1 -> 2: the job's log file */
    "ALTER TABLE attempts ADD COLUMN log_path TEXT;",
    /* 2 -> 3: the local process of the attempt */
    "ALTER TABLE attempts ADD COLUMN pid INTEGER;"
    "ALTER TABLE attempts ADD COLUMN pgid INTEGER;"
    "ALTER TABLE attempts ADD COLUMN proc_start INTEGER;",
    /* 3 -> 4: what the job used (the trace): CPU seconds, peak RSS, I/O blocks */
    "ALTER TABLE attempts ADD COLUMN cpu_s REAL;"
    "ALTER TABLE attempts ADD COLUMN max_rss_kb INTEGER;"
    "ALTER TABLE attempts ADD COLUMN io_in INTEGER;"
    "ALTER TABLE attempts ADD COLUMN io_out INTEGER;",
    /* 4 -> 5: why the attempt ran ("missing output", "params changed: ..."),
     * so a later `krait report` can say why each output was last made */
    "ALTER TABLE attempts ADD COLUMN reason TEXT;",
};

_Static_assert(KR_ARRAY_LEN(migrations) == KR_STATE_SCHEMA_VERSION,
               "one migration per schema version");

static int user_version(sqlite3 *db, int *v, struct kr_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        kr_error_set(err, KR_ESTATE, "state database: reading its version: %s",
                     sqlite3_errmsg(db));
        sqlite3_finalize(s);
        return KR_ESTATE;
    }
    *v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return KR_OK;
}

static int exec(sqlite3 *db, const char *sql, const char *what, struct kr_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return KR_OK;
    kr_error_set(err, KR_ESTATE, "state database: %s: %s", what,
                 msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return KR_ESTATE;
}

/* Apply one step (from -> from + 1) unless another process already did. */
static int migrate_step(sqlite3 *db, int from, struct kr_error *err)
{
    char what[64], bump[64];
    int v, rc;
    snprintf(what, sizeof what, "migrating from version %d", from);
    rc = exec(db, "BEGIN IMMEDIATE", what, err);
    if (rc)
        return rc;
    rc = user_version(db, &v, err);
    if (rc)
        goto out;
    if (v != from)      /* someone else migrated meanwhile */
        goto out;
    rc = exec(db, migrations[from], what, err);
    if (rc)
        goto out;
    snprintf(bump, sizeof bump, "PRAGMA user_version = %d", from + 1);
    rc = exec(db, bump, what, err);
out:
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return exec(db, "COMMIT", what, err);
}

int kr_state_schema_migrate(sqlite3 *db, int target, struct kr_error *err)
{
    int v, rc;
    if (target > (int)KR_ARRAY_LEN(migrations))
        target = (int)KR_ARRAY_LEN(migrations);
    for (;;) {
        rc = user_version(db, &v, err);
        if (rc)
            return rc;
        if (v > KR_STATE_SCHEMA_VERSION)
            return kr_error_set(err, KR_ESTATE,
                                "state database has schema version %d, newer than this "
                                "krait understands (%d): use a newer krait",
                                v, KR_STATE_SCHEMA_VERSION);
        if (v >= target)
            return KR_OK;
        rc = migrate_step(db, v, err);
        if (rc)
            return rc;
    }
}
