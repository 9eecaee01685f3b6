/*
 * aws.c - AWS credentials, region and Signature Version 4 (see aws.h).
 * Signing follows the SigV4 specification: canonical request -> string to
 * sign -> signing key derived from the secret by four HMAC-SHA256 rounds ->
 * hex signature. HMAC and SHA-256 come from libcrypto. Checked in
 * tests/unit/test_aws.c against AWS's published vectors and in
 * tests/e2e/t1200-aws-sigv4-botocore.sh against botocore. The retry
 * decision at the end is the one S3 and Batch share.
 */
#include "aws.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- credentials ------------------------------------------------------- */

static void wipe_free(char *s)
{
    if (!s)
        return;
    volatile char *p = s;
    while (*p)
        *p++ = 0;
    kr_free(s);
}

void kr_aws_creds_free(struct kr_aws_creds *c)
{
    if (!c)
        return;
    wipe_free(c->access_key);
    wipe_free(c->secret_key);
    wipe_free(c->session_token);
    c->access_key = c->secret_key = c->session_token = NULL;
}

static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* The path of a shared file: $envname, else ~/.aws/<base>. kr_malloc'd or NULL. */
static char *aws_file(const char *envname, const char *base)
{
    const char *v = env_nonempty(envname), *home = env_nonempty("HOME");
    if (v)
        return kr_strdup(v);
    if (!home)
        return NULL;
    return kr_asprintf("%s/.aws/%s", home, base);
}

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = 0;
    return s;
}

/*
 * Look up key in section `section` of the INI file at path (AWS's format:
 * "[name]" headers, "key = value" lines, '#' or ';' comments). Returns a
 * kr_malloc'd value or NULL when the file, section or key is absent.
 */
static char *ini_get(const char *path, const char *section, const char *key)
{
    FILE *f = fopen(path, "r");
    char line[4096], *val = NULL;
    int in = 0;
    if (!f)
        return NULL;
    while (fgets(line, sizeof line, f)) {
        char *s = trim(line), *eq;
        if (*s == '#' || *s == ';' || !*s)
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (end) {
                *end = 0;
                in = strcmp(trim(s + 1), section) == 0;
            }
            continue;
        }
        if (!in || !(eq = strchr(s, '=')))
            continue;
        *eq = 0;
        if (strcmp(trim(s), key) == 0) {
            kr_free(val);
            val = kr_strdup(trim(eq + 1));
        }
    }
    fclose(f);
    if (val && !*val) {
        kr_free(val);
        val = NULL;
    }
    return val;
}

static const char *profile_name(void)
{
    const char *p = env_nonempty("AWS_PROFILE");
    return p ? p : "default";
}

/* The config file names a profile "[profile X]" except "[default]". */
static char *config_section(const char *profile)
{
    return strcmp(profile, "default") == 0 ? kr_strdup("default")
                                           : kr_asprintf("profile %s", profile);
}

static int creds_from_ini(struct kr_aws_creds *c, const char *path, const char *section,
                          const char *profile)
{
    char *ak = ini_get(path, section, "aws_access_key_id");
    char *sk = ak ? ini_get(path, section, "aws_secret_access_key") : NULL;
    if (!ak || !sk) {
        wipe_free(ak);
        wipe_free(sk);
        return 0;
    }
    c->access_key = ak;
    c->secret_key = sk;
    c->session_token = ini_get(path, section, "aws_session_token");
    snprintf(c->source, sizeof c->source, "profile '%s' in %s", profile, path);
    return 1;
}

int kr_aws_creds_load(struct kr_aws_creds *c, struct kr_error *err)
{
    const char *ak = env_nonempty("AWS_ACCESS_KEY_ID");
    const char *sk = env_nonempty("AWS_SECRET_ACCESS_KEY");
    const char *profile = profile_name();
    char *cred_path, *conf_path, *section;
    int found = 0;

    if (ak && sk) {
        const char *tok = env_nonempty("AWS_SESSION_TOKEN");
        c->access_key = kr_strdup(ak);
        c->secret_key = kr_strdup(sk);
        c->session_token = tok ? kr_strdup(tok) : NULL;
        snprintf(c->source, sizeof c->source, "the environment");
        return KR_OK;
    }
    if (ak || sk)
        return kr_error_set(err, KR_EUSAGE,
                            "AWS credentials: %s is set but %s is not; set both (or neither, "
                            "to use ~/.aws/credentials)",
                            ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                            ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    cred_path = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    conf_path = aws_file("AWS_CONFIG_FILE", "config");
    section = config_section(profile);
    if (cred_path)
        found = creds_from_ini(c, cred_path, profile, profile);
    if (!found && conf_path)
        found = creds_from_ini(c, conf_path, section, profile);
    if (!found)
        kr_error_set(err, KR_EUSAGE,
                     "no AWS credentials: not in the environment (AWS_ACCESS_KEY_ID, "
                     "AWS_SECRET_ACCESS_KEY) nor for profile '%s' in %s or %s; set them or "
                     "choose a profile with AWS_PROFILE",
                     profile, cred_path ? cred_path : "~/.aws/credentials",
                     conf_path ? conf_path : "~/.aws/config");
    kr_free(cred_path);
    kr_free(conf_path);
    kr_free(section);
    return found ? KR_OK : KR_EUSAGE;
}

char *kr_aws_region(void)
{
    const char *r = env_nonempty("AWS_REGION");
    char *conf, *section, *v = NULL;
    if (!r)
        r = env_nonempty("AWS_DEFAULT_REGION");
    if (r)
        return kr_strdup(r);
    conf = aws_file("AWS_CONFIG_FILE", "config");
    section = config_section(profile_name());
    if (conf)
        v = ini_get(conf, section, "region");
    kr_free(conf);
    kr_free(section);
    return v ? v : kr_strdup("us-east-1");
}

/* ---- hashing helpers ---------------------------------------------------- */

static void to_hex(const unsigned char *d, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[2 * n] = 0;
}

void kr_aws_sha256_hex(const void *data, size_t n, char hex[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(data, n, md, &len, EVP_sha256(), NULL);
    to_hex(md, 32, hex);
}

static void hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &len);
}

