/* SPDX-License-Identifier: MIT */
#include "daemon/input/input.h"

#include <errno.h>
#include <fcntl.h>
#include <libinput.h>
#include <libudev.h>
#include <linux/input.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "config/config.h"
#include "config/hotkey.h"
#include "daemon/input/desktop.h"
#include "daemon/input/focus.h"
#include "daemon/log.h"
#include "daemon/session/session.h"

#include "daemon/input/route.h"
#include "daemon/input/seat.h"

/* ---- libinput's device access, through the session ---- */

static int open_restricted(const char *path, int flags, void *data)
{
	struct seat *s = data;
	if (s->n_opened == MAX_DEVICES)
		return -EMFILE;
	int fd, id;
	int r = session_open_device(s->in->session, path, &fd, &id);
	if (r < 0)
		return r;
	/* libseat's noop backend opens blocking; libinput reads until EAGAIN. */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		r = -errno;
		session_close_device(s->in->session, id);
		close(fd);
		return r;
	}
	s->opened[s->n_opened++] = (struct opened){ fd, id };
	/* The VM in focus has the device alone; the host gets it back on release. */
	if (focus_current(s->focus) != FOCUS_HOST)
		ioctl(fd, EVIOCGRAB, 1);
	return fd;
}

static void close_restricted(int fd, void *data)
{
	struct seat *s = data;
	for (size_t i = 0; i < s->n_opened; i++) {
		if (s->opened[i].fd != fd)
			continue;
		session_close_device(s->in->session, s->opened[i].device_id);
		s->opened[i] = s->opened[--s->n_opened];
		break;
	}
	/* libseat leaves the fd to us. */
	close(fd);
}

static const struct libinput_interface li_interface = {
	.open_restricted = open_restricted,
	.close_restricted = close_restricted,
};

/* ---- devices ---- */

static bool ours(struct udev_device *dev)
{
	struct udev_device *parent = udev_device_get_parent_with_subsystem_devtype(dev, "input", NULL);
	const char *name = parent ? udev_device_get_sysattr_value(parent, "name") : NULL;
	return name && strncmp(name, UINPUT_NAME_PREFIX, strlen(UINPUT_NAME_PREFIX)) == 0;
}

/* A path (the node or one of its udev links) or PROPERTY=VALUE. */
static bool matches(struct udev_device *dev, const char *match)
{
	const char *node = udev_device_get_devnode(dev);
	if (match[0] == '/') {
		if (node && strcmp(node, match) == 0)
			return true;
		struct udev_list_entry *e;
		udev_list_entry_foreach(e, udev_device_get_devlinks_list_entry(dev))
			if (strcmp(udev_list_entry_get_name(e), match) == 0)
				return true;
		return false;
	}
	const char *eq = strchr(match, '=');
	if (!eq)
		return false;
	char prop[128];
	snprintf(prop, sizeof(prop), "%.*s", (int)(eq - match), match);
	const char *v = udev_device_get_property_value(dev, prop);
	return v && strcmp(v, eq + 1) == 0;
}

static struct seat *seat_of(struct input *in, struct udev_device *dev)
{
	const char *sysname = udev_device_get_sysname(dev);
	if (!sysname || strncmp(sysname, "event", 5) != 0 || !udev_device_get_devnode(dev) ||
	    ours(dev))
		return NULL;
	for (size_t i = 0; i < in->n_seats; i++)
		for (size_t k = 0; k < in->seats[i].n_matches; k++)
			if (matches(dev, in->seats[i].matches[k]))
				return &in->seats[i];
	return NULL;
}

static void add_device(struct seat *s, const char *devnode)
{
	for (size_t i = 0; i < s->n_devices; i++)
		if (strcmp(s->devices[i].devnode, devnode) == 0)
			return;
	if (s->n_devices == MAX_DEVICES) {
		log_warn("seat=%s: %s not added: the seat has %d devices already, ignoring", s->name,
			 devnode, MAX_DEVICES);
		return;
	}
	char *copy = strdup(devnode);
	struct libinput_device *dev = copy ? libinput_path_add_device(s->li, devnode) : NULL;
	if (!dev) {
		/* libinput logs the reason through its own handler. */
		log_warn("seat=%s: cannot open %s for input, ignoring", s->name, devnode);
		free(copy);
		return;
	}
	s->devices[s->n_devices++] = (struct phys){ copy, libinput_device_ref(dev) };
	route_on_libinput(NULL, -1, 0, s);
}

