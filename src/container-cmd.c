/*
 * container-cmd.c - the command line that runs one job inside a container,
 * for each runtime. Pure: nothing here starts a process; container.c decides
 * which runtime and image, this file only spells the invocation. Both forms
 * are built from one argv vector, so the argv run by a local executor and the
 * string written into a SLURM batch script never differ.
 *
 * Podman:  podman run --rm --entrypoint= --user UID:GID --workdir W
 *            -v W:W [-v IN:IN:ro ...] [-v OUTDIR:OUTDIR ...]
 *            -e HOME=/tmp [-e K=V ...] [-e PASSNAME ...] [--device nvidia.com/gpu=...]
 *            [--container-args ...] IMAGE bash -euo pipefail -c CMD
 *   The image's entrypoint is cleared so CMD runs under bash whatever the
 *   image says. Only the listed variables reach the job (Podman never passes
 *   the host environment); `-e NAME` without a value takes the host value
 *   at run time and leaves nothing secret in a batch script. HOME is /tmp
 *   inside the container, so tools writing ~/.cache do not litter the
 *   working directory. The network is the runtime's default (this machine's
 *   containers.conf says netns="none"); --container-args can change it.
 * Docker:  the same options, but NOT --rm: the docker CLI talking to
 *   Podman's API returns exit status 0 for any `run --rm` (seen here, see
 *   /work/shared/notes/infra.md), so the invocation is a small bash wrapper
 *   that runs `docker run --cidfile F ...`, keeps the status, removes the
 *   container (also when the job is killed) and exits with that status.
 *   GPUs: --gpus N.
 * GPUs (Podman/Docker): the runner picks the devices when it starts the job
 *   and puts them in CUDA_VISIBLE_DEVICES; when the job's env given here
 *   has it, Podman gets one CDI device per index, else all devices and the
 *   variable passed through from the host at run time.
 * Apptainer / Singularity:
 *          apptainer exec --cleanenv --no-home --pwd W --bind W:W
 *            [--bind IN:IN:ro ...] [--bind OUTDIR:OUTDIR ...] [--nv]
 *            [--env K=V ...] [--container-args ...] SIF bash -euo pipefail -c CMD
 *   --cleanenv keeps the host environment out; passed-through variables
 *   reach the container as APPTAINERENV_NAME, copied by a bash prefix when
 *   the job starts (values never stand on the command line). Images that are not a local .sif run from the .sif pulled
 *   into .krait/apptainer/ by kr_container_prepare. GPU jobs get --nv, and
 *   the same prefix copies CUDA_VISIBLE_DEVICES when the variable is not in
 *   the job's env here.
 *
 * Binds: the working directory is bound at its own path. Every declared
 * input outside it is bound read-only at its own path (writing to it fails
 * inside the container); for every output and log outside it, its parent
 * directory is bound read-write. Paths are made absolute against the
 * working directory and normalised lexically (no symlinks are resolved),
 * duplicates dropped, parents sorted before children. A path containing ':'
 * (or ',' for Apptainer) cannot be written in the bind syntax: KR_EUSAGE.
 */
#include "container.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- small helpers ----------------------------------------------------- */

static void push(struct kr_vec *v, const char *s)
{
    kr_vec_push(v, kr_strdup(s));
}

static void pushf(struct kr_vec *v, const char *fmt, const char *a, const char *b)
{
    kr_vec_push(v, kr_asprintf(fmt, a, b));
}

static void push1(struct kr_vec *v, const char *prefix, const char *a)
{
    kr_vec_push(v, kr_asprintf("%s%s", prefix, a));
}

static void vec_drop(struct kr_vec *v)
{
    size_t i;
    for (i = 0; i < v->len; i++)
        kr_free(v->items[i]);
    kr_vec_free(v);
}

