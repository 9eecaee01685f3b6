/*
 * signals.c - records SIGINT/SIGTERM/SIGHUP for the run loop (see
 * signals.h). SIGPIPE is ignored while a run is active, so a closed pipe on
 * krait's stdout shows as a write error instead of killing krait with jobs
 * left running; jobs get SIGPIPE back at its default (executors/local.c).
 */
#include "signals.h"

#include <signal.h>
#include <stdbool.h>
#include <string.h>

static volatile sig_atomic_t pending;
static bool installed;
static struct sigaction old_int, old_term, old_hup, old_pipe;

static void on_signal(int sig)
{
    if (!pending)
        pending = sig;
}

void kr_signals_install(void)
{
    struct sigaction sa;
    if (installed)
        return;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;    /* no SA_RESTART: waits return with EINTR */
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, &old_pipe);
    pending = 0;
    installed = true;
}

void kr_signals_restore(void)
{
    if (!installed)
        return;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    installed = false;
}

int kr_signals_pending(void)
{
    return pending;
}

int kr_signals_exit_code(int sig)
{
    return 128 + sig;
}
