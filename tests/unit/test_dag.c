/*
 * test_dag.c - the planner on hand-built workflows in a temporary folder:
 * backward chaining, job sharing, Snakemake's candidate selection
 * (ruleorder, rules without wildcards first, candidates dropping out,
 * ambiguity), cycles and missing inputs with their chains, every rerun
 * reason (missing output, mtime, ancient, forced, incomplete, code, params,
 * input set, container, updated input), checksum suppression,
 * --rerun-triggers, --until / --omit-from / --allowed-rules, one stat per
 * file, and the plan listing.
 */
#include "dag.h"
#include "planfmt.h"
#include "tap.h"
#include "planner_fixture.h"

#include <openssl/evp.h>

#define T0 1600000000   /* an old time for sources */
#define T1 1700000000   /* a newer time for outputs */

#define L(...) ((const char *[]){__VA_ARGS__, NULL})

static struct kr_error err;

/* Plan wf with opts (NULL = defaults); returns rc, keeps the dag in *out. */
static int plan(struct kr_workflow *wf, const struct kr_plan_opts *o, struct kr_dag **out)
{
    struct kr_plan_opts d;
    struct kr_dag *dag = kr_dag_new(wf, NULL);
    int rc;
    if (!o) {
        memset(&d, 0, sizeof d);
        d.checksum_max_size = 1000000;
        o = &d;
    }
    kr_error_clear(&err);
    rc = kr_dag_plan(dag, o, &err);
    *out = dag;
    return rc;
}

static struct kr_plan_opts opts0(void)
{
    struct kr_plan_opts o;
    memset(&o, 0, sizeof o);
    o.checksum_max_size = 1000000;
    return o;
}

static struct kr_job *job_of(struct kr_dag *dag, const char *path)
{
    struct kr_file *f = kr_dag_find(dag, path, strlen(path));
    return f ? f->producer : NULL;
}

static const char *reason_of(struct kr_dag *dag, const char *path)
{
    static char buf[256];
    struct kr_job *j = job_of(dag, path);
    if (!j)
        return "(no job)";
    if (!j->needs_run)
        return "up to date";
    snprintf(buf, sizeof buf, "%s%s%s", kr_reason_name((enum kr_reason)j->reason),
             j->reason_detail ? ": " : "", j->reason_detail ? j->reason_detail : "");
    return buf;
}

static uint32_t nrun(struct kr_dag *dag)
{
    uint32_t n;
    kr_dag_jobs_to_run(dag, &n);
    return n;
}

static uint32_t njobs(struct kr_dag *dag)
{
    uint32_t n;
    kr_dag_jobs(dag, &n);
    return n;
}

static void sha256_hex(const char *text, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0, i;
    EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL);
    for (i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", md[i]);
}

/* A three-step workflow: all <- call <- map <- raw (existing sources). */
static struct kr_workflow *pipeline(void)
{
    struct kr_workflow *wf = fx_new();
    fx_rule(wf, "all", L("calls/A.vcf", "calls/B.vcf"), NULL, NULL);
    fx_rule(wf, "call", L("mapped/{s}.bam", "ref.fa"), L("calls/{s}.vcf"), "call {input}");
    fx_rule(wf, "map", L("raw/{s}.fq", "ref.fa"), L("mapped/{s}.bam"), "map {input}");
    return wf;
}

