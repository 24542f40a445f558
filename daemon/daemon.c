/* SPDX-License-Identifier: MIT */
#include "daemon/daemon.h"

#include <errno.h>
#include <libudev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/load.h"
#include "daemon/session/card.h"
#include "daemon/state/bindings.h"
#include "daemon/control/listen.h"
#include "daemon/control/server.h"
#include "daemon/state/events.h"
#include "daemon/session/hotplug.h"
#include "daemon/input/input.h"
#include "daemon/log.h"
#include "daemon/state/lease.h"
#include "daemon/state/reconcile.h"
#include "daemon/service.h"
#include "daemon/session/session.h"
#include "daemon/state/vm.h"
#include "daemon/control/vm-sockets.h"
#include "daemon/state/state.h"
#include "directflip/protocol.h"

/* The wiring: the loop, the seat, the sockets, and the domain they serve. */
struct daemon {
	struct state st;
	struct udev *udev;
	struct session *session;
	sd_event_source *reconcile_source;
	enum state_reread reread;      /* for the scheduled reconcile */
	struct control *control;
	struct vm_sockets *vm_sockets;   /* [vm.NAME] socket=yes */
	struct hotplug *hotplug;
	char input_dir[4096];          /* the VMs' input device links */
};

/* "2 VMs on 2 of 3 monitors", for systemctl status. */
static void update_status(struct daemon *d)
{
	size_t shown = 0, connected = 0;
	for (size_t i = 0; i < d->st.n_vms; i++)
		shown += d->st.vms[i]->state == VM_LEASED;
	for (size_t i = 0; d->st.card && i < d->st.card->snap->n_connectors; i++)
		connected += d->st.card->snap->connectors[i].connection == KMS_CONNECTED;
	char status[256];
	if (!d->st.card)
		snprintf(status, sizeof(status), "waiting for a DRM card; %zu VM%s in the layout",
			 d->st.n_vms, d->st.n_vms == 1 ? "" : "s");
	else
		snprintf(status, sizeof(status), "%zu VM%s on %zu of %zu monitor%s", shown,
			 shown == 1 ? "" : "s", shown, connected, connected == 1 ? "" : "s");
	service_status(status);
}

static int on_reconcile(sd_event_source *src, void *data)
{
	struct daemon *d = data;
	sd_event_source_set_enabled(src, SD_EVENT_OFF);
	/* Without master nothing can be committed; enabling reconciles. */
	if (d->session && !session_active(d->session))
		return 0;
	enum state_reread reread = d->reread;
	d->reread = STATE_REREAD_NONE;
	reconcile(&d->st, reread);
	if (d->st.card && d->st.card->n_stale_fbs) {
		int n = card_drop_stale_shown(d->st.card);
		log_info("card=%s removed %d framebuffer(s) the previous process showed",
			 d->st.card->path, n);
	}
	events_scan(d->st.events, d->st.card ? d->st.card->snap : NULL, d->st.vms,
		    d->st.n_vms);
	update_status(d);
	return 0;
}

static void schedule_reconcile(struct daemon *d, enum state_reread reread)
{
	if (reread > d->reread)
		d->reread = reread;
	sd_event_source_set_enabled(d->reconcile_source, SD_EVENT_ONESHOT);
}

static void on_schedule(void *data, enum state_reread reread)
{
	schedule_reconcile(data, reread);
}

static void log_diags(const struct config_diags *diags)
{
	for (size_t i = 0; i < diags->n; i++) {
		char *line = config_diag_format(&diags->items[i]);
		log_msg(diags->items[i].severity == CONFIG_ERROR ? LOG_ERR : LOG_WARNING, "%s",
			line ? line : diags->items[i].message);
		free(line);
	}
	if (diags->n_dropped)
		log_error("%zu more not shown", diags->n_dropped);
}

/* Runtime bindings (vgpu-assign bind/unbind/map) sit on top of every
 * layout loaded, so a reload does not undo them. */
static int apply_bindings(struct daemon *d, struct config *cfg)
{
	size_t missing = 0;
	int r = control_bindings_apply(d->st.bindings, cfg, &missing);
	if (r < 0)
		return log_errno(r, "cannot apply the runtime bindings");
	if (missing)
		log_warn("%zu runtime binding(s) name vms the layout does not have, ignoring",
			 missing);
	return 0;
}

