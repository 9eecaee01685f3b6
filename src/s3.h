/*
 * s3.h - the S3 client: HEAD, GET to a file, PUT from a file (multipart
 * above a threshold, parts in parallel), DELETE, paginated ListObjectsV2 and
 * presigned URLs, over src/http.c with SigV4 from src/aws.c. Path-style
 * addressing against --s3-endpoint-url / AWS_ENDPOINT_URL_S3 /
 * AWS_ENDPOINT_URL, else https://s3.REGION.amazonaws.com.
 *
 * Every request is re-signed per attempt and retried with exponential
 * backoff and full jitter on connection errors, truncated bodies, 5xx,
 * SlowDown/throttling, and once on RequestTimeTooSkewed after taking the
 * server's clock. Integrity: uploads carry Content-MD5 and the signed
 * x-amz-content-sha256 of their body; downloads are checked against
 * Content-Length and (when it is a plain MD5) the ETag, and land under their
 * final name only once complete (write to NAME.part, then rename). An upload
 * records the file's mtime in x-amz-meta-krait-mtime.
 *
 * Errors are one line naming the operation, the s3:// object, what S3 said
 * and what to do; they never contain credential values.
 */
#ifndef KR_S3_H
#define KR_S3_H

#include "kr.h"

#include <stdint.h>

struct kr_s3;

struct kr_s3_object {
    char *key;                  /* kr_malloc'd (list results); NULL from head */
    int64_t size;
    char etag[80];              /* without quotes */
    int64_t mtime_ns;           /* x-amz-meta-krait-mtime when present, else Last-Modified */
    int has_krait_mtime;        /* 1 when mtime_ns came from krait's metadata */
};

struct kr_s3_stats {
    long requests;              /* HTTP requests sent (retries included) */
    long retries;
};

/*
 * Open a client. endpoint_url may be NULL (then AWS_ENDPOINT_URL_S3,
 * AWS_ENDPOINT_URL, else AWS). Loads credentials and region (aws.h).
 * KR_EUSAGE with a message when there are no credentials or the endpoint is
 * not an http(s):// URL. Free with kr_s3_close().
 */
int kr_s3_open(struct kr_s3 **out, const char *endpoint_url, struct kr_error *err);
void kr_s3_close(struct kr_s3 *s3);

/* Tuning (tests): parallel transfers, attempts, backoff base/cap in ms,
 * multipart threshold and part size in bytes. Values <= 0 keep the current. */
void kr_s3_tune(struct kr_s3 *s3, int max_parallel, int max_attempts, long backoff_base_ms,
                long backoff_cap_ms, int64_t multipart_threshold, int64_t part_size);
/* Objects per ListObjectsV2 page (max-keys); <= 0: S3's default of 1000. */
void kr_s3_set_list_page(struct kr_s3 *s3, int max_keys);
/* Report the progress of every batch of requests that runs over a second
 * (kr_http_meter: bytes moved and known total of the batch's current
 * attempt) to fn(ud, ...); fn NULL: no more. */
void kr_s3_set_meter(struct kr_s3 *s3, void (*fn)(void *ud, int64_t done, int64_t total),
                     void *ud);
const struct kr_s3_stats *kr_s3_stats(const struct kr_s3 *s3);

/* Split "s3://bucket/key" into kr_malloc'd bucket and key (key may be "").
 * KR_EUSAGE when url is not of that form. */
int kr_s3_parse_url(const char *url, char **bucket, char **key, struct kr_error *err);

/* HEAD: *exists = 0 and KR_OK for a missing object; else obj filled. */
int kr_s3_head(struct kr_s3 *s3, const char *bucket, const char *key, struct kr_s3_object *obj,
               int *exists, struct kr_error *err);

/* GET into dest (via dest.part + rename; verified). obj may be NULL.
 * KR_NOT_FOUND-style missing objects are KR_EIO with a message. */
int kr_s3_get(struct kr_s3 *s3, const char *bucket, const char *key, const char *dest,
              struct kr_s3_object *obj, struct kr_error *err);

/* One object of a batch transfer (kr_s3_get_many, kr_s3_put_many). */
struct kr_s3_xfer {
    const char *bucket;
    const char *key;
    const char *file;           /* local destination (GET) or source (PUT) */
    bool have_size;             /* GET: size is the object's, as listed (its ranges are */
    int64_t size;               /* planned from it; else the first answer tells) */
    struct kr_s3_object obj;    /* filled on success (size, ETag, mtime) */
};

/* GET n objects into their files at once (up to the client's parallel
 * transfers in flight), each as kr_s3_get does it: via FILE.part, size and
 * plain-MD5 ETag checked, then renamed. KR_OK when all arrived; else the
 * error of the first object that failed for good (the others that arrived
 * stay; no .part file is left). */
