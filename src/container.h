/*
 * container.h - running a job's command inside a container image: choosing
 * the runtime (Podman, Docker, Apptainer, Singularity), knowing an image's
 * identity (for provenance and the "container" rerun trigger), pulling an
 * image at most once per run, and turning (image, command, paths) into the
 * full invocation, as an argv vector or as one shell-quoted command string.
 *
 * When containers are used (decided once, for the whole run):
 *   krait runs a job in a container whenever its rule (or the global
 *   `container:` directive, or --container-image) names an image and
 *   containers are not disabled. The runtime is the one given with
 *   --container-runtime (or --use-apptainer / --use-singularity, spelled as
 *   Snakemake spells them); without one, the first of podman, docker,
 *   apptainer, singularity found on PATH. `--container-runtime none` runs
 *   every job on the host, as Snakemake does without --use-singularity.
 *   When no runtime exists the run fails only if a job actually has an
 *   image, with a message saying what to install or pass.
 *   (Snakemake 7 ignores `container:` unless --use-singularity is given; a
 *   rule that names an image is a statement of where it must run, so krait
 *   honours it by default and makes the opt-out explicit.)
 *
 * Who calls what:
 *   - the run command creates one kr_container_ctx per run (ctx_new) from the
 *     command line, and frees it at the end;
 *   - the planner asks kr_container_identity() for the current identity of a
 *     job's image and compares it with kr_prov.container (KR_REASON_CONTAINER);
 *   - job preparation calls kr_container_apply() on each kr_exec_job whose
 *     executor does not run containers itself (local, SLURM): it replaces the
 *     job's command with the container invocation (string form), which the
 *     executor runs with `bash -euo pipefail -c` as any other command;
 *   - the provenance writer records kr_container_identity() of the image.
 *   Executors that run images natively (Kubernetes, AWS Batch: capability
 *   KR_EXEC_CAP_CONTAINERS) get the image in kr_exec_job.container and the
 *   plain command.
 *
 * Ownership: a kr_container_ctx owns its caches (identities, pulled .sif
 * paths); strings it returns stay valid until kr_container_ctx_free. argv
 * vectors from kr_container_wrap_argv / kr_container_split_args belong to the
 * caller (kr_container_argv_free). The ctx is used by one thread at a time.
 */
#ifndef KR_CONTAINER_H
#define KR_CONTAINER_H

#include "kr.h"
#include "executor.h"   /* struct kr_env, struct kr_exec_job */

enum kr_container_runtime {
    KR_CRT_NONE = 0,        /* containers disabled or no runtime found */
    KR_CRT_PODMAN,
    KR_CRT_DOCKER,
    KR_CRT_APPTAINER,
    KR_CRT_SINGULARITY,
};

/* Options for a run, from the command line. All strings are borrowed for
 * the duration of kr_container_ctx_new (it copies what it keeps). */
struct kr_container_opts {
    const char *runtime;        /* "podman", "docker", "apptainer", "singularity",
                                   "none" (never use containers), or NULL/"auto":
                                   the first one found on PATH */
    const char *default_image;  /* --container-image: the image of jobs whose rule
                                   (and workflow) names none; NULL for none */
    const char *state_dir;      /* absolute path of .krait/ (apptainer's .sif cache
                                   lives in STATE_DIR/apptainer/); NULL = ".krait"
                                   under the current directory */
    const char **env_pass;      /* --container-env NAME: host variables passed into
                                   every container (when set on the host) */
    uint32_t nenv_pass;
    const char **extra_args;    /* --container-args STR: each string is split into
                                   arguments (quotes and backslashes as in a shell,
                                   no expansion) and placed before the image */
    uint32_t nextra_args;
    bool quiet;                 /* do not print "pulling IMAGE" notes on stderr */
};

/* What one job needs from its container. Strings are borrowed. */
struct kr_container_job {
    const char *image;          /* as written: "debian:12", "docker://x/y:1",
                                   "localhost/krait-test:latest", "img/tool.sif" */
    const char *command;        /* the formatted shell command; run inside with
                                   bash -euo pipefail -c */
    const char *workdir;        /* absolute; bound at the same path and made the
                                   working directory */
    const char *const *inputs;  /* declared input paths (relative to workdir or
                                   absolute); those outside workdir are bound
                                   read-only */
    uint32_t ninputs;
    const char *const *outputs; /* declared outputs; the parent directory of each
                                   one outside workdir is bound read-write */
    uint32_t noutputs;
    const char *const *logs;    /* log: files, treated as outputs */
    uint32_t nlogs;
    int threads;                /* informational: not enforced (as Snakemake) */
    int64_t gpus;               /* > 0: pass GPUs through (CDI / --gpus / --nv) */
    const struct kr_env *env;   /* the job's own variables (CUDA_VISIBLE_DEVICES...) */
    uint32_t nenv;
};

