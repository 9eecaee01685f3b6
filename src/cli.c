/*
 * cli.c - the one parser for the options of plan/run/explain/dag (cli.h).
 * A table names each option once (long, short, arity, help); parsing is a
 * walk over argv that looks each option up in the table and stores it by
 * its id, so help text, did-you-mean and parsing can never disagree.
 */
#include "checkpoint.h"
#include "cli.h"
#include "container.h"
#include "profile.h"
#include "state.h"
#include "storage.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum arity { FLAG, ONE, MANY, ANY };   /* ANY: zero or more values */

enum optid {
    O_SNAKEFILE, O_CONFIGFILE, O_CONFIG, O_DIRECTORY, O_DRYRUN, O_FORCEALL, O_FORCE,
    O_FORCERUN, O_UNTIL, O_OMIT, O_ALLOWED, O_TRIGGERS, O_MAXCHK, O_JSON, O_QUIET,
    O_VERBOSE, O_PRINTSH, O_EXPLAIN, O_CORES, O_JOBS, O_KEEPGOING, O_RETRIES, O_RES,
    O_DEFRES, O_LATENCY, O_KEEPINC, O_NOTEMP, O_UNLOCK, O_EXECUTOR, O_EXECARG, O_DETACH,
    O_CRUNTIME, O_CIMAGE, O_SING, O_APPT, O_CENV, O_CARGS, O_SARRAY, O_NOSARRAY,
    O_SARRAYTH, O_S3EP, O_STAGING, O_DEFSTORE, O_DEFSTPROV, O_DEFSTPREFIX, O_HELP, O_FORMAT, O_RULES,
    O_UNQUOTED, O_SETTHREADS, O_SETRES, O_BATCH, O_PROFILE, O_WFPROFILE, O_TRACE, O_SETSCATTER,
    O_WRAPPREFIX, O_REPORT, O_WITHINPUTS, O_SHADOWPREFIX, O_K8SNS, O_K8SGPU, O_K8SPVC, O_BQUEUE,
    O_BENDPOINT,
};

struct opt {
    const char *lng;
    char shrt;
    enum arity arity;
    enum optid id;
    unsigned only;          /* 0 = always; else a KR_CLI_* bit */
    const char *meta;
    const char *help;
};

