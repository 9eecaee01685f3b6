/*
 * s3.c - the S3 client (see s3.h). One engine, s3_exec(), runs a batch of
 * operations through kr_http_run(): it signs every pending operation with a
 * fresh X-Amz-Date, runs them in parallel, keeps the successes, and retries
 * the retryable failures (kr_aws_retryable) after a backoff with full
 * jitter (kr_aws_backoff_ms, shared with AWS Batch), until each has
 * succeeded or failed for good. The public operations build batches.
 */
#include "s3.h"

#include "aws.h"
#include "http.h"

#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct kr_s3 {
    struct kr_aws_creds creds;
    char *region;
    char *endpoint;             /* "scheme://host[:port]", no trailing slash */
    char *host;                 /* "host[:port]" as the Host header carries it */
    int max_parallel, max_attempts;
    long backoff_base_ms, backoff_cap_ms;
    int64_t multipart_threshold, part_size;
    int list_page;              /* max-keys per ListObjectsV2 page; 0: S3's default (1000) */
    long clock_offset;          /* server time - local time, after a skew answer */
    struct kr_s3_stats stats;
    char *upload_journal;       /* directory of unfinished multipart uploads, or NULL */
    struct kr_http_meter meter; /* progress of long batches (fn NULL: none) */
};

/* One S3 request of a batch, with its outcome. */
struct op {
    const char *method;
    const char *bucket, *key;   /* key may be NULL (bucket-level request) */
    char *query;                /* encoded, or NULL */
    const char *body;           /* from memory ... */
    size_t body_len;
    const char *upload_file;    /* ... or a file range */
    int64_t upload_off, upload_len;
    char payload_sha[65];       /* hex SHA-256 of the body */
    const char *extra[4];       /* more "Name: value" headers (signed) */
    size_t nextra;
    const char *download_file;
    bool download_into;         /* write at download_off into the existing file */
    int64_t download_off;
    int ok_404;                 /* a 404 is an answer, not an error (HEAD, DELETE) */
    int ok_416;                 /* a 416 too (a ranged GET of an empty object) */
    int verify_md5;             /* GET: check the body against a plain-MD5 ETag */
    struct kr_http_resp resp;
    int done;
};

/* ---- helpers ---------------------------------------------------------- */

static void md5_file_range(FILE *f, int64_t len, unsigned char md5[16], char sha[65])
{
    EVP_MD_CTX *m = EVP_MD_CTX_new(), *s = EVP_MD_CTX_new();
    unsigned char buf[65536], d[32];
    unsigned int dl;
    static const char hx[] = "0123456789abcdef";
    EVP_DigestInit_ex(m, EVP_md5(), NULL);
    EVP_DigestInit_ex(s, EVP_sha256(), NULL);
    while (len > 0) {
        size_t want = len < (int64_t)sizeof buf ? (size_t)len : sizeof buf;
        size_t n = fread(buf, 1, want, f);
        if (n == 0)
            break;
        EVP_DigestUpdate(m, buf, n);
        EVP_DigestUpdate(s, buf, n);
        len -= (int64_t)n;
    }
    EVP_DigestFinal_ex(m, md5, &dl);
    EVP_DigestFinal_ex(s, d, &dl);
    for (int i = 0; i < 32; i++) {
        sha[2 * i] = hx[d[i] >> 4];
        sha[2 * i + 1] = hx[d[i] & 15];
    }
    sha[64] = 0;
    EVP_MD_CTX_free(m);
    EVP_MD_CTX_free(s);
}

static void hex16(const unsigned char d[16], char out[33])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[32] = 0;
}

static char *b64_16(const unsigned char d[16])
{
    char *out = kr_malloc(32);
    EVP_EncodeBlock((unsigned char *)out, d, 16);
    return out;
}

/* The text of the first <tag>...</tag> in [s, end), entities decoded;
 * kr_malloc'd or NULL. *after (optional) is set past the closing tag. */
static char *xml_tag(const char *s, const char *end, const char *tag, const char **after)
{
    char open[64], close[64];
    const char *a, *b;
    struct kr_buf out = KR_BUF_INIT;
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    a = s ? strstr(s, open) : NULL;
    if (!a || a >= end)
        return NULL;
    a += strlen(open);
    b = strstr(a, close);
    if (!b || b > end)
        return NULL;
    if (after)
        *after = b + strlen(close);
    for (const char *p = a; p < b; p++) {
        static const struct { const char *e; char c; } ents[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        size_t i;
        for (i = 0; i < 5; i++) {
            size_t l = strlen(ents[i].e);
            if ((size_t)(b - p) >= l && strncmp(p, ents[i].e, l) == 0) {
                kr_buf_putc(&out, ents[i].c);
                p += l - 1;
                break;
            }
        }
        if (i < 5)
            continue;
        if (p[0] == '&' && p + 2 < b && p[1] == '#') {
            /* a numeric character reference (s3rver writes &#x27; for '),
             * as UTF-8 */
            bool hex = p[2] == 'x' || p[2] == 'X';
            const char *q = p + (hex ? 3 : 2), *digits = q;
            unsigned long cp = 0;
            while (q < b && (hex ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q)) &&
                   cp <= 0x10FFFF) {
                int d = isdigit((unsigned char)*q) ? *q - '0' : (tolower((unsigned char)*q) - 'a' + 10);
                cp = cp * (hex ? 16 : 10) + (unsigned long)d;
                q++;
            }
            if (q > digits && q < b && *q == ';' && cp > 0 && cp <= 0x10FFFF) {
                if (cp < 0x80) {
                    kr_buf_putc(&out, (char)cp);
                } else if (cp < 0x800) {
                    kr_buf_putc(&out, (char)(0xC0 | (cp >> 6)));
                    kr_buf_putc(&out, (char)(0x80 | (cp & 0x3F)));
                } else if (cp < 0x10000) {
                    kr_buf_putc(&out, (char)(0xE0 | (cp >> 12)));
                    kr_buf_putc(&out, (char)(0x80 | ((cp >> 6) & 0x3F)));
                    kr_buf_putc(&out, (char)(0x80 | (cp & 0x3F)));
                } else {
                    kr_buf_putc(&out, (char)(0xF0 | (cp >> 18)));
                    kr_buf_putc(&out, (char)(0x80 | ((cp >> 12) & 0x3F)));
                    kr_buf_putc(&out, (char)(0x80 | ((cp >> 6) & 0x3F)));
                    kr_buf_putc(&out, (char)(0x80 | (cp & 0x3F)));
                }
                p = q;
                continue;
            }
        }
        kr_buf_putc(&out, *p);
    }
    return kr_buf_steal(&out);
}

static int64_t parse_http_date(const char *s)
{
    struct tm tm = {0};
    if (!s || !strptime(s, "%a, %d %b %Y %H:%M:%S", &tm))
        return 0;
    return (int64_t)timegm(&tm) * 1000000000;
}

