/*
 * jobprep.c - from a planned job to an executor's job (see jobprep.h).
 *
 * Default resources (Snakemake 7): when --default-resources is given, with
 * or without values, rules that do not set mem_mb / disk_mb get
 * max(2 * input size in MB, 1000); NAME=INT values given to the option
 * replace those defaults and add new ones. Without the option no defaults
 * apply (Snakemake's "bare" mode only sets tmpdir, which krait leaves to the
 * environment). Script paths are relative to the directory of the rule
 * file, as in Snakemake.
 */
#include "jobprep.h"
#include "container.h"
#include "resources.h"
#include "scriptwrap.h"
#include "shadow.h"
#include "stage.h"
#include "storage.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

const char *kr_jobprep_desc(const struct kr_job *job, struct kr_arena *arena)
{
    struct kr_buf b = KR_BUF_INIT;
    const char *s;
    uint32_t i;
    kr_buf_printf(&b, "rule %s", job->rule->name);
    for (i = 0; i < job->wc.n; i++)
        kr_buf_printf(&b, "%s%s=%s", i ? ", " : " (", job->wc.names[i], job->wc.values[i]);
    if (job->wc.n)
        kr_buf_putc(&b, ')');
    s = kr_arena_strdup(arena, kr_buf_cstr(&b));
    kr_buf_free(&b);
    return s;
}

/* "k=v,k=v" with '/' replaced, usable as a file name; "" without wildcards. */
static const char *wc_string(const struct kr_job *job, bool for_path, struct kr_arena *arena)
{
    struct kr_buf b = KR_BUF_INIT;
    const char *s, *v;
    uint32_t i;
    for (i = 0; i < job->wc.n; i++) {
        kr_buf_printf(&b, "%s%s=", i ? "," : "", job->wc.names[i]);
        for (v = job->wc.values[i]; *v; v++)
            kr_buf_putc(&b, for_path && *v == '/' ? '_' : *v);
    }
    s = kr_arena_strdup(arena, kr_buf_cstr(&b));
    kr_buf_free(&b);
    return s;
}

static const struct kr_resource *find_res(const struct kr_jobinfo *info, const char *name)
{
    uint32_t i;
    for (i = 0; i < info->nres; i++)
        if (!strcmp(info->res[i].name, name))
            return &info->res[i];
    return NULL;
}

/* The rule file's directory, for relative script: paths ("" = cwd). */
static const char *rule_dir(const struct kr_workflow *wf, const struct kr_rule *r,
                            struct kr_arena *arena)
{
    /* the file that holds the rule: an included file's or a module's scripts
     * are next to it, as in Snakemake */
    const char *f = r->file < wf->srcs.n ? wf->srcs.files[r->file].path : wf->snakefile;
    const char *slash = f ? strrchr(f, '/') : NULL;
    if (!slash)
        return "";
    return kr_arena_strndup(arena, f, (size_t)(slash - f + 1));
}

/* What add_defaults and map_file need of the job being prepared. */
struct defctx {
    struct kr_jobprep *jp;
    struct kr_job *job;
    struct kr_prepared *out;
};

/* kr_wf_job_info's map_file hook: an s3:// log: or benchmark: file is
 * written to its staged copy (and remembered in out->rextra, to be
 * uploaded after the job). */
static const char *map_file(void *data, const char *path, struct kr_arena *arena)
{
    struct defctx *c = data;
    struct kr_prepared *out = c->out;
    const char **grown;
    uint32_t k;
    if (!c->jp->stage_root || !kr_storage_is_s3(path))
        return path;
    for (k = 0; k < out->nrextra; k++)
        if (!strcmp(out->rextra[k], path))
            break;
    if (k == out->nrextra) {
        grown = kr_arena_zalloc(arena, (out->nrextra + 1) * sizeof *grown);
        if (out->nrextra)
            memcpy(grown, out->rextra, out->nrextra * sizeof *grown);
        grown[out->nrextra++] = path;
        out->rextra = grown;
    }
    return kr_stage_local_path(c->jp->stage_root, path, arena);
}

/* kr_wf_job_info's defaults hook: with --default-resources, the resources
 * the rule does not set — Snakemake's mem_mb and disk_mb (twice the input
 * size in MB, at least 1000) unless given, then each NAME=VALUE or
 * expression given — appended to info->res, so that {resources.mem_mb}
 * and snakemake.resources see them as they see the rule's own. */
