/*
 * wf-pyctx.c - the Snakefile's Python context for the code krait does not
 * evaluate itself: run: blocks and onstart/onsuccess/onerror handlers run
 * in an external python3 (scriptwrap.c), where Snakemake would run them as
 * functions in the Snakefile's namespace. This file is the one place that
 * decides what of that namespace they see (the contract is at
 * kr_wf_pyctx_json in workflow.h): the top-level imports, the top-level
 * def's source text, and the top-level variables whose final values are
 * plain JSON. krait's own evaluator stays deterministic: nothing here runs
 * Python; the wrapper executes the imports and defs in the job's python3.
 */
#include "eval.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* One noted statement (in I->A). */
struct pysrc {
    bool is_def;
    const char *name;       /* def: the function's name */
    const char *src;        /* Python source */
    uint16_t file;
    uint32_t line;          /* 1-based line of src's first line */
};

/* "import a.b as c" / "from m import x as y, z" rebuilt from the tree. */
static const char *import_src(struct kr_interp *I, const struct kr_node *n)
{
    struct kr_buf b = KR_BUF_INIT;
    const char *s;
    uint32_t i;
    if (n->kind == KR_N_IMPORT) {
        kr_buf_printf(&b, "import %s", n->str);
        if (n->b)
            kr_buf_printf(&b, " as %s", n->b->str);
    } else {
        kr_buf_printf(&b, "from %s import ", n->str);
        for (i = 0; i < n->nkids; i++) {
            kr_buf_printf(&b, "%s%s", i ? ", " : "", n->kids[i]->str);
            if (n->kids[i]->a)
                kr_buf_printf(&b, " as %s", n->kids[i]->a->str);
        }
    }
    s = kr_arena_strdup(I->A, kr_buf_cstr(&b));
    kr_buf_free(&b);
    return s;
}

/* Offset of the start of the line holding `off`. */
static uint32_t line_start(const struct kr_source *src, uint32_t off)
{
    while (off > 0 && src->text[off - 1] != '\n')
        off--;
    return off;
}

void kr_wf_pyctx_note(struct kr_interp *I, const struct kr_node *module)
{
    const struct kr_source *src;
    uint32_t i, start, end, k;
    int line, col;
    if (module->file >= I->srcs->n)
        return;
    src = &I->srcs->files[module->file];
    for (i = 0; i < module->nkids; i++) {
        const struct kr_node *n = module->kids[i];
        struct pysrc *p;
        if (!n || n->file != module->file || n->off > src->len)
            continue;
        if (n->kind != KR_N_IMPORT && n->kind != KR_N_FROMIMPORT && n->kind != KR_N_DEF)
            continue;
        p = kr_arena_zalloc(I->A, sizeof *p);
        p->file = n->file;
        kr_source_linecol(src, n->off, &line, &col);
        p->line = (uint32_t)line;
        if (n->kind != KR_N_DEF) {
            p->src = import_src(I, n);
        } else {
            /* from its line to the line of the next top-level statement: the
             * body and comments only (a def after `x = 1;` is left out) */
            start = line_start(src, n->off);
            if (start != n->off)
                continue;
            end = (uint32_t)src->len;
            for (k = i + 1; k < module->nkids; k++) {
                if (module->kids[k] && module->kids[k]->file == n->file &&
                    module->kids[k]->off > n->off) {
                    end = line_start(src, module->kids[k]->off);
                    break;
                }
            }
            if (end <= start)
                continue;
            p->is_def = true;
            p->name = n->str;
            p->src = kr_arena_strndup(I->A, src->text + start, end - start);
        }
        kr_vec_push(&I->pysrc, p);
    }
}

/* A plain JSON rendering of v, or NULL when v (or a part of it) is not
 * None/bool/int/float/str or a list, tuple or str-keyed dict of those. */
static json_t *plain_json(const struct kr_value *v, int depth)
{
    json_t *j, *x;
    size_t i;
    if (depth > 64)
        return NULL;
    switch (v->type) {
    case KR_V_NONE: return json_null();
    case KR_V_BOOL: return json_boolean(v->u.b);
    case KR_V_INT: return json_integer((json_int_t)v->u.i);
    case KR_V_FLOAT: return json_real(v->u.f);     /* NULL for NaN, inf */
    case KR_V_STR:
        if (memchr(v->u.str.s, '\0', v->u.str.len))
            return NULL;
        return json_stringn(v->u.str.s, v->u.str.len);  /* NULL when not UTF-8 */
    case KR_V_LIST: case KR_V_TUPLE:
        j = json_array();
        for (i = 0; i < v->u.list.len; i++) {
            x = plain_json(v->u.list.items[i], depth + 1);
            if (!x) {
                json_decref(j);
                return NULL;
            }
            json_array_append_new(j, x);
        }
        return j;
    case KR_V_DICT:
        j = json_object();
        for (i = 0; i < v->u.dict->n; i++) {
            const struct kr_value *k = v->u.dict->keys[i];
            if (!k)
                continue;
            x = k->type == KR_V_STR ? plain_json(v->u.dict->vals[i], depth + 1) : NULL;
            if (!x || json_object_set_new(j, k->u.str.s, x) != 0) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    default:
        return NULL;
    }
}

const char *kr_wf_pyctx_json(struct kr_workflow *wf)
{
    struct kr_interp *I = wf->interp;
    json_t *root, *imports, *defs, *globals, *o, *x;
    struct kr_dict *g;
    char *dump;
    size_t i;
    if (wf->pyctx_json_)
        return wf->pyctx_json_;
    if (!I) {
        wf->pyctx_json_ = "{}";
        return wf->pyctx_json_;
    }
    root = json_object();
    imports = json_array();
    defs = json_array();
    globals = json_object();
    for (i = 0; i < I->pysrc.len; i++) {
        const struct pysrc *p = I->pysrc.items[i];
        o = json_object();
        if (p->is_def)
            json_object_set_new(o, "name", json_string(p->name));
        json_object_set_new(o, "src", json_string(p->src));
        json_object_set_new(o, "file", json_string(p->file < I->srcs->n
                                                   ? I->srcs->files[p->file].path
                                                   : wf->snakefile));
        json_object_set_new(o, "line", json_integer(p->line));
        json_array_append_new(p->is_def ? defs : imports, o);
    }
    g = I->globals;
    for (i = 0; g && i < g->n; i++) {
        const struct kr_value *k = g->keys[i];
        if (!k || k->type != KR_V_STR || !strcmp(k->u.str.s, "config"))
            continue;
        x = plain_json(g->vals[i], 0);
        if (x)
            json_object_set_new(globals, k->u.str.s, x);
    }
    json_object_set_new(root, "imports", imports);
    json_object_set_new(root, "defs", defs);
    json_object_set_new(root, "globals", globals);
    dump = json_dumps(root, JSON_COMPACT);
    wf->pyctx_json_ = kr_arena_strdup(&wf->arena, dump ? dump : "{}");
    free(dump);
    json_decref(root);
    return wf->pyctx_json_;
}

const char *kr_wf_config_json(struct kr_workflow *wf)
{
    json_t *j = wf->config ? kr_value_to_json(wf->config) : NULL;
    char *dump = j ? json_dumps(j, JSON_COMPACT) : NULL;
    const char *s = kr_arena_strdup(&wf->arena, dump ? dump : "{}");
    free(dump);
    json_decref(j);
    return s;
}