static int64_t parse_iso_date(const char *s)
{
    struct tm tm = {0};
    const char *rest;
    int64_t ns = 0;
    if (!s || !(rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
        return 0;
    if (*rest == '.') {
        long scale = 100000000;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
            ns += (*rest - '0') * scale;
    }
    return (int64_t)timegm(&tm) * 1000000000 + ns;
}

/* "1733400000.123456789" -> ns; 0 on a malformed value. */
static int64_t parse_krait_mtime(const char *s, int *ok)
{
    char *end;
    long long sec = strtoll(s, &end, 10);
    int64_t ns = 0;
    long scale = 100000000;
    *ok = 0;
    if (end == s)
        return 0;
    if (*end == '.')
        for (end++; *end >= '0' && *end <= '9'; end++, scale /= 10)
            ns += (*end - '0') * scale;
    if (*end)
        return 0;
    *ok = 1;
    return (int64_t)sec * 1000000000 + ns;
}

static void strip_quotes(const char *in, char out[80])
{
    size_t n;
    if (!in) {
        out[0] = 0;
        return;
    }
    while (*in == '"')
        in++;
    snprintf(out, 80, "%s", in);
    n = strlen(out);
    while (n && out[n - 1] == '"')
        out[--n] = 0;
}

/* ---- client ------------------------------------------------------------- */

int kr_s3_open(struct kr_s3 **out, const char *endpoint_url, struct kr_error *err)
{
    struct kr_s3 *s3 = kr_calloc(1, sizeof *s3);
    const char *ep = endpoint_url;
    const char *h;
    size_t n;
    int rc;

    if ((rc = kr_aws_creds_load(&s3->creds, err)) != KR_OK) {
        kr_free(s3);
        return rc;
    }
    s3->region = kr_aws_region();
    if (!ep || !*ep)
        ep = getenv("AWS_ENDPOINT_URL_S3");
    if (!ep || !*ep)
        ep = getenv("AWS_ENDPOINT_URL");
    if (ep && *ep)
        s3->endpoint = kr_strdup(ep);
    else
        s3->endpoint = kr_asprintf("https://s3.%s.amazonaws.com", s3->region);
    n = strlen(s3->endpoint);
    while (n && s3->endpoint[n - 1] == '/')
        s3->endpoint[--n] = 0;
    if (strncmp(s3->endpoint, "http://", 7) != 0 && strncmp(s3->endpoint, "https://", 8) != 0) {
        kr_error_set(err, KR_EUSAGE,
                     "S3 endpoint '%s' is not an http:// or https:// URL (--s3-endpoint-url, "
                     "AWS_ENDPOINT_URL_S3)", s3->endpoint);
        kr_s3_close(s3);
        return KR_EUSAGE;
    }
    h = strstr(s3->endpoint, "://") + 3;
    s3->host = kr_strndup(h, strcspn(h, "/"));
    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    s3->max_parallel = 8;
    s3->max_attempts = 6;
    s3->backoff_base_ms = 100;
    s3->backoff_cap_ms = 5000;
    s3->multipart_threshold = 64 << 20;
    s3->part_size = 16 << 20;
    *out = s3;
    return KR_OK;
}

void kr_s3_close(struct kr_s3 *s3)
{
    if (!s3)
        return;
    kr_aws_creds_free(&s3->creds);
    kr_free(s3->region);
    kr_free(s3->endpoint);
    kr_free(s3->host);
    kr_free(s3->upload_journal);
    kr_free(s3);
}

void kr_s3_tune(struct kr_s3 *s3, int max_parallel, int max_attempts, long backoff_base_ms,
                long backoff_cap_ms, int64_t multipart_threshold, int64_t part_size)
{
    if (max_parallel > 0)
        s3->max_parallel = max_parallel;
    if (max_attempts > 0)
        s3->max_attempts = max_attempts;
    if (backoff_base_ms > 0)
        s3->backoff_base_ms = backoff_base_ms;
    if (backoff_cap_ms > 0)
        s3->backoff_cap_ms = backoff_cap_ms;
    if (multipart_threshold > 0)
        s3->multipart_threshold = multipart_threshold;
    if (part_size > 0)
        s3->part_size = part_size;
}

void kr_s3_set_meter(struct kr_s3 *s3, void (*fn)(void *ud, int64_t done, int64_t total),
                     void *ud)
{
    s3->meter.fn = fn;
    s3->meter.ud = ud;
}

void kr_s3_set_list_page(struct kr_s3 *s3, int max_keys)
{
    s3->list_page = max_keys > 0 ? max_keys : 0;
}

const struct kr_s3_stats *kr_s3_stats(const struct kr_s3 *s3)
{
    return &s3->stats;
}

int kr_s3_parse_url(const char *url, char **bucket, char **key, struct kr_error *err)
{
    const char *b, *slash;
    if (strncmp(url, "s3://", 5) != 0 || !url[5] || url[5] == '/')
        return kr_error_set(err, KR_EUSAGE, "'%s' is not an s3://bucket/key URL", url);
    b = url + 5;
    slash = strchr(b, '/');
    *bucket = slash ? kr_strndup(b, (size_t)(slash - b)) : kr_strdup(b);
    *key = kr_strdup(slash ? slash + 1 : "");
    return KR_OK;
}

static char *object_path(const char *bucket, const char *key)
{
    char *ek = kr_aws_uri_encode(key ? key : "", 1);
    char *p = key ? kr_asprintf("/%s/%s", bucket, ek) : kr_asprintf("/%s", bucket);
    kr_free(ek);
    return p;
}

/* ---- the engine ----------------------------------------------------------- */

/* What to do with a finished attempt. */
enum verdict { V_DONE, V_RETRY, V_FAIL };

static char *s3_code(const struct kr_http_resp *r)
{
    const char *b = kr_buf_cstr(&r->body);
    return xml_tag(b, b + r->body.len, "Code", NULL);
}

static enum verdict judge(struct kr_s3 *s3, struct op *o)
{
    struct kr_http_resp *r = &o->resp;
    char *code, *len;
    enum verdict v;
    if (r->status == 0)
        return V_RETRY; /* connection refused/reset, timeout, truncated body */
    if ((r->status >= 200 && r->status < 300) || (r->status == 404 && o->ok_404) ||
        (r->status == 416 && o->ok_416)) {
        if (o->download_file && (r->status == 200 || r->status == 206) &&
            (len = kr_http_header(r, "Content-Length"))) {
            int short_body = strtoll(len, NULL, 10) != r->downloaded;
            kr_free(len);
            if (short_body)
                return V_RETRY;
        }
        return V_DONE;
    }
    code = s3_code(r);
    v = kr_aws_retryable(r->status, code) ? V_RETRY : V_FAIL;
    /* HEAD answers have no body: a 403 with a Date far from ours is a skew too */
    if (!code && r->status == 403) {
        char *date = kr_http_header(r, "Date");
        int64_t server = parse_http_date(date);
        long off = server ? (long)(server / 1000000000 - time(NULL)) : 0;
        kr_free(date);
        if (off - s3->clock_offset > 900 || s3->clock_offset - off > 900)
            code = kr_strdup("RequestTimeTooSkewed");
    }
    if (code && strcmp(code, "RequestTimeTooSkewed") == 0) {
        char *date = kr_http_header(r, "Date");
        int64_t server = parse_http_date(date);
        long off = server ? (long)(server / 1000000000 - time(NULL)) : 0;
        kr_free(date);
        if (server && off != s3->clock_offset) {
            s3->clock_offset = off; /* sign the next attempt with the server's clock */
            v = V_RETRY;
        }
    }
    kr_free(code);
    return v;
}

static const char *hint_for(const char *code, long status)
{
    if (!code)
        code = "";
    if (strcmp(code, "NoSuchBucket") == 0)
        return "create the bucket or fix the bucket name in the s3:// URL";
    if (strcmp(code, "NoSuchKey") == 0 || status == 404)
        return "the object does not exist: check the key, or produce it with a rule";
    if (strcmp(code, "ExpiredToken") == 0 || strcmp(code, "TokenRefreshRequired") == 0)
        return "the session token has expired: renew the credentials and rerun";
    if (strcmp(code, "RequestTimeTooSkewed") == 0)
        return "this machine's clock is wrong: synchronise it (e.g. timedatectl set-ntp true)";
    if (strcmp(code, "InvalidAccessKeyId") == 0 || strcmp(code, "SignatureDoesNotMatch") == 0)
        return "check the access key and secret (AWS_ACCESS_KEY_ID / AWS_PROFILE)";
    if (strcmp(code, "AccessDenied") == 0 || status == 403)
        return "the credentials may not do this: check the bucket policy and IAM permissions";
    if (strcmp(code, "BadDigest") == 0 || strcmp(code, "InvalidDigest") == 0)
        return "the data changed in transit or on disk: rerun";
    if (strcmp(code, "PreconditionFailed") == 0)
        return "the object changed while it was being downloaded: rerun";
    if (strcmp(code, "NotImplemented") == 0)
        return "this S3-compatible server lacks the operation (outputs over 5 GiB of presigned "
               "jobs need UploadPartCopy): use --storage-staging shared";
    if (status >= 500 || strcmp(code, "SlowDown") == 0)
        return "the service kept failing or throttling: rerun later";
    return "see the S3 error code above";
}

static int op_error(struct kr_s3 *s3, struct op *o, int attempts, struct kr_error *err)
{
    struct kr_http_resp *r = &o->resp;
    char what[1200];
    snprintf(what, sizeof what, "S3 %s s3://%s/%s%s%s", o->method, o->bucket,
             o->key ? o->key : "", o->query ? "?" : "", o->query ? o->query : "");
    if (r->status == 0)
        return kr_error_set(err, KR_EIO,
                            "%s: cannot reach %s: %s (after %d attempts); check the endpoint "
                            "(--s3-endpoint-url, AWS_ENDPOINT_URL_S3) and the network",
                            what, s3->endpoint, r->transport_msg, attempts);
    {
        char *code = s3_code(r);
        const char *b = kr_buf_cstr(&r->body);
        char *msg = xml_tag(b, b + r->body.len, "Message", NULL);
        int rc = kr_error_set(err, KR_EIO, "%s: HTTP %ld %s%s%s%s%s: %s", what, r->status,
                              code ? code : (r->status == 404 ? "NotFound" : "error"),
                              msg ? " (" : "", msg ? msg : "", msg ? ")" : "",
                              attempts > 1 ? " after retries" : "", hint_for(code, r->status));
        kr_free(code);
        kr_free(msg);
        return rc;
    }
}

/* Run ops to completion. KR_OK when every op succeeded (or got an accepted
 * 404); else KR_EIO for the first op that failed for good. */
static int s3_exec(struct kr_s3 *s3, struct op *ops, size_t n, struct kr_error *err)
{
    struct kr_http_req *reqs = kr_calloc(n ? n : 1, sizeof *reqs);
    struct kr_http_resp *resps = kr_calloc(n ? n : 1, sizeof *resps);
    size_t *idx = kr_calloc(n ? n : 1, sizeof *idx);
    char **hdrs = kr_calloc(n * 16 + 1, sizeof *hdrs);
    char **urls = kr_calloc(n ? n : 1, sizeof *urls);
    int rc = KR_OK, attempt;

    for (attempt = 1; rc == KR_OK; attempt++) {
        size_t m = 0, nh = 0;
        char amz[17];
        kr_aws_amz_date(time(NULL) + s3->clock_offset, amz);
        for (size_t i = 0; i < n; i++) {
            struct op *o = &ops[i];
            struct kr_aws_header sh[8];
            size_t ns = 0, first = nh;
            char *path, *auth;
            if (o->done)
                continue;
            path = object_path(o->bucket, o->key);
            sh[ns++] = (struct kr_aws_header){"host", s3->host};
            sh[ns++] = (struct kr_aws_header){"x-amz-date", amz};
            sh[ns++] = (struct kr_aws_header){"x-amz-content-sha256",
                                              o->payload_sha[0] ? o->payload_sha
                                                                : "UNSIGNED-PAYLOAD"};
            if (s3->creds.session_token)
                sh[ns++] = (struct kr_aws_header){"x-amz-security-token",
                                                  s3->creds.session_token};
            for (size_t k = 0; k < o->nextra; k++) {
                const char *colon = strchr(o->extra[k], ':');
                char *name = kr_strndup(o->extra[k], (size_t)(colon - o->extra[k]));
                hdrs[nh++] = name; /* freed below with the rest */
                sh[ns++] = (struct kr_aws_header){name, colon + 1};
            }
            auth = kr_aws_sign(&s3->creds, s3->region, "s3", o->method, path, o->query, sh, ns,
                               sh[2].value, amz);
            /* the header lines curl sends (names already used above are kept
             * in hdrs only to be freed) */
            nh = first + o->nextra;
            hdrs[nh++] = kr_asprintf("x-amz-date: %s", amz);
            hdrs[nh++] = kr_asprintf("x-amz-content-sha256: %s", sh[2].value);
            hdrs[nh++] = kr_asprintf("Authorization: %s", auth);
            if (s3->creds.session_token)
                hdrs[nh++] = kr_asprintf("x-amz-security-token: %s", s3->creds.session_token);
            kr_free(auth);
            for (size_t k = 0; k < o->nextra; k++)
                hdrs[nh++] = kr_strdup(o->extra[k]);
            urls[m] = kr_asprintf("%s%s%s%s", s3->endpoint, path, o->query ? "?" : "",
                                  o->query ? o->query : "");
            kr_free(path);
            reqs[m] = (struct kr_http_req){
                .method = o->method, .url = urls[m],
                .headers = (const char *const *)&hdrs[first + o->nextra],
                .nheaders = nh - first - o->nextra, .body = o->body, .body_len = o->body_len,
                .upload_file = o->upload_file, .upload_off = o->upload_off,
                .upload_len = o->upload_len, .download_file = o->download_file,
                .download_into = o->download_into, .download_off = o->download_off};
            if (strcmp(o->method, "PUT") == 0 && !o->body && !o->upload_file)
                reqs[m].body = "";
            memset(&resps[m], 0, sizeof resps[m]);
            idx[m++] = i;
        }
        if (m == 0)
            break;
        s3->stats.requests += (long)m;
        rc = kr_http_run_metered(NULL, reqs, resps, m, s3->max_parallel, &s3->meter, err);
        {
            int retry = 0;
            for (size_t j = 0; j < m; j++) {
                struct op *o = &ops[idx[j]];
                enum verdict v;
                kr_http_resp_free(&o->resp);
                o->resp = resps[j];
                memset(&resps[j], 0, sizeof resps[j]);
                if (rc != KR_OK)
                    continue;
                v = judge(s3, o);
                if (v == V_DONE)
                    o->done = 1;
                else if (v == V_RETRY && attempt < s3->max_attempts)
                    retry = 1;
                else if (rc == KR_OK)
                    rc = op_error(s3, o, attempt, err);
            }
            for (size_t j = 0; j < m; j++)
                kr_free(urls[j]);
            for (size_t k = 0; k < nh; k++) {
                if (hdrs[k] && strncmp(hdrs[k], "x-amz-security-token", 20) == 0)
                    memset(hdrs[k], 0, strlen(hdrs[k]));
                kr_free(hdrs[k]);
                hdrs[k] = NULL;
            }
            if (rc == KR_OK && retry) {
                s3->stats.retries++;
                kr_aws_sleep_ms(kr_aws_backoff_ms(attempt, s3->backoff_base_ms,
                                                  s3->backoff_cap_ms));
            }
        }
    }
    kr_free(reqs);
    kr_free(resps);
    kr_free(idx);
    kr_free(hdrs);
    kr_free(urls);
    return rc;
}

static void ops_free(struct op *ops, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kr_http_resp_free(&ops[i].resp);
        kr_free(ops[i].query);
    }
}

/* ---- operations ----------------------------------------------------------- */

static void fill_object(const struct kr_http_resp *r, struct kr_s3_object *obj)
{
    char *v;
    memset(obj, 0, sizeof *obj);
    if ((v = kr_http_header(r, "Content-Length")))
        obj->size = strtoll(v, NULL, 10);
    kr_free(v);
    v = kr_http_header(r, "ETag");
    strip_quotes(v, obj->etag);
    kr_free(v);
    if ((v = kr_http_header(r, "x-amz-meta-krait-mtime"))) {
        obj->mtime_ns = parse_krait_mtime(v, &obj->has_krait_mtime);
        kr_free(v);
    }
    if (!obj->has_krait_mtime) {
        v = kr_http_header(r, "Last-Modified");
        obj->mtime_ns = parse_http_date(v);
        kr_free(v);
    }
}

int kr_s3_head(struct kr_s3 *s3, const char *bucket, const char *key, struct kr_s3_object *obj,
               int *exists, struct kr_error *err)
{
    struct op o = {.method = "HEAD", .bucket = bucket, .key = key, .ok_404 = 1};
    int rc = s3_exec(s3, &o, 1, err);
    if (rc == KR_OK) {
        *exists = o.resp.status != 404;
        if (*exists)
            fill_object(&o.resp, obj);
    }
    ops_free(&o, 1);
    return rc;
}

/* MD5 of a whole file as hex; 0 on success. */
static int md5_file(const char *path, char hex[33], int64_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    unsigned char md5[16];
    char sha[65];
    if (!f)
        return -1;
    if (fstat(fileno(f), &st) != 0) {
        fclose(f);
        return -1;
    }
    md5_file_range(f, st.st_size, md5, sha);
    fclose(f);
    hex16(md5, hex);
    *size = st.st_size;
    return 0;
}

/* The total size in a 206 answer's Content-Range ("bytes A-B/TOTAL"), or -1. */
static int64_t range_total(const struct kr_http_resp *r)
{
    char *v = kr_http_header(r, "Content-Range");
    const char *slash = v ? strrchr(v, '/') : NULL;
    int64_t t = slash && slash[1] != '*' ? strtoll(slash + 1, NULL, 10) : -1;
    kr_free(v);
    return t;
}

/* The requests of one round of fetch_into: ops[k] fetches part of object
 * owner[k]; hdrs holds their Range lines. */
struct fetch_round {
    struct op *ops;
    size_t *owner;
    char **hdrs;
    size_t n, cap;
};

/* Add a GET of xf[i] into file (a range [off, end) when end > 0, written
 * at off into the file; else the whole object). */
static struct op *round_add(struct fetch_round *r, const struct kr_s3_xfer *xf, size_t i,
                            const char *file, int64_t off, int64_t end)
{
    struct op *o;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->ops = kr_realloc(r->ops, r->cap * sizeof *r->ops);
        r->owner = kr_realloc(r->owner, r->cap * sizeof *r->owner);
        r->hdrs = kr_realloc(r->hdrs, r->cap * sizeof *r->hdrs);
    }
    o = &r->ops[r->n];
    memset(o, 0, sizeof *o);
    r->owner[r->n] = i;
    r->hdrs[r->n] = NULL;
    o->method = "GET";
    o->bucket = xf[i].bucket;
    o->key = xf[i].key;
    o->download_file = file;
    if (end > 0) {
        o->download_into = true;
        o->download_off = off;
        r->hdrs[r->n] = kr_asprintf("Range: bytes=%lld-%lld", (long long)off, (long long)end - 1);
        o->extra[o->nextra++] = r->hdrs[r->n];
    }
    r->n++;
    return o;
}

