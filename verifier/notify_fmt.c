/* notify_fmt.c: state change messages for the webhook and syslog. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "notify_fmt.h"

char *
notify_fmt_json(const struct notify_event *e)
{
	struct json_object *o;
	char iso[32] = "";
	time_t t = (time_t)e->at;
	struct tm tm;
	char *s = NULL;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "event",
	    json_object_new_string("state_change")) != 0 ||
	    json_object_object_add(o, "device_id",
	    json_object_new_string(e->device_id)) != 0 ||
	    json_object_object_add(o, "name",
	    json_object_new_string(e->name)) != 0 ||
	    json_object_object_add(o, "from", e->from[0] != '\0' ?
	    json_object_new_string(e->from) : NULL) != 0 ||
	    json_object_object_add(o, "to",
	    json_object_new_string(e->to)) != 0 ||
	    json_object_object_add(o, "segment",
	    json_object_new_string(e->segment)) != 0 ||
	    json_object_object_add(o, "reason",
	    json_object_new_string(e->reason)) != 0 ||
	    json_object_object_add(o, "at", json_object_new_string(iso)) != 0 ||
	    json_object_object_add(o, "at_unix",
	    json_object_new_int64(e->at)) != 0)
		goto out;
	s = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(o);
	return s;
}

struct line {
	char *p;
	size_t len, n;
};

static void
line_byte(struct line *l, char c)
{
	if (l->n + 1 < l->len)
		l->p[l->n++] = c;
	l->p[l->n < l->len ? l->n : l->len - 1] = '\0';
}

static void
line_str(struct line *l, const char *s)
{
	while (*s != '\0')
		line_byte(l, *s++);
}

static int
bare(const char *v)
{
	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++)
		if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		    (*v >= '0' && *v <= '9') || strchr("._:/@+-", *v) != NULL))
			return 0;
	return 1;
}

static void
line_kv(struct line *l, const char *key, const char *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;

	line_byte(l, ' ');
	line_str(l, key);
	line_byte(l, '=');
	if (bare(v)) {
		line_str(l, v);
		return;
	}
	line_byte(l, '"');
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			line_byte(l, '\\');
			line_byte(l, (char)*p);
		} else if (*p < 0x20 || *p > 0x7e) {
			line_str(l, "\\x");
			line_byte(l, hex[*p >> 4]);
			line_byte(l, hex[*p & 15]);
		} else
			line_byte(l, (char)*p);
	}
	line_byte(l, '"');
}

void
notify_fmt_syslog(const struct notify_event *e, char *out, size_t len)
{
	struct line l = { out, len, 0 };

	if (len == 0)
		return;
	out[0] = '\0';
	line_str(&l, "state-change");
	line_kv(&l, "device", e->name);
	line_kv(&l, "id", e->device_id);
	line_kv(&l, "from", e->from[0] != '\0' ? e->from : "-");
	line_kv(&l, "to", e->to);
	line_kv(&l, "segment", e->segment);
	line_kv(&l, "reason", e->reason);
}
