/*
 * planfmt.c - renders a planned dag: the dry-run listing, explain, and the
 * job and rule graphs (see planfmt.h). Large plans are written with one
 * reused buffer per job, and JSON plans are streamed job by job, so memory
 * stays flat however many jobs there are.
 */
#include "planfmt.h"
#include "dag-int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void kr_planfmt_reason(struct kr_dag *dag, const struct kr_job *j, struct kr_buf *b)
{
    kr_buf_puts(b, kr_reason_name((enum kr_reason)j->reason));
    if (j->reason == KR_REASON_FORCED && !j->reason_detail) {
        kr_buf_puts(b, " (--forceall)");
        return;
    }
    if (!j->reason_detail)
        return;
    kr_buf_printf(b, ": %s", j->reason_detail);
    if (j->reason == KR_REASON_UPSTREAM) {
        struct kr_file *f = kr_dag_find(dag, j->reason_detail, strlen(j->reason_detail));
        if (f && f->producer)
            kr_buf_printf(b, " (job %u, rule %s)", f->producer->id, f->producer->rule->name);
    }
}

static void put_files(struct kr_buf *b, const char *label, const struct kr_iofile *v, uint32_t n)
{
    uint32_t i, k = 0;
    if (!n)
        return;
    kr_buf_printf(b, "    %s:", label);
    for (i = 0; i < n; i++) {
        if (v[i].flags & KR_F_CKPT_DEP)
            continue;
        kr_buf_putc(b, k ? ',' : ' ');
        if (k++)
            kr_buf_putc(b, ' ');
        kr_buf_puts(b, v[i].path);
    }
    kr_buf_putc(b, '\n');
}

static void put_wc(struct kr_buf *b, const struct kr_wildcards *wc)
{
    uint32_t i;
    for (i = 0; i < wc->n; i++)
        kr_buf_printf(b, "%s%s=%s", i ? ", " : "", wc->names[i], wc->values[i]);
}

struct rcount {
    const char *name;
    uint32_t n;
};

static int cmp_rcount(const void *a, const void *b)
{
    return strcmp(((const struct rcount *)a)->name, ((const struct rcount *)b)->name);
}

/* Counts per rule of the jobs in v, sorted by rule name; *nr rows. */
static struct rcount *count_rules(struct kr_dag *dag, struct kr_job **v, uint32_t n, uint32_t *nr)
{
    struct kr_workflow *wf = kr_dag_workflow(dag);
    uint32_t *per = kr_calloc(wf->nrules ? wf->nrules : 1, sizeof *per), i, k = 0;
    struct rcount *rc = kr_calloc(wf->nrules ? wf->nrules : 1, sizeof *rc);
    for (i = 0; i < n; i++)
        if (v[i]->rule->index < wf->nrules)
            per[v[i]->rule->index]++;
    for (i = 0; i < wf->nrules; i++)
        if (per[i]) {
            rc[k].name = wf->rules[i]->name;
            rc[k].n = per[i];
            k++;
        }
    qsort(rc, k, sizeof *rc, cmp_rcount);
    kr_free(per);
    *nr = k;
    return rc;
}

