/*
 * shadow.c - shadow: directories (see shadow.h).
 */
#include "shadow.h"
#include "storage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const mode_names[] = { "", "minimal", "copy-minimal", "shallow", "full" };

int kr_shadow_mode(const char *name)
{
    int i;
    for (i = 1; i < (int)KR_ARRAY_LEN(mode_names); i++)
        if (!strcmp(name, mode_names[i]))
            return i;
    return -1;
}

const char *kr_shadow_path(const char *base, const char *workdir, const char *rule,
                           const char *wildcards, int attempt, struct kr_arena *arena)
{
    uint64_t h = kr_hash64(workdir, strlen(workdir) + 1);
    h = kr_hash64_seed(rule, strlen(rule) + 1, h);
    h = kr_hash64_seed(wildcards, strlen(wildcards) + 1, h);
    return kr_arena_printf(arena, "%s/%s.%016llx.%d", base, rule, (unsigned long long)h,
                           attempt);
}

/* "a/./b" -> "a/b", leading "./" dropped; NULL for a path into a parent
 * directory. Caller frees. */
static char *rel_norm(const char *p)
{
    struct kr_buf b = KR_BUF_INIT;
    const char *s = p, *e;
    while (*s) {
        size_t n;
        while (*s == '/')
            s++;
        e = strchr(s, '/');
        n = e ? (size_t)(e - s) : strlen(s);
        if (n == 2 && !strncmp(s, "..", 2)) {
            kr_buf_free(&b);
            return NULL;
        }
        if (n && !(n == 1 && *s == '.')) {
            if (b.len)
                kr_buf_putc(&b, '/');
            kr_buf_append(&b, s, n);
        }
        s += n;
    }
    return kr_buf_steal(&b);
}

static int copy_tree(const char *src, const char *dst, struct kr_error *err);

static int copy_file(const char *src, const char *dst, mode_t mode, struct kr_error *err)
{
    char buf[65536];
    ssize_t n;
    int in = open(src, O_RDONLY | O_CLOEXEC), out;
    if (in < 0)
        return kr_error_set(err, KR_EIO, "shadow: cannot read %s: %s", src, strerror(errno));
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777);
    if (out < 0) {
        close(in);
        return kr_error_set(err, KR_EIO, "shadow: cannot create %s: %s", dst, strerror(errno));
    }
    while ((n = read(in, buf, sizeof buf)) > 0) {
        char *p = buf;
        while (n > 0) {
            ssize_t w = write(out, p, (size_t)n);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                close(in);
                close(out);
                return kr_error_set(err, KR_EIO, "shadow: cannot write %s: %s", dst,
                                    strerror(errno));
            }
            p += w;
            n -= w;
        }
    }
    close(in);
    if (n < 0 || close(out) != 0)
        return kr_error_set(err, KR_EIO, "shadow: cannot copy %s to %s: %s", src, dst,
                            strerror(errno));
    return KR_OK;
}

int kr_copy_tree(const char *src, const char *dst, struct kr_error *err)
{
    return copy_tree(src, dst, err);
}

/* Copy a file, symlink or directory tree (symlinks are copied as links). */
static int copy_tree(const char *src, const char *dst, struct kr_error *err)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    int rc = KR_OK;
    if (lstat(src, &st) != 0)
        return kr_error_set(err, KR_EIO, "shadow: cannot stat %s: %s", src, strerror(errno));
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlink(src, target, sizeof target - 1);
        if (n < 0)
            return kr_error_set(err, KR_EIO, "shadow: cannot read link %s: %s", src,
                                strerror(errno));
        target[n] = 0;
        if (symlink(target, dst) != 0)
            return kr_error_set(err, KR_EIO, "shadow: cannot create %s: %s", dst,
                                strerror(errno));
        return KR_OK;
    }
    if (!S_ISDIR(st.st_mode))
        return copy_file(src, dst, st.st_mode, err);
    if (mkdir(dst, st.st_mode & 07777) != 0 && errno != EEXIST)
        return kr_error_set(err, KR_EIO, "shadow: cannot create %s: %s", dst, strerror(errno));
    d = opendir(src);
    if (!d)
        return kr_error_set(err, KR_EIO, "shadow: cannot read %s: %s", src, strerror(errno));
    while (rc == KR_OK && (de = readdir(d))) {
        char *s, *t;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        s = kr_asprintf("%s/%s", src, de->d_name);
        t = kr_asprintf("%s/%s", dst, de->d_name);
        rc = copy_tree(s, t, err);
        kr_free(s);
        kr_free(t);
    }
    closedir(d);
    return rc;
}

/* Move src to dst, replacing dst; across file systems (a --shadow-prefix on
 * local scratch) by copying. */
