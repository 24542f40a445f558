/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * QEMU's p2p D-Bus display (-display dbus,p2p=yes) through its QMP socket,
 * as libvirt does it: a socketpair, one end passed with QMP `getfd`, then
 * `add_client protocol=@dbus-display`. QEMU runs the D-Bus server side of
 * the authentication on that end. Blocking, 5 s at most a step.
 */
#include <stddef.h>

/* *fd: our end (O_CLOEXEC), for sd_bus_set_fd. -ENOENT/-ECONNREFUSED: no
 * QEMU at path; -EPROTO: QEMU refused (why has its answer). */
int qmp_dbus_p2p(const char *path, int *fd, char *why, size_t n);
