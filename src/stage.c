/*
 * stage.c - downloading s3:// inputs into the local cache before a job and
 * uploading s3:// outputs after it (see stage.h for the cache layout and the
 * reuse rule). Transfers go through the S3 client of the planner's storage
 * (src/storage-s3.c), so planning and staging share one connection pool,
 * one set of credentials and one inventory: a reused input costs no request
 * when the planner already saw its ETag. Multipart uploads in progress are
 * journaled under ROOT/s3.uploads (src/s3.c), so that the uploads of a
 * krait killed while uploading are aborted by the next run.
 */
#include "stage.h"

#include "s3.h"
#include "storage.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Append key to b as a relative path: segments "", "." and ".." (which
 * would leave the bucket's directory or collide) are percent-encoded. */
static void put_key(struct kr_buf *b, const char *key)
{
    const char *p = key;
    for (;;) {
        size_t n = strcspn(p, "/");
        if (n == 0)
            kr_buf_puts(b, "%2F");
        else if (n == 1 && p[0] == '.')
            kr_buf_puts(b, "%2E");
        else if (n == 2 && p[0] == '.' && p[1] == '.')
            kr_buf_puts(b, "%2E%2E");
        else
            kr_buf_printf(b, "%.*s", (int)n, p);
        if (!p[n])
            break;
        kr_buf_putc(b, '/');
        p += n + 1;
    }
}

/* ROOT/DIR/BUCKET/KEY, kr_malloc'd; NULL for a local path. */
static char *cache_path(const char *root, const char *dir, const char *path)
{
    struct kr_buf b = KR_BUF_INIT;
    const char *p, *slash;
    char *out;
    if (!root || !kr_storage_is_s3(path))
        return NULL;
    p = path + 4;
    if (*p == '/')
        p++;
    slash = strchr(p, '/');
    kr_buf_printf(&b, "%s/%s/", root, dir);
    kr_buf_printf(&b, "%.*s/", slash ? (int)(slash - p) : (int)strlen(p), p);
    put_key(&b, slash ? slash + 1 : "");
    out = kr_strdup(kr_buf_cstr(&b));
    kr_buf_free(&b);
    return out;
}

const char *kr_stage_local_path(const char *root, const char *path, struct kr_arena *arena)
{
    char *c = cache_path(root, "s3", path);
    const char *r;
    if (!c)
        return path;
    r = kr_arena_strdup(arena, c);
    kr_free(c);
    return r;
}


/* The sidecar's ETag and size; 0 when there is none. */
static int read_meta(const char *meta, char etag[80], int64_t *size)
{
    FILE *f = fopen(meta, "r");
    long long sz;
    int ok;
    if (!f)
        return 0;
    ok = fscanf(f, "%79s %lld", etag, &sz) == 2;
    fclose(f);
    *size = sz;
    return ok;
}

/* Write the sidecar (via a temporary name). KR_EIO with err. */
static int write_meta(const char *meta, const struct kr_s3_object *obj, struct kr_error *err)
{
    char *tmp = kr_asprintf("%s.tmp", meta);
    FILE *f;
    int rc = kr_mkdirs_parent(meta, err);
    if (rc == KR_OK) {
        f = fopen(tmp, "w");
        if (!f || fprintf(f, "%s %lld\n", obj->etag[0] ? obj->etag : "-",
                          (long long)obj->size) < 0 || fclose(f) != 0 || rename(tmp, meta) != 0)
            rc = kr_error_set(err, KR_EIO, "cannot write the cache record %s: %s", meta,
                              strerror(errno));
    }
    kr_free(tmp);
    return rc;
}

int kr_stage_fetch(struct kr_storage *s, const char *root, const char *const *paths, size_t n,
                   struct kr_error *err)
{
    struct kr_s3 *s3 = NULL;
    struct kr_s3_xfer *xf = kr_calloc(n ? n : 1, sizeof *xf);
    char **files = kr_calloc(n ? n : 1, sizeof *files), **metas = kr_calloc(n ? n : 1, sizeof *metas);
    char **bks = kr_calloc(n ? n : 1, sizeof *bks), **keys = kr_calloc(n ? n : 1, sizeof *keys);
    size_t i, k, m = 0;
    int rc = KR_OK;

