/*
 * test_wfjob.c - run-time memory of per-job resolution: kr_arena_mark /
 * kr_arena_release (nesting, big blocks, totals), and kr_wf_resolve +
 * kr_wf_job_info over many jobs leaving the workflow's arena exactly as big
 * as after the first job, with the step budget applying per job. Functions
 * that store what they create into the workflow's objects (a global list,
 * config, `global` names, list +=) keep their values: the test reads them
 * back after many jobs, which would find 0xA5 garbage if they had been
 * released. N is 200,000 jobs (20,000 under valgrind), N/100 for those.
 * Each test writes its rule file into a fresh temporary directory.
 * Also kr_wf_apply_wildcards against Snakemake's io.apply_wildcards.
 */
#include "tap.h"
#include "eval.h"

#include <stdlib.h>
#include <unistd.h>

static char tmpdir[64];
static long njobs = 200000;

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

static void test_marks(void)
{
    struct kr_arena A;
    struct kr_arena_mark m1, m2;
    char *keep, *p;
    size_t t0;
    kr_arena_init(&A);
    kr_arena_mark(&A, &m1);
    kr_arena_release(&A, &m1);
    ok(A.head == NULL && A.total == 0, "release of an empty arena's mark leaves it empty");

    keep = kr_arena_strdup(&A, "kept");
    kr_arena_alloc(&A, 100 * 1024);             /* a big block behind the bump block */
    t0 = A.total;
    kr_arena_mark(&A, &m1);
    p = kr_arena_alloc(&A, 64);
    kr_arena_alloc(&A, 200 * 1024);             /* big: linked behind the marked head */
    kr_arena_mark(&A, &m2);
    kr_arena_alloc(&A, 300 * 1024);             /* big again */
    kr_arena_alloc(&A, 60 * 1024);
    kr_arena_alloc(&A, 60 * 1024);
    kr_arena_alloc(&A, 60 * 1024);
    kr_arena_alloc(&A, 60 * 1024);              /* opens a new bump block */
    kr_arena_release(&A, &m2);
    is_int(A.total, t0 + 64 + 200 * 1024, "inner release rewinds total to the inner mark");
    kr_arena_release(&A, &m1);
    is_int(A.total, t0, "outer release rewinds total to the outer mark");
    ok((unsigned char)p[0] == 0xA5, "released bytes are scribbled over");
    is_str(keep, "kept", "what came before the mark is untouched");
    ok(kr_arena_alloc(&A, 16) == p, "the next allocation reuses the released bytes");
    kr_arena_free(&A);
}

static const char *safe_rules =
    "SAMPLES = {'s': 'x'}\n"
    "def fq(name, i):\n"
    "    if i > 0:\n"
    "        return fq(name, i - 1)\n"
    "    parts = [name, '.fq']\n"
    "    return ''.join(parts)\n"
    "def reads(wildcards):\n"
    "    d = {k: fq(wildcards.i + k, 2) for k in ['a', 'b']}\n"
    "    return [d['a'], d['b'], SAMPLES.get('s')]\n"
    "rule map:\n"
    "    input: reads, ref=lambda wc: 'ref/' + wc.i\n"
    "    output: 'out/{i}.bam'\n"
    "    log: 'logs/{i}.log'\n"
    "    params: tag=lambda wildcards, output: output[0].upper(), n=3,\n"
    "            many=lambda wc: ['p' + str(k) for k in range(20)]\n"
    "    threads: lambda wildcards: 2\n"
    "    resources: mem_mb=lambda wildcards, attempt: 100 * attempt + len(wildcards.i)\n"
    "    message: 'mapping {wildcards.i}'\n"
    "    shell: 'map -t {threads} {input:q} {params.tag} {resources.mem_mb} > {output} 2> {log}'\n";

/* Resolve inputs, outputs and job info of job `i` of rule `r`; fill `cmd`. */
static int one_job(struct kr_workflow *wf, struct kr_rule *r, long i, struct kr_arena *A,
                   char *cmd, size_t ncmd, struct kr_error *err)
{
    char val[32];
    const char *names[] = {"i"}, *values[] = {val};
    struct kr_wildcards wc = {names, values, 1};
    struct kr_iofile *in, *out;
    uint32_t nin, nout;
    struct kr_jobinfo info;
    int rc;
    snprintf(val, sizeof val, "%ld", i);
    rc = kr_wf_resolve(wf, r, &r->output, &wc, A, &out, &nout, err);
    if (rc == KR_OK)
        rc = kr_wf_resolve(wf, r, &r->input, &wc, A, &in, &nin, err);
    if (rc == KR_OK)
        rc = kr_wf_job_info(wf, r, &wc, in, nin, out, nout, 1, 4, i % 2 == 0, NULL, A, &info, err);
    if (rc == KR_OK)
        snprintf(cmd, ncmd, "%s | %s | %s", info.shell_cmd, info.message, info.params_repr);
    return rc;
}