static int load_config(struct daemon *d, struct config **out)
{
	struct config_diags diags = { 0 };
	bool missing = false;
	int r = config_load_optional(d->st.config_path, d->st.dropin_dir, out, &diags, &missing);
	if (missing)
		log_info("%s: no such file; running with an empty layout (bind a VM with "
			 "`vgpu-assign bind VM MONITOR`, --permanent to keep it)",
			 d->st.config_path);
	log_diags(&diags);
	config_diags_clear(&diags);
	if (r < 0)
		log_error("%s: configuration rejected (%s)", d->st.config_path,
			  r == -EINVAL ? "see the messages above" : strerror(-r));
	if (r == 0 && d->st.bindings && (r = apply_bindings(d, *out)) < 0) {
		config_free(*out);
		*out = NULL;
	}
	return r;
}

static struct vm *take_vm(struct vm **vms, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (vms[i] && strcmp(vms[i]->name, name) == 0) {
			struct vm *vm = vms[i];
			vms[i] = NULL;
			return vm;
		}
	}
	return NULL;
}

/* Moves to cfg: unchanged VMs keep their leases untouched, changed or
 * removed ones are released, new ones start unbound. Reconcile does the
 * rest. Only fails on allocation, before anything is changed. */
static int apply_config(struct daemon *d, struct config *cfg)
{
	struct vm **vms = calloc(cfg->n_vms + 1, sizeof(*vms));
	if (!vms)
		return -ENOMEM;
	struct vm **old = d->st.vms;
	size_t n_old = d->st.n_vms;
	for (size_t i = 0; i < cfg->n_vms; i++) {
		struct vm *vm = take_vm(old, n_old, cfg->vms[i].name);
		if (vm && vm_binding_equal(d->st.config, vm->cfg, cfg, &cfg->vms[i])) {
			vm->cfg = &cfg->vms[i];
			vms[i] = vm;
			continue;
		}
		vms[i] = vm_create(&cfg->vms[i]);
		if (vm) {
			lease_release(&d->st, vm, "binding changed");
			if (vms[i])
				vm_take_client_sources(vms[i], vm);
			vm_destroy(vm);
		}
		if (!vms[i]) {
			/* Put back what was taken so the old layout keeps running. */
			log_error("out of memory applying the configuration");
			for (size_t k = 0; k < i; k++)
				vm_destroy(vms[k]);
			free(vms);
			return -ENOMEM;
		}
		if (vms[i]->error[0])
			log_error("vm=%s: %s", vms[i]->name, vms[i]->error);
	}
	for (size_t i = 0; i < n_old; i++) {
		if (!old[i])
			continue;
		lease_release(&d->st, old[i], "vm removed from the configuration");
		vm_destroy(old[i]);
	}
	free(old);
	config_free(d->st.config);
	d->st.config = cfg;
	d->st.vms = vms;
	d->st.n_vms = cfg->n_vms;
	return 0;
}

static void on_focus_changed(void *data, const char *seat, const char *vm, const char *previous)
{
	struct daemon *d = data;
	events_emit_focus(d->st.events, seat, vm, previous);
}

static const struct input_listener input_listener = {
	.focus_changed = on_focus_changed,
};

/* The seats of the current layout; the VMs' virtual devices live on. A
 * failure leaves the daemon without input routing, not without leases. */
static void start_input(struct daemon *d)
{
	struct input *in = NULL;
	int r = input_create(d->st.loop, d->udev, d->session, d->st.config, d->input_dir, d->st.input,
			     &input_listener, d, &in);
	input_destroy(d->st.input);
	d->st.input = NULL;
	if (r < 0) {
		log_errno(r, "input routing is off: cannot set up the seats' input");
		return;
	}
	d->st.input = in;
	for (size_t i = 0; i < input_seat_count(in); i++)
		log_info("seat=%s focus=%s", input_seat_name(in, i),
			 input_seat_focus(in, i) ? input_seat_focus(in, i) : "host");
}

static int reload(struct daemon *d)
{
	log_info("reloading %s", d->st.config_path);
	service_reloading();
	struct config *cfg = NULL;
	int r = load_config(d, &cfg);
	if (r < 0) {
		log_error("reload failed; the running layout is kept");
		service_ready();
		return r;
	}
	r = apply_config(d, cfg);
	if (r < 0) {
		config_free(cfg);
		service_ready();
		return r;
	}
	vm_sockets_sync(d->vm_sockets, &d->st);
	start_input(d);
	service_ready();
	log_info("reloaded %s: %zu vm(s)", d->st.config_path, d->st.n_vms);
	schedule_reconcile(d, STATE_REREAD_ALL);
	return 0;
}

