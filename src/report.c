/*
 * report.c - a run's HTML report (report.h). Three reads of the state
 * database: the run's attempts (one pass, kept compactly in an arena), two
 * scans of the recorded provenance for the rule graph's edges (output path
 * -> rule, then input path -> consumer rule), and a lookup per provenance
 * row shown. Then one pass of writing: everything the page shows is
 * computed here in C (a layered layout of the rule graph, lanes of the
 * timeline packed greedily, runtime quantiles), so the page needs no script
 * to render and stays small at 100k jobs: the graph is of rules, the
 * timeline is bucketed by rule above max_bars attempts, the provenance
 * table and the failed logs are capped, and the page says so each time.
 */
#include "config.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NONE UINT32_MAX

/* ---- small hash tables: interned strings, sets of pairs ----------------------- */

/* Open addressing, linear probing; keys are owned by the caller (an arena). */
struct strmap {
    const char **keys;
    uint32_t *vals;
    size_t cap, n;
};

static size_t sm_slot(const struct strmap *m, const char *s)
{
    size_t i = (size_t)kr_hash64(s, strlen(s)) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], s))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static uint32_t sm_get(const struct strmap *m, const char *s)
{
    size_t i;
    if (!m->cap)
        return NONE;
    i = sm_slot(m, s);
    return m->keys[i] ? m->vals[i] : NONE;
}

static void sm_put(struct strmap *m, const char *s, uint32_t v)
{
    size_t i;
    if (2 * (m->n + 1) > m->cap) {
        struct strmap g = {0};
        g.cap = m->cap ? 2 * m->cap : 64;
        g.keys = kr_calloc(g.cap, sizeof *g.keys);
        g.vals = kr_calloc(g.cap, sizeof *g.vals);
        for (i = 0; i < m->cap; i++)
            if (m->keys[i]) {
                size_t j = sm_slot(&g, m->keys[i]);
                g.keys[j] = m->keys[i];
                g.vals[j] = m->vals[i];
            }
        g.n = m->n;
        kr_free(m->keys);
        kr_free(m->vals);
        *m = g;
    }
    i = sm_slot(m, s);
    if (!m->keys[i])
        m->n++;
    m->keys[i] = s;
    m->vals[i] = v;
}

static void sm_free(struct strmap *m)
{
    kr_free(m->keys);
    kr_free(m->vals);
}

/* A set of (a, b) pairs of 32-bit numbers; 0 marks an empty slot. */
struct pairset {
    uint64_t *keys;
    size_t cap, n;
};

/* Add (a, b); true when it was not there. */
static bool ps_add(struct pairset *p, uint32_t a, uint32_t b)
{
    uint64_t k = ((uint64_t)a << 32 | b) + 1;
    size_t i;
    if (2 * (p->n + 1) > p->cap) {
        struct pairset g = {0};
        g.cap = p->cap ? 2 * p->cap : 64;
        g.keys = kr_calloc(g.cap, sizeof *g.keys);
        for (i = 0; i < p->cap; i++)
            if (p->keys[i]) {
                size_t j = (size_t)kr_hash64(&p->keys[i], 8) & (g.cap - 1);
                while (g.keys[j])
                    j = (j + 1) & (g.cap - 1);
                g.keys[j] = p->keys[i];
            }
        g.n = p->n;
        kr_free(p->keys);
        *p = g;
    }
    i = (size_t)kr_hash64(&k, 8) & (p->cap - 1);
    while (p->keys[i] && p->keys[i] != k)
        i = (i + 1) & (p->cap - 1);
    if (p->keys[i])
        return false;
    p->keys[i] = k;
    p->n++;
    return true;
}

/* ---- what the report is made of ---------------------------------------------- */

struct rrule {
    const char *name;
    bool shown;                 /* ran in this run or is in the plan */
    uint32_t ndone, nfailed, nother, nnotrun, nattempts, nplanned;
    double *durs;               /* runtimes of done attempts (seconds) */
    uint32_t ndurs, capdurs;
    double cpu;                 /* CPU seconds of all attempts that report it */
    int64_t max_rss;            /* KB, -1 unknown */
};

struct ratt {
    int64_t id;
    const char *name, *log_path, *detail, *ext_id, *host;  /* host/ext_id/log: failed only */
    const char *reason;         /* why it ran: done attempts with listed outputs only */
    uint32_t rule, lane, job;
    int state, exit_code, attempt;
    double t0, t1;
};

struct rout {
    const char *path;
    uint32_t att;
};

struct edge {
    uint32_t a, b;
};

struct report {
    struct kr_arena arena;
    const struct kr_report_opts *o;
    struct kr_state *st;
    FILE *f;
    /* the run */
    int64_t run_id;
    double run_start, run_end;
    int run_status, njobs_done, njobs_failed;
    const char *argv, *host;
    long pid;
    /* attempts, rules, lanes, jobs */
    struct ratt *att;
    uint32_t natt, capatt;
    struct rrule *rules;
    uint32_t nrules, caprules;
    struct strmap rule_ix, lane_ix, job_ix;
    const char **lanes;
    uint32_t nlanes;
    uint32_t *job_last;         /* job -> index of its latest attempt */
    uint32_t njobs;
    uint32_t nstate[6];
    /* outputs made by the run */
    struct rout *outs;
    uint32_t nouts, capouts;
    uint64_t nouts_total;
    /* rule graph */
    struct pairset eset;
    struct edge *edges;
    uint32_t nedges, capedges;
    struct strmap path_rule;    /* recorded output path -> rule */
    struct kr_error *err;
};

static void *grow(void *p, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return p;
    *cap = *cap ? 2 * *cap : 64;
    if (*cap < need)
        *cap = need;
    return kr_realloc(p, (size_t)*cap * size);
}

static uint32_t rule_of(struct report *R, const char *name)
{
    uint32_t r = sm_get(&R->rule_ix, name);
    struct rrule *x;
    if (r != NONE)
        return r;
    R->rules = grow(R->rules, &R->caprules, R->nrules + 1, sizeof *R->rules);
    x = &R->rules[R->nrules];
    memset(x, 0, sizeof *x);
    x->name = kr_arena_strdup(&R->arena, name);
    x->max_rss = -1;
    sm_put(&R->rule_ix, x->name, R->nrules);
    return R->nrules++;
}

