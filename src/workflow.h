/*
 * workflow.h - the evaluated rule file: rules with their file patterns,
 * config, ruleorder and constraints. This is the contract between the
 * evaluator (src/eval*.c, src/workflow.c, which build it) and everything
 * after it (planner, scheduler, executors), which never see the syntax tree.
 *
 * Everything in a kr_workflow lives in wf->arena and is freed at once by
 * kr_workflow_free. Values of the dialect (struct kr_value) are opaque here:
 * the planner and executors only pass them back to the kr_wf_* functions
 * below, which call into the evaluator (input functions, lambdas for
 * params/threads/resources).
 *
 * Paths are plain strings here; the planner interns them.
 */
#ifndef KR_WORKFLOW_H
#define KR_WORKFLOW_H

#include "kr.h"
#include "source.h"

struct kr_value;    /* a dialect value (src/value.h) */
struct kr_interp;   /* the evaluator (src/eval.h) */

/* flags of a file pattern / a resolved file (Snakemake's IO flags) */
#define KR_F_TEMP      0x0001u  /* temp(): delete when all consumers are done */
#define KR_F_PROTECTED 0x0002u  /* protected(): make read-only after the job */
#define KR_F_DIRECTORY 0x0004u  /* directory(): output is a directory */
#define KR_F_TOUCH     0x0008u  /* touch(): touch the file after the job */
#define KR_F_ANCIENT   0x0010u  /* ancient(): never newer than its consumers */
#define KR_F_PIPE      0x0020u  /* pipe(): checked as Snakemake does (one consumer that
                                   runs a command), then run as a normal file */
#define KR_F_UNPACK    0x0040u  /* unpack(fn): fn returns a dict of named items */
#define KR_F_LISTITEM  0x0080u  /* resolved file belongs to a list-valued item */
#define KR_F_NONEMPTY  0x0100u  /* ensure(non_empty=True): an empty output fails the job */
#define KR_F_SHA256    0x0200u  /* ensure(sha256=...): kr_pat.sha256 must match */
#define KR_F_REPORT    0x0400u  /* report(): kr_pat.report holds caption, category ... */
#define KR_F_LOCAL     0x0800u  /* local(): stays a local path under --default-storage */
#define KR_F_UPDATE    0x1000u  /* update(): modified in place: kept before the job,
                                   restored when the job fails */
#define KR_F_BEFORE_UPDATE 0x2000u  /* before_update(): input taken as it is on disk,
                                       no producer (its update() job runs after) */
#define KR_F_SERVICE   0x10000u /* service(): accepted; a plan that runs one is refused */
#define KR_F_MODPATH   0x40000000u  /* prefixed by a module (wf-module.c): not again */
#define KR_F_CKPT_WAIT 0x8000u  /* input standing for a checkpoint not done yet */
#define KR_F_CKPT_DEP  0x4000u  /* checkpoint output an input function read: a
                                   dependency only, not part of {input} */

/* One piece of a parsed file pattern: literal text or a {wildcard}. */
struct kr_patseg {
    const char *text;       /* literal text, or the wildcard name */
    uint32_t len;           /* strlen(text) */
    bool is_wildcard;
    const char *constraint; /* {name,REGEX}: the regex; else NULL */
};

/* What report(path, caption=, category= ...) says about an output, kept
 * for an HTML report (krait builds none yet; `krait lint --json` shows it).
 * Strings are NULL when not given; labels and patterns are dialect values
 * (a dict and a list) or NULL. */
struct kr_report {
    const char *caption;        /* relative to the rule file's directory, as Snakemake */
    const char *category, *subcategory, *htmlindex;
    struct kr_value *labels, *patterns;
};

/* One file pattern, e.g. "mapped/{sample}.bam", parsed once when the rule
 * is built (kr_pat_parse). `{{` and `}}` are literal braces. */
struct kr_pat {
    const char *text;       /* as written (after expand() etc.) */
    uint32_t flags;         /* KR_F_* */
    struct kr_patseg *segs;
    uint32_t nsegs;
    uint32_t nwildcards;    /* number of wildcard segments */
    const char *sha256;     /* KR_F_SHA256: the expected digest (lower-case hex), else NULL */
    const struct kr_report *report;     /* KR_F_REPORT: report() details, else NULL */
    const struct kr_rule *from_rule;    /* input given as rules.NAME.output: made by NAME */
};

/* One item of input:/output:/log:/benchmark: as written in the rule. */
struct kr_ioitem {
    const char *name;       /* keyword (input: ref="x") or NULL if positional */
    struct kr_pat *pats;    /* the item's patterns (several for lists) */
    uint32_t npats;
    bool is_list;           /* the value was a list: input.name is a list */
    struct kr_value *fn;    /* input function / lambda (pats empty), else NULL */
    uint32_t flags;         /* for fn items: KR_F_UNPACK, KR_F_ANCIENT ... */
    uint32_t repeat;        /* benchmark: repeat(path, n): n runs of the job (else 0) */
    uint16_t file;          /* location of the item, for errors */
    uint32_t off;
};

