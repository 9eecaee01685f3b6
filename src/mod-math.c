/*
 * mod-math.c - Python's `math` module for the arithmetic rule files do
 * (thread and memory sizing, bin counts): the constants pi, e, tau, inf,
 * nan; floor, ceil and trunc (returning int, as Python does); sqrt, exp,
 * log (with an optional base), log2, log10, pow, fabs; isnan, isinf,
 * isfinite; gcd and factorial on ints; prod (Python's *, so ints stay
 * ints) and isclose. Domain errors are reported as
 * Python words them ("math domain error").
 */
#include "mod.h"

#include <math.h>
#include <string.h>

static int num(struct kr_interp *I, const char *fname, struct kr_value *v, double *d)
{
    if (v->type == KR_V_INT)
        *d = (double)v->u.i;
    else if (v->type == KR_V_FLOAT)
        *d = v->u.f;
    else if (v->type == KR_V_BOOL)
        *d = v->u.b;
    else
        return kr_eval_error(I, "%s(): must be a real number, not '%s'", fname,
                             kr_value_type_name(v));
    return KR_OK;
}

/* One-argument float functions, by name. */
static const struct {
    const char *name;
    double (*fn)(double);
    char domain;            /* 'p': x > 0, 'n': x >= 0, 0: any */
} unary[] = {
    {"math.sqrt", sqrt, 'n'}, {"math.exp", exp, 0}, {"math.log2", log2, 'p'},
    {"math.log10", log10, 'p'}, {"math.fabs", fabs, 0},
};

static int unary_call(struct kr_interp *I, size_t k, const struct kr_callargs *a,
                      struct kr_value **out)
{
    double x, r;
    int rc = kr_args_check(I, unary[k].name, a, 1, 1);
    if (rc == KR_OK)
        rc = num(I, unary[k].name, a->pos[0], &x);
    if (rc != KR_OK)
        return rc;
    if ((unary[k].domain == 'p' && !(x > 0)) || (unary[k].domain == 'n' && x < 0))
        return kr_eval_error(I, "%s(%g): math domain error", unary[k].name, x);
    r = unary[k].fn(x);
    if (isinf(r) && !isinf(x))
        return kr_eval_error(I, "%s(%g): math range error", unary[k].name, x);
    *out = kr_value_float(I->A, r);
    return KR_OK;
}

#define UNARY(fn_name, k) KR_MOD_FN(fn_name) { KR_UNUSED(self); return unary_call(I, k, a, out); }
UNARY(m_sqrt, 0)
UNARY(m_exp, 1)
UNARY(m_log2, 2)
UNARY(m_log10, 3)
UNARY(m_fabs, 4)

static int rounding(struct kr_interp *I, const char *fname, double (*fn)(double),
                    const struct kr_callargs *a, struct kr_value **out)
{
    double x, r;
    int rc = kr_args_check(I, fname, a, 1, 1);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type == KR_V_INT) {
        *out = a->pos[0];
        return KR_OK;
    }
    rc = num(I, fname, a->pos[0], &x);
    if (rc != KR_OK)
        return rc;
    if (isnan(x) || isinf(x))
        return kr_eval_error(I, "%s(): cannot convert float %s to integer", fname,
                             isnan(x) ? "NaN" : "infinity");
    r = fn(x);
    if (r >= 9.2233720368547758e18 || r < -9.2233720368547758e18)
        return kr_eval_error(I, "%s(): the result does not fit in a 64-bit int", fname);
    *out = kr_value_int(I->A, (int64_t)r);
    return KR_OK;
}

KR_MOD_FN(m_floor) { KR_UNUSED(self); return rounding(I, "math.floor", floor, a, out); }
KR_MOD_FN(m_ceil) { KR_UNUSED(self); return rounding(I, "math.ceil", ceil, a, out); }
KR_MOD_FN(m_trunc) { KR_UNUSED(self); return rounding(I, "math.trunc", trunc, a, out); }