char *kr_aws_uri_encode(const char *s, int keep_slash)
{
    static const char hx[] = "0123456789ABCDEF";
    struct kr_buf b = KR_BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' ||
            (keep_slash && *p == '/')) {
            kr_buf_putc(&b, (char)*p);
        } else {
            char e[3] = {'%', hx[*p >> 4], hx[*p & 15]};
            kr_buf_append(&b, e, 3);
        }
    }
    return kr_buf_steal(&b);
}

void kr_aws_amz_date(time_t t, char buf[17])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* ---- canonical request ---------------------------------------------------- */

struct kv {
    char *k, *v;
    size_t idx;     /* position as given: ties keep it (headers) */
};

/* Query parameters: by name, then value. */
static int kv_cmp(const void *a, const void *b)
{
    const struct kv *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

/* Headers: by name; repeated names keep the order given. */
static int hdr_cmp(const void *a, const void *b)
{
    const struct kv *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Sort "a=1&b=2" into canonical order; a bare "a" becomes "a=". */
static char *canonical_query(const char *q)
{
    struct kr_buf b = KR_BUF_INIT;
    struct kv *kv = NULL;
    size_t n = 0, cap = 0;
    char *copy, *tok, *save = NULL;
    if (!q || !*q)
        return kr_strdup("");
    copy = kr_strdup(q);
    for (tok = strtok_r(copy, "&", &save); tok; tok = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(tok, '=');
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            kv = kr_realloc(kv, cap * sizeof *kv);
        }
        if (eq)
            *eq = 0;
        kv[n].k = tok;
        kv[n].v = eq ? eq + 1 : (char *)"";
        n++;
    }
    qsort(kv, n, sizeof *kv, kv_cmp);
    for (size_t i = 0; i < n; i++)
        kr_buf_printf(&b, "%s%s=%s", i ? "&" : "", kv[i].k, kv[i].v);
    kr_free(kv);
    kr_free(copy);
    return kr_buf_steal(&b);
}

/* Lowercased name and trimmed, space-folded value. */
static void norm_header(const struct kr_aws_header *h, struct kv *out)
{
    struct kr_buf v = KR_BUF_INIT;
    const char *p = h->value;
    int space = 0;
    out->k = kr_strdup(h->name);
    for (char *c = out->k; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    while (*p == ' ' || *p == '\t')
        p++;
    for (; *p; p++) {
        if (*p == ' ' || *p == '\t') {
            space = 1;
            continue;
        }
        if (space && v.len)
            kr_buf_putc(&v, ' ');
        space = 0;
        kr_buf_putc(&v, *p);
    }
    out->v = kr_buf_steal(&v);
}

/* The signing key and the hex signature of string_to_sign. */
static void signature(const struct kr_aws_creds *c, const char *date8, const char *region,
                      const char *service, const char *sts, char hex[65])
{
    unsigned char k[32];
    char *secret = kr_asprintf("AWS4%s", c->secret_key);
    hmac(secret, strlen(secret), date8, k);
    wipe_free(secret);
    hmac(k, 32, region, k);
    hmac(k, 32, service, k);
    hmac(k, 32, "aws4_request", k);
    hmac(k, 32, sts, k);
    to_hex(k, 32, hex);
}

/* Canonical request -> string to sign -> signature; returns the signature
 * in sig and the signed-headers list (kr_malloc'd) in *signed_out. */
static void sign_core(const struct kr_aws_creds *c, const char *region, const char *service,
                      const char *method, const char *path, const char *query,
                      const struct kr_aws_header *headers, size_t nheaders,
                      const char *payload_hash, const char *amz_date, char sig[65],
                      char **signed_out)
{
    struct kr_buf creq = KR_BUF_INIT, sh = KR_BUF_INIT;
    struct kv *hs = kr_calloc(nheaders ? nheaders : 1, sizeof *hs);
    char *cq = canonical_query(query), date8[9], creq_hash[65], *sts;
    size_t n = 0;

    for (size_t i = 0; i < nheaders; i++) {
        norm_header(&headers[i], &hs[i]);
        hs[i].idx = i;
    }
    qsort(hs, nheaders, sizeof *hs, hdr_cmp);
    kr_buf_printf(&creq, "%s\n%s\n%s\n", method, path && *path ? path : "/", cq);
    /* repeated names join their values with ',' in the order given */
    for (size_t i = 0; i < nheaders; i = n) {
        kr_buf_printf(&creq, "%s:%s", hs[i].k, hs[i].v);
        for (n = i + 1; n < nheaders && strcmp(hs[n].k, hs[i].k) == 0; n++)
            kr_buf_printf(&creq, ",%s", hs[n].v);
        kr_buf_putc(&creq, '\n');
        kr_buf_printf(&sh, "%s%s", sh.len ? ";" : "", hs[i].k);
    }
    kr_buf_printf(&creq, "\n%s\n%s", kr_buf_cstr(&sh), payload_hash);
    kr_aws_sha256_hex(creq.data, creq.len, creq_hash);
    memcpy(date8, amz_date, 8);
    date8[8] = 0;
    sts = kr_asprintf("AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", amz_date, date8,
                      region, service, creq_hash);
    signature(c, date8, region, service, sts, sig);
    *signed_out = kr_buf_steal(&sh);
    for (size_t i = 0; i < nheaders; i++) {
        kr_free(hs[i].k);
        kr_free(hs[i].v);
    }
    kr_free(hs);
    kr_free(cq);
    kr_free(sts);
    kr_buf_free(&creq);
}

char *kr_aws_sign(const struct kr_aws_creds *c, const char *region, const char *service,
                  const char *method, const char *path, const char *query,
                  const struct kr_aws_header *headers, size_t nheaders,
                  const char *payload_hash, const char *amz_date)
{
    char sig[65], *signed_headers, *out;
    sign_core(c, region, service, method, path, query, headers, nheaders, payload_hash,
              amz_date, sig, &signed_headers);
    out = kr_asprintf("AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/aws4_request, "
                      "SignedHeaders=%s, Signature=%s",
                      c->access_key, amz_date, region, service, signed_headers, sig);
    kr_free(signed_headers);
    return out;
}

char *kr_aws_presign(const struct kr_aws_creds *c, const char *region, const char *service,
                     const char *method, const char *base_url, const char *path,
                     long expires, const char *amz_date)
{
    const char *host = strstr(base_url, "://");
    struct kr_buf q = KR_BUF_INIT;
    struct kr_aws_header h;
    char sig[65], *signed_headers, *cred, *ecred, *out;

    host = host ? host + 3 : base_url;
    cred = kr_asprintf("%s/%.8s/%s/%s/aws4_request", c->access_key, amz_date, region, service);
    ecred = kr_aws_uri_encode(cred, 0);
    kr_buf_printf(&q, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%s&X-Amz-Date=%s"
                      "&X-Amz-Expires=%ld",
                  ecred, amz_date, expires);
    if (c->session_token) {
        char *tok = kr_aws_uri_encode(c->session_token, 0);
        kr_buf_printf(&q, "&X-Amz-Security-Token=%s", tok);
        wipe_free(tok);
    }
    kr_buf_puts(&q, "&X-Amz-SignedHeaders=host");
    h.name = "host";
    h.value = host;
    sign_core(c, region, service, method, path, kr_buf_cstr(&q), &h, 1, "UNSIGNED-PAYLOAD",
              amz_date, sig, &signed_headers);
    out = kr_asprintf("%s%s?%s&X-Amz-Signature=%s", base_url, path, kr_buf_cstr(&q), sig);
    kr_free(signed_headers);
    kr_free(cred);
    kr_free(ecred);
    /* the buffer held the token: wipe before freeing */
    if (q.data)
        memset(q.data, 0, q.len);
    kr_buf_free(&q);
    return out;
}

void kr_aws_sign_policy(const struct kr_aws_creds *c, const char *region, const char *service,
                        const char *amz_date, const char *policy_b64, char hex[65])
{
    char date8[9];
    snprintf(date8, sizeof date8, "%.8s", amz_date);
    signature(c, date8, region, service, policy_b64, hex);
}

/* ---- retries ------------------------------------------------------------- */

bool kr_aws_retryable(long status, const char *code)
{
    static const char *const codes[] = {
        "SlowDown", "Throttling", "ThrottlingException", "ThrottledException",
        "TooManyRequestsException", "RequestLimitExceeded", "RequestTimeout",
    };
    size_t i;
    if (status == 0 || status >= 500 || status == 429)
        return true;
    for (i = 0; code && i < KR_ARRAY_LEN(codes); i++)
        if (strcmp(code, codes[i]) == 0)
            return true;
    return false;
}

long kr_aws_backoff_ms(int attempt, long base_ms, long cap_ms)
{
    long cap = base_ms << (attempt - 1 < 16 ? (attempt > 1 ? attempt - 1 : 0) : 16);
    if (cap > cap_ms || cap <= 0)
        cap = cap_ms;
    return random() % (cap + 1); /* full jitter */
}

void kr_aws_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
