/*
 * slurm-script.c - the SLURM backend's job -> batch submission half: parse
 * runtimes and memory sizes, map a job's resources to sbatch options,
 * validate the user's extra sbatch options (`slurm_extra`), and write the
 * shell script a job runs on the compute node.
 *
 * Nothing here ever goes through a shell on krait's side: options are argv
 * elements for execvp'd sbatch, and the only shell text produced is the task
 * script, in which every job-provided string (workdir, log path, environment
 * values, the command) is one single-quoted word. Pure functions, no SLURM
 * needed; see slurm.h for the contracts.
 */
#include "slurm.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- runtimes and sizes ---------------------------------------------------- */

/* Unit words for runtimes, in seconds. */
static const struct {
    const char *name;
    double seconds;
} time_units[] = {
    {"s", 1}, {"sec", 1}, {"secs", 1}, {"second", 1}, {"seconds", 1},
    {"m", 60}, {"min", 60}, {"mins", 60}, {"minute", 60}, {"minutes", 60},
    {"h", 3600}, {"hr", 3600}, {"hrs", 3600}, {"hour", 3600}, {"hours", 3600},
    {"d", 86400}, {"day", 86400}, {"days", 86400},
    {"w", 604800}, {"week", 604800}, {"weeks", 604800},
};

/* Parse a non-negative decimal integer of at most 9 digits at *p. */
static bool parse_uint(const char **p, long *v)
{
    const char *s = *p;
    long x = 0;
    int nd = 0;
    while (isdigit((unsigned char)*s) && nd < 9) {
        x = x * 10 + (*s - '0');
        s++;
        nd++;
    }
    if (nd == 0 || isdigit((unsigned char)*s))
        return false;
    *p = s;
    *v = x;
    return true;
}

/* SLURM's forms with ':' or '-': MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
static bool parse_slurm_time(const char *s, double *seconds)
{
    long f[3] = {0, 0, 0}, days = 0;
    int nf = 0;
    const char *p = s;
    if (strchr(s, '-')) {
        if (!parse_uint(&p, &days) || *p != '-')
            return false;
        p++;
    }
    for (;;) {
        if (nf == 3 || !parse_uint(&p, &f[nf]))
            return false;
        nf++;
        if (*p == '\0')
            break;
        if (*p != ':')
            return false;
        p++;
    }
    if (p == s)
        return false;
    if (strchr(s, '-')) {   /* D-HH[:MM[:SS]] */
        *seconds = days * 86400.0 + f[0] * 3600.0 + f[1] * 60.0 + f[2];
        return true;
    }
    if (nf == 2)            /* MM:SS */
        *seconds = f[0] * 60.0 + f[1];
    else if (nf == 3)       /* HH:MM:SS */
        *seconds = f[0] * 3600.0 + f[1] * 60.0 + f[2];
    else
        return false;
    return true;
}

int kr_slurm_parse_runtime(const char *s, int64_t *minutes, struct kr_error *err)
{
    const char *p = s;
    double total = 0;
    int nparts = 0;

    while (*p == ' ')
        p++;
    if (*p == '\0')
        goto bad;
    if (strchr(p, ':') || (strchr(p, '-') && isdigit((unsigned char)*p))) {
        if (!parse_slurm_time(p, &total))
            goto bad;
        goto done;
    }
    while (*p) {
        char *end;
        double v;
        size_t ulen = 0, i;
        bool found = false;
        if (!isdigit((unsigned char)*p) && *p != '.')
            goto bad;
        v = strtod(p, &end);
        if (end == p || v < 0 || !isfinite(v))
            goto bad;
        p = end;
        while (*p == ' ')
            p++;
        while (isalpha((unsigned char)p[ulen]))
            ulen++;
        if (ulen == 0) {
            /* a bare number: minutes, and only alone */
            if (nparts > 0 || *p != '\0')
                goto bad;
            total = v * 60.0;
            nparts++;
            break;
        }
        for (i = 0; i < KR_ARRAY_LEN(time_units); i++) {
            if (strlen(time_units[i].name) == ulen &&
                strncasecmp(p, time_units[i].name, ulen) == 0) {
                total += v * time_units[i].seconds;
                found = true;
                break;
            }
        }
        if (!found)
            goto bad;
        p += ulen;
        nparts++;
        while (*p == ' ')
            p++;
    }
done:
    if (total > 1e12)
        goto bad;
    *minutes = (int64_t)ceil(total / 60.0);
    if (*minutes < 1)
        *minutes = 1;
    return KR_OK;
bad:
    return kr_error_set(err, KR_EUSAGE,
                        "runtime '%s' is not a duration (write minutes like 90, units like "
                        "'1h30m' or '2d', or SLURM's 'HH:MM:SS' / 'D-HH:MM:SS')", s);
}