static const struct opt opts[] = {
    {"snakefile", 's', ONE, O_SNAKEFILE, 0, "FILE", "the rule file (default: Snakefile, ...)"},
    {"configfile", 0, MANY, O_CONFIGFILE, 0, "FILE..", "extra config files, applied in order"},
    {"config", 'C', MANY, O_CONFIG, 0, "K=V..", "set config values (YAML-typed), applied last"},
    {"directory", 'd', ONE, O_DIRECTORY, 0, "DIR", "work in DIR (chdir first)"},
    {"s3-endpoint-url", 0, ONE, O_S3EP, 0, "URL",
     "S3-compatible endpoint for s3:// paths (path-style; default AWS_ENDPOINT_URL_S3)"},
    {"storage-staging", 0, ONE, O_STAGING, 0, "MODE",
     "how jobs get s3:// files: shared (krait transfers) or presigned (the job, by URL)"},
    {"default-storage", 0, ONE, O_DEFSTORE, 0, "URL",
     "keep every relative input/output path in s3://BUCKET[/PREFIX] (local() stays local)"},
    {"default-storage-provider", 0, ONE, O_DEFSTPROV, 0, "NAME",
     "Snakemake's spelling: s3 (with --default-storage-prefix)"},
    {"default-storage-prefix", 0, ONE, O_DEFSTPREFIX, 0, "URL",
     "Snakemake's spelling: the s3://BUCKET[/PREFIX] of --default-storage"},
    {"dry-run", 'n', FLAG, O_DRYRUN, 0, NULL, "only show what would run"},
    {"dryrun", 0, FLAG, O_DRYRUN, 0, NULL, NULL},
    {"forceall", 'F', FLAG, O_FORCEALL, 0, NULL, "run every job of the plan"},
    {"force", 'f', FLAG, O_FORCE, 0, NULL, "run the target jobs even if up to date"},
    {"forcerun", 'R', MANY, O_FORCERUN, 0, "RULE..", "run these rules' jobs and what follows"},
    {"until", 'U', MANY, O_UNTIL, 0, "RULE|FILE..", "run only up to these rules or files"},
    {"omit-from", 'O', MANY, O_OMIT, 0, "RULE|FILE..", "leave out these and all downstream"},
    {"allowed-rules", 0, MANY, O_ALLOWED, 0, "RULE..", "use only these rules"},
    {"batch", 0, ONE, O_BATCH, 0, "RULE=I/N", "plan batch I of N of RULE's input files"},
    {"rerun-triggers", 0, MANY, O_TRIGGERS, 0, "T..",
     "mtime params input code software-env|container (default: all)"},
    {"max-checksum-file-size", 0, ONE, O_MAXCHK, 0, "SIZE",
     "checksum inputs up to SIZE bytes (default 1000000)"},
    {"json", 0, FLAG, O_JSON, 0, NULL, "print the plan as JSON"},
    {"quiet", 'q', FLAG, O_QUIET, 0, NULL, "print only the job counts"},
    {"verbose", 'v', FLAG, O_VERBOSE, 0, NULL, "say more"},
    {"printshellcmds", 'p', FLAG, O_PRINTSH, 0, NULL, "print the shell commands"},
    {"explain", 0, ONE, O_EXPLAIN, 0, "FILE", "why FILE is (re)made, down to the sources"},
    {"cores", 'c', ONE, O_CORES, 0, "N|all", "use at most N cores"},
    {"jobs", 'j', ONE, O_JOBS, 0, "N", "run at most N jobs at once"},
    {"keep-going", 'k', FLAG, O_KEEPGOING, 0, NULL, "go on with independent jobs after a failure"},
    {"retries", 0, ONE, O_RETRIES, 0, "N", "retry failed jobs N times"},
    {"restart-times", 0, ONE, O_RETRIES, 0, "N", NULL},
    {"resources", 0, MANY, O_RES, 0, "K=V..", "global resource limits"},
    {"default-resources", 0, ANY, O_DEFRES, 0, "[K=V..]", "resources of rules that set none"},
    {"set-threads", 0, MANY, O_SETTHREADS, 0, "RULE=N..", "threads of these rules"},
    {"set-resources", 0, MANY, O_SETRES, 0, "RULE:K=V..", "resources of these rules"},
    {"set-scatter", 0, MANY, O_SETSCATTER, 0, "NAME=N..", "split counts of scattergather:"},
    {"wrapper-prefix", 0, ONE, O_WRAPPREFIX, 0, "URL",
     "where wrapper: specs are found (file://DIR/ for a local snakemake-wrappers clone)"},
    {"shadow-prefix", 0, ONE, O_SHADOWPREFIX, 0, "DIR",
     "make the shadow: directories of jobs under DIR/shadow (default .krait/shadow)"},
    {"latency-wait", 0, ONE, O_LATENCY, 0, "S", "wait S seconds for missing outputs (default 5)"},
    {"keep-incomplete", 0, FLAG, O_KEEPINC, 0, NULL, "keep outputs of failed jobs"},
    {"notemp", 0, FLAG, O_NOTEMP, 0, NULL, "ignore temp() (keep temporary files)"},
    {"allow-unquoted-wildcards", 0, FLAG, O_UNQUOTED, 0, NULL,
     "let shell: substitute wildcard values with ; | & $ ` < > ' \" without :q"},
    {"unlock", 0, FLAG, O_UNLOCK, 0, NULL, "remove a stale lock and exit"},
    {"executor", 'e', ONE, O_EXECUTOR, 0, "NAME", "local (default), slurm, kubernetes or aws-batch"},
    {"executor-arg", 0, MANY, O_EXECARG, 0, "K=V..", "options for the executor"},
    {"detach", 0, FLAG, O_DETACH, 0, NULL, "submit and exit; jobs keep running"},
    {"trace", 0, ONE, O_TRACE, 0, "FILE",
     "write the run's trace to FILE (TSV, Nextflow's columns; also krait log --trace)"},
    {"report", 0, ONE, O_REPORT, 0, "FILE",
     "write the run's report to FILE (one HTML file; also krait report)"},
    {"container-runtime", 0, ONE, O_CRUNTIME, 0, "R", "docker, podman, apptainer, singularity"},
    {"container-image", 0, ONE, O_CIMAGE, 0, "I", "image for rules without container:"},
    {"use-singularity", 0, FLAG, O_SING, 0, NULL, "run jobs in their containers"},
    {"use-apptainer", 0, FLAG, O_APPT, 0, NULL, "run jobs in their containers (apptainer)"},
    {"container-env", 0, MANY, O_CENV, 0, "VAR..", "environment variables passed in"},
    {"container-args", 0, ONE, O_CARGS, 0, "ARGS", "extra arguments for the runtime"},
    {"slurm-array", 0, FLAG, O_SARRAY, 0, NULL, "submit many jobs of one rule as an array"},
    {"no-slurm-array", 0, FLAG, O_NOSARRAY, 0, NULL, "never use job arrays"},
    {"slurm-array-threshold", 0, ONE, O_SARRAYTH, 0, "N", "use arrays from N jobs of a rule"},
    {"k8s-namespace", 0, ONE, O_K8SNS, 0, "NS", "Kubernetes namespace of the Jobs"},
    {"k8s-gpu-resource", 0, ONE, O_K8SGPU, 0, "NAME",
     "Kubernetes resource name of gpu (default nvidia.com/gpu)"},
    {"k8s-pvc", 0, ONE, O_K8SPVC, 0, "CLAIM:MOUNT",
     "Kubernetes: the PersistentVolumeClaim holding the workflow, mounted at MOUNT"},
    {"aws-batch-queue", 0, ONE, O_BQUEUE, 0, "NAME", "the AWS Batch job queue (aws-batch)"},
    {"aws-batch-endpoint-url", 0, ONE, O_BENDPOINT, 0, "URL",
     "AWS Batch endpoint (default AWS_ENDPOINT_URL_BATCH, else batch.REGION.amazonaws.com)"},
    {"profile", 0, ONE, O_PROFILE, 0, "NAME|DIR",
     "default options from a profile (also KRAIT_PROFILE; 'none': no profile)"},
    {"workflow-profile", 0, ONE, O_WFPROFILE, 0, "DIR|none",
     "the workflow's profile (default: profiles/default here or next to the rule file)"},
    {"help", 'h', FLAG, O_HELP, 0, NULL, "show this help"},
    {"format", 0, ONE, O_FORMAT, KR_CLI_GRAPH, "FMT", "dot (default), mermaid or json"},
    {"rules", 0, FLAG, O_RULES, KR_CLI_GRAPH, NULL, "the rule graph instead of the job graph"},
    {"with-inputs", 0, FLAG, O_WITHINPUTS, KR_CLI_ARCHIVE, NULL,
     "also store the plan's source inputs (files no rule makes)"},
};

