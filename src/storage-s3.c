/*
 * storage-s3.c - the planner's storage backend for s3:// paths (storage.h),
 * with every other path handed to the local backend. Paths arrive as
 * "s3://bucket/key" or, after the DAG's path normalisation collapsed the
 * double slash, "s3:/bucket/key"; both mean the same object.
 *
 * Inventory: the first stat of an object in a "directory" (the key up to
 * its last '/') is one HEAD; the second stat in the same directory lists
 * the whole directory once (ListObjectsV2, all pages) into a hash table,
 * and every later stat there is answered from it. Planning N objects in one
 * directory costs 1 HEAD + ceil(N/1000) LIST requests instead of N HEADs.
 * mtime: x-amz-meta-krait-mtime from a HEAD when present, else
 * Last-Modified (listings carry Last-Modified only).
 *
 * The S3 client is opened on the first s3:// path. When that or a request
 * fails (no credentials, bad endpoint, access denied) the path stats as
 * unreadable (KR_EIO) and the first error is kept for
 * kr_storage_s3_check(), which the commands call after planning so that
 * the plan fails with that error rather than with "missing input".
 */
#include "storage.h"

#include "aws.h"
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ent {
    char *name;                 /* "bucket\nkey" (object) or "bucket\nprefix\n" (directory) */
    int kind;                   /* 0 unused, 1 object, 2 missing object, 3 dir seen once, 4 dir listed,
                                   5 "bucket\nkey" has objects under key/ (a directory() output:
                                   obj has the newest mtime and the total size) */
    struct kr_s3_object obj;
};

struct s3store {
    struct kr_storage self;
    char *endpoint;
    struct kr_s3 *s3;
    int open_failed;
    int failed;                 /* some S3 request failed during planning */
    struct kr_error first_err;  /* ... the first such error */
    struct ent *tab;
    size_t cap, used;
};

static struct ent *slot(struct s3store *st, const char *name)
{
    size_t mask = st->cap - 1, i = kr_hash64(name, strlen(name)) & mask;
    while (st->tab[i].kind && strcmp(st->tab[i].name, name) != 0)
        i = (i + 1) & mask;
    return &st->tab[i];
}

static struct ent *put(struct s3store *st, const char *name, int kind)
{
    struct ent *e;
    if ((st->used + 1) * 2 > st->cap) {
        struct ent *old = st->tab;
        size_t ocap = st->cap;
        st->cap = st->cap ? st->cap * 2 : 1024;
        st->tab = kr_calloc(st->cap, sizeof *st->tab);
        for (size_t i = 0; i < ocap; i++)
            if (old[i].kind)
                *slot(st, old[i].name) = old[i];
        kr_free(old);
    }
    e = slot(st, name);
    if (!e->kind) {
        e->name = kr_strdup(name);
        st->used++;
    }
    e->kind = kind;
    return e;
}

static struct ent *get(struct s3store *st, const char *name)
{
    struct ent *e;
    if (!st->cap)
        return NULL;
    e = slot(st, name);
    return e->kind ? e : NULL;
}

int kr_storage_is_s3(const char *path)
{
    return strncmp(path, "s3:/", 4) == 0 && path[4] && (path[4] != '/' || path[5]);
}

int kr_storage_s3_split(const char *path, char **bucket, char **key, struct kr_error *err)
{
    const char *p = path + 4;
    char *url;
    int rc;
    if (*p == '/')
        p++;
    url = kr_asprintf("s3://%s", p);
    rc = kr_s3_parse_url(url, bucket, key, err);
    kr_free(url);
    return rc;
}

static int client(struct s3store *st, struct kr_error *err)
{
    struct kr_error e;
    if (st->s3)
        return KR_OK;
    if (st->open_failed)
        return kr_error_set(err, KR_EIO, "S3 is not available");
    if (kr_s3_open(&st->s3, st->endpoint, &e) != KR_OK) {
        st->open_failed = 1;
        if (err)
            *err = e;
        return KR_EIO;
    }
    {
        /* multipart tuning (bytes), for tests and slow links */
        const char *t = getenv("KRAIT_S3_MULTIPART_THRESHOLD");
        const char *p = getenv("KRAIT_S3_PART_SIZE");
        kr_s3_tune(st->s3, 0, 0, 0, 0, t ? strtoll(t, NULL, 10) : 0, p ? strtoll(p, NULL, 10) : 0);
    }
    return KR_OK;
}

