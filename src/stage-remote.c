/*
 * stage-remote.c - the presigned-URL job wrapper (see stage-remote.h): the
 * bash text that downloads a job's s3:// inputs, runs its command and
 * uploads its s3:// outputs with curl (or wget), and the presigning of the
 * job's objects through the S3 client of the planner's storage.
 *
 * The script is built from fixed text plus three kinds of variable parts,
 * each made safe where it is put: paths and s3:// names single-quoted (any
 * byte but NUL survives), the command single-quoted as one argument of
 * `bash -euo pipefail -c`, URLs in quoted here-documents (a presigned URL
 * is percent-encoded: it holds no newline and no quote). The outer text
 * wraps the inner script in a here-document whose delimiter is chosen so
 * that no line of the inner script equals it.
 */
#include "stage-remote.h"

#include "s3.h"
#include "stage.h"
#include "storage.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

long kr_stage_remote_expiry(int64_t runtime_min)
{
    const char *env = getenv("KRAIT_PRESIGN_EXPIRES");
    long secs;
    if (env && *env) {
        char *end;
        long v;
        errno = 0;
        v = strtol(env, &end, 10);
        if (!errno && !*end && v >= 1 && v <= KR_STAGE_REMOTE_MAX_EXPIRY)
            return v;
    }
    if (runtime_min <= 0 || runtime_min > KR_STAGE_REMOTE_MAX_EXPIRY / 60)
        secs = runtime_min <= 0 ? KR_STAGE_REMOTE_DEFAULT_RUNTIME : KR_STAGE_REMOTE_MAX_EXPIRY;
    else
        secs = (long)runtime_min * 60;
    secs += KR_STAGE_REMOTE_MARGIN;
    return secs > KR_STAGE_REMOTE_MAX_EXPIRY ? KR_STAGE_REMOTE_MAX_EXPIRY : secs;
}

/* The bytes in environment variable name when it is an integer in
 * [lo, hi], else def (tests make the part limits small). */
static int64_t env_bytes(const char *name, int64_t lo, int64_t hi, int64_t def)
{
    const char *env = getenv(name);
    char *end;
    long long v;
    if (!env || !*env)
        return def;
    errno = 0;
    v = strtoll(env, &end, 10);
    return !errno && !*end && v >= lo && v <= hi ? (int64_t)v : def;
}

/* A job's part tag: 16 hex digits, the microseconds since the epoch then
 * 12 bits that differ between jobs wrapped in the same microsecond, so
 * that a later job's tag sorts after an earlier one's. */
static const char *part_tag(struct kr_arena *arena)
{
    static unsigned seq;
    struct timespec ts;
    unsigned long long us;
    clock_gettime(CLOCK_REALTIME, &ts);
    us = (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
    return kr_arena_printf(arena, "%013llx%03x", us & 0xfffffffffffffULL,
                           (unsigned)((seq++ ^ (unsigned)getpid() << 4) & 0xfff));
}

/* From how many bytes a job's script goes packed (gzip, base64):
 * KRAIT_STAGE_PACK_MIN, else KR_STAGE_REMOTE_PACK_MIN. */
static size_t pack_min(void)
{
    return (size_t)env_bytes("KRAIT_STAGE_PACK_MIN", 0, 1LL << 40, KR_STAGE_REMOTE_PACK_MIN);
}

/* data gzipped (libarchive's raw format) and base64-encoded, no newline:
 * kr_malloc'd, or NULL when libarchive cannot (then the script goes as it
 * is). */
static char *gzip_base64(const char *data, size_t len)
{
    size_t cap = len + len / 8 + 1024, used = 0;
    unsigned char *z = kr_malloc(cap);
    struct archive *a = archive_write_new();
    struct archive_entry *e = archive_entry_new();
    char *out = NULL;
    bool ok = a && e && archive_write_add_filter_gzip(a) == ARCHIVE_OK &&
              archive_write_set_format_raw(a) == ARCHIVE_OK &&
              archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK &&
              archive_write_open_memory(a, z, cap, &used) == ARCHIVE_OK;
    if (ok) {
        archive_entry_set_pathname(e, "job.sh");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t)len);
        ok = archive_write_header(a, e) == ARCHIVE_OK &&
             archive_write_data(a, data, len) == (la_ssize_t)len &&
             archive_write_close(a) == ARCHIVE_OK;
    }
    if (ok && used > 0) {
        out = kr_malloc(4 * ((used + 2) / 3) + 1);
        EVP_EncodeBlock((unsigned char *)out, z, (int)used);
    }
    if (e)
        archive_entry_free(e);
    if (a)
        archive_write_free(a);
    memset(z, 0, cap);  /* it held the URLs */
    kr_free(z);
    return out;
}

/* Whether `line` is a whole line of text. */
static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    const char *p = text;
    while ((p = strstr(p, line)) != NULL) {
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return true;
        p += n;
    }
    return false;
}

