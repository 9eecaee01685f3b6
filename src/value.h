/*
 * value.h - the values of krait's rule language: the Python subset a
 * Snakefile uses (None, bool, int, float, str, list, tuple, dict, set,
 * functions) plus Snakemake's own objects (named lists such as `input` and
 * `wildcards`, rule objects behind `rules.NAME`, namespaces such as `os.path`,
 * and strings carrying IO flags such as temp("x")).
 *
 * Ownership: every value lives in the arena given to its constructor (the
 * workflow's arena); nothing is freed one by one and values may be shared
 * freely. Lists and dicts are mutable in place; their storage grows inside
 * the same arena. Strings are NUL-terminated and may contain NULs (len).
 *
 * Ints are 64-bit: operations that would overflow are reported as errors by
 * the evaluator (kr_value_* helpers here never overflow silently; they
 * return false from the checked-arithmetic helpers).
 */
#ifndef KR_VALUE_H
#define KR_VALUE_H

#include "kr.h"

struct kr_interp;
struct kr_node;

enum kr_vtype {
    KR_V_NONE = 0, KR_V_BOOL, KR_V_INT, KR_V_FLOAT, KR_V_STR,
    KR_V_LIST, KR_V_TUPLE, KR_V_DICT, KR_V_SET,
    KR_V_FUNC,      /* def / lambda closure */
    KR_V_BUILTIN,   /* a C function, possibly bound to `self` (methods) */
    KR_V_NAMED,     /* Snakemake named list: input, output, params, wildcards ... */
    KR_V_RULE,      /* rules.NAME */
    KR_V_NS,        /* attribute namespace: os, os.path, rules, a glob_wildcards result */
    KR_V_TYPE,      /* a builtin type used as a value: str, int, list ... */
};

struct kr_value;

/* A function scope: its variables and the enclosing function's scope
 * (closures). The module's globals are not a kr_scope. */
struct kr_scope {
    struct kr_dict *vars;
    struct kr_scope *parent;
    struct kr_dict *global_names;   /* names declared `global` here, or NULL */
};

/* Arguments of a call, as the evaluator collects them. */
struct kr_callargs {
    struct kr_value **pos;
    size_t npos;
    const char **kwnames;
    struct kr_value **kwvals;
    size_t nkw;
};

/*
 * A builtin: fills *out and returns KR_OK, or returns KR_EEVAL after
 * kr_eval_error() (which reports at the current call site).
 */
typedef int (*kr_builtin_fn)(struct kr_interp *I, struct kr_value *self,
                             const struct kr_callargs *a, struct kr_value **out);

/* Insertion-ordered hash map (dict, set, named-list names, namespaces). */
struct kr_dict {
    struct kr_value **keys;     /* entries in insertion order; a deleted slot has key NULL */
    struct kr_value **vals;
    size_t n, cap;              /* entries used (incl. deleted), capacity */
    size_t live;                /* live entries */
    int32_t *index;             /* open addressing: entry index or -1 */
    size_t icap;                /* power of two */
    uint8_t kind;               /* KR_DICT_*: a collections dict (mod-coll.c) */
    struct kr_value *factory;   /* KR_DICT_DEFAULT: default_factory, or NULL (None) */
};

/* kinds of dict (kr_dict.kind): collections.defaultdict and Counter are
 * dicts whose missing keys are filled in (kr_coll_missing) */
enum { KR_DICT_PLAIN = 0, KR_DICT_DEFAULT, KR_DICT_COUNTER };

/* flags of a KR_V_NS value that is not a module */
#define KR_NS_EXC  0x1u     /* an exception object (builtin-exc.c) */
#define KR_NS_FILE 0x2u     /* a file object from open() (builtin-file.c) */
#define KR_NS_OBJ  0x4u     /* an object of a builtin module (a datetime.date ...) whose
                             * attrs "__type__", "__str__" and "__repr__" are strings
                             * giving its type name, str() and repr(); equal when
                             * their type and repr are equal */
/* flags of a KR_V_TUPLE: a collections.namedtuple instance, whose class
 * (kr_coll_nt_class) is kept in items[len], past its last item */
#define KR_TUPLE_NAMED 0x1u
/* flag of a KR_V_STR (beside the IO flags of workflow.h): a pathlib.Path
 * (mod-path.c); str() and the workflow's file lists drop it */
#define KR_STR_PATH 0x20000000u
/* str(e) of an exception object (builtin-exc.c). */
void kr_exc_str_buf(const struct kr_value *e, struct kr_buf *out);

struct kr_value {
    uint8_t type;               /* enum kr_vtype */
    uint32_t flags;             /* KR_V_STR: KR_F_* IO flags (temp, protected ...) */
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            char *s;
            size_t len;
            const void *origin;     /* the kr_rule whose rules.NAME.output gave this
                                       path (a dependency on that rule), else NULL */
            uint32_t repeat;        /* benchmark: repeat(path, n): n (else 0) */
        } str;
        struct { struct kr_value **items; size_t len, cap; } list; /* LIST, TUPLE */
        struct kr_dict *dict;                                    /* DICT, SET */
        struct {
            const struct kr_node *node;   /* DEF or LAMBDA */
            struct kr_scope *closure;     /* enclosing function's scope, or NULL */
            struct kr_dict *globals;      /* globals it was defined in (a module's) */
            struct kr_value **defaults;   /* evaluated defaults, one per param (or NULL) */
            const char *name;
        } fn;
        struct {
            const char *name;
            kr_builtin_fn fn;
            struct kr_value *self;
            void *data;
        } bi;
        struct {
            struct kr_value **items;      /* positional (flattened) */
            size_t len, cap;
            struct kr_dict *names;        /* name -> value (str or list) */
            const char **inames;          /* name given with each positional item, or NULL */
            const char *kind;             /* "input", "wildcards"...: for messages */
        } named;
        struct {
            const char *name;
            struct kr_dict *attrs;        /* str -> value */
        } ns;
        struct {
            struct kr_rule *rule;
        } rule;
        struct {
            const char *name;             /* "str", "int" ... */
        } type;
    } u;
};

