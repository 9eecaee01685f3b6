/*
 * scriptwrap.h - turning `script:` and `run:` jobs into shell commands that
 * run them through krait's wrapper (see scriptwrap.c for what the wrapper
 * gives the script: Snakemake's `snakemake` object, R list, bash arrays,
 * shell()).
 */
#ifndef KR_SCRIPTWRAP_H
#define KR_SCRIPTWRAP_H

#include "kr.h"

/*
 * Make sure STATE_DIR/wrappers/krait_wrap.py exists with this krait's
 * wrapper (rewritten atomically when it differs). *path_out (kr_malloc'd,
 * caller frees) is its path. KR_EIO when it cannot be written.
 */
int kr_scriptwrap_install(const char *state_dir, char **path_out, struct kr_error *err);

/* One script:/run: job. Strings are borrowed. */
struct kr_scriptwrap_job {
    const char *wrapper;        /* from kr_scriptwrap_install */
    const char *jobfile;        /* where to write the job file (directory exists) */
    const char *script;         /* script: path (relative to the working dir), or NULL */
    const char *code;           /* run: source, or NULL */
    const char *code_file;      /* the rule file holding the run: block */
    uint32_t code_line;         /* its first line */
    const char *context_json;   /* kr_jobinfo.context_json (NULL = empty) */
};

/*
 * Write the job file and set *cmd_out (in `arena`) to the command that runs
 * the job: `python3 'WRAPPER' 'JOBFILE'`. KR_EEXEC when context_json does
 * not parse; KR_EIO when the job file cannot be written.
 */
int kr_scriptwrap_job(const struct kr_scriptwrap_job *j, struct kr_arena *arena,
                      const char **cmd_out, struct kr_error *err);

#endif /* KR_SCRIPTWRAP_H */
