/*
 * cmd-run.c - `krait run`: load the workflow, take the directory's lock,
 * clean up after a krait that was killed, plan, and run the jobs that need
 * to run (src/runner.c). Also what `krait [options] [targets]` does without
 * a command, as `snakemake` does.
 *
 *   krait run [-c N|all] [-j N] [-k] [--retries N] [--resources k=v...]
 *             [--default-resources [k=v...]] [--latency-wait S]
 *             [--keep-incomplete] [--notemp] [--unlock] [--executor NAME]
 *             [--executor-arg K=V...] [--slurm-array | --no-slurm-array]
 *             [--slurm-array-threshold N] [--detach] [-n] [-p] [-q] [-v] [targets...]
 *
 * --slurm-array, --no-slurm-array and --slurm-array-threshold N are spelled
 * for the SLURM executor as its backend arguments slurm-array=1|0 and
 * slurm-array-threshold=N, followed by the --executor-arg values (so an
 * explicit --executor-arg wins). --detach submits the jobs that are ready
 * and exits; a later `krait run` with the same executor re-adopts them.
 *
 * -n prints the planner's dry run (the same listing as `krait plan`) and
 * runs nothing, handlers included. The rule file's onstart: handler runs
 * before the first job, onsuccess: after a run that finished, onerror: after
 * one that failed (Python, in python3: see run_handler). Exit status: 0 all jobs done (or nothing to do), 1 a job
 * failed or krait could not run, 2 usage error, 128+N killed by signal N
 * (130 SIGINT, 143 SIGTERM).
 */
#include "checkpoint.h"
#include "cli.h"
#include "storage.h"
#include "cmd.h"
#include "container.h"
#include "dag.h"
#include "executor.h"
#include "planfmt.h"
#include "progress.h"
#include "runner.h"
#include "scriptwrap.h"
#include "state.h"
#include "report.h"
#include "trace.h"
#include "workflow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char summary[] = "run the jobs that need to run";

/* Parse NAME=INT pairs. KR_EUSAGE for a value that is not an integer. */
static int parse_int_kvs(const char *opt, const struct kr_kv *kv, uint32_t n,
                         int64_t *vals, struct kr_error *err)
{
    uint32_t i;
    char *end;
    for (i = 0; i < n; i++) {
        errno = 0;
        vals[i] = kv[i].value ? strtoll(kv[i].value, &end, 10) : 0;
        if (!kv[i].value || !*kv[i].value || *end || errno || vals[i] < 0)
            return kr_error_set(err, KR_EUSAGE, "%s: '%s=%s' is not NAME=INT", opt,
                                kv[i].key, kv[i].value ? kv[i].value : "");
    }
    return KR_OK;
}

static char *argv_summary(int argc, char **argv)
{
    struct kr_buf b = KR_BUF_INIT;
    int i;
    kr_buf_puts(&b, "krait");
    for (i = 0; i < argc; i++)
        kr_buf_printf(&b, " %s", argv[i]);
    return kr_buf_steal(&b);
}


/* plan.container_id for executors that run images themselves: the image's
 * identity is its name (the node pulls it; krait does not). */
static int image_name_identity(void *data, const char *image, const char **id,
                               struct kr_error *err)
{
    KR_UNUSED(data);
    KR_UNUSED(err);
    *id = image;
    return KR_OK;
}

/*
 * The backend arguments for the executor: aws-batch-queue=NAME and
 * aws-batch-endpoint-url=URL (AWS Batch), slurm-array=0|1 and
 * slurm-array-threshold=N, k8s-namespace=NS and k8s-gpu-resource=NAME from
 * their own options, then every --executor-arg
 * K=V. Strings are kr_malloc'd into `out` (the caller frees each, then the
 * vector). KR_EUSAGE when the SLURM or Kubernetes options are given for another executor.
 */
