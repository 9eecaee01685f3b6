/*
 * test_slurm.c - unit tests of the SLURM backend's pure halves (no SLURM
 * needed): runtime and memory parsing, resources -> sbatch options,
 * slurm_extra validation, job names, the task script (run with bash here),
 * squeue / sacct / scontrol line parsing, state mapping and the OOM mark.
 * The lines parsed are the ones recorded from the test cluster in
 * tests/slurm/NOTES.md and from squeue -O on it.
 */
#include "slurm.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void runtime_is(const char *s, long long want)
{
    int64_t m = -1;
    struct kr_error e;
    int rc = kr_slurm_parse_runtime(s, &m, &e);
    if (!ok(rc == KR_OK && m == want, "runtime '%s' -> %lld min", s, want))
        diag("rc %d, got %lld: %s", rc, (long long)m, rc ? e.msg : "");
}

static void runtime_bad(const char *s)
{
    int64_t m = -1;
    struct kr_error e;
    int rc = kr_slurm_parse_runtime(s, &m, &e);
    ok(rc == KR_EUSAGE && strstr(e.msg, "is not a duration"), "runtime '%s' refused", s);
}

static void mem_is(const char *s, long long want)
{
    int64_t m = -1;
    struct kr_error e;
    int rc = kr_slurm_parse_mem(s, &m, &e);
    if (!ok(rc == KR_OK && m == want, "mem '%s' -> %lld MB", s, want))
        diag("rc %d, got %lld", rc, (long long)m);
}

/* Options for a job, joined with ' ' (or "ERR: message"). */
static char *args_of(const struct kr_exec_job *job)
{
    struct kr_vec v = KR_VEC_INIT;
    struct kr_buf b = KR_BUF_INIT;
    struct kr_error e;
    size_t i;
    int rc = kr_slurm_resource_args(job, &v, &e);
    if (rc)
        kr_buf_printf(&b, "ERR: %s", e.msg);
    for (i = 0; i < v.len && !rc; i++)
        kr_buf_printf(&b, "%s%s", i ? " " : "", (char *)v.items[i]);
    for (i = 0; i < v.len; i++)
        kr_free(v.items[i]);
    kr_vec_free(&v);
    return kr_buf_steal(&b);
}

static void extra_ok(const char *extra, const char *want)
{
    struct kr_vec v = KR_VEC_INIT;
    struct kr_buf b = KR_BUF_INIT;
    struct kr_error e;
    size_t i;
    int rc = kr_slurm_extra_split(extra, &v, &e);
    for (i = 0; i < v.len; i++)
        kr_buf_printf(&b, "%s[%s]", i ? " " : "", (char *)v.items[i]);
    if (!ok(rc == KR_OK && !strcmp(kr_buf_cstr(&b), want), "slurm_extra '%s' accepted", extra))
        diag("rc %d (%s), got '%s', want '%s'", rc, rc ? e.msg : "", kr_buf_cstr(&b), want);
    for (i = 0; i < v.len; i++)
        kr_free(v.items[i]);
    kr_vec_free(&v);
    kr_buf_free(&b);
}

static void extra_bad(const char *extra, const char *msg_part)
{
    struct kr_vec v = KR_VEC_INIT;
    struct kr_error e;
    int rc = kr_slurm_extra_split(extra, &v, &e);
    char shown[128];
    size_t i;
    snprintf(shown, sizeof shown, "%s", extra);
    for (i = 0; shown[i]; i++)
        if (shown[i] == '\n')
            shown[i] = '~';     /* keep the TAP line one line */
    if (!ok(rc == KR_EUSAGE && v.len == 0 && strstr(e.msg, msg_part),
            "slurm_extra '%s' refused (%s)", shown, msg_part))
        diag("rc %d, %zu tokens, msg '%s'", rc, v.len, rc ? e.msg : "");
    kr_vec_free(&v);
}

static void test_runtime(void)
{
    runtime_is("90", 90);
    runtime_is("90m", 90);
    runtime_is("1h30m", 90);
    runtime_is("1h 30m", 90);
    runtime_is("2d", 2880);
    runtime_is("2 days", 2880);
    runtime_is("1.5h", 90);
    runtime_is("45s", 1);
    runtime_is("61s", 2);
    runtime_is("1w", 10080);
    runtime_is("1:30:00", 90);
    runtime_is("10:30", 11);        /* MM:SS, rounded up */
    runtime_is("1-12", 2160);       /* D-HH */
    runtime_is("1-00:30", 1470);    /* D-HH:MM */
    runtime_is("2-00:00:30", 2881);
    runtime_bad("");
    runtime_bad("soon");
    runtime_bad("10 parsecs");
    runtime_bad("1h30");            /* a bare number only alone */
    runtime_bad("1:2:3:4");
    runtime_bad("-5");
    runtime_bad("1h;rm -rf /");
}