static int add_defaults(void *data, struct kr_jobinfo *info, int attempt,
                        struct kr_arena *arena, struct kr_error *err)
{
    struct defctx *c = data;
    struct kr_jobprep *jp = c->jp;
    struct kr_job *job = c->job;
    static const char *const implicit[] = { "mem_mb", "disk_mb" };
    struct kr_resource *res;
    int64_t insize = 0, dflt;
    uint32_t i, k;

    if (!jp->default_resources)
        return KR_OK;
    res = kr_arena_zalloc(arena, (info->nres + jp->ndefres + 2) * sizeof *res);
    if (info->nres)
        memcpy(res, info->res, info->nres * sizeof *res);
    info->res = res;
    for (i = 0; i < job->nin; i++)
        if (kr_dag_stat(jp->dag, job->infiles[i]) == KR_STAT_FILE)
            insize += job->infiles[i]->size;
    dflt = 2 * (insize / (1024 * 1024));
    if (dflt < 1000)
        dflt = 1000;
    for (k = 0; k < KR_ARRAY_LEN(implicit); k++) {
        bool given = false;
        for (i = 0; i < jp->ndefres; i++)
            given |= !strcmp(jp->defres[i].name, implicit[k]);
        if (given || find_res(info, implicit[k]))
            continue;
        res[info->nres].name = implicit[k];
        res[info->nres++].ival = dflt;
    }
    for (i = 0; i < jp->ndefres; i++) {
        /* the compiled expression is cached in the caller's array */
        struct kr_defres *d = (struct kr_defres *)&jp->defres[i];
        if (find_res(info, d->name))
            continue;
        if (d->expr) {
            struct kr_resource v;
            int rc = kr_res_default_value(jp->wf, d->name, d->expr, &d->fn_, job->in,
                                          job->nin, insize, attempt, info->threads, arena,
                                          &v, err);
            if (rc != KR_OK)
                return rc;
            res[info->nres].name = d->name;
            res[info->nres].ival = v.ival;
            res[info->nres++].sval = v.sval;
            continue;
        }
        res[info->nres].name = d->name;
        res[info->nres++].ival = d->value;
    }
    return KR_OK;
}

/* All resources (the defaults are among them: add_defaults) into out->req
 * (the integer ones, for the scheduler), out->ej.res and the well-known
 * fields of out->ej. */
static void resources(struct kr_prepared *out, struct kr_arena *arena)
{
    const struct kr_jobinfo *info = &out->info;
    struct kr_sched_req *req = kr_arena_zalloc(arena, (info->nres + 1) * sizeof *req);
    struct kr_resource_kv *kv = kr_arena_zalloc(arena, (info->nres + 1) * sizeof *kv);
    uint32_t n = 0, i;

    for (i = 0; i < info->nres; i++) {
        kv[i].name = info->res[i].name;
        kv[i].ival = info->res[i].ival;
        kv[i].sval = info->res[i].sval;
        if (info->res[i].sval)
            continue;
        req[n].name = info->res[i].name;
        req[n++].amount = info->res[i].ival;
    }
    for (i = 0; i < n; i++) {
        if (!strcmp(req[i].name, "mem_mb"))
            out->ej.mem_mb = req[i].amount;
        else if (!strcmp(req[i].name, "disk_mb"))
            out->ej.disk_mb = req[i].amount;
        else if (!strcmp(req[i].name, "runtime"))
            out->ej.runtime_min = req[i].amount;
        else if (!strcmp(req[i].name, "gpu"))
            out->ej.gpus = req[i].amount;
    }
    out->req = req;
    out->nreq = n;
    out->ej.res = kv;
    out->ej.nres = info->nres;
}

int kr_jobprep_job(struct kr_jobprep *jp, struct kr_job *job, int attempt,
                   struct kr_arena *arena, struct kr_prepared *out, struct kr_error *err)
{
    const struct kr_rule *r = job->rule;
    bool wrapped = r->script || r->run_code;
    const char **outs, **ins;
    const char *wcs, *logdir;
    struct defctx dc = {jp, job, out};
    struct kr_wf_resdefaults defaults = {add_defaults, &dc, map_file};
    uint32_t i;
    int rc;

