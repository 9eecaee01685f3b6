/*
 * test_stage_remote.c - the presigned-staging wrapper (src/stage-remote.c),
 * run by bash against a stub curl that serves the URLs it is given (read
 * from its standard input, as the wrapper passes them): paths and keys with
 * spaces, quotes, $ and backquotes arrive where the command expects them;
 * the command's exit code and a killed command are passed on and nothing is
 * uploaded then; S3 errors become one line with S3's code and message; no
 * URL ever appears in the wrapper's output nor in any argv of curl; the
 * scratch directory is removed; the AWS keys are not in the command's
 * environment; a big script is packed (gzip, base64) and runs the same;
 * URL expiry from the job's runtime.
 */
#include "stage-remote.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

static char *slurp(const char *name)
{
    static char buf[65536];
    char path[512];
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "r");
    if (!f)
        return NULL;
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void spit(const char *name, const char *text, mode_t mode)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

/* Run the script in dir with the stub first on PATH; the exit status. */
static int run(const char *script)
{
    char cmd[1024];
    int st;
    spit("wrapper.sh", script, 0600);
    snprintf(cmd, sizeof cmd, "cd '%s' && rm -f stderr && mkdir -p tmp && "
             "AWS_SECRET_ACCESS_KEY=topsecret AWS_ACCESS_KEY_ID=AKIDX PATH=\"$PWD/bin:$PATH\" "
             "STUB=\"$PWD\" TMPDIR=\"$PWD/tmp\" bash -euo pipefail -c \"$(cat wrapper.sh)\" "
             "2>stderr >stdout", dir);
    st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char stub[] =
    "#!/bin/sh\n"
    "printf '%s\\n' \"$*\" >> \"$STUB/argv.log\"\n"
    "url=$(sed -n 's/^url = \"\\(.*\\)\"$/\\1/p')\n"
    "out=; up=; hdr=\n"
    "while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift;; -T) up=$2; shift;; "
    "-D) hdr=$2; shift;; esac; shift; done\n"
    "case $url in\n"
    "*/get-hello*) printf 'hello\\n' > \"$out\"; printf 200 ;;\n"
    "*/put-*) n=${url#*/put-}; n=${n%%\\?*}; cp \"$up\" \"$STUB/put-$n\"\n"
    "    printf 'HTTP/1.1 200 OK\\r\\nETag: \"%s\"\\r\\n\\r\\n' \"$(md5sum < \"$up\" | cut -c1-32)\" "
    "> \"$hdr\"; printf 200 ;;\n"
    "*/deny*) printf '<?xml version=\"1.0\"?>\\n<Error><Code>AccessDenied</Code><Message>Request has "
    "expired</Message>\\n<CanonicalRequest>GET %s</CanonicalRequest></Error>' \"$url\" > \"$out\"; "
    "printf 403 ;;\n"
    "*/down*) echo \"curl: (7) Failed to connect to $url\" >&2; printf 000; exit 7 ;;\n"
    "esac\n";

int main(void)
{
    struct kr_arena a;
    const char *odd_in = "R/s3/bkt/it's a \"q\" $x `y`.txt";
    const char *odd_out = "R/s3/bkt/out dir/it's $(out).txt";
    struct kr_stage_remote_file in = {
        "s3://bkt/it's a \"q\" $x `y`.txt", odd_in,
        "http://stub/get-hello?X-Amz-Credential=AKIDX&X-Amz-Signature=SIGSECRET1", 6,
        "b1946ac92492d2347c6235b4d2611184", false};
    struct kr_stage_remote_file out[2] = {
        {"s3://bkt/out dir/it's $(out).txt", odd_out,
         "http://stub/put-1?X-Amz-Signature=SIGSECRET2", -1, NULL, false},
        {"s3://bkt/flag", "R/s3/bkt/flag", "http://stub/put-2?X-Amz-Signature=SIGSECRET3", -1,
         NULL, true}};
    struct kr_stage_remote_job rj = {.command = NULL, .in = &in, .nin = 1, .out = out, .nout = 2,
                                     .attempts = 2, .expires = 600};
    const char *s, *e, *argvlog;
    char path[512], cmd[600];

    kr_arena_init(&a);
    snprintf(dir, sizeof dir, "/tmp/krait-test-stage-remote.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/bin", dir);
    mkdir(path, 0700);
    spit("bin/curl", stub, 0700);

    /* the command sees the same paths as under shared staging */
    rj.command = "tr a-z A-Z < 'R/s3/bkt/it'\\''s a \"q\" $x `y`.txt' > 'R/s3/bkt/out dir/it'\\''s "
                 "$(out).txt'; env > env.txt";
    s = kr_stage_remote_script(&rj, &a);
    ok(strstr(s, "SIGSECRET1") && !strstr(strstr(s, "SIGSECRET1") + 1, "SIGSECRET1"),
       "each URL is in the script once");
    is_int(run(s), 0, "the wrapped job succeeds");
    e = slurp("stderr");
    ok(e && !strstr(e, "SIGSECRET") && !strstr(e, "X-Amz"), "nothing it printed has a URL");
    snprintf(path, sizeof path, "%s/%s", dir, odd_in);
    ok(access(path, F_OK) == 0, "the input landed at the odd path the command reads");
    is_str(slurp("put-1"), "HELLO\n", "the output was uploaded from the odd path");
    ok(slurp("put-2") && !*slurp("put-2"), "a touch() output is created and uploaded");
    argvlog = slurp("argv.log");
    ok(argvlog && !strstr(argvlog, "SIGSECRET") && !strstr(argvlog, "stub/"),
       "no URL in curl's argv");
    s = slurp("env.txt");
    ok(s && !strstr(s, "topsecret") && !strstr(s, "AKIDX") && !strstr(s, "SIGSECRET"),
       "no AWS key nor URL in the command's environment");
    snprintf(cmd, sizeof cmd, "[ -z \"$(ls -A '%s/tmp')\" ]", dir);
    ok(system(cmd) == 0, "the scratch directory is gone");

    /* a failing command: its exit code, nothing uploaded */
    snprintf(cmd, sizeof cmd, "rm -f '%s/put-1' '%s/put-2'", dir, dir);
    system(cmd);
    rj.command = "echo partial > 'R/s3/bkt/out dir/it'\\''s $(out).txt'; exit 3";
    is_int(run(kr_stage_remote_script(&rj, &a)), 3, "the command's exit code is the job's");
    ok(!slurp("put-1") && !slurp("put-2"), "a failed command uploads nothing");
    rj.command = "kill -TERM $$";
    is_int(run(kr_stage_remote_script(&rj, &a)), 128 + 15, "a killed command: killed job");

    /* S3 errors */
    in.url = "http://stub/deny?X-Amz-Signature=SIGSECRET4";
    rj.command = "true";
    is_int(run(kr_stage_remote_script(&rj, &a)), 1, "an expired URL fails the job");
    e = slurp("stderr");
    ok(e && strstr(e, "krait staging: GET s3://bkt/it's a \"q\" $x `y`.txt: HTTP 403 "
                      "AccessDenied: Request has expired (the presigned URL was valid for 600 s"),
       "one line: the object, the operation, S3's code and message, the validity");
    ok(e && !strstr(e, "SIGSECRET") && !strstr(e, "CanonicalRequest"),
       "... without the URL S3's error body echoes");
    in.url = "http://stub/down?X-Amz-Signature=SIGSECRET5";
    is_int(run(kr_stage_remote_script(&rj, &a)), 1, "an unreachable endpoint fails after retries");
    e = slurp("stderr");
    ok(e && strstr(e, "GET s3://bkt/it's a \"q\" $x `y`.txt failed 2 times: curl exit code 7") &&
       !strstr(e, "SIGSECRET"), "... saying so, with curl's message cut before the query");
    in.url = "http://stub/get-hello?X-Amz-Signature=SIGSECRET6";
    in.size = 7;
    is_int(run(kr_stage_remote_script(&rj, &a)), 1, "a short download is not accepted");
    e = slurp("stderr");
    ok(e && strstr(e, "received 6 bytes, the object has 7"), "... naming the sizes");
    snprintf(path, sizeof path, "%s/%s.krait-part", dir, odd_in);
    snprintf(cmd, sizeof cmd, "! ls '%s/R/s3/bkt/' | grep -q krait-part", dir);
    ok(system(cmd) == 0, "... and leaves no partial file");

    /* an image without bash: the wrapper and the command run with sh */
    in.url = "http://stub/get-hello?X-Amz-Signature=SIGSECRET7";
    in.size = 6;
    rj.command = "tr a-z A-Z < 'R/s3/bkt/it'\\''s a \"q\" $x `y`.txt' > 'R/s3/bkt/out dir/it'\\''s "
                 "$(out).txt'";
    snprintf(cmd, sizeof cmd, "cd '%s' && rm -f put-1 && mkdir -p nobash && for t in sh mktemp cat rm "
             "mkdir dirname mv cp tr sed cut wc md5sum sleep touch head env; do "
             "p=$(command -v $t) && ln -sf \"$p\" nobash/$t; done; ln -sf \"$PWD/bin/curl\" "
             "nobash/curl", dir);
    ok(system(cmd) == 0, "a PATH without bash");
    spit("wrapper.sh", kr_stage_remote_script(&rj, &a), 0600);
    snprintf(cmd, sizeof cmd, "cd '%s' && PATH=\"$PWD/nobash\" STUB=\"$PWD\" TMPDIR=\"$PWD/tmp\" "
             "./nobash/sh -eu -c \"$(cat wrapper.sh)\" 2>stderr >stdout", dir);
    ok(system(cmd) == 0 && slurp("put-1") && !strcmp(slurp("put-1"), "HELLO\n"),
       "... the job runs with sh and stages its files");

    /* a big script goes packed (gzip, base64) and runs the same */
    setenv("KRAIT_STAGE_PACK_MIN", "0", 1);
    in.url = "http://stub/get-hello?X-Amz-Signature=SIGSECRET8";
    s = kr_stage_remote_script(&rj, &a);
    ok(strstr(s, "base64 -d | gzip -dc") && !strstr(s, "SIGSECRET8") && !strstr(s, "kr_get"),
       "packed: neither the URLs nor the code in plain text");
    snprintf(cmd, sizeof cmd, "rm -f '%s/put-1'", dir);
    system(cmd);
    is_int(run(s), 0, "the packed job succeeds");
    ok(slurp("put-1") && !strcmp(slurp("put-1"), "HELLO\n"), "... and stages its files");
    unsetenv("KRAIT_STAGE_PACK_MIN");
    ok(!strstr(kr_stage_remote_script(&rj, &a), "base64 -d"), "a small script goes as it is");

    /* expiry */
    unsetenv("KRAIT_PRESIGN_EXPIRES");
    is_int(kr_stage_remote_expiry(0), 7 * 3600, "no runtime: 6 h + 1 h margin");
    is_int(kr_stage_remote_expiry(30), 30 * 60 + 3600, "runtime 30 min: 1.5 h");
    is_int(kr_stage_remote_expiry(100000000), 7 * 24 * 3600, "at most 7 days");
    setenv("KRAIT_PRESIGN_EXPIRES", "5", 1);
    is_int(kr_stage_remote_expiry(30), 5, "KRAIT_PRESIGN_EXPIRES replaces it");
    setenv("KRAIT_PRESIGN_EXPIRES", "9999999", 1);
    is_int(kr_stage_remote_expiry(30), 30 * 60 + 3600, "... when within S3's bounds");

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    system(cmd);
    kr_arena_free(&a);
    return tap_done();
}
