/*
 * planfmt.h - how a plan is shown: the dry-run listing (human, JSON or just
 * counts), `explain` for one file, and the job/rule graph as dot, mermaid
 * or JSON. Used by `krait plan`, `krait explain`, `krait dag` and by
 * `krait run -n`, so all show the same thing.
 *
 * Everything here only reads a planned dag and writes to a FILE.
 */
#ifndef KR_PLANFMT_H
#define KR_PLANFMT_H

#include "dag.h"

enum kr_planfmt_mode {
    KR_PLANFMT_HUMAN = 0,   /* every job that runs, then counts and a summary */
    KR_PLANFMT_JSON,        /* one JSON document (jansson) */
    KR_PLANFMT_QUIET,       /* counts and the summary only */
};

/*
 * Print the jobs that need to run (after kr_dag_plan), the job counts per
 * rule and "N jobs to run" / "Nothing to be done.". verbose adds the up-to-
 * date jobs' count and dependencies. Returns KR_OK, KR_EIO on write errors.
 */
int kr_planfmt_print(struct kr_dag *dag, FILE *out, enum kr_planfmt_mode mode, bool verbose);

/* Append a job's reason as text ("missing output: a.txt") to b. */
void kr_planfmt_reason(struct kr_dag *dag, const struct kr_job *j, struct kr_buf *b);

/*
 * Explain one file: which job makes it, whether and why it runs, and the
 * chain of upstream jobs that caused it, down to source files.
 * KR_NOT_FOUND (err filled) when the file is not part of the planned dag.
 */
int kr_planfmt_explain(struct kr_dag *dag, const char *path, FILE *out, struct kr_error *err);

/*
 * Write the job graph (rules = false) or the rule graph (rules = true) as
 * "dot", "mermaid" or "json". KR_EUSAGE for another format.
 */
int kr_planfmt_graph(struct kr_dag *dag, FILE *out, const char *format, bool rules,
                     struct kr_error *err);

#endif /* KR_PLANFMT_H */