struct kr_iolist {
    struct kr_ioitem *items;
    uint32_t n;
};

/* A wildcard constraint: name -> regex. */
struct kr_constraint {
    const char *name;
    const char *regex;
};

struct kr_rule {
    const char *name;       /* given or generated ("1", "2"... for anonymous rules, as Snakemake) */
    uint32_t index;         /* definition order, 0-based */
    uint16_t file;          /* where `rule NAME:` stands */
    uint32_t off;
    struct kr_iolist input, output, log, benchmark;
    struct kr_value *params;    /* NULL, or the evaluated params (positional + named;
                                   callables are called per job) */
    struct kr_value *threads;   /* NULL (1), an int, or a callable */
    struct kr_value *resources; /* NULL, or named values (int, str, or callables) */
    struct kr_value *retries_v; /* NULL or int */
    int priority;               /* default 0 */
    const char *shell;          /* shell: template, or NULL */
    const char *script;         /* script: path template, or NULL (a local wrapper: its file) */
    const char *wrapper;        /* wrapper: as written, or NULL */
    const char *wrapper_url;    /* a wrapper krait cannot run offline (its URL), or NULL */
    const char *run_code;       /* run: block Python source, or NULL */
    uint32_t run_line;          /* first line of run_code in its file */
    const char *message;        /* message: template, or NULL */
    const char *container;      /* container:/singularity: image, or NULL (then the global one) */
    const char *group, *shadow, *envmodules, *conda;  /* accepted; conda ignored */
    struct kr_constraint *constraints;  /* per-rule wildcard_constraints */
    uint32_t nconstraints;
    bool localrule, default_target, cache, handover;
    bool checkpoint;            /* `checkpoint NAME:` (checkpoint.h) */
    uint64_t code_hash;         /* hash of shell/script/run text: the "code" rerun trigger */
    struct kr_value *config;    /* the config its jobs see: a module's config:, or NULL for
                                   the workflow's */
};

/* ruleorder a > b > c: one chain, names in priority order (highest first). */
struct kr_ruleorder {
    const char **names;
    uint32_t n;
};

struct kr_workflow {
    struct kr_arena arena;      /* owns everything below */
    struct kr_sources srcs;     /* texts of the Snakefile and included files */
    struct kr_interp *interp;   /* evaluator state; needed to call rule functions */
    struct kr_value *resource_scopes;   /* resource_scopes: name -> scope (dict), or NULL */
    const char *snakefile;      /* path of the main rule file */
    struct kr_rule **rules;     /* in definition order */
    uint32_t nrules;
    struct kr_constraint *constraints;  /* global wildcard_constraints */
    uint32_t nconstraints;
    struct kr_ruleorder *ruleorder;
    uint32_t nruleorder;
    const char **localrules;
    uint32_t nlocalrules;
    const char *workdir;        /* workdir: or NULL */
    const char *container;      /* global container: or NULL */
    struct kr_value *config;    /* the config dict */
    const char *onstart, *onsuccess, *onerror;  /* Python source of handlers, or NULL */
    uint32_t onstart_line, onsuccess_line, onerror_line;
    const char *onstart_file, *onsuccess_file, *onerror_file;  /* the files holding them */
    const char **configfiles;   /* configfile: paths read, in order */
    uint32_t nconfigfiles;
    const char **set_scatter;       /* --set-scatter NAME=N, for scattergather: */
    uint32_t nset_scatter;
    const char *wrapper_prefix;     /* --wrapper-prefix, or NULL (Snakemake's default) */
    bool allow_unquoted_wildcards;  /* shell: may substitute wildcard values holding
                                       shell metacharacters without :q (kr_shellfmt) */
    /* the top-level `shell` object (Snakemake's shell.executable/prefix/suffix):
     * NULL when not set. shell_executable is an absolute path that is not bash
     * (bash is what krait runs anyway); prefix and suffix are joined to every
     * shell: command with one space, as Snakemake does. */
    const char *shell_executable, *shell_prefix, *shell_suffix;
    const char **readfiles;     /* files the rule language read with open(), in order */
    uint32_t nreadfiles;
    /* --default-storage: "s3://BUCKET/PREFIX/" (ending in '/') put before every
     * relative input/output path that is not local() - patterns when the
     * workflow is loaded, input functions' results when they are resolved,
     * file targets when planned (kr_wf_storage_path) - or NULL */
    const char *default_storage;
    const char *s3_endpoint;    /* --s3-endpoint-url (kr_load_opts.s3_endpoint), or NULL */
    const char *pyctx_json_;    /* kr_wf_pyctx_json's result, made once (in arena) */
};