static void round_free(struct fetch_round *r)
{
    size_t k;
    ops_free(r->ops, r->n);
    for (k = 0; k < r->n; k++)
        kr_free(r->hdrs[k]);
    kr_free(r->ops);
    kr_free(r->owner);
    kr_free(r->hdrs);
    memset(r, 0, sizeof *r);
}

/* The ranges [from, total) of xf[i], s3->part_size each, into file. */
static void add_ranges(struct fetch_round *r, const struct kr_s3_xfer *xf, size_t i,
                       const char *file, int64_t from, int64_t total, int64_t rsize)
{
    int64_t off;
    for (off = from; off < total; off += rsize)
        round_add(r, xf, i, file, off, off + rsize < total ? off + rsize : total);
}

/*
 * Download objects xf[0..n) into files parts[0..n) (created empty first),
 * filling xf[i].obj (its size the whole object's). An object known
 * (xf[i].have_size) to be at most s3->part_size bytes is one plain GET; a
 * bigger one comes in ranges of that size, all at once, in parallel with
 * the other objects', each written at its offset; one of unknown size is
 * asked for its first range, and the rest follows when the answer says it
 * is bigger (an empty one answers 416 and is fetched whole). Every answer
 * about one object must carry the same ETag: ranges of two versions (the
 * object replaced meanwhile) leave the file empty, so that the caller's
 * size check fails and it fetches again. KR_OK when every request
 * succeeded; the caller checks sizes and MD5s.
 */