struct kr_container_ctx;

/*
 * Parse a runtime name: "podman", "docker", "apptainer", "singularity",
 * "none". Returns KR_OK, or KR_EUSAGE naming the accepted values.
 */
int kr_container_runtime_parse(const char *name, enum kr_container_runtime *out,
                               struct kr_error *err);

/* "podman", "docker", "apptainer", "singularity" or "none". */
const char *kr_container_runtime_name(enum kr_container_runtime rt);

/*
 * Create the per-run context: parse the options, choose the runtime (the
 * given one must be on PATH; auto-detection finding nothing is NOT an error:
 * the runtime is then KR_CRT_NONE and using an image fails later), split
 * --container-args. Returns KR_OK, KR_EUSAGE (unknown runtime name,
 * unbalanced quote in --container-args) or KR_EEXEC (the named runtime is not
 * on PATH), with err filled and *out NULL. Free with kr_container_ctx_free.
 */
int kr_container_ctx_new(const struct kr_container_opts *opts,
                         struct kr_container_ctx **out, struct kr_error *err);
void kr_container_ctx_free(struct kr_container_ctx *ctx);

/* The chosen runtime (KR_CRT_NONE: jobs run on the host). */
enum kr_container_runtime kr_container_ctx_runtime(const struct kr_container_ctx *ctx);

/*
 * The image a job runs in: `image` (the rule's effective container, may be
 * NULL) or else --container-image; NULL when the job runs on the host,
 * including when containers are disabled (`--container-runtime none`).
 * Borrowed from the arguments or ctx.
 */
const char *kr_container_job_image(const struct kr_container_ctx *ctx, const char *image);

/*
 * Make `image` usable, at most once per run: for Podman/Docker, check that
 * it exists locally (`image exists` / `image inspect`) and pull it only when
 * missing; for Apptainer/Singularity, pull a docker:// (or library://,
 * oras://, shub://) image into STATE_DIR/apptainer/<hash>.sif unless that
 * file already exists, and check that a local .sif exists. Also records the
 * image's identity (kr_container_identity). Later calls for the same image
 * return the cached outcome, including a cached failure.
 * Returns KR_OK; KR_EUNSUPPORTED when there is no runtime (the message says
 * what to install or pass); KR_EEXEC when the pull fails (with the
 * runtime's last output line); KR_EUSAGE for an image the runtime cannot
 * run (a .sif with podman, a path with spaces...).
 */
int kr_container_prepare(struct kr_container_ctx *ctx, const char *image,
                         struct kr_error *err);

/*
 * The identity of `image` as the runtime sees it now: Podman/Docker's image
 * id ("sha256:<hex>", changes when another image is tagged with the same
 * name); Apptainer/Singularity's sha256 of the .sif file ("sha256:<hex>").
 * Prepares the image first when needed (see kr_container_prepare), so the
 * first call may pull. Cached for the run: the runtime is asked once per
 * image. *id is owned by ctx. Returns KR_OK; KR_NOT_FOUND when containers
 * are disabled (*id = NULL: the planner then skips the container trigger);
 * errors as kr_container_prepare.
 */
int kr_container_identity(struct kr_container_ctx *ctx, const char *image,
                          const char **id, struct kr_error *err);

/*
 * kr_container_identity with the context as a void pointer, for callers
 * that take a callback (the planner's container trigger): pass this
 * function and the kr_container_ctx as its data.
 */
int kr_container_identity_fn(void *ctx, const char *image, const char **id,
                             struct kr_error *err);

/*
 * The full invocation running job->command in job->image, as a
 * NULL-terminated argv for execvp (argv[0] is the runtime program, or
 * "bash" for Docker, whose invocation needs a cleanup step: see
 * container-cmd.c). Pure: runs nothing and reads only getuid()/getgid(),
 * the host values of --container-env names (Apptainer) and, for docker://
 * images under Apptainer, where the cached .sif is (it need not exist yet).
 * Returns KR_OK with *argv_out to free with kr_container_argv_free;
 * KR_EUNSUPPORTED when there is no runtime; KR_EUSAGE when the image or a
 * path cannot be expressed (a ':' or ',' in a bound path, a .sif with
 * Podman/Docker, a relative workdir). On error *argv_out is NULL.
 */
