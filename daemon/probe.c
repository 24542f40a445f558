/* SPDX-License-Identifier: MIT */
#include "daemon/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libudev.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/json.h"
#include "kms/device.h"
#include "kms/discover.h"
#include "kms/snapshot.h"

static struct json_object *fourcc_json(uint32_t f)
{
	char s[5];
	for (int i = 0; i < 4; i++) {
		char c = (char)((f >> (8 * i)) & 0xff);
		s[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	s[4] = '\0';
	return json_object_new_string(s);
}

static struct json_object *crtc_ids_json(const struct kms_snapshot *snap, uint32_t mask)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < snap->n_crtcs && i < 32; i++)
		if (mask & (1u << i))
			json_object_array_add(a, json_object_new_int64(snap->crtcs[i].id));
	return a;
}

static struct json_object *connector_json(const struct kms_connector *c)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(c->id));
	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "status", json_object_new_string(kms_connection_name(c->connection)));
	json_object_object_add(o, "mm_width", json_object_new_int64(c->mm_width));
	json_object_object_add(o, "mm_height", json_object_new_int64(c->mm_height));
	json_object_object_add(o, "crtc_id", json_object_new_int64(c->crtc_id));
	json_object_object_add(o, "edid", json_edid(c));
	struct json_object *modes = json_object_new_array();
	for (size_t i = 0; i < c->n_modes; i++)
		json_object_array_add(modes, json_mode(&c->modes[i].info, c->modes[i].preferred));
	json_object_object_add(o, "modes", modes);
	return o;
}

static struct json_object *snapshot_json(const struct kms_snapshot *snap, struct json_object *card)
{
	struct json_object *conns = json_object_new_array();
	for (size_t i = 0; i < snap->n_connectors; i++)
		json_object_array_add(conns, connector_json(&snap->connectors[i]));
	json_object_object_add(card, "connectors", conns);

	struct json_object *crtcs = json_object_new_array();
	for (size_t i = 0; i < snap->n_crtcs; i++) {
		const struct kms_crtc *k = &snap->crtcs[i];
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(k->id));
		json_object_object_add(o, "index", json_object_new_int64((int64_t)i));
		json_object_object_add(o, "active", json_object_new_boolean(k->active));
		json_object_object_add(o, "mode", k->mode_valid ? json_mode(&k->mode, false) : NULL);
		json_object_array_add(crtcs, o);
	}
	json_object_object_add(card, "crtcs", crtcs);

	struct json_object *planes = json_object_new_array();
	for (size_t i = 0; i < snap->n_planes; i++) {
		const struct kms_plane *p = &snap->planes[i];
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(p->id));
		json_object_object_add(o, "type", json_object_new_string(kms_plane_type_name(p->type)));
		struct json_object *fmts = json_object_new_array();
		for (size_t f = 0; f < p->n_formats; f++)
			json_object_array_add(fmts, fourcc_json(p->formats[f]));
		json_object_object_add(o, "formats", fmts);
		json_object_object_add(o, "possible_crtcs", crtc_ids_json(snap, p->possible_crtcs));
		json_object_object_add(o, "zpos", p->has_zpos ? json_object_new_int64((int64_t)p->zpos) : NULL);
		json_object_object_add(o, "crtc_id", json_object_new_int64(p->crtc_id));
		json_object_object_add(o, "fb_id", json_object_new_int64(p->fb_id));
		json_object_array_add(planes, o);
	}
	json_object_object_add(card, "planes", planes);
	return card;
}

static void card_error(struct json_object *card, const char *msg)
{
	json_object_object_add(card, "error", json_object_new_string(msg));
}