static int move_path(const char *src, const char *dst, struct kr_error *err)
{
    int rc;
    if (rename(src, dst) == 0)
        return KR_OK;
    if (errno != EXDEV && errno != ENOTEMPTY && errno != EEXIST && errno != EISDIR &&
        errno != ENOTDIR)
        return kr_error_set(err, KR_EIO, "shadow: cannot move %s to %s: %s", src, dst,
                            strerror(errno));
    rc = kr_storage_remove(kr_storage_local(), dst, err);
    if (rc == KR_OK && rename(src, dst) == 0)
        return KR_OK;
    if (rc == KR_OK && errno != EXDEV)
        return kr_error_set(err, KR_EIO, "shadow: cannot move %s to %s: %s", src, dst,
                            strerror(errno));
    if (rc == KR_OK)
        rc = copy_tree(src, dst, err);
    return rc;
}

static int link_abs(const char *cwd, const char *rel, const char *link, struct kr_error *err)
{
    char *target = kr_asprintf("%s/%s", cwd, rel);
    int rc = KR_OK;
    if (symlink(target, link) != 0 && errno != EEXIST)
        rc = kr_error_set(err, KR_EIO, "shadow: cannot create the link %s: %s", link,
                          strerror(errno));
    kr_free(target);
    return rc;
}

/* Is `path` (in the working directory) the state directory or the shadow
 * base, which a shadow directory must not contain? */
static bool skipped(const struct stat *st, const struct stat *skip, uint32_t nskip)
{
    uint32_t i;
    for (i = 0; i < nskip; i++)
        if (st->st_dev == skip[i].st_dev && st->st_ino == skip[i].st_ino)
            return true;
    return false;
}

/* full: directories re-created, files (and symlinks, and directories that
 * are symlinks) linked. rel is "" for the top. */
