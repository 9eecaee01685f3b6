/*
 * test_aws.c - SigV4 signing and the AWS credential chain (src/aws.c).
 * The expected signatures are the ones AWS publishes: the SigV4 test suite
 * (get-vanilla, get-vanilla-query-order-key-case, get-header-key-duplicate;
 * AKIDEXAMPLE, service "service", 2015-08-30) and the S3 examples of
 * "Authenticating Requests (AWS Signature Version 4)" (GET with Range, PUT,
 * presigned GET; AKIAIOSFODNN7EXAMPLE, 2013-05-24).
 */
#include "aws.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>

#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static struct kr_aws_creds suite = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                    NULL, "test"};
static struct kr_aws_creds s3ex = {"AKIAIOSFODNN7EXAMPLE",
                                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL, "test"};

static void check_sig(const char *got, const char *want_sig, const char *want_signed,
                      const char *name)
{
    char want[512];
    snprintf(want, sizeof want, "SignedHeaders=%s, Signature=%s", want_signed, want_sig);
    ok(got && strstr(got, want) != NULL, "%s", name);
    if (!got || !strstr(got, want))
        diag("got %s", got ? got : "(null)");
}

static void test_suite_vectors(void)
{
    struct kr_aws_header h1[] = {{"Host", "example.amazonaws.com"},
                                 {"X-Amz-Date", "20150830T123600Z"}};
    struct kr_aws_header h2[] = {{"Host", "example.amazonaws.com"},
                                 {"My-Header1", "value2"},
                                 {"My-Header1", "value2"},
                                 {"My-Header1", "value1"},
                                 {"X-Amz-Date", "20150830T123600Z"}};
    char *a;

    a = kr_aws_sign(&suite, "us-east-1", "service", "GET", "/", "", h1, 2, EMPTY_SHA,
                    "20150830T123600Z");
    check_sig(a, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
              "host;x-amz-date", "suite get-vanilla");
    ok(strncmp(a, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                  "aws4_request, ", 76) == 0, "credential scope");
    kr_free(a);

    a = kr_aws_sign(&suite, "us-east-1", "service", "GET", "/", "Param2=value2&Param1=value1",
                    h1, 2, EMPTY_SHA, "20150830T123600Z");
    check_sig(a, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
              "host;x-amz-date", "suite get-vanilla-query-order-key-case (query sorted)");
    kr_free(a);

    a = kr_aws_sign(&suite, "us-east-1", "service", "GET", "/", NULL, h2, 5, EMPTY_SHA,
                    "20150830T123600Z");
    check_sig(a, "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
              "host;my-header1;x-amz-date", "suite get-header-key-duplicate (values joined)");
    kr_free(a);
}