static int fetch_into(struct kr_s3 *s3, struct kr_s3_xfer *xf, size_t n, char **parts,
                      struct kr_error *err)
{
    int64_t rsize = s3->part_size > 0 ? s3->part_size : (16 << 20);
    struct fetch_round r;
    bool *mixed = kr_calloc(n ? n : 1, sizeof *mixed);
    size_t i, k;
    int rc = KR_OK, round;

    memset(&r, 0, sizeof r);
    for (i = 0; i < n; i++) {
        FILE *f = fopen(parts[i], "wb");
        memset(&xf[i].obj, 0, sizeof xf[i].obj);
        xf[i].obj.size = -1;
        if (!f || fclose(f) != 0) {
            kr_free(mixed);
            return kr_error_set(err, KR_EIO, "S3 GET s3://%s/%s: cannot create '%s': %s",
                                xf[i].bucket, xf[i].key, parts[i], strerror(errno));
        }
        if (xf[i].have_size && xf[i].size <= rsize)
            round_add(&r, xf, i, parts[i], 0, 0);
        else if (xf[i].have_size)
            add_ranges(&r, xf, i, parts[i], 0, xf[i].size, rsize);
        else
            round_add(&r, xf, i, parts[i], 0, rsize)->ok_416 = 1;
    }
    for (round = 0; round < 2 && rc == KR_OK && r.n > 0; round++) {
        struct fetch_round next;
        memset(&next, 0, sizeof next);
        rc = s3_exec(s3, r.ops, r.n, err);
        for (k = 0; rc == KR_OK && k < r.n; k++) {
            struct op *o = &r.ops[k];
            struct kr_s3_xfer *x = &xf[r.owner[k]];
            struct kr_s3_object got;
            if (o->resp.status == 416) {
                /* an empty object has no range: fetched whole */
                round_add(&next, xf, r.owner[k], parts[r.owner[k]], 0, 0);
                continue;
            }
            fill_object(&o->resp, &got);
            if (o->resp.status == 206)
                got.size = range_total(&o->resp);
            if (x->obj.size < 0) {
                x->obj = got;
                /* a first range of an object of unknown size: the rest now */
                if (o->ok_416 && o->resp.status == 206 && got.size > rsize)
                    add_ranges(&next, xf, r.owner[k], parts[r.owner[k]], rsize, got.size,
                               rsize);
            } else if (strcmp(x->obj.etag, got.etag) != 0 || x->obj.size != got.size) {
                mixed[r.owner[k]] = true;
            }
        }
        round_free(&r);
        r = next;
    }
    round_free(&r);
    for (i = 0; rc == KR_OK && i < n; i++) {
        if (!mixed[i])
            continue;
        /* two versions: nothing of this try may pass */
        FILE *f = fopen(parts[i], "wb");
        if (f)
            fclose(f);
    }
    kr_free(mixed);
    return rc;
}

