/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * One control connection (conn.c) and the socket that accepted it
 * (server.c): the structures the two share. Private to daemon/control/.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "daemon/control/auth.h"
#include "directflip/protocol.h"

struct state;

/* Replies up to the outstanding limit, as many limit errors again, and
 * room for events; a client that lets this fill up is not reading. */
#define QUEUE_MAX (DF_MAX_OUTSTANDING * 2 + 64)
/* Undecodable messages in a row before the connection is dropped. */
#define MAX_STRIKES 8
/* Packets read from one client per wakeup, so one client cannot starve others. */
#define READS_PER_WAKEUP 32

struct out_msg {
	char *data;
	size_t len;
	int fd;       /* owned; -1 */
	bool reply;
};

struct client {
	struct control *ctl;
	struct client *next;
	int fd;
	sd_event_source *src;
	struct control_peer peer;
	struct out_msg queue[QUEUE_MAX];
	size_t q_head, q_len;
	unsigned replies_queued;
	unsigned strikes;
	uint32_t events;      /* bit per enum df_event */
	bool dead;            /* dropped; freed by the reaper */
};

struct control {
	struct state *st;
	int fd;
	sd_event_source *src;
	sd_event_source *retry;   /* accept paused after EMFILE */
	sd_event_source *reaper;  /* frees dropped clients once no call is on the stack */
	char *path;
	bool created;             /* we made the file: unlink it at the end */
	char *group;
	char *vm;                 /* a VM's capability socket: serves only this VM */
	bool has_gid;
	gid_t gid;
	struct client *clients;
	size_t n_clients;
	char *buf;                /* one packet, shared: requests are handled at once */
};

void conn_free(struct client *c);
/* Deferred: a broadcast from inside one client's request may drop any
 * client, that one included. why NULL: the client hung up. */
void conn_drop(struct client *c, const char *why);
/* Queues data (and fd, -1 for none) to send; takes both whatever happens.
 * <0 when the client is gone or not reading. */
int conn_queue(struct client *c, char *data, int fd, bool reply);
/* The connection's io callback (sd_event_add_io). */
int conn_on_io(sd_event_source *src, int fd, uint32_t revents, void *data);