/* Growable arrays of strings / pairs owned by the kr_cli. */
static void push_str(const char ***v, uint32_t *n, const char *s)
{
    *v = kr_realloc((void *)*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

static int push_kv(struct kr_kv **v, uint32_t *n, const char *opt, const char *s,
                   struct kr_error *err)
{
    const char *eq = strchr(s, '=');
    if (!eq || eq == s)
        return kr_error_set(err, KR_EUSAGE, "%s: expected KEY=VALUE, got '%s'", opt, s);
    *v = kr_realloc(*v, (*n + 1) * sizeof **v);
    (*v)[*n].key = kr_strndup(s, (size_t)(eq - s));
    (*v)[*n].value = eq + 1;
    (*n)++;
    return KR_OK;
}

/* --batch RULE=IDX/N with 1 <= IDX <= N; the rule name points into argv. */
static int parse_batch(const char *s, struct kr_plan_opts *po, struct kr_error *err)
{
    const char *eq = strrchr(s, '=');
    unsigned long idx, n;
    char *end;
    if (!eq || eq == s)
        goto bad;
    errno = 0;
    idx = strtoul(eq + 1, &end, 10);
    if (end == eq + 1 || *end != '/' || errno)
        goto bad;
    n = strtoul(end + 1, &end, 10);
    if (*end || errno || idx < 1 || n < 1 || idx > n || n > 1000000)
        goto bad;
    kr_free((void *)po->batch_rule);
    po->batch_rule = kr_strndup(s, (size_t)(eq - s));
    po->batch_idx = (uint32_t)idx;
    po->batch_n = (uint32_t)n;
    return KR_OK;
bad:
    return kr_error_set(err, KR_EUSAGE, "--batch: '%s' is not RULE=BATCH/BATCHES with "
                        "1 <= BATCH <= BATCHES (e.g. --batch all=1/3)", s);
}

static int parse_long(const char *opt, const char *s, long lo, long hi, long *out,
                      struct kr_error *err)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return kr_error_set(err, KR_EUSAGE, "%s: '%s' is not a number from %ld to %ld", opt, s,
                            lo, hi);
    *out = v;
    return KR_OK;
}

/* "1000", "1MB" (10^6), "2MiB" (2^21), "10k" ... */
static int parse_size(const char *opt, const char *s, int64_t *out, struct kr_error *err)
{
    char *end;
    double v;
    int64_t mul = 1;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || v < 0)
        goto bad;
    if (*end) {
        char u = (char)(*end | 0x20);
        bool bin = end[1] && (end[1] | 0x20) == 'i';
        int64_t base = bin ? 1024 : 1000;
        if (u == 'k')
            mul = base;
        else if (u == 'm')
            mul = base * base;
        else if (u == 'g')
            mul = base * base * base;
        else if (u != 'b')
            goto bad;
        end += u == 'b' ? 1 : 1 + bin;
        if (*end && (*end | 0x20) == 'b')
            end++;
        if (*end)
            goto bad;
    }
    *out = (int64_t)(v * (double)mul);
    return KR_OK;
bad:
    return kr_error_set(err, KR_EUSAGE, "%s: '%s' is not a size (e.g. 1000000, 1MB)", opt, s);
}

static int add_trigger(struct kr_cli *cli, const char *t, struct kr_error *err)
{
    static const char *const names[] = {"mtime", "params", "input", "code", "software-env",
                                        "container"};
    static const unsigned bits[] = {KR_TRIGGER_MTIME, KR_TRIGGER_PARAMS, KR_TRIGGER_INPUT,
                                    KR_TRIGGER_CODE, KR_TRIGGER_CONTAINER,
                                    KR_TRIGGER_CONTAINER};
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(names); i++)
        if (!strcmp(t, names[i])) {
            cli->plan.triggers |= bits[i];
            return KR_OK;
        }
    {
        const char *s = kr_suggest(t, names, KR_ARRAY_LEN(names));
        return kr_error_set(err, KR_EUSAGE, "--rerun-triggers: unknown trigger '%s'%s%s%s", t,
                            s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
    }
}