int kr_slurm_parse_mem(const char *s, int64_t *mb, struct kr_error *err)
{
    static const struct {
        const char *unit;
        double mb;
    } units[] = {
        {"", 1}, {"k", 1e-3}, {"kb", 1e-3}, {"m", 1}, {"mb", 1}, {"g", 1e3}, {"gb", 1e3},
        {"t", 1e6}, {"tb", 1e6}, {"kib", 1024.0 / 1e6}, {"mib", 1048576.0 / 1e6},
        {"gib", 1073741824.0 / 1e6}, {"tib", 1099511627776.0 / 1e6},
    };
    const char *p = s;
    char *end;
    double v;
    size_t i, ulen;

    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char)*p) && *p != '.')
        goto bad;
    v = strtod(p, &end);
    if (end == p || v < 0 || !isfinite(v))
        goto bad;
    p = end;
    while (*p == ' ')
        p++;
    ulen = strlen(p);
    while (ulen > 0 && p[ulen - 1] == ' ')
        ulen--;
    for (i = 0; i < KR_ARRAY_LEN(units); i++) {
        if (strlen(units[i].unit) == ulen && strncasecmp(p, units[i].unit, ulen) == 0) {
            double m = ceil(v * units[i].mb - 1e-9);
            if (m > 1e12)
                goto bad;
            *mb = (int64_t)m;
            return KR_OK;
        }
    }
bad:
    return kr_error_set(err, KR_EUSAGE,
                        "memory size '%s' not understood (write MB as a number, or "
                        "'4GB', '500MB', '2GiB')", s);
}

/* ---- option validation ------------------------------------------------------ */

/* Characters allowed in option values (no blanks, quotes, $, `, ;, |, &, <, >,
 * \, newlines, globs: nothing a shell or #SBATCH parser could act on). */
static bool safe_value(const char *v)
{
    if (!*v)
        return false;
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (!isalnum(c) && !strchr("_.,:=+/@%-", c))
            return false;
    }
    return true;
}