static void test_mem(void)
{
    int64_t m;
    mem_is("2000", 2000);
    mem_is("4G", 4000);
    mem_is("4GB", 4000);
    mem_is("4 GB", 4000);
    mem_is("2GiB", 2148);           /* 2147.48 MB rounded up */
    mem_is("500MB", 500);
    mem_is("1.5g", 1500);
    mem_is("512KiB", 1);
    ok(kr_slurm_parse_mem("lots", &m, NULL) == KR_EUSAGE, "mem 'lots' refused");
    ok(kr_slurm_parse_mem("4 XB", &m, NULL) == KR_EUSAGE, "mem '4 XB' refused");
}

static void test_resources(void)
{
    struct kr_resource_kv res[] = {
        {"slurm_partition", 0, "debug"}, {"slurm_account", 0, "lab-1"},
        {"slurm_qos", 0, "normal"}, {"constraint", 0, "avx2&ib"},
    };
    struct kr_resource_kv res2[] = {
        {"mem", 0, "2GB"}, {"runtime", 0, "1h30m"}, {"gpu", 2, NULL},
        {"slurm_extra", 0, "--exclusive --nice=10 -N 1"},
    };
    struct kr_resource_kv res3[] = {{"slurm_partition", 0, "debug;touch /tmp/x"}};
    struct kr_resource_kv res4[] = {{"runtime", 0, "forever"}};
    struct kr_resource_kv res5[] = {{"slurm_extra", 0, "--wrap=hostname"}};
    struct kr_resource_kv res6[] = {{"runtime", 45, NULL}, {"slurm_partition", 0, "debug"}};
    struct kr_exec_job job;
    char *s;

    memset(&job, 0, sizeof job);
    job.name = "map.sample=A";
    job.threads = 4;
    job.mem_mb = 1000;
    job.runtime_min = 90;
    job.gpus = 1;
    s = args_of(&job);
    is_str(s, "--cpus-per-task=4 --mem=1000M --time=90 --gres=gpu:1", "threads, mem_mb, runtime, gpus");
    kr_free(s);

    job.res = res4;     /* runtime_min wins over the resource */
    job.nres = 1;
    s = args_of(&job);
    is_str(s, "--cpus-per-task=4 --mem=1000M --time=90 --gres=gpu:1",
           "typed fields win over resources");
    kr_free(s);

    memset(&job, 0, sizeof job);
    job.name = "x";
    job.res = res;
    job.nres = 4;
    s = args_of(&job);
    is_str(s, "ERR: job x: resource constraint='avx2&ib' may use only letters, digits and _.,:=+/@%-",
           "constraint with '&' refused");
    kr_free(s);
    res[3].sval = "avx2";
    s = args_of(&job);
    is_str(s, "--partition=debug --account=lab-1 --qos=normal --constraint=avx2",
           "partition, account, qos, constraint");
    kr_free(s);

    job.res = res2;
    job.nres = 4;
    job.threads = 1;
    s = args_of(&job);
    is_str(s, "--cpus-per-task=1 --mem=2000M --time=90 --gres=gpu:2 --exclusive --nice=10 -N 1",
           "mem/runtime strings, gpu resource, slurm_extra");
    kr_free(s);

    job.res = res3;
    job.nres = 1;
    s = args_of(&job);
    ok(!strncmp(s, "ERR: job x: resource slurm_partition=", 37), "partition with ';' refused: %s", s);
    kr_free(s);

    job.res = res4;
    s = args_of(&job);
    ok(strstr(s, "ERR: ") && strstr(s, "resource runtime") && strstr(s, "'forever'"),
       "bad runtime string refused: %s", s);
    kr_free(s);

    job.res = res5;
    s = args_of(&job);
    is_str(s, "ERR: job x: slurm_extra: option --wrap is set by krait or not allowed",
           "slurm_extra --wrap refused");
    kr_free(s);

    job.res = res6;
    job.nres = 2;
    job.threads = 0;
    s = args_of(&job);
    is_str(s, "--time=45 --partition=debug", "runtime as int resource; no threads -> no -c");
    kr_free(s);
}

