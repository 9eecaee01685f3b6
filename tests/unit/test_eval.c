/*
 * test_eval.c - unit tests for the evaluator and the per-job API: Python
 * expressions evaluated through kr_workflow_load (their repr compared with
 * what python3 prints), kr_pat_parse, kr_wf_resolve (pattern formatting,
 * input functions, unpack, unknown wildcards) and kr_wf_job_info (threads,
 * resources lambdas with attempt, params functions, Snakemake's shell
 * formatting with lists and :q, context_json), plus the step budget.
 * Each test writes its rule file into a fresh temporary directory.
 */
#include "tap.h"
#include "eval.h"

#include <stdlib.h>
#include <unistd.h>

static char tmpdir[64];

static struct kr_workflow *load(const char *text, struct kr_error *err)
{
    struct kr_load_opts o = {0};
    struct kr_workflow *wf = NULL;
    FILE *f = fopen("Snakefile", "w");
    fputs(text, f);
    fclose(f);
    o.snakefile = "Snakefile";
    kr_error_clear(err);
    if (kr_workflow_load(&o, &wf, err) != KR_OK)
        return NULL;
    return wf;
}

/* Evaluate `R = expr` and return repr(R) (static buffer), or the error. */
static const char *ev(const char *expr)
{
    static char out[2048];
    struct kr_error err;
    struct kr_workflow *wf;
    char *text = kr_asprintf("R = %s\n", expr);
    wf = load(text, &err);
    kr_free(text);
    if (!wf) {
        snprintf(out, sizeof out, "ERROR: %s", err.msg);
        return out;
    }
    snprintf(out, sizeof out, "%s",
             kr_value_to_repr(&wf->arena, kr_dict_gets(wf->interp->globals, "R")));
    kr_workflow_free(wf);
    return out;
}

static void test_expressions(void)
{
    static const struct {
        const char *expr, *want;
    } cases[] = {
        {"-7 // 2", "-4"},
        {"-7 % 3", "2"},
        {"7 % -3", "-2"},
        {"-7.5 // 2", "-4.0"},
        {"2 ** 62", "4611686018427387904"},
        {"7 / 2", "3.5"},
        {"[1, 2, 3][::-1]", "[3, 2, 1]"},
        {"'abcdef'[-4:-1]", "'cde'"},
        {"'abcdef'[5:1:-2]", "'fd'"},
        {"[1, 2] * 2 + [3]", "[1, 2, 1, 2, 3]"},
        {"sorted([(2, 'b'), (1, 'z'), (2, 'a')])", "[(1, 'z'), (2, 'a'), (2, 'b')]"},
        {"sorted(['bb', 'a', 'ccc', 'dd'], key=len, reverse=True)", "['ccc', 'bb', 'dd', 'a']"},
        {"{'b': 1, 'a': 2}", "{'b': 1, 'a': 2}"},
        {"'{:>8.3f}|'.format(3.14159)", "'   3.142|'"},
        {"'%-6s|%06.2f' % ('ab', 3.14159)", "'ab    |003.14'"},
        {"'a,b,,c'.split(',', 2)", "['a', 'b', ',c']"},
        {"'  a  b  '.rsplit(None, 1)", "['  a', 'b']"},
        {"' x '.join(['1', '2'])", "'1 x 2'"},
        {"[x for x in range(10) if x % 3 == 0]", "[0, 3, 6, 9]"},
        {"{k: v for k, v in zip('ab', (1, 2))}", "{'a': 1, 'b': 2}"},
        {"1 < 2 < 3 > 2", "True"},
        {"'b' in {'a': 1, 'b': 2}", "True"},
        {"[] or None", "None"},
        {"min([3, 1, 2]), max('abc')", "(1, 'c')"},
        {"list(enumerate(['x', 'y'], 5))", "[(5, 'x'), (6, 'y')]"},
        {"round(0.5), round(1.5), round(-2.5)", "(0, 2, -2)"},
        {"int('-12'), float('1e3'), str(2.0)", "(-12, 1000.0, '2.0')"},
        {"(lambda a, b=2, *c, **d: (a, b, c, d))(1, 3, 4, x=5)", "(1, 3, (4,), {'x': 5})"},
        {"expand('{a}{b}', a=['x', 'y'], b=[1, 2])", "['x1', 'x2', 'y1', 'y2']"},
        {"expand('{a}-{b}', zip, a=['x', 'y'], b=[1, 2])", "['x-1', 'y-2']"},
        {"expand('{a}/{b}', a='k', allow_missing=True)", "['k/{b}']"},
        {"str(temp('x')) + '!'", "'x!'"},
        {"multiext('r', '.a', '.b')", "['r.a', 'r.b']"},
        {"9223372036854775807 + 1", "ERROR: integer overflow in '+' (krait's ints are 64-bit)"},
        {"1 / 0", "ERROR: division by zero"},
        {"{}['x']", "ERROR: dict has no key 'x' (keys: none)"},
        {"undefined_thing", "ERROR: name 'undefined_thing' is not defined"},
        {"len(5)", "ERROR: object of type 'int' has no len()"},
    };
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(cases); i++)
        is_str(ev(cases[i].expr), cases[i].want, cases[i].expr);
}

