/*
 * pattern.c - compiles rules' output patterns into anchored PCRE2 regexes
 * and indexes them by literal prefix (see pattern.h).
 *
 * Regex shape for "mapped/{sample}.{ext,bam|cram}":
 *     ^mapped\/(?<k0>(?:.+))\.(?<k1>(?:bam|cram))\z
 * Group names are k<i> with i the wildcard's index in the rule's wildcard
 * list, so a wildcard's user-supplied regex may contain groups of its own;
 * a repeated wildcard becomes \k<ki>. Literal text is escaped byte by byte.
 *
 * Lookup: a path is hashed incrementally; at each distinct literal-prefix
 * length L the hash of path[0:L] selects one bucket of the prefix table,
 * whose patterns are filtered by their literal suffix before the regex runs.
 * So the work per path is O(len + patterns sharing its prefix), not
 * O(rules).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "pattern.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define NONE_ UINT32_MAX

struct rx {
    struct kr_rule *rule;
    const struct kr_pat *p;             /* the pattern compiled */
    uint32_t item, pat;
    bool log;                           /* a log: or benchmark: pattern, not an output */
    pcre2_code *re;
    char *src;
    const char *prefix, *suffix;
    uint32_t plen, slen;
    bool literal;                       /* no wildcard: exact match */
    uint32_t group[KR_PMATCH_MAXWC];    /* capture number of rule wildcard i */
    uint32_t next;                      /* next pattern in the same bucket */
    /* kr_pindex_match_given: each wildcard's own constraint alone, compiled
     * on first use (NULL entries: none); NULL until then */
    pcre2_code **cre;
};

struct rslot {
    struct kr_rule *rule;               /* NULL: not indexed */
    const char **names;
    uint32_t nwc;
    bool has_wc;
    uint32_t rx_first, rx_n;            /* its patterns: outputs, then logs, benchmarks */
};

struct bucket {
    const char *prefix;                 /* NULL: empty slot */
    uint32_t plen;
    uint64_t h;
    uint32_t first;                     /* first rx of the bucket */
};

struct kr_pindex {
    struct kr_workflow *wf;
    struct kr_arena arena;
    struct rx *rx;
    uint32_t nrx;
    struct rslot *slots;                /* by rule->index */
    uint32_t nslots;
    struct bucket *tab;
    uint32_t cap;                       /* power of two */
    uint32_t *plens;                    /* distinct prefix lengths, ascending */
    uint32_t nplens;
    pcre2_match_data *md;
    uint32_t *scratch;                  /* candidate rx ids of one lookup */
    uint32_t nscratch;
};

/* Incremental FNV-1a plus a finaliser; identical for inserts and lookups. */
#define FNV_SEED 0xcbf29ce484222325ULL
static inline uint64_t fnv_step(uint64_t h, unsigned char c)
{
    return (h ^ c) * 0x100000001b3ULL;
}
static inline uint64_t fnv_final(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}
static uint64_t hash_prefix(const char *s, uint32_t n)
{
    uint64_t h = FNV_SEED;
    uint32_t i;
    for (i = 0; i < n; i++)
        h = fnv_step(h, (unsigned char)s[i]);
    return fnv_final(h);
}

static bool name_in(const char *name, const char *const *names, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

/* The constraint of a wildcard segment: inline, the rule's, the workflow's;
 * NULL when it has none. */
static const char *own_constraint(const struct kr_workflow *wf, const struct kr_rule *r,
                                  const struct kr_patseg *seg)
{
    uint32_t i;
    if (seg->constraint)
        return seg->constraint;
    for (i = 0; i < r->nconstraints; i++)
        if (!strcmp(r->constraints[i].name, seg->text))
            return r->constraints[i].regex;
    for (i = 0; i < wf->nconstraints; i++)
        if (!strcmp(wf->constraints[i].name, seg->text))
            return wf->constraints[i].regex;
    return NULL;
}

static const char *constraint_for(const struct kr_workflow *wf, const struct kr_rule *r,
                                  const struct kr_patseg *seg)
{
    const char *c = own_constraint(wf, r, seg);
    return c ? c : ".+";
}

static int wc_index(const struct rslot *s, const char *name)
{
    uint32_t i;
    for (i = 0; i < s->nwc; i++)
        if (!strcmp(s->names[i], name))
            return (int)i;
    return -1;
}

static void escape_literal(struct kr_buf *b, const char *s, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 128 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                         (c >= 'A' && c <= 'Z') || c == '_' || c == '/' || c == '-'))
            kr_buf_putc(b, '\\');
        kr_buf_putc(b, (char)c);
    }
}

