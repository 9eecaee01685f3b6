/*
 * ast.h - the syntax tree of a rule file: what grammar/ produces and src/eval
 * consumes. The grammar knows nothing of what rules mean; this header is the
 * whole contract between the two.
 *
 * One node type for everything (like jq's block or lua's expdesc): a kind, a
 * location (source file index + byte offset of the node's first character),
 * and generic slots whose meaning per kind is listed below. Nodes, their child
 * arrays and their strings live in the arena passed to the parser.
 *
 * Slot meanings (unlisted slots are zero/NULL):
 *
 * Expressions
 *   NAME        str = identifier
 *   INT         ival
 *   FLOAT       fval
 *   STR         str/slen = decoded value (escapes processed; raw strings kept
 *               verbatim; implicit concatenation of adjacent literals already
 *               folded). flags: KR_STR_RAW when any part was raw.
 *   FSTR        kids = parts: STR nodes (literal text) and FIELD nodes.
 *               Adjacent plain and f-string literals fold into one FSTR.
 *   FIELD       (an f-string replacement field) a = expression,
 *               op = conversion ('r', 's', 'a') or 0,
 *               b = format spec as an FSTR node (may contain nested FIELDs) or NULL,
 *               flags: KR_FIELD_DEBUG for f"{x=}" (str = the expression text).
 *   TRUE FALSE NONE
 *   LIST TUPLE SET   kids = elements (may contain STARRED)
 *   DICT        kids = alternating key, value (2*n kids); a DSTAR entry stands
 *               alone in the key slot with a NULL value slot.
 *   BINOP       op = KR_OP_*, a, b
 *   UNOP        op = KR_OP_NEG / KR_OP_POS / KR_OP_INVERT, a
 *   NOT         a
 *   AND OR      a, b (short-circuit)
 *   CMP         chained comparison: kids = operands (n), and the n-1 operators
 *               in `ops` (KR_OP_LT ... KR_OP_IN, KR_OP_NOTIN, KR_OP_IS, KR_OP_ISNOT)
 *   COND        a = value if true, b = condition, c = value if false
 *   LAMBDA      params = PARAM nodes, a = body expression
 *   CALL        a = callee, kids = arguments: plain expressions, KWARG,
 *               STARRED (*x), DSTAR (**x)
 *   KWARG       str = keyword, a = value
 *   STARRED     a
 *   DSTAR       a
 *   ATTR        a = object, str = attribute name
 *   INDEX       a = object, b = index (a SLICE node for x[i:j:k];
 *               a TUPLE for x[i, j])
 *   SLICE       a, b, c = start, stop, step (each may be NULL)
 *   LISTCOMP SETCOMP GENEXP   a = element, kids = COMPFOR / COMPIF clauses in order
 *   DICTCOMP    a = key, b = value, kids = clauses
 *   COMPFOR     a = target (NAME or TUPLE of NAMEs), b = iterable
 *   COMPIF      a = condition
 *
 * Statements (kids of a BLOCK or of MODULE)
 *   MODULE      kids = statements of the file
 *   BLOCK       kids = statements
 *   EXPR        a = expression
 *   ASSIGN      a = target (NAME, TUPLE/LIST of targets, ATTR, INDEX), b = value;
 *               chained a = b = c becomes nested: kids = extra targets
 *   AUGASSIGN   op = KR_OP_*, a = target, b = value
 *   IF          kids = alternating condition, BLOCK (if/elif...), c = else BLOCK or NULL
 *   FOR         a = target, b = iterable, c = BLOCK (for-else is rejected)
 *   DEF         str = name, params = PARAM nodes, a = BLOCK; flags
 *               KR_DEF_GENERATOR when the body yields
 *   PARAM       str = name, a = default or NULL, flags KR_PARAM_STAR (*args),
 *               KR_PARAM_DSTAR (**kw), KR_PARAM_KWONLY_MARK (bare `*`)
 *   RETURN      a = value or NULL
 *   PASS BREAK CONTINUE
 *   ASSERT      a = condition, b = message or NULL
 *   IMPORT      str = dotted module name, b = NAME node for "as" or NULL
 *               (one node per imported module)
 *   FROMIMPORT  str = module, kids = NAME nodes (each: str = name,
 *               a = NAME for "as" or NULL)
 *   GLOBAL      kids = NAME nodes (inside def)
 *   DEL         kids = targets
 *   RAISE       a = the exception expression, or NULL for a bare `raise`
 *               (`raise X from Y` keeps X; the cause is dropped)
 *   TRY         a = body BLOCK, kids = EXCEPT clauses in order, b = else BLOCK
 *               or NULL, c = finally BLOCK or NULL
 *   EXCEPT      a = class expression (NAME, ATTR or TUPLE of them) or NULL for
 *               a bare `except:`, str = the `as` name or NULL, b = BLOCK
 *   WHILE       a = condition, b = BLOCK (while-else is rejected)
 *   WITH        a = context expression, str = the `as` name or NULL, b = BLOCK
 *
 * Snakemake constructs
 *   RULE        str = rule name or NULL (anonymous), flags KR_RULE_CHECKPOINT
 *               for `checkpoint NAME:` (always named),
 *               kids = DIRECTIVE nodes in source order
 *   DIRECTIVE   str = directive name as written ("input", "output", "run", ...),
 *               kids = the items: plain expressions or KWARG for named items
 *               (`input: "a", ref="b"`); for `run:` (and onstart/onsuccess/
 *               onerror) see RAWBLOCK.
 *               Value directives (threads: 4, shell: "...") have one kid.
 *   RAWBLOCK    the body of `run:` (and of onstart/onsuccess/onerror):
 *               str/slen = the Python source of the block, dedented, verbatim;
 *               ival = 1-based line number of its first line in the file.
 *               It is never tokenised as the dialect (it runs in python3).
 *   USERULE     `use rule A as B with:` / `use rule * from M as M_*`:
 *               str = source rule name (or "*"), a = NAME node for the new
 *               name (NULL when no `as`), kids = DIRECTIVE overrides (from
 *               `with:`), b = STR module name for `from M` (its kids: the
 *               NAME nodes of `exclude a, b`), c = NAME node whose kids are
 *               all source names when several are given (`use rule a, b`).
 *   MODDEF      `module NAME:`: str = module name, kids = DIRECTIVE nodes
 *               (snakefile, config, prefix, replace_prefix, skip_validation,
 *               meta_wrapper).
 *   TOPDIR      a top-level directive outside rules: str = "configfile",
 *               "include", "workdir", "wildcard_constraints", "localrules",
 *               "ruleorder", "onstart", "onsuccess", "onerror", "pepfile",
 *               "report", "envvars", "container", "conda", "singularity";
 *               kids = items as for DIRECTIVE; ruleorder's `a > b > c` arrives
 *               as kids = NAME nodes in order; localrules as NAME nodes.
 *               onstart/onsuccess/onerror have a RAWBLOCK kid.
 *
 * Every node: file (source index), off (byte offset of its first character).
 */
