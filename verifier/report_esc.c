/*
 * report_esc.c: the text helpers of wardgate report, pure functions kept
 * apart from the command so that unit tests reach them without a gateway.
 * Everything they escape may come from a maker's record (device names,
 * models, serials): hostile text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Longest input escaped: anything longer is the gateway misbehaving. */
#define REPORT_ESC_MAX (1024u * 1024)

char *
report_esc_html(const char *s)
{
	size_t n, i, o = 0;
	char *out;

	if (s == NULL)
		s = "";
	if ((n = strlen(s)) > REPORT_ESC_MAX)
		return NULL;
	/* "&quot;" is the longest replacement; U+FFFD is 3 bytes. */
	if ((out = malloc(6 * n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;

		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\t':
		case '\n':
			break;
		default:
			/* Controls are not text: the replacement character. */
			if (c < 0x20 || c == 0x7f)
				rep = "\xef\xbf\xbd";
			break;
		}
		if (rep != NULL) {
			memcpy(out + o, rep, strlen(rep));
			o += strlen(rep);
		} else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

char *
report_esc_csv(const char *s)
{
	size_t n, i, o = 0;
	int quote = 0, guard;
	char *out;

	if (s == NULL)
		s = "";
	if ((n = strlen(s)) > REPORT_ESC_MAX)
		return NULL;
	/*
	 * A cell a spreadsheet would read as a formula (= + - @, and tab or
	 * CR which some strip first) gets a leading quote: text, not code.
	 */
	guard = n > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			quote = 1;
	if ((out = malloc(2 * n + 4)) == NULL)
		return NULL;
	if (quote)
		out[o++] = '"';
	if (guard)
		out[o++] = '\'';
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			out[o++] = '"';
		out[o++] = s[i];
	}
	if (quote)
		out[o++] = '"';
	out[o] = '\0';
	return out;
}

void
report_trunc(const char *s, size_t max, char *out, size_t cap)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (cap < 4) {
		if (cap > 0)
			out[0] = '\0';
		return;
	}
	if (max + 4 > cap)
		max = cap - 4;
	if (n <= max) {
		memcpy(out, s != NULL ? s : "", n);
		out[n] = '\0';
		return;
	}
	/* Back off to the start of a UTF-8 sequence, then an ellipsis. */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	memcpy(out, s, max);
	memcpy(out + max, "\xe2\x80\xa6", 4);
}
