/*
 * slurm-status.c - the SLURM backend's reading half: parse what squeue, sacct
 * and scontrol print about jobs, and map SLURM's job states onto krait's
 * kr_exec_state with a detail a person can act on.
 *
 * The formats are the ones measured on the test cluster (tests/slurm/NOTES.md):
 * squeue's exit_code field is the raw wait status (768 = exit 3, 9 = signal
 * 9), sacct and scontrol print ExitCode as "status:signal", sacct with
 * accounting prints "CANCELLED by UID". Pure functions; see slurm.h.
 */
#include "slurm.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- states ------------------------------------------------------------------ */

static const char *const active_states[] = {
    "PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED",
    "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED",
    "RESV_DEL_HOLD",
};
static const char *const final_states[] = {
    "COMPLETED", "FAILED", "OUT_OF_MEMORY", "TIMEOUT", "NODE_FAIL", "PREEMPTED",
    "CANCELLED", "BOOT_FAIL", "DEADLINE", "REVOKED", "SPECIAL_EXIT",
};

int kr_slurm_state_class(const char *state)
{
    size_t i;
    for (i = 0; i < KR_ARRAY_LEN(active_states); i++)
        if (!strcmp(state, active_states[i]))
            return KR_SLURM_ACTIVE;
    for (i = 0; i < KR_ARRAY_LEN(final_states); i++)
        if (!strcmp(state, final_states[i]))
            return KR_SLURM_FINAL;
    return KR_SLURM_UNKNOWN;
}

void kr_slurm_fill_result(const struct kr_slurm_status *st, bool oom_in_log, bool by_krait,
                          const char *log_path, struct kr_exec_result *r)
{
    const char *s = st->state;
    char what[160];
    r->exit_code = 0;
    r->signal = 0;
    if (!strcmp(s, "COMPLETED")) {
        r->state = KR_EXEC_OK;
        snprintf(what, sizeof what, "COMPLETED");
    } else if (!strcmp(s, "OUT_OF_MEMORY") ||
               (!strcmp(s, "FAILED") && oom_in_log)) {
        r->state = KR_EXEC_OOM;
        snprintf(what, sizeof what, "OUT_OF_MEMORY: the job exceeded its memory limit%s",
                 !strcmp(s, "FAILED") ? " and was killed" : "");
    } else if (!strcmp(s, "FAILED") && st->have_exit && st->signal > 0) {
        r->state = KR_EXEC_SIGNALED;
        r->signal = st->signal;
        snprintf(what, sizeof what, "FAILED: killed by signal %d", st->signal);
    } else if (!strcmp(s, "FAILED")) {
        r->state = KR_EXEC_FAILED;
        r->exit_code = st->have_exit ? st->exit_code : -1;
        if (st->have_exit)
            snprintf(what, sizeof what, "FAILED: exit code %d", st->exit_code);
        else
            snprintf(what, sizeof what, "FAILED (%s)", st->reason[0] ? st->reason : "exit code unknown");
    } else if (!strcmp(s, "TIMEOUT")) {
        r->state = KR_EXEC_TIMEOUT;
        snprintf(what, sizeof what, "TIMEOUT: the job reached its time limit");
    } else if (!strcmp(s, "NODE_FAIL")) {
        r->state = KR_EXEC_NODE_FAIL;
        snprintf(what, sizeof what, "NODE_FAIL: the node running the job failed");
    } else if (!strcmp(s, "PREEMPTED")) {
        r->state = KR_EXEC_PREEMPTED;
        snprintf(what, sizeof what, "PREEMPTED by SLURM");
    } else if (!strcmp(s, "CANCELLED")) {
        r->state = KR_EXEC_CANCELLED;
        snprintf(what, sizeof what, "CANCELLED %s", by_krait ? "by krait" : "from outside krait");
    } else {
        /* BOOT_FAIL, DEADLINE, REVOKED, SPECIAL_EXIT and anything unknown */
        r->state = KR_EXEC_FAILED;
        r->exit_code = st->have_exit && st->exit_code ? st->exit_code : 1;
        snprintf(what, sizeof what, "%s%s%s", s, st->reason[0] ? ": " : "", st->reason);
    }
    if (log_path)
        snprintf(r->detail, sizeof r->detail, "%.100s (log: %.140s)", what, log_path);
    else
        snprintf(r->detail, sizeof r->detail, "%.160s", what);
}

/* ---- field splitting --------------------------------------------------------- */

