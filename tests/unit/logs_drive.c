/*
 * logs_drive.c - drives the CloudWatch Logs reader of src/batch-api.c for
 * tests/e2e/t1405-batch-logs.sh: `logs_drive ENDPOINT GROUP STREAM [MAX]`
 * reads the stream (kr_batch_api_read_log, credentials and region from the
 * environment) and writes it to stdout, then "get_log_events N" (and "cut"
 * when MAX stopped it) on stderr. Exit 0, or 1 with the error on stderr.
 */
#include "batch-api.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    struct kr_batch_api *api = NULL;
    struct kr_error err = {0};
    struct kr_buf out = KR_BUF_INIT;
    bool cut = false;
    size_t max = argc > 4 ? (size_t)strtoull(argv[4], NULL, 10) : (size_t)1 << 30;
    int rc;

    if (argc < 4) {
        fprintf(stderr, "usage: logs_drive ENDPOINT GROUP STREAM [MAX]\n");
        return 2;
    }
    rc = kr_batch_api_open(argv[1], &api, &err);
    if (rc == KR_OK)
        rc = kr_batch_api_set_logs_endpoint(api, argv[1], &err);
    if (rc == KR_OK)
        rc = kr_batch_api_read_log(api, argv[2], argv[3], max, &out, &cut, &err);
    if (out.len)
        fwrite(out.data, 1, out.len, stdout);
    if (api)
        fprintf(stderr, "get_log_events %ld\n%s", kr_batch_api_stats(api)->get_log_events,
                cut ? "cut\n" : "");
    if (rc != KR_OK)
        fprintf(stderr, "logs_drive: %s\n", err.msg);
    kr_buf_free(&out);
    kr_batch_api_close(api);
    return rc == KR_OK ? 0 : 1;
}
