/*
 * mod-time.c - datetime and time for rule files, kept deterministic: "now"
 * is read once per krait process (the first time a rule file asks) and
 * every later date.today(), datetime.now(), time.time() and
 * time.strftime() of that process sees the same moment, so one load of a
 * workflow sees one time. SOURCE_DATE_EPOCH (seconds since the epoch),
 * when set, is that moment instead of the clock (reproducible builds and
 * tests).
 *
 * A date or datetime is a namespace flagged KR_NS_OBJ ("datetime.date",
 * "datetime.datetime") holding its fields (year, month, day, hour, minute,
 * second, microsecond), its methods (strftime, isoformat, weekday,
 * isoweekday, date) and the strings behind str(), repr() and type(). The
 * classes datetime.date and datetime.datetime are builtins (their
 * constructors) whose today()/now(), fromisoformat() and strptime()
 * kr_time_getattr answers. Local time, as Python's today() and now() use.
 * Dates, datetimes and timedeltas carry an integer sort key (__order__,
 * microseconds) through which <, sorted(), min() and max() order them.
 *
 * Ownership: every value lives in the workflow's arena.
 */
#include "mod.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The moment of this process, fixed at first use. */
static bool fixed_set;
static struct timespec fixed;

static struct timespec now_fixed(void)
{
    if (!fixed_set) {
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        char *end;
        long long v = sde && *sde ? strtoll(sde, &end, 10) : 0;
        if (sde && *sde && !*end && v >= 0) {
            fixed.tv_sec = (time_t)v;
            fixed.tv_nsec = 0;
        } else {
            clock_gettime(CLOCK_REALTIME, &fixed);
        }
        fixed_set = true;
    }
    return fixed;
}

/* fields of a date or datetime */
struct dt {
    int year, month, day, hour, minute, second, usec;
    bool has_time;      /* a datetime (not a date) */
};

static int dt_new_date(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                       struct kr_value **out);
static int dt_new_datetime(struct kr_interp *I, struct kr_value *self,
                           const struct kr_callargs *a, struct kr_value **out);

static struct tm dt_tm(const struct dt *d)
{
    struct tm tm;
    time_t t;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = d->year - 1900;
    tm.tm_mon = d->month - 1;
    tm.tm_mday = d->day;
    tm.tm_hour = d->hour;
    tm.tm_min = d->minute;
    tm.tm_sec = d->second;
    /* weekday and day of the year, computed in UTC to stay off time zones */
    t = timegm(&tm);
    gmtime_r(&t, &tm);
    return tm;
}

static struct dt dt_of(const struct kr_value *v)
{
    struct dt d;
    struct kr_value *x;
    memset(&d, 0, sizeof d);
#define FIELD(f) x = kr_dict_gets(v->u.ns.attrs, #f); d.f = x ? (int)x->u.i : 0
    FIELD(year); FIELD(month); FIELD(day); FIELD(hour); FIELD(minute); FIELD(second);
#undef FIELD
    x = kr_dict_gets(v->u.ns.attrs, "microsecond");
    d.usec = x ? (int)x->u.i : 0;
    d.has_time = x != NULL;
    return d;
}

static void iso(const struct dt *d, char sep, struct kr_buf *b)
{
    kr_buf_printf(b, "%04d-%02d-%02d", d->year, d->month, d->day);
    if (!d->has_time)
        return;
    kr_buf_printf(b, "%c%02d:%02d:%02d", sep, d->hour, d->minute, d->second);
    if (d->usec)
        kr_buf_printf(b, ".%06d", d->usec);
}