static int backend_args(const struct kr_cli *cli, struct kr_vec *out, struct kr_error *err)
{
    uint32_t i;
    bool slurm = cli->executor && !strcmp(cli->executor, "slurm");
    if ((cli->slurm_array >= 0 || cli->slurm_array_threshold >= 0) && !slurm)
        return kr_error_set(err, KR_EUSAGE, "--%s is an option of the SLURM executor "
                            "(add --executor slurm)",
                            cli->slurm_array == 1 ? "slurm-array" : cli->slurm_array == 0
                            ? "no-slurm-array" : "slurm-array-threshold");
    if ((cli->aws_batch_queue || cli->aws_batch_endpoint) &&
        !(cli->executor && !strcmp(cli->executor, "aws-batch")))
        return kr_error_set(err, KR_EUSAGE, "--%s is an option of the AWS Batch executor "
                            "(add --executor aws-batch)", cli->aws_batch_queue
                            ? "aws-batch-queue" : "aws-batch-endpoint-url");
    if (cli->aws_batch_queue)
        kr_vec_push(out, kr_asprintf("aws-batch-queue=%s", cli->aws_batch_queue));
    if (cli->aws_batch_endpoint)
        kr_vec_push(out, kr_asprintf("aws-batch-endpoint-url=%s", cli->aws_batch_endpoint));
    if (cli->slurm_array >= 0)
        kr_vec_push(out, kr_asprintf("slurm-array=%d", cli->slurm_array));
    if (cli->slurm_array_threshold >= 0)
        kr_vec_push(out, kr_asprintf("slurm-array-threshold=%ld", cli->slurm_array_threshold));
    if ((cli->k8s_namespace || cli->k8s_gpu_resource || cli->k8s_pvc) &&
        !(cli->executor && !strcmp(cli->executor, "kubernetes")))
        return kr_error_set(err, KR_EUSAGE, "--%s is an option of the Kubernetes executor "
                            "(add --executor kubernetes)",
                            cli->k8s_namespace ? "k8s-namespace" : cli->k8s_gpu_resource
                            ? "k8s-gpu-resource" : "k8s-pvc");
    if (cli->k8s_pvc)
        kr_vec_push(out, kr_asprintf("k8s-pvc=%s", cli->k8s_pvc));
    if (cli->k8s_namespace)
        kr_vec_push(out, kr_asprintf("k8s-namespace=%s", cli->k8s_namespace));
    if (cli->k8s_gpu_resource)
        kr_vec_push(out, kr_asprintf("k8s-gpu-resource=%s", cli->k8s_gpu_resource));
    /* Kubernetes: --container-env names become Secret references in the Jobs */
    for (i = 0; cli->executor && !strcmp(cli->executor, "kubernetes") &&
                i < cli->ncontainer_env; i++)
        kr_vec_push(out, kr_asprintf("k8s-env=%s", cli->container_env[i]));
    for (i = 0; i < cli->nexecutor_args; i++)
        kr_vec_push(out, kr_asprintf("%s=%s", cli->executor_args[i].key,
                                     cli->executor_args[i].value ? cli->executor_args[i].value
                                                                 : ""));
    return KR_OK;
}

/* Whether --executor-arg KEY=... was given. */
static bool has_backend_arg(const struct kr_cli *cli, const char *key)
{
    uint32_t i;
    for (i = 0; i < cli->nexecutor_args; i++)
        if (!strcmp(cli->executor_args[i].key, key))
            return true;
    return false;
}

/*
 * Run the planned *dagp; while jobs of it wait for checkpoints, plan again
 * (now that the checkpoints have run) and run what was found, in the same
 * run. stats add up over the passes. Errors as kr_run_jobs or kr_ckpt_plan.
 */
static int run_passes(struct kr_workflow *wf, struct kr_dag **dagp, struct kr_state *st,
                      int64_t run_id, const struct kr_plan_opts *po,
                      const struct kr_run_opts *ro, struct kr_run_stats *stats,
                      struct kr_error *err)
{
    struct kr_run_stats pass;
    int rc;

    memset(stats, 0, sizeof *stats);
    for (;;) {
        memset(&pass, 0, sizeof pass);
        rc = kr_run_jobs(wf, *dagp, st, run_id, ro, &pass, err);
        stats->total += pass.total;
        stats->done += pass.done;
        stats->failed += pass.failed;
        stats->not_run += pass.not_run;
        stats->detached += pass.detached;
        stats->attached += pass.attached;
        stats->signal = pass.signal;
        if (rc != KR_OK || ro->detach || !kr_dag_nwaiting(*dagp))
            return rc;
        if (!pass.done)
            return kr_error_set(err, KR_EPLAN, "%u job%s still wait%s for checkpoints that "
                                "ran no job; check that the checkpoints' outputs exist",
                                kr_dag_nwaiting(*dagp), kr_dag_nwaiting(*dagp) == 1 ? "" : "s",
                                kr_dag_nwaiting(*dagp) == 1 ? "s" : "");
        kr_dag_free(*dagp);
        *dagp = NULL;
        rc = kr_ckpt_plan(wf, st, po, dagp, err);
        if (rc != KR_OK)
            return rc;
    }
}

