/*
 * batch-api.c - the AWS Batch API client (see batch-api.h). Batch speaks
 * rest-json: every operation is a POST of a JSON object to /v1/<operation
 * in lower case>, answered with a JSON object, or with an error whose type
 * is in the x-amzn-ErrorType header (and "__type" of the body) and whose
 * text is the body's "message". One engine, call_many(), signs every
 * pending call with a fresh X-Amz-Date, runs them in parallel through
 * kr_http_run(), keeps the answers and retries what kr_aws_retryable()
 * calls retryable after kr_aws_backoff_ms() - the same decision S3 makes.
 * CloudWatch Logs (json-1.1: POST / with X-Amz-Target: Logs_20140328.<Op>,
 * signed too) goes through the same engine over a small service
 * description (struct svc), so there is one signing and retry loop.
 */
#include "batch-api.h"

#include "aws.h"
#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH_PARALLEL 8
#define BATCH_ATTEMPTS 8
#define BATCH_BACKOFF_BASE_MS 100
#define BATCH_BACKOFF_CAP_MS 5000
#define BATCH_TIMEOUT_S 60

struct kr_batch_api {
    struct kr_aws_creds creds;
    char *region;
    char *endpoint;         /* "scheme://host[:port]", no trailing slash */
    char *host;             /* "host[:port]" as the Host header carries it */
    char *logs_endpoint;    /* CloudWatch Logs, same shape */
    char *logs_host;
    struct kr_batch_api_stats stats;
};

/* What differs between the services the client speaks. */
struct svc {
    const char *sigv4;      /* "batch", "logs" */
    const char *label;      /* "AWS Batch", "CloudWatch Logs": starts error messages */
    const char *ctype;      /* Content-Type */
    const char *target;     /* X-Amz-Target prefix ("Logs_20140328."), NULL: none */
    bool rest_path;         /* path /v1/<op lowercased>, else "/" */
    const char *endpoint, *host;
    const char *hint;       /* where the endpoint comes from */
};

static struct svc svc_batch(const struct kr_batch_api *api)
{
    return (struct svc){"batch", "AWS Batch", "application/json", NULL, true, api->endpoint,
                        api->host, "--aws-batch-endpoint-url / AWS_ENDPOINT_URL_BATCH"};
}

static struct svc svc_logs(const struct kr_batch_api *api)
{
    return (struct svc){"logs", "CloudWatch Logs", "application/x-amz-json-1.1",
                        "Logs_20140328.", false, api->logs_endpoint, api->logs_host,
                        "aws-logs-endpoint-url / AWS_ENDPOINT_URL_LOGS"};
}

/* Normalise endpoint ep (or the default for service name) into *url and
 * *host. KR_EUSAGE when not http(s). */
static int set_endpoint(const char *ep, const char *service, const char *region, char **url,
                        char **host, const char *label, const char *hint, struct kr_error *err)
{
    const char *h;
    size_t n;
    kr_free(*url);
    kr_free(*host);
    *host = NULL;
    *url = ep && *ep ? kr_strdup(ep) : kr_asprintf("https://%s.%s.amazonaws.com", service, region);
    n = strlen(*url);
    while (n && (*url)[n - 1] == '/')
        (*url)[--n] = 0;
    if (strncmp(*url, "http://", 7) != 0 && strncmp(*url, "https://", 8) != 0)
        return kr_error_set(err, KR_EUSAGE, "%s endpoint '%s' is not an http:// or https:// URL "
                            "(%s)", label, *url, hint);
    h = strstr(*url, "://") + 3;
    *host = kr_strndup(h, strcspn(h, "/"));
    return KR_OK;
}

int kr_batch_api_open(const char *endpoint, struct kr_batch_api **out, struct kr_error *err)
{
    struct kr_batch_api *api;
    const char *ep = endpoint;
    int rc;

    *out = NULL;
    api = kr_calloc(1, sizeof *api);
    rc = kr_aws_creds_load(&api->creds, err);
    if (rc != KR_OK) {
        kr_free(api);
        return rc;
    }
    api->region = kr_aws_region();
    if (!ep || !*ep)
        ep = getenv("AWS_ENDPOINT_URL_BATCH");
    if (!ep || !*ep)
        ep = getenv("AWS_ENDPOINT_URL");
    rc = set_endpoint(ep, "batch", api->region, &api->endpoint, &api->host, "AWS Batch",
                      "--aws-batch-endpoint-url, AWS_ENDPOINT_URL_BATCH", err);
    if (rc == KR_OK)
        rc = kr_batch_api_set_logs_endpoint(api, NULL, err);
    if (rc != KR_OK) {
        kr_batch_api_close(api);
        return rc;
    }
    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    *out = api;
    return KR_OK;
}