static void test_chain(void)
{
    struct kr_workflow *wf = pipeline();
    struct kr_dag *dag;
    struct kr_job **jobs, *all;
    uint32_t n, i;
    int64_t nstat;

    fx_write("raw/A.fq", "a", T0);
    fx_write("raw/B.fq", "b", T0);
    fx_write("ref.fa", "r", T0);
    is_int(plan(wf, NULL, &dag), KR_OK, "chain: plans");
    is_int(njobs(dag), 5, "chain: 5 jobs (all, 2 call, 2 map)");
    is_int(nrun(dag), 5, "chain: all run");
    jobs = kr_dag_jobs(dag, &n);
    all = jobs[n - 1];
    is_str(all->rule->name, "all", "chain: target last in topological order");
    ok(all->is_target && all->ndeps == 2 && all->depth == 0, "chain: target has 2 deps, depth 0");
    for (i = 0; i < n; i++) {
        uint32_t k;
        bool ok_ = true;
        for (k = 0; k < jobs[i]->ndeps; k++)
            ok_ = ok_ && jobs[i]->deps[k]->id < jobs[i]->id;
        if (!ok_)
            break;
    }
    is_int(i, n, "chain: dependencies come first");
    ok(job_of(dag, "mapped/A.bam")->depth == 2, "chain: map depth 2");
    is_str(reason_of(dag, "mapped/A.bam"), "missing output: mapped/A.bam",
           "chain: map runs for missing output");
    is_str(all->reason == KR_REASON_UPSTREAM ? "upstream" : kr_reason_name(all->reason), "upstream",
           "chain: all runs for updated input");
    ok(job_of(dag, "calls/A.vcf")->wc.n == 1 &&
       !strcmp(job_of(dag, "calls/A.vcf")->wc.values[0], "A"), "chain: wildcards bound");
    ok(kr_dag_find(dag, "ref.fa", 6)->nconsumers == 4, "chain: ref.fa read by 4 jobs");
    kr_dag_counters(dag, &nstat, NULL);
    ok(nstat <= (int64_t)9, "chain: at most one stat per file (%lld for 9 files)",
       (long long)nstat);
    kr_dag_free(dag);

    /* everything built and newer: nothing to do */
    fx_write("mapped/A.bam", "x", T1);
    fx_write("mapped/B.bam", "x", T1);
    fx_write("calls/A.vcf", "x", T1 + 10);
    fx_write("calls/B.vcf", "x", T1 + 10);
    is_int(plan(wf, NULL, &dag), KR_OK, "built: plans");
    is_int(nrun(dag), 0, "built: nothing to do");
    kr_dag_free(dag);

    /* a source touched: its chain reruns, the other sample not */
    fx_write("raw/A.fq", "a2", T1 + 100);
    is_int(plan(wf, NULL, &dag), KR_OK, "touched: plans");
    is_str(reason_of(dag, "mapped/A.bam"), "input newer than output: raw/A.fq",
           "touched: map A input newer");
    is_str(reason_of(dag, "calls/A.vcf"), "updated input: mapped/A.bam", "touched: call A follows");
    is_str(reason_of(dag, "mapped/B.bam"), "up to date", "touched: B untouched");
    is_int(nrun(dag), 3, "touched: 3 jobs (map A, call A, all)");
    {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        kr_planfmt_print(dag, f, KR_PLANFMT_HUMAN, false);
        fclose(f);
        is_str(buf,
               "rule map (job 0):\n"
               "    wildcards: s=A\n"
               "    input: raw/A.fq, ref.fa\n"
               "    output: mapped/A.bam\n"
               "    reason: input newer than output: raw/A.fq\n\n"
               "rule call (job 1):\n"
               "    wildcards: s=A\n"
               "    input: mapped/A.bam, ref.fa\n"
               "    output: calls/A.vcf\n"
               "    reason: updated input: mapped/A.bam (job 0, rule map)\n\n"
               "rule all (job 4, target):\n"
               "    input: calls/A.vcf, calls/B.vcf\n"
               "    reason: updated input: calls/A.vcf (job 1, rule call)\n\n"
               "Job counts:\n"
               "    rule     count\n"
               "    all          1\n"
               "    call         1\n"
               "    map          1\n"
               "    total        3\n\n"
               "3 jobs to run\n", "touched: plan listing");
        free(buf);
        f = open_memstream(&buf, &len);
        kr_planfmt_explain(dag, "calls/A.vcf", f, &err);
        fclose(f);
        is_str(buf,
               "'calls/A.vcf' is made by job 1 (rule call, s=A), which runs: updated input: "
               "mapped/A.bam (job 0, rule map)\n"
               "  'mapped/A.bam' is made by job 0 (rule map, s=A), which runs: input newer than "
               "output: raw/A.fq\n"
               "    'raw/A.fq' is newer (a source file) than the output\n", "explain chain");
        free(buf);
    }
    kr_dag_free(dag);

    /* intermediate deleted, downstream up to date: no rerun (Snakemake) */
    fx_write("raw/A.fq", "a", T0);
    unlink("mapped/B.bam");
    is_int(plan(wf, NULL, &dag), KR_OK, "intermediate gone: plans");
    is_int(nrun(dag), 0, "intermediate gone: nothing to do");
    kr_dag_free(dag);
    {
        struct kr_plan_opts o = opts0();
        const char *t[] = {"mapped/B.bam"};
        o.targets = t;
        o.ntargets = 1;
        is_int(plan(wf, &o, &dag), KR_OK, "intermediate as target: plans");
        is_str(reason_of(dag, "mapped/B.bam"), "missing output: mapped/B.bam",
               "intermediate as target: missing output");
        kr_dag_free(dag);
    }
    /* forced */
    {
        struct kr_plan_opts o = opts0();
        const char *fr[] = {"call"};
        fx_write("mapped/B.bam", "x", T1);
        o.forcerun = fr;
        o.nforcerun = 1;
        is_int(plan(wf, &o, &dag), KR_OK, "-R call: plans");
        is_str(reason_of(dag, "calls/B.vcf"), "forced: call", "-R call: call forced");
        is_str(reason_of(dag, "mapped/B.bam"), "up to date", "-R call: map not");
        is_int(nrun(dag), 3, "-R call: 2 calls + all");
        kr_dag_free(dag);
        o = opts0();
        o.forceall = true;
        is_int(plan(wf, &o, &dag), KR_OK, "-F: plans");
        is_int(nrun(dag), 5, "-F: everything");
        kr_dag_free(dag);
        o = opts0();
        {
            const char *t[] = {"calls/A.vcf"};
            o.targets = t;
            o.ntargets = 1;
            o.force_targets = true;
            is_int(plan(wf, &o, &dag), KR_OK, "-f calls/A.vcf: plans");
            is_int(nrun(dag), 1, "-f: only the target job");
            is_str(reason_of(dag, "calls/A.vcf"), "forced: calls/A.vcf", "-f: reason");
            kr_dag_free(dag);
        }
        /* --until map: only map jobs (and upstream) */
        o = opts0();
        o.forceall = true;
        {
            const char *u[] = {"map"};
            o.until = u;
            o.nuntil = 1;
            is_int(plan(wf, &o, &dag), KR_OK, "--until map: plans");
            is_int(njobs(dag), 2, "--until map: 2 jobs left");
            ok(job_of(dag, "mapped/A.bam")->is_target, "--until map: map jobs are targets");
            kr_dag_free(dag);
        }
        o = opts0();
        o.forceall = true;
        {
            const char *om[] = {"calls/A.vcf"};
            o.omit_from = om;
            o.nomit_from = 1;
            is_int(plan(wf, &o, &dag), KR_OK, "--omit-from calls/A.vcf: plans");
            is_int(njobs(dag), 3, "--omit-from: call A and all dropped, 3 left");
            ok(job_of(dag, "mapped/A.bam")->is_target, "--omit-from: map A becomes a target");
            kr_dag_free(dag);
        }
    }
    fx_free(wf);
}

