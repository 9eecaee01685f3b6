/*
 * aws.h - the AWS pieces shared by every AWS-speaking module (S3 in
 * src/s3.c, AWS Batch in src/batch-api.c): the credential chain, the
 * region, Signature Version 4 (header signing and presigned query URLs,
 * computed with libcrypto), and the retry decision (which answers are worth
 * another attempt, and how long to wait: exponential backoff, full jitter).
 *
 * Secrets: a struct kr_aws_creds holds the secret key and session token in
 * memory only. Nothing in this module prints them, and error messages name
 * where credentials came from (e.g. "environment", "profile 'x' in FILE"),
 * never their values. kr_aws_creds_free() wipes them.
 */
#ifndef KR_AWS_H
#define KR_AWS_H

#include "kr.h"

#include <time.h>

struct kr_aws_creds {
    char *access_key;       /* AWS_ACCESS_KEY_ID */
    char *secret_key;       /* AWS_SECRET_ACCESS_KEY: never printed */
    char *session_token;    /* AWS_SESSION_TOKEN or NULL: never printed */
    char source[600];       /* where they came from, for messages */
};

/* One header of a request to sign: name (any case) and value. */
struct kr_aws_header {
    const char *name;
    const char *value;
};

/*
 * Load credentials by the usual AWS chain: the environment
 * (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]), then the
 * profile AWS_PROFILE (default "default") in the shared credentials file
 * (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials), then that profile in
 * the config file (AWS_CONFIG_FILE or ~/.aws/config, section "[profile X]"
 * or "[default]"). Returns KR_OK with *c filled, or KR_EUSAGE with a message
 * saying where krait looked and what to set. *c must be zeroed beforehand;
 * free with kr_aws_creds_free().
 */
int kr_aws_creds_load(struct kr_aws_creds *c, struct kr_error *err);

/* Wipe and free the strings of *c (the struct itself is the caller's). */
void kr_aws_creds_free(struct kr_aws_creds *c);

/*
 * The region: AWS_REGION, AWS_DEFAULT_REGION, then "region" of the profile
 * in the config file, else "us-east-1". Returns a kr_malloc'd string.
 */
char *kr_aws_region(void);

/* SHA-256 of n bytes as 64 lowercase hex digits + NUL. */
void kr_aws_sha256_hex(const void *data, size_t n, char hex[65]);

/*
 * URI-encode s as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - _ . ~)
 * kept, everything else %XX (uppercase); '/' kept when keep_slash. Returns
 * a kr_malloc'd string.
 */
char *kr_aws_uri_encode(const char *s, int keep_slash);

/* "YYYYMMDDTHHMMSSZ" of t (UTC) into buf[17]. */
void kr_aws_amz_date(time_t t, char buf[17]);

/*
 * Compute the SigV4 Authorization header value for a request.
 *   method   "GET", "PUT" ...
 *   path     the canonical (already URI-encoded) path, e.g. "/bucket/a%20b"
 *   query    the query string as sent ("a=1&b=2", already encoded; may be
 *            NULL or ""); it is sorted here into canonical order
 *   headers  every header to sign; must include host and x-amz-date (and
 *            for S3 x-amz-content-sha256, x-amz-security-token when a
 *            session token is used). Names are lowercased, values trimmed
 *            and inner runs of spaces folded, as SigV4 specifies.
 *   payload_hash  hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
 *   amz_date the same value as the x-amz-date header
 * Returns a kr_malloc'd "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
 * Signature=..." string. Cannot fail.
 */
char *kr_aws_sign(const struct kr_aws_creds *c, const char *region, const char *service,
                  const char *method, const char *path, const char *query,
                  const struct kr_aws_header *headers, size_t nheaders,
                  const char *payload_hash, const char *amz_date);

/*
 * A presigned URL (SigV4 query signing, UNSIGNED-PAYLOAD, only the host
 * header signed) for method on base_url + path, valid for expires seconds
 * (1..604800) from amz_date. base_url is "scheme://host[:port]" without a
 * trailing slash; path is already URI-encoded. A session token goes in as
 * X-Amz-Security-Token (it is part of the URL by design: the URL must be
 * handed only to the job that uses it). Returns a kr_malloc'd URL.
 */
char *kr_aws_presign(const struct kr_aws_creds *c, const char *region, const char *service,
                     const char *method, const char *base_url, const char *path,
                     long expires, const char *amz_date);

/*
 * The SigV4 signature (hex) of a browser-based POST's policy: policy_b64
 * (the base64 policy document, itself the string to sign) signed with the
 * key of amz_date's day, region and service.
 */
void kr_aws_sign_policy(const struct kr_aws_creds *c, const char *region, const char *service,
                        const char *amz_date, const char *policy_b64, char hex[65]);

/*
 * Whether a failed AWS request is worth another attempt: a transport
 * failure (status 0: connection refused or reset, timeout, truncated
 * body), any 5xx, 429, or an error code that means throttling or a slow
 * request (SlowDown, Throttling, ThrottlingException, ThrottledException,
 * TooManyRequestsException, RequestLimitExceeded, RequestTimeout), whatever
 * the status. `code` is the service's error code or NULL. Other answers
 * (4xx: bad request, access denied, not found) are final.
 */
bool kr_aws_retryable(long status, const char *code);

/*
 * How long to wait (milliseconds) after failed attempt number `attempt`
 * (1-based) before the next one: exponential backoff with full jitter,
 * uniform in [0, min(cap_ms, base_ms * 2^(attempt-1))] (random()).
 */
long kr_aws_backoff_ms(int attempt, long base_ms, long cap_ms);

/* Sleep ms milliseconds (resumed after a signal interrupts it). */
void kr_aws_sleep_ms(long ms);

#endif /* KR_AWS_H */
