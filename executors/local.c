/*
 * local.c - the local executor: runs each job as `bash -euo pipefail -c CMD`
 * in its own process group on this machine, stdout and stderr into the job's
 * log file, and reports finished jobs with their resource usage (wait4).
 *
 * Processes are started with posix_spawn (glibc implements it with
 * clone(CLONE_VM|CLONE_VFORK), so starting a job costs no copy of krait's
 * page tables; the attributes give the same effect as fork + setpgid +
 * dup2 + chdir + execve). The child's signal mask is emptied and the
 * signals krait may catch or ignore are reset to their defaults.
 *
 * Finished children are noticed through a self-pipe written by a SIGCHLD
 * handler; poll() sleeps in poll(2) on that pipe, so waiting costs nothing.
 * Only the pids this executor started are reaped (wait4 on each), so other
 * children of krait are never stolen. Cancelling sends SIGTERM to the job's
 * process group and SIGKILL after a grace period.
 *
 * When a job has a benchmark path, the executor writes Snakemake's benchmark
 * TSV from what wait4 reports: wall time, max_rss (MB), io_in/io_out (MB,
 * from 512-byte blocks), mean_load (cpu time / wall time, in percent as
 * Snakemake computes it) and cpu_time; max_vms, max_uss and max_pss are NA.
 *
 * Fast path: a command that is one simple command made only of plain words
 * ("cp in/1.txt mid/1.txt": letters, digits and _./=:,+@%- separated by
 * spaces; no quotes, $, globs, redirections, pipes or separators; the first
 * word an executable found on PATH and no VAR=value prefix) is executed
 * directly instead of through bash. bash would end up doing exactly that
 * (it execs the last simple command of a -c string itself), and -e, -u and
 * pipefail cannot change the outcome of such a command; it saves starting
 * bash, which costs more than the rest of krait's per-job work together.
 *
 * One local executor may exist at a time (the SIGCHLD handler is global).
 */
#include "executor.h"
#include "spawnattr.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define LOCAL_KILL_GRACE 3.0   /* seconds between SIGTERM and SIGKILL */

struct local_job {
    uint32_t id;
    pid_t pid;
    double start;          /* epoch seconds */
    double t0;             /* monotonic */
    char *bench;           /* benchmark path (owned) or NULL */
    bool cancelled;
    double kill_at;        /* monotonic deadline for SIGKILL, 0 = none */
};

#define LOCAL_MAX_WORDS 64

/* Resolved program paths for the fast path (name -> path, or NULL when not
 * an executable on PATH). */
struct prog_cache {
    char *name, *path;
};

struct local {
    int wake[2];                    /* self-pipe: SIGCHLD handler writes */
    struct sigaction old_chld;
    struct local_job *jobs;         /* running */
    uint32_t njobs, capjobs;
    struct kr_exec_result *done;    /* finished, not yet reported */
    uint32_t ndone, capdone;
    char *bash;
    struct prog_cache progs[16];
    uint32_t nprogs;
};

static int wake_fd = -1;

static void on_sigchld(int sig)
{
    int saved = errno;
    ssize_t r;
    KR_UNUSED(sig);
    if (wake_fd >= 0) {
        r = write(wake_fd, "c", 1);
        KR_UNUSED(r);
    }
    errno = saved;
}

static double wall_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* Find bash: /bin/bash, /usr/bin/bash, else the first on PATH. */
static char *find_bash(void)
{
    const char *path = getenv("PATH");
    const char *p, *colon;
    char *cand;
    if (access("/bin/bash", X_OK) == 0)
        return kr_strdup("/bin/bash");
    if (access("/usr/bin/bash", X_OK) == 0)
        return kr_strdup("/usr/bin/bash");
    for (p = path ? path : ""; *p; p = *colon ? colon + 1 : colon) {
        colon = strchr(p, ':');
        if (!colon)
            colon = p + strlen(p);
        cand = kr_asprintf("%.*s/bash", (int)(colon - p), p);
        if (access(cand, X_OK) == 0)
            return cand;
        kr_free(cand);
    }
    return NULL;
}