static int on_reload(sd_event_source *src, const struct signalfd_siginfo *si, void *data)
{
	reload(data);
	return 0;
}

static int on_exit_signal(sd_event_source *src, const struct signalfd_siginfo *si, void *data)
{
	log_info("caught %s, shutting down", strsignal((int)si->ssi_signo));
	return sd_event_exit(sd_event_source_get_event(src), 0);
}

static void store_card_fd(struct daemon *d)
{
	int r = service_store_fd(d->st.card->fd, "card");
	if (r < 0)
		log_errno(r, "cannot keep the card fd in the fd store, ignoring");
}

static void on_hotplug(void *data, enum hotplug_kind kind, const char *devnode)
{
	struct daemon *d = data;
	if (kind == HOTPLUG_REMOVE && d->st.card && strcmp(d->st.card->path, devnode) == 0) {
		log_warn("card=%s removed", devnode);
		lease_card_lost(&d->st);
		/* Or PID 1 keeps the dead card open: its connectors then keep
		 * their names (Virtual-1...), and the card that comes back gets
		 * new ones (Virtual-7...) that match no monitor of the layout. */
		service_forget_fd("card");
		card_close(d->st.card);
		d->st.card = NULL;
	} else if (kind == HOTPLUG_ADD && !d->st.card) {
		if (card_open(d->session, d->udev, d->st.config->daemon.card, &d->st.card) == 0) {
			log_info("card=%s driver=%s added", d->st.card->path,
				 kms_device_driver(d->st.card->kms));
			store_card_fd(d);
		}
	}
	/* A connector hotplug changes connectors only, a lease event nothing
	 * that a re-read would show: hotplug latency is mostly re-reading. */
	schedule_reconcile(d, kind == HOTPLUG_LEASE ? STATE_REREAD_NONE :
					 kind == HOTPLUG_CONNECTORS ? STATE_REREAD_CONNECTORS :
					 STATE_REREAD_ALL);
}

/* Test hook (DIRECTFLIP_DEBUG_HANG=1): SIGUSR2 wedges the loop, so that
 * the watchdog test can see systemd restart a daemon that stopped answering. */
static int on_debug_hang(sd_event_source *src, const struct signalfd_siginfo *si, void *data)
{
	log_warn("debug hook: the event loop hangs now (SIGUSR2)");
	for (;;)
		pause();
	return 0;
}

static void on_seat_enable(void *data)
{
	struct daemon *d = data;
	log_info("seat enabled: master is back; restoring every lease's picture");
	events_emit(d->st.events, DF_EVENT_SEAT_ENABLED, NULL, NULL, "leases restored");
	int r = input_resume(d->st.input);
	if (r < 0)
		log_errno(r, "seat enabled, but its input devices could not be listed");
	if (!d->st.card)
		return;
	lease_restore(&d->st);
	/* Hotplugs while away were not acted on. */
	schedule_reconcile(d, STATE_REREAD_ALL);
}

static void on_seat_disable(void *data)
{
	struct daemon *d = data;
	/* Before libseat is told we are done: the devices are being revoked. */
	input_suspend(d->st.input);
	log_info("seat disabled: leases keep their objects, but no lessee can commit until the seat returns");
	events_emit(d->st.events, DF_EVENT_SEAT_DISABLED, NULL, NULL,
		    "leases kept; lessees cannot commit until seat-enabled");
}

static const struct session_listener seat_listener = {
	.enable = on_seat_enable,
	.disable = on_seat_disable,
};

static int on_reload_hook(void *data)
{
	return reload(data);
}

static const struct state_hooks state_hooks = {
	.schedule = on_schedule,
	.reload = on_reload_hook,
};

/* The event sinks: the control socket, then the VMs' own sockets. They
 * read the pointer at each event, so they fall silent once it is gone. */
static void to_control(void *data, const struct event *e)
{
	struct daemon *d = data;
	control_send_event(d->control, e);
}

static void to_vm_sockets(void *data, const struct event *e)
{
	struct daemon *d = data;
	vm_sockets_send_event(d->vm_sockets, e);
}

