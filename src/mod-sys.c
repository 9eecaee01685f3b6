/*
 * mod-sys.c - the parts of Python's `sys` a rule file uses without seeing
 * the command line: sys.exit(message) (stops loading with the message as a
 * krait error at the call), sys.stderr.write(text), sys.version_info and
 * sys.version (the Python version whose rule language krait follows),
 * sys.platform and sys.maxsize. sys.argv is deliberately absent: options
 * reach rule files through --config.
 */
#include "mod.h"

#include <stdio.h>
#include <string.h>

KR_MOD_FN(sys_exit)
{
    int rc = kr_args_check(I, "sys.exit", a, 0, 1);
    KR_UNUSED(self);
    KR_UNUSED(out);
    if (rc != KR_OK)
        return rc;
    if (a->npos == 0 || a->pos[0]->type == KR_V_NONE)
        return kr_eval_error(I, "sys.exit() called while loading the rule file");
    if (a->pos[0]->type == KR_V_INT)
        return kr_eval_error(I, "sys.exit(%lld) called while loading the rule file",
                             (long long)a->pos[0]->u.i);
    return kr_eval_error(I, "%s", kr_value_to_str(I->A, a->pos[0]));
}

KR_MOD_FN(stderr_write)
{
    int rc = kr_args_check(I, "sys.stderr.write", a, 1, 1);
    KR_UNUSED(self);
    if (rc != KR_OK)
        return rc;
    if (a->pos[0]->type != KR_V_STR)
        return kr_eval_error(I, "sys.stderr.write(): expected a str, got '%s'",
                             kr_value_type_name(a->pos[0]));
    fwrite(a->pos[0]->u.str.s, 1, a->pos[0]->u.str.len, stderr);
    fflush(stderr);
    *out = kr_value_int(I->A, (int64_t)a->pos[0]->u.str.len);
    return KR_OK;
}

KR_MOD_FN(stderr_flush)
{
    KR_UNUSED(self);
    KR_UNUSED(a);
    fflush(stderr);
    *out = kr_value_none();
    return KR_OK;
}

void kr_mod_sys_install(struct kr_interp *I)
{
    struct kr_value *sys = kr_value_ns(I->A, "sys"), *err = kr_value_ns(I->A, "sys.stderr");
    struct kr_value *vi = kr_value_tuple(I->A, 5);
    kr_mod_def(I, sys, "sys.exit", sys_exit, NULL);
    kr_mod_def(I, err, "sys.stderr.write", stderr_write, NULL);
    kr_mod_def(I, err, "sys.stderr.flush", stderr_flush, NULL);
    kr_dict_sets(I->A, sys->u.ns.attrs, "stderr", err);
    vi->u.list.items[0] = kr_value_int(I->A, 3);
    vi->u.list.items[1] = kr_value_int(I->A, 11);
    vi->u.list.items[2] = kr_value_int(I->A, 0);
    vi->u.list.items[3] = kr_value_cstr(I->A, "final");
    vi->u.list.items[4] = kr_value_int(I->A, 0);
    kr_dict_sets(I->A, sys->u.ns.attrs, "version_info", vi);
    kr_dict_sets(I->A, sys->u.ns.attrs, "version", kr_value_cstr(I->A, "3.11.0 (krait)"));
    kr_dict_sets(I->A, sys->u.ns.attrs, "platform", kr_value_cstr(I->A, "linux"));
    kr_dict_sets(I->A, sys->u.ns.attrs, "maxsize", kr_value_int(I->A, INT64_MAX));
    kr_dict_sets(I->A, I->modules, "sys", sys);
}
