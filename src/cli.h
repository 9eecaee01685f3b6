/*
 * cli.h - the command-line options shared by `krait plan`, `krait run`,
 * `krait explain` and `krait dag`: one parser filling one struct kr_cli,
 * with Snakemake's spellings. Multi-valued options take values until the
 * next option (as Snakemake's argparse nargs="+"); `--opt=value` works for
 * single values. Unknown options are a usage error with a did-you-mean.
 *
 * Ownership: the arrays in a kr_cli are owned by it (kr_cli_free); the
 * strings point into argv, which must outlive it.
 */
#ifndef KR_CLI_H
#define KR_CLI_H

#include "dag.h"
#include "workflow.h"

struct kr_container_ctx;
struct kr_profile;

/* which command-specific options a parse accepts */
#define KR_CLI_RUN   0x01u   /* run options are always parsed; this only labels help */
#define KR_CLI_GRAPH 0x02u   /* --format FMT, --rules (krait dag) */
#define KR_CLI_ARCHIVE 0x04u /* --with-inputs (krait archive) */

/* A k=v pair (--config, --resources, --default-resources, --executor-arg). */
struct kr_kv {
    const char *key;        /* points into argv... copied: owned by the kr_cli */
    const char *value;
};

struct kr_cli {
    struct kr_load_opts load;       /* -s, --configfile, --config */
    struct kr_plan_opts plan;       /* targets, -F -f -R, --until, --omit-from ... */
    const char *directory;          /* -d: chdir before anything else */
    bool dry_run, json, quiet, verbose, printshellcmds, help;
    const char *explain;            /* --explain FILE */
    int cores;                      /* -c N; -1 = all; 0 = not given */
    int jobs;                       /* -j N; 0 = not given */
    bool keep_going;
    int retries;                    /* -1 = not given */
    struct kr_kv *resources;
    uint32_t nresources;
    struct kr_kv *default_resources;    /* --default-resources K=V...; may be none */
    uint32_t ndefault_resources;
    bool default_resources_given;   /* --default-resources was given, with or without
                                       values (alone: Snakemake's defaults apply) */
    double latency_wait;            /* seconds; default 5 */
    bool keep_incomplete, notemp, unlock;
    const char *shadow_prefix;      /* --shadow-prefix DIR, or NULL */
    const char *executor;           /* NULL = local */
    struct kr_kv *executor_args;
    uint32_t nexecutor_args;
    bool detach;
    const char *trace;              /* --trace FILE (krait run) */
    const char *report;             /* --report FILE (krait run) */
    const char *container_runtime, *container_image, *container_args;
    bool use_singularity, use_apptainer;
    const char **container_env;
    uint32_t ncontainer_env;
    int slurm_array;                /* -1 default, 0 --no-slurm-array, 1 --slurm-array */
    long slurm_array_threshold;     /* -1 = not given */
    const char *k8s_namespace;      /* --k8s-namespace, or NULL */
    const char *k8s_gpu_resource;   /* --k8s-gpu-resource, or NULL */
    const char *k8s_pvc;            /* --k8s-pvc CLAIM:MOUNT, or NULL */
    const char *aws_batch_queue;    /* --aws-batch-queue NAME */
    const char *aws_batch_endpoint; /* --aws-batch-endpoint-url URL */
    /* krait dag */
    const char *graph_format;       /* default "dot" */
    bool graph_rules;
    /* krait archive */
    bool with_inputs;
    /* private: the container context kr_cli_parse's default plan.container_id
       creates on first use (freed by kr_cli_free) */
    struct kr_container_ctx *containers_;
    const char *s3_endpoint;        /* --s3-endpoint-url URL (S3-compatible store) */
    const char *storage_staging;    /* --storage-staging shared|presigned, or NULL (the
                                       executor's default) */
    const char *default_storage_provider;  /* --default-storage-provider (only "s3") */
    struct kr_storage *storage_;    /* made by kr_cli_storage(); freed with the cli */
    struct kr_profile *profiles_[2];    /* the global and the workflow profile read */
};

/*
 * Parse argv[1..argc-1] (argv[0] is the command name) into *cli, filling
 * defaults first. cli->plan.container_id is set to a callback that creates
 * a container context from the --container-* options (and .krait under the
 * current directory) on first use, so the container trigger compares image
 * identities; a caller that has its own context (krait run) should set
 * plan.container_id = kr_container_identity_fn and container_id_data to it,
 * so each image is looked up once per run. *cli must not move afterwards. `which` enables command-specific options (KR_CLI_*).
 * KR_OK; KR_EUSAGE with err ("unknown option '--forcall' (did you mean
 * '--forceall'?)", a missing or bad value). --help sets cli->help.
 * Call kr_cli_free afterwards in every case.
 */
/* The storage the planner uses: local files, and s3:// paths through S3
 * (src/storage-s3.c; the S3 client is opened only when an s3:// path is
 * met). Made on first use, owned by cli. */
struct kr_storage *kr_cli_storage(struct kr_cli *cli);

int kr_cli_parse(int argc, char **argv, unsigned which, struct kr_cli *cli,
                 struct kr_error *err);
void kr_cli_free(struct kr_cli *cli);

/* The option summary for `krait CMD --help`. */
void kr_cli_usage(FILE *f, const char *cmd, const char *summary, unsigned which);

/* chdir to cli->directory when given. KR_EIO with err on failure. */
int kr_cli_chdir(const struct kr_cli *cli, struct kr_error *err);

/* The value of workflow.cores for a command that plans without running:
 * -c N, -c all (the online CPUs), else -j N, else 1 (Snakemake's dry run). */
int kr_cli_cores(const struct kr_cli *cli);

/*
 * The common start of plan/run/explain/dag: chdir (-d), load the workflow,
 * make a dag, attach the recorded provenance from .krait/state.db when
 * there is one (none: nothing built yet), and plan with cli->plan.
 * On KR_OK *wf and *dag are the caller's (kr_dag_free, then
 * kr_workflow_free). On error both are NULL and err is filled; when the
 * workflow loaded but planning failed, nothing leaks either.
 */
int kr_cli_plan(struct kr_cli *cli, struct kr_workflow **wf, struct kr_dag **dag,
                struct kr_error *err);

/* Print err as "krait: error: ..." (or with its location) to stderr and
 * return the exit status for it: 2 for usage errors, else 1. */
int kr_cli_fail(const struct kr_error *err);

#endif /* KR_CLI_H */