int kr_s3_get(struct kr_s3 *s3, const char *bucket, const char *key, const char *dest,
              struct kr_s3_object *obj, struct kr_error *err)
{
    char *part = kr_asprintf("%s.part", dest);
    struct kr_s3_xfer x = {.bucket = bucket, .key = key, .file = dest};
    int rc, tries;

    for (tries = 0;; tries++) {
        char md5[33];
        int64_t size = 0;
        unlink(part);   /* parts are written into it: no byte of an earlier try may stay */
        rc = fetch_into(s3, &x, 1, &part, err);
        if (rc != KR_OK)
            break;
        if (md5_file(part, md5, &size) != 0) {
            rc = kr_error_set(err, KR_EIO, "S3 GET s3://%s/%s: cannot read back '%s': %s",
                              bucket, key, part, strerror(errno));
            break;
        }
        /* a plain (single-part) ETag is the MD5 of the content */
        if (size == x.obj.size && (strlen(x.obj.etag) != 32 || strcmp(md5, x.obj.etag) == 0))
            break;
        if (tries + 1 >= s3->max_attempts) {
            rc = kr_error_set(err, KR_EIO,
                              "S3 GET s3://%s/%s: the downloaded data does not match the "
                              "object's size/ETag after %d attempts; rerun", bucket, key,
                              tries + 1);
            break;
        }
        s3->stats.retries++;
    }
    if (rc == KR_OK && rename(part, dest) != 0)
        rc = kr_error_set(err, KR_EIO, "S3 GET s3://%s/%s: cannot rename '%s' to '%s': %s",
                          bucket, key, part, dest, strerror(errno));
    if (rc != KR_OK)
        unlink(part);
    else if (obj)
        *obj = x.obj;
    kr_free(part);
    return rc;
}

int kr_s3_get_many(struct kr_s3 *s3, struct kr_s3_xfer *xf, size_t n, struct kr_error *err)
{
    char **parts;
    size_t i;
    int rc;

    if (n == 0)
        return KR_OK;
    if (n == 1)
        return kr_s3_get(s3, xf[0].bucket, xf[0].key, xf[0].file, &xf[0].obj, err);
    parts = kr_calloc(n, sizeof *parts);
    for (i = 0; i < n; i++) {
        parts[i] = kr_asprintf("%s.part", xf[i].file);
        unlink(parts[i]);
    }
    rc = fetch_into(s3, xf, n, parts, err);
    for (i = 0; rc == KR_OK && i < n; i++) {
        char md5[33];
        int64_t size = -1;
        if (md5_file(parts[i], md5, &size) == 0 && size == xf[i].obj.size &&
            (strlen(xf[i].obj.etag) != 32 || strcmp(md5, xf[i].obj.etag) == 0)) {
            if (rename(parts[i], xf[i].file) != 0)
                rc = kr_error_set(err, KR_EIO, "S3 GET s3://%s/%s: cannot rename '%s' to "
                                  "'%s': %s", xf[i].bucket, xf[i].key, parts[i], xf[i].file,
                                  strerror(errno));
            continue;
        }
        /* damaged in transit: again on its own, with kr_s3_get's retries */
        rc = kr_s3_get(s3, xf[i].bucket, xf[i].key, xf[i].file, &xf[i].obj, err);
    }
    for (i = 0; i < n; i++) {
        unlink(parts[i]);
        kr_free(parts[i]);
    }
    kr_free(parts);
    return rc;
}

static int put_single(struct kr_s3 *s3, const char *bucket, const char *key, const char *src,
                      int64_t size, const char *mtime_hdr, struct kr_error *err)
{
    FILE *f = fopen(src, "rb");
    unsigned char md5[16];
    char *b64, *md5h, hex[33], etag[80];
    struct op o = {.method = "PUT", .bucket = bucket, .key = key, .upload_file = src,
                   .upload_len = size};
    int rc;
    if (!f)
        return kr_error_set(err, KR_EIO, "S3 PUT s3://%s/%s: cannot read '%s': %s", bucket, key,
                            src, strerror(errno));
    md5_file_range(f, size, md5, o.payload_sha);
    fclose(f);
    b64 = b64_16(md5);
    md5h = kr_asprintf("Content-MD5: %s", b64);
    o.extra[o.nextra++] = md5h;
    o.extra[o.nextra++] = mtime_hdr;
    rc = s3_exec(s3, &o, 1, err);
    if (rc == KR_OK) {
        char *e = kr_http_header(&o.resp, "ETag");
        strip_quotes(e, etag);
        kr_free(e);
        hex16(md5, hex);
        if (strlen(etag) == 32 && strcmp(etag, hex) != 0)
            rc = kr_error_set(err, KR_EIO,
                              "S3 PUT s3://%s/%s: the stored object's ETag %s is not the MD5 "
                              "of '%s' (%s); rerun", bucket, key, etag, src, hex);
    }
    ops_free(&o, 1);
    kr_free(b64);
    kr_free(md5h);
    return rc;
}

static void abort_multipart(struct kr_s3 *s3, const char *bucket, const char *key,
                            const char *eupload)
{
    struct op o = {.method = "DELETE", .bucket = bucket, .key = key, .ok_404 = 1};
    struct kr_error ignored;
    o.query = kr_asprintf("uploadId=%s", eupload);
    s3_exec(s3, &o, 1, &ignored); /* best effort: an unfinished upload is never visible */
    ops_free(&o, 1);
}

/* Record an initiated multipart upload in the journal directory (when
 * one is set): a file holding "BUCKET\nKEY\nUPLOADID\n", removed once the
 * upload is completed or aborted. What a killed process leaves there is
 * aborted by kr_s3_abort_journaled. Returns the file's path (kr_malloc'd)
 * or NULL (no journal, or it cannot be written: then nothing is recorded). */
static char *journal_add(struct kr_s3 *s3, const char *bucket, const char *key,
                         const char *upload)
{
    char *path;
    FILE *f;
    if (!s3->upload_journal || kr_mkdirs(s3->upload_journal, NULL) != KR_OK)
        return NULL;
    path = kr_asprintf("%s/%016llx.upload", s3->upload_journal,
                       (unsigned long long)kr_hash64(upload, strlen(upload)));
    f = fopen(path, "w");
    if (!f || fprintf(f, "%s\n%s\n%s\n", bucket, key, upload) < 0 || fclose(f) != 0) {
        unlink(path);
        kr_free(path);
        return NULL;
    }
    return path;
}

void kr_s3_set_upload_journal(struct kr_s3 *s3, const char *dir)
{
    if (s3->upload_journal && dir && !strcmp(s3->upload_journal, dir))
        return;
    kr_free(s3->upload_journal);
    s3->upload_journal = dir ? kr_strdup(dir) : NULL;
}