    struct kr_iofile *vin = job->in, *vout = job->out;

    memset(out, 0, sizeof *out);
    if (r->wrapper_url)
        return kr_error_set(err, KR_EEXEC, "rule '%s': wrapper '%s' lives at %s and krait does not "
                            "download code: clone the wrapper repository (git clone "
                            "https://github.com/snakemake/snakemake-wrappers DIR) and run with "
                            "--wrapper-prefix file://DIR/", r->name, r->wrapper, r->wrapper_url);
    /* compiled here, outside kr_wf_job_info's scratch region, and kept */
    for (i = 0; jp->default_resources && i < jp->ndefres; i++) {
        struct kr_defres *d = (struct kr_defres *)&jp->defres[i];
        if (d->expr && !d->fn_ &&
            (rc = kr_res_default_compile(jp->wf, d->name, d->expr, &d->fn_, err)) != KR_OK)
            return rc;
    }
    out->lout = kr_arena_zalloc(arena, (job->nout + 1) * sizeof *out->lout);
    for (i = 0; i < job->nout; i++)
        out->lout[i] = job->out[i].path;
    if (jp->stage_root) {
        /* the job sees remote files as their staged local copies */
        vin = kr_arena_zalloc(arena, (job->nin + 1) * sizeof *vin);
        vout = kr_arena_zalloc(arena, (job->nout + 1) * sizeof *vout);
        for (i = 0; i < job->nin; i++) {
            vin[i] = job->in[i];
            vin[i].path = kr_stage_local_path(jp->stage_root, job->in[i].path, arena);
            out->nremote_in += vin[i].path != job->in[i].path;
        }
        for (i = 0; i < job->nout; i++) {
            vout[i] = job->out[i];
            vout[i].path = out->lout[i] = kr_stage_local_path(jp->stage_root, job->out[i].path,
                                                              arena);
            out->nremote_out += vout[i].path != job->out[i].path;
        }
    }
    rc = kr_wf_job_info(jp->wf, r, &job->wc, vin, job->nin, vout, job->nout, attempt,
                        jp->cores, wrapped, &defaults, arena, &out->info, err);
    if (rc != KR_OK)
        return rc;
    out->desc = kr_jobprep_desc(job, arena);
    out->wildcards = wc_string(job, false, arena);
    wcs = wc_string(job, true, arena);
    out->ej.id = job->id;
    out->ej.rule = r->name;
    out->ej.name = *out->wildcards ? kr_arena_printf(arena, "%s.%s", r->name, out->wildcards)
                                   : r->name;
    out->ej.workdir = jp->workdir;
    if (r->shadow) {
        /* the job runs in its shadow directory: the paths krait itself
         * writes (the job's stdout/stderr, the benchmark) and script: paths
         * are made absolute; the command's own paths stay relative */
        if (jp->containers && kr_container_job_image(jp->containers, out->info.container))
            return kr_error_set(err, KR_EUNSUPPORTED, "rule '%s': shadow: together with "
                                "containers is not supported yet (the shadow directory's "
                                "links point into the working directory)", r->name);
        if (jp->stage_root && (out->nremote_in || out->nremote_out))
            return kr_error_set(err, KR_EUNSUPPORTED, "rule '%s': shadow: with S3 inputs or "
                                "outputs is not supported yet", r->name);
        out->shadow_mode = kr_shadow_mode(r->shadow);
        out->shadow_dir = kr_shadow_path(jp->shadow_base ? jp->shadow_base
                                         : kr_arena_printf(arena, "%s/shadow", jp->state_dir),
                                         jp->workdir, r->name, wcs, attempt, arena);
        out->ej.workdir = out->shadow_dir;
    }
    out->ej.threads = out->info.threads;
    out->ej.attempt = attempt;
    outs = kr_arena_zalloc(arena, (job->nout + 1) * sizeof *outs);
    for (i = 0; i < job->nout; i++)
        outs[i] = job->out[i].path;
    out->ej.outputs = outs;
    out->ej.noutputs = job->nout;
    out->logs = kr_arena_zalloc(arena, (out->info.nlog + 1) * sizeof *out->logs);
    for (i = 0; i < out->info.nlog; i++)
        out->logs[i] = out->info.log[i].path;
    out->nlogs = out->info.nlog;
    if (out->info.nlog > 0) {
        out->ej.log_path = out->info.log[0].path;
    } else {
        logdir = kr_arena_printf(arena, "%s/log/%s", jp->state_dir, r->name);
        out->ej.log_path = kr_arena_printf(arena, "%s/%s.log", logdir, *wcs ? wcs : "job");
    }
    out->ej.benchmark_path = out->info.nbench > 0 ? out->info.bench[0].path : NULL;
    out->ej.bench_repeat = r->benchmark.n > 0 ? r->benchmark.items[0].repeat : 0;
    if (out->shadow_dir) {
        if (out->ej.log_path[0] != '/')
            out->ej.log_path = kr_arena_printf(arena, "%s/%s", jp->workdir, out->ej.log_path);
        if (out->ej.benchmark_path && out->ej.benchmark_path[0] != '/')
            out->ej.benchmark_path = kr_arena_printf(arena, "%s/%s", jp->workdir,
                                                     out->ej.benchmark_path);
    }
    out->ej.container = out->info.container;
    resources(out, arena);