/* Python's strftime: C's strftime, with %f (microseconds) done here. */
static int dt_strftime(struct kr_interp *I, const struct dt *d, const char *fmt,
                       struct kr_value **out)
{
    struct kr_buf f = KR_BUF_INIT;
    struct tm tm = dt_tm(d);
    char buf[4096];
    size_t n;
    const char *p;
    for (p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == 'f') {
            kr_buf_printf(&f, "%06d", d->usec);
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            kr_buf_puts(&f, "%%");
            p++;
        } else {
            kr_buf_putc(&f, *p);
        }
    }
    if (!f.len) {
        kr_buf_free(&f);
        *out = kr_value_cstr(I->A, "");
        return KR_OK;
    }
    /* a leading space tells an empty result from an overflow */
    {
        char *pf = kr_arena_printf(I->A, " %s", kr_buf_cstr(&f));
        n = strftime(buf, sizeof buf, pf, &tm);
    }
    kr_buf_free(&f);
    if (n == 0)
        return kr_eval_error(I, "strftime(): the result is longer than %zu bytes", sizeof buf);
    *out = kr_value_str(I->A, buf + 1, n - 1);
    return KR_OK;
}

KR_MOD_FN(m_strftime)
{
    struct dt d = dt_of(self);
    int rc = kr_args_check(I, "strftime", a, 1, 1);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "strftime(): the format must be a str, not '%s'",
                                        kr_value_type_name(a->pos[0])));
    return dt_strftime(I, &d, a->pos[0]->u.str.s, out);
}

KR_MOD_FN(m_isoformat)
{
    struct dt d = dt_of(self);
    struct kr_value *sep = a->npos ? a->pos[0] : kr_args_kw(a, "sep");
    struct kr_buf b = KR_BUF_INIT;
    int rc = kr_args_check(I, "isoformat", a, 0, 1);
    if (rc != KR_OK)
        return rc;
    if (sep && (sep->type != KR_V_STR || sep->u.str.len != 1))
        return kr_eval_error(I, "isoformat(): sep must be one character");
    iso(&d, sep ? sep->u.str.s[0] : 'T', &b);
    *out = kr_value_str(I->A, kr_buf_cstr(&b), b.len);
    kr_buf_free(&b);
    return KR_OK;
}

KR_MOD_FN(m_weekday)
{
    struct dt d = dt_of(self);
    struct tm tm = dt_tm(&d);
    int rc = kr_args_check(I, "weekday", a, 0, 0);
    if (rc == KR_OK)
        *out = kr_value_int(I->A, (tm.tm_wday + 6) % 7);
    return rc;
}

KR_MOD_FN(m_isoweekday)
{
    struct dt d = dt_of(self);
    struct tm tm = dt_tm(&d);
    int rc = kr_args_check(I, "isoweekday", a, 0, 0);
    if (rc == KR_OK)
        *out = kr_value_int(I->A, tm.tm_wday ? tm.tm_wday : 7);
    return rc;
}

static struct kr_value *dt_value(struct kr_interp *I, const struct dt *d);
static int64_t dt_us(const struct dt *d);
static int o_add(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                 struct kr_value **out);
static int o_sub(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                 struct kr_value **out);

KR_MOD_FN(m_date)
{
    struct dt d = dt_of(self);
    int rc = kr_args_check(I, "date", a, 0, 0);
    if (rc != KR_OK)
        return rc;
    d.has_time = false;
    *out = dt_value(I, &d);
    return KR_OK;
}