/* The functions every wrapper shares (fixed text: no variable part). */
static const char prelude[] =
    "# krait: presigned staging of one job. This file holds presigned URLs:\n"
    "# it lives in a private scratch directory removed when the job ends.\n"
    "set -u\n"
    "kr_d=$1\n"
    "trap 'rm -rf -- \"$kr_d\"' EXIT\n"
    "trap 'exit 129' HUP\n"
    "trap 'exit 130' INT\n"
    "trap 'exit 143' TERM\n"
    "kr_say() { printf 'krait staging: %s\\n' \"$*\" >&2; }\n"
    "if command -v curl >/dev/null 2>&1; then kr_tool=curl\n"
    "elif command -v wget >/dev/null 2>&1; then kr_tool=wget\n"
    "else kr_say \"neither curl nor wget is installed where the job runs: add one to the "
    "job's image, or use --storage-staging shared\"; exit 1; fi\n"
    "kr_md5() { if command -v md5sum >/dev/null 2>&1; then md5sum < \"$1\" | cut -c1-32; fi; }\n"
    /* an element of an S3 error body (never the whole body: SignatureDoesNotMatch
     * answers echo the canonical request, which holds the query) */
    "kr_xml() { tr -d '\\r\\n' < \"$2\" 2>/dev/null | sed -n \"s:.*<$1>\\([^<]*\\)</$1>.*:\\1:p\" "
    "| cut -c1-200; }\n"
    /* one request: URL file, method, file -> kr_code (000: no HTTP answer), kr_err */
    "kr_req() {\n"
    "    kr_code=000; kr_err=; : > \"$kr_d/hdr\"; : > \"$kr_d/resp\"\n"
    "    if [ \"$kr_tool\" = curl ]; then\n"
    "        if [ \"$2\" = GET ]; then\n"
    "            kr_code=$(printf 'url = \"%s\"\\n' \"$(cat \"$1\")\" | curl -sS -g -K - -o \"$3\" "
    "-w '%{http_code}' --connect-timeout 30 --speed-limit 1 --speed-time 120 2>\"$kr_d/err\")\n"
    "        elif [ \"$2\" = DELETE ]; then\n"
    "            kr_code=$(printf 'url = \"%s\"\\n' \"$(cat \"$1\")\" | curl -sS -g -K - -X DELETE "
    "-o \"$kr_d/resp\" -w '%{http_code}' --connect-timeout 30 2>\"$kr_d/err\")\n"
    "        else\n"
    "            kr_code=$(printf 'url = \"%s\"\\n' \"$(cat \"$1\")\" | curl -sS -g -K - -T \"$3\" "
    "-H 'Expect:' ${kr_cmd5:+-H \"Content-MD5: $kr_cmd5\"} -D \"$kr_d/hdr\" -o \"$kr_d/resp\" "
    "-w '%{http_code}' --connect-timeout 30 --speed-limit 1 --speed-time 120 2>\"$kr_d/err\")\n"
    "        fi\n"
    "        kr_rc=$?\n"
    "        [ $kr_rc -eq 0 ] || kr_err=\"curl exit code $kr_rc: $(tr '\\n' ' ' < \"$kr_d/err\" "
    "| sed 's/?[^ ]*/?.../g' | cut -c1-300)\"\n"
    "    else\n"
    "        if [ \"$2\" = GET ]; then wget -q -O \"$3\" -i \"$1\" 2>\"$kr_d/err\"\n"
    "        else wget -q --method=PUT --body-file=\"$3\" -O \"$kr_d/resp\" -i \"$1\" 2>\"$kr_d/err\"; fi\n"
    "        kr_rc=$?\n"
    "        case $kr_rc in\n"
    "        0) kr_code=200 ;;\n"
    "        8) kr_code=500; kr_err=\"wget: the server answered with an error (wget does not say "
    "which: install curl for the exact answer)\" ;;\n"
    "        *) kr_err=\"wget exit code $kr_rc\" ;;\n"
    "        esac\n"
    "    fi\n"
    "}\n"
    /* one line for an HTTP error that is not retried */
    "kr_fatal() {\n"
    "    kr_c=$(kr_xml Code \"$3\"); kr_m=$(kr_xml Message \"$3\")\n"
    "    case $kr_code in\n"
    "    403) kr_h=\" (the presigned URL was valid for $kr_exp s from the job's submission: "
    "when it expired, the job started or ran later than that - set resources.runtime (minutes) "
    "to the job's real run time and rerun; else the credentials krait signed with may not "
    "access the object)\" ;;\n"
    "    404) kr_h=' (the object or bucket does not exist (any more): rerun krait to plan again)' ;;\n"
    "    *) kr_h= ;;\n"
    "    esac\n"
    "    kr_say \"$1 $2: HTTP $kr_code${kr_c:+ $kr_c}${kr_m:+: $kr_m}$kr_h\"\n"
    "}\n"
    "kr_wait() { sleep $((kr_delay + RANDOM % kr_delay)); kr_delay=$((kr_delay * 2 > 20 ? 20 : "
    "kr_delay * 2)); kr_i=$((kr_i + 1)); }\n"
    /* after a failed try of OP S3NAME: wait and go on, or (the last try) say so and fail */
    "kr_again() {\n"
    "    if [ $kr_i -ge $kr_att ]; then\n"
    "        kr_say \"$1 $2 failed $kr_att times: $kr_why: rerun later, or check the storage "
    "endpoint\"; return 1\n"
    "    fi\n"
    "    kr_wait\n"
    "}\n"
    /* a 2xx upload: whether the stored object is the file (its plain-MD5
     * ETag, when both are known), else kr_why */
    "kr_stored() {\n"
    "    kr_et=$(kr_etag)\n"
    "    if [ -n \"$kr_m\" ] && [ -n \"$kr_et\" ] && [ \"$kr_et\" != \"$kr_m\" ]; then\n"
    "        kr_why=\"the stored object's ETag is not the file's MD5\"; return 1\n"
    "    fi\n"
    "}\n"
    /* the plain-MD5 ETag of the last answer's headers, lowercased (else empty) */
    "kr_etag() { tr -d '\\r' < \"$kr_d/hdr\" | sed -n 's/^[Ee][Tt][Aa][Gg]:[[:space:]]*"
    "\"\\{0,1\\}\\([0-9a-fA-F]\\{32\\}\\)\"\\{0,1\\}[[:space:]]*$/\\1/p' | tr A-F a-f | head -n 1; }\n"
    /* GET: N LOCAL S3NAME SIZE MD5 */
    "kr_get() {\n"
    "    kr_tmp=\"$2.krait-part.$$\"; kr_i=1; kr_delay=1\n"
    "    mkdir -p -- \"$(dirname -- \"$2\")\" || { kr_say \"GET $3: cannot create the directory "
    "of $2\"; return 1; }\n"
    "    while :; do\n"
    "        rm -f -- \"$kr_tmp\"\n"
    "        kr_req \"$kr_d/u$1\" GET \"$kr_tmp\"\n"
    "        if [ -n \"$kr_err\" ]; then kr_why=$kr_err\n"
    "        else\n"
    "            case $kr_code in\n"
    "            2[0-9][0-9])\n"
    "                kr_n=$(($(wc -c < \"$kr_tmp\")))\n"
    "                if [ \"$4\" -ge 0 ] && [ \"$kr_n\" -ne \"$4\" ]; then\n"
    "                    kr_why=\"received $kr_n bytes, the object has $4\"\n"
    "                elif [ -n \"$5\" ] && kr_m=$(kr_md5 \"$kr_tmp\") && [ -n \"$kr_m\" ] && "
    "[ \"$kr_m\" != \"$5\" ]; then\n"
    "                    kr_why=\"the content's MD5 is not the object's ETag\"\n"
    "                elif mv -f -- \"$kr_tmp\" \"$2\"; then return 0\n"
    "                else kr_say \"GET $3: cannot rename the download to $2\"; return 1; fi ;;\n"
    "            5[0-9][0-9]|429|408) kr_why=\"HTTP $kr_code $(kr_xml Code \"$kr_tmp\")\" ;;\n"
    "            *) kr_fatal GET \"$3\" \"$kr_tmp\"; rm -f -- \"$kr_tmp\"; return 1 ;;\n"
    "            esac\n"
    "        fi\n"
    "        kr_again GET \"$3\" || { rm -f -- \"$kr_tmp\"; return 1; }\n"
    "    done\n"
    "}\n"
    /* PUT: N LOCAL S3NAME [FORM PREFIX URL] (the form for parts) */
    "kr_put() {\n"
    "    [ -f \"$2\" ] || { kr_say \"the job finished but output $3 is missing (the job was to "
    "write it to $2)\"; return 1; }\n"
    "    kr_n=$(($(wc -c < \"$2\")))\n"
    "    if [ \"$kr_n\" -gt \"$kr_smax\" ]; then\n"
    "        if [ -n \"${4:-}\" ]; then kr_putparts \"$4\" \"$2\" \"$3\" \"$5\" \"$6\" \"$1\"; "
    "return $?; fi\n"
    "        kr_say \"PUT $3: the output has $kr_n bytes; a presigned upload is one PUT, which S3 "
    "limits to 5 GiB: run this rule with --storage-staging shared (multipart uploads)\"; return 1\n"
    "    fi\n"
    "    kr_cmd5=\n"
    "    if command -v openssl >/dev/null 2>&1 && command -v base64 >/dev/null 2>&1; then\n"
    "        kr_cmd5=$(openssl dgst -md5 -binary < \"$2\" | base64) || kr_cmd5=\n"
    "    fi\n"
    "    kr_m=$(kr_md5 \"$2\"); kr_i=1; kr_delay=1\n"
    "    while :; do\n"
    "        kr_req \"$kr_d/u$1\" PUT \"$2\"\n"
    "        if [ -n \"$kr_err\" ]; then kr_why=$kr_err\n"
    "        else\n"
    "            case $kr_code in\n"
    "            2[0-9][0-9]) kr_stored && return 0 ;;\n"
    "            5[0-9][0-9]|429|408) kr_why=\"HTTP $kr_code $(kr_xml Code \"$kr_d/resp\")\" ;;\n"
    "            400) if [ \"$(kr_xml Code \"$kr_d/resp\")\" = BadDigest ]; then "
    "kr_why='HTTP 400 BadDigest'\n"
    "                 else kr_fatal PUT \"$3\" \"$kr_d/resp\"; return 1; fi ;;\n"
    "            *) kr_fatal PUT \"$3\" \"$kr_d/resp\"; return 1 ;;\n"
    "            esac\n"
    "        fi\n"
    "        kr_again PUT \"$3\" || return 1\n"
    "    done\n"
    "}\n"
    /* POST (a file of a directory output, or a part, by the presigned form
     * N): N FILE S3NAME KEY URL */
    "kr_post() {\n"
    "    kr_n=$(($(wc -c < \"$2\")))\n"
    "    if [ \"$kr_n\" -gt 5368709120 ]; then\n"
    "        kr_say \"POST $3: the file has $kr_n bytes; a presigned upload is one request, which "
    "S3 limits to 5 GiB: run this rule with --storage-staging shared\"; return 1\n"
    "    fi\n"
    "    kr_m=$(kr_md5 \"$2\"); kr_i=1; kr_delay=1\n"
    "    while :; do\n"
    "        kr_err=; : > \"$kr_d/resp\"; : > \"$kr_d/hdr\"\n"
    "        kr_code=$(curl -sS -g --form-string \"key=$4\" -F \"policy=<$kr_d/fp$1\" "
    "--form-string x-amz-algorithm=AWS4-HMAC-SHA256 -F \"x-amz-credential=<$kr_d/fc$1\" "
    "-F \"x-amz-date=<$kr_d/fd$1\" ${kr_tok:+-F \"x-amz-security-token=<$kr_d/fk$1\"} "
    "-F \"x-amz-signature=<$kr_d/fs$1\" -F 'file=@-' -H 'Expect:' -D \"$kr_d/hdr\" -o \"$kr_d/resp\" "
    "-w '%{http_code}' --connect-timeout 30 --speed-limit 1 --speed-time 120 \"$5\" "
    "< \"$2\" 2>\"$kr_d/err\")\n"
    "        kr_rc=$?\n"
    "        if [ $kr_rc -ne 0 ]; then kr_why=\"curl exit code $kr_rc: $(tr '\\n' ' ' < "
    "\"$kr_d/err\" | cut -c1-300)\"\n"
    "        else\n"
    "            case $kr_code in\n"
    "            2[0-9][0-9]) kr_stored && return 0 ;;\n"
    "            5[0-9][0-9]|429|408) kr_why=\"HTTP $kr_code $(kr_xml Code \"$kr_d/resp\")\" ;;\n"
    "            *) kr_fatal POST \"$3\" \"$kr_d/resp\"; return 1 ;;\n"
    "            esac\n"
    "        fi\n"
    "        kr_again POST \"$3\" || return 1\n"
    "    done\n"
    "}\n"
    /* the object under a file output's key, by its presigned DELETE (d$1):
     * one the job replaces with parts must not be taken for them */
    "kr_del() {\n"
    "    kr_i=1; kr_delay=1\n"
    "    while :; do\n"
    "        kr_req \"$kr_d/d$1\" DELETE\n"
    "        if [ -n \"$kr_err\" ]; then kr_why=$kr_err\n"
    "        else\n"
    "            case $kr_code in\n"
    "            2[0-9][0-9]|404) return 0 ;;\n"
    "            5[0-9][0-9]|429|408) kr_why=\"HTTP $kr_code $(kr_xml Code \"$kr_d/resp\")\" ;;\n"
    "            *) kr_fatal DELETE \"$2\" \"$kr_d/resp\"; return 1 ;;\n"
    "            esac\n"
    "        fi\n"
    "        kr_again DELETE \"$2\" || return 1\n"
    "    done\n"
    "}\n"
    /* a file over kr_smax in parts through form N, then the marker that
     * says they are complete: N FILE S3NAME KEYPREFIX URL [DELN: the old
     * object deleted first] */
    "kr_putparts() {\n"
    "    [ \"$kr_tool\" = curl ] || { kr_say \"$3 has more bytes than one presigned upload takes "
    "($kr_smax): uploading it in parts needs curl where the job runs (wget cannot send a form): "
    "add it to the job's image, or use --storage-staging shared\"; return 1; }\n"
    "    command -v dd >/dev/null 2>&1 || { kr_say \"$3: uploading it in parts needs dd where the "
    "job runs\"; return 1; }\n"
    "    if [ -n \"${6:-}\" ]; then kr_del \"$6\" \"$3\" || return 1; fi\n"
    "    kr_sz=$(($(wc -c < \"$2\"))); kr_ps=$kr_psz\n"
    "    while [ $(( (kr_sz + kr_ps - 1) / kr_ps )) -gt 10000 ]; do kr_ps=$((kr_ps * 2)); done\n"
    "    kr_np=$(( (kr_sz + kr_ps - 1) / kr_ps )); kr_mb=$((kr_ps / 1048576)); kr_p=1\n"
    "    while [ $kr_p -le $kr_np ]; do\n"
    "        rm -f -- \"$kr_d/part\"\n"
    "        dd if=\"$2\" of=\"$kr_d/part\" bs=1048576 skip=$(( (kr_p - 1) * kr_mb )) count=$kr_mb "
    "2>/dev/null || { kr_say \"$3: cannot read part $kr_p of $2 (dd)\"; return 1; }\n"
    "        kr_post \"$1\" \"$kr_d/part\" \"$3 (part $kr_p of $kr_np)\" "
    "\"$4$(printf '%05d' $kr_p)\" \"$5\" || return 1\n"
    "        kr_p=$((kr_p + 1))\n"
    "    done\n"
    "    : > \"$kr_d/part\"\n"
    "    kr_post \"$1\" \"$kr_d/part\" \"$3 (the end of its $kr_np parts)\" "
    "\"${4}done-$kr_np-$kr_sz\" \"$5\" || return 1\n"
    "    rm -f -- \"$kr_d/part\"\n"
    "}\n"
    /* a directory() output, every file under it: N LOCAL S3NAME PREFIX URL */
    "kr_putdir() {\n"
    "    [ -d \"$2\" ] || { kr_say \"the job finished but directory output $3 is missing (the job "
    "was to write it to $2)\"; return 1; }\n"
    "    [ \"$kr_tool\" = curl ] || { kr_say \"directory output $3: uploading a directory needs curl "
    "where the job runs (wget cannot send a form): add it to the job's image, or use "
    "--storage-staging shared\"; return 1; }\n"
    "    : > \"$2/.snakemake_timestamp\" || return 1\n"
    "    (cd -- \"$2\" && find . -type f) > \"$kr_d/files$1\" || { kr_say \"directory output $3: "
    "cannot list $2\"; return 1; }\n"
    "    while IFS= read -r kr_f; do\n"
    "        kr_f=${kr_f#./}\n"
    "        if [ \"$(($(wc -c < \"$2/$kr_f\")))\" -gt \"$kr_smax\" ]; then\n"
    "            kr_putparts \"$1\" \"$2/$kr_f\" \"$3/$kr_f\" \"$4$kr_f.krait-part.$kr_tag.\" \"$5\" "
    "|| return 1\n"
    "        else kr_post \"$1\" \"$2/$kr_f\" \"$3/$kr_f\" \"$4$kr_f\" \"$5\" || return 1; fi\n"
    "    done < \"$kr_d/files$1\"\n"
    "}\n";