static bool has_scheme(const char *image)
{
    const char *p = strstr(image, "://");
    const char *c;
    if (!p || p == image)
        return false;
    for (c = image; c < p; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
            return false;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Lexically normalise `path` (absolute, or relative to the absolute `base`)
 * into a fresh absolute path: no "." or empty components, ".." removes the
 * previous one (never above "/"), no trailing slash except for "/".
 */
static char *abs_norm(const char *base, const char *path)
{
    struct kr_buf in = KR_BUF_INIT, out = KR_BUF_INIT;
    const char *p, *e;
    if (path[0] != '/') {
        kr_buf_puts(&in, base);
        kr_buf_putc(&in, '/');
    }
    kr_buf_puts(&in, path);
    for (p = kr_buf_cstr(&in); *p; p = e) {
        size_t n;
        while (*p == '/')
            p++;
        e = strchr(p, '/');
        if (!e)
            e = p + strlen(p);
        n = (size_t)(e - p);
        if (n == 0 || (n == 1 && p[0] == '.'))
            continue;
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (out.len > 0 && out.data[out.len - 1] != '/')
                out.len--;
            if (out.len > 0)
                out.len--;          /* the slash */
            if (out.data)
                out.data[out.len] = '\0';
            continue;
        }
        kr_buf_putc(&out, '/');
        kr_buf_append(&out, p, n);
    }
    kr_buf_free(&in);
    if (out.len == 0)
        kr_buf_putc(&out, '/');
    return kr_buf_steal(&out);
}

/* Is `path` equal to `dir` or below it? Both normalised and absolute. */
static bool is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return true;
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ---- binds --------------------------------------------------------------- */

struct bind {
    char *path;
    bool ro;
};

static int bind_cmp(const void *a, const void *b)
{
    const struct bind *x = a, *y = b;
    return strcmp(x->path, y->path);
}

struct binds {
    struct bind *b;
    size_t n, cap;
};

static void binds_add(struct binds *bs, char *path, bool ro)
{
    size_t i;
    for (i = 0; i < bs->n; i++) {
        if (strcmp(bs->b[i].path, path) == 0) {
            bs->b[i].ro = bs->b[i].ro && ro;    /* read-write wins */
            kr_free(path);
            return;
        }
    }
    if (bs->n == bs->cap) {
        bs->cap = bs->cap ? 2 * bs->cap : 8;
        bs->b = kr_realloc(bs->b, bs->cap * sizeof *bs->b);
    }
    bs->b[bs->n].path = path;
    bs->b[bs->n].ro = ro;
    bs->n++;
}

static void binds_free(struct binds *bs)
{
    size_t i;
    for (i = 0; i < bs->n; i++)
        kr_free(bs->b[i].path);
    kr_free(bs->b);
}

/* Add the binds for `paths` that lie outside `wd`: the path itself
 * read-only (inputs), or its parent directory read-write (outputs). */
static void binds_collect(struct binds *bs, const char *wd, const char *const *paths,
                          uint32_t n, bool input)
{
    uint32_t i;
    for (i = 0; i < n; i++) {
        char *p;
        if (!paths[i] || !paths[i][0])
            continue;
        p = abs_norm(wd, paths[i]);
        if (is_under(p, wd)) {
            kr_free(p);
            continue;
        }
        if (!input) {
            char *slash = strrchr(p, '/');
            if (slash == p)
                slash[1] = '\0';        /* "/x" -> "/" */
            else
                *slash = '\0';
        }
        binds_add(bs, p, input);
    }
}

/* Reject paths the bind syntax cannot carry. */
static int check_bind_path(const char *path, bool apptainer, struct kr_error *err)
{
    if (strchr(path, ':'))
        return kr_error_set(err, KR_EUSAGE,
                            "cannot bind '%s' into a container: the path contains ':'", path);
    if (apptainer && strchr(path, ','))
        return kr_error_set(err, KR_EUSAGE,
                            "cannot bind '%s' into an Apptainer container: the path contains ','",
                            path);
    return KR_OK;
}

/* ---- images -------------------------------------------------------------- */

char *kr_container_pull_uri(const char *image)
{
    if (has_scheme(image))
        return kr_strdup(image);
    if (ends_with(image, ".sif"))
        return NULL;
    return kr_asprintf("docker://%s", image);
}

char *kr_container_sif_path(const struct kr_container_ctx *ctx, const char *image,
                            const char *workdir)
{
    char *uri = kr_container_pull_uri(image);
    char *path;
    if (!uri)
        return abs_norm(workdir ? workdir : "/", image);
    path = kr_asprintf("%s/apptainer/%016llx.sif", ctx->state_dir,
                       (unsigned long long)kr_hash64(uri, strlen(uri)));
    kr_free(uri);
    return path;
}

/* The reference Podman/Docker understand: docker://NAME -> NAME. */
int kr_container_oci_ref(const char *image, const char **ref, struct kr_error *err)
{
    if (strncmp(image, "docker://", 9) == 0) {
        *ref = image + 9;
    } else if (has_scheme(image)) {
        return kr_error_set(err, KR_EUSAGE,
                            "image '%s': Podman and Docker run only docker:// or plain "
                            "image names (use --container-runtime apptainer for other URIs)",
                            image);
    } else if (ends_with(image, ".sif")) {
        return kr_error_set(err, KR_EUSAGE,
                            "image '%s' is a Singularity image file, which Podman and Docker "
                            "cannot run (use --container-runtime apptainer)", image);
    } else {
        *ref = image;
    }
    if (!**ref || strpbrk(*ref, " \t\n"))
        return kr_error_set(err, KR_EUSAGE, "invalid container image name '%s'", image);
    return KR_OK;
}

/* ---- the invocations -------------------------------------------------------- */

static const char *job_env(const struct kr_container_job *job, const char *name)
{
    uint32_t i;
    for (i = 0; i < job->nenv; i++)
        if (strcmp(job->env[i].name, name) == 0)
            return job->env[i].value;
    return NULL;
}

static void push_command(struct kr_vec *v, const struct kr_container_job *job)
{
    push(v, "bash");
    push(v, "-euo");
    push(v, "pipefail");
    push(v, "-c");
    push(v, job->command);
}

static void push_extra(struct kr_vec *v, const struct kr_container_ctx *ctx)
{
    size_t i;
    for (i = 0; i < ctx->nextra; i++)
        push(v, ctx->extra[i]);
}

/* Podman and Docker share everything but --rm and the GPU flags. */
static int oci_argv(const struct kr_container_ctx *ctx, const struct kr_container_job *job,
                    const char *wd, const struct binds *bs, struct kr_vec *v,
                    struct kr_error *err)
{
    const char *ref;
    char ids[64];
    size_t i;
    int rc = kr_container_oci_ref(job->image, &ref, err);
    if (rc)
        return rc;
    push(v, ctx->program);
    push(v, "run");
    if (ctx->rt == KR_CRT_PODMAN)
        push(v, "--rm");
    push(v, "--entrypoint=");
    snprintf(ids, sizeof ids, "--user=%lu:%lu", (unsigned long)getuid(), (unsigned long)getgid());
    push(v, ids);
    push1(v, "--workdir=", wd);
    pushf(v, "--volume=%s:%s", wd, wd);
    for (i = 0; i < bs->n; i++) {
        if (bs->b[i].ro)
            pushf(v, "--volume=%s:%s:ro", bs->b[i].path, bs->b[i].path);
        else
            pushf(v, "--volume=%s:%s", bs->b[i].path, bs->b[i].path);
    }
    push(v, "--env=HOME=/tmp");
    for (i = 0; i < job->nenv; i++)
        pushf(v, "--env=%s=%s", job->env[i].name, job->env[i].value);
    for (i = 0; i < ctx->nenv_pass; i++)
        push1(v, "--env=", ctx->env_pass[i]);
    if (job->gpus > 0 && !job_env(job, "CUDA_VISIBLE_DEVICES"))
        push(v, "--env=CUDA_VISIBLE_DEVICES");  /* set by the runner when it starts the job */
    if (job->gpus > 0) {
        if (ctx->rt == KR_CRT_DOCKER) {
            char g[48];
            snprintf(g, sizeof g, "--gpus=%lld", (long long)job->gpus);
            push(v, g);
        } else {
            /* CDI names: one device per visible index, else all of them */
            const char *vis = job_env(job, "CUDA_VISIBLE_DEVICES");
            if (vis && *vis) {
                char *copy = kr_strdup(vis), *save = NULL, *tok;
                for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
                    push1(v, "--device=nvidia.com/gpu=", tok);
                kr_free(copy);
            } else {
                push(v, "--device=nvidia.com/gpu=all");
            }
        }
    }
    push_extra(v, ctx);
    push(v, ref);
    push_command(v, job);
    return KR_OK;
}

/*
 * Docker: `bash -c SCRIPT krait-docker PROGRAM OPTIONS... IMAGE CMD...`.
 * The script runs `PROGRAM run --cidfile=F "$@"` in the background, waits,
 * removes the container by its id whatever happened (a TERM/INT/HUP sent to
 * the wrapper stops the container first) and exits with the job's status.
 */
static const char docker_script[] =
    "p=$1; shift; "
    "f=$(mktemp -u \"${TMPDIR:-/tmp}/krait-cid.XXXXXXXX\"); "
    "cleanup() { if [ -s \"$f\" ]; then \"$p\" rm -f \"$(cat \"$f\")\" >/dev/null 2>&1 || :; fi; rm -f \"$f\"; }; "
    "trap 'cleanup; exit 143' TERM; trap 'cleanup; exit 130' INT; trap 'cleanup; exit 129' HUP; "
    "\"$p\" run --cidfile=\"$f\" \"$@\" & wait $!; rc=$?; cleanup; exit $rc";

static int docker_argv(const struct kr_container_ctx *ctx, const struct kr_container_job *job,
                       const char *wd, const struct binds *bs, struct kr_vec *v,
                       struct kr_error *err)
{
    struct kr_vec inner = KR_VEC_INIT;
    size_t i;
    int rc = oci_argv(ctx, job, wd, bs, &inner, err);
    if (rc) {
        vec_drop(&inner);
        return rc;
    }
    push(v, "bash");
    push(v, "-c");
    push(v, docker_script);
    push(v, "krait-docker");
    push(v, ctx->program);
    /* inner = PROGRAM run OPTIONS...: keep OPTIONS... */
    for (i = 2; i < inner.len; i++)
        kr_vec_push(v, inner.items[i]);
    kr_free(inner.items[0]);
    kr_free(inner.items[1]);
    kr_vec_free(&inner);
    return KR_OK;
}

/* Apptainer drops the host environment (--cleanenv) except variables
 * named APPTAINERENV_X / SINGULARITYENV_X, which it sets as X inside. The
 * variables passed through (--container-env, validated as identifiers when
 * the context is made) and a GPU job's CUDA_VISIBLE_DEVICES are handed over
 * that way by a bash prefix that copies them when the job starts, so their
 * values never appear on a command line or in a batch script (they may be
 * secrets). Returns the prefix script, or NULL when nothing is to be copied;
 * the caller kr_free()s it. */
static char *apptainer_env_script(const struct kr_container_ctx *ctx,
                                  const struct kr_container_job *job)
{
    struct kr_buf b = KR_BUF_INIT;
    size_t i;
    for (i = 0; i < ctx->nenv_pass; i++)
        kr_buf_printf(&b, "if [ -n \"${%s+x}\" ]; then export APPTAINERENV_%s=\"$%s\" "
                      "SINGULARITYENV_%s=\"$%s\"; fi; ",
                      ctx->env_pass[i], ctx->env_pass[i], ctx->env_pass[i],
                      ctx->env_pass[i], ctx->env_pass[i]);
    if (job->gpus > 0 && !job_env(job, "CUDA_VISIBLE_DEVICES"))
        /* the runner sets CUDA_VISIBLE_DEVICES when it starts the job */
        kr_buf_puts(&b, "if [ -n \"${CUDA_VISIBLE_DEVICES+x}\" ]; then "
                        "export APPTAINERENV_CUDA_VISIBLE_DEVICES=\"$CUDA_VISIBLE_DEVICES\" "
                        "SINGULARITYENV_CUDA_VISIBLE_DEVICES=\"$CUDA_VISIBLE_DEVICES\"; fi; ");
    if (!b.len)
        return NULL;
    kr_buf_puts(&b, "exec \"$@\"");
    return kr_buf_steal(&b);
}

static int apptainer_argv(const struct kr_container_ctx *ctx, const struct kr_container_job *job,
                          const char *wd, const struct binds *bs, struct kr_vec *v,
                          struct kr_error *err)
{
    size_t i;
    char *sif, *script;
    if (!job->image[0] || strpbrk(job->image, " \t\n"))
        return kr_error_set(err, KR_EUSAGE, "invalid container image name '%s'", job->image);
    sif = kr_container_sif_path(ctx, job->image, wd);
    script = apptainer_env_script(ctx, job);
    if (script) {
        push(v, "bash");
        push(v, "-c");
        kr_vec_push(v, script);
        push(v, "krait-env");
    }
    push(v, ctx->program);
    push(v, "exec");
    push(v, "--cleanenv");
    push(v, "--no-home");
    push(v, "--pwd");
    push(v, wd);
    push(v, "--bind");
    pushf(v, "%s:%s", wd, wd);
    for (i = 0; i < bs->n; i++) {
        push(v, "--bind");
        if (bs->b[i].ro)
            pushf(v, "%s:%s:ro", bs->b[i].path, bs->b[i].path);
        else
            pushf(v, "%s:%s", bs->b[i].path, bs->b[i].path);
    }
    if (job->gpus > 0)
        push(v, "--nv");
    for (i = 0; i < job->nenv; i++) {
        push(v, "--env");
        pushf(v, "%s=%s", job->env[i].name, job->env[i].value);
    }
    push_extra(v, ctx);
    kr_vec_push(v, sif);
    push_command(v, job);
    return KR_OK;
}

int kr_container_wrap_argv(const struct kr_container_ctx *ctx,
                           const struct kr_container_job *job,
                           char ***argv_out, struct kr_error *err)
{
    struct kr_vec v = KR_VEC_INIT;
    struct binds bs = {NULL, 0, 0};
    char *wd = NULL;
    bool app = ctx->rt == KR_CRT_APPTAINER || ctx->rt == KR_CRT_SINGULARITY;
    size_t i;
    int rc = KR_OK;

    *argv_out = NULL;
    if (ctx->rt == KR_CRT_NONE)
        return kr_error_set(err, KR_EUNSUPPORTED,
                            "no container runtime to run image '%s'", job->image);
    if (!job->image || !job->command)
        return kr_error_set(err, KR_EUSAGE, "container job without %s",
                            job->image ? "a command" : "an image");
    if (!job->workdir || job->workdir[0] != '/')
        return kr_error_set(err, KR_EUSAGE,
                            "container working directory '%s' is not absolute",
                            job->workdir ? job->workdir : "(null)");
    wd = abs_norm("/", job->workdir);
    binds_collect(&bs, wd, job->inputs, job->ninputs, true);
    binds_collect(&bs, wd, job->outputs, job->noutputs, false);
    binds_collect(&bs, wd, job->logs, job->nlogs, false);
    if (bs.n > 1)
        qsort(bs.b, bs.n, sizeof *bs.b, bind_cmp);
    rc = check_bind_path(wd, app, err);
    for (i = 0; rc == KR_OK && i < bs.n; i++)
        rc = check_bind_path(bs.b[i].path, app, err);
    if (rc)
        goto out;

    if (ctx->rt == KR_CRT_PODMAN)
        rc = oci_argv(ctx, job, wd, &bs, &v, err);
    else if (ctx->rt == KR_CRT_DOCKER)
        rc = docker_argv(ctx, job, wd, &bs, &v, err);
    else
        rc = apptainer_argv(ctx, job, wd, &bs, &v, err);
    if (rc)
        goto out;
    kr_vec_push(&v, NULL);
    *argv_out = (char **)v.items;
    v.items = NULL;
    v.len = 0;
out:
    if (v.items)
        vec_drop(&v);
    binds_free(&bs);
    kr_free(wd);
    return rc;
}

void kr_container_shell_quote(struct kr_buf *b, const char *s)
{
    const char *p;
    bool plain = *s != '\0';
    for (p = s; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9') || strchr("_@%+=:,./-", *p) != NULL;
    if (plain) {
        kr_buf_puts(b, s);
        return;
    }
    kr_buf_putc(b, '\'');
    for (p = s; *p; p++) {
        if (*p == '\'')
            kr_buf_puts(b, "'\\''");
        else
            kr_buf_putc(b, *p);
    }
    kr_buf_putc(b, '\'');
}

int kr_container_wrap_cmd(const struct kr_container_ctx *ctx,
                          const struct kr_container_job *job,
                          struct kr_buf *cmd_out, struct kr_error *err)
{
    char **argv = NULL;
    size_t i;
    int rc = kr_container_wrap_argv(ctx, job, &argv, err);
    if (rc)
        return rc;
    for (i = 0; argv[i]; i++) {
        if (i > 0)
            kr_buf_putc(cmd_out, ' ');
        kr_container_shell_quote(cmd_out, argv[i]);
    }
    kr_container_argv_free(argv);
    return KR_OK;
}