static void daemon_finish(struct daemon *d)
{
	/* First, so that no event goes out about the teardown. */
	control_destroy(d->control);
	d->control = NULL;
	d->st.socket_path = NULL;
	vm_sockets_destroy(d->vm_sockets);
	d->vm_sockets = NULL;
	/* Under the fd store, leases outlive us: a crash or a restart must
	 * not blank anybody's monitor. Otherwise stopping revokes them all. */
	if (d->st.card && service_fdstore_enabled())
		lease_handover(&d->st);
	for (size_t i = 0; i < d->st.n_vms; i++) {
		if (d->st.card)
			lease_release(&d->st, d->st.vms[i], "daemon stopping");
		vm_destroy(d->st.vms[i]);
	}
	free(d->st.vms);
	input_destroy(d->st.input);
	card_close(d->st.card);
	session_destroy(d->session);
	config_free(d->st.config);
	hotplug_destroy(d->hotplug);
	events_destroy(d->st.events);
	sd_event_source_disable_unref(d->reconcile_source);
	control_bindings_free(d->st.bindings);
	udev_unref(d->udev);
	sd_event_unref(d->st.loop);
}

/* The state file lives beside the socket: /run/directflip/state.json. */
static int load_bindings(struct daemon *d, const char *socket_path)
{
	/* Fits: listening refuses a socket path longer than sun_path. */
	char state[4096];
	control_socket_sibling(socket_path, "state.json", state, sizeof(state));
	char err[512] = "";
	int r = control_bindings_load(state, &d->st.bindings, err, sizeof(err));
	if (r == -EINVAL) {
		char bad[4200];
		snprintf(bad, sizeof(bad), "%s.bad", state);
		log_error("%s; moved to %s, starting without runtime bindings", err, bad);
		rename(state, bad);
		r = control_bindings_load(state, &d->st.bindings, err, sizeof(err));
	}
	if (r < 0)
		return log_errno(r, "%s: cannot read the runtime bindings", state);
	if (control_bindings_count(d->st.bindings))
		log_info("%s: %zu runtime binding(s)", state, control_bindings_count(d->st.bindings));
	return 0;
}

