/*
 * signals.h - how a run notices SIGINT, SIGTERM and SIGHUP: the handlers
 * only record the signal; the run loop asks kr_signals_pending() after each
 * wait (the handlers are installed without SA_RESTART, so a wait in poll(2)
 * returns early with EINTR).
 */
#ifndef KR_SIGNALS_H
#define KR_SIGNALS_H

/* Install the handlers (remembering the old ones). Idempotent. */
void kr_signals_install(void);

/* Restore the handlers that were there before kr_signals_install. */
void kr_signals_restore(void);

/* The first signal received since install (SIGINT, SIGTERM, SIGHUP), or 0. */
int kr_signals_pending(void);

/* The exit status for a run ended by signal `sig`: 128 + sig (130 for
 * SIGINT, 143 for SIGTERM). */
int kr_signals_exit_code(int sig);

#endif /* KR_SIGNALS_H */