/* The date or datetime value of d. */
static struct kr_value *dt_value(struct kr_interp *I, const struct dt *d)
{
    const char *tn = d->has_time ? "datetime.datetime" : "datetime.date";
    struct kr_value *v = kr_value_ns(I->A, tn);
    struct kr_buf b = KR_BUF_INIT;
    v->flags |= KR_NS_OBJ;
#define SET(k, x) kr_dict_sets(I->A, v->u.ns.attrs, k, kr_value_int(I->A, x))
    SET("year", d->year); SET("month", d->month); SET("day", d->day);
    if (d->has_time) {
        SET("hour", d->hour); SET("minute", d->minute); SET("second", d->second);
        SET("microsecond", d->usec);
    }
#undef SET
    kr_mod_def(I, v, "strftime", m_strftime, v);
    kr_mod_def(I, v, "isoformat", m_isoformat, v);
    kr_mod_def(I, v, "weekday", m_weekday, v);
    kr_mod_def(I, v, "isoweekday", m_isoweekday, v);
    if (d->has_time)
        kr_mod_def(I, v, "date", m_date, v);
    kr_mod_def(I, v, "__add__", o_add, v);
    kr_mod_def(I, v, "__sub__", o_sub, v);
    kr_dict_sets(I->A, v->u.ns.attrs, "__type__", kr_value_cstr(I->A, d->has_time ? "datetime"
                                                                                 : "date"));
    kr_dict_sets(I->A, v->u.ns.attrs, "__order__", kr_value_int(I->A, dt_us(d)));
    iso(d, ' ', &b);
    kr_dict_sets(I->A, v->u.ns.attrs, "__str__", kr_value_str(I->A, kr_buf_cstr(&b), b.len));
    b.len = 0;
    kr_buf_printf(&b, "%s(%d, %d, %d", tn, d->year, d->month, d->day);
    if (d->has_time) {
        kr_buf_printf(&b, ", %d, %d", d->hour, d->minute);
        if (d->second || d->usec)
            kr_buf_printf(&b, ", %d", d->second);
        if (d->usec)
            kr_buf_printf(&b, ", %d", d->usec);
    }
    kr_buf_putc(&b, ')');
    kr_dict_sets(I->A, v->u.ns.attrs, "__repr__", kr_value_str(I->A, kr_buf_cstr(&b), b.len));
    kr_buf_free(&b);
    return v;
}

/* The fixed moment, in local time. */
static struct dt dt_now(bool has_time)
{
    struct timespec ts = now_fixed();
    struct tm tm;
    struct dt d;
    localtime_r(&ts.tv_sec, &tm);
    d.year = tm.tm_year + 1900;
    d.month = tm.tm_mon + 1;
    d.day = tm.tm_mday;
    d.hour = has_time ? tm.tm_hour : 0;
    d.minute = has_time ? tm.tm_min : 0;
    d.second = has_time ? tm.tm_sec : 0;
    d.usec = has_time ? (int)(ts.tv_nsec / 1000) : 0;
    d.has_time = has_time;
    return d;
}

KR_MOD_FN(c_today)
{
    struct dt d = dt_now(self != NULL);
    int rc = kr_args_check(I, self ? "datetime.now" : "date.today", a, 0, 0);
    if (rc == KR_OK)
        *out = dt_value(I, &d);
    return rc;
}

/* datetime.date(y, m, d) / datetime.datetime(y, m, d, H=0, M=0, S=0, us=0) */
static int dt_construct(struct kr_interp *I, const struct kr_callargs *a, bool has_time,
                        struct kr_value **out)
{
    static const char *const names[] = {"year", "month", "day", "hour", "minute", "second",
                                        "microsecond"};
    static const int lo[] = {1, 1, 1, 0, 0, 0, 0}, hi[] = {9999, 12, 31, 23, 59, 59, 999999};
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *fname = has_time ? "datetime.datetime" : "datetime.date";
    int v[7] = {0, 0, 0, 0, 0, 0, 0}, md;
    size_t nmax = has_time ? 7 : 3, i;
    struct dt d;
    struct kr_value *x;
    if (a->npos > nmax)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "%s() takes at most %zu arguments", fname, nmax));
    for (i = 0; i < nmax; i++) {
        x = i < a->npos ? a->pos[i] : kr_args_kw(a, names[i]);
        if (!x) {
            if (i < 3)
                return kr_exc_tag(I, "TypeError", NULL,
                                  kr_eval_error(I, "%s(): missing argument '%s'", fname,
                                                names[i]));
            continue;
        }
        if (x->type != KR_V_INT)
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "%s(): %s must be an int, not '%s'", fname,
                                            names[i], kr_value_type_name(x)));
        if (x->u.i < lo[i] || x->u.i > hi[i])
            return kr_exc_tag(I, "ValueError", NULL,
                              kr_eval_error(I, "%s(): %s must be in %d..%d", fname, names[i],
                                            lo[i], hi[i]));
        v[i] = (int)x->u.i;
    }
    md = mdays[v[1] - 1];
    if (v[1] == 2 && ((v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0))
        md = 29;
    if (v[2] > md)
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "%s(): day is out of range for month", fname));
    d.year = v[0]; d.month = v[1]; d.day = v[2];
    d.hour = v[3]; d.minute = v[4]; d.second = v[5]; d.usec = v[6];
    d.has_time = has_time;
    *out = dt_value(I, &d);
    return KR_OK;
}