/* --trace FILE: the run's trace, whatever its outcome; a failure to write
 * it is a warning (the run's own result stands). */
static void write_trace(struct kr_state *st, int64_t run_id, const char *path)
{
    struct kr_error e;
    FILE *f = fopen(path, "w");
    int rc;
    kr_error_clear(&e);
    if (!f) {
        fprintf(stderr, "krait: warning: --trace %s: %s\n", path, strerror(errno));
        return;
    }
    rc = kr_trace_write(st, run_id, false, f, &e);
    if (fclose(f) != 0 && rc == KR_OK)
        rc = kr_error_set(&e, KR_EIO, "%s", strerror(errno));
    if (rc != KR_OK)
        fprintf(stderr, "krait: warning: --trace %s: %s\n", path, e.msg);
}

/* --report FILE: the run's HTML report with the plan it ran (its reasons),
 * whatever its outcome; a failure to write it is a warning. */
static void write_report(struct kr_state *st, int64_t run_id, struct kr_dag *dag,
                         const char *path)
{
    struct kr_report_opts o;
    struct kr_error e;
    FILE *f = fopen(path, "w");
    int rc;
    kr_error_clear(&e);
    if (!f) {
        fprintf(stderr, "krait: warning: --report %s: %s\n", path, strerror(errno));
        return;
    }
    memset(&o, 0, sizeof o);
    o.run_id = run_id;
    o.dag = dag;
    o.dag_is_run = dag != NULL;
    rc = kr_report_write(st, &o, f, &e);
    if (fclose(f) != 0 && rc == KR_OK)
        rc = kr_error_set(&e, KR_EIO, "%s", strerror(errno));
    if (rc != KR_OK)
        fprintf(stderr, "krait: warning: --report %s: %s\n", path, e.msg);
}

/*
 * Run the workflow's `name` handler (onstart, onsuccess or onerror) if the
 * rule file has one, as Snakemake does at that moment of a run (never in a
 * dry run): in python3 through the script wrapper, in the Snakefile's
 * namespace (kr_wf_pyctx_json), with `log` the path of the run's log,
 * .krait/log/run-ID.log (krait's trace of the run so far, written now).
 * KR_OK when there is none or it succeeded; else as kr_scriptwrap_handler
 * (the handler's exception is already printed), or KR_EIO.
 */
static int run_handler(struct kr_workflow *wf, struct kr_state *st, int64_t run_id,
                       const char *name, struct kr_error *err)
{
    struct kr_scriptwrap_handler h;
    const char *sd = kr_state_dir(st);
    char *wrapper = NULL, *jobdir = NULL, *logdir = NULL;
    FILE *f;
    int rc;

    memset(&h, 0, sizeof h);
    h.name = name;
    if (!strcmp(name, "onstart")) {
        h.code = wf->onstart;
        h.code_file = wf->onstart_file;
        h.code_line = wf->onstart_line;
    } else if (!strcmp(name, "onsuccess")) {
        h.code = wf->onsuccess;
        h.code_file = wf->onsuccess_file;
        h.code_line = wf->onsuccess_line;
    } else {
        h.code = wf->onerror;
        h.code_file = wf->onerror_file;
        h.code_line = wf->onerror_line;
    }
    if (!h.code)
        return KR_OK;
    rc = kr_scriptwrap_install(sd, &wrapper, err);
    if (rc != KR_OK)
        goto out;
    jobdir = kr_asprintf("%s/jobs", sd);
    logdir = kr_asprintf("%s/log", sd);
    rc = kr_mkdirs(jobdir, err);
    if (rc == KR_OK && chmod(jobdir, 0700) != 0)
        rc = kr_error_set(err, KR_EIO, "cannot make %s private (chmod 0700): %s", jobdir,
                          strerror(errno));
    if (rc == KR_OK)
        rc = kr_mkdirs(logdir, err);
    if (rc != KR_OK)
        goto out;
    h.log_path = kr_arena_printf(&wf->arena, "%s/run-%lld.log", logdir, (long long)run_id);
    f = fopen(h.log_path, "w");
    if (f) {
        struct kr_error e;
        kr_error_clear(&e);
        kr_trace_write(st, run_id, false, f, &e);
        fclose(f);
    }
    h.wrapper = wrapper;
    h.jobfile = kr_arena_printf(&wf->arena, "%s/%s.run-%lld.json", jobdir, name,
                                (long long)run_id);
    h.config_json = kr_wf_config_json(wf);
    h.pyctx_json = kr_wf_pyctx_json(wf);
    rc = kr_scriptwrap_handler(&h, err);
out:
    kr_free(logdir);
    kr_free(jobdir);
    kr_free(wrapper);
    return rc;
}