int kr_batch_api_set_logs_endpoint(struct kr_batch_api *api, const char *endpoint,
                                   struct kr_error *err)
{
    const char *ep = endpoint;
    if (!ep || !*ep)
        ep = getenv("AWS_ENDPOINT_URL_LOGS");
    if (!ep || !*ep)
        ep = getenv("AWS_ENDPOINT_URL");
    return set_endpoint(ep, "logs", api->region, &api->logs_endpoint, &api->logs_host,
                        "CloudWatch Logs", "aws-logs-endpoint-url, AWS_ENDPOINT_URL_LOGS", err);
}

void kr_batch_api_close(struct kr_batch_api *api)
{
    if (!api)
        return;
    kr_aws_creds_free(&api->creds);
    kr_free(api->region);
    kr_free(api->endpoint);
    kr_free(api->host);
    kr_free(api->logs_endpoint);
    kr_free(api->logs_host);
    kr_free(api);
}

const char *kr_batch_api_endpoint(const struct kr_batch_api *api)
{
    return api->endpoint;
}

const char *kr_batch_api_region(const struct kr_batch_api *api)
{
    return api->region;
}

const struct kr_batch_api_stats *kr_batch_api_stats(const struct kr_batch_api *api)
{
    return &api->stats;
}

static void count(struct kr_batch_api *api, const char *op, long n)
{
    if (!strcmp(op, "RegisterJobDefinition"))
        api->stats.register_jobdef += n;
    else if (!strcmp(op, "DescribeJobDefinitions"))
        api->stats.describe_jobdefs += n;
    else if (!strcmp(op, "SubmitJob"))
        api->stats.submit += n;
    else if (!strcmp(op, "DescribeJobs"))
        api->stats.describe_jobs += n;
    else if (!strcmp(op, "TerminateJob") || !strcmp(op, "CancelJob"))
        api->stats.terminate += n;
    else if (!strcmp(op, "GetLogEvents"))
        api->stats.get_log_events += n;
    else
        api->stats.other += n;
}

/* AWS's error type of an answer: x-amzn-ErrorType (cut at ':'), else the
 * body's "__type" (after '#') or "code". kr_malloc'd or NULL. */
static char *error_type(const struct kr_http_resp *r, json_t *body)
{
    char *t = kr_http_header(r, "x-amzn-ErrorType");
    const char *s = NULL;
    if (t) {
        t[strcspn(t, ":")] = 0;
        return t;
    }
    if (json_is_object(body)) {
        s = json_string_value(json_object_get(body, "__type"));
        if (!s)
            s = json_string_value(json_object_get(body, "code"));
    }
    if (s && strchr(s, '#'))
        s = strchr(s, '#') + 1;
    return s ? kr_strdup(s) : NULL;
}

/* The one-line message for a call that failed for good. */
static void describe_failure(const struct svc *sv, const char *op,
                             const struct kr_http_resp *r, int attempts, char *dst, size_t cap)
{
    json_t *body;
    char *type;
    const char *msg = NULL, *hint = "";
    if (r->status == 0) {
        snprintf(dst, cap, "%s %s: cannot reach %s: %.100s (after %d attempts); check "
                 "%s and the network", sv->label, op, sv->endpoint, r->transport_msg, attempts,
                 sv->hint);
        return;
    }
    body = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
    type = error_type(r, body);
    if (json_is_object(body)) {
        msg = json_string_value(json_object_get(body, "message"));
        if (!msg)
            msg = json_string_value(json_object_get(body, "Message"));
    }
    if (type && (!strcmp(type, "UnrecognizedClientException") ||
                 !strcmp(type, "InvalidSignatureException")))
        hint = "; check the credentials (AWS_ACCESS_KEY_ID / AWS_PROFILE) and the region";
    else if (type && !strcmp(type, "ExpiredTokenException"))
        hint = "; the session token has expired: renew the credentials";
    else if (r->status >= 500 || r->status == 429)
        hint = "; the service kept failing or throttling: rerun later";
    snprintf(dst, cap, "%s %s: HTTP %ld %s%s%.140s%s%s", sv->label, op, r->status,
             type ? type : "error", msg ? ": " : "", msg ? msg : "",
             attempts > 1 ? " (after retries)" : "", hint);
    kr_free(type);
    json_decref(body);
}

