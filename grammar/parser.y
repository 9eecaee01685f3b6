/*
 * parser.y - the grammar of krait's rule language: the Starlark-like subset
 * of Python that Snakefiles use, plus Snakemake's rule syntax. A pure,
 * reentrant bison parser: all state lives in struct kr_parser (lex.h),
 * passed through %parse-param; locations are byte offsets (struct kr_loc),
 * turned into file:line:col only when an error is reported.
 *
 * The token stream comes from lex.c, which already resolved the context
 * questions (is `rule` a keyword here? is this line a directive? where does
 * a run: block end?), so the grammar stays LALR(1) with no conflicts.
 *
 * Syntax errors are reported by yyreport_syntax_error below, which turns
 * bison's "unexpected X, expected Y" into messages a person can act on:
 * unsupported Python constructs name the construct and the alternative,
 * unclosed brackets point back at their opening line, and so on. The first
 * error stops the parse.
 */

%require "3.6"
%define api.pure full
%define api.prefix {kr_yy}
%define api.token.prefix {TK_}
%define api.location.type {struct kr_loc}
%define parse.error custom

%locations
%expect 0
%param {struct kr_parser *p}

%code requires {
#include "lex.h"
}

%code provides {
/* Tree depth the parser guarantees (see check_depth): consumers may recurse. */
#define KR_PARSE_MAX_DEPTH 1000
}