int daemon_run(const struct daemon_options *opts)
{
	struct daemon d = { .st = { .config_path = opts->config_path, .dropin_dir = opts->dropin_dir,
				    .hooks = &state_hooks } };
	d.st.hooks_data = &d;
	int r;
	struct config *cfg = NULL;
	if (load_config(&d, &cfg) < 0)
		return 1;
	const char *socket_path = opts->socket_path ? opts->socket_path
			      : cfg->daemon.socket_path ? cfg->daemon.socket_path
							: DF_SOCKET_DEFAULT;
	if (load_bindings(&d, socket_path) < 0 || apply_bindings(&d, cfg) < 0) {
		control_bindings_free(d.st.bindings);
		config_free(cfg);
		return 1;
	}

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	const char *hang = getenv("DIRECTFLIP_DEBUG_HANG");
	bool debug_hang = hang && strcmp(hang, "1") == 0;
	if (debug_hang)
		sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	r = sd_event_default(&d.st.loop);
	if (r < 0) {
		log_errno(r, "cannot create the event loop");
		config_free(cfg);
		return 1;
	}
	d.st.config = NULL;
	d.udev = udev_new();
	if (!d.udev) {
		r = -ENOMEM;
		log_error("cannot create a udev context");
		goto out;
	}
	if ((r = sd_event_add_signal(d.st.loop, NULL, SIGTERM, on_exit_signal, &d)) < 0 ||
	    (r = sd_event_add_signal(d.st.loop, NULL, SIGINT, on_exit_signal, &d)) < 0 ||
	    (r = sd_event_add_signal(d.st.loop, NULL, SIGHUP, on_reload, &d)) < 0 ||
	    (debug_hang && (r = sd_event_add_signal(d.st.loop, NULL, SIGUSR2, on_debug_hang, &d)) < 0) ||
	    (r = sd_event_add_defer(d.st.loop, &d.reconcile_source, on_reconcile, &d)) < 0) {
		log_errno(r, "cannot set up the event loop");
		goto out;
	}
	sd_event_source_set_enabled(d.reconcile_source, SD_EVENT_OFF);

	r = session_create(d.st.loop, &seat_listener, &d, &d.session);
	if (r < 0) {
		log_errno(r, "cannot open the seat (LIBSEAT_BACKEND=%s)",
			  getenv("LIBSEAT_BACKEND") ? getenv("LIBSEAT_BACKEND") : "auto");
		goto out;
	}
	struct service_fds stored = { 0 };
	r = service_take_fds(&stored);
	if (r < 0)
		log_errno(r, "cannot take back stored file descriptors, ignoring");
	/* Before the card: a second daemon must stop at the socket, not at DRM
	 * master. From socket activation: a .socket unit with FileDescriptorName=control. */
	r = control_create(&d.st, service_fds_take(&stored, "control"), socket_path,
			   cfg->daemon.socket_group, &d.control);
	if (r < 0) {
		service_fds_release(&stored);
		goto out;
	}
	d.st.socket_path = control_path(d.control);
	r = vm_sockets_create(socket_path, &d.vm_sockets);
	if (r < 0) {
		log_errno(r, "cannot set up the vm sockets");
		service_fds_release(&stored);
		goto out;
	}
	int card_fd = service_fds_take(&stored, "card");
	if (card_fd >= 0) {
		r = card_adopt(card_fd, &d.st.card);
		if (r < 0)
			log_errno(r, "the stored card fd is unusable, opening the card anew");
		else {
			log_info("card=%s adopted from the fd store", d.st.card->path);
			int n = card_drop_stale_fbs(d.st.card);
			if (n < 0)
				log_errno(n, "card=%s: listing the framebuffers left on it failed",
					  d.st.card->path);
			else if (n > 0 || d.st.card->n_stale_fbs)
				log_info("card=%s removed %d framebuffer(s) the previous process left "
					 "(%zu on screen go after the first reconcile)",
					 d.st.card->path, n, d.st.card->n_stale_fbs);
		}
	}
	if (!d.st.card) {
		/* No card (yet): a fresh machine whose driver loads later, or a
		 * card not plugged. udev tells when one comes (on_hotplug); the
		 * control socket serves meanwhile. Other failures are fatal. */
		r = card_open(d.session, d.udev, cfg->daemon.card, &d.st.card);
		if (r == -ENODEV)
			log_warn("no DRM card%s%s%s; waiting for one to appear (udev)",
				 cfg->daemon.card ? " matches '" : " (no /dev/dri/card*)",
				 cfg->daemon.card ? cfg->daemon.card : "",
				 cfg->daemon.card ? "' (by path or ID_PATH)" : "");
		else if (r < 0) {
			service_fds_release(&stored);
			goto out;
		} else
			store_card_fd(&d);
	}
	if (d.st.card)
		log_info("card=%s driver=%s id_path=%s seat=%s", d.st.card->path,
			 kms_device_driver(d.st.card->kms), d.st.card->id_path ? d.st.card->id_path : "-",
			 session_seat_name(d.session));

	d.st.events = events_create();
	if (!d.st.events || events_add_sink(d.st.events, to_control, &d) < 0 ||
	    events_add_sink(d.st.events, to_vm_sockets, &d) < 0) {
		r = log_errno(-ENOMEM, "cannot set up events");
		goto out;
	}
	r = hotplug_create(d.st.loop, d.udev, on_hotplug, &d, &d.hotplug);
	if (r < 0) {
		log_errno(r, "cannot listen to udev");
		goto out;
	}
	r = apply_config(&d, cfg);
	if (r < 0) {
		service_fds_release(&stored);
		goto out;
	}
	cfg = NULL;
	vm_sockets_sync(d.vm_sockets, &d.st);
	lease_adopt(&d.st, &stored);
	service_fds_release(&stored);
	reconcile(&d.st, STATE_REREAD_ALL);
	events_scan(d.st.events, d.st.card ? d.st.card->snap : NULL, d.st.vms, d.st.n_vms);
	update_status(&d);
	control_socket_sibling(socket_path, "input", d.input_dir, sizeof(d.input_dir));
	start_input(&d);
	r = service_watchdog(d.st.loop);
	if (r < 0)
		log_errno(r, "cannot enable the watchdog, ignoring");
	service_ready();

	r = sd_event_loop(d.st.loop);
	if (r < 0)
		log_errno(r, "event loop failed");
out:
	config_free(cfg);
	daemon_finish(&d);
	return r < 0 ? 1 : 0;
}