static void remove_device(struct seat *s, const char *devnode)
{
	for (size_t i = 0; i < s->n_devices; i++) {
		if (strcmp(s->devices[i].devnode, devnode) != 0)
			continue;
		libinput_path_remove_device(s->devices[i].dev);
		libinput_device_unref(s->devices[i].dev);
		free(s->devices[i].devnode);
		s->devices[i] = s->devices[--s->n_devices];
		/* The removal's key releases come out of libinput now. */
		route_on_libinput(NULL, -1, 0, s);
		return;
	}
}

static int on_udev(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct input *in = data;
	struct udev_device *dev;
	while ((dev = udev_monitor_receive_device(in->mon))) {
		const char *action = udev_device_get_action(dev);
		const char *node = udev_device_get_devnode(dev);
		if (action && node && strcmp(action, "remove") == 0) {
			for (size_t i = 0; i < in->n_seats; i++)
				remove_device(&in->seats[i], node);
		} else if (action && strcmp(action, "add") == 0 && !in->suspended) {
			struct seat *s = seat_of(in, dev);
			if (s)
				add_device(s, node);
		}
		udev_device_unref(dev);
	}
	return 0;
}

static int enumerate(struct input *in)
{
	struct udev_enumerate *e = udev_enumerate_new(in->udev);
	if (!e)
		return -ENOMEM;
	int r = udev_enumerate_add_match_subsystem(e, "input");
	if (r >= 0)
		r = udev_enumerate_add_match_sysname(e, "event*");
	if (r >= 0)
		r = udev_enumerate_scan_devices(e);
	struct udev_list_entry *le;
	udev_list_entry_foreach(le, r >= 0 ? udev_enumerate_get_list_entry(e) : NULL) {
		struct udev_device *dev =
			udev_device_new_from_syspath(in->udev, udev_list_entry_get_name(le));
		if (!dev)
			continue;
		/* Not yet seen by udev: its add event comes later. */
		struct seat *s = udev_device_get_is_initialized(dev) ? seat_of(in, dev) : NULL;
		if (s)
			add_device(s, udev_device_get_devnode(dev));
		udev_device_unref(dev);
	}
	udev_enumerate_unref(e);
	return r < 0 ? r : 0;
}

/* ---- seats ---- */

static struct uinput_vm *take_vm(struct input *old, const char *name)
{
	for (size_t i = 0; old && i < old->n_seats; i++) {
		struct seat *s = &old->seats[i];
		for (size_t k = 0; k < s->n_vms; k++) {
			if (s->vms[k] && strcmp(uinput_vm_name(s->vms[k]), name) == 0) {
				struct uinput_vm *u = s->vms[k];
				s->vms[k] = NULL;
				return u;
			}
		}
	}
	return NULL;
}

static int add_hotkey(struct seat *s, const char *combo, enum focus_action action, int vm)
{
	struct config_hotkey keys;
	if (!combo)
		return 0;
	int r = config_hotkey_parse(combo, &keys);
	if (r == 0)
		r = focus_add_hotkey(s->focus, &keys, action, vm);
	if (r < 0)
		log_errno(r, "seat=%s: hotkey %s cannot be used", s->name, combo);
	return r;
}