    if (out->info.shell_cmd) {
        out->ej.command = out->info.shell_cmd;
    } else if (wrapped) {
        struct kr_scriptwrap_job sj;
        char *jobdir;
        memset(&sj, 0, sizeof sj);
        if (!jp->wrapper) {
            rc = kr_scriptwrap_install(jp->state_dir, &jp->wrapper, err);
            if (rc != KR_OK)
                return rc;
        }
        jobdir = kr_asprintf("%s/jobs", jp->state_dir);
        /* job files hold params, which may be secrets: owner only */
        rc = kr_mkdirs(jobdir, err);
        if (rc == KR_OK && chmod(jobdir, 0700) != 0)
            rc = kr_error_set(err, KR_EIO, "cannot make %s private (chmod 0700): %s", jobdir,
                              strerror(errno));
        if (rc != KR_OK) {
            kr_free(jobdir);
            return rc;
        }
        sj.wrapper = jp->wrapper;
        sj.jobfile = kr_arena_printf(arena, "%s/%s.%s%s%d.json", jobdir, r->name,
                                     *wcs ? wcs : "", *wcs ? "." : "", attempt);
        kr_free(jobdir);
        if (r->script) {
            const char *sp = out->info.script_path ? out->info.script_path : r->script;
            if (sp[0] != '/')
                sp = kr_arena_printf(arena, "%s%s", rule_dir(jp->wf, r, arena), sp);
            if (sp[0] != '/' && out->shadow_dir)
                sp = kr_arena_printf(arena, "%s/%s", jp->workdir, sp);
            sj.script = sp;
        } else {
            sj.code = r->run_code;
            sj.code_file = r->file < jp->wf->srcs.n ? jp->wf->srcs.files[r->file].path
                                                    : jp->wf->snakefile;
            sj.code_line = r->run_line;
            sj.pyctx_json = kr_wf_pyctx_json(jp->wf);
        }
        sj.context_json = out->info.context_json;
        rc = kr_scriptwrap_job(&sj, arena, &out->ej.command, err);
        if (rc != KR_OK)
            return rc;
        out->jobfile = sj.jobfile;
    } else {
        out->ej.command = NULL;     /* no action: done without running anything */
    }

    if (jp->native_containers) {
        /* the backend runs the image (Kubernetes): name it, do not wrap */
        out->ej.container = jp->containers ? kr_container_job_image(jp->containers,
                                                                    out->info.container)
                                           : out->info.container;
        return KR_OK;
    }
    if (out->ej.command && jp->containers) {
        ins = kr_arena_zalloc(arena, (job->nin + 1) * sizeof *ins);
        for (i = 0; i < job->nin; i++)
            ins[i] = vin[i].path;
        rc = kr_container_apply(jp->containers, &out->ej, ins, job->nin, out->logs,
                                out->nlogs, arena, err);
        if (rc < 0)
            return rc;
    }
    return KR_OK;
}

void kr_jobprep_cleanup(struct kr_jobprep *jp)
{
    kr_free(jp->wrapper);
    jp->wrapper = NULL;
}
