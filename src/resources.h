/*
 * resources.h - Snakemake's standard resources (as rules.py and
 * resources.py of Snakemake 7.21 define them): human-readable sizes for
 * mem/disk (giving mem_mb/disk_mb, and from those mem_mib/disk_mib),
 * runtime as a time span (giving minutes), and the command-line overrides
 * --set-threads RULE=N and --set-resources RULE:NAME=VALUE.
 */
#ifndef KR_RESOURCES_H
#define KR_RESOURCES_H

#include "kr.h"
#include "workflow.h"

/*
 * Parse a size as humanfriendly.parse_size does: a number (decimals
 * allowed) and an optional unit, case-insensitive, blanks between allowed:
 * B, K/KB, M/MB, G/GB, T/TB, P/PB (powers of 1000), KiB, MiB, GiB, TiB, PiB
 * (powers of 1024). No unit: bytes. Returns false when s is not a size.
 */
bool kr_res_parse_size(const char *s, double *bytes);

/*
 * Parse a time span into seconds: one or more NUMBER UNIT parts ("90s",
 * "2h", "1.5d", "1h30m"; units s/sec/second(s), m/min/minute(s),
 * h/hour(s), d/day(s), w/week(s), ms), or a bare number, which is seconds
 * (as humanfriendly.parse_timespan reads it). False when not a time span.
 */
bool kr_res_parse_timespan(const char *s, double *seconds);

/* Megabytes to mebibytes as Snakemake rounds them (up). */
int64_t kr_res_mb_to_mib(int64_t mb);

/*
 * The standard resources one resource of a rule implies, added to
 * res[*n] on (room for 2 more must be there): NAME="size" for mem/disk
 * gives NAME_mb (MB, at least 1); NAME_mb (an integer) gives NAME_mib unless
 * `has(NAME_mib)`; runtime="span" becomes its minutes (at least 1) in place.
 * `has(name, data)` tells whether the rule sets that resource itself (it
 * wins). KR_EEVAL with a message in msg (size msglen) for a string that
 * does not parse.
 */
int kr_res_infer(struct kr_resource *res, uint32_t *n, uint32_t at,
                 bool (*has)(const char *name, void *data), void *data,
                 struct kr_arena *arena, char *msg, size_t msglen);

/*
 * Apply --set-threads RULE=N and --set-resources RULE:NAME=VALUE from `o`
 * to the loaded workflow, as Snakemake does: the value replaces what the
 * rule says (VALUE is an integer when it reads as one, else a string, e.g.
 * mem=10GB or slurm_partition=long). A rule name the workflow lacks gets a
 * warning on stderr (profiles name rules of other workflows too).
 * KR_EUSAGE for an entry of the wrong shape.
 */
int kr_res_apply_overrides(struct kr_workflow *wf, const struct kr_load_opts *o,
                           struct kr_error *err);

/*
 * Compile a --default-resources expression into *fn (in the interpreter's
 * arena: call it outside any scratch region, e.g. before kr_wf_job_info,
 * so the function outlives the job). KR_EUSAGE with err for a syntax error.
 */
int kr_res_default_compile(struct kr_workflow *wf, const char *name, const char *text,
                           struct kr_value **fn, struct kr_error *err);

/*
 * Evaluate a --default-resources expression (Snakemake: eval(VALUE) with
 * input, attempt, threads and system_tmpdir) for one job whose inputs
 * weigh insize bytes, into out (ival, or sval for a string). A float is
 * rounded. A name the expression does not know makes the text itself the
 * value (Snakemake's fallback: --default-resources machine=n1-standard-4).
 * *fn caches the compiled expression between calls. KR_EUSAGE with err for
 * a syntax error or a value that is neither number nor string.
 */
int kr_res_default_value(struct kr_workflow *wf, const char *name, const char *text,
                         struct kr_value **fn, const struct kr_iofile *in, uint32_t nin,
                         int64_t insize, int attempt, int threads, struct kr_arena *arena,
                         struct kr_resource *out, struct kr_error *err);

/*
 * The top-level `resource_scopes: NAME="local"|"global"|"excluded", ...`
 * (n is its TOPDIR node). Snakemake uses the scopes when it submits jobs to
 * a cluster; krait checks them and keeps them in wf->resource_scopes (a
 * dict value), which no executor reads yet. KR_EEVAL with a located message
 * for a positional item or another scope.
 */
struct kr_node;
int kr_res_topdir_scopes(struct kr_interp *I, const struct kr_node *n);

#endif /* KR_RESOURCES_H */
