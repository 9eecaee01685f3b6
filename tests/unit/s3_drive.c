/*
 * s3_drive.c - a command-line driver of the S3 client (src/s3.c) for the
 * tests against s3rver behind tests/s3/sigv4-proxy.py.
 *   s3_drive [-e ENDPOINT] [-t THRESHOLD] [-p PARTSIZE] [-a ATTEMPTS] [-j PARALLEL] [-k LISTPAGE] CMD ARGS
 *   CMD: put S3URL FILE | get S3URL FILE | head S3URL | rm S3URL | ls S3URL-PREFIX
 *        | presign METHOD S3URL EXPIRES | heads s3://BUCKET < KEYS (one HEAD each)
 * Prints results on stdout and "requests=N retries=N" on stderr; errors as
 * krait prints them, exit 1.
 */
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct kr_s3 *s3 = NULL;
    struct kr_error err;
    const char *ep = NULL;
    int64_t thr = 0, psz = 0;
    int att = 0, par = 0, page = 0, opt, rc = KR_OK;
    char *bucket = NULL, *key = NULL;

    kr_error_clear(&err);
    while ((opt = getopt(argc, argv, "e:t:p:a:j:k:")) != -1) {
        switch (opt) {
        case 'e': ep = optarg; break;
        case 't': thr = strtoll(optarg, NULL, 10); break;
        case 'p': psz = strtoll(optarg, NULL, 10); break;
        case 'a': att = atoi(optarg); break;
        case 'j': par = atoi(optarg); break;
        case 'k': page = atoi(optarg); break;
        default: return 2;
        }
    }
    argc -= optind;
    argv += optind;
    if (argc < 2) {
        fprintf(stderr, "usage: s3_drive [-e URL] CMD S3URL ...\n");
        return 2;
    }
    if ((rc = kr_s3_open(&s3, ep, &err)) != KR_OK)
        goto out;
    kr_s3_tune(s3, par, att, 20, 400, thr, psz);
    kr_s3_set_list_page(s3, page);
    if (strcmp(argv[0], "presign") == 0) {
        if (argc != 4)
            return 2;
        if ((rc = kr_s3_parse_url(argv[2], &bucket, &key, &err)) != KR_OK)
            goto out;
        char *url = kr_s3_presign(s3, argv[1], bucket, key, strtol(argv[3], NULL, 10));
        puts(url);
        kr_free(url);
        goto out;
    }
    if ((rc = kr_s3_parse_url(argv[1], &bucket, &key, &err)) != KR_OK)
        goto out;
    if (strcmp(argv[0], "put") == 0 && argc == 3) {
        rc = kr_s3_put(s3, bucket, key, argv[2], &err);
    } else if (strcmp(argv[0], "get") == 0 && argc == 3) {
        struct kr_s3_object o;
        if ((rc = kr_s3_get(s3, bucket, key, argv[2], &o, &err)) == KR_OK)
            printf("size=%lld etag=%s\n", (long long)o.size, o.etag);
    } else if (strcmp(argv[0], "head") == 0) {
        struct kr_s3_object o;
        int exists = 0;
        if ((rc = kr_s3_head(s3, bucket, key, &o, &exists, &err)) == KR_OK) {
            if (!exists)
                printf("missing\n");
            else
                printf("size=%lld etag=%s mtime_ns=%lld krait_mtime=%d\n", (long long)o.size,
                       o.etag, (long long)o.mtime_ns, o.has_krait_mtime);
        }
    } else if (strcmp(argv[0], "heads") == 0) {
        /* one HEAD per key read from stdin (the one-request-per-object way) */
        char line[4096];
        long found = 0;
        while (rc == KR_OK && fgets(line, sizeof line, stdin)) {
            struct kr_s3_object o;
            int exists = 0;
            line[strcspn(line, "\n")] = 0;
            rc = kr_s3_head(s3, bucket, line, &o, &exists, &err);
            found += exists;
        }
        printf("found=%ld\n", found);
    } else if (strcmp(argv[0], "rm") == 0) {
        rc = kr_s3_delete(s3, bucket, key, &err);
    } else if (strcmp(argv[0], "ls") == 0) {
        struct kr_s3_object *objs;
        size_t n;
        if ((rc = kr_s3_list(s3, bucket, key, &objs, &n, &err)) == KR_OK) {
            for (size_t i = 0; i < n; i++)
                printf("%s %lld %s\n", objs[i].key, (long long)objs[i].size, objs[i].etag);
            kr_s3_objects_free(objs, n);
        }
    } else {
        fprintf(stderr, "s3_drive: unknown command or wrong arguments\n");
        rc = KR_EUSAGE;
    }
out:
    if (s3)
        fprintf(stderr, "requests=%ld retries=%ld\n", kr_s3_stats(s3)->requests,
                kr_s3_stats(s3)->retries);
    if (rc != KR_OK && err.msg[0])
        kr_error_print(&err, stderr);
    kr_free(bucket);
    kr_free(key);
    kr_s3_close(s3);
    return rc == KR_OK ? 0 : 1;
}
