/* test_sched.c - unit tests for src/sched.c: ready-queue order (priority,
 * then depth, then id), core and resource limits, the scan past a blocked
 * head of the queue, GPU index assignment, and Snakemake's "needs X but only
 * Y" check; then the dry-run executor releasing a chain in order. */
#include "executor.h"
#include "jobsched.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct kr_sched_req mem(int64_t n)
{
    struct kr_sched_req r = { "mem_mb", n };
    return r;
}

int main(void)
{
    struct kr_sched *s;
    struct kr_sched_limit lim[2] = { { "mem_mb", 1000 }, { "gpu", 3 } };
    struct kr_sched_req r;
    struct kr_error err;
    uint32_t id, i, got[8];
    int rc;

    /* order: priority, then depth, then id */
    s = kr_sched_new(6, 1, NULL, 0);
    kr_sched_push(s, 0, 0, 1, 1, NULL, 0);
    kr_sched_push(s, 1, 0, 5, 1, NULL, 0);
    kr_sched_push(s, 2, 3, 0, 1, NULL, 0);
    kr_sched_push(s, 3, 0, 5, 1, NULL, 0);
    kr_sched_push(s, 4, -1, 9, 1, NULL, 0);
    for (i = 0; i < 5; i++) {
        rc = kr_sched_pop(s, &got[i]);
        ok(rc == KR_OK, "pop %u succeeds", i);
        is_int(kr_sched_pop(s, &id), KR_NOT_FOUND, "one core: nothing else fits");
        kr_sched_release(s, got[i]);
    }
    ok(got[0] == 2 && got[1] == 1 && got[2] == 3 && got[3] == 0 && got[4] == 4,
       "order is priority, depth, id (got %u %u %u %u %u)", got[0], got[1], got[2], got[3],
       got[4]);
    is_int(kr_sched_pop(s, &id), KR_NOT_FOUND, "empty queue");
    kr_sched_free(s);

    /* cores: threads are capped, a 2-thread job waits for 2 free cores */
    s = kr_sched_new(4, 2, NULL, 0);
    kr_sched_push(s, 0, 0, 9, 8, NULL, 0);
    kr_sched_push(s, 1, 0, 1, 1, NULL, 0);
    kr_sched_push(s, 2, 0, 0, 1, NULL, 0);
    ok(kr_sched_pop(s, &id) == KR_OK && id == 0, "deepest job first");
    is_int(kr_sched_threads(s, 0), 2, "threads capped at cores");
    is_int(kr_sched_pop(s, &id), KR_NOT_FOUND, "all cores busy");
    kr_sched_release(s, 0);
    ok(kr_sched_pop(s, &id) == KR_OK && id == 1, "then job 1");
    ok(kr_sched_pop(s, &id) == KR_OK && id == 2, "and job 2 alongside");
    is_int(kr_sched_nrunning(s), 2, "two running");
    is_int(kr_sched_free_cores(s), 0, "no free cores");
    kr_sched_free(s);

    /* resources: a big job at the head does not block a small one */
    s = kr_sched_new(4, 4, lim, 2);
    r = mem(800);
    kr_sched_push(s, 0, 0, 9, 1, &r, 1);
    r = mem(600);
    kr_sched_push(s, 1, 0, 8, 1, &r, 1);
    r = mem(200);
    kr_sched_push(s, 2, 0, 7, 1, &r, 1);
    ok(kr_sched_pop(s, &id) == KR_OK && id == 0, "mem 800 first");
    ok(kr_sched_pop(s, &id) == KR_OK && id == 2, "mem 200 fits beside it, 600 does not");
    is_int(kr_sched_pop(s, &id), KR_NOT_FOUND, "600 waits");
    is_int(kr_sched_nready(s), 1, "one job still ready");
    kr_sched_release(s, 0);
    ok(kr_sched_pop(s, &id) == KR_OK && id == 1, "600 runs after 800 released");
    r = mem(5000);
    rc = kr_sched_check(s, &r, 1, &err);
    is_int(rc, KR_EEXEC, "impossible request rejected");
    ok(strstr(err.msg, "needs mem_mb=5000 but only mem_mb=1000 are available") != NULL,
       "message as Snakemake: %s", err.msg);
    r.name = "unlimited_thing";
    is_int(kr_sched_check(s, &r, 1, &err), KR_OK, "resources without a limit are free");
    kr_sched_free(s);

    /* GPUs: indices handed out and returned */
    s = kr_sched_new(4, 4, lim, 2);
    r.name = "gpu";
    r.amount = 2;
    kr_sched_push(s, 0, 0, 0, 1, &r, 1);
    r.amount = 1;
    kr_sched_push(s, 1, 0, 0, 1, &r, 1);
    kr_sched_push(s, 2, 0, 0, 1, &r, 1);
    ok(kr_sched_pop(s, &id) == KR_OK && id == 0, "gpu job 0");
    is_str(kr_sched_gpus(s, 0), "0,1", "job 0 gets devices 0,1");
    ok(kr_sched_pop(s, &id) == KR_OK && id == 1, "gpu job 1");
    is_str(kr_sched_gpus(s, 1), "2", "job 1 gets device 2");
    is_int(kr_sched_pop(s, &id), KR_NOT_FOUND, "no gpu left for job 2");
    kr_sched_release(s, 0);
    ok(kr_sched_pop(s, &id) == KR_OK && id == 2, "job 2 after release");
    is_str(kr_sched_gpus(s, 2), "0", "job 2 reuses device 0");
    kr_sched_free(s);

    /* many jobs: heap order stays right */
    {
        enum { N = 20000 };
        uint32_t prev = UINT32_MAX;
        bool sorted = true;
        s = kr_sched_new(N, 1, NULL, 0);
        for (i = 0; i < N; i++)
            kr_sched_push(s, i, 0, (i * 7919u) % 1000, 1, NULL, 0);
        for (i = 0; i < N; i++) {
            if (kr_sched_pop(s, &id) != KR_OK) {
                sorted = false;
                break;
            }
            if ((id * 7919u) % 1000 > prev)
                sorted = false;
            prev = (id * 7919u) % 1000;
            kr_sched_release(s, id);
        }
        ok(sorted, "20000 jobs come out deepest first");
        kr_sched_free(s);
    }

    /* the dry-run executor reports every submitted job at once */
    {
        const struct kr_executor *ex = kr_executor_find("dryrun");
        struct kr_executor_opts o;
        struct kr_exec_job j;
        struct kr_exec_result res[4];
        void *self;
        char ext[64];
        uint32_t n;
        memset(&o, 0, sizeof o);
        memset(&j, 0, sizeof j);
        ok(ex != NULL, "dryrun executor is listed");
        ok(kr_executor_find("local") != NULL, "local executor is listed");
        ok(kr_executor_find("nonesuch") == NULL, "unknown executor is NULL");
        ex->init(&self, &o, &err);
        for (i = 0; i < 3; i++) {
            j.id = 10 + i;
            j.name = "x";
            ex->submit(self, &j, ext, sizeof ext, &err);
        }
        is_str(ext, "dryrun:12", "external id");
        ex->poll(self, res, 2, &n, 0, &err);
        ok(n == 2 && res[0].id == 10 && res[1].id == 11 && res[0].state == KR_EXEC_OK,
           "first poll: two results");
        ex->poll(self, res, 4, &n, 0, &err);
        ok(n == 1 && res[0].id == 12, "second poll: the third");
        ex->poll(self, res, 4, &n, 0, &err);
        is_int(n, 0, "then nothing");
        ex->shutdown(self);
    }
    /* the local executor: exit codes, logs, env, benchmark, cancel */
    {
        const struct kr_executor *ex = kr_executor_find("local");
        struct kr_executor_opts o;
        struct kr_exec_job j[3];
        struct kr_exec_result res[4];
        struct kr_env env = { "KR_TEST_VAR", "hello" };
        char dir[] = "/tmp/kr-test-local-XXXXXX", path[256], ext[64], buf[512];
        void *self;
        uint32_t n, total = 0;
        FILE *f;
        size_t len;
        double t0;
        bool ok0 = false, ok1 = false;

        memset(&o, 0, sizeof o);
        memset(j, 0, sizeof j);
        ok(mkdtemp(dir) != NULL, "temp dir");
        is_int(ex->init(&self, &o, &err), KR_OK, "local init");
        snprintf(path, sizeof path, "%s/a.log", dir);
        j[0].id = 0; j[0].name = "a"; j[0].workdir = dir; j[0].log_path = kr_strdup(path);
        j[0].command = "echo \"$KR_TEST_VAR $(pwd)\"; echo err >&2";
        j[0].env = &env; j[0].nenv = 1;
        snprintf(path, sizeof path, "%s/a.bench.tsv", dir);
        j[0].benchmark_path = kr_strdup(path);
        j[1].id = 1; j[1].name = "b"; j[1].command = "false | true; exit 3";
        j[2].id = 2; j[2].name = "c"; j[2].command = "trap '' TERM; touch trapped; sleep 30";
        j[2].workdir = dir;
        for (i = 0; i < 3; i++)
            is_int(ex->submit(self, &j[i], ext, sizeof ext, &err), KR_OK, "submit");
        ok(strncmp(ext, "pid:", 4) == 0, "external id is pid:N (%s)", ext);
        while (total < 2) {
            ex->poll(self, res, 4, &n, 5, &err);
            for (i = 0; i < n; i++) {
                if (res[i].id == 0)
                    ok0 = res[i].state == KR_EXEC_OK;
                if (res[i].id == 1)
                    ok1 = res[i].state == KR_EXEC_FAILED && res[i].exit_code == 1;
            }
            total += n;
            if (n == 0)
                break;
        }
        ok(ok0, "job 0 succeeded");
        ok(ok1, "job 1 failed at `false | true` (pipefail) with exit 1");
        snprintf(path, sizeof path, "%s/a.log", dir);
        f = fopen(path, "r");
        len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        buf[len] = 0;
        if (f)
            fclose(f);
        snprintf(path, sizeof path, "hello %s\nerr\n", dir);
        is_str(buf, path, "log has stdout and stderr, env and workdir applied");
        snprintf(path, sizeof path, "%s/a.bench.tsv", dir);
        f = fopen(path, "r");
        len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        buf[len] = 0;
        if (f)
            fclose(f);
        {
            const char *hdr = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\t"
                              "io_out\tmean_load\tcpu_time\n";
            if (!ok(strncmp(buf, hdr, strlen(hdr)) == 0 && strstr(buf, "\t0:00:00\t") &&
                    strstr(buf, "\tNA\tNA\tNA\t"), "benchmark TSV written"))
                diag("%s", buf);
        }
        /* cancel only once the job ignores SIGTERM */
        snprintf(path, sizeof path, "%s/trapped", dir);
        for (i = 0; i < 500 && access(path, F_OK) != 0; i++)
            usleep(10000);
        t0 = kr_now();
        ex->cancel(self, NULL, 0, &err);
        ex->poll(self, res, 4, &n, 10, &err);
        ok(n == 1 && res[0].id == 2 && res[0].state == KR_EXEC_CANCELLED,
           "a job ignoring SIGTERM is cancelled");
        if (!ok(kr_now() - t0 >= 2.5 && kr_now() - t0 < 8, "SIGKILL after the grace period"))
            diag("cancel took %.2f s", kr_now() - t0);
        ex->shutdown(self);
        kr_free((char *)j[0].log_path);
        kr_free((char *)j[0].benchmark_path);
        snprintf(path, sizeof path, "rm -rf %s", dir);
        ok(system(path) == 0, "cleanup");
    }
    return tap_done();
}
