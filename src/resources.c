/*
 * resources.c - Snakemake's standard resources (resources.h): size and
 * time-span parsing, and what mem/disk/runtime imply. Sizes follow
 * humanfriendly (decimal units unless the unit says "i"); mem="5GB" gives
 * mem_mb=5000 and, as Snakemake 8 documents it, mem_mib=4769 (Snakemake
 * 7.21 infers *_mib only from a mem_mb the rule sets itself).
 */
#include "resources.h"
#include "eval.h"
#include "../grammar/ast.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *skip_blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* A number at *s (digits, optional fraction); advances *s. */
static bool number(const char **s, double *out)
{
    char *end;
    const char *p = skip_blank(*s);
    if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
        return false;
    *out = strtod(p, &end);
    *s = end;
    return true;
}

/* The alphabetic word at *s (a unit), into buf; advances *s. */
static size_t word(const char **s, char *buf, size_t cap)
{
    const char *p = skip_blank(*s);
    size_t n = 0;
    while (isalpha((unsigned char)p[n]) && n + 1 < cap) {
        buf[n] = p[n];
        n++;
    }
    buf[n] = '\0';
    *s = p + n;
    return n;
}

bool kr_res_parse_size(const char *s, double *bytes)
{
    static const struct { const char *dec, *dec2, *bin; } units[] = {
        {"k", "kb", "kib"}, {"m", "mb", "mib"}, {"g", "gb", "gib"},
        {"t", "tb", "tib"}, {"p", "pb", "pib"},
    };
    char u[8];
    double v, mul = 1;
    size_t i;
    if (!number(&s, &v))
        return false;
    if (word(&s, u, sizeof u) && strcasecmp(u, "b") && strcasecmp(u, "bytes")) {
        for (i = 0; i < KR_ARRAY_LEN(units); i++) {
            if (!strcasecmp(u, units[i].dec) || !strcasecmp(u, units[i].dec2)) {
                mul = pow(1000, (double)(i + 1));
                break;
            }
            if (!strcasecmp(u, units[i].bin)) {
                mul = pow(1024, (double)(i + 1));
                break;
            }
        }
        if (i == KR_ARRAY_LEN(units))
            return false;
    }
    if (*skip_blank(s))
        return false;
    *bytes = v * mul;
    return true;
}

bool kr_res_parse_timespan(const char *s, double *seconds)
{
    static const struct { const char *names[4]; double sec; } units[] = {
        {{"ms", "millisecond", "milliseconds", NULL}, 0.001},
        {{"s", "sec", "second", "seconds"}, 1},
        {{"m", "min", "minute", "minutes"}, 60},
        {{"h", "hour", "hours", NULL}, 3600},
        {{"d", "day", "days", NULL}, 86400},
        {{"w", "week", "weeks", NULL}, 604800},
    };
    char u[16];
    double v, total = 0;
    size_t i, k;
    int parts = 0;
    for (;;) {
        if (!number(&s, &v))
            break;
        if (!word(&s, u, sizeof u)) {
            if (parts)      /* "1h30": a unit is needed after the first part */
                return false;
            total = v;      /* a bare number: seconds */
            parts = 1;
            break;
        }
        for (i = 0; i < KR_ARRAY_LEN(units); i++) {
            for (k = 0; k < 4 && units[i].names[k]; k++)
                if (!strcasecmp(u, units[i].names[k]))
                    break;
            if (k < 4 && units[i].names[k])
                break;
        }
        if (i == KR_ARRAY_LEN(units))
            return false;
        total += v * units[i].sec;
        parts++;
    }
    if (!parts || *skip_blank(s))
        return false;
    *seconds = total;
    return true;
}

int64_t kr_res_mb_to_mib(int64_t mb)
{
    return (int64_t)ceil((double)mb * 0.95367431640625);
}

static int64_t at_least_1(double v)
{
    v = round(v);
    return v < 1 ? 1 : v > 9e18 ? INT64_MAX : (int64_t)v;
}