static int dt_new_date(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                       struct kr_value **out)
{
    KR_UNUSED(self);
    return dt_construct(I, a, false, out);
}

static int dt_new_datetime(struct kr_interp *I, struct kr_value *self,
                           const struct kr_callargs *a, struct kr_value **out)
{
    KR_UNUSED(self);
    return dt_construct(I, a, true, out);
}

/* ---- timedelta, and date/datetime arithmetic ---- */

#define US_PER_DAY 86400000000LL

static int64_t days_from_civil(int y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Microseconds since 0001-01-01 minus the epoch's offset (any fixed origin
 * orders). */
static int64_t dt_us(const struct dt *d)
{
    return days_from_civil(d->year, d->month, d->day) * US_PER_DAY +
           ((int64_t)d->hour * 3600 + d->minute * 60 + d->second) * 1000000LL + d->usec;
}

static bool is_td(const struct kr_value *v)
{
    return v->type == KR_V_NS && v->u.ns.name && !strcmp(v->u.ns.name, "datetime.timedelta");
}

static bool is_dt(const struct kr_value *v)
{
    return v->type == KR_V_NS && v->u.ns.name && (!strcmp(v->u.ns.name, "datetime.date") ||
                                                  !strcmp(v->u.ns.name, "datetime.datetime"));
}

static int64_t td_us(const struct kr_value *v)
{
    return kr_dict_gets(v->u.ns.attrs, "__us__")->u.i;
}

static struct kr_value *td_value(struct kr_interp *I, int64_t us);

KR_MOD_FN(td_total_seconds)
{
    KR_UNUSED(a);
    *out = kr_value_float(I->A, (double)td_us(self) / 1e6);
    return KR_OK;
}

/* date/datetime +- timedelta, date - date, timedelta +- timedelta,
 * timedelta * int; op '+', '-', 'r' (reflected +), '*'. */
