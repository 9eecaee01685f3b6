/*
 * eval-missing.c - the names krait knows but does not implement yet:
 * Snakemake's builtins and Python's builtins that the rule language lacks.
 * When code uses one, the error names the feature ("krait does not support
 * 'scatter()' yet") instead of blaming the user with "name 'scatter' is not
 * defined". A name leaves this table the day it is implemented: lookup
 * consults it only for names that are not bound.
 */
#include "eval.h"

#include <string.h>

struct missing {
    const char *name;
    const char *what;   /* "a Snakemake" / "a Python" ... */
    const char *hint;   /* what to do instead, or NULL */
};

static const struct missing missing_names[] = {
    /* Snakemake builtins */
    {"checkpoints", "Snakemake", NULL},
    {"shell", "Snakemake", "shell() runs commands while the rule file is read; use a rule "
                           "with shell:"},
    {"github", "Snakemake", "copy the file into the repository"},
    {"gitlab", "Snakemake", "copy the file into the repository"},
    {"srcdir", "Snakemake", "paths relative to the Snakefile's directory work as they are"},
    {"flag", "Snakemake", NULL},
    {"from_queue", "Snakemake", NULL},
    {"access", "Snakemake", NULL},
    {"pep", "Snakemake", "use read_table() on the sample table"},
    /* Python builtins */
    {"divmod", "Python", "use a // b and a % b"},
    {"pow", "Python", "use a ** b"},
    {"hash", "Python", NULL},
    {"id", "Python", NULL},
    {"iter", "Python", "loop over the value with 'for'"},
    {"next", "Python", "index the list, e.g. xs[0]"},
    {"slice", "Python", "use xs[a:b]"},
    {"frozenset", "Python", "use set() or a sorted tuple"},
    {"bytes", "Python", "krait strings are bytes already"},
    {"bytearray", "Python", NULL},
    {"memoryview", "Python", NULL},
    {"complex", "Python", NULL},
    {"object", "Python", "use dicts and functions"},
    {"super", "Python", "use dicts and functions"},
    {"property", "Python", "use dicts and functions"},
    {"staticmethod", "Python", "use dicts and functions"},
    {"classmethod", "Python", "use dicts and functions"},
    {"issubclass", "Python", NULL},
    {"callable", "Python", NULL},
    {"vars", "Python", NULL},
    {"globals", "Python", NULL},
    {"locals", "Python", NULL},
    {"dir", "Python", NULL},
    {"setattr", "Python", "use a dict"},
    {"delattr", "Python", "use a dict"},
    {"exec", "Python", "the rule language does not run code from strings"},
    {"eval", "Python", "the rule language does not run code from strings"},
    {"compile", "Python", "the rule language does not run code from strings"},
    {"__import__", "Python", "use 'import NAME'"},
    {"input", "Python", "pass values with --config KEY=VALUE"},
    {"help", "Python", NULL},
    {"bin", "Python", "use format(n, 'b')"},
    {"oct", "Python", "use format(n, 'o')"},
    {"hex", "Python", "use format(n, 'x')"},
    {"ascii", "Python", "use repr()"},
    {"exit", "Python", "use raise SystemExit or assert"},
    {"quit", "Python", "use raise SystemExit or assert"},
    {"breakpoint", "Python", NULL},
    {"NotImplemented", "Python", NULL},
    {"Ellipsis", "Python", "use None"},
};

const char *kr_missing_name(struct kr_interp *I, const char *name)
{
    size_t i;
    if (!strcmp(name, "scatter") || !strcmp(name, "gather"))
        return kr_arena_printf(I->A, "'%s' is empty until a scattergather: NAME=COUNT "
                               "declaration above it (then %s.NAME(pattern))", name, name);
    for (i = 0; i < KR_ARRAY_LEN(missing_names); i++) {
        const struct missing *m = &missing_names[i];
        if (strcmp(m->name, name))
            continue;
        /* names that are constants, not functions, are shown without () */
        return kr_arena_printf(I->A, "krait does not support '%s%s' (a %s builtin) yet%s%s",
                               name, strcmp(name, "checkpoints") && strcmp(name, "NotImplemented")
                               && strcmp(name, "Ellipsis") ? "()" : "",
                               m->what, m->hint ? ": " : "", m->hint ? m->hint : "");
    }
    return NULL;
}