int kr_res_infer(struct kr_resource *res, uint32_t *n, uint32_t at,
                 bool (*has)(const char *name, void *data), void *data,
                 struct kr_arena *arena, char *msg, size_t msglen)
{
    struct kr_resource *r = &res[at];
    const char *mb = NULL;
    int64_t mbval = 0;
    double v;
    if ((!strcmp(r->name, "mem") || !strcmp(r->name, "disk")) && r->sval) {
        if (!kr_res_parse_size(r->sval, &v)) {
            snprintf(msg, msglen, "cannot read %s=\"%s\" as a size (write e.g. \"5GB\", "
                     "\"500MB\" or \"2GiB\")", r->name, r->sval);
            return KR_EEVAL;
        }
        mb = kr_arena_printf(arena, "%s_mb", r->name);
        mbval = at_least_1(v / 1e6);
        if (!has(mb, data)) {
            res[*n].name = mb;
            res[*n].ival = mbval;
            res[*n].sval = NULL;
            (*n)++;
        } else {
            mb = NULL;
        }
    } else if (!strcmp(r->name, "runtime") && r->sval) {
        if (!kr_res_parse_timespan(r->sval, &v)) {
            snprintf(msg, msglen, "cannot read runtime=\"%s\" as a time span (write e.g. "
                     "\"90m\", \"2h\", \"1h30m\" or minutes as an integer)", r->sval);
            return KR_EEVAL;
        }
        r->ival = at_least_1(v / 60);
        r->sval = NULL;
    } else if ((!strcmp(r->name, "mem_mb") || !strcmp(r->name, "disk_mb")) && !r->sval) {
        mb = r->name;
        mbval = r->ival;
    }
    if (mb) {
        const char *mib = kr_arena_printf(arena, "%.*s_mib", (int)(strlen(mb) - 3), mb);
        if (!has(mib, data)) {
            res[*n].name = mib;
            res[*n].ival = kr_res_mb_to_mib(mbval);
            res[*n].sval = NULL;
            (*n)++;
        }
    }
    return KR_OK;
}

/* A rule of wf by name, warning on stderr when there is none. */
static struct kr_rule *override_rule(struct kr_workflow *wf, const char *opt, const char *name,
                                     size_t len)
{
    char buf[256];
    struct kr_rule *r;
    snprintf(buf, sizeof buf, "%.*s", (int)len, name);
    r = kr_workflow_rule(wf, buf);
    if (!r)
        fprintf(stderr, "krait: warning: %s: the workflow has no rule named '%s' (ignored)\n",
                opt, buf);
    return r;
}

/* "123" -> int value, anything else -> string value. */
static struct kr_value *override_value(struct kr_interp *I, const char *s, bool *negative)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    *negative = false;
    if (*s && !*end && !errno) {
        *negative = v < 0;
        return kr_value_int(I->A, v);
    }
    return kr_value_cstr(I->A, s);
}

int kr_res_apply_overrides(struct kr_workflow *wf, const struct kr_load_opts *o,
                           struct kr_error *err)
{
    struct kr_interp *I = wf->interp;
    struct kr_rule *r;
    struct kr_value *v, *nl;
    uint32_t i;
    size_t k;
    bool neg;

    for (i = 0; i < o->nset_threads; i++) {
        const char *e = o->set_threads[i], *eq = strchr(e, '=');
        if (!eq || eq == e)
            return kr_error_set(err, KR_EUSAGE, "--set-threads: '%s' is not RULE=THREADS", e);
        v = override_value(I, eq + 1, &neg);
        if (v->type != KR_V_INT || neg)
            return kr_error_set(err, KR_EUSAGE, "--set-threads: '%s': THREADS must be a "
                                "non-negative integer", e);
        r = override_rule(wf, "--set-threads", e, (size_t)(eq - e));
        if (r)
            r->threads = v;
    }
    for (i = 0; i < o->nset_resources; i++) {
        const char *e = o->set_resources[i], *eq = strchr(e, '='), *colon = strchr(e, ':');
        char name[128];
        if (!eq || !colon || colon > eq || colon == e || eq == colon + 1 ||
            (size_t)(eq - colon) > sizeof name)
            return kr_error_set(err, KR_EUSAGE, "--set-resources: '%s' is not "
                                "RULE:RESOURCE=VALUE", e);
        if (strchr(colon + 1, ':') && strchr(colon + 1, ':') < eq)
            return kr_error_set(err, KR_EUSAGE, "--set-resources: '%s' is not "
                                "RULE:RESOURCE=VALUE", e);
        snprintf(name, sizeof name, "%.*s", (int)(eq - colon - 1), colon + 1);
        v = override_value(I, eq + 1, &neg);
        if (neg)
            return kr_error_set(err, KR_EUSAGE, "--set-resources: '%s': VALUE must be a "
                                "positive integer or a string", e);
        r = override_rule(wf, "--set-resources", e, (size_t)(colon - e));
        if (!r)
            continue;
        /* a copy: `use rule` copies share the rule's resources value */
        nl = kr_value_named(I->A, "resources");
        if (r->resources)
            for (k = 0; k < r->resources->u.named.names->n; k++)
                if (r->resources->u.named.names->keys[k])
                    kr_named_setname(I->A, nl,
                                     r->resources->u.named.names->keys[k]->u.str.s,
                                     r->resources->u.named.names->vals[k]);
        kr_named_setname(I->A, nl, kr_arena_strdup(I->A, name), v);
        r->resources = nl;
    }
    return KR_OK;
}