/* A fake container runtime for the container trigger: img:1 and img:2
 * have identities, "off" behaves as disabled containers. */
static int nid_calls;
static int fake_id(void *data, const char *image, const char **id, struct kr_error *e)
{
    (void)data;
    nid_calls++;
    *id = NULL;
    if (!strcmp(image, "off"))
        return KR_NOT_FOUND;
    if (!strcmp(image, "broken"))
        return kr_error_set(e, KR_EEXEC, "pull of broken failed");
    *id = !strcmp(image, "img:1") ? "sha256:aa" : "sha256:bb";
    return KR_OK;
}

static void test_provenance(void)
{
    struct kr_workflow *wf = fx_new();
    struct kr_rule *r;
    struct kr_dag *dag;
    struct kr_prov pv;
    struct kr_prov_input pin;
    char hex[65];
    int64_t nchk;
    uint64_t ihash;

    fx_rule(wf, "all", L("p/out.txt"), NULL, NULL);
    r = fx_rule(wf, "make", L("p/in.txt"), L("p/out.txt"), "cp {input} {output}");
    fx_set_params(wf, r, "{'k': 1}");
    fx_write("p/in.txt", "content", T0);
    fx_write("p/out.txt", "made", T1);

#define PROV_BASE() do { \
        memset(&pv, 0, sizeof pv); \
        pv.rule = "make"; \
        pv.code_hash = r->code_hash; \
        pv.params_hash = kr_dag_params_hash("{'k': 1}"); \
        pv.inputs_hash = ihash; \
        pin.path = "p/in.txt"; pin.mtime_ns = (int64_t)T0 * 1000000000; pin.size = 7; \
        sha256_hex("content", hex); pin.checksum = hex; \
        pv.inputs = &pin; pv.ninputs = 1; \
    } while (0)

    /* a dag only to compute the inputs hash of the job */
    plan(wf, NULL, &dag);
    ihash = kr_dag_inputs_hash(job_of(dag, "p/out.txt"));
    {
        struct kr_dag *d2;
        const char *reason;
        struct kr_plan_opts o = opts0();
        PROV_BASE();
        kr_dag_free(dag);

#define WITH_PROV(mod, label, want) do { \
            d2 = kr_dag_new(wf, NULL); \
            PROV_BASE(); \
            mod; \
            kr_dag_attach_prov(d2, "p/out.txt", &pv); \
            kr_error_clear(&err); \
            is_int(kr_dag_plan(d2, &o, &err), KR_OK, label ": plans"); \
            reason = reason_of(d2, "p/out.txt"); \
            is_str(reason, want, label); \
            kr_dag_counters(d2, NULL, &nchk); \
            kr_dag_free(d2); \
        } while (0)

        WITH_PROV((void)0, "same provenance", "up to date");
        WITH_PROV(pv.code_hash++, "code changed", "code changed: p/out.txt");
        WITH_PROV(pv.params_hash++, "params changed", "params changed: p/out.txt");
        WITH_PROV(pv.inputs_hash++, "input set changed", "set of input files changed: p/out.txt");
        WITH_PROV(pv.container = "docker://x", "container changed",
                  "container changed: p/out.txt");
        WITH_PROV(pv.incomplete = true, "incomplete", "incomplete output: p/out.txt");

        /* the container trigger compares identities, not names */
        o.container_id = fake_id;
        nid_calls = 0;
        r->container = "img:1";
        WITH_PROV(pv.container = "sha256:aa", "image id unchanged", "up to date");
        WITH_PROV(pv.container = "sha256:bb", "image re-tagged", "container changed: p/out.txt");
        WITH_PROV(pv.container = NULL, "image added", "container changed: p/out.txt");
        is_int(nid_calls, 3, "... the runtime asked once per plan");
        r->container = NULL;
        WITH_PROV(pv.container = "sha256:aa", "image removed", "container changed: p/out.txt");
        is_int(nid_calls, 3, "... no image: the runtime is not asked");
        o.container_image = "img:1";
        WITH_PROV(pv.container = "sha256:aa", "--container-image default, same id", "up to date");
        WITH_PROV(pv.container = "sha256:bb", "--container-image default, other id",
                  "container changed: p/out.txt");
        o.container_image = "off";
        WITH_PROV(pv.container = "sha256:bb", "containers disabled: no trigger", "up to date");
        o.container_image = "broken";
        d2 = kr_dag_new(wf, NULL);
        PROV_BASE();
        pv.container = "sha256:aa";
        kr_dag_attach_prov(d2, "p/out.txt", &pv);
        is_int(kr_dag_plan(d2, &o, &err), KR_EEXEC, "a failing image lookup fails the plan");
        is_str(err.msg, "pull of broken failed", "... with the runtime's message");
        kr_dag_free(d2);
        o.container_image = NULL;
        o.container_id = NULL;

        o.triggers = KR_TRIGGER_MTIME | KR_TRIGGER_PARAMS;
        WITH_PROV(pv.code_hash += 7, "--rerun-triggers mtime params: code ignored", "up to date");
        o.triggers = 0;

        /* checksum suppression: touched, same content */
        fx_write("p/in.txt", "content", T1 + 50);
        WITH_PROV((void)0, "newer input, same checksum", "up to date");
        is_int(nchk, 1, "... one checksum computed");
        o.checksum_max_size = 3;
        WITH_PROV((void)0, "newer input, too big to checksum", "input newer than output: p/in.txt");
        is_int(nchk, 0, "... no checksum computed");
        o.checksum_max_size = 1000000;
        fx_write("p/in.txt", "changed", T1 + 60);
        WITH_PROV((void)0, "newer input, other content", "input newer than output: p/in.txt");
        fx_write("p/in.txt", "content", T1 + 50);
        WITH_PROV(pin.checksum = NULL, "newer input, no recorded checksum", "input newer than output: p/in.txt");
        /* recorded with its current mtime and size: attached without its
         * fingerprint (inputs_same), still suppressed when it is newer */
        WITH_PROV(pin.mtime_ns = (int64_t)(T1 + 50) * 1000000000, "input as recorded, newer",
                  "up to date");
        is_int(nchk, 0, "... no checksum computed (mtime and size as recorded)");
        o.triggers = KR_TRIGGER_MTIME;
        WITH_PROV((pin.mtime_ns = (int64_t)(T1 + 50) * 1000000000, pv.inputs_hash++),
                  "input as recorded but another input set", "input newer than output: p/in.txt");
        o.triggers = 0;
        is_int(nchk, 0, "... nothing to compare, no checksum computed");
        o.triggers = KR_TRIGGER_CODE;
        WITH_PROV((void)0, "--rerun-triggers code: mtime ignored", "up to date");
        o.triggers = 0;
    }
    fx_free(wf);

    /* ancient() inputs never make outputs stale */
    wf = fx_new();
    fx_rule(wf, "all", L("q/out.txt"), NULL, NULL);
    fx_rule(wf, "make", L("ancient:q/db.txt", "q/in.txt"), L("q/out.txt"), "x");
    fx_write("q/db.txt", "db", T1 + 500);
    fx_write("q/in.txt", "in", T0);
    fx_write("q/out.txt", "out", T1);
    is_int(plan(wf, NULL, &dag), KR_OK, "ancient: plans");
    is_str(reason_of(dag, "q/out.txt"), "up to date", "ancient: newer ancient input ignored");
    kr_dag_free(dag);
    fx_free(wf);
}