int kr_s3_get_many(struct kr_s3 *s3, struct kr_s3_xfer *xf, size_t n, struct kr_error *err);

/* PUT the local file src under key with its mtime as x-amz-meta-krait-mtime.
 * Multipart above the threshold; on failure the multipart upload is aborted
 * and no object appears under key (S3 makes an object visible only when the
 * single PUT or CompleteMultipartUpload succeeds). */
int kr_s3_put(struct kr_s3 *s3, const char *bucket, const char *key, const char *src,
              struct kr_error *err);

/* PUT n local files (xf[i].file) as kr_s3_put does, the ones up to the
 * multipart threshold all at once (up to the client's parallel transfers
 * in flight), the larger ones one by one (their parts in parallel). On
 * success each xf[i].obj describes the stored object (size, ETag, the
 * file's mtime as krait-mtime). On failure: the first error for good; an
 * object whose upload failed does not exist (others may have been stored). */
int kr_s3_put_many(struct kr_s3 *s3, struct kr_s3_xfer *xf, size_t n, struct kr_error *err);

/* Keep a journal of initiated multipart uploads in directory dir (NULL:
 * none): one small file per upload (bucket, key, upload id; no secret),
 * removed once the upload is completed or aborted, so a process killed
 * in the middle leaves it behind. */
void kr_s3_set_upload_journal(struct kr_s3 *s3, const char *dir);

/* Abort (best effort) every multipart upload left in journal directory
 * dir by a killed process and remove its record. Returns how many. An
 * unfinished upload is never visible as an object; aborting frees the
 * parts S3 keeps (and bills) for it. */
int kr_s3_abort_journaled(struct kr_s3 *s3, const char *dir);

/* DELETE (KR_OK also when already missing). */
int kr_s3_delete(struct kr_s3 *s3, const char *bucket, const char *key, struct kr_error *err);

/* DELETE each of keys[0..n) in bucket, in parallel (KR_OK also for those
 * already missing). */
int kr_s3_delete_many(struct kr_s3 *s3, const char *bucket, const char *const *keys, size_t n,
                      struct kr_error *err);

/*
 * Assemble bucket/key from the objects parts[0..nparts) (their key, ETag
 * and size; in this order) without moving their data through this
 * process: CreateMultipartUpload, one UploadPartCopy per part (in parallel;
 * x-amz-copy-source-if-match its listed ETag, so a part replaced meanwhile
 * fails), CompleteMultipartUpload. The object appears whole or not at all:
 * on failure the upload is aborted (and journaled like put's until then).
 * S3's rules apply: 1..10000 parts, each at most 5 GiB and, but the last,
 * at least 5 MiB. The part objects are left in place (the caller deletes
 * them). KR_EIO with one line naming the object and what S3 said (a server
 * without UploadPartCopy answers NotImplemented).
 */
int kr_s3_compose(struct kr_s3 *s3, const char *bucket, const char *key,
                  const struct kr_s3_object *parts, size_t nparts, struct kr_error *err);

/* Every object under prefix (ListObjectsV2, all pages). *objs is a
 * kr_malloc'd array of *n entries; free with kr_s3_objects_free(). List
 * results carry Last-Modified only (has_krait_mtime = 0). */
int kr_s3_list(struct kr_s3 *s3, const char *bucket, const char *prefix,
               struct kr_s3_object **objs, size_t *n, struct kr_error *err);
void kr_s3_objects_free(struct kr_s3_object *objs, size_t n);

/* A presigned URL for method ("GET", "PUT" or "DELETE") on the object, valid for
 * expires seconds. kr_malloc'd. Never log it. */
char *kr_s3_presign(struct kr_s3 *s3, const char *method, const char *bucket, const char *key,
                    long expires);

/*
 * A presigned browser-based POST (SigV4 POST policy) that lets its holder
 * upload objects under bucket/prefix (any key starting with prefix, each at
 * most 5 GiB) for expires seconds: the form's URL (path style) and the
 * fields to send with each file (key, then these, then the file last).
 * The policy and signature are secrets (they grant the upload), as is the
 * session token. kr_s3_post_free wipes them.
 */
struct kr_s3_post {
    char *url;              /* ENDPOINT/BUCKET */
    char *policy;           /* base64 policy document */
    char *credential;       /* x-amz-credential */
    char *amz_date;         /* x-amz-date */
    char *signature;        /* x-amz-signature */
    char *token;            /* x-amz-security-token, or NULL */
};
void kr_s3_presign_post(struct kr_s3 *s3, const char *bucket, const char *prefix, long expires,
                        struct kr_s3_post *out);
void kr_s3_post_free(struct kr_s3_post *p);

#endif /* KR_S3_H */
