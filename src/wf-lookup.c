/*
 * wf-lookup.c - finding a rule of a loaded workflow by name
 * (kr_workflow_rule, workflow.h). It is its own object so that test
 * fixtures which build a kr_workflow by hand can provide their own.
 */
#include "eval.h"

#include <string.h>

struct kr_rule *kr_workflow_rule(const struct kr_workflow *wf, const char *name)
{
    struct kr_value *v;
    uint32_t i;
    if (wf->interp && wf->interp->rules_ns) {
        v = kr_dict_gets(wf->interp->rules_ns->u.ns.attrs, name);
        return v && v->type == KR_V_RULE ? v->u.rule.rule : NULL;
    }
    for (i = 0; i < wf->nrules; i++)
        if (!strcmp(wf->rules[i]->name, name))
            return wf->rules[i];
    return NULL;
}
