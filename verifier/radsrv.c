/*
 * radsrv.c: the FreeRADIUS rlm_rest decision endpoint and the RFC 5176
 * Disconnect/CoA client of wardgated(8). (Interface only so far: both
 * parts are off unless configured, and configuring them is refused.)
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "gateway.h"

int
radsrv_init(struct gw *gw, struct wg_diag *d)
{
	if (strcmp(gw->conf.radius_listen, "none") != 0 ||
	    strcmp(gw->conf.radius_das, "none") != 0)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "radius_listen and radius_das are not built yet");
	return 0;
}

void
radsrv_free(struct gw *gw)
{
	(void)gw;
}

void
radsrv_changed(struct gw *gw, const struct store_device *dev)
{
	(void)gw;
	(void)dev;
}

struct json_object *
radsrv_status_json(const struct gw *gw)
{
	(void)gw;
	return json_object_new_object();
}
