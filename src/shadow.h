/*
 * shadow.h - shadow: directories, as Snakemake runs shadow rules.
 *
 * A job of a rule with `shadow: MODE` runs in its own directory
 * (BASE/HASH.ATTEMPT, BASE = .krait/shadow or --shadow-prefix DIR/shadow)
 * that holds
 *   minimal       symlinks to the job's inputs (and the directories of its
 *                 inputs, outputs and logs)
 *   copy-minimal  the same with copies of the inputs instead of symlinks
 *   shallow       a symlink to every top-level entry of the working directory
 *   full          the working directory's tree of directories, with a
 *                 symlink to every file
 * After a successful run its outputs and logs that were written into the
 * shadow directory (not through a symlink into the working directory) are
 * moved to their real paths and the shadow directory is removed; after a
 * failure only the logs are moved back and the directory is removed (kept
 * with --keep-incomplete). Inputs, outputs and logs given as relative paths
 * into a parent directory ("../x") are refused in the minimal modes, as
 * Snakemake refuses them.
 */
#ifndef KR_SHADOW_H
#define KR_SHADOW_H

#include "kr.h"

enum kr_shadow_mode { KR_SHADOW_NONE, KR_SHADOW_MINIMAL, KR_SHADOW_COPY_MINIMAL,
                      KR_SHADOW_SHALLOW, KR_SHADOW_FULL };

/* The mode named by a shadow: value; -1 when it names none. */
int kr_shadow_mode(const char *name);

/* The job's shadow directory under `base` (absolute): a name that depends
 * only on the working directory, the job and the attempt, so that a krait
 * that re-attaches to a running job finds it again. In arena. */
const char *kr_shadow_path(const char *base, const char *workdir, const char *rule,
                           const char *wildcards, int attempt, struct kr_arena *arena);

/* Create and fill `dir` for the job (any old copy is removed first); the
 * current directory is the working directory. */
int kr_shadow_setup(int mode, const char *dir, const char *state_dir,
                    const char *const *inputs, uint32_t nin,
                    const char *const *outputs, uint32_t nout,
                    const char *const *logs, uint32_t nlogs, struct kr_error *err);

/* Move what the job wrote in `dir` to the real paths (outputs only when
 * `success`), then remove `dir` unless `keep`. */
int kr_shadow_finish(const char *dir, bool success, bool keep,
                     const char *const *outputs, uint32_t nout,
                     const char *const *logs, uint32_t nlogs, struct kr_error *err);

/* Copy a file, symlink (as a link) or directory tree to dst (also used for
 * the copy of an update() output kept while its job runs). */
int kr_copy_tree(const char *src, const char *dst, struct kr_error *err);

#endif /* KR_SHADOW_H */
