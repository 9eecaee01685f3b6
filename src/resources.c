/*
 * resources.c - Snakemake's standard resources (resources.h): size and
 * time-span parsing, and what mem/disk/runtime imply. Sizes follow
 * humanfriendly (decimal units unless the unit says "i"); mem="5GB" gives
 * mem_mb=5000 and, as Snakemake 8 documents it, mem_mib=4769 (Snakemake
 * 7.21 infers *_mib only from a mem_mb the rule sets itself).
 */
#include "resources.h"

#include <ctype.h>
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
