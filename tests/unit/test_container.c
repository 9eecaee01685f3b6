/*
 * test_container.c - unit tests for src/container.c and src/container-cmd.c:
 * runtime names and detection, --container-args splitting, shell quoting,
 * the exact invocation for Podman, Docker and Apptainer (binds, user,
 * environment, GPUs, extra args), that the string form parses back into the
 * same argv in a real shell, the error cases, kr_container_apply, and
 * pull-once / identity caching against small fake runtimes written into a
 * temporary directory (no real runtime is started).
 */
#include "container.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

/* argv joined with '|' (kr_malloc'd) */
static char *join(char **argv)
{
    struct kr_buf b = KR_BUF_INIT;
    size_t i;
    for (i = 0; argv && argv[i]; i++) {
        if (i)
            kr_buf_putc(&b, '|');
        kr_buf_puts(&b, argv[i]);
    }
    return kr_buf_steal(&b);
}

static void write_file(const char *name, const char *text, int mode)
{
    char *p = kr_asprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    chmod(p, (mode_t)mode);
    kr_free(p);
}

/* Count lines of tmpdir/NAME (0 when missing). */
static int count_lines(const char *name)
{
    char *p = kr_asprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(p, "r");
    int c, n = 0;
    kr_free(p);
    if (!f)
        return 0;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* Let /bin/sh split the string form; return the words joined with '|'. */
static char *shell_words(const char *cmd)
{
    struct kr_buf script = KR_BUF_INIT, sh = KR_BUF_INIT, out = KR_BUF_INIT;
    char chunk[4096];
    size_t n, i;
    FILE *p;
    kr_buf_puts(&script, "printf '%s\\0' ");
    kr_buf_puts(&script, cmd);
    kr_buf_puts(&sh, "/bin/sh -c ");
    kr_container_shell_quote(&sh, kr_buf_cstr(&script));
    p = popen(kr_buf_cstr(&sh), "r");
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        kr_buf_append(&out, chunk, n);
    pclose(p);
    for (i = 0; i + 1 < out.len; i++)
        if (out.data[i] == '\0')
            out.data[i] = '|';
    if (out.len)
        out.len--;          /* the last NUL */
    kr_buf_free(&script);
    kr_buf_free(&sh);
    return kr_buf_steal(&out);
}

static struct kr_container_ctx *ctx_for(const char *runtime, const char **pass, uint32_t npass,
                                        const char **extra, uint32_t nextra)
{
    struct kr_container_opts o;
    struct kr_container_ctx *ctx = NULL;
    struct kr_error e;
    memset(&o, 0, sizeof o);
    o.runtime = runtime;
    o.state_dir = "/w/proj/.krait";
    o.env_pass = pass;
    o.nenv_pass = npass;
    o.extra_args = extra;
    o.nextra_args = nextra;
    o.quiet = true;
    if (kr_container_ctx_new(&o, &ctx, &e) != KR_OK)
        diag("ctx_new(%s): %s", runtime, e.msg);
    return ctx;
}

static void test_names_and_split(void)
{
    enum kr_container_runtime rt = KR_CRT_NONE;
    struct kr_error e;
    char **v = NULL, *j;
    size_t n = 0;
    struct kr_buf b = KR_BUF_INIT;

    is_int(kr_container_runtime_parse("apptainer", &rt, &e), KR_OK, "parse apptainer");
    is_int(rt, KR_CRT_APPTAINER, "apptainer is KR_CRT_APPTAINER");
    is_int(kr_container_runtime_parse("none", &rt, &e), KR_OK, "parse none");
    is_int(kr_container_runtime_parse("dokcer", &rt, &e), KR_EUSAGE, "unknown runtime");
    is_str(e.msg, "unknown container runtime 'dokcer' (expected podman, docker, apptainer, "
           "singularity or none)", "unknown runtime message");
    is_str(kr_container_runtime_name(KR_CRT_SINGULARITY), "singularity", "runtime name");

    is_int(kr_container_split_args("--net=host  -v \"/a b:/c\" 'x \"y' z\\ w \"\" \"q\\\"\\$\"",
                                   &v, &n, &e), KR_OK, "split args");
    j = join(v);
    is_str(j, "--net=host|-v|/a b:/c|x \"y|z w||q\"$", "split words as a shell, no expansion");
    is_int(n, 7, "seven words");
    kr_free(j);
    is_int(kr_container_split_args("--more", &v, &n, &e), KR_OK, "split appends");
    is_str(v[7], "--more", "appended word");
    ok(v[8] == NULL, "vector stays NULL-terminated");
    is_int(kr_container_split_args("a 'b", &v, &n, &e), KR_EUSAGE, "unterminated quote");
    is_str(e.msg, "unterminated ' in 'a 'b'", "unterminated quote message");
    is_int(n, 8, "failed split leaves the vector unchanged");
    is_int(kr_container_split_args("a\\", &v, &n, &e), KR_EUSAGE, "trailing backslash");
    kr_container_argv_free(v);

    kr_container_shell_quote(&b, "plain/path-1.txt");
    kr_buf_putc(&b, ' ');
    kr_container_shell_quote(&b, "");
    kr_buf_putc(&b, ' ');
    kr_container_shell_quote(&b, "it's $x");
    is_str(kr_buf_cstr(&b), "plain/path-1.txt '' 'it'\\''s $x'", "shell quoting");
    kr_buf_free(&b);
}

static void test_detection(void)
{
    char *oldpath = kr_strdup(getenv("PATH"));
    struct kr_container_opts o;
    struct kr_container_ctx *ctx = NULL;
    struct kr_error e;

    memset(&o, 0, sizeof o);
    o.state_dir = "/tmp/x";
    write_file("docker", "#!/bin/sh\nexit 0\n", 0755);
    write_file("singularity", "#!/bin/sh\nexit 0\n", 0755);
    setenv("PATH", tmpdir, 1);
    is_int(kr_container_ctx_new(&o, &ctx, &e), KR_OK, "auto detection");
    is_int(kr_container_ctx_runtime(ctx), KR_CRT_DOCKER, "docker before singularity");
    kr_container_ctx_free(ctx);

    o.runtime = "apptainer";
    is_int(kr_container_ctx_new(&o, &ctx, &e), KR_OK, "apptainer accepts singularity program");
    is_str(ctx->program, "singularity", "runs singularity for --use-apptainer");
    kr_container_ctx_free(ctx);

    o.runtime = "podman";
    is_int(kr_container_ctx_new(&o, &ctx, &e), KR_EEXEC, "named runtime missing");
    is_str(e.msg, "--container-runtime podman: no 'podman' program on PATH",
           "missing runtime message");
    ok(ctx == NULL, "no ctx on error");

    setenv("PATH", "/nonexistent", 1);
    o.runtime = NULL;
    is_int(kr_container_ctx_new(&o, &ctx, &e), KR_OK, "no runtime at all is not an error yet");
    is_int(kr_container_ctx_runtime(ctx), KR_CRT_NONE, "runtime none");
    is_str(kr_container_job_image(ctx, "debian:12"), "debian:12", "the job still has an image");
    is_int(kr_container_prepare(ctx, "debian:12", &e), KR_EUNSUPPORTED,
           "using an image without a runtime fails");
    ok(strstr(e.msg, "no container runtime was found on PATH") &&
       strstr(e.msg, "--container-runtime none"), "message says what to do");
    kr_container_ctx_free(ctx);

    o.runtime = "none";
    is_int(kr_container_ctx_new(&o, &ctx, &e), KR_OK, "runtime none");
    ok(kr_container_job_image(ctx, "debian:12") == NULL, "none: jobs run on the host");
    {
        const char *id = "x";
        is_int(kr_container_identity(ctx, "debian:12", &id, &e), KR_NOT_FOUND,
               "none: no identity");
        ok(id == NULL, "identity NULL when disabled");
    }
    kr_container_ctx_free(ctx);

    o.runtime = NULL;
    {
        const char *bad[] = {"OK_1", "1BAD"};
        o.env_pass = bad;
        o.nenv_pass = 2;
        is_int(kr_container_ctx_new(&o, &ctx, &e), KR_EUSAGE, "bad --container-env name");
        is_str(e.msg, "--container-env '1BAD': not a variable name", "bad env name message");
        o.nenv_pass = 0;
    }
    {
        const char *bad[] = {"--label 'x"};
        o.extra_args = bad;
        o.nextra_args = 1;
        is_int(kr_container_ctx_new(&o, &ctx, &e), KR_EUSAGE, "bad --container-args");
        is_str(e.msg, "--container-args: unterminated ' in '--label 'x'", "bad args message");
    }
    setenv("PATH", oldpath, 1);
    kr_free(oldpath);
}

static const char *const inputs[] = {"a.txt", "/data/ref.fa", "../shared/in.txt", "/data/ref.fa"};
static const char *const outputs[] = {"out/x.txt", "/scratch/o/y.txt"};
static const char *const logs[] = {"/scratch/o/log.txt", "/logs/l.txt"};
static const struct kr_env env[] = {{"CUDA_VISIBLE_DEVICES", "0,1"}};
static const char tricky[] = "echo 'it'\"s\" $HOME `x` \\\n> \"out/x.txt\"";

static void job_init(struct kr_container_job *j, const char *image)
{
    memset(j, 0, sizeof *j);
    j->image = image;
    j->command = tricky;
    j->workdir = "/w/proj/";
    j->inputs = inputs;
    j->ninputs = KR_ARRAY_LEN(inputs);
    j->outputs = outputs;
    j->noutputs = KR_ARRAY_LEN(outputs);
    j->logs = logs;
    j->nlogs = KR_ARRAY_LEN(logs);
    j->threads = 4;
    j->gpus = 2;
    j->env = env;
    j->nenv = 1;
}

static void check_string_form(struct kr_container_ctx *ctx, const struct kr_container_job *j,
                              const char *joined, const char *what)
{
    struct kr_buf cmd = KR_BUF_INIT;
    struct kr_error e;
    char *words;
    char name[128];
    is_int(kr_container_wrap_cmd(ctx, j, &cmd, &e), KR_OK, "string form");
    words = shell_words(kr_buf_cstr(&cmd));
    snprintf(name, sizeof name, "%s: the shell splits the string form back into the argv", what);
    is_str(words, joined, name);
    kr_free(words);
    kr_buf_free(&cmd);
}

static void test_podman(void)
{
    const char *pass[] = {"FOO"};
    const char *extra[] = {"--network=none --label 'a b'"};
    struct kr_container_ctx *ctx = ctx_for("podman", pass, 1, extra, 1);
    struct kr_container_job j;
    struct kr_error e;
    char **argv = NULL, *got, *want;

    if (!ctx) {
        ok(0, "podman ctx");
        return;
    }
    job_init(&j, "docker://localhost/img:1");
    is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_OK, "podman argv");
    got = join(argv);
    want = kr_asprintf(
        "podman|run|--rm|--entrypoint=|--user=%lu:%lu|--workdir=/w/proj|"
        "--volume=/w/proj:/w/proj|--volume=/data/ref.fa:/data/ref.fa:ro|"
        "--volume=/logs:/logs|--volume=/scratch/o:/scratch/o|"
        "--volume=/w/shared/in.txt:/w/shared/in.txt:ro|"
        "--env=HOME=/tmp|--env=CUDA_VISIBLE_DEVICES=0,1|--env=FOO|"
        "--device=nvidia.com/gpu=0|--device=nvidia.com/gpu=1|--network=none|--label|a b|"
        "localhost/img:1|bash|-euo|pipefail|-c|%s",
        (unsigned long)getuid(), (unsigned long)getgid(), tricky);
    is_str(got, want, "podman: binds outside workdir (ro inputs, rw output dirs), user, env, "
           "CDI devices, extra args, docker:// stripped");
    check_string_form(ctx, &j, want, "podman");
    kr_free(got);
    kr_free(want);
    kr_container_argv_free(argv);

    j.nenv = 0;
    is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_OK, "podman gpu job, devices unknown");
    got = join(argv);
    ok(strstr(got, "|--env=FOO|--env=CUDA_VISIBLE_DEVICES|--device=nvidia.com/gpu=all|") != NULL,
       "podman: all GPUs, CUDA_VISIBLE_DEVICES passed from the host");
    kr_free(got);
    kr_container_argv_free(argv);

    j.gpus = 0;
    j.ninputs = j.noutputs = j.nlogs = 0;
    j.image = "debian:12";
    j.workdir = "/";
    is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_OK, "podman minimal argv");
    got = join(argv);
    want = kr_asprintf("podman|run|--rm|--entrypoint=|--user=%lu:%lu|--workdir=/|"
                       "--volume=/:/|--env=HOME=/tmp|--env=FOO|--network=none|--label|a b|"
                       "debian:12|bash|-euo|pipefail|-c|%s",
                       (unsigned long)getuid(), (unsigned long)getgid(), tricky);
    is_str(got, want, "podman: no gpu flags without gpus, plain image name kept");
    kr_free(got);
    kr_free(want);
    kr_container_argv_free(argv);

    j.image = "tools/x.sif";
    j.workdir = "/w";
    is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_EUSAGE, "podman rejects .sif");
    ok(argv == NULL && strstr(e.msg, "Singularity image file"), ".sif message");
    j.image = "library://x/y";
    is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_EUSAGE, "podman rejects library://");
    j.image = "debian:12";
    j.workdir = "w/rel";
    is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_EUSAGE, "relative workdir");
    j.workdir = "/w";
    {
        const char *colon[] = {"/data/a:b"};
        j.inputs = colon;
        j.ninputs = 1;
        is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_EUSAGE, "':' in a bound path");
        is_str(e.msg, "cannot bind '/data/a:b' into a container: the path contains ':'",
               "':' message");
        colon[0] = "in:side.txt";
        is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_OK,
               "':' inside the workdir needs no bind");
        kr_container_argv_free(argv);
    }
    kr_container_ctx_free(ctx);
}

