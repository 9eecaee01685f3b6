/*
 * stage.h - remote files for jobs that run on this machine's file system:
 * before a job runs, each s3:// input is materialised in a local cache; after
 * it succeeded, each s3:// output is uploaded from the cache (as Snakemake's
 * storage plugins do). The job itself only ever sees local paths.
 *
 * The cache lives under ROOT (the run loop uses .krait/storage):
 *   ROOT/s3/BUCKET/KEY          the object's content (the path the job sees)
 *   ROOT/s3.meta/BUCKET/KEY     sidecar: one line "ETAG SIZE\n" describing the
 *                               object the content came from
 *   ROOT/s3.uploads/ID.upload   a multipart upload in progress (bucket, key,
 *                               upload id), aborted by the next run when a
 *                               killed krait left it
 * A cached copy is reused while the object's ETag and size (from the
 * planner's inventory, else one HEAD) equal the sidecar's and the file still
 * has that size. Downloads go to FILE.part in the same directory and are
 * renamed when complete, so a killed krait never leaves a partial copy under
 * the final name.
 *
 * A directory() in S3 is the objects under KEY/: fetching one stages every
 * object under the prefix (and removes files of the staged copy that are
 * no longer there); pushing one uploads every file under the staged
 * directory and then deletes the objects under the prefix that it did not
 * upload.
 *
 * Jobs that stage themselves with presigned URLs: src/stage-remote.h.
 *
 * Ownership: paths returned are allocated in the caller's arena.
 */
#ifndef KR_STAGE_H
#define KR_STAGE_H

#include "kr.h"

struct kr_storage;

/* The local path of `path` under root: ROOT/s3/BUCKET/KEY for an s3:// (or
 * s3:/) path, `path` itself for a local one (root NULL: always `path`).
 * Keys that cannot be a relative path (empty, "." or ".." segments,
 * trailing '/') are mapped with those segments percent-encoded, so the
 * result always stays under ROOT/s3/BUCKET. */
const char *kr_stage_local_path(const char *root, const char *path, struct kr_arena *arena);

/*
 * Make the cached copy of every remote path among paths[0..n) current:
 * reused when unchanged, else downloaded (all that are needed at once, in
 * parallel). Local paths are ignored. Fails with one line naming the
 * object, the operation, and what to do (KR_EIO), or KR_EUSAGE when S3
 * cannot be used (no credentials...).
 */
int kr_stage_fetch(struct kr_storage *s, const char *root, const char *const *paths, size_t n,
                   struct kr_error *err);

/*
 * Upload every remote path among paths[0..n) from its cached copy (PUT, or
 * multipart above the threshold; x-amz-meta-krait-mtime = the file's mtime):
 * the small ones at once in parallel, the large ones one by one with their
 * parts in parallel (kr_s3_put_many). A failure names the object and what
 * to do; an object whose upload failed does not exist (an unfinished
 * multipart upload is aborted). On success the storage's inventory and the
 * sidecars describe the stored objects (size, ETag - from a HEAD after a
 * multipart upload - and krait-mtime), so the cached copies serve the
 * jobs that consume them and the next plan sees them up to date.
 */
int kr_stage_push(struct kr_storage *s, const char *root, const char *const *paths, size_t n,
                  struct kr_error *err);

/* Abort the multipart uploads a killed krait left unfinished (journaled in
 * ROOT/s3.uploads, see kr_s3_set_upload_journal); best effort, no S3
 * request when there are none. Returns how many were aborted. */
int kr_stage_recover(struct kr_storage *s, const char *root);

/* Remove only the sidecar of a remote path: its cached copy may be
 * replaced by someone else (a job staging itself, src/stage-remote.h). */
void kr_stage_unrecord(const char *root, const char *path);

/* Remove the cached copy and sidecar of a remote path (temp() outputs that
 * were deleted; outputs of a failed job). */
void kr_stage_forget(const char *root, const char *path);

#endif /* KR_STAGE_H */
