/* SPDX-License-Identifier: MIT */
/* Test tools only: see signal-flags.h. */
#include "signal-flags.h"

#include <stddef.h>

volatile sig_atomic_t signal_flags_stop, signal_flags_usr1;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		signal_flags_usr1 = 1;
	else
		signal_flags_stop = 1;
}

void signal_flags_catch(void)
{
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
}

void signal_flags_block(sigset_t *old)
{
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, old);
	signal_flags_catch();
}
