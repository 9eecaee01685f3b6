/*
 * planner_fixture.h - builds workflows by hand for the planner's unit tests
 * (test_pattern, test_dag), and a link-seam stand-in for the evaluator's
 * per-job functions (kr_wf_resolve, kr_wf_job_info, kr_workflow_rule): the
 * planner's logic is tested on its own here, and with the real evaluator in
 * the end-to-end tests (tests/e2e/t03*.sh). Include in one .c per program.
 *
 * The stand-in formats plain patterns only ({name} replaced by the job's
 * wildcard value; an unknown wildcard is an error, as in the evaluator);
 * params_repr of a rule is whatever fx_set_params stored.
 */
#ifndef KR_PLANNER_FIXTURE_H
#define KR_PLANNER_FIXTURE_H

#include "kr.h"
#include "workflow.h"
#include "dag.h"
#include "value.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FX_MAXRULES 64
#define FX_UNUSED __attribute__((unused))

static const char *fx_params[FX_MAXRULES];

/* Parse "a/{x}.{y,\d+}" into segments (no {{ }} escapes needed here). */
FX_UNUSED static void fx_pat(struct kr_arena *A, const char *text, uint32_t flags, struct kr_pat *p)
{
    struct kr_patseg segs[32];
    uint32_t n = 0;
    const char *s = text;
    memset(p, 0, sizeof *p);
    p->text = kr_arena_strdup(A, text);
    p->flags = flags;
    while (*s) {
        const char *b = strchr(s, '{');
        if (!b) {
            segs[n].text = kr_arena_strdup(A, s);
            segs[n].len = (uint32_t)strlen(s);
            segs[n].is_wildcard = false;
            segs[n++].constraint = NULL;
            break;
        }
        if (b > s) {
            segs[n].text = kr_arena_strndup(A, s, (size_t)(b - s));
            segs[n].len = (uint32_t)(b - s);
            segs[n].is_wildcard = false;
            segs[n++].constraint = NULL;
        }
        {
            /* find the matching brace (regexes may contain {m,n}) */
            const char *e = b + 1, *comma = NULL;
            int depth = 1;
            while (*e && depth) {
                if (*e == '{')
                    depth++;
                else if (*e == '}')
                    depth--;
                else if (*e == ',' && depth == 1 && !comma)
                    comma = e;
                if (depth)
                    e++;
            }
            segs[n].is_wildcard = true;
            segs[n].text = kr_arena_strndup(A, b + 1, (size_t)((comma ? comma : e) - b - 1));
            segs[n].len = (uint32_t)strlen(segs[n].text);
            segs[n].constraint = comma ? kr_arena_strndup(A, comma + 1, (size_t)(e - comma - 1))
                                       : NULL;
            n++;
            p->nwildcards++;
            s = e + 1;
        }
    }
    p->segs = kr_arena_alloc(A, (n ? n : 1) * sizeof *p->segs);
    memcpy(p->segs, segs, n * sizeof *segs);
    p->nsegs = n;
}

/* A list of single-pattern items; "~name" marks ancient() ("ancient:" prefix). */
FX_UNUSED static void fx_list(struct kr_arena *A, struct kr_iolist *l, const char *const *pats)
{
    uint32_t n = 0, i;
    while (pats && pats[n])
        n++;
    l->n = n;
    l->items = kr_arena_zalloc(A, (n ? n : 1) * sizeof *l->items);
    for (i = 0; i < n; i++) {
        const char *t = pats[i];
        uint32_t flags = 0;
        if (!strncmp(t, "ancient:", 8)) {
            flags = KR_F_ANCIENT;
            t += 8;
        }
        l->items[i].pats = kr_arena_alloc(A, sizeof *l->items[i].pats);
        l->items[i].npats = 1;
        fx_pat(A, t, flags, l->items[i].pats);
    }
}

FX_UNUSED static struct kr_workflow *fx_new(void)
{
    struct kr_workflow *wf = kr_calloc(1, sizeof *wf);
    kr_arena_init(&wf->arena);
    wf->rules = kr_arena_zalloc(&wf->arena, FX_MAXRULES * sizeof *wf->rules);
    memset(fx_params, 0, sizeof fx_params);
    return wf;
}

FX_UNUSED static void fx_free(struct kr_workflow *wf)
{
    kr_arena_free(&wf->arena);
    kr_free(wf);
}

/* Add a rule; in/out are NULL-terminated pattern lists (NULL: none). */
FX_UNUSED static struct kr_rule *fx_rule(struct kr_workflow *wf, const char *name, const char *const *in,
                               const char *const *out, const char *shell)
{
    struct kr_rule *r = kr_arena_zalloc(&wf->arena, sizeof *r);
    r->name = kr_arena_strdup(&wf->arena, name);
    r->index = wf->nrules;
    fx_list(&wf->arena, &r->input, in);
    fx_list(&wf->arena, &r->output, out);
    r->shell = shell ? kr_arena_strdup(&wf->arena, shell) : NULL;
    r->code_hash = shell ? kr_hash64(shell, strlen(shell)) : 0;
    wf->rules[wf->nrules++] = r;
    return r;
}

/* Give r params whose canonical repr is `repr` (one plain value, so the
 * planner asks kr_wf_job_info once per rule). */
FX_UNUSED static void fx_set_params(struct kr_workflow *wf, struct kr_rule *r, const char *repr)
{
    fx_params[r->index] = repr;
    r->params = kr_value_named(&wf->arena, "params");
    kr_named_push(&wf->arena, r->params, "k", kr_value_cstr(&wf->arena, repr));
}