static const struct opt *find_long(const char *name, size_t len, unsigned which)
{
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(opts); i++)
        if ((!opts[i].only || (opts[i].only & which)) && strlen(opts[i].lng) == len &&
            !strncmp(opts[i].lng, name, len))
            return &opts[i];
    return NULL;
}

static const struct opt *find_short(char c, unsigned which)
{
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(opts); i++)
        if (opts[i].shrt == c && (!opts[i].only || (opts[i].only & which)))
            return &opts[i];
    return NULL;
}

static int unknown(const char *arg, unsigned which, struct kr_error *err)
{
    const char *names[KR_ARRAY_LEN(opts)];
    char buf[KR_ARRAY_LEN(opts)][48];
    size_t i, n = 0;
    const char *s;
    char word[64];
    const char *eq = strchr(arg, '=');
    size_t wl = eq ? (size_t)(eq - arg) : strlen(arg);
    if (wl >= sizeof word)
        wl = sizeof word - 1;
    memcpy(word, arg, wl);
    word[wl] = '\0';
    for (i = 0; i < KR_ARRAY_LEN(opts); i++) {
        if (opts[i].only && !(opts[i].only & which))
            continue;
        snprintf(buf[n], sizeof buf[n], "--%s", opts[i].lng);
        names[n] = buf[n];
        n++;
    }
    s = kr_suggest(word, names, n);
    return kr_error_set(err, KR_EUSAGE, "unknown option '%s'%s%s%s", word,
                        s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
}

static bool is_option(const char *a)
{
    return a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9');
}

static int store(struct kr_cli *cli, const struct opt *o, const char *name, const char *v,
                 struct kr_error *err)
{
    long n;
    int rc = KR_OK;
    switch (o->id) {
    case O_SNAKEFILE: cli->load.snakefile = v; break;
    case O_CONFIGFILE: push_str(&cli->load.configfiles, &cli->load.nconfigfiles, v); break;
    case O_CONFIG:
        if (!strchr(v, '='))
            return kr_error_set(err, KR_EUSAGE, "%s: expected KEY=VALUE, got '%s'", name, v);
        push_str(&cli->load.config_kv, &cli->load.nconfig_kv, v);
        break;
    case O_DIRECTORY: cli->directory = v; break;
    case O_DRYRUN: cli->dry_run = true; break;
    case O_FORCEALL: cli->plan.forceall = true; break;
    case O_FORCE: cli->plan.force_targets = true; break;
    case O_FORCERUN: push_str(&cli->plan.forcerun, &cli->plan.nforcerun, v); break;
    case O_UNTIL: push_str(&cli->plan.until, &cli->plan.nuntil, v); break;
    case O_OMIT: push_str(&cli->plan.omit_from, &cli->plan.nomit_from, v); break;
    case O_ALLOWED: push_str(&cli->plan.allowed_rules, &cli->plan.nallowed_rules, v); break;
    case O_BATCH: rc = parse_batch(v, &cli->plan, err); break;
    case O_TRIGGERS: rc = add_trigger(cli, v, err); break;
    case O_MAXCHK: rc = parse_size(name, v, &cli->plan.checksum_max_size, err); break;
    case O_JSON: cli->json = true; break;
    case O_QUIET: cli->quiet = true; break;
    case O_VERBOSE: cli->verbose = true; break;
    case O_PRINTSH: cli->printshellcmds = true; break;
    case O_EXPLAIN: cli->explain = v; break;
    case O_CORES:
        if (!strcmp(v, "all")) {
            cli->cores = -1;
            break;
        }
        rc = parse_long(name, v, 1, INT_MAX, &n, err);
        cli->cores = (int)n;
        break;
    case O_JOBS:
        if (!strcmp(v, "unlimited")) {
            cli->jobs = INT_MAX;
            break;
        }
        rc = parse_long(name, v, 1, INT_MAX, &n, err);
        cli->jobs = (int)n;
        break;
    case O_KEEPGOING: cli->keep_going = true; break;
    case O_RETRIES:
        rc = parse_long(name, v, 0, 1000, &n, err);
        cli->retries = (int)n;
        break;
    case O_RES: rc = push_kv(&cli->resources, &cli->nresources, name, v, err); break;
    case O_SETTHREADS: push_str(&cli->load.set_threads, &cli->load.nset_threads, v); break;
    case O_SETRES: push_str(&cli->load.set_resources, &cli->load.nset_resources, v); break;
    case O_WRAPPREFIX: cli->load.wrapper_prefix = v; break;
    case O_SETSCATTER:
        if (!strchr(v, '='))
            return kr_error_set(err, KR_EUSAGE, "%s: expected NAME=COUNT, got '%s'", name, v);
        push_str(&cli->load.set_scatter, &cli->load.nset_scatter, v);
        break;
    case O_DEFRES:
        cli->default_resources_given = true;
        if (v)
            rc = push_kv(&cli->default_resources, &cli->ndefault_resources, name, v, err);
        break;
    case O_LATENCY: {
        char *end;
        double d = strtod(v, &end);
        if (end == v || *end || d < 0)
            return kr_error_set(err, KR_EUSAGE, "%s: '%s' is not a number of seconds", name, v);
        cli->latency_wait = d;
        break;
    }
    case O_KEEPINC: cli->keep_incomplete = true; break;
    case O_SHADOWPREFIX: cli->shadow_prefix = v; break;
    case O_NOTEMP: cli->notemp = true; break;
    case O_UNQUOTED: cli->load.allow_unquoted_wildcards = true; break;
    case O_UNLOCK: cli->unlock = true; break;
    case O_EXECUTOR: cli->executor = v; break;
    case O_EXECARG: rc = push_kv(&cli->executor_args, &cli->nexecutor_args, name, v, err); break;
    case O_DETACH: cli->detach = true; break;
    case O_TRACE: cli->trace = v; break;
    case O_REPORT: cli->report = v; break;
    case O_S3EP: cli->s3_endpoint = v; cli->load.s3_endpoint = v; break;
    case O_STAGING:
        if (strcmp(v, "shared") != 0 && strcmp(v, "presigned") != 0)
            return kr_error_set(err, KR_EUSAGE, "%s: '%s' is not a staging mode (shared or "
                                "presigned)", name, v);
        cli->storage_staging = v;
        break;
    case O_DEFSTORE:
    case O_DEFSTPREFIX:
        cli->load.default_storage = v;
        break;
    case O_DEFSTPROV:
        if (strcmp(v, "s3") != 0)
            return kr_error_set(err, KR_EUSAGE, "%s: storage provider '%s' is not supported "
                                "(only s3)", name, v);
        cli->default_storage_provider = v;
        break;
    case O_CRUNTIME: cli->container_runtime = v; break;
    case O_CIMAGE:
        cli->container_image = v;
        cli->plan.container_image = v;
        break;
    case O_SING: cli->use_singularity = true; break;
    case O_APPT: cli->use_apptainer = true; break;
    case O_CENV: push_str(&cli->container_env, &cli->ncontainer_env, v); break;
    case O_CARGS: cli->container_args = v; break;
    case O_K8SNS: cli->k8s_namespace = v; break;
    case O_K8SGPU: cli->k8s_gpu_resource = v; break;
    case O_K8SPVC: cli->k8s_pvc = v; break;
    case O_SARRAY: cli->slurm_array = 1; break;
    case O_NOSARRAY: cli->slurm_array = 0; break;
    case O_SARRAYTH:
        rc = parse_long(name, v, 1, LONG_MAX, &n, err);
        cli->slurm_array_threshold = n;
        break;
    case O_BQUEUE: cli->aws_batch_queue = v; break;
    case O_BENDPOINT: cli->aws_batch_endpoint = v; break;
    case O_HELP: cli->help = true; break;
    case O_FORMAT: cli->graph_format = v; break;
    case O_RULES: cli->graph_rules = true; break;
    case O_WITHINPUTS: cli->with_inputs = true; break;
    case O_PROFILE: case O_WFPROFILE: break;     /* read before the rest: apply_profiles */
    }
    return rc;
}

/* plan.container_id's default: a container context made from the options
 * on first use (see kr_cli_parse), kept in cli->containers_. */
static int cli_container_id(void *data, const char *image, const char **id,
                            struct kr_error *err)
{
    struct kr_cli *cli = data;
    *id = NULL;
    if (!cli->containers_) {
        struct kr_container_opts co;
        int rc;
        memset(&co, 0, sizeof co);
        co.runtime = cli->use_apptainer ? "apptainer"
                   : cli->use_singularity ? "singularity" : cli->container_runtime;
        co.default_image = cli->container_image;
        co.quiet = cli->quiet;
        rc = kr_container_ctx_new(&co, &cli->containers_, err);
        if (rc)
            return rc;
    }
    return kr_container_identity(cli->containers_, image, id, err);
}

/* Snakemake options a profile written for Snakemake often sets, which
 * krait accepts and ignores (each with a warning): what they ask for is
 * krait's behaviour anyway, or does not apply to krait. */
static const char *const ignored_smk[] = {
    "rerun-incomplete", "show-failed-logs", "reason", "use-conda", "use-envmodules",
    "conda-prefix", "conda-frontend", "local-cores", "scheduler", "nolock",
    "max-jobs-per-second", "max-status-checks-per-second", "software-deployment-method",
    "sdm", "printshellcmds-off", "keep-remote", "cluster-cancel", "jobscript",
};

/* The value of option `lng` (or short `shrt`) in argv, else NULL. */
static const char *argv_value(int argc, char **argv, const char *lng, char shrt)
{
    const char *v = NULL;
    size_t l = strlen(lng);
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--"))
            break;
        if (a[0] == '-' && a[1] == '-' && !strncmp(a + 2, lng, l) &&
            (a[2 + l] == '=' || a[2 + l] == '\0'))
            v = a[2 + l] == '=' ? a + 3 + l : i + 1 < argc ? argv[i + 1] : NULL;
        else if (shrt && a[0] == '-' && a[1] == shrt)
            v = a[2] ? a + 2 : i + 1 < argc ? argv[i + 1] : NULL;
    }
    return v;
}