/* Collect the rule's wildcard names over all output patterns and check that
 * every pattern has all of them (Snakemake's rule). */
static int collect_names(struct kr_pindex *ix, struct kr_rule *r, struct rslot *s,
                         struct kr_error *err)
{
    const char *names[KR_PMATCH_MAXWC];
    uint32_t n = 0, i, j, k;
    for (i = 0; i < r->output.n; i++)
        for (j = 0; j < r->output.items[i].npats; j++) {
            const struct kr_pat *p = &r->output.items[i].pats[j];
            for (k = 0; k < p->nsegs; k++) {
                const struct kr_patseg *g = &p->segs[k];
                if (!g->is_wildcard || name_in(g->text, names, n))
                    continue;
                if (n == KR_PMATCH_MAXWC)
                    return kr_error_set(err, KR_EPLAN,
                                        "rule '%s' has more than %d wildcards in its output",
                                        r->name, KR_PMATCH_MAXWC);
                names[n++] = g->text;
            }
        }
    for (i = 0; i < r->output.n; i++)
        for (j = 0; j < r->output.items[i].npats; j++) {
            const struct kr_pat *p = &r->output.items[i].pats[j];
            for (k = 0; k < n; k++) {
                uint32_t m;
                bool found = false;
                for (m = 0; m < p->nsegs && !found; m++)
                    found = p->segs[m].is_wildcard && !strcmp(p->segs[m].text, names[k]);
                if (!found)
                    return kr_error_set(err, KR_EPLAN,
                                        "not all output files of rule '%s' contain the same "
                                        "wildcards: '%s' lacks {%s}",
                                        r->name, p->text, names[k]);
            }
        }
    s->rule = r;
    s->nwc = n;
    s->has_wc = n > 0;
    s->names = kr_arena_alloc(&ix->arena, (n ? n : 1) * sizeof *s->names);
    memcpy(s->names, names, n * sizeof *names);
    return KR_OK;
}

static int compile_pat(struct kr_pindex *ix, struct kr_workflow *wf, struct rslot *s,
                       const struct kr_iolist *list, uint32_t item, uint32_t pi, struct rx *x,
                       struct kr_error *err)
{
    const struct kr_pat *p = &list->items[item].pats[pi];
    struct kr_buf re = KR_BUF_INIT, pre = KR_BUF_INIT, suf = KR_BUF_INIT;
    bool seen[KR_PMATCH_MAXWC] = { false };
    uint32_t k, first_wc = NONE_, last_wc = NONE_;
    int errcode, rc = KR_OK;
    PCRE2_SIZE erroff;

