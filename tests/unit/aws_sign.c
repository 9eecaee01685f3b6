/*
 * aws_sign.c - a command-line driver of src/aws.c for the botocore cross-check
 * (tests/e2e/t1200-aws-sigv4-botocore.sh) and the verifying proxy tests.
 * Credentials come from the normal chain (kr_aws_creds_load).
 *   aws_sign sign METHOD PATH QUERY PAYLOAD_HASH AMZ_DATE REGION SERVICE [NAME VALUE]...
 *       -> the Authorization header value
 *   aws_sign presign METHOD BASE_URL PATH EXPIRES AMZ_DATE REGION SERVICE
 *       -> the presigned URL
 */
#include "aws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    struct kr_aws_creds c = {0};
    struct kr_error err;
    char *out = NULL;

    if (kr_aws_creds_load(&c, &err) != KR_OK) {
        kr_error_print(&err, stderr);
        return 2;
    }
    if (argc >= 9 && strcmp(argv[1], "sign") == 0 && (argc - 9) % 2 == 0) {
        size_t n = (size_t)(argc - 9) / 2;
        struct kr_aws_header *h = kr_calloc(n ? n : 1, sizeof *h);
        for (size_t i = 0; i < n; i++) {
            h[i].name = argv[9 + 2 * i];
            h[i].value = argv[10 + 2 * i];
        }
        out = kr_aws_sign(&c, argv[7], argv[8], argv[2], argv[3], argv[4], h, n, argv[5],
                          argv[6]);
        kr_free(h);
    } else if (argc == 9 && strcmp(argv[1], "presign") == 0) {
        out = kr_aws_presign(&c, argv[7], argv[8], argv[2], argv[3], argv[4],
                             strtol(argv[5], NULL, 10), argv[6]);
    } else {
        fprintf(stderr, "usage: aws_sign sign METHOD PATH QUERY PAYLOAD_HASH AMZ_DATE REGION "
                        "SERVICE [NAME VALUE]...\n       aws_sign presign METHOD BASE_URL PATH "
                        "EXPIRES AMZ_DATE REGION SERVICE\n");
        kr_aws_creds_free(&c);
        return 2;
    }
    puts(out);
    kr_free(out);
    kr_aws_creds_free(&c);
    return 0;
}
