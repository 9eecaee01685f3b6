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

static bool expand_dir(const char *root, const char *path, char ***v, size_t *n, size_t *cap);

/* Append to *v (kr_malloc'd strings) path, or - when the inventory knows
 * it as a directory() in S3 - the s3:// path of every object under it
 * (listed now; the inventory learns them), removing files of its staged
 * copy that are no longer among them. */
static int expand_remote_dir(struct kr_storage *s, const char *root, const char *path,
                             char ***v, size_t *n, size_t *cap, struct kr_error *err)
{
    struct kr_s3_object agg, *objs = NULL;
    char *bucket = NULL, **old = NULL;
    size_t i, k, nobj = 0, nold = 0, cold = 0, first = *n;
    int rc;
    if (!kr_storage_s3_known_dir(s, path, &agg)) {
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *v = kr_realloc(*v, *cap * sizeof **v);
        }
        (*v)[(*n)++] = kr_strdup(path);
        return KR_OK;
    }
    rc = kr_storage_s3_list_dir(s, path, &bucket, &objs, &nobj, NULL, err);
    for (i = 0; rc == KR_OK && i < nobj; i++) {
        char *op = kr_asprintf("s3://%s/%s", bucket, objs[i].key);
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *v = kr_realloc(*v, *cap * sizeof **v);
        }
        (*v)[(*n)++] = op;
    }
    /* what an older version of the directory left in the staged copy */
    if (rc == KR_OK && expand_dir(root, path, &old, &nold, &cold)) {
        for (i = 0; i < nold; i++) {
            bool keep = false;
            for (k = first; k < *n && !keep; k++)
                keep = !strcmp((*v)[k], old[i]);
            if (!keep)
                kr_stage_forget(root, old[i]);
        }
    }
    for (i = 0; i < nold; i++)
        kr_free(old[i]);
    kr_free(old);
    kr_s3_objects_free(objs, nobj);
    kr_free(bucket);
    return rc;
}

int kr_stage_fetch(struct kr_storage *s, const char *root, const char *const *given, size_t ngiven,
                   struct kr_error *err)
{
    struct kr_s3 *s3 = NULL;
    char **exp = NULL;
    size_t nexp = 0, cexp = 0, g, n;
    const char *const *paths;
    struct kr_s3_xfer *xf;
    char **files, **metas, **bks, **keys;
    size_t i, k, m = 0;
    int rc = KR_OK;

    for (g = 0; g < ngiven && rc == KR_OK; g++)
        if (kr_storage_is_s3(given[g]))
            rc = expand_remote_dir(s, root, given[g], &exp, &nexp, &cexp, err);
    paths = (const char *const *)exp;
    n = rc == KR_OK ? nexp : 0;
    xf = kr_calloc(n ? n : 1, sizeof *xf);
    files = kr_calloc(n ? n : 1, sizeof *files);
    metas = kr_calloc(n ? n : 1, sizeof *metas);
    bks = kr_calloc(n ? n : 1, sizeof *bks);
    keys = kr_calloc(n ? n : 1, sizeof *keys);

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
        xf[m].have_size = true;     /* listed or HEADed: its ranges are planned from it */
        xf[m].size = obj.size;
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
    for (g = 0; g < nexp; g++)
        kr_free(exp[g]);
    kr_free(exp);
    return rc;
}

/* Append path (an s3:// path) and, when its staged copy is a directory,
 * instead every file under it as s3:// paths (recursively), to *v (kr_malloc'd
 * strings). Returns false when the copy is a directory that cannot be read. */
static bool expand_dir(const char *root, const char *path, char ***v, size_t *n, size_t *cap)
{
    char *local = cache_path(root, "s3", path);
    struct stat sb;
    DIR *d;
    struct dirent *de;
    bool ok = true;
    if (!local || stat(local, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *v = kr_realloc(*v, *cap * sizeof **v);
        }
        (*v)[(*n)++] = kr_strdup(path);
        kr_free(local);
        return true;
    }
    d = opendir(local);
    kr_free(local);
    if (!d)
        return false;
    while (ok && (de = readdir(d))) {
        char *sub;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        sub = kr_asprintf("%s/%s", path, de->d_name);
        ok = expand_dir(root, sub, v, n, cap);
        kr_free(sub);
    }
    closedir(d);
    return ok;
}

