/*
 * state.c - the state database (see state.h for the contract and
 * state-schema.c for the on-disk schema): opening and configuring SQLite,
 * runs, the job journal, output provenance and reading the history back.
 * The lock lives in state-lock.c, the bridge to the planner in state-dag.c.
 *
 * Write paths that run once per job (journal, provenance) use statements
 * prepared once per handle and kept in a small cache keyed by the address of
 * their SQL text; iterators that call back into user code prepare their own
 * statements, so a callback may use the handle freely.
 */
#include "state-int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STMT_CACHE 24

/* The cache of prepared statements, per handle. */
struct stmt_slot {
    const char *sql;
    sqlite3_stmt *s;
};

struct kr_state_priv {
    struct kr_state pub;
    struct stmt_slot cache[STMT_CACHE];
    struct kr_buf scratch;          /* decoded fingerprint strings */
    struct kr_prov_input *inputs;   /* decoded fingerprints */
    uint32_t inputs_cap;
};

static struct kr_state_priv *priv(struct kr_state *st)
{
    return (struct kr_state_priv *)st;
}

double kr_state_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int kr_state_dberr(struct kr_state *st, const char *what, struct kr_error *err)
{
    int code = st->db ? sqlite3_errcode(st->db) & 0xff : SQLITE_CANTOPEN;
    return kr_error_set(err, KR_ESTATE, "state database %s: %s: %s%s", st->path, what,
                        st->db ? sqlite3_errmsg(st->db) : "cannot open",
                        code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? KR_STATE_DAMAGED_HINT
                                                                         : "");
}

int kr_state_exec(struct kr_state *st, const char *sql, struct kr_error *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return KR_OK;
    return kr_state_dberr(st, sql, err);
}

void kr_state_rollback(struct kr_state *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* A cached, reset statement for `sql` (a string literal: keyed by address). */
static int stmt(struct kr_state *st, const char *sql, sqlite3_stmt **out, struct kr_error *err)
{
    struct kr_state_priv *p = priv(st);
    size_t i;
    for (i = 0; i < STMT_CACHE && p->cache[i].sql; i++) {
        if (p->cache[i].sql == sql) {
            sqlite3_reset(p->cache[i].s);
            sqlite3_clear_bindings(p->cache[i].s);
            *out = p->cache[i].s;
            return KR_OK;
        }
    }
    if (i == STMT_CACHE)
        return kr_error_set(err, KR_ESTATE, "state database: statement cache full");
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
        return kr_state_dberr(st, "preparing a statement", err);
    p->cache[i].sql = sql;
    p->cache[i].s = *out;
    return KR_OK;
}

/* Step a statement that returns no rows; reset it. */
static int step_done(struct kr_state *st, sqlite3_stmt *s, const char *what,
                     struct kr_error *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return KR_OK;
    return kr_state_dberr(st, what, err);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

/* Column text or NULL when SQL NULL. */
static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* ---- opening ------------------------------------------------------------- */

int kr_state_schema_version(void)
{
    return KR_STATE_SCHEMA_VERSION;
}

const char *kr_state_dir(const struct kr_state *st)
{
    return st->dir;
}

bool kr_state_full(const struct kr_state *st)
{
    return st->db && (sqlite3_errcode(st->db) & 0xff) == SQLITE_FULL;
}

/* PRAGMA journal_mode=WAL may report SQLITE_BUSY while another process
 * creates or converts the database; retry for a while. */
static int set_wal(struct kr_state *st, struct kr_error *err)
{
    int tries, rc = SQLITE_BUSY;
    sqlite3_stmt *s = NULL;
    const char *mode;
    for (tries = 0; tries < 500; tries++) {
        rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=WAL", -1, &s, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            mode = col_text(s, 0);
            if (mode && !strcmp(mode, "wal")) {
                sqlite3_finalize(s);
                return KR_OK;
            }
            sqlite3_finalize(s);
            return kr_error_set(err, KR_ESTATE, "state database %s: cannot use WAL mode",
                                st->path);
        }
        sqlite3_finalize(s);
        s = NULL;
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            break;
        usleep(10000);
    }
    return kr_state_dberr(st, "setting WAL mode", err);
}

static int open_state(const char *workdir, bool create, int ro, struct kr_state **out,
                      struct kr_error *err);

int kr_state_open(const char *workdir, bool create, struct kr_state **out,
                  struct kr_error *err)
{
    return open_state(workdir, create, 0, out, err);
}

int kr_state_open_readonly(const char *workdir, bool immutable, struct kr_state **out,
                           struct kr_error *err)
{
    return open_state(workdir, false, immutable ? 2 : 1, out, err);
}

/* ro: 0 read-write, 1 read-only, 2 read-only and immutable (no locking at
 * all: for a database on a read-only file system or in a read-only
 * directory whose WAL index cannot be created). */
static int open_state(const char *workdir, bool create, int ro, struct kr_state **out,
                      struct kr_error *err)
{
    struct kr_state_priv *p;
    struct kr_state *st;
    char base[PATH_MAX];
    struct stat sb;
    int rc = KR_OK, flags;

    *out = NULL;
    if (!workdir || !*workdir)
        workdir = ".";
    if (!realpath(workdir, base)) {
        if (errno == ENOENT && !create)
            return KR_NOT_FOUND;
        return kr_error_set(err, KR_EIO, "workflow directory %s: %s", workdir, strerror(errno));
    }
    p = kr_calloc(1, sizeof *p);
    st = &p->pub;
    st->dir = kr_asprintf("%s%s.krait", base, strcmp(base, "/") ? "/" : "");
    st->path = kr_asprintf("%s/state.db", st->dir);
    if (gethostname(st->host, sizeof st->host - 1) != 0)
        strcpy(st->host, "localhost");

    if (stat(st->path, &sb) != 0) {
        if (errno != ENOENT) {
            rc = kr_error_set(err, KR_EIO, "%s: %s", st->path, strerror(errno));
            goto out;
        }
        if (!create) {
            rc = KR_NOT_FOUND;
            goto out;
        }
        if (mkdir(st->dir, 0777) != 0 && errno != EEXIST) {
            rc = kr_error_set(err, KR_EIO, "cannot create %s: %s", st->dir, strerror(errno));
            goto out;
        }
    }
    if (ro) {
        char *uri = sqlite3_mprintf("file:%s?mode=ro%s", st->path, ro == 2 ? "&immutable=1" : "");
        flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
        rc = sqlite3_open_v2(uri, &st->db, flags, NULL);
        sqlite3_free(uri);
        if (rc != SQLITE_OK) {
            rc = kr_state_dberr(st, "opening read-only", err);
            goto out;
        }
        sqlite3_busy_timeout(st->db, 30000);
        rc = kr_state_ro_check(st, err);
        goto out;
    }
    flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(st->path, &st->db, flags, NULL) != SQLITE_OK) {
        rc = kr_state_dberr(st, "opening", err);
        goto out;
    }
    sqlite3_busy_timeout(st->db, 30000);
    rc = set_wal(st, err);
    if (rc)
        goto out;
    rc = kr_state_exec(st, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                      " PRAGMA mmap_size=268435456; PRAGMA cache_size=-16384", err);
    if (rc)
        goto out;
    rc = kr_state_schema_migrate(st->db, KR_STATE_SCHEMA_VERSION, err);
    if (rc) {
        int code = sqlite3_errcode(st->db) & 0xff;
        kr_error_prefix(err, "%s", st->path);
        if ((code == SQLITE_CORRUPT || code == SQLITE_NOTADB) && err &&
            !strstr(err->msg, "krait state"))
            snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg), "%s",
                     KR_STATE_DAMAGED_HINT);
    }