static int arith(struct kr_interp *I, struct kr_value *self, struct kr_value *o, int op,
                 struct kr_value **out)
{
    if (is_td(self) && is_td(o) && (op == '+' || op == 'r' || op == '-')) {
        *out = td_value(I, op == '-' ? td_us(self) - td_us(o) : td_us(self) + td_us(o));
        return KR_OK;
    }
    if (is_td(self) && (o->type == KR_V_INT || o->type == KR_V_BOOL) && op == '*') {
        *out = td_value(I, td_us(self) * (o->type == KR_V_INT ? o->u.i : o->u.b));
        return KR_OK;
    }
    if (is_td(self) && is_dt(o) && (op == '+' || op == 'r'))
        return arith(I, o, self, '+', out);
    if (is_dt(self) && is_td(o) && (op == '+' || op == '-')) {
        struct dt d = dt_of(self);
        int64_t t = days_from_civil(d.year, d.month, d.day) * US_PER_DAY, delta = td_us(o);
        if (!d.has_time)   /* a date moves by whole days */
            delta = (delta >= 0 ? delta / US_PER_DAY
                                : -((-delta + US_PER_DAY - 1) / US_PER_DAY)) * US_PER_DAY;
        t += ((int64_t)d.hour * 3600 + d.minute * 60 + d.second) * 1000000LL + d.usec;
        t += op == '-' ? -delta : delta;
        {
            int64_t days = t >= 0 ? t / US_PER_DAY : -((-t + US_PER_DAY - 1) / US_PER_DAY);
            int64_t rest = t - days * US_PER_DAY;
            civil_from_days(days, &d.year, &d.month, &d.day);
            if (d.year < 1 || d.year > 9999)
                return kr_exc_tag(I, "OverflowError", NULL,
                                  kr_eval_error(I, "date value out of range"));
            d.hour = (int)(rest / 3600000000LL);
            d.minute = (int)(rest / 60000000LL % 60);
            d.second = (int)(rest / 1000000LL % 60);
            d.usec = (int)(rest % 1000000LL);
        }
        *out = dt_value(I, &d);
        return KR_OK;
    }
    if (is_dt(self) && is_dt(o) && op == '-') {
        struct dt x = dt_of(self), y = dt_of(o);
        int64_t tx, ty;
        if (x.has_time != y.has_time)
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "unsupported operand type(s) for -: '%s' and "
                                            "'%s'", x.has_time ? "datetime" : "date",
                                            y.has_time ? "datetime" : "date"));
        tx = days_from_civil(x.year, x.month, x.day) * US_PER_DAY +
             ((int64_t)x.hour * 3600 + x.minute * 60 + x.second) * 1000000LL + x.usec;
        ty = days_from_civil(y.year, y.month, y.day) * US_PER_DAY +
             ((int64_t)y.hour * 3600 + y.minute * 60 + y.second) * 1000000LL + y.usec;
        *out = td_value(I, tx - ty);
        return KR_OK;
    }
    return kr_exc_tag(I, "TypeError", NULL,
                      kr_eval_error(I, "unsupported operand type(s) for %c: '%s' and '%s'",
                                    op == 'r' ? '+' : op, kr_value_type_name(op == 'r' ? o : self),
                                    kr_value_type_name(op == 'r' ? self : o)));
}

KR_MOD_FN(o_add) { return arith(I, self, a->pos[0], '+', out); }
KR_MOD_FN(o_radd) { return arith(I, self, a->pos[0], 'r', out); }
KR_MOD_FN(o_sub) { return arith(I, self, a->pos[0], '-', out); }
KR_MOD_FN(o_mul) { return arith(I, self, a->pos[0], '*', out); }

static struct kr_value *td_value(struct kr_interp *I, int64_t us)
{
    struct kr_value *v = kr_value_ns(I->A, "datetime.timedelta");
    struct kr_buf b = KR_BUF_INIT;
    int64_t days = us >= 0 ? us / US_PER_DAY : -((-us + US_PER_DAY - 1) / US_PER_DAY);
    int64_t rest = us - days * US_PER_DAY, secs = rest / 1000000, usec = rest % 1000000;
    bool any = false;
    v->flags |= KR_NS_OBJ;
    kr_dict_sets(I->A, v->u.ns.attrs, "__us__", kr_value_int(I->A, us));
    kr_dict_sets(I->A, v->u.ns.attrs, "days", kr_value_int(I->A, days));
    kr_dict_sets(I->A, v->u.ns.attrs, "seconds", kr_value_int(I->A, secs));
    kr_dict_sets(I->A, v->u.ns.attrs, "microseconds", kr_value_int(I->A, usec));
    kr_mod_def(I, v, "total_seconds", td_total_seconds, v);
    kr_mod_def(I, v, "__add__", o_add, v);
    kr_mod_def(I, v, "__radd__", o_radd, v);
    kr_mod_def(I, v, "__sub__", o_sub, v);
    kr_mod_def(I, v, "__mul__", o_mul, v);
    kr_dict_sets(I->A, v->u.ns.attrs, "__type__", kr_value_cstr(I->A, "timedelta"));
    kr_dict_sets(I->A, v->u.ns.attrs, "__order__", kr_value_int(I->A, us));
    if (days)
        kr_buf_printf(&b, "%lld day%s, ", (long long)days, days == 1 || days == -1 ? "" : "s");
    kr_buf_printf(&b, "%lld:%02lld:%02lld", (long long)(secs / 3600), (long long)(secs / 60 % 60),
                  (long long)(secs % 60));
    if (usec)
        kr_buf_printf(&b, ".%06lld", (long long)usec);
    kr_dict_sets(I->A, v->u.ns.attrs, "__str__", kr_value_str(I->A, kr_buf_cstr(&b), b.len));
    b.len = 0;
    kr_buf_puts(&b, "datetime.timedelta(");
    if (days) {
        kr_buf_printf(&b, "days=%lld", (long long)days);
        any = true;
    }
    if (secs) {
        kr_buf_printf(&b, "%sseconds=%lld", any ? ", " : "", (long long)secs);
        any = true;
    }
    if (usec) {
        kr_buf_printf(&b, "%smicroseconds=%lld", any ? ", " : "", (long long)usec);
        any = true;
    }
    if (!any)
        kr_buf_putc(&b, '0');
    kr_buf_putc(&b, ')');
    kr_dict_sets(I->A, v->u.ns.attrs, "__repr__", kr_value_str(I->A, kr_buf_cstr(&b), b.len));
    kr_buf_free(&b);
    return v;
}