static bool safe_long_name(const char *s, size_t n)
{
    size_t i;
    if (n == 0 || !islower((unsigned char)s[0]))
        return false;
    for (i = 0; i < n; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
            return false;
    return true;
}

/* sbatch options krait sets itself, or that make sbatch run/print something else. */
static const char *const refused_long[] = {
    "wrap", "array", "output", "error", "input", "chdir", "job-name", "parsable",
    "export-file", "uid", "gid", "test-only", "wait", "help", "usage", "version",
};
static const char refused_short[] = "aoeiDJWhVu";

int kr_slurm_extra_split(const char *extra, struct kr_vec *out, struct kr_error *err)
{
    struct kr_vec toks = KR_VEC_INIT;
    const char *p = extra;
    size_t i, k;
    int rc = KR_OK;
    bool want_value = false;    /* previous token was an option that may take one */

    while (*p) {
        const char *start;
        char *tok;
        if (*p == ' ' || *p == '\t') {
            p++;
            continue;
        }
        start = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        tok = kr_strndup(start, (size_t)(p - start));
        kr_vec_push(&toks, tok);
    }
    for (i = 0; i < toks.len; i++) {
        const char *t = toks.items[i];
        if (t[0] == '-' && t[1] == '-') {
            const char *eq = strchr(t, '=');
            size_t n = eq ? (size_t)(eq - t - 2) : strlen(t + 2);
            if (!safe_long_name(t + 2, n) || (eq && !safe_value(eq + 1))) {
                rc = kr_error_set(err, KR_EUSAGE, "slurm_extra: '%s' is not an option of "
                                  "the form --name=value (values may use only letters, "
                                  "digits and _.,:=+/@%%-)", t);
                goto out;
            }
            for (k = 0; k < KR_ARRAY_LEN(refused_long); k++) {
                if (strlen(refused_long[k]) == n && !strncmp(t + 2, refused_long[k], n)) {
                    rc = kr_error_set(err, KR_EUSAGE, "slurm_extra: option --%s is set by "
                                      "krait or not allowed", refused_long[k]);
                    goto out;
                }
            }
            want_value = !eq;
        } else if (t[0] == '-' && t[1] != '-') {
            if (!isalpha((unsigned char)t[1]) || t[2] != '\0') {
                rc = kr_error_set(err, KR_EUSAGE, "slurm_extra: '%s' is not an option: "
                                  "write short options as '-X value'", t);
                goto out;
            }
            if (strchr(refused_short, t[1])) {
                rc = kr_error_set(err, KR_EUSAGE, "slurm_extra: option -%c is set by "
                                  "krait or not allowed", t[1]);
                goto out;
            }
            want_value = true;
        } else {
            if (!want_value || !safe_value(t)) {
                rc = kr_error_set(err, KR_EUSAGE, "slurm_extra: '%s' is not an option or "
                                  "an option's value (values may use only letters, digits "
                                  "and _.,:=+/@%%-)", t);
                goto out;
            }
            want_value = false;
        }
    }
    for (i = 0; i < toks.len; i++) {
        kr_vec_push(out, toks.items[i]);
        toks.items[i] = NULL;
    }
out:
    for (i = 0; i < toks.len; i++)
        kr_free(toks.items[i]);
    kr_vec_free(&toks);
    return rc;
}

void kr_slurm_job_name(const char *name, char *buf, size_t n)
{
    size_t i = 0;
    const char *prefix = "krait.";
    for (; *prefix && i + 1 < n; prefix++)
        buf[i++] = *prefix;
    for (; name && *name && i + 1 < n; name++) {
        unsigned char c = (unsigned char)*name;
        buf[i++] = (isalnum(c) || strchr("._=,+-", c)) ? (char)c : '_';
    }
    buf[i] = '\0';
}

/* ---- resources -> options ------------------------------------------------- */

static const struct kr_resource_kv *find_res(const struct kr_exec_job *job, const char *name)
{
    uint32_t i;
    for (i = 0; i < job->nres; i++)
        if (job->res[i].name && !strcmp(job->res[i].name, name))
            return &job->res[i];
    return NULL;
}

/* A resource as an integer: ival, or sval parsed with `parse` (or as an int). */
static int res_int(const struct kr_exec_job *job, const struct kr_resource_kv *kv,
                   int (*parse)(const char *, int64_t *, struct kr_error *), int64_t *v,
                   struct kr_error *err)
{
    int rc;
    if (!kv->sval) {
        *v = kv->ival;
        return KR_OK;
    }
    if (parse) {
        rc = parse(kv->sval, v, err);
    } else {
        char *end;
        long long x = strtoll(kv->sval, &end, 10);
        rc = (*kv->sval && !*end && x >= 0) ? KR_OK
                : kr_error_set(err, KR_EUSAGE, "'%s' is not a whole number", kv->sval);
        *v = x;
    }
    if (rc)
        kr_error_prefix(err, "job %s: resource %s", job->name, kv->name);
    return rc;
}

int kr_slurm_resource_args(const struct kr_exec_job *job, struct kr_vec *out,
                           struct kr_error *err)
{
    static const struct {
        const char *res, *opt;
    } strings[] = {
        {"slurm_partition", "--partition"}, {"slurm_account", "--account"},
        {"slurm_qos", "--qos"}, {"constraint", "--constraint"},
    };
    const struct kr_resource_kv *kv;
    int64_t mem = job->mem_mb, runtime = job->runtime_min, gpus = job->gpus;
    size_t i;
    int rc;

    if (job->threads > 0)
        kr_vec_push(out, kr_asprintf("--cpus-per-task=%d", job->threads));
    kv = find_res(job, "mem");
    if (mem <= 0 && kv) {
        rc = res_int(job, kv, kr_slurm_parse_mem, &mem, err);
        if (rc)
            return rc;
    }
    if (mem > 0)
        kr_vec_push(out, kr_asprintf("--mem=%lldM", (long long)mem));
    kv = find_res(job, "runtime");
    if (runtime <= 0 && kv) {
        rc = res_int(job, kv, kr_slurm_parse_runtime, &runtime, err);
        if (rc)
            return rc;
    }
    if (runtime > 0)
        kr_vec_push(out, kr_asprintf("--time=%lld", (long long)runtime));
    kv = find_res(job, "gpu");
    if (!kv)
        kv = find_res(job, "gpus");
    if (gpus <= 0 && kv) {
        rc = res_int(job, kv, NULL, &gpus, err);
        if (rc)
            return rc;
    }
    if (gpus > 0)
        kr_vec_push(out, kr_asprintf("--gres=gpu:%lld", (long long)gpus));
    for (i = 0; i < KR_ARRAY_LEN(strings); i++) {
        kv = find_res(job, strings[i].res);
        if (!kv || !kv->sval)
            continue;
        if (!safe_value(kv->sval))
            return kr_error_set(err, KR_EUSAGE, "job %s: resource %s='%s' may use only "
                                "letters, digits and _.,:=+/@%%-", job->name,
                                strings[i].res, kv->sval);
        kr_vec_push(out, kr_asprintf("%s=%s", strings[i].opt, kv->sval));
    }
    kv = find_res(job, "slurm_extra");
    if (kv && kv->sval) {
        rc = kr_slurm_extra_split(kv->sval, out, err);
        if (rc) {
            kr_error_prefix(err, "job %s", job->name);
            return rc;
        }
    }
    return KR_OK;
}

/* ---- the task script ------------------------------------------------------- */

int kr_slurm_task_script(const struct kr_exec_job *job, const char *redirect_log,
                         struct kr_buf *out, struct kr_error *err)
{
    uint32_t i;

    /*
     * Containers: job preparation has already replaced job->command with
     * the container invocation (kr_container_apply, src/container.h: the
     * SLURM backend does not run images itself), so the command is run as
     * is; job->container only names the image in the script's comment.
     */
    for (i = 0; i < job->nenv; i++)
        if (!kr_is_shell_name(job->env[i].name))
            return kr_error_set(err, KR_EUSAGE, "job %s: environment variable name '%s' "
                                "is not an identifier", job->name,
                                job->env[i].name ? job->env[i].name : "");

    kr_buf_puts(out, "#!/bin/bash\n");
    kr_buf_printf(out, "# krait job %u, attempt %d: ", job->id, job->attempt);
    for (const char *p = job->name ? job->name : "?"; *p; p++)
        kr_buf_putc(out, (*p == '\n' || *p == '\r') ? ' ' : *p);
    kr_buf_puts(out, "\n# Written by krait's SLURM executor; runs the formatted command");
    if (job->container) {
        kr_buf_puts(out, " (in container ");
        for (const char *p = job->container; *p; p++)
            kr_buf_putc(out, (*p == '\n' || *p == '\r') ? ' ' : *p);
        kr_buf_putc(out, ')');
    }
    kr_buf_puts(out, ".\n");
    if (redirect_log) {
        kr_buf_puts(out, "exec >");
        kr_buf_put_squoted(out, redirect_log);
        kr_buf_puts(out, " 2>&1\n");
    }
    if (job->workdir) {
        kr_buf_puts(out, "cd -- ");
        kr_buf_put_squoted(out, job->workdir);
        kr_buf_puts(out, " || exit 1\n");
    }
    for (i = 0; i < job->nenv; i++) {
        kr_buf_printf(out, "export %s=", job->env[i].name);
        kr_buf_put_squoted(out, job->env[i].value ? job->env[i].value : "");
        kr_buf_putc(out, '\n');
    }
    if (!job->benchmark_path) {
        kr_buf_puts(out, "exec bash -euo pipefail -c ");
        kr_buf_put_squoted(out, job->command ? job->command : "");
        kr_buf_putc(out, '\n');
        return KR_OK;
    }
    kr_exec_put_timed(out, job->command, job->benchmark_path, job->bench_repeat);
    kr_buf_puts(out, "exit $rc\n");
    return KR_OK;
}
