/*
 * state_fixture.c - writes history into a state database through the real
 * API (src/state.h), so the end-to-end tests of `krait log` and `krait
 * status` can set up runs, job attempts and locks without running jobs.
 * Built by `make check`, not a test itself.
 *
 *   state_fixture DIR run COMMAND...          begin a run, print its id
 *   state_fixture DIR end RUN STATUS DONE FAILED   end it (STATUS: ok failed...)
 *   state_fixture DIR job RUN RULE NAME STATE EXIT OUTS [EXTID [LOG]]
 *        journal an attempt of a job (OUTS comma-separated) that went
 *        submitted -> running -> STATE (done/failed/cancelled, or running:
 *        left unfinished); with STATE done, record provenance; print its id
 *   state_fixture DIR hold                    take the lock, print "locked",
 *                                             then wait until killed
 *   state_fixture DIR fan N                   a finished run of a fan of N+2
 *        jobs (split -> N x map -> merge; 1 in 100 maps fails) on 4 slurm
 *        hosts, with times, CPU, peak memory and provenance with inputs, as
 *        bench/report_bench.sh needs; prints the run's id
 */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int status_code(const char *s)
{
    int i;
    for (i = 0; i < 5; i++)
        if (!strcmp(kr_state_run_status_name(i), s))
            return i;
    return -1;
}

static int attempt_code(const char *s)
{
    int i;
    for (i = 0; i < 6; i++)
        if (!strcmp(kr_state_attempt_name(i), s))
            return i;
    return -1;
}

static int job(struct kr_state *st, int argc, char **argv, struct kr_error *err)
{
    struct kr_state_job j;
    struct kr_state_job_result res;
    struct kr_prov prov;
    struct kr_vec outs = KR_VEC_INIT;
    char *list, *tok, *save = NULL, *detail;
    int64_t att;
    int rc, state;

    if (argc < 7)
        return kr_error_set(err, KR_EUSAGE, "job RUN RULE NAME STATE EXIT OUTS [EXTID [LOG]]");
    state = attempt_code(argv[4]);
    if (state < KR_ATTEMPT_RUNNING)
        return kr_error_set(err, KR_EUSAGE, "bad state %s", argv[4]);
    list = kr_strdup(argv[6]);
    for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        kr_vec_push(&outs, tok);
    memset(&j, 0, sizeof j);
    j.rule = argv[2];
    j.name = argv[3];
    j.outputs = (const char *const *)outs.items;
    j.noutputs = (uint32_t)outs.len;
    j.attempt = 1;
    j.executor = "local";
    j.log_path = argc > 8 ? argv[8] : NULL;
    rc = kr_state_job_begin(st, atoll(argv[1]), &j, &att, err);
    if (rc == KR_OK && argc > 7)
        rc = kr_state_job_set_extid(st, att, argv[7], err);
    if (rc == KR_OK)
        rc = kr_state_job_transition(st, att, KR_ATTEMPT_RUNNING, 0, err);
    if (rc == KR_OK && state != KR_ATTEMPT_RUNNING) {
        memset(&prov, 0, sizeof prov);
        prov.rule = argv[2];
        prov.code_hash = kr_hash64(argv[2], strlen(argv[2]));
        res.state = state;
        res.exit_code = atoi(argv[5]);
        res.end = 0;
        detail = state == KR_ATTEMPT_FAILED ? kr_asprintf("exit code %s", argv[5]) : NULL;
        res.detail = detail;
        rc = kr_state_job_end(st, att, &res, &prov, 1, err);
        kr_free(detail);
    }
    if (rc == KR_OK)
        printf("%lld\n", (long long)att);
    kr_vec_free(&outs);
    kr_free(list);
    return rc;
}

/* One attempt of the fan: begun at t, running at t + 0.5, ended at t1. */
static int fan_job(struct kr_state *st, int64_t run, const char *rule, const char *name,
                   const char *out, const struct kr_prov_input *in, uint32_t nin, int state,
                   double t, double t1, int host, struct kr_error *err)
{
    struct kr_state_job j;
    struct kr_state_job_result res;
    struct kr_prov prov;
    char hostname[32], extid[32];
    const char *outs[1] = {out};
    int64_t att;
    int rc;
    memset(&j, 0, sizeof j);
    snprintf(hostname, sizeof hostname, "node%d", host);
    j.rule = rule;
    j.name = name;
    j.outputs = outs;
    j.noutputs = 1;
    j.attempt = 1;
    j.executor = "slurm";
    j.host = hostname;
    j.start = t;
    rc = kr_state_job_begin(st, run, &j, &att, err);
    snprintf(extid, sizeof extid, "%lld", 1000000 + (long long)att);
    if (rc == KR_OK)
        rc = kr_state_job_set_extid(st, att, extid, err);
    if (rc == KR_OK)
        rc = kr_state_job_transition(st, att, KR_ATTEMPT_RUNNING, t + 0.5, err);
    if (rc)
        return rc;
    memset(&prov, 0, sizeof prov);
    prov.rule = rule;
    prov.inputs = (struct kr_prov_input *)in;
    prov.ninputs = nin;
    memset(&res, 0, sizeof res);
    res.state = state;
    res.exit_code = state == KR_ATTEMPT_DONE ? 0 : 1;
    res.end = t1;
    res.detail = state == KR_ATTEMPT_DONE ? NULL : "exit code 1";
    res.cpu_s = (t1 - t) * 0.9;
    res.max_rss_kb = 1000 + (int64_t)(t1 - t) * 37;
    res.io_in = res.io_out = -1;
    return kr_state_job_end(st, att, &res, &prov, 1, err);
}

