/*
 * state-repair.c - living with a damaged or unwritable state database:
 * opening it for reading however it can be read (read-write, read-only,
 * read-only immutable; else going on without provenance, saying so), the
 * integrity check behind `krait state check`, and `krait state repair`,
 * which moves a damaged database aside (state.db.corrupt-YYYYMMDD-HHMMSS,
 * with its -wal and -shm) and starts an empty one. Nothing is lost that
 * cannot be rebuilt: without provenance, outputs are judged by their
 * modification times, as Snakemake without metadata does.
 */
#include "state-int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int kr_state_ro_check(struct kr_state *st, struct kr_error *err)
{
    sqlite3_stmt *s = NULL;
    int v = -1, rc;
    rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);
    if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (v < 0)
        return kr_state_dberr(st, "reading its version", err);
    /* reading the schema reads the first pages: a damaged header shows here */
    if (sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
        SQLITE_OK)
        return kr_state_dberr(st, "reading its schema", err);
    if (v != KR_STATE_SCHEMA_VERSION)
        return kr_error_set(err, KR_ESTATE, "state database %s: schema version %d, not %d "
                            "(a `krait run` here converts it)", st->path, v,
                            KR_STATE_SCHEMA_VERSION);
    return KR_OK;
}

int kr_state_open_read(const char *workdir, struct kr_state **st)
{
    struct kr_error e1, e2;
    int rc;
    kr_error_clear(&e1);
    kr_error_clear(&e2);
    rc = kr_state_open(workdir, false, st, &e1);
    if (rc == KR_OK || rc == KR_NOT_FOUND)
        return rc;
    rc = kr_state_open_readonly(workdir, false, st, &e2);
    if (rc != KR_OK)
        rc = kr_state_open_readonly(workdir, true, st, &e2);
    if (rc == KR_OK) {
        fprintf(stderr, "krait: warning: %s; reading it read-only\n", e1.msg);
        return KR_OK;
    }
    fprintf(stderr, "krait: warning: %s\nkrait: going on without provenance: outputs are "
            "judged by their modification times\n", e1.msg);
    return KR_NOT_FOUND;
}

/* Open for checking: read-only, else read-only immutable. */
static int open_for_check(const char *workdir, struct kr_state **st, struct kr_error *err)
{
    int rc = kr_state_open_readonly(workdir, false, st, err);
    if (rc == KR_ESTATE)
        rc = kr_state_open_readonly(workdir, true, st, err);
    return rc;
}

int kr_state_check(const char *workdir, FILE *out, struct kr_error *err)
{
    struct kr_state *st = NULL;
    sqlite3_stmt *s = NULL;
    const char *row;
    bool sound = false;
    int rc, n = 0, r;

    rc = open_for_check(workdir, &st, err);
    if (rc != KR_OK)
        return rc;
    if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check(20)", -1, &s, NULL) != SQLITE_OK) {
        rc = kr_state_dberr(st, "checking", err);
        goto out;
    }
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        row = (const char *)sqlite3_column_text(s, 0);
        if (n++ == 0 && row && !strcmp(row, "ok"))
            sound = true;
        else if (out)
            fprintf(out, "%s: %s\n", st->path, row ? row : "?");
    }
    if (r != SQLITE_DONE) {
        rc = kr_state_dberr(st, "checking", err);
        goto out;
    }
    if (sound && n == 1) {
        if (out)
            fprintf(out, "%s: ok\n", st->path);
    } else {
        rc = kr_error_set(err, KR_ESTATE, "state database %s is damaged%s", st->path,
                          KR_STATE_DAMAGED_HINT);
    }
out:
    sqlite3_finalize(s);
    kr_state_close(st);
    return rc;
}

int kr_state_repair(const char *workdir, bool force, char **moved_to, struct kr_error *err)
{
    static const char *const ext[] = {"", "-wal", "-shm"};
    struct kr_state *st = NULL;
    struct kr_error ce;
    char stamp[32], base[PATH_MAX], *path = NULL, *src = NULL, *dst = NULL;
    time_t now = time(NULL);
    struct tm tm;
    size_t i;
    int rc;

    *moved_to = NULL;
    if (!realpath(workdir && *workdir ? workdir : ".", base))
        return kr_error_set(err, KR_EIO, "workflow directory %s: %s",
                            workdir && *workdir ? workdir : ".", strerror(errno));
    path = kr_asprintf("%s%s.krait/state.db", base, strcmp(base, "/") ? "/" : "");
    if (access(path, F_OK) != 0) {
        rc = kr_error_set(err, KR_NOT_FOUND, "no state database %s: nothing to repair", path);
        goto out;
    }
    kr_error_clear(&ce);
    rc = kr_state_check(workdir, NULL, &ce);
    if (rc == KR_OK && !force) {
        rc = kr_error_set(err, KR_EUSAGE, "state database %s passes the integrity check: "
                          "nothing to repair (--force moves it aside all the same)", path);
        goto out;
    }
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    for (i = 0; i < KR_ARRAY_LEN(ext); i++) {
        kr_free(src);
        kr_free(dst);
        src = kr_asprintf("%s%s", path, ext[i]);
        dst = kr_asprintf("%s.corrupt-%s%s", path, stamp, ext[i]);
        if (rename(src, dst) != 0 && errno != ENOENT) {
            rc = kr_error_set(err, KR_EIO, "cannot move %s to %s: %s", src, dst,
                              strerror(errno));
            goto out;
        }
        if (i == 0)
            *moved_to = kr_strdup(dst);
    }
    rc = kr_state_open(workdir, true, &st, err);
    kr_state_close(st);
out:
    kr_free(src);
    kr_free(dst);
    kr_free(path);
    return rc;
}
