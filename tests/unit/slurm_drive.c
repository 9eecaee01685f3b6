/*
 * slurm_drive.c - drives the SLURM executor through its vtable against a
 * real SLURM (tests/slurm/slurm-up.sh), without the runner: resource
 * mapping checked with `scontrol show job -o`, every outcome that can be
 * provoked on the test cluster (OK, non-zero exit, memory limit, time limit,
 * scancel from outside, cancel by krait, LOST), a job array through
 * submit_many, sbatch refusing a job, slurm_extra refused, and re-adopting a
 * running job from a second executor instance with attach(). All jobs are
 * submitted at once and polled together, so the run takes about as long as
 * the time-limit job (~1.5 min).
 *
 * Run by tests/e2e/t0500-slurm-drive.sh, which makes sure SLURM is up; run
 * directly, it skips when `sinfo` does not answer. Prints TAP.
 * Usage: slurm_drive [WORKDIR] (default: a fresh directory under /tmp).
 */
#include "slurm.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const struct kr_executor kr_executor_slurm;

#define NARRAY 12

enum { J_OK, J_FAIL, J_OOM, J_TIMEOUT, J_OUTSIDE, J_KRAIT, J_ATTACH, J_LOST, NSINGLE };

static char wd[512], statedir[600];

/* stdout of a shell command (test-side only; ids are digits). */
static char *capture(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    struct kr_buf b = KR_BUF_INIT;
    char tmp[1024];
    size_t n;
    if (!p)
        return kr_strdup("");
    while ((n = fread(tmp, 1, sizeof tmp, p)) > 0)
        kr_buf_append(&b, tmp, n);
    pclose(p);
    return kr_buf_steal(&b);
}

static char *slurp(const char *path)
{
    char *cmd = kr_asprintf("cat '%s' 2>/dev/null", path);
    char *s = capture(cmd);
    kr_free(cmd);
    return s;
}

static void init_job(struct kr_exec_job *j, uint32_t id, const char *name, const char *rule,
                     const char *cmd, char *log)
{
    memset(j, 0, sizeof *j);
    j->id = id;
    j->name = name;
    j->rule = rule;
    j->command = cmd;
    j->workdir = wd;
    j->log_path = log;
    j->attempt = 1;
    j->threads = 1;
}

static long stat_value(const char *stats, const char *key)
{
    char *k = kr_asprintf("\n%s ", key);
    char *all = kr_asprintf("\n%s", stats);
    const char *p = strstr(all, k);
    long v = p ? strtol(p + strlen(k), NULL, 10) : -1;
    kr_free(k);
    kr_free(all);
    return v;
}

static double stat_double(const char *stats, const char *key)
{
    char *k = kr_asprintf("\n%s ", key);
    char *all = kr_asprintf("\n%s", stats);
    const char *p = strstr(all, k);
    double v = p ? strtod(p + strlen(k), NULL) : -1;
    kr_free(k);
    kr_free(all);
    return v;
}

