/*
 * wf-wrapper.c - Snakemake's wrapper: directive (eval.h). A wrapper is a
 * script from a wrapper repository (snakemake-wrappers), named by a spec
 * such as "v3.3.3/bio/samtools/sort": krait resolves it as Snakemake's
 * wrapper.get_path and find_extension do and runs a local one as the
 * rule's script:, with the same `snakemake` object. krait never downloads
 * code: a wrapper on the network is reported when its job would run, with
 * the URL and the local alternative (--wrapper-prefix file://DIR/).
 */
#include "eval.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KR_WRAPPER_DEFAULT_PREFIX "https://github.com/snakemake/snakemake-wrappers/raw/"

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

int kr_wf_wrapper_resolve(struct kr_interp *I, struct kr_rule *r)
{
    static const char *const ext[] = {".py", ".R", ".Rmd", ".jl"};
    const char *spec = r->wrapper, *prefix = I->wf->wrapper_prefix, *full, *local;
    char real[PATH_MAX];
    size_t i;

    if (has_prefix(spec, "http") || has_prefix(spec, "file:") || has_prefix(spec, "git+file"))
        full = spec;
    else
        full = kr_arena_printf(I->A, "%s%s", prefix ? prefix : KR_WRAPPER_DEFAULT_PREFIX, spec);
    r->script = NULL;
    r->wrapper_url = NULL;
    if (!has_prefix(full, "file:")) {
        bool script = false;
        for (i = 0; i < KR_ARRAY_LEN(ext); i++)
            script |= ends_with(full, kr_arena_printf(I->A, "wrapper%s", ext[i]));
        r->wrapper_url = script ? full : kr_arena_printf(I->A, "%s/wrapper.py", full);
        return KR_OK;
    }
    local = full + (has_prefix(full, "file://") ? 7 : 5);
    for (i = 0; i < KR_ARRAY_LEN(ext); i++)
        if (ends_with(local, kr_arena_printf(I->A, "wrapper%s", ext[i])))
            break;
    if (i == KR_ARRAY_LEN(ext)) {
        for (i = 0; i < KR_ARRAY_LEN(ext); i++) {
            const char *f = kr_arena_printf(I->A, "%s/wrapper%s", local, ext[i]);
            if (access(f, R_OK) == 0) {
                local = f;
                break;
            }
        }
        if (i == KR_ARRAY_LEN(ext))
            return kr_eval_error(I, "rule '%s': wrapper '%s': %s has no wrapper.py, wrapper.R, "
                                 "wrapper.Rmd or wrapper.jl", r->name, spec, local);
    }
    if (!realpath(local, real))
        return kr_eval_error(I, "rule '%s': wrapper '%s': %s does not exist", r->name, spec,
                             local);
    r->script = kr_arena_strdup(I->A, real);
    return KR_OK;
}
