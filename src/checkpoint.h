/*
 * checkpoint.h - checkpoints: rules whose outputs decide, after they ran,
 * which jobs the workflow has (Snakemake's data-dependent conditional
 * execution). `checkpoint NAME:` defines a rule as usual and also
 * `checkpoints.NAME`, whose get(**wildcards) returns an object with the
 * rule's `.output` for those wildcards when the checkpoint's job is done,
 * and otherwise makes the input function that called it wait: the job's
 * input becomes the checkpoint's first output (so it depends on the
 * checkpoint's job) and the job is marked waiting (kr_dag_job_waiting).
 * `krait run` runs what can run, then plans again (kr_ckpt_plan), until no
 * job waits. Workflows without checkpoints never touch any of this.
 *
 * Ownership: the per-workflow state hangs off the interpreter and is freed
 * by kr_interp_free (kr_ckpt_free); every string it keeps is its own copy.
 */
#ifndef KR_CHECKPOINT_H
#define KR_CHECKPOINT_H

#include "dag.h"
#include "state.h"
#include "workflow.h"

struct kr_interp;

/* Make the checkpoint rule r (already registered) visible as
 * checkpoints.NAME; the first call creates the `checkpoints` global. */
void kr_ckpt_register(struct kr_interp *I, struct kr_rule *r);

/* Free the checkpoint state of I (NULL-safe). */
void kr_ckpt_free(struct kr_interp *I);

/*
 * Called by input-function resolution after the function failed: when the
 * failure was checkpoints.X.get() for a checkpoint whose job has not
 * produced its outputs, returns that checkpoint's target file (valid until
 * the next call) and forgets it; the caller clears the error and uses the
 * path as the input. NULL for any other failure.
 */
const char *kr_ckpt_take_pending(struct kr_interp *I);

/*
 * The outputs of checkpoints an input function read through get(): the
 * caller resets before the call and takes them one by one afterwards (each
 * valid until the next take), to make the job depend on those checkpoints
 * (KR_F_CKPT_DEP inputs). kr_ckpt_take_dep returns NULL when none is left.
 */
void kr_ckpt_deps_reset(struct kr_interp *I);
const char *kr_ckpt_take_dep(struct kr_interp *I);

/* True when the workflow defines at least one checkpoint. */
bool kr_ckpt_any(const struct kr_workflow *wf);

/*
 * Plan `wf` as kr_dag_new + provenance from `st` (NULL: none) +
 * kr_dag_plan, into *dagp (the caller frees it with kr_dag_free). With
 * checkpoints, a get() that found the outputs of a checkpoint whose job is
 * planned to run again counts as not done (Snakemake's future outputs): the
 * plan is made again with those outputs held back, until it is stable.
 * Errors as kr_dag_plan; *dagp is NULL then.
 */
int kr_ckpt_plan(struct kr_workflow *wf, struct kr_state *st, const struct kr_plan_opts *o,
                 struct kr_dag **dagp, struct kr_error *err);

#endif /* KR_CHECKPOINT_H */
