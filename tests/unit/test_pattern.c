/*
 * test_pattern.c - the output-pattern regexes and the rule index: the regex
 * compiled for a pattern, constraint precedence (inline > rule > global >
 * ".+"), repeated wildcards, literal prefix/suffix filtering, one match per
 * rule in definition order, and the errors for mismatched wildcards and bad
 * constraint regexes.
 */
#include "pattern.h"
#include "tap.h"
#include "planner_fixture.h"

static const char *O(const char *a) { return a; }

/* wildcard value k of match m over path */
static char *val(const char *path, const struct kr_pmatch *m, uint32_t k)
{
    static char buf[8][128];
    snprintf(buf[k % 8], sizeof buf[0], "%.*s", (int)m->len[k], path + m->off[k]);
    return buf[k % 8];
}

int main(void)
{
    struct kr_workflow *wf = fx_new();
    struct kr_pindex *ix = NULL;
    struct kr_pmatch m[8];
    struct kr_error err;
    const char *p;
    uint32_t n, nw;
    const char *const *names;
    struct kr_rule *map, *call, *lit, *num, *twice;

    map = fx_rule(wf, "map", (const char *[]){"raw/{sample}.fq", NULL},
                  (const char *[]){"mapped/{sample}.bam", NULL}, "x");
    call = fx_rule(wf, "call", (const char *[]){"mapped/{sample}.bam", NULL},
                   (const char *[]){"calls/{sample}.{caller}.vcf", NULL}, "x");
    lit = fx_rule(wf, "lit", NULL, (const char *[]){"calls/special.gatk.vcf", NULL}, "x");
    num = fx_rule(wf, "num", NULL, (const char *[]){"n/{i,\\d{2}}.txt", NULL}, "x");
    twice = fx_rule(wf, "twice", NULL, (const char *[]){"t/{a}/{a}.txt", NULL}, "x");
    fx_constraint(wf, call, "caller", "gatk|bcftools");
    fx_constraint(wf, NULL, "sample", "[A-Z][a-z]*");
    fx_constraint(wf, NULL, "caller", "NEVER");
    (void)O;

    kr_error_clear(&err);
    is_int(kr_pindex_new(wf, NULL, 0, &ix, &err), KR_OK, "index builds");

    is_str(kr_pindex_regex(ix, map, 0, 0), "^mapped/(?<k0>(?:[A-Z][a-z]*))\\.bam\\z",
           "regex: global constraint, escaped dot, anchored");
    is_str(kr_pindex_regex(ix, call, 0, 0),
           "^calls/(?<k0>(?:[A-Z][a-z]*))\\.(?<k1>(?:gatk|bcftools))\\.vcf\\z",
           "regex: rule constraint wins over global");
    is_str(kr_pindex_regex(ix, num, 0, 0), "^n/(?<k0>(?:\\d{2}))\\.txt\\z",
           "regex: inline constraint with braces");
    is_str(kr_pindex_regex(ix, twice, 0, 0), "^t/(?<k0>(?:.+))/\\k<k0>\\.txt\\z",
           "regex: repeated wildcard is a backreference");

    p = "mapped/Alpha.bam";
    n = kr_pindex_match(ix, p, strlen(p), m, 8);
    is_int(n, 1, "mapped/Alpha.bam: one candidate");
    ok(n == 1 && m[0].rule == map, "... rule map");
    is_str(val(p, &m[0], 0), "Alpha", "... sample=Alpha");

    p = "mapped/alpha.bam";
    is_int(kr_pindex_match(ix, p, strlen(p), m, 8), 0, "global constraint rejects lowercase");

    p = "calls/Bob.gatk.vcf";
    n = kr_pindex_match(ix, p, strlen(p), m, 8);
    ok(n == 1 && m[0].rule == call, "calls/Bob.gatk.vcf: rule call");
    is_str(val(p, &m[0], 1), "gatk", "... caller=gatk");
    names = kr_pindex_wcnames(ix, call, &nw);
    ok(nw == 2 && !strcmp(names[0], "sample") && !strcmp(names[1], "caller"),
       "wildcard names in pattern order");

    p = "calls/Bob.other.vcf";
    is_int(kr_pindex_match(ix, p, strlen(p), m, 8), 0, "rule constraint rejects other caller");

    p = "calls/special.gatk.vcf";
    n = kr_pindex_match(ix, p, strlen(p), m, 8);
    is_int(n, 1, "literal pattern matches exactly; call's sample constraint excludes it");
    ok(n >= 1 && m[0].rule == lit, "... the literal rule");
    ok(!kr_pindex_has_wildcards(ix, lit) && kr_pindex_has_wildcards(ix, call),
       "has_wildcards");

    p = "calls/special.gatk.vcf.gz";
    is_int(kr_pindex_match(ix, p, strlen(p), m, 8), 0, "literal pattern: no prefix match");

    p = "n/42.txt";
    n = kr_pindex_match(ix, p, strlen(p), m, 8);
    ok(n == 1 && m[0].rule == num && !strcmp(val(p, &m[0], 0), "42"), "inline \\d{2} matches 42");
    p = "n/421.txt";
    is_int(kr_pindex_match(ix, p, strlen(p), m, 8), 0, "inline \\d{2} rejects 421");

    p = "t/x/x.txt";
    is_int(kr_pindex_match(ix, p, strlen(p), m, 8), 1, "repeated wildcard, equal text");
    p = "t/x/y.txt";
    is_int(kr_pindex_match(ix, p, strlen(p), m, 8), 0, "repeated wildcard, different text");

    p = "elsewhere/x.bam";
    is_int(kr_pindex_match(ix, p, strlen(p), m, 8), 0, "no rule for an unrelated path");
    kr_pindex_free(ix);

    /* several rules on one path: all, in definition order, one per rule */
    {
        struct kr_workflow *w2 = fx_new();
        struct kr_rule *a, *b, *c;
        a = fx_rule(w2, "a", NULL, (const char *[]){"{x}.txt", "{x}.log", NULL}, "x");
        b = fx_rule(w2, "b", NULL, (const char *[]){"out/{x}.txt", NULL}, "x");
        c = fx_rule(w2, "c", NULL, (const char *[]){"{d}/{x}.txt", NULL}, "x");
        is_int(kr_pindex_new(w2, NULL, 0, &ix, &err), KR_OK, "second index");
        p = "out/q.txt";
        n = kr_pindex_match(ix, p, strlen(p), m, 8);
        ok(n == 3 && m[0].rule == a && m[1].rule == b && m[2].rule == c,
           "three candidates in definition order");
        is_str(val(p, &m[0], 0), "out/q", "a: x=out/q");
        n = kr_pindex_match(ix, p, strlen(p), m, 1);
        is_int(n, 3, "max=1 still counts all matches");
        kr_pindex_free(ix);

        /* --allowed-rules */
        {
            const char *allowed[] = {"b"};
            is_int(kr_pindex_new(w2, allowed, 1, &ix, &err), KR_OK, "index of allowed rules");
            n = kr_pindex_match(ix, p, strlen(p), m, 8);
            ok(n == 1 && m[0].rule == b, "only the allowed rule matches");
            kr_pindex_free(ix);
        }
        fx_free(w2);
    }

    /* errors */
    {
        struct kr_workflow *w3 = fx_new();
        fx_rule(w3, "bad", NULL, (const char *[]){"{x}.txt", "{y}.log", NULL}, "x");
        kr_error_clear(&err);
        is_int(kr_pindex_new(w3, NULL, 0, &ix, &err), KR_EPLAN, "outputs with different wildcards");
        is_str(err.msg, "not all output files of rule 'bad' contain the same wildcards: "
                        "'{x}.txt' lacks {y}", "... message");
        fx_free(w3);
        w3 = fx_new();
        fx_rule(w3, "badre", NULL, (const char *[]){"{x,[a-}.txt", NULL}, "x");
        kr_error_clear(&err);
        is_int(kr_pindex_new(w3, NULL, 0, &ix, &err), KR_EPLAN, "bad constraint regex");
        ok(strstr(err.msg, "rule 'badre': output pattern '{x,[a-}.txt': bad wildcard regex") != NULL,
           "... message names rule and pattern");
        fx_free(w3);
    }

    /* many rules: lookups touch only same-prefix buckets */
    {
        struct kr_workflow *w4 = fx_new();
        char out[64];
        int i;
        double t0;
        for (i = 0; i < 60; i++) {
            const char *outs[2] = {out, NULL};
            char name[16];
            snprintf(out, sizeof out, "step%02d/{s}.txt", i);
            snprintf(name, sizeof name, "r%d", i);
            fx_rule(w4, name, NULL, outs, "x");
        }
        is_int(kr_pindex_new(w4, NULL, 0, &ix, &err), KR_OK, "60-rule index");
        p = "step37/abc.txt";
        n = kr_pindex_match(ix, p, strlen(p), m, 8);
        ok(n == 1 && !strcmp(m[0].rule->name, "r37"), "prefix bucket finds r37 only");
        t0 = kr_now();
        for (i = 0; i < 200000; i++)
            n = kr_pindex_match(ix, p, strlen(p), m, 8);
        diag("200k lookups over 60 rules: %.3f s", kr_now() - t0);
        kr_pindex_free(ix);
        fx_free(w4);
    }

    fx_free(wf);
    return tap_done();
}
