/*
 * test_stage.c - where remote files are staged (src/stage.c): the cache
 * path of an s3:// (or normalised s3:/) path, keys whose segments could
 * leave the bucket's directory, local paths left alone.
 */
#include "stage.h"
#include "tap.h"

int main(void)
{
    struct kr_arena a;
    const char *local = "data/x.txt";
    kr_arena_init(&a);
    is_str(kr_stage_local_path(".krait/storage", "s3://bkt/in/a.txt", &a),
           ".krait/storage/s3/bkt/in/a.txt", "s3:// path -> ROOT/s3/BUCKET/KEY");
    is_str(kr_stage_local_path(".krait/storage", "s3:/bkt/in/a.txt", &a),
           ".krait/storage/s3/bkt/in/a.txt", "the normalised s3:/ form maps the same");
    ok(kr_stage_local_path(".krait/storage", local, &a) == local,
       "a local path is returned as it is");
    ok(kr_stage_local_path(NULL, "s3://bkt/k", &a)[0] == 's',
       "without a root nothing is staged");
    is_str(kr_stage_local_path("R", "s3://bkt/../../etc/passwd", &a),
           "R/s3/bkt/%2E%2E/%2E%2E/etc/passwd", "'..' segments cannot leave the bucket");
    is_str(kr_stage_local_path("R", "s3://bkt/a/./b", &a), "R/s3/bkt/a/%2E/b",
           "'.' segments are encoded");
    is_str(kr_stage_local_path("R", "s3://bkt/a//b/", &a), "R/s3/bkt/a/%2F/b/%2F",
           "empty segments and a trailing '/' are encoded");
    is_str(kr_stage_local_path("R", "s3://bkt", &a), "R/s3/bkt/%2F", "an empty key");
    kr_arena_free(&a);
    return tap_done();
}