    for (i = 0; i < n && rc == KR_OK; i++) {
        struct kr_s3_object obj;
        struct stat sb;
        char etag[80];
        int64_t size;
        char *file = cache_path(root, "s3", paths[i]);
        bool dup = false;
        if (!file)
            continue;
        for (k = 0; k < m; k++)
            dup |= strcmp(files[k], file) == 0;
        if (dup) {
            kr_free(file);
            continue;
        }
        files[m] = file;
        metas[m] = cache_path(root, "s3.meta", paths[i]);
        if ((rc = kr_storage_s3_split(paths[i], &bks[m], &keys[m], err)) != KR_OK)
            break;
        if (!s3 && (rc = kr_storage_s3_client(s, &s3, err)) != KR_OK)
            break;
        if (!kr_storage_s3_known(s, paths[i], &obj)) {
            int exists = 0;
            if ((rc = kr_s3_head(s3, bks[m], keys[m], &obj, &exists, err)) != KR_OK)
                break;
            if (!exists) {
                rc = kr_error_set(err, KR_EIO, "S3 GET %s: the object does not exist (NoSuchKey "
                                  "or NoSuchBucket): upload it, fix the path, or produce it "
                                  "with a rule", paths[i]);
                break;
            }
        }
        if (read_meta(metas[m], etag, &size) && size == obj.size &&
            strcmp(etag, obj.etag[0] ? obj.etag : "-") == 0 && stat(file, &sb) == 0 &&
            S_ISREG(sb.st_mode) && sb.st_size == obj.size) {
            kr_free(files[m]);
            kr_free(metas[m]);
            kr_free(bks[m]);
            kr_free(keys[m]);
            files[m] = metas[m] = bks[m] = keys[m] = NULL;
            continue;       /* the cached copy is current */
        }
        if ((rc = kr_mkdirs_parent(file, err)) != KR_OK)
            break;
        unlink(metas[m]);   /* no record claims a copy being replaced */
        xf[m].bucket = bks[m];
        xf[m].key = keys[m];
        xf[m].file = file;
        m++;
    }
    if (rc == KR_OK && m > 0) {
        rc = kr_s3_get_many(s3, xf, m, err);
        for (k = 0; rc == KR_OK && k < m; k++)
            rc = write_meta(metas[k], &xf[k].obj, err);
    }
    for (k = 0; k <= m && k < n; k++) {
        kr_free(files[k]);
        kr_free(metas[k]);
        kr_free(bks[k]);
        kr_free(keys[k]);
    }
    kr_free(files);
    kr_free(metas);
    kr_free(bks);
    kr_free(keys);
    kr_free(xf);
    return rc;
}

int kr_stage_push(struct kr_storage *s, const char *root, const char *const *paths, size_t n,
                  struct kr_error *err)
{
    struct kr_s3 *s3 = NULL;
    struct kr_s3_xfer *xf = kr_calloc(n ? n : 1, sizeof *xf);
    char **files = kr_calloc(n ? n : 1, sizeof *files), **metas = kr_calloc(n ? n : 1, sizeof *metas);
    char **bks = kr_calloc(n ? n : 1, sizeof *bks), **keys = kr_calloc(n ? n : 1, sizeof *keys);
    const char **remote = kr_calloc(n ? n : 1, sizeof *remote);
    size_t i, m = 0;
    int rc = KR_OK;

    for (i = 0; i < n && rc == KR_OK; i++) {
        struct stat sb;
        char *file = cache_path(root, "s3", paths[i]);
        if (!file)
            continue;
        files[m] = file;
        metas[m] = cache_path(root, "s3.meta", paths[i]);
        remote[m] = paths[i];
        unlink(metas[m]);   /* the copy is the job's, not an object's (yet) */
        if (stat(file, &sb) == 0 && S_ISDIR(sb.st_mode))
            rc = kr_error_set(err, KR_EUNSUPPORTED, "S3 PUT %s: the output is a directory; "
                              "directory() outputs in S3 are not supported yet: declare its "
                              "files as outputs", paths[i]);
        if (rc == KR_OK)
            rc = kr_storage_s3_split(paths[i], &bks[m], &keys[m], err);
        xf[m].bucket = bks[m];
        xf[m].key = keys[m];
        xf[m].file = file;
        m++;
    }
    if (rc == KR_OK && m > 0)
        rc = kr_storage_s3_client(s, &s3, err);
    if (rc == KR_OK && m > 0) {
        char *journal = kr_asprintf("%s/s3.uploads", root);
        kr_s3_set_upload_journal(s3, journal);
        kr_free(journal);
        rc = kr_s3_put_many(s3, xf, m, err);
        if (rc != KR_OK)
            kr_error_prefix(err, "uploading an output of the job failed");
    }
    for (i = 0; rc == KR_OK && i < m; i++) {
        /* the inventory and the cache record now describe the stored object */
        kr_storage_s3_note(s, remote[i], &xf[i].obj);
        rc = write_meta(metas[i], &xf[i].obj, err);
    }
    for (i = 0; i < m; i++) {
        kr_free(files[i]);
        kr_free(metas[i]);
        kr_free(bks[i]);
        kr_free(keys[i]);
    }
    kr_free(files);
    kr_free(metas);
    kr_free(bks);
    kr_free(keys);
    kr_free(remote);
    kr_free(xf);
    return rc;
}

int kr_stage_recover(struct kr_storage *s, const char *root)
{
    char *journal = kr_asprintf("%s/s3.uploads", root);
    struct kr_s3 *s3;
    DIR *d = opendir(journal);
    struct dirent *de;
    bool any = false;
    int n = 0;
    if (d) {
        while (!any && (de = readdir(d)))
            any = de->d_name[0] != '.';
        closedir(d);
    }
    if (any && kr_storage_s3_client(s, &s3, NULL) == KR_OK)
        n = kr_s3_abort_journaled(s3, journal);
    kr_free(journal);
    return n;
}

void kr_stage_forget(const char *root, const char *path)
{
    char *file = cache_path(root, "s3", path), *meta = cache_path(root, "s3.meta", path);
    if (file)
        unlink(file);
    if (meta)
        unlink(meta);
    kr_free(file);
    kr_free(meta);
}

void kr_stage_unrecord(const char *root, const char *path)
{
    char *meta = cache_path(root, "s3.meta", path);
    if (meta)
        unlink(meta);
    kr_free(meta);
}