const char *kr_stage_remote_script(const struct kr_stage_remote_job *rj, struct kr_arena *arena)
{
    struct kr_buf in = KR_BUF_INIT, b = KR_BUF_INIT;
    char delim[48], *packed;
    const char *out;
    size_t i;
    unsigned n = 0;

    kr_buf_puts(&in, prelude);
    if (rj->in_scratch)
        kr_buf_puts(&in, "cd -- \"$kr_d\" || exit 1\n");
    kr_buf_printf(&in, "kr_exp=%ld\nkr_att=%d\nkr_tok=\nkr_smax=%lld\nkr_psz=%lld\nkr_tag=%s\n",
                  rj->expires, rj->attempts > 0 ? rj->attempts : 6,
                  (long long)(rj->put_max > 0 ? rj->put_max : KR_STAGE_REMOTE_PUT_MAX),
                  (long long)(rj->part_size > 0 ? rj->part_size : KR_STAGE_REMOTE_PART_SIZE),
                  rj->tag ? rj->tag : "0");
    /* the URLs, each in a file of the private directory (curl reads them
     * from its standard input, wget from the file: never an argument) */
    kr_buf_puts(&in, "kr_um=$(umask)\numask 077\n");
    for (i = 0; i < rj->nin + rj->nout; i++) {
        const struct kr_stage_remote_file *f = i < rj->nin ? &rj->in[i] : &rj->out[i - rj->nin];
        kr_buf_printf(&in, "cat > \"$kr_d/u%zu\" <<'KRAIT_URL'\n%s\nKRAIT_URL\n", i + 1, f->url);
        if (i >= rj->nin && f->del_url)
            kr_buf_printf(&in, "cat > \"$kr_d/d%zu\" <<'KRAIT_URL'\n%s\nKRAIT_URL\n", i + 1,
                          f->del_url);
    }
    for (i = 0; i < rj->nforms; i++) {
        /* a form's fields, without a newline (curl -F "name=<file" sends
         * the file as it is) */
        const struct kr_stage_remote_form *d = &rj->forms[i];
        const char *const fv[] = {d->policy, d->credential, d->amz_date, d->signature, d->token};
        static const char fn[] = "pcdsk";
        size_t k;
        for (k = 0; k < 5; k++) {
            if (!fv[k])
                continue;
            kr_buf_puts(&in, "printf '%s' ");
            kr_buf_put_squoted(&in, fv[k]);
            kr_buf_printf(&in, " > \"$kr_d/f%c%zu\"\n", fn[k], i + 1);
        }
        if (d->token)
            kr_buf_puts(&in, "kr_tok=1\n");
    }
    kr_buf_puts(&in, "umask \"$kr_um\"\n");
    for (i = 0; i < rj->nin; i++) {
        const struct kr_stage_remote_file *f = &rj->in[i];
        kr_buf_printf(&in, "kr_get %zu ", i + 1);
        kr_buf_put_squoted(&in, f->local);
        kr_buf_putc(&in, ' ');
        kr_buf_put_squoted(&in, f->remote);
        kr_buf_printf(&in, " %lld ", (long long)(f->size >= 0 ? f->size : -1));
        kr_buf_put_squoted(&in, f->md5 ? f->md5 : "");
        kr_buf_puts(&in, " || exit 1\n");
    }
    for (i = 0; i < rj->nout; i++) {
        /* the command writes into the same directories as under shared staging */
        kr_buf_puts(&in, "mkdir -p -- \"$(dirname -- ");
        kr_buf_put_squoted(&in, rj->out[i].local);
        kr_buf_puts(&in, ")\" || exit 1\n");
    }
    for (i = 0; i < rj->ndout; i++) {
        kr_buf_puts(&in, "mkdir -p -- \"$(dirname -- ");
        kr_buf_put_squoted(&in, rj->dout[i].local);
        kr_buf_puts(&in, ")\" || exit 1\n");
    }
    for (i = 0; i < rj->nshow; i++) {
        /* in the scratch directory, the log: files' directories are new */
        kr_buf_puts(&in, "mkdir -p -- \"$(dirname -- ");
        kr_buf_put_squoted(&in, rj->show[i]);
        kr_buf_puts(&in, ")\" || exit 1\n");
    }
    /* as executors run it; an image without bash (busybox...) gets sh */
    kr_buf_puts(&in, "kr_cmd=");
    kr_buf_put_squoted(&in, rj->command);
    kr_buf_puts(&in, "\nif command -v bash >/dev/null 2>&1; then bash -euo pipefail -c \"$kr_cmd\"\n"
                     "else sh -eu -c \"$kr_cmd\"; fi\n"
                     "kr_rc=$?\n");
    for (i = 0; i < rj->nshow; i++) {
        /* what the command wrote to its log: files reaches the job's log */
        kr_buf_puts(&in, "if [ -f ");
        kr_buf_put_squoted(&in, rj->show[i]);
        kr_buf_puts(&in, " ]; then cat -- ");
        kr_buf_put_squoted(&in, rj->show[i]);
        kr_buf_puts(&in, " 2>/dev/null; fi\n");
    }
    kr_buf_puts(&in, "if [ $kr_rc -ne 0 ]; then\n"
                     "    if [ $kr_rc -gt 128 ] && [ $kr_rc -lt 160 ]; then\n"
                     "        rm -rf -- \"$kr_d\"; trap - EXIT HUP INT TERM\n"
                     "        kill -s $((kr_rc - 128)) $$\n"
                     "    fi\n"
                     "    exit $kr_rc\n"
                     "fi\n");
    for (i = 0; i < rj->nout; i++) {
        if (!rj->out[i].touch)
            continue;
        kr_buf_puts(&in, "touch -- ");
        kr_buf_put_squoted(&in, rj->out[i].local);
        kr_buf_puts(&in, " || exit 1\n");
    }
    for (i = 0; i < rj->nout; i++) {
        const struct kr_stage_remote_file *f = &rj->out[i];
        kr_buf_printf(&in, "kr_put %zu ", rj->nin + i + 1);
        kr_buf_put_squoted(&in, f->local);
        kr_buf_putc(&in, ' ');
        kr_buf_put_squoted(&in, f->remote);
        if (f->form && f->form <= rj->nforms && f->part_prefix && f->del_url) {
            kr_buf_printf(&in, " %zu ", f->form);
            kr_buf_put_squoted(&in, f->part_prefix);
            kr_buf_putc(&in, ' ');
            kr_buf_put_squoted(&in, rj->forms[f->form - 1].url);
        }
        kr_buf_puts(&in, " || exit 1\n");
    }
    for (i = 0; i < rj->ndout; i++) {
        kr_buf_printf(&in, "kr_putdir %zu ", rj->dout[i].form);
        kr_buf_put_squoted(&in, rj->dout[i].local);
        kr_buf_putc(&in, ' ');
        kr_buf_put_squoted(&in, rj->dout[i].remote);
        kr_buf_putc(&in, ' ');
        kr_buf_put_squoted(&in, rj->dout[i].prefix);
        kr_buf_putc(&in, ' ');
        kr_buf_put_squoted(&in, rj->forms[rj->dout[i].form - 1].url);
        kr_buf_puts(&in, " || exit 1\n");
    }
    kr_buf_puts(&in, "exit 0\n");

    kr_buf_puts(&b, "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN "
                    "AWS_SECURITY_TOKEN\n"
                    "kr_d=$(mktemp -d \"${TMPDIR:-/tmp}/krait-stage.XXXXXX\") || { echo 'krait "
                    "staging: cannot create a scratch directory (mktemp -d)' >&2; exit 1; }\n");
    if (in.len >= pack_min() && (packed = gzip_base64(in.data, in.len)) != NULL) {
        /* a big script (many files, long session-token URLs) goes packed:
         * AWS Batch takes at most 30 KiB per SubmitJob */
        kr_buf_puts(&b, "command -v base64 >/dev/null 2>&1 && command -v gzip >/dev/null 2>&1 "
                        "|| { echo 'krait staging: the job needs base64 and gzip where it runs "
                        "(its script is packed): add them to the image, or use "
                        "--storage-staging shared' >&2; exit 1; }\n"
                        "(umask 077 && printf '%s' '");
        kr_buf_puts(&b, packed);
        kr_buf_puts(&b, "' | base64 -d | gzip -dc > \"$kr_d/job.sh\") || { echo 'krait staging: "
                        "cannot unpack the job script' >&2; exit 1; }\n");
        memset(packed, 0, strlen(packed));
        kr_free(packed);
    } else {
        do
            snprintf(delim, sizeof delim, "KRAIT_STAGE_SCRIPT_%u", n++);
        while (has_line(kr_buf_cstr(&in), delim));
        kr_buf_printf(&b, "(umask 077 && cat > \"$kr_d/job.sh\") <<'%s'\n", delim);
        kr_buf_append(&b, in.data, in.len);
        kr_buf_printf(&b, "%s\n", delim);
    }
    kr_buf_puts(&b, "if command -v bash >/dev/null 2>&1; then exec bash \"$kr_d/job.sh\" "
                    "\"$kr_d\"; else exec sh \"$kr_d/job.sh\" \"$kr_d\"; fi\n");
    out = kr_arena_strndup(arena, b.data, b.len);
    /* both buffers held URLs: wipe them before they go back to the heap */
    memset(in.data, 0, in.len);
    memset(b.data, 0, b.len);
    kr_buf_free(&in);
    kr_buf_free(&b);
    return out;
}

