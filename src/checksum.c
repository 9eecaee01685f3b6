/*
 * checksum.c - SHA-256 of small local files (libcrypto's EVP interface),
 * used lazily by the planner: an input newer than an output whose content
 * still matches the checksum recorded when the job ran does not trigger a
 * rerun. Only files up to a size limit are hashed (Snakemake: 1 MB), so the
 * cost stays bounded; the caller decides when a checksum is worth it.
 */
#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

int kr_checksum_file(const char *path, int64_t max_size, char hex[KR_SHA256_HEX_LEN + 1],
                     struct kr_error *err)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    char buf[65536];
    struct stat st;
    EVP_MD_CTX *ctx = NULL;
    int fd, rc = KR_OK;
    ssize_t n;

    hex[0] = '\0';
    /* O_NONBLOCK: opening a FIFO (a pipe() between two jobs) must not wait
     * for a writer; it is not a regular file and is not summed anyway */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return KR_NOT_FOUND;
        return kr_error_set(err, KR_EIO, "cannot open '%s': %s", path, strerror(errno));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (max_size >= 0 && st.st_size > max_size)) {
        rc = KR_NOT_FOUND;
        goto out;
    }
    ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        rc = kr_error_set(err, KR_EIO, "SHA-256 unavailable in libcrypto");
        goto out;
    }
    for (;;) {
        n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = kr_error_set(err, KR_EIO, "cannot read '%s': %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    for (i = 0; i < mdlen && i < KR_SHA256_HEX_LEN / 2; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * i] = '\0';
out:
    if (ctx)
        EVP_MD_CTX_free(ctx);
    close(fd);
    return rc;
}
