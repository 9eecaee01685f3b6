/*
 * eval.h - the evaluator of krait's rule language: executes the syntax tree
 * of a rule file (grammar/ast.h) with Python semantics where the dialect
 * overlaps Python, and hands Snakemake's constructs (rules, top-level
 * directives) to the workflow builder (src/workflow.c).
 *
 * One kr_interp per workflow load. All values it creates live in the
 * workflow's arena (value.h); the interp itself is freed by kr_interp_free.
 * Evaluation is deterministic and bounded: a step budget and a call-depth
 * limit turn infinite loops and infinite recursion into errors (the step
 * budget is 20 million; the environment variable KRAIT_EVAL_MAX_STEPS
 * overrides it), and the arena may not grow beyond 1 GiB.
 *
 * Errors: every function returning int returns KR_OK or a negative KR_E*
 * code after filling I->err with file:line:col, the source line and a caret
 * (kr_eval_error reports at the node being evaluated, I->site).
 */
#ifndef KR_EVAL_H
#define KR_EVAL_H

#include "ast.h"
#include "value.h"
#include "workflow.h"

struct kr_interp {
    struct kr_arena *A;             /* = &wf->arena */
    struct kr_workflow *wf;
    struct kr_sources *srcs;        /* = &wf->srcs */
    struct kr_error *err;           /* where errors go: the caller's, or own_err */
    struct kr_error own_err;
    struct kr_dict *globals;
    struct kr_dict *builtins;
    struct kr_dict *modules;        /* importable modules: name -> KR_V_NS */
    struct kr_value *config;        /* the config dict (also globals["config"]) */
    struct kr_value *rules_ns;      /* `rules` */
    const struct kr_node *site;     /* node being evaluated, for error locations */
    struct kr_scope *scope;         /* current function scope, NULL at top level */
    struct kr_value *retval;        /* value of a `return` being unwound */
    struct kr_value *yielded;       /* the list a generator function being run collects
                                       (`yield`), else NULL */
    long steps, max_steps;          /* statements + expressions evaluated, and the budget */
    size_t max_bytes;               /* budget for the arena's size */
    int depth, max_depth;
    bool warned_conda;
    int anon_rules;                 /* anonymous rules seen (they are named "1", "2" ...) */
    struct kr_vec rules;            /* struct kr_rule * in definition order */
    struct kr_vec includes_dirs;    /* char *: directory of each file being evaluated */
    /* top-level directives, collected for the workflow */
    struct kr_vec constraints;      /* struct kr_constraint * */
    struct kr_vec ruleorder;        /* struct kr_ruleorder * */
    struct kr_vec localrules;       /* const char * */
    struct kr_vec configfiles;      /* const char * */
    /* modules (wf-module.c): `module NAME:` definitions, and the `use rule
     * ... from NAME` being evaluated (NULL outside a module's Snakefile) */
    struct kr_moddef *moddefs;
    struct kr_moduse *moduse;
    struct kr_ckpt *ckpt;           /* checkpoint.c's state, NULL without checkpoints */
    /* exceptions (builtin-exc.c): the class and object of the error in
     * I->err when it is a catchable Python exception, NULL otherwise; and
     * the exception being handled by the innermost `except:` (bare raise) */
    const char *exc_cls;
    struct kr_value *exc_val;
    struct kr_exc_handling *handling;
    struct kr_vec readfiles;        /* const char *: files read by open() (builtin-file.c) */
    struct kr_vec pysrc;            /* top-level imports and defs of the evaluated files,
                                       for run:/onstart: code (wf-pyctx.c) */
    /* several errors per load: names left unbound by a failed top-level
     * statement, and whether the error just reported is only a consequence
     * of one (a use of such a name), which is then not reported */
    struct kr_dict *poisoned;
    bool cascade;
    bool include_failed;            /* an include: failed: unknown names may be its */
    /* ensure(sha256=) and report() (builtin-helpers.c): path string -> the
     * digest (a str) / the report details (a namespace), read back when
     * the rule's output patterns are built */
    struct kr_dict *ensure_sha, *reports;
};

/* Create the interpreter for `wf` (builtins installed, config = empty dict).
 * Free with kr_interp_free (values stay in wf->arena). */
struct kr_interp *kr_interp_new(struct kr_workflow *wf, struct kr_error *err);
void kr_interp_free(struct kr_interp *I);