out:
    if (rc) {
        kr_state_close(st);
        return rc;
    }
    *out = st;
    return KR_OK;
}

void kr_state_close(struct kr_state *st)
{
    struct kr_state_priv *p;
    size_t i;
    if (!st)
        return;
    p = priv(st);
    if (st->db && st->lock_pid == getpid())
        kr_state_unlock(st, NULL);
    for (i = 0; i < STMT_CACHE && p->cache[i].sql; i++)
        sqlite3_finalize(p->cache[i].s);
    if (st->db)
        sqlite3_close_v2(st->db);
    kr_buf_free(&p->scratch);
    kr_free(p->inputs);
    kr_free(st->dir);
    kr_free(st->path);
    kr_free(p);
}

/* ---- runs ---------------------------------------------------------------------- */

const char *kr_state_run_status_name(int status)
{
    static const char *const names[] = {"running", "ok", "failed", "interrupted", "error"};
    if (status < 0 || status >= (int)KR_ARRAY_LEN(names))
        return "?";
    return names[status];
}

static const char SQL_RUN_BEGIN[] =
    "INSERT INTO runs(start, argv, pid, host, status) VALUES(?, ?, ?, ?, 0)";

int kr_state_run_begin(struct kr_state *st, const char *argv_summary, int64_t *run_id,
                       struct kr_error *err)
{
    sqlite3_stmt *s;
    int rc = stmt(st, SQL_RUN_BEGIN, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_double(s, 1, kr_state_now());
    sqlite3_bind_text(s, 2, argv_summary ? argv_summary : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, getpid());
    sqlite3_bind_text(s, 4, st->host, -1, SQLITE_TRANSIENT);
    rc = step_done(st, s, "recording a run", err);
    if (rc)
        return rc;
    *run_id = sqlite3_last_insert_rowid(st->db);
    return KR_OK;
}

static const char SQL_RUN_END[] =
    "UPDATE runs SET end = ?, status = ?, njobs_done = ?, njobs_failed = ? WHERE id = ?";

int kr_state_run_end(struct kr_state *st, int64_t run_id, int status,
                     int njobs_done, int njobs_failed, struct kr_error *err)
{
    sqlite3_stmt *s;
    int rc = stmt(st, SQL_RUN_END, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_double(s, 1, kr_state_now());
    sqlite3_bind_int(s, 2, status);
    sqlite3_bind_int(s, 3, njobs_done);
    sqlite3_bind_int(s, 4, njobs_failed);
    sqlite3_bind_int64(s, 5, run_id);
    rc = step_done(st, s, "ending a run", err);
    if (rc)
        return rc;
    if (sqlite3_changes(st->db) == 0)
        return kr_error_set(err, KR_NOT_FOUND, "no run %lld", (long long)run_id);
    return KR_OK;
}

/* ---- the job journal ------------------------------------------------------------------ */

const char *kr_state_attempt_name(int state)
{
    static const char *const names[] = {"submitted", "running", "done", "failed",
                                        "cancelled", "abandoned"};
    if (state < 0 || state >= (int)KR_ARRAY_LEN(names))
        return "?";
    return names[state];
}

static const char SQL_ATT_INSERT[] =
    "INSERT INTO attempts(run_id, job_id, rule, name, wildcards, attempt, executor, host,"
    " state, start, log_path, reason) VALUES(?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)";
static const char SQL_ATT_OUTPUT[] =
    "INSERT INTO attempt_outputs(attempt_id, idx, path) VALUES(?, ?, ?)";
static const char SQL_MARK_INCOMPLETE[] =
    "INSERT INTO outputs(path, incomplete, attempt_id) VALUES(?, 1, ?)"
    " ON CONFLICT(path) DO UPDATE SET incomplete = 1, attempt_id = excluded.attempt_id";
static const char SQL_TRANSITION[] =
    "INSERT INTO transitions(attempt_id, state, t) VALUES(?, ?, ?)";

static int add_transition(struct kr_state *st, int64_t attempt_id, int state, double t,
                          struct kr_error *err)
{
    sqlite3_stmt *s;
    int rc = stmt(st, SQL_TRANSITION, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, attempt_id);
    sqlite3_bind_int(s, 2, state);
    sqlite3_bind_double(s, 3, t);
    return step_done(st, s, "recording a transition", err);
}

/* "k=v,k=v" of a job's wildcards, or NULL when there are none. */
static char *format_wildcards(const struct kr_wildcards *wc)
{
    struct kr_buf b = KR_BUF_INIT;
    uint32_t i;
    if (!wc || wc->n == 0)
        return NULL;
    for (i = 0; i < wc->n; i++)
        kr_buf_printf(&b, "%s%s=%s", i ? "," : "", wc->names[i], wc->values[i]);
    return kr_buf_steal(&b);
}

int kr_state_job_begin(struct kr_state *st, int64_t run_id, const struct kr_state_job *j,
                       int64_t *attempt_id, struct kr_error *err)
{
    sqlite3_stmt *s;
    char *wc = format_wildcards(j->wc);
    double start = j->start > 0 ? j->start : kr_state_now();
    int64_t id = 0;
    uint32_t i;
    int rc;

    rc = kr_state_exec(st, "BEGIN IMMEDIATE", err);
    if (rc)
        goto out;
    rc = stmt(st, SQL_ATT_INSERT, &s, err);
    if (rc)
        goto out;
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_int64(s, 2, j->job_id);
    sqlite3_bind_text(s, 3, j->rule ? j->rule : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, j->name ? j->name : (j->rule ? j->rule : ""), -1, SQLITE_TRANSIENT);
    bind_text(s, 5, wc);
    sqlite3_bind_int(s, 6, j->attempt > 0 ? j->attempt : 1);
    sqlite3_bind_text(s, 7, j->executor ? j->executor : "local", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 8, j->host ? j->host : st->host, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 9, start);
    bind_text(s, 10, j->log_path);
    bind_text(s, 11, j->reason);
    rc = step_done(st, s, "journaling a job", err);
    if (rc)
        goto out;
    id = sqlite3_last_insert_rowid(st->db);
    for (i = 0; i < j->noutputs; i++) {
        rc = stmt(st, SQL_ATT_OUTPUT, &s, err);
        if (rc)
            goto out;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, (int)i);
        sqlite3_bind_text(s, 3, j->outputs[i], -1, SQLITE_STATIC);
        rc = step_done(st, s, "journaling a job's outputs", err);
        if (rc)
            goto out;
        rc = stmt(st, SQL_MARK_INCOMPLETE, &s, err);
        if (rc)
            goto out;
        sqlite3_bind_text(s, 1, j->outputs[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, id);
        rc = step_done(st, s, "marking an output incomplete", err);
        if (rc)
            goto out;
    }
    rc = add_transition(st, id, KR_ATTEMPT_SUBMITTED, start, err);
    if (rc)
        goto out;
    rc = kr_state_exec(st, "COMMIT", err);
out:
    kr_free(wc);
    if (rc) {
        kr_state_rollback(st);
        return rc;
    }
    *attempt_id = id;
    return KR_OK;
}

static const char SQL_SET_EXTID[] =
    "UPDATE attempts SET ext_id = ?, pid = ?, pgid = ?, proc_start = ? WHERE id = ?";

int kr_state_job_set_extid(struct kr_state *st, int64_t attempt_id, const char *ext_id,
                           struct kr_error *err)
{
    return kr_state_job_set_spawned(st, attempt_id, ext_id, NULL, err);
}

int kr_state_job_set_spawned(struct kr_state *st, int64_t attempt_id, const char *ext_id,
                             const struct kr_state_proc *p, struct kr_error *err)
{
    sqlite3_stmt *s;
    int rc = stmt(st, SQL_SET_EXTID, &s, err);
    if (rc)
        return rc;
    bind_text(s, 1, ext_id);
    if (p && p->pid > 0) {
        sqlite3_bind_int64(s, 2, p->pid);
        sqlite3_bind_int64(s, 3, p->pgid);
        sqlite3_bind_int64(s, 4, p->start);
    } else {
        sqlite3_bind_null(s, 2);
        sqlite3_bind_null(s, 3);
        sqlite3_bind_null(s, 4);
    }
    sqlite3_bind_int64(s, 5, attempt_id);
    rc = step_done(st, s, "recording an external job id", err);
    if (rc)
        return rc;
    if (sqlite3_changes(st->db) == 0)
        return kr_error_set(err, KR_NOT_FOUND, "no job attempt %lld", (long long)attempt_id);
    return KR_OK;
}

static const char SQL_SET_STATE[] = "UPDATE attempts SET state = ? WHERE id = ?";

int kr_state_job_transition(struct kr_state *st, int64_t attempt_id, int state, double t,
                            struct kr_error *err)
{
    sqlite3_stmt *s;
    int rc;
    if (state != KR_ATTEMPT_SUBMITTED && state != KR_ATTEMPT_RUNNING)
        return kr_error_set(err, KR_EUSAGE, "kr_state_job_transition: %s is a final state "
                            "(use kr_state_job_end)", kr_state_attempt_name(state));
    rc = kr_state_exec(st, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    rc = stmt(st, SQL_SET_STATE, &s, err);
    if (rc)
        goto out;
    sqlite3_bind_int(s, 1, state);
    sqlite3_bind_int64(s, 2, attempt_id);
    rc = step_done(st, s, "updating a job's state", err);
    if (rc)
        goto out;
    if (sqlite3_changes(st->db) == 0) {
        rc = kr_error_set(err, KR_NOT_FOUND, "no job attempt %lld", (long long)attempt_id);
        goto out;
    }
    rc = add_transition(st, attempt_id, state, t > 0 ? t : kr_state_now(), err);
    if (rc)
        goto out;
    rc = kr_state_exec(st, "COMMIT", err);
out:
    if (rc)
        kr_state_rollback(st);
    return rc;
}

/* ---- input fingerprints: the compact BLOB of outputs.inputs ------------------------------ */

static void put_varint(struct kr_buf *b, uint64_t v)
{
    char c;
    while (v >= 0x80) {
        c = (char)((v & 0x7f) | 0x80);
        kr_buf_append(b, &c, 1);
        v >>= 7;
    }
    c = (char)v;
    kr_buf_append(b, &c, 1);
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void encode_inputs(struct kr_buf *b, const struct kr_prov *p)
{
    uint32_t i;
    size_t n;
    kr_buf_reset(b);
    kr_buf_putc(b, 1);      /* format */
    put_varint(b, p->ninputs);
    for (i = 0; i < p->ninputs; i++) {
        const struct kr_prov_input *in = &p->inputs[i];
        n = strlen(in->path);
        put_varint(b, n);
        kr_buf_append(b, in->path, n);
        put_varint(b, zigzag(in->mtime_ns));
        put_varint(b, zigzag(in->size));
        n = in->checksum ? strlen(in->checksum) : 0;
        put_varint(b, n);
        kr_buf_append(b, in->checksum ? in->checksum : "", n);
    }
}

static bool get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    uint64_t r = 0;
    int shift = 0;
    while (*p < end && shift < 64) {
        unsigned char c = *(*p)++;
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return true;
        }
        shift += 7;
    }
    return false;
}

/* Decode a fingerprint BLOB into p->inputs and p->scratch; sets prov->inputs.
 * While decoding, string fields hold offsets into scratch (checksums offset+1,
 * so that 0 still means "no checksum"). False when the BLOB is malformed. */
static bool decode_inputs(struct kr_state_priv *p, const void *blob, int len,
                          struct kr_prov *prov)
{
    const unsigned char *c = blob, *end = c + len;
    uint64_t n, l, v;
    uint32_t i;

    prov->inputs = NULL;
    prov->ninputs = 0;
    if (len == 0 || !blob)
        return true;
    if (*c++ != 1 || !get_varint(&c, end, &n) || n > (uint64_t)len)
        return false;
    if (n > p->inputs_cap) {
        p->inputs_cap = (uint32_t)n + 16;
        p->inputs = kr_realloc(p->inputs, p->inputs_cap * sizeof *p->inputs);
    }
    kr_buf_reset(&p->scratch);
    for (i = 0; i < n; i++) {
        struct kr_prov_input *in = &p->inputs[i];
        if (!get_varint(&c, end, &l) || l > (uint64_t)(end - c))
            return false;
        in->path = (const char *)(uintptr_t)p->scratch.len;
        kr_buf_append(&p->scratch, (const char *)c, l);
        kr_buf_putc(&p->scratch, 0);
        c += l;
        if (!get_varint(&c, end, &v))
            return false;
        in->mtime_ns = unzigzag(v);
        if (!get_varint(&c, end, &v))
            return false;
        in->size = unzigzag(v);
        if (!get_varint(&c, end, &l) || l > (uint64_t)(end - c))
            return false;
        if (l == 0) {
            in->checksum = NULL;
        } else {
            in->checksum = (const char *)(uintptr_t)(p->scratch.len + 1);  /* +1: not NULL */
            kr_buf_append(&p->scratch, (const char *)c, l);
            kr_buf_putc(&p->scratch, 0);
            c += l;
        }
    }
    if (c != end)
        return false;
    /* scratch may have moved while growing: turn offsets into pointers now */
    for (i = 0; i < n; i++) {
        struct kr_prov_input *in = &p->inputs[i];
        in->path = p->scratch.data + (uintptr_t)in->path;
        if (in->checksum)
            in->checksum = p->scratch.data + ((uintptr_t)in->checksum - 1);
    }
    prov->inputs = p->inputs;
    prov->ninputs = (uint32_t)n;
    return true;
}

/* ---- ending an attempt ------------------------------------------------------------------ */

static const char SQL_ATT_END[] =
    "UPDATE attempts SET state = ?, exit_code = ?, end = ?, detail = ?, cpu_s = ?6,"
    " max_rss_kb = ?7, io_in = ?8, io_out = ?9 WHERE id = ?5";
static const char SQL_ATT_END_UNFINISHED[] =
    "UPDATE attempts SET state = ?, exit_code = ?, end = ?, detail = ?, cpu_s = ?6,"
    " max_rss_kb = ?7, io_in = ?8, io_out = ?9 WHERE id = ?5 AND state <= 1";
static const char SQL_ATT_OUTPUTS[] =
    "SELECT path FROM attempt_outputs WHERE attempt_id = ? ORDER BY idx";
static const char SQL_SET_PROV[] =
    "INSERT INTO outputs(path, rule, code_hash, params_hash, inputs_hash, container,"
    " incomplete, attempt_id, inputs) VALUES(?, ?, ?, ?, ?, ?, 0, ?, ?)"
    " ON CONFLICT(path) DO UPDATE SET rule = excluded.rule, code_hash = excluded.code_hash,"
    " params_hash = excluded.params_hash, inputs_hash = excluded.inputs_hash,"
    " container = excluded.container, incomplete = 0, attempt_id = excluded.attempt_id,"
    " inputs = excluded.inputs";

static int record_prov(struct kr_state *st, int64_t attempt_id, const struct kr_prov *prov,
                       uint32_t nprov, struct kr_error *err)
{
    struct kr_vec paths = KR_VEC_INIT;
    struct kr_buf blob = KR_BUF_INIT;
    sqlite3_stmt *s;
    const struct kr_prov *pv;
    size_t i;
    int rc, r;

    rc = stmt(st, SQL_ATT_OUTPUTS, &s, err);
    if (rc)
        goto out;
    sqlite3_bind_int64(s, 1, attempt_id);
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        kr_vec_push(&paths, kr_strdup(col_text(s, 0)));
    sqlite3_reset(s);
    if (r != SQLITE_DONE) {
        rc = kr_state_dberr(st, "reading a job's outputs", err);
        goto out;
    }
    if (paths.len > 0 && (!prov || (nprov != 1 && nprov != paths.len))) {
        rc = kr_error_set(err, KR_EUSAGE, "kr_state_job_end: %u provenance records for %zu "
                          "outputs", nprov, paths.len);
        goto out;
    }
    for (i = 0; i < paths.len; i++) {
        pv = nprov == 1 ? &prov[0] : &prov[i];
        rc = stmt(st, SQL_SET_PROV, &s, err);
        if (rc)
            goto out;
        encode_inputs(&blob, pv);
        sqlite3_bind_text(s, 1, paths.items[i], -1, SQLITE_STATIC);
        bind_text(s, 2, pv->rule);
        sqlite3_bind_int64(s, 3, (int64_t)pv->code_hash);
        sqlite3_bind_int64(s, 4, (int64_t)pv->params_hash);
        sqlite3_bind_int64(s, 5, (int64_t)pv->inputs_hash);
        bind_text(s, 6, pv->container);
        sqlite3_bind_int64(s, 7, attempt_id);
        sqlite3_bind_blob(s, 8, blob.data, (int)blob.len, SQLITE_STATIC);
        rc = step_done(st, s, "recording provenance", err);
        if (rc)
            goto out;
    }
out:
    for (i = 0; i < paths.len; i++)
        kr_free(paths.items[i]);
    kr_vec_free(&paths);
    kr_buf_free(&blob);
    return rc;
}

static int end_attempt(struct kr_state *st, int64_t attempt_id,
                       const struct kr_state_job_result *res, const struct kr_prov *prov,
                       uint32_t nprov, bool only_unfinished, struct kr_error *err)
{
    sqlite3_stmt *s;
    double end = res->end > 0 ? res->end : kr_state_now();
    int rc;

    if (res->state < KR_ATTEMPT_DONE || res->state > KR_ATTEMPT_ABANDONED)
        return kr_error_set(err, KR_EUSAGE, "kr_state_job_end: %s is not a final state",
                            kr_state_attempt_name(res->state));
    rc = kr_state_exec(st, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    rc = stmt(st, only_unfinished ? SQL_ATT_END_UNFINISHED : SQL_ATT_END, &s, err);
    if (rc)
        goto out;
    sqlite3_bind_int(s, 1, res->state);
    if (res->exit_code >= 0)
        sqlite3_bind_int(s, 2, res->exit_code);
    sqlite3_bind_double(s, 3, end);
    bind_text(s, 4, res->detail);
    sqlite3_bind_int64(s, 5, attempt_id);
    if (res->cpu_s >= 0)
        sqlite3_bind_double(s, 6, res->cpu_s);
    if (res->max_rss_kb >= 0)
        sqlite3_bind_int64(s, 7, res->max_rss_kb);
    if (res->io_in >= 0)
        sqlite3_bind_int64(s, 8, res->io_in);
    if (res->io_out >= 0)
        sqlite3_bind_int64(s, 9, res->io_out);
    rc = step_done(st, s, "ending a job", err);
    if (rc)
        goto out;
    if (sqlite3_changes(st->db) == 0) {
        rc = kr_error_set(err, KR_NOT_FOUND, "no %sjob attempt %lld",
                          only_unfinished ? "unfinished " : "", (long long)attempt_id);
        goto out;
    }
    rc = add_transition(st, attempt_id, res->state, end, err);
    if (rc)
        goto out;
    if (res->state == KR_ATTEMPT_DONE) {
        rc = record_prov(st, attempt_id, prov, nprov, err);
        if (rc)
            goto out;
    }
    rc = kr_state_exec(st, "COMMIT", err);
out:
    if (rc)
        kr_state_rollback(st);
    return rc;
}

int kr_state_job_end(struct kr_state *st, int64_t attempt_id,
                     const struct kr_state_job_result *res,
                     const struct kr_prov *prov, uint32_t nprov, struct kr_error *err)
{
    return end_attempt(st, attempt_id, res, prov, nprov, false, err);
}

int kr_state_mark_abandoned(struct kr_state *st, int64_t attempt_id, struct kr_error *err)
{
    struct kr_state_job_result res = {KR_ATTEMPT_ABANDONED, -1, 0, "abandoned after krait died",
                                      -1, -1, -1, -1};
    return end_attempt(st, attempt_id, &res, NULL, 0, true, err);
}

/* ---- reading attempts back ------------------------------------------------------------------ */

#define ATTEMPT_COLS \
    "id, run_id, job_id, rule, name, wildcards, executor, host, ext_id, log_path, detail," \
    " attempt, state, exit_code, start, end, pid, pgid, proc_start, cpu_s, max_rss_kb," \
    " io_in, io_out, (SELECT min(t) FROM transitions WHERE attempt_id = attempts.id" \
    " AND state = 1), reason"

/* Fill *a from a row of ATTEMPT_COLS; outputs from `outs` (strings valid until the
 * next step of `s`; the output list lives in *paths, which the caller frees). */
static int read_attempt(struct kr_state *st, sqlite3_stmt *s, sqlite3_stmt *outs,
                        struct kr_arena *arena, struct kr_vec *paths,
                        struct kr_state_attempt *a, struct kr_error *err)
{
    int r;
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    a->run_id = sqlite3_column_int64(s, 1);
    a->job_id = (uint32_t)sqlite3_column_int64(s, 2);
    a->rule = col_text(s, 3);
    a->name = col_text(s, 4);
    a->wildcards = col_text(s, 5);
    a->executor = col_text(s, 6);
    a->host = col_text(s, 7);
    a->ext_id = col_text(s, 8);
    a->log_path = col_text(s, 9);
    a->detail = col_text(s, 10);
    a->attempt = sqlite3_column_int(s, 11);
    a->state = sqlite3_column_int(s, 12);
    a->exit_code = sqlite3_column_type(s, 13) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 13);
    a->start = sqlite3_column_double(s, 14);
    a->end = sqlite3_column_double(s, 15);
    a->proc.pid = (long)sqlite3_column_int64(s, 16);
    a->proc.pgid = (long)sqlite3_column_int64(s, 17);
    a->proc.start = sqlite3_column_int64(s, 18);
    a->cpu_s = sqlite3_column_type(s, 19) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 19);
    a->max_rss_kb = sqlite3_column_type(s, 20) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 20);
    a->io_in = sqlite3_column_type(s, 21) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 21);
    a->io_out = sqlite3_column_type(s, 22) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 22);
    a->running = sqlite3_column_double(s, 23);
    a->reason = col_text(s, 24);
    paths->len = 0;
    sqlite3_reset(outs);
    sqlite3_bind_int64(outs, 1, a->id);
    while ((r = sqlite3_step(outs)) == SQLITE_ROW)
        kr_vec_push(paths, kr_arena_strdup(arena, col_text(outs, 0)));
    sqlite3_reset(outs);
    if (r != SQLITE_DONE)
        return kr_state_dberr(st, "reading a job's outputs", err);
    a->outputs = (const char *const *)paths->items;
    a->noutputs = (uint32_t)paths->len;
    return KR_OK;
}