/* timedelta(days, seconds, microseconds, milliseconds, minutes, hours,
 * weeks), ints or floats, rounded to microseconds (half to even). */
static int td_new(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                  struct kr_value **out)
{
    static const char *const names[] = {"days", "seconds", "microseconds", "milliseconds",
                                        "minutes", "hours", "weeks"};
    static const double scale[] = {86400e6, 1e6, 1, 1e3, 60e6, 3600e6, 604800e6};
    static const int64_t iscale[] = {US_PER_DAY, 1000000, 1, 1000, 60000000, 3600000000LL,
                                     604800000000LL};
    double f = 0;
    int64_t us = 0;
    bool isf = false;
    size_t i, k;
    KR_UNUSED(self);
    if (a->npos > 7)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "timedelta() takes at most 7 arguments"));
    for (k = 0; k < a->nkw; k++) {
        for (i = 0; i < 7 && strcmp(a->kwnames[k], names[i]); i++)
            ;
        if (i == 7)
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "'%s' is an invalid keyword argument for "
                                            "timedelta()", a->kwnames[k]));
    }
    for (i = 0; i < 7; i++) {
        struct kr_value *x = i < a->npos ? a->pos[i] : kr_args_kw(a, names[i]);
        if (!x)
            continue;
        if (x->type == KR_V_INT || x->type == KR_V_BOOL) {
            int64_t n = x->type == KR_V_INT ? x->u.i : x->u.b;
            us += n * iscale[i];
        } else if (x->type == KR_V_FLOAT) {
            f += x->u.f * scale[i];
            isf = true;
        } else {
            return kr_exc_tag(I, "TypeError", NULL,
                              kr_eval_error(I, "unsupported type for timedelta %s component: "
                                            "%s", names[i], kr_value_type_name(x)));
        }
    }
    if (isf)
        us += (int64_t)nearbyint(f);
    *out = td_value(I, us);
    return KR_OK;
}

/* A date's fields checked as the constructor checks them: NULL or a message. */
static const char *dt_check(const struct dt *d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int md;
    if (d->year < 1 || d->year > 9999)
        return "year is out of range";
    if (d->month < 1 || d->month > 12)
        return "month must be in 1..12";
    md = mdays[d->month - 1] + (d->month == 2 && ((d->year % 4 == 0 && d->year % 100 != 0) ||
                                                   d->year % 400 == 0));
    if (d->day < 1 || d->day > md)
        return "day is out of range for month";
    if (d->hour > 23 || d->minute > 59 || d->second > 59)
        return "hour, minute or second out of range";
    return NULL;
}

