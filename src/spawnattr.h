/*
 * spawnattr.h - the one way krait starts a child process with posix_spawn:
 * attributes shared by the local executor (jobs) and the SLURM executor
 * (sbatch, squeue, scancel ...).
 */
#ifndef KR_SPAWNATTR_H
#define KR_SPAWNATTR_H

#include <spawn.h>

/*
 * Initialise `attr` for a child of krait: no signal blocked, the signals
 * krait catches (INT, TERM, HUP, QUIT, PIPE, CHLD) back at their default
 * action, and the child leading a new process group (so a signal to the
 * group reaches the job and everything it started, and the terminal's
 * ^C reaches krait first). Cannot fail; the caller posix_spawnattr_destroy()s.
 */
void kr_spawn_attrs_init(posix_spawnattr_t *attr);

#endif /* KR_SPAWNATTR_H */