/* Every "directory" above key below the listed prefix (plen bytes) is
 * kind 5, with the newest mtime and the total size of what is under it. */
static void note_parents(struct s3store *st, const char *bucket, const struct kr_s3_object *o,
                         size_t plen)
{
    const char *k = o->key, *sl;
    for (sl = strchr(k + plen, '/'); sl; sl = strchr(sl + 1, '/')) {
        char *nm = kr_asprintf("%s\n%.*s", bucket, (int)(sl - k), k);
        struct ent *x = get(st, nm);
        if (!x || x->kind != 1) {
            if (!x || x->kind != 5) {
                x = put(st, nm, 5);
                memset(&x->obj, 0, sizeof x->obj);
            }
            if (o->mtime_ns > x->obj.mtime_ns)
                x->obj.mtime_ns = o->mtime_ns;
            x->obj.size += o->size;
        }
        kr_free(nm);
    }
}

static void fill(struct kr_statinfo *out, const struct ent *e)
{
    if (e && e->kind == 5) {
        out->kind = KR_STAT_DIR;
        out->mtime_ns = e->obj.mtime_ns;
        out->size = e->obj.size;
        return;
    }
    if (!e || e->kind != 1) {
        out->kind = KR_STAT_MISSING;
        out->mtime_ns = out->size = 0;
        return;
    }
    out->kind = KR_STAT_FILE;
    out->mtime_ns = e->obj.mtime_ns;
    out->size = e->obj.size;
}

static int s3_stat(struct kr_storage *s, const char *path, struct kr_statinfo *out,
                   struct kr_error *err)
{
    struct s3store *st = s->data;
    char *bucket = NULL, *key = NULL, *oname = NULL, *dname = NULL, *slash;
    struct ent *e, *d;
    int rc;

    struct kr_error local_err;
    if (!kr_storage_is_s3(path))
        return kr_storage_stat(kr_storage_local(), path, out, err);
    kr_error_clear(&local_err);
    if (!err)
        err = &local_err;
    if ((rc = kr_storage_s3_split(path, &bucket, &key, err)) != KR_OK ||
        (rc = client(st, err)) != KR_OK)
        goto out;
    oname = kr_asprintf("%s\n%s", bucket, key);
    slash = strrchr(key, '/');
    dname = kr_asprintf("%s\n%.*s\n", bucket, slash ? (int)(slash - key + 1) : 0, key);
    if ((e = get(st, oname))) {
        fill(out, e);
        goto out;
    }
    d = get(st, dname);
    if (d && d->kind == 4) {
        fill(out, NULL); /* listed, and not there */
        goto out;
    }
    if (!d) {
        /* the first object of this directory: one HEAD; when it is not
         * there, the listing below tells whether it is a directory() */
        struct kr_s3_object obj;
        int exists = 0;
        put(st, dname, 3);
        if ((rc = kr_s3_head(st->s3, bucket, key, &obj, &exists, err)) != KR_OK)
            goto out;
        if (exists) {
            e = put(st, oname, 1);
            e->obj = obj;
            e->obj.key = NULL;
            fill(out, e);
            goto out;
        }
    }
    {
        /* the second one: list the directory once */
        struct kr_s3_object *objs = NULL;
        size_t n = 0;
        char *prefix = kr_strndup(key, slash ? (size_t)(slash - key + 1) : 0);
        rc = kr_s3_list(st->s3, bucket, prefix, &objs, &n, err);
        kr_free(prefix);
        if (rc != KR_OK)
            goto out;
        for (size_t i = 0; i < n; i++) {
            char *nm = kr_asprintf("%s\n%s", bucket, objs[i].key);
            note_parents(st, bucket, &objs[i], slash ? (size_t)(slash - key + 1) : 0);
            struct ent *x = get(st, nm);
            /* a HEAD result (with krait's mtime) beats the listing's */
            if (!x || x->kind != 1 || strcmp(x->obj.etag, objs[i].etag) != 0) {
                x = put(st, nm, 1);
                x->obj = objs[i];
                x->obj.key = NULL;
            }
            kr_free(nm);
        }
        kr_s3_objects_free(objs, n);
        put(st, dname, 4);
        fill(out, get(st, oname));
    }
out:
    if (rc != KR_OK && !st->failed) {
        st->failed = 1;
        st->first_err = *err;
    }
    kr_free(bucket);
    kr_free(key);
    kr_free(oname);
    kr_free(dname);
    return rc;
}