/* Call fn for every attempt `sql` selects (bound: ?1 = key when key >= 0). */
static int each_attempt(struct kr_state *st, const char *sql, int64_t key, bool collect_first,
                        kr_state_attempt_fn fn, void *ctx, struct kr_error *err)
{
    sqlite3_stmt *s = NULL, *outs = NULL;
    struct kr_arena arena;
    struct kr_vec paths = KR_VEC_INIT;
    struct kr_vec ids = KR_VEC_INIT;
    struct kr_state_attempt a;
    int rc = KR_OK, r;
    size_t i;

    kr_arena_init(&arena);
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, SQL_ATT_OUTPUTS, -1, &outs, NULL) != SQLITE_OK) {
        rc = kr_state_dberr(st, "reading the journal", err);
        goto out;
    }
    if (key >= 0)
        sqlite3_bind_int64(s, 1, key);
    if (collect_first) {
        /* the callback may write to the journal: read the ids first */
        while ((r = sqlite3_step(s)) == SQLITE_ROW)
            kr_vec_push(&ids, (void *)(intptr_t)sqlite3_column_int64(s, 0));
        if (r != SQLITE_DONE) {
            rc = kr_state_dberr(st, "reading the journal", err);
            goto out;
        }
        sqlite3_finalize(s);
        s = NULL;
        if (sqlite3_prepare_v2(st->db, "SELECT " ATTEMPT_COLS " FROM attempts WHERE id = ?",
                               -1, &s, NULL) != SQLITE_OK) {
            rc = kr_state_dberr(st, "reading the journal", err);
            goto out;
        }
        for (i = 0; i < ids.len; i++) {
            sqlite3_reset(s);
            sqlite3_bind_int64(s, 1, (int64_t)(intptr_t)ids.items[i]);
            if (sqlite3_step(s) != SQLITE_ROW)
                continue;
            rc = read_attempt(st, s, outs, &arena, &paths, &a, err);
            if (rc)
                goto out;
            rc = fn(ctx, &a);
            if (rc)
                goto out;
        }
        goto out;
    }
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        rc = read_attempt(st, s, outs, &arena, &paths, &a, err);
        if (rc)
            goto out;
        rc = fn(ctx, &a);
        if (rc)
            goto out;
    }
    if (r != SQLITE_DONE)
        rc = kr_state_dberr(st, "reading the journal", err);
