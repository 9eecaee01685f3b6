/*
 * dag.c - the planner: builds the job graph for the requested targets by
 * backward chaining over the rules' output patterns.
 *
 * Design (why it is shaped this way):
 *  - Paths are interned once in an open-addressing table (struct kr_fent
 *    wraps the public kr_file); comparing files is comparing pointers, and
 *    every per-file fact (stat result, producer, resolution state) lives on
 *    the interned file, so each is computed at most once per run.
 *  - Which rules can make a file is answered by the pattern index
 *    (pattern.c): literal-prefix buckets, suffix filter, then one JIT regex
 *    per candidate. Rules are never scanned linearly per file.
 *  - Resolution follows Snakemake's DAG.update: a file's candidate rules are
 *    sorted by priority (ruleorder, then "no wildcards" first); each is
 *    tried by building its job recursively; failing candidates (missing
 *    input, cycle) drop out; the highest surviving one wins, and two
 *    survivors that no ruleorder separates are an ambiguity error. A file
 *    whose candidates all fail but which exists on disk is a source file.
 *  - Jobs are identified by their outputs: once a job is selected it
 *    becomes the producer of all its output files, so every later consumer
 *    of any of them shares it (one job per rule instance).
 *  - A stack of (job, requested file) frames gives error messages their
 *    chain back to the target, and cycle messages their cycle.
 *  - Dependencies of a job are deduplicated with a visit stamp (O(inputs)),
 *    never by searching, so a gather over 100k files stays linear.
 *  - After building, the reachable jobs are ordered topologically with an
 *    explicit stack (no recursion), reverse edges and depths are computed
 *    in two linear passes, then stale.c decides what runs and why.
 *  - Everything lives in one arena per dag; the only heap arrays are the
 *    intern table and scratch vectors. Memory is per job and per file, so
 *    it is kept small (about 0.5 KB per job of a 100k fan, see
 *    bench/RESULTS.md): jobs and files have no padding holes, small objects
 *    are bump-allocated without the arena's 16-byte rounding, plain
 *    patterns are formatted here straight into interned paths (one
 *    allocation holds in[] and infiles[]; names point into the workflow),
 *    wildcard values are packed behind their pointers, the intern table
 *    holds 8-byte slots (32-bit hash + file number) over files stored in
 *    chunks, and reverse edges share one array.
 *
 * Building is recursive along dependency chains (depth = longest chain of
 * jobs, not the number of jobs).
 */
#include "dag-int.h"

#include <stdlib.h>
#include <string.h>

/* ---- interning ------------------------------------------------------- */

/* Normalise "./a" -> "a", "a//b" -> "a/b", "a/./b" -> "a/b" into dag->tmp
 * when needed; returns the (possibly unchanged) text and its length. */
static const char *normalise(struct kr_dag *dag, const char *p, size_t len, size_t *outlen)
{
    size_t i;
    bool clean = true;
    if (len >= 2 && p[0] == '.' && p[1] == '/')
        clean = false;
    /* "s3://" keeps its double slash (remote paths, src/storage-s3.c) */
    size_t keep = len > 5 && memcmp(p, "s3://", 5) == 0 ? 3 : (size_t)-1;
    for (i = 0; clean && i + 1 < len; i++)
        if (p[i] == '/' && ((p[i + 1] == '/' && i != keep) ||
                            (p[i + 1] == '.' && (i + 2 == len || p[i + 2] == '/'))))
            clean = false;
    if (clean) {
        *outlen = len;
        return p;
    }
    kr_buf_reset(&dag->tmp);
    i = 0;
    while (i < len) {
        if (p[i] == '/') {
            /* collapse // and /./ */
            if (i + 1 < len && p[i + 1] == '/' && i != keep) {
                i++;
                continue;
            }
            if (i + 1 < len && p[i + 1] == '.' && (i + 2 == len || p[i + 2] == '/')) {
                i += 2;
                continue;
            }
        }
        if (dag->tmp.len == 0 && p[i] == '.' && i + 1 < len && p[i + 1] == '/') {
            i += 2;
            while (i < len && p[i] == '/')
                i++;
            continue;
        }
        kr_buf_putc(&dag->tmp, p[i]);
        i++;
    }
    if (dag->tmp.len == 0)
        kr_buf_putc(&dag->tmp, '.');
    *outlen = dag->tmp.len;
    return dag->tmp.data;
}

/* Planner-private bump allocation: chunks taken from the arena, carved
 * with only the alignment asked for (strings 1, structs 8), so small
 * per-job objects do not pay the arena's 16-byte rounding. Chunks grow
 * with the plan (4 KiB up to 256 KiB). */
static void *dalloc(struct kr_dag *dag, size_t n, size_t align)
{
    uintptr_t c = ((uintptr_t)dag->bcur + (align - 1)) & ~(uintptr_t)(align - 1);
    if (!dag->bcur || n > (size_t)((uintptr_t)dag->bend - c)) {
        size_t sz = dag->bchunk ? dag->bchunk : 4096;
        if (dag->bchunk < 256 * 1024)
            dag->bchunk = sz * 2;
        if (n > sz / 4)
            return kr_arena_alloc(&dag->arena, n);     /* big: its own allocation */
        dag->bcur = kr_arena_alloc(&dag->arena, sz);
        dag->bend = dag->bcur + sz;
        c = (uintptr_t)dag->bcur;
    }
    dag->bcur = (char *)(c + n);
    return (void *)c;
}

