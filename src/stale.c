/*
 * stale.c - the rerun decisions: which jobs of a built dag need to run, and
 * why (one enum kr_reason plus a detail naming the file or rule). Follows
 * Snakemake 7's update_needrun:
 *
 *  1. Output time of each job: the oldest of its existing outputs; a job
 *     none of whose outputs exists borrows it from a consumer (so a deleted
 *     intermediate file whose consumers are up to date causes no rerun).
 *  2. In topological order, a job with an input made by a job that runs
 *     runs too ("updated input"; ancient() inputs that exist excepted).
 *     Otherwise its own reasons, first that applies: forced (-F, -R rule,
 *     -f target); incomplete output; for target jobs a missing output (or a
 *     rule without output); an input newer than the output time (unless
 *     its recorded checksum still matches); then, from provenance, code,
 *     params, input set and container changes (as --rerun-triggers allow).
 *  3. A breadth-first closure: a job that runs makes producers of its
 *     missing inputs run ("missing output") and its consumers run
 *     ("updated input"), each job entering the queue once.
 *
 * Everything is linear in jobs + edges. Each file is stat()ed at most once
 * (kr_dag_stat caches); checksums are computed only for an input that is
 * newer than the output and small enough, and only when one was recorded.
 */
#include "dag-int.h"
#include "value.h"

#include <limits.h>
#include <string.h>

#define NO_TIME INT64_MIN

const char *kr_reason_name(enum kr_reason r)
{
    static const char *const names[KR_REASON__COUNT] = {
        [KR_REASON_NONE] = "up to date",
        [KR_REASON_MISSING_OUTPUT] = "missing output",
        [KR_REASON_INPUT_NEWER] = "input newer than output",
        [KR_REASON_FORCED] = "forced",
        [KR_REASON_INCOMPLETE] = "incomplete output",
        [KR_REASON_CODE] = "code changed",
        [KR_REASON_PARAMS] = "params changed",
        [KR_REASON_INPUT_SET] = "set of input files changed",
        [KR_REASON_CONTAINER] = "container changed",
        [KR_REASON_UPSTREAM] = "updated input",
        [KR_REASON_NO_OUTPUT] = "rule without output",
    };
    if ((unsigned)r >= KR_REASON__COUNT)
        return "?";
    return names[r];
}

static void mark(struct kr_job *j, enum kr_reason r, const char *detail)
{
    uint32_t k;
    j->needs_run = true;
    j->reason = (uint8_t)r;
    j->reason_detail = detail;
    for (k = 0; k < j->nout; k++)
        j->outfiles[k]->will_change = 1;
}

static bool listed(const char *name, const char *const *v, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n; i++)
        if (!strcmp(v[i], name))
            return true;
    return false;
}

static bool rule_has_code(const struct kr_rule *r)
{
    return r->shell || r->script || r->run_code;
}

/* The recorded fingerprint of input f (pointer-interned paths) among the
 * provenance of j's outputs; `hint` is f's position among j's inputs. */
static const struct kr_prov_input *recorded_input(const struct kr_job *j, const struct kr_file *f,
                                                  uint32_t hint)
{
    uint32_t k, i;
    for (k = 0; k < j->nout; k++) {
        const struct kr_prov *p = j->outfiles[k]->prov;
        if (!p || !p->ninputs)
            continue;
        if (hint < p->ninputs && p->inputs[hint].path == f->path)
            return &p->inputs[hint];
        for (i = 0; i < p->ninputs; i++)
            if (p->inputs[i].path == f->path)
                return &p->inputs[i];
    }
    return NULL;
}

/* Whether input f of j still has the content recorded when j last ran. */
static bool same_checksum(struct kr_dag *dag, const struct kr_job *j, struct kr_file *f,
                          uint32_t hint, int64_t max_size)
{
    const struct kr_prov_input *rec = recorded_input(j, f, hint);
    char hex[KR_SHA256_HEX_LEN + 1];
    uint32_t k;
    if (!rec && f->stat == KR_STAT_FILE) {
        /* inputs all unchanged when attached (kr_prov.inputs_same): f was
         * one of them if the input set is the recorded one */
        for (k = 0; k < j->nout; k++) {
            const struct kr_prov *p = j->outfiles[k]->prov;
            if (p && p->inputs_same && p->inputs_hash == kr_dag_inputs_hash(j))
                return true;
        }
        return false;
    }
    if (!rec || !rec->checksum || f->stat != KR_STAT_FILE)
        return false;
    if (rec->checksum == kr_dag_same_content)
        return true;    /* mtime and size as recorded */
    if (max_size >= 0 && f->size > max_size && !kr_storage_is_s3(f->path))
        return false;   /* (an object's fingerprint costs nothing: storage-s3.c) */
    dag->nchecksum++;
    if (kr_storage_checksum(dag->st, f->path, max_size, hex, NULL) != KR_OK)
        return false;
    return strcmp(hex, rec->checksum) == 0;
}

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return !strcmp(a, b);
}