static void test_extra(void)
{
    extra_ok("--exclusive", "[--exclusive]");
    extra_ok("  --nice=10   --requeue ", "[--nice=10] [--requeue]");
    extra_ok("--gres gpu:a100:2 -N 1", "[--gres] [gpu:a100:2] [-N] [1]");
    extra_ok("--mail-user=me@example.org --mail-type=END,FAIL",
             "[--mail-user=me@example.org] [--mail-type=END,FAIL]");
    extra_ok("", "");
    extra_bad("--wrap=hostname", "option --wrap is set by krait");
    extra_bad("--array=1-3", "option --array");
    extra_bad("--output=/etc/passwd", "option --output");
    extra_bad("-o /tmp/x", "option -o");
    extra_bad("-D /", "option -D");
    extra_bad("--comment=$(reboot)", "is not an option of the form");
    extra_bad("--comment=`id`", "is not an option of the form");
    extra_bad("--comment='a b'", "is not an option of the form");
    extra_bad("--x=1;reboot", "is not an option of the form");
    extra_bad("--x=1\n#SBATCH --wrap=id", "is not an option of the form");
    extra_bad("--Bad=1", "is not an option of the form");
    extra_bad("hostname", "is not an option or an option's value");
    extra_bad("--nice=1 5", "is not an option or an option's value");
    extra_bad("-xyz", "write short options as '-X value'");
    extra_bad("--exclusive |", "is not an option or an option's value");
}

static void test_job_name(void)
{
    char buf[64];
    kr_slurm_job_name("map.sample=A", buf, sizeof buf);
    is_str(buf, "krait.map.sample=A", "job name kept");
    kr_slurm_job_name("map sample=A/B;$x", buf, sizeof buf);
    is_str(buf, "krait.map_sample=A_B__x", "job name sanitised");
    kr_slurm_job_name("abcdefghijklmnopqrstuvwxyz", buf, 16);
    is_str(buf, "krait.abcdefghi", "job name cut to the buffer");
    kr_slurm_job_name(NULL, buf, sizeof buf);
    is_str(buf, "krait.", "no name");
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    struct kr_buf b = KR_BUF_INIT;
    char tmp[4096];
    size_t n;
    if (!f)
        return kr_strdup("(missing)");
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        kr_buf_append(&b, tmp, n);
    fclose(f);
    return kr_buf_steal(&b);
}

