/*
 * test_state.c - unit tests for the state database (src/state*.c): schema
 * creation and migration, the lock (live, dead and recycled holders, and
 * two processes racing for it many times), the job journal and provenance
 * round trip, and the speed of the provenance scan on 100,000 outputs.
 * Each part works in its own fresh temporary directory.
 */
#include "report.h"
#include "state-int.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/krait-state-XXXXXX";
    char *d = mkdtemp(tmpl);
    if (!d) {
        perror("mkdtemp");
        exit(2);
    }
    return kr_strdup(d);
}

static void rmtree(const char *dir)
{
    char *cmd = kr_asprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
    kr_free(cmd);
}

/* Open the database file directly, bypassing kr_state. */
static sqlite3 *raw_open(const char *dir)
{
    sqlite3 *db = NULL;
    char *p = kr_asprintf("%s/.krait/state.db", dir);
    if (sqlite3_open(p, &db) != SQLITE_OK) {
        diag("sqlite3_open %s: %s", p, sqlite3_errmsg(db));
        exit(2);
    }
    sqlite3_busy_timeout(db, 10000);
    kr_free(p);
    return db;
}

/* First column of the first row of `sql` as an integer (-999 on error). */
static long long raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -999;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static char raw_text_buf[256];
static const char *raw_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    raw_text_buf[0] = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_text(s, 0))
        snprintf(raw_text_buf, sizeof raw_text_buf, "%s", sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return raw_text_buf;
}

/* ---- schema ---------------------------------------------------------------------------- */

static void test_open(void)
{
    char *dir = tmpdir(), *krait_dir = kr_asprintf("%s/.krait", dir);
    struct kr_state *st = NULL;
    struct kr_error err;
    struct stat sb;
    sqlite3 *db;
    int rc;

    rc = kr_state_open(dir, false, &st, &err);
    is_int(rc, KR_NOT_FOUND, "open without create in a fresh directory: not found");
    ok(st == NULL && stat(krait_dir, &sb) != 0, "... and nothing was created");

    rc = kr_state_open(dir, true, &st, &err);
    is_int(rc, KR_OK, "open with create");
    ok(st && !strcmp(kr_state_dir(st), krait_dir), "kr_state_dir is WORKDIR/.krait");
    kr_state_close(st);

    db = raw_open(dir);
    is_int(raw_int(db, "PRAGMA user_version"), KR_STATE_SCHEMA_VERSION,
           "a new database has the newest schema version");
    is_str(raw_text(db, "PRAGMA journal_mode"), "wal", "the database is in WAL mode");
    is_int(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                   " ('lock','runs','attempts','attempt_outputs','transitions','outputs')"),
           6, "all six tables exist");
    sqlite3_close(db);

    rc = kr_state_open(dir, false, &st, &err);
    is_int(rc, KR_OK, "open without create finds the database");
    kr_state_close(st);

    /* a database made by a newer krait is refused */
    db = raw_open(dir);
    sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(db);
    rc = kr_state_open(dir, false, &st, &err);
    is_int(rc, KR_ESTATE, "a newer schema version is refused");
    ok(rc && strstr(err.msg, "schema version 99, newer than this krait"), "... saying so: %s",
       rc ? err.msg : "");

    kr_free(krait_dir);
    rmtree(dir);
    kr_free(dir);
}

static int count_attempt(void *ctx, const struct kr_state_attempt *a)
{
    struct kr_state_attempt *copy = ctx;
    copy->id = a->id;
    copy->attempt = a->attempt;
    copy->noutputs = a->noutputs;
    copy->log_path = a->log_path;   /* only compared with NULL */
    copy->exit_code++;
    return 0;
}