/*
 * Whether j's image differs from the one recorded in p. Provenance holds the
 * image IDENTITY (runner.c), so the current identity is asked through
 * o->container_id, once per distinct image per plan (dag->cimage/cid cache
 * the last answer; the callback caches across images). Without a callback
 * only adding or removing an image counts.
 */
static int container_changed(struct kr_dag *dag, const struct kr_job *j,
                             const struct kr_prov *p, bool *changed, struct kr_error *err)
{
    const struct kr_plan_opts *o = dag->opts;
    const char *img = j->rule->container ? j->rule->container : dag->wf->container;
    const char *id = NULL;
    int rc;

    if (!img || !*img)
        img = o->container_image;
    if (img && !*img)
        img = NULL;
    *changed = false;
    if (!img || !o->container_id) {
        *changed = !img != !p->container;
        return KR_OK;
    }
    if (dag->cimage && (dag->cimage == img || !strcmp(dag->cimage, img))) {
        id = dag->cid;
    } else {
        rc = o->container_id(o->container_id_data, img, &id, err);
        if (rc == KR_NOT_FOUND || rc == KR_EUNSUPPORTED) {
            kr_error_clear(err);
            id = NULL;
            rc = KR_OK;
            dag->cskip = true;
        } else if (rc) {
            return rc;
        } else {
            dag->cskip = false;
        }
        dag->cimage = img;
        dag->cid = id;
    }
    if (dag->cskip)
        return KR_OK;
    *changed = !str_eq(id, p->container);
    return KR_OK;
}

/* Whether a params string may hold a wildcard (kr_wf_job_info formats it). */
static bool has_brace(const struct kr_value *v)
{
    return v->type == KR_V_STR && strchr(v->u.str.s, '{');
}

/* Whether r's params differ between jobs: a param is a function, or a
 * string (or a list's string) that the job's wildcards are applied to. */
static bool params_per_job(const struct kr_rule *r)
{
    size_t i, k;
    for (i = 0; i < r->params->u.named.len; i++) {
        const struct kr_value *v = r->params->u.named.items[i];
        if (kr_value_is_callable(v) || has_brace(v))
            return true;
        if (v->type == KR_V_LIST)
            for (k = 0; k < v->u.list.len; k++)
                if (has_brace(v->u.list.items[k]))
                    return true;
    }
    return false;
}

/*
 * The params hash j would record (kr_dag_params_hash of kr_jobinfo's
 * params_repr). Rules without params hash "" and rules whose params are
 * all values are evaluated once per rule (dag->phash); only params given
 * by functions cost a kr_wf_job_info per job.
 */
static int params_hash(struct kr_dag *dag, const struct kr_job *j, uint64_t *h,
                       struct kr_error *err)
{
    const struct kr_rule *r = j->rule;
    struct kr_jobinfo info;
    bool per_job;
    int rc;

    if (!r->params || !r->params->u.named.len) {
        *h = kr_dag_params_hash(NULL);
        return KR_OK;
    }
    per_job = params_per_job(r);
    if (!per_job && r->index < dag->wf->nrules && dag->phash_ok[r->index]) {
        *h = dag->phash[r->index];
        return KR_OK;
    }
    memset(&info, 0, sizeof info);
    rc = kr_wf_job_info(dag->wf, r, &j->wc, j->in, j->nin, j->out, j->nout, 1, INT_MAX, false,
                        NULL, &dag->arena, &info, err);
    if (rc)
        return rc;
    *h = kr_dag_params_hash(info.params_repr);
    if (!per_job && r->index < dag->wf->nrules) {
        dag->phash[r->index] = *h;
        dag->phash_ok[r->index] = true;
    }
    return KR_OK;
}

