/*
 * stage-remote.h - credential-free staging for jobs that do not run on
 * krait's file system (--storage-staging presigned): instead of fetching
 * s3:// inputs and pushing s3:// outputs on the submit host (src/stage.h),
 * krait hands the executor the job's command wrapped in a small bash script
 * that does the transfers itself, with presigned URLs (SigV4 query signing,
 * src/aws.c) made for exactly the objects of this job, so that no AWS key
 * ever enters the job. The job needs only bash and curl (or wget) in its
 * environment. Executors need no change: the wrapper is the job's command.
 *
 * What the wrapper does, in order:
 *   1. makes a private scratch directory (mktemp -d, 0700) and writes the
 *      rest of itself there (0600; unpacked with base64 and gzip when it
 *      was packed, see KR_STAGE_REMOTE_PACK_MIN), then re-executes from that file with
 *      AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN /
 *      AWS_SECURITY_TOKEN removed from the environment, so that neither the
 *      job's environment nor the argv of its processes holds a key or a URL
 *      (the scratch directory, the script in it included, is removed when
 *      the job ends);
 *   2. downloads each input with a presigned GET to the path the command
 *      expects - the same relative path (ROOT/s3/BUCKET/KEY, kr_stage_local_
 *      path) the command uses under shared staging, relative to the job's
 *      working directory - via PATH.krait-part.PID and a rename, checking
 *      the size and (when the ETag is a plain MD5 and md5sum exists) the MD5;
 *   3. runs the command with `bash -euo pipefail -c` as executors do (`sh
 *      -eu -c` in an image without bash: the wrapper itself is POSIX sh); a
 *      failing command fails the job at once (nothing is uploaded);
 *   4. uploads each declared output with a presigned PUT (Content-MD5 when
 *      openssl is there, and the returned ETag compared with the MD5), and
 *      fails the job when an output is missing or an upload fails for good.
 *      A PUT is atomic in S3: an object is there whole or not at all. A
 *      single PUT is limited to 5 GiB by S3: a larger output goes up in
 *      parts (below).
 * Every transfer is retried (up to `attempts`, exponential backoff with
 * jitter, at most 20 s apart) on connection errors, truncated bodies, HTTP
 * 5xx/429/408 and integrity mismatches; other HTTP errors fail at once with
 * one line naming the operation, the s3:// object and S3's code and message
 * (403 "Request has expired": how long the URLs were valid). Messages never
 * contain a URL: curl's own error text is cut at any '?', and only the
 * Code and Message elements of S3's error bodies are shown.
 *
 * Outputs over 5 GiB (KRAIT_PRESIGN_PUT_MAX bytes, for tests): S3 takes at
 * most 5 GiB in one PUT or POST, and a presigned multipart upload would
 * need its upload id - one request per output before every job, used or
 * not. Instead each file output also gets a presigned POST form for the
 * keys KEY.krait-part.TAG. (TAG: this job's, from the time it was
 * wrapped, so later attempts sort after earlier ones) and a presigned
 * DELETE of KEY. The job deletes what is under KEY, cuts a big
 * file into parts of kr_stage_remote_job.part_size (doubled until there
 * are at most 10,000) with dd, posts each as KEY.krait-part.TAG.NNNNN
 * (its ETag checked against its MD5), and last an empty marker
 * KEY.krait-part.TAG.done-NPARTS-SIZE. A file over the limit inside a
 * directory() output goes the same way through the directory's form.
 * kr_stage_remote_verify, finding no object under KEY, lists
 * KEY.krait-part., takes the newest TAG whose marker is there and whose
 * parts are complete, has S3 assemble KEY from them (kr_s3_compose:
 * UploadPartCopy, no data through krait; KEY appears whole or not at all)
 * and deletes every part object under KEY.krait-part. (older attempts'
 * too). Parts of a job that failed stay until then; a lifecycle rule
 * expiring "*.krait-part.*" keys, and one aborting incomplete multipart
 * uploads, clean up after killed runs.
 *
 * Metadata: a presigned PUT cannot carry x-amz-meta-krait-mtime (the value
 * would have to be signed before the job ran, and S3 refuses x-amz-*
 * headers that are not signed). Objects uploaded by presigned jobs have no
 * krait-mtime; their mtime is S3's Last-Modified - the moment the job
 * uploaded them, after it ran - which is how krait judges every object
 * without its metadata (src/storage-s3.c), so staleness stays consistent.
 *
 * Secrets: the URLs are in the returned script and nowhere else; the
 * caller must hand it only to the executor and never print it (krait
 * prints the job's command, not the wrapper).
 *
 * Ownership: everything returned is allocated in the caller's arena.
 */
#ifndef KR_STAGE_REMOTE_H
#define KR_STAGE_REMOTE_H

#include "kr.h"

struct kr_storage;

/* Default job runtime when the rule sets no resources.runtime, and the
 * margin added to it, in seconds; S3 accepts at most 7 days. */
#define KR_STAGE_REMOTE_DEFAULT_RUNTIME (6 * 3600L)
#define KR_STAGE_REMOTE_MARGIN (3600L)
#define KR_STAGE_REMOTE_MAX_EXPIRY (7 * 24 * 3600L)

/* The largest file a job sends in one request (S3's limit for a PUT or a
 * POST), and the default size of the parts of larger ones. */
#define KR_STAGE_REMOTE_PUT_MAX (5368709120LL)
#define KR_STAGE_REMOTE_PART_SIZE (512LL << 20)

/* A script from this size on goes packed (gzip, then base64 in the outer
 * text, unpacked with `base64 -d | gzip -dc` where the job runs), so that a
 * job with many files and long session-token URLs still fits AWS Batch's
 * 30 KiB per SubmitJob. KRAIT_STAGE_PACK_MIN (bytes) replaces it. */