static void test_docker(void)
{
    struct kr_container_ctx *ctx = ctx_for("docker", NULL, 0, NULL, 0);
    struct kr_container_job j;
    struct kr_error e;
    char **argv = NULL, *got;

    if (!ctx) {
        ok(0, "docker ctx");
        return;
    }
    job_init(&j, "debian:12");
    is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_OK, "docker argv");
    is_str(argv[0], "bash", "docker runs through a bash wrapper");
    is_str(argv[3], "krait-docker", "wrapper $0");
    is_str(argv[4], "docker", "wrapper gets the program");
    ok(strstr(argv[2], "run --cidfile=") && strstr(argv[2], "rm -f") &&
       strstr(argv[2], "exit $rc"), "wrapper removes the container and keeps the status");
    got = join(argv + 5);
    ok(strstr(got, "--rm") == NULL, "docker: no --rm (exit status 0 through Podman's API)");
    ok(strncmp(got, "--entrypoint=|--user=", 21) == 0, "docker options follow");
    ok(strstr(got, "|--gpus=2|debian:12|bash|-euo|pipefail|-c|") != NULL, "docker --gpus N");
    kr_free(got);
    got = join(argv);
    check_string_form(ctx, &j, got, "docker");
    kr_free(got);
    kr_container_argv_free(argv);
    kr_container_ctx_free(ctx);
}

