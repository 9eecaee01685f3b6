/*
 * state-lock.c - one writer per workflow directory. The lock is the single
 * row of the `lock` table (schema: state-schema.c), read and written inside
 * one BEGIN IMMEDIATE transaction: SQLite lets one write transaction in at
 * a time, so two krait processes starting at the same instant cannot both
 * see "unlocked" and both take it.
 *
 * The row names its holder by host, kernel boot id, pid and the process's
 * start time (field 22 of /proc/PID/stat, in clock ticks since boot). On the
 * same host a holder is alive only when the boot id matches, the pid exists
 * and its start time is the recorded one; otherwise (krait was killed, the
 * machine rebooted, the pid was recycled) the lock clears itself. A holder
 * on another host (a shared file system) cannot be checked and always
 * counts as alive: `krait run --unlock` removes it.
 */
#include "state-int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Start time of process `pid` in clock ticks since boot, or -1 when there is
 * no such process (or /proc is unreadable). */
static int64_t proc_start_time(pid_t pid)
{
    char path[64], buf[1024];
    const char *p;
    long long start;
    size_t n;
    int field;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* "pid (comm) state ppid ...": comm may hold spaces and ')' - skip to the last ')' */
    p = strrchr(buf, ')');
    if (!p)
        return -1;
    p++;
    for (field = 2; field < 22 && *p; p++)
        if (*p == ' ')
            field++;
    /* the space before field 22 was the last one counted: p is at field 22 */
    if (sscanf(p, "%lld", &start) != 1)
        return -1;
    return start;
}

static void read_boot_id(char *buf, size_t n)
{
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    buf[0] = 0;
    if (!f)
        return;
    if (!fgets(buf, (int)n, f))
        buf[0] = 0;
    fclose(f);
    buf[strcspn(buf, "\n")] = 0;
}

static void fill_self(struct kr_state *st, struct kr_state_lockinfo *me)
{
    memset(me, 0, sizeof *me);
    me->pid = getpid();
    snprintf(me->host, sizeof me->host, "%s", st->host);
    read_boot_id(me->boot_id, sizeof me->boot_id);
    me->proc_start = proc_start_time(me->pid);
    me->since = kr_state_now();
}

/* Is the recorded holder still running? (see the top of the file) */
static bool holder_alive(const struct kr_state_lockinfo *h, const struct kr_state_lockinfo *me)
{
    if (strcmp(h->host, me->host) != 0)
        return true;
    if (h->boot_id[0] && me->boot_id[0] && strcmp(h->boot_id, me->boot_id) != 0)
        return false;
    if (kill(h->pid, 0) != 0 && errno == ESRCH)
        return false;
    return proc_start_time(h->pid) == h->proc_start;
}

static bool same_process(const struct kr_state_lockinfo *h, const struct kr_state_lockinfo *me)
{
    return h->pid == me->pid && h->proc_start == me->proc_start &&
           !strcmp(h->host, me->host) && !strcmp(h->boot_id, me->boot_id);
}

/* Read the row into *h: KR_OK, KR_NOT_FOUND, or KR_ESTATE. */
static int read_holder(struct kr_state *st, struct kr_state_lockinfo *h, struct kr_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc, r;
    const char *t;
    if (sqlite3_prepare_v2(st->db, "SELECT pid, host, boot_id, proc_start, since FROM lock"
                           " WHERE id = 1", -1, &s, NULL) != SQLITE_OK)
        return kr_state_dberr(st, "reading the lock", err);
    r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        memset(h, 0, sizeof *h);
        h->pid = (pid_t)sqlite3_column_int64(s, 0);
        t = (const char *)sqlite3_column_text(s, 1);
        snprintf(h->host, sizeof h->host, "%s", t ? t : "");
        t = (const char *)sqlite3_column_text(s, 2);
        snprintf(h->boot_id, sizeof h->boot_id, "%s", t ? t : "");
        h->proc_start = sqlite3_column_int64(s, 3);
        h->since = sqlite3_column_double(s, 4);
        rc = KR_OK;
    } else if (r == SQLITE_DONE) {
        rc = KR_NOT_FOUND;
    } else {
        rc = kr_state_dberr(st, "reading the lock", err);
    }
    sqlite3_finalize(s);
    return rc;
}

static int write_holder(struct kr_state *st, const struct kr_state_lockinfo *me,
                        struct kr_error *err)
{
    sqlite3_stmt *s = NULL;
    int r;
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO lock(id, pid, host, boot_id,"
                           " proc_start, since) VALUES(1, ?, ?, ?, ?, ?)", -1, &s,
                           NULL) != SQLITE_OK)
        return kr_state_dberr(st, "taking the lock", err);
    sqlite3_bind_int64(s, 1, me->pid);
    sqlite3_bind_text(s, 2, me->host, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, me->boot_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, me->proc_start);
    sqlite3_bind_double(s, 5, me->since);
    r = sqlite3_step(s);
    sqlite3_finalize(s);
    if (r != SQLITE_DONE)
        return kr_state_dberr(st, "taking the lock", err);
    return KR_OK;
}

int kr_state_lock(struct kr_state *st, struct kr_error *err)
{
    struct kr_state_lockinfo me, h;
    char when[64];
    struct tm tm;
    time_t t;
    int rc;

    fill_self(st, &me);
    rc = kr_state_exec(st, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    rc = read_holder(st, &h, err);
    if (rc == KR_OK && !same_process(&h, &me) && holder_alive(&h, &me)) {
        t = (time_t)h.since;
        localtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        rc = kr_error_set(err, KR_ELOCKED, "%s is locked by krait pid %ld on host %s since "
                          "%s; if it is dead run `krait run --unlock`",
                          st->dir, (long)h.pid, h.host, when);
        goto out;
    }
    if (rc < 0)
        goto out;
    if (rc == KR_OK && same_process(&h, &me)) {
        rc = KR_OK;     /* already ours */
    } else {
        /* free, or its holder is dead: take it */
        rc = write_holder(st, &me, err);
        if (rc)
            goto out;
    }
    rc = kr_state_exec(st, "COMMIT", err);
    if (rc == KR_OK)
        st->lock_pid = me.pid;
out:
    if (rc)
        kr_state_rollback(st);
    return rc;
}

int kr_state_unlock(struct kr_state *st, struct kr_error *err)
{
    struct kr_state_lockinfo me;
    sqlite3_stmt *s = NULL;
    int r;
    fill_self(st, &me);
    if (sqlite3_prepare_v2(st->db, "DELETE FROM lock WHERE pid = ? AND host = ? AND"
                           " proc_start = ?", -1, &s, NULL) != SQLITE_OK)
        return kr_state_dberr(st, "releasing the lock", err);
    sqlite3_bind_int64(s, 1, me.pid);
    sqlite3_bind_text(s, 2, me.host, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, me.proc_start);
    r = sqlite3_step(s);
    sqlite3_finalize(s);
    if (r != SQLITE_DONE)
        return kr_state_dberr(st, "releasing the lock", err);
    st->lock_pid = 0;
    return KR_OK;
}

int kr_state_force_unlock(struct kr_state *st, struct kr_error *err)
{
    int rc = kr_state_exec(st, "DELETE FROM lock", err);
    if (rc == KR_OK)
        st->lock_pid = 0;
    return rc;
}

int kr_state_lock_holder(struct kr_state *st, struct kr_state_lockinfo *info,
                         struct kr_error *err)
{
    return read_holder(st, info, err);
}