/* Read exactly n digits at *p into *v. */
static bool digits(const char **p, int n, int *v)
{
    int i;
    *v = 0;
    for (i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return false;
        *v = *v * 10 + (**p - '0');
    }
    return true;
}

/* date.fromisoformat("YYYY-MM-DD"); datetime.fromisoformat("YYYY-MM-DD"
 * [sep "HH[:MM[:SS[.fff[fff]]]]"]) with any one separator character, as
 * Python 3.7-3.10 read them (no time zone: krait has none). */
KR_MOD_FN(c_fromisoformat)
{
    bool has_time = self != NULL;
    const char *fname = has_time ? "datetime.fromisoformat" : "date.fromisoformat", *p, *bad;
    struct dt d;
    int rc = kr_args_check(I, fname, a, 1, 1), frac;
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "%s: argument must be str, not '%s'", fname,
                                        kr_value_type_name(a->pos[0])));
    memset(&d, 0, sizeof d);
    d.has_time = has_time;
    p = a->pos[0]->u.str.s;
    if (!digits(&p, 4, &d.year) || *p++ != '-' || !digits(&p, 2, &d.month) || *p++ != '-' ||
        !digits(&p, 2, &d.day))
        goto invalid;
    if (has_time && *p) {
        p++;    /* the separator, any character */
        if (!digits(&p, 2, &d.hour))
            goto invalid;
        if (*p == ':' && (p++, !digits(&p, 2, &d.minute)))
            goto invalid;
        if (*p == ':' && (p++, !digits(&p, 2, &d.second)))
            goto invalid;
        if (*p == '.') {
            const char *q = ++p;
            if (!digits(&p, 3, &frac))
                goto invalid;
            d.usec = frac * 1000;
            if (*p >= '0' && *p <= '9') {
                p = q;
                if (!digits(&p, 6, &d.usec))
                    goto invalid;
            }
        }
        if (*p == '+' || *p == '-' || *p == 'Z')
            return kr_exc_tag(I, "ValueError", NULL,
                              kr_eval_error(I, "%s: '%s' has a time zone; krait's datetimes "
                                            "are local times without one", fname,
                                            a->pos[0]->u.str.s));
    }
    if (*p)
        goto invalid;
    if ((bad = dt_check(&d)) != NULL)
        return kr_exc_tag(I, "ValueError", NULL, kr_eval_error(I, "%s: %s", fname, bad));
    *out = dt_value(I, &d);
    return KR_OK;
invalid:
    return kr_exc_tag(I, "ValueError", NULL,
                      kr_eval_error(I, "Invalid isoformat string: '%s'", a->pos[0]->u.str.s));
}

/* datetime.strptime(text, format): the C library's strptime over the whole
 * text (Python's defaults 1900-01-01 00:00:00; %f and %z refused). */
KR_MOD_FN(c_strptime)
{
    struct tm tm;
    struct dt d;
    const char *end, *bad, *text, *fmt;
    int rc = kr_args_check(I, "datetime.strptime", a, 2, 2);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR || a->pos[1]->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "strptime() argument must be str, not '%s'",
                                        kr_value_type_name(a->pos[0]->type != KR_V_STR
                                                               ? a->pos[0] : a->pos[1])));
    text = a->pos[0]->u.str.s;
    fmt = a->pos[1]->u.str.s;
    if (strstr(fmt, "%f") || strstr(fmt, "%z") || strstr(fmt, "%Z"))
        return kr_eval_error(I, "datetime.strptime(): krait does not support %%f, %%z or %%Z "
                             "in the format '%s' yet", fmt);
    memset(&tm, 0, sizeof tm);
    tm.tm_mday = 1;
    end = strptime(text, fmt, &tm);
    if (!end)
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "time data '%s' does not match format '%s'", text,
                                        fmt));
    if (*end)
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "unconverted data remains: %s", end));
    memset(&d, 0, sizeof d);
    d.has_time = true;
    d.year = tm.tm_year + 1900;
    d.month = tm.tm_mon + 1;
    d.day = tm.tm_mday;
    d.hour = tm.tm_hour;
    d.minute = tm.tm_min;
    d.second = tm.tm_sec;
    if ((bad = dt_check(&d)) != NULL)
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "datetime.strptime: %s", bad));
    *out = dt_value(I, &d);
    return KR_OK;
}