static void test_apptainer(void)
{
    const char *pass[] = {"KR_TEST_PASS", "KR_TEST_UNSET"};
    struct kr_container_ctx *ctx = ctx_for("apptainer", pass, 2, NULL, 0);
    struct kr_container_job j;
    struct kr_error e;
    char **argv = NULL, *got, *want, *sif;

    if (!ctx) {
        ok(0, "apptainer ctx");
        return;
    }
    setenv("KR_TEST_PASS", "v a,l", 1);
    unsetenv("KR_TEST_UNSET");
    job_init(&j, "docker://debian:12");
    is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_OK, "apptainer argv");
    got = join(argv);
    sif = kr_container_sif_path(ctx, "docker://debian:12", "/w/proj");
    want = kr_asprintf(
        "bash|-c|"
        "if [ -n \"${KR_TEST_PASS+x}\" ]; then export APPTAINERENV_KR_TEST_PASS=\"$KR_TEST_PASS\" "
        "SINGULARITYENV_KR_TEST_PASS=\"$KR_TEST_PASS\"; fi; "
        "if [ -n \"${KR_TEST_UNSET+x}\" ]; then export APPTAINERENV_KR_TEST_UNSET=\"$KR_TEST_UNSET\" "
        "SINGULARITYENV_KR_TEST_UNSET=\"$KR_TEST_UNSET\"; fi; exec \"$@\"|krait-env|"
        "%s|exec|--cleanenv|--no-home|--pwd|/w/proj|--bind|/w/proj:/w/proj|"
        "--bind|/data/ref.fa:/data/ref.fa:ro|--bind|/logs:/logs|--bind|/scratch/o:/scratch/o|"
        "--bind|/w/shared/in.txt:/w/shared/in.txt:ro|--nv|"
        "--env|CUDA_VISIBLE_DEVICES=0,1|"
        "%s|bash|-euo|pipefail|-c|%s", ctx->program, sif, tricky);
    is_str(got, want, "apptainer: cleanenv, pwd, binds, --nv, env, cached .sif");
    ok(!strstr(got, "v a,l"), "apptainer: a passed-through value is not on the command line");
    ok(strncmp(sif, "/w/proj/.krait/apptainer/", 25) == 0 && strlen(sif) == 25 + 16 + 4,
       ".sif cache under STATE_DIR/apptainer/<16 hex>.sif");
    check_string_form(ctx, &j, want, "apptainer");
    kr_free(got);
    kr_free(want);
    kr_container_argv_free(argv);
    got = kr_container_sif_path(ctx, "debian:12", "/w");
    is_str(got, sif, "a plain name is the same image as docker://NAME");
    kr_free(got);
    kr_free(sif);

    j.nenv = 0;
    is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_OK, "apptainer gpu job, devices unknown");
    ok(strcmp(argv[0], "bash") == 0 && strstr(argv[2], "APPTAINERENV_CUDA_VISIBLE_DEVICES") &&
       strstr(argv[2], "APPTAINERENV_KR_TEST_PASS") &&
       strcmp(argv[3], "krait-env") == 0 && strcmp(argv[4], ctx->program) == 0 &&
       strcmp(argv[5], "exec") == 0, "apptainer: CUDA_VISIBLE_DEVICES exported through --cleanenv");
    {
        /* the prefix really exports the variable, then runs the rest */
        struct kr_buf cmd = KR_BUF_INIT;
        char line[64] = "";
        FILE *p;
        size_t k;
        for (k = 0; k < 4; k++) {
            kr_container_shell_quote(&cmd, argv[k]);
            kr_buf_putc(&cmd, ' ');
        }
        kr_buf_puts(&cmd, "sh -c 'echo \"$APPTAINERENV_CUDA_VISIBLE_DEVICES $APPTAINERENV_KR_TEST_PASS\"'");
        setenv("CUDA_VISIBLE_DEVICES", "3,5", 1);
        p = popen(kr_buf_cstr(&cmd), "r");
        if (!fgets(line, sizeof line, p))
            line[0] = '\0';
        pclose(p);
        unsetenv("CUDA_VISIBLE_DEVICES");
        is_str(line, "3,5 v a,l\n", "the prefix exports APPTAINERENV_CUDA_VISIBLE_DEVICES and the passed-through variable");
        kr_buf_free(&cmd);
    }
    kr_container_argv_free(argv);

    j.image = "img/tool.sif";
    j.gpus = 0;
    is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_OK, "apptainer with a local .sif");
    got = join(argv);
    ok(strstr(got, "|/w/proj/img/tool.sif|bash|") && !strstr(got, "--nv"),
       "local .sif made absolute, no --nv without gpus");
    kr_free(got);
    kr_container_argv_free(argv);
    {
        const char *comma[] = {"/data/a,b"};
        j.inputs = comma;
        j.ninputs = 1;
        is_int(kr_container_wrap_argv(ctx, &j, &argv, &e), KR_EUSAGE,
               "',' in a bound path (apptainer)");
    }
    kr_container_ctx_free(ctx);
}

