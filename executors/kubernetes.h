/*
 * kubernetes.h - the Kubernetes executor's pure half (kubernetes-spec.c):
 * building a batch/v1 Job from a kr_exec_job and reading Job and Pod
 * status objects into what krait reports. No network here; the executor
 * proper (kubernetes.c) talks to the API server and keeps the job table.
 */
#ifndef KR_K8S_H
#define KR_K8S_H

#include "executor.h"

#include <jansson.h>

/* What every Job of a run shares (strings borrowed). */
struct kr_k8s_spec_opts {
    const char *ns;             /* namespace */
    const char *workflow;       /* label krait.io/workflow: hash of the working directory */
    const char *run;            /* label krait.io/run: this krait process's token */
    const char *image;          /* --container-image, or NULL */
    const char *gpu_resource;   /* "nvidia.com/gpu" unless --k8s-gpu-resource */
    const char *service_account;    /* default service account, or NULL */
    const char *node_selector;  /* default "k=v,k2=v2", or NULL */
    const char *tolerations;    /* default "key[=value]:Effect,...", or NULL */
    long ttl_s;                 /* ttlSecondsAfterFinished (< 0: not set) */
    const char *const *env_names;   /* --container-env NAMEs: taken from ... */
    uint32_t nenv_names;
    const char *env_secret;     /* ... this Secret's keys of those names (optional refs) */
    const char *pvc_name;       /* --k8s-pvc NAME:MOUNT: this claim mounted ... */
    const char *pvc_mount;      /* ... at this absolute path in every pod, or NULL */
};

/* Job name for a job: "kr-RUN-ID-ATTEMPT" (a DNS-1123 label of at most 63
 * characters; RUN is [a-z0-9]). */
void kr_k8s_job_name(const char *run, uint32_t id, int attempt, char *buf, size_t n);

/* True when s could be a Job name krait made (for attach / cancel_ext). */
bool kr_k8s_name_ok(const char *s);

/* A label value from any string: [A-Za-z0-9._-], at most 63 characters,
 * alphanumeric at both ends ("x" when nothing is left). */
void kr_k8s_label_value(const char *s, char *buf, size_t n);

/* The job's identity for adoption after a krait killed between creating a
 * Job and journaling it: 16 hex digits of a hash of workdir, command and
 * outputs. */
void kr_k8s_job_key(const struct kr_exec_job *job, char out[17]);

/*
 * The Job object for `job`, named `name`, as JSON text (*out, kr_free it).
 * The container runs `bash -c SCRIPT` where SCRIPT changes into the job's
 * workdir, exports its environment and runs the formatted command with
 * `bash -euo pipefail -c`, its output going both to the pod's log and to
 * job->log_path (shared staging: the node sees the workflow directory).
 * KR_EUSAGE when the job has no image (neither the rule's container: nor
 * --container-image) or a resource (k8s_node_selector, k8s_tolerations,
 * k8s_service_account) is malformed; err says which.
 */
int kr_k8s_job_json(const struct kr_k8s_spec_opts *o, const struct kr_exec_job *job,
                    const char *name, const char *key, char **out, struct kr_error *err);

/* A Job's status as read from a list item. */
struct kr_k8s_jobstat {
    const char *name;           /* borrowed from the JSON */
    int done;                   /* 0 running/pending, 1 Complete, 2 Failed */
    char reason[64];            /* the Failed condition's reason (DeadlineExceeded...) */
    char message[160];
    double start, end;          /* epoch seconds, 0 unknown */
    bool deleting;              /* deletionTimestamp set */
    char key[17];               /* label krait.io/key */
};

/* Read one Job item. KR_EEXEC when it is not a Job object. */
int kr_k8s_parse_job(json_t *item, struct kr_k8s_jobstat *st);

/* A pod's status, for why a Job failed or waits. */
struct kr_k8s_podstat {
    const char *job;            /* label job-name (borrowed) */
    char phase[16];
    char reason[64];            /* pod status reason: Evicted, DeadlineExceeded... */
    char message[200];
    bool terminated;
    int exit_code;
    char term_reason[64];       /* OOMKilled, Error, Completed... */
    char waiting[64];           /* container waiting reason: ImagePullBackOff... */
    char waiting_msg[200];
    bool unschedulable;         /* PodScheduled False, reason Unschedulable */
    char sched_msg[200];
};

void kr_k8s_parse_pod(json_t *item, struct kr_k8s_podstat *ps);

/*
 * The result of a finished Job: st (from the Job list) and, for a failed
 * one, its pod ps (NULL when none was found) and the tail of its log
 * (NULL: none). Eviction is reported PREEMPTED and a lost node NODE_FAIL
 * (both retried without using up retries), DeadlineExceeded TIMEOUT,
 * OOMKilled OOM, a non-zero exit FAILED with the exit code.
 */
void kr_k8s_fill_result(const struct kr_k8s_jobstat *st, const struct kr_k8s_podstat *ps,
                        const char *name, const char *log_tail, struct kr_exec_result *r);

/* "2026-12-06T04:40:00Z" as epoch seconds; 0 when not such a time. */
double kr_k8s_time(const char *s);

#endif /* KR_K8S_H */