static void test_selection(void)
{
    struct kr_workflow *wf;
    struct kr_dag *dag;
    struct kr_plan_opts o = opts0();
    const char *t[] = {"s/x.txt"};

    o.targets = t;
    o.ntargets = 1;
    fx_write("s/x.in", "i", T0);
    fx_write("s/x.alt", "a", T0);

    /* ambiguity */
    wf = fx_new();
    fx_rule(wf, "one", L("s/{n}.in"), L("s/{n}.txt"), "x");
    fx_rule(wf, "two", L("s/{n}.alt"), L("s/{n}.txt"), "x");
    is_int(plan(wf, &o, &dag), KR_EPLAN, "ambiguous: error");
    is_str(err.msg, "rules 'one' and 'two' are ambiguous for the file 's/x.txt' "
                    "(one: n=x; two: n=x); give one of them a unique output prefix, constrain "
                    "the wildcards, or add a ruleorder", "ambiguous: message");
    kr_dag_free(dag);
    /* ruleorder decides */
    fx_ruleorder(wf, L("two", "one"));
    is_int(plan(wf, &o, &dag), KR_OK, "ruleorder: plans");
    is_str(job_of(dag, "s/x.txt")->rule->name, "two", "ruleorder: two > one");
    kr_dag_free(dag);
    fx_free(wf);

    /* a rule without wildcards is preferred */
    wf = fx_new();
    fx_rule(wf, "gen", L("s/{n}.in"), L("s/{n}.txt"), "x");
    fx_rule(wf, "special", L("s/x.alt"), L("s/x.txt"), "x");
    is_int(plan(wf, &o, &dag), KR_OK, "no-wildcards preference: plans");
    is_str(job_of(dag, "s/x.txt")->rule->name, "special", "no-wildcards rule wins");
    kr_dag_free(dag);
    fx_free(wf);

    /* a candidate whose input cannot be made drops out */
    wf = fx_new();
    fx_rule(wf, "fromgz", L("s/{n}.gz"), L("s/{n}.txt"), "x");
    fx_rule(wf, "fromin", L("s/{n}.in"), L("s/{n}.txt"), "x");
    is_int(plan(wf, &o, &dag), KR_OK, "dropout: plans");
    is_str(job_of(dag, "s/x.txt")->rule->name, "fromin", "dropout: the viable rule");
    kr_dag_free(dag);
    /* --allowed-rules leaves only fromgz: missing input with chain */
    {
        const char *al[] = {"fromgz"};
        o.allowed_rules = al;
        o.nallowed_rules = 1;
        is_int(plan(wf, &o, &dag), KR_EPLAN, "allowed-rules: only fromgz, fails");
        is_str(err.msg, "missing input file 's/x.gz' for rule 'fromgz' (wildcards: n=x), needed by "
                        "target 's/x.txt'; no rule makes it and it does not exist",
               "allowed-rules: missing input message");
        kr_dag_free(dag);
        o.allowed_rules = NULL;
        o.nallowed_rules = 0;
    }
    fx_free(wf);

    /* missing input deep in a chain: the chain back to the target */
    wf = fx_new();
    fx_rule(wf, "all", L("calls/C.vcf"), NULL, NULL);
    fx_rule(wf, "call", L("mapped/{s}.bam"), L("calls/{s}.vcf"), "x");
    fx_rule(wf, "map", L("raw/{s}.fq"), L("mapped/{s}.bam"), "x");
    is_int(plan(wf, NULL, &dag), KR_EPLAN, "missing: error");
    is_str(err.msg, "missing input file 'raw/C.fq' for rule 'map' (wildcards: s=C), needed by "
                    "'mapped/C.bam' <- rule 'call' <- 'calls/C.vcf' <- target rule 'all'; "
                    "no rule makes it and it does not exist", "missing: chain");
    kr_dag_free(dag);
    fx_free(wf);

    /* cycles */
    wf = fx_new();
    fx_rule(wf, "all", L("c/x.a"), NULL, NULL);
    fx_rule(wf, "ab", L("c/{n}.b"), L("c/{n}.a"), "x");
    fx_rule(wf, "ba", L("c/{n}.a"), L("c/{n}.b"), "x");
    is_int(plan(wf, NULL, &dag), KR_EPLAN, "cycle: error");
    is_str(err.msg, "cyclic dependency: 'c/x.a' <- rule 'ab' <- 'c/x.b' <- rule 'ba' <- 'c/x.a' "
                    "(rule 'ba' needs its own output, directly or through others)",
           "cycle: printed");
    kr_dag_free(dag);
    /* an existing file breaks the cycle */
    fx_write("c/x.b", "b", T0);
    is_int(plan(wf, NULL, &dag), KR_OK, "cycle broken by an existing file");
    is_int(njobs(dag), 2, "... all and ab");
    kr_dag_free(dag);
    fx_free(wf);

    /* target errors */
    wf = fx_new();
    fx_rule(wf, "w", L("s/{n}.in"), L("s/{n}.txt"), "x");
    {
        const char *t2[] = {"w"};
        o.targets = t2;
        is_int(plan(wf, &o, &dag), KR_EPLAN, "target rule with wildcards: error");
        is_str(err.msg, "target rule 'w' has wildcards in its output; ask for one of its files "
                        "instead", "... message");
        kr_dag_free(dag);
        t2[0] = "nothing/here";
        is_int(plan(wf, &o, &dag), KR_EPLAN, "target no rule makes: error");
        is_str(err.msg, "no rule to produce 'nothing/here'", "... message");
        kr_dag_free(dag);
    }
    fx_free(wf);
}