/* ---- constructors (all allocate in arena `A`) ---- */
struct kr_value *kr_value_none(void);
struct kr_value *kr_value_bool(bool b);
struct kr_value *kr_value_int(struct kr_arena *A, int64_t i);
struct kr_value *kr_value_float(struct kr_arena *A, double f);
struct kr_value *kr_value_str(struct kr_arena *A, const char *s, size_t len);
struct kr_value *kr_value_cstr(struct kr_arena *A, const char *s);
/* Take ownership of an arena string (no copy). */
struct kr_value *kr_value_str_own(struct kr_arena *A, char *s, size_t len);
struct kr_value *kr_value_list(struct kr_arena *A, size_t cap);
struct kr_value *kr_value_tuple(struct kr_arena *A, size_t n);   /* n items, NULL-filled */
struct kr_value *kr_value_dict(struct kr_arena *A);
struct kr_value *kr_value_set(struct kr_arena *A);
struct kr_value *kr_value_named(struct kr_arena *A, const char *kind);
struct kr_value *kr_value_ns(struct kr_arena *A, const char *name);
struct kr_value *kr_value_builtin(struct kr_arena *A, const char *name, kr_builtin_fn fn,
                                  struct kr_value *self, void *data);
struct kr_value *kr_value_type(struct kr_arena *A, const char *name);

/* ---- containers ---- */
void kr_list_push(struct kr_arena *A, struct kr_value *list, struct kr_value *v);
void kr_list_insert(struct kr_arena *A, struct kr_value *list, size_t at, struct kr_value *v);

struct kr_dict *kr_dict_new(struct kr_arena *A);
/* Lookup by key; NULL when absent. Keys must be hashable (kr_value_hashable). */
struct kr_value *kr_dict_get(const struct kr_dict *d, const struct kr_value *key);
struct kr_value *kr_dict_gets(const struct kr_dict *d, const char *key);
/* Insert or replace (keeps the original position on replace). */
void kr_dict_set(struct kr_arena *A, struct kr_dict *d, struct kr_value *key, struct kr_value *v);
void kr_dict_sets(struct kr_arena *A, struct kr_dict *d, const char *key, struct kr_value *v);
/* Remove; returns the old value or NULL. */
struct kr_value *kr_dict_del(struct kr_dict *d, const struct kr_value *key);

/* Named lists: append a positional item (optionally under a name); name a
 * value that spans several positional items (input: reads=[a, b]). */
void kr_named_push(struct kr_arena *A, struct kr_value *nl, const char *name, struct kr_value *v);
void kr_named_setname(struct kr_arena *A, struct kr_value *nl, const char *name, struct kr_value *v);
/* The name item i was pushed with (kr_named_push), or NULL. */
const char *kr_named_item_name(const struct kr_value *nl, size_t i);

/* ---- inspection ---- */
const char *kr_value_type_name(const struct kr_value *v);
bool kr_value_truthy(const struct kr_value *v);
bool kr_value_hashable(const struct kr_value *v);
uint64_t kr_value_hash(const struct kr_value *v);
/* Python ==. */
bool kr_value_equal(const struct kr_value *a, const struct kr_value *b);
/* Python ordering for <, <=...: *cmp gets -1/0/1. Returns false when the
 * types are not orderable (then the caller reports a TypeError). */
bool kr_value_compare(const struct kr_value *a, const struct kr_value *b, int *cmp);
bool kr_value_is_str(const struct kr_value *v);
bool kr_value_is_callable(const struct kr_value *v);
/* Items of a sequence-like value (list, tuple, named list); NULL otherwise. */
struct kr_value **kr_value_items(const struct kr_value *v, size_t *n);

/* The type name of a namedtuple instance (v flagged KR_TUPLE_NAMED) and
 * its field names (a tuple of str) (mod-coll.c). */
const char *kr_coll_nt_name(const struct kr_value *v);
struct kr_value *kr_coll_nt_fields(const struct kr_value *v);
/* repr() of a namedtuple instance, a defaultdict or a Counter (mod-coll.c). */
void kr_coll_repr_buf(const struct kr_value *v, struct kr_buf *out);

/* Python str() and repr() appended to a buffer. */
void kr_value_str_buf(const struct kr_value *v, struct kr_buf *out);
void kr_value_repr_buf(const struct kr_value *v, struct kr_buf *out);
/* Same, into the arena. */
char *kr_value_to_str(struct kr_arena *A, const struct kr_value *v);
char *kr_value_to_repr(struct kr_arena *A, const struct kr_value *v);
/* Python's repr of a float ("1.0", "0.1", "1e+20"). */
void kr_float_repr(double f, struct kr_buf *out);

/* Checked 64-bit arithmetic: false on overflow. */
bool kr_int_add(int64_t a, int64_t b, int64_t *r);
bool kr_int_sub(int64_t a, int64_t b, int64_t *r);
bool kr_int_mul(int64_t a, int64_t b, int64_t *r);

#endif /* KR_VALUE_H */