/* Options for loading a workflow (from the command line). */
struct kr_load_opts {
    const char *snakefile;          /* -s FILE, or NULL to search (kr_find_snakefile) */
    const char **configfiles;       /* --configfile, applied after configfile: */
    uint32_t nconfigfiles;
    const char **config_kv;         /* --config k=v (YAML-typed values), applied last */
    uint32_t nconfig_kv;
    bool allow_unquoted_wildcards;  /* --allow-unquoted-wildcards (see kr_shellfmt) */
    const char **set_threads;       /* --set-threads RULE=N (resources.h) */
    uint32_t nset_threads;
    const char **set_resources;     /* --set-resources RULE:NAME=VALUE */
    uint32_t nset_resources;
    const char **set_scatter;       /* --set-scatter NAME=N (scattergather: defaults) */
    uint32_t nset_scatter;
    const char *wrapper_prefix;     /* --wrapper-prefix URL (file://DIR/ works offline) */
    int cores;                      /* workflow.cores: the cores of the run (-c N, "all"
                                       resolved); 0 = not given, seen as 1 as a Snakemake
                                       dry run does */
    const char *default_storage;    /* --default-storage s3://BUCKET[/PREFIX], or NULL
                                       (inputs and outputs; logs stay local) */
    const char *s3_endpoint;        /* --s3-endpoint-url, or NULL: where glob_wildcards()
                                       lists an s3:// pattern */
};

/*
 * Find the rule file as Snakemake does: Snakefile, snakefile,
 * workflow/Snakefile, workflow/snakefile, then Kraitfile. Returns a static
 * string, or NULL when none exists.
 */
const char *kr_find_snakefile(void);

/*
 * Parse and evaluate a rule file (and everything it includes) into a new
 * workflow. Returns KR_OK; KR_NOT_FOUND when the file does not exist;
 * KR_ESYNTAX / KR_EEVAL with err carrying file:line:col, source line and
 * caret. On error *out is NULL and nothing leaks.
 */
int kr_workflow_load(const struct kr_load_opts *opts, struct kr_workflow **out,
                     struct kr_error *err);
void kr_workflow_free(struct kr_workflow *wf);

/*
 * The Snakefile's Python context for code that runs in an external python3
 * (run: blocks, onstart/onsuccess/onerror handlers; scriptwrap.c executes
 * it before that code), as a compact JSON object made once per workflow:
 *   {"imports": [{"src": "import os as o", "file": F, "line": N}, ...],
 *    "defs":    [{"name": "f", "src": "def f(x):\n ...", "file": F, "line": N}, ...],
 *    "globals": {NAME: VALUE, ...}}
 * imports and defs are the top-level statements of every evaluated rule file
 * in evaluation order (an import is rebuilt from its syntax tree; a def is
 * its source text, from its line to the next top-level statement); globals
 * are the final values of the top-level variables whose values are plain
 * JSON (None, bool, int, float, str, and lists, tuples and str-keyed dicts
 * of those), except `config` (the job has its own). Other names (modules,
 * functions, rules, objects) are left out. The values may be anything the
 * Snakefile computed (secrets included): whoever writes it to a file makes
 * that file private. Never NULL ("{}" at worst); in wf->arena.
 */
const char *kr_wf_pyctx_json(struct kr_workflow *wf);

/* The workflow's config as compact JSON (in wf->arena; "{}" at worst), for
 * the handlers' `config`. */
const char *kr_wf_config_json(struct kr_workflow *wf);

/* Rule by name, or NULL. */
struct kr_rule *kr_workflow_rule(const struct kr_workflow *wf, const char *name);

/* The pattern of a rule's i-th resolved output file (outputs are never
 * functions, so the resolved outputs follow the patterns one to one), or
 * NULL when i is out of range. */
const struct kr_pat *kr_rule_output_pat(const struct kr_rule *r, uint32_t i);

/*
 * Parse a pattern's text into segments (in `arena`). Handles {name},
 * {name,regex} (regexes may contain braces: "{x,\d{2}}"), and {{ }} escapes.
 * Returns KR_EEVAL on an unbalanced brace.
 */
int kr_pat_parse(struct kr_arena *arena, const char *text, uint32_t flags,
                 struct kr_pat *out, struct kr_error *err);

/* The path under --default-storage of `path` with flags `flags`: the
 * default storage prefix + path for a relative path that is not local(),
 * not a URL and does not start with ".."; else `path` itself. In arena. */
const char *kr_wf_storage_path(const struct kr_workflow *wf, const char *path, uint32_t flags,
                               struct kr_arena *arena);

/* ---- per-job resolution (called by the planner and the executors) ----- */

/* Wildcard values of one job, names in the order of the output pattern. */
struct kr_wildcards {
    const char **names;
    const char **values;
    uint32_t n;
};