/* The ETag when it is a plain MD5 (32 hex digits), lowercased into md5. */
static bool plain_md5(const char *etag, char md5[33])
{
    size_t i;
    for (i = 0; i < 32; i++) {
        char c = etag[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
        md5[i] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    }
    md5[32] = 0;
    return etag[32] == '\0';
}

/* A presigned URL copied into the arena (the heap copy wiped). */
static const char *presign(struct kr_s3 *s3, const char *method, const char *path, long expires,
                           struct kr_arena *arena, struct kr_error *err)
{
    char *bucket = NULL, *key = NULL, *url;
    const char *r;
    if (kr_storage_s3_split(path, &bucket, &key, err) != KR_OK)
        return NULL;
    url = kr_s3_presign(s3, method, bucket, key, expires);
    kr_free(bucket);
    kr_free(key);
    r = kr_arena_strdup(arena, url);
    memset(url, 0, strlen(url));
    kr_free(url);
    return r;
}

/* One more input slot in *in (capacity *cap, arena-grown). */
static struct kr_stage_remote_file *in_slot(struct kr_stage_remote_file **in, size_t n,
                                            size_t *cap, struct kr_arena *arena)
{
    if (n == *cap) {
        struct kr_stage_remote_file *m = kr_arena_zalloc(arena, 2 * *cap * sizeof *m);
        memcpy(m, *in, n * sizeof *m);
        *in = m;
        *cap *= 2;
    }
    return &(*in)[n];
}

/* A directory() input in S3: one presigned GET per object under it, listed
 * now (as shared staging lists it), each landing at its place under the
 * directory's local path. */
static int add_dir_input(struct kr_storage *s, struct kr_s3 *s3, const char *root,
                         const char *path, struct kr_stage_remote_job *rj,
                         struct kr_stage_remote_file **in, size_t *cap, struct kr_arena *arena,
                         struct kr_error *err)
{
    struct kr_s3_object *objs = NULL;
    char *bucket = NULL;
    size_t i, nobj = 0;
    int rc = kr_storage_s3_list_dir(s, path, &bucket, &objs, &nobj, NULL, err);
    for (i = 0; rc == KR_OK && i < nobj; i++) {
        struct kr_stage_remote_file *f = in_slot(in, rj->nin, cap, arena);
        char md5[33];
        f->remote = kr_arena_printf(arena, "s3://%s/%s", bucket, objs[i].key);
        f->local = kr_stage_local_path(root, f->remote, arena);
        f->size = objs[i].size;
        f->md5 = plain_md5(objs[i].etag, md5) ? kr_arena_strdup(arena, md5) : NULL;
        if (!(f->url = presign(s3, "GET", f->remote, rj->expires, arena, err)))
            rc = err ? err->code : KR_EUSAGE;
        else
            rj->nin++;
    }
    if (rc == KR_OK && nobj == 0)
        rc = kr_error_set(err, KR_EIO, "input %s: the directory in S3 holds no object any more",
                          path);
    kr_s3_objects_free(objs, nobj);
    kr_free(bucket);
    return rc;
}

/* A presigned POST form for keys under prefix in bucket, as
 * rj->forms[rj->nforms++] (the array has room). Returns its number (1 +
 * index). */
static size_t add_form(struct kr_s3 *s3, const char *bucket, const char *prefix,
                       struct kr_stage_remote_job *rj, struct kr_stage_remote_form *forms,
                       struct kr_arena *arena)
{
    struct kr_stage_remote_form *f = &forms[rj->nforms];
    struct kr_s3_post post;
    kr_s3_presign_post(s3, bucket, prefix, rj->expires, &post);
    f->url = kr_arena_strdup(arena, post.url);
    f->policy = kr_arena_strdup(arena, post.policy);
    f->credential = kr_arena_strdup(arena, post.credential);
    f->amz_date = kr_arena_strdup(arena, post.amz_date);
    f->signature = kr_arena_strdup(arena, post.signature);
    f->token = post.token ? kr_arena_strdup(arena, post.token) : NULL;
    kr_s3_post_free(&post);
    return ++rj->nforms;
}

/* A directory() output in S3: the objects now under it are deleted (as a
 * job's old outputs are removed before it runs) and a presigned POST form
 * lets the job upload whatever it leaves in the directory. */
static int add_dir_output(struct kr_storage *s, struct kr_s3 *s3, const char *root,
                          const char *path, struct kr_stage_remote_job *rj,
                          struct kr_stage_remote_dir *d, struct kr_stage_remote_form *forms,
                          struct kr_arena *arena, struct kr_error *err)
{
    struct kr_s3_object *objs = NULL;
    char *bucket = NULL, *prefix = NULL;
    size_t i, nobj = 0;
    int rc = kr_storage_s3_list_dir(s, path, &bucket, &objs, &nobj, NULL, err);
    if (rc == KR_OK)    /* path is s3://BUCKET/KEY (kr_storage_s3_split checked it) */
        prefix = kr_asprintf("%s/", path + strlen("s3://") + strlen(bucket) + 1);
    for (i = 0; rc == KR_OK && i < nobj; i++) {
        rc = kr_s3_delete(s3, bucket, objs[i].key, err);
        if (rc == KR_OK) {
            char *op = kr_asprintf("s3://%s/%s", bucket, objs[i].key);
            kr_storage_s3_note(s, op, NULL);
            kr_free(op);
        }
    }
    kr_s3_objects_free(objs, nobj);
    if (rc == KR_OK) {
        d->remote = path;
        d->local = kr_stage_local_path(root, path, arena);
        d->prefix = kr_arena_strdup(arena, prefix);
        d->form = add_form(s3, bucket, prefix, rj, forms, arena);
    }
    kr_free(prefix);
    kr_free(bucket);
    return rc;
}

int kr_stage_remote_wrap(struct kr_storage *s, const char *root, const char *command,
                         const char *const *inputs, size_t nin, const char *const *outputs,
                         const bool *touch, const bool *isdir, size_t nout, int64_t runtime_min,
                         const char *const *show, size_t nshow, bool isolated,
                         struct kr_arena *arena, const char **wrapped, struct kr_error *err)
{
    size_t incap = nin + 1;
    struct kr_stage_remote_file *in = kr_arena_zalloc(arena, incap * sizeof *in);
    struct kr_stage_remote_file *out = kr_arena_zalloc(arena, (nout + 1) * sizeof *out);
    struct kr_stage_remote_dir *dout = kr_arena_zalloc(arena, (nout + 1) * sizeof *dout);
    struct kr_stage_remote_form *forms = kr_arena_zalloc(arena, (nout + 1) * sizeof *forms);
    struct kr_stage_remote_job rj;
    struct kr_s3 *s3 = NULL;
    size_t i, k;
    int rc;

    memset(&rj, 0, sizeof rj);
    rj.command = command;
    rj.in = in;
    rj.out = out;
    rj.dout = dout;
    rj.forms = forms;
    rj.tag = part_tag(arena);
    rj.put_max = env_bytes("KRAIT_PRESIGN_PUT_MAX", 1, KR_STAGE_REMOTE_PUT_MAX,
                           KR_STAGE_REMOTE_PUT_MAX);
    rj.part_size = env_bytes("KRAIT_PRESIGN_PART_SIZE", 5LL << 20, 5LL << 30,
                             KR_STAGE_REMOTE_PART_SIZE) & ~((1LL << 20) - 1);
    rj.expires = kr_stage_remote_expiry(runtime_min);
    rj.in_scratch = isolated;
    rj.show = isolated ? show : NULL;
    rj.nshow = isolated ? nshow : 0;
    *wrapped = command;
    for (i = 0; i < nin; i++) {
        struct kr_s3_object obj;
        bool dup = false;
        char md5[33];
        if (!kr_storage_is_s3(inputs[i]))
            continue;
        for (k = 0; k < rj.nin; k++)
            dup |= strcmp(in[k].remote, inputs[i]) == 0;
        if (dup)
            continue;
        if (!s3 && (rc = kr_storage_s3_client(s, &s3, err)) != KR_OK)
            return rc;
        memset(&obj, 0, sizeof obj);
        if (kr_storage_s3_known_dir(s, inputs[i], &obj)) {
            if ((rc = add_dir_input(s, s3, root, inputs[i], &rj, &in, &incap, arena, err)) != KR_OK)
                return rc;
            continue;
        }
        if (!kr_storage_s3_known(s, inputs[i], &obj)) {
            char *bucket, *key;
            int exists = 0;
            if ((rc = kr_storage_s3_split(inputs[i], &bucket, &key, err)) != KR_OK)
                return rc;
            rc = kr_s3_head(s3, bucket, key, &obj, &exists, err);
            kr_free(bucket);
            kr_free(key);
            if (rc != KR_OK)
                return rc;
            if (!exists)
                return kr_error_set(err, KR_EIO, "S3 GET %s: the object does not exist "
                                    "(NoSuchKey or NoSuchBucket): upload it, fix the path, or "
                                    "produce it with a rule", inputs[i]);
        }
        in = in_slot(&in, rj.nin, &incap, arena) - rj.nin;
        in[rj.nin].remote = inputs[i];
        in[rj.nin].local = kr_stage_local_path(root, inputs[i], arena);
        in[rj.nin].size = obj.size;
        in[rj.nin].md5 = plain_md5(obj.etag, md5) ? kr_arena_strdup(arena, md5) : NULL;
        if (!(in[rj.nin].url = presign(s3, "GET", inputs[i], rj.expires, arena, err)))
            return err ? err->code : KR_EUSAGE;
        rj.nin++;
    }
    for (i = 0; i < nout; i++) {
        if (!kr_storage_is_s3(outputs[i]))
            continue;
        if (!s3 && (rc = kr_storage_s3_client(s, &s3, err)) != KR_OK)
            return rc;
        if (isdir && isdir[i]) {
            if ((rc = add_dir_output(s, s3, root, outputs[i], &rj, &dout[rj.ndout], forms,
                                     arena, err)) != KR_OK)
                return rc;
            rj.ndout++;
            continue;
        }
        out[rj.nout].remote = outputs[i];
        out[rj.nout].local = kr_stage_local_path(root, outputs[i], arena);
        out[rj.nout].touch = touch && touch[i];
        out[rj.nout].size = -1;
        if (!(out[rj.nout].url = presign(s3, "PUT", outputs[i], rj.expires, arena, err)))
            return err ? err->code : KR_EUSAGE;
        {
            /* the form for its parts, should it be too big for the PUT */
            char *bucket, *key;
            if ((rc = kr_storage_s3_split(outputs[i], &bucket, &key, err)) != KR_OK)
                return rc;
            out[rj.nout].part_prefix = kr_arena_printf(arena, "%s.krait-part.%s.", key, rj.tag);
            out[rj.nout].form = add_form(s3, bucket, out[rj.nout].part_prefix, &rj, forms, arena);
            if (!(out[rj.nout].del_url = presign(s3, "DELETE", outputs[i], rj.expires, arena,
                                                 err))) {
                kr_free(bucket);
                kr_free(key);
                return err ? err->code : KR_EUSAGE;
            }
            kr_free(bucket);
            kr_free(key);
        }
        rj.nout++;
    }
    rj.in = in;
    if (rj.nin + rj.nout + rj.ndout > 0)
        *wrapped = kr_stage_remote_script(&rj, arena);
    return KR_OK;
}

/* ---- outputs that came up in parts ------------------------------------------ */

/* One part object of a listing: KEY.krait-part.TAG.NNNNN (partno >= 1) or
 * the marker KEY.krait-part.TAG.done-NPARTS-SIZE (partno 0). */
struct part {
    const struct kr_s3_object *obj;
    size_t baselen;             /* strlen(KEY) */
    char tag[17];
    long partno, nparts;
    int64_t size;
};

/* Whether key names a part object; *p filled when it does. */
static bool part_name(const struct kr_s3_object *o, struct part *p)
{
    static const char mark[] = ".krait-part.";
    const char *k = o->key, *m = NULL, *q, *r;
    size_t i;
    for (q = strstr(k, mark); q; q = strstr(q + 1, mark))
        m = q;
    if (!m)
        return false;
    r = m + strlen(mark);
    for (i = 0; i < 16; i++)
        if (!((r[i] >= '0' && r[i] <= '9') || (r[i] >= 'a' && r[i] <= 'f')))
            return false;
    if (r[16] != '.')
        return false;
    memset(p, 0, sizeof *p);
    p->obj = o;
    p->baselen = (size_t)(m - k);
    memcpy(p->tag, r, 16);
    r += 17;
    if (strncmp(r, "done-", 5) == 0) {
        long long np, sz;
        int used = 0;
        if (sscanf(r + 5, "%lld-%lld%n", &np, &sz, &used) != 2 || r[5 + used] != '\0' ||
            np < 1 || np > 10000 || sz < 0)
            return false;
        p->nparts = (long)np;
        p->size = (int64_t)sz;
        return true;
    }
    for (i = 0; i < 5; i++)
        if (r[i] < '0' || r[i] > '9')
            return false;
    if (r[5] != '\0')
        return false;
    p->partno = strtol(r, NULL, 10);
    return p->partno >= 1;
}

/* Base key, then tag newest first, then marker before parts by number. */
static int part_cmp(const void *a, const void *b)
{
    const struct part *x = a, *y = b;
    size_t n = x->baselen < y->baselen ? x->baselen : y->baselen;
    int c = memcmp(x->obj->key, y->obj->key, n);
    if (c || x->baselen != y->baselen)
        return c ? c : (x->baselen < y->baselen ? -1 : 1);
    if ((c = strcmp(y->tag, x->tag)) != 0)
        return c;
    return x->partno < y->partno ? -1 : x->partno > y->partno;
}

/*
 * Assemble, from the listing objs[0..n) of bucket, every KEY whose part
 * objects are there (only KEY == only, when not NULL): from the newest tag
 * whose marker is there with all its parts, summing to its size
 * (kr_s3_compose); then delete every part object of that KEY, older tags'
 * too, and tell the inventory they are gone. A KEY with no complete tag is
 * left alone. *made: how many objects were assembled. KR_EIO when S3
 * refused.
 */
static int assemble_parts(struct kr_storage *s, struct kr_s3 *s3, const char *bucket,
                          const struct kr_s3_object *objs, size_t n, const char *only,
                          size_t *made, struct kr_error *err)
{
    struct part *p = kr_calloc(n ? n : 1, sizeof *p);
    size_t np = 0, i, j;
    int rc = KR_OK;
    *made = 0;
    for (i = 0; i < n; i++)
        if (part_name(&objs[i], &p[np]) &&
            (!only || (strlen(only) == p[np].baselen &&
                       memcmp(only, objs[i].key, p[np].baselen) == 0)))
            np++;
    qsort(p, np, sizeof *p, part_cmp);
    for (i = 0; i < np && rc == KR_OK; i = j) {
        const struct part *use = NULL;
        size_t k, g;
        char *key;
        /* [i, j): one KEY; within it, groups of one tag */
        for (j = i; j < np && p[j].baselen == p[i].baselen &&
                    memcmp(p[j].obj->key, p[i].obj->key, p[i].baselen) == 0; j++)
            ;
        for (g = i; g < j && !use; ) {
            size_t e = g;
            int64_t sum = 0;
            bool whole;
            while (e < j && strcmp(p[e].tag, p[g].tag) == 0)
                e++;
            /* marker first, then parts 1..nparts, nothing else */
            whole = p[g].partno == 0 && (long)(e - g - 1) == p[g].nparts;
            for (k = g + 1; whole && k < e; k++) {
                whole = p[k].partno == (long)(k - g);
                sum += p[k].obj->size;
            }
            if (whole && sum == p[g].size)
                use = &p[g];
            g = e;
        }
        if (!use)
            continue;
        key = kr_strndup(p[i].obj->key, p[i].baselen);
        {
            struct kr_s3_object *parts = kr_calloc((size_t)use->nparts, sizeof *parts);
            for (k = 0; k < (size_t)use->nparts; k++)
                parts[k] = *use[k + 1].obj;
            rc = kr_s3_compose(s3, bucket, key, parts, (size_t)use->nparts, err);
            kr_free(parts);
        }
        if (rc == KR_OK) {
            const char **keys = kr_calloc(j - i, sizeof *keys);
            for (k = i; k < j; k++)
                keys[k - i] = p[k].obj->key;
            rc = kr_s3_delete_many(s3, bucket, keys, j - i, err);
            for (k = i; k < j && rc == KR_OK; k++) {
                char *op = kr_asprintf("s3://%s/%s", bucket, p[k].obj->key);
                kr_storage_s3_note(s, op, NULL);
                kr_free(op);
            }
            kr_free(keys);
            (*made)++;
        }
        kr_free(key);
    }
    kr_free(p);
    return rc;
}

/* A file output with no object after its job: maybe it came up in parts.
 * One LIST of KEY.krait-part.; *exists and *obj (one HEAD) when an object
 * was assembled. */
static int assemble_output(struct kr_storage *s, struct kr_s3 *s3, const char *bucket,
                           const char *key, struct kr_s3_object *obj, int *exists,
                           struct kr_error *err)
{
    struct kr_s3_object *objs = NULL;
    size_t n = 0, made = 0;
    char *prefix = kr_asprintf("%s.krait-part.", key);
    int rc = kr_s3_list(s3, bucket, prefix, &objs, &n, err);
    if (rc == KR_OK && n > 0)
        rc = assemble_parts(s, s3, bucket, objs, n, key, &made, err);
    if (rc == KR_OK && made)
        rc = kr_s3_head(s3, bucket, key, obj, exists, err);
    kr_s3_objects_free(objs, n);
    kr_free(prefix);
    return rc;
}

/* A directory() output after its job: what is under its prefix now (the
 * job's upload) is noted, the directory's mtime the newest object's, its
 * size their sum. *found: whether any object is there. */
static int verify_dir(struct kr_storage *s, const char *path, bool *found, struct kr_error *err)
{
    struct kr_s3_object agg, *objs = NULL;
    char *bucket = NULL;
    size_t nobj = 0;
    int rc = kr_storage_s3_list_dir(s, path, &bucket, &objs, &nobj, &agg, err);
    size_t made = 0, i;
    bool parts = false;
    for (i = 0; rc == KR_OK && i < nobj; i++)
        parts |= strstr(objs[i].key, ".krait-part.") != NULL;
    if (parts) {
        /* files that came up in parts: assembled, then the listing again */
        struct kr_s3 *s3 = NULL;
        if ((rc = kr_storage_s3_client(s, &s3, err)) == KR_OK)
            rc = assemble_parts(s, s3, bucket, objs, nobj, NULL, &made, err);
        kr_s3_objects_free(objs, nobj);
        kr_free(bucket);
        objs = NULL;
        bucket = NULL;
        nobj = 0;
        if (rc == KR_OK)
            rc = kr_storage_s3_list_dir(s, path, &bucket, &objs, &nobj, &agg, err);
    }
    *found = rc == KR_OK && nobj > 0;
    if (*found)
        kr_storage_s3_note_dir(s, path, &agg);
    kr_s3_objects_free(objs, nobj);
    kr_free(bucket);
    return rc;
}

int kr_stage_remote_verify(struct kr_storage *s, const char *root, const char *const *outputs,
                           const bool *isdir, size_t n, struct kr_error *err)
{
    struct kr_buf missing = KR_BUF_INIT;
    struct kr_s3 *s3 = NULL;
    size_t i, nmiss = 0;
    int rc = KR_OK;

    for (i = 0; i < n && rc == KR_OK; i++) {
        struct kr_s3_object obj;
        char *bucket, *key;
        int exists = 0;
        if (!kr_storage_is_s3(outputs[i]))
            continue;
        if (!s3) {
            char *journal;
            if ((rc = kr_storage_s3_client(s, &s3, err)) != KR_OK)
                break;
            /* an assembly killed midway leaves its upload id here */
            journal = kr_asprintf("%s/s3.uploads", root);
            kr_s3_set_upload_journal(s3, journal);
            kr_free(journal);
        }
        if (isdir && isdir[i]) {
            bool found = false;
            if ((rc = verify_dir(s, outputs[i], &found, err)) != KR_OK)
                break;
            if (!found) {
                kr_buf_printf(&missing, "\n        %s (a directory: no object under it)",
                              outputs[i]);
                nmiss++;
            }
            continue;
        }
        if ((rc = kr_storage_s3_split(outputs[i], &bucket, &key, err)) != KR_OK)
            break;
        memset(&obj, 0, sizeof obj);
        rc = kr_s3_head(s3, bucket, key, &obj, &exists, err);
        if (rc == KR_OK && !exists)
            rc = assemble_output(s, s3, bucket, key, &obj, &exists, err);
        kr_free(bucket);
        kr_free(key);
        if (rc != KR_OK)
            break;
        if (exists) {
            kr_storage_s3_note(s, outputs[i], &obj);
        } else {
            kr_storage_s3_note(s, outputs[i], NULL);
            kr_buf_printf(&missing, "\n        %s", outputs[i]);
            nmiss++;
        }
    }
    if (rc == KR_OK && nmiss)
        rc = kr_error_set(err, KR_NOT_FOUND, "MissingOutputException: the job finished but %zu "
                          "output%s not in S3:%s", nmiss, nmiss == 1 ? " is" : "s are",
                          kr_buf_cstr(&missing));
    kr_buf_free(&missing);
    return rc;
}
