/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * Per-VM capability sockets ([vm.NAME] socket=yes): DIR/vm/NAME.sock,
 * where DIR holds the control socket (/run/directflip). Each is a control
 * socket limited to one VM (control_create_vm), so a VMM's sandbox can
 * bind-mount that one path and reach nothing else.
 */
struct event;
struct state;
struct vm_sockets;

/* control_path: the control socket's configured path (its directory is used). */
int vm_sockets_create(const char *control_path, struct vm_sockets **out);
void vm_sockets_destroy(struct vm_sockets *s);
/* Opens the sockets of VMs with socket=yes that have none, closes those of
 * VMs that are gone or no longer want one. A socket that cannot be made is
 * logged; the VM still works through the control socket. */
void vm_sockets_sync(struct vm_sockets *s, struct state *st);
/* An event about a VM, to that VM's socket (if any). NULL s: a no-op. */
void vm_sockets_send_event(struct vm_sockets *s, const struct event *e);