static void probe_card(const struct kms_card_node *node, struct json_object *card)
{
	json_object_object_add(card, "path", json_object_new_string(node->devnode));
	json_object_object_add(card, "sysname", json_object_new_string(node->sysname));
	json_object_object_add(card, "id_path",
			       node->id_path ? json_object_new_string(node->id_path) : NULL);

	char msg[512];
	int fd = open(node->devnode, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "%s: cannot open: %s", node->devnode, strerror(errno));
		card_error(card, msg);
		return;
	}
	struct kms_device *dev = NULL;
	struct kms_snapshot *snap = NULL;
	int r = kms_device_create(fd, node->devnode, &dev);
	if (r == -EOPNOTSUPP) {
		snprintf(msg, sizeof(msg),
			 "%s: the card has no atomic modesetting (DRM_CLIENT_CAP_ATOMIC refused); "
			 "directflip needs atomic KMS", node->devnode);
		card_error(card, msg);
		goto out;
	} else if (r < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", node->devnode, strerror(-r));
		card_error(card, msg);
		goto out;
	}
	json_object_object_add(card, "driver", json_object_new_string(kms_device_driver(dev)));
	r = kms_snapshot_read(fd, &snap);
	if (r < 0) {
		snprintf(msg, sizeof(msg), "%s: cannot read KMS resources: %s", node->devnode,
			 strerror(-r));
		card_error(card, msg);
		goto out;
	}
	snapshot_json(snap, card);
out:
	kms_snapshot_free(snap);
	kms_device_destroy(dev);
	close(fd);
}

int probe_collect(struct udev *udev, struct json_object **out)
{
	struct kms_card_node *nodes = NULL;
	size_t n = 0;
	int r = kms_discover_cards(udev, &nodes, &n);
	if (r < 0)
		return r;
	if (n == 0) {
		kms_card_nodes_free(nodes, n);
		return -ENODEV;
	}
	struct json_object *doc = json_object_new_object();
	struct json_object *cards = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *card = json_object_new_object();
		probe_card(&nodes[i], card);
		json_object_array_add(cards, card);
	}
	json_object_object_add(doc, "cards", cards);
	kms_card_nodes_free(nodes, n);
	*out = doc;
	return 0;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return "-";
	return json_object_get_string(v);
}

static int64_t int_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static struct json_object *array_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

static void print_joined(FILE *f, struct json_object *arr, size_t max)
{
	size_t n = arr ? json_object_array_length(arr) : 0;
	for (size_t i = 0; i < n && i < max; i++)
		fprintf(f, "%s%s", i ? "," : "", json_object_get_string(json_object_array_get_idx(arr, i)));
	if (n > max)
		fprintf(f, ",+%zu", n - max);
	if (n == 0)
		fputc('-', f);
}

static void print_connectors(struct json_object *card, FILE *f)
{
	struct json_object *conns = array_of(card, "connectors");
	fprintf(f, "  %-4s %-14s %-13s %-9s %-24s %s\n", "ID", "CONNECTOR", "STATUS", "SIZE(mm)",
		"EDID", "MODES");
	for (size_t i = 0; conns && i < json_object_array_length(conns); i++) {
		struct json_object *c = json_object_array_get_idx(conns, i);
		char size[32], edid[64] = "-";
		snprintf(size, sizeof(size), "%lldx%lld", (long long)int_of(c, "mm_width"),
			 (long long)int_of(c, "mm_height"));
		struct json_object *e;
		if (json_object_object_get_ex(c, "edid", &e) && e)
			snprintf(edid, sizeof(edid), "%s/%lld/%lld %s", str_of(e, "vendor"),
				 (long long)int_of(e, "product"), (long long)int_of(e, "serial"),
				 str_of(e, "name"));
		fprintf(f, "  %-4lld %-14s %-13s %-9s %-24s ", (long long)int_of(c, "id"),
			str_of(c, "name"), str_of(c, "status"), size, edid);
		struct json_object *modes = array_of(c, "modes");
		size_t n = modes ? json_object_array_length(modes) : 0;
		for (size_t m = 0; m < n && m < 4; m++) {
			struct json_object *mo = json_object_array_get_idx(modes, m);
			struct json_object *pref;
			bool p = json_object_object_get_ex(mo, "preferred", &pref) &&
				 json_object_get_boolean(pref);
			fprintf(f, "%s%s@%lld%s", m ? " " : "", str_of(mo, "name"),
				(long long)int_of(mo, "refresh"), p ? "*" : "");
		}
		if (n > 4)
			fprintf(f, " (+%zu)", n - 4);
		if (n == 0)
			fputc('-', f);
		fputc('\n', f);
	}
}