/* Copy [s, s+n) without surrounding blanks into dst (size cap). */
static void copy_trim(char *dst, size_t cap, const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* Split line at '|' into up to max fields (pointers into a copy in buf). */
static int split_bar(const char *line, char *buf, size_t cap, char **f, int max)
{
    int n = 0;
    char *p;
    copy_trim(buf, cap, line, strlen(line));
    p = buf;
    while (n < max) {
        char *bar = strchr(p, '|');
        f[n++] = p;
        if (!bar)
            break;
        *bar = '\0';
        p = bar + 1;
    }
    return n;
}

/* "123" or "123_4": digits, optionally '_' digits. */
static bool valid_id(const char *s, bool allow_task)
{
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '_' && allow_task) {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

/* "A:B" -> exit code A, signal B. */
static bool parse_exitcode(const char *s, int *code, int *sig)
{
    char *end;
    long a, b;
    a = strtol(s, &end, 10);
    if (end == s || *end != ':')
        return false;
    s = end + 1;
    b = strtol(s, &end, 10);
    if (end == s || *end != '\0' || a < 0 || a > 255 || b < 0 || b > 255)
        return false;
    *code = (int)a;
    *sig = (int)b;
    return true;
}

/* State word: "CANCELLED by 0" -> "CANCELLED"; "CANCELLED+" (sacct truncation) too. */
static void copy_state(char *dst, size_t cap, const char *s)
{
    size_t n = 0;
    while (isspace((unsigned char)*s))
        s++;
    while (s[n] && (isupper((unsigned char)s[n]) || s[n] == '_'))
        n++;
    copy_trim(dst, cap, s, n);
}

/* ---- squeue ------------------------------------------------------------------- */

int kr_slurm_parse_squeue_line(const char *line, struct kr_slurm_status *st)
{
    char buf[512], *f[6];
    int n = split_bar(line, buf, sizeof buf, f, 6);
    char *end;
    long ws;

    memset(st, 0, sizeof *st);
    if (n < 5)
        return KR_NOT_FOUND;
    copy_trim(st->id, sizeof st->id, f[0], strlen(f[0]));
    copy_trim(st->plain_id, sizeof st->plain_id, f[1], strlen(f[1]));
    copy_state(st->state, sizeof st->state, f[2]);
    copy_trim(st->reason, sizeof st->reason, f[3], strlen(f[3]));
    if (!valid_id(st->id, true) || !valid_id(st->plain_id, false) || !st->state[0])
        return KR_NOT_FOUND;
    ws = strtol(f[4], &end, 10);
    while (*end == ' ')
        end++;
    if (end != f[4] && *end == '\0' && ws >= 0 && ws <= 0xffff) {
        st->have_exit = true;
        st->signal = (int)(ws & 0x7f);
        st->exit_code = st->signal ? 0 : (int)((ws >> 8) & 0xff);
    }
    return KR_OK;
}

/* ---- sacct -------------------------------------------------------------------- */

int kr_slurm_parse_sacct_line(const char *line, struct kr_slurm_status *st)
{
    char buf[512], *f[4];
    int n = split_bar(line, buf, sizeof buf, f, 4);

    memset(st, 0, sizeof *st);
    if (n < 3)
        return KR_NOT_FOUND;
    copy_trim(st->id, sizeof st->id, f[0], strlen(f[0]));
    if (!valid_id(st->id, true))
        return KR_NOT_FOUND;        /* header, error line, or a step "127.batch" */
    if (!strchr(st->id, '_'))
        snprintf(st->plain_id, sizeof st->plain_id, "%.31s", st->id);
    copy_state(st->state, sizeof st->state, f[1]);
    if (!st->state[0])
        return KR_NOT_FOUND;
    st->have_exit = parse_exitcode(f[2], &st->exit_code, &st->signal);
    return KR_OK;
}

/* ---- scontrol ------------------------------------------------------------------ */

/* Value of " KEY=" in a one-line scontrol record, up to the next blank. */
static bool kv_get(const char *line, const char *key, char *dst, size_t cap)
{
    size_t kl = strlen(key);
    const char *p = line;
    while ((p = strstr(p, key)) != NULL) {
        if ((p == line || p[-1] == ' ') && p[kl] == '=') {
            const char *v = p + kl + 1, *e = v;
            while (*e && *e != ' ' && *e != '\n')
                e++;
            copy_trim(dst, cap, v, (size_t)(e - v));
            return true;
        }
        p += kl;
    }
    return false;
}

int kr_slurm_parse_scontrol_line(const char *line, struct kr_slurm_status *st)
{
    char jobid[32], arr[32], task[32], ec[32];

    memset(st, 0, sizeof *st);
    if (!kv_get(line, "JobId", jobid, sizeof jobid) || !valid_id(jobid, false) ||
        !kv_get(line, "JobState", st->state, sizeof st->state) || !st->state[0])
        return KR_NOT_FOUND;
    snprintf(st->plain_id, sizeof st->plain_id, "%s", jobid);
    if (kv_get(line, "ArrayJobId", arr, sizeof arr) && valid_id(arr, false) &&
        kv_get(line, "ArrayTaskId", task, sizeof task) && valid_id(task, false))
        snprintf(st->id, sizeof st->id, "%s_%s", arr, task);
    else
        snprintf(st->id, sizeof st->id, "%s", jobid);
    kv_get(line, "Reason", st->reason, sizeof st->reason);
    if (kv_get(line, "ExitCode", ec, sizeof ec))
        st->have_exit = parse_exitcode(ec, &st->exit_code, &st->signal);
    return KR_OK;
}

/* ---- the memory-limit mark in a job's output ------------------------------------ */

bool kr_slurm_log_says_oom(const char *path)
{
    static const char *const marks[] = {
        "exceeded memory limit", "Exceeded job memory limit", "oom-kill", "oom_kill",
    };
    char *buf;
    ssize_t n;
    off_t size;
    struct stat sb;
    bool hit = false;
    size_t i;
    int fd;

    if (!path)
        return false;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return false;
    }
    size = sb.st_size > 65536 ? 65536 : sb.st_size;
    buf = kr_malloc((size_t)size + 1);
    n = pread(fd, buf, (size_t)size, sb.st_size - size);
    close(fd);
    if (n > 0) {
        buf[n] = '\0';
        /* the log may hold NUL bytes: search each NUL-separated piece */
        for (char *p = buf; p < buf + n && !hit; p += strlen(p) + 1)
            for (i = 0; i < KR_ARRAY_LEN(marks) && !hit; i++)
                hit = strstr(p, marks[i]) != NULL;
    }
    kr_free(buf);
    return hit;
}