/* After the files of directory() output `dir` were uploaded (up[0..nup)
 * its objects, each an s3:// path): delete the objects under dir/ that
 * the job did not make (an earlier run's), and note the directory in the
 * inventory. Best effort for the deletions. */
static int finish_dir(struct kr_storage *s, struct kr_s3 *s3, const char *dir,
                      char *const *up, const struct kr_s3_xfer *xf, size_t nup,
                      struct kr_error *err)
{
    struct kr_s3_object agg, *objs = NULL;
    char *bucket = NULL, *key = NULL, *prefix;
    size_t i, k, nobj = 0, dl = strlen(dir);
    int rc;
    memset(&agg, 0, sizeof agg);
    for (k = 0; k < nup; k++) {
        if (strncmp(up[k], dir, dl) != 0 || up[k][dl] != '/')
            continue;
        if (xf[k].obj.mtime_ns > agg.mtime_ns)
            agg.mtime_ns = xf[k].obj.mtime_ns;
        agg.size += xf[k].obj.size;
    }
    if ((rc = kr_storage_s3_split(dir, &bucket, &key, err)) != KR_OK)
        return rc;
    prefix = kr_asprintf("%s/", key);
    rc = kr_s3_list(s3, bucket, prefix, &objs, &nobj, err);
    for (i = 0; rc == KR_OK && i < nobj; i++) {
        bool ours = false;
        for (k = 0; k < nup && !ours; k++)
            ours = !strcmp(xf[k].bucket, bucket) && !strcmp(xf[k].key, objs[i].key);
        if (!ours)
            rc = kr_s3_delete(s3, bucket, objs[i].key, err);
    }
    kr_s3_objects_free(objs, nobj);
    kr_free(prefix);
    kr_free(bucket);
    kr_free(key);
    if (rc == KR_OK)
        kr_storage_s3_note_dir(s, dir, &agg);
    return rc;
}

int kr_stage_push(struct kr_storage *s, const char *root, const char *const *given, size_t ngiven,
                  struct kr_error *err)
{
    char **exp = NULL;
    size_t nexp = 0, cexp = 0, g;
    const char *const *paths;
    size_t n;
    struct kr_s3 *s3 = NULL;
    struct kr_s3_xfer *xf;
    char **files, **metas, **bks, **keys;
    const char **remote;
    size_t i, m = 0;
    int rc = KR_OK;

    /* a directory() output: every file under its staged copy */
    for (g = 0; g < ngiven; g++) {
        if (!kr_storage_is_s3(given[g]))
            continue;
        if (!expand_dir(root, given[g], &exp, &nexp, &cexp)) {
            rc = kr_error_set(err, KR_EIO, "S3 PUT %s: cannot read the staged output "
                              "directory: %s", given[g], strerror(errno));
            break;
        }
    }
    paths = (const char *const *)exp;
    n = rc == KR_OK ? nexp : 0;
    xf = kr_calloc(n ? n : 1, sizeof *xf);
    files = kr_calloc(n ? n : 1, sizeof *files);
    metas = kr_calloc(n ? n : 1, sizeof *metas);
    bks = kr_calloc(n ? n : 1, sizeof *bks);
    keys = kr_calloc(n ? n : 1, sizeof *keys);
    remote = kr_calloc(n ? n : 1, sizeof *remote);
    for (i = 0; i < n && rc == KR_OK; i++) {
        char *file = cache_path(root, "s3", paths[i]);
        if (!file)
            continue;
        files[m] = file;
        metas[m] = cache_path(root, "s3.meta", paths[i]);
        remote[m] = paths[i];
        unlink(metas[m]);   /* the copy is the job's, not an object's (yet) */
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
    for (g = 0; rc == KR_OK && g < ngiven; g++) {
        char *local = kr_storage_is_s3(given[g]) ? cache_path(root, "s3", given[g]) : NULL;
        struct stat sb;
        if (local && stat(local, &sb) == 0 && S_ISDIR(sb.st_mode))
            rc = finish_dir(s, s3, given[g], (char *const *)remote, xf, m, err);
        kr_free(local);
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
    for (g = 0; g < nexp; g++)
        kr_free(exp[g]);
    kr_free(exp);
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
