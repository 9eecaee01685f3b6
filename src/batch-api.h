/*
 * batch-api.h - the AWS Batch API client: JSON requests (jansson) to
 * https://batch.REGION.amazonaws.com/v1/<operation>, signed with SigV4
 * (service "batch") using the credential chain and region of src/aws.h,
 * sent through the one HTTP layer (src/http.h), retried with the retry
 * decision S3 uses too (kr_aws_retryable, kr_aws_backoff_ms). Used by the
 * aws-batch executor (executors/awsbatch.c); knows nothing of jobs.
 *
 * Secrets: the credentials live in the client only; requests carry them
 * only as the signature (and the session token header), which is never
 * logged. Error messages name the operation, the HTTP status, AWS's error
 * type and message: never a request's headers.
 *
 * Ownership: the client owns its credentials and strings; JSON passed in
 * is borrowed, JSON handed out belongs to the caller (json_decref).
 */
#ifndef KR_BATCH_API_H
#define KR_BATCH_API_H

#include "kr.h"

#include <jansson.h>

struct kr_batch_api;

/* Request counts, for statistics and the benchmark. */
struct kr_batch_api_stats {
    long register_jobdef, describe_jobdefs, submit, describe_jobs, terminate, other;
    long get_log_events;    /* CloudWatch Logs GetLogEvents */
    long requests;          /* every HTTP request, retries included */
    long retries;           /* requests that were sent again */
};

/*
 * Open a client. endpoint: "scheme://host[:port]" or NULL/"" for
 * AWS_ENDPOINT_URL_BATCH, then AWS_ENDPOINT_URL, then
 * https://batch.REGION.amazonaws.com. Loads credentials (kr_aws_creds_load)
 * and the region (kr_aws_region). Returns KR_OK, or KR_EUSAGE (no
 * credentials; an endpoint that is not http(s)://) with a message saying
 * what to set.
 */
int kr_batch_api_open(const char *endpoint, struct kr_batch_api **out, struct kr_error *err);

/*
 * Set the CloudWatch Logs endpoint: endpoint, or NULL/"" for
 * AWS_ENDPOINT_URL_LOGS, then AWS_ENDPOINT_URL, then
 * https://logs.REGION.amazonaws.com (what kr_batch_api_open sets). Returns
 * KR_OK, or KR_EUSAGE for an endpoint that is not http(s)://.
 */
int kr_batch_api_set_logs_endpoint(struct kr_batch_api *api, const char *endpoint,
                                   struct kr_error *err);

/* Close a client and wipe its credentials. NULL is fine. */
void kr_batch_api_close(struct kr_batch_api *api);

/* The endpoint and region in use (owned by the client). */
const char *kr_batch_api_endpoint(const struct kr_batch_api *api);
const char *kr_batch_api_region(const struct kr_batch_api *api);

/*
 * Call operation `op` ("SubmitJob", "DescribeJobs"...) n times at once, at
 * most 8 requests in flight: reqs[i] is the JSON body of call i (borrowed).
 * Every failure kr_aws_retryable() accepts (transport errors, 5xx, 429,
 * TooManyRequestsException...) is retried after a backoff with full jitter,
 * up to 8 attempts. On return resps[i] is the parsed answer of call i
 * (caller's, json_decref) or NULL when call i failed; errs[i] (when errs is
 * not NULL) gets a one-line message for each failed call. Returns KR_OK
 * when every call succeeded, else KR_EEXEC with the first failure in err
 * ("AWS Batch SubmitJob: HTTP 400 ClientException: ... "). KR_EIO when
 * HTTP cannot be set up at all.
 */
int kr_batch_api_call_many(struct kr_batch_api *api, const char *op, json_t *const *reqs,
                           size_t n, json_t **resps, char (*errs)[256], struct kr_error *err);

/* One call: kr_batch_api_call_many with n = 1. *resp is the caller's. */
int kr_batch_api_call(struct kr_batch_api *api, const char *op, json_t *req, json_t **resp,
                      struct kr_error *err);

/*
 * One CloudWatch Logs call (json-1.1, X-Amz-Target Logs_20140328.<op>,
 * SigV4 service "logs") with the same credentials, retries and error
 * convention as kr_batch_api_call; messages start "CloudWatch Logs <op>".
 */
int kr_batch_api_logs_call(struct kr_batch_api *api, const char *op, json_t *req, json_t **resp,
                           struct kr_error *err);

/*
 * Read log stream `stream` of group `group` from its start (GetLogEvents,
 * startFromHead, following nextForwardToken until it comes back unchanged
 * or a page has no events), appending each event's message and "\n" to
 * out. At most max bytes in out: then stops and sets *cut (else false).
 * Returns KR_OK, or the call's error, the message naming the stream and
 * group; out keeps what was read.
 */
int kr_batch_api_read_log(struct kr_batch_api *api, const char *group, const char *stream,
                          size_t max, struct kr_buf *out, bool *cut, struct kr_error *err);

/* The request counts so far. */
const struct kr_batch_api_stats *kr_batch_api_stats(const struct kr_batch_api *api);

#endif /* KR_BATCH_API_H */