static void test_s3_examples(void)
{
    struct kr_aws_header get[] = {{"Host", "examplebucket.s3.amazonaws.com"},
                                  {"Range", "bytes=0-9"},
                                  {"x-amz-content-sha256", EMPTY_SHA},
                                  {"x-amz-date", "20130524T000000Z"}};
    const char *put_sha = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
    struct kr_aws_header put[] = {{"Host", "examplebucket.s3.amazonaws.com"},
                                  {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                                  {"x-amz-date", "20130524T000000Z"},
                                  {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                                  {"x-amz-content-sha256", put_sha}};
    char *a, *enc;

    a = kr_aws_sign(&s3ex, "us-east-1", "s3", "GET", "/test.txt", "", get, 4, EMPTY_SHA,
                    "20130524T000000Z");
    check_sig(a, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
              "host;range;x-amz-content-sha256;x-amz-date", "S3 example GET object with Range");
    kr_free(a);

    enc = kr_aws_uri_encode("/test$file.text", 1);
    is_str(enc, "/test%24file.text", "path encoding keeps '/', escapes '$'");
    a = kr_aws_sign(&s3ex, "us-east-1", "s3", "PUT", enc, "", put, 5, put_sha,
                    "20130524T000000Z");
    check_sig(a, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
              "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
              "S3 example PUT object");
    kr_free(a);
    kr_free(enc);

    a = kr_aws_presign(&s3ex, "us-east-1", "s3", "GET", "https://examplebucket.s3.amazonaws.com",
                       "/test.txt", 86400, "20130524T000000Z");
    is_str(a,
           "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
           "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
           "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
           "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
           "S3 example presigned GET URL");
    kr_free(a);
}

static void test_helpers(void)
{
    char hex[65], d[17];
    char *e = kr_aws_uri_encode("a b/c~d_e.f-g+h=", 0);
    is_str(e, "a%20b%2Fc~d_e.f-g%2Bh%3D", "uri encode (slash escaped)");
    kr_free(e);
    kr_aws_sha256_hex("", 0, hex);
    is_str(hex, EMPTY_SHA, "sha256 of empty");
    kr_aws_amz_date(1369353600, d);
    is_str(d, "20130524T000000Z", "amz date");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void clear_env(void)
{
    const char *v[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                       "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
                       "AWS_REGION", "AWS_DEFAULT_REGION"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        unsetenv(v[i]);
}

static void test_chain(void)
{
    char dir[] = "/tmp/krait-aws-XXXXXX", cred[128], conf[128], *r;
    struct kr_aws_creds c = {0};
    struct kr_error err;
    int rc;

    ok(mkdtemp(dir) != NULL, "temp dir");
    snprintf(cred, sizeof cred, "%s/credentials", dir);
    snprintf(conf, sizeof conf, "%s/config", dir);
    clear_env();
    setenv("HOME", dir, 1); /* no ~/.aws there */

    rc = kr_aws_creds_load(&c, &err);
    is_int(rc, KR_EUSAGE, "no credentials anywhere: usage error");
    ok(strstr(err.msg, "AWS_ACCESS_KEY_ID") && strstr(err.msg, "AWS_PROFILE"),
       "message says what to set: %s", err.msg);

    setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
    rc = kr_aws_creds_load(&c, &err);
    is_int(rc, KR_EUSAGE, "key id without secret: usage error");
    ok(strstr(err.msg, "AWS_SECRET_ACCESS_KEY") != NULL, "names the missing variable");

    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    setenv("AWS_SESSION_TOKEN", "envtoken", 1);
    rc = kr_aws_creds_load(&c, &err);
    is_int(rc, KR_OK, "environment credentials");
    is_str(c.access_key, "AKENV", "env key id");
    is_str(c.secret_key, "envsecret", "env secret");
    is_str(c.session_token, "envtoken", "env token");
    is_str(c.source, "the environment", "source named");
    kr_aws_creds_free(&c);
    clear_env();
    setenv("HOME", dir, 1);

    write_file(cred, "[default]\naws_access_key_id = AKDEF\naws_secret_access_key = defsecret\n"
                     "# comment\n[work]\naws_access_key_id=AKWORK\n"
                     "aws_secret_access_key = worksecret \naws_session_token = worktoken\n");
    write_file(conf, "[default]\nregion = eu-west-1\n[profile work]\nregion = ap-south-1\n"
                     "[profile cfgonly]\naws_access_key_id = AKCFG\n"
                     "aws_secret_access_key = cfgsecret\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
    setenv("AWS_CONFIG_FILE", conf, 1);
    rc = kr_aws_creds_load(&c, &err);
    is_int(rc, KR_OK, "default profile from the credentials file");
    is_str(c.access_key, "AKDEF", "default key id");
    ok(c.session_token == NULL, "no token in default profile");
    kr_aws_creds_free(&c);
    r = kr_aws_region();
    is_str(r, "eu-west-1", "region of [default] in config");
    kr_free(r);

    setenv("AWS_PROFILE", "work", 1);
    rc = kr_aws_creds_load(&c, &err);
    is_int(rc, KR_OK, "AWS_PROFILE=work");
    is_str(c.secret_key, "worksecret", "work secret (trimmed)");
    is_str(c.session_token, "worktoken", "work token");
    ok(strstr(c.source, "profile 'work'") != NULL, "source names the profile");
    kr_aws_creds_free(&c);
    r = kr_aws_region();
    is_str(r, "ap-south-1", "region of [profile work]");
    kr_free(r);
    setenv("AWS_DEFAULT_REGION", "us-west-2", 1);
    r = kr_aws_region();
    is_str(r, "us-west-2", "AWS_DEFAULT_REGION beats config");
    kr_free(r);
    setenv("AWS_REGION", "ca-central-1", 1);
    r = kr_aws_region();
    is_str(r, "ca-central-1", "AWS_REGION beats AWS_DEFAULT_REGION");
    kr_free(r);

    setenv("AWS_PROFILE", "cfgonly", 1);
    rc = kr_aws_creds_load(&c, &err);
    is_int(rc, KR_OK, "profile only in the config file");
    is_str(c.access_key, "AKCFG", "config-file key id");
    kr_aws_creds_free(&c);

    setenv("AWS_PROFILE", "nosuch", 1);
    rc = kr_aws_creds_load(&c, &err);
    is_int(rc, KR_EUSAGE, "unknown profile: usage error");
    ok(strstr(err.msg, "'nosuch'") && !strstr(err.msg, "secret"),
       "message names the profile, no secret: %s", err.msg);

    unlink(cred);
    unlink(conf);
    rmdir(dir);
    clear_env();
}

/* The retry decision S3 and Batch share. */
static void test_retry(void)
{
    long ms, maxseen = 0;
    int i, over = 0;
    ok(kr_aws_retryable(0, NULL), "transport failure is retried");
    ok(kr_aws_retryable(500, NULL) && kr_aws_retryable(503, "SlowDown"), "5xx is retried");
    ok(kr_aws_retryable(429, NULL), "429 is retried");
    ok(kr_aws_retryable(400, "TooManyRequestsException"), "Batch throttling (400) is retried");
    ok(kr_aws_retryable(400, "ThrottlingException") && kr_aws_retryable(400, "RequestTimeout"),
       "throttling and slow-request codes are retried");
    ok(!kr_aws_retryable(400, "ClientException") && !kr_aws_retryable(403, NULL) &&
       !kr_aws_retryable(404, "NoSuchKey"), "client errors are final");
    for (i = 0; i < 2000; i++) {
        ms = kr_aws_backoff_ms(3, 100, 5000);
        if (ms < 0 || ms > 400)
            over++;
        if (ms > maxseen)
            maxseen = ms;
    }
    ok(over == 0 && maxseen > 200, "attempt 3: full jitter in [0, 400] ms (max seen %ld)",
       maxseen);
    for (i = 0; i < 2000; i++)
        if (kr_aws_backoff_ms(30, 100, 5000) > 5000)
            over++;
    ok(over == 0, "backoff is capped");
}

int main(void)
{
    test_retry();
    test_suite_vectors();
    test_s3_examples();
    test_helpers();
    test_chain();
    return tap_done();
}