int kr_s3_abort_journaled(struct kr_s3 *s3, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    if (!d)
        return 0;
    while ((de = readdir(d))) {
        char *path, line[3][1024];
        FILE *f;
        int got = 0;
        if (!strstr(de->d_name, ".upload"))
            continue;
        path = kr_asprintf("%s/%s", dir, de->d_name);
        if ((f = fopen(path, "r"))) {
            while (got < 3 && fgets(line[got], sizeof line[got], f)) {
                line[got][strcspn(line[got], "\n")] = 0;
                got++;
            }
            fclose(f);
        }
        if (got == 3) {
            char *eupload = kr_aws_uri_encode(line[2], 0);
            abort_multipart(s3, line[0], line[1], eupload);
            kr_free(eupload);
            n++;
        }
        unlink(path);
        kr_free(path);
    }
    closedir(d);
    return n;
}

/* An initiated multipart upload: its id (raw and URI-encoded; eupload
 * emptied once there is nothing to abort) and its journal record. */
struct mpu {
    char *upload, *eupload, *journal;
};

/* CreateMultipartUpload of bucket/key (hdr: one more signed header, or
 * NULL), journaled (journal_add). KR_OK with *u filled, else KR_EIO. */
static int mpu_begin(struct kr_s3 *s3, const char *bucket, const char *key, const char *hdr,
                     struct mpu *u, struct kr_error *err)
{
    struct op init = {.method = "POST", .bucket = bucket, .key = key, .body = "", .body_len = 0};
    int rc;
    memset(u, 0, sizeof *u);
    kr_aws_sha256_hex("", 0, init.payload_sha);
    init.query = kr_strdup("uploads=");
    if (hdr)
        init.extra[init.nextra++] = hdr;
    if ((rc = s3_exec(s3, &init, 1, err)) == KR_OK) {
        const char *b = kr_buf_cstr(&init.resp.body);
        u->upload = xml_tag(b, b + init.resp.body.len, "UploadId", NULL);
        if (!u->upload)
            rc = kr_error_set(err, KR_EIO, "S3 POST s3://%s/%s?uploads: no UploadId in the "
                              "answer", bucket, key);
    }
    ops_free(&init, 1);
    if (rc != KR_OK)
        return rc;
    u->eupload = kr_aws_uri_encode(u->upload, 0);
    u->journal = journal_add(s3, bucket, key, u->upload);
    return KR_OK;
}

/* CompleteMultipartUpload with the <CompleteMultipartUpload> document xml
 * (an answer 200 with an <Error> body is a failure). On failure the upload
 * may still have completed (an answer lost, then the retry finds it gone):
 * the caller checks the object. */
static int mpu_complete(struct kr_s3 *s3, const char *bucket, const char *key,
                        const struct mpu *u, const struct kr_buf *xml, struct kr_error *err)
{
    struct op done = {.method = "POST", .bucket = bucket, .key = key};
    int rc;
    done.body = xml->data;
    done.body_len = xml->len;
    done.query = kr_asprintf("uploadId=%s", u->eupload);
    kr_aws_sha256_hex(xml->data, xml->len, done.payload_sha);
    rc = s3_exec(s3, &done, 1, err);
    if (rc == KR_OK && strstr(kr_buf_cstr(&done.resp.body), "<Error>")) {
        done.resp.status = 500;
        rc = op_error(s3, &done, 1, err);
    }
    ops_free(&done, 1);
    return rc;
}

/* After the upload: aborted when rc is a failure (unless completed
 * meanwhile: eupload emptied), its journal record removed, *u freed. */
static void mpu_end(struct kr_s3 *s3, const char *bucket, const char *key, struct mpu *u, int rc)
{
    if (rc != KR_OK && u->eupload && u->eupload[0])
        abort_multipart(s3, bucket, key, u->eupload);
    if (u->journal) {
        unlink(u->journal);     /* completed or aborted: nothing left to clean up */
        kr_free(u->journal);
    }
    kr_free(u->upload);
    kr_free(u->eupload);
    memset(u, 0, sizeof *u);
}

static int put_multipart(struct kr_s3 *s3, const char *bucket, const char *key, const char *src,
                         int64_t size, const char *mtime_hdr, struct kr_error *err)
{
    size_t nparts = (size_t)((size + s3->part_size - 1) / s3->part_size), i;
    struct op *parts = NULL;
    char **md5h = NULL;
    struct kr_buf xml = KR_BUF_INIT;
    struct mpu u;
    int rc;
    FILE *f = NULL;

    if ((rc = mpu_begin(s3, bucket, key, mtime_hdr, &u, err)) != KR_OK)
        goto out;
    parts = kr_calloc(nparts, sizeof *parts);
    md5h = kr_calloc(nparts, sizeof *md5h);
    if (!(f = fopen(src, "rb"))) {
        rc = kr_error_set(err, KR_EIO, "S3 PUT s3://%s/%s: cannot read '%s': %s", bucket, key,
                          src, strerror(errno));
        goto out;
    }
    for (i = 0; i < nparts; i++) {
        struct op *p = &parts[i];
        unsigned char md5[16];
        char *b64;
        p->method = "PUT";
        p->bucket = bucket;
        p->key = key;
        p->upload_file = src;
        p->upload_off = (int64_t)i * s3->part_size;
        p->upload_len = size - p->upload_off < s3->part_size ? size - p->upload_off
                                                             : s3->part_size;
        p->query = kr_asprintf("partNumber=%zu&uploadId=%s", i + 1, u.eupload);
        md5_file_range(f, p->upload_len, md5, p->payload_sha);
        b64 = b64_16(md5);
        md5h[i] = kr_asprintf("Content-MD5: %s", b64);
        kr_free(b64);
        p->extra[p->nextra++] = md5h[i];
    }
    if ((rc = s3_exec(s3, parts, nparts, err)) != KR_OK)
        goto out;
    kr_buf_puts(&xml, "<CompleteMultipartUpload>");
    for (i = 0; i < nparts; i++) {
        char *e = kr_http_header(&parts[i].resp, "ETag");
        kr_buf_printf(&xml, "<Part><PartNumber>%zu</PartNumber><ETag>%s</ETag></Part>", i + 1,
                      e ? e : "");
        kr_free(e);
    }
    kr_buf_puts(&xml, "</CompleteMultipartUpload>");
    if ((rc = mpu_complete(s3, bucket, key, &u, &xml, err)) != KR_OK) {
        /* a Complete that succeeded but whose answer was lost makes the
         * retry fail (the upload is gone): accept the object when it is
         * ours, i.e. has our size and our mtime metadata */
        struct kr_s3_object obj;
        int exists = 0;
        struct kr_error herr;
        char mt[64];
        snprintf(mt, sizeof mt, "%s", strchr(mtime_hdr, ':') + 2);
        if (kr_s3_head(s3, bucket, key, &obj, &exists, &herr) == KR_OK && exists &&
            obj.size == size && obj.has_krait_mtime) {
            int ok;
            if (parse_krait_mtime(mt, &ok) == obj.mtime_ns && ok) {
                kr_error_clear(err);
                rc = KR_OK;
            }
        }
    }
out:
    mpu_end(s3, bucket, key, &u, rc);
    if (f)
        fclose(f);
    if (parts) {
        ops_free(parts, nparts);
        for (i = 0; i < nparts; i++)
            kr_free(md5h[i]);
    }
    kr_free(parts);
    kr_free(md5h);
    kr_buf_free(&xml);
    return rc;
}

int kr_s3_put(struct kr_s3 *s3, const char *bucket, const char *key, const char *src,
              struct kr_error *err)
{
    struct stat st;
    char *mtime_hdr;
    int rc;
    if (stat(src, &st) != 0)
        return kr_error_set(err, KR_EIO, "S3 PUT s3://%s/%s: cannot stat '%s': %s", bucket, key,
                            src, strerror(errno));
    mtime_hdr = kr_asprintf("x-amz-meta-krait-mtime: %lld.%09ld", (long long)st.st_mtim.tv_sec,
                            (long)st.st_mtim.tv_nsec);
    if (st.st_size > s3->multipart_threshold)
        rc = put_multipart(s3, bucket, key, src, st.st_size, mtime_hdr, err);
    else
        rc = put_single(s3, bucket, key, src, st.st_size, mtime_hdr, err);
    kr_free(mtime_hdr);
    return rc;
}