/* Apply one profile's options to cli (before the command line, which
 * overrides them). */
static int apply_profile(struct kr_cli *cli, const struct kr_profile *p, unsigned which,
                         struct kr_error *err)
{
    uint32_t i;
    size_t k;
    int rc;
    for (i = 0; i < p->nargs; i++) {
        const struct kr_profile_arg *a = &p->args[i];
        const struct opt *o = find_long(a->name, strlen(a->name), ~0u);
        char name[80];
        if (!o) {
            for (k = 0; k < KR_ARRAY_LEN(ignored_smk); k++)
                if (!strcmp(a->name, ignored_smk[k]))
                    break;
            if (k < KR_ARRAY_LEN(ignored_smk)) {
                fprintf(stderr, "krait: warning: %s:%d: '%s' has no effect in krait; "
                        "ignored\n", p->file, a->line, a->name);
                continue;
            }
            char msg[sizeof err->msg], dashed[80];
            snprintf(dashed, sizeof dashed, "--%s", a->name);
            rc = unknown(dashed, ~0u, err);
            snprintf(msg, sizeof msg, "%s", err->msg);
            return kr_error_set(err, rc, "%s:%d: profile key '%s': %s", p->file, a->line,
                                a->name, msg);
        }
        if ((o->only && !(o->only & which)) || o->id == O_PROFILE || o->id == O_WFPROFILE)
            continue;       /* an option of another subcommand */
        snprintf(name, sizeof name, "--%s", o->lng);
        if (o->arity == FLAG) {
            if (a->value)
                return kr_error_set(err, KR_EUSAGE, "%s:%d: profile key '%s' is a switch: "
                                    "give true or false", p->file, a->line, a->name);
            rc = a->flag ? store(cli, o, name, NULL, err) : KR_OK;
        } else if (!a->value) {
            return kr_error_set(err, KR_EUSAGE, "%s:%d: profile key '%s' needs a value (%s), "
                                "not true/false", p->file, a->line, a->name, o->meta);
        } else if (o->arity == ONE && !a->scalar) {
            return kr_error_set(err, KR_EUSAGE, "%s:%d: profile key '%s' takes one value, not "
                                "a list or mapping", p->file, a->line, a->name);
        } else {
            rc = store(cli, o, name, a->value, err);
        }
        if (rc) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            return kr_error_set(err, rc, "%s:%d: %s", p->file, a->line, msg);
        }
    }
    return KR_OK;
}

