/* SPDX-License-Identifier: MIT */
#include "daemon/input/uinput.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/uinput.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define VENDOR 0x4446  /* "DF": not a USB vendor id; BUS_VIRTUAL says so */

static const char *const kind_names[UINPUT_KINDS] = { "keyboard", "pointer", "tablet" };

struct device {
	int fd;
	char link[4096];
	char devnode[64];
};

struct uinput_vm {
	char *name;
	struct device dev[UINPUT_KINDS];
	int32_t wheel_rest[2];  /* hi-res units not yet a whole notch: vertical, horizontal */
};

static int set_bit(int fd, unsigned long req, int bit)
{
	return ioctl(fd, req, bit) < 0 ? -errno : 0;
}

static int enable(int fd, enum uinput_kind kind)
{
	int r = set_bit(fd, UI_SET_EVBIT, EV_SYN);
	switch (kind) {
	case UINPUT_KEYBOARD:
		if (r == 0)
			r = set_bit(fd, UI_SET_EVBIT, EV_KEY);
		for (int k = KEY_ESC; r == 0 && k < BTN_MISC; k++)
			r = set_bit(fd, UI_SET_KEYBIT, k);
		for (int k = KEY_OK; r == 0 && k < BTN_DPAD_UP; k++)
			r = set_bit(fd, UI_SET_KEYBIT, k);
		return r;
	case UINPUT_POINTER:
		if (r == 0)
			r = set_bit(fd, UI_SET_EVBIT, EV_KEY);
		for (int b = BTN_LEFT; r == 0 && b <= BTN_TASK; b++)
			r = set_bit(fd, UI_SET_KEYBIT, b);
		if (r == 0)
			r = set_bit(fd, UI_SET_EVBIT, EV_REL);
		if (r == 0)
			r = set_bit(fd, UI_SET_RELBIT, REL_X);
		if (r == 0)
			r = set_bit(fd, UI_SET_RELBIT, REL_Y);
		if (r == 0)
			r = set_bit(fd, UI_SET_RELBIT, REL_WHEEL);
		if (r == 0)
			r = set_bit(fd, UI_SET_RELBIT, REL_HWHEEL);
		if (r == 0)
			r = set_bit(fd, UI_SET_RELBIT, REL_WHEEL_HI_RES);
		if (r == 0)
			r = set_bit(fd, UI_SET_RELBIT, REL_HWHEEL_HI_RES);
		return r;
	case UINPUT_TABLET:
		/* A pointing device with absolute axes needs a button to be one. */
		if (r == 0)
			r = set_bit(fd, UI_SET_EVBIT, EV_KEY);
		if (r == 0)
			r = set_bit(fd, UI_SET_KEYBIT, BTN_LEFT);
		if (r == 0)
			r = set_bit(fd, UI_SET_EVBIT, EV_ABS);
		if (r == 0)
			r = set_bit(fd, UI_SET_PROPBIT, INPUT_PROP_POINTER);
		for (int a = ABS_X; r == 0 && a <= ABS_Y; a++) {
			struct uinput_abs_setup abs = { .code = (uint16_t)a,
							.absinfo = { .maximum = UINPUT_ABS_MAX } };
			if (ioctl(fd, UI_ABS_SETUP, &abs) < 0)
				r = -errno;
		}
		return r;
	case UINPUT_KINDS:
		break;
	}
	return -EINVAL;
}

/* /dev/input/eventN of the input device the kernel named sysname (inputM). */
static int find_devnode(const char *sysname, char *out, size_t size)
{
	char dir[128];
	snprintf(dir, sizeof(dir), "/sys/devices/virtual/input/%s", sysname);
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	int r = -ENODEV; /* no evdev handler: the evdev module is not loaded */
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "event", 5) == 0) {
			int n = snprintf(out, size, "/dev/input/%s", e->d_name);
			r = n >= 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
			break;
		}
	}
	closedir(d);
	return r;
}

