/*
 * http.c - the HTTP layer (see http.h): a bounded pool of libcurl easy
 * handles driven by one multi handle. Each transfer keeps its own small
 * state (body source, download file) in a struct xfer.
 */
#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <strings.h>

struct xfer {
    const struct kr_http_req *req;
    struct kr_http_resp *resp;
    CURL *h;
    struct curl_slist *hdrs;
    FILE *in;                   /* upload_file, positioned at upload_off */
    int64_t in_left;
    size_t mem_off;             /* position in req->body */
    FILE *out;                  /* download_file, opened on the first 2xx byte */
    int out_failed;
};

int kr_http_global_init(struct kr_error *err)
{
    static int done;
    if (done)
        return KR_OK;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return kr_error_set(err, KR_EIO, "cannot initialise libcurl");
    done = 1;
    return KR_OK;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
    struct xfer *x = ud;
    size_t want = size * nitems;
    if (x->in) {
        size_t n;
        if ((int64_t)want > x->in_left)
            want = (size_t)x->in_left;
        n = want ? fread(buf, 1, want, x->in) : 0;
        if (n < want && ferror(x->in))
            return CURL_READFUNC_ABORT;
        x->in_left -= (int64_t)n;
        return n;
    }
    if (x->req->body) {
        size_t left = x->req->body_len - x->mem_off;
        if (want > left)
            want = left;
        memcpy(buf, x->req->body + x->mem_off, want);
        x->mem_off += want;
        return want;
    }
    return 0;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    long code = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
    if (x->req->download_file && code >= 200 && code < 300) {
        if (!x->out && !x->out_failed) {
            if (x->req->download_into) {
                int fd = open(x->req->download_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                x->out = fd >= 0 ? fdopen(fd, "wb") : NULL;
                if (fd >= 0 && !x->out)
                    close(fd);
                if (x->out && fseeko(x->out, (off_t)x->req->download_off, SEEK_SET) != 0) {
                    fclose(x->out);
                    x->out = NULL;
                }
            } else {
                x->out = fopen(x->req->download_file, "wb");
            }
            if (!x->out)
                x->out_failed = 1;
        }
        if (!x->out || fwrite(ptr, 1, n, x->out) != n)
            return 0; /* aborts with CURLE_WRITE_ERROR */
        x->resp->downloaded += (int64_t)n;
        return n;
    }
    kr_buf_append(&x->resp->body, ptr, n);
    return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    /* a new status line (after a redirect or 100-continue) starts over */
    if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
        kr_buf_reset(&x->resp->headers);
    kr_buf_append(&x->resp->headers, ptr, n);
    return n;
}

/* A PEM text as a curl blob (copied by libcurl). */
static void set_blob(CURL *h, CURLoption opt, const char *pem)
{
    struct curl_blob b;
    b.data = (void *)pem;
    b.len = strlen(pem);
    b.flags = CURL_BLOB_COPY;
    curl_easy_setopt(h, opt, &b);
}

static void tls_setup(CURL *h, const struct kr_http_tls *t)
{
    if (t->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, t->ca_file);
    else if (t->ca_pem)
        set_blob(h, CURLOPT_CAINFO_BLOB, t->ca_pem);
    if (t->cert_file)
        curl_easy_setopt(h, CURLOPT_SSLCERT, t->cert_file);
    else if (t->cert_pem)
        set_blob(h, CURLOPT_SSLCERT_BLOB, t->cert_pem);
    if (t->key_file)
        curl_easy_setopt(h, CURLOPT_SSLKEY, t->key_file);
    else if (t->key_pem)
        set_blob(h, CURLOPT_SSLKEY_BLOB, t->key_pem);
    if (t->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

static int xfer_setup(struct xfer *x, struct kr_error *err)
{
    const struct kr_http_req *r = x->req;
    CURL *h = curl_easy_init();
    if (!h)
        return kr_error_set(err, KR_EIO, "cannot create a libcurl handle");
    x->h = h;
    for (size_t i = 0; i < r->nheaders; i++)
        x->hdrs = curl_slist_append(x->hdrs, r->headers[i]);
    x->hdrs = curl_slist_append(x->hdrs, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, r->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);   /* a stalled server ... */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);   /* ... is an error after 60 s */
    if (r->timeout_s > 0)
        curl_easy_setopt(h, CURLOPT_TIMEOUT, r->timeout_s);
    curl_easy_setopt(h, CURLOPT_PRIVATE, x);
    if (r->tls)
        tls_setup(h, r->tls);
    if (strcmp(r->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (r->upload_file || r->body || strcmp(r->method, "PUT") == 0 ||
               strcmp(r->method, "POST") == 0) {
        int64_t len = (int64_t)r->body_len;
        if (r->upload_file) {
            x->in = fopen(r->upload_file, "rb");
            if (!x->in || fseeko(x->in, (off_t)r->upload_off, SEEK_SET) != 0)
                return kr_error_set(err, KR_EIO, "cannot read '%s' to upload: %s",
                                    r->upload_file, strerror(errno));
            len = x->in_left = r->upload_len;
        }
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, x);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
        if (strcmp(r->method, "PUT") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
    } else if (strcmp(r->method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
    }
    return KR_OK;
}

static void xfer_finish(struct xfer *x, CURLcode rc)
{
    struct kr_http_resp *resp = x->resp;
    long code = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
    if (x->out && fclose(x->out) != 0 && rc == CURLE_OK)
        rc = CURLE_WRITE_ERROR;
    x->out = NULL;
    /* a 2xx download that never wrote a byte still creates an (empty) file */
    if (rc == CURLE_OK && x->req->download_file && !x->req->download_into && code >= 200 &&
        code < 300 && !resp->downloaded) {
        FILE *f = fopen(x->req->download_file, "wb");
        if (!f || fclose(f) != 0)
            rc = CURLE_WRITE_ERROR;
    }
    if (rc != CURLE_OK) {
        resp->status = 0;
        resp->transport_error = (int)rc;
        snprintf(resp->transport_msg, sizeof resp->transport_msg, "%s",
                 x->out_failed ? "cannot create the download file" : curl_easy_strerror(rc));
    } else {
        resp->status = code;
    }
    if (x->in)
        fclose(x->in);
    x->in = NULL;
    curl_slist_free_all(x->hdrs);
    x->hdrs = NULL;
    curl_easy_cleanup(x->h);
    x->h = NULL;
}

struct kr_http_pool {
    CURLM *m;
};

int kr_http_pool_new(struct kr_http_pool **out, struct kr_error *err)
{
    int rc;
    *out = NULL;
    if ((rc = kr_http_global_init(err)) != KR_OK)
        return rc;
    *out = kr_calloc(1, sizeof **out);
    (*out)->m = curl_multi_init();
    if (!(*out)->m) {
        kr_free(*out);
        *out = NULL;
        return kr_error_set(err, KR_EIO, "cannot create a libcurl multi handle");
    }
    return KR_OK;
}

void kr_http_pool_free(struct kr_http_pool *p)
{
    if (!p)
        return;
    curl_multi_cleanup(p->m);
    kr_free(p);
}

int kr_http_run(const struct kr_http_req *reqs, struct kr_http_resp *resps, size_t n,
                int max_parallel, struct kr_error *err)
{
    return kr_http_run_in(NULL, reqs, resps, n, max_parallel, err);
}

int kr_http_run_in(struct kr_http_pool *pool, const struct kr_http_req *reqs,
                   struct kr_http_resp *resps, size_t n, int max_parallel,
                   struct kr_error *err)
{
    return kr_http_run_metered(pool, reqs, resps, n, max_parallel, NULL, err);
}

/* The bytes moved so far by the batch's requests xs[0..started) (finished
 * or in flight) into *done, the known sizes into *total. */
static void measure(const struct xfer *xs, size_t started, int64_t *done, int64_t *total)
{
    size_t i;
    *done = *total = 0;
    for (i = 0; i < started; i++) {
        const struct xfer *x = &xs[i];
        const struct kr_http_req *r = x->req;
        curl_off_t up = 0, down = 0, clen = -1;
        if (r->upload_file)
            *total += r->upload_len;
        else if (r->body)
            *total += (int64_t)r->body_len;
        if (x->h) {
            curl_easy_getinfo(x->h, CURLINFO_SIZE_UPLOAD_T, &up);
            curl_easy_getinfo(x->h, CURLINFO_SIZE_DOWNLOAD_T, &down);
            curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
            *done += (int64_t)up + (int64_t)down;
            if (clen > 0)
                *total += (int64_t)clen;
        } else {
            /* finished: what its request sent and its answer brought */
            if (x->resp->status >= 200 && x->resp->status < 300 && r->upload_file)
                *done += r->upload_len;
            else if (x->resp->status >= 200 && x->resp->status < 300 && r->body)
                *done += (int64_t)r->body_len;
            *done += x->resp->downloaded + (int64_t)x->resp->body.len;
            *total += x->resp->downloaded + (int64_t)x->resp->body.len;
        }
    }
}

int kr_http_run_metered(struct kr_http_pool *pool, const struct kr_http_req *reqs,
                        struct kr_http_resp *resps, size_t n, int max_parallel,
                        const struct kr_http_meter *meter, struct kr_error *err)
{
    struct xfer *xs;
    CURLM *m;
    size_t next = 0, active = 0;
    int rc = KR_OK;
    double t0 = kr_now(), last = 0;
    bool metered = false;

    if (n == 0)
        return KR_OK;
    if ((rc = kr_http_global_init(err)) != KR_OK)
        return rc;
    if (max_parallel < 1)
        max_parallel = 1;
    m = pool ? pool->m : curl_multi_init();
    if (!m)
        return kr_error_set(err, KR_EIO, "cannot create a libcurl multi handle");
    xs = kr_calloc(n, sizeof *xs);
    while (next < n || active > 0) {
        int running, left;
        CURLMsg *msg;
        while (next < n && active < (size_t)max_parallel) {
            struct xfer *x = &xs[next];
            x->req = &reqs[next];
            x->resp = &resps[next];
            next++;
            if ((rc = xfer_setup(x, err)) != KR_OK) {
                if (x->h)
                    xfer_finish(x, CURLE_READ_ERROR);
                goto out;
            }
            curl_multi_add_handle(m, x->h);
            active++;
        }
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left))) {
            struct xfer *x = NULL;
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            curl_multi_remove_handle(m, x->h);
            xfer_finish(x, msg->data.result);
            active--;
        }
        if (meter && meter->fn && kr_now() - t0 >= 1.0 && kr_now() - last >= 0.25) {
            int64_t done, total;
            measure(xs, next, &done, &total);
            meter->fn(meter->ud, done, total);
            last = kr_now();
            metered = true;
        }
        if (active > 0)
            curl_multi_poll(m, NULL, 0, 200, NULL);
    }
    if (metered) {
        int64_t done, total;
        measure(xs, next, &done, &total);
        meter->fn(meter->ud, done, total);
    }
out:
    for (size_t i = 0; i < n; i++) {
        if (xs[i].h) {
            curl_multi_remove_handle(m, xs[i].h);
            xfer_finish(&xs[i], CURLE_ABORTED_BY_CALLBACK);
        }
    }
    if (!pool)
        curl_multi_cleanup(m);
    kr_free(xs);
    return rc;
}

char *kr_http_header(const struct kr_http_resp *r, const char *name)
{
    size_t nl = strlen(name);
    const char *p = r->headers.data;
    if (!p)
        return NULL;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl + 1, *e = p + len;
            while (v < e && (*v == ' ' || *v == '\t'))
                v++;
            while (e > v && (e[-1] == '\r' || e[-1] == ' '))
                e--;
            return kr_strndup(v, (size_t)(e - v));
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return NULL;
}

void kr_http_resp_free(struct kr_http_resp *r)
{
    kr_buf_free(&r->body);
    kr_buf_free(&r->headers);
    memset(r, 0, sizeof *r);
}