static int print_json(struct kr_dag *dag, FILE *out, bool verbose)
{
    uint32_t n, nall, i, k, nr;
    struct kr_job **run = kr_dag_jobs_to_run(dag, &n);
    struct kr_job **all = kr_dag_jobs(dag, &nall);
    struct kr_job **v = verbose ? all : run;
    uint32_t nv = verbose ? nall : n;
    struct rcount *rc;
    json_t *counts;
    char *s;

    fputs("{\"jobs\": [", out);
    for (i = 0; i < nv; i++) {
        struct kr_job *j = v[i];
        json_t *o = json_object(), *wc = json_object(), *in = json_array(),
               *outs = json_array(), *deps = json_array();
        struct kr_buf b = KR_BUF_INIT;
        for (k = 0; k < j->wc.n; k++)
            json_object_set_new(wc, j->wc.names[k], json_string(j->wc.values[k]));
        for (k = 0; k < j->nin; k++)
            json_array_append_new(in, json_string(j->in[k].path));
        for (k = 0; k < j->nout; k++)
            json_array_append_new(outs, json_string(j->out[k].path));
        for (k = 0; k < j->ndeps; k++)
            json_array_append_new(deps, json_integer(j->deps[k]->id));
        kr_planfmt_reason(dag, j, &b);
        json_object_set_new(o, "id", json_integer(j->id));
        json_object_set_new(o, "rule", json_string(j->rule->name));
        json_object_set_new(o, "wildcards", wc);
        json_object_set_new(o, "input", in);
        json_object_set_new(o, "output", outs);
        json_object_set_new(o, "needs_run", json_boolean(j->needs_run));
        json_object_set_new(o, "reason", json_string(j->needs_run
                                                     ? kr_reason_name((enum kr_reason)j->reason)
                                                     : "up to date"));
        json_object_set_new(o, "reason_detail",
                            j->reason_detail ? json_string(j->reason_detail) : json_null());
        json_object_set_new(o, "reason_text", json_string(kr_buf_cstr(&b)));
        json_object_set_new(o, "deps", deps);
        json_object_set_new(o, "target", json_boolean(j->is_target));
        s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fprintf(out, "%s\n  %s", i ? "," : "", s);
        free(s);
        json_decref(o);
        kr_buf_free(&b);
    }
    rc = count_rules(dag, run, n, &nr);
    counts = json_object();
    for (i = 0; i < nr; i++)
        json_object_set_new(counts, rc[i].name, json_integer(rc[i].n));
    s = json_dumps(counts, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fprintf(out, "\n], \"counts\": %s, \"total\": %u, \"jobs_in_dag\": %u}\n", s, n, nall);
    free(s);
    json_decref(counts);
    kr_free(rc);
    return KR_OK;
}

int kr_planfmt_print(struct kr_dag *dag, FILE *out, enum kr_planfmt_mode mode, bool verbose)
{
    uint32_t n, nall, i, nr, w = 5;
    struct kr_job **run = kr_dag_jobs_to_run(dag, &n);
    struct rcount *rc;
    struct kr_buf b = KR_BUF_INIT;

    kr_dag_jobs(dag, &nall);
    if (mode == KR_PLANFMT_JSON) {
        print_json(dag, out, verbose);
        return ferror(out) ? KR_EIO : KR_OK;
    }
    if (mode == KR_PLANFMT_HUMAN) {
        for (i = 0; i < n; i++) {
            struct kr_job *j = run[i];
            kr_buf_reset(&b);
            kr_buf_printf(&b, "%s %s (job %u%s):\n", j->rule->checkpoint ? "checkpoint" : "rule",
                          j->rule->name, j->id, j->is_target ? ", target" : "");
            if (j->wc.n) {
                kr_buf_puts(&b, "    wildcards: ");
                put_wc(&b, &j->wc);
                kr_buf_putc(&b, '\n');
            }
            if (kr_dag_job_waiting(j))
                kr_buf_puts(&b, "    input: <TBD>\n");   /* known after the checkpoint */
            else
                put_files(&b, "input", j->in, j->nin);
            put_files(&b, "output", j->out, j->nout);
            kr_buf_puts(&b, "    reason: ");
            kr_planfmt_reason(dag, j, &b);
            kr_buf_putc(&b, '\n');
            if (j->rule->checkpoint)
                kr_buf_puts(&b, "DAG of jobs will be updated after completion.\n");
            kr_buf_putc(&b, '\n');
            fwrite(b.data, 1, b.len, out);
        }
    }
    if (n) {
        rc = count_rules(dag, run, n, &nr);
        for (i = 0; i < nr; i++)
            if (strlen(rc[i].name) > w)
                w = (uint32_t)strlen(rc[i].name);
        fprintf(out, "Job counts:\n    %-*s  %7s\n", (int)w, "rule", "count");
        for (i = 0; i < nr; i++)
            fprintf(out, "    %-*s  %7u\n", (int)w, rc[i].name, rc[i].n);
        fprintf(out, "    %-*s  %7u\n\n", (int)w, "total", n);
        kr_free(rc);
        fprintf(out, "%u job%s to run", n, n == 1 ? "" : "s");
        if (verbose)
            fprintf(out, " (%u up to date)", nall - n);
        fputs("\n", out);
        for (i = 0; i < n && !run[i]->rule->checkpoint; i++)
            ;
        if (i < n)
            fputs("The run involves checkpoint jobs, which will result in alteration of the "
                  "DAG of jobs (e.g. adding more jobs) after their completion.\n", out);
    } else {
        fputs("Nothing to be done.\n", out);
    }
    kr_buf_free(&b);
    return ferror(out) ? KR_EIO : KR_OK;
}

/* ---- explain ------------------------------------------------------------- */

int kr_planfmt_explain(struct kr_dag *dag, const char *path, FILE *out, struct kr_error *err)
{
    struct kr_file *f = kr_dag_find(dag, path, strlen(path));
    struct kr_buf b = KR_BUF_INIT;
    uint32_t depth = 0;

    if (!f || (!f->producer && !f->nconsumers))
        return kr_error_set(err, KR_NOT_FOUND, "'%s' is not part of the plan", path);
    while (f) {
        struct kr_job *j = f->producer;
        kr_buf_reset(&b);
        kr_buf_printf(&b, "%*s'%s' ", (int)(2 * depth), "", f->path);
        if (!j) {
            enum kr_stat s = kr_dag_stat(dag, f);
            kr_buf_printf(&b, "is a source file (no rule makes it; %s)\n",
                          s == KR_STAT_MISSING ? "missing" : "present");
            fwrite(b.data, 1, b.len, out);
            break;
        }
        kr_buf_printf(&b, "is made by job %u (rule %s", j->id, j->rule->name);
        if (j->wc.n) {
            kr_buf_puts(&b, ", ");
            put_wc(&b, &j->wc);
        }
        kr_buf_puts(&b, ")");
        if (!j->needs_run) {
            kr_buf_puts(&b, ", which is up to date\n");
            fwrite(b.data, 1, b.len, out);
            break;
        }
        kr_buf_puts(&b, ", which runs: ");
        kr_planfmt_reason(dag, j, &b);
        kr_buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, out);
        depth++;
        if (j->reason == KR_REASON_UPSTREAM && j->reason_detail) {
            f = kr_dag_find(dag, j->reason_detail, strlen(j->reason_detail));
            continue;
        }
        if (j->reason == KR_REASON_INPUT_NEWER && j->reason_detail) {
            struct kr_file *in = kr_dag_find(dag, j->reason_detail, strlen(j->reason_detail));
            kr_buf_reset(&b);
            kr_buf_printf(&b, "%*s'%s' is %s than the output\n", (int)(2 * depth), "",
                          j->reason_detail, in && in->producer ? "newer (made by a rule)"
                                                               : "newer (a source file)");
            fwrite(b.data, 1, b.len, out);
        }
        break;
    }
    kr_buf_free(&b);
    return ferror(out) ? kr_error_set(err, KR_EIO, "write error") : KR_OK;
}

