/*
 * storage.c - the storage interface's dispatch and its local file-system
 * backend (stat, checksum, remove). See storage.h for the contract.
 */
#include "storage.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int64_t mtime_ns_of(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static int local_stat(struct kr_storage *s, const char *path, struct kr_statinfo *out,
                      struct kr_error *err)
{
    struct stat st;
    KR_UNUSED(s);
    if (stat(path, &st) != 0) {
        out->kind = KR_STAT_MISSING;
        out->mtime_ns = 0;
        out->size = 0;
        if (errno == ENOENT || errno == ENOTDIR)
            return KR_OK;
        return kr_error_set(err, KR_EIO, "cannot stat '%s': %s", path, strerror(errno));
    }
    out->size = (int64_t)st.st_size;
    out->mtime_ns = mtime_ns_of(&st);
    if (S_ISDIR(st.st_mode)) {
        /* Snakemake's directory timestamp: DIR/.snakemake_timestamp */
        struct kr_buf b = KR_BUF_INIT;
        struct stat ts;
        out->kind = KR_STAT_DIR;
        kr_buf_printf(&b, "%s/.snakemake_timestamp", path);
        if (stat(b.data, &ts) == 0)
            out->mtime_ns = mtime_ns_of(&ts);
        kr_buf_free(&b);
    } else {
        out->kind = KR_STAT_FILE;
    }
    return KR_OK;
}

static int local_checksum(struct kr_storage *s, const char *path, int64_t max_size,
                          char hex[KR_SHA256_HEX_LEN + 1], struct kr_error *err)
{
    KR_UNUSED(s);
    return kr_checksum_file(path, max_size, hex, err);
}

static int remove_tree(const char *path, struct kr_error *err)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    int rc = KR_OK;

    if (lstat(path, &st) != 0)
        return errno == ENOENT ? KR_OK
            : kr_error_set(err, KR_EIO, "cannot stat '%s': %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) != 0 && errno != ENOENT)
            return kr_error_set(err, KR_EIO, "cannot remove '%s': %s", path, strerror(errno));
        return KR_OK;
    }
    d = opendir(path);
    if (!d)
        return kr_error_set(err, KR_EIO, "cannot open directory '%s': %s", path,
                            strerror(errno));
    for (;;) {
        char *child;
        de = readdir(d);
        if (!de)
            break;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        child = kr_asprintf("%s/%s", path, de->d_name);
        rc = remove_tree(child, err);
        kr_free(child);
        if (rc)
            break;
    }
    closedir(d);
    if (rc == KR_OK && rmdir(path) != 0 && errno != ENOENT)
        rc = kr_error_set(err, KR_EIO, "cannot remove '%s': %s", path, strerror(errno));
    return rc;
}

static int local_remove(struct kr_storage *s, const char *path, struct kr_error *err)
{
    KR_UNUSED(s);
    return remove_tree(path, err);
}

static const struct kr_storage_ops local_ops = {
    .name = "local",
    .stat = local_stat,
    .checksum = local_checksum,
    .remove = local_remove,
};

static struct kr_storage local_storage = { &local_ops, NULL };

struct kr_storage *kr_storage_local(void)
{
    return &local_storage;
}

int kr_storage_stat(struct kr_storage *s, const char *path, struct kr_statinfo *st,
                    struct kr_error *err)
{
    if (!s->ops->stat)
        return kr_error_set(err, KR_EUNSUPPORTED, "storage '%s' cannot stat", s->ops->name);
    return s->ops->stat(s, path, st, err);
}

int kr_storage_checksum(struct kr_storage *s, const char *path, int64_t max_size,
                        char hex[KR_SHA256_HEX_LEN + 1], struct kr_error *err)
{
    if (!s->ops->checksum)
        return kr_error_set(err, KR_EUNSUPPORTED, "storage '%s' has no checksums",
                            s->ops->name);
    return s->ops->checksum(s, path, max_size, hex, err);
}

int kr_storage_remove(struct kr_storage *s, const char *path, struct kr_error *err)
{
    if (!s->ops->remove)
        return kr_error_set(err, KR_EUNSUPPORTED, "storage '%s' cannot remove files",
                            s->ops->name);
    return s->ops->remove(s, path, err);
}