int kr_time_getattr(struct kr_interp *I, struct kr_value *obj, const char *name,
                    struct kr_value **out, bool *handled)
{
    bool is_dt;
    *handled = false;
    if (obj->type != KR_V_BUILTIN ||
        (obj->u.bi.fn != dt_new_date && obj->u.bi.fn != dt_new_datetime))
        return KR_OK;
    is_dt = obj->u.bi.fn == dt_new_datetime;
    *handled = true;
    if (!strcmp(name, "today") || (is_dt && !strcmp(name, "now"))) {
        /* self marks datetime (non-NULL) or date (NULL) */
        *out = kr_value_builtin(I->A, is_dt ? "datetime.now" : "date.today", c_today,
                                is_dt ? obj : NULL, NULL);
        return KR_OK;
    }
    if (!strcmp(name, "fromisoformat")) {
        *out = kr_value_builtin(I->A, is_dt ? "datetime.fromisoformat" : "date.fromisoformat",
                                c_fromisoformat, is_dt ? obj : NULL, NULL);
        return KR_OK;
    }
    if (is_dt && !strcmp(name, "strptime")) {
        *out = kr_value_builtin(I->A, "datetime.strptime", c_strptime, NULL, NULL);
        return KR_OK;
    }
    return kr_eval_error(I, "krait does not support '%s.%s' yet",
                         is_dt ? "datetime.datetime" : "datetime.date", name);
}

/* ---- time ---- */

KR_MOD_FN(t_strftime)
{
    struct dt d = dt_now(true);
    int rc = kr_args_check(I, "time.strftime", a, 1, 1);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "time.strftime(): the format must be a str, not '%s'",
                                        kr_value_type_name(a->pos[0])));
    if (strstr(a->pos[0]->u.str.s, "%f"))
        return kr_exc_tag(I, "ValueError", NULL,
                          kr_eval_error(I, "time.strftime(): %%f is not a time.strftime() "
                                        "directive (datetime's strftime() has it)"));
    return dt_strftime(I, &d, a->pos[0]->u.str.s, out);
}

KR_MOD_FN(t_time)
{
    struct timespec ts = now_fixed();
    int rc = kr_args_check(I, "time.time", a, 0, 0);
    KR_UNUSED(self);
    if (rc == KR_OK)
        *out = kr_value_float(I->A, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
    return rc;
}

void kr_mod_time_install(struct kr_interp *I)
{
    struct kr_value *dtm = kr_value_ns(I->A, "datetime"), *tm = kr_value_ns(I->A, "time");
    kr_dict_sets(I->A, dtm->u.ns.attrs, "date",
                 kr_value_builtin(I->A, "datetime.date", dt_new_date, NULL, NULL));
    kr_dict_sets(I->A, dtm->u.ns.attrs, "datetime",
                 kr_value_builtin(I->A, "datetime.datetime", dt_new_datetime, NULL, NULL));
    kr_dict_sets(I->A, dtm->u.ns.attrs, "timedelta",
                 kr_value_builtin(I->A, "datetime.timedelta", td_new, NULL, NULL));
    kr_mod_def(I, tm, "time.strftime", t_strftime, NULL);
    kr_mod_def(I, tm, "time.time", t_time, NULL);
    kr_dict_sets(I->A, I->modules, "datetime", dtm);
    kr_dict_sets(I->A, I->modules, "time", tm);
}
