/*
 * trace.h - the trace of a run as Nextflow writes one: a TSV with a row per
 * job attempt (id, name, status, exit, submit/start/complete times,
 * duration, realtime, %cpu, peak_rss, read/write bytes, executor, native
 * id, attempt, host), read from the state database's journal. Shown by
 * `krait log --trace` and written by `krait run --trace FILE`.
 */
#ifndef KR_TRACE_H
#define KR_TRACE_H

#include "kr.h"
#include "state.h"

#include <stdio.h>

/*
 * Write the trace of run `run_id` (0: the most recent run) to f. Human
 * units as Nextflow's default (times "2026-12-06 01:02:03.456", durations
 * "1m 3s", "12.5 MB"), or with `raw` epoch milliseconds, milliseconds and
 * bytes. Unknown values are "-". KR_OK; KR_NOT_FOUND when there is no such
 * run (err says so); KR_ESTATE; KR_EIO when writing fails.
 */
int kr_trace_write(struct kr_state *st, int64_t run_id, bool raw, FILE *f,
                   struct kr_error *err);

#endif