static void test_script(void)
{
    char dir[] = "/tmp/krait-test-slurm-XXXXXX";
    struct kr_env env[] = {{"GREETING", "it's \"$HOME\" `x`"}, {"N", "3"}};
    struct kr_env badenv[] = {{"A;B", "x"}};
    struct kr_exec_job job;
    struct kr_buf b = KR_BUF_INIT;
    struct kr_error e;
    char *path, *log, *bench, *cmd, *got;
    int rc, st;

    if (!mkdtemp(dir)) {
        ok(0, "mkdtemp");
        return;
    }
    path = kr_asprintf("%s/task.sh", dir);
    log = kr_asprintf("%s/log/job.log", dir);
    bench = kr_asprintf("%s/bench.tsv", dir);
    memset(&job, 0, sizeof job);
    job.id = 7;
    job.name = "greet.n=3";
    job.workdir = dir;
    job.attempt = 1;
    job.env = env;
    job.nenv = 2;
    job.command = "printf '%s|%s|%s\\n' \"$GREETING\" \"$N\" \"$(basename \"$PWD\")\" > out.txt; "
                  "echo to-log; echo err-to-log >&2; true | true";
    rc = kr_slurm_task_script(&job, log, &b, &e);
    ok(rc == KR_OK, "task script written");
    ok(!strncmp(kr_buf_cstr(&b), "#!/bin/bash\n# krait job 7, attempt 1: greet.n=3\n", 48),
       "script starts with a shebang and names the job");
    ok(strstr(kr_buf_cstr(&b), "exec bash -euo pipefail -c '") != NULL,
       "command run with bash -euo pipefail -c");
    {
        FILE *f = fopen(path, "w");
        fputs(kr_buf_cstr(&b), f);
        fclose(f);
    }
    mkdir(got = kr_asprintf("%s/log", dir), 0755);
    kr_free(got);
    cmd = kr_asprintf("cd / && bash %s", path);
    st = system(cmd);
    kr_free(cmd);
    is_int(WEXITSTATUS(st), 0, "script runs and exits 0");
    cmd = kr_asprintf("%s/out.txt", dir);
    got = slurp(cmd);
    kr_free(cmd);
    cmd = kr_asprintf("it's \"$HOME\" `x`|3|%s\n", strrchr(dir, '/') + 1);
    is_str(got, cmd, "ran in the workdir with the job's environment, nothing expanded twice");
    kr_free(cmd);
    kr_free(got);
    got = slurp(log);
    is_str(got, "to-log\nerr-to-log\n", "stdout and stderr redirected to the task log");
    kr_free(got);

    /* a failing command: -e and pipefail, the exit code passes through */
    kr_buf_reset(&b);
    job.command = "false | true; exit 0";
    job.env = NULL;
    job.nenv = 0;
    kr_slurm_task_script(&job, NULL, &b, &e);
    {
        FILE *f = fopen(path, "w");
        fputs(kr_buf_cstr(&b), f);
        fclose(f);
    }
    cmd = kr_asprintf("bash %s >/dev/null 2>&1", path);
    st = system(cmd);
    kr_free(cmd);
    is_int(WEXITSTATUS(st), 1, "pipefail: 'false | true' fails the job");

    /* benchmark: exit code kept, TSV written */
    kr_buf_reset(&b);
    job.command = "exit 4";
    job.benchmark_path = bench;
    kr_slurm_task_script(&job, NULL, &b, &e);
    {
        FILE *f = fopen(path, "w");
        fputs(kr_buf_cstr(&b), f);
        fclose(f);
    }
    cmd = kr_asprintf("bash %s >/dev/null 2>&1", path);
    st = system(cmd);
    kr_free(cmd);
    is_int(WEXITSTATUS(st), 4, "benchmarked command keeps its exit code");
    got = slurp(bench);
    {
        const char *head = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out"
                           "\tmean_load\tcpu_time\n0.";
        ok(!strncmp(got, head, strlen(head)) &&
           strstr(got, "\t0:00:00\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n"), "benchmark TSV written");
    }
    kr_free(got);

    kr_buf_reset(&b);
    job.env = badenv;
    job.nenv = 1;
    rc = kr_slurm_task_script(&job, NULL, &b, &e);
    ok(rc == KR_EUSAGE && strstr(e.msg, "'A;B' is not an identifier"), "bad env name refused");

    kr_buf_reset(&b);
    kr_buf_put_squoted(&b, "a'b");
    is_str(kr_buf_cstr(&b), "'a'\\''b'", "shell quote");

    cmd = kr_asprintf("rm -rf %s", dir);
    st = system(cmd);
    KR_UNUSED(st);
    kr_free(cmd);
    kr_free(path);
    kr_free(log);
    kr_free(bench);
    kr_buf_free(&b);
}

static void test_squeue(void)
{
    struct kr_slurm_status st;
    is_int(kr_slurm_parse_squeue_line("3|3|FAILED|NonZeroExitCode|768|", &st), KR_OK, "squeue line");
    ok(!strcmp(st.id, "3") && !strcmp(st.plain_id, "3") && !strcmp(st.state, "FAILED") &&
       !strcmp(st.reason, "NonZeroExitCode") && st.have_exit && st.exit_code == 3 &&
       st.signal == 0, "squeue FAILED 768 -> exit 3");
    kr_slurm_parse_squeue_line("4_2|7|FAILED|NonZeroExitCode|512|2026-11-21T06:17:02|2026-11-21T06:17:03|", &st);
    ok(!strcmp(st.id, "4_2") && !strcmp(st.plain_id, "7") && st.exit_code == 2,
       "array task: id 4_2, plain id 7, exit 2");
    kr_slurm_parse_squeue_line("8|8|FAILED|JobLaunchFailure|9|", &st);
    ok(st.have_exit && st.signal == 9 && st.exit_code == 0, "signal 9 from wait status 9");
    kr_slurm_parse_squeue_line("  4_1 | 4 | PENDING | Resources | 0 |", &st);
    ok(!strcmp(st.id, "4_1") && !strcmp(st.state, "PENDING") && !strcmp(st.reason, "Resources"),
       "blanks around fields ignored");
    kr_slurm_parse_squeue_line("9|9|CANCELLED|None|15|", &st);
    ok(st.signal == 15, "cancelled: signal 15");
    is_int(kr_slurm_parse_squeue_line("slurm_load_jobs error: Invalid job id specified", &st),
           KR_NOT_FOUND, "error line skipped");
    is_int(kr_slurm_parse_squeue_line("4_[1-3]|4|PENDING|Priority|0|", &st), KR_NOT_FOUND,
           "unsplit array range skipped (krait asks with -r)");
    is_int(kr_slurm_parse_squeue_line("", &st), KR_NOT_FOUND, "empty line skipped");
    kr_slurm_parse_squeue_line("5|5|RUNNING|None|N/A|", &st);
    ok(!st.have_exit && !strcmp(st.state, "RUNNING"), "exit code N/A: unknown");
}