/* Provenance-based reasons for j (its outputs exist). */
static int prov_reason(struct kr_dag *dag, struct kr_job *j, unsigned trig,
                       struct kr_error *err)
{
    const struct kr_prov *p = NULL;
    const char *pfile = NULL;
    uint32_t k;
    for (k = 0; k < j->nout && !p; k++)
        if (j->outfiles[k]->prov && j->outfiles[k]->prov->rule) {
            p = j->outfiles[k]->prov;
            pfile = j->outfiles[k]->path;
        }
    if (!p)
        return KR_OK;
    if ((trig & KR_TRIGGER_CODE) && p->code_hash != j->rule->code_hash) {
        mark(j, KR_REASON_CODE, pfile);
        return KR_OK;
    }
    if ((trig & KR_TRIGGER_INPUT) && p->inputs_hash != kr_dag_inputs_hash(j)) {
        mark(j, KR_REASON_INPUT_SET, pfile);
        return KR_OK;
    }
    if (trig & KR_TRIGGER_CONTAINER) {
        bool changed = false;
        int rc = container_changed(dag, j, p, &changed, err);
        if (rc)
            return rc;
        if (changed) {
            mark(j, KR_REASON_CONTAINER, pfile);
            return KR_OK;
        }
    }
    if (trig & KR_TRIGGER_PARAMS) {
        uint64_t h;
        int rc = params_hash(dag, j, &h, err);
        if (rc)
            return rc;
        if (h != p->params_hash)
            mark(j, KR_REASON_PARAMS, pfile);
    }
    return KR_OK;
}

/* Step 2 for one job whose inputs are not being updated. */
static int own_reason(struct kr_dag *dag, struct kr_job *j, const struct kr_plan_opts *o,
                      unsigned trig, int64_t otime, struct kr_error *err)
{
    uint32_t k;
    bool all_exist = true;

    if (o->forceall) {
        mark(j, KR_REASON_FORCED, NULL);
        return KR_OK;
    }
    if (listed(j->rule->name, o->forcerun, o->nforcerun)) {
        mark(j, KR_REASON_FORCED, j->rule->name);
        return KR_OK;
    }
    if (o->force_targets && j->is_target) {
        mark(j, KR_REASON_FORCED, j->nout ? j->outfiles[0]->path : j->rule->name);
        return KR_OK;
    }
    for (k = 0; k < j->nout; k++) {
        struct kr_file *f = j->outfiles[k];
        if (f->prov && f->prov->incomplete && kr_dag_stat(dag, f) != KR_STAT_MISSING) {
            mark(j, KR_REASON_INCOMPLETE, f->path);
            return KR_OK;
        }
    }
    if (j->is_target) {
        if (j->nout == 0) {
            if (j->nin == 0 || rule_has_code(j->rule)) {
                mark(j, KR_REASON_NO_OUTPUT, NULL);
                return KR_OK;
            }
            for (k = 0; k < j->nin; k++)
                if (kr_dag_stat(dag, j->infiles[k]) == KR_STAT_MISSING) {
                    mark(j, KR_REASON_UPSTREAM, j->infiles[k]->path);
                    return KR_OK;
                }
        }
        for (k = 0; k < j->nout; k++)
            if (kr_dag_stat(dag, j->outfiles[k]) == KR_STAT_MISSING) {
                mark(j, KR_REASON_MISSING_OUTPUT, j->outfiles[k]->path);
                return KR_OK;
            }
    }
    if ((trig & KR_TRIGGER_MTIME) && otime != NO_TIME) {
        for (k = 0; k < j->nin; k++) {
            struct kr_file *f = j->infiles[k];
            if (j->in[k].flags & KR_F_ANCIENT)
                continue;
            if (kr_dag_stat(dag, f) == KR_STAT_MISSING || f->mtime_ns <= otime)
                continue;
            if (same_checksum(dag, j, f, k, o->checksum_max_size))
                continue;
            mark(j, KR_REASON_INPUT_NEWER, f->path);
            return KR_OK;
        }
    }
    for (k = 0; k < j->nout; k++)
        if (kr_dag_stat(dag, j->outfiles[k]) == KR_STAT_MISSING)
            all_exist = false;
    if (all_exist && j->nout && (trig & ~KR_TRIGGER_MTIME))
        return prov_reason(dag, j, trig, err);
    return KR_OK;
}

