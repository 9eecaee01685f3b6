/*
 * container.c - the runtime-independent half of running jobs in containers
 * (the command lines themselves are spelled in container-cmd.c): choosing
 * the runtime once per run, splitting --container-args, making each image
 * usable at most once per run (pull only when missing) and knowing its
 * identity, and kr_container_apply, the one call job preparation makes.
 *
 * Decisions (see container.h for when containers are used):
 *   - Runtime auto-detection order: podman, docker, apptainer, singularity
 *     (the first executable found on PATH). --use-singularity accepts an
 *     `apptainer` program when no `singularity` exists, and the reverse, as
 *     Apptainer installs usually provide both names.
 *   - Identity: Podman/Docker `image inspect --format {{.Id}}` (the image
 *     config digest: re-tagging another image under the same name changes
 *     it; the repository digest would be empty for local images). For
 *     Apptainer the sha256 of the .sif file. Asked once per image per run.
 *   - Pulls: Podman/Docker pull only when `image inspect` fails; Apptainer
 *     pulls URIs into STATE_DIR/apptainer/<hash>.sif once, and reuses that
 *     file in later runs (as Snakemake reuses .snakemake/singularity/).
 *     Delete the file to pull again.
 *   - A failed prepare is cached too: a hundred jobs of a rule whose image
 *     cannot be pulled make one pull attempt and fail with the same message.
 */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

extern char **environ;

/* One image made usable in this run (or that failed to be). */
struct kr_container_image {
    char *image;                /* as the job names it */
    int rc;                     /* outcome of prepare */
    char *id;                   /* identity, when rc == KR_OK */
    char msg[1024];             /* error message, when rc != KR_OK */
    struct kr_container_image *next;
};

static const char *const runtime_names[] = {
    [KR_CRT_NONE] = "none",
    [KR_CRT_PODMAN] = "podman",
    [KR_CRT_DOCKER] = "docker",
    [KR_CRT_APPTAINER] = "apptainer",
    [KR_CRT_SINGULARITY] = "singularity",
};

const char *kr_container_runtime_name(enum kr_container_runtime rt)
{
    if ((size_t)rt >= KR_ARRAY_LEN(runtime_names))
        return "none";
    return runtime_names[rt];
}

int kr_container_runtime_parse(const char *name, enum kr_container_runtime *out,
                               struct kr_error *err)
{
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(runtime_names); i++) {
        if (strcmp(name, runtime_names[i]) == 0) {
            *out = (enum kr_container_runtime)i;
            return KR_OK;
        }
    }
    return kr_error_set(err, KR_EUSAGE,
                        "unknown container runtime '%s' (expected podman, docker, "
                        "apptainer, singularity or none)", name);
}

/* Is `prog` an executable on PATH? */
static bool on_path(const char *prog)
{
    const char *path = getenv("PATH");
    const char *p, *e;
    bool found = false;
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (p = path; !found; p = e + 1) {
        char *full;
        e = strchr(p, ':');
        if (!e)
            e = p + strlen(p);
        full = kr_asprintf("%.*s/%s", (int)(e - p), e > p ? p : ".", prog);
        if (e == p)
            snprintf(full, strlen(full) + 1, "./%s", prog);
        found = access(full, X_OK) == 0;
        kr_free(full);
        if (!*e)
            break;
    }
    return found;
}

/* The program to run for `rt`, or NULL when it is not installed. */
static const char *find_program(enum kr_container_runtime rt)
{
    switch (rt) {
    case KR_CRT_PODMAN:
        return on_path("podman") ? "podman" : NULL;
    case KR_CRT_DOCKER:
        return on_path("docker") ? "docker" : NULL;
    case KR_CRT_APPTAINER:
        if (on_path("apptainer"))
            return "apptainer";
        return on_path("singularity") ? "singularity" : NULL;
    case KR_CRT_SINGULARITY:
        if (on_path("singularity"))
            return "singularity";
        return on_path("apptainer") ? "apptainer" : NULL;
    case KR_CRT_NONE:
        break;
    }
    return NULL;
}