int main(int argc, char **argv)
{
    const struct kr_executor *ex = &kr_executor_slurm;
    struct kr_executor_opts opts;
    struct kr_error err;
    struct kr_exec_job single[NSINGLE], arr[NARRAY];
    const struct kr_exec_job *arrp[NARRAY];
    char ext[NSINGLE][64], arrext[NARRAY][64];
    char *logs[NSINGLE + NARRAY], *cmds[NARRAY], *names[NARRAY];
    struct kr_exec_result got[NSINGLE + NARRAY + 8];
    bool have[NSINGLE + NARRAY + 8];
    struct kr_resource_kv okres[] = {{"runtime", 0, "1h30m"}, {"slurm_partition", 0, "debug"}};
    struct kr_resource_kv badextra[] = {{"slurm_extra", 0, "--wrap=reboot"}};
    const char *args[] = {"slurm-poll-min=1"};
    char *stats_path, *s, *cmd;
    void *A = NULL, *B = NULL;
    uint32_t i, n, remaining;
    double t0;
    int rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    s = capture("sinfo -h -o %T 2>/dev/null");
    if (!strstr(s, "idle") && !strstr(s, "mixed") && !strstr(s, "alloc")) {
        printf("1..0 # SKIP no SLURM answers here (run tests/slurm/slurm-up.sh --fast)\n");
        kr_free(s);
        return 0;
    }
    kr_free(s);
    if (argc > 1) {
        snprintf(wd, sizeof wd, "%s", argv[1]);
    } else {
        snprintf(wd, sizeof wd, "/tmp/krait-slurm-drive-XXXXXX");
        if (!mkdtemp(wd))
            return 99;
    }
    snprintf(statedir, sizeof statedir, "%s/.krait", wd);
    mkdir(statedir, 0755);
    stats_path = kr_asprintf("%s/stats", wd);
    setenv("KRAIT_SLURM_STATS", stats_path, 1);

    memset(&opts, 0, sizeof opts);
    opts.max_jobs = 4;
    opts.poll_interval = 3;
    opts.state_dir = statedir;
    opts.backend_args = args;
    opts.nbackend_args = 1;

    /* ---- init ---- */
    {
        const char *bad[] = {"slurm-aray=1"};
        struct kr_executor_opts o2 = opts;
        void *X = NULL;
        o2.backend_args = bad;
        rc = ex->init(&X, &o2, &err);
        ok(rc == KR_EUSAGE && strstr(err.msg, "did you mean 'slurm-array'"),
           "unknown backend arg refused with a suggestion: %s", rc ? err.msg : "");
    }
    rc = ex->init(&A, &opts, &err);
    if (!ok(rc == KR_OK, "init"))
        diag("%s", err.msg);
    if (rc)
        return tap_done();

    for (i = 0; i < NSINGLE + NARRAY; i++)
        logs[i] = kr_asprintf("%s/.krait/log/j%u.log", wd, i);
    init_job(&single[J_OK], J_OK, "ok.x=1", "ok", "echo hello > ok.txt; echo done", logs[J_OK]);
    single[J_OK].threads = 2;
    single[J_OK].mem_mb = 300;
    single[J_OK].res = okres;
    single[J_OK].nres = 2;
    init_job(&single[J_FAIL], J_FAIL, "fail", "fail", "echo failing; exit 3", logs[J_FAIL]);
    init_job(&single[J_OOM], J_OOM, "oom", "oom",
             "perl -e '$x = \"x\" x 400_000_000; sleep 4'", logs[J_OOM]);
    single[J_OOM].mem_mb = 100;
    init_job(&single[J_TIMEOUT], J_TIMEOUT, "timeout", "timeout", "sleep 150", logs[J_TIMEOUT]);
    single[J_TIMEOUT].runtime_min = 1;
    init_job(&single[J_OUTSIDE], J_OUTSIDE, "outside", "outside", "sleep 60", logs[J_OUTSIDE]);
    init_job(&single[J_KRAIT], J_KRAIT, "bykrait", "bykrait", "sleep 60", logs[J_KRAIT]);
    init_job(&single[J_ATTACH], J_ATTACH, "attach", "attach", "sleep 4; echo adopted > att.txt",
             logs[J_ATTACH]);
    init_job(&single[J_LOST], J_LOST, "lost", "lost", "true", logs[J_LOST]);

    /* ---- refusals ---- */
    {
        struct kr_exec_job j;
        char e[64] = "";
        init_job(&j, 90, "bad.extra", "bad", "true", NULL);
        j.res = badextra;
        j.nres = 1;
        rc = ex->submit(A, &j, e, sizeof e, &err);
        ok(rc == KR_EUSAGE && strstr(err.msg, "--wrap") && !e[0],
           "slurm_extra --wrap refused before sbatch: %s", rc ? err.msg : "");
        init_job(&j, 91, "too.many.cpus", "bad", "true", NULL);
        j.threads = 64;
        rc = ex->submit(A, &j, e, sizeof e, &err);
        ok(rc == KR_EEXEC && strstr(err.msg, "sbatch refused too.many.cpus") &&
           strstr(err.msg, "More processors requested than permitted"),
           "sbatch's refusal reported: %s", rc ? err.msg : "");
    }

    /* ---- submit everything ---- */
    t0 = kr_now();
    for (i = 0; i < NSINGLE; i++) {
        if (i == J_LOST)
            continue;
        rc = ex->submit(A, &single[i], ext[i], sizeof ext[i], &err);
        if (!ok(rc == KR_OK && ext[i][0], "submit %s -> %s", single[i].name, ext[i]))
            diag("%s", err.msg);
    }
    for (i = 0; i < NARRAY; i++) {
        names[i] = kr_asprintf("arr.i=%u", i);
        cmds[i] = i == 7 ? kr_asprintf("echo task %u; exit 5", i)
                         : kr_asprintf("echo %u > arr_%u.txt", i, i);
        init_job(&arr[i], NSINGLE + i, names[i], "arr", cmds[i], logs[NSINGLE + i]);
        arrp[i] = &arr[i];
    }
    rc = ex->submit_many(A, arrp, NARRAY, arrext, &err);
    if (!ok(rc == KR_OK, "submit_many of %d jobs", NARRAY))
        diag("%s", err.msg);
    {
        char base[64];
        bool same = true;
        snprintf(base, sizeof base, "%.*s_", (int)strcspn(arrext[0], "_"), arrext[0]);
        for (i = 0; i < NARRAY; i++) {
            char want[80];
            snprintf(want, sizeof want, "%s%u", base, i);
            same = same && !strcmp(arrext[i], want);
        }
        ok(same, "array ids %s0 .. %s%d", base, base, NARRAY - 1);
        cmd = kr_asprintf("scontrol show job -o %.*s | head -n 1", (int)strcspn(arrext[0], "_"),
                          arrext[0]);
        s = capture(cmd);
        ok(strstr(s, "JobName=krait.arr ") && strstr(s, "%4") != NULL,
           "array named krait.arr, throttled by max_jobs (%%4)");
        kr_free(s);
        kr_free(cmd);
    }

    /* resources as SLURM applied them */
    cmd = kr_asprintf("scontrol show job -o %s", ext[J_OK]);
    s = capture(cmd);
    ok(strstr(s, "NumCPUs=2 ") && strstr(s, "MinMemoryNode=300M ") &&
       strstr(s, "TimeLimit=01:30:00 ") && strstr(s, "Partition=debug ") &&
       strstr(s, "JobName=krait.ok.x=1 "), "threads/mem/runtime/partition/name applied");
    if (!strstr(s, "NumCPUs=2 "))
        diag("%s", s);
    kr_free(s);
    kr_free(cmd);
    cmd = kr_asprintf("scontrol show job -o %s", ext[J_TIMEOUT]);
    s = capture(cmd);
    ok(strstr(s, "TimeLimit=00:01:00 ") != NULL, "runtime_min=1 -> TimeLimit=00:01:00");
    kr_free(s);
    kr_free(cmd);

    /* cancel from outside, and by krait */
    cmd = kr_asprintf("scancel %s", ext[J_OUTSIDE]);
    ok(system(cmd) == 0, "scancel %s from outside", ext[J_OUTSIDE]);
    kr_free(cmd);
    {
        uint32_t id = J_KRAIT;
        rc = ex->cancel(A, &id, 1, &err);
        ok(rc == KR_OK, "cancel(bykrait)");
    }

    /* hand the attach job over to a second executor instance */
    ex->shutdown(A);
    s = slurp(stats_path);
    is_int(stat_value(s, "sbatch"), (NSINGLE - 1) + 1 + 1, "sbatch calls: one per single job, "
           "one for the array of 12, one for the refused job");
    is_int(stat_value(s, "scancel"), 1, "one scancel call");
    kr_free(s);
    rc = ex->init(&B, &opts, &err);
    ok(rc == KR_OK, "second executor instance");
    for (i = 0; i < NSINGLE; i++) {
        if (i == J_LOST) {
            rc = ex->attach(B, &single[i], "99999999", &err);
            ok(rc == KR_OK, "attach an id SLURM never had");
        } else {
            rc = ex->attach(B, &single[i], ext[i], &err);
            ok(rc == KR_OK, "attach %s", ext[i]);
        }
    }
    for (i = 0; i < NARRAY; i++)
        rc |= ex->attach(B, &arr[i], arrext[i], &err);
    ok(rc == KR_OK, "attach the %d array tasks", NARRAY);
    ok(ex->attach(B, &single[0], "12;rm", &err) == KR_EUSAGE, "attach refuses a malformed id");

    /* ---- collect ---- */
    memset(have, 0, sizeof have);
    remaining = NSINGLE + NARRAY;
    while (remaining > 0 && kr_now() - t0 < 240) {
        struct kr_exec_result r[8];
        uint32_t k;
        /* round 1 asks again at once: it must not query SLURM (see min_query_gap_s) */
        for (int round = 0; round < 2; round++) {
            rc = ex->poll(B, r, 8, &n, round == 0 ? 5.0 : 0, &err);
            if (rc) {
                diag("poll: %s", err.msg);
                goto collected;
            }
            for (k = 0; k < n; k++) {
                if (r[k].id >= NSINGLE + NARRAY || have[r[k].id]) {
                    ok(0, "unexpected or repeated result for job %u", r[k].id);
                    continue;
                }
                got[r[k].id] = r[k];
                have[r[k].id] = true;
                remaining--;
                printf("# %.1fs job %u: state %d exit %d signal %d: %s\n", kr_now() - t0,
                       r[k].id, r[k].state, r[k].exit_code, r[k].signal, r[k].detail);
            }
        }
    }
collected:
    is_int(remaining, 0, "every job reported once");
    ex->shutdown(B);
    B = NULL;

    ok(have[J_OK] && got[J_OK].state == KR_EXEC_OK && got[J_OK].end >= got[J_OK].start &&
       got[J_OK].start > 1e9, "ok job: OK, with start and end times");
    s = kr_asprintf("%s/ok.txt", wd);
    {
        char *c = slurp(s);
        is_str(c, "hello\n", "ok job ran in its workdir");
        kr_free(c);
    }
    kr_free(s);
    s = slurp(logs[J_OK]);
    is_str(s, "done\n", "ok job's stdout in its log");
    kr_free(s);
    ok(have[J_FAIL] && got[J_FAIL].state == KR_EXEC_FAILED && got[J_FAIL].exit_code == 3,
       "exit 3 -> FAILED, exit code 3");
    s = kr_asprintf("FAILED: exit code 3 (log: %s)", logs[J_FAIL]);
    is_str(got[J_FAIL].detail, s, "FAILED detail names the log");
    kr_free(s);
    ok(have[J_OOM] && got[J_OOM].state == KR_EXEC_OOM, "memory limit exceeded -> OOM (%s)",
       got[J_OOM].detail);
    ok(have[J_TIMEOUT] && got[J_TIMEOUT].state == KR_EXEC_TIMEOUT, "time limit -> TIMEOUT (%s)",
       got[J_TIMEOUT].detail);
    ok(have[J_OUTSIDE] && got[J_OUTSIDE].state == KR_EXEC_CANCELLED &&
       strstr(got[J_OUTSIDE].detail, "from outside krait"), "scancel from outside -> CANCELLED");
    ok(have[J_KRAIT] && got[J_KRAIT].state == KR_EXEC_CANCELLED &&
       strstr(got[J_KRAIT].detail, "CANCELLED") != NULL, "cancel() -> CANCELLED");
    ok(have[J_ATTACH] && got[J_ATTACH].state == KR_EXEC_OK, "attached job finished OK");
    s = kr_asprintf("%s/att.txt", wd);
    {
        char *c = slurp(s);
        is_str(c, "adopted\n", "attached job's output");
        kr_free(c);
    }
    kr_free(s);
    ok(have[J_LOST] && got[J_LOST].state == KR_EXEC_LOST &&
       strstr(got[J_LOST].detail, "99999999"), "unknown id -> LOST (%s)", got[J_LOST].detail);
    {
        bool arr_ok = true, files_ok = true;
        for (i = 0; i < NARRAY; i++) {
            char *f, *c, want[32];
            if (i == 7)
                continue;
            arr_ok = arr_ok && have[NSINGLE + i] && got[NSINGLE + i].state == KR_EXEC_OK;
            f = kr_asprintf("%s/arr_%u.txt", wd, i);
            c = slurp(f);
            snprintf(want, sizeof want, "%u\n", i);
            files_ok = files_ok && !strcmp(c, want);
            kr_free(c);
            kr_free(f);
        }
        ok(arr_ok, "array tasks OK");
        ok(files_ok, "array tasks ran their own commands");
        ok(have[NSINGLE + 7] && got[NSINGLE + 7].state == KR_EXEC_FAILED &&
           got[NSINGLE + 7].exit_code == 5, "array task 7: exit 5 -> FAILED 5");
        s = slurp(logs[NSINGLE + 7]);
        is_str(s, "task 7\n", "array task output in the job's own log");
        kr_free(s);
    }
    s = slurp(stats_path);
    is_int(stat_value(s, "sbatch"), 0, "second instance: no sbatch");
    ok(stat_value(s, "squeue") == stat_value(s, "status_queries") && stat_value(s, "squeue") > 0,
       "one squeue per status query");
    ok(stat_double(s, "min_query_gap_s") >= 0.99, "status queries at least 1 s apart (min %.3f)",
       stat_double(s, "min_query_gap_s"));
    ok(stat_value(s, "sacct") >= 1, "sacct asked for the vanished id");
    printf("# stats of the second instance:\n");
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
        printf("#   %s\n", line);
    kr_free(s);
    printf("# elapsed %.1f s\n", kr_now() - t0);
    for (i = 0; i < NSINGLE + NARRAY; i++)
        kr_free(logs[i]);
    for (i = 0; i < NARRAY; i++) {
        kr_free(names[i]);
        kr_free(cmds[i]);
    }
    kr_free(stats_path);
    if (argc <= 1 && tap_failed == 0) {
        cmd = kr_asprintf("rm -rf '%s'", wd);
        rc = system(cmd);
        KR_UNUSED(rc);
        kr_free(cmd);
    }
    return tap_done();
}
