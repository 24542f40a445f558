/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * NOT UPSTREAM. Interfaces that were proposed for Intel GVT-g but never
 * reached mainline Linux (docs/sources.md). Every constant the daemon uses
 * that is not in a released kernel's uapi lives here and nowhere else.
 */

/* "Local display direct flip" v1 (intel-gvt-dev, December 2018): under
 * the vGPU's mdev device, write a plane number, then read back the host
 * DRM framebuffer id of that plane. The attribute signals a change with
 * sysfs_notify (POLLPRI). */
#define GVT_ATTR_PLANE_ID_INDEX "intel_vgpu/plane_id_index"

/* "Local display direct flip" v2 (RFC, May 2019): writing 1 to this mdev
 * attribute makes the kernel commit every guest flip itself. */
#define GVT_ATTR_ENABLE_DIRECT_FLIP "enable_direct_flip"

/* v1's QEMU branch: a VFIO_DEVICE_QUERY_GFX_PLANE flag whose answer is a
 * host framebuffer id (__u32 drm_fb_id, in the region_index/dmabuf_id union). */
#define VFIO_GFX_PLANE_TYPE_DRM (1 << 3)
/* That union member, read from a struct vfio_device_gfx_plane_info. */
#define VFIO_GFX_PLANE_DRM_FB_ID(info) ((info)->dmabuf_id)
