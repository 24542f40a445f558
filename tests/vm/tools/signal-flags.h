/* SPDX-License-Identifier: MIT */
/*
 * SIGTERM and SIGINT (stop) and SIGUSR1 (the tool's next step) as flags
 * that a test tool's loop checks. Test tools only.
 */
#ifndef DF_TESTS_SIGNAL_FLAGS_H
#define DF_TESTS_SIGNAL_FLAGS_H

#include <signal.h>

/* Set by the handlers; the tool clears signal_flags_usr1 when it acts. */
extern volatile sig_atomic_t signal_flags_stop, signal_flags_usr1;

/* Handlers that set the flags. */
void signal_flags_catch(void);

/* Blocks the three, so that a signal cannot slip in between a check of the
 * flags and sigsuspend(old) (old: the mask before), then catches them. */
void signal_flags_block(sigset_t *old);

#endif