out:
    sqlite3_finalize(s);
    sqlite3_finalize(outs);
    kr_vec_free(&paths);
    kr_vec_free(&ids);
    kr_arena_free(&arena);
    return rc;
}

int kr_state_unfinished(struct kr_state *st, kr_state_attempt_fn fn, void *ctx,
                        struct kr_error *err)
{
    return each_attempt(st, "SELECT id FROM attempts WHERE state <= 1 ORDER BY id", -1, true,
                        fn, ctx, err);
}

int kr_state_run_attempts(struct kr_state *st, int64_t run_id, kr_state_attempt_fn fn,
                          void *ctx, struct kr_error *err)
{
    return each_attempt(st, "SELECT " ATTEMPT_COLS " FROM attempts WHERE run_id = ?1"
                        " ORDER BY id", run_id, false, fn, ctx, err);
}

int kr_state_attempt_transitions(struct kr_state *st, int64_t attempt_id,
                                 kr_state_transition_fn fn, void *ctx, struct kr_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = KR_OK, r;
    if (sqlite3_prepare_v2(st->db, "SELECT state, t FROM transitions WHERE attempt_id = ?"
                           " ORDER BY id", -1, &s, NULL) != SQLITE_OK)
        return kr_state_dberr(st, "reading transitions", err);
    sqlite3_bind_int64(s, 1, attempt_id);
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        rc = fn(ctx, sqlite3_column_int(s, 0), sqlite3_column_double(s, 1));
        if (rc)
            break;
    }
    if (!rc && r != SQLITE_DONE)
        rc = kr_state_dberr(st, "reading transitions", err);
    sqlite3_finalize(s);
    return rc;
}