/* The engine: call operation op of service sv n times (see
 * kr_batch_api_call_many for the contract). */
static int call_svc(struct kr_batch_api *api, const struct svc *sv, const char *op,
                    json_t *const *reqs, size_t n, json_t **resps, char (*errs)[256],
                    struct kr_error *err)
{
    struct kr_http_req *hreq = kr_calloc(n ? n : 1, sizeof *hreq);
    struct kr_http_resp *hresp = kr_calloc(n ? n : 1, sizeof *hresp);
    char **bodies = kr_calloc(n ? n : 1, sizeof *bodies);
    char **hdrs = kr_calloc(n * 5 + 1, sizeof *hdrs);
    size_t *idx = kr_calloc(n ? n : 1, sizeof *idx);
    bool *done = kr_calloc(n ? n : 1, sizeof *done);
    char path[80], first[256] = "", target[96] = "";
    char *url;
    size_t i, k;
    int rc = KR_OK, attempt;

    if (sv->rest_path) {
        memcpy(path, "/v1/", 4);
        for (k = 4; op[k - 4] && k < sizeof path - 1; k++)
            path[k] = (char)tolower((unsigned char)op[k - 4]);
        path[k] = 0;
    } else {
        strcpy(path, "/");
    }
    if (sv->target)
        snprintf(target, sizeof target, "%s%s", sv->target, op);
    url = kr_asprintf("%s%s", sv->endpoint, path);
    for (i = 0; i < n; i++) {
        resps[i] = NULL;
        if (errs)
            errs[i][0] = 0;
        bodies[i] = json_dumps(reqs[i], JSON_COMPACT);
        if (!bodies[i])
            bodies[i] = strdup("{}");
    }
    for (attempt = 1;; attempt++) {
        size_t m = 0, nh = 0;
        bool retry = false;
        char amz[17];
        kr_aws_amz_date(time(NULL), amz);
        for (i = 0; i < n; i++) {
            struct kr_aws_header sh[5];
            size_t ns = 0, nh0 = nh;
            char sha[65], *auth;
            if (done[i])
                continue;
            kr_aws_sha256_hex(bodies[i], strlen(bodies[i]), sha);
            /* canonical (sorted) order */
            sh[ns++] = (struct kr_aws_header){"content-type", sv->ctype};
            sh[ns++] = (struct kr_aws_header){"host", sv->host};
            sh[ns++] = (struct kr_aws_header){"x-amz-date", amz};
            if (api->creds.session_token)
                sh[ns++] = (struct kr_aws_header){"x-amz-security-token",
                                                  api->creds.session_token};
            if (target[0])
                sh[ns++] = (struct kr_aws_header){"x-amz-target", target};
            auth = kr_aws_sign(&api->creds, api->region, sv->sigv4, "POST", path, NULL, sh, ns,
                               sha, amz);
            hreq[m] = (struct kr_http_req){.method = "POST", .url = url,
                                           .headers = (const char *const *)&hdrs[nh],
                                           .body = bodies[i], .body_len = strlen(bodies[i]),
                                           .timeout_s = BATCH_TIMEOUT_S};
            hdrs[nh++] = kr_asprintf("Content-Type: %s", sv->ctype);
            hdrs[nh++] = kr_asprintf("X-Amz-Date: %s", amz);
            hdrs[nh++] = kr_asprintf("Authorization: %s", auth);
            if (api->creds.session_token)
                hdrs[nh++] = kr_asprintf("X-Amz-Security-Token: %s", api->creds.session_token);
            if (target[0])
                hdrs[nh++] = kr_asprintf("X-Amz-Target: %s", target);
            hreq[m].nheaders = nh - nh0;
            kr_free(auth);
            memset(&hresp[m], 0, sizeof hresp[m]);
            idx[m++] = i;
        }
        if (m == 0)
            break;
        api->stats.requests += (long)m;
        count(api, op, (long)m);
        if (attempt > 1)
            api->stats.retries += (long)m;
        rc = kr_http_run(hreq, hresp, m, BATCH_PARALLEL, err);
        for (k = 0; k < m && rc == KR_OK; k++) {
            struct kr_http_resp *r = &hresp[k];
            i = idx[k];
            if (r->status >= 200 && r->status < 300) {
                json_error_t je;
                resps[i] = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &je);
                if (!json_is_object(resps[i])) {
                    json_decref(resps[i]);
                    resps[i] = NULL;
                    if (attempt < BATCH_ATTEMPTS) {
                        retry = true;   /* a truncated answer */
                        continue;
                    }
                    if (errs)
                        snprintf(errs[i], 256, "%s %s: the answer is not JSON: %s", sv->label,
                                 op, je.text);
                    if (!first[0])
                        snprintf(first, sizeof first, "%s %s: the answer is not JSON: %s",
                                 sv->label, op, je.text);
                    done[i] = true;
                    continue;
                }
                done[i] = true;
                continue;
            }
            {
                json_t *body = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
                char *type = error_type(r, body);
                bool again = kr_aws_retryable(r->status, type);
                kr_free(type);
                json_decref(body);
                if (again && attempt < BATCH_ATTEMPTS) {
                    retry = true;
                    continue;
                }
            }
            done[i] = true;
            if (errs)
                describe_failure(sv, op, r, attempt, errs[i], 256);
            if (!first[0])
                describe_failure(sv, op, r, attempt, first, sizeof first);
        }
        for (k = 0; k < m; k++)
            kr_http_resp_free(&hresp[k]);
        for (k = 0; k < nh; k++) {
            if (hdrs[k] && !strncmp(hdrs[k], "X-Amz-Security-Token", 20))
                memset(hdrs[k], 0, strlen(hdrs[k]));
            kr_free(hdrs[k]);
            hdrs[k] = NULL;
        }
        if (rc != KR_OK)
            break;
        if (!retry)
            break;
        kr_aws_sleep_ms(kr_aws_backoff_ms(attempt, BATCH_BACKOFF_BASE_MS, BATCH_BACKOFF_CAP_MS));
    }
    if (rc == KR_OK && first[0])
        rc = kr_error_set(err, KR_EEXEC, "%s", first);
    for (i = 0; i < n; i++)
        free(bodies[i]);
    kr_free(url);
    kr_free(hreq);
    kr_free(hresp);
    kr_free(bodies);
    kr_free(hdrs);
    kr_free(idx);
    kr_free(done);
    return rc;
}