static void test_budget(void)
{
    struct kr_error err;
    struct kr_workflow *wf = load("def f(n):\n    return f(n + 1)\nx = f(0)\n", &err);
    ok(!wf && err.code == KR_EEVAL && strstr(err.msg, "maximum recursion depth"),
       "infinite recursion is an error");
    wf = load("L = [0] * 3000\nfor i in L:\n    for j in L:\n        for k in L:\n            pass\n",
              &err);
    ok(!wf && strstr(err.msg, "step limit"), "endless loops hit the step budget");
}

static void test_patterns(void)
{
    struct kr_arena A;
    struct kr_pat p;
    struct kr_error err;
    kr_arena_init(&A);
    ok(kr_pat_parse(&A, "a/{x}_{y,\\d{2}}.{{z}}", 0, &p, &err) == KR_OK, "pattern parses");
    is_int(p.nsegs, 5, "five segments");
    is_int(p.nwildcards, 2, "two wildcards");
    is_str(p.segs[1].text, "x", "first wildcard");
    is_str(p.segs[3].constraint, "\\d{2}", "constraint with braces");
    is_str(p.segs[4].text, ".{z}", "escaped braces are literal");
    ok(kr_pat_parse(&A, "a/{x", 0, &p, &err) == KR_EEVAL, "unbalanced brace rejected");
    kr_arena_free(&A);
}