static int seat_init(struct seat *s, struct input *in, sd_event *loop,
		     const struct config *cfg, const struct config_seat *cs, const char *link_dir,
		     struct input *old)
{
	s->in = in;
	if (!(s->name = strdup(cs->name)))
		return -ENOMEM;
	s->matches = calloc(cs->n_inputs + 1, sizeof(*s->matches));
	s->vms = calloc(cfg->n_vms + 1, sizeof(*s->vms));
	if (!s->matches || !s->vms)
		return -ENOMEM;
	for (size_t i = 0; i < cs->n_inputs; i++)
		if (!(s->matches[s->n_matches++] = strdup(cs->inputs[i])))
			return -ENOMEM;
	int r;
	for (size_t i = 0; i < cfg->n_vms; i++) {
		const struct config_vm *vm = &cfg->vms[i];
		if (!vm->input || strcmp(vm->input, cs->name) != 0)
			continue;
		struct uinput_vm *u = take_vm(old, vm->name);
		if (!u && (r = uinput_vm_create(vm->name, link_dir, &u)) < 0)
			return log_errno(r, "vm=%s: cannot create its virtual input devices "
					 "(/dev/uinput, links in %s%s)", vm->name, link_dir,
					 r == -ENODEV ? "; no /dev/input/eventN: is evdev loaded?" : "");
		s->vms[s->n_vms++] = u;
		/* Again on each reload: owner= may have changed or gone. */
		if ((r = uinput_vm_set_owner(u, vm->has_owner, vm->owner_uid)) < 0)
			log_errno(r, "vm=%s: its owner %s cannot be given access to its input "
				  "devices (%s ...): a VMM running as the owner cannot read them",
				  vm->name, vm->has_owner ? vm->owner : "(none)",
				  uinput_vm_devnode(u, UINPUT_KEYBOARD));
		log_info("vm=%s seat=%s keyboard=%s pointer=%s tablet=%s", vm->name, cs->name,
			 uinput_vm_link(u, UINPUT_KEYBOARD), uinput_vm_link(u, UINPUT_POINTER),
			 uinput_vm_link(u, UINPUT_TABLET));
	}
	s->focus = focus_create(s->n_vms, &route_focus_ops, s);
	if (!s->focus)
		return -ENOMEM;
	add_hotkey(s, cs->hotkey_next, FOCUS_NEXT, 0);
	add_hotkey(s, cs->hotkey_prev, FOCUS_PREV, 0);
	add_hotkey(s, cs->hotkey_release, FOCUS_RELEASE, 0);
	for (size_t i = 0; i < cs->n_focus_keys; i++)
		for (size_t k = 0; k < s->n_vms; k++)
			if (strcmp(uinput_vm_name(s->vms[k]), cs->focus_keys[i].vm) == 0)
				add_hotkey(s, cs->focus_keys[i].combo, FOCUS_TO_VM, (int)k);
	s->follows = cs->focus_follows_pointer;
	desktop_init(&s->desktop);
	for (size_t i = 0; s->follows && i < cs->n_monitors; i++) {
		const struct config_monitor *m = config_monitor_by_name(cfg, cs->monitors[i]);
		int vm = -1;
		for (size_t k = 0; m && k < s->n_vms; k++) {
			const struct config_vm *cv = config_vm_by_name(cfg, uinput_vm_name(s->vms[k]));
			if (cv && cv->monitor && strcmp(cv->monitor, m->name) == 0)
				vm = (int)k;
		}
		if (m && m->has_position && m->mode.set)
			desktop_add(&s->desktop, m->x, m->y, m->mode.width, m->mode.height, vm);
	}
	desktop_warp_to_vm(&s->desktop, focus_current(s->focus));
	s->li = libinput_path_create_context(&li_interface, s);
	if (!s->li)
		return -ENOMEM;
	r = sd_event_add_io(loop, &s->io, libinput_get_fd(s->li), EPOLLIN, route_on_libinput, s);
	if (r < 0)
		return r;
	return 0;
}

/* Gives the physical devices back (to the session, ungrabbed), after
 * releasing on the VM in focus whatever is still down there. */
static void seat_close_devices(struct seat *s)
{
	if (s->focus)
		focus_set(s->focus, FOCUS_HOST);
	for (size_t i = 0; i < s->n_devices; i++) {
		libinput_path_remove_device(s->devices[i].dev);
		libinput_device_unref(s->devices[i].dev);
		free(s->devices[i].devnode);
	}
	s->n_devices = 0;
	s->io = sd_event_source_disable_unref(s->io);
	if (s->li)
		libinput_unref(s->li);
	s->li = NULL;
}

