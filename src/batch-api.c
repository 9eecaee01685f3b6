/*
 * batch-api.c - the AWS Batch API client (see batch-api.h). Batch speaks
 * rest-json: every operation is a POST of a JSON object to /v1/<operation
 * in lower case>, answered with a JSON object, or with an error whose type
 * is in the x-amzn-ErrorType header (and "__type" of the body) and whose
 * text is the body's "message". One engine, call_many(), signs every
 * pending call with a fresh X-Amz-Date, runs them in parallel through
 * kr_http_run(), keeps the answers and retries what kr_aws_retryable()
 * calls retryable after kr_aws_backoff_ms() - the same decision S3 makes.
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
    struct kr_batch_api_stats stats;
};

int kr_batch_api_open(const char *endpoint, struct kr_batch_api **out, struct kr_error *err)
{
    struct kr_batch_api *api;
    const char *ep = endpoint, *h;
    size_t n;
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
    api->endpoint = ep && *ep ? kr_strdup(ep)
                              : kr_asprintf("https://batch.%s.amazonaws.com", api->region);
    n = strlen(api->endpoint);
    while (n && api->endpoint[n - 1] == '/')
        api->endpoint[--n] = 0;
    if (strncmp(api->endpoint, "http://", 7) != 0 && strncmp(api->endpoint, "https://", 8) != 0) {
        rc = kr_error_set(err, KR_EUSAGE, "AWS Batch endpoint '%s' is not an http:// or "
                          "https:// URL (--aws-batch-endpoint-url, AWS_ENDPOINT_URL_BATCH)",
                          api->endpoint);
        kr_batch_api_close(api);
        return rc;
    }
    h = strstr(api->endpoint, "://") + 3;
    api->host = kr_strndup(h, strcspn(h, "/"));
    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    *out = api;
    return KR_OK;
}

void kr_batch_api_close(struct kr_batch_api *api)
{
    if (!api)
        return;
    kr_aws_creds_free(&api->creds);
    kr_free(api->region);
    kr_free(api->endpoint);
    kr_free(api->host);
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
static void describe_failure(struct kr_batch_api *api, const char *op,
                             const struct kr_http_resp *r, int attempts, char *dst, size_t cap)
{
    json_t *body;
    char *type;
    const char *msg = NULL, *hint = "";
    if (r->status == 0) {
        snprintf(dst, cap, "AWS Batch %s: cannot reach %s: %.100s (after %d attempts); check "
                 "--aws-batch-endpoint-url / AWS_ENDPOINT_URL_BATCH and the network", op,
                 api->endpoint, r->transport_msg, attempts);
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
    snprintf(dst, cap, "AWS Batch %s: HTTP %ld %s%s%.140s%s%s", op, r->status,
             type ? type : "error", msg ? ": " : "", msg ? msg : "",
             attempts > 1 ? " (after retries)" : "", hint);
    kr_free(type);
    json_decref(body);
}

int kr_batch_api_call_many(struct kr_batch_api *api, const char *op, json_t *const *reqs,
                           size_t n, json_t **resps, char (*errs)[256], struct kr_error *err)
{
    struct kr_http_req *hreq = kr_calloc(n ? n : 1, sizeof *hreq);
    struct kr_http_resp *hresp = kr_calloc(n ? n : 1, sizeof *hresp);
    char **bodies = kr_calloc(n ? n : 1, sizeof *bodies);
    char **hdrs = kr_calloc(n * 4 + 1, sizeof *hdrs);
    size_t *idx = kr_calloc(n ? n : 1, sizeof *idx);
    bool *done = kr_calloc(n ? n : 1, sizeof *done);
    char path[80], first[256] = "";
    char *url;
    size_t i, k;
    int rc = KR_OK, attempt;

    memcpy(path, "/v1/", 4);
    for (k = 4; op[k - 4] && k < sizeof path - 1; k++)
        path[k] = (char)tolower((unsigned char)op[k - 4]);
    path[k] = 0;
    url = kr_asprintf("%s%s", api->endpoint, path);
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
            struct kr_aws_header sh[4];
            size_t ns = 0;
            char sha[65], *auth;
            if (done[i])
                continue;
            kr_aws_sha256_hex(bodies[i], strlen(bodies[i]), sha);
            sh[ns++] = (struct kr_aws_header){"content-type", "application/json"};
            sh[ns++] = (struct kr_aws_header){"host", api->host};
            sh[ns++] = (struct kr_aws_header){"x-amz-date", amz};
            if (api->creds.session_token)
                sh[ns++] = (struct kr_aws_header){"x-amz-security-token",
                                                  api->creds.session_token};
            auth = kr_aws_sign(&api->creds, api->region, "batch", "POST", path, NULL, sh, ns,
                               sha, amz);
            hreq[m] = (struct kr_http_req){.method = "POST", .url = url,
                                           .headers = (const char *const *)&hdrs[nh],
                                           .body = bodies[i], .body_len = strlen(bodies[i]),
                                           .timeout_s = BATCH_TIMEOUT_S};
            hdrs[nh++] = kr_strdup("Content-Type: application/json");
            hdrs[nh++] = kr_asprintf("X-Amz-Date: %s", amz);
            hdrs[nh++] = kr_asprintf("Authorization: %s", auth);
            if (api->creds.session_token)
                hdrs[nh++] = kr_asprintf("X-Amz-Security-Token: %s", api->creds.session_token);
            hreq[m].nheaders = api->creds.session_token ? 4 : 3;
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
                        snprintf(errs[i], 256, "AWS Batch %s: the answer is not JSON: %s", op,
                                 je.text);
                    if (!first[0])
                        snprintf(first, sizeof first, "AWS Batch %s: the answer is not JSON: "
                                 "%s", op, je.text);
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
                describe_failure(api, op, r, attempt, errs[i], 256);
            if (!first[0])
                describe_failure(api, op, r, attempt, first, sizeof first);
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

int kr_batch_api_call(struct kr_batch_api *api, const char *op, json_t *req, json_t **resp,
                      struct kr_error *err)
{
    return kr_batch_api_call_many(api, op, &req, 1, resp, NULL, err);
}