    memset(x, 0, sizeof *x);
    x->rule = s->rule;
    x->p = p;
    x->log = list != &s->rule->output;
    x->item = item;
    x->pat = pi;
    x->next = NONE_;
    for (k = 0; k < p->nsegs; k++)
        if (p->segs[k].is_wildcard) {
            if (first_wc == NONE_)
                first_wc = k;
            last_wc = k;
        }
    kr_buf_putc(&re, '^');
    for (k = 0; k < p->nsegs; k++) {
        const struct kr_patseg *g = &p->segs[k];
        if (!g->is_wildcard) {
            escape_literal(&re, g->text, g->len);
            if (first_wc == NONE_ || k < first_wc)
                kr_buf_append(&pre, g->text, g->len);
            else if (k > last_wc)
                kr_buf_append(&suf, g->text, g->len);
            continue;
        }
        int w = wc_index(s, g->text);
        if (seen[w]) {
            kr_buf_printf(&re, "\\k<k%d>", w);
        } else {
            seen[w] = true;
            kr_buf_printf(&re, "(?<k%d>(?:%s))", w, constraint_for(wf, s->rule, g));
        }
    }
    kr_buf_puts(&re, "\\z");
    x->src = kr_arena_strndup(&ix->arena, re.data, re.len);
    x->prefix = kr_arena_strndup(&ix->arena, kr_buf_cstr(&pre), pre.len);
    x->plen = (uint32_t)pre.len;
    x->suffix = kr_arena_strndup(&ix->arena, kr_buf_cstr(&suf), suf.len);
    x->slen = (uint32_t)suf.len;
    x->literal = first_wc == NONE_;
    x->re = pcre2_compile((PCRE2_SPTR)x->src, re.len, 0, &errcode, &erroff, NULL);
    if (!x->re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        rc = kr_error_set(err, KR_EPLAN,
                          "rule '%s': output pattern '%s': bad wildcard regex: %s "
                          "(in '%s' at offset %zu)",
                          s->rule->name, p->text, (const char *)msg, x->src, (size_t)erroff);
        goto out;
    }
    pcre2_jit_compile(x->re, PCRE2_JIT_COMPLETE);   /* falls back to the interpreter */
    for (k = 0; k < s->nwc; k++) {
        char gname[16];
        int num;
        snprintf(gname, sizeof gname, "k%u", k);
        num = pcre2_substring_number_from_name(x->re, (PCRE2_SPTR)gname);
        x->group[k] = num > 0 ? (uint32_t)num : 0;
    }
out:
    kr_buf_free(&re);
    kr_buf_free(&pre);
    kr_buf_free(&suf);
    return rc;
}