int kr_res_default_compile(struct kr_workflow *wf, const char *name, const char *text,
                           struct kr_value **fn, struct kr_error *err)
{
    struct kr_interp *I = wf->interp;
    struct kr_error e2, *olderr = I->err;
    struct kr_node *n;
    char *src = kr_arena_printf(I->A, "lambda input, attempt, threads, system_tmpdir: (%s)",
                                text);
    uint16_t f = kr_sources_add(I->srcs, kr_arena_printf(I->A, "--default-resources %s", name),
                                src, strlen(src));
    int rc;
    kr_error_clear(&e2);
    rc = kr_parse_expr(I->A, I->srcs, f, 0, src, strlen(src), &n, &e2);
    if (rc == KR_OK) {
        kr_interp_set_err(I, &e2);
        rc = kr_eval_expr(I, n, fn);
        I->err = olderr;
    }
    if (rc != KR_OK)
        return kr_error_set(err, KR_EUSAGE, "--default-resources: %s=%s is not a Python "
                            "expression (%s)", name, text, e2.msg);
    return KR_OK;
}

int kr_res_default_value(struct kr_workflow *wf, const char *name, const char *text,
                         struct kr_value **fn, const struct kr_iofile *in, uint32_t nin,
                         int64_t insize, int attempt, int threads, struct kr_arena *arena,
                         struct kr_resource *out, struct kr_error *err)
{
    struct kr_interp *I = wf->interp;
    struct kr_value *args[4], *inv, *res;
    struct kr_callargs ca;
    struct kr_arena_mark mark;
    struct kr_error e2, *olderr = I->err;
    int64_t iv;
    uint32_t i;
    int rc;

    memset(out, 0, sizeof *out);
    out->name = name;
    if (!*fn && (rc = kr_res_default_compile(wf, name, text, fn, err)) != KR_OK)
        return rc;
    kr_arena_mark(I->A, &mark);
    inv = kr_value_named(I->A, "input");
    for (i = 0; i < nin; i++)
        if (!(in[i].flags & KR_F_CKPT_DEP))
            kr_named_push(I->A, inv, NULL, kr_value_cstr(I->A, in[i].path));
    kr_named_setname(I->A, inv, "size", kr_value_int(I->A, insize));
    kr_named_setname(I->A, inv, "size_mb", kr_value_float(I->A, (double)insize / 1024 / 1024));
    kr_named_setname(I->A, inv, "size_gb",
                     kr_value_float(I->A, (double)insize / 1024 / 1024 / 1024));
    args[0] = inv;
    args[1] = kr_value_int(I->A, attempt);
    args[2] = kr_value_int(I->A, threads);
    args[3] = kr_value_cstr(I->A, getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    memset(&ca, 0, sizeof ca);
    ca.pos = args;
    ca.npos = 4;
    kr_error_clear(&e2);
    kr_interp_set_err(I, &e2);
    rc = kr_eval_call(I, *fn, &ca, NULL, &res);
    I->err = olderr;
    if (rc != KR_OK && strstr(e2.msg, "is not defined")) {
        out->sval = kr_arena_strdup(arena, text);     /* Snakemake's NameError fallback */
        rc = KR_OK;
    } else if (rc != KR_OK) {
        rc = kr_error_set(err, KR_EUSAGE, "--default-resources: evaluating %s=%s failed: %s",
                          name, text, e2.msg);
    } else if (res->type == KR_V_STR) {
        out->sval = kr_arena_strdup(arena, res->u.str.s);
    } else if (res->type == KR_V_INT || res->type == KR_V_BOOL) {
        out->ival = res->type == KR_V_INT ? res->u.i : res->u.b;
    } else if (res->type == KR_V_FLOAT && isfinite(res->u.f) && fabs(res->u.f) < 9e18) {
        iv = (int64_t)llround(res->u.f);
        out->ival = iv;
    } else {
        rc = kr_error_set(err, KR_EUSAGE, "--default-resources: %s=%s gives %s; a resource is "
                          "an integer or a string", name, text, kr_value_type_name(res));
    }
    kr_arena_release(I->A, &mark);
    return rc;
}

int kr_res_topdir_scopes(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_value *v;
    uint32_t i;
    int rc;
    if (!I->wf->resource_scopes)
        I->wf->resource_scopes = kr_value_dict(I->A);
    for (i = 0; i < n->nkids; i++) {
        const struct kr_node *k = n->kids[i];
        if (k->kind != KR_N_KWARG)
            return kr_eval_error_at(I, k, "resource_scopes: entries are RESOURCE=SCOPE, e.g. "
                                    "resource_scopes: gpus=\"local\"");
        rc = kr_eval_expr(I, k->a, &v);
        if (rc != KR_OK)
            return rc;
        if (v->type != KR_V_STR || (strcmp(v->u.str.s, "local") && strcmp(v->u.str.s, "global")
                                    && strcmp(v->u.str.s, "excluded")))
            return kr_eval_error_at(I, k->a, "resource_scopes: %s=%s: the scope is \"local\" or "
                                    "\"global\"", k->str, kr_value_to_repr(I->A, v));
        kr_dict_set(I->A, I->wf->resource_scopes->u.dict, kr_value_cstr(I->A, k->str), v);
    }
    return KR_OK;
}
