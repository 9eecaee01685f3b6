/*
 * progress.h - what a run tells the person watching it. On a terminal
 * (isatty(stderr)) one live line, redrawn at most ten times a second:
 *   [ 120/200] 2 running, 0 failed, ETA 0:00:14
 * with messages (failures, -p commands) printed above it, and the progress
 * of a long S3 transfer after it. Otherwise one
 * plain line per finished job:
 *   [12/200] rule map (sample=A) done in 0.4s
 * -q prints only failures and the summary; -v adds a line when a job starts.
 * Colour (red failures) only on a terminal and only when NO_COLOR is unset.
 *
 * Ownership: kr_progress_new allocates, kr_progress_free releases.
 */
#ifndef KR_PROGRESS_H
#define KR_PROGRESS_H

#include "kr.h"

enum { KR_PROGRESS_QUIET = -1, KR_PROGRESS_NORMAL = 0, KR_PROGRESS_VERBOSE = 1 };

struct kr_progress;

/* Report to `f` (normally stderr) about `total` jobs. `live` forces the live
 * line on (1), off (0), or -1 = decide by isatty(fileno(f)). */
struct kr_progress *kr_progress_new(FILE *f, uint32_t total, int verbosity, int live);
void kr_progress_free(struct kr_progress *p);

/* A job started: counts it as running (and prints it under -v). */
void kr_progress_start(struct kr_progress *p, const char *desc);
/* A job finished successfully after `secs`. */
void kr_progress_done(struct kr_progress *p, const char *desc, double secs);
/* A job failed (or was cancelled); `will_retry` keeps it out of the failed count. */
void kr_progress_failed(struct kr_progress *p, const char *desc, const char *detail,
                        bool will_retry);
/* Print a message line (kept above the live line); printed even under -q
 * when `always`. */
void kr_progress_msg(struct kr_progress *p, bool always, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A long transfer of the run's storage: `what` (e.g. "uploading 2 outputs
 * of rule map") has moved done of total bytes (total 0: not known yet),
 * shown on the live line after the counts ("| what: 1.2 of 4.0 GiB (30%),
 * 85 MiB/s"); without a live line (a log file, CI), as a message line at
 * most every 10 s (KRAIT_PROGRESS_EVERY seconds) - not under -q.
 * kr_progress_transfer_end takes it off the line. */
void kr_progress_transfer(struct kr_progress *p, const char *what, int64_t done, int64_t total);
void kr_progress_transfer_end(struct kr_progress *p);
/* Redraw the live line if due. */
void kr_progress_tick(struct kr_progress *p);
/* Clear the live line for good (before the summary). */
void kr_progress_end(struct kr_progress *p);

uint32_t kr_progress_ndone(const struct kr_progress *p);
uint32_t kr_progress_nfailed(const struct kr_progress *p);

#endif /* KR_PROGRESS_H */