static struct bucket *bucket_find(struct kr_pindex *ix, const char *prefix, uint32_t plen,
                                  uint64_t h)
{
    uint32_t i = (uint32_t)h & (ix->cap - 1);
    for (;;) {
        struct bucket *b = &ix->tab[i];
        if (!b->prefix)
            return b;
        if (b->h == h && b->plen == plen && !memcmp(b->prefix, prefix, plen))
            return b;
        i = (i + 1) & (ix->cap - 1);
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Whether a log:/benchmark: item can be indexed as a product: given as
 * patterns (not a function) whose wildcards are all the outputs' (the job
 * must be found from its path alone). */
static bool product_indexable(const struct rslot *s, const struct kr_ioitem *it)
{
    uint32_t k, g;
    if (it->fn)
        return false;
    for (k = 0; k < it->npats; k++)
        for (g = 0; g < it->pats[k].nsegs; g++)
            if (it->pats[k].segs[g].is_wildcard && wc_index(s, it->pats[k].segs[g].text) < 0)
                return false;
    return true;
}

int kr_pindex_new(struct kr_workflow *wf, const char *const *allowed, uint32_t nallowed,
                  struct kr_pindex **out, struct kr_error *err)
{
    struct kr_pindex *ix = kr_calloc(1, sizeof *ix);
    uint32_t i, j, k, n = 0, maxgroups = 1;
    int rc = KR_OK;

    *out = NULL;
    ix->wf = wf;
    kr_arena_init(&ix->arena);
    ix->nslots = wf->nrules;
    ix->slots = kr_calloc(wf->nrules ? wf->nrules : 1, sizeof *ix->slots);
    for (i = 0; i < wf->nrules; i++) {
        struct kr_rule *r = wf->rules[i];
        if (nallowed && !name_in(r->name, allowed, nallowed))
            continue;
        for (j = 0; j < r->output.n; j++)
            n += r->output.items[j].npats;
        for (j = 0; j < r->log.n; j++)
            n += r->log.items[j].npats;
        for (j = 0; j < r->benchmark.n; j++)
            n += r->benchmark.items[j].npats;
    }
    ix->rx = kr_calloc(n ? n : 1, sizeof *ix->rx);
    for (i = 0; i < wf->nrules; i++) {
        struct kr_rule *r = wf->rules[i];
        struct rslot *s;
        if (r->index >= ix->nslots)
            continue;   /* the model guarantees index < nrules */
        s = &ix->slots[r->index];
        if (nallowed && !name_in(r->name, allowed, nallowed))
            continue;
        if (r->output.n == 0)
            continue;
        rc = collect_names(ix, r, s, err);
        if (rc)
            goto out;
        s->rx_first = ix->nrx;
        /* outputs, then (Snakemake's products) log and benchmark files: a
         * rule makes those too, so another rule may take them as input */
        for (j = 0; j < r->output.n + r->log.n + r->benchmark.n; j++) {
            const struct kr_iolist *list = j < r->output.n ? &r->output
                                         : j < r->output.n + r->log.n ? &r->log : &r->benchmark;
            uint32_t item = list == &r->output ? j
                          : list == &r->log ? j - r->output.n : j - r->output.n - r->log.n;
            if (list != &r->output && !product_indexable(s, &list->items[item]))
                continue;
            for (k = 0; k < list->items[item].npats; k++) {
                uint32_t cap;
                rc = compile_pat(ix, wf, s, list, item, k, &ix->rx[ix->nrx], err);
                if (rc) {
                    if (ix->rx[ix->nrx].re)
                        pcre2_code_free(ix->rx[ix->nrx].re);
                    goto out;
                }
                pcre2_pattern_info(ix->rx[ix->nrx].re, PCRE2_INFO_CAPTURECOUNT, &cap);
                if (cap + 1 > maxgroups)
                    maxgroups = cap + 1;
                ix->nrx++;
            }
        }
        s->rx_n = ix->nrx - s->rx_first;
    }
    /* prefix table: at most half full */
    for (ix->cap = 16; ix->cap < 2 * ix->nrx + 2; ix->cap *= 2)
        ;
    ix->tab = kr_calloc(ix->cap, sizeof *ix->tab);
    ix->plens = kr_calloc(ix->nrx ? ix->nrx : 1, sizeof *ix->plens);
    /* insert in reverse so each bucket's chain is in definition order */
    for (i = ix->nrx; i-- > 0;) {
        struct rx *x = &ix->rx[i];
        uint64_t h = hash_prefix(x->prefix, x->plen);
        struct bucket *b = bucket_find(ix, x->prefix, x->plen, h);
        if (!b->prefix) {
            b->prefix = x->prefix;
            b->plen = x->plen;
            b->h = h;
            b->first = NONE_;
            ix->plens[ix->nplens++] = x->plen;
        }
        x->next = b->first;
        b->first = i;
    }
    qsort(ix->plens, ix->nplens, sizeof *ix->plens, cmp_u32);
    for (i = 1, j = ix->nplens ? 1 : 0; i < ix->nplens; i++)
        if (ix->plens[i] != ix->plens[j - 1])
            ix->plens[j++] = ix->plens[i];
    ix->nplens = j;
    ix->md = pcre2_match_data_create(maxgroups, NULL);
    ix->scratch = kr_malloc((ix->nrx ? ix->nrx : 1) * sizeof *ix->scratch);
out:
    if (rc) {
        kr_pindex_free(ix);
        return rc;
    }
    *out = ix;
    return KR_OK;
}

void kr_pindex_free(struct kr_pindex *ix)
{
    uint32_t i;
    if (!ix)
        return;
    for (i = 0; i < ix->nrx; i++) {
        pcre2_code_free(ix->rx[i].re);
        if (ix->rx[i].cre) {
            uint32_t k;
            for (k = 0; k < ix->slots[ix->rx[i].rule->index].nwc; k++)
                pcre2_code_free(ix->rx[i].cre[k]);
            kr_free(ix->rx[i].cre);
        }
    }
    if (ix->md)
        pcre2_match_data_free(ix->md);
    kr_free(ix->rx);
    kr_free(ix->slots);
    kr_free(ix->tab);
    kr_free(ix->plens);
    kr_free(ix->scratch);
    kr_arena_free(&ix->arena);
    kr_free(ix);
}

static bool try_rx(struct kr_pindex *ix, const struct rx *x, const char *path, size_t len,
                   struct kr_pmatch *m)
{
    const struct rslot *s = &ix->slots[x->rule->index];
    PCRE2_SIZE *ov;
    uint32_t k;
    if (x->literal) {
        if (len != x->plen)
            return false;
    } else {
        if (len < (size_t)x->plen + x->slen)
            return false;
        if (x->slen && memcmp(path + len - x->slen, x->suffix, x->slen))
            return false;
    }
    if (pcre2_match(x->re, (PCRE2_SPTR)path, len, 0, 0, ix->md, NULL) < 0)
        return false;
    ov = pcre2_get_ovector_pointer(ix->md);
    m->rule = x->rule;
    m->log = x->log;
    m->nwc = s->nwc;
    for (k = 0; k < s->nwc; k++) {
        uint32_t g = x->group[k];
        m->off[k] = (uint32_t)ov[2 * g];
        m->len[k] = (uint32_t)(ov[2 * g + 1] - ov[2 * g]);
    }
    return true;
}

uint32_t kr_pindex_match(struct kr_pindex *ix, const char *path, size_t len,
                         struct kr_pmatch *out, uint32_t max)
{
    uint64_t h = FNV_SEED;
    uint32_t li = 0, ncand = 0, nmatch = 0, i;
    size_t pos = 0;
    struct kr_rule *last = NULL;

    if (!ix->nrx)
        return 0;
    /* gather candidate patterns by literal prefix */
    for (li = 0; li < ix->nplens; li++) {
        uint32_t L = ix->plens[li];
        struct bucket *b;
        if (L > len)
            break;
        for (; pos < L; pos++)
            h = fnv_step(h, (unsigned char)path[pos]);
        b = bucket_find(ix, path, L, fnv_final(h));
        if (!b->prefix)
            continue;
        for (i = b->first; i != NONE_; i = ix->rx[i].next)
            ix->scratch[ncand++] = i;
    }
    if (ncand > 1)
        qsort(ix->scratch, ncand, sizeof *ix->scratch, cmp_u32);
    for (i = 0; i < ncand; i++) {
        const struct rx *x = &ix->rx[ix->scratch[i]];
        struct kr_pmatch tmp, *m;
        if (x->rule == last)
            continue;       /* one match per rule: its first pattern */
        m = nmatch < max ? &out[nmatch] : &tmp;
        if (!try_rx(ix, x, path, len, m))
            continue;
        last = x->rule;
        nmatch++;
    }
    return nmatch;
}

/* Does wildcard k's own constraint in pattern x accept `v` the way
 * Snakemake checks it (re.match: anchored at the start only)? A constraint
 * that does not compile alone accepts (the pattern's regex compiled). */
static bool constraint_ok(struct kr_pindex *ix, struct rx *x, uint32_t k, const char *v,
                          size_t vlen)
{
    const struct rslot *s = &ix->slots[x->rule->index];
    uint32_t g, i;
    if (!x->cre) {
        x->cre = kr_calloc(s->nwc ? s->nwc : 1, sizeof *x->cre);
        for (i = 0; i < s->nwc; i++)
            for (g = 0; g < x->p->nsegs; g++) {
                const struct kr_patseg *sg = &x->p->segs[g];
                const char *c;
                int errcode;
                PCRE2_SIZE erroff;
                if (!sg->is_wildcard || strcmp(sg->text, s->names[i]))
                    continue;
                c = own_constraint(ix->wf, x->rule, sg);
                if (c)
                    x->cre[i] = pcre2_compile((PCRE2_SPTR)c, PCRE2_ZERO_TERMINATED,
                                              PCRE2_ANCHORED, &errcode, &erroff, NULL);
                break;
            }
    }
    return !x->cre[k] || pcre2_match(x->cre[k], (PCRE2_SPTR)v, vlen, 0, 0, ix->md, NULL) >= 0;
}

bool kr_pindex_match_given(struct kr_pindex *ix, const char *path, size_t len,
                           const struct kr_wildcards *given, struct kr_pmatch *m)
{
    const struct rslot *s;
    const char *val[KR_PMATCH_MAXWC];
    size_t vlen[KR_PMATCH_MAXWC];
    uint32_t k, w, i, g;
    if (!given || !m->rule || m->rule->index >= ix->nslots)
        return false;
    s = &ix->slots[m->rule->index];
    if (s->rule != m->rule || !s->nwc || given->n < s->nwc)
        return false;
    for (k = 0; k < s->nwc; k++) {
        for (w = 0; w < given->n; w++)
            if (given->names[w] == s->names[k] || !strcmp(given->names[w], s->names[k]))
                break;
        if (w == given->n)
            return false;   /* a wildcard the consumer has not */
        val[k] = given->values[w];
        vlen[k] = strlen(val[k]);
    }
    for (k = 0; k < s->nwc; k++)
        if (m->len[k] != vlen[k] || memcmp(path + m->off[k], val[k], vlen[k]))
            break;
    if (k == s->nwc)
        return false;       /* the regex found the same values (the usual case) */
    for (i = s->rx_first; i < s->rx_first + s->rx_n; i++) {
        struct rx *x = &ix->rx[i];
        uint32_t off[KR_PMATCH_MAXWC];
        bool seen[KR_PMATCH_MAXWC] = { false };
        size_t pos = 0;
        bool same = true;
        for (g = 0; g < x->p->nsegs && same; g++) {
            const struct kr_patseg *sg = &x->p->segs[g];
            const char *t = sg->text;
            size_t tl = sg->len;
            if (sg->is_wildcard) {
                int wi = wc_index(s, sg->text);
                if (wi < 0)
                    return false;   /* cannot happen: the index checked it */
                t = val[wi];
                tl = vlen[wi];
                off[wi] = (uint32_t)pos;
                seen[wi] = true;
            }
            same = pos + tl <= len && !memcmp(path + pos, t, tl);
            pos += tl;
        }
        if (!same || pos != len)
            continue;
        for (k = 0; k < s->nwc && seen[k]; k++)
            ;
        if (k < s->nwc)
            continue;   /* a log naming fewer wildcards: the job's values are in the path */
        for (k = 0; k < s->nwc && constraint_ok(ix, x, k, val[k], vlen[k]); k++)
            ;
        if (k < s->nwc)
            continue;
        m->log = x->log;
        m->nwc = s->nwc;
        for (k = 0; k < s->nwc; k++) {
            m->off[k] = off[k];
            m->len[k] = (uint32_t)vlen[k];
        }
        return true;
    }
    return false;
}

const char *const *kr_pindex_wcnames(const struct kr_pindex *ix, const struct kr_rule *r,
                                     uint32_t *n)
{
    const struct rslot *s = r->index < ix->nslots ? &ix->slots[r->index] : NULL;
    if (!s || s->rule != r) {
        *n = 0;
        return NULL;
    }
    *n = s->nwc;
    return s->names;
}

bool kr_pindex_has_wildcards(const struct kr_pindex *ix, const struct kr_rule *r)
{
    return r->index < ix->nslots && ix->slots[r->index].rule == r &&
           ix->slots[r->index].has_wc;
}

bool kr_pindex_has_rule(const struct kr_pindex *ix, const struct kr_rule *r)
{
    return r->index < ix->nslots && ix->slots[r->index].rule == r;
}

const char *kr_pindex_regex(const struct kr_pindex *ix, const struct kr_rule *r,
                            uint32_t item, uint32_t pat)
{
    uint32_t i;
    for (i = 0; i < ix->nrx; i++)
        if (ix->rx[i].rule == r && !ix->rx[i].log && ix->rx[i].item == item &&
            ix->rx[i].pat == pat)
            return ix->rx[i].src;
    return NULL;
}
