/*
 * checkpoint.c - checkpoints (checkpoint.h): the `checkpoints` object and
 * its get(), the hand-over of "not done yet" to input-function resolution
 * (wf-job.c), and the planning loop that holds back outputs of checkpoints
 * which will run again. The runner's part (run what can run, then plan
 * again) is in cmd-run.c.
 *
 * Semantics follow Snakemake's checkpoints.py: get(**wildcards) formats the
 * rule's outputs with the wildcards (all of the rule's wildcards must be
 * given); when any of them does not exist, or belongs to a checkpoint job
 * that is planned to run (a "future" output), it raises
 * IncompleteCheckpointException for the first output, which the DAG turns
 * into a dependency on the checkpoint's job; otherwise it returns an object
 * whose .output is the named list of the outputs (and .rule the rule).
 */
#include "checkpoint.h"
#include "eval.h"

#include <string.h>
#include <sys/stat.h>

struct kr_ckpt {
    struct kr_value *ns;        /* the `checkpoints` global */
    struct kr_vec future;       /* char *: outputs held back (their job will run) */
    struct kr_vec got;          /* char *: outputs a get() handed out this plan */
    char *pending;              /* target of the last incomplete get(), or NULL */
    char *taken;                /* the last one kr_ckpt_take_pending/take_dep handed out */
    struct kr_vec deps;         /* char *: outputs get() handed out in this input function */
};

static struct kr_ckpt *state(struct kr_interp *I)
{
    if (!I->ckpt)
        I->ckpt = kr_calloc(1, sizeof *I->ckpt);
    return I->ckpt;
}

static void strvec_clear(struct kr_vec *v)
{
    size_t i;
    for (i = 0; i < v->len; i++)
        kr_free(v->items[i]);
    v->len = 0;
}

static bool strvec_has(const struct kr_vec *v, const char *s)
{
    size_t i;
    for (i = 0; i < v->len; i++)
        if (!strcmp(v->items[i], s))
            return true;
    return false;
}

void kr_ckpt_free(struct kr_interp *I)
{
    struct kr_ckpt *c = I ? I->ckpt : NULL;
    if (!c)
        return;
    strvec_clear(&c->future);
    strvec_clear(&c->got);
    strvec_clear(&c->deps);
    kr_vec_free(&c->deps);
    kr_vec_free(&c->future);
    kr_vec_free(&c->got);
    kr_free(c->pending);
    kr_free(c->taken);
    kr_free(c);
    I->ckpt = NULL;
}

const char *kr_ckpt_take_pending(struct kr_interp *I)
{
    struct kr_ckpt *c = I->ckpt;
    if (!c || !c->pending)
        return NULL;
    kr_free(c->taken);
    c->taken = c->pending;
    c->pending = NULL;
    return c->taken;
}

void kr_ckpt_deps_reset(struct kr_interp *I)
{
    if (I->ckpt)
        strvec_clear(&I->ckpt->deps);
}

const char *kr_ckpt_take_dep(struct kr_interp *I)
{
    struct kr_ckpt *c = I->ckpt;
    if (!c || !c->deps.len)
        return NULL;
    kr_free(c->taken);
    c->taken = c->deps.items[--c->deps.len];
    return c->taken;
}

bool kr_ckpt_any(const struct kr_workflow *wf)
{
    return wf->interp && wf->interp->ckpt && wf->interp->ckpt->ns;
}