KR_MOD_FN(m_log)
{
    double x, base = 0;
    int rc = kr_args_check(I, "math.log", a, 1, 2);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = num(I, "math.log", a->pos[0], &x);
    if (rc == KR_OK && a->npos == 2)
        rc = num(I, "math.log", a->pos[1], &base);
    if (rc != KR_OK)
        return rc;
    if (!(x > 0) || (a->npos == 2 && (!(base > 0) || base == 1)))
        return kr_eval_error(I, "math.log(): math domain error");
    *out = kr_value_float(I->A, a->npos == 2 ? log(x) / log(base) : log(x));
    return KR_OK;
}

KR_MOD_FN(m_pow)
{
    double x, y;
    int rc = kr_args_check(I, "math.pow", a, 2, 2);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = num(I, "math.pow", a->pos[0], &x);
    if (rc == KR_OK)
        rc = num(I, "math.pow", a->pos[1], &y);
    if (rc != KR_OK)
        return rc;
    if (x < 0 && y != floor(y))
        return kr_eval_error(I, "math.pow(): math domain error");
    *out = kr_value_float(I->A, pow(x, y));
    return KR_OK;
}

static int test(struct kr_interp *I, const char *fname, int (*fn)(double),
                const struct kr_callargs *a, struct kr_value **out)
{
    double x;
    int rc = kr_args_check(I, fname, a, 1, 1);
    if (rc == KR_OK)
        rc = num(I, fname, a->pos[0], &x);
    if (rc == KR_OK)
        *out = kr_value_bool(fn(x) != 0);
    return rc;
}

static int is_nan(double x) { return isnan(x); }
static int is_inf(double x) { return isinf(x); }
static int is_finite(double x) { return isfinite(x); }
KR_MOD_FN(m_isnan) { KR_UNUSED(self); return test(I, "math.isnan", is_nan, a, out); }
KR_MOD_FN(m_isinf) { KR_UNUSED(self); return test(I, "math.isinf", is_inf, a, out); }
KR_MOD_FN(m_isfinite) { KR_UNUSED(self); return test(I, "math.isfinite", is_finite, a, out); }

KR_MOD_FN(m_gcd)
{
    int64_t g = 0;
    size_t i;
    KR_UNUSED(self);
    for (i = 0; i < a->npos; i++) {
        int64_t x;
        if (a->pos[i]->type != KR_V_INT)
            return kr_eval_error(I, "math.gcd(): '%s' object cannot be interpreted as an "
                                 "integer", kr_value_type_name(a->pos[i]));
        x = a->pos[i]->u.i < 0 ? -a->pos[i]->u.i : a->pos[i]->u.i;
        while (x) {
            int64_t t = g % x;
            g = x;
            x = t;
        }
    }
    *out = kr_value_int(I->A, g);
    return KR_OK;
}

KR_MOD_FN(m_factorial)
{
    int64_t r = 1, k;
    int rc = kr_args_check(I, "math.factorial", a, 1, 1);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_INT || a->pos[0]->u.i < 0)
        return kr_eval_error(I, "math.factorial() only accepts non-negative integers");
    for (k = 2; k <= a->pos[0]->u.i; k++)
        if (!kr_int_mul(r, k, &r))
            return kr_eval_error(I, "math.factorial(): the result does not fit in a 64-bit "
                                 "int");
    *out = kr_value_int(I->A, r);
    return KR_OK;
}

int kr_eval_binop(struct kr_interp *I, int op, struct kr_value *a, struct kr_value *b,
                  struct kr_value **out);