static void test_migration(void)
{
    char *dir = tmpdir(), *kdir = kr_asprintf("%s/.krait", dir);
    struct kr_state *st = NULL;
    struct kr_state_attempt seen;
    struct kr_error err;
    sqlite3 *db;
    int rc;

    /* build a version 1 database with some history, as an older krait left it */
    mkdir(kdir, 0777);
    db = raw_open(dir);
    rc = kr_state_schema_migrate(db, 1, &err);
    is_int(rc, KR_OK, "migrate an empty database to version 1");
    is_int(raw_int(db, "PRAGMA user_version"), 1, "user_version is 1");
    is_int(raw_int(db, "SELECT count(*) FROM pragma_table_info('attempts') WHERE name = 'log_path'"),
           0, "version 1 has no attempts.log_path");
    rc = sqlite3_exec(db,
        "INSERT INTO runs(id, start, argv, pid, host) VALUES(7, 1000.5, 'krait run', 42, 'h');"
        "INSERT INTO attempts(id, run_id, job_id, rule, name, attempt, executor, host, state, start)"
        " VALUES(3, 7, 0, 'map', 'map.s=A', 2, 'local', 'h', 2, 1001);"
        "INSERT INTO attempt_outputs VALUES(3, 0, 'a.bam');"
        "INSERT INTO outputs(path, rule, incomplete, attempt_id) VALUES('a.bam', 'map', 0, 3);",
        NULL, NULL, NULL);
    is_int(rc, SQLITE_OK, "write version 1 rows");
    sqlite3_close(db);

    rc = kr_state_open(dir, false, &st, &err);
    is_int(rc, KR_OK, "kr_state_open migrates version 1 to the newest");
    db = raw_open(dir);
    is_int(raw_int(db, "PRAGMA user_version"), KR_STATE_SCHEMA_VERSION, "user_version is now the current version");
    is_int(raw_int(db, "SELECT count(*) FROM pragma_table_info('attempts') WHERE name = 'log_path'"),
           1, "attempts.log_path was added");
    sqlite3_close(db);
    memset(&seen, 0, sizeof seen);
    rc = kr_state_run_attempts(st, 7, count_attempt, &seen, &err);
    ok(rc == KR_OK && seen.exit_code == 1 && seen.id == 3 && seen.attempt == 2 &&
       seen.noutputs == 1 && seen.log_path == NULL,
       "the old attempt survived the migration with its outputs");
    kr_state_close(st);
    kr_free(kdir);
    rmtree(dir);
    kr_free(dir);
}

/* ---- the lock ------------------------------------------------------------------------------ */

/* Child: take the lock, say so on `ready`, then wait to be killed. */
static pid_t spawn_holder(const char *dir)
{
    int fds[2];
    pid_t pid;
    char c = 0;
    if (pipe(fds) != 0)
        exit(2);
    pid = fork();
    if (pid == 0) {
        struct kr_state *st;
        struct kr_error err;
        close(fds[0]);
        if (kr_state_open(dir, true, &st, &err) || kr_state_lock(st, &err))
            _exit(3);
        c = 'L';
        if (write(fds[1], &c, 1) != 1)
            _exit(4);
        for (;;)
            pause();
    }
    close(fds[1]);
    if (read(fds[0], &c, 1) != 1 || c != 'L')
        diag("the lock holder child did not start");
    close(fds[0]);
    return pid;
}