/* ---- provenance ------------------------------------------------------------------------------ */

int kr_state_scan_provenance(struct kr_state *st, kr_state_prov_fn fn, void *ctx,
                             struct kr_error *err)
{
    struct kr_state_priv *p = priv(st);
    sqlite3_stmt *s = NULL;
    struct kr_prov prov;
    const char *path;
    int rc = KR_OK, r;

    if (sqlite3_prepare_v2(st->db, "SELECT path, rule, code_hash, params_hash, inputs_hash,"
                           " container, incomplete, inputs FROM outputs", -1, &s,
                           NULL) != SQLITE_OK)
        return kr_state_dberr(st, "reading provenance", err);
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        path = col_text(s, 0);
        memset(&prov, 0, sizeof prov);
        prov.rule = col_text(s, 1);
        prov.code_hash = (uint64_t)sqlite3_column_int64(s, 2);
        prov.params_hash = (uint64_t)sqlite3_column_int64(s, 3);
        prov.inputs_hash = (uint64_t)sqlite3_column_int64(s, 4);
        prov.container = col_text(s, 5);
        prov.incomplete = sqlite3_column_int(s, 6) != 0;
        if (!decode_inputs(p, sqlite3_column_blob(s, 7), sqlite3_column_bytes(s, 7), &prov)) {
            rc = kr_error_set(err, KR_ESTATE, "state database %s: corrupt input fingerprints "
                              "of %s", st->path, path);
            break;
        }
        rc = fn(ctx, path, &prov);
        if (rc)
            break;
    }
    if (!rc && r != SQLITE_DONE)
        rc = kr_state_dberr(st, "reading provenance", err);
    sqlite3_finalize(s);
    /* the decoding buffers grew to the largest row (a gather's 100k inputs:
     * ~11 MB); release them rather than keep them for the whole run */
    kr_buf_free(&p->scratch);
    kr_free(p->inputs);
    p->inputs = NULL;
    p->inputs_cap = 0;
    return rc;
}