FX_UNUSED static void fx_constraint(struct kr_workflow *wf, struct kr_rule *r, const char *name,
                          const char *regex)
{
    struct kr_constraint **v = r ? &r->constraints : &wf->constraints;
    uint32_t *n = r ? &r->nconstraints : &wf->nconstraints;
    struct kr_constraint *nv = kr_arena_alloc(&wf->arena, (*n + 1) * sizeof *nv);
    if (*n)
        memcpy(nv, *v, *n * sizeof *nv);
    nv[*n].name = kr_arena_strdup(&wf->arena, name);
    nv[*n].regex = kr_arena_strdup(&wf->arena, regex);
    *v = nv;
    (*n)++;
}

FX_UNUSED static void fx_ruleorder(struct kr_workflow *wf, const char *const *names)
{
    struct kr_ruleorder *nv = kr_arena_alloc(&wf->arena, (wf->nruleorder + 1) * sizeof *nv);
    uint32_t n = 0;
    while (names[n])
        n++;
    if (wf->nruleorder)
        memcpy(nv, wf->ruleorder, wf->nruleorder * sizeof *nv);
    nv[wf->nruleorder].names = kr_arena_alloc(&wf->arena, n * sizeof(char *));
    memcpy(nv[wf->nruleorder].names, names, n * sizeof(char *));
    nv[wf->nruleorder].n = n;
    wf->ruleorder = nv;
    wf->nruleorder++;
}

/* ---- the evaluator stand-in --------------------------------------------- */

struct kr_rule *kr_workflow_rule(const struct kr_workflow *wf, const char *name)
{
    uint32_t i;
    for (i = 0; i < wf->nrules; i++)
        if (!strcmp(wf->rules[i]->name, name))
            return wf->rules[i];
    return NULL;
}

int kr_wf_resolve(struct kr_workflow *wf, const struct kr_rule *r,
                  const struct kr_iolist *list, const struct kr_wildcards *wc,
                  struct kr_arena *arena, struct kr_iofile **files, uint32_t *nfiles,
                  struct kr_error *err)
{
    uint32_t i, j, k, n = 0, w;
    struct kr_buf b = KR_BUF_INIT;
    (void)wf;
    for (i = 0; i < list->n; i++)
        n += list->items[i].npats;
    *files = kr_arena_alloc(arena, (n ? n : 1) * sizeof **files);
    *nfiles = 0;
    for (i = 0; i < list->n; i++)
        for (j = 0; j < list->items[i].npats; j++) {
            const struct kr_pat *p = &list->items[i].pats[j];
            kr_buf_reset(&b);
            for (k = 0; k < p->nsegs; k++) {
                if (!p->segs[k].is_wildcard) {
                    kr_buf_append(&b, p->segs[k].text, p->segs[k].len);
                    continue;
                }
                for (w = 0; w < wc->n; w++)
                    if (!strcmp(wc->names[w], p->segs[k].text))
                        break;
                if (w == wc->n) {
                    kr_buf_free(&b);
                    return kr_error_set(err, KR_EEVAL,
                                        "wildcards in input files cannot be determined from "
                                        "output files of rule '%s': '%s'",
                                        r->name, p->segs[k].text);
                }
                kr_buf_puts(&b, wc->values[w]);
            }
            (*files)[*nfiles].path = kr_arena_strndup(arena, kr_buf_cstr(&b), b.len);
            (*files)[*nfiles].name = list->items[i].name;
            (*files)[*nfiles].flags = p->flags;
            (*nfiles)++;
        }
    kr_buf_free(&b);
    return KR_OK;
}

int kr_wf_job_info(struct kr_workflow *wf, const struct kr_rule *r,
                   const struct kr_wildcards *wc,
                   const struct kr_iofile *in, uint32_t nin,
                   const struct kr_iofile *out, uint32_t nout,
                   int attempt, int max_cores, bool want_json,
                   const struct kr_wf_resdefaults *defaults,
                   struct kr_arena *arena, struct kr_jobinfo *info,
                   struct kr_error *err)
{
    (void)wf; (void)wc; (void)in; (void)nin; (void)out; (void)nout; (void)attempt;
    (void)max_cores; (void)want_json; (void)defaults; (void)arena; (void)err;
    memset(info, 0, sizeof *info);
    info->threads = 1;
    info->params_repr = r->index < FX_MAXRULES && fx_params[r->index] ? fx_params[r->index] : "";
    return KR_OK;
}

/* ---- files ---------------------------------------------------------------- */

/* Write `text` to path (making parent folders) and set its mtime to t. */
FX_UNUSED static void fx_write(const char *path, const char *text, time_t t)
{
    char dir[512];
    char *slash;
    int fd;
    struct timespec ts[2];
    snprintf(dir, sizeof dir, "%s", path);
    for (slash = strchr(dir, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(dir, 0755);
        *slash = '/';
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (write(fd, text, strlen(text)) < 0)
            perror("write");
        close(fd);
    }
    ts[0].tv_sec = ts[1].tv_sec = t;
    ts[0].tv_nsec = ts[1].tv_nsec = 0;
    utimensat(AT_FDCWD, path, ts, 0);
}

/* A fresh temporary directory, made the current one. */
FX_UNUSED static char *fx_tmpdir(void)
{
    static char tmpl[64];
    snprintf(tmpl, sizeof tmpl, "/tmp/krait-planner-XXXXXX");
    if (!mkdtemp(tmpl) || chdir(tmpl) != 0) {
        perror("mkdtemp");
        exit(99);
    }
    return tmpl;
}

#endif /* KR_PLANNER_FIXTURE_H */