static void test_lock(void)
{
    char *dir = tmpdir();
    struct kr_state *st = NULL, *st2 = NULL;
    struct kr_state_lockinfo h;
    struct kr_error err;
    char want[128];
    sqlite3 *db;
    pid_t child;
    int rc, status;

    kr_state_open(dir, true, &st, &err);
    is_int(kr_state_lock_holder(st, &h, &err), KR_NOT_FOUND, "a new database is unlocked");
    is_int(kr_state_lock(st, &err), KR_OK, "take the lock");
    rc = kr_state_lock_holder(st, &h, &err);
    ok(rc == KR_OK && h.pid == getpid() && h.proc_start > 0 && h.boot_id[0],
       "the holder is this process, with its start time and boot id");
    is_int(kr_state_lock(st, &err), KR_OK, "taking it again is fine");
    is_int(kr_state_unlock(st, &err), KR_OK, "unlock");
    is_int(kr_state_lock_holder(st, &h, &err), KR_NOT_FOUND, "... and it is free");
    kr_state_close(st);     /* no sqlite handle across fork() */

    /* a live holder in another process */
    child = spawn_holder(dir);
    kr_state_open(dir, true, &st, &err);
    rc = kr_state_lock(st, &err);
    is_int(rc, KR_ELOCKED, "a live holder keeps the lock");
    snprintf(want, sizeof want, "is locked by krait pid %ld on host ", (long)child);
    ok(rc && strstr(err.msg, want) && strstr(err.msg, "; if it is dead run `krait run --unlock`"),
       "the message names the holder: %s", rc ? err.msg : "");

    /* the same pid with another start time: a recycled pid, not the holder */
    db = raw_open(dir);
    sqlite3_exec(db, "UPDATE lock SET proc_start = proc_start + 1", NULL, NULL, NULL);
    sqlite3_close(db);
    is_int(kr_state_lock(st, &err), KR_OK, "a recycled pid (start time differs) does not hold it");
    kr_state_force_unlock(st, &err);
    kr_state_close(st);

    /* a holder that died without unlocking */
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    child = spawn_holder(dir);
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    kr_state_open(dir, true, &st, &err);
    rc = kr_state_lock_holder(st, &h, &err);
    ok(rc == KR_OK && h.pid == child, "a killed holder left its lock row behind");
    is_int(kr_state_lock(st, &err), KR_OK, "a dead holder's lock clears itself");
    ok(kr_state_lock_holder(st, &h, &err) == KR_OK && h.pid == getpid(), "... and we hold it");

    /* a holder on another host cannot be checked: it counts as alive */
    db = raw_open(dir);
    sqlite3_exec(db, "UPDATE lock SET host = 'elsewhere.example', pid = 1", NULL, NULL, NULL);
    sqlite3_close(db);
    rc = kr_state_lock(st, &err);
    is_int(rc, KR_ELOCKED, "a holder on another host keeps the lock");
    ok(rc && strstr(err.msg, "pid 1 on host elsewhere.example"), "message: %s", rc ? err.msg : "");
    is_int(kr_state_force_unlock(st, &err), KR_OK, "force unlock");
    is_int(kr_state_lock_holder(st, &h, &err), KR_NOT_FOUND, "... removes any holder");

    /* closing releases the lock */
    kr_state_lock(st, &err);
    kr_state_close(st);
    kr_state_open(dir, true, &st2, &err);
    is_int(kr_state_lock_holder(st2, &h, &err), KR_NOT_FOUND, "kr_state_close released the lock");
    kr_state_close(st2);
    rmtree(dir);
    kr_free(dir);
}

/*
 * Two processes race for the lock, many rounds: each child opens the
 * database, waits for the start signal (both are released by one close()),
 * tries the lock, reports the result, and holds on until both have reported.
 */
static void test_lock_race(int rounds)
{
    char *dir = tmpdir();
    struct kr_state *st;
    struct kr_error err;
    int r, k, good = 0, errors = 0;

    /* create the database first, then race on a fresh one once too */
    for (r = 0; r < rounds; r++) {
        int go[2], res[2], hold[2];
        pid_t kids[2];
        char c[2];
        if (r == 1) {   /* round 0 races on creating the database as well */
            kr_state_open(dir, true, &st, &err);
            kr_state_close(st);
        }
        if (pipe(go) || pipe(res) || pipe(hold))
            exit(2);
        for (k = 0; k < 2; k++) {
            kids[k] = fork();
            if (kids[k] == 0) {
                struct kr_state *cs = NULL;
                struct kr_error e;
                char x, out;
                int rc;
                close(go[1]);
                close(res[0]);
                close(hold[1]);
                rc = kr_state_open(dir, true, &cs, &e);
                if (read(go[0], &x, 1) < 0)
                    _exit(5);
                if (rc == KR_OK)
                    rc = kr_state_lock(cs, &e);
                out = rc == KR_OK ? 'W' : rc == KR_ELOCKED ? 'L' : 'E';
                if (out == 'E')
                    fprintf(stderr, "child: %s\n", e.msg);
                if (write(res[1], &out, 1) != 1)
                    _exit(6);
                if (read(hold[0], &x, 1) < 0)  /* EOF when the parent closes it */
                    _exit(7);
                kr_state_close(cs);
                _exit(0);
            }
        }
        close(go[0]);
        close(res[1]);
        close(hold[0]);
        close(go[1]);           /* start! */
        if (read(res[0], &c[0], 1) != 1 || read(res[0], &c[1], 1) != 1)
            c[0] = c[1] = 'E';
        close(hold[1]);         /* both have tried: let them go */
        close(res[0]);
        for (k = 0; k < 2; k++)
            waitpid(kids[k], NULL, 0);
        if ((c[0] == 'W' && c[1] == 'L') || (c[0] == 'L' && c[1] == 'W'))
            good++;
        else {
            errors++;
            diag("round %d: %c %c", r, c[0], c[1]);
        }
    }
    is_int(good, rounds, "two processes racing for the lock: exactly one wins, every round");
    kr_state_open(dir, false, &st, &err);
    {
        struct kr_state_lockinfo h;
        is_int(kr_state_lock_holder(st, &h, &err), KR_NOT_FOUND, "the winners released it");
    }
    kr_state_close(st);
    rmtree(dir);
    kr_free(dir);
}