static void seat_fini(struct seat *s)
{
	seat_close_devices(s);
	focus_destroy(s->focus);
	for (size_t i = 0; i < s->n_vms; i++)
		uinput_vm_destroy(s->vms[i]);
	free(s->vms);
	for (size_t i = 0; i < s->n_matches; i++)
		free(s->matches[i]);
	free(s->matches);
	free(s->name);
}

int input_create(sd_event *loop, struct udev *udev, struct session *session,
		 const struct config *cfg, const char *link_dir, struct input *old,
		 const struct input_listener *listener, void *data, struct input **out)
{
	struct input *in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->session = session;
	in->udev = udev_ref(udev);
	in->listener = listener;
	in->data = data;
	/* The old seats let go of their devices first: a session hands each
	 * device to one taker at a time. */
	if (old) {
		old->quiet = true;
		for (size_t i = 0; i < old->n_seats; i++)
			seat_close_devices(&old->seats[i]);
		old->mon_io = sd_event_source_disable_unref(old->mon_io);
	}
	int r = -ENOMEM;
	in->seats = calloc(cfg->n_seats + 1, sizeof(*in->seats));
	if (!in->seats)
		goto fail;
	for (size_t i = 0; i < cfg->n_seats; i++) {
		const struct config_seat *cs = &cfg->seats[i];
		bool has_vm = false;
		for (size_t k = 0; k < cfg->n_vms && !has_vm; k++)
			has_vm = cfg->vms[k].input && strcmp(cfg->vms[k].input, cs->name) == 0;
		if (!has_vm)
			continue;
		r = seat_init(&in->seats[in->n_seats++], in, loop, cfg, cs, link_dir, old);
		if (r < 0)
			goto fail;
	}
	if (in->n_seats == 0) {
		*out = in;
		return 0;
	}
	in->mon = udev_monitor_new_from_netlink(udev, "udev");
	r = -ENOMEM;
	if (!in->mon)
		goto fail;
	r = udev_monitor_filter_add_match_subsystem_devtype(in->mon, "input", NULL);
	if (r >= 0)
		r = udev_monitor_enable_receiving(in->mon);
	if (r >= 0)
		r = sd_event_add_io(loop, &in->mon_io, udev_monitor_get_fd(in->mon), EPOLLIN, on_udev,
				    in);
	if (r >= 0)
		r = enumerate(in);
	if (r < 0)
		goto fail;
	*out = in;
	return 0;
fail:
	input_destroy(in);
	return r;
}

void input_destroy(struct input *in)
{
	if (!in)
		return;
	in->quiet = true;
	for (size_t i = 0; i < in->n_seats; i++)
		seat_fini(&in->seats[i]);
	free(in->seats);
	sd_event_source_disable_unref(in->mon_io);
	udev_monitor_unref(in->mon);
	udev_unref(in->udev);
	free(in);
}

size_t input_seat_count(const struct input *in)
{
	return in ? in->n_seats : 0;
}

const char *input_seat_name(const struct input *in, size_t i)
{
	return in->seats[i].name;
}

const char *input_seat_focus(const struct input *in, size_t i)
{
	int vm = focus_current(in->seats[i].focus);
	return vm == FOCUS_HOST ? NULL : uinput_vm_name(in->seats[i].vms[vm]);
}

const struct uinput_vm *input_vm_devices(const struct input *in, const char *vm,
					 const char **seat, bool *is_focused)
{
	for (size_t i = 0; in && i < in->n_seats; i++) {
		const struct seat *s = &in->seats[i];
		for (size_t k = 0; k < s->n_vms; k++) {
			if (strcmp(uinput_vm_name(s->vms[k]), vm) != 0)
				continue;
			*seat = s->name;
			*is_focused = focus_current(s->focus) == (int)k;
			return s->vms[k];
		}
	}
	return NULL;
}

void input_suspend(struct input *in)
{
	if (!in || in->suspended)
		return;
	in->suspended = true;
	for (size_t i = 0; i < in->n_seats; i++) {
		struct seat *s = &in->seats[i];
		while (s->n_devices > 0)
			remove_device(s, s->devices[0].devnode);
		if (s->focus)
			focus_release_all(s->focus);
	}
}

int input_resume(struct input *in)
{
	if (!in || !in->suspended)
		return 0;
	in->suspended = false;
	return enumerate(in);
}