static void test_sacct(void)
{
    struct kr_slurm_status st;
    is_int(kr_slurm_parse_sacct_line("2|FAILED|3:0", &st), KR_OK, "sacct --completion line");
    ok(!strcmp(st.id, "2") && !strcmp(st.plain_id, "2") && st.exit_code == 3 && st.signal == 0,
       "sacct FAILED 3:0");
    kr_slurm_parse_sacct_line("123_4|CANCELLED by 0|0:15", &st);
    ok(!strcmp(st.id, "123_4") && !st.plain_id[0] && !strcmp(st.state, "CANCELLED") &&
       st.signal == 15, "sacct with accounting: 'CANCELLED by 0', task id");
    kr_slurm_parse_sacct_line("8|TIMEOUT|0:0", &st);
    ok(!strcmp(st.state, "TIMEOUT") && st.have_exit, "sacct TIMEOUT 0:0");
    is_int(kr_slurm_parse_sacct_line("sacct: error: Unknown type ArrayJobId: 9", &st),
           KR_NOT_FOUND, "sacct error line skipped");
    is_int(kr_slurm_parse_sacct_line("127.batch|COMPLETED|0:0", &st), KR_NOT_FOUND,
           "step line skipped");
    is_int(kr_slurm_parse_sacct_line("JobID|State|ExitCode", &st), KR_NOT_FOUND, "header skipped");
}

static void test_scontrol(void)
{
    struct kr_slurm_status st;
    const char *line = "JobId=6 ArrayJobId=4 ArrayTaskId=1 JobName=wrap UserId=root(0) "
                       "JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 "
                       "Restarts=0 BatchFlag=1 Reboot=0 ExitCode=1:0 RunTime=00:00:01";
    is_int(kr_slurm_parse_scontrol_line(line, &st), KR_OK, "scontrol -o line");
    ok(!strcmp(st.id, "4_1") && !strcmp(st.plain_id, "6") && !strcmp(st.state, "FAILED") &&
       !strcmp(st.reason, "NonZeroExitCode") && st.exit_code == 1, "scontrol array task 4_1 exit 1");
    kr_slurm_parse_scontrol_line("JobId=8 JobName=t UserId=root(0) JobState=TIMEOUT "
                                 "Reason=TimeLimit ExitCode=0:15 TimeLimit=00:01:00", &st);
    ok(!strcmp(st.id, "8") && !strcmp(st.state, "TIMEOUT") && st.signal == 15,
       "scontrol TIMEOUT 0:15");
    is_int(kr_slurm_parse_scontrol_line("No jobs in the system", &st), KR_NOT_FOUND,
           "scontrol without a job");
}

static struct kr_exec_result map(const char *state, const char *reason, int code, int sig,
                                 bool have, bool oom, bool by_krait)
{
    struct kr_slurm_status st;
    struct kr_exec_result r;
    memset(&st, 0, sizeof st);
    memset(&r, 0, sizeof r);
    snprintf(st.state, sizeof st.state, "%s", state);
    snprintf(st.reason, sizeof st.reason, "%s", reason);
    st.exit_code = code;
    st.signal = sig;
    st.have_exit = have;
    kr_slurm_fill_result(&st, oom, by_krait, ".krait/log/j.log", &r);
    return r;
}

