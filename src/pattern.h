/*
 * pattern.h - output patterns compiled to PCRE2 regexes, and the rule index
 * that answers "which rules can produce this path, with which wildcards?"
 * without trying every rule: patterns are bucketed by their literal prefix
 * (the text before the first wildcard) in a hash table, filtered by their
 * literal suffix, and only then matched with the (JIT-compiled) regex.
 *
 * A wildcard's regex is, in order of precedence: the inline one
 * ({x,\d+}), the rule's wildcard_constraints, the global
 * wildcard_constraints, else ".+" (as Snakemake). A wildcard occurring twice
 * in one pattern must match the same text (a backreference).
 *
 * Ownership: a kr_pindex owns its compiled regexes and tables;
 * kr_pindex_free releases them. The workflow must outlive it.
 */
#ifndef KR_PATTERN_H
#define KR_PATTERN_H

#include "kr.h"
#include "workflow.h"

/* The most wildcards one rule's outputs may have. */
#define KR_PMATCH_MAXWC 32

/* One rule that can produce a path, with where each wildcard's value lies
 * in the path (names: kr_pindex_wcnames). */
struct kr_pmatch {
    struct kr_rule *rule;
    bool log;               /* matched a log: or benchmark: pattern of the rule */
    uint32_t nwc;
    uint32_t off[KR_PMATCH_MAXWC];
    uint32_t len[KR_PMATCH_MAXWC];
};

struct kr_pindex;

/*
 * Compile the output patterns of every rule of `wf` (only the rules named
 * in `allowed` when nallowed > 0: --allowed-rules) and build the index.
 * KR_EPLAN with err for a bad constraint regex, outputs of one rule that do
 * not share the same wildcards, or more than KR_PMATCH_MAXWC wildcards.
 * On success *out must be freed with kr_pindex_free.
 */
int kr_pindex_new(struct kr_workflow *wf, const char *const *allowed, uint32_t nallowed,
                  struct kr_pindex **out, struct kr_error *err);
void kr_pindex_free(struct kr_pindex *ix);

/*
 * The rules that can produce `path`, in definition order, one match per
 * rule (its first matching output pattern; log and benchmark patterns are
 * products too, as in Snakemake, and match with m->log set). Fills at most `max` entries of
 * `out` and returns the total number of matching rules (call again with a
 * larger array when it exceeds max).
 */
uint32_t kr_pindex_match(struct kr_pindex *ix, const char *path, size_t len,
                         struct kr_pmatch *out, uint32_t max);

/*
 * Snakemake's Rule.get_wildcards with the consumer's wildcards (dag.py
 * file2jobs(file, wildcards_dict=job.wildcards_dict)): m is a match of rule
 * m->rule for `path` (from kr_pindex_match). When the consumer has every
 * wildcard of the rule and one of the rule's products formatted with the
 * consumer's values is `path`, and each value passes that pattern's own
 * constraint (re.match, anchored at the start only, as Snakemake), m is
 * rewritten to those values (e.g. "foo.{sample}{read}.fq" for foo.ar1.fq
 * with sample=a, read=r1 gives a and r1, not the regex's ar and 1) and true
 * is returned; otherwise m is left as it is. `given` may be NULL.
 */
bool kr_pindex_match_given(struct kr_pindex *ix, const char *path, size_t len,
                           const struct kr_wildcards *given, struct kr_pmatch *m);

/* The wildcard names of a rule's outputs (first-appearance order over its
 * output patterns), as used by kr_pmatch.off/len. */
const char *const *kr_pindex_wcnames(const struct kr_pindex *ix, const struct kr_rule *r,
                                     uint32_t *n);

/* Whether the rule's outputs contain wildcards (Snakemake prefers rules
 * without when no ruleorder decides). False for unindexed rules. */
bool kr_pindex_has_wildcards(const struct kr_pindex *ix, const struct kr_rule *r);

/* Whether the rule is part of the index (allowed and has outputs). */
bool kr_pindex_has_rule(const struct kr_pindex *ix, const struct kr_rule *r);

/* The regex source compiled for a pattern, for messages and tests. */
const char *kr_pindex_regex(const struct kr_pindex *ix, const struct kr_rule *r,
                            uint32_t item, uint32_t pat);

#endif /* KR_PATTERN_H */