static char *dstrndup(struct kr_dag *dag, const char *s, size_t n)
{
    char *d = dalloc(dag, n + 1, 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static struct kr_fent *fent_at(const struct kr_dag *dag, uint32_t n)
{
    return &dag->fchunk[n >> KR_FCHUNK_SHIFT][n & (KR_FCHUNK - 1)];
}

static void grow_table(struct kr_dag *dag)
{
    uint32_t ncap = dag->cap ? dag->cap * 2 : 1024, i;
    struct kr_slot *nt = kr_calloc(ncap, sizeof *nt);
    for (i = 0; i < dag->cap; i++) {
        struct kr_slot *e = &dag->tab[i];
        uint32_t j;
        if (!e->idx)
            continue;
        j = e->hash & (ncap - 1);
        while (nt[j].idx)
            j = (j + 1) & (ncap - 1);
        nt[j] = *e;
    }
    kr_free(dag->tab);
    dag->tab = nt;
    dag->cap = ncap;
}

/* The slot holding path p, or the empty slot where it belongs. */
static struct kr_slot *slot_for(struct kr_dag *dag, const char *p, size_t len, uint32_t h)
{
    uint32_t i = h & (dag->cap - 1);
    for (;;) {
        struct kr_slot *e = &dag->tab[i];
        if (!e->idx)
            return e;
        if (e->hash == h) {
            const struct kr_file *f = &fent_at(dag, e->idx - 1)->f;
            if (f->len == len && !memcmp(f->path, p, len))
                return e;
        }
        i = (i + 1) & (dag->cap - 1);
    }
}

static uint32_t hash32(const char *p, size_t n)
{
    uint64_t h = kr_hash64(p, n);
    return (uint32_t)(h ^ (h >> 32));
}

struct kr_file *kr_dag_file(struct kr_dag *dag, const char *path, size_t len)
{
    size_t n;
    const char *p = normalise(dag, path, len, &n);
    uint32_t h = hash32(p, n), idx = dag->nfiles;
    struct kr_slot *slot;
    struct kr_fent *e;

    if ((uint64_t)(dag->nfiles + 1) * 5 > (uint64_t)dag->cap * 4)
        grow_table(dag);    /* load up to 0.8: linear probing over 8-byte slots */
    slot = slot_for(dag, p, n, h);
    if (slot->idx)
        return &fent_at(dag, slot->idx - 1)->f;
    if ((idx >> KR_FCHUNK_SHIFT) >= dag->nfchunk) {
        dag->nfchunk = dag->nfchunk ? dag->nfchunk * 2 : 16;
        dag->fchunk = kr_realloc(dag->fchunk, dag->nfchunk * sizeof *dag->fchunk);
    }
    if ((idx & (KR_FCHUNK - 1)) == 0)
        dag->fchunk[idx >> KR_FCHUNK_SHIFT] =
            kr_arena_zalloc(&dag->arena, KR_FCHUNK * sizeof(struct kr_fent));
    e = fent_at(dag, idx);
    e->f.path = dstrndup(dag, p, n);
    e->f.len = (uint32_t)n;
    slot->idx = idx + 1;
    slot->hash = h;
    dag->nfiles++;
    return &e->f;
}

struct kr_file *kr_dag_find(struct kr_dag *dag, const char *path, size_t len)
{
    size_t n;
    const char *p = normalise(dag, path, len, &n);
    struct kr_slot *slot;
    if (!dag->cap)
        return NULL;
    slot = slot_for(dag, p, n, hash32(p, n));
    return slot->idx ? &fent_at(dag, slot->idx - 1)->f : NULL;
}

/* ---- life cycle ------------------------------------------------------ */

struct kr_dag *kr_dag_new(struct kr_workflow *wf, struct kr_storage *storage)
{
    struct kr_dag *dag = kr_calloc(1, sizeof *dag);
    kr_arena_init(&dag->arena);
    dag->wf = wf;
    dag->st = storage ? storage : kr_storage_local();
    kr_buf_init(&dag->tmp);
    kr_buf_init(&dag->pathbuf);
    grow_table(dag);
    return dag;
}

void kr_dag_free(struct kr_dag *dag)
{
    if (!dag)
        return;
    kr_pindex_free(dag->ix);
    kr_free(dag->tab);
    kr_free(dag->fchunk);
    kr_free(dag->fails);
    kr_vec_free(&dag->all);
    kr_free(dag->jobs);
    kr_free(dag->run);
    kr_free(dag->targets);
    kr_free(dag->stack);
    kr_free(dag->scratch);
    kr_buf_free(&dag->tmp);
    kr_buf_free(&dag->pathbuf);
    kr_arena_free(&dag->arena);
    kr_free(dag);
}

struct kr_workflow *kr_dag_workflow(struct kr_dag *dag)
{
    return dag->wf;
}

struct kr_arena *kr_dag_arena(struct kr_dag *dag)
{
    return &dag->arena;
}

void kr_dag_counters(const struct kr_dag *dag, int64_t *nstat, int64_t *nchecksum)
{
    if (nstat)
        *nstat = dag->nstat;
    if (nchecksum)
        *nchecksum = dag->nchecksum;
}

/* ---- stat ------------------------------------------------------------ */

enum kr_stat kr_dag_stat(struct kr_dag *dag, struct kr_file *f)
{
    struct kr_statinfo si;
    if (f->stat != KR_STAT_UNKNOWN)
        return (enum kr_stat)f->stat;
    dag->nstat++;
    if (kr_storage_stat(dag->st, f->path, &si, NULL) != KR_OK)
        si.kind = KR_STAT_MISSING;   /* unreadable counts as missing */
    f->stat = (uint8_t)si.kind;
    f->mtime_ns = si.kind == KR_STAT_MISSING ? 0 : si.mtime_ns;
    f->size = si.kind == KR_STAT_MISSING ? 0 : si.size;
    return si.kind;
}

void kr_dag_restat(struct kr_dag *dag, struct kr_file *f)
{
    KR_UNUSED(dag);
    f->stat = KR_STAT_UNKNOWN;
}

static bool exists(struct kr_dag *dag, struct kr_file *f)
{
    return kr_dag_stat(dag, f) != KR_STAT_MISSING;
}

/* ---- provenance -------------------------------------------------------- */

const char kr_dag_same_content[] = "(unchanged since recorded)";

/* Whether recorded input `in` (interned as fi) is as it was recorded. */
static bool input_unchanged(struct kr_dag *dag, const struct kr_prov_input *in,
                            struct kr_file *fi)
{
    return kr_dag_stat(dag, fi) == KR_STAT_FILE && fi->mtime_ns == in->mtime_ns &&
           fi->size == in->size;
}

void kr_dag_attach_prov(struct kr_dag *dag, const char *path, const struct kr_prov *prov)
{
    struct kr_file *f = kr_dag_file(dag, path, strlen(path));
    struct kr_prov *p = dalloc(dag, sizeof *p, 8);
    struct kr_file *fi;
    bool all_same = prov->ninputs > 0;
    uint32_t i;
    *p = *prov;
    p->rule = NULL;
    if (prov->rule) {
        /* outputs of one rule come in runs: keep one copy of its name per run */
        if (!dag->prule || strcmp(dag->prule, prov->rule))
            dag->prule = dstrndup(dag, prov->rule, strlen(prov->rule));
        p->rule = dag->prule;
    }
    p->container = prov->container ? dstrndup(dag, prov->container, strlen(prov->container))
                                   : NULL;
    p->inputs = NULL;
    p->inputs_same = false;
    /* inputs as they were when the job ran need no record: a gather's
     * fingerprints would cost ~100 bytes per input */
    for (i = 0; all_same && i < prov->ninputs; i++) {
        const struct kr_prov_input *in = &prov->inputs[i];
        all_same = in->checksum &&
                   input_unchanged(dag, in, kr_dag_file(dag, in->path, strlen(in->path)));
    }
    if (all_same) {
        p->ninputs = 0;
        p->inputs_same = true;
        f->prov = p;
        return;
    }
    if (prov->ninputs) {
        p->inputs = dalloc(dag, prov->ninputs * sizeof *p->inputs, 8);
        for (i = 0; i < prov->ninputs; i++) {
            const struct kr_prov_input *in = &prov->inputs[i];
            /* interned, so the planner compares input paths by pointer */
            fi = kr_dag_file(dag, in->path, strlen(in->path));
            p->inputs[i] = *in;
            p->inputs[i].path = fi->path;
            p->inputs[i].checksum = NULL;
            if (!in->checksum)
                continue;
            if (input_unchanged(dag, in, fi))
                p->inputs[i].checksum = kr_dag_same_content;
            else
                p->inputs[i].checksum = dstrndup(dag, in->checksum, strlen(in->checksum));
        }
    }
    f->prov = p;
}

uint64_t kr_dag_params_hash(const char *params_repr)
{
    if (!params_repr)
        params_repr = "";
    return kr_hash64(params_repr, strlen(params_repr));
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

uint64_t kr_dag_inputs_hash(const struct kr_job *job)
{
    const char **v = kr_malloc((job->nin ? job->nin : 1) * sizeof *v);
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    uint32_t i;
    for (i = 0; i < job->nin; i++)
        v[i] = job->in[i].path;
    qsort(v, job->nin, sizeof *v, cmp_path);
    for (i = 0; i < job->nin; i++)
        h = kr_hash64_seed(v[i], strlen(v[i]) + 1, h);
    kr_free(v);
    return h;
}

/* ---- messages ---------------------------------------------------------- */

static void put_wildcards(struct kr_buf *b, const struct kr_wildcards *wc)
{
    uint32_t i;
    for (i = 0; i < wc->n; i++)
        kr_buf_printf(b, "%s%s=%s", i ? ", " : "", wc->names[i], wc->values[i]);
}

/* Append the chain back to the target for the frames on the stack:
 * ", needed by 'F' <- rule 'R' <- 'G' <- ... <- target rule 'all'".
 * top_is_consumer: the message is about a file the top frame's job reads
 * (start with that rule); else about the top job itself (start with the
 * file it was made for). */
static void put_chain(struct kr_dag *dag, struct kr_buf *b, bool top_is_consumer)
{
    uint32_t n = dag->nstack, i;
    bool first = true;
    if (n == 0)
        return;
    i = n;
    if (!top_is_consumer) {
        const struct kr_frame *fr = &dag->stack[n - 1];
        if (!fr->file) {
            kr_buf_puts(b, " (target rule)");
            return;
        }
        kr_buf_printf(b, ", needed by %s'%s'", n == 1 ? "target " : "", fr->file->path);
        first = false;
        i = n - 1;
    }
    while (i-- > 0) {
        const struct kr_frame *fr = &dag->stack[i];
        kr_buf_printf(b, "%s%srule '%s'", first ? ", needed by " : " <- ",
                      i == 0 && !fr->file ? "target " : "", fr->job->rule->name);
        first = false;
        if (fr->file)
            kr_buf_printf(b, " <- %s'%s'", i == 0 ? "target " : "", fr->file->path);
    }
}

static int fail_missing(struct kr_dag *dag, struct kr_job *job, struct kr_file *f,
                        struct kr_error *err)
{
    struct kr_buf b = KR_BUF_INIT;
    int rc;
    kr_buf_printf(&b, "missing input file '%s' for rule '%s'", f->path, job->rule->name);
    if (job->wc.n) {
        kr_buf_puts(&b, " (wildcards: ");
        put_wildcards(&b, &job->wc);
        kr_buf_puts(&b, ")");
    }
    put_chain(dag, &b, false);
    kr_buf_puts(&b, "; no rule makes it and it does not exist");
    rc = kr_error_set(err, KR_EPLAN, "%s", b.data);
    kr_buf_free(&b);
    return rc;
}

/* f is being resolved further down the stack: print the cycle. */
static int fail_cycle(struct kr_dag *dag, struct kr_job *job, struct kr_file *f,
                      struct kr_error *err)
{
    struct kr_buf b = KR_BUF_INIT;
    uint32_t i, from = 0;
    int rc;
    for (i = dag->nstack; i-- > 0;)
        if (dag->stack[i].file == f) {
            from = i;
            break;
        }
    kr_buf_puts(&b, "cyclic dependency: ");
    for (i = from; i < dag->nstack; i++) {
        const struct kr_frame *fr = &dag->stack[i];
        if (fr->file)
            kr_buf_printf(&b, "'%s' <- ", fr->file->path);
        kr_buf_printf(&b, "rule '%s' <- ", fr->job->rule->name);
    }
    kr_buf_printf(&b, "'%s' (rule '%s' needs its own output, directly or through others)",
                  f->path, job->rule->name);
    rc = kr_error_set(err, KR_EPLAN, "%s", b.data);
    kr_buf_free(&b);
    return rc;
}

/* ---- rule priority (Snakemake's Ruleorder.compare) --------------------- */

/* > 0: a before b; < 0: b before a; 0: no order. */
static int rule_cmp(struct kr_dag *dag, const struct kr_rule *a, const struct kr_rule *b)
{
    const struct kr_workflow *wf = dag->wf;
    uint32_t c, k;
    bool wa, wb;
    if (a == b)
        return 0;
    for (c = wf->nruleorder; c-- > 0;) {
        const struct kr_ruleorder *ro = &wf->ruleorder[c];
        int ia = -1, ib = -1;
        for (k = 0; k < ro->n; k++) {
            if (!strcmp(ro->names[k], a->name))
                ia = (int)k;
            if (!strcmp(ro->names[k], b->name))
                ib = (int)k;
        }
        if (ia >= 0 && ib >= 0)
            return ia < ib ? 1 : -1;
    }
    wa = kr_pindex_has_wildcards(dag->ix, a);
    wb = kr_pindex_has_wildcards(dag->ix, b);
    if (wa != wb)
        return wa ? -1 : 1;
    return 0;
}

/* ---- building ---------------------------------------------------------- */

static void push_frame(struct kr_dag *dag, struct kr_job *job, struct kr_file *f)
{
    if (dag->nstack == dag->capstack) {
        dag->capstack = dag->capstack ? dag->capstack * 2 : 64;
        dag->stack = kr_realloc(dag->stack, dag->capstack * sizeof *dag->stack);
    }
    dag->stack[dag->nstack].job = job;
    dag->stack[dag->nstack].file = f;
    dag->nstack++;
}

static int ensure_file(struct kr_dag *dag, struct kr_file *f, bool is_target,
                       const struct kr_wildcards *given, const struct kr_rule *only,
                       struct kr_error *err);

/*
 * Resolve `list` of rule r for a job with wildcards wc, interning every
 * path: in[i].path == files[i]->path. Plain patterns (no input functions)
 * are formatted here, into one allocation holding both arrays, with no
 * evaluator allocations; lists with input functions, and patterns naming
 * an unknown wildcard (for its error message), go through kr_wf_resolve.
 * `hint` (or NULL) is a file known to be interned, likely among them.
 */
static int resolve_files(struct kr_dag *dag, struct kr_rule *r, const struct kr_iolist *list,
                         const struct kr_wildcards *wc, struct kr_file *hint,
                         struct kr_iofile **inp, struct kr_file ***filesp, uint32_t *np,
                         struct kr_error *err)
{
    struct kr_iofile *in;
    struct kr_file **files;
    uint32_t i, k, s, w, n = 0, at = 0;
    int rc;

    for (i = 0; i < list->n; i++) {
        if (list->items[i].fn)
            goto general;
        n += list->items[i].npats;
    }
    in = n ? dalloc(dag, n * (sizeof *in + sizeof *files), 8) : NULL;
    files = n ? (struct kr_file **)(in + n) : NULL;
    for (i = 0; i < list->n; i++) {
        const struct kr_ioitem *it = &list->items[i];
        for (k = 0; k < it->npats; k++) {
            const struct kr_pat *p = &it->pats[k];
            struct kr_buf *b = &dag->pathbuf;
            kr_buf_reset(b);
            for (s = 0; s < p->nsegs; s++) {
                const struct kr_patseg *sg = &p->segs[s];
                if (!sg->is_wildcard) {
                    kr_buf_append(b, sg->text, sg->len);
                    continue;
                }
                for (w = 0; w < wc->n; w++)
                    if (!strcmp(wc->names[w], sg->text))
                        break;
                if (w == wc->n)
                    goto general;   /* kr_wf_resolve words the error */
                kr_buf_puts(b, wc->values[w]);
            }
            if (hint && hint->len == b->len && !memcmp(hint->path, b->data, b->len))
                files[at] = hint;   /* the file the job is made for: no lookup */
            else
                files[at] = kr_dag_file(dag, b->data ? b->data : "", b->len);
            in[at].path = files[at]->path;
            in[at].name = it->name;     /* the workflow outlives the dag */
            in[at].flags = p->flags | (it->is_list ? KR_F_LISTITEM : 0);
            in[at].from_rule = p->from_rule ? p->from_rule->index + 1 : 0;
            at++;
        }
    }
    *inp = in;
    *filesp = files;
    *np = n;
    return KR_OK;

general:
    rc = kr_wf_resolve(dag->wf, r, list, wc, &dag->arena, &in, &n, err);
    if (rc)
        return rc;
    files = n ? dalloc(dag, n * sizeof *files, 8) : NULL;
    for (i = 0; i < n; i++) {
        files[i] = kr_dag_file(dag, in[i].path, strlen(in[i].path));
        in[i].path = files[i]->path;
    }
    *inp = in;
    *filesp = files;
    *np = n;
    return KR_OK;
}

/* A new job of rule r with wildcards taken from `m` over the path of req,
 * the file it is made for (m and req NULL: a target rule); outputs
 * resolved and interned. The values are packed
 * into one allocation behind their pointer array. */
static int new_job(struct kr_dag *dag, struct kr_rule *r, const struct kr_pmatch *m,
                   struct kr_file *req, struct kr_job **out, struct kr_error *err)
{
    struct kr_job *j = dalloc(dag, sizeof *j, 8);
    uint32_t i, n;
    int rc;

    memset(j, 0, sizeof *j);
    *out = NULL;
    j->rule = r;
    if (m && m->nwc) {
        size_t chars = 0;
        char *q;
        for (i = 0; i < m->nwc; i++)
            chars += m->len[i] + 1;
        j->wc.names = (const char **)kr_pindex_wcnames(dag->ix, r, &n);
        j->wc.n = m->nwc;
        j->wc.values = dalloc(dag, m->nwc * sizeof *j->wc.values + chars, 8);
        q = (char *)(j->wc.values + m->nwc);
        for (i = 0; i < m->nwc; i++) {
            memcpy(q, req->path + m->off[i], m->len[i]);
            q[m->len[i]] = '\0';
            j->wc.values[i] = q;
            q += m->len[i] + 1;
        }
    }
    rc = resolve_files(dag, r, &r->output, &j->wc, req, &j->out, &j->outfiles, &j->nout, err);
    if (rc)
        return rc;
    kr_vec_push(&dag->all, j);
    *out = j;
    return KR_OK;
}

static int cmp_fileptr(const void *a, const void *b)
{
    return strcmp((*(struct kr_file *const *)a)->path, (*(struct kr_file *const *)b)->path);
}

/*
 * --batch RULE=IDX/N for a job of the batching rule (Snakemake's
 * Batch.get_batch): of its distinct input files in sorted order, batch IDX
 * is the IDX-th run of floor(n / N), the last one taking the rest. Sets
 * skip[i] for inputs outside it; in the last batch those must exist (the
 * earlier batches made them). KR_EPLAN for fewer files than batches.
 */
static int batch_inputs(struct kr_dag *dag, struct kr_job *j, bool *skip, struct kr_error *err)
{
    const struct kr_plan_opts *o = dag->opts;
    struct kr_file **v = kr_malloc((j->nin + 1) * sizeof *v);
    uint32_t i, n = 0, len, from, to;
    int rc = KR_OK;

    memcpy(v, j->infiles, j->nin * sizeof *v);
    qsort(v, j->nin, sizeof *v, cmp_fileptr);
    for (i = 0; i < j->nin; i++)
        if (!n || v[n - 1] != v[i])
            v[n++] = v[i];
    if (n < o->batch_n) {
        rc = kr_error_set(err, KR_EPLAN, "--batch %s=%u/%u: rule %s has %u input file%s, fewer "
                          "than batches; choose a smaller number of batches", o->batch_rule,
                          o->batch_idx, o->batch_n, o->batch_rule, n, n == 1 ? "" : "s");
        goto out;
    }
    len = n / o->batch_n;
    from = (o->batch_idx - 1) * len;
    to = o->batch_idx == o->batch_n ? n : from + len;
    for (i = 0; i < j->nin; i++) {
        struct kr_file *f = j->infiles[i];
        uint32_t lo = 0, hi = n;
        while (lo < hi) {       /* f's place among the sorted files */
            uint32_t mid = (lo + hi) / 2;
            if (strcmp(v[mid]->path, f->path) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        skip[i] = lo < from || lo >= to;
        if (skip[i] && o->batch_idx == o->batch_n && f->pstate_ != RS_DONE && !exists(dag, f)) {
            rc = kr_error_set(err, KR_EPLAN, "--batch %s=%u/%u: '%s' of an earlier batch is "
                              "missing; run the earlier batches first", o->batch_rule,
                              o->batch_idx, o->batch_n, f->path);
            goto out;
        }
    }
out:
    kr_free(v);
    return rc;
}

/* Resolve the inputs of j (made for file req; NULL: a target rule) and
 * make sure each can be had; fill deps. */
static int expand_job(struct kr_dag *dag, struct kr_job *j, struct kr_file *req,
                      struct kr_error *err)
{
    uint32_t i, nd = 0;
    bool *skip = NULL;
    int rc;

    kr_job_set_state(j, JS_BUSY);
    push_frame(dag, j, req);
    rc = resolve_files(dag, j->rule, &j->rule->input, &j->wc, NULL, &j->in, &j->infiles,
                       &j->nin, err);
    if (rc) {
        kr_error_prefix(err, "rule '%s'", j->rule->name);
        goto out;
    }
    if (dag->has_ckpt)
        for (i = 0; i < j->nin; i++)
            if ((j->in[i].flags & KR_F_CKPT_WAIT) && !(j->pstate_ & KR_JS_WAITING)) {
                j->pstate_ |= KR_JS_WAITING;
                dag->nwaiting++;
            }
    if (j->rule == dag->batch && j->nin) {
        skip = kr_calloc(j->nin, sizeof *skip);
        rc = batch_inputs(dag, j, skip, err);
        if (rc)
            goto out;
    }
    for (i = 0; i < j->nin; i++) {
        struct kr_file *f = j->infiles[i];
        if (j->in[i].flags & KR_F_BEFORE_UPDATE) {
            /* Snakemake: taken as it is on disk, no producer looked for */
            dag->has_special_io = true;
            if (!exists(dag, f)) {
                rc = fail_missing(dag, j, f, err);
                goto out;
            }
            continue;
        }
        if (f->pstate_ == RS_DONE)
            continue;   /* fast path: already resolved */
        if (skip && skip[i])
            continue;   /* --batch: another batch's file */
        if (f->pstate_ == RS_BUSY) {
            /* a cycle; an existing file breaks it (Snakemake) */
            if (exists(dag, f))
                continue;
            rc = fail_cycle(dag, j, f, err);
            goto out;
        }
        rc = ensure_file(dag, f, false, &j->wc,
                         j->in[i].from_rule && j->in[i].from_rule <= dag->wf->nrules
                             ? dag->wf->rules[j->in[i].from_rule - 1] : NULL, err);
        if (rc == KR_NOT_FOUND) {
            rc = fail_missing(dag, j, f, err);
            goto out;
        }
        if (rc)
            goto out;
    }
    /* distinct producers, deduplicated with a visit stamp */
    if (dag->capscratch < j->nin) {
        dag->capscratch = j->nin;
        dag->scratch = kr_realloc(dag->scratch, dag->capscratch * sizeof *dag->scratch);
    }
    dag->stamp++;
    for (i = 0; i < j->nin; i++) {
        struct kr_job *p = j->infiles[i]->producer;
        if (!p || p->visit == dag->stamp || (j->in[i].flags & KR_F_BEFORE_UPDATE))
            continue;
        p->visit = dag->stamp;
        dag->scratch[nd++] = p;
    }
    j->ndeps = nd;
    j->deps = NULL;
    if (nd) {
        j->deps = dalloc(dag, nd * sizeof *j->deps, 8);
        memcpy(j->deps, dag->scratch, nd * sizeof *j->deps);
    }
    kr_job_set_state(j, JS_BUILT);
out:
    kr_free(skip);
    dag->nstack--;
    if (rc)
        kr_job_set_state(j, JS_NEW);
    return rc;
}

static void select_job(struct kr_job *j)
{
    uint32_t i;
    kr_job_set_state(j, JS_SELECTED);
    for (i = 0; i < j->nout; i++) {
        struct kr_file *f = j->outfiles[i];
        if (j->out[i].flags & (KR_F_PIPE | KR_F_SERVICE | KR_F_UPDATE))
            j->pstate_ |= KR_JS_SPECIAL_IO;
        if (!f->producer) {
            f->producer = j;
            f->flags = j->out[i].flags;
        }
        f->pstate_ = RS_DONE;
    }
}

/* The slot of f in dag->fails, or the empty slot where it belongs. */
static struct kr_fail *fail_slot(struct kr_dag *dag, const struct kr_file *f)
{
    uint32_t i = (uint32_t)(((uintptr_t)f >> 3) * 0x9e3779b1u) & (dag->capfails - 1);
    while (dag->fails[i].file && dag->fails[i].file != f)
        i = (i + 1) & (dag->capfails - 1);
    return &dag->fails[i];
}

/* Remember why f cannot be had, for its later consumers. */
static void set_failed(struct kr_dag *dag, struct kr_file *f, int code, const char *msg)
{
    struct kr_fail *fl;
    if ((dag->nfails + 1) * 2 > dag->capfails) {
        struct kr_fail *old = dag->fails;
        uint32_t oldcap = dag->capfails, i;
        dag->capfails = oldcap ? oldcap * 2 : 16;
        dag->fails = kr_calloc(dag->capfails, sizeof *dag->fails);
        for (i = 0; i < oldcap; i++)
            if (old[i].file)
                *fail_slot(dag, old[i].file) = old[i];
        kr_free(old);
    }
    fl = fail_slot(dag, f);
    if (!fl->file)
        dag->nfails++;
    fl->file = f;
    fl->code = code;
    fl->msg = dstrndup(dag, msg, strlen(msg));
    f->pstate_ = RS_FAILED;
}

static int fail_ambiguous(struct kr_dag *dag, struct kr_file *f, struct kr_job *a,
                          struct kr_job *b, struct kr_error *err)
{
    struct kr_buf m = KR_BUF_INIT;
    int rc;
    kr_buf_printf(&m, "rules '%s' and '%s' are ambiguous for the file '%s'",
                  a->rule->name, b->rule->name, f->path);
    kr_buf_printf(&m, " (%s: ", a->rule->name);
    put_wildcards(&m, &a->wc);
    kr_buf_printf(&m, "; %s: ", b->rule->name);
    put_wildcards(&m, &b->wc);
    kr_buf_puts(&m, ")");
    put_chain(dag, &m, true);
    kr_buf_puts(&m, "; give one of them a unique output prefix, constrain the wildcards, "
                    "or add a ruleorder");
    rc = kr_error_set(err, KR_EPLAN, "%s", m.data);
    kr_buf_free(&m);
    return rc;
}

/*
 * Make sure f is either a source file or has a selected producer. `given`
 * (or NULL) are the wildcards of the job that asked for f: a candidate
 * rule takes their values when they make f (kr_pindex_match_given, as
 * Snakemake's file2jobs with the consumer's wildcards_dict).
 * KR_NOT_FOUND: no rule can make it and it does not exist (the caller
 * reports it with its own context); other errors with err filled.
 */
/* Snakemake's PeriodicWildcardError: a wildcard value ending in at least
 * 20 repetitions of one substring ("s1/1-of-3/1-of-3/...") means a rule is
 * feeding on its own outputs; the candidate is dropped (the recursion ends
 * there, as Snakemake's PeriodicityDetector(min_repeat=20) ends it). */
static int periodic_wildcards(const struct kr_job *j, struct kr_error *err)
{
    uint32_t w;
    for (w = 0; w < j->wc.n; w++) {
        const char *v = j->wc.values[w];
        size_t len = strlen(v), p, r;
        for (p = 1; p * 20 <= len; p++) {
            const char *unit = v + len - p;
            for (r = 2; r <= 20 && !memcmp(v + len - r * p, unit, p); r++)
                ;
            if (r > 20)
                return kr_error_set(err, KR_EPLAN, "rule '%s': PeriodicWildcardError: the "
                                    "value %.*s in wildcard %s is periodically repeated (%s). "
                                    "This would lead to an infinite recursion. To avoid this, "
                                    "e.g. restrict the wildcards in this rule to certain "
                                    "values.", j->rule->name, (int)p, unit, j->wc.names[w], v);
        }
    }
    return KR_OK;
}

static int ensure_file(struct kr_dag *dag, struct kr_file *f, bool is_target,
                       const struct kr_wildcards *given, const struct kr_rule *only,
                       struct kr_error *err)
{
    struct kr_pmatch small[8], *cand = small;
    struct kr_job *prod[8], **producers = prod;
    struct kr_error first, e;
    uint32_t n, i, k, nprod = 0;
    bool have_first = false;
    int rc = KR_OK;

    if (f->pstate_ == RS_DONE)
        return KR_OK;
    if (f->pstate_ == RS_FAILED) {
        if (!is_target && exists(dag, f))
            return KR_OK;
        const struct kr_fail *fl = fail_slot(dag, f);
        return kr_error_set(err, fl->code, "%s", fl->msg);
    }
    n = kr_pindex_match(dag->ix, f->path, f->len, small, KR_ARRAY_LEN(small));
    if (n == 0) {
        if (is_target)
            return kr_error_set(err, KR_EPLAN, "no rule to produce '%s'%s", f->path,
                                exists(dag, f) ? " (it exists, but targets must be made "
                                                 "by a rule)" : "");
        f->pstate_ = RS_DONE;
        return exists(dag, f) ? KR_OK : KR_NOT_FOUND;
    }
    if (n > KR_ARRAY_LEN(small)) {
        cand = kr_malloc(n * sizeof *cand);
        producers = kr_malloc(n * sizeof *producers);
        kr_pindex_match(dag->ix, f->path, f->len, cand, n);
    }
    if (only) {
        /* an input written rules.NAME.output: NAME makes it, when it can */
        for (i = k = 0; i < n; i++)
            if (cand[i].rule == only)
                cand[k++] = cand[i];
        if (k)
            n = k;
    }
    if (given && given->n)
        for (i = 0; i < n; i++)
            if (cand[i].nwc)
                kr_pindex_match_given(dag->ix, f->path, f->len, given, &cand[i]);
    /* stable sort by priority, highest first (n is small) */
    for (i = 1; i < n; i++) {
        struct kr_pmatch t = cand[i];
        k = i;
        while (k > 0 && rule_cmp(dag, t.rule, cand[k - 1].rule) > 0) {
            cand[k] = cand[k - 1];
            k--;
        }
        cand[k] = t;
    }
    f->pstate_ = RS_BUSY;
    kr_error_clear(&first);
    for (i = 0; i < n; i++) {
        struct kr_job *j;
        bool strictly = true;
        kr_error_clear(&e);
        rc = new_job(dag, cand[i].rule, &cand[i], f, &j, &e);
        if (rc == KR_OK && cand[i].log && j->nout && j->outfiles[0]->producer &&
            j->outfiles[0]->producer->rule == j->rule &&
            kr_job_state(j->outfiles[0]->producer) != JS_BUSY)
            j = j->outfiles[0]->producer;   /* the job making the outputs makes its log */
        else if (rc == KR_OK && j->wc.n && kr_job_state(j) == JS_NEW &&
                 (rc = periodic_wildcards(j, &e)) != KR_OK)
            ;
        else if (rc == KR_OK)
            rc = expand_job(dag, j, f, &e);
        if (rc) {
            if (rc != KR_EPLAN)
                goto fatal;      /* evaluation errors are not "drop out" */
            if (!have_first) {
                first = e;
                have_first = true;
            }
            cand[i].rule = NULL;        /* discarded */
            continue;
        }
        producers[nprod++] = j;
        for (k = 0; k < n; k++)
            if (k != i && cand[k].rule && rule_cmp(dag, j->rule, cand[k].rule) <= 0) {
                strictly = false;
                break;
            }
        if (strictly)
            break;
    }
    rc = KR_OK;
    if (nprod == 0) {
        if (!is_target && exists(dag, f)) {
            f->pstate_ = RS_DONE;       /* made by no rule here, but present */
            goto out;
        }
        rc = first.code ? first.code : KR_EPLAN;
        set_failed(dag, f, rc, first.msg);
        if (err)
            *err = first;
        goto out;
    }
    {
        struct kr_job *best = producers[0];
        for (i = 1; i < nprod; i++)
            if (rule_cmp(dag, producers[i]->rule, best->rule) > 0)
                best = producers[i];
        for (i = 0; i < nprod; i++)
            if (producers[i] != best && rule_cmp(dag, producers[i]->rule, best->rule) == 0) {
                rc = fail_ambiguous(dag, f, best, producers[i], err);
                set_failed(dag, f, rc, err ? err->msg : "ambiguous rules");
                goto out;
            }
        select_job(best);
        if (!f->producer)
            f->producer = best;     /* its log or benchmark file (a product) */
        f->pstate_ = RS_DONE;
    }
    goto out;
fatal:
    f->pstate_ = RS_NEW;
    if (err)
        *err = e;
out:
    if (cand != small)
        kr_free(cand);
    if (producers != prod)
        kr_free(producers);
    return rc;
}

/* ---- targets ------------------------------------------------------------- */

/* The rule built when no target is named: one marked default_target: True,
 * else the first rule of the main rule file (source 0), as Snakemake, which
 * does not let rules of included files become the default; NULL when the
 * main file has no rule (then there is nothing to do). */
struct kr_rule *kr_dag_default_rule(struct kr_workflow *wf)
{
    uint32_t i;
    for (i = 0; i < wf->nrules; i++)
        if (wf->rules[i]->default_target)
            return wf->rules[i];
    for (i = 0; i < wf->nrules; i++)
        if (wf->rules[i]->file == 0)
            return wf->rules[i];
    return NULL;
}

static int add_target(struct kr_dag *dag, struct kr_job *j)
{
    uint32_t i;
    for (i = 0; i < dag->ntargets; i++)
        if (dag->targets[i] == j)
            return KR_OK;
    dag->targets = kr_realloc(dag->targets, (dag->ntargets + 1) * sizeof *dag->targets);
    dag->targets[dag->ntargets++] = j;
    j->is_target = true;
    return KR_OK;
}

static int target_rule(struct kr_dag *dag, struct kr_rule *r, struct kr_error *err)
{
    struct kr_job *j;
    uint32_t n;
    int rc;
    if (kr_pindex_has_rule(dag->ix, r)) {
        kr_pindex_wcnames(dag->ix, r, &n);
        if (n)
            return kr_error_set(err, KR_EPLAN,
                                "target rule '%s' has wildcards in its output; "
                                "ask for one of its files instead", r->name);
    }
    rc = new_job(dag, r, NULL, NULL, &j, err);
    if (rc)
        return rc;
    /* one job per rule instance: reuse the selected producer of its outputs */
    if (j->nout && j->outfiles[0]->producer && j->outfiles[0]->producer->rule == r)
        return add_target(dag, j->outfiles[0]->producer);
    rc = expand_job(dag, j, NULL, err);
    if (rc)
        return rc;
    select_job(j);
    return add_target(dag, j);
}

static int target_file(struct kr_dag *dag, const char *path, struct kr_error *err)
{
    struct kr_file *f = kr_dag_file(dag, path, strlen(path));
    int rc = ensure_file(dag, f, true, NULL, NULL, err);
    if (rc)
        return rc;
    if (!f->producer)
        return kr_error_set(err, KR_EPLAN, "no rule to produce '%s'", f->path);
    return add_target(dag, f->producer);
}

/* ---- finishing: order, reverse edges, depth ------------------------------ */

/* Topological order of the jobs reachable from the targets (dependencies
 * first), by an iterative depth-first search. */
static void toposort(struct kr_dag *dag)
{
    struct kr_job **order = kr_malloc((dag->all.len ? dag->all.len : 1) * sizeof *order);
    struct { struct kr_job *j; uint32_t next; } *st;
    uint32_t n = 0, sp = 0, t, i;
    uint32_t mark = ++dag->stamp;

    st = kr_malloc((dag->all.len + 1) * sizeof *st);
    for (t = 0; t < dag->ntargets; t++) {
        struct kr_job *root = dag->targets[t];
        if (root->visit == mark)
            continue;
        root->visit = mark;
        st[sp].j = root;
        st[sp].next = 0;
        sp++;
        while (sp) {
            struct kr_job *j = st[sp - 1].j;
            if (st[sp - 1].next < j->ndeps) {
                struct kr_job *d = j->deps[st[sp - 1].next++];
                if (d->visit != mark) {
                    d->visit = mark;
                    st[sp].j = d;
                    st[sp].next = 0;
                    sp++;
                }
                continue;
            }
            order[n++] = j;
            sp--;
        }
    }
    kr_free(st);
    /* jobs built but not needed (losing candidates) leave the files alone */
    for (i = 0; i < dag->all.len; i++) {
        struct kr_job *j = dag->all.items[i];
        uint32_t k;
        if (j->visit == mark)
            continue;
        for (k = 0; k < j->nout; k++)
            if (j->outfiles[k]->producer == j)
                j->outfiles[k]->producer = NULL;
    }
    kr_free(dag->jobs);
    dag->jobs = order;
    dag->njobs = n;
}

/* Ids, reverse edges, consumer counts and depths of dag->jobs. */
static void link_jobs(struct kr_dag *dag)
{
    struct kr_job **edges;
    size_t nedges = 0;
    uint32_t i, k;
    for (i = 0; i < dag->njobs; i++) {
        struct kr_job *j = dag->jobs[i];
        j->id = i;
        j->nrdeps = 0;
        for (k = 0; k < j->nin; k++)
            j->infiles[k]->nconsumers = 0;
    }
    for (i = 0; i < dag->njobs; i++) {
        struct kr_job *j = dag->jobs[i];
        for (k = 0; k < j->ndeps; k++)
            j->deps[k]->nrdeps++;
        for (k = 0; k < j->nin; k++)
            j->infiles[k]->nconsumers++;
    }
    for (i = 0; i < dag->njobs; i++)
        nedges += dag->jobs[i]->ndeps;
    edges = nedges ? kr_arena_alloc(&dag->arena, nedges * sizeof *edges) : NULL;
    for (i = 0; i < dag->njobs; i++) {
        struct kr_job *j = dag->jobs[i];
        j->rdeps = j->nrdeps ? edges : NULL;     /* one array for all reverse edges */
        edges += j->nrdeps;
        j->nrdeps = 0;
    }
    for (i = 0; i < dag->njobs; i++) {
        struct kr_job *j = dag->jobs[i];
        for (k = 0; k < j->ndeps; k++) {
            struct kr_job *d = j->deps[k];
            d->rdeps[d->nrdeps++] = j;
        }
    }
    for (i = dag->njobs; i-- > 0;) {
        struct kr_job *j = dag->jobs[i];
        uint32_t depth = 0;
        for (k = 0; k < j->nrdeps; k++)
            if (j->rdeps[k]->depth + 1 > depth)
                depth = j->rdeps[k]->depth + 1;
        j->depth = depth;
    }
}

static bool job_named(const struct kr_dag *dag, const struct kr_job *j,
                      const char **names, uint32_t n)
{
    uint32_t i, k;
    KR_UNUSED(dag);
    for (i = 0; i < n; i++) {
        if (!strcmp(names[i], j->rule->name))
            return true;
        for (k = 0; k < j->nout; k++)
            if (!strcmp(names[i], j->outfiles[k]->path))
                return true;
    }
    return false;
}

/* --until: keep the until jobs and what they need; --omit-from: drop those
 * jobs and everything downstream (their dependencies become targets, as in
 * Snakemake). Then renumber. Decisions were made on the whole dag first. */
static void apply_until_omit(struct kr_dag *dag, const struct kr_plan_opts *o)
{
    uint32_t i, k, n = 0;
    bool defer = o->defer_waiting && dag->nwaiting;
    /* a batch but the last: the batching rule and what follows it wait (Snakemake) */
    bool batch = dag->batch && o->batch_idx < o->batch_n;
    if (!o->nuntil && !o->nomit_from && !defer && !batch)
        return;
    if (o->nuntil) {
        uint32_t nt = 0;
        for (i = 0; i < dag->ntargets; i++)
            dag->targets[i]->is_target = false;
        for (i = dag->njobs; i-- > 0;) {
            struct kr_job *j = dag->jobs[i];
            bool named = job_named(dag, j, o->until, o->nuntil), keep = named;
            for (k = 0; !keep && k < j->nrdeps; k++)
                keep = !kr_job_removed(j->rdeps[k]);
            kr_job_set_removed(j, !keep);
            if (named) {
                dag->targets = kr_realloc(dag->targets, (nt + 1) * sizeof *dag->targets);
                dag->targets[nt++] = j;
                j->is_target = true;
            }
        }
        dag->ntargets = nt;
    }
    if (o->nomit_from || defer || batch) {
        for (i = 0; i < dag->njobs; i++) {
            struct kr_job *j = dag->jobs[i];
            bool drop = kr_job_removed(j) || (defer && (j->pstate_ & KR_JS_WAITING)) ||
                        (batch && j->rule == dag->batch) ||
                        job_named(dag, j, o->omit_from, o->nomit_from);
            for (k = 0; !drop && k < j->ndeps; k++)
                drop = kr_job_removed(j->deps[k]);
            kr_job_set_removed(j, drop);
        }
        for (i = 0; i < dag->njobs; i++) {
            struct kr_job *j = dag->jobs[i];
            if (!kr_job_removed(j))
                continue;
            j->is_target = false;
            for (k = 0; k < j->ndeps; k++)
                if (!kr_job_removed(j->deps[k]))
                    add_target(dag, j->deps[k]);
        }
        for (i = k = 0; i < dag->ntargets; i++)
            if (!kr_job_removed(dag->targets[i]))
                dag->targets[k++] = dag->targets[i];
        dag->ntargets = k;
    }
    for (i = 0; i < dag->njobs; i++) {
        if (!kr_job_removed(dag->jobs[i])) {
            dag->jobs[n++] = dag->jobs[i];
            continue;
        }
        dag->jobs[i]->needs_run = false;
        for (k = 0; k < dag->jobs[i]->nout; k++)
            dag->jobs[i]->outfiles[k]->will_change = 0;
    }
    dag->njobs = n;
    for (i = 0; i < dag->njobs; i++) {
        struct kr_job *j = dag->jobs[i];
        uint32_t m = 0;
        for (k = 0; k < j->ndeps; k++)
            if (!kr_job_removed(j->deps[k]))
                j->deps[m++] = j->deps[k];
        j->ndeps = m;
    }
    link_jobs(dag);
}

static void collect_run(struct kr_dag *dag)
{
    uint32_t i, n = 0;
    for (i = 0; i < dag->njobs; i++)
        n += dag->jobs[i]->needs_run;
    kr_free(dag->run);
    dag->run = kr_malloc((n ? n : 1) * sizeof *dag->run);
    n = 0;
    for (i = 0; i < dag->njobs; i++)
        if (dag->jobs[i]->needs_run)
            dag->run[n++] = dag->jobs[i];
    dag->nrun = n;
}

/* Does `from` depend on `to`, directly or not? (visit stamps: mark) */
static bool depends_on(struct kr_job *from, struct kr_job *to, uint32_t mark)
{
    uint32_t k;
    if (from == to)
        return true;
    if (from->visit == mark)
        return false;
    from->visit = mark;
    for (k = 0; k < from->ndeps; k++)
        if (depends_on(from->deps[k], to, mark))
            return true;
    return false;
}

/* before_update(f): the job reading f as it is runs before the job that
 * update()s f (Snakemake raises its priority and gives both a mutex): an
 * ordering edge, unless the reader needs the updater's products anyway. */
static void order_before_updates(struct kr_dag *dag)
{
    uint32_t i, k, d;
    for (i = 0; i < dag->all.len; i++) {
        struct kr_job *c = dag->all.items[i];
        if (kr_job_state(c) != JS_SELECTED)
            continue;
        for (k = 0; k < c->nin; k++) {
            struct kr_job *u = c->infiles[k]->producer, **deps;
            if (!(c->in[k].flags & KR_F_BEFORE_UPDATE) || !u || u == c ||
                kr_job_state(u) != JS_SELECTED)
                continue;
            for (d = 0; d < u->ndeps && u->deps[d] != c; d++)
                ;
            if (d < u->ndeps || depends_on(c, u, ++dag->stamp))
                continue;
            deps = dalloc(dag, (u->ndeps + 1) * sizeof *deps, 8);
            if (u->ndeps)
                memcpy(deps, u->deps, u->ndeps * sizeof *deps);
            deps[u->ndeps++] = c;
            u->deps = deps;
        }
    }
}

static int rule_error(struct kr_error *err, const struct kr_rule *r, const char *msg)
{
    return kr_error_set(err, KR_EPLAN, "rule '%s': %s", r->name, msg);
}

/* Snakemake's checks of pipe() and service() outputs (DAG.handle_pipes_and_
 * services) over the jobs that run: a pipe has exactly one consumer, which
 * runs a command; a pipe or service has a consumer; neither side uses run:.
 * The runner then starts each pipe/service group's jobs together
 * (src/jobgroup.h). */
static int check_special_io(struct kr_dag *dag, struct kr_error *err)
{
    uint32_t i, k, c, m;
    for (i = 0; i < dag->njobs; i++) {
        struct kr_job *j = dag->jobs[i];
        if (!(j->pstate_ & KR_JS_SPECIAL_IO) || !j->needs_run)
            continue;
        for (k = 0; k < j->nout; k++) {
            struct kr_file *f = j->outfiles[k];
            bool pipe = (j->out[k].flags & KR_F_PIPE) != 0;
            struct kr_job *first = NULL;
            uint32_t n = 0;
            if (!(j->out[k].flags & (KR_F_PIPE | KR_F_SERVICE)))
                continue;
            if (j->rule->run_code)
                return rule_error(err, j->rule, "Rule defines pipe output but uses a 'run' "
                                  "directive. This is not possible for technical reasons. "
                                  "Consider using 'shell' or 'script'.");
            for (c = 0; c < j->nrdeps; c++) {
                struct kr_job *cj = j->rdeps[c];
                for (m = 0; m < cj->nin; m++)
                    if (cj->infiles[m] == f && !(cj->in[m].flags & KR_F_BEFORE_UPDATE))
                        break;
                if (m == cj->nin)
                    continue;
                if (cj->rule->run_code)
                    return rule_error(err, cj->rule, "Rule consumes pipe or service input but "
                                      "uses a 'run' directive. This is not possible for "
                                      "technical reasons. Consider using 'shell' or 'script'.");
                if (!first)
                    first = cj;
                n++;
            }
            if (pipe && n > 1)
                return kr_error_set(err, KR_EPLAN, "rule '%s': Output file %s is marked as "
                                    "pipe but more than one job depends on it. Make sure "
                                    "that any pipe output is only consumed by one job",
                                    j->rule->name, f->path);
            if (n == 0)
                return kr_error_set(err, KR_EPLAN, "rule '%s': Output file %s is marked as "
                                    "pipe or service but it has no consumer. This is invalid "
                                    "because it can lead to a dead lock.", j->rule->name,
                                    f->path);
            if (pipe && !first->rule->shell && !first->rule->script && !first->rule->run_code &&
                !first->rule->wrapper)
                return kr_error_set(err, KR_EPLAN, "Output file %s is marked as pipe but is "
                                    "requested by a rule that does not execute anything "
                                    "(rule '%s'). This is not allowed because it would lead "
                                    "to a dead lock.", f->path, first->rule->name);
        }
    }
    return KR_OK;
}

int kr_dag_plan(struct kr_dag *dag, const struct kr_plan_opts *opts, struct kr_error *err)
{
    static const struct kr_plan_opts defaults = { .checksum_max_size = 1000000 };
    const struct kr_plan_opts *o = opts ? opts : &defaults;
    struct kr_workflow *wf = dag->wf;
    uint32_t i;
    int rc = KR_OK;

    if (dag->planned)
        return kr_error_set(err, KR_EPLAN, "internal: kr_dag_plan called twice on one dag");
    dag->planned = true;
    dag->opts = o;
    for (i = 0; i < o->nallowed_rules; i++)
        if (!kr_workflow_rule(wf, o->allowed_rules[i]))
            return kr_error_set(err, KR_EUSAGE, "--allowed-rules: no rule named '%s'",
                                o->allowed_rules[i]);
    for (i = 0; i < o->nforcerun; i++)
        if (!kr_workflow_rule(wf, o->forcerun[i]))
            return kr_error_set(err, KR_EUSAGE, "--forcerun: no rule named '%s'",
                                o->forcerun[i]);
    for (i = 0; i < wf->nrules && !dag->has_ckpt; i++)
        dag->has_ckpt = wf->rules[i]->checkpoint;
    if (o->batch_rule) {
        dag->batch = kr_workflow_rule(wf, o->batch_rule);
        if (!dag->batch)
            return kr_error_set(err, KR_EUSAGE, "--batch: no rule named '%s'", o->batch_rule);
    }
    rc = kr_pindex_new(wf, o->allowed_rules, o->nallowed_rules, &dag->ix, err);
    if (rc)
        return rc;
    if (o->ntargets == 0) {
        struct kr_rule *r = kr_dag_default_rule(wf);
        if (r)
            rc = target_rule(dag, r, err);
    }
    for (i = 0; rc == KR_OK && i < o->ntargets; i++) {
        struct kr_rule *r = kr_workflow_rule(wf, o->targets[i]);
        if (r)
            rc = target_rule(dag, r, err);
        else
            rc = target_file(dag, kr_wf_storage_path(wf, o->targets[i], 0, &dag->arena), err);
    }
    if (rc)
        return rc;
    if (dag->has_special_io)
        order_before_updates(dag);
    toposort(dag);
    link_jobs(dag);
    rc = kr_stale_decide(dag, o, err);
    if (rc)
        return rc;
    apply_until_omit(dag, o);
    collect_run(dag);
    return check_special_io(dag, err);
}

struct kr_job **kr_dag_jobs(struct kr_dag *dag, uint32_t *njobs)
{
    *njobs = dag->njobs;
    return dag->jobs;
}

struct kr_job **kr_dag_jobs_to_run(struct kr_dag *dag, uint32_t *njobs)
{
    *njobs = dag->nrun;
    return dag->run;
}

uint32_t kr_dag_nwaiting(const struct kr_dag *dag)
{
    return dag->nwaiting;
}

bool kr_dag_job_waiting(const struct kr_job *j)
{
    return (j->pstate_ & KR_JS_WAITING) != 0;
}

struct kr_job **kr_dag_targets(struct kr_dag *dag, uint32_t *n)
{
    *n = dag->ntargets;
    return dag->targets;
}
