/*
 * lex.h - private to grammar/: the state shared by the hand-written lexer
 * (lex.c) and the bison parser (parser.y), and the node constructors of
 * ast.c. Nothing outside grammar/ includes this; the public contract is ast.h.
 *
 * One struct kr_parser per parse (a file, or one f-string field): it holds
 * the lexer's cursor and stacks, the arena the tree is built in, and the
 * first error. There is no global state anywhere in the grammar.
 *
 * Ownership: every node, string and list built during a parse lives in
 * p->arena; a parse allocates nothing else that outlives it.
 */
#ifndef KR_LEX_H
#define KR_LEX_H

#include "ast.h"

/* Limits that keep a hostile input from exhausting the C stack or memory. */
#define KR_LEX_MAX_BRACKETS 200     /* nesting of ( [ { */
#define KR_LEX_MAX_INDENT 100       /* nesting of indented blocks */
#define KR_LEX_MAX_FSTRING 8        /* f-strings inside f-string fields */
#define KR_LEX_QUEUE 128            /* pending tokens (DEDENTs come in bursts) */

/* A token's location: byte offsets [off, end) in the file. */
struct kr_loc {
    uint32_t off, end;
};

/* A growable list of nodes in the arena (kids of a node under construction).
 * `ops` is used only while building a chained comparison. */
struct kr_nlist {
    struct kr_node **v;
    uint32_t n, cap;
    uint8_t *ops;
    uint32_t nops, opcap;
};

/* One queued token: type (a bison token number), location, value. */
struct kr_tok {
    int type;
    struct kr_loc loc;
    struct kr_node *node;
    int op;                 /* AUGOP: the KR_OP_* */
};

struct kr_parser {
    struct kr_arena *arena;
    const struct kr_sources *srcs;
    struct kr_error *err;
    uint16_t file;
    bool failed;            /* err is filled: report nothing more */
    int fdepth;             /* f-string nesting of this parse */

    /* the text being lexed: src[0..len) sits at file offset `base` */
    const char *src;
    size_t len, pos;
    uint32_t base;
    bool expr_mode;         /* kr_parse_expr: no lines, no indentation */
    bool started;           /* the START_* token was returned */

    /* lines and indentation */
    bool at_bol;            /* next token begins a line: measure indentation */
    bool stmt_start;        /* next token is the first of a statement */
    int indent[KR_LEX_MAX_INDENT + 1], alt[KR_LEX_MAX_INDENT + 1];
    int nindent;            /* indent[0..nindent] valid; indent[0] = 0 */
    int join_col;           /* >= 0: joining a directive's item lines deeper than this */
    bool eof_done;

    /* brackets: kinds and opening offsets */
    char br[KR_LEX_MAX_BRACKETS];
    uint32_t br_off[KR_LEX_MAX_BRACKETS];
    int nbr;

    /* Snakemake context */
    bool rule_pending;      /* saw `rule`: its body starts at the next INDENT */
    int rule_depth;         /* > 0: indentation depth of the current rule body */
    const char *rule_name;  /* for messages; NULL for anonymous rules */
    bool in_use;            /* inside a `use rule` header */
    bool in_module;         /* the current body is a `module NAME:` one */

    /* tokens waiting to be returned */
    struct kr_tok q[KR_LEX_QUEUE];
    int qhead, qlen;
    /* the last three token types returned, newest first: while lexing,
     * hist[0] is the previous token; in an error report it is the lookahead */
    int hist[3];
    struct kr_loc hist_loc[3];

    /* newline counting for RAWBLOCK line numbers, kept monotonic */
    size_t line_pos;
    int line_no;

    struct kr_node *result;
};

/* Check the bytes of rule file `file` before lexing: a NUL byte, invalid
 * UTF-8 or a bidirectional control character (U+202A..U+202E,
 * U+2066..U+2069, which can hide code) anywhere is a KR_ESYNTAX error at
 * its file:line:col. Sets *skip to the length of a UTF-8 byte-order mark
 * at the start (3, accepted as Python does) or 0. */
int kr_lex_check_bytes(const struct kr_sources *srcs, uint16_t file, size_t *skip,
                       struct kr_error *err);

/* Set up p to lex `len` bytes of `text`, located at file offset `base`. */
void kr_lex_init(struct kr_parser *p, struct kr_arena *arena,
                 const struct kr_sources *srcs, uint16_t file, const char *text,
                 size_t len, uint32_t base, bool expr_mode, struct kr_error *err);

/* The next token for the parser: returns its bison token number and fills
 * *out (with the node of NAME/STRING/NUMBER/DIRECTIVE/TOPDIR/RAWBLOCK
 * tokens). On a lexical error fills p->err, sets p->failed and returns the
 * LEXERROR token, which no grammar rule accepts. */
int kr_lex_next(struct kr_parser *p, struct kr_tok *out);

/* Parse the expression text[0..len) of an f-string field found by the lexer
 * of `outer` (at file offset `off`), one f-string level deeper. Errors go to
 * outer->err and set outer->failed. Defined in parser.y. */
int kr_parse_nested(struct kr_parser *outer, uint32_t off, const char *text, size_t len,
                    struct kr_node **expr);

/* Report a syntax error at file offset `off` unless one is already set.
 * Returns KR_ESYNTAX. */
int kr_lex_error(struct kr_parser *p, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* After an error was reported: append "FILE:LINE:COL: note: WHAT" for file
 * offset `off` to the error's context (a second location, e.g. where the
 * parser noticed an unclosed bracket). Does nothing without an error. */
void kr_lex_note(struct kr_parser *p, uint32_t off, const char *what);

/* 1-based line of file offset `off` (used only for error messages). */
int kr_lex_line_of(const struct kr_parser *p, uint32_t off);

/* ---- node construction (ast.c); all in the arena, zeroed ---- */
struct kr_node *kr_node_new(struct kr_arena *a, uint16_t file, int kind, uint32_t off);
struct kr_nlist *kr_nlist_new(struct kr_arena *a);
void kr_nlist_push(struct kr_arena *a, struct kr_nlist *l, struct kr_node *n);
void kr_nlist_push_op(struct kr_arena *a, struct kr_nlist *l, int op);
/* Move l's items into n->kids/nkids (the list must not be used afterwards). */
void kr_node_set_kids(struct kr_node *n, struct kr_nlist *l);

#endif /* KR_LEX_H */