/* The default workflow profile: profiles/default in the working directory
 * (-d), else next to the rule file (-s, else where the default rule file
 * names would find one). NULL when there is none. */
static char *default_wf_profile(const char *dir, const char *snakefile)
{
    static const char *const defaults[] = {"Snakefile", "snakefile", "workflow/Snakefile",
                                           "workflow/snakefile", "Kraitfile"};
    const char *base = dir ? dir : ".";
    struct stat sb;
    char *p = kr_asprintf("%s/profiles/default", base), *sf = NULL, *slash;
    size_t i;
    if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
        return p;
    kr_free(p);
    if (snakefile) {
        sf = snakefile[0] == '/' || !dir ? kr_strdup(snakefile)
                                         : kr_asprintf("%s/%s", dir, snakefile);
    } else {
        for (i = 0; i < KR_ARRAY_LEN(defaults) && !sf; i++) {
            char *c = kr_asprintf("%s/%s", base, defaults[i]);
            if (stat(c, &sb) == 0)
                sf = c;
            else
                kr_free(c);
        }
    }
    if (!sf)
        return NULL;
    slash = strrchr(sf, '/');
    p = slash ? kr_asprintf("%.*s/profiles/default", (int)(slash - sf), sf)
              : kr_strdup("profiles/default");
    kr_free(sf);
    if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
        return p;
    kr_free(p);
    return NULL;
}

/* Read and apply the global profile, then the workflow profile, as argv
 * and the environment name them. */
static int apply_profiles(struct kr_cli *cli, int argc, char **argv, unsigned which,
                          struct kr_error *err)
{
    const char *g = argv_value(argc, argv, "profile", 0);
    const char *w = argv_value(argc, argv, "workflow-profile", 0);
    char *dirs[2] = {NULL, NULL};
    int i, rc = KR_OK;

