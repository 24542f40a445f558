#include "daemon/events.h"

#include <json-c/json.h>

#include "daemon/control.h"
#include "daemon/daemon.h"

void events_emit(struct daemon *d, const char *event, const char *vm, const char *monitor,
		 const char *detail)
{
	if (!d || !d->control)
		return;
	struct json_object *f = json_object_new_object();
	if (!f)
		return;
	if (vm)
		json_object_object_add(f, "vm", json_object_new_string(vm));
	if (monitor)
		json_object_object_add(f, "monitor", json_object_new_string(monitor));
	if (detail)
		json_object_object_add(f, "detail", json_object_new_string(detail));
	control_broadcast(d->control, event, f);
	json_object_put(f);
}