static void test_states(void)
{
    struct kr_exec_result r;
    is_int(kr_slurm_state_class("PENDING"), KR_SLURM_ACTIVE, "PENDING active");
    is_int(kr_slurm_state_class("COMPLETING"), KR_SLURM_ACTIVE, "COMPLETING active");
    is_int(kr_slurm_state_class("REQUEUED"), KR_SLURM_ACTIVE, "REQUEUED active");
    is_int(kr_slurm_state_class("COMPLETED"), KR_SLURM_FINAL, "COMPLETED final");
    is_int(kr_slurm_state_class("DEADLINE"), KR_SLURM_FINAL, "DEADLINE final");
    is_int(kr_slurm_state_class("WEIRD"), KR_SLURM_UNKNOWN, "unknown state");

    r = map("COMPLETED", "None", 0, 0, true, false, false);
    ok(r.state == KR_EXEC_OK, "COMPLETED -> OK");
    is_str(r.detail, "COMPLETED (log: .krait/log/j.log)", "detail names the log");
    r = map("FAILED", "NonZeroExitCode", 3, 0, true, false, false);
    ok(r.state == KR_EXEC_FAILED && r.exit_code == 3, "FAILED 3:0 -> FAILED exit 3");
    is_str(r.detail, "FAILED: exit code 3 (log: .krait/log/j.log)", "FAILED detail");
    r = map("FAILED", "JobLaunchFailure", 0, 9, true, false, false);
    ok(r.state == KR_EXEC_SIGNALED && r.signal == 9, "FAILED 0:9 -> SIGNALED 9");
    r = map("FAILED", "JobLaunchFailure", 0, 9, true, true, false);
    ok(r.state == KR_EXEC_OOM, "FAILED 0:9 with the memory mark -> OOM");
    is_str(r.detail, "OUT_OF_MEMORY: the job exceeded its memory limit and was killed "
           "(log: .krait/log/j.log)", "OOM detail");
    r = map("OUT_OF_MEMORY", "OutOfMemory", 0, 0, true, false, false);
    ok(r.state == KR_EXEC_OOM, "OUT_OF_MEMORY -> OOM");
    r = map("TIMEOUT", "TimeLimit", 0, 15, true, false, false);
    ok(r.state == KR_EXEC_TIMEOUT, "TIMEOUT -> TIMEOUT");
    is_str(r.detail, "TIMEOUT: the job reached its time limit (log: .krait/log/j.log)", "TIMEOUT detail");
    r = map("NODE_FAIL", "NodeDown", 0, 0, true, false, false);
    ok(r.state == KR_EXEC_NODE_FAIL, "NODE_FAIL -> NODE_FAIL");
    r = map("PREEMPTED", "None", 0, 0, true, false, false);
    ok(r.state == KR_EXEC_PREEMPTED, "PREEMPTED -> PREEMPTED");
    r = map("CANCELLED", "None", 0, 15, true, false, false);
    ok(r.state == KR_EXEC_CANCELLED, "CANCELLED -> CANCELLED");
    is_str(r.detail, "CANCELLED from outside krait (log: .krait/log/j.log)", "cancelled from outside");
    r = map("CANCELLED", "None", 0, 15, true, false, true);
    is_str(r.detail, "CANCELLED by krait (log: .krait/log/j.log)", "cancelled by krait");
    r = map("BOOT_FAIL", "NodeFail", 0, 0, true, false, false);
    ok(r.state == KR_EXEC_FAILED && r.exit_code == 1, "BOOT_FAIL -> FAILED");
    is_str(r.detail, "BOOT_FAIL: NodeFail (log: .krait/log/j.log)", "BOOT_FAIL detail");
    r = map("DEADLINE", "", 0, 0, false, false, false);
    ok(r.state == KR_EXEC_FAILED, "DEADLINE -> FAILED");
    r = map("FAILED", "BadConstraints", 0, 0, false, false, false);
    ok(r.state == KR_EXEC_FAILED && r.exit_code == -1, "FAILED without exit code: -1");
}

static void test_oom_mark(void)
{
    char path[] = "/tmp/krait-test-oom-XXXXXX";
    int fd = mkstemp(path);
    const char *oom = "allocating\nslurmstepd-vm: error: StepId=5.batch exceeded memory "
                      "limit (434733056 > 104857600), being killed\n";
    ssize_t w;
    if (fd < 0) {
        ok(0, "mkstemp");
        return;
    }
    w = write(fd, "plain output\n", 13);
    KR_UNUSED(w);
    ok(!kr_slurm_log_says_oom(path), "ordinary log: no memory mark");
    w = write(fd, oom, strlen(oom));
    KR_UNUSED(w);
    close(fd);
    ok(kr_slurm_log_says_oom(path), "slurmstepd's 'exceeded memory limit' found");
    unlink(path);
    ok(!kr_slurm_log_says_oom(path), "missing log: no mark");
    ok(!kr_slurm_log_says_oom(NULL), "no log: no mark");
}