static void test_many_jobs(void)
{
    struct kr_error err;
    struct kr_workflow *wf;
    struct kr_arena A;
    struct kr_rule *r;
    char cmd[1024], want[1024];
    size_t after_first;
    long i, failed = -1;
    /* a budget a few jobs' functions fit in, but not the sum over all jobs */
    setenv("KRAIT_EVAL_MAX_STEPS", "20000", 1);
    wf = load(safe_rules, &err);
    unsetenv("KRAIT_EVAL_MAX_STEPS");
    ok(wf != NULL, "workflow with job functions loads");
    if (!wf) {
        diag("%s", err.msg);
        return;
    }
    r = kr_workflow_rule(wf, "map");
    kr_arena_init(&A);
    ok(one_job(wf, r, 0, &A, cmd, sizeof cmd, &err) == KR_OK, "first job resolves");
    after_first = wf->arena.total;
    for (i = 1; i < njobs; i++) {
        kr_arena_free(&A);      /* the runner's per-job arena */
        if (one_job(wf, r, i, &A, cmd, sizeof cmd, &err) != KR_OK) {
            failed = i;
            break;
        }
    }
    is_int(failed, -1, "every job resolves (the step budget applies per job)");
    if (failed >= 0)
        diag("job %ld: %s", failed, err.msg);
    is_int(wf->arena.total, after_first, "the workflow's arena does not grow per job");
    snprintf(want, sizeof want,
             "map -t 2 %lda.fq %ldb.fq x ref/%ld OUT/%ld.BAM %d > out/%ld.bam 2> logs/%ld.log"
             " | mapping %ld | tag='OUT/%ld.BAM', n=3, many=['p0', 'p1', 'p2', 'p3', 'p4', "
             "'p5', 'p6', 'p7', 'p8', 'p9', 'p10', 'p11', 'p12', 'p13', 'p14', 'p15', 'p16', "
             "'p17', 'p18', 'p19']", i - 1, i - 1, i - 1, i - 1, 100 + (int)snprintf(NULL, 0, "%ld", i - 1),
             i - 1, i - 1, i - 1, i - 1);
    is_str(cmd, want, "the last job's command, message and params are right");
    kr_arena_free(&A);
    kr_workflow_free(wf);
}