#ifndef KR_AST_H
#define KR_AST_H

#include "../src/kr.h"
#include "source.h"

enum kr_node_kind {
    /* expressions */
    KR_N_NAME = 1, KR_N_INT, KR_N_FLOAT, KR_N_STR, KR_N_FSTR, KR_N_FIELD,
    KR_N_TRUE, KR_N_FALSE, KR_N_NONE,
    KR_N_LIST, KR_N_TUPLE, KR_N_SET, KR_N_DICT,
    KR_N_BINOP, KR_N_UNOP, KR_N_NOT, KR_N_AND, KR_N_OR, KR_N_CMP, KR_N_COND,
    KR_N_LAMBDA, KR_N_CALL, KR_N_KWARG, KR_N_STARRED, KR_N_DSTAR,
    KR_N_ATTR, KR_N_INDEX, KR_N_SLICE,
    KR_N_LISTCOMP, KR_N_SETCOMP, KR_N_GENEXP, KR_N_DICTCOMP, KR_N_COMPFOR, KR_N_COMPIF,
    /* statements */
    KR_N_MODULE, KR_N_BLOCK, KR_N_EXPR, KR_N_ASSIGN, KR_N_AUGASSIGN, KR_N_IF,
    KR_N_FOR, KR_N_DEF, KR_N_PARAM, KR_N_RETURN, KR_N_PASS, KR_N_BREAK,
    KR_N_CONTINUE, KR_N_ASSERT, KR_N_IMPORT, KR_N_FROMIMPORT, KR_N_GLOBAL, KR_N_DEL,
    KR_N_RAISE, KR_N_TRY, KR_N_EXCEPT, KR_N_WHILE, KR_N_WITH,
    KR_N_YIELD,         /* a: the value (NULL: None); flags 1: yield from */
    /* Snakemake */
    KR_N_RULE, KR_N_DIRECTIVE, KR_N_RAWBLOCK, KR_N_USERULE, KR_N_TOPDIR,
    KR_N_MODDEF,
    KR_N__COUNT
};