static bool path_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* checkpoints.NAME.get(**wildcards); self is the rule's KR_V_RULE value. */
static int bi_ckpt_get(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                       struct kr_value **out)
{
    struct kr_rule *r = self->u.rule.rule;
    struct kr_ckpt *c = state(I);
    struct kr_wildcards wc;
    struct kr_iofile *files = NULL;
    struct kr_value *job, *outv;
    uint32_t i, k, s, n = 0;
    size_t w;
    int rc;

    if (a->npos)
        return kr_eval_error(I, "checkpoints.%s.get(): wildcards are given by name, as in "
                             "get(**wildcards) or get(sample=\"a\")", r->name);
    wc.n = (uint32_t)a->nkw;
    wc.names = a->nkw ? kr_arena_alloc(I->A, a->nkw * sizeof *wc.names) : NULL;
    wc.values = a->nkw ? kr_arena_alloc(I->A, a->nkw * sizeof *wc.values) : NULL;
    for (w = 0; w < a->nkw; w++) {
        wc.names[w] = a->kwnames[w];
        wc.values[w] = kr_value_to_str(I->A, a->kwvals[w]);
    }
    /* every wildcard of the rule's outputs must be given */
    for (i = 0; i < r->output.n; i++)
        for (k = 0; k < r->output.items[i].npats; k++) {
            const struct kr_pat *p = &r->output.items[i].pats[k];
            for (s = 0; s < p->nsegs; s++) {
                if (!p->segs[s].is_wildcard)
                    continue;
                for (w = 0; w < wc.n; w++)
                    if (!strcmp(wc.names[w], p->segs[s].text))
                        break;
                if (w == wc.n)
                    return kr_eval_error(I, "checkpoints.%s.get(): missing wildcard value for "
                                         "'%s' (pass the job's wildcards: "
                                         "checkpoints.%s.get(**wildcards))", r->name,
                                         p->segs[s].text, r->name);
            }
        }
    rc = kr_wf_resolve(I->wf, r, &r->output, &wc, I->A, &files, &n, I->err);
    kr_interp_set_err(I, I->err);
    if (rc != KR_OK)
        return rc;
    if (!n)
        return kr_eval_error(I, "checkpoints.%s.get(): the checkpoint has no output", r->name);
    for (i = 0; i < n; i++)
        if (!path_exists(files[i].path) || strvec_has(&c->future, files[i].path))
            break;
    if (i < n) {
        kr_free(c->pending);
        c->pending = kr_strdup(files[0].path);
        return kr_eval_error(I, "checkpoints.%s.get(): the checkpoint has not produced '%s' "
                             "yet; get() can only wait for it inside an input function",
                             r->name, files[i].path);
    }
    for (i = 0; i < n; i++) {
        if (!strvec_has(&c->got, files[i].path))
            kr_vec_push(&c->got, kr_strdup(files[i].path));
        kr_vec_push(&c->deps, kr_strdup(files[i].path));
    }
    outv = kr_value_named(I->A, "output");
    for (i = 0; i < n; i++) {
        struct kr_value *sv = kr_value_cstr(I->A, files[i].path);
        sv->flags = files[i].flags & ~KR_F_LISTITEM;
        kr_named_push(I->A, outv, files[i].name, sv);
    }
    job = kr_value_named(I->A, "CheckpointJob");
    kr_named_setname(I->A, job, "output", outv);
    kr_named_setname(I->A, job, "rule", self);
    *out = job;
    return KR_OK;
}

void kr_ckpt_register(struct kr_interp *I, struct kr_rule *r)
{
    struct kr_ckpt *c = state(I);
    struct kr_value *rv = kr_dict_gets(I->rules_ns->u.ns.attrs, r->name), *cp;
    if (!c->ns) {
        c->ns = kr_value_ns(I->A, "checkpoints");
        kr_dict_sets(I->A, I->globals, "checkpoints", c->ns);
    }
    cp = kr_value_ns(I->A, kr_arena_printf(I->A, "checkpoints.%s", r->name));
    kr_dict_sets(I->A, cp->u.ns.attrs, "get", kr_value_builtin(I->A, "get", bi_ckpt_get, rv,
                                                                NULL));
    kr_dict_sets(I->A, cp->u.ns.attrs, "rule", rv);
    kr_dict_sets(I->A, c->ns->u.ns.attrs, r->name, cp);
}

/* Outputs handed out by get() whose checkpoint job is planned to run: hold
 * them back. Returns how many were added. */
static size_t hold_back(struct kr_ckpt *c, struct kr_dag *dag)
{
    size_t i, added = 0;
    for (i = 0; i < c->got.len; i++) {
        const char *p = c->got.items[i];
        struct kr_file *f = kr_dag_find(dag, p, strlen(p));
        if (!f || !f->producer || !f->producer->needs_run || !f->producer->rule->checkpoint)
            continue;
        if (strvec_has(&c->future, p))
            continue;
        kr_vec_push(&c->future, kr_strdup(p));
        added++;
    }
    return added;
}

int kr_ckpt_plan(struct kr_workflow *wf, struct kr_state *st, const struct kr_plan_opts *o,
                 struct kr_dag **dagp, struct kr_error *err)
{
    struct kr_ckpt *c = kr_ckpt_any(wf) ? wf->interp->ckpt : NULL;
    struct kr_dag *dag;
    int rc;

    *dagp = NULL;
    if (c) {
        strvec_clear(&c->future);
        kr_free(c->pending);
        c->pending = NULL;
    }
    for (;;) {
        if (c)
            strvec_clear(&c->got);
        dag = kr_dag_new(wf, o->storage);
        rc = st ? kr_state_load_provenance(st, dag, err) : KR_OK;
        if (rc == KR_OK)
            rc = kr_dag_plan(dag, o, err);
        if (rc != KR_OK) {
            kr_dag_free(dag);
            return rc;
        }
        if (!c || !hold_back(c, dag))
            break;
        kr_dag_free(dag);
    }
    *dagp = dag;
    return KR_OK;
}
