/*
 * fuzz_eval.c - libFuzzer target for the evaluator: each input is written as
 * the Snakefile of a private temporary directory and loaded with
 * kr_workflow_load (parse + evaluate, including includes, config files and
 * glob_wildcards relative to that directory), then every rule's patterns are
 * resolved and its job info built with a fixed wildcard, as the planner
 * would. Errors are fine; crashes, leaks, UB and hangs are not. A small step
 * budget (KRAIT_EVAL_MAX_STEPS) keeps runaway loops fast.
 * Built by tests/fuzz/build-eval.sh.
 */
#include "eval.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int init_done;

static void init(void)
{
    char dir[] = "/tmp/krait-fuzz-eval-XXXXXX";
    if (!mkdtemp(dir) || chdir(dir) != 0)
        abort();
    setenv("KRAIT_EVAL_MAX_STEPS", "200000", 1);
    init_done = 1;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct kr_load_opts o;
    struct kr_workflow *wf = NULL;
    struct kr_error err;
    FILE *f;
    uint32_t i;
    if (!init_done)
        init();
    f = fopen("Snakefile", "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    memset(&o, 0, sizeof o);
    o.snakefile = "Snakefile";
    kr_error_clear(&err);
    if (kr_workflow_load(&o, &wf, &err) != KR_OK)
        return 0;
    for (i = 0; i < wf->nrules && i < 50; i++) {
        struct kr_rule *r = wf->rules[i];
        const char *names[] = {"sample", "s", "x"}, *values[] = {"A", "1", "x y"};
        struct kr_wildcards wc = {names, values, 3};
        struct kr_arena A;
        struct kr_iofile *in = NULL, *out = NULL;
        uint32_t nin = 0, nout = 0;
        struct kr_jobinfo info;
        kr_arena_init(&A);
        if (kr_wf_resolve(wf, r, &r->output, &wc, &A, &out, &nout, &err) == KR_OK &&
            kr_wf_resolve(wf, r, &r->input, &wc, &A, &in, &nin, &err) == KR_OK)
            kr_wf_job_info(wf, r, &wc, in, nin, out, nout, 1, 4, true, NULL, &A, &info, &err);
        kr_arena_free(&A);
    }
    kr_workflow_free(wf);
    return 0;
}
