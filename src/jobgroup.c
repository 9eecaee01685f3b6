/*
 * jobgroup.c - pipe and service groups of a run (see jobgroup.h): a
 * union-find over the edges from a pipe()/service() output to the jobs of
 * the run that read it, then a circular member list per group.
 */
#include "jobgroup.h"
#include "workflow.h"

#include <string.h>

static uint32_t find(uint32_t *up, uint32_t x)
{
    uint32_t r = x, t;
    while (up[r] != r)
        r = up[r];
    while (up[x] != r) {    /* path compression */
        t = up[x];
        up[x] = r;
        x = t;
    }
    return r;
}

/* The lower root becomes the root, so a group's root is its lowest id. */
static void unite(uint32_t *up, uint32_t a, uint32_t b)
{
    a = find(up, a);
    b = find(up, b);
    if (a < b)
        up[b] = a;
    else if (b < a)
        up[a] = b;
}

/* Whether job c reads file f (not as before_update(), which takes the file
 * as it is and makes no edge). */
static bool reads(const struct kr_job *c, const struct kr_file *f)
{
    uint32_t m;
    for (m = 0; m < c->nin; m++)
        if (c->infiles[m] == f && !(c->in[m].flags & KR_F_BEFORE_UPDATE))
            return true;
    return false;
}

void kr_jgroups_build(struct kr_jgroups *g, uint32_t nall, struct kr_job *const *run,
                      uint32_t nrun)
{
    uint32_t i, k, c, id, r;
    uint32_t *up = NULL;

    memset(g, 0, sizeof *g);
    for (i = 0; i < nrun; i++) {
        const struct kr_job *j = run[i];
        for (k = 0; k < j->nout; k++) {
            if (!(j->out[k].flags & (KR_F_PIPE | KR_F_SERVICE)))
                continue;
            for (c = 0; c < j->nrdeps; c++) {
                const struct kr_job *cj = j->rdeps[c];
                if (!cj->needs_run || !reads(cj, j->outfiles[k]))
                    continue;
                if (!up) {
                    up = kr_malloc(nall * sizeof *up);
                    for (id = 0; id < nall; id++)
                        up[id] = id;
                }
                unite(up, j->id, cj->id);
                if (j->out[k].flags & KR_F_SERVICE)
                    g->service = true;
            }
        }
    }
    if (!up)
        return;
    g->lead = up;
    g->next = kr_malloc(nall * sizeof *g->next);
    for (id = 0; id < nall; id++)
        g->next[id] = id;
    for (id = 0; id < nall; id++) {
        r = find(up, id);
        if (r == id)
            continue;
        if (g->next[r] == r)
            g->ngroups++;
        g->next[id] = g->next[r];   /* insert after the leader */
        g->next[r] = id;
    }
}

uint32_t kr_jgroups_size(const struct kr_jgroups *g, uint32_t id)
{
    uint32_t n = 1, m;
    if (!g->lead)
        return 1;
    for (m = g->next[id]; m != id; m = g->next[m])
        n++;
    return n;
}

void kr_jgroups_free(struct kr_jgroups *g)
{
    kr_free(g->lead);
    kr_free(g->next);
    memset(g, 0, sizeof *g);
}