static int make_device(struct uinput_vm *u, enum uinput_kind kind, const char *link_dir)
{
	struct device *dv = &u->dev[kind];
	dv->fd = open("/dev/uinput", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (dv->fd < 0)
		return -errno;
	int r = enable(dv->fd, kind);
	if (r < 0)
		return r;
	struct uinput_setup setup = {
		.id = { .bustype = BUS_VIRTUAL, .vendor = VENDOR, .product = (uint16_t)(kind + 1),
			.version = 1 },
	};
	snprintf(setup.name, sizeof(setup.name), UINPUT_NAME_PREFIX "%s %s", u->name,
		 kind_names[kind]);
	if (ioctl(dv->fd, UI_DEV_SETUP, &setup) < 0 || ioctl(dv->fd, UI_DEV_CREATE) < 0)
		return -errno;
	char sysname[64] = "";
	if (ioctl(dv->fd, UI_GET_SYSNAME(sizeof(sysname) - 1), sysname) < 0)
		return -errno;
	r = find_devnode(sysname, dv->devnode, sizeof(dv->devnode));
	if (r < 0)
		return r;
	snprintf(dv->link, sizeof(dv->link), "%s/%s-%s", link_dir, u->name, kind_names[kind]);
	/* A link left by an earlier daemon points at a device that is gone. */
	if (unlink(dv->link) < 0 && errno != ENOENT)
		r = -errno;
	if (r == 0 && symlink(dv->devnode, dv->link) < 0)
		r = -errno;
	if (r < 0)
		dv->link[0] = '\0';
	return r;
}

int uinput_vm_create(const char *vm, const char *link_dir, struct uinput_vm **out)
{
	struct uinput_vm *u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	for (int k = 0; k < UINPUT_KINDS; k++)
		u->dev[k].fd = -1;
	u->name = strdup(vm);
	if (!u->name) {
		free(u);
		return -ENOMEM;
	}
	int r = 0;
	/* chmod too: the unit's UMask=0077 would leave the directory 0700,
	 * and a VMM that is not root could not reach its links. */
	if (mkdir(link_dir, 0755) < 0 && errno != EEXIST)
		r = -errno;
	else if (chmod(link_dir, 0755) < 0)
		r = -errno;
	for (int k = 0; r == 0 && k < UINPUT_KINDS; k++)
		r = make_device(u, (enum uinput_kind)k, link_dir);
	if (r < 0) {
		uinput_vm_destroy(u);
		return r;
	}
	*out = u;
	return 0;
}

void uinput_vm_destroy(struct uinput_vm *u)
{
	if (!u)
		return;
	for (int k = 0; k < UINPUT_KINDS; k++) {
		if (u->dev[k].link[0])
			unlink(u->dev[k].link);
		if (u->dev[k].fd >= 0) {
			ioctl(u->dev[k].fd, UI_DEV_DESTROY);
			close(u->dev[k].fd);
		}
	}
	free(u->name);
	free(u);
}

static struct posix_acl_xattr_entry acl_entry(int tag, int perm, uint32_t id)
{
	return (struct posix_acl_xattr_entry){ .e_tag = htole16((uint16_t)tag),
					       .e_perm = htole16((uint16_t)perm),
					       .e_id = htole32(id) };
}

/* The node's POSIX ACL: the owner's user entry, or none. Group and other are
 * written as udev leaves input nodes (group rw, other nothing): set before
 * udev has run, a later chmod by udev would change only the mask. */
static int set_node_owner(const char *devnode, bool has_owner, uid_t uid)
{
	if (!has_owner) {
		if (removexattr(devnode, "system.posix_acl_access") < 0 && errno != ENODATA &&
		    errno != EOPNOTSUPP)
			return -errno;
		return 0;
	}
	struct {
		struct posix_acl_xattr_header h;
		struct posix_acl_xattr_entry e[5];
	} acl = {
		.h = { .a_version = htole32(POSIX_ACL_XATTR_VERSION) },
		.e = {
			acl_entry(ACL_USER_OBJ, 6, (uint32_t)ACL_UNDEFINED_ID),
			acl_entry(ACL_USER, 6, (uint32_t)uid),
			acl_entry(ACL_GROUP_OBJ, 6, (uint32_t)ACL_UNDEFINED_ID),
			acl_entry(ACL_MASK, 6, (uint32_t)ACL_UNDEFINED_ID),
			acl_entry(ACL_OTHER, 0, (uint32_t)ACL_UNDEFINED_ID),
		},
	};
	return setxattr(devnode, "system.posix_acl_access", &acl, sizeof(acl), 0) < 0 ? -errno : 0;
}

int uinput_vm_set_owner(struct uinput_vm *u, bool has_owner, uid_t uid)
{
	int r = 0;
	for (int k = 0; k < UINPUT_KINDS; k++) {
		int rk = set_node_owner(u->dev[k].devnode, has_owner, uid);
		if (r == 0)
			r = rk;
	}
	return r;
}

const char *uinput_vm_name(const struct uinput_vm *u)
{
	return u->name;
}

const char *uinput_vm_link(const struct uinput_vm *u, enum uinput_kind kind)
{
	return u->dev[kind].link;
}

const char *uinput_vm_devnode(const struct uinput_vm *u, enum uinput_kind kind)
{
	return u->dev[kind].devnode;
}

/* One frame: the events, then SYN_REPORT, in one write. */
static int write_frame(struct uinput_vm *u, enum uinput_kind kind, const struct input_event *ev,
		       size_t n)
{
	struct input_event frame[5];
	memcpy(frame, ev, n * sizeof(*ev));
	frame[n] = (struct input_event){ .type = EV_SYN, .code = SYN_REPORT };
	ssize_t len = (ssize_t)((n + 1) * sizeof(*frame));
	ssize_t w = write(u->dev[kind].fd, frame, (size_t)len);
	if (w < 0)
		return -errno;
	return w == len ? 0 : -EIO;
}

int uinput_vm_key(struct uinput_vm *u, uint16_t code, bool pressed)
{
	enum uinput_kind kind = code >= BTN_MOUSE && code <= BTN_TASK ? UINPUT_POINTER
								   : UINPUT_KEYBOARD;
	struct input_event ev = { .type = EV_KEY, .code = code, .value = pressed };
	return write_frame(u, kind, &ev, 1);
}

int uinput_vm_motion(struct uinput_vm *u, int32_t dx, int32_t dy)
{
	struct input_event ev[2];
	size_t n = 0;
	if (dx)
		ev[n++] = (struct input_event){ .type = EV_REL, .code = REL_X, .value = dx };
	if (dy)
		ev[n++] = (struct input_event){ .type = EV_REL, .code = REL_Y, .value = dy };
	return n ? write_frame(u, UINPUT_POINTER, ev, n) : 0;
}

int uinput_vm_wheel(struct uinput_vm *u, int32_t v120, bool horizontal)
{
	struct input_event ev[2];
	size_t n = 0;
	ev[n++] = (struct input_event){ .type = EV_REL,
					.code = horizontal ? REL_HWHEEL_HI_RES : REL_WHEEL_HI_RES,
					.value = v120 };
	int32_t *rest = &u->wheel_rest[horizontal];
	*rest += v120;
	if (*rest >= 120 || *rest <= -120) {
		ev[n++] = (struct input_event){ .type = EV_REL,
						.code = horizontal ? REL_HWHEEL : REL_WHEEL,
						.value = *rest / 120 };
		*rest %= 120;
	}
	return write_frame(u, UINPUT_POINTER, ev, n);
}

int uinput_vm_absolute(struct uinput_vm *u, int32_t x, int32_t y)
{
	struct input_event ev[2] = {
		{ .type = EV_ABS, .code = ABS_X, .value = x },
		{ .type = EV_ABS, .code = ABS_Y, .value = y },
	};
	return write_frame(u, UINPUT_TABLET, ev, 2);
}
