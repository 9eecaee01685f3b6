/*
 * builtin-exc.c - Python's exception classes in the rule language: the
 * builtin names (ValueError, KeyError, FileNotFoundError, Exception ...),
 * their hierarchy (so that `except LookupError:` catches a KeyError), the
 * exception objects that `raise X(...)` creates and `except X as e:` binds,
 * and the tagging by which the evaluator's own errors become catchable.
 *
 * How an exception travels: an error is always a KR_EEVAL return code with
 * the message in I->err. What makes it an *exception* is I->exc_cls (the
 * class name) and, for `raise`, I->exc_val (the object raised). Any error
 * reported through kr_eval_error clears both, so an error is catchable only
 * when the code that reported it says which Python class it is
 * (kr_exc_tag). Errors that are krait's own limits (step budget, memory,
 * unsupported features) are never tagged and so are never caught.
 *
 * An exception object is a namespace value (KR_V_NS) whose name is the
 * class name and whose attrs hold `args` (a tuple); kr_exc_is recognises it
 * by the KR_NS_EXC flag.
 */
#include "eval.h"

#include <string.h>

/* One class and its base; aliases (IOError) name their target in `alias`. */
struct exc_class {
    const char *name;
    const char *base;
    const char *alias;
};

static const struct exc_class classes[] = {
    {"BaseException", NULL, NULL},
    {"SystemExit", "BaseException", NULL},
    {"KeyboardInterrupt", "BaseException", NULL},
    {"Exception", "BaseException", NULL},
    {"ArithmeticError", "Exception", NULL},
    {"ZeroDivisionError", "ArithmeticError", NULL},
    {"OverflowError", "ArithmeticError", NULL},
    {"LookupError", "Exception", NULL},
    {"KeyError", "LookupError", NULL},
    {"IndexError", "LookupError", NULL},
    {"ValueError", "Exception", NULL},
    {"UnicodeError", "ValueError", NULL},
    {"TypeError", "Exception", NULL},
    {"AttributeError", "Exception", NULL},
    {"NameError", "Exception", NULL},
    {"AssertionError", "Exception", NULL},
    {"RuntimeError", "Exception", NULL},
    {"NotImplementedError", "RuntimeError", NULL},
    {"RecursionError", "RuntimeError", NULL},
    {"ImportError", "Exception", NULL},
    {"ModuleNotFoundError", "ImportError", NULL},
    {"StopIteration", "Exception", NULL},
    {"OSError", "Exception", NULL},
    {"IOError", NULL, "OSError"},
    {"EnvironmentError", NULL, "OSError"},
    {"FileNotFoundError", "OSError", NULL},
    {"FileExistsError", "OSError", NULL},
    {"PermissionError", "OSError", NULL},
    {"IsADirectoryError", "OSError", NULL},
    {"NotADirectoryError", "OSError", NULL},
};

static const struct exc_class *find_class(const char *name)
{
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(classes); i++)
        if (!strcmp(classes[i].name, name))
            return classes[i].alias ? find_class(classes[i].alias) : &classes[i];
    return NULL;
}

bool kr_exc_subclass(const char *cls, const char *of)
{
    const struct exc_class *c = find_class(cls), *o = find_class(of);
    if (!c || !o)
        return cls && of && !strcmp(cls, of);
    for (; c; c = c->base ? find_class(c->base) : NULL)
        if (c == o)
            return true;
    return false;
}

static int bi_exc_new(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                      struct kr_value **out);

const char *kr_exc_class_of(const struct kr_value *v)
{
    if (v && v->type == KR_V_BUILTIN && v->u.bi.fn == bi_exc_new)
        return v->u.bi.name;
    return NULL;
}

bool kr_exc_is(const struct kr_value *v)
{
    return v && v->type == KR_V_NS && (v->flags & KR_NS_EXC);
}

struct kr_value *kr_exc_new(struct kr_interp *I, const char *cls, struct kr_value *args)
{
    struct kr_value *e = kr_value_ns(I->A, kr_arena_strdup(I->A, cls));
    e->flags |= KR_NS_EXC;
    kr_dict_sets(I->A, e->u.ns.attrs, "args", args ? args : kr_value_tuple(I->A, 0));
    return e;
}

void kr_exc_str_buf(const struct kr_value *e, struct kr_buf *out)
{
    struct kr_value *args = kr_dict_gets(e->u.ns.attrs, "args");
    struct kr_value *fname = kr_dict_gets(e->u.ns.attrs, "filename");
    if (!args || args->type != KR_V_TUPLE || args->u.list.len == 0)
        return;
    if (fname && args->u.list.len == 2) {
        /* OSError: [Errno 2] No such file or directory: 'x' */
        kr_buf_puts(out, "[Errno ");
        kr_value_str_buf(args->u.list.items[0], out);
        kr_buf_puts(out, "] ");
        kr_value_str_buf(args->u.list.items[1], out);
        kr_buf_puts(out, ": ");
        kr_value_repr_buf(fname, out);
        return;
    }
    if (args->u.list.len > 1) {
        kr_value_repr_buf(args, out);
        return;
    }
    /* Python shows a KeyError's key as its repr */
    if (!strcmp(e->u.ns.name, "KeyError"))
        kr_value_repr_buf(args->u.list.items[0], out);
    else
        kr_value_str_buf(args->u.list.items[0], out);
}

/* Calling a class: self is the class name (a str value); the result is an
 * exception object whose args are the positional arguments. */
static int bi_exc_new(struct kr_interp *I, struct kr_value *self, const struct kr_callargs *a,
                      struct kr_value **out)
{
    struct kr_value *args;
    size_t i;
    if (a->nkw)
        return kr_exc_tag(I, "TypeError", NULL,
                          kr_eval_error(I, "%s() takes no keyword arguments", self->u.str.s));
    args = kr_value_tuple(I->A, a->npos);
    for (i = 0; i < a->npos; i++)
        args->u.list.items[i] = a->pos[i];
    *out = kr_exc_new(I, self->u.str.s, args);
    return KR_OK;
}

int kr_exc_tag(struct kr_interp *I, const char *cls, struct kr_value *arg, int rc)
{
    struct kr_value *args;
    if (rc != KR_EEVAL)
        return rc;
    I->exc_cls = cls;
    args = kr_value_tuple(I->A, 1);
    args->u.list.items[0] = arg ? arg : kr_value_cstr(I->A, I->err->msg);
    I->exc_val = kr_exc_new(I, cls, args);
    return rc;
}

void kr_builtins_exc_install(struct kr_interp *I)
{
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(classes); i++) {
        const struct exc_class *c = find_class(classes[i].name);
        kr_dict_sets(I->A, I->builtins, classes[i].name,
                     kr_value_builtin(I->A, c->name, bi_exc_new, kr_value_cstr(I->A, c->name),
                                      NULL));
    }
}