/* Fake runtimes that log their calls: pull-once and identity caching. */
static const char fake_podman[] =
    "#!/bin/sh\nPATH=/usr/bin:/bin\nd=$(dirname \"$0\")\necho \"$*\" >> \"$d/podman.log\"\n"
    "case \"$1 $2\" in\n"
    "'image inspect') f=\"$d/have.$(echo \"$5\" | tr '/:' '__')\"\n"
    "  if [ -f \"$f\" ]; then cat \"$f\"; exit 0; fi; echo 'Error: no such image' >&2; exit 125;;\n"
    "'pull -q') if [ \"$3\" = bad/img ]; then echo 'Error: registry unreachable' >&2; exit 125; fi\n"
    "  echo 5f0e1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100 "
    "> \"$d/have.$(echo \"$3\" | tr '/:' '__')\"; exit 0;;\n"
    "esac\nexit 3\n";
static const char fake_apptainer[] =
    "#!/bin/sh\nPATH=/usr/bin:/bin\nd=$(dirname \"$0\")\necho \"$*\" >> \"$d/apptainer.log\"\n"
    "[ \"$1\" = pull ] || exit 3\nprintf 'SIF %s\\n' \"$3\" > \"$2\"\n";

static void test_prepare(void)
{
    char *oldpath = kr_strdup(getenv("PATH"));
    char *path = kr_asprintf("%s:/usr/bin:/bin", tmpdir);
    char *state = kr_asprintf("%s/state", tmpdir);
    struct kr_container_opts o;
    struct kr_container_ctx *ctx = NULL;
    struct kr_error e;
    const char *id = NULL, *id2 = NULL;

    write_file("podman", fake_podman, 0755);
    write_file("apptainer", fake_apptainer, 0755);
    write_file("have.localhost_present_1", "sha256:00aa11bb22cc33dd44ee55ff66778899\n", 0644);
    setenv("PATH", path, 1);
    memset(&o, 0, sizeof o);
    o.runtime = "podman";
    o.state_dir = state;
    o.quiet = true;
    is_int(kr_container_ctx_new(&o, &ctx, &e), KR_OK, "fake podman ctx");
    is_int(kr_container_identity(ctx, "localhost/present:1", &id, &e), KR_OK, "identity");
    is_str(id, "sha256:00aa11bb22cc33dd44ee55ff66778899", "identity is the image id");
    is_int(kr_container_identity(ctx, "localhost/present:1", &id2, &e), KR_OK, "again");
    ok(id == id2, "cached: same string");
    is_int(count_lines("podman.log"), 1, "one inspect, no pull for a present image");
    is_int(kr_container_identity(ctx, "docker://quay.io/x/tool:2", &id, &e), KR_OK,
           "missing image is pulled");
    is_str(id, "sha256:5f0e1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100",
           "bare hex id gets the sha256: prefix");
    is_int(count_lines("podman.log"), 4, "inspect, pull, inspect");
    is_int(kr_container_prepare(ctx, "docker://quay.io/x/tool:2", &e), KR_OK, "prepare again");
    is_int(count_lines("podman.log"), 4, "pulled once per run");
    is_int(kr_container_prepare(ctx, "bad/img", &e), KR_EEXEC, "failed pull");
    is_str(e.msg, "podman pull bad/img failed (exit 125): Error: registry unreachable",
           "failed pull message");
    is_int(kr_container_prepare(ctx, "bad/img", &e), KR_EEXEC, "failure is cached");
    is_int(count_lines("podman.log"), 6, "one pull attempt for a bad image");
    {
        struct kr_arena a;
        struct kr_exec_job xj;
        const char *outs[] = {"r.txt"};
        const char *ins[] = {"/etc/hostname"};
        kr_arena_init(&a);
        memset(&xj, 0, sizeof xj);
        xj.command = "cat /etc/hostname > r.txt";
        xj.workdir = tmpdir;
        xj.outputs = outs;
        xj.noutputs = 1;
        is_int(kr_container_apply(ctx, &xj, ins, 1, NULL, 0, &a, &e), KR_NOT_FOUND,
               "apply: no image, runs on the host");
        is_str(xj.command, "cat /etc/hostname > r.txt", "apply leaves host jobs alone");
        xj.container = "localhost/present:1";
        is_int(kr_container_apply(ctx, &xj, ins, 1, NULL, 0, &a, &e), KR_OK, "apply wraps");
        ok(strncmp(xj.command, "podman run --rm ", 16) == 0 &&
           strstr(xj.command, " --volume=/etc/hostname:/etc/hostname:ro ") &&
           strstr(xj.command, " localhost/present:1 bash -euo pipefail -c 'cat /etc/hostname > r.txt'"),
           "apply: the command is the container invocation");
        ok(xj.container == NULL, "apply: nothing left for the executor to containerise");
        kr_arena_free(&a);
    }
    kr_container_ctx_free(ctx);

    o.runtime = "apptainer";
    o.default_image = "docker://debian:12";
    is_int(kr_container_ctx_new(&o, &ctx, &e), KR_OK, "fake apptainer ctx");
    is_str(kr_container_job_image(ctx, NULL), "docker://debian:12",
           "--container-image is the default image");
    is_int(kr_container_identity(ctx, "docker://debian:12", &id, &e), KR_OK, "sif identity");
    {
        char *sif = kr_container_sif_path(ctx, "docker://debian:12", NULL);
        char *cmd = kr_asprintf("sha256sum %s", sif);
        char line[256] = "";
        FILE *p = popen(cmd, "r");
        if (!fgets(line, sizeof line, p))
            line[0] = '\0';
        pclose(p);
        line[64] = '\0';
        ok(strncmp(id, "sha256:", 7) == 0 && strcmp(id + 7, line) == 0,
           "identity is the sha256 of the pulled .sif");
        ok(access(sif, R_OK) == 0, ".sif in the cache");
        kr_free(sif);
        kr_free(cmd);
    }
    is_int(count_lines("apptainer.log"), 1, "one pull");
    kr_container_ctx_free(ctx);
    is_int(kr_container_ctx_new(&o, &ctx, &e), KR_OK, "a second run");
    is_int(kr_container_identity(ctx, "docker://debian:12", &id2, &e), KR_OK, "identity");
    is_int(count_lines("apptainer.log"), 1, "the cached .sif is reused: no second pull");
    is_int(kr_container_identity(ctx, "nothere.sif", &id2, &e), KR_EUSAGE, "missing .sif");
    ok(strstr(e.msg, "nothere.sif: no such file") != NULL, "missing .sif message");
    kr_container_ctx_free(ctx);

    setenv("PATH", oldpath, 1);
    kr_free(oldpath);
    kr_free(path);
    kr_free(state);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kr-test-container.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("Bail out! mkdtemp failed\n");
        return 1;
    }
    test_names_and_split();
    test_detection();
    /* the wrap tests need the runtimes "installed": fakes on PATH */
    {
        char *oldpath = kr_strdup(getenv("PATH"));
        char *path = kr_asprintf("%s:/usr/bin:/bin", tmpdir);
        write_file("podman", "#!/bin/sh\nexit 0\n", 0755);
        write_file("apptainer", "#!/bin/sh\nexit 0\n", 0755);
        setenv("PATH", path, 1);
        test_podman();
        test_docker();
        test_apptainer();
        setenv("PATH", oldpath, 1);
        kr_free(oldpath);
        kr_free(path);
    }
    test_prepare();
    {
        char *rm = kr_asprintf("rm -rf %s", tmpdir);
        if (system(rm) != 0)
            diag("could not remove %s", tmpdir);
        kr_free(rm);
    }
    return tap_done();
}