static int fan(struct kr_state *st, uint32_t n, struct kr_error *err)
{
    struct kr_prov_input one, *all = kr_calloc(n ? n : 1, sizeof *all);
    char **paths = kr_calloc(n ? n : 1, sizeof *paths);
    char name[64];
    double t0 = (double)time(NULL) - 3600;
    int64_t run;
    uint32_t i, nall = 0, nfailed = 0;
    int rc;
    rc = kr_state_run_begin(st, "krait run --executor slurm -j 500 (fixture fan)", &run, err);
    memset(&one, 0, sizeof one);
    one.path = "split.txt";
    if (rc == KR_OK)
        rc = fan_job(st, run, "split", "split", "split.txt", NULL, 0, KR_ATTEMPT_DONE, t0,
                     t0 + 30, 0, err);
    for (i = 0; i < n && rc == KR_OK; i++) {
        double t = t0 + 31 + (double)i * 3000.0 / n;
        int state = i % 100 == 99 ? KR_ATTEMPT_FAILED : KR_ATTEMPT_DONE;
        paths[i] = kr_asprintf("map/%u.txt", i);
        snprintf(name, sizeof name, "map.i=%u", i);
        rc = fan_job(st, run, "map", name, paths[i], &one, 1, state, t, t + 5 + i % 50, 1 + i % 4,
                     err);
        if (state == KR_ATTEMPT_DONE)
            all[nall++].path = paths[i];
        else
            nfailed++;
    }
    /* the merge of what succeeded (a run with -k) */
    if (rc == KR_OK)
        rc = fan_job(st, run, "merge", "merge", "merged.txt", all, nall, KR_ATTEMPT_DONE,
                     t0 + 3100, t0 + 3200, 0, err);
    if (rc == KR_OK)
        rc = kr_state_run_end(st, run, KR_RUN_FAILED, (int)(n - nfailed + 2), (int)nfailed, err);
    if (rc == KR_OK)
        printf("%lld\n", (long long)run);
    for (i = 0; i < n; i++)
        kr_free(paths[i]);
    kr_free(paths);
    kr_free(all);
    return rc;
}

int main(int argc, char **argv)
{
    struct kr_state *st = NULL;
    struct kr_error err;
    struct kr_buf b = KR_BUF_INIT;
    int64_t id;
    int rc, i;

    kr_error_clear(&err);
    if (argc < 3) {
        fprintf(stderr, "usage: state_fixture DIR run|end|job|hold|fan ...\n");
        return 2;
    }
    rc = kr_state_open(argv[1], true, &st, &err);
    if (rc)
        goto out;
    if (!strcmp(argv[2], "run")) {
        for (i = 3; i < argc; i++)
            kr_buf_printf(&b, "%s%s", i > 3 ? " " : "", argv[i]);
        rc = kr_state_run_begin(st, kr_buf_cstr(&b), &id, &err);
        if (rc == KR_OK)
            printf("%lld\n", (long long)id);
    } else if (!strcmp(argv[2], "end") && argc == 7) {
        rc = kr_state_run_end(st, atoll(argv[3]), status_code(argv[4]), atoi(argv[5]),
                              atoi(argv[6]), &err);
    } else if (!strcmp(argv[2], "job")) {
        rc = job(st, argc - 2, argv + 2, &err);
    } else if (!strcmp(argv[2], "fan") && argc == 4) {
        rc = fan(st, (uint32_t)atol(argv[3]), &err);
    } else if (!strcmp(argv[2], "hold")) {
        rc = kr_state_lock(st, &err);
        if (rc == KR_OK) {
            printf("locked\n");
            fflush(stdout);
            for (;;)
                pause();
        }
    } else {
        rc = kr_error_set(&err, KR_EUSAGE, "unknown fixture command %s", argv[2]);
    }
out:
    kr_buf_free(&b);
    kr_state_close(st);
    if (rc) {
        kr_error_print(&err, stderr);
        return 1;
    }
    return 0;
}