static void add_edge(struct report *R, uint32_t a, uint32_t b)
{
    if (a == b || !ps_add(&R->eset, a, b))
        return;
    R->edges = grow(R->edges, &R->capedges, R->nedges + 1, sizeof *R->edges);
    R->edges[R->nedges].a = a;
    R->edges[R->nedges].b = b;
    R->nedges++;
}

/* ---- escaping ----------------------------------------------------------------- */

void kr_report_escape(FILE *f, const char *s, size_t max)
{
    size_t i, n = s ? strlen(s) : 0;
    bool cut = false;
    if (max && n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        cut = true;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                c = '?';
            else if (c == 0x7f)
                c = '?';
            fputc(c, f);
        }
    }
    if (cut)
        fputs("\xe2\x80\xa6", f);
}

/* shorthand: the escaped string, whole */
static void esc(FILE *f, const char *s)
{
    kr_report_escape(f, s ? s : "", 0);
}

/* ---- reading the journal -------------------------------------------------------- */

static int got_run(void *ctx, const struct kr_state_run *r)
{
    struct report *R = ctx;
    R->run_id = r->id;
    R->run_start = r->start;
    R->run_end = r->end;
    R->run_status = r->status;
    R->njobs_done = r->njobs_done;
    R->njobs_failed = r->njobs_failed;
    R->argv = kr_arena_strdup(&R->arena, r->argv ? r->argv : "");
    R->host = kr_arena_strdup(&R->arena, r->host ? r->host : "");
    R->pid = (long)r->pid;
    return 0;
}

static int got_attempt(void *ctx, const struct kr_state_attempt *a)
{
    struct report *R = ctx;
    struct ratt *x;
    struct rrule *ru;
    char lane[512];
    uint32_t i, ix = R->natt;

    R->att = grow(R->att, &R->capatt, R->natt + 1, sizeof *R->att);
    x = &R->att[R->natt++];
    memset(x, 0, sizeof *x);
    x->id = a->id;
    x->rule = rule_of(R, a->rule);
    ru = &R->rules[x->rule];
    ru->shown = true;
    ru->nattempts++;
    x->name = kr_arena_strdup(&R->arena, a->name);
    x->state = a->state;
    x->exit_code = a->exit_code;
    x->attempt = a->attempt;
    x->t0 = a->running > 0 ? a->running : a->start;
    x->t1 = a->end;
    if (a->state >= 0 && a->state < 6)
        R->nstate[a->state]++;
    snprintf(lane, sizeof lane, "%s @ %s", a->executor ? a->executor : "?",
             a->host ? a->host : "?");
    x->lane = sm_get(&R->lane_ix, lane);
    if (x->lane == NONE) {
        R->lanes = kr_realloc(R->lanes, (R->nlanes + 1) * sizeof *R->lanes);
        R->lanes[R->nlanes] = kr_arena_strdup(&R->arena, lane);
        sm_put(&R->lane_ix, R->lanes[R->nlanes], R->nlanes);
        x->lane = R->nlanes++;
    }
    x->job = sm_get(&R->job_ix, x->name);
    if (x->job == NONE) {
        if ((R->njobs & (R->njobs - 1)) == 0)   /* full at 0, 1, 2, 4...: double */
            R->job_last = kr_realloc(R->job_last,
                                     (R->njobs ? 2 * R->njobs : 1) * sizeof *R->job_last);
        sm_put(&R->job_ix, x->name, R->njobs);
        x->job = R->njobs++;
    }
    R->job_last[x->job] = ix;
    if (a->cpu_s >= 0)
        ru->cpu += a->cpu_s;
    if (a->max_rss_kb > ru->max_rss)
        ru->max_rss = a->max_rss_kb;
    if (a->state == KR_ATTEMPT_DONE && a->end > 0 && a->end >= x->t0) {
        ru->durs = grow(ru->durs, &ru->capdurs, ru->ndurs + 1, sizeof *ru->durs);
        ru->durs[ru->ndurs++] = a->end - x->t0;
    }
    if (a->state == KR_ATTEMPT_FAILED) {
        x->log_path = a->log_path ? kr_arena_strdup(&R->arena, a->log_path) : NULL;
        x->detail = a->detail ? kr_arena_strdup(&R->arena, a->detail) : NULL;
        x->host = a->host ? kr_arena_strdup(&R->arena, a->host) : NULL;
        x->ext_id = a->ext_id ? kr_arena_strdup(&R->arena, a->ext_id) : NULL;
    }
    if (a->state == KR_ATTEMPT_DONE && a->reason && a->noutputs && R->nouts < R->o->max_outputs)
        x->reason = kr_arena_strdup(&R->arena, a->reason);
    if (a->state == KR_ATTEMPT_DONE)
        for (i = 0; i < a->noutputs; i++, R->nouts_total++) {
            if (R->nouts >= R->o->max_outputs)
                continue;
            R->outs = grow(R->outs, &R->capouts, R->nouts + 1, sizeof *R->outs);
            R->outs[R->nouts].path = kr_arena_strdup(&R->arena, a->outputs[i]);
            R->outs[R->nouts].att = ix;
            R->nouts++;
        }
    return 0;
}

/* Provenance scan 1: which rule made each recorded output. */
static int scan_paths(void *ctx, const char *path, const struct kr_prov *prov)
{
    struct report *R = ctx;
    if (prov->rule)
        sm_put(&R->path_rule, kr_arena_strdup(&R->arena, path), rule_of(R, prov->rule));
    return 0;
}

/* Provenance scan 2: an edge from the producer of each input to the rule. */
static int scan_edges(void *ctx, const char *path, const struct kr_prov *prov)
{
    struct report *R = ctx;
    uint32_t i, to, from;
    KR_UNUSED(path);
    if (!prov->rule)
        return 0;
    to = sm_get(&R->rule_ix, prov->rule);
    for (i = 0; i < prov->ninputs; i++) {
        from = sm_get(&R->path_rule, prov->inputs[i].path);
        if (from != NONE && to != NONE)
            add_edge(R, from, to);
    }
    return 0;
}

