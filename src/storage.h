/*
 * storage.h - the file-metadata interface of the planner and the executors:
 * does a path exist, is it a directory, its mtime and size, its content
 * checksum, remove it. Every backend is one `const struct kr_storage_ops`
 * (like curl's backends); the planner only talks to a `struct kr_storage`,
 * so a remote store (s3://) can be added later without touching it.
 *
 * The local backend follows Snakemake: the mtime of a directory is that of
 * its `.snakemake_timestamp` file when there is one (written by the executor
 * after a directory() output is produced), else the directory's own.
 *
 * Ownership: backends are static; kr_storage_local() returns a shared static
 * handle that needs no freeing.
 */
#ifndef KR_STORAGE_H
#define KR_STORAGE_H

#include "kr.h"
#include "dag.h"

#define KR_SHA256_HEX_LEN 64

/* What a stat says about one path. */
struct kr_statinfo {
    enum kr_stat kind;      /* KR_STAT_MISSING, _FILE or _DIR */
    int64_t mtime_ns;
    int64_t size;
};

struct kr_storage;

struct kr_storage_ops {
    const char *name;       /* "local", "s3" ... */
    /* Fill *st. A path that does not exist is KR_OK with kind MISSING;
     * other failures (permission...) are KR_EIO with err filled. */
    int (*stat)(struct kr_storage *s, const char *path, struct kr_statinfo *st,
                struct kr_error *err);
    /* SHA-256 of the content as 64 lowercase hex digits + NUL into hex.
     * KR_NOT_FOUND when the file is missing or larger than max_size
     * (max_size < 0: no limit), KR_EIO on read errors. NULL: unsupported. */
    int (*checksum)(struct kr_storage *s, const char *path, int64_t max_size,
                    char hex[KR_SHA256_HEX_LEN + 1], struct kr_error *err);
    /* Remove a file or a directory tree. KR_OK also when already missing. */
    int (*remove)(struct kr_storage *s, const char *path, struct kr_error *err);
};

struct kr_storage {
    const struct kr_storage_ops *ops;
    void *data;             /* backend state */
};

/* The local file system (a static handle; never freed). */
struct kr_storage *kr_storage_local(void);

/* Convenience wrappers: call the backend's op (KR_EUNSUPPORTED when NULL). */
int kr_storage_stat(struct kr_storage *s, const char *path, struct kr_statinfo *st,
                    struct kr_error *err);
int kr_storage_checksum(struct kr_storage *s, const char *path, int64_t max_size,
                        char hex[KR_SHA256_HEX_LEN + 1], struct kr_error *err);
int kr_storage_remove(struct kr_storage *s, const char *path, struct kr_error *err);

/*
 * SHA-256 of a local file (src/checksum.c) as lowercase hex. KR_NOT_FOUND
 * when the file is missing, not a regular file, or larger than max_size
 * (max_size < 0: no limit); KR_EIO with err on read errors. The state
 * database records input checksums with this same function.
 */
int kr_checksum_file(const char *path, int64_t max_size, char hex[KR_SHA256_HEX_LEN + 1],
                     struct kr_error *err);

/*
 * The s3:// backend (src/storage-s3.c): s3:// (or, normalised, s3:/) paths
 * go to S3 through an inventory (one HEAD for a lone object, one paginated
 * listing per directory otherwise), all other paths to the local backend.
 * endpoint_url may be NULL (AWS_ENDPOINT_URL_S3 ... see s3.h). Free with
 * kr_storage_s3_free(); kr_storage_s3_requests() counts the S3 requests.
 */
int kr_storage_is_s3(const char *path);

/* The bucket and key of an s3:// (or interned s3:/) path, kr_malloc'd
 * (caller frees both). KR_OK, or KR_EUSAGE with err (may be NULL) for a
 * path without a bucket or key. */
int kr_storage_s3_split(const char *path, char **bucket, char **key, struct kr_error *err);
struct kr_storage *kr_storage_s3_new(const char *endpoint_url);
long kr_storage_s3_requests(struct kr_storage *s);
/* KR_OK, or the first error an S3 request hit while planning (s may be NULL). */
int kr_storage_s3_check(struct kr_storage *s, struct kr_error *err);
void kr_storage_s3_free(struct kr_storage *s);

struct kr_s3;
struct kr_s3_object;

/* The S3 client of an s3 storage, opened on first use (shared by the
 * planner's inventory and src/stage.c's transfers; owned by the storage).
 * KR_EIO/KR_EUSAGE with err when it cannot be opened. */
int kr_storage_s3_client(struct kr_storage *s, struct kr_s3 **out, struct kr_error *err);

/* Report the progress of the storage's long S3 transfers to fn(ud, done,
 * total) from now on (fn NULL: no more; see kr_s3_set_meter). A no-op for
 * a storage that is not S3 or whose client cannot be opened. */
void kr_storage_s3_meter(struct kr_storage *s, void (*fn)(void *ud, int64_t done, int64_t total),
                         void *ud);

/* What the inventory knows of the object at an s3:// path: 1 and *obj
 * (key NULL) when it was seen to exist, 0 when unknown or missing. */
int kr_storage_s3_known(struct kr_storage *s, const char *path, struct kr_s3_object *obj);

/* Tell the inventory that the object at path now is obj (after an upload),
 * or that it is gone (obj NULL), so later stats in this run see it. */
void kr_storage_s3_note(struct kr_storage *s, const char *path, const struct kr_s3_object *obj);

/* Whether the inventory saw objects under path + "/" (a directory()
 * output in S3, from a listing or noted after an upload): 1 and *obj (the
 * newest mtime, the total size), else 0. A stat of such a path is
 * KR_STAT_DIR. */
int kr_storage_s3_known_dir(struct kr_storage *s, const char *path, struct kr_s3_object *obj);

/* The objects under the directory `path` (s3://BUCKET/KEY: every key that
 * starts with KEY/), listed now; the inventory learns each of them and, when
 * agg is not NULL, gets *agg (the newest mtime, the total size). *bucket
 * (kr_free) and *objs (kr_s3_objects_free) go to the caller. KR_EIO/KR_EUSAGE
 * with err when S3 cannot be asked. */
int kr_storage_s3_list_dir(struct kr_storage *s, const char *path, char **bucket,
                           struct kr_s3_object **objs, size_t *n, struct kr_s3_object *agg,
                           struct kr_error *err);

/* Tell the inventory that path is now a directory of objects (agg: the
 * newest mtime, the total size), after its files were uploaded. */
void kr_storage_s3_note_dir(struct kr_storage *s, const char *path, const struct kr_s3_object *agg);

#endif /* KR_STORAGE_H */
