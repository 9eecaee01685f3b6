/*
 * http.h - krait's one HTTP layer (libcurl), shared by S3 and the later
 * cloud executors. It runs a batch of requests with a bounded number in
 * flight at once (curl's multi interface) and reports each one's outcome;
 * it neither signs nor retries (the caller re-signs each attempt, see s3.c).
 *
 * Bodies: a request's body comes from memory or from a byte range of a file;
 * a response body goes to memory, or for 2xx answers into download_file
 * (error bodies always go to memory so their XML can be read).
 */
#ifndef KR_HTTP_H
#define KR_HTTP_H

#include "kr.h"

#include <stdint.h>

/* TLS settings of a request (kr_http_req.tls; NULL: libcurl's defaults, i.e.
 * the system CA store and no client certificate). PEM blobs are copied by
 * libcurl; nothing here is logged. */
struct kr_http_tls {
    const char *ca_file;            /* trust only this CA bundle ... */
    const char *ca_pem;             /* ... or this PEM text */
    const char *cert_file, *key_file;   /* client certificate and key, files ... */
    const char *cert_pem, *key_pem;     /* ... or PEM text */
    bool insecure;                  /* do not verify the server (insecure-skip-tls-verify) */
};

struct kr_http_pool;

struct kr_http_req {
    const char *method;             /* "GET", "HEAD", "PUT", "POST", "DELETE" */
    const char *url;
    const char *const *headers;     /* "Name: value" lines */
    size_t nheaders;
    const char *body;               /* request body from memory ... */
    size_t body_len;
    const char *upload_file;        /* ... or bytes [upload_off, +upload_len) of a file */
    int64_t upload_off, upload_len;
    const char *download_file;      /* 2xx body written here (created/truncated) ... */
    bool download_into;             /* ... or into it as it is (created if missing), */
    int64_t download_off;           /* from this offset (a ranged GET's part) */
    long timeout_s;                 /* whole-transfer limit; 0: none */
    const struct kr_http_tls *tls;  /* NULL: defaults */
};

struct kr_http_resp {
    long status;                    /* HTTP status; 0 when the transfer failed */
    int transport_error;            /* curl code (0: none) */
    char transport_msg[256];        /* curl's message for it */
    struct kr_buf body;             /* body unless it went to download_file */
    struct kr_buf headers;          /* raw response header lines of the last response */
    int64_t downloaded;             /* bytes written to download_file */
};

/* Initialise libcurl once per process (idempotent). KR_EIO when it cannot. */
int kr_http_global_init(struct kr_error *err);

/*
 * Run n requests, at most max_parallel at a time (>= 1), filling resps[i]
 * for reqs[i] (resps must be zeroed or reset by the caller). Always returns
 * KR_OK unless curl cannot be set up at all (KR_EIO) or a download file
 * cannot be created (KR_EIO); per-request failures are in resps[i].
 */
int kr_http_run(const struct kr_http_req *reqs, struct kr_http_resp *resps, size_t n,
                int max_parallel, struct kr_error *err);

/*
 * A meter for long batches: fn(ud, done, total) is called about four times
 * a second while a batch runs (never for one that ends within a second),
 * with the bytes sent and received so far by its requests and the total of
 * those whose size is known (request bodies, and response bodies once their
 * Content-Length arrived), then once more when the batch ends.
 */
struct kr_http_meter {
    void (*fn)(void *ud, int64_t done, int64_t total);
    void *ud;
};

/* kr_http_run_in with a meter (NULL: none). */
int kr_http_run_metered(struct kr_http_pool *pool, const struct kr_http_req *reqs,
                        struct kr_http_resp *resps, size_t n, int max_parallel,
                        const struct kr_http_meter *meter, struct kr_error *err);

/*
 * A pool: one libcurl multi handle kept between kr_http_run_in calls, so its
 * connection cache (open TLS connections to the same server) is reused: an
 * API client making many small requests pays one TLS handshake, not one per
 * call. Used by one thread at a time. kr_http_pool_free(NULL) is a no-op.
 */
struct kr_http_pool;
int kr_http_pool_new(struct kr_http_pool **out, struct kr_error *err);
void kr_http_pool_free(struct kr_http_pool *p);

/* kr_http_run through `pool`'s connections (NULL: a fresh multi handle, as
 * kr_http_run). */
int kr_http_run_in(struct kr_http_pool *pool, const struct kr_http_req *reqs,
                   struct kr_http_resp *resps, size_t n, int max_parallel,
                   struct kr_error *err);

/* Value of response header name (case-insensitive), kr_malloc'd, or NULL. */
char *kr_http_header(const struct kr_http_resp *r, const char *name);

/* Free the buffers of *r and zero it. */
void kr_http_resp_free(struct kr_http_resp *r);

#endif /* KR_HTTP_H */