/* ---- journal and provenance ----------------------------------------------------------------- */

struct seen_prov {
    int n, nincomplete;
    const char *want_path;
    struct kr_prov got;
    char rule[64], container[64], in0[64], ck0[64];
    uint32_t ninputs;
    int64_t mtime1, size1;
    bool ck1_null;
};

static int find_prov(void *ctx, const char *path, const struct kr_prov *p)
{
    struct seen_prov *s = ctx;
    s->n++;
    if (p->incomplete)
        s->nincomplete++;
    if (s->want_path && !strcmp(path, s->want_path)) {
        s->got = *p;
        snprintf(s->rule, sizeof s->rule, "%s", p->rule ? p->rule : "(null)");
        snprintf(s->container, sizeof s->container, "%s", p->container ? p->container : "(null)");
        s->ninputs = p->ninputs;
        if (p->ninputs >= 2) {
            snprintf(s->in0, sizeof s->in0, "%s", p->inputs[0].path);
            snprintf(s->ck0, sizeof s->ck0, "%s", p->inputs[0].checksum ? p->inputs[0].checksum : "");
            s->mtime1 = p->inputs[1].mtime_ns;
            s->size1 = p->inputs[1].size;
            s->ck1_null = p->inputs[1].checksum == NULL;
        }
    }
    return 0;
}

struct seen_attempts {
    int n;
    int64_t id;
    char ext_id[64], executor[32], out1[64], wildcards[64];
    uint32_t noutputs;
};

static int collect_unfinished(void *ctx, const struct kr_state_attempt *a)
{
    struct seen_attempts *s = ctx;
    s->n++;
    s->id = a->id;
    snprintf(s->ext_id, sizeof s->ext_id, "%s", a->ext_id ? a->ext_id : "(null)");
    snprintf(s->executor, sizeof s->executor, "%s", a->executor);
    snprintf(s->wildcards, sizeof s->wildcards, "%s", a->wildcards ? a->wildcards : "(null)");
    s->noutputs = a->noutputs;
    snprintf(s->out1, sizeof s->out1, "%s", a->noutputs > 1 ? a->outputs[1] : "");
    return 0;
}

static int abandon_each(void *ctx, const struct kr_state_attempt *a)
{
    struct kr_state *st = ctx;
    return kr_state_mark_abandoned(st, a->id, NULL);
}

static int record_transition(void *ctx, int state, double t)
{
    struct kr_buf *b = ctx;
    kr_buf_printf(b, "%s%s", b->len ? "," : "", kr_state_attempt_name(state));
    return t > 0 ? 0 : 1;
}

struct seen_runs {
    struct kr_buf b;
};

static int record_run(void *ctx, const struct kr_state_run *r)
{
    struct seen_runs *s = ctx;
    kr_buf_printf(&s->b, "[%lld %s %d/%d %s%s]", (long long)r->id,
                  kr_state_run_status_name(r->status), r->njobs_done, r->njobs_failed, r->argv,
                  r->end >= r->start ? "" : " end<start");
    return 0;
}