static int s3_remove(struct kr_storage *s, const char *path, struct kr_error *err)
{
    struct s3store *st = s->data;
    char *bucket = NULL, *key = NULL, *oname;
    int rc;
    if (!kr_storage_is_s3(path))
        return kr_storage_remove(kr_storage_local(), path, err);
    if ((rc = kr_storage_s3_split(path, &bucket, &key, err)) == KR_OK &&
        (rc = client(st, err)) == KR_OK)
        rc = kr_s3_delete(st->s3, bucket, key, err);
    if (rc == KR_OK) {
        oname = kr_asprintf("%s\n%s", bucket, key);
        if (get(st, oname))
            put(st, oname, 2);
        kr_free(oname);
    }
    kr_free(bucket);
    kr_free(key);
    return rc;
}

static int s3_checksum(struct kr_storage *s, const char *path, int64_t max_size,
                       char hex[KR_SHA256_HEX_LEN + 1], struct kr_error *err)
{
    struct kr_s3_object obj;
    char *id;
    if (!kr_storage_is_s3(path))
        return kr_storage_checksum(kr_storage_local(), path, max_size, hex, err);
    /* remote content is not downloaded to hash: its fingerprint is that of
     * the object's ETag and size as the inventory knows them (no request).
     * Provenance records it like a file's SHA-256, so an input object whose
     * mtime moved (a re-upload of the same bytes; Last-Modified from a
     * listing, truncated to the second, against a krait-mtime from a HEAD)
     * but whose content is the recorded one does not rerun its consumers. */
    if (!kr_storage_s3_known(s, path, &obj) || !obj.etag[0])
        return KR_NOT_FOUND;
    id = kr_asprintf("krait-s3-object\n%s\n%lld", obj.etag, (long long)obj.size);
    kr_aws_sha256_hex(id, strlen(id), hex);
    kr_free(id);
    return KR_OK;
}

static const struct kr_storage_ops s3_ops = {
    .name = "s3",
    .stat = s3_stat,
    .checksum = s3_checksum,
    .remove = s3_remove,
};

struct kr_storage *kr_storage_s3_new(const char *endpoint_url)
{
    struct s3store *st = kr_calloc(1, sizeof *st);
    st->self.ops = &s3_ops;
    st->self.data = st;
    st->endpoint = endpoint_url ? kr_strdup(endpoint_url) : NULL;
    return &st->self;
}

int kr_storage_s3_check(struct kr_storage *s, struct kr_error *err)
{
    struct s3store *st = s ? s->data : NULL;
    if (!st || !st->failed)
        return KR_OK;
    if (err)
        *err = st->first_err;
    return st->first_err.code ? st->first_err.code : KR_EIO;
}

long kr_storage_s3_requests(struct kr_storage *s)
{
    struct s3store *st = s->data;
    return st->s3 ? kr_s3_stats(st->s3)->requests : 0;
}

int kr_storage_s3_client(struct kr_storage *s, struct kr_s3 **out, struct kr_error *err)
{
    struct s3store *st = s->data;
    int rc;
    if (s->ops != &s3_ops)
        return kr_error_set(err, KR_EUNSUPPORTED, "not an S3 storage");
    rc = client(st, err);
    *out = rc == KR_OK ? st->s3 : NULL;
    return rc;
}

/* The inventory entry of kind `kind` (1 an object, 5 a directory) for path,
 * copied into *obj: 1 when there is one, else 0. */
