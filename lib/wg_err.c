/* wg_err.c: error names and sentences. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wg_err.h"

struct wg_err_entry {
	int code;
	const char *name;
	const char *text;
};

static const struct wg_err_entry wg_err_table[] = {
	{ WG_OK, "OK", "success" },
#define WG_ERR_ROW_(sym, val, name, text) { (val), (name), (text) },
	WG_ERR_LIST(WG_ERR_ROW_)
#undef WG_ERR_ROW_
};

static const struct wg_err_entry *
wg_err_lookup(int err)
{
	size_t i;

	for (i = 0; i < sizeof(wg_err_table) / sizeof(wg_err_table[0]); i++)
		if (wg_err_table[i].code == err)
			return &wg_err_table[i];
	return NULL;
}

const char *
wg_strerror(int err)
{
	const struct wg_err_entry *e = wg_err_lookup(err);

	return e != NULL ? e->text : "unknown error";
}

const char *
wg_errname(int err)
{
	const struct wg_err_entry *e = wg_err_lookup(err);

	return e != NULL ? e->name : "UNKNOWN";
}

int
wg_diag_set(struct wg_diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return err;
	d->err = err;
	if (fmt == NULL) {
		d->detail[0] = '\0';
		return err;
	}
	va_start(ap, fmt);
	(void)vsnprintf(d->detail, sizeof(d->detail), fmt, ap);
	va_end(ap);
	return err;
}

void
wg_diag_clear(struct wg_diag *d)
{
	if (d == NULL)
		return;
	d->err = WG_OK;
	d->detail[0] = '\0';
}
