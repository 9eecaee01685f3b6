/*
 * mod.h - the builtin Python modules of the rule language (re, json, yaml,
 * csv, sys, math, copy, string, textwrap, itertools, functools, collections,
 * pathlib, datetime, time, snakemake.utils.validate, snakemake.remote.S3 and
 * the storage namespace): each lives in its own src/mod-XXX.c file and
 * exports one installer that registers a KR_V_NS namespace in I->modules.
 * builtin-mod.c calls them all and answers "krait does not support
 * 'module.name' yet" for names these modules do not have.
 *
 * Ownership: as everywhere in the evaluator, values live in the workflow's
 * arena; nothing here keeps state beyond a call.
 */
#ifndef KR_MOD_H
#define KR_MOD_H

#include "eval.h"

/* Signature shared by every builtin function in the mod-*.c files. */
#define KR_MOD_FN(name) static int name(struct kr_interp *I, struct kr_value *self, \
                                        const struct kr_callargs *a, struct kr_value **out)

/* The `storage:` / `storage NAME:` top-level directive (n: its node, whose
 * str is "storage" or "storage NAME"; mod-storage.c). */
int kr_storage_topdir(struct kr_interp *I, const struct kr_node *n);

/* glob_wildcards() over S3: every object under the literal prefix
 * "s3://BUCKET/KEYPREFIX" as an "s3://BUCKET/KEY" string pushed on paths
 * (arena), from one paginated ListObjectsV2 (--s3-endpoint-url, the usual
 * credentials). KR_EEVAL after kr_eval_error when S3 cannot be listed. */
int kr_storage_glob_s3(struct kr_interp *I, const char *prefix, struct kr_vec *paths);

/* Register every builtin module (called once by kr_builtins_smk_install). */
void kr_mod_install(struct kr_interp *I);

/* Add builtin `fn` as attribute `name` of namespace `ns`, bound to `self`
 * (may be NULL). The builtin reports itself as `qual` ("re.sub"). */
void kr_mod_def(struct kr_interp *I, struct kr_value *ns, const char *qual, kr_builtin_fn fn,
                struct kr_value *self);

/* True when `ns` is one of the builtin modules (or a namespace one of
 * them returns, such as a compiled pattern), so that a missing attribute is
 * reported as a feature krait lacks, not as a user error. */
bool kr_mod_is_builtin(const struct kr_value *ns);

/*
 * The text behind an argument that Python would accept as "a file": a file
 * object from open() (its unread rest, which counts as read afterwards:
 * kr_file_content) or a path string (read from disk; relative to the
 * current directory, as Python's open() is). `fname` names the caller
 * for messages. Fills *text and *len (arena memory); returns KR_OK, or
 * KR_EEVAL after kr_eval_error() when the file cannot be read.
 */
int kr_mod_file_text(struct kr_interp *I, const char *fname, struct kr_value *src,
                     const char **text, size_t *len);

/*
 * The special methods of a builtin object (a pandas DataFrame, Series or
 * Index is a namespace whose "__getitem__", "__len__", "__iter__",
 * "__contains__", "__eq__", "__ne__" attributes are builtins): when `obj`
 * has builtin attribute `name`, call it with args (n), set *handled and
 * return its result code; otherwise *handled = false and KR_OK. These are
 * the evaluator's hooks for subscripts, len(), iteration, `in` and ==.
 */
int kr_mod_special(struct kr_interp *I, struct kr_value *obj, const char *name,
                   struct kr_value **args, size_t n, struct kr_value **out, bool *handled);

/* When v is a pandas DataFrame (mod-pandas.c): its column names, rows
 * (lists of cells, NaN for empty ones; shared, mutable) and index labels. */
bool kr_pandas_frame(struct kr_value *v, struct kr_value **cols, struct kr_value **rows,
                     struct kr_value **index);

/* Parse YAML (or JSON, a YAML subset) text into a value, errors naming
 * `name` with the line and column inside it (config.c). */
int kr_config_parse_text(struct kr_arena *A, const char *name, const char *text, size_t len,
                         bool json, struct kr_value **out, struct kr_error *err);

/* Sort `items` in place by Python's ordering, or by `key` (builtins.c). */
int kr_builtins_sort(struct kr_interp *I, struct kr_value **items, size_t n,
                     struct kr_value *key, bool reverse);

/* Each module's installer (one per mod-*.c file). */
void kr_mod_re_install(struct kr_interp *I);
void kr_mod_json_install(struct kr_interp *I);
void kr_mod_sys_install(struct kr_interp *I);
void kr_mod_math_install(struct kr_interp *I);
void kr_mod_text_install(struct kr_interp *I);
void kr_mod_iter_install(struct kr_interp *I);
void kr_mod_validate_install(struct kr_interp *I);
void kr_mod_csv_install(struct kr_interp *I);
void kr_mod_pandas_install(struct kr_interp *I);
void kr_mod_coll_install(struct kr_interp *I);
void kr_mod_path_install(struct kr_interp *I);
void kr_mod_time_install(struct kr_interp *I);
void kr_mod_storage_install(struct kr_interp *I);

/*
 * Attribute hooks of the objects these modules make out of ordinary values
 * (a Counter's methods, a namedtuple's fields, a Path's properties, a
 * datetime class's today()): when `obj` is one of them and `name` is
 * theirs, set *handled, fill *out and return KR_OK (or KR_EEVAL for a
 * name they know krait lacks); otherwise *handled = false. kr_mod_getattr
 * asks each module in turn (the evaluator's getattr calls it first for
 * values that are not namespaces).
 */
int kr_mod_getattr(struct kr_interp *I, struct kr_value *obj, const char *name,
                   struct kr_value **out, bool *handled);
int kr_coll_getattr(struct kr_interp *I, struct kr_value *obj, const char *name,
                    struct kr_value **out, bool *handled);
int kr_path_getattr(struct kr_interp *I, struct kr_value *obj, const char *name,
                    struct kr_value **out, bool *handled);
int kr_time_getattr(struct kr_interp *I, struct kr_value *obj, const char *name,
                    struct kr_value **out, bool *handled);

/* d[key] for a key dict `d` lacks: a Counter gives 0, a defaultdict with a
 * factory stores and gives factory(). KR_NOT_FOUND for any other dict (the
 * caller reports the KeyError); KR_EEVAL when the factory fails. */
int kr_coll_missing(struct kr_interp *I, struct kr_value *d, struct kr_value *key,
                    struct kr_value **out);

/* a / b where a or b is a pathlib.Path (and the other a str or Path):
 * the joined Path; KR_EEVAL (TypeError) for other operands. */
int kr_path_div(struct kr_interp *I, struct kr_value *a, struct kr_value *b,
                struct kr_value **out);

/* Update dict `d` from a mapping or an iterable of pairs (builtin-methods.c). */
int kr_builtins_dict_update(struct kr_interp *I, struct kr_value *d, struct kr_value *src);

#endif /* KR_MOD_H */