static int known_kind(struct kr_storage *s, const char *path, int kind, struct kr_s3_object *obj)
{
    struct s3store *st = s->data;
    char *bucket = NULL, *key = NULL, *oname;
    struct ent *e;
    int known = 0;
    if (s->ops != &s3_ops || kr_storage_s3_split(path, &bucket, &key, NULL) != KR_OK)
        return 0;
    oname = kr_asprintf("%s\n%s", bucket, key);
    e = get(st, oname);
    if (e && e->kind == kind) {
        *obj = e->obj;
        known = 1;
    }
    kr_free(oname);
    kr_free(bucket);
    kr_free(key);
    return known;
}

int kr_storage_s3_known(struct kr_storage *s, const char *path, struct kr_s3_object *obj)
{
    return known_kind(s, path, 1, obj);
}

void kr_storage_s3_note(struct kr_storage *s, const char *path, const struct kr_s3_object *obj)
{
    struct s3store *st = s->data;
    char *bucket = NULL, *key = NULL, *oname;
    struct ent *e;
    if (s->ops != &s3_ops || kr_storage_s3_split(path, &bucket, &key, NULL) != KR_OK)
        return;
    oname = kr_asprintf("%s\n%s", bucket, key);
    e = put(st, oname, obj ? 1 : 2);
    if (obj) {
        e->obj = *obj;
        e->obj.key = NULL;
    }
    kr_free(oname);
    kr_free(bucket);
    kr_free(key);
}

int kr_storage_s3_list_dir(struct kr_storage *s, const char *path, char **bucket,
                           struct kr_s3_object **objs, size_t *n, struct kr_s3_object *agg,
                           struct kr_error *err)
{
    struct kr_s3 *s3 = NULL;
    char *key = NULL, *prefix;
    size_t i;
    int rc;
    *bucket = NULL;
    *objs = NULL;
    *n = 0;
    if (agg)
        memset(agg, 0, sizeof *agg);
    if ((rc = kr_storage_s3_client(s, &s3, err)) != KR_OK ||
        (rc = kr_storage_s3_split(path, bucket, &key, err)) != KR_OK)
        return rc;
    prefix = kr_asprintf("%s/", key);
    rc = kr_s3_list(s3, *bucket, prefix, objs, n, err);
    for (i = 0; rc == KR_OK && i < *n; i++) {
        char *op = kr_asprintf("s3://%s/%s", *bucket, (*objs)[i].key);
        struct kr_s3_object o = (*objs)[i];
        o.key = NULL;
        kr_storage_s3_note(s, op, &o);
        kr_free(op);
        if (agg && o.mtime_ns > agg->mtime_ns)
            agg->mtime_ns = o.mtime_ns;
        if (agg)
            agg->size += o.size;
    }
    kr_free(prefix);
    kr_free(key);
    return rc;
}

void kr_storage_s3_meter(struct kr_storage *s, void (*fn)(void *ud, int64_t done, int64_t total),
                         void *ud)
{
    struct kr_s3 *s3 = NULL;
    if (kr_storage_s3_client(s, &s3, NULL) == KR_OK)
        kr_s3_set_meter(s3, fn, ud);
}

int kr_storage_s3_known_dir(struct kr_storage *s, const char *path, struct kr_s3_object *obj)
{
    return known_kind(s, path, 5, obj);
}

void kr_storage_s3_note_dir(struct kr_storage *s, const char *path, const struct kr_s3_object *agg)
{
    struct s3store *st = s->data;
    char *bucket = NULL, *key = NULL, *oname;
    struct ent *e;
    if (s->ops != &s3_ops || kr_storage_s3_split(path, &bucket, &key, NULL) != KR_OK)
        return;
    oname = kr_asprintf("%s\n%s", bucket, key);
    e = put(st, oname, 5);
    e->obj = *agg;
    e->obj.key = NULL;
    kr_free(oname);
    kr_free(bucket);
    kr_free(key);
}

void kr_storage_s3_free(struct kr_storage *s)
{
    struct s3store *st;
    if (!s)
        return;
    st = s->data;
    for (size_t i = 0; i < st->cap; i++)
        kr_free(st->tab[i].name);
    kr_free(st->tab);
    kr_free(st->endpoint);
    kr_s3_close(st->s3);
    kr_free(st);
}
