/*
 * report.h - a run's report as one self-contained HTML file: summary and
 * command line, the rule graph (inline SVG, coloured by outcome), a
 * timeline of the job attempts per executor and host, per-rule runtime and
 * peak memory, the provenance of the outputs and the failed jobs with the
 * last lines of their logs. Read from the state database's journal (and
 * the plan when the caller has one). Written by `krait report` and
 * `krait run --report FILE`.
 *
 * The file loads nothing: no external script, style, font or image; a
 * Content-Security-Policy meta tag forbids the browser to fetch anything,
 * and a few lines of inline JavaScript count script errors and blocked
 * loads into the page (#kr-js), so a headless browser can check both.
 * Every string that comes from the workflow or the journal is HTML-escaped
 * by one function (kr_report_escape).
 */
#ifndef KR_REPORT_H
#define KR_REPORT_H

#include "kr.h"
#include "dag.h"
#include "state.h"

#include <stdbool.h>
#include <stdio.h>

struct kr_report_opts {
    int64_t run_id;             /* 0: the most recent run */
    struct kr_dag *dag;         /* or NULL: a plan, for the rule graph's edges and
                                   the rules that did not run */
    bool dag_is_run;            /* dag is the plan the run executed: its reasons are
                                   why outputs were made (krait run --report) */
    uint32_t max_bars;          /* timeline bars before bucketing by rule (0: 2000) */
    uint32_t max_outputs;       /* provenance rows shown (0: 1000) */
    uint32_t max_failed;        /* failed attempts shown with their logs (0: 50) */
};

/*
 * Write the report of run o->run_id to f. KR_OK; KR_NOT_FOUND when there is
 * no such run (err says so); KR_ESTATE when reading the journal fails;
 * KR_EIO when writing fails. Nothing is allocated on the caller's behalf.
 */
int kr_report_write(struct kr_state *st, const struct kr_report_opts *o, FILE *f,
                    struct kr_error *err);

/*
 * Write s to f HTML-escaped for text and attribute values: & < > " ' as
 * entities, C0 control characters other than tab, newline and carriage
 * return as '?'. At most `max` bytes of s are written (0: all); a cut is
 * made on a UTF-8 character boundary and marked with an ellipsis.
 */
void kr_report_escape(FILE *f, const char *s, size_t max);

#endif /* KR_REPORT_H */
