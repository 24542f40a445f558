/* SPDX-License-Identifier: MIT */
#pragma once
/* The method handlers, by group: m-query.c (reads, subscribe, get-lease,
 * reload), m-bind.c (bind, unbind, map-plane), m-client.c (the client
 * source's dma-bufs and take-lease). methods.c dispatches to them. */
struct control_call;

int method_hello(struct control_call *call);
int method_status(struct control_call *call);
int method_list_monitors(struct control_call *call);
int method_list_vms(struct control_call *call);
int method_list_leases(struct control_call *call);
int method_subscribe(struct control_call *call);
int method_get_lease(struct control_call *call);
int method_reload(struct control_call *call);
int method_bind(struct control_call *call);
int method_unbind(struct control_call *call);
int method_map_plane(struct control_call *call);
int method_scanout_dmabuf(struct control_call *call);
int method_update_dmabuf(struct control_call *call);
int method_take_lease(struct control_call *call);
