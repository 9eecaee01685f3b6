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
    const char *pyctx_json;     /* run: only: kr_wf_pyctx_json (the Snakefile's
                                   namespace), or NULL */
};

/*
 * Write the job file and set *cmd_out (in `arena`) to the command that runs
 * the job: `python3 'WRAPPER' 'JOBFILE'`. KR_EEXEC when context_json does
 * not parse; KR_EIO when the job file cannot be written.
 */
int kr_scriptwrap_job(const struct kr_scriptwrap_job *j, struct kr_arena *arena,
                      const char **cmd_out, struct kr_error *err);

/* An onstart/onsuccess/onerror handler. Strings are borrowed. */
struct kr_scriptwrap_handler {
    const char *wrapper;        /* from kr_scriptwrap_install */
    const char *jobfile;        /* where to write its job file (directory exists) */
    const char *name;           /* "onstart", "onsuccess" or "onerror" */
    const char *code;           /* the handler's Python source (dedented) */
    const char *code_file;      /* the rule file holding it */
    uint32_t code_line;         /* its first line */
    const char *log_path;       /* what the handler sees as `log` */
    const char *config_json;    /* the config (JSON), or NULL */
    const char *pyctx_json;     /* kr_wf_pyctx_json, or NULL */
};

/*
 * Run a handler now, in the foreground: write its job file (0600), run
 * `python3 WRAPPER JOBFILE` with krait's stdout, stderr and working
 * directory, wait for it and delete the job file. The wrapper prints the
 * handler's exception itself. KR_OK when it succeeded; KR_EEXEC (err says
 * which handler and its exit status) when it raised or python3 failed;
 * KR_EIO when the job file cannot be written or python3 not started.
 */
int kr_scriptwrap_handler(const struct kr_scriptwrap_handler *h, struct kr_error *err);

#endif /* KR_SCRIPTWRAP_H */
