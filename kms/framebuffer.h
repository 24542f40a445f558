/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdint.h>

/* Framebuffers, often of other files than fd's. */

/* Size of any framebuffer on the device. */
int kms_fb_size(int fd, uint32_t fb, uint32_t *width, uint32_t *height);

/* A mirror is a framebuffer owned by fd's file over the same buffer
 * objects as another file's framebuffer src_fb. A framebuffer dies with
 * the file that made it, but its buffers are refcounted: the mirror keeps
 * them, and so the last frame, after the other file closes. It shows
 * every later write into those buffers as well.
 *
 * fd must be DRM master (a lessee fd of the current master counts) or
 * have CAP_SYS_ADMIN, or GETFB2 hides the buffers: -EACCES then. */
int kms_fb_mirror(int fd, uint32_t src_fb, uint32_t *mirror_fb);
/* Removes a mirror fd's file made. A plane still showing it is turned off
 * by the kernel, so flip away first. */
int kms_fb_remove(int fd, uint32_t mirror_fb);
