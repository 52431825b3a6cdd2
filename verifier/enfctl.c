/* enfctl.c: drives wardgate-enforcer(8) from wardgated(8). */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "gateway.h"

int
enf_start(struct gw *gw, struct wg_diag *d)
{
	if (strcmp(gw->conf.enforcer, "none") != 0)
		return wg_diag_set(d, WG_ERR_CONFIG,
		    "enforcer: not built yet");
	return 0;
}

void
enf_stop(struct gw *gw)
{
	(void)gw;
}

int
enf_ready(const struct gw *gw)
{
	(void)gw;
	return 1;
}

void
enf_put(struct gw *gw, const char *mac, const char *segment)
{
	(void)gw;
	(void)mac;
	(void)segment;
}

struct json_object *
enf_status_json(const struct gw *gw)
{
	(void)gw;
	return json_object_new_object();
}