enum kr_op {
    KR_OP_NONE = 0,
    KR_OP_ADD, KR_OP_SUB, KR_OP_MUL, KR_OP_DIV, KR_OP_FLOORDIV, KR_OP_MOD,
    KR_OP_POW, KR_OP_MATMUL,
    KR_OP_BITAND, KR_OP_BITOR, KR_OP_BITXOR, KR_OP_LSHIFT, KR_OP_RSHIFT,
    KR_OP_NEG, KR_OP_POS, KR_OP_INVERT,
    KR_OP_LT, KR_OP_LE, KR_OP_GT, KR_OP_GE, KR_OP_EQ, KR_OP_NE,
    KR_OP_IN, KR_OP_NOTIN, KR_OP_IS, KR_OP_ISNOT,
};

/* node flags */
#define KR_STR_RAW           0x01u
#define KR_FIELD_DEBUG       0x02u
#define KR_PARAM_STAR        0x04u
#define KR_PARAM_DSTAR       0x08u
#define KR_PARAM_KWONLY_MARK 0x10u
#define KR_RULE_CHECKPOINT   0x20u
#define KR_DEF_GENERATOR     0x40u  /* DEF: its body yields (set by the parser) */

struct kr_node {
    uint16_t kind;      /* enum kr_node_kind */
    uint16_t file;      /* index into the load's kr_sources */
    uint32_t off;       /* byte offset of the first character */
    int32_t op;         /* enum kr_op, or conversion char for FIELD */
    uint32_t flags;
    const char *str;    /* NUL-terminated; slen = its length (may hold NULs for STR) */
    size_t slen;
    int64_t ival;
    double fval;
    struct kr_node *a, *b, *c;
    struct kr_node **kids;
    uint32_t nkids;
    uint32_t nparams;
    struct kr_node **params;   /* LAMBDA, DEF */
    uint8_t *ops;              /* CMP: nkids-1 operators (enum kr_op) */
};

/* A printable name for a node kind ("NAME", "CALL", ...), for debugging and tests. */
const char *kr_node_kind_name(int kind);

/* Whether n (a def's body) yields: a YIELD outside the defs and lambdas
 * nested in it. */
bool kr_node_yields(const struct kr_node *n);

/*
 * Parse a whole rule file (source index `file` in `srcs`) into a MODULE node
 * allocated in `arena`. Returns KR_OK, or KR_ESYNTAX with err holding
 * file:line:col, the message, the source line and a caret. Reentrant: no
 * global state; safe to call for included files while evaluating another.
 */
int kr_parse_file(struct kr_arena *arena, const struct kr_sources *srcs, uint16_t file,
                  struct kr_node **module, struct kr_error *err);

/*
 * Parse a single expression from `text` (used for f-string fields and by
 * tests). `file`/`base_off` give the location its offsets are relative to.
 */
int kr_parse_expr(struct kr_arena *arena, const struct kr_sources *srcs, uint16_t file,
                  uint32_t base_off, const char *text, size_t len,
                  struct kr_node **expr, struct kr_error *err);

/* Write the tree as an S-expression (one line per statement) for golden tests. */
void kr_ast_dump(const struct kr_node *n, struct kr_buf *out);

#endif /* KR_AST_H */