static int run_main(int argc, char **argv)
{
    struct kr_cli cli;
    struct kr_error err;
    struct kr_workflow *wf = NULL;
    struct kr_dag *dag = NULL;
    struct kr_state *st = NULL;
    struct kr_container_ctx *containers = NULL;
    struct kr_container_opts copts;
    struct kr_run_opts ro;
    struct kr_run_stats stats;
    struct kr_sched_limit *limits = NULL;
    struct kr_defres *defres = NULL;
    struct kr_vec bargs = KR_VEC_INIT;
    const struct kr_executor *ex = NULL;
    int64_t *vals = NULL, run_id = 0;
    char *summ = NULL;
    double t0 = kr_now();
    uint32_t i;
    int rc, status = 1, rstatus;
    long ncpu;

    kr_error_clear(&err);
    memset(&cli, 0, sizeof cli);
    rc = kr_cli_parse(argc, argv, KR_CLI_RUN, &cli, &err);
    if (rc != KR_OK) {
        kr_error_print(&err, stderr);
        fprintf(stderr, "Run `krait run --help` for the options.\n");
        status = 2;
        goto out;
    }
    if (cli.help) {
        kr_cli_usage(stdout, "run", summary, KR_CLI_RUN);
        status = 0;
        goto out;
    }
    rc = kr_cli_chdir(&cli, &err);
    if (rc != KR_OK)
        goto fail;

    if (cli.unlock) {
        rc = kr_state_open(NULL, false, &st, &err);
        if (rc == KR_NOT_FOUND) {
            printf("Nothing to unlock: no state database here.\n");
            status = 0;
            goto out;
        }
        if (rc == KR_OK)
            rc = kr_state_force_unlock(st, &err);
        if (rc != KR_OK)
            goto fail;
        printf("Unlocked the working directory.\n");
        status = 0;
        goto out;
    }

    /* options that need checking before any work */
    memset(&ro, 0, sizeof ro);
    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    ro.cores = cli.cores > 0 ? cli.cores : cli.cores == 0 && cli.jobs > 0 ? cli.jobs
                                                                          : (int)ncpu;
    if (ro.cores < 1)
        ro.cores = 1;
    ro.max_jobs = cli.jobs;
    ro.keep_going = cli.keep_going;
    ro.retries = cli.retries > 0 ? cli.retries : 0;
    ro.latency_wait = cli.latency_wait;
    ro.keep_incomplete = cli.keep_incomplete;
    ro.shadow_prefix = cli.shadow_prefix;
    ro.notemp = cli.notemp;
    ro.executor = cli.executor;
    ro.printshell = cli.printshellcmds;
    ro.verbosity = cli.quiet ? KR_PROGRESS_QUIET : cli.verbose ? KR_PROGRESS_VERBOSE
                                                                : KR_PROGRESS_NORMAL;
    ro.live = -1;
    ro.checksum_max_size = cli.plan.checksum_max_size;
    if (cli.nresources) {
        vals = kr_calloc(cli.nresources, sizeof *vals);
        rc = parse_int_kvs("--resources", cli.resources, cli.nresources, vals, &err);
        if (rc != KR_OK)
            goto usage;
        limits = kr_calloc(cli.nresources, sizeof *limits);
        for (i = 0; i < cli.nresources; i++) {
            limits[i].name = cli.resources[i].key;
            limits[i].total = vals[i];
        }
        ro.limits = limits;
        ro.nlimits = cli.nresources;
        kr_free(vals);
        vals = NULL;
    }
    /* `--default-resources` with no values still counts as given: the parser
     * reports it with ndefault_resources == 0 and a non-NULL array */
    ro.default_resources = cli.default_resources != NULL;
    if (cli.ndefault_resources) {
        /* NAME=INT, or NAME=EXPR evaluated per job (Snakemake) */
        defres = kr_calloc(cli.ndefault_resources, sizeof *defres);
        for (i = 0; i < cli.ndefault_resources; i++) {
            const char *v = cli.default_resources[i].value;
            char *end;
            defres[i].name = cli.default_resources[i].key;
            errno = 0;
            defres[i].value = v ? strtoll(v, &end, 10) : 0;
            if (!v || !*v || *end || errno || defres[i].value < 0)
                defres[i].expr = v ? v : "";
        }
        ro.defres = defres;
        ro.ndefres = cli.ndefault_resources;
    }
    ex = kr_executor_find(cli.executor ? cli.executor : "local");
    if (!ex) {
        const char *names[16];
        struct kr_buf list = KR_BUF_INIT;
        size_t k, nn = 0;
        const char *near;
        for (k = 0; kr_executors[k] && nn < KR_ARRAY_LEN(names); k++) {
            names[nn++] = kr_executors[k]->name;
            kr_buf_printf(&list, "%s%s", k ? ", " : "", kr_executors[k]->name);
        }
        near = kr_suggest(cli.executor, names, nn);
        if (near)
            rc = kr_error_set(&err, KR_EUSAGE, "unknown executor '%s' (did you mean '%s'?)",
                              cli.executor, near);
        else
            rc = kr_error_set(&err, KR_EUSAGE, "unknown executor '%s' (krait has: %s)",
                              cli.executor, kr_buf_cstr(&list));
        kr_buf_free(&list);
        goto usage;
    }
    if (cli.detach && !(ex->caps & KR_EXEC_CAP_DETACH)) {
        rc = kr_error_set(&err, KR_EUSAGE, "--detach: the %s executor cannot leave jobs "
                          "running after krait exits (use --executor slurm, kubernetes or aws-batch)", ex->name);
        goto usage;
    }
    if (ex->caps & KR_EXEC_CAP_CONTAINERS) {
        /* the backend runs images itself (Kubernetes): an image is known by
         * its name; nothing is pulled or inspected on this machine */
        cli.plan.container_id = image_name_identity;
        cli.plan.container_id_data = NULL;
    }
    ro.detach = cli.detach;
    rc = backend_args(&cli, &bargs, &err);
    if (rc != KR_OK)
        goto usage;
    ro.backend_args = (const char **)bargs.items;
    ro.nbackend_args = (uint32_t)bargs.len;

    cli.load.cores = ro.cores;
    rc = kr_workflow_load(&cli.load, &wf, &err);
    if (rc == KR_NOT_FOUND) {
        if (!err.msg[0])
            kr_error_set(&err, KR_NOT_FOUND, "no Snakefile found (looked for Snakefile, "
                         "snakefile, workflow/Snakefile, workflow/snakefile, Kraitfile); "
                         "use -s FILE");
        goto fail;
    }
    if (rc != KR_OK)
        goto fail;
    cli.plan.storage = kr_cli_storage(&cli);
    ro.storage = cli.plan.storage;
    ro.staging = !cli.storage_staging ? KR_STAGING_AUTO
                 : strcmp(cli.storage_staging, "presigned") == 0 ? KR_STAGING_PRESIGNED
                                                                 : KR_STAGING_SHARED;
    /* a claim shared with the pods is a shared file system: stage as on one */
    if (ro.staging == KR_STAGING_AUTO && (cli.k8s_pvc || has_backend_arg(&cli, "k8s-pvc")))
        ro.staging = KR_STAGING_SHARED;

    if (cli.dry_run) {
        rc = kr_state_open(NULL, false, &st, &err);
        if (rc != KR_OK && rc != KR_NOT_FOUND)
            goto fail;
        if (rc == KR_NOT_FOUND)
            kr_error_clear(&err);
        rc = kr_ckpt_plan(wf, rc == KR_OK ? st : NULL, &cli.plan, &dag, &err);
        if (kr_storage_s3_check(cli.storage_, NULL) != KR_OK)
            rc = kr_storage_s3_check(cli.storage_, &err);
        if (rc != KR_OK)
            goto fail;
        rc = kr_planfmt_print(dag, stdout, cli.quiet ? KR_PLANFMT_QUIET : KR_PLANFMT_HUMAN,
                              cli.verbose);
        status = rc == KR_OK ? 0 : 1;
        goto out;
    }

    rc = kr_state_open(NULL, true, &st, &err);
    if (rc == KR_OK)
        rc = kr_state_lock(st, &err);
    if (rc != KR_OK)
        goto fail;
    rc = kr_run_recover_for(st, ex->name, cli.quiet, &err);
    if (rc != KR_OK)
        goto fail;

    memset(&copts, 0, sizeof copts);
    copts.runtime = cli.use_apptainer ? "apptainer" : cli.use_singularity ? "singularity"
                                                                           : cli.container_runtime;
    copts.default_image = cli.container_image;
    copts.state_dir = kr_state_dir(st);
    copts.env_pass = cli.container_env;
    copts.nenv_pass = cli.ncontainer_env;
    copts.extra_args = cli.container_args ? &cli.container_args : NULL;
    copts.nextra_args = cli.container_args ? 1 : 0;
    copts.quiet = cli.quiet;
    rc = kr_container_ctx_new(&copts, &containers, &err);
    if (rc != KR_OK)
        goto fail;
    ro.containers = containers;

    /* jobs waiting for a checkpoint are planned again after the run (below) */
    cli.plan.defer_waiting = true;
    rc = kr_ckpt_plan(wf, st, &cli.plan, &dag, &err);
    if (kr_storage_s3_check(cli.storage_, NULL) != KR_OK)
        rc = kr_storage_s3_check(cli.storage_, &err);
    if (rc != KR_OK)
        goto fail;

    summ = argv_summary(argc, argv);
    rc = kr_state_run_begin(st, summ, &run_id, &err);
    if (rc != KR_OK)
        goto fail;
    /* onstart: before the first job; a handler that raises stops the run
     * before any job, as in Snakemake (exit status 1) */
    rc = run_handler(wf, st, run_id, "onstart", &err);
    if (rc != KR_OK) {
        kr_state_run_end(st, run_id, KR_RUN_ERROR, 0, 0, NULL);
        goto fail;
    }
    rc = run_passes(wf, &dag, st, run_id, &cli.plan, &ro, &stats, &err);
    rstatus = rc == KR_OK ? KR_RUN_OK : rc == KR_EINTR ? KR_RUN_INTERRUPTED
            : rc == KR_EEXEC ? KR_RUN_FAILED : KR_RUN_ERROR;
    kr_state_run_end(st, run_id, rstatus, (int)stats.done, (int)stats.failed, NULL);
    if (cli.trace)
        write_trace(st, run_id, cli.trace);
    if (cli.report)
        write_report(st, run_id, dag, cli.report);
    /* onerror after a run that failed (not one interrupted); onsuccess
     * (below, after the summary) after one that finished, not one left
     * running with --detach; a handler that raises makes the exit status
     * 1, as in Snakemake 7 */
    if (rc != KR_OK && rc != KR_EINTR) {
        struct kr_error herr;
        kr_error_clear(&herr);
        if (rc != KR_EEXEC) {
            kr_error_print(&err, stderr);   /* krait's error first, then the handler */
            kr_error_clear(&err);
            rc = KR_EEXEC;
        }
        if (run_handler(wf, st, run_id, "onerror", &herr) != KR_OK)
            kr_error_print(&herr, stderr);
    }
    if (rc == KR_OK) {
        if (stats.total == 0) {
            if (!cli.quiet)
                fprintf(stderr, "Nothing to be done.\n");
        } else if (stats.detached) {
            if (!cli.quiet)
                fprintf(stderr, "krait: %u job%s submitted to %s and left running (%u of %u "
                        "done, %u waiting for them); run `krait run --executor %s` later "
                        "to collect them and go on, `krait status` to see them\n",
                        stats.detached, stats.detached == 1 ? "" : "s", ex->name,
                        stats.done, stats.total, stats.not_run, ex->name);
        } else if (!cli.quiet) {
            fprintf(stderr, "krait: %u of %u job%s done (%.1fs)\n", stats.done, stats.total,
                    stats.total == 1 ? "" : "s", kr_now() - t0);
        }
        status = 0;
        if (!stats.detached && run_handler(wf, st, run_id, "onsuccess", &err) != KR_OK) {
            kr_error_print(&err, stderr);
            status = 1;
        }
        goto out;
    }
    if (rc == KR_EINTR) {
        kr_error_print(&err, stderr);
        status = 128 + stats.signal;
        goto out;
    }
    if (rc == KR_EEXEC) {
        status = 1;     /* the runner printed the failures */
        goto out;
    }
fail:
    kr_error_print(&err, stderr);
    status = 1;
    goto out;
usage:
    kr_error_print(&err, stderr);
    status = 2;
out:
    kr_container_ctx_free(containers);
    kr_state_close(st);
    if (dag)
        kr_dag_free(dag);
    if (wf)
        kr_workflow_free(wf);
    kr_free(vals);
    kr_free(limits);
    kr_free(defres);
    for (i = 0; i < bargs.len; i++)
        kr_free(bargs.items[i]);
    kr_vec_free(&bargs);
    kr_free(summ);
    kr_cli_free(&cli);
    return status;
}

const struct kr_cmd kr_cmd_run = {
    .name = "run",
    .summary = summary,
    .run = run_main,
};