static const char SQL_OUTPUT_GET[] =
    "SELECT o.rule, o.code_hash, o.params_hash, o.inputs_hash, o.container, o.incomplete,"
    " o.attempt_id, a.start, a.end, a.exit_code, a.executor, a.host, a.ext_id, a.log_path"
    " FROM outputs o LEFT JOIN attempts a ON a.id = o.attempt_id WHERE o.path = ?";

static const char *arena_col(struct kr_arena *arena, sqlite3_stmt *s, int i)
{
    const char *t = col_text(s, i);
    return t ? kr_arena_strdup(arena, t) : NULL;
}

int kr_state_output_get(struct kr_state *st, const char *path, struct kr_arena *arena,
                        struct kr_state_output *out, struct kr_error *err)
{
    sqlite3_stmt *s;
    int rc = stmt(st, SQL_OUTPUT_GET, &s, err), r;
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    r = sqlite3_step(s);
    if (r == SQLITE_DONE) {
        sqlite3_reset(s);
        return KR_NOT_FOUND;
    }
    if (r != SQLITE_ROW) {
        rc = kr_state_dberr(st, "reading provenance", err);
        sqlite3_reset(s);
        return rc;
    }
    memset(out, 0, sizeof *out);
    out->prov.rule = arena_col(arena, s, 0);
    out->prov.code_hash = (uint64_t)sqlite3_column_int64(s, 1);
    out->prov.params_hash = (uint64_t)sqlite3_column_int64(s, 2);
    out->prov.inputs_hash = (uint64_t)sqlite3_column_int64(s, 3);
    out->prov.container = arena_col(arena, s, 4);
    out->prov.incomplete = sqlite3_column_int(s, 5) != 0;
    out->attempt_id = sqlite3_column_int64(s, 6);
    out->start = sqlite3_column_double(s, 7);
    out->end = sqlite3_column_double(s, 8);
    out->exit_code = sqlite3_column_type(s, 9) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 9);
    out->executor = arena_col(arena, s, 10);
    out->host = arena_col(arena, s, 11);
    out->ext_id = arena_col(arena, s, 12);
    out->log_path = arena_col(arena, s, 13);
    sqlite3_reset(s);
    return KR_OK;
}