/*
 * Snakemake's apply_wildcards (io.py) on the text `s`: every {name} or
 * {name,regex} that its _wildcard_regex finds is replaced by the job's value
 * of wildcard `name`. The braces are found as that regex finds them: '{',
 * blanks, a name of word characters, optionally ',' and a constraint (no
 * braces except {n} or {n,m}), blanks, '}'. Anything else stays as it is:
 * "{wildcards.x}", "{x:03d}", a lone '{'; "{{x}}" becomes "{VALUE}" (the
 * inner braces match), as in Snakemake. The result is written to `out`
 * (reset first). KR_OK, or KR_NOT_FOUND when a matched name is not a
 * wildcard of the job (wc NULL: none is): *bad and *badlen then give that
 * name inside `s` (Snakemake's WildcardError).
 */
int kr_wf_apply_wildcards(const char *s, const struct kr_wildcards *wc, struct kr_buf *out,
                          const char **bad, size_t *badlen);

/* One resolved file of a job. */
struct kr_iofile {
    const char *path;
    const char *name;       /* keyword of its item, or NULL */
    uint32_t flags;         /* KR_F_* (incl. KR_F_LISTITEM) */
    uint32_t from_rule;     /* 1 + the index of the rule given as its producer (an input
                               written rules.NAME.output, as Snakemake's Rule.dependencies);
                               0: any rule */
};

/*
 * Format every pattern of `list` with the job's wildcards (and call input
 * functions with a `wildcards` object) into files allocated in `arena`.
 * An unknown wildcard in an input pattern is an error naming the rule and
 * wildcard, as Snakemake reports it. Used for input, output, log, benchmark.
 */
int kr_wf_resolve(struct kr_workflow *wf, const struct kr_rule *r,
                  const struct kr_iolist *list, const struct kr_wildcards *wc,
                  struct kr_arena *arena, struct kr_iofile **files, uint32_t *nfiles,
                  struct kr_error *err);

/* A resolved resource value. */
struct kr_resource {
    const char *name;
    int64_t ival;           /* integer resources (mem_mb, runtime in minutes, gpu, custom) */
    const char *sval;       /* string resources (slurm_partition...), else NULL */
};

/* Everything else a job needs to run, resolved from the rule for one job. */
struct kr_jobinfo {
    int threads;                    /* resolved, capped at max_cores */
    struct kr_resource *res;        /* resolved resources (lambdas called) */
    uint32_t nres;
    const char *params_repr;        /* canonical repr of params (for provenance) */
    const char *shell_cmd;          /* formatted shell command, or NULL */
    const char *script_path;        /* formatted script path, or NULL */
    const char *message;            /* formatted message, or NULL */
    struct kr_iofile *log, *bench;
    uint32_t nlog, nbench;
    const char *container;          /* effective container image or NULL */
    int retries;                    /* rule retries, or -1 when unset */
    const char *context_json;       /* JSON object: input, output, params, wildcards,
                                       threads, resources, log, config, rule, attempt,
                                       scriptdir — for script:/run: wrappers */
};

/*
 * Resources the rule does not set, added before anything is formatted
 * (--default-resources: krait run's job preparation fills them). fill
 * appends to info->res / info->nres (allocating in `arena`), sees
 * info->threads and the rule's own resources; KR_OK or an error in err.
 */
struct kr_wf_resdefaults {
    int (*fill)(void *data, struct kr_jobinfo *info, int attempt, struct kr_arena *arena,
                struct kr_error *err);
    void *data;
    /* Optional (may be NULL): the path the job uses for a log: or
     * benchmark: file, called on each before anything is formatted (krait
     * run: the staged local copy of an s3:// one, src/stage.h). */
    const char *(*map_file)(void *data, const char *path, struct kr_arena *arena);
};

/*
 * Resolve a job's threads, resources, params, log, benchmark and the
 * formatted shell command (Snakemake's formatting: {input}, {output.name},
 * {input[0]}, {params.x}, {wildcards.x}, {threads}, {resources.x}, {log},
 * {config[key]}, the :q flag, {{ }} escapes). `attempt` (1-based) and the
 * resolved input/output are visible to lambdas. Allocates in `arena`.
 * `want_json` controls whether context_json is built (it costs time).
 * `defaults` (may be NULL) adds resources the rule does not set, visible
 * as {resources.X} and to scripts like the rule's own.
 */
int kr_wf_job_info(struct kr_workflow *wf, const struct kr_rule *r,
                   const struct kr_wildcards *wc,
                   const struct kr_iofile *in, uint32_t nin,
                   const struct kr_iofile *out, uint32_t nout,
                   int attempt, int max_cores, bool want_json,
                   const struct kr_wf_resdefaults *defaults,
                   struct kr_arena *arena, struct kr_jobinfo *info,
                   struct kr_error *err);

#endif /* KR_WORKFLOW_H */