/* Execute the statements of a MODULE node (a whole rule file) in the global
 * scope. `dir` is the directory of that file (for include:). */
int kr_eval_module(struct kr_interp *I, const struct kr_node *module, const char *dir);

/* Evaluate one expression in the current scope. */
int kr_eval_expr(struct kr_interp *I, const struct kr_node *n, struct kr_value **out);

/*
 * Call a callable value with positional and keyword arguments. Errors are
 * reported at `site` (the node responsible for the call; NULL keeps I->site).
 */
int kr_eval_call(struct kr_interp *I, struct kr_value *fn, const struct kr_callargs *args,
                 const struct kr_node *site, struct kr_value **out);

/*
 * Call a Snakemake-style callable (input function, params/resources lambda):
 * the first parameter receives the wildcards, the others are passed by name
 * from `named` (input, output, threads, resources, attempt ...); parameters
 * with defaults that are not in `named` keep their default.
 */
int kr_eval_call_smk(struct kr_interp *I, struct kr_value *fn, struct kr_value *wildcards,
                     struct kr_dict *named, const struct kr_node *site, struct kr_value **out);

/* Report an evaluation error at I->site (or at `n`). Return KR_EEVAL. */
int kr_eval_error(struct kr_interp *I, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int kr_eval_error_at(struct kr_interp *I, const struct kr_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Attribute lookup on any value (methods, namespaces, named lists, rules).
 * KR_EEVAL with a "has no attribute" error (with a suggestion) when absent. */
int kr_eval_getattr(struct kr_interp *I, struct kr_value *obj, const char *name,
                    struct kr_value **out);
/* obj[key] (lists, tuples, strings, dicts, named lists). */
int kr_eval_getitem(struct kr_interp *I, struct kr_value *obj, struct kr_value *key,
                    struct kr_value **out);
/* Iterate: fills a fresh array of the items of any iterable (list, tuple,
 * str characters, dict keys, set, named list). */
int kr_eval_iter(struct kr_interp *I, struct kr_value *v, struct kr_value ***items, size_t *n);

/* Apply a Python format spec ("05d", ".2f", ">10", "q" is NOT handled here). */
int kr_eval_format_spec(struct kr_interp *I, struct kr_value *v, const char *spec,
                        struct kr_buf *out);
/* str.format(*args, **kw) of `fmt` into out. */
int kr_eval_str_format(struct kr_interp *I, const char *fmt, size_t len,
                       const struct kr_callargs *a, struct kr_buf *out);

/* ---- provided by builtins.c / builtin-*.c ---- */
void kr_builtins_install(struct kr_interp *I);
/* Methods of str, list, dict, set, named lists: NULL when `name` is not one. */
struct kr_value *kr_builtins_method(struct kr_interp *I, struct kr_value *self, const char *name);
/* Snakemake builtins (expand, glob_wildcards, temp ..., read_table, os). */
void kr_builtins_smk_install(struct kr_interp *I);
/* `import X` / `from X import ...`: the module value or an error with a hint. */
int kr_builtins_import(struct kr_interp *I, const char *module, struct kr_value **out);
/* Argument helpers for builtins. */
int kr_args_check(struct kr_interp *I, const char *fname, const struct kr_callargs *a,
                  size_t min, size_t max);
struct kr_value *kr_args_kw(const struct kr_callargs *a, const char *name);

/* A shallow copy of v (a path, or each path of a list) carrying `flag`
 * (builtin-smk.c; temp(), directory() ... and ensure(), report()). */
struct kr_value *kr_smk_with_flag(struct kr_interp *I, struct kr_value *v, uint32_t flag);

/*
 * The top-level `scattergather: NAME=N, ...` (Snakemake): for each NAME,
 * scatter.NAME(pattern, **wildcards) and gather.NAME(...) give
 * expand(pattern, scatteritem=["1-of-N", ..., "N-of-N"], **wildcards); N
 * from --set-scatter NAME=N when given; the global wildcard constraint
 * scatteritem=\d+-of-\d+ is added. KR_OK or KR_EEVAL at the entry.
 */
int kr_smk_scattergather(struct kr_interp *I, const struct kr_node *n);

/* ---- provided by builtin-helpers.c: Snakemake's helper functions ---- */
/* Install ensure, report, exists, subpath, lookup, branch as builtins. */
void kr_builtins_helpers_install(struct kr_interp *I);
/* Add workflow.source_path() to the `workflow` namespace. */
void kr_builtins_workflow_ns(struct kr_interp *I, struct kr_value *wfns);
/* The directory of the rule file being evaluated ("." for the main one
 * when it is in the working directory). */
const char *kr_eval_current_dir(const struct kr_interp *I);

/* ---- provided by builtin-exc.c: exceptions ---- */
/* The exception being handled by an `except:` clause, for a bare `raise`. */
struct kr_exc_handling {
    struct kr_error err;            /* the error as it was reported */
    const char *cls;
    struct kr_value *val;
    struct kr_exc_handling *outer;
};
/* Install the exception classes (BaseException, Exception, ValueError ...). */
void kr_builtins_exc_install(struct kr_interp *I);
/* Mark the error just reported (rc == KR_EEVAL, message in I->err) as the
 * Python exception `cls` (a static string) so that try/except can catch it;
 * `arg` becomes e.args[0] (NULL: the message). Returns rc unchanged. */
int kr_exc_tag(struct kr_interp *I, const char *cls, struct kr_value *arg, int rc);
/* A new exception object of class `cls` with `args` (a tuple, or NULL). */
struct kr_value *kr_exc_new(struct kr_interp *I, const char *cls, struct kr_value *args);
/* The class name when v is an exception class (ValueError), else NULL. */
const char *kr_exc_class_of(const struct kr_value *v);
/* Whether v is an exception object (from raise/except). */
bool kr_exc_is(const struct kr_value *v);
/* Whether class `cls` is `of` or derives from it (aliases resolved). */
bool kr_exc_subclass(const char *cls, const char *of);

/* ---- provided by eval-missing.c ---- */
/* For a Snakemake or Python builtin krait does not implement yet, the error
 * message that says so ("krait does not support 'report()' yet ..."), in
 * the arena; NULL for any other name. */
const char *kr_missing_name(struct kr_interp *I, const char *name);

/* ---- provided by builtin-file.c: open() for reading ---- */
void kr_builtins_file_install(struct kr_interp *I);
/*
 * The file-object C API for builtins that take a file (yaml.safe_load(f),
 * json.load(f), csv.reader(f)): when v is a file object from open(), set
 * *text and *len to the unread rest of its content (NUL-terminated; owned by the
 * arena; the file counts as read to its end afterwards when `consume`) and
 * *path to the path it was opened with, and return true. False otherwise.
 * The file's path is already recorded in I->readfiles by open().
 */
bool kr_file_content(struct kr_value *v, bool consume, const char **text, size_t *len,
                     const char **path);
/* Whether v is a file object from open(). */
bool kr_file_is(const struct kr_value *v);
/* The lines (with their '\n') of a file object's unread content, consuming it. */
int kr_file_lines(struct kr_interp *I, struct kr_value *v, struct kr_value ***items, size_t *n);

/* ---- provided by workflow.c ---- */
/* Build a kr_rule from a RULE node (or a USERULE) and add it. */
int kr_wf_add_rule(struct kr_interp *I, const struct kr_node *n);
int kr_wf_use_rule(struct kr_interp *I, const struct kr_node *n);
/* Apply one DIRECTIVE node to a rule under construction (evaluating it in
 * the current scope). KR_EEVAL with the directive's location on errors. */
int kr_wf_apply_directive(struct kr_interp *I, struct kr_rule *r, const struct kr_node *d);
/* Add a finished rule to the workflow and to `rules`. A second rule of the
 * same name is an error unless `replace` (module rules may be redefined, as
 * in Snakemake: the new rule takes the old one's place). */
int kr_wf_register_rule(struct kr_interp *I, struct kr_rule *r, const struct kr_node *at,
                        bool replace);
/* A top-level directive (configfile, include, workdir ...). */
int kr_wf_topdir(struct kr_interp *I, const struct kr_node *n);

/*
 * A rule's wrapper: (wf-wrapper.c), as Snakemake finds it: the spec, or
 * --wrapper-prefix (default Snakemake's wrapper repository on GitHub)
 * followed by the spec; a file: location runs its wrapper.py/.R/.Rmd/.jl
 * as the rule's script: (r->script, absolute); an http(s) or git+file
 * one, which krait does not fetch, is kept in r->wrapper_url so that the
 * job fails saying where the wrapper lives and how to use a local copy.
 * KR_EEVAL when a local wrapper directory has no wrapper file.
 */
int kr_wf_wrapper_resolve(struct kr_interp *I, struct kr_rule *r);
/* The `rules.NAME.attr` object of a rule. */
int kr_wf_rule_attr(struct kr_interp *I, struct kr_rule *r, const char *attr,
                    struct kr_value **out);

/* ---- provided by wf-module.c ---- */
/* `module NAME:` (a MODDEF node): check and record the definition. */
int kr_mod_define(struct kr_interp *I, const struct kr_node *n);
/* `use rule ... from NAME ...` (a USERULE node with b set): evaluate the
 * module's Snakefile with its config, prefix and the rule selection. */
int kr_mod_use(struct kr_interp *I, const struct kr_node *n);
/* A RULE node met while a module's Snakefile is evaluated (I->moduse set):
 * skipped when not selected, else renamed, overridden, path-prefixed and
 * registered. */
int kr_mod_add_rule(struct kr_interp *I, const struct kr_node *n);
/* A local `use rule A as B with:` met while a module's Snakefile is
 * evaluated (I->moduse set): A is the module's own rule (its name in the
 * module), B is taken, renamed and path-modified as the module's rules are. */
int kr_mod_use_local(struct kr_interp *I, const struct kr_node *n);
/* Does a `configfile:` in the module being evaluated have no effect (the
 * module was given its own config:)? */
bool kr_mod_skip_configfile(const struct kr_interp *I);

/* ---- provided by config.c ---- */
/* Parse a YAML or JSON config file into a dict value (JSON when the name ends
 * in .json). KR_NOT_FOUND when missing; KR_EEVAL with err on parse errors. */
int kr_config_load_file(struct kr_arena *A, const char *path, struct kr_value **out,
                        struct kr_error *err);
/* Parse a YAML scalar/flow value ("3", "true", "[1, 2]", "x") to a value. */
int kr_config_parse_value(struct kr_arena *A, const char *text, struct kr_value **out,
                          struct kr_error *err);
/* Merge `src` into the dict `dst` recursively (Snakemake's update_config). */
void kr_config_merge(struct kr_arena *A, struct kr_value *dst, struct kr_value *src);

/* ---- provided by shellfmt.c ---- */
/*
 * Format a shell:/message:/script: template the way Snakemake's shell()
 * does: {name}, {name.attr}, {name[0]}, {name[key]}, lists space-joined,
 * the :q flag (shell-quote; each item of a list), other format specs, {{ }}.
 * Names are looked up in `vars` (input, output, params, wildcards, threads,
 * resources, log, rule, config ...) and then in the rule file's globals.
 * Errors (KR_EEVAL) name the rule, the directive (`what`) and the field.
 * In a shell: command (what = "shell"), a field substituted without :q
 * whose text contains a wildcard value (vars["wildcards"]) holding a shell
 * metacharacter (; | & $ ` < > newline quote) is an error naming the value
 * and the :q fix, unless I->wf->allow_unquoted_wildcards.
 */
int kr_shellfmt(struct kr_interp *I, const struct kr_rule *r, const char *what,
                const char *tmpl, struct kr_dict *vars, struct kr_buf *out);
/* Append s quoted for a POSIX shell as Python's shlex.quote does. */
void kr_shell_quote(const char *s, size_t n, struct kr_buf *out);
/* A JSON rendering of a value (jansson; caller json_decref()s). Functions
 * become "<function NAME>" / "<lambda>"; named lists become
 * {"positional": [...], "named": {...}}. */
struct json_t;
struct json_t *kr_value_to_json(const struct kr_value *v);

/*
 * Note the top-level `import`/`from ... import` statements and `def`s of
 * `module` (a MODULE node, one rule file) in I->pysrc, with their Python
 * source text, for kr_wf_pyctx_json (wf-pyctx.c). Called by kr_eval_module.
 */
void kr_wf_pyctx_note(struct kr_interp *I, const struct kr_node *module);

/* Point I->err at `err` (or at the interp's own error when NULL). */
void kr_interp_set_err(struct kr_interp *I, struct kr_error *err);

#endif /* KR_EVAL_H */