    if (!g)
        g = getenv("KRAIT_PROFILE");
    if (!g || !*g)
        g = getenv("SNAKEMAKE_PROFILE");
    if (g && *g && strcmp(g, "none")) {
        rc = kr_profile_find(g, &dirs[0], err);
        if (rc)
            return rc == KR_NOT_FOUND ? KR_EUSAGE : rc;
    }
    if (w && strcmp(w, "none")) {
        struct stat sb;
        if (stat(w, &sb) != 0 || !S_ISDIR(sb.st_mode))
            rc = kr_error_set(err, KR_EUSAGE, "--workflow-profile %s: no such directory", w);
        else
            dirs[1] = kr_strdup(w);
    } else if (!w) {
        dirs[1] = default_wf_profile(argv_value(argc, argv, "directory", 'd'),
                                     argv_value(argc, argv, "snakefile", 's'));
    }
    for (i = 0; i < 2 && !rc; i++) {
        if (!dirs[i])
            continue;
        cli->profiles_[i] = kr_calloc(1, sizeof *cli->profiles_[i]);
        rc = kr_profile_read(dirs[i], cli->profiles_[i], err);
        if (!rc) {
            fprintf(stderr, "Using %sprofile %s for setting default command line arguments.\n",
                    i ? "workflow specific " : "", dirs[i]);
            rc = apply_profile(cli, cli->profiles_[i], which, err);
        }
    }
    kr_free(dirs[0]);
    kr_free(dirs[1]);
    return rc;
}

int kr_cli_parse(int argc, char **argv, unsigned which, struct kr_cli *cli,
                 struct kr_error *err)
{
    int i;
    bool only_targets = false;

    memset(cli, 0, sizeof *cli);
    cli->plan.checksum_max_size = 1000000;
    cli->retries = -1;
    cli->latency_wait = 5;
    cli->slurm_array = -1;
    cli->slurm_array_threshold = -1;
    cli->graph_format = "dot";
    cli->plan.container_id = cli_container_id;
    cli->plan.container_id_data = cli;
    if (!argv_value(argc, argv, "help", 'h')) {
        int rc = apply_profiles(cli, argc, argv, which, err);
        if (rc)
            return rc;
    }

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const struct opt *o;
        const char *inline_v = NULL;
        char name[64];
        int rc;

        if (only_targets || !is_option(a)) {
            push_str(&cli->plan.targets, &cli->plan.ntargets, a);
            continue;
        }
        if (!strcmp(a, "--")) {
            only_targets = true;
            continue;
        }
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
            o = find_long(a + 2, len, which);
            if (!o)
                return unknown(a, which, err);
            inline_v = eq ? eq + 1 : NULL;
            snprintf(name, sizeof name, "--%s", o->lng);
        } else {
            o = find_short(a[1], which);
            if (!o)
                return unknown(a, which, err);
            snprintf(name, sizeof name, "-%c", a[1]);
            if (a[2]) {
                if (o->arity == FLAG)
                    return kr_error_set(err, KR_EUSAGE, "%s takes no value (got '%s')", name, a);
                inline_v = a + 2;   /* -j4 */
            }
        }
        if (o->arity == FLAG) {
            if (inline_v)
                return kr_error_set(err, KR_EUSAGE, "%s takes no value", name);
            rc = store(cli, o, name, NULL, err);
        } else if (inline_v) {
            rc = store(cli, o, name, inline_v, err);
        } else if (o->arity == ONE) {
            if (i + 1 >= argc)
                return kr_error_set(err, KR_EUSAGE, "%s needs a value (%s)", name, o->meta);
            rc = store(cli, o, name, argv[++i], err);
        } else {
            int got = 0;
            while (i + 1 < argc && !is_option(argv[i + 1])) {
                rc = store(cli, o, name, argv[++i], err);
                if (rc)
                    return rc;
                got++;
            }
            if (!got && o->arity == MANY)
                return kr_error_set(err, KR_EUSAGE, "%s needs at least one value (%s)", name,
                                    o->meta);
            rc = got ? KR_OK : store(cli, o, name, NULL, err);
        }
        if (rc)
            return rc;
    }
    if (cli->default_storage_provider && !cli->load.default_storage)
        return kr_error_set(err, KR_EUSAGE, "--default-storage-provider s3 needs "
                            "--default-storage-prefix s3://BUCKET[/PREFIX]");
    return KR_OK;
}

struct kr_storage *kr_cli_storage(struct kr_cli *cli)
{
    if (!cli->storage_)
        cli->storage_ = kr_storage_s3_new(cli->s3_endpoint);
    return cli->storage_;
}