int kr_s3_put_many(struct kr_s3 *s3, struct kr_s3_xfer *xf, size_t n, struct kr_error *err)
{
    struct op *ops = kr_calloc(n ? n : 1, sizeof *ops);
    char **hdrs = kr_calloc(2 * n + 1, sizeof *hdrs);
    unsigned char (*md5)[16] = kr_calloc(n ? n : 1, sizeof *md5);
    size_t i, m = 0, *idx = kr_calloc(n ? n : 1, sizeof *idx);
    int rc = KR_OK;

    /* stat each file; the large ones go one by one (their parts in parallel) */
    for (i = 0; i < n && rc == KR_OK; i++) {
        struct stat st;
        FILE *f;
        char *b64;
        memset(&xf[i].obj, 0, sizeof xf[i].obj);
        if (stat(xf[i].file, &st) != 0) {
            rc = kr_error_set(err, KR_EIO, "S3 PUT s3://%s/%s: cannot stat '%s': %s",
                              xf[i].bucket, xf[i].key, xf[i].file, strerror(errno));
            break;
        }
        xf[i].obj.size = st.st_size;
        xf[i].obj.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        xf[i].obj.has_krait_mtime = 1;
        if (st.st_size > s3->multipart_threshold) {
            int exists = 0;
            rc = kr_s3_put(s3, xf[i].bucket, xf[i].key, xf[i].file, err);
            if (rc == KR_OK)    /* a multipart ETag is not the MD5: ask for it */
                rc = kr_s3_head(s3, xf[i].bucket, xf[i].key, &xf[i].obj, &exists, err);
            if (rc == KR_OK && !exists)
                rc = kr_error_set(err, KR_EIO, "S3 HEAD s3://%s/%s: the object is missing "
                                  "right after its upload succeeded; check the bucket's "
                                  "lifecycle rules and rerun", xf[i].bucket, xf[i].key);
            continue;
        }
        if (!(f = fopen(xf[i].file, "rb"))) {
            rc = kr_error_set(err, KR_EIO, "S3 PUT s3://%s/%s: cannot read '%s': %s",
                              xf[i].bucket, xf[i].key, xf[i].file, strerror(errno));
            break;
        }
        ops[m] = (struct op){.method = "PUT", .bucket = xf[i].bucket, .key = xf[i].key,
                             .upload_file = xf[i].file, .upload_len = st.st_size};
        md5_file_range(f, st.st_size, md5[m], ops[m].payload_sha);
        fclose(f);
        b64 = b64_16(md5[m]);
        hdrs[2 * m] = kr_asprintf("Content-MD5: %s", b64);
        kr_free(b64);
        hdrs[2 * m + 1] = kr_asprintf("x-amz-meta-krait-mtime: %lld.%09ld",
                                      (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
        ops[m].extra[ops[m].nextra++] = hdrs[2 * m];
        ops[m].extra[ops[m].nextra++] = hdrs[2 * m + 1];
        idx[m++] = i;
    }
    if (rc == KR_OK && m > 0)
        rc = s3_exec(s3, ops, m, err);
    for (i = 0; rc == KR_OK && i < m; i++) {
        struct kr_s3_xfer *x = &xf[idx[i]];
        char *e = kr_http_header(&ops[i].resp, "ETag"), hex[33];
        strip_quotes(e, x->obj.etag);
        kr_free(e);
        hex16(md5[i], hex);
        if (strlen(x->obj.etag) == 32 && strcmp(x->obj.etag, hex) != 0)
            rc = kr_error_set(err, KR_EIO, "S3 PUT s3://%s/%s: the stored object's ETag %s is "
                              "not the MD5 of '%s' (%s); rerun", x->bucket, x->key,
                              x->obj.etag, x->file, hex);
        else if (!x->obj.etag[0])
            snprintf(x->obj.etag, sizeof x->obj.etag, "%s", hex);
    }
    ops_free(ops, m);
    for (i = 0; i < 2 * n; i++)
        kr_free(hdrs[i]);
    kr_free(hdrs);
    kr_free(ops);
    kr_free(md5);
    kr_free(idx);
    return rc;
}

int kr_s3_delete(struct kr_s3 *s3, const char *bucket, const char *key, struct kr_error *err)
{
    struct op o = {.method = "DELETE", .bucket = bucket, .key = key, .ok_404 = 1};
    int rc = s3_exec(s3, &o, 1, err);
    ops_free(&o, 1);
    return rc;
}

/* ---- assembling uploaded parts (UploadPartCopy) ---------------------------- */

int kr_s3_compose(struct kr_s3 *s3, const char *bucket, const char *key,
                  const struct kr_s3_object *parts, size_t nparts, struct kr_error *err)
{
    struct op *cp = NULL;
    char **src = NULL, **match = NULL;
    struct kr_buf xml = KR_BUF_INIT;
    struct mpu u;
    int64_t total = 0;
    size_t i;
    int rc;

    memset(&u, 0, sizeof u);
    if (nparts == 0 || nparts > 10000)
        return kr_error_set(err, KR_EUSAGE, "S3 assembling s3://%s/%s: %zu parts (S3 takes "
                            "1 to 10000)", bucket, key, nparts);
    if ((rc = mpu_begin(s3, bucket, key, NULL, &u, err)) != KR_OK)
        goto out;
    cp = kr_calloc(nparts, sizeof *cp);
    src = kr_calloc(nparts, sizeof *src);
    match = kr_calloc(nparts, sizeof *match);
    for (i = 0; i < nparts; i++) {
        struct op *p = &cp[i];
        char *ek = kr_aws_uri_encode(parts[i].key, 1);
        p->method = "PUT";
        p->bucket = bucket;
        p->key = key;
        p->query = kr_asprintf("partNumber=%zu&uploadId=%s", i + 1, u.eupload);
        kr_aws_sha256_hex("", 0, p->payload_sha);
        src[i] = kr_asprintf("x-amz-copy-source: /%s/%s", bucket, ek);
        /* the part as listed, not one replaced meanwhile */
        match[i] = kr_asprintf("x-amz-copy-source-if-match: \"%s\"", parts[i].etag);
        p->extra[p->nextra++] = src[i];
        p->extra[p->nextra++] = match[i];
        kr_free(ek);
        total += parts[i].size;
    }
    if ((rc = s3_exec(s3, cp, nparts, err)) != KR_OK)
        goto out;
    kr_buf_puts(&xml, "<CompleteMultipartUpload>");
    for (i = 0; i < nparts; i++) {
        /* UploadPartCopy answers 200 with <CopyPartResult><ETag> (or an <Error>) */
        const char *b = kr_buf_cstr(&cp[i].resp.body);
        char *e = xml_tag(b, b + cp[i].resp.body.len, "ETag", NULL);
        if (!e || strstr(b, "<Error>")) {
            kr_free(e);
            cp[i].resp.status = 500;
            rc = op_error(s3, &cp[i], 1, err);
            goto out;
        }
        kr_buf_printf(&xml, "<Part><PartNumber>%zu</PartNumber><ETag>%s</ETag></Part>", i + 1, e);
        kr_free(e);
    }
    kr_buf_puts(&xml, "</CompleteMultipartUpload>");
    if ((rc = mpu_complete(s3, bucket, key, &u, &xml, err)) != KR_OK) {
        /* a Complete whose answer was lost fails on its retry (the upload is
         * gone): accept the object when it is this assembly (its size, and
         * a multipart ETag "...-N" of as many parts) */
        struct kr_s3_object obj;
        struct kr_error herr;
        char suffix[24];
        int exists = 0;
        snprintf(suffix, sizeof suffix, "-%zu", nparts);
        if (kr_s3_head(s3, bucket, key, &obj, &exists, &herr) == KR_OK && exists &&
            obj.size == total && strlen(obj.etag) > strlen(suffix) &&
            strcmp(obj.etag + strlen(obj.etag) - strlen(suffix), suffix) == 0) {
            kr_error_clear(err);
            rc = KR_OK;
        }
    }
out:
    mpu_end(s3, bucket, key, &u, rc);
    if (cp) {
        ops_free(cp, nparts);
        for (i = 0; i < nparts; i++) {
            kr_free(src[i]);
            kr_free(match[i]);
        }
    }
    kr_free(cp);
    kr_free(src);
    kr_free(match);
    kr_buf_free(&xml);
    return rc;
}

int kr_s3_delete_many(struct kr_s3 *s3, const char *bucket, const char *const *keys, size_t n,
                      struct kr_error *err)
{
    struct op *ops = kr_calloc(n ? n : 1, sizeof *ops);
    size_t i;
    int rc;
    for (i = 0; i < n; i++) {
        ops[i].method = "DELETE";
        ops[i].bucket = bucket;
        ops[i].key = keys[i];
        ops[i].ok_404 = 1;
        kr_aws_sha256_hex("", 0, ops[i].payload_sha);
    }
    rc = s3_exec(s3, ops, n, err);
    ops_free(ops, n);
    kr_free(ops);
    return rc;
}

void kr_s3_objects_free(struct kr_s3_object *objs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kr_free(objs[i].key);
    kr_free(objs);
}

int kr_s3_list(struct kr_s3 *s3, const char *bucket, const char *prefix,
               struct kr_s3_object **objs, size_t *n, struct kr_error *err)
{
    struct kr_s3_object *out = NULL;
    size_t cnt = 0, cap = 0;
    char *token = NULL, *eprefix = kr_aws_uri_encode(prefix ? prefix : "", 0);
    int rc = KR_OK;

    do {
        struct op o = {.method = "GET", .bucket = bucket};
        const char *b, *end, *p;
        char *trunc, mk[32] = "";
        if (s3->list_page)
            snprintf(mk, sizeof mk, "&max-keys=%d", s3->list_page);
        if (token) {
            char *et = kr_aws_uri_encode(token, 0);
            o.query = kr_asprintf("continuation-token=%s&list-type=2%s&prefix=%s", et, mk,
                                  eprefix);
            kr_free(et);
        } else {
            o.query = kr_asprintf("list-type=2%s&prefix=%s", mk, eprefix);
        }
        kr_free(token);
        token = NULL;
        rc = s3_exec(s3, &o, 1, err);
        if (rc != KR_OK) {
            ops_free(&o, 1);
            break;
        }
        b = p = kr_buf_cstr(&o.resp.body);
        end = b + o.resp.body.len;
        for (;;) {
            const char *after;
            char *c = xml_tag(p, end, "Contents", &after), *v;
            if (!c)
                break;
            if (cnt == cap) {
                cap = cap ? 2 * cap : 256;
                out = kr_realloc(out, cap * sizeof *out);
            }
            memset(&out[cnt], 0, sizeof out[cnt]);
            out[cnt].key = xml_tag(c, c + strlen(c), "Key", NULL);
            if ((v = xml_tag(c, c + strlen(c), "Size", NULL)))
                out[cnt].size = strtoll(v, NULL, 10);
            kr_free(v);
            v = xml_tag(c, c + strlen(c), "ETag", NULL);
            strip_quotes(v, out[cnt].etag);
            kr_free(v);
            v = xml_tag(c, c + strlen(c), "LastModified", NULL);
            out[cnt].mtime_ns = parse_iso_date(v);
            kr_free(v);
            kr_free(c);
            if (out[cnt].key)
                cnt++;
            p = after;
        }
        trunc = xml_tag(b, end, "IsTruncated", NULL);
        if (trunc && strcmp(trunc, "true") == 0)
            token = xml_tag(b, end, "NextContinuationToken", NULL);
        kr_free(trunc);
        ops_free(&o, 1);
    } while (token);
    kr_free(eprefix);
    if (rc != KR_OK) {
        kr_s3_objects_free(out, cnt);
        return rc;
    }
    *objs = out;
    *n = cnt;
    return KR_OK;
}

void kr_s3_presign_post(struct kr_s3 *s3, const char *bucket, const char *prefix, long expires,
                        struct kr_s3_post *out)
{
    time_t now = time(NULL) + s3->clock_offset, until = now + expires;
    struct tm tm;
    char amz[17], exp[32], sig[65];
    json_t *doc, *cond;
    char *js;
    unsigned char *b64;
    size_t n;

    memset(out, 0, sizeof *out);
    kr_aws_amz_date(now, amz);
    gmtime_r(&until, &tm);
    strftime(exp, sizeof exp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    out->amz_date = kr_strdup(amz);
    out->credential = kr_asprintf("%s/%.8s/%s/s3/aws4_request", s3->creds.access_key, amz,
                                  s3->region);
    out->url = kr_asprintf("%s/%s", s3->endpoint, bucket);
    if (s3->creds.session_token)
        out->token = kr_strdup(s3->creds.session_token);
    cond = json_array();
    json_array_append_new(cond, json_pack("{s:s}", "bucket", bucket));
    json_array_append_new(cond, json_pack("[s,s,s]", "starts-with", "$key", prefix));
    json_array_append_new(cond, json_pack("{s:s}", "x-amz-algorithm", "AWS4-HMAC-SHA256"));
    json_array_append_new(cond, json_pack("{s:s}", "x-amz-credential", out->credential));
    json_array_append_new(cond, json_pack("{s:s}", "x-amz-date", amz));
    json_array_append_new(cond, json_pack("[s,i,I]", "content-length-range", 0,
                                          (json_int_t)5368709120LL));
    if (out->token)
        json_array_append_new(cond, json_pack("{s:s}", "x-amz-security-token", out->token));
    doc = json_pack("{s:s,s:o}", "expiration", exp, "conditions", cond);
    js = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    n = strlen(js);
    b64 = kr_malloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock(b64, (const unsigned char *)js, (int)n);
    memset(js, 0, n);
    free(js);   /* jansson's allocation */
    out->policy = (char *)b64;
    kr_aws_sign_policy(&s3->creds, s3->region, "s3", amz, out->policy, sig);
    out->signature = kr_strdup(sig);
    memset(sig, 0, sizeof sig);
}

static void wipe_str(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        kr_free(s);
    }
}

void kr_s3_post_free(struct kr_s3_post *p)
{
    kr_free(p->url);
    wipe_str(p->policy);
    kr_free(p->credential);
    kr_free(p->amz_date);
    wipe_str(p->signature);
    wipe_str(p->token);
    memset(p, 0, sizeof *p);
}

char *kr_s3_presign(struct kr_s3 *s3, const char *method, const char *bucket, const char *key,
                    long expires)
{
    char amz[17], *path = object_path(bucket, key), *url;
    kr_aws_amz_date(time(NULL) + s3->clock_offset, amz);
    url = kr_aws_presign(&s3->creds, s3->region, "s3", method, s3->endpoint, path, expires, amz);
    kr_free(path);
    return url;
}
