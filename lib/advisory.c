/* advisory.c: strict parsing of vulnerability advisories (advisory.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "advisory.h"
#include "sjson.h"

static const struct sjson_limits adv_limits = {
	ADVISORY_MAX_BYTES, 8, ADVISORY_AFFECTED_MAX + 16, 3,
	SJSON_INDEX_PATH | SJSON_DEPTH_PATH
};

static int
bad(struct wg_diag *d, const char *member, const char *why)
{
	return wg_diag_set(d, WG_ERR_ADVISORY, "%s: %s", member, why);
}

/* A string member (required or not) into out (cap bytes), printable. */
static int
get_str(json_object *o, const char *key, int required, char *out,
    size_t cap, struct wg_diag *d)
{
	json_object *v;
	const char *s;
	size_t n;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v))
		return required ? bad(d, key, "missing") : 0;
	if (!json_object_is_type(v, json_type_string))
		return bad(d, key, "not a string");
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n >= cap)
		return bad(d, key, "empty or too long");
	if (sjson_text_check(s, n) != NULL)
		return bad(d, key, "not printable UTF-8");
	memcpy(out, s, n + 1);
	return 0;
}

static int
id_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == ':' || *s == '-'))
			return 0;
	return 1;
}

int
advisory_parse(const char *json, size_t len, struct advisory *out,
    struct wg_diag *d)
{
	static const char *const known[] = { "id", "model", "affected",
	    "fixed", "severity", "action", "title", "published" };
	json_object *root = NULL, *arr, *v;
	struct json_object_iterator it, end;
	struct advisory *a = NULL;
	struct sjson_err e;
	char action[16];
	size_t i, j, n;
	int r;

	if (json == NULL || out == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "advisory_parse");
	if (sjson_parse(json, len, &adv_limits, json_type_object, &root,
	    &e) != 0 || sjson_scan(json, len, &adv_limits, &e) != 0) {
		r = e.code == WG_ERR_ALLOC ? wg_diag_set(d, WG_ERR_ALLOC,
		    "%s", e.msg) : wg_diag_set(d, WG_ERR_ADVISORY, "%s%s%s",
		    e.path, e.path[0] != '\0' ? ": " : "", e.msg);
		goto out;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "advisory");
		goto out;
	}
	it = json_object_iter_begin(root);
	end = json_object_iter_end(root);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *k = json_object_iter_peek_name(&it);

		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(k, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0])) {
			r = bad(d, "(top)", "unknown member");
			goto out;
		}
	}
	if ((r = get_str(root, "id", 1, a->id, sizeof(a->id), d)) != 0 ||
	    (r = get_str(root, "model", 1, a->model, sizeof(a->model),
	    d)) != 0 ||
	    (r = get_str(root, "fixed", 0, a->fixed, sizeof(a->fixed),
	    d)) != 0 ||
	    (r = get_str(root, "severity", 1, a->severity,
	    sizeof(a->severity), d)) != 0 ||
	    (r = get_str(root, "action", 1, action, sizeof(action), d)) != 0 ||
	    (r = get_str(root, "title", 0, a->title, sizeof(a->title),
	    d)) != 0 ||
	    (r = get_str(root, "published", 0, a->published,
	    sizeof(a->published), d)) != 0)
		goto out;
	if (!id_ok(a->id)) {
		r = bad(d, "id", "only letters, digits and . _ : -");
		goto out;
	}
	if (strcmp(a->severity, "critical") != 0 &&
	    strcmp(a->severity, "high") != 0 &&
	    strcmp(a->severity, "medium") != 0 &&
	    strcmp(a->severity, "low") != 0) {
		r = bad(d, "severity", "critical, high, medium or low");
		goto out;
	}
	if (strcmp(action, "quarantine") == 0)
		a->action = ADVISORY_QUARANTINE;
	else if (strcmp(action, "restrict") == 0)
		a->action = ADVISORY_RESTRICT;
	else if (strcmp(action, "notify") == 0)
		a->action = ADVISORY_NOTIFY;
	else {
		r = bad(d, "action", "quarantine, restrict or notify");
		goto out;
	}
	if (!json_object_object_get_ex(root, "affected", &arr)) {
		r = bad(d, "affected", "missing");
		goto out;
	}
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0 ||
	    n > ADVISORY_AFFECTED_MAX) {
		r = bad(d, "affected", "an array of 1 to 64 releases");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *s;
		size_t sl;

		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string) ||
		    (sl = (size_t)json_object_get_string_len(v)) == 0 ||
		    sl > ADVISORY_TEXT_MAX ||
		    sjson_text_check(s = json_object_get_string(v), sl) !=
		    NULL) {
			r = bad(d, "affected", "each release a printable "
			    "string of 1 to 128 bytes");
			goto out;
		}
		for (j = 0; j < a->naffected; j++)
			if (strcmp(a->affected[j], s) == 0) {
				r = bad(d, "affected", "a release twice");
				goto out;
			}
		memcpy(a->affected[a->naffected++], s, sl + 1);
	}
	if (a->fixed[0] != '\0' && advisory_affects(a, a->model, a->fixed)) {
		r = bad(d, "fixed", "is also listed as affected");
		goto out;
	}
	*out = *a;
	r = 0;
out:
	free(a);
	json_object_put(root);
	return r;
}

int
advisory_affects(const struct advisory *a, const char *model,
    const char *release)
{
	size_t i;

	if (model == NULL || release == NULL || release[0] == '\0' ||
	    strcmp(a->model, model) != 0)
		return 0;
	for (i = 0; i < a->naffected; i++)
		if (strcmp(a->affected[i], release) == 0)
			return 1;
	return 0;
}

const char *
advisory_action_name(enum advisory_action action)
{
	switch (action) {
	case ADVISORY_QUARANTINE:
		return "quarantine";
	case ADVISORY_RESTRICT:
		return "restrict";
	case ADVISORY_NOTIFY:
		return "notify";
	}
	return "invalid";
}