void kr_cli_free(struct kr_cli *cli)
{
    uint32_t i;
    kr_free((void *)cli->load.configfiles);
    kr_free((void *)cli->load.config_kv);
    kr_free((void *)cli->plan.batch_rule);
    kr_free((void *)cli->load.set_threads);
    kr_free((void *)cli->load.set_resources);
    kr_free((void *)cli->load.set_scatter);
    kr_free((void *)cli->plan.targets);
    kr_free((void *)cli->plan.forcerun);
    kr_free((void *)cli->plan.until);
    kr_free((void *)cli->plan.omit_from);
    kr_free((void *)cli->plan.allowed_rules);
    for (i = 0; i < cli->nresources; i++)
        kr_free((void *)cli->resources[i].key);
    kr_free(cli->resources);
    for (i = 0; i < cli->ndefault_resources; i++)
        kr_free((void *)cli->default_resources[i].key);
    kr_free(cli->default_resources);
    for (i = 0; i < cli->nexecutor_args; i++)
        kr_free((void *)cli->executor_args[i].key);
    kr_free(cli->executor_args);
    kr_free((void *)cli->container_env);
    kr_container_ctx_free(cli->containers_);
    kr_storage_s3_free(cli->storage_);
    for (i = 0; i < 2; i++) {
        if (cli->profiles_[i])
            kr_profile_free(cli->profiles_[i]);
        kr_free(cli->profiles_[i]);
    }
    memset(cli, 0, sizeof *cli);
}

void kr_cli_usage(FILE *f, const char *cmd, const char *summary, unsigned which)
{
    size_t i;
    fprintf(f, "usage: krait %s [options] [targets...]\n\n%s\n\noptions:\n", cmd, summary);
    for (i = 0; i < KR_ARRAY_LEN(opts); i++) {
        char left[64];
        const struct opt *o = &opts[i];
        if (!o->help || (o->only && !(o->only & which)))
            continue;
        if (o->shrt)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->shrt, o->lng, o->meta ? " " : "",
                     o->meta ? o->meta : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->lng, o->meta ? " " : "",
                     o->meta ? o->meta : "");
        fprintf(f, "  %-38s %s\n", left, o->help);
    }
}

int kr_cli_cores(const struct kr_cli *cli)
{
    long ncpu;
    if (cli->cores > 0)
        return cli->cores;
    if (cli->cores < 0) {
        ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        return ncpu > 0 ? (int)ncpu : 1;
    }
    if (cli->jobs > 0 && cli->jobs != INT_MAX)
        return cli->jobs;
    return 1;
}

int kr_cli_chdir(const struct kr_cli *cli, struct kr_error *err)
{
    if (cli->directory && chdir(cli->directory) != 0)
        return kr_error_set(err, KR_EIO, "cannot change to directory '%s': %s", cli->directory,
                            strerror(errno));
    return KR_OK;
}

int kr_cli_plan(struct kr_cli *cli, struct kr_workflow **wfp, struct kr_dag **dagp,
                struct kr_error *err)
{
    struct kr_workflow *wf = NULL;
    struct kr_dag *dag = NULL;
    struct kr_state *st = NULL;
    int rc;

    *wfp = NULL;
    *dagp = NULL;
    rc = kr_cli_chdir(cli, err);
    if (rc)
        return rc;
    if (!cli->load.cores)
        cli->load.cores = kr_cli_cores(cli);
    rc = kr_workflow_load(&cli->load, &wf, err);
    if (rc == KR_NOT_FOUND) {
        if (!err || !err->msg[0])
            kr_error_set(err, KR_EUSAGE, "no rule file found (Snakefile, snakefile, "
                                         "workflow/Snakefile, workflow/snakefile, Kraitfile); "
                                         "use -s FILE");
        return KR_EUSAGE;
    }
    if (rc)
        return rc;
    cli->plan.storage = kr_cli_storage(cli);
    rc = kr_state_open_read(NULL, &st);
    if (rc == KR_OK) {
        rc = kr_ckpt_plan(wf, st, &cli->plan, &dag, err);
        kr_state_close(st);
        if (rc == KR_ESTATE)
            /* a damaged page: plan as if nothing were recorded, saying so */
            fprintf(stderr, "krait: warning: %s\nkrait: going on without provenance: outputs "
                    "are judged by their modification times\n", err ? err->msg : "state database damaged");
    }
    if (rc == KR_NOT_FOUND || rc == KR_ESTATE) {
        kr_error_clear(err);
        rc = kr_ckpt_plan(wf, NULL, &cli->plan, &dag, err);
    }
    /* an S3 failure while planning is the real cause of any "missing input" */
    if (kr_storage_s3_check(cli->storage_, NULL) != KR_OK) {
        kr_dag_free(dag);
        dag = NULL;
        rc = kr_storage_s3_check(cli->storage_, err);
    }
    if (rc) {
        kr_workflow_free(wf);
        return rc;
    }
    *wfp = wf;
    *dagp = dag;
    return KR_OK;
}

int kr_cli_fail(const struct kr_error *err)
{
    kr_error_print(err, stderr);
    return err->code == KR_EUSAGE ? 2 : 1;
}