static void test_journal(void)
{
    char *dir = tmpdir();
    struct kr_state *st = NULL;
    struct kr_error err;
    int64_t run, att, att2, att3;
    const char *outs[] = {"mapped/A.bam", "mapped/A.bai"};
    const char *wcn[] = {"sample"}, *wcv[] = {"A"};
    struct kr_wildcards wc = {wcn, wcv, 1};
    struct kr_state_job j;
    struct kr_prov_input ins[2] = {
        {"ref.fa", 1700000000123456789LL, 3000, "9f86d081884c7d65"},
        {"reads/A.fq", -5, 1LL << 40, NULL},
    };
    struct kr_prov prov = {"map", 0xfedcba9876543210ULL, 0x1234, 0x8000000000000001ULL,
                           "docker://biocontainers/bwa:0.7", false, ins, 2, false};
    struct kr_state_job_result done = {.state = KR_ATTEMPT_DONE, .cpu_s = -1, .max_rss_kb = -1, .io_in = -1, .io_out = -1};
    struct kr_state_job_result failed = {.state = KR_ATTEMPT_FAILED, .exit_code = 3, .detail = "exit code 3", .cpu_s = -1, .max_rss_kb = -1, .io_in = -1, .io_out = -1};
    struct seen_prov sp;
    struct seen_attempts sa;
    struct seen_runs sr;
    struct kr_buf b = KR_BUF_INIT;
    struct kr_state_output o;
    struct kr_arena arena;
    int rc;

    kr_arena_init(&arena);
    kr_state_open(dir, true, &st, &err);
    rc = kr_state_run_begin(st, "krait run -j 2 all", &run, &err);
    ok(rc == KR_OK && run > 0, "begin a run");

    memset(&j, 0, sizeof j);
    j.job_id = 4;
    j.rule = "map";
    j.name = "map.sample=A";
    j.wc = &wc;
    j.outputs = outs;
    j.noutputs = 2;
    j.attempt = 1;
    j.executor = "slurm";
    j.log_path = ".krait/log/map.sample=A.log";
    rc = kr_state_job_begin(st, run + 100, &j, &att, &err);
    is_int(rc, KR_ESTATE, "journaling under a run that does not exist fails (foreign key)");
    rc = kr_state_job_begin(st, run, &j, &att, &err);
    ok(rc == KR_OK && att > 0, "journal a job attempt");

    memset(&sp, 0, sizeof sp);
    sp.want_path = "mapped/A.bai";
    kr_state_scan_provenance(st, find_prov, &sp, &err);
    ok(sp.n == 2 && sp.nincomplete == 2 && !strcmp(sp.rule, "(null)"),
       "both outputs are marked incomplete, without provenance yet");

    is_int(kr_state_job_set_extid(st, att, "81234", &err), KR_OK, "record the external id");
    is_int(kr_state_job_set_extid(st, att + 99, "x", &err), KR_NOT_FOUND, "... of an unknown attempt");
    is_int(kr_state_job_transition(st, att, KR_ATTEMPT_RUNNING, 0, &err), KR_OK, "it runs");
    is_int(kr_state_job_transition(st, att, KR_ATTEMPT_DONE, 0, &err), KR_EUSAGE,
           "a final state is not a plain transition");

    memset(&sa, 0, sizeof sa);
    kr_state_unfinished(st, collect_unfinished, &sa, &err);
    ok(sa.n == 1 && sa.id == att, "one unfinished attempt");
    is_str(sa.ext_id, "81234", "... with its external id");
    is_str(sa.executor, "slurm", "... its executor");
    is_str(sa.wildcards, "sample=A", "... its wildcards");
    ok(sa.noutputs == 2 && !strcmp(sa.out1, "mapped/A.bai"), "... and its outputs in order");

    /* a wrong number of provenance records changes nothing */
    rc = kr_state_job_end(st, att, &done, &prov, 3, &err);
    is_int(rc, KR_EUSAGE, "3 provenance records for 2 outputs is refused");
    memset(&sa, 0, sizeof sa);
    kr_state_unfinished(st, collect_unfinished, &sa, &err);
    is_int(sa.n, 1, "... and the attempt is still unfinished (rolled back)");

    rc = kr_state_job_end(st, att, &done, &prov, 1, &err);
    is_int(rc, KR_OK, "end the attempt successfully with provenance");
    memset(&sa, 0, sizeof sa);
    kr_state_unfinished(st, collect_unfinished, &sa, &err);
    is_int(sa.n, 0, "no unfinished attempts left");

    memset(&sp, 0, sizeof sp);
    sp.want_path = "mapped/A.bai";
    rc = kr_state_scan_provenance(st, find_prov, &sp, &err);
    ok(rc == KR_OK && sp.n == 2 && sp.nincomplete == 0, "provenance of both outputs, complete");
    is_str(sp.rule, "map", "rule round trip");
    ok(sp.got.code_hash == 0xfedcba9876543210ULL && sp.got.params_hash == 0x1234 &&
       sp.got.inputs_hash == 0x8000000000000001ULL, "64-bit hashes round trip");
    is_str(sp.container, "docker://biocontainers/bwa:0.7", "container round trip");
    is_int(sp.ninputs, 2, "two input fingerprints");
    is_str(sp.in0, "ref.fa", "fingerprint path");
    is_str(sp.ck0, "9f86d081884c7d65", "fingerprint checksum");
    ok(sp.mtime1 == -5 && sp.size1 == (1LL << 40) && sp.ck1_null,
       "negative mtime, large size and no checksum round trip");

    rc = kr_state_output_get(st, "mapped/A.bam", &arena, &o, &err);
    ok(rc == KR_OK && o.attempt_id == att && o.exit_code == 0 && o.end >= o.start &&
       !strcmp(o.executor, "slurm") && !strcmp(o.ext_id, "81234") &&
       !strcmp(o.log_path, ".krait/log/map.sample=A.log") && !strcmp(o.prov.rule, "map"),
       "output_get joins the attempt: executor, external id, exit code, log");
    is_int(kr_state_output_get(st, "nope", &arena, &o, &err), KR_NOT_FOUND, "unknown output");

    kr_state_attempt_transitions(st, att, record_transition, &b, &err);
    is_str(kr_buf_cstr(&b), "submitted,running,done", "transitions of the attempt");
    kr_buf_reset(&b);

    /* a second attempt that fails: outputs incomplete again, old provenance kept */
    j.attempt = 2;
    kr_state_job_begin(st, run, &j, &att2, &err);
    is_int(kr_state_job_end(st, att2, &failed, NULL, 0, &err), KR_OK, "end an attempt as failed");
    memset(&sp, 0, sizeof sp);
    sp.want_path = "mapped/A.bam";
    kr_state_scan_provenance(st, find_prov, &sp, &err);
    ok(sp.nincomplete == 2 && !strcmp(sp.rule, "map") && sp.ninputs == 2,
       "a failed attempt leaves its outputs incomplete (earlier provenance kept)");
    kr_state_output_get(st, "mapped/A.bam", &arena, &o, &err);
    ok(o.attempt_id == att2 && o.exit_code == 3, "the output points at the failed attempt");
    is_int(kr_state_mark_abandoned(st, att2, &err), KR_NOT_FOUND,
           "an ended attempt cannot be abandoned");

    /* an attempt left behind by a killed krait, then abandoned */
    j.attempt = 3;
    kr_state_job_begin(st, run, &j, &att3, &err);
    rc = kr_state_unfinished(st, abandon_each, st, &err);
    is_int(rc, KR_OK, "abandon every unfinished attempt from the callback");
    memset(&sa, 0, sizeof sa);
    kr_state_unfinished(st, collect_unfinished, &sa, &err);
    is_int(sa.n, 0, "... none is left");
    kr_state_attempt_transitions(st, att3, record_transition, &b, &err);
    is_str(kr_buf_cstr(&b), "submitted,abandoned", "transitions of the abandoned attempt");
    kr_buf_reset(&b);

    /* a job without outputs (rule all) ends done without provenance */
    {
        struct kr_state_job all;
        int64_t a4;
        memset(&all, 0, sizeof all);
        all.rule = "all";
        all.attempt = 1;
        kr_state_job_begin(st, run, &all, &a4, &err);
        is_int(kr_state_job_end(st, a4, &done, NULL, 0, &err), KR_OK,
               "a job without outputs ends done without provenance");
        kr_state_attempt_transitions(st, a4, record_transition, &b, &err);
        is_str(kr_buf_cstr(&b), "submitted,done", "... its transitions");
        kr_buf_reset(&b);
        j.attempt = 4;
        kr_state_job_begin(st, run, &j, &a4, &err);
        is_int(kr_state_job_end(st, a4, &done, NULL, 0, &err), KR_EUSAGE,
               "a job with outputs cannot end done without provenance");
        kr_state_mark_abandoned(st, a4, &err);
    }

    is_int(kr_state_run_end(st, run, KR_RUN_FAILED, 1, 1, &err), KR_OK, "end the run");
    is_int(kr_state_run_end(st, run + 5, KR_RUN_OK, 0, 0, &err), KR_NOT_FOUND, "end an unknown run");
    {
        int64_t run2;
        kr_state_run_begin(st, "krait run", &run2, &err);
        kr_state_run_end(st, run2, KR_RUN_OK, 0, 0, &err);
    }
    kr_buf_init(&sr.b);
    kr_state_runs(st, 0, record_run, &sr, &err);
    is_str(kr_buf_cstr(&sr.b), "[2 ok 0/0 krait run][1 failed 1/1 krait run -j 2 all]",
           "runs, most recent first");
    kr_buf_reset(&sr.b);
    kr_state_runs(st, 1, record_run, &sr, &err);
    is_str(kr_buf_cstr(&sr.b), "[2 ok 0/0 krait run]", "runs, limited to 1");
    kr_buf_free(&sr.b);
    kr_buf_init(&sr.b);
    is_int(kr_state_run_get(st, 99, record_run, &sr, &err), KR_NOT_FOUND, "an unknown run");
    kr_buf_free(&sr.b);

    is_int(kr_state_forget(st, "mapped/A.bam", &err), KR_OK, "forget an output");
    is_int(kr_state_forget(st, "mapped/A.bam", &err), KR_NOT_FOUND, "... it is gone");
    memset(&sp, 0, sizeof sp);
    kr_state_scan_provenance(st, find_prov, &sp, &err);
    is_int(sp.n, 1, "one output left");

    /* a corrupt fingerprint record is reported, not trusted */
    {
        sqlite3 *db = raw_open(dir);
        sqlite3_exec(db, "UPDATE outputs SET inputs = x'010501'", NULL, NULL, NULL);
        sqlite3_close(db);
        memset(&sp, 0, sizeof sp);
        rc = kr_state_scan_provenance(st, find_prov, &sp, &err);
        ok(rc == KR_ESTATE && strstr(err.msg, "corrupt input fingerprints of mapped/A.bai"),
           "a corrupt fingerprint BLOB is an error: %s", rc ? err.msg : "");
    }

    kr_buf_free(&b);
    kr_arena_free(&arena);
    kr_state_close(st);
    rmtree(dir);
    kr_free(dir);
}