/* write an executable shell script */
static void write_exe(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    chmod(path, 0755);
}

/*
 * The vtable against fake sbatch/squeue/sacct on PATH: sbatch's job id is
 * parsed, and a controller that never answers ends in an error after ten
 * failed status queries, then every job is reported LOST.
 */
static void test_fake_slurm(void)
{
    extern const struct kr_executor kr_executor_slurm;
    const struct kr_executor *ex = &kr_executor_slurm;
    char dir[] = "/tmp/krait-test-fakeslurm-XXXXXX";
    const char *args[] = {"slurm-poll-min=0.05"};
    struct kr_executor_opts o;
    struct kr_exec_job job;
    struct kr_exec_result r[4];
    struct kr_error e;
    char ext[64], *p, *oldpath, *cmd;
    void *S = NULL;
    uint32_t n = 0;
    int rc = KR_OK, polls = 0, st;

    if (!mkdtemp(dir)) {
        ok(0, "mkdtemp");
        return;
    }
    p = kr_asprintf("%s/sbatch", dir);
    write_exe(p, "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/sbatch.args\"\necho '42;cluster'\n");
    kr_free(p);
    p = kr_asprintf("%s/squeue", dir);
    write_exe(p, "#!/bin/sh\necho 'squeue: error: Unable to contact slurm controller' >&2\nexit 1\n");
    kr_free(p);
    p = kr_asprintf("%s/scancel", dir);
    write_exe(p, "#!/bin/sh\nexit 0\n");
    kr_free(p);
    oldpath = kr_strdup(getenv("PATH"));
    p = kr_asprintf("%s:%s", dir, oldpath);
    setenv("PATH", p, 1);
    kr_free(p);

    memset(&o, 0, sizeof o);
    o.poll_interval = 0.05;
    o.state_dir = dir;
    o.backend_args = args;
    o.nbackend_args = 1;
    rc = ex->init(&S, &o, &e);
    ok(rc == KR_OK, "fake SLURM: init");
    memset(&job, 0, sizeof job);
    job.id = 3;
    job.name = "j";
    job.command = "true";
    job.workdir = dir;
    job.threads = 1;
    rc = S ? ex->submit(S, &job, ext, sizeof ext, &e) : KR_EEXEC;
    ok(rc == KR_OK && !strcmp(ext, "42"), "sbatch --parsable '42;cluster' -> external id 42");
    p = kr_asprintf("%s/sbatch.args", dir);
    cmd = slurp(p);
    ok(!strncmp(cmd, "--parsable --job-name=krait.j --chdir=", 38) && strstr(cmd, "--cpus-per-task=1 ") &&
       strstr(cmd, "/slurm/job-"), "sbatch argv: %.*s", (int)strcspn(cmd, "\n"), cmd);
    kr_free(cmd);
    kr_free(p);
    while (rc == KR_OK && polls < 100) {
        rc = ex->poll(S, r, 4, &n, 0.2, &e);
        polls++;
    }
    ok(rc == KR_EEXEC && strstr(e.msg, "10 status queries in a row failed: squeue failed (exit 1): "
                                "squeue: error: Unable to contact slurm controller"),
       "squeue failing: an error after 10 queries (%s)", rc ? e.msg : "no error");
    rc = ex->poll(S, r, 4, &n, 0, &e);
    ok(rc == KR_OK && n == 1 && r[0].id == 3 && r[0].state == KR_EXEC_LOST &&
       strstr(r[0].detail, "SLURM did not answer status queries"), "then the job is LOST");
    rc = ex->poll(S, r, 4, &n, 0, &e);
    ok(rc == KR_OK && n == 0, "and nothing is left to poll");
    if (S)
        ex->shutdown(S);
    setenv("PATH", oldpath, 1);
    kr_free(oldpath);
    cmd = kr_asprintf("rm -rf %s", dir);
    st = system(cmd);
    KR_UNUSED(st);
    kr_free(cmd);
}

int main(void)
{
    test_runtime();
    test_mem();
    test_resources();
    test_extra();
    test_job_name();
    test_script();
    test_squeue();
    test_sacct();
    test_scontrol();
    test_states();
    test_oom_mark();
    test_fake_slurm();
    return tap_done();
}