static int walk_full(const char *cwd, const char *rel, const char *dir,
                     const struct stat *skip, uint32_t nskip, struct kr_error *err)
{
    DIR *d = opendir(*rel ? rel : ".");
    struct dirent *de;
    int rc = KR_OK;
    if (!d)
        return kr_error_set(err, KR_EIO, "shadow: cannot read %s: %s", *rel ? rel : ".",
                            strerror(errno));
    while (rc == KR_OK && (de = readdir(d))) {
        struct stat st;
        char *r, *l;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (!*rel && (!strcmp(de->d_name, ".snakemake") || !strcmp(de->d_name, ".krait")))
            continue;
        r = *rel ? kr_asprintf("%s/%s", rel, de->d_name) : kr_strdup(de->d_name);
        l = kr_asprintf("%s/%s", dir, r);
        if (lstat(r, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (!skipped(&st, skip, nskip)) {
                if (mkdir(l, 0777) != 0 && errno != EEXIST)
                    rc = kr_error_set(err, KR_EIO, "shadow: cannot create %s: %s", l,
                                      strerror(errno));
                else
                    rc = walk_full(cwd, r, dir, skip, nskip, err);
            }
        } else {
            rc = link_abs(cwd, r, l, err);
        }
        kr_free(r);
        kr_free(l);
    }
    closedir(d);
    return rc;
}

static int setup_minimal(bool copy, const char *cwd, const char *dir,
                         const char *const *inputs, uint32_t nin,
                         const char *const *outputs, uint32_t nout,
                         const char *const *logs, uint32_t nlogs, struct kr_error *err)
{
    const char *const *lists[3] = { inputs, outputs, logs };
    uint32_t counts[3] = { nin, nout, nlogs }, k, i;
    int rc = KR_OK;
    for (k = 0; k < 3 && rc == KR_OK; k++) {
        for (i = 0; i < counts[k] && rc == KR_OK; i++) {
            const char *p = lists[k][i];
            char *rel, *in_dir;
            struct stat st;
            if (p[0] == '/')
                continue;
            rel = rel_norm(p);
            if (!rel)
                return kr_error_set(err, KR_EEXEC, "the following file name references a "
                                    "parent directory relative to your workdir, which "
                                    "shadow: \"%s\" does not support (give an absolute "
                                    "path instead): %s", copy ? "copy-minimal" : "minimal",
                                    p);
            in_dir = kr_asprintf("%s/%s", dir, rel);
            rc = kr_mkdirs_parent(in_dir, err);
            if (rc == KR_OK && k == 0 && lstat(in_dir, &st) != 0) {
                if (copy)
                    rc = copy_tree(rel, in_dir, err);
                else
                    rc = link_abs(cwd, rel, in_dir, err);
            }
            kr_free(in_dir);
            kr_free(rel);
        }
    }
    return rc;
}

int kr_shadow_setup(int mode, const char *dir, const char *state_dir,
                    const char *const *inputs, uint32_t nin,
                    const char *const *outputs, uint32_t nout,
                    const char *const *logs, uint32_t nlogs, struct kr_error *err)
{
    char cwd[PATH_MAX];
    struct stat skip[2];
    uint32_t nskip = 0;
    int rc;

    if (!getcwd(cwd, sizeof cwd))
        return kr_error_set(err, KR_EIO, "shadow: cannot get the working directory: %s",
                            strerror(errno));
    rc = kr_storage_remove(kr_storage_local(), dir, err);
    if (rc == KR_OK)
        rc = kr_mkdirs(dir, err);
    if (rc != KR_OK)
        return rc;
    if (stat(state_dir, &skip[nskip]) == 0)
        nskip++;
    {
        /* the shadow base: dir's parent */
        char *base = kr_strdup(dir), *sl = strrchr(base, '/');
        if (sl) {
            *sl = 0;
            if (stat(base, &skip[nskip]) == 0)
                nskip++;
        }
        kr_free(base);
    }
    switch (mode) {
    case KR_SHADOW_MINIMAL:
    case KR_SHADOW_COPY_MINIMAL:
        return setup_minimal(mode == KR_SHADOW_COPY_MINIMAL, cwd, dir, inputs, nin, outputs,
                             nout, logs, nlogs, err);
    case KR_SHADOW_SHALLOW: {
        DIR *d = opendir(".");
        struct dirent *de;
        if (!d)
            return kr_error_set(err, KR_EIO, "shadow: cannot read %s: %s", cwd,
                                strerror(errno));
        while (rc == KR_OK && (de = readdir(d))) {
            struct stat st;
            char *l;
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            if (lstat(de->d_name, &st) == 0 && skipped(&st, skip, nskip))
                continue;
            l = kr_asprintf("%s/%s", dir, de->d_name);
            rc = link_abs(cwd, de->d_name, l, err);
            kr_free(l);
        }
        closedir(d);
        return rc;
    }
    case KR_SHADOW_FULL:
        return walk_full(cwd, "", dir, skip, nskip, err);
    default:
        return KR_OK;
    }
}

/* A symlink the job made in the shadow directory that points, by an
 * absolute path, into that directory would dangle once the directory is
 * removed: remake it relative (as Snakemake's unshadow_output does), from
 * sp (the link at rel inside dir) to the same place. */
static void relink(const char *dir, const char *rel, const char *sp)
{
    char tgt[PATH_MAX], base[PATH_MAX];
    const char *in = NULL, *p;
    struct kr_buf b = KR_BUF_INIT;
    ssize_t n = readlink(sp, tgt, sizeof tgt - 1);
    size_t bl;
    if (n <= 0 || tgt[0] != '/')
        return;
    tgt[n] = 0;
    /* the directory as the job saw it: absolute, or its real path */
    if (dir[0] == '/') {
        bl = strlen(dir);
        if (!strncmp(tgt, dir, bl) && tgt[bl] == '/')
            in = tgt + bl + 1;
    }
    if (!in && realpath(dir, base)) {
        bl = strlen(base);
        if (!strncmp(tgt, base, bl) && tgt[bl] == '/')
            in = tgt + bl + 1;
    }
    if (!in)
        return;
    for (p = rel; (p = strchr(p, '/')); p++)
        kr_buf_puts(&b, "../");
    kr_buf_puts(&b, in);
    if (unlink(sp) == 0 && symlink(kr_buf_cstr(&b), sp) != 0)
        (void)symlink(tgt, sp);     /* put the original back */
    kr_buf_free(&b);
}

static int unshadow(const char *dir, const char *path, struct kr_error *err)
{
    char *rel, *sp, a[PATH_MAX], b[PATH_MAX];
    struct stat st;
    int rc = KR_OK;
    if (path[0] == '/')
        return KR_OK;
    rel = rel_norm(path);
    if (!rel)
        return KR_OK;
    sp = kr_asprintf("%s/%s", dir, rel);
    if (lstat(sp, &st) == 0 && S_ISLNK(st.st_mode))
        relink(dir, rel, sp);
    /* written through a symlink into the working directory: already there */
    if (lstat(sp, &st) == 0 &&
        !(realpath(sp, a) && realpath(rel, b) && !strcmp(a, b))) {
        rc = kr_mkdirs_parent(rel, err);
        if (rc == KR_OK)
            rc = move_path(sp, rel, err);
    }
    kr_free(sp);
    kr_free(rel);
    return rc;
}

int kr_shadow_finish(const char *dir, bool success, bool keep,
                     const char *const *outputs, uint32_t nout,
                     const char *const *logs, uint32_t nlogs, struct kr_error *err)
{
    uint32_t i;
    int rc = KR_OK;
    for (i = 0; success && rc == KR_OK && i < nout; i++)
        rc = unshadow(dir, outputs[i], err);
    for (i = 0; rc == KR_OK && i < nlogs; i++)
        rc = unshadow(dir, logs[i], err);
    if (!keep) {
        struct kr_error e2;
        if (kr_storage_remove(kr_storage_local(), dir, &e2) != KR_OK && rc == KR_OK) {
            *err = e2;
            rc = e2.code;
        }
    }
    return rc;
}