/* Rules, edges and planned job counts of the plan, when there is one. */
static void read_dag(struct report *R)
{
    uint32_t i, k, nj;
    struct kr_job **jobs = kr_dag_jobs(R->o->dag, &nj);
    for (i = 0; i < nj; i++) {
        uint32_t r = rule_of(R, jobs[i]->rule->name);
        R->rules[r].shown = true;
        if (jobs[i]->needs_run)
            R->rules[r].nplanned++;
        for (k = 0; k < jobs[i]->ndeps; k++)
            add_edge(R, rule_of(R, jobs[i]->deps[k]->rule->name), r);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Per-rule job outcomes from each job's latest attempt. */
static void tally(struct report *R)
{
    uint32_t j, r;
    for (j = 0; j < R->njobs; j++) {
        const struct ratt *a = &R->att[R->job_last[j]];
        struct rrule *ru = &R->rules[a->rule];
        if (a->state == KR_ATTEMPT_DONE)
            ru->ndone++;
        else if (a->state == KR_ATTEMPT_FAILED)
            ru->nfailed++;
        else
            ru->nother++;
    }
    for (r = 0; r < R->nrules; r++) {
        struct rrule *ru = &R->rules[r];
        uint32_t ran = ru->ndone + ru->nfailed + ru->nother;
        ru->nnotrun = ru->nplanned > ran ? ru->nplanned - ran : 0;
        if (ru->ndurs > 1)      /* durs is NULL for a rule that never ran */
            qsort(ru->durs, ru->ndurs, sizeof *ru->durs, cmp_double);
    }
}

/* ---- formatting helpers ----------------------------------------------------------- */

static void put_time(FILE *f, double t)
{
    char buf[40];
    struct tm tm;
    time_t s = (time_t)t;
    if (t <= 0) {
        fputs("-", f);
        return;
    }
    localtime_r(&s, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    fputs(buf, f);
}

static void put_dur(FILE *f, double d)
{
    long s;
    if (d < 0) {
        fputs("-", f);
        return;
    }
    if (d < 10) {
        fprintf(f, "%.2fs", d);
        return;
    }
    s = (long)(d + 0.5);
    if (s < 60)
        fprintf(f, "%lds", s);
    else if (s < 3600)
        fprintf(f, "%ldm %lds", s / 60, s % 60);
    else
        fprintf(f, "%ldh %ldm %lds", s / 3600, s / 60 % 60, s % 60);
}

static void put_kb(FILE *f, int64_t kb)
{
    if (kb < 0)
        fputs("-", f);
    else if (kb < 1024)
        fprintf(f, "%lld KB", (long long)kb);
    else if (kb < 1024 * 1024)
        fprintf(f, "%.1f MB", kb / 1024.0);
    else
        fprintf(f, "%.2f GB", kb / (1024.0 * 1024.0));
}

static const char *state_class(int state)
{
    switch (state) {
    case KR_ATTEMPT_DONE: return "done";
    case KR_ATTEMPT_FAILED: return "failed";
    default: return "other";
    }
}

static const char *run_status_name(const struct report *R)
{
    return kr_state_run_status_name(R->run_status);
}

/* ---- the page ------------------------------------------------------------------------ */

static const char head_css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;"
    "text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right}"
    "pre{background:#f7f7f7;border:1px solid #ddd;padding:6px;overflow:auto;max-height:24em}"
    ".note{color:#8a5a00;background:#fff8e1;padding:4px 8px;border-left:3px solid #ffb300}"
    ".scroll{overflow:auto;max-width:100%;border:1px solid #eee}"
    ".done{fill:#66bb6a}.failed{fill:#ef5350}.other{fill:#ffa726}.notrun{fill:#cfd8dc}"
    "span.done,span.failed,span.other,span.notrun{display:inline-block;width:1em;height:1em;"
    "vertical-align:middle}span.done{background:#66bb6a}span.failed{background:#ef5350}"
    "span.other{background:#ffa726}span.notrun{background:#cfd8dc}"
    "svg text{font:12px system-ui,sans-serif}.edge{fill:none;stroke:#78909c;stroke-width:1.3}"
    "#kr-js{color:#999;font-size:11px}";

/* window.onerror and blocked loads counted into #kr-js for headless checks */
static const char head_js[] =
    "var krErrors=0,krBlocked=0;"
    "window.addEventListener('error',function(){krErrors++;krShow();},true);"
    "document.addEventListener('securitypolicyviolation',function(){krBlocked++;krShow();});"
    "function krShow(){var e=document.getElementById('kr-js');if(!e)return;"
    "e.setAttribute('data-errors',krErrors);e.setAttribute('data-blocked',krBlocked);"
    "e.textContent='script errors: '+krErrors+', blocked loads: '+krBlocked;}"
    "document.addEventListener('DOMContentLoaded',function(){krShow();"
    "document.getElementById('kr-js').setAttribute('data-ready','1');});";

static void page_head(struct report *R)
{
    FILE *f = R->f;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n", f);
    fprintf(f, "<title>krait report: run %lld</title>\n<style>%s</style>\n"
               "<script>%s</script>\n</head><body>\n",
            (long long)R->run_id, head_css, head_js);
}

static void section_summary(struct report *R)
{
    FILE *f = R->f;
    time_t now = time(NULL);
    fprintf(f, "<h1>krait run %lld: %s</h1>\n<table id=\"summary\">\n", (long long)R->run_id,
            run_status_name(R));
    fputs("<tr><th>command line</th><td><code>", f);
    esc(f, R->argv);
    fputs("</code></td></tr>\n<tr><th>host, pid</th><td>", f);
    esc(f, R->host);
    fprintf(f, ", %ld</td></tr>\n<tr><th>started</th><td>", R->pid);
    put_time(f, R->run_start);
    fputs("</td></tr>\n<tr><th>ended</th><td>", f);
    put_time(f, R->run_end);
    fputs(" (", f);
    put_dur(f, R->run_end > 0 ? R->run_end - R->run_start : -1);
    fprintf(f, ")</td></tr>\n<tr><th>status</th><td>%s</td></tr>\n", run_status_name(R));
    fprintf(f, "<tr><th>jobs</th><td>%d done, %d failed (%u distinct jobs attempted)</td></tr>\n",
            R->njobs_done, R->njobs_failed, R->njobs);
    fprintf(f, "<tr><th>attempts</th><td>%u: %u done, %u failed, %u cancelled, %u abandoned, "
               "%u unfinished</td></tr>\n", R->natt, R->nstate[KR_ATTEMPT_DONE],
            R->nstate[KR_ATTEMPT_FAILED], R->nstate[KR_ATTEMPT_CANCELLED],
            R->nstate[KR_ATTEMPT_ABANDONED],
            R->nstate[KR_ATTEMPT_SUBMITTED] + R->nstate[KR_ATTEMPT_RUNNING]);
    fprintf(f, "<tr><th>outputs made</th><td>%llu</td></tr>\n",
            (unsigned long long)R->nouts_total);
    fputs("<tr><th>report</th><td>krait " PACKAGE_VERSION ", ", f);
    put_time(f, (double)now);
    fputs("</td></tr>\n</table>\n", f);
}

/* ---- the rule graph's layout -------------------------------------------------------------
 * Layers by longest path from the sources (Kahn's order; a cycle, which a
 * rule graph should not have, is broken at its first rule). An edge that
 * spans several layers gets a dummy vertex in each layer between, so that
 * it is drawn around the rules there, not through them. In each layer the
 * vertices are ordered by the mean position of their predecessors (two
 * downward sweeps), ties by first appearance. All loops are over the edges
 * per vertex: fine for rule graphs (hundreds of rules), whatever the jobs. */

struct vtx {
    uint32_t rule;              /* NONE for a dummy */
    uint32_t layer, pos;
    double x, bary;
};

struct seg {
    uint32_t from, to;          /* vertices */
};

struct glayout {
    struct vtx *v;
    uint32_t nv, capv;
    struct seg *s;
    uint32_t ns, caps;
    uint32_t *edge_first;       /* per edge: its first segment (NONE: not drawn) */
    uint32_t *edge_nseg;
    uint32_t nlayers, nreal, nedges;
    double width;
};

#define NODE_W 180
#define NODE_H 48
#define DUMMY_W 24
#define GAP_X 28
#define GAP_Y 56

static uint32_t add_vtx(struct glayout *g, uint32_t rule, uint32_t layer)
{
    g->v = grow(g->v, &g->capv, g->nv + 1, sizeof *g->v);
    memset(&g->v[g->nv], 0, sizeof *g->v);
    g->v[g->nv].rule = rule;
    g->v[g->nv].layer = layer;
    return g->nv++;
}

static void add_seg(struct glayout *g, uint32_t from, uint32_t to)
{
    g->s = grow(g->s, &g->caps, g->ns + 1, sizeof *g->s);
    g->s[g->ns].from = from;
    g->s[g->ns].to = to;
    g->ns++;
}

static int cmp_vtx(const void *a, const void *b)
{
    const struct vtx *x = a, *y = b;
    if (x->layer != y->layer)
        return x->layer < y->layer ? -1 : 1;
    if (x->bary != y->bary)
        return x->bary < y->bary ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void layout(struct report *R, struct glayout *g)
{
    uint32_t n = 0, i, e, k, head = 0, tail = 0, sweep;
    uint32_t *vof = kr_calloc(R->nrules + 1, sizeof *vof);     /* rule -> vertex */
    uint32_t *indeg = kr_calloc(R->nrules + 1, sizeof *indeg);
    uint32_t *queue = kr_calloc(R->nrules + 1, sizeof *queue);
    uint32_t *layer = kr_calloc(R->nrules + 1, sizeof *layer);
    uint32_t *perm, *lw;
    bool *placed = kr_calloc(R->nrules + 1, sizeof *placed);
    bool progress;

    memset(g, 0, sizeof *g);
    for (e = 0; e < R->nedges; e++)
        if (R->rules[R->edges[e].a].shown && R->rules[R->edges[e].b].shown)
            indeg[R->edges[e].b]++;
    for (i = 0; i < R->nrules; i++)
        if (R->rules[i].shown && !indeg[i])
            queue[tail++] = i;
    do {
        while (head < tail) {
            uint32_t u = queue[head++];
            placed[u] = true;
            for (e = 0; e < R->nedges; e++) {
                struct edge *x = &R->edges[e];
                if (x->a != u || !R->rules[x->b].shown || placed[x->b])
                    continue;
                if (layer[x->b] < layer[u] + 1)
                    layer[x->b] = layer[u] + 1;
                if (indeg[x->b] && --indeg[x->b] == 0)
                    queue[tail++] = x->b;
            }
        }
        progress = false;
        for (i = 0; i < R->nrules && !progress; i++)
            if (R->rules[i].shown && !placed[i]) {      /* on a cycle: break it here */
                indeg[i] = 0;
                queue[tail++] = i;
                progress = true;
            }
    } while (progress);
    for (i = 0; i < R->nrules; i++)
        if (R->rules[i].shown) {
            vof[i] = add_vtx(g, i, layer[i]);
            g->v[vof[i]].pos = n++;
            if (layer[i] + 1 > g->nlayers)
                g->nlayers = layer[i] + 1;
        }
    g->nreal = n;
    g->nedges = R->nedges;
    g->edge_first = kr_calloc(R->nedges + 1, sizeof *g->edge_first);
    g->edge_nseg = kr_calloc(R->nedges + 1, sizeof *g->edge_nseg);
    for (e = 0; e < R->nedges; e++) {
        uint32_t a = R->edges[e].a, b = R->edges[e].b, prev, l;
        g->edge_first[e] = NONE;
        if (!R->rules[a].shown || !R->rules[b].shown)
            continue;
        g->edge_first[e] = g->ns;
        prev = vof[a];
        for (l = layer[a] + 1; l < layer[b]; l++) {
            uint32_t d = add_vtx(g, NONE, l);
            g->v[d].pos = n++;
            add_seg(g, prev, d);
            prev = d;
        }
        add_seg(g, prev, vof[b]);
        g->edge_nseg[e] = g->ns - g->edge_first[e];
    }
    /* order within layers: positions, then barycentres of predecessors */
    perm = kr_calloc(g->nv + 1, sizeof *perm);
    lw = kr_calloc(g->nlayers + 1, sizeof *lw);
    for (sweep = 0; sweep < 3; sweep++) {
        struct vtx *sorted = kr_calloc(g->nv + 1, sizeof *sorted);
        for (i = 0; i < g->nv; i++) {
            double sum = 0;
            uint32_t cnt = 0;
            for (k = 0; sweep && k < g->ns; k++)
                if (g->s[k].to == i && g->v[g->s[k].from].layer < g->v[i].layer) {
                    sum += g->v[g->s[k].from].x;
                    cnt++;
                }
            g->v[i].bary = cnt ? sum / cnt : sweep ? g->v[i].x : (double)g->v[i].pos;
        }
        /* sort a copy and remember where each vertex went */
        if (g->nv)
            memcpy(sorted, g->v, g->nv * sizeof *sorted);
        for (i = 0; i < g->nv; i++)
            sorted[i].pos = i;          /* ties: creation order */
        if (g->nv > 1)
            qsort(sorted, g->nv, sizeof *sorted, cmp_vtx);
        for (i = 0; i < g->nv; i++)
            perm[i] = sorted[i].pos;
        /* positions and x within each layer, in the sorted order */
        memset(lw, 0, (g->nlayers + 1) * sizeof *lw);
        for (i = 0; i < g->nv; i++) {
            struct vtx *v = &g->v[perm[i]];
            v->pos = lw[v->layer]++;
        }
        {
            double *xs = kr_calloc(g->nlayers + 1, sizeof *xs);
            for (i = 0; i < g->nv; i++) {
                struct vtx *v = &g->v[perm[i]];
                double w = v->rule == NONE ? DUMMY_W : NODE_W;
                v->x = xs[v->layer] + w / 2;     /* centre, before centring the layer */
                xs[v->layer] += w + GAP_X;
            }
            g->width = 0;
            for (i = 0; i < g->nlayers; i++)
                if (xs[i] > g->width)
                    g->width = xs[i];
            for (i = 0; i < g->nv; i++)
                g->v[i].x += GAP_X + (g->width - xs[g->v[i].layer]) / 2;
            g->width += GAP_X;
            kr_free(xs);
        }
        kr_free(sorted);
    }
    kr_free(perm);
    kr_free(lw);
    kr_free(vof);
    kr_free(indeg);
    kr_free(queue);
    kr_free(layer);
    kr_free(placed);
}

static void glayout_free(struct glayout *g)
{
    kr_free(g->v);
    kr_free(g->s);
    kr_free(g->edge_first);
    kr_free(g->edge_nseg);
}

static const char *rule_class(const struct rrule *ru)
{
    if (ru->nfailed)
        return "failed";
    if (ru->ndone)
        return "done";
    if (ru->nother)
        return "other";
    return "notrun";
}

static double vtx_y(const struct vtx *v)
{
    return GAP_Y / 2.0 + v->layer * (NODE_H + GAP_Y);
}

static void section_graph(struct report *R)
{
    FILE *f = R->f;
    struct glayout g;
    uint32_t i, e, k, nshown_edges = 0;
    double H;

    layout(R, &g);
    for (e = 0; e < R->nedges; e++)
        if (g.edge_first[e] != NONE)
            nshown_edges++;
    H = g.nlayers * (NODE_H + GAP_Y) + GAP_Y / 2.0;
    fprintf(f, "<h2>Rule graph</h2>\n<p>%u rules, %u edges. Colour: <span class=\"done\"></span> "
               "done, <span class=\"failed\"></span> some job failed, <span class=\"other\">"
               "</span> cancelled or unfinished, <span class=\"notrun\"></span> not run in this "
               "run. Edges come from %s.</p>\n",
            g.nreal, nshown_edges, R->o->dag ? "the plan and the recorded provenance"
                                            : "the recorded provenance (inputs of jobs that "
                                              "succeeded; a failed job's inputs are not recorded)");
    fprintf(f, "<div class=\"scroll\"><svg id=\"rulegraph\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\">\n"
               "<defs><marker id=\"arr\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
               "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0L10 5L0 10z\" "
               "fill=\"#78909c\"/></marker></defs>\n", g.width, H, g.width, H);
    /* an edge: down from its rule's bottom, through each dummy's layer as a
     * vertical line, into the next rule's top; a back edge goes up */
    for (e = 0; e < R->nedges; e++) {
        double x1, y1, x2, y2;
        if (g.edge_first[e] == NONE)
            continue;
        fputs("<path class=\"edge\" d=\"", f);
        for (k = 0; k < g.edge_nseg[e]; k++) {
            const struct seg *s = &g.s[g.edge_first[e] + k];
            const struct vtx *a = &g.v[s->from], *b = &g.v[s->to];
            x1 = a->x;
            y1 = vtx_y(a) + NODE_H;
            x2 = b->x;
            y2 = vtx_y(b);
            if (b->layer <= a->layer) {
                y1 = vtx_y(a);
                y2 = vtx_y(b) + NODE_H;
            }
            if (k == 0)
                fprintf(f, "M%.1f %.1f", x1, y1);
            if (a->rule == NONE)
                fprintf(f, "L%.1f %.1f", x1, y1);
            fprintf(f, "C%.1f %.1f %.1f %.1f %.1f %.1f", x1, (y1 + y2) / 2, x2, (y1 + y2) / 2,
                    x2, y2);
        }
        fputs("\" marker-end=\"url(#arr)\"/>\n", f);
    }
    for (i = 0; i < g.nv; i++) {
        const struct vtx *v = &g.v[i];
        struct rrule *ru;
        double x, y = vtx_y(v);
        if (v->rule == NONE)
            continue;
        ru = &R->rules[v->rule];
        x = v->x - NODE_W / 2.0;
        fputs("<g class=\"node\"><title>", f);
        esc(f, ru->name);
        fprintf(f, ": %u done, %u failed, %u other, %u not run</title>"
                   "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"6\" "
                   "stroke=\"#546e7a\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                   "font-weight=\"bold\">",
                ru->ndone, ru->nfailed, ru->nother, ru->nnotrun, rule_class(ru), x, y, NODE_W,
                NODE_H, v->x, y + 19);
        kr_report_escape(f, ru->name, 24);
        fprintf(f, "</text><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%u ok",
                v->x, y + 37, ru->ndone);
        if (ru->nfailed)
            fprintf(f, " / %u failed", ru->nfailed);
        if (ru->nother)
            fprintf(f, " / %u other", ru->nother);
        if (ru->nnotrun)
            fprintf(f, " / %u not run", ru->nnotrun);
        fputs("</text></g>\n", f);
    }
    fputs("</svg></div>\n", f);
    glayout_free(&g);
}

/* One bar of the timeline: an attempt, or a rule's attempts on one lane. */
struct bar {
    double t0, t1;
    uint32_t lane, row, rule, count, att;   /* att NONE for a bucket */
    int state;
};

static int cmp_bar(const void *a, const void *b)
{
    const struct bar *x = a, *y = b;
    if (x->lane != y->lane)
        return x->lane < y->lane ? -1 : 1;
    return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

#define TL_LABEL 170
#define TL_W 900
#define TL_ROW 14

static void section_timeline(struct report *R)
{
    FILE *f = R->f;
    struct bar *bars = NULL;
    uint32_t nbars = 0, i, k, *lane_rows, *lane_y, y = 22;
    double T0 = 0, T1 = 0, *ends = NULL;
    uint32_t capends = 0;
    bool bucket = R->natt > R->o->max_bars;
    double tmax = R->run_end > 0 ? R->run_end : (double)time(NULL);

    fputs("<h2>Timeline</h2>\n", f);
    if (!R->natt) {
        fputs("<p>No job attempts in this run.</p>\n", f);
        return;
    }
    bars = kr_calloc(R->natt, sizeof *bars);
    if (!bucket) {
        for (i = 0; i < R->natt; i++) {
            struct ratt *a = &R->att[i];
            bars[nbars].t0 = a->t0;
            bars[nbars].t1 = a->t1 > 0 ? a->t1 : tmax;
            bars[nbars].lane = a->lane;
            bars[nbars].rule = a->rule;
            bars[nbars].count = 1;
            bars[nbars].att = i;
            bars[nbars].state = a->state;
            nbars++;
        }
    } else {
        /* one bar per (lane, rule): first start to last end */
        uint32_t *slot = kr_calloc((size_t)R->nlanes * R->nrules, sizeof *slot);
        for (i = 0; i < R->natt; i++) {
            struct ratt *a = &R->att[i];
            size_t s = (size_t)a->lane * R->nrules + a->rule;
            double t1 = a->t1 > 0 ? a->t1 : tmax;
            struct bar *b;
            if (!slot[s]) {
                slot[s] = ++nbars;
                b = &bars[nbars - 1];
                b->t0 = a->t0;
                b->t1 = t1;
                b->lane = a->lane;
                b->rule = a->rule;
                b->att = NONE;
                b->state = KR_ATTEMPT_DONE;
            }
            b = &bars[slot[s] - 1];
            b->count++;
            if (a->t0 < b->t0)
                b->t0 = a->t0;
            if (t1 > b->t1)
                b->t1 = t1;
            if (a->state == KR_ATTEMPT_FAILED)
                b->state = KR_ATTEMPT_FAILED;
            else if (a->state != KR_ATTEMPT_DONE && b->state == KR_ATTEMPT_DONE)
                b->state = a->state;
        }
        kr_free(slot);
    }
    for (i = 0; i < nbars; i++) {
        if (!i || bars[i].t0 < T0)
            T0 = bars[i].t0;
        if (!i || bars[i].t1 > T1)
            T1 = bars[i].t1;
    }
    if (T1 <= T0)
        T1 = T0 + 1;
    if (nbars > 1)
        qsort(bars, nbars, sizeof *bars, cmp_bar);
    /* greedy rows per lane: the first row free at the bar's start */
    lane_rows = kr_calloc(R->nlanes + 1, sizeof *lane_rows);
    lane_y = kr_calloc(R->nlanes + 1, sizeof *lane_y);
    for (i = 0; i < nbars; ) {
        uint32_t lane = bars[i].lane, nrows = 0;
        for (; i < nbars && bars[i].lane == lane; i++) {
            for (k = 0; k < nrows && ends[k] > bars[i].t0; k++)
                ;
            if (k == nrows) {
                ends = grow(ends, &capends, nrows + 1, sizeof *ends);
                nrows++;
            }
            ends[k] = bars[i].t1;
            bars[i].row = k;
        }
        lane_rows[lane] = nrows;
    }
    for (i = 0; i < R->nlanes; i++) {
        lane_y[i] = y;
        y += lane_rows[i] * TL_ROW + 8;
    }
    if (bucket)
        fprintf(f, "<p class=\"note\" id=\"timeline-bucketed\">%u attempts: more than %u, so the "
                   "timeline shows one bar per rule and executor/host, from its first start to "
                   "its last end (%u bars).</p>\n", R->natt, R->o->max_bars, nbars);
    fprintf(f, "<p>%u bar%s in %u lane%s (executor @ host), over ", nbars, nbars == 1 ? "" : "s",
            R->nlanes, R->nlanes == 1 ? "" : "s");
    put_dur(f, T1 - T0);
    fputs(". Hover a bar for its job.</p>\n", f);
    fprintf(f, "<div class=\"scroll\"><svg id=\"timeline\" "
               "width=\"%d\" height=\"%u\">\n", TL_LABEL + TL_W + 40, y + 4);
    for (k = 0; k <= 4; k++) {
        double x = TL_LABEL + TL_W * k / 4.0;
        fprintf(f, "<line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"%u\" stroke=\"#e0e0e0\"/>"
                   "<text x=\"%.1f\" y=\"11\" text-anchor=\"middle\">+", x, x, y, x);
        put_dur(f, (T1 - T0) * k / 4.0);
        fputs("</text>\n", f);
    }
    for (i = 0; i < R->nlanes; i++) {
        fprintf(f, "<text x=\"4\" y=\"%u\">", lane_y[i] + 11);
        kr_report_escape(f, R->lanes[i], 26);
        fputs("<title>", f);
        esc(f, R->lanes[i]);
        fputs("</title></text>\n", f);
    }
    for (i = 0; i < nbars; i++) {
        struct bar *b = &bars[i];
        double x = TL_LABEL + (b->t0 - T0) / (T1 - T0) * TL_W;
        double w = (b->t1 - b->t0) / (T1 - T0) * TL_W;
        fprintf(f, "<rect class=\"bar %s\" x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"%d\">"
                   "<title>", state_class(b->state), x, lane_y[b->lane] + b->row * TL_ROW,
                w < 1 ? 1 : w, TL_ROW - 2);
        if (b->att != NONE) {
            struct ratt *a = &R->att[b->att];
            esc(f, a->name);
            fprintf(f, " (attempt %d, %s, ", a->attempt, kr_state_attempt_name(a->state));
        } else {
            esc(f, R->rules[b->rule].name);
            fprintf(f, ": %u attempts (", b->count);
        }
        put_dur(f, b->t1 - b->t0);
        fputs(")</title></rect>\n", f);
    }
    fputs("</svg></div>\n", f);
    kr_free(lane_rows);
    kr_free(lane_y);
    kr_free(ends);
    kr_free(bars);
}

static void section_rules(struct report *R)
{
    FILE *f = R->f;
    uint32_t i;
    fputs("<h2>Rules: runtime and memory</h2>\n<p>Runtime of the attempts that succeeded "
          "(from running to end); CPU and peak resident memory as the executor measured them "
          "(- : not known).</p>\n<table id=\"rules\"><tr><th>rule</th><th>done</th><th>failed"
          "</th><th>other</th><th>not run</th><th>attempts</th><th>runtime min</th><th>median"
          "</th><th>max</th><th>CPU total</th><th>peak memory</th></tr>\n", f);
    for (i = 0; i < R->nrules; i++) {
        struct rrule *ru = &R->rules[i];
        if (!ru->shown)
            continue;
        fputs("<tr><td>", f);
        esc(f, ru->name);
        fprintf(f, "</td><td class=\"n\">%u</td><td class=\"n\">%u</td><td class=\"n\">%u</td>"
                   "<td class=\"n\">%u</td><td class=\"n\">%u</td><td class=\"n\">",
                ru->ndone, ru->nfailed, ru->nother, ru->nnotrun, ru->nattempts);
        put_dur(f, ru->ndurs ? ru->durs[0] : -1);
        fputs("</td><td class=\"n\">", f);
        put_dur(f, !ru->ndurs ? -1 : ru->ndurs % 2 ? ru->durs[ru->ndurs / 2]
                   : (ru->durs[ru->ndurs / 2 - 1] + ru->durs[ru->ndurs / 2]) / 2);
        fputs("</td><td class=\"n\">", f);
        put_dur(f, ru->ndurs ? ru->durs[ru->ndurs - 1] : -1);
        fputs("</td><td class=\"n\">", f);
        put_dur(f, ru->cpu > 0 ? ru->cpu : -1);
        fputs("</td><td class=\"n\">", f);
        put_kb(f, ru->max_rss);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* Why the output was made: from the run's own DAG (krait run --report), else
 * as the attempt journaled it (schema v5; older attempts say "-"). */
static void put_reason(struct report *R, const char *path, const struct ratt *at)
{
    struct kr_file *kf;
    struct kr_job *j;
    if (!R->o->dag || !R->o->dag_is_run) {
        esc(R->f, at->reason ? at->reason : "-");
        return;
    }
    kf = kr_dag_find(R->o->dag, path, strlen(path));
    j = kf ? kf->producer : NULL;
    if (!j || j->reason == KR_REASON_NONE) {
        fputs("-", R->f);
        return;
    }
    esc(R->f, kr_reason_name(j->reason));
    if (j->reason_detail) {
        fputs(": ", R->f);
        esc(R->f, j->reason_detail);
    }
}

static int section_outputs(struct report *R)
{
    FILE *f = R->f;
    struct kr_arena a;
    struct kr_state_output so;
    uint32_t i;
    int rc = KR_OK;

    fprintf(f, "<h2>Outputs and their provenance</h2>\n<p>%llu output%s made by this run.",
            (unsigned long long)R->nouts_total, R->nouts_total == 1 ? "" : "s");
    fputs("</p>\n", f);
    if (R->nouts_total > R->nouts)
        fprintf(f, "<p class=\"note\" id=\"outputs-capped\">Only the first %u of %llu outputs "
                   "are listed (<code>krait status</code> shows any file's provenance).</p>\n",
                R->nouts, (unsigned long long)R->nouts_total);
    if (!R->nouts)
        return KR_OK;
    fputs("<table id=\"outputs\"><tr><th>output</th><th>rule</th><th>reason</th><th>container"
          "</th><th>executor</th><th>host</th><th>external id</th><th>ended</th></tr>\n", f);
    kr_arena_init(&a);
    for (i = 0; i < R->nouts; i++) {
        const char *path = R->outs[i].path;
        const struct ratt *at = &R->att[R->outs[i].att];
        rc = kr_state_output_get(R->st, path, &a, &so, R->err);
        fputs("<tr><td>", f);
        esc(f, path);
        fputs("</td><td>", f);
        esc(f, R->rules[at->rule].name);
        fputs("</td><td>", f);
        put_reason(R, path, at);
        fputs("</td>", f);
        if (rc == KR_OK) {
            fputs("<td>", f);
            esc(f, so.prov.container ? so.prov.container : "-");
            fputs("</td><td>", f);
            esc(f, so.executor ? so.executor : "-");
            fputs("</td><td>", f);
            esc(f, so.host ? so.host : "-");
            fputs("</td><td>", f);
            esc(f, so.ext_id ? so.ext_id : "-");
            fputs("</td><td>", f);
            put_time(f, so.end);
            if (so.attempt_id != at->id)
                fputs(" (since remade)", f);
            fputs("</td></tr>\n", f);
        } else if (rc == KR_NOT_FOUND) {
            fputs("<td colspan=\"5\">no provenance recorded any more</td></tr>\n", f);
        } else {
            break;
        }
        rc = KR_OK;
        if ((i & 255) == 255) {
            kr_arena_free(&a);
            kr_arena_init(&a);
        }
    }
    kr_arena_free(&a);
    fputs("</table>\n", f);
    return rc;
}

/* The last `nlines` lines of a log (at most its last 8 KB), escaped. */
static void put_log_tail(FILE *f, const char *path, int nlines)
{
    char buf[8193];
    const char *start = kr_file_tail(path, nlines, buf, sizeof buf);
    if (!start && errno) {
        fprintf(f, "<p>(log not readable: %s)</p>\n", strerror(errno));
        return;
    }
    if (!start) {
        fputs("<p>(the log is empty)</p>\n", f);
        return;
    }
    fputs("<pre class=\"log\">", f);
    esc(f, start);
    fputs("</pre>\n", f);
}

static void section_failed(struct report *R)
{
    FILE *f = R->f;
    uint32_t i, shown = 0;
    fprintf(f, "<h2>Failed jobs</h2>\n");
    if (!R->nstate[KR_ATTEMPT_FAILED]) {
        fputs("<p>No attempt failed.</p>\n", f);
        return;
    }
    fprintf(f, "<p>%u failed attempt%s.</p>\n", R->nstate[KR_ATTEMPT_FAILED],
            R->nstate[KR_ATTEMPT_FAILED] == 1 ? "" : "s");
    if (R->nstate[KR_ATTEMPT_FAILED] > R->o->max_failed)
        fprintf(f, "<p class=\"note\" id=\"failed-capped\">Only the first %u are shown "
                   "(<code>krait log --run %lld</code> lists them all).</p>\n",
                R->o->max_failed, (long long)R->run_id);
    for (i = 0; i < R->natt && shown < R->o->max_failed; i++) {
        struct ratt *a = &R->att[i];
        if (a->state != KR_ATTEMPT_FAILED)
            continue;
        shown++;
        fputs("<div class=\"failed-job\"><h3>", f);
        esc(f, a->name);
        fprintf(f, " (attempt %d)</h3>\n<p>rule ", a->attempt);
        esc(f, R->rules[a->rule].name);
        if (a->detail) {            /* "exit code 3", "OUT_OF_MEMORY"... */
            fputs(", ", f);
            esc(f, a->detail);
        } else if (a->exit_code >= 0) {
            fprintf(f, ", exit code %d", a->exit_code);
        }
        fputs(", host ", f);
        esc(f, a->host ? a->host : "-");
        fputs(", external id ", f);
        esc(f, a->ext_id ? a->ext_id : "-");
        if (a->log_path) {
            fputs(", log <code>", f);
            esc(f, a->log_path);
            fputs("</code></p>\n", f);
            put_log_tail(f, a->log_path, 20);
        } else {
            fputs(", no log recorded</p>\n", f);
        }
        fputs("</div>\n", f);
    }
}

static int latest_run(void *ctx, const struct kr_state_run *r)
{
    *(int64_t *)ctx = r->id;
    return 0;
}

int kr_report_write(struct kr_state *st, const struct kr_report_opts *opts, FILE *f,
                    struct kr_error *err)
{
    struct report R;
    struct kr_report_opts o = *opts;
    int64_t run_id = o.run_id;
    uint32_t i;
    int rc;

    if (!o.max_bars)
        o.max_bars = 2000;
    if (!o.max_outputs)
        o.max_outputs = 1000;
    if (!o.max_failed)
        o.max_failed = 50;
    memset(&R, 0, sizeof R);
    kr_arena_init(&R.arena);
    R.o = &o;
    R.st = st;
    R.f = f;
    R.err = err;
    if (run_id <= 0) {
        rc = kr_state_runs(st, 1, latest_run, &run_id, err);
        if (rc)
            goto out;
        if (run_id <= 0) {
            rc = kr_error_set(err, KR_NOT_FOUND, "no runs recorded: nothing has run here yet");
            goto out;
        }
    }
    rc = kr_state_run_get(st, run_id, got_run, &R, err);
    if (rc == KR_NOT_FOUND || (!rc && !R.run_id)) {
        rc = kr_error_set(err, KR_NOT_FOUND, "no run %lld", (long long)run_id);
        goto out;
    }
    if (rc)
        goto out;
    rc = kr_state_run_attempts(st, run_id, got_attempt, &R, err);
    if (rc)
        goto out;
    if (o.dag)
        read_dag(&R);
    rc = kr_state_scan_provenance(st, scan_paths, &R, err);
    if (rc == KR_OK)
        rc = kr_state_scan_provenance(st, scan_edges, &R, err);
    if (rc)
        goto out;
    tally(&R);

    page_head(&R);
    section_summary(&R);
    section_graph(&R);
    section_timeline(&R);
    section_rules(&R);
    rc = section_outputs(&R);
    if (rc)
        goto out;
    section_failed(&R);
    fputs("<p id=\"kr-js\" data-errors=\"-1\">script did not run</p>\n</body></html>\n", f);
    if (fflush(f) != 0 || ferror(f))
        rc = kr_error_set(err, KR_EIO, "writing the report: %s", strerror(errno));
out:
    for (i = 0; i < R.nrules; i++)
        kr_free(R.rules[i].durs);
    kr_free(R.rules);
    kr_free(R.att);
    kr_free(R.lanes);
    kr_free(R.job_last);
    kr_free(R.outs);
    kr_free(R.edges);
    kr_free(R.eset.keys);
    sm_free(&R.rule_ix);
    sm_free(&R.lane_ix);
    sm_free(&R.job_ix);
    sm_free(&R.path_rule);
    kr_arena_free(&R.arena);
    return rc;
}
