/*
 * test_exec.c - what the executors share (executors/executor.c): the timed
 * command text of the job scripts, run by bash, writing the benchmark TSV to
 * a file or, for an isolated job, as a marker line on stdout; and
 * kr_exec_land_output turning an isolated job's output back into its log
 * and benchmark files (the marker line and the blank line before it gone;
 * output without a final newline; no marker; a marker-like line in the
 * middle of the output; an unwritable log).
 */
#include "executor.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Run script with bash; its stdout into *out (malloc'd). Exit status. */
static int run_bash(const char *script, char **out)
{
    char path[128], cmd[300];
    FILE *f;
    size_t n = 0, cap = 4096;
    int st;
    snprintf(path, sizeof path, "%s/s.sh", dir);
    f = fopen(path, "w");
    fputs(script, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "bash %s", path);
    f = popen(cmd, "r");
    *out = malloc(cap);
    while (f && !feof(f)) {
        n += fread(*out + n, 1, cap - n - 1, f);
        if (n + 1 >= cap)
            *out = realloc(*out, cap *= 2);
    }
    (*out)[n] = '\0';
    st = f ? pclose(f) : -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *b;
    size_t n;
    if (!f)
        return NULL;
    b = calloc(1, 65536);
    n = fread(b, 1, 65535, f);
    b[n] = '\0';
    fclose(f);
    return b;
}

int main(void)
{
    struct kr_buf b;
    struct kr_error e;
    char *out, *txt, logp[128], benchp[128], bench2[128];
    int rc;

    snprintf(dir, sizeof dir, "/tmp/kr-test-exec.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(logp, sizeof logp, "%s/job.log", dir);
    snprintf(benchp, sizeof benchp, "%s/bench.tsv", dir);
    snprintf(bench2, sizeof bench2, "%s/direct.tsv", dir);

    /* shared file system: the TSV goes to the file */
    kr_buf_init(&b);
    kr_exec_put_timed(&b, "echo it\\'s; exit 3", bench2, 0);
    kr_buf_puts(&b, "exit $rc\n");
    rc = run_bash(kr_buf_cstr(&b), &out);
    is_int(rc, 3, "the timed command's exit status is the script's");
    is_str(out, "it's\n", "its output is the command's only");
    txt = slurp(bench2);
    ok(txt && !strncmp(txt, "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\t"
                       "mean_load\tcpu_time\n0.", strlen("s\th:m:s\tmax_rss\tmax_vms\tmax_uss"
                       "\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n0.")),
       "the benchmark TSV is written to its path (header, then seconds)");
    ok(txt && strstr(txt, "\t0:00:00\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n"), "... h:m:s, then NA");
    free(txt);
    free(out);

    /* isolated: the record is a marker line on stdout, landed by krait */
    kr_buf_reset(&b);
    kr_exec_put_timed(&b, "printf 'no newline'; sleep 0.2", NULL, 0);
    kr_buf_puts(&b, "exit $rc\n");
    rc = run_bash(kr_buf_cstr(&b), &out);
    is_int(rc, 0, "isolated: the timed command succeeds");
    ok(strstr(out, "no newline\n##krait-benchmark## 0.2") != NULL, "isolated: the marker follows the output");
    kr_error_clear(&e);
    is_int(kr_exec_land_output(out, strlen(out), logp, benchp, &e), KR_OK, "landing succeeds");
    txt = slurp(logp);
    is_str(txt, "no newline", "the log is the job's output without the marker line");
    free(txt);
    txt = slurp(benchp);
    ok(txt && strstr(txt, "cpu_time\n0.2") && strstr(txt, "\t0:00:00\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n"),
       "the marker became the benchmark TSV");
    free(txt);
    free(out);

    /* a marker-like line from the job in the middle; the last one counts */
    unlink(benchp);
    txt = "a\n##krait-benchmark## 9\t0:00:09\nb\n\n##krait-benchmark## 1.5000\t0:00:01\n";
    is_int(kr_exec_land_output(txt, strlen(txt), logp, benchp, &e), KR_OK, "landing two markers");
    out = slurp(logp);
    is_str(out, "a\n##krait-benchmark## 9\t0:00:09\nb\n", "only the last marker line is taken out");
    free(out);
    out = slurp(benchp);
    ok(out && strstr(out, "cpu_time\n1.5000\t0:00:01\tNA"), "... and it is the record");
    free(out);

    /* benchmark: repeat(path, 3): three runs, three rows (file and marker) */
    kr_buf_reset(&b);
    kr_exec_put_timed(&b, "echo run >> runs.txt", bench2, 3);
    kr_buf_puts(&b, "exit $rc\n");
    unlink("runs.txt");
    rc = run_bash(kr_buf_cstr(&b), &out);
    is_int(rc, 0, "repeat 3: the script succeeds");
    free(out);
    out = slurp("runs.txt");
    is_str(out, "run\nrun\nrun\n", "... the command ran three times");
    free(out);
    out = slurp(bench2);
    ok(out && !strncmp(out, "s\th:m:s\t", 8) && strstr(out, "\n0.") &&
       strchr(strstr(out, "\n0.") + 1, '\n') &&
       count_lines(out) == 4, "... a header and three rows in the TSV");
    free(out);
    kr_buf_reset(&b);
    kr_exec_put_timed(&b, "echo run >> runs.txt; [ $(wc -l < runs.txt) -lt 5 ]", NULL, 3);
    kr_buf_puts(&b, "exit $rc\n");
    rc = run_bash(kr_buf_cstr(&b), &out);
    is_int(rc, 1, "repeat 3, isolated: the second run fails, the script fails");
    unlink(benchp);
    is_int(kr_exec_land_output(out, strlen(out), logp, benchp, &e), KR_OK, "... its output lands");
    free(out);
    out = slurp(benchp);
    ok(out && count_lines(out) == 3, "... with a row for each of the two runs that happened");
    free(out);
    unlink("runs.txt");

    /* no marker: all of it is the log, no benchmark file */
    unlink(benchp);
    txt = "just output\n";
    is_int(kr_exec_land_output(txt, strlen(txt), logp, benchp, &e), KR_OK, "landing without a marker");
    out = slurp(logp);
    is_str(out, "just output\n", "the log is the whole output");
    free(out);
    ok(access(benchp, F_OK) != 0, "no benchmark file is made up");
    is_int(kr_exec_land_output("", 0, logp, NULL, &e), KR_OK, "an empty output lands");
    out = slurp(logp);
    is_str(out, "", "as an empty log");
    free(out);

    /* an unwritable log is an error naming the file */
    kr_error_clear(&e);
    is_int(kr_exec_land_output("x", 1, "/nonexistent-dir/x.log", NULL, &e), KR_EIO,
           "a log that cannot be written is KR_EIO");
    ok(strstr(e.msg, "/nonexistent-dir/x.log") != NULL, "... naming the file");

    kr_buf_free(&b);
    unlink(logp);
    unlink(benchp);
    unlink(bench2);
    snprintf(logp, sizeof logp, "%s/s.sh", dir);
    unlink(logp);
    rmdir(dir);
    return tap_done();
}