static void test_jobs(void)
{
    struct kr_error err;
    struct kr_workflow *wf;
    struct kr_arena A;
    struct kr_rule *r;
    struct kr_iofile *in, *out;
    uint32_t nin, nout;
    struct kr_jobinfo info;
    const char *names[] = {"sample"}, *values[] = {"A 1"};
    struct kr_wildcards wc = {names, values, 1};
    kr_arena_init(&A);
    wf = load("def extra(wildcards):\n"
              "    return {'ref': 'ref.fa', 'idx': ['i1', 'i2']}\n"
              "rule map:\n"
              "    input: reads=lambda wc: ['fq/' + wc.sample + '_1', 'fq/' + wc.sample + '_2'],\n"
              "           panel='panel.bed', more=unpack(extra)\n"
              "    output: bam='out/{sample}.bam'\n"
              "    log: 'logs/{sample}.log'\n"
              "    params: opt=lambda wildcards, output: output.bam + '.tmp', n=3\n"
              "    threads: 16\n"
              "    resources: mem_mb=lambda wildcards, attempt: 1000 * attempt, queue='short'\n"
              "    shell: \"tool -t {threads} {input.reads:q} {input.ref} {input.idx} \"\n"
              "           \"{params.opt} {wildcards.sample:q} {resources.mem_mb} {log} {rule} \"\n"
              "           \"{{braces}} {input[0]} {output}\"\n"
              "rule bad:\n"
              "    input: 'in/{other}.txt'\n"
              "    output: 'b/{sample}'\n"
              "    shell: 'echo {inputs}'\n",
              &err);
    ok(wf != NULL, "job workflow loads");
    if (!wf) {
        diag("%s", err.msg);
        return;
    }
    r = kr_workflow_rule(wf, "map");
    ok(r != NULL, "rule by name");
    ok(kr_wf_resolve(wf, r, &r->output, &wc, &A, &out, &nout, &err) == KR_OK, "resolve output");
    is_int(nout, 1, "one output");
    is_str(out[0].path, "out/A 1.bam", "output formatted");
    is_str(out[0].name, "bam", "output name kept");
    ok(kr_wf_resolve(wf, r, &r->input, &wc, &A, &in, &nin, &err) == KR_OK, "resolve input");
    is_int(nin, 6, "six inputs (2 from the lambda, 1 literal, 3 unpacked)");
    is_str(in[1].path, "fq/A 1_2", "input function result");
    ok(in[1].flags & KR_F_LISTITEM, "list items are marked");
    is_str(in[3].name, "ref", "unpacked dict names the files");
    is_str(in[5].path, "i2", "unpacked list");
    ok(kr_wf_job_info(wf, r, &wc, in, nin, out, nout, 2, 8, true, NULL, &A, &info, &err) == KR_OK,
       "job info");
    is_int(info.threads, 8, "threads capped at max_cores");
    is_int(info.nres, 3, "two resources, and mem_mib from mem_mb (Snakemake)");
    is_int(info.res[0].ival, 2000, "resource lambda sees attempt");
    is_int(info.res[1].ival, 1908, "mem_mib = ceil(mem_mb * 0.95367431640625)");
    is_str(info.res[2].sval, "short", "string resource");
    is_str(info.shell_cmd,
           "tool -t 8 'fq/A 1_1' 'fq/A 1_2' ref.fa i1 i2 out/A 1.bam.tmp 'A 1' 2000 logs/A 1.log "
           "map {braces} fq/A 1_1 out/A 1.bam", "shell: lists joined, :q quotes each item");
    is_str(info.params_repr, "opt='out/A 1.bam.tmp', n=3", "params repr");
    is_int(info.nlog, 1, "one log");
    is_str(info.log[0].path, "logs/A 1.log", "log formatted");
    ok(info.context_json && strstr(info.context_json, "\"wildcards\":{\"sample\":\"A 1\"}"),
       "context_json has the wildcards");
    ok(info.context_json && strstr(info.context_json,
                                   "\"reads\":[\"fq/A 1_1\",\"fq/A 1_2\"]"),
       "context_json names list inputs");

    r = kr_workflow_rule(wf, "bad");
    ok(kr_wf_resolve(wf, r, &r->input, &wc, &A, &in, &nin, &err) == KR_EEVAL,
       "unknown wildcard in input is an error");
    is_str(err.msg, "rule 'bad': wildcards in input files cannot be determined from output "
                    "files: 'other' (in 'in/{other}.txt')", "message names rule and wildcard");
    ok(kr_wf_job_info(wf, r, &wc, NULL, 0, NULL, 0, 1, 4, false, NULL, &A, &info, &err) == KR_EEVAL,
       "unknown name in shell is an error");
    is_str(err.msg, "rule 'bad', shell: {inputs}: unknown name 'inputs' (did you mean 'input'?)",
           "shell error names rule and placeholder");
    kr_workflow_free(wf);
    kr_arena_free(&A);
}

int main(void)
{
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return 1;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kr-test-eval-XXXXXX");
    if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0)
        return 1;
    test_expressions();
    setenv("KRAIT_EVAL_MAX_STEPS", "200000", 1);
    test_budget();
    unsetenv("KRAIT_EVAL_MAX_STEPS");
    test_patterns();
    test_jobs();
    unlink("Snakefile");
    if (chdir(cwd) != 0 || rmdir(tmpdir) != 0)
        diag("could not remove %s", tmpdir);
    return tap_done();
}