/* An input of consumer c made by running job p that counts as updated
 * (not ancient-and-present), or NULL. */
static const char *updated_input_from(struct kr_dag *dag, struct kr_job *c, struct kr_job *p)
{
    uint32_t k;
    for (k = 0; k < c->nin; k++) {
        struct kr_file *f = c->infiles[k];
        if (f->producer != p || (c->in[k].flags & KR_F_BEFORE_UPDATE))
            continue;
        if ((c->in[k].flags & KR_F_ANCIENT) && kr_dag_stat(dag, f) != KR_STAT_MISSING)
            continue;
        return f->path;
    }
    return NULL;
}

int kr_stale_decide(struct kr_dag *dag, const struct kr_plan_opts *o, struct kr_error *err)
{
    unsigned trig = o->triggers ? o->triggers : KR_TRIGGER_ALL;
    int64_t *otime = NULL;
    struct kr_job **queue = NULL;
    uint32_t i, k, qh = 0, qt = 0;
    int rc = KR_OK;

    if (!dag->njobs)
        return KR_OK;
    otime = kr_malloc(dag->njobs * sizeof *otime);
    queue = kr_malloc(dag->njobs * sizeof *queue);
    dag->phash = kr_calloc(dag->wf->nrules + 1, sizeof *dag->phash);
    dag->phash_ok = kr_calloc(dag->wf->nrules + 1, sizeof *dag->phash_ok);

    /* 1. output times, consumers first */
    for (i = dag->njobs; i-- > 0;) {
        struct kr_job *j = dag->jobs[i];
        int64_t t = NO_TIME;
        for (k = 0; k < j->nout; k++) {
            struct kr_file *f = j->outfiles[k];
            if (kr_dag_stat(dag, f) == KR_STAT_MISSING)
                continue;
            if (t == NO_TIME || f->mtime_ns < t)
                t = f->mtime_ns;
        }
        for (k = 0; t == NO_TIME && k < j->nrdeps; k++)
            t = otime[j->rdeps[k]->id];
        otime[i] = t;
    }

    /* 2. initial reasons, producers first */
    for (i = 0; i < dag->njobs; i++) {
        struct kr_job *j = dag->jobs[i];
        j->needs_run = false;
        j->reason = KR_REASON_NONE;
        j->reason_detail = NULL;
        for (k = 0; k < j->nin; k++) {
            struct kr_file *f = j->infiles[k];
            if (!f->producer || !f->producer->needs_run ||
                (j->in[k].flags & KR_F_BEFORE_UPDATE))
                continue;
            if ((j->in[k].flags & KR_F_ANCIENT) && kr_dag_stat(dag, f) != KR_STAT_MISSING)
                continue;
            mark(j, KR_REASON_UPSTREAM, f->path);
            break;
        }
        if (!j->needs_run) {
            rc = own_reason(dag, j, o, trig, otime[i], err);
            if (rc)
                goto out;
        }
        if (j->needs_run)
            queue[qt++] = j;
    }

    /* 3. closure: missing inputs upstream, updated inputs downstream */
    while (qh < qt) {
        struct kr_job *j = queue[qh++];
        for (k = 0; k < j->nin; k++) {
            struct kr_file *f = j->infiles[k];
            struct kr_job *p = f->producer;
            if (!p || p->needs_run || kr_dag_stat(dag, f) != KR_STAT_MISSING ||
                (j->in[k].flags & KR_F_BEFORE_UPDATE))
                continue;
            mark(p, KR_REASON_MISSING_OUTPUT, f->path);
            queue[qt++] = p;
        }
        for (k = 0; k < j->nrdeps; k++) {
            struct kr_job *c = j->rdeps[k];
            const char *why;
            if (c->needs_run)
                continue;
            why = updated_input_from(dag, c, j);
            if (!why)
                continue;
            mark(c, KR_REASON_UPSTREAM, why);
            queue[qt++] = c;
        }
    }
out:
    kr_free(otime);
    kr_free(queue);
    kr_free(dag->phash);
    kr_free(dag->phash_ok);
    dag->phash = NULL;
    dag->phash_ok = NULL;
    return rc;
}