static int local_init(void **self, const struct kr_executor_opts *opts, struct kr_error *err)
{
    struct local *L;
    struct sigaction sa;
    KR_UNUSED(opts);
    *self = NULL;
    if (wake_fd >= 0)
        return kr_error_set(err, KR_EEXEC, "local executor: already initialised");
    L = kr_calloc(1, sizeof *L);
    L->bash = find_bash();
    if (!L->bash) {
        kr_free(L);
        return kr_error_set(err, KR_EEXEC, "local executor: bash not found on PATH");
    }
    if (pipe2(L->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        kr_error_set(err, KR_EEXEC, "local executor: pipe: %s", strerror(errno));
        kr_free(L->bash);
        kr_free(L);
        return KR_EEXEC;
    }
    wake_fd = L->wake[1];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, &L->old_chld);
    *self = L;
    return KR_OK;
}

/* The environment for a job: krait's own, with the job's variables set. */
static char **job_environ(const struct kr_exec_job *job)
{
    size_t n = 0, i, k = 0;
    uint32_t j;
    char **envp;
    while (environ[n])
        n++;
    envp = kr_calloc(n + job->nenv + 1, sizeof *envp);
    for (i = 0; i < n; i++) {
        bool overridden = false;
        for (j = 0; j < job->nenv; j++) {
            size_t l = strlen(job->env[j].name);
            if (!strncmp(environ[i], job->env[j].name, l) && environ[i][l] == '=') {
                overridden = true;
                break;
            }
        }
        if (!overridden)
            envp[k++] = kr_strdup(environ[i]);
    }
    for (j = 0; j < job->nenv; j++)
        envp[k++] = kr_asprintf("%s=%s", job->env[j].name, job->env[j].value);
    envp[k] = NULL;
    return envp;
}

static void free_environ(char **envp)
{
    size_t i;
    for (i = 0; envp[i]; i++)
        kr_free(envp[i]);
    kr_free(envp);
}

/* The first word must name an executable on PATH (not a path, not a
 * builtin-only name); returns its path (owned by L) or NULL. */
static const char *resolve_prog(struct local *L, const char *name)
{
    static const char *const shell_only[] = {
        "cd", "exit", "export", "set", "source", ".", "eval", "exec", "read", "shift",
        "unset", "trap", "wait", "ulimit", "umask", "alias", "hash", "type", "command",
        "builtin", "declare", "local", "let", "return", "readonly", "typeset", "shopt",
        "enable", "mapfile", "readarray", "times", "jobs", "fg", "bg", "disown", "history",
        "pushd", "popd", "dirs", "logout", "coproc", "getopts", "caller", "compgen",
        "complete", "break", "continue", "function", "select", "time", "until", "while",
        "for", "if", "case", "then", "do", "done", "fi", "esac", "in", "!", "[[", "]]",
    };
    const char *path = getenv("PATH"), *p, *colon;
    char *cand = NULL;
    uint32_t i;
    for (i = 0; i < L->nprogs; i++)
        if (!strcmp(L->progs[i].name, name))
            return L->progs[i].path;
    for (i = 0; i < KR_ARRAY_LEN(shell_only); i++)
        if (!strcmp(name, shell_only[i]))
            goto remember;
    for (p = path ? path : ""; *p && !cand; p = *colon ? colon + 1 : colon) {
        colon = strchr(p, ':');
        if (!colon)
            colon = p + strlen(p);
        if (colon == p)
            continue;   /* an empty PATH entry means the cwd: leave it to bash */
        cand = kr_asprintf("%.*s/%s", (int)(colon - p), p, name);
        if (access(cand, X_OK) != 0) {
            kr_free(cand);
            cand = NULL;
        }
    }
remember:
    if (L->nprogs == KR_ARRAY_LEN(L->progs)) {
        kr_free(L->progs[0].name);
        kr_free(L->progs[0].path);
        memmove(L->progs, L->progs + 1, (L->nprogs - 1) * sizeof *L->progs);
        L->nprogs--;
    }
    L->progs[L->nprogs].name = kr_strdup(name);
    L->progs[L->nprogs].path = cand;
    return L->progs[L->nprogs++].path;
}

/* Split a plain simple command into words (in buf); false when the command
 * needs a shell. */