#define KR_STAGE_REMOTE_PACK_MIN (16384)

/* One object of a presigned job. */
struct kr_stage_remote_file {
    const char *remote;     /* s3://BUCKET/KEY, for messages */
    const char *local;      /* the path the command uses (relative to its working directory) */
    const char *url;        /* presigned GET (inputs) or PUT (outputs): a secret */
    int64_t size;           /* inputs: the object's size; -1 unknown */
    const char *md5;        /* inputs: the ETag when it is a plain MD5 (32 hex), else NULL */
    bool touch;             /* outputs: touch() - created when the command did not */
    size_t form;            /* outputs: 1 + index in kr_stage_remote_job.forms of the
                               form for its parts, or 0 (then over put_max it fails) */
    const char *part_prefix;    /* outputs with a form: KEY.krait-part.TAG. */
    const char *del_url;    /* outputs with a form: presigned DELETE of KEY (a secret), sent
                               before the parts, so that an older object under KEY (an
                               earlier run's, or a failed attempt's) cannot pass for them */
};

/* A presigned POST form (SigV4 POST policy): its URL (ENDPOINT/BUCKET, not
 * a secret) and fields (policy, signature, token: secrets; token may be
 * NULL). */
struct kr_stage_remote_form {
    const char *url, *policy, *credential, *amz_date, *signature, *token;
};

/* A directory() output of a presigned job: its files go up by a presigned
 * POST form (SigV4 POST policy) that allows any key under prefix. */
struct kr_stage_remote_dir {
    const char *remote;     /* s3://BUCKET/KEY, for messages */
    const char *local;      /* the directory the command writes */
    const char *prefix;     /* KEY/ */
    size_t form;            /* 1 + index in kr_stage_remote_job.forms (allows KEY/...) */
};

struct kr_stage_remote_job {
    const char *command;    /* the job's command as the executor would have run it */
    const struct kr_stage_remote_file *in;
    size_t nin;
    const struct kr_stage_remote_file *out;
    size_t nout;
    const struct kr_stage_remote_dir *dout;
    size_t ndout;
    const struct kr_stage_remote_form *forms;
    size_t nforms;
    const char *tag;        /* this job's part tag (hex); NULL when no form */
    int64_t put_max;        /* the largest file sent in one request; <= 0: 5 GiB */
    int64_t part_size;      /* parts of larger files (a multiple of 1 MiB, >= 5 MiB);
                               <= 0: 512 MiB */
    int attempts;           /* per transfer; <= 0: 6 */
    long expires;           /* seconds the URLs are valid (for the message on expiry) */
    bool in_scratch;        /* an isolated job (kr_exec_job.isolated): it runs in the
                               scratch directory, not where it starts */
    const char *const *show;    /* isolated: files the command may write (its log:
                                   files) printed to stdout after it, so that they
                                   reach the job's log through the backend */
    size_t nshow;
};

/* How long a job's URLs stay valid, in seconds: the job's runtime
 * (runtime_min minutes; <= 0: KR_STAGE_REMOTE_DEFAULT_RUNTIME) plus
 * KR_STAGE_REMOTE_MARGIN (queueing before the job starts), at most 7 days.
 * The environment variable KRAIT_PRESIGN_EXPIRES (seconds, 1..604800)
 * replaces it (tests). */
long kr_stage_remote_expiry(int64_t runtime_min);

/* The wrapper script for rj (see above). Cannot fail. */
const char *kr_stage_remote_script(const struct kr_stage_remote_job *rj, struct kr_arena *arena);

/*
 * Presign the job's remote paths and wrap its command: every s3:// path
 * among inputs[0..nin) (downloaded to kr_stage_local_path(root, ...); a
 * directory in S3 object by object) and outputs[0..nout) (uploaded from
 * there; touch[i] for touch() outputs, touch may be NULL; isdir[i] for
 * directory() outputs, may be NULL: the objects now under one are deleted,
 * as a job's old outputs are removed before it runs, and the job uploads
 * every file it leaves there through a presigned POST form). Sizes and ETags of inputs come from the storage's
 * inventory (else one HEAD). An input that does not exist fails (KR_EIO,
 * naming it). *wrapped is the script, or `command` itself when the job has
 * no remote path. isolated: the job runs in its scratch directory and
 * prints show[0..nshow) (its log: files) after the command
 * (kr_stage_remote_job.in_scratch, .show).
 */
int kr_stage_remote_wrap(struct kr_storage *s, const char *root, const char *command,
                         const char *const *inputs, size_t nin, const char *const *outputs,
                         const bool *touch, const bool *isdir, size_t nout, int64_t runtime_min,
                         const char *const *show, size_t nshow, bool isolated,
                         struct kr_arena *arena, const char **wrapped, struct kr_error *err);

/*
 * After a presigned job succeeded: HEAD each s3:// output among
 * outputs[0..n) (list the prefix of a directory, isdir[i]; isdir may be
 * NULL) and tell the inventory what is stored (so provenance and later
 * plans see it). An output with no object, and a directory with part
 * objects under it, is assembled from its parts when the job uploaded
 * them (see "Outputs over 5 GiB" above). KR_NOT_FOUND with a message
 * naming the missing ones; KR_EIO when S3 cannot be asked or refused the
 * assembly. An assembly's multipart upload is journaled under
 * ROOT/s3.uploads until it is completed or aborted (kr_stage_recover
 * aborts what a killed krait left there).
 */
int kr_stage_remote_verify(struct kr_storage *s, const char *root, const char *const *outputs,
                           const bool *isdir, size_t n, struct kr_error *err);

#endif /* KR_STAGE_REMOTE_H */