int kr_container_ctx_new(const struct kr_container_opts *opts,
                         struct kr_container_ctx **out, struct kr_error *err)
{
    struct kr_container_ctx *ctx = kr_calloc(1, sizeof *ctx);
    uint32_t i;
    int rc = KR_OK;

    *out = NULL;
    ctx->quiet = opts->quiet;
    if (opts->runtime && strcmp(opts->runtime, "auto") != 0) {
        rc = kr_container_runtime_parse(opts->runtime, &ctx->rt, err);
        if (rc)
            goto out;
        ctx->disabled = ctx->rt == KR_CRT_NONE;
        if (ctx->rt != KR_CRT_NONE) {
            ctx->program = find_program(ctx->rt);
            if (!ctx->program) {
                rc = kr_error_set(err, KR_EEXEC,
                                  "--container-runtime %s: no '%s' program on PATH",
                                  opts->runtime, opts->runtime);
                goto out;
            }
        }
    } else {
        static const enum kr_container_runtime order[] = {
            KR_CRT_PODMAN, KR_CRT_DOCKER, KR_CRT_APPTAINER, KR_CRT_SINGULARITY,
        };
        for (i = 0; i < KR_ARRAY_LEN(order) && !ctx->program; i++) {
            ctx->program = find_program(order[i]);
            if (ctx->program)
                ctx->rt = order[i];
        }
    }
    if (opts->default_image && opts->default_image[0])
        ctx->default_image = kr_strdup(opts->default_image);
    if (opts->state_dir) {
        ctx->state_dir = kr_strdup(opts->state_dir);
    } else {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd)) {
            rc = kr_error_set(err, KR_EIO, "getcwd: %s", strerror(errno));
            goto out;
        }
        ctx->state_dir = kr_asprintf("%s/.krait", cwd);
    }
    ctx->env_pass = kr_calloc(opts->nenv_pass + 1, sizeof *ctx->env_pass);
    for (i = 0; i < opts->nenv_pass; i++) {
        const char *n = opts->env_pass[i];
        size_t k;
        bool valid = n[0] && !(n[0] >= '0' && n[0] <= '9');
        for (k = 0; n[k] && valid; k++)
            valid = n[k] == '_' || (n[k] >= 'a' && n[k] <= 'z') ||
                    (n[k] >= 'A' && n[k] <= 'Z') || (n[k] >= '0' && n[k] <= '9');
        if (!valid) {
            rc = kr_error_set(err, KR_EUSAGE,
                              "--container-env '%s': not a variable name", n);
            goto out;
        }
        ctx->env_pass[ctx->nenv_pass++] = kr_strdup(n);
    }
    ctx->extra = kr_calloc(1, sizeof *ctx->extra);
    for (i = 0; i < opts->nextra_args; i++) {
        rc = kr_container_split_args(opts->extra_args[i], &ctx->extra, &ctx->nextra, err);
        if (rc) {
            kr_error_prefix(err, "--container-args");
            goto out;
        }
    }
out:
    if (rc) {
        kr_container_ctx_free(ctx);
        return rc;
    }
    *out = ctx;
    return KR_OK;
}

void kr_container_ctx_free(struct kr_container_ctx *ctx)
{
    struct kr_container_image *im, *next;
    uint32_t i;
    if (!ctx)
        return;
    for (im = ctx->images; im; im = next) {
        next = im->next;
        kr_free(im->image);
        kr_free(im->id);
        kr_free(im);
    }
    for (i = 0; ctx->env_pass && i < ctx->nenv_pass; i++)
        kr_free(ctx->env_pass[i]);
    kr_free(ctx->env_pass);
    kr_container_argv_free(ctx->extra);
    kr_free(ctx->default_image);
    kr_free(ctx->state_dir);
    kr_free(ctx);
}

