/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * Per-VM capability sockets ([vm.NAME] socket=yes): DIR/vm/NAME.sock,
 * where DIR holds the control socket (/run/directflip). Each is a control
 * socket limited to one VM (control_create_vm), so a VMM's sandbox can
 * bind-mount that one path and reach nothing else.
 */
struct daemon;
struct json_object;
struct vm_sockets;

/* control_path: the control socket's configured path (its directory is used). */
int vm_sockets_create(const char *control_path, struct vm_sockets **out);
void vm_sockets_destroy(struct vm_sockets *s);
/* Opens the sockets of VMs with socket=yes that have none, closes those of
 * VMs that are gone or no longer want one. A socket that cannot be made is
 * logged; the VM still works through the control socket. */
void vm_sockets_sync(struct vm_sockets *s, struct daemon *d);
/* An event about vm, to that VM's socket (if any). */
void vm_sockets_broadcast(struct vm_sockets *s, const char *vm, const char *event,
			  struct json_object *fields);