/* ---- graphs --------------------------------------------------------------- */

/* A colour per rule (hue spread as Snakemake does). */
static void rule_colour(const struct kr_rule *r, uint32_t nrules, char *buf, size_t n)
{
    double h = nrules ? (double)r->index / nrules : 0;
    snprintf(buf, n, "%.2f 0.6 0.85", h);
}

static void esc_label(struct kr_buf *b, const char *s, bool html)
{
    for (; *s; s++) {
        if (*s == '"')
            kr_buf_puts(b, html ? "#quot;" : "\\\"");
        else if (*s == '\\')
            kr_buf_puts(b, "\\\\");
        else
            kr_buf_putc(b, *s);
    }
}

static int cmp_edge(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int kr_planfmt_graph(struct kr_dag *dag, FILE *out, const char *format, bool rules,
                     struct kr_error *err)
{
    struct kr_workflow *wf = kr_dag_workflow(dag);
    uint32_t nj, i, k, nnodes = 0;
    struct kr_job **jobs = kr_dag_jobs(dag, &nj);
    uint64_t *edges = NULL;
    size_t nedges = 0, cap = 0, e;
    bool *used = NULL;
    int kind;
    struct kr_buf b = KR_BUF_INIT;

    if (!strcmp(format, "dot"))
        kind = 0;
    else if (!strcmp(format, "mermaid"))
        kind = 1;
    else if (!strcmp(format, "json"))
        kind = 2;
    else
        return kr_error_set(err, KR_EUSAGE,
                            "unknown graph format '%s' (use dot, mermaid or json)", format);
    /* edges: (from << 32 | to), from = dependency */
    for (i = 0; i < nj; i++)
        for (k = 0; k < jobs[i]->ndeps; k++) {
            uint64_t from = rules ? jobs[i]->deps[k]->rule->index : jobs[i]->deps[k]->id;
            uint64_t to = rules ? jobs[i]->rule->index : jobs[i]->id;
            if (nedges == cap) {
                cap = cap ? cap * 2 : 256;
                edges = kr_realloc(edges, cap * sizeof *edges);
            }
            edges[nedges++] = from << 32 | to;
        }
    qsort(edges, nedges, sizeof *edges, cmp_edge);
    if (nedges) {
        size_t m = 1;
        for (e = 1; e < nedges; e++)
            if (edges[e] != edges[m - 1])
                edges[m++] = edges[e];
        nedges = m;
    }
    if (rules) {
        used = kr_calloc(wf->nrules ? wf->nrules : 1, sizeof *used);
        for (i = 0; i < nj; i++)
            used[jobs[i]->rule->index] = true;
    }

    if (kind == 0)
        fputs("digraph krait {\n"
              "    graph[bgcolor=white, margin=0];\n"
              "    node[shape=box, style=rounded, fontname=sans, fontsize=10, penwidth=2];\n"
              "    edge[penwidth=2, color=grey];\n", out);
    else if (kind == 1)
        fputs("flowchart TB\n", out);
    else
        fputs("{\"nodes\": [", out);

    nnodes = rules ? wf->nrules : nj;
    for (i = 0, k = 0; i < nnodes; i++) {
        const struct kr_rule *r = rules ? wf->rules[i] : jobs[i]->rule;
        const struct kr_job *j = rules ? NULL : jobs[i];
        char col[32];
        if (rules && !used[i])
            continue;
        kr_buf_reset(&b);
        if (kind == 2) {
            json_t *o = json_object(), *wc = json_object();
            char *s;
            uint32_t w;
            json_object_set_new(o, "id", json_integer(i));
            json_object_set_new(o, "rule", json_string(r->name));
            if (j) {
                for (w = 0; w < j->wc.n; w++)
                    json_object_set_new(wc, j->wc.names[w], json_string(j->wc.values[w]));
                json_object_set_new(o, "wildcards", wc);
                json_object_set_new(o, "needs_run", json_boolean(j->needs_run));
            } else {
                json_decref(wc);
            }
            s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fprintf(out, "%s\n  %s", k ? "," : "", s);
            free(s);
            json_decref(o);
            k++;
            continue;
        }
        esc_label(&b, r->name, kind == 1);
        if (j) {
            uint32_t w;
            for (w = 0; w < j->wc.n; w++) {
                kr_buf_puts(&b, kind == 1 ? "<br/>" : "\\n");
                esc_label(&b, j->wc.names[w], kind == 1);
                kr_buf_puts(&b, ": ");
                esc_label(&b, j->wc.values[w], kind == 1);
            }
        }
        if (kind == 0) {
            rule_colour(r, wf->nrules, col, sizeof col);
            fprintf(out, "    %u[label = \"%s\", color = \"%s\", style=\"rounded%s\"];\n", i,
                    b.data, col, j && !j->needs_run ? ",dashed" : "");
        } else {
            fprintf(out, "    n%u[\"%s\"]\n", i, b.data);
        }
    }
    if (kind == 2)
        fputs("\n], \"edges\": [", out);
    for (e = 0; e < nedges; e++) {
        uint32_t from = (uint32_t)(edges[e] >> 32), to = (uint32_t)edges[e];
        if (kind == 0)
            fprintf(out, "    %u -> %u\n", from, to);
        else if (kind == 1)
            fprintf(out, "    n%u --> n%u\n", from, to);
        else
            fprintf(out, "%s[%u, %u]", e ? ", " : "", from, to);
    }
    if (kind == 0)
        fputs("}\n", out);
    else if (kind == 2)
        fputs("]}\n", out);
    kr_free(edges);
    kr_free(used);
    kr_buf_free(&b);
    return ferror(out) ? kr_error_set(err, KR_EIO, "write error") : KR_OK;
}