/* Functions that keep what they make: each job's values must survive. */
static void test_keepers(void)
{
    static const struct {
        const char *name, *rules, *check;
    } cases[] = {
        {"a global list appended to",
         "SEEN = []\n"
         "def f(wc):\n"
         "    SEEN.append('in/' + wc.i)\n"
         "    return SEEN[-1]\n",
         "SEEN"},
        {"config written through an item",
         "def f(wc):\n"
         "    config['k' + wc.i] = 'in/' + wc.i\n"
         "    return config['k' + wc.i]\n",
         "config"},
        {"a list extended with +=",
         "SEEN = []\n"
         "def f(wc):\n"
         "    s = SEEN\n"
         "    s += ['in/' + wc.i]\n"
         "    return s[-1]\n",
         "SEEN"},
        {"a global rebound",
         "SEEN = []\n"
         "def g(x):\n"
         "    global SEEN\n"
         "    SEEN = SEEN + [x]\n"
         "def f(wc):\n"
         "    g('in/' + wc.i)\n"
         "    return SEEN[-1]\n",
         "SEEN"},
        {"a helper stored in a dict",
         "SEEN = []\n"
         "H = {'add': lambda x: SEEN.append(x)}\n"
         "def f(wc):\n"
         "    H['add']('in/' + wc.i)\n"
         "    return SEEN[-1]\n",
         "SEEN"},
    };
    size_t c;
    long n = njobs / 100, i;
    for (c = 0; c < KR_ARRAY_LEN(cases); c++) {
        struct kr_error err;
        struct kr_workflow *wf;
        struct kr_arena A;
        struct kr_rule *r;
        struct kr_value *seen;
        struct kr_value **items;
        size_t nitems;
        char *text, val[32];
        const char *names[] = {"i"}, *values[] = {val};
        struct kr_wildcards wc = {names, values, 1};
        struct kr_iofile *in;
        uint32_t nin;
        long bad = -1;
        text = kr_asprintf("%srule r:\n    input: f\n    output: 'o/{i}'\n    shell: 'x'\n",
                           cases[c].rules);
        wf = load(text, &err);
        kr_free(text);
        if (!ok(wf != NULL, "%s: loads", cases[c].name)) {
            diag("%s", err.msg);
            continue;
        }
        r = kr_workflow_rule(wf, "r");
        kr_arena_init(&A);
        for (i = 0; i < n && bad < 0; i++) {
            snprintf(val, sizeof val, "%ld", i);
            if (kr_wf_resolve(wf, r, &r->input, &wc, &A, &in, &nin, &err) != KR_OK)
                bad = i;
        }
        if (bad >= 0)
            diag("job %ld: %s", bad, err.msg);
        seen = !strcmp(cases[c].check, "config") ? wf->interp->config
                                                 : kr_dict_gets(wf->interp->globals, "SEEN");
        items = NULL;
        nitems = 0;
        if (seen && seen->type == KR_V_LIST) {
            items = seen->u.list.items;
            nitems = seen->u.list.len;
        } else if (seen && seen->type == KR_V_DICT) {
            nitems = seen->u.dict->live;
            items = seen->u.dict->vals;
        }
        is_int(nitems, n, "every job's value is kept");
        for (i = 0; items && i < (long)nitems; i++) {
            snprintf(val, sizeof val, "in/%ld", i);
            if (items[i]->type != KR_V_STR || strcmp(items[i]->u.str.s, val))
                break;
        }
        is_int(i, n, "and reads back intact after all jobs");
        kr_arena_free(&A);
        kr_workflow_free(wf);
    }
}

/* kr_wf_apply_wildcards against what Snakemake 7.21's io.apply_wildcards
 * gives for the same text (computed with /usr/bin/python3; ! = WildcardError
 * naming the wildcard after it). */
static void test_apply_wildcards(void)
{
    static const char *const names[] = {"dir", "n", "a_b"}, *const values[] = {"x", "1", "AB"};
    static const char *const cases[][2] = {
        {"plain", "plain"}, {"x{dir}y", "xxy"}, {"{dir}{n}", "x1"}, {"{{dir}}", "{x}"},
        {"{ dir , [a-z]+ }", "x"}, {"{dir,a{2}}", "x"}, {"{dir,a{2,3}}", "x"},
        {"{dir,a{b}}", "!b"}, {"{wildcards.dir}", "{wildcards.dir}"}, {"{dir:>3}", "{dir:>3}"},
        {"{", "{"}, {"}", "}"}, {"{}", "{}"}, {"{ }", "{ }"}, {"{a_b}", "AB"}, {"{dir,}", "x"},
        {"{dir,x}}", "x}"}, {"{{", "{{"}, {"{dir,\\d{2,}}", "!2"}, {"{nope}", "!nope"},
        {"a{0}b", "!0"}};
    struct kr_wildcards wc = {(const char **)names, (const char **)values, 3};
    struct kr_buf b = KR_BUF_INIT;
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(cases); i++) {
        const char *bad = NULL;
        char got[64];
        size_t badlen = 0;
        int rc = kr_wf_apply_wildcards(cases[i][0], &wc, &b, &bad, &badlen);
        if (rc == KR_OK)
            snprintf(got, sizeof got, "%s", kr_buf_cstr(&b));
        else
            snprintf(got, sizeof got, "!%.*s", (int)badlen, bad);
        is_str(got, cases[i][1], cases[i][0]);
    }
    kr_buf_free(&b);
}

int main(void)
{
    char cwd[4096];
    if (getenv("KR_VALGRIND") && *getenv("KR_VALGRIND"))
        njobs = 20000;
    if (!getcwd(cwd, sizeof cwd))
        return 1;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kr-test-wfjob-XXXXXX");
    if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0)
        return 1;
    test_marks();
    test_apply_wildcards();
    test_many_jobs();
    test_keepers();
    unlink("Snakefile");
    if (chdir(cwd) != 0 || rmdir(tmpdir) != 0)
        diag("could not remove %s", tmpdir);
    return tap_done();
}