static const char SQL_FORGET[] = "DELETE FROM outputs WHERE path = ?";

int kr_state_forget(struct kr_state *st, const char *path, struct kr_error *err)
{
    sqlite3_stmt *s;
    int rc = stmt(st, SQL_FORGET, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    rc = step_done(st, s, "forgetting an output", err);
    if (rc)
        return rc;
    return sqlite3_changes(st->db) ? KR_OK : KR_NOT_FOUND;
}

/* ---- runs, read back ------------------------------------------------------------------------- */

static int each_run(struct kr_state *st, const char *sql, int64_t key, kr_state_run_fn fn,
                    void *ctx, int *nseen, struct kr_error *err)
{
    sqlite3_stmt *s = NULL;
    struct kr_state_run run;
    int rc = KR_OK, r;
    *nseen = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return kr_state_dberr(st, "reading runs", err);
    sqlite3_bind_int64(s, 1, key);
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        run.id = sqlite3_column_int64(s, 0);
        run.start = sqlite3_column_double(s, 1);
        run.end = sqlite3_column_double(s, 2);
        run.status = sqlite3_column_int(s, 3);
        run.njobs_done = sqlite3_column_int(s, 4);
        run.njobs_failed = sqlite3_column_int(s, 5);
        run.argv = col_text(s, 6);
        run.pid = (pid_t)sqlite3_column_int64(s, 7);
        run.host = col_text(s, 8);
        (*nseen)++;
        rc = fn(ctx, &run);
        if (rc)
            break;
    }
    if (!rc && r != SQLITE_DONE)
        rc = kr_state_dberr(st, "reading runs", err);
    sqlite3_finalize(s);
    return rc;
}

#define RUN_COLS "id, start, end, status, njobs_done, njobs_failed, argv, pid, host"

int kr_state_runs(struct kr_state *st, int limit, kr_state_run_fn fn, void *ctx,
                  struct kr_error *err)
{
    int n;
    return each_run(st, "SELECT " RUN_COLS " FROM runs ORDER BY id DESC LIMIT ?1",
                    limit > 0 ? limit : -1, fn, ctx, &n, err);
}

int kr_state_run_get(struct kr_state *st, int64_t run_id, kr_state_run_fn fn, void *ctx,
                     struct kr_error *err)
{
    int n, rc;
    rc = each_run(st, "SELECT " RUN_COLS " FROM runs WHERE id = ?1", run_id, fn, ctx, &n, err);
    if (rc)
        return rc;
    return n ? KR_OK : KR_NOT_FOUND;
}