/* ---- speed of the provenance scan --------------------------------------------------------- */

struct count {
    long n, ninputs;
    uint64_t sum;
};

static int count_cb(void *ctx, const char *path, const struct kr_prov *p)
{
    struct count *c = ctx;
    uint32_t i;
    c->n++;
    c->ninputs += p->ninputs;
    c->sum += p->code_hash + strlen(path);
    for (i = 0; i < p->ninputs; i++)
        c->sum += (uint64_t)p->inputs[i].size;
    return 0;
}

static void test_scan_speed(long nout)
{
    char *dir = tmpdir();
    struct kr_state *st = NULL;
    struct kr_error err;
    int64_t run, att;
    struct kr_prov_input ins[3] = {
        {"data/reference/genome.fa", 1700000000000000000LL, 3000000000LL, NULL},
        {"config/samples.tsv", 1700000000000000001LL, 512, "e3b0c44298fc1c149afbf4c8996fb924"},
        {"scripts/analyse.py", 1700000000000000002LL, 2048, "27ae41e4649b934ca495991b7852b855"},
    };
    struct kr_prov prov = {"analyse", 42, 7, 9, NULL, false, ins, 3, false};
    struct kr_state_job_result done = {.state = KR_ATTEMPT_DONE, .cpu_s = -1, .max_rss_kb = -1, .io_in = -1, .io_out = -1};
    struct kr_state_job j;
    const long per_job = 1000;
    const char **outs = kr_calloc(per_job, sizeof *outs);
    char **names = kr_calloc(per_job, sizeof *names);
    struct count c;
    double t0, t1, t2;
    long k, i;
    int rc = KR_OK;

    kr_state_open(dir, true, &st, &err);
    kr_state_run_begin(st, "krait run", &run, &err);
    t0 = kr_now();
    memset(&j, 0, sizeof j);
    j.rule = "analyse";
    j.attempt = 1;
    j.executor = "local";
    for (k = 0; k < nout / per_job && rc == KR_OK; k++) {
        for (i = 0; i < per_job; i++) {
            kr_free(names[i]);
            names[i] = kr_asprintf("results/batch%03ld/sample%06ld/summary.tsv", k, k * per_job + i);
            outs[i] = names[i];
        }
        j.name = "analyse";
        j.outputs = outs;
        j.noutputs = (uint32_t)per_job;
        rc = kr_state_job_begin(st, run, &j, &att, &err);
        if (rc == KR_OK)
            rc = kr_state_job_end(st, att, &done, &prov, 1, &err);
    }
    t1 = kr_now();
    ok(rc == KR_OK, "record provenance of %ld outputs", nout);
    /* as a new krait process finds it: closing checkpoints the WAL */
    kr_state_close(st);
    kr_state_open(dir, false, &st, &err);
    t1 = kr_now();
    memset(&c, 0, sizeof c);
    rc = kr_state_scan_provenance(st, count_cb, &c, &err);
    t2 = kr_now();
    ok(rc == KR_OK && c.n == nout && c.ninputs == 3 * nout, "scan sees every output and fingerprint");
    diag("recording %ld outputs (in %ld jobs): %.0f ms", nout, nout / per_job, (t1 - t0) * 1e3);
    diag("kr_state_scan_provenance over %ld outputs with 3 fingerprints each: %.1f ms",
         nout, (t2 - t1) * 1e3);
    for (i = 0; i < per_job; i++)
        kr_free(names[i]);
    kr_free(names);
    kr_free(outs);
    kr_state_close(st);
    rmtree(dir);
    kr_free(dir);
}