%code {
#include <string.h>

#define YYMALLOC kr_malloc
#define YYFREE kr_free

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                  \
    do {                                                             \
        if (N) {                                                     \
            (Cur).off = YYRHSLOC(Rhs, 1).off;                        \
            (Cur).end = YYRHSLOC(Rhs, N).end;                        \
        } else {                                                     \
            (Cur).off = (Cur).end = YYRHSLOC(Rhs, 0).end;            \
        }                                                            \
    } while (0)

static int kr_yylex(KR_YYSTYPE *val, KR_YYLTYPE *loc, struct kr_parser *p);

#define NEW(kind, off) kr_node_new(p->arena, p->file, (kind), (off))
#define NL() kr_nlist_new(p->arena)
#define PUSH(l, n) kr_nlist_push(p->arena, (l), (n))

static struct kr_node *binop(struct kr_parser *p, int op, struct kr_node *a, struct kr_node *b)
{
    struct kr_node *n = NEW(KR_N_BINOP, a->off);
    n->op = op;
    n->a = a;
    n->b = b;
    return n;
}

static struct kr_node *node2(struct kr_parser *p, int kind, uint32_t off,
                             struct kr_node *a, struct kr_node *b)
{
    struct kr_node *n = NEW(kind, off);
    n->a = a;
    n->b = b;
    return n;
}

static struct kr_node *with_kids(struct kr_parser *p, int kind, uint32_t off,
                                 struct kr_nlist *l)
{
    struct kr_node *n = NEW(kind, off);
    if (l)
        kr_node_set_kids(n, l);
    return n;
}

static struct kr_node *list1(struct kr_parser *p, int kind, uint32_t off, struct kr_node *x)
{
    struct kr_nlist *l = NL();
    PUSH(l, x);
    return with_kids(p, kind, off, l);
}

static void append_all(struct kr_parser *p, struct kr_nlist *dst, struct kr_nlist *src)
{
    uint32_t i;
    for (i = 0; i < src->n; i++)
        PUSH(dst, src->v[i]);
}

static int syntax_error(struct kr_parser *p, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fold_strings(struct kr_parser *p, struct kr_nlist *l, struct kr_node **out);
static int check_target(struct kr_parser *p, struct kr_node *t, bool aug);
static struct kr_node *kwarg(struct kr_parser *p, struct kr_node *name, struct kr_node *value);
static void set_params(struct kr_parser *p, struct kr_node *fn, struct kr_nlist *l);
static int check_params(struct kr_parser *p, struct kr_nlist *l);
static int finish_topdir(struct kr_parser *p, struct kr_node *d);
static const char *join_dotted(struct kr_parser *p, struct kr_nlist *l);

#define CHECK(x) do { if ((x) != KR_OK) YYABORT; } while (0)

/* Only called by bison for "memory exhausted" (its stack limit: very deep
 * nesting); every syntax error goes through yyreport_syntax_error. */
static void kr_yyerror(KR_YYLTYPE *loc, struct kr_parser *p, const char *msg)
{
    syntax_error(p, loc->off, "expression or block nested too deeply (%s)", msg);
}
}

%union {
    struct kr_node *node;
    struct kr_nlist *list;
    int op;
}

%token START_FILE START_EXPR
%token <node> NAME "name" STRING "string" NUMBER "number"
%token <node> DIRECTIVE "directive" TOPDIR "top-level directive" RAWBLOCK "code block"
%token NEWLINE "end of line" INDENT "indentation" DEDENT "end of block"
%token LEXERROR "invalid token"
%token IF "'if'" ELIF "'elif'" ELSE "'else'" FOR "'for'" IN "'in'" NOT "'not'"
%token AND "'and'" OR "'or'" IS "'is'" DEF "'def'" RETURN "'return'" PASS "'pass'"
%token BREAK "'break'" CONTINUE "'continue'" IMPORT "'import'" FROM "'from'" AS "'as'"
%token GLOBAL "'global'" DEL "'del'" ASSERT "'assert'" LAMBDA "'lambda'"
%token TRUE "'True'" FALSE "'False'" NONE "'None'"
%token RULE "'rule'" USE "'use'" MODULE "'module'" CHECKPOINT "'checkpoint'"
%token WHILE "'while'" CLASS "'class'" TRY "'try'" EXCEPT "'except'" FINALLY "'finally'"
%token RAISE "'raise'" WITH "'with'" YIELD "'yield'" ASYNC "'async'" AWAIT "'await'"
%token NONLOCAL "'nonlocal'" DECORATOR "decorator" WALRUS "':='" ARROW "'->'"
%token ELLIPSIS "'...'"
%token POW "'**'" FLOORDIV "'//'" LSHIFT "'<<'" RSHIFT "'>>'" LE "'<='" GE "'>='"
%token EQ "'=='" NE "'!='"
%token <op> AUGOP "augmented assignment"

%type <list> file_input stmts simple_stmt small_stmts import_names
%type <list> assign_chain tl_head tl_head_t xl_head sub_head arglist comp
%type <list> params tparams tparams_opt elifs directives dotted_name import_as_names cmp_chain
%type <list> strings dict_items global_names
%type <node> compound_stmt small_stmt expr_stmt suite if_stmt for_stmt def_stmt
%type <node> rule_stmt userule_stmt topdir_stmt directive rule_body_opt module_stmt
%type <list> name_list
%type <node> testlist_star_expr testlist exprlist telem xelem test or_test and_test not_test
%type <node> comparison expr xor_expr and_expr shift_expr arith_expr term factor power
%type <node> atom_expr atom argument subscriptlist subscript opt_test slice_step
%type <node> lambdef param tparam comp_for comp_if dict_item else_opt dotted_as_name
%type <node> import_as_name use_src use_from use_as items
%type <node> while_stmt try_stmt with_stmt except_clause finally_opt
%type <list> except_clauses
%type <op> comp_op

%%

start:
    START_FILE file_input
        {
            struct kr_node *m = NEW(KR_N_MODULE, p->base);
            kr_node_set_kids(m, $2);
            p->result = m;
        }
  | START_EXPR testlist_star_expr   { p->result = $2; }
  ;

file_input:
    %empty                          { $$ = NL(); }
  | file_input simple_stmt          { append_all(p, $1, $2); $$ = $1; }
  | file_input compound_stmt        { PUSH($1, $2); $$ = $1; }
  ;

stmts:
    simple_stmt                     { $$ = $1; }
  | compound_stmt                   { $$ = NL(); PUSH($$, $1); }
  | stmts simple_stmt               { append_all(p, $1, $2); $$ = $1; }
  | stmts compound_stmt             { PUSH($1, $2); $$ = $1; }
  ;

simple_stmt:
    small_stmts NEWLINE             { $$ = $1; }
  | small_stmts ';' NEWLINE         { $$ = $1; }
  ;

small_stmts:
    small_stmt                      { $$ = NL(); PUSH($$, $1); }
  | import_names                    { $$ = $1; }
  | small_stmts ';' small_stmt      { PUSH($1, $3); $$ = $1; }
  | small_stmts ';' import_names    { append_all(p, $1, $3); $$ = $1; }
  ;

small_stmt:
    expr_stmt                       { $$ = $1; }
  | PASS                            { $$ = NEW(KR_N_PASS, @1.off); }
  | BREAK                           { $$ = NEW(KR_N_BREAK, @1.off); }
  | CONTINUE                        { $$ = NEW(KR_N_CONTINUE, @1.off); }
  | RETURN                          { $$ = NEW(KR_N_RETURN, @1.off); }
  | RETURN testlist_star_expr       { $$ = node2(p, KR_N_RETURN, @1.off, $2, NULL); }
  | YIELD                           { $$ = NEW(KR_N_YIELD, @1.off); }
  | YIELD testlist_star_expr        { $$ = node2(p, KR_N_YIELD, @1.off, $2, NULL); }
  | YIELD FROM test                 { $$ = node2(p, KR_N_YIELD, @1.off, $3, NULL); $$->flags = 1; }
  | DEL exprlist
        {
            uint32_t i;
            $$ = NEW(KR_N_DEL, @1.off);
            if ($2->kind == KR_N_TUPLE) {       /* del a, b  ==  del (a, b) */
                $$->kids = $2->kids;
                $$->nkids = $2->nkids;
            } else {
                $$->kids = kr_arena_alloc(p->arena, sizeof *$$->kids);
                $$->kids[0] = $2;
                $$->nkids = 1;
            }
            for (i = 0; i < $$->nkids; i++)
                CHECK(check_target(p, $$->kids[i], false));
        }
  | GLOBAL global_names             { $$ = with_kids(p, KR_N_GLOBAL, @1.off, $2); }
  | FROM dotted_name IMPORT import_as_names
        {
            $$ = with_kids(p, KR_N_FROMIMPORT, @1.off, $4);
            $$->str = join_dotted(p, $2);
            $$->slen = strlen($$->str);
        }
  | FROM dotted_name IMPORT '(' import_as_names ')'
        {
            $$ = with_kids(p, KR_N_FROMIMPORT, @1.off, $5);
            $$->str = join_dotted(p, $2);
            $$->slen = strlen($$->str);
        }
  | FROM dotted_name IMPORT '(' import_as_names ',' ')'
        {
            $$ = with_kids(p, KR_N_FROMIMPORT, @1.off, $5);
            $$->str = join_dotted(p, $2);
            $$->slen = strlen($$->str);
        }
  | FROM dotted_name IMPORT '*'
        {
            CHECK(syntax_error(p, @4.off, "'from %s import *' is not supported: import the "
                               "names you use", join_dotted(p, $2)));
            $$ = NULL;
        }
  | RAISE                           { $$ = NEW(KR_N_RAISE, @1.off); }
  | RAISE test                      { $$ = node2(p, KR_N_RAISE, @1.off, $2, NULL); }
  | RAISE test FROM test            { $$ = node2(p, KR_N_RAISE, @1.off, $2, NULL); }
  | ASSERT test                     { $$ = node2(p, KR_N_ASSERT, @1.off, $2, NULL); }
  | ASSERT test ',' test            { $$ = node2(p, KR_N_ASSERT, @1.off, $2, $4); }
  ;

global_names:
    NAME                            { $$ = NL(); PUSH($$, $1); }
  | global_names ',' NAME           { PUSH($1, $3); $$ = $1; }
  ;

import_names:
    IMPORT dotted_as_name           { $$ = NL(); $2->off = @1.off; PUSH($$, $2); }
  | import_names ',' dotted_as_name { PUSH($1, $3); $$ = $1; }
  ;

dotted_as_name:
    dotted_name
        {
            $$ = NEW(KR_N_IMPORT, @1.off);
            $$->str = join_dotted(p, $1);
            $$->slen = strlen($$->str);
        }
  | dotted_name AS NAME
        {
            $$ = NEW(KR_N_IMPORT, @1.off);
            $$->str = join_dotted(p, $1);
            $$->slen = strlen($$->str);
            $$->b = $3;
        }
  ;

dotted_name:
    NAME                            { $$ = NL(); PUSH($$, $1); }
  | dotted_name '.' NAME            { PUSH($1, $3); $$ = $1; }
  ;

import_as_names:
    import_as_name                  { $$ = NL(); PUSH($$, $1); }
  | import_as_names ',' import_as_name { PUSH($1, $3); $$ = $1; }
  ;

import_as_name:
    NAME                            { $$ = $1; }
  | NAME AS NAME                    { $$ = $1; $$->a = $3; }
  ;

expr_stmt:
    testlist_star_expr              { $$ = node2(p, KR_N_EXPR, $1->off, $1, NULL); }
  | testlist_star_expr AUGOP testlist
        {
            CHECK(check_target(p, $1, true));
            $$ = node2(p, KR_N_AUGASSIGN, $1->off, $1, $3);
            $$->op = $2;
        }
  | assign_chain
        {
            uint32_t i;
            struct kr_nlist *l = $1;
            $$ = node2(p, KR_N_ASSIGN, l->v[0]->off, l->v[0], l->v[l->n - 1]);
            for (i = 0; i + 1 < l->n; i++)
                CHECK(check_target(p, l->v[i], false));
            if (l->n > 2) {
                $$->kids = l->v + 1;
                $$->nkids = l->n - 2;
            }
        }
  ;

assign_chain:
    testlist_star_expr '=' testlist_star_expr { $$ = NL(); PUSH($$, $1); PUSH($$, $3); }
  | assign_chain '=' testlist_star_expr       { PUSH($1, $3); $$ = $1; }
  ;

compound_stmt:
    if_stmt | for_stmt | def_stmt | rule_stmt | userule_stmt | topdir_stmt | module_stmt
  | while_stmt | try_stmt | with_stmt
  ;

while_stmt:
    WHILE test ':' suite            { $$ = node2(p, KR_N_WHILE, @1.off, $2, $4); }
  | WHILE test ':' suite ELSE
        {
            CHECK(syntax_error(p, @5.off, "'else' after a 'while' loop is not supported: "
                               "use a flag variable set inside the loop"));
            $$ = NULL;
        }
  ;

/* try: kids = EXCEPT clauses, a = body, b = else, c = finally */
try_stmt:
    TRY ':' suite except_clauses else_opt finally_opt
        {
            $$ = with_kids(p, KR_N_TRY, @1.off, $4);
            $$->a = $3;
            $$->b = $5;
            $$->c = $6;
        }
  | TRY ':' suite FINALLY ':' suite
        {
            $$ = NEW(KR_N_TRY, @1.off);
            $$->a = $3;
            $$->c = $6;
        }
  ;

except_clauses:
    except_clause                   { $$ = NL(); PUSH($$, $1); }
  | except_clauses except_clause    { PUSH($1, $2); $$ = $1; }
  ;

except_clause:
    EXCEPT ':' suite                { $$ = node2(p, KR_N_EXCEPT, @1.off, NULL, $3); }
  | EXCEPT test ':' suite           { $$ = node2(p, KR_N_EXCEPT, @1.off, $2, $4); }
  | EXCEPT test AS NAME ':' suite
        {
            $$ = node2(p, KR_N_EXCEPT, @1.off, $2, $6);
            $$->str = $4->str;
            $$->slen = $4->slen;
        }
  ;

finally_opt:
    %empty                          { $$ = NULL; }
  | FINALLY ':' suite               { $$ = $3; }
  ;

with_stmt:
    WITH test ':' suite             { $$ = node2(p, KR_N_WITH, @1.off, $2, $4); }
  | WITH test AS NAME ':' suite
        {
            $$ = node2(p, KR_N_WITH, @1.off, $2, $6);
            $$->str = $4->str;
            $$->slen = $4->slen;
        }
  ;

if_stmt:
    IF test ':' suite elifs else_opt
        {
            struct kr_nlist *l = NL();
            PUSH(l, $2);
            PUSH(l, $4);
            append_all(p, l, $5);
            $$ = with_kids(p, KR_N_IF, @1.off, l);
            $$->c = $6;
        }
  ;

elifs:
    %empty                          { $$ = NL(); }
  | elifs ELIF test ':' suite       { PUSH($1, $3); PUSH($1, $5); $$ = $1; }
  ;

else_opt:
    %empty                          { $$ = NULL; }
  | ELSE ':' suite                  { $$ = $3; }
  ;

for_stmt:
    FOR exprlist IN testlist_star_expr ':' suite
        {
            CHECK(check_target(p, $2, false));
            $$ = node2(p, KR_N_FOR, @1.off, $2, $4);
            $$->c = $6;
        }
  | FOR exprlist IN testlist_star_expr ':' suite ELSE
        {
            CHECK(syntax_error(p, @7.off, "'else' after a 'for' loop is not supported: "
                               "use a flag variable set inside the loop"));
            $$ = NULL;
        }
  ;

def_stmt:
    DEF NAME '(' tparams_opt ')' ':' suite
        {
            $$ = node2(p, KR_N_DEF, @1.off, $7, NULL);
            $$->str = $2->str;
            $$->slen = $2->slen;
            if (kr_node_yields($7))
                $$->flags |= KR_DEF_GENERATOR;
            CHECK(check_params(p, $4));
            set_params(p, $$, $4);
        }
  | DEF NAME '(' tparams_opt ')' ARROW test ':' suite
        {
            /* the return annotation is read and means nothing */
            $$ = node2(p, KR_N_DEF, @1.off, $9, NULL);
            $$->str = $2->str;
            $$->slen = $2->slen;
            if (kr_node_yields($9))
                $$->flags |= KR_DEF_GENERATOR;
            CHECK(check_params(p, $4));
            set_params(p, $$, $4);
        }
  ;

/* A def's parameters may carry annotations (`x: int = 0`), read and ignored;
 * a lambda's cannot (its ':' ends the parameters). */
tparams_opt:
    %empty                          { $$ = NULL; }
  | tparams                         { $$ = $1; }
  | tparams ','                     { $$ = $1; }
  ;

tparams:
    tparam                          { $$ = NL(); PUSH($$, $1); }
  | tparams ',' tparam              { PUSH($1, $3); $$ = $1; }
  ;

tparam:
    param                           { $$ = $1; }
  | NAME ':' test                   { $$ = NEW(KR_N_PARAM, @1.off); $$->str = $1->str; $$->slen = $1->slen; }
  | NAME ':' test '=' test          { $$ = NEW(KR_N_PARAM, @1.off); $$->str = $1->str; $$->slen = $1->slen; $$->a = $5; }
  | '*' NAME ':' test               { $$ = NEW(KR_N_PARAM, @1.off); $$->str = $2->str; $$->slen = $2->slen; $$->flags = KR_PARAM_STAR; }
  | POW NAME ':' test               { $$ = NEW(KR_N_PARAM, @1.off); $$->str = $2->str; $$->slen = $2->slen; $$->flags = KR_PARAM_DSTAR; }
  ;

params:
    param                           { $$ = NL(); PUSH($$, $1); }
  | params ',' param                { PUSH($1, $3); $$ = $1; }
  ;

param:
    NAME                            { $$ = NEW(KR_N_PARAM, @1.off); $$->str = $1->str; $$->slen = $1->slen; }
  | NAME '=' test                   { $$ = NEW(KR_N_PARAM, @1.off); $$->str = $1->str; $$->slen = $1->slen; $$->a = $3; }
  | '*' NAME                        { $$ = NEW(KR_N_PARAM, @1.off); $$->str = $2->str; $$->slen = $2->slen; $$->flags = KR_PARAM_STAR; }
  | '*'                             { $$ = NEW(KR_N_PARAM, @1.off); $$->str = "*"; $$->slen = 1; $$->flags = KR_PARAM_KWONLY_MARK; }
  | POW NAME                        { $$ = NEW(KR_N_PARAM, @1.off); $$->str = $2->str; $$->slen = $2->slen; $$->flags = KR_PARAM_DSTAR; }
  ;

suite:
    simple_stmt                     { $$ = with_kids(p, KR_N_BLOCK, $1->v[0] ? $1->v[0]->off : @1.off, $1); }
  | NEWLINE INDENT stmts DEDENT     { $$ = with_kids(p, KR_N_BLOCK, @3.off, $3); }
  ;

/* ---- Snakemake ---------------------------------------------------------- */

rule_stmt:
    RULE NAME ':' rule_body_opt
        {
            $$ = $4;
            $$->off = @1.off;
            $$->str = $2->str;
            $$->slen = $2->slen;
        }
  | RULE ':' rule_body_opt          { $$ = $3; $$->off = @1.off; }
  | CHECKPOINT NAME ':' rule_body_opt
        {
            $$ = $4;
            $$->off = @1.off;
            $$->str = $2->str;
            $$->slen = $2->slen;
            $$->flags |= KR_RULE_CHECKPOINT;
        }
  ;

rule_body_opt:
    NEWLINE INDENT directives DEDENT { $$ = with_kids(p, KR_N_RULE, @1.off, $3); }
  ;

directives:
    directive                       { $$ = NL(); if ($1) PUSH($$, $1); }
  | directives directive            { if ($2) PUSH($1, $2); $$ = $1; }
  ;

directive:
    DIRECTIVE ':' items NEWLINE     { $$ = $1; $$->kids = $3->kids; $$->nkids = $3->nkids; }
  | DIRECTIVE ':' RAWBLOCK NEWLINE  { $$ = list1(p, KR_N_DIRECTIVE, $1->off, $3); $$->str = $1->str; $$->slen = $1->slen; }
  | strings NEWLINE                 { $$ = NULL; /* a docstring */ }
  ;

/* A directive's items: a call's argument list without the parentheses. */
items:
    arglist                         { $$ = with_kids(p, KR_N_CALL, @1.off, $1); }
  | arglist ','                     { $$ = with_kids(p, KR_N_CALL, @1.off, $1); }
  ;

userule_stmt:
    USE RULE use_src use_from use_as NEWLINE
        {
            $$ = node2(p, KR_N_USERULE, @1.off, $5, $4);
            $$->str = $3->str;
            $$->slen = $3->slen;
            if ($3->nkids > 1)
                $$->c = $3;
        }
  | USE RULE use_src use_from use_as WITH ':' NEWLINE INDENT directives DEDENT
        {
            $$ = with_kids(p, KR_N_USERULE, @1.off, $10);
            $$->a = $5;
            $$->b = $4;
            $$->str = $3->str;
            $$->slen = $3->slen;
            if ($3->nkids > 1)
                $$->c = $3;
        }
  ;

/* `use rule a, b from M`: the first name in str, all of them as kids */
use_src:
    name_list
        {
            $$ = with_kids(p, KR_N_NAME, $1->v[0]->off, $1);
            $$->str = $1->v[0]->str;
            $$->slen = $1->v[0]->slen;
        }
  | '*'                             { $$ = NEW(KR_N_NAME, @1.off); $$->str = "*"; $$->slen = 1; }
  ;

name_list:
    NAME                            { $$ = NL(); PUSH($$, $1); }
  | name_list ',' NAME              { PUSH($1, $3); $$ = $1; }
  ;

/* `from M` (a STR node named M); `from M exclude a, b` adds the excluded
 * names as its kids */
use_from:
    %empty                          { $$ = NULL; }
  | FROM NAME
        {
            $$ = NEW(KR_N_STR, $2->off);
            $$->str = $2->str;
            $$->slen = $2->slen;
        }
  | FROM NAME NAME name_list
        {
            if (strcmp($3->str, "exclude")) {
                CHECK(syntax_error(p, $3->off, "expected 'exclude', 'as', 'with' or the end of "
                                   "the line after 'use rule ... from %s'", $2->str));
            }
            $$ = with_kids(p, KR_N_STR, $2->off, $4);
            $$->str = $2->str;
            $$->slen = $2->slen;
        }
  ;

module_stmt:
    MODULE NAME ':' rule_body_opt
        {
            $$ = $4;
            $$->kind = KR_N_MODDEF;
            $$->off = @1.off;
            $$->str = $2->str;
            $$->slen = $2->slen;
        }
  ;

use_as:
    %empty                          { $$ = NULL; }
  | AS NAME                         { $$ = $2; }
  | AS NAME '*'
        {
            $$ = $2;
            $$->str = kr_arena_printf(p->arena, "%s*", $2->str);
            $$->slen++;
        }
  ;

topdir_stmt:
    TOPDIR ':' items NEWLINE
        {
            $$ = $1;
            $$->kids = $3->kids;
            $$->nkids = $3->nkids;
            CHECK(finish_topdir(p, $$));
        }
  | TOPDIR ':' RAWBLOCK NEWLINE     { $$ = list1(p, KR_N_TOPDIR, $1->off, $3); $$->str = $1->str; $$->slen = $1->slen; }
  ;

/* ---- expressions ------------------------------------------------------- */

testlist_star_expr:
    telem                           { $$ = $1; }
  | tl_head                         { $$ = with_kids(p, KR_N_TUPLE, @1.off, $1); }
  | tl_head telem                   { PUSH($1, $2); $$ = with_kids(p, KR_N_TUPLE, @1.off, $1); }
  ;

tl_head:
    telem ','                       { $$ = NL(); PUSH($$, $1); }
  | tl_head telem ','               { PUSH($1, $2); $$ = $1; }
  ;

telem:
    test                            { $$ = $1; }
  | '*' expr                        { $$ = node2(p, KR_N_STARRED, @1.off, $2, NULL); }
  ;

testlist:
    test                            { $$ = $1; }
  | tl_head_t                       { $$ = with_kids(p, KR_N_TUPLE, @1.off, $1); }
  | tl_head_t test                  { PUSH($1, $2); $$ = with_kids(p, KR_N_TUPLE, @1.off, $1); }
  ;

tl_head_t:
    test ','                        { $$ = NL(); PUSH($$, $1); }
  | tl_head_t test ','              { PUSH($1, $2); $$ = $1; }
  ;

exprlist:
    xelem                           { $$ = $1; }
  | xl_head                         { $$ = with_kids(p, KR_N_TUPLE, @1.off, $1); }
  | xl_head xelem                   { PUSH($1, $2); $$ = with_kids(p, KR_N_TUPLE, @1.off, $1); }
  ;

xl_head:
    xelem ','                       { $$ = NL(); PUSH($$, $1); }
  | xl_head xelem ','               { PUSH($1, $2); $$ = $1; }
  ;

xelem:
    expr                            { $$ = $1; }
  | '*' expr                        { $$ = node2(p, KR_N_STARRED, @1.off, $2, NULL); }
  ;

test:
    or_test                         { $$ = $1; }
  | or_test IF or_test ELSE test
        {
            $$ = node2(p, KR_N_COND, $1->off, $1, $3);
            $$->c = $5;
        }
  | lambdef                         { $$ = $1; }
  ;

lambdef:
    LAMBDA ':' test                 { $$ = node2(p, KR_N_LAMBDA, @1.off, $3, NULL); }
  | LAMBDA params ':' test
        {
            $$ = node2(p, KR_N_LAMBDA, @1.off, $4, NULL);
            CHECK(check_params(p, $2));
            set_params(p, $$, $2);
        }
  ;

or_test:
    and_test                        { $$ = $1; }
  | or_test OR and_test             { $$ = node2(p, KR_N_OR, $1->off, $1, $3); }
  ;

and_test:
    not_test                        { $$ = $1; }
  | and_test AND not_test           { $$ = node2(p, KR_N_AND, $1->off, $1, $3); }
  ;

not_test:
    NOT not_test                    { $$ = node2(p, KR_N_NOT, @1.off, $2, NULL); }
  | comparison                      { $$ = $1; }
  ;

comparison:
    expr                            { $$ = $1; }
  | cmp_chain
        {
            $$ = with_kids(p, KR_N_CMP, $1->v[0]->off, $1);
            $$->ops = $1->ops;
        }
  ;

cmp_chain:
    expr comp_op expr               { $$ = NL(); PUSH($$, $1); PUSH($$, $3); kr_nlist_push_op(p->arena, $$, $2); }
  | cmp_chain comp_op expr          { PUSH($1, $3); kr_nlist_push_op(p->arena, $1, $2); $$ = $1; }
  ;

comp_op:
    '<'         { $$ = KR_OP_LT; }
  | '>'         { $$ = KR_OP_GT; }
  | EQ          { $$ = KR_OP_EQ; }
  | GE          { $$ = KR_OP_GE; }
  | LE          { $$ = KR_OP_LE; }
  | NE          { $$ = KR_OP_NE; }
  | IN          { $$ = KR_OP_IN; }
  | NOT IN      { $$ = KR_OP_NOTIN; }
  | IS          { $$ = KR_OP_IS; }
  | IS NOT      { $$ = KR_OP_ISNOT; }
  ;

expr:
    xor_expr                        { $$ = $1; }
  | expr '|' xor_expr               { $$ = binop(p, KR_OP_BITOR, $1, $3); }
  ;

xor_expr:
    and_expr                        { $$ = $1; }
  | xor_expr '^' and_expr           { $$ = binop(p, KR_OP_BITXOR, $1, $3); }
  ;

and_expr:
    shift_expr                      { $$ = $1; }
  | and_expr '&' shift_expr         { $$ = binop(p, KR_OP_BITAND, $1, $3); }
  ;

shift_expr:
    arith_expr                      { $$ = $1; }
  | shift_expr LSHIFT arith_expr    { $$ = binop(p, KR_OP_LSHIFT, $1, $3); }
  | shift_expr RSHIFT arith_expr    { $$ = binop(p, KR_OP_RSHIFT, $1, $3); }
  ;

arith_expr:
    term                            { $$ = $1; }
  | arith_expr '+' term             { $$ = binop(p, KR_OP_ADD, $1, $3); }
  | arith_expr '-' term             { $$ = binop(p, KR_OP_SUB, $1, $3); }
  ;

term:
    factor                          { $$ = $1; }
  | term '*' factor                 { $$ = binop(p, KR_OP_MUL, $1, $3); }
  | term '/' factor                 { $$ = binop(p, KR_OP_DIV, $1, $3); }
  | term '%' factor                 { $$ = binop(p, KR_OP_MOD, $1, $3); }
  | term FLOORDIV factor            { $$ = binop(p, KR_OP_FLOORDIV, $1, $3); }
  | term '@' factor                 { $$ = binop(p, KR_OP_MATMUL, $1, $3); }
  ;

factor:
    '+' factor                      { $$ = node2(p, KR_N_UNOP, @1.off, $2, NULL); $$->op = KR_OP_POS; }
  | '-' factor                      { $$ = node2(p, KR_N_UNOP, @1.off, $2, NULL); $$->op = KR_OP_NEG; }
  | '~' factor                      { $$ = node2(p, KR_N_UNOP, @1.off, $2, NULL); $$->op = KR_OP_INVERT; }
  | power                           { $$ = $1; }
  ;

power:
    atom_expr                       { $$ = $1; }
  | atom_expr POW factor            { $$ = binop(p, KR_OP_POW, $1, $3); }
  ;

atom_expr:
    atom                            { $$ = $1; }
  | atom_expr '(' ')'               { $$ = node2(p, KR_N_CALL, $1->off, $1, NULL); }
  | atom_expr '(' arglist ')'       { $$ = with_kids(p, KR_N_CALL, $1->off, $3); $$->a = $1; }
  | atom_expr '(' arglist ',' ')'   { $$ = with_kids(p, KR_N_CALL, $1->off, $3); $$->a = $1; }
  | atom_expr '(' test comp ')'
        {
            struct kr_node *g = with_kids(p, KR_N_GENEXP, $3->off, $4);
            g->a = $3;
            $$ = list1(p, KR_N_CALL, $1->off, g);
            $$->a = $1;
        }
  | atom_expr '[' subscriptlist ']' { $$ = node2(p, KR_N_INDEX, $1->off, $1, $3); }
  | atom_expr '.' NAME
        {
            $$ = node2(p, KR_N_ATTR, $1->off, $1, NULL);
            $$->str = $3->str;
            $$->slen = $3->slen;
        }
  ;

arglist:
    argument                        { $$ = NL(); PUSH($$, $1); }
  | arglist ',' argument            { PUSH($1, $3); $$ = $1; }
  ;

argument:
    test                            { $$ = $1; }
  | test '=' test                   { $$ = kwarg(p, $1, $3); if (!$$) YYABORT; }
  | '*' test                        { $$ = node2(p, KR_N_STARRED, @1.off, $2, NULL); }
  | POW test                        { $$ = node2(p, KR_N_DSTAR, @1.off, $2, NULL); }
  ;

subscriptlist:
    subscript                       { $$ = $1; }
  | sub_head                        { $$ = with_kids(p, KR_N_TUPLE, @1.off, $1); }
  | sub_head subscript              { PUSH($1, $2); $$ = with_kids(p, KR_N_TUPLE, @1.off, $1); }
  ;

sub_head:
    subscript ','                   { $$ = NL(); PUSH($$, $1); }
  | sub_head subscript ','          { PUSH($1, $2); $$ = $1; }
  ;

subscript:
    test                            { $$ = $1; }
  | opt_test ':' opt_test slice_step
        {
            $$ = node2(p, KR_N_SLICE, $1 ? $1->off : @2.off, $1, $3);
            $$->c = $4;
        }
  ;

opt_test:
    %empty                          { $$ = NULL; }
  | test                            { $$ = $1; }
  ;

slice_step:
    %empty                          { $$ = NULL; }
  | ':' opt_test                    { $$ = $2; }
  ;

atom:
    NAME                            { $$ = $1; }
  | NUMBER                          { $$ = $1; }
  | strings                         { CHECK(fold_strings(p, $1, &$$)); }
  | TRUE                            { $$ = NEW(KR_N_TRUE, @1.off); }
  | FALSE                           { $$ = NEW(KR_N_FALSE, @1.off); }
  | NONE                            { $$ = NEW(KR_N_NONE, @1.off); }
  | '(' ')'                         { $$ = NEW(KR_N_TUPLE, @1.off); }
  | '(' telem ')'
        {
            if ($2->kind == KR_N_STARRED)
                CHECK(syntax_error(p, $2->off, "a starred expression cannot stand alone "
                                   "in parentheses: write (*x,) for a tuple"));
            $$ = $2;
        }
  | '(' tl_head ')'                 { $$ = with_kids(p, KR_N_TUPLE, @1.off, $2); }
  | '(' tl_head telem ')'           { PUSH($2, $3); $$ = with_kids(p, KR_N_TUPLE, @1.off, $2); }
  | '(' test comp ')'               { $$ = with_kids(p, KR_N_GENEXP, @1.off, $3); $$->a = $2; }
  | '[' ']'                         { $$ = NEW(KR_N_LIST, @1.off); }
  | '[' telem ']'                   { $$ = list1(p, KR_N_LIST, @1.off, $2); }
  | '[' tl_head ']'                 { $$ = with_kids(p, KR_N_LIST, @1.off, $2); }
  | '[' tl_head telem ']'           { PUSH($2, $3); $$ = with_kids(p, KR_N_LIST, @1.off, $2); }
  | '[' test comp ']'               { $$ = with_kids(p, KR_N_LISTCOMP, @1.off, $3); $$->a = $2; }
  | '{' '}'                         { $$ = NEW(KR_N_DICT, @1.off); }
  | '{' dict_items '}'              { $$ = with_kids(p, KR_N_DICT, @1.off, $2); }
  | '{' dict_items ',' '}'          { $$ = with_kids(p, KR_N_DICT, @1.off, $2); }
  | '{' test ':' test comp '}'
        {
            $$ = with_kids(p, KR_N_DICTCOMP, @1.off, $5);
            $$->a = $2;
            $$->b = $4;
        }
  | '{' telem '}'                   { $$ = list1(p, KR_N_SET, @1.off, $2); }
  | '{' tl_head '}'                 { $$ = with_kids(p, KR_N_SET, @1.off, $2); }
  | '{' tl_head telem '}'           { PUSH($2, $3); $$ = with_kids(p, KR_N_SET, @1.off, $2); }
  | '{' test comp '}'               { $$ = with_kids(p, KR_N_SETCOMP, @1.off, $3); $$->a = $2; }
  ;

strings:
    STRING                          { $$ = NL(); PUSH($$, $1); }
  | strings STRING                  { PUSH($1, $2); $$ = $1; }
  ;

dict_items:
    dict_item                       { $$ = NL(); PUSH($$, $1->a); PUSH($$, $1->b); }
  | dict_items ',' dict_item        { PUSH($1, $3->a); PUSH($1, $3->b); $$ = $1; }
  ;

/* dict_item is a scratch pair (a = key, b = value) that dict_items splits
 * into two kids; a **mapping entry is a = DSTAR, b = NULL. */
dict_item:
    test ':' test                   { $$ = node2(p, KR_N_KWARG, $1->off, $1, $3); }
  | POW expr
        {
            $$ = node2(p, KR_N_DSTAR, @1.off, $2, NULL);
            $$ = node2(p, KR_N_KWARG, @1.off, $$, NULL);
        }
  ;

comp:
    comp_for                        { $$ = NL(); PUSH($$, $1); }
  | comp comp_for                   { PUSH($1, $2); $$ = $1; }
  | comp comp_if                    { PUSH($1, $2); $$ = $1; }
  ;

comp_for:
    FOR exprlist IN or_test
        {
            CHECK(check_target(p, $2, false));
            $$ = node2(p, KR_N_COMPFOR, @1.off, $2, $4);
        }
  ;

comp_if:
    IF or_test                      { $$ = node2(p, KR_N_COMPIF, @1.off, $2, NULL); }
  ;

%%

static int kr_yylex(KR_YYSTYPE *val, KR_YYLTYPE *loc, struct kr_parser *p)
{
    struct kr_tok t;
    int type = kr_lex_next(p, &t);
    *loc = t.loc;
    if (type == TK_AUGOP)
        val->op = t.op;
    else
        val->node = t.node;
    return type;
}

static int syntax_error(struct kr_parser *p, uint32_t off, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kr_lex_error(p, off, "%s", msg);
}

/*
 * Fold adjacent string literals into one node: a STR when all parts are
 * plain strings, else an FSTR whose parts are the plain strings and the
 * f-strings' parts in order, with adjacent literal parts merged.
 */
static int fold_strings(struct kr_parser *p, struct kr_nlist *l, struct kr_node **out)
{
    uint32_t i, j, nparts = 0;
    size_t total = 0;
    bool any_f = false, raw = false;
    struct kr_node *n;
    char *buf;
    struct kr_nlist *parts;
    if (l->n == 1) {
        *out = l->v[0];
        return KR_OK;
    }
    for (i = 0; i < l->n; i++) {
        if (l->v[i]->kind == KR_N_FSTR) {
            any_f = true;
            nparts += l->v[i]->nkids;
        } else {
            total += l->v[i]->slen;
            raw |= (l->v[i]->flags & KR_STR_RAW) != 0;
            nparts++;
        }
    }
    if (!any_f) {
        n = NEW(KR_N_STR, l->v[0]->off);
        buf = kr_arena_alloc(p->arena, total + 1);
        for (i = 0, total = 0; i < l->n; i++) {
            memcpy(buf + total, l->v[i]->str, l->v[i]->slen);
            total += l->v[i]->slen;
        }
        buf[total] = '\0';
        n->str = buf;
        n->slen = total;
        n->flags = raw ? KR_STR_RAW : 0;
        *out = n;
        return KR_OK;
    }
    /* gather the parts, then merge runs of adjacent STR parts */
    parts = NL();
    for (i = 0; i < l->n; i++) {
        struct kr_node *s = l->v[i];
        if (s->kind == KR_N_FSTR) {
            for (j = 0; j < s->nkids; j++)
                PUSH(parts, s->kids[j]);
        } else if (s->slen > 0) {
            PUSH(parts, s);
        }
    }
    n = NEW(KR_N_FSTR, l->v[0]->off);
    {
        struct kr_nlist *merged = NL();
        for (i = 0; i < parts->n;) {
            size_t len = 0;
            uint32_t k;
            if (parts->v[i]->kind != KR_N_STR || i + 1 >= parts->n ||
                parts->v[i + 1]->kind != KR_N_STR) {
                PUSH(merged, parts->v[i]);
                i++;
                continue;
            }
            for (k = i; k < parts->n && parts->v[k]->kind == KR_N_STR; k++)
                len += parts->v[k]->slen;
            {
                struct kr_node *s = NEW(KR_N_STR, parts->v[i]->off);
                char *d = kr_arena_alloc(p->arena, len + 1);
                size_t at = 0;
                for (j = i; j < k; j++) {
                    memcpy(d + at, parts->v[j]->str, parts->v[j]->slen);
                    at += parts->v[j]->slen;
                    s->flags |= parts->v[j]->flags & KR_STR_RAW;
                }
                d[at] = '\0';
                s->str = d;
                s->slen = at;
                PUSH(merged, s);
            }
            i = k;
        }
        kr_node_set_kids(n, merged);
    }
    *out = n;
    return KR_OK;
}

/* Is t something that can be assigned to (or deleted, or augmented)? */
static int check_target(struct kr_parser *p, struct kr_node *t, bool aug)
{
    uint32_t i;
    const char *what;
    switch (t->kind) {
    case KR_N_NAME: case KR_N_ATTR: case KR_N_INDEX:
        return KR_OK;
    case KR_N_TUPLE: case KR_N_LIST:
        if (aug)
            return syntax_error(p, t->off, "augmented assignment needs a single target, "
                                "not a %s", t->kind == KR_N_TUPLE ? "tuple" : "list");
        for (i = 0; i < t->nkids; i++)
            if (check_target(p, t->kids[i], false) != KR_OK)
                return KR_ESYNTAX;
        return KR_OK;
    case KR_N_STARRED:
        return syntax_error(p, t->off, "starred assignment targets (*x) are not supported: "
                            "index the sequence instead");
    case KR_N_CALL: what = "a function call"; break;
    case KR_N_STR: case KR_N_FSTR: case KR_N_INT: case KR_N_FLOAT:
    case KR_N_TRUE: case KR_N_FALSE: case KR_N_NONE:
        what = "a literal"; break;
    case KR_N_CMP:
        return syntax_error(p, t->off, "cannot assign to a comparison (did you mean '=='?)");
    default: what = "this expression"; break;
    }
    return syntax_error(p, t->off, "cannot assign to %s", what);
}

static struct kr_node *kwarg(struct kr_parser *p, struct kr_node *name, struct kr_node *value)
{
    struct kr_node *n;
    if (name->kind != KR_N_NAME) {
        syntax_error(p, name->off, "a keyword argument needs a plain name before '=' "
                     "(did you mean '=='?)");
        return NULL;
    }
    n = node2(p, KR_N_KWARG, name->off, value, NULL);
    n->str = name->str;
    n->slen = name->slen;
    return n;
}

static int check_params(struct kr_parser *p, struct kr_nlist *l)
{
    uint32_t i;
    bool defaults = false, star = false;
    if (!l)
        return KR_OK;
    for (i = 0; i < l->n; i++) {
        struct kr_node *pm = l->v[i];
        if (pm->flags & (KR_PARAM_STAR | KR_PARAM_KWONLY_MARK)) {
            star = true;
        } else if (pm->flags & KR_PARAM_DSTAR) {
            if (i + 1 != l->n)
                return syntax_error(p, l->v[i + 1]->off, "no parameter may follow **%s",
                                    pm->str);
        } else if (pm->a) {
            defaults = true;
        } else if (defaults && !star) {
            return syntax_error(p, pm->off, "parameter '%s' without a default follows one "
                                "with a default", pm->str);
        }
    }
    return KR_OK;
}

static void set_params(struct kr_parser *p, struct kr_node *fn, struct kr_nlist *l)
{
    if (!l)
        return;
    fn->params = l->v;
    fn->nparams = l->n;
}

static const char *join_dotted(struct kr_parser *p, struct kr_nlist *l)
{
    size_t len = 0, at = 0;
    uint32_t i;
    char *s;
    for (i = 0; i < l->n; i++)
        len += l->v[i]->slen + 1;
    s = kr_arena_alloc(p->arena, len + 1);
    for (i = 0; i < l->n; i++) {
        if (i)
            s[at++] = '.';
        memcpy(s + at, l->v[i]->str, l->v[i]->slen);
        at += l->v[i]->slen;
    }
    s[at] = '\0';
    return s;
}

/* localrules takes rule names; ruleorder takes `a > b > c`. */
static int finish_topdir(struct kr_parser *p, struct kr_node *d)
{
    uint32_t i;
    struct kr_node *c;
    if (!strcmp(d->str, "localrules")) {
        for (i = 0; i < d->nkids; i++)
            if (d->kids[i]->kind != KR_N_NAME)
                return syntax_error(p, d->kids[i]->off, "localrules: expected rule names "
                                    "separated by commas");
    } else if (!strcmp(d->str, "ruleorder")) {
        if (d->nkids != 1)
            return syntax_error(p, d->off, "ruleorder: expected rule names separated by '>'");
        c = d->kids[0];
        if (c->kind == KR_N_NAME)
            return KR_OK;
        if (c->kind != KR_N_CMP)
            return syntax_error(p, c->off, "ruleorder: expected rule names separated by '>'");
        for (i = 0; i < c->nkids; i++)
            if (c->kids[i]->kind != KR_N_NAME || (i > 0 && c->ops[i - 1] != KR_OP_GT))
                return syntax_error(p, c->kids[i]->off,
                                    "ruleorder: expected rule names separated by '>'");
        d->kids = c->kids;
        d->nkids = c->nkids;
    }
    return KR_OK;
}

/* ---- error messages --------------------------------------------------------- */

static const char *unsupported_message(int tok)
{
    switch (tok) {
    case YYSYMBOL_CLASS:
        return "'class' is not supported: use dicts and functions instead";
    case YYSYMBOL_YIELD:
        return "'yield' works only as a statement of a def (`yield x`, `yield from xs`): "
               "a function that yields returns the list of what it yielded";
    case YYSYMBOL_ASYNC: case YYSYMBOL_AWAIT:
        return "'async'/'await' are not supported: rule files are evaluated sequentially";
    case YYSYMBOL_NONLOCAL:
        return "'nonlocal' is not supported: return the new value from the inner function";
    case YYSYMBOL_DECORATOR:
        return "decorators are not supported: call the decorator yourself "
               "(f = decorator(f))";
    case YYSYMBOL_WALRUS:
        return "assignment expressions (:=) are not supported: assign to a variable on "
               "its own line first";
    case YYSYMBOL_ARROW:
        return "'->' is only allowed after a def's parameters";
    case YYSYMBOL_ELLIPSIS:
        return "'...' (Ellipsis) is not supported: use 'pass' or None";
    default:
        return NULL;
    }
}

/* The source text of a token (for messages), or NULL. */
static const char *tok_text(struct kr_parser *p, struct kr_loc loc)
{
    size_t n = loc.end - loc.off;
    if (loc.off < p->base || loc.end - p->base > p->len || n == 0 || n > 80)
        return NULL;
    return kr_arena_printf(p->arena, "%.*s", (int)n, p->src + (loc.off - p->base));
}

static int yyreport_syntax_error(const yypcontext_t *ctx, struct kr_parser *p)
{
    enum { NEXP = 8 };
    yysymbol_kind_t exp[NEXP], tok = yypcontext_token(ctx);
    struct kr_loc loc = *yypcontext_location(ctx);
    const char *u, *d, *t;
    int n = yypcontext_expected_tokens(ctx, exp, NEXP), i;
    bool want_indent = false;
    char list[512];
    size_t at = 0;
    if (p->failed)
        return 0;
    for (i = 0; i < n; i++)
        want_indent |= exp[i] == YYSYMBOL_INDENT;
    if (tok == YYSYMBOL_INDENT) {
        syntax_error(p, loc.off, "unexpected indent");
    } else if ((u = unsupported_message(tok)) != NULL) {
        syntax_error(p, loc.off, "%s", u);
    } else if (want_indent) {
        syntax_error(p, loc.off, "expected an indented block");
    } else if (p->nbr > 0 && loc.off >= p->br_off[p->nbr - 1] &&
               memchr(p->src + (p->br_off[p->nbr - 1] - p->base), '\n',
                      loc.off - p->br_off[p->nbr - 1])) {
        /* an unclosed bracket on an earlier line swallowed the line ends:
         * report it at the bracket, as Python 3.10 does, and say where the
         * parser noticed */
        syntax_error(p, p->br_off[p->nbr - 1], "'%c' was never closed", p->br[p->nbr - 1]);
        kr_lex_note(p, loc.off, "the parser noticed here, still inside it");
    } else if ((p->hist[2] == TK_RULE || p->hist[2] == TK_CHECKPOINT) && p->hist[1] == TK_NAME) {
        syntax_error(p, loc.off, "expected ':' after rule name");
    } else if (p->hist[1] == TK_RULE && p->hist[2] != TK_USE) {
        syntax_error(p, loc.off, "expected a rule name or ':' after 'rule'");
    } else if (p->hist[1] == ':' && (p->hist[2] == TK_DIRECTIVE || p->hist[2] == TK_TOPDIR) &&
               tok == YYSYMBOL_NEWLINE && (t = tok_text(p, p->hist_loc[2])) != NULL) {
        syntax_error(p, p->hist_loc[1].off, "expected a value after '%s:'", t);
    } else if (tok == YYSYMBOL_STRING && p->hist[1] == TK_NAME &&
               (t = tok_text(p, p->hist_loc[1])) != NULL && !strcmp(t, "print")) {
        syntax_error(p, p->hist_loc[1].off, "print is a function: write print(...)");
    } else if (!strcmp(yysymbol_name(tok), "'='")) {
        syntax_error(p, loc.off, "unexpected '=' here (use '==' to compare)");
    } else if (tok == YYSYMBOL_ELSE || tok == YYSYMBOL_ELIF) {
        syntax_error(p, loc.off, "'%s' without a matching 'if' (check the indentation)",
                     tok == YYSYMBOL_ELSE ? "else" : "elif");
    } else {
        d = tok == YYSYMBOL_NAME && (t = tok_text(p, loc)) != NULL
                ? kr_arena_printf(p->arena, "'%s'", t)
            : tok == YYSYMBOL_STRING ? "string"
            : tok == YYSYMBOL_NUMBER ? "number"
            : tok == YYSYMBOL_YYEOF ? (p->fdepth ? "end of the f-string field"
                                       : p->expr_mode ? "end of the expression"
                                       : "end of file")
            : yysymbol_name(tok);
        if (n == 1) {
            syntax_error(p, loc.off, "expected %s, found %s", yysymbol_name(exp[0]), d);
        } else {
            list[0] = '\0';
            if (n > 0 && n <= 4) {
                at = (size_t)snprintf(list, sizeof list, " (expected ");
                for (i = 0; i < n && at < sizeof list; i++)
                    at += (size_t)snprintf(list + at, sizeof list - at, "%s%s",
                                           i == 0 ? "" : i + 1 == n ? " or " : ", ",
                                           yysymbol_name(exp[i]));
                if (at < sizeof list)
                    snprintf(list + at, sizeof list - at, ")");
            }
            syntax_error(p, loc.off, "unexpected %s%s", d, list);
        }
    }
    return 0;
}

/* ---- entry points ------------------------------------------------------------ */

/*
 * Bounded-recursion check of the tree's depth, so that consumers (the dump,
 * the evaluator) may recurse freely: recursion here stops at the limit.
 */
static int check_depth(struct kr_parser *p, const struct kr_node *n, int d)
{
    uint32_t i;
    if (!n)
        return KR_OK;
    if (d > KR_PARSE_MAX_DEPTH)
        return syntax_error(p, n->off, "expression or block nested too deeply (the limit "
                            "is %d levels)", KR_PARSE_MAX_DEPTH);
    if (check_depth(p, n->a, d + 1) || check_depth(p, n->b, d + 1) ||
        check_depth(p, n->c, d + 1))
        return KR_ESYNTAX;
    for (i = 0; i < n->nkids; i++)
        if (check_depth(p, n->kids[i], d + 1))
            return KR_ESYNTAX;
    for (i = 0; i < n->nparams; i++)
        if (check_depth(p, n->params[i], d + 1))
            return KR_ESYNTAX;
    return KR_OK;
}

static int run(struct kr_parser *p, struct kr_node **out)
{
    int rc = kr_yyparse(p);
    if (rc == 2 && !p->failed)
        syntax_error(p, p->hist_loc[0].off, "expression or block nested too deeply");
    if (rc != 0 || p->failed) {
        if (!p->failed)
            syntax_error(p, p->hist_loc[0].off, "invalid syntax");
        return KR_ESYNTAX;
    }
    if (p->fdepth == 0 && check_depth(p, p->result, 0) != KR_OK)
        return KR_ESYNTAX;
    *out = p->result;
    return KR_OK;
}

int kr_parse_file(struct kr_arena *arena, const struct kr_sources *srcs, uint16_t file,
                  struct kr_node **module, struct kr_error *err)
{
    struct kr_parser *p;
    size_t skip;
    int rc;
    if (!srcs || file >= srcs->n)
        return kr_error_set(err, KR_ESYNTAX, "no such source file (index %u)", (unsigned)file);
    if (srcs->files[file].len > UINT32_MAX - 1)
        return kr_error_set(err, KR_ESYNTAX, "%s: file too large", srcs->files[file].path);
    rc = kr_lex_check_bytes(srcs, file, &skip, err);
    if (rc != KR_OK)
        return rc;
    p = kr_malloc(sizeof *p);
    kr_lex_init(p, arena, srcs, file, srcs->files[file].text, srcs->files[file].len, 0,
                false, err);
    p->pos = skip;
    rc = run(p, module);
    kr_free(p);
    return rc;
}

int kr_parse_expr(struct kr_arena *arena, const struct kr_sources *srcs, uint16_t file,
                  uint32_t base_off, const char *text, size_t len,
                  struct kr_node **expr, struct kr_error *err)
{
    struct kr_parser *p = kr_malloc(sizeof *p);
    int rc;
    kr_lex_init(p, arena, srcs, file, text, len, base_off, true, err);
    rc = run(p, expr);
    kr_free(p);
    return rc;
}

int kr_parse_nested(struct kr_parser *outer, uint32_t off, const char *text, size_t len,
                    struct kr_node **expr)
{
    struct kr_parser *p;
    int rc;
    if (outer->fdepth + 1 >= KR_LEX_MAX_FSTRING)
        return kr_lex_error(outer, off, "f-strings nested too deeply");
    p = kr_malloc(sizeof *p);
    kr_lex_init(p, outer->arena, outer->srcs, outer->file, text, len, off, true, outer->err);
    p->fdepth = outer->fdepth + 1;
    rc = run(p, expr);
    if (rc != KR_OK)
        outer->failed = true;
    kr_free(p);
    return rc;
}