static void print_crtcs_planes(struct json_object *card, FILE *f)
{
	struct json_object *crtcs = array_of(card, "crtcs");
	fprintf(f, "  %-4s %-5s %s\n", "ID", "INDEX", "MODE");
	for (size_t i = 0; crtcs && i < json_object_array_length(crtcs); i++) {
		struct json_object *c = json_object_array_get_idx(crtcs, i), *m;
		fprintf(f, "  %-4lld %-5lld ", (long long)int_of(c, "id"), (long long)int_of(c, "index"));
		if (json_object_object_get_ex(c, "mode", &m) && m)
			fprintf(f, "%s@%lld\n", str_of(m, "name"), (long long)int_of(m, "refresh"));
		else
			fprintf(f, "off\n");
	}
	struct json_object *planes = array_of(card, "planes");
	fprintf(f, "  %-4s %-8s %-5s %-10s %s\n", "ID", "TYPE", "ZPOS", "CRTCS", "FORMATS");
	for (size_t i = 0; planes && i < json_object_array_length(planes); i++) {
		struct json_object *p = json_object_array_get_idx(planes, i);
		fprintf(f, "  %-4lld %-8s %-5s ", (long long)int_of(p, "id"), str_of(p, "type"),
			str_of(p, "zpos"));
		char crtcs_s[64] = "";
		struct json_object *pc = array_of(p, "possible_crtcs");
		size_t len = 0;
		for (size_t k = 0; pc && k < json_object_array_length(pc) && len < sizeof(crtcs_s) - 12; k++)
			len += (size_t)snprintf(crtcs_s + len, sizeof(crtcs_s) - len, "%s%s", k ? "," : "",
						json_object_get_string(json_object_array_get_idx(pc, k)));
		fprintf(f, "%-10s ", len ? crtcs_s : "-");
		print_joined(f, array_of(p, "formats"), 8);
		fputc('\n', f);
	}
}

void probe_print_table(struct json_object *doc, FILE *f)
{
	struct json_object *cards = array_of(doc, "cards");
	for (size_t i = 0; cards && i < json_object_array_length(cards); i++) {
		struct json_object *card = json_object_array_get_idx(cards, i);
		fprintf(f, "%s  driver=%s  id_path=%s\n", str_of(card, "path"), str_of(card, "driver"),
			str_of(card, "id_path"));
		struct json_object *err;
		if (json_object_object_get_ex(card, "error", &err)) {
			fprintf(f, "  error: %s\n", json_object_get_string(err));
			continue;
		}
		fprintf(f, "Connectors:\n");
		print_connectors(card, f);
		fprintf(f, "CRTCs:\n");
		print_crtcs_planes(card, f);
	}
}

int probe_main(bool json)
{
	struct udev *udev = udev_new();
	if (!udev) {
		fprintf(stderr, "directflipd: cannot create a udev context\n");
		return 1;
	}
	struct json_object *doc = NULL;
	int r = probe_collect(udev, &doc);
	udev_unref(udev);
	if (r == -ENODEV) {
		fprintf(stderr, "directflipd: no DRM card found (no /dev/dri/card* device); "
				"is a KMS driver loaded?\n");
		return 1;
	} else if (r < 0) {
		fprintf(stderr, "directflipd: cannot enumerate DRM cards: %s\n", strerror(-r));
		return 1;
	}

	int status = 0;
	struct json_object *cards = array_of(doc, "cards");
	for (size_t i = 0; i < json_object_array_length(cards); i++) {
		struct json_object *err;
		if (json_object_object_get_ex(json_object_array_get_idx(cards, i), "error", &err)) {
			fprintf(stderr, "directflipd: %s\n", json_object_get_string(err));
			status = 1;
		}
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		probe_print_table(doc, stdout);
	json_object_put(doc);
	return status;
}