/* The report's one escaping function (src/report.h). */
static char *escaped(const char *s, size_t max)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    kr_report_escape(f, s, max);
    fclose(f);
    return out;
}

static void test_report_escape(void)
{
    char *e = escaped("a/<script>alert('x')</script>&\"b\".txt", 0);
    is_str(e, "a/&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;b&quot;.txt",
           "report: < > & \" ' are escaped");
    free(e);
    e = escaped("tab\tnl\nbell\a del\x7f", 0);
    is_str(e, "tab\tnl\nbell? del?", "report: control characters but tab and newline become ?");
    free(e);
    e = escaped("ab\xc3\xa9" "cd", 3);     /* cut inside the 2-byte e-acute */
    is_str(e, "ab\xe2\x80\xa6", "report: a cut falls on a UTF-8 boundary, with an ellipsis");
    free(e);
    e = escaped("&&&", 2);
    is_str(e, "&amp;&amp;\xe2\x80\xa6", "report: a cut counts source bytes, not entities");
    free(e);
    e = escaped(NULL, 0);
    is_str(e, "", "report: NULL is empty");
    free(e);
}

int main(void)
{
    const char *rounds = getenv("KR_LOCK_ROUNDS");
    bool slow = getenv("KR_VALGRIND") != NULL;
    setvbuf(stdout, NULL, _IONBF, 0);   /* children must not re-print buffered TAP */
    test_open();
    test_migration();
    test_lock();
    test_lock_race(rounds ? atoi(rounds) : slow ? 20 : 200);
    test_journal();
    test_report_escape();
    test_scan_speed(slow ? 20000 : 100000);   /* valgrind: ~40x slower */
    return tap_done();
}