static void test_sharing_and_scale(void)
{
    struct kr_workflow *wf = fx_new();
    struct kr_dag *dag;
    const char *ins[2001];
    char names[2000][32];
    struct kr_job *g;
    uint32_t i;
    double t0;

    /* one job makes two files; two consumers share it */
    fx_rule(wf, "all", L("sh/x.left.done", "sh/x.right.done"), NULL, NULL);
    fx_rule(wf, "pair", L("sh/{n}.src"), L("sh/{n}.1", "sh/{n}.2"), "x");
    fx_rule(wf, "left", L("sh/{n}.1"), L("sh/{n}.left.done"), "x");
    fx_rule(wf, "right", L("sh/{n}.2"), L("sh/{n}.right.done"), "x");
    fx_write("sh/x.src", "s", T0);
    is_int(plan(wf, NULL, &dag), KR_OK, "sharing: plans");
    is_int(njobs(dag), 4, "sharing: one pair job for both outputs");
    ok(job_of(dag, "sh/x.1") == job_of(dag, "sh/x.2"), "sharing: same producer");
    is_int(job_of(dag, "sh/x.1")->nrdeps, 2, "sharing: two consumers");
    kr_dag_free(dag);
    fx_free(wf);

    /* gather over 2000 files, each listed twice: deps deduplicated */
    wf = fx_new();
    for (i = 0; i < 2000; i++) {
        snprintf(names[i], sizeof names[i], "g/%u.out", i / 2 * 2 + (i & 1) * 0);
        ins[i] = names[i];
    }
    ins[2000] = NULL;
    fx_rule(wf, "gather", ins, L("g/all.txt"), "x");
    fx_rule(wf, "one", NULL, L("g/{i}.out"), "x");
    t0 = kr_now();
    is_int(plan(wf, NULL, &dag), KR_OK, "gather: plans");
    g = job_of(dag, "g/all.txt");
    is_int(g->nin, 2000, "gather: 2000 inputs");
    is_int(g->ndeps, 1000, "gather: 1000 distinct producers");
    is_int(njobs(dag), 1001, "gather: 1001 jobs");
    diag("gather plan: %.3f s", kr_now() - t0);
    kr_dag_free(dag);
    fx_free(wf);
}

int main(void)
{
    fx_tmpdir();
    test_chain();
    test_provenance();
    test_selection();
    test_sharing_and_scale();
    return tap_done();
}