enum kr_container_runtime kr_container_ctx_runtime(const struct kr_container_ctx *ctx)
{
    return ctx->rt;
}

const char *kr_container_job_image(const struct kr_container_ctx *ctx, const char *image)
{
    if (ctx->disabled)
        return NULL;
    if (image && *image)
        return image;
    return ctx->default_image;
}

/* ---- running the runtime's own commands --------------------------------- */

/*
 * Run argv with stdin from /dev/null, capturing stdout into `out` (and
 * stderr too when `merge`; else stderr goes to /dev/null). *status gets the
 * exit status, or 128+N when killed by signal N. Returns KR_OK, or KR_EEXEC
 * when the program could not be started.
 */
static int run_capture(char *const argv[], struct kr_buf *out, bool merge, int *status,
                       struct kr_error *err)
{
    posix_spawn_file_actions_t fa;
    int fds[2], rc = KR_OK, ws = 0, e;
    pid_t pid;
    char chunk[4096];
    ssize_t n;

    if (pipe2(fds, O_CLOEXEC) != 0)
        return kr_error_set(err, KR_EEXEC, "pipe: %s", strerror(errno));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    if (merge)
        posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    else
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (e != 0) {
        close(fds[0]);
        return kr_error_set(err, KR_EEXEC, "cannot run %s: %s", argv[0], strerror(e));
    }
    for (;;) {
        n = read(fds[0], chunk, sizeof chunk);
        if (n > 0)
            kr_buf_append(out, chunk, (size_t)n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    close(fds[0]);
    while (waitpid(pid, &ws, 0) < 0) {
        if (errno != EINTR) {
            rc = kr_error_set(err, KR_EEXEC, "waitpid: %s", strerror(errno));
            break;
        }
    }
    if (WIFEXITED(ws))
        *status = WEXITSTATUS(ws);
    else
        *status = 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    kr_buf_cstr(out);
    return rc;
}

/* The last non-empty line of `s` (into buf), for error messages. */
static const char *last_line(const char *s, char *buf, size_t n)
{
    const char *end = s + strlen(s), *start;
    while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
        end--;
    start = end;
    while (start > s && start[-1] != '\n')
        start--;
    snprintf(buf, n, "%.*s", (int)(end - start), start);
    if (!buf[0])
        snprintf(buf, n, "(no output)");
    return buf;
}

/* mkdir -p; KR_OK or KR_EIO. */
static int mkdir_p(const char *dir, struct kr_error *err)
{
    char *p = kr_strdup(dir), *s;
    int rc = KR_OK;
    for (s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                rc = kr_error_set(err, KR_EIO, "cannot create directory %s: %s", p,
                                  strerror(errno));
                break;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    kr_free(p);
    return rc;
}

/* "sha256:<hex>" of a file's content, kr_malloc'd; NULL with err on failure. */
static char *file_sha256(const char *path, struct kr_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    char buf[65536];
    struct kr_buf hex = KR_BUF_INIT;
    EVP_MD_CTX *mctx;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        kr_error_set(err, KR_EIO, "cannot read image %s: %s", path, strerror(errno));
        return NULL;
    }
    mctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(mctx, EVP_sha256(), NULL);
    for (;;) {
        n = read(fd, buf, sizeof buf);
        if (n > 0)
            EVP_DigestUpdate(mctx, buf, (size_t)n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    close(fd);
    EVP_DigestFinal_ex(mctx, md, &mdlen);
    EVP_MD_CTX_free(mctx);
    if (n < 0) {
        kr_error_set(err, KR_EIO, "cannot read image %s: %s", path, strerror(errno));
        return NULL;
    }
    kr_buf_puts(&hex, "sha256:");
    for (i = 0; i < mdlen; i++)
        kr_buf_printf(&hex, "%02x", md[i]);
    return kr_buf_steal(&hex);
}

/* ---- preparing images ------------------------------------------------------ */

/* Podman/Docker: `image inspect --format {{.Id}}`; pull when that fails. */
static int prepare_oci(struct kr_container_ctx *ctx, struct kr_container_image *im,
                       struct kr_error *err)
{
    struct kr_buf out = KR_BUF_INIT;
    const char *ref = NULL;
    char line[400];
    int status = 0;
    int rc = kr_container_oci_ref(im->image, &ref, err);
    if (rc)
        return rc;
    char *inspect[] = {(char *)ctx->program, "image", "inspect", "--format", "{{.Id}}",
                       (char *)ref, NULL};
    char *pull[] = {(char *)ctx->program, "pull", "-q", (char *)ref, NULL};
    rc = run_capture(inspect, &out, false, &status, err);
    if (rc == KR_OK && status != 0) {
        if (!ctx->quiet)
            fprintf(stderr, "krait: pulling container image %s with %s\n", ref, ctx->program);
        kr_buf_reset(&out);
        rc = run_capture(pull, &out, true, &status, err);
        if (rc == KR_OK && status != 0)
            rc = kr_error_set(err, KR_EEXEC, "%s pull %s failed (exit %d): %s", ctx->program,
                              ref, status, last_line(kr_buf_cstr(&out), line, sizeof line));
        if (rc == KR_OK) {
            kr_buf_reset(&out);
            rc = run_capture(inspect, &out, true, &status, err);
        }
    }
    if (rc == KR_OK && status != 0)
        rc = kr_error_set(err, KR_EEXEC, "%s image inspect %s failed (exit %d): %s",
                          ctx->program, ref, status,
                          last_line(kr_buf_cstr(&out), line, sizeof line));
    if (rc == KR_OK) {
        const char *id = last_line(kr_buf_cstr(&out), line, sizeof line);
        if (strspn(id, "sha256:0123456789abcdef") != strlen(id) || strlen(id) < 12)
            rc = kr_error_set(err, KR_EEXEC, "%s image inspect %s printed '%s', not an image id",
                              ctx->program, ref, id);
        else if (strncmp(id, "sha256:", 7) == 0)
            im->id = kr_strdup(id);
        else
            im->id = kr_asprintf("sha256:%s", id);
    }
    kr_buf_free(&out);
    return rc;
}

/* Apptainer/Singularity: pull URIs into the .sif cache once; hash the .sif. */
static int prepare_sif(struct kr_container_ctx *ctx, struct kr_container_image *im,
                       struct kr_error *err)
{
    char *uri = kr_container_pull_uri(im->image);
    char *sif = kr_container_sif_path(ctx, im->image, NULL);
    char *dir = NULL, *tmp = NULL;
    struct kr_buf out = KR_BUF_INIT;
    struct stat st;
    char line[400];
    int rc = KR_OK, status = 0;

    if (!uri) {
        char cwd[4096];
        /* a relative .sif is relative to the working directory (ours) */
        kr_free(sif);
        sif = im->image[0] == '/' ? kr_strdup(im->image)
              : kr_asprintf("%s/%s", getcwd(cwd, sizeof cwd) ? cwd : ".", im->image);
        if (stat(sif, &st) != 0 || !S_ISREG(st.st_mode)) {
            rc = kr_error_set(err, KR_EUSAGE, "container image %s: no such file", im->image);
            goto out;
        }
    } else if (stat(sif, &st) != 0) {
        char *argv[] = {(char *)ctx->program, "pull", NULL, uri, NULL};
        dir = kr_asprintf("%s/apptainer", ctx->state_dir);
        rc = mkdir_p(dir, err);
        if (rc)
            goto out;
        tmp = kr_asprintf("%.*s.part-%ld.sif", (int)(strlen(sif) - 4), sif, (long)getpid());
        argv[2] = tmp;
        if (!ctx->quiet)
            fprintf(stderr, "krait: pulling container image %s with %s into %s\n", uri,
                    ctx->program, sif);
        unlink(tmp);
        rc = run_capture(argv, &out, true, &status, err);
        if (rc == KR_OK && status != 0)
            rc = kr_error_set(err, KR_EEXEC, "%s pull %s failed (exit %d): %s", ctx->program,
                              uri, status, last_line(kr_buf_cstr(&out), line, sizeof line));
        if (rc == KR_OK && rename(tmp, sif) != 0)
            rc = kr_error_set(err, KR_EIO, "cannot rename %s to %s: %s", tmp, sif,
                              strerror(errno));
        if (rc) {
            unlink(tmp);
            goto out;
        }
    }
    im->id = file_sha256(sif, err);
    if (!im->id)
        rc = err ? err->code : KR_EIO;
out:
    kr_buf_free(&out);
    kr_free(uri);
    kr_free(sif);
    kr_free(dir);
    kr_free(tmp);
    return rc;
}

static int no_runtime(const char *image, struct kr_error *err)
{
    return kr_error_set(err, KR_EUNSUPPORTED,
                        "a job runs in container image '%s', but no container runtime was "
                        "found on PATH (looked for podman, docker, apptainer, singularity); "
                        "install one, or pass --container-runtime none to run jobs on the host",
                        image);
}

int kr_container_prepare(struct kr_container_ctx *ctx, const char *image,
                         struct kr_error *err)
{
    struct kr_container_image *im;
    struct kr_error local;
    int rc;

    if (ctx->rt == KR_CRT_NONE)
        return ctx->disabled ? kr_error_set(err, KR_EUNSUPPORTED,
                                            "containers are disabled (--container-runtime none)")
                             : no_runtime(image, err);
    for (im = ctx->images; im; im = im->next) {
        if (strcmp(im->image, image) == 0) {
            if (im->rc)
                return kr_error_set(err, im->rc, "%s", im->msg);
            return KR_OK;
        }
    }
    im = kr_calloc(1, sizeof *im);
    im->image = kr_strdup(image);
    kr_error_clear(&local);
    if (ctx->rt == KR_CRT_PODMAN || ctx->rt == KR_CRT_DOCKER)
        rc = prepare_oci(ctx, im, &local);
    else
        rc = prepare_sif(ctx, im, &local);
    im->rc = rc;
    if (rc)
        snprintf(im->msg, sizeof im->msg, "%s", local.msg);
    im->next = ctx->images;
    ctx->images = im;
    if (rc)
        return kr_error_set(err, rc, "%s", im->msg);
    return KR_OK;
}

int kr_container_identity(struct kr_container_ctx *ctx, const char *image,
                          const char **id, struct kr_error *err)
{
    struct kr_container_image *im;
    int rc;
    *id = NULL;
    if (ctx->disabled)
        return KR_NOT_FOUND;
    rc = kr_container_prepare(ctx, image, err);
    if (rc)
        return rc;
    for (im = ctx->images; im; im = im->next) {
        if (strcmp(im->image, image) == 0) {
            *id = im->id;
            break;
        }
    }
    return KR_OK;
}

int kr_container_identity_fn(void *ctx, const char *image, const char **id,
                             struct kr_error *err)
{
    return kr_container_identity(ctx, image, id, err);
}

/* ---- job preparation -------------------------------------------------------- */

/* Create the parent directories of output paths that may lie outside the
 * working directory (absolute, or going up with ".."), so that their binds
 * have a source. */
static int make_parents(const char *const *paths, uint32_t n, struct kr_error *err)
{
    uint32_t i;
    int rc = KR_OK;
    for (i = 0; i < n && rc == KR_OK; i++) {
        char *dir, *slash;
        if (!paths[i] || (paths[i][0] != '/' && strncmp(paths[i], "..", 2) != 0))
            continue;
        dir = kr_strdup(paths[i]);
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
            rc = mkdir_p(dir, err);
        }
        kr_free(dir);
    }
    return rc;
}

int kr_container_apply(struct kr_container_ctx *ctx, struct kr_exec_job *job,
                       const char *const *inputs, uint32_t ninputs,
                       const char *const *logs, uint32_t nlogs,
                       struct kr_arena *arena, struct kr_error *err)
{
    struct kr_container_job cj;
    struct kr_buf cmd = KR_BUF_INIT;
    const char *image = kr_container_job_image(ctx, job->container);
    int rc;

    if (!image) {
        job->container = NULL;
        return KR_NOT_FOUND;
    }
    rc = kr_container_prepare(ctx, image, err);
    if (rc)
        return rc;
    if (job->workdir && job->workdir[0] == '/') {
        rc = make_parents(job->outputs, job->noutputs, err);
        if (rc == KR_OK)
            rc = make_parents(logs, nlogs, err);
        if (rc)
            return rc;
    }
    memset(&cj, 0, sizeof cj);
    cj.image = image;
    cj.command = job->command;
    cj.workdir = job->workdir;
    cj.inputs = inputs;
    cj.ninputs = ninputs;
    cj.outputs = job->outputs;
    cj.noutputs = job->noutputs;
    cj.logs = logs;
    cj.nlogs = nlogs;
    cj.threads = job->threads;
    cj.gpus = job->gpus;
    cj.env = job->env;
    cj.nenv = job->nenv;
    rc = kr_container_wrap_cmd(ctx, &cj, &cmd, err);
    if (rc == KR_OK) {
        job->command = kr_arena_strndup(arena, kr_buf_cstr(&cmd), cmd.len);
        job->container = NULL;
    }
    kr_buf_free(&cmd);
    return rc;
}

/* ---- argument vectors -------------------------------------------------------- */

int kr_container_split_args(const char *s, char ***argv, size_t *argc,
                            struct kr_error *err)
{
    struct kr_vec words = KR_VEC_INIT;
    struct kr_buf w = KR_BUF_INIT;
    const char *p = s;
    bool inword = false;
    size_t i;
    int rc = KR_OK;

    while (*p) {
        if (*p == ' ' || *p == '\t' || *p == '\n') {
            if (inword) {
                kr_vec_push(&words, kr_buf_steal(&w));
                inword = false;
            }
            p++;
            continue;
        }
        inword = true;
        if (*p == '\\') {
            if (!p[1]) {
                rc = kr_error_set(err, KR_EUSAGE, "trailing backslash in '%s'", s);
                goto out;
            }
            kr_buf_putc(&w, p[1]);
            p += 2;
        } else if (*p == '\'') {
            const char *e = strchr(p + 1, '\'');
            if (!e) {
                rc = kr_error_set(err, KR_EUSAGE, "unterminated ' in '%s'", s);
                goto out;
            }
            kr_buf_append(&w, p + 1, (size_t)(e - p - 1));
            p = e + 1;
        } else if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1] && strchr("\"\\$`", p[1])) {
                    kr_buf_putc(&w, p[1]);
                    p += 2;
                } else {
                    kr_buf_putc(&w, *p++);
                }
            }
            if (*p != '"') {
                rc = kr_error_set(err, KR_EUSAGE, "unterminated \" in '%s'", s);
                goto out;
            }
            p++;
        } else {
            kr_buf_putc(&w, *p++);
        }
    }
    if (inword)
        kr_vec_push(&words, kr_buf_steal(&w));
    /* append to the caller's vector, keeping it NULL-terminated */
    *argv = kr_realloc(*argv, (*argc + words.len + 1) * sizeof **argv);
    for (i = 0; i < words.len; i++)
        (*argv)[(*argc)++] = words.items[i];
    (*argv)[*argc] = NULL;
    words.len = 0;
out:
    for (i = 0; i < words.len; i++)
        kr_free(words.items[i]);
    kr_vec_free(&words);
    kr_buf_free(&w);
    return rc;
}

void kr_container_argv_free(char **argv)
{
    size_t i;
    if (!argv)
        return;
    for (i = 0; argv[i]; i++)
        kr_free(argv[i]);
    kr_free(argv);
}