int kr_batch_api_call_many(struct kr_batch_api *api, const char *op, json_t *const *reqs,
                           size_t n, json_t **resps, char (*errs)[256], struct kr_error *err)
{
    struct svc sv = svc_batch(api);
    return call_svc(api, &sv, op, reqs, n, resps, errs, err);
}

int kr_batch_api_logs_call(struct kr_batch_api *api, const char *op, json_t *req, json_t **resp,
                           struct kr_error *err)
{
    struct svc sv = svc_logs(api);
    return call_svc(api, &sv, op, &req, 1, resp, NULL, err);
}

int kr_batch_api_read_log(struct kr_batch_api *api, const char *group, const char *stream,
                          size_t max, struct kr_buf *out, bool *cut, struct kr_error *err)
{
    char *token = NULL;
    int rc = KR_OK;
    *cut = false;
    for (;;) {
        json_t *req = json_pack("{s:s, s:s, s:b}", "logGroupName", group, "logStreamName",
                                stream, "startFromHead", 1);
        json_t *resp = NULL, *events;
        const char *next;
        size_t i;
        if (token)
            json_object_set_new(req, "nextToken", json_string(token));
        rc = kr_batch_api_logs_call(api, "GetLogEvents", req, &resp, err);
        json_decref(req);
        if (rc != KR_OK) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            kr_error_set(err, rc, "log stream '%s' of group '%s': %s", stream, group, why);
            break;
        }
        events = json_object_get(resp, "events");
        for (i = 0; i < json_array_size(events) && !*cut; i++) {
            const char *msg = json_string_value(json_object_get(json_array_get(events, i),
                                                                "message"));
            size_t len = msg ? strlen(msg) : 0;
            if (out->len + len + 1 > max) {
                *cut = true;
                break;
            }
            kr_buf_append(out, msg ? msg : "", len);
            kr_buf_putc(out, '\n');
        }
        next = json_string_value(json_object_get(resp, "nextForwardToken"));
        if (*cut || json_array_size(events) == 0 || !next || (token && !strcmp(next, token))) {
            json_decref(resp);
            break;
        }
        kr_free(token);
        token = kr_strdup(next);
        json_decref(resp);
    }
    kr_free(token);
    return rc;
}

int kr_batch_api_call(struct kr_batch_api *api, const char *op, json_t *req, json_t **resp,
                      struct kr_error *err)
{
    return kr_batch_api_call_many(api, op, &req, 1, resp, NULL, err);
}