int kr_container_wrap_argv(const struct kr_container_ctx *ctx,
                           const struct kr_container_job *job,
                           char ***argv_out, struct kr_error *err);

/*
 * The same invocation as one command string for `bash -c` (a batch script,
 * or the command of a kr_exec_job), every argument shell-quoted. Appends to
 * cmd_out (which the caller owns and frees). Errors as kr_container_wrap_argv;
 * on error cmd_out is unchanged.
 */
int kr_container_wrap_cmd(const struct kr_container_ctx *ctx,
                          const struct kr_container_job *job,
                          struct kr_buf *cmd_out, struct kr_error *err);

/*
 * Integration for job preparation: when the job has an image (job->container
 * or --container-image) and containers are enabled, prepare the image,
 * create the parent directories of outputs and logs outside the working
 * directory (bind sources must exist), then replace job->command with the
 * container invocation (string form, in `arena`) and set job->container to
 * NULL: the image is in the command now, and an executor must not run it in
 * a container again. `inputs` and `logs` are the job's declared input and
 * log paths (kr_exec_job carries only outputs). Returns KR_OK when the job
 * was wrapped; KR_NOT_FOUND when it runs on the host (no image, or
 * containers disabled: job->container set to NULL, command unchanged);
 * errors as kr_container_prepare and kr_container_wrap_cmd, with the job
 * unchanged. Call it only for executors without KR_EXEC_CAP_CONTAINERS.
 * The image to record in provenance is
 * kr_container_identity(ctx, kr_container_job_image(ctx, rule_image)).
 */
int kr_container_apply(struct kr_container_ctx *ctx, struct kr_exec_job *job,
                       const char *const *inputs, uint32_t ninputs,
                       const char *const *logs, uint32_t nlogs,
                       struct kr_arena *arena, struct kr_error *err);

/*
 * Split `s` into arguments as a POSIX shell would split words, without any
 * expansion: blanks separate, '...' is literal, "..." allows \" \\ \$ \`,
 * a backslash outside quotes escapes the next character. Appends to *argv
 * (NULL-terminated; *argc counts) and returns KR_OK, or KR_EUSAGE for an
 * unterminated quote or trailing backslash (the vector is then unchanged).
 * Free with kr_container_argv_free.
 */
int kr_container_split_args(const char *s, char ***argv, size_t *argc,
                            struct kr_error *err);

/* Free a NULL-terminated vector and its strings. NULL is fine. */
void kr_container_argv_free(char **argv);

/*
 * Append `s` to b quoted for a POSIX shell: unchanged when it consists only
 * of [A-Za-z0-9_@%+=:,./-] and is not empty, else in single quotes with
 * each ' written as '\''.
 */
void kr_container_shell_quote(struct kr_buf *b, const char *s);

/* ---- internals shared by container.c and container-cmd.c --------------
 * Other modules treat struct kr_container_ctx as opaque. */
struct kr_container_image;          /* one cached image (container.c) */
struct kr_container_ctx {
    enum kr_container_runtime rt;
    const char *program;            /* "podman", "docker", "apptainer", "singularity" */
    char *default_image;            /* --container-image, or NULL */
    char *state_dir;                /* absolute .krait directory */
    char **env_pass;                /* --container-env names */
    uint32_t nenv_pass;
    char **extra;                   /* --container-args, split, NULL-terminated */
    size_t nextra;
    bool quiet;
    bool disabled;                  /* --container-runtime none */
    struct kr_container_image *images;  /* prepared images, a list */
};

/* Apptainer/Singularity: the local .sif file an image runs from: a .sif
 * path made absolute against `workdir`, or for a URI (or a plain name,
 * taken as docker://NAME) STATE_DIR/apptainer/<16 hex of its hash>.sif.
 * kr_malloc'd. */
char *kr_container_sif_path(const struct kr_container_ctx *ctx, const char *image,
                            const char *workdir);

/* Podman/Docker: the reference for `image` (docker://NAME -> NAME) into
 * *ref (points into image). KR_EUSAGE for a .sif, another URI scheme, an
 * empty name or one with blanks. */
int kr_container_oci_ref(const char *image, const char **ref, struct kr_error *err);

/* The URI to pull for an image that is not a local .sif ("docker://NAME"
 * for plain names), kr_malloc'd; NULL for a .sif path. */
char *kr_container_pull_uri(const char *image);

#endif /* KR_CONTAINER_H */