static bool plain_words(const char *cmd, char *buf, size_t buflen, char **words,
                        uint32_t *nwords)
{
    size_t len = strlen(cmd), i;
    uint32_t n = 0;
    char *w;
    if (len == 0 || len >= buflen)
        return false;
    for (i = 0; i < len; i++) {
        char c = cmd[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("_./=:,+@%- ", c)))
            return false;
    }
    memcpy(buf, cmd, len + 1);
    for (w = strtok(buf, " "); w; w = strtok(NULL, " ")) {
        if (n == LOCAL_MAX_WORDS)
            return false;
        words[n++] = w;
    }
    if (n == 0 || strchr(words[0], '=') || strchr(words[0], '/'))
        return false;
    words[n] = NULL;
    *nwords = n;
    return true;
}

/* Longer commands go to bash as a file: Linux limits one argument to 128
 * KiB (E2BIG); Snakemake's shell() switches at the same length. */
#define LOCAL_MAX_ARG 65535

/* The command in an anonymous memory file (memfd, never on disk, not
 * close-on-exec) for `bash /proc/self/fd/N`; -1 when one cannot be made. */
static int command_file(const char *cmd)
{
    size_t n = strlen(cmd), off = 0;
    int fd = memfd_create("krait-job", 0);
    if (fd < 0)
        return -1;
    while (off < n) {
        ssize_t w = write(fd, cmd + off, n - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    return fd;
}

static int local_submit(void *self, const struct kr_exec_job *job, char *ext_id,
                        size_t ext_id_len, struct kr_error *err)
{
    struct local *L = self;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    char *argv[6], *words[LOCAL_MAX_WORDS + 1], **argvp;
    char wbuf[4096], cmdpath[64];
    int cmdfd = -1;
    const char *prog, *direct = NULL;
    uint32_t nwords = 0;
    char **envp = NULL;
    pid_t pid;
    int rc, e;
    struct local_job *lj;
    struct kr_buf rep = KR_BUF_INIT;
    bool repeated = false;

    posix_spawn_file_actions_init(&fa);
    kr_spawn_attrs_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (job->workdir)
        posix_spawn_file_actions_addchdir_np(&fa, job->workdir);
    if (job->log_path) {
        posix_spawn_file_actions_addopen(&fa, 1, job->log_path,
                                         O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
    argv[0] = "bash";
    argv[1] = "-euo";
    argv[2] = "pipefail";
    argv[3] = "-c";
    argv[4] = (char *)job->command;
    argv[5] = NULL;
    if (job->bench_repeat > 1 && job->benchmark_path) {
        /* benchmark: repeat(path, n): the command n times, timed by the
         * shell (one row each, as on the remote executors) */
        kr_buf_init(&rep);
        kr_exec_put_timed(&rep, job->command, job->benchmark_path, job->bench_repeat);
        kr_buf_puts(&rep, "exit $rc\n");
        argv[1] = "-uo";
        argv[4] = rep.data;
        repeated = true;
    }
    if (strlen(argv[4]) > LOCAL_MAX_ARG) {
        cmdfd = command_file(argv[4]);
        if (cmdfd < 0) {
            rc = kr_error_set(err, KR_EEXEC, "cannot start job %s: its command (%zu bytes) is "
                              "too long for an argument and cannot be put in a file: %s",
                              job->name, strlen(job->command), strerror(errno));
            goto out;
        }
        snprintf(cmdpath, sizeof cmdpath, "/proc/self/fd/%d", cmdfd);
        argv[3] = cmdpath;
        argv[4] = NULL;
    }
    prog = L->bash;
    argvp = argv;
    if (cmdfd < 0 && !repeated && plain_words(job->command, wbuf, sizeof wbuf, words, &nwords) &&
        (direct = resolve_prog(L, words[0])) != NULL) {
        prog = direct;
        argvp = words;
    }
    envp = job->nenv ? job_environ(job) : environ;
    e = posix_spawn(&pid, prog, &fa, &attr, argvp, envp);
    if (e != 0) {
        rc = kr_error_set(err, KR_EEXEC, "cannot start job %s: %s (log %s, workdir %s)",
                          job->name, strerror(e), job->log_path ? job->log_path : "-",
                          job->workdir ? job->workdir : ".");
        goto out;
    }
    if (L->njobs == L->capjobs) {
        L->capjobs = L->capjobs ? 2 * L->capjobs : 16;
        L->jobs = kr_realloc(L->jobs, L->capjobs * sizeof *L->jobs);
    }
    lj = &L->jobs[L->njobs++];
    memset(lj, 0, sizeof *lj);
    lj->id = job->id;
    lj->pid = pid;
    lj->start = wall_now();
    lj->t0 = kr_now();
    lj->bench = job->benchmark_path && !repeated ? kr_strdup(job->benchmark_path) : NULL;
    snprintf(ext_id, ext_id_len, "pid:%ld", (long)pid);
    rc = KR_OK;
out:
    kr_buf_free(&rep);
    if (cmdfd >= 0)
        close(cmdfd);
    if (envp && envp != environ)
        free_environ(envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

static int write_benchmark(const char *path, double secs, const struct rusage *ru)
{
    FILE *f = fopen(path, "w");
    long s;
    double cpu;
    int bad;
    if (!f)
        return -1;
    s = (long)secs;
    cpu = ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6 +
          ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
    fprintf(f, "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n");
    fprintf(f, "%.4f\t", secs);
    if (s >= 86400)
        fprintf(f, "%ld day%s, ", s / 86400, s / 86400 == 1 ? "" : "s");
    fprintf(f, "%ld:%02ld:%02ld\t", (s % 86400) / 3600, (s % 3600) / 60, s % 60);
    fprintf(f, "%.2f\tNA\tNA\tNA\t%.2f\t%.2f\t%.2f\t%.2f\n",
            ru->ru_maxrss / 1024.0,
            ru->ru_inblock * 512.0 / (1024.0 * 1024.0),
            ru->ru_oublock * 512.0 / (1024.0 * 1024.0),
            secs > 0 ? 100.0 * cpu / secs : 0.0, cpu);
    bad = ferror(f);
    if (fclose(f) != 0)
        bad = 1;
    return bad ? -1 : 0;
}

static struct kr_exec_result *push_done(struct local *L)
{
    struct kr_exec_result *r;
    if (L->ndone == L->capdone) {
        L->capdone = L->capdone ? 2 * L->capdone : 16;
        L->done = kr_realloc(L->done, L->capdone * sizeof *L->done);
    }
    r = &L->done[L->ndone++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Turn a reaped child into a result and drop it from the running set. */
static void finish(struct local *L, uint32_t i, int status, const struct rusage *ru)
{
    struct local_job *lj = &L->jobs[i];
    struct kr_exec_result *r = push_done(L);
    double secs = kr_now() - lj->t0;

    r->id = lj->id;
    r->start = lj->start;
    r->end = lj->start + secs;
    r->max_rss_kb = ru->ru_maxrss;
    r->user_s = ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6;
    r->sys_s = ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
    r->io_in = ru->ru_inblock;
    r->io_out = ru->ru_oublock;
    if (WIFEXITED(status)) {
        r->exit_code = WEXITSTATUS(status);
        r->state = r->exit_code == 0 ? KR_EXEC_OK : KR_EXEC_FAILED;
        snprintf(r->detail, sizeof r->detail, "exit code %d", r->exit_code);
    } else if (WIFSIGNALED(status)) {
        r->signal = WTERMSIG(status);
        r->state = KR_EXEC_SIGNALED;
        snprintf(r->detail, sizeof r->detail, "killed by signal %d (%s)", r->signal,
                 strsignal(r->signal));
    }
    if (lj->cancelled) {
        r->state = KR_EXEC_CANCELLED;
        snprintf(r->detail, sizeof r->detail, "cancelled");
    }
    if (r->state == KR_EXEC_OK && lj->bench && write_benchmark(lj->bench, secs, ru) != 0) {
        r->state = KR_EXEC_FAILED;
        r->exit_code = 1;
        snprintf(r->detail, sizeof r->detail, "cannot write benchmark %.200s: %s",
                 lj->bench, strerror(errno));
    }
    kr_free(lj->bench);
    L->jobs[i] = L->jobs[--L->njobs];
}

/* Reap every finished child of ours; SIGKILL cancelled jobs past their grace. */
static void reap(struct local *L)
{
    uint32_t i = 0;
    int status;
    struct rusage ru;
    pid_t p;
    double now = 0;
    while (i < L->njobs) {
        p = wait4(L->jobs[i].pid, &status, WNOHANG, &ru);
        if (p == L->jobs[i].pid) {
            finish(L, i, status, &ru);
            continue;   /* slot i now holds another job */
        }
        if (p < 0 && errno == ECHILD) {
            /* someone else reaped it: report it as lost */
            struct kr_exec_result *r = push_done(L);
            r->id = L->jobs[i].id;
            r->state = KR_EXEC_LOST;
            snprintf(r->detail, sizeof r->detail, "process %ld vanished",
                     (long)L->jobs[i].pid);
            kr_free(L->jobs[i].bench);
            L->jobs[i] = L->jobs[--L->njobs];
            continue;
        }
        if (L->jobs[i].kill_at > 0) {
            if (now == 0)
                now = kr_now();
            if (now >= L->jobs[i].kill_at) {
                kill(-L->jobs[i].pid, SIGKILL);
                L->jobs[i].kill_at = 0;
            }
        }
        i++;
    }
}

static void drain(struct local *L)
{
    char buf[256];
    while (read(L->wake[0], buf, sizeof buf) > 0)
        ;
}

static int local_poll(void *self, struct kr_exec_result *results, uint32_t max, uint32_t *n,
                      double timeout, struct kr_error *err)
{
    struct local *L = self;
    double deadline = kr_now() + timeout, now, wait;
    struct pollfd pfd;
    uint32_t i, k;
    int pr;
    KR_UNUSED(err);
    *n = 0;
    for (;;) {
        drain(L);
        reap(L);
        if (L->ndone > 0 || L->njobs == 0)
            break;
        now = kr_now();
        wait = deadline - now;
        if (wait <= 0)
            break;
        for (i = 0; i < L->njobs; i++)
            if (L->jobs[i].kill_at > 0 && L->jobs[i].kill_at - now < wait)
                wait = L->jobs[i].kill_at - now;
        if (wait < 0)
            wait = 0;
        pfd.fd = L->wake[0];
        pfd.events = POLLIN;
        pr = poll(&pfd, 1, (int)(wait * 1000) + 1);
        if (pr < 0 && errno == EINTR) {
            /* a signal (SIGINT...): let the caller look at it, but first
             * report whatever finished meanwhile */
            drain(L);
            reap(L);
            break;
        }
    }
    k = L->ndone < max ? L->ndone : max;
    if (k > 0) {
        memcpy(results, L->done, k * sizeof *results);
        memmove(L->done, L->done + k, (L->ndone - k) * sizeof *L->done);
        L->ndone -= k;
    }
    *n = k;
    return KR_OK;
}

static int local_cancel(void *self, const uint32_t *ids, uint32_t n, struct kr_error *err)
{
    struct local *L = self;
    uint32_t i, j;
    double at = kr_now() + LOCAL_KILL_GRACE;
    KR_UNUSED(err);
    for (i = 0; i < L->njobs; i++) {
        bool hit = n == 0;
        for (j = 0; j < n && !hit; j++)
            hit = ids[j] == L->jobs[i].id;
        if (!hit || L->jobs[i].cancelled)
            continue;
        L->jobs[i].cancelled = true;
        L->jobs[i].kill_at = at;
        kill(-L->jobs[i].pid, SIGTERM);
        kill(-L->jobs[i].pid, SIGCONT);
    }
    return KR_OK;
}

static void local_shutdown(void *self)
{
    struct local *L = self;
    uint32_t i;
    if (!L)
        return;
    sigaction(SIGCHLD, &L->old_chld, NULL);
    wake_fd = -1;
    close(L->wake[0]);
    close(L->wake[1]);
    for (i = 0; i < L->njobs; i++)
        kr_free(L->jobs[i].bench);
    for (i = 0; i < L->nprogs; i++) {
        kr_free(L->progs[i].name);
        kr_free(L->progs[i].path);
    }
    kr_free(L->jobs);
    kr_free(L->done);
    kr_free(L->bash);
    kr_free(L);
}

const struct kr_executor kr_executor_local = {
    .name = "local",
    .caps = KR_EXEC_CAP_SHARED_FS,
    .init = local_init,
    .submit = local_submit,
    .submit_many = NULL,
    .poll = local_poll,
    .cancel = local_cancel,
    .attach = NULL,
    .shutdown = local_shutdown,
};