/* math.prod(iterable, start=1): the product with Python's * (ints stay ints). */
KR_MOD_FN(m_prod)
{
    struct kr_value **items, *acc = kr_args_kw(a, "start");
    size_t n, i;
    int rc = kr_args_check(I, "math.prod", a, 1, 1);
    KR_UNUSED(self);
    if (rc == KR_OK)
        rc = kr_eval_iter(I, a->pos[0], &items, &n);
    if (rc != KR_OK)
        return rc;
    if (!acc)
        acc = kr_value_int(I->A, 1);
    for (i = 0; i < n && rc == KR_OK; i++)
        rc = kr_eval_binop(I, KR_OP_MUL, acc, items[i], &acc);
    if (rc == KR_OK)
        *out = acc;
    return rc;
}

/* math.isclose(a, b, rel_tol=1e-09, abs_tol=0.0) */
KR_MOD_FN(m_isclose)
{
    struct kr_value *rt = kr_args_kw(a, "rel_tol"), *at = kr_args_kw(a, "abs_tol");
    double x, y, rel = 1e-9, ab = 0.0, d;
    int rc = kr_args_check(I, "math.isclose", a, 2, 2);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    rc = num(I, "math.isclose", a->pos[0], &x);
    if (rc == KR_OK)
        rc = num(I, "math.isclose", a->pos[1], &y);
    if (rc == KR_OK && rt)
        rc = num(I, "math.isclose", rt, &rel);
    if (rc == KR_OK && at)
        rc = num(I, "math.isclose", at, &ab);
    if (rc != KR_OK)
        return rc;
    if (rel < 0 || ab < 0)
        return kr_eval_error(I, "math.isclose(): tolerances must be non-negative");
    if (x == y) {
        *out = kr_value_bool(true);
        return KR_OK;
    }
    if (isinf(x) || isinf(y)) {
        *out = kr_value_bool(false);
        return KR_OK;
    }
    d = fabs(y - x);
    *out = kr_value_bool(d <= fabs(rel * y) || d <= fabs(rel * x) || d <= ab);
    return KR_OK;
}

void kr_mod_math_install(struct kr_interp *I)
{
    struct kr_value *m = kr_value_ns(I->A, "math");
    kr_mod_def(I, m, "math.sqrt", m_sqrt, NULL);
    kr_mod_def(I, m, "math.exp", m_exp, NULL);
    kr_mod_def(I, m, "math.log", m_log, NULL);
    kr_mod_def(I, m, "math.log2", m_log2, NULL);
    kr_mod_def(I, m, "math.log10", m_log10, NULL);
    kr_mod_def(I, m, "math.fabs", m_fabs, NULL);
    kr_mod_def(I, m, "math.pow", m_pow, NULL);
    kr_mod_def(I, m, "math.floor", m_floor, NULL);
    kr_mod_def(I, m, "math.ceil", m_ceil, NULL);
    kr_mod_def(I, m, "math.trunc", m_trunc, NULL);
    kr_mod_def(I, m, "math.isnan", m_isnan, NULL);
    kr_mod_def(I, m, "math.isinf", m_isinf, NULL);
    kr_mod_def(I, m, "math.isfinite", m_isfinite, NULL);
    kr_mod_def(I, m, "math.gcd", m_gcd, NULL);
    kr_mod_def(I, m, "math.factorial", m_factorial, NULL);
    kr_mod_def(I, m, "math.prod", m_prod, NULL);
    kr_mod_def(I, m, "math.isclose", m_isclose, NULL);
    kr_dict_sets(I->A, m->u.ns.attrs, "pi", kr_value_float(I->A, M_PI));
    kr_dict_sets(I->A, m->u.ns.attrs, "e", kr_value_float(I->A, M_E));
    kr_dict_sets(I->A, m->u.ns.attrs, "tau", kr_value_float(I->A, 2 * M_PI));
    kr_dict_sets(I->A, m->u.ns.attrs, "inf", kr_value_float(I->A, INFINITY));
    kr_dict_sets(I->A, m->u.ns.attrs, "nan", kr_value_float(I->A, NAN));
    kr_dict_sets(I->A, I->modules, "math", m);
}
