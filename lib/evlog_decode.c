/*
 * evlog_decode.c: decoding of event data (TCG PC Client Platform Firmware
 * Profile, UEFI specification) into struct evlog_data.
 *
 * Every field is read through the bounded reader in buf.h; every length
 * is checked against what remains before it is used, in arithmetic that
 * cannot wrap; a structure must consume its event data exactly. Text is
 * rendered into fixed buffers: UTF-16LE is converted to UTF-8, control
 * characters are escaped as \xNN, and output that does not fit ends in
 * "...". Nothing is written to the caller's struct unless the whole event
 * decoded.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "evlog.h"
#include "wg_err.h"

#define GUID_LEN		16
#define GUID_TEXT_LEN		36	/* without the NUL */
#define NO_ACTION_SIG_LEN	16
#define GPT_HEADER_LEN		92	/* EFI_PARTITION_TABLE_HEADER */
#define GPT_ENTRY_MIN		128
#define HANDOFF_ENTRY_LEN	(GUID_LEN + 8)
#define SPDM_SIG_LEN		16
#define DP_NODE_HDR		4	/* node type, subtype, length */
#define DP_TYPE_HW		0x01
#define DP_TYPE_ACPI		0x02
#define DP_TYPE_MSG		0x03
#define DP_TYPE_MEDIA		0x04
#define DP_TYPE_END		0x7f
#define DP_END_INSTANCE		0x01
#define DP_END_ENTIRE		0xff
#define PNP_EISA_CONST		0x41d0	/* compressed "PNP" */

/* Where a decoder reports to: the event (for the detail line) and d. */
/* Padded sizes that shim before 15.3 logs (rhboot/shim#184). */
#define SHIM_IMAGE_EVENT_SIZE	41
#define SHIM_VAR_PADDING	6

struct dctx {
	const struct evlog_event *ev;
	struct wg_diag *d;
};

/*
 * Bounded text output. Units (a character, an escape, a formatted piece)
 * are appended whole or not at all; once one does not fit, the text is cut
 * back to the last unit that leaves room for "..." and the marker added.
 */
struct sbuf {
	char *s;
	size_t cap;	/* bytes at s, NUL included; at least 4 */
	size_t len;
	size_t safe;	/* a cut point with room for "..." and the NUL */
	int full;
};

static int dec_err(const struct dctx *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
dec_err(const struct dctx *c, const char *fmt, ...)
{
	char msg[WG_DIAG_DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return wg_diag_set(c->d, WG_ERR_EVLOG_DATA,
	    "event %zu (type 0x%08x, log offset %zu): %s",
	    c->ev->index, c->ev->type, c->ev->offset, msg);
}

static void
sb_init(struct sbuf *sb, char *s, size_t cap)
{
	sb->s = s;
	sb->cap = cap;
	sb->len = 0;
	sb->safe = 0;
	sb->full = 0;
	s[0] = '\0';
}

static void
sb_put(struct sbuf *sb, const char *p, size_t n)
{
	if (sb->full)
		return;
	if (n > sb->cap - 1 - sb->len) {
		sb->full = 1;
		sb->len = sb->safe;
		memcpy(sb->s + sb->len, "...", 3);
		sb->len += 3;
		sb->s[sb->len] = '\0';
		return;
	}
	memcpy(sb->s + sb->len, p, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
	if (sb->len <= sb->cap - 4)
		sb->safe = sb->len;
}

static void
sb_puts(struct sbuf *sb, const char *s)
{
	sb_put(sb, s, strlen(s));
}

static void
sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* Every format here prints well under sizeof(tmp); clamp anyway. */
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	sb_put(sb, tmp, (size_t)n);
}

static void
sb_hex(struct sbuf *sb, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && !sb->full; i++)
		sb_printf(sb, "%02x", p[i]);
}

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* EFI_GUID (u32le-u16le-u16le-8 bytes) as lowercase text; out >= 37. */
static void
guid_text(const uint8_t *g, char *out)
{
	(void)snprintf(out, GUID_TEXT_LEN + 1,
	    "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    le32(g), le16(g + 4), le16(g + 6), g[8], g[9],
	    g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* Appends code point cp as UTF-8; C0, DEL and C1 controls as \xNN. */
static void
put_codepoint(struct sbuf *sb, uint32_t cp)
{
	char u[4];

	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
		sb_printf(sb, "\\x%02x", (unsigned)cp);
	} else if (cp < 0x80) {
		u[0] = (char)cp;
		sb_put(sb, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		sb_put(sb, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		sb_put(sb, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		sb_put(sb, u, 4);
	}
}

/*
 * Appends nunits UTF-16LE code units at p as UTF-8. Surrogate pairs are
 * combined; an unpaired surrogate becomes U+FFFD.
 */
static void
put_utf16(struct sbuf *sb, const uint8_t *p, size_t nunits)
{
	size_t i;
	uint32_t u, lo;

	for (i = 0; i < nunits && !sb->full; i++) {
		u = le16(p + 2 * i);
		if (u >= 0xd800 && u <= 0xdbff && i + 1 < nunits) {
			lo = le16(p + 2 * (i + 1));
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				put_codepoint(sb, 0x10000 +
				    ((u - 0xd800) << 10) + (lo - 0xdc00));
				i++;
				continue;
			}
		}
		if (u >= 0xd800 && u <= 0xdfff)
			u = 0xfffd;
		put_codepoint(sb, u);
	}
}

/* Appends n bytes as ASCII; anything outside 0x20..0x7e as \xNN. */
static void
put_ascii(struct sbuf *sb, const uint8_t *p, size_t n)
{
	size_t i;
	char c;

	for (i = 0; i < n && !sb->full; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			c = (char)p[i];
			sb_put(sb, &c, 1);
		} else
			sb_printf(sb, "\\x%02x", p[i]);
	}
}

static int
is_text_byte(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r';
}

/* UTF-16LE code units in n bytes, without one trailing NUL unit. */
static size_t
utf16_units(const uint8_t *p, size_t n)
{
	size_t m = n / 2;

	return m > 0 && le16(p + 2 * (m - 1)) == 0 ? m - 1 : m;
}

/*
 * UTF-16LE "looks like UCS-2": even length, at most one NUL unit and only
 * at the end, and at least half of the other units ASCII text characters
 * (a high byte of zero). "\0\0" alone is the empty string. An odd length
 * whose last byte is NUL is read without that byte: older systemd-boot
 * logged its UTF-16 command line with a one-byte terminator. On success
 * *units is the number of code units to render.
 */
static int
looks_utf16(const uint8_t *p, size_t n, size_t *units)
{
	size_t m, i, ascii = 0;

	if (n % 2 != 0 && p[n - 1] == 0)
		n--;
	if (n < 2 || n % 2 != 0)
		return 0;
	m = utf16_units(p, n);
	for (i = 0; i < m; i++) {
		if (le16(p + 2 * i) == 0)
			return 0;
		if (p[2 * i + 1] == 0 && is_text_byte(p[2 * i]))
			ascii++;
	}
	if (ascii * 2 < m)
		return 0;
	*units = m;
	return 1;
}

/* n bytes without one trailing NUL. */
static size_t
strip_nul(const uint8_t *p, size_t n)
{
	return n > 0 && p[n - 1] == 0 ? n - 1 : n;
}

/* Non-text bytes (NUL included) in p[0..n). */
static size_t
count_nontext(const uint8_t *p, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		if (!is_text_byte(p[i]))
			bad++;
	return bad;
}

/* Printable: UTF-16 text, or ASCII text with nothing to escape. */
static int
is_printable(const uint8_t *p, size_t n)
{
	size_t m;

	if (looks_utf16(p, n, &m))
		return m > 0;
	m = strip_nul(p, n);
	return m > 0 && count_nontext(p, m) == 0;
}

/*
 * Renders event data as text: UTF-16LE when it looks like UCS-2, else
 * ASCII with escapes; one trailing NUL is dropped. Data that is not text
 * (a NUL inside, or more than a quarter of the bytes not text) is rendered
 * as lowercase hex.
 */
static void
render_text(const uint8_t *p, size_t n, char *out, size_t cap)
{
	struct sbuf sb;
	size_t m;

	sb_init(&sb, out, cap);
	if (looks_utf16(p, n, &m)) {
		put_utf16(&sb, p, m);
		return;
	}
	m = strip_nul(p, n);
	if (m > 0 && (memchr(p, 0, m) != NULL ||
	    count_nontext(p, m) * 4 > m)) {
		sb_hex(&sb, p, n);
		return;
	}
	put_ascii(&sb, p, m);
}

/* Bounded field readers: each names the field in its failure. */
static int
rd_bytes(const struct dctx *c, struct wg_buf *b, size_t n, const uint8_t **p,
    const char *field)
{
	if (buf_get_bytes(b, n, p) != 0)
		return dec_err(c, "%s: %zu bytes needed, %zu left", field, n,
		    buf_remaining(b));
	return 0;
}

static int
rd_u8(const struct dctx *c, struct wg_buf *b, uint8_t *v, const char *field)
{
	const uint8_t *p;
	int r;

	if ((r = rd_bytes(c, b, 1, &p, field)) != 0)
		return r;
	*v = p[0];
	return 0;
}

static int
rd_u16(const struct dctx *c, struct wg_buf *b, uint16_t *v,
    const char *field)
{
	const uint8_t *p;
	int r;

	if ((r = rd_bytes(c, b, 2, &p, field)) != 0)
		return r;
	*v = le16(p);
	return 0;
}

static int
rd_u32(const struct dctx *c, struct wg_buf *b, uint32_t *v,
    const char *field)
{
	const uint8_t *p;
	int r;

	if ((r = rd_bytes(c, b, 4, &p, field)) != 0)
		return r;
	*v = le32(p);
	return 0;
}

static int
rd_u64(const struct dctx *c, struct wg_buf *b, uint64_t *v,
    const char *field)
{
	const uint8_t *p;
	int r;

	if ((r = rd_bytes(c, b, 8, &p, field)) != 0)
		return r;
	*v = le64(p);
	return 0;
}

/* A u64 byte count that must fit in what remains of b. */
static int
rd_len64(const struct dctx *c, struct wg_buf *b, size_t *v,
    const char *field)
{
	uint64_t x;
	int r;

	if ((r = rd_u64(c, b, &x, field)) != 0)
		return r;
	if (x > buf_remaining(b))
		return dec_err(c, "%s %llu exceeds the %zu bytes left", field,
		    (unsigned long long)x, buf_remaining(b));
	*v = (size_t)x;
	return 0;
}

static int
expect_end(const struct dctx *c, const struct wg_buf *b, const char *what)
{
	if (buf_expect_end(b) != 0)
		return dec_err(c, "%zu trailing bytes after %s",
		    buf_remaining(b), what);
	return 0;
}

/*
 * EV_NO_ACTION. The Spec ID Event03 structure is length-checked in full
 * (header, algorithm list, vendor info, nothing after it).
 */
static int
dec_specid(const struct dctx *c, struct wg_buf *b, struct evlog_data *o)
{
	const uint8_t *p;
	uint32_t nalgs, i;
	uint16_t alg, size;
	uint8_t vlen;
	int r;

	if ((r = rd_bytes(c, b, NO_ACTION_SIG_LEN + 8, &p,
	    "Spec ID header")) != 0)
		return r;
	if ((r = rd_u32(c, b, &nalgs, "numberOfAlgorithms")) != 0)
		return r;
	if (nalgs == 0)
		return dec_err(c, "numberOfAlgorithms 0: no algorithm");
	if (nalgs > buf_remaining(b) / 4)
		return dec_err(c, "numberOfAlgorithms %u does not fit the %zu "
		    "bytes left", nalgs, buf_remaining(b));
	for (i = 0; i < nalgs; i++) {
		if ((r = rd_u16(c, b, &alg, "algorithmId")) != 0 ||
		    (r = rd_u16(c, b, &size, "digestSize")) != 0)
			return r;
	}
	if ((r = rd_u8(c, b, &vlen, "vendorInfoSize")) != 0)
		return r;
	if (vlen > buf_remaining(b))
		return dec_err(c, "vendorInfoSize %u exceeds the %zu bytes "
		    "left", vlen, buf_remaining(b));
	if ((r = rd_bytes(c, b, vlen, &p, "vendorInfo")) != 0)
		return r;
	if ((r = expect_end(c, b, "Spec ID event")) != 0)
		return r;
	o->kind = EVLOG_DATA_SPECID;
	return 0;
}

static int
dec_no_action(const struct dctx *c, struct wg_buf *b, struct evlog_data *o)
{
	static const char specid[NO_ACTION_SIG_LEN] = "Spec ID Event03";
	static const char locality[NO_ACTION_SIG_LEN] = "StartupLocality";
	const uint8_t *p = c->ev->data;
	size_t n = c->ev->data_len, k, i;

	if (n < NO_ACTION_SIG_LEN)
		return 0;	/* NONE: not a signed EV_NO_ACTION */
	if (memcmp(p, specid, NO_ACTION_SIG_LEN) == 0)
		return dec_specid(c, b, o);
	if (memcmp(p, locality, NO_ACTION_SIG_LEN) == 0) {
		if (n != NO_ACTION_SIG_LEN + 1)
			return dec_err(c, "StartupLocality event is %zu bytes, "
			    "17 expected", n);
		o->kind = EVLOG_DATA_STARTUP_LOCALITY;
		o->u.locality = p[NO_ACTION_SIG_LEN];
		return 0;
	}
	/* Other signatures: printable ASCII, then NULs to 16 bytes. */
	for (k = 0; k < NO_ACTION_SIG_LEN && p[k] != 0; k++)
		if (p[k] < 0x20 || p[k] >= 0x7f)
			return 0;
	if (k == 0 || k == NO_ACTION_SIG_LEN)
		return 0;
	for (i = k; i < NO_ACTION_SIG_LEN; i++)
		if (p[i] != 0)
			return 0;
	o->kind = EVLOG_DATA_NO_ACTION;
	memcpy(o->u.text, p, k);
	o->u.text[k] = '\0';
	return 0;
}

/*
 * EV_SEPARATOR: exactly a UINT32. Every separator the PFP defines is 4
 * bytes (0 normal, 0xFFFFFFFF error; Windows logs "WBCL"); any other size
 * is malformed rather than guessed at.
 */
static int
dec_separator(const struct dctx *c, struct wg_buf *b, struct evlog_data *o)
{
	uint32_t v;
	int r;

	if (c->ev->data_len != 4)
		return dec_err(c, "separator is %zu bytes, 4 expected",
		    c->ev->data_len);
	if ((r = rd_u32(c, b, &v, "separator")) != 0)
		return r;
	o->kind = EVLOG_DATA_SEPARATOR;
	o->u.separator = v;
	return 0;
}

static int
dec_string(const struct dctx *c, struct evlog_data *o)
{
	o->kind = EVLOG_DATA_STRING;
	render_text(c->ev->data, c->ev->data_len, o->u.text,
	    sizeof(o->u.text));
	return 0;
}

/* String types that are decoded only when the data is printable text. */
static int
dec_string_if_printable(const struct dctx *c, struct evlog_data *o)
{
	if (!is_printable(c->ev->data, c->ev->data_len))
		return 0;
	return dec_string(c, o);
}

/*
 * UEFI_VARIABLE_DATA: VariableName GUID, UnicodeNameLength (characters),
 * VariableDataLength, UnicodeName, VariableData; nothing after it.
 */
static int
dec_variable(const struct dctx *c, struct wg_buf *b, struct evlog_data *o)
{
	const uint8_t *guid, *name, *data;
	uint64_t nchars, dlen;
	size_t left;
	struct sbuf sb;
	int r;

	if ((r = rd_bytes(c, b, GUID_LEN, &guid, "VariableName")) != 0 ||
	    (r = rd_u64(c, b, &nchars, "UnicodeNameLength")) != 0 ||
	    (r = rd_u64(c, b, &dlen, "VariableDataLength")) != 0)
		return r;
	left = buf_remaining(b);
	if (nchars > left / 2)
		return dec_err(c, "UnicodeNameLength %llu characters exceeds "
		    "the %zu bytes left", (unsigned long long)nchars, left);
	left -= (size_t)nchars * 2;
	if (dlen > left)
		return dec_err(c, "VariableDataLength %llu exceeds the %zu "
		    "bytes left after the name", (unsigned long long)dlen,
		    left);
	if ((r = rd_bytes(c, b, (size_t)nchars * 2, &name,
	    "UnicodeName")) != 0 ||
	    (r = rd_bytes(c, b, (size_t)dlen, &data, "VariableData")) != 0)
		return r;
	/*
	 * shim before 15.3 sized its own EV_EFI_VARIABLE_AUTHORITY events
	 * with the C compiler's padded struct size: exactly 6 stray bytes
	 * follow the data (rhboot/shim#184). Those, and nothing else, are
	 * tolerated; the digest, not these bytes, is what was measured.
	 */
	if (c->ev->type == EV_EFI_VARIABLE_AUTHORITY &&
	    buf_remaining(b) == SHIM_VAR_PADDING)
		o->padding = SHIM_VAR_PADDING;
	else if ((r = expect_end(c, b, "UEFI_VARIABLE_DATA")) != 0)
		return r;
	o->kind = EVLOG_DATA_EFI_VARIABLE;
	guid_text(guid, o->u.var.guid);
	sb_init(&sb, o->u.var.name, sizeof(o->u.var.name));
	put_utf16(&sb, name, (size_t)nchars);
	o->u.var.data = dlen > 0 ? data : NULL;
	o->u.var.data_len = (size_t)dlen;
	return 0;
}

/* Device path node renderers; n is the node's data after its header. */

static void
dp_guid(struct sbuf *sb, const char *name, const uint8_t *g)
{
	char t[GUID_TEXT_LEN + 1];

	guid_text(g, t);
	sb_printf(sb, "%s(%s)", name, t);
}

static void
dp_ipv4(struct sbuf *sb, const uint8_t *a)
{
	sb_printf(sb, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static void
dp_ipv6(struct sbuf *sb, const uint8_t *a)
{
	int i;

	for (i = 0; i < 16; i += 2)
		sb_printf(sb, "%s%02x%02x", i ? ":" : "", a[i], a[i + 1]);
}

static void
dp_protocol(struct sbuf *sb, uint16_t proto)
{
	if (proto == 6)
		sb_puts(sb, "TCP");
	else if (proto == 17)
		sb_puts(sb, "UDP");
	else
		sb_printf(sb, "0x%x", proto);
}

static void
dp_generic(struct sbuf *sb, uint8_t type, uint8_t sub, const uint8_t *p,
    size_t n)
{
	sb_printf(sb, "Path(%u,%u", type, sub);
	if (n > 0) {
		sb_puts(sb, ",");
		sb_hex(sb, p, n);
	}
	sb_puts(sb, ")");
}

/*
 * Renders one node. Returns 0, or 1 when a known node has the wrong size
 * for its type (*want says what was expected).
 */
static int
dp_node(struct sbuf *sb, uint8_t type, uint8_t sub, const uint8_t *p,
    size_t n, size_t *want)
{
	char g[GUID_TEXT_LEN + 1];
	uint32_t hid, uid;

#define NEED(x)	do { if (n != (x)) { *want = (x); return 1; } } while (0)
	switch (type << 8 | sub) {
	case DP_TYPE_HW << 8 | 0x01:		/* PCI */
		NEED(2);
		sb_printf(sb, "Pci(0x%x,0x%x)", p[1], p[0]);
		break;
	case DP_TYPE_HW << 8 | 0x04:		/* vendor */
	case DP_TYPE_MSG << 8 | 0x0a:
	case DP_TYPE_MEDIA << 8 | 0x03:
		if (n < GUID_LEN) {
			*want = GUID_LEN;
			return 1;
		}
		guid_text(p, g);
		sb_printf(sb, "Ven%s(%s", type == DP_TYPE_HW ? "Hw" :
		    type == DP_TYPE_MSG ? "Msg" : "Media", g);
		if (n > GUID_LEN) {
			sb_puts(sb, ",");
			sb_hex(sb, p + GUID_LEN, n - GUID_LEN);
		}
		sb_puts(sb, ")");
		break;
	case DP_TYPE_HW << 8 | 0x05:		/* controller */
		NEED(4);
		sb_printf(sb, "Ctrl(0x%x)", le32(p));
		break;
	case DP_TYPE_ACPI << 8 | 0x01:
		NEED(8);
		hid = le32(p);
		uid = le32(p + 4);
		if ((hid & 0xffff) != PNP_EISA_CONST)
			sb_printf(sb, "Acpi(0x%08x,0x%x)", hid, uid);
		else if (hid >> 16 == 0x0a03)
			sb_printf(sb, "PciRoot(0x%x)", uid);
		else if (hid >> 16 == 0x0a08)
			sb_printf(sb, "PcieRoot(0x%x)", uid);
		else
			sb_printf(sb, "Acpi(PNP%04x,0x%x)", hid >> 16, uid);
		break;
	case DP_TYPE_ACPI << 8 | 0x03:		/* _ADR */
		if (n < 4 || n % 4 != 0) {
			*want = 4;
			return 1;
		}
		sb_printf(sb, "AcpiAdr(0x%x)", le32(p));
		break;
	case DP_TYPE_MSG << 8 | 0x01:		/* ATAPI */
		NEED(4);
		sb_printf(sb, "Ata(%s,%s,0x%x)",
		    p[0] ? "Secondary" : "Primary",
		    p[1] ? "Slave" : "Master", le16(p + 2));
		break;
	case DP_TYPE_MSG << 8 | 0x02:		/* SCSI */
		NEED(4);
		sb_printf(sb, "Scsi(0x%x,0x%x)", le16(p), le16(p + 2));
		break;
	case DP_TYPE_MSG << 8 | 0x05:		/* USB */
		NEED(2);
		sb_printf(sb, "USB(0x%x,0x%x)", p[0], p[1]);
		break;
	case DP_TYPE_MSG << 8 | 0x0b:		/* MAC address */
		NEED(33);
		sb_puts(sb, "MAC(");
		sb_hex(sb, p, p[32] <= 1 ? 6 : 32);
		sb_printf(sb, ",0x%x)", p[32]);
		break;
	case DP_TYPE_MSG << 8 | 0x0c:		/* IPv4: 15 or 23 bytes */
		if (n != 15 && n != 23) {
			*want = 23;
			return 1;
		}
		sb_puts(sb, "IPv4(");
		dp_ipv4(sb, p + 4);
		sb_puts(sb, ",");
		dp_protocol(sb, le16(p + 12));
		sb_printf(sb, ",%s,", p[14] ? "Static" : "DHCP");
		dp_ipv4(sb, p);
		if (n == 23) {
			sb_puts(sb, ",");
			dp_ipv4(sb, p + 15);
			sb_puts(sb, ",");
			dp_ipv4(sb, p + 19);
		}
		sb_puts(sb, ")");
		break;
	case DP_TYPE_MSG << 8 | 0x0d:		/* IPv6: 39 or 56 bytes */
		if (n != 39 && n != 56) {
			*want = 56;
			return 1;
		}
		sb_puts(sb, "IPv6(");
		dp_ipv6(sb, p + 16);
		sb_puts(sb, ",");
		dp_protocol(sb, le16(p + 36));
		sb_puts(sb, p[38] == 0 ? ",Static," : p[38] == 1 ?
		    ",StatelessAutoConfigure," : ",StatefulAutoConfigure,");
		dp_ipv6(sb, p);
		if (n == 56) {
			sb_printf(sb, ",0x%x,", p[39]);
			dp_ipv6(sb, p + 40);
		}
		sb_puts(sb, ")");
		break;
	case DP_TYPE_MSG << 8 | 0x0f:		/* USB class */
		NEED(7);
		sb_printf(sb, "UsbClass(0x%x,0x%x,0x%x,0x%x,0x%x)", le16(p),
		    le16(p + 2), p[4], p[5], p[6]);
		break;
	case DP_TYPE_MSG << 8 | 0x11:		/* logical unit */
		NEED(1);
		sb_printf(sb, "Unit(0x%x)", p[0]);
		break;
	case DP_TYPE_MSG << 8 | 0x12:		/* SATA */
		NEED(6);
		sb_printf(sb, "Sata(0x%x,0x%x,0x%x)", le16(p), le16(p + 2),
		    le16(p + 4));
		break;
	case DP_TYPE_MSG << 8 | 0x14:		/* VLAN */
		NEED(2);
		sb_printf(sb, "Vlan(%u)", le16(p));
		break;
	case DP_TYPE_MSG << 8 | 0x17:		/* NVMe namespace */
		NEED(12);
		sb_printf(sb, "NVMe(0x%x,%02x-%02x-%02x-%02x-%02x-%02x-%02x-"
		    "%02x)", le32(p), p[11], p[10], p[9], p[8], p[7], p[6],
		    p[5], p[4]);
		break;
	case DP_TYPE_MSG << 8 | 0x18:		/* URI */
		sb_puts(sb, "Uri(");
		put_ascii(sb, p, n);
		sb_puts(sb, ")");
		break;
	case DP_TYPE_MEDIA << 8 | 0x01:		/* hard drive */
		NEED(38);
		sb_printf(sb, "HD(%u,", le32(p));
		if (p[37] == 0x01) {
			sb_printf(sb, "MBR,0x%08x,", le32(p + 20));
		} else if (p[37] == 0x02) {
			guid_text(p + 20, g);
			sb_printf(sb, "GPT,%s,", g);
		} else
			sb_printf(sb, "%u,0,", p[37]);
		sb_printf(sb, "0x%llx,0x%llx)",
		    (unsigned long long)le64(p + 4),
		    (unsigned long long)le64(p + 12));
		break;
	case DP_TYPE_MEDIA << 8 | 0x02:		/* CD-ROM */
		NEED(20);
		sb_printf(sb, "CDROM(0x%x,0x%llx,0x%llx)", le32(p),
		    (unsigned long long)le64(p + 4),
		    (unsigned long long)le64(p + 12));
		break;
	case DP_TYPE_MEDIA << 8 | 0x04:		/* file path, UTF-16 */
		if (n % 2 != 0) {
			*want = n + 1;
			return 1;
		}
		put_utf16(sb, p, utf16_units(p, n));
		break;
	case DP_TYPE_MEDIA << 8 | 0x05:		/* media protocol */
		NEED(GUID_LEN);
		dp_guid(sb, "Media", p);
		break;
	case DP_TYPE_MEDIA << 8 | 0x06:		/* PIWG firmware file */
		NEED(GUID_LEN);
		dp_guid(sb, "FvFile", p);
		break;
	case DP_TYPE_MEDIA << 8 | 0x07:		/* PIWG volume */
		NEED(GUID_LEN);
		dp_guid(sb, "Fv", p);
		break;
	case DP_TYPE_MEDIA << 8 | 0x08:		/* offset range */
		NEED(20);
		sb_printf(sb, "Offset(0x%llx,0x%llx)",
		    (unsigned long long)le64(p + 4),
		    (unsigned long long)le64(p + 12));
		break;
	default:
		dp_generic(sb, type, sub, p, n);
		break;
	}
#undef NEED
	return 0;
}

/*
 * Renders a UEFI device path (node: type u8, subtype u8, length u16
 * including the 4-byte header). Each length must be at least 4 and within
 * what remains; known nodes must have their type's size; nothing may
 * follow an End Entire node. A path without an End node is rendered as far
 * as it goes; an empty path is the empty string.
 */
static int
dec_device_path(const struct dctx *c, const uint8_t *path, size_t len,
    char *out, size_t cap)
{
	struct wg_buf b;
	struct sbuf sb;
	const uint8_t *node;
	uint8_t type, sub;
	uint16_t nlen;
	size_t body, want, off, nodes = 0;
	int sep = 0, r;

	buf_init(&b, path, len);
	sb_init(&sb, out, cap);
	while (buf_remaining(&b) > 0) {
		off = buf_offset(&b);
		if ((r = rd_u8(c, &b, &type, "device path node type")) != 0 ||
		    (r = rd_u8(c, &b, &sub, "device path node subtype")) != 0 ||
		    (r = rd_u16(c, &b, &nlen, "device path node length")) != 0)
			return r;
		if (nlen < DP_NODE_HDR)
			return dec_err(c, "device path node %zu (%u/%u) at "
			    "path offset %zu: length %u is below 4", nodes,
			    type, sub, off, nlen);
		body = (size_t)nlen - DP_NODE_HDR;
		if (body > buf_remaining(&b))
			return dec_err(c, "device path node %zu (%u/%u) at "
			    "path offset %zu: length %u exceeds the %zu bytes "
			    "left", nodes, type, sub, off, nlen,
			    buf_remaining(&b) + DP_NODE_HDR);
		if ((r = rd_bytes(c, &b, body, &node,
		    "device path node")) != 0)
			return r;
		nodes++;
		if (type == DP_TYPE_END) {
			if (sub == DP_END_ENTIRE) {
				if (buf_remaining(&b) != 0)
					return dec_err(c, "%zu bytes after the "
					    "device path's End node",
					    buf_remaining(&b));
				break;
			}
			if (sub == DP_END_INSTANCE) {
				sb_puts(&sb, ",");
				sep = 0;
				continue;
			}
		}
		if (sep)
			sb_puts(&sb, "/");
		sep = 1;
		if (dp_node(&sb, type, sub, node, body, &want) != 0)
			return dec_err(c, "device path node %zu (%u/%u) at "
			    "path offset %zu: length %u, %zu expected",
			    nodes - 1, type, sub, off, nlen,
			    want + DP_NODE_HDR);
	}
	return 0;
}

/*
 * UEFI_IMAGE_LOAD_EVENT: ImageLocationInMemory, ImageLengthInMemory,
 * ImageLinkTimeAddress, LengthOfDevicePath (all u64), DevicePath[]; the
 * device path must end the event data.
 */
static int
dec_image(const struct dctx *c, struct wg_buf *b, struct evlog_data *o)
{
	uint64_t loc, len, link;
	size_t plen;
	const uint8_t *path;
	int r;

	if ((r = rd_u64(c, b, &loc, "ImageLocationInMemory")) != 0 ||
	    (r = rd_u64(c, b, &len, "ImageLengthInMemory")) != 0 ||
	    (r = rd_u64(c, b, &link, "ImageLinkTimeAddress")) != 0 ||
	    (r = rd_len64(c, b, &plen, "LengthOfDevicePath")) != 0 ||
	    (r = rd_bytes(c, b, plen, &path, "DevicePath")) != 0)
		return r;
	/*
	 * shim before 15.3 logs the images it loads with no device path in
	 * a padded 41-byte UEFI_IMAGE_LOAD_EVENT (rhboot/shim#184): 9 stray
	 * bytes after the 32-byte header. Only that exact shape is tolerated.
	 */
	if (plen == 0 && c->ev->data_len == SHIM_IMAGE_EVENT_SIZE &&
	    buf_remaining(b) == SHIM_IMAGE_EVENT_SIZE - 32)
		o->padding = SHIM_IMAGE_EVENT_SIZE - 32;
	else if ((r = expect_end(c, b, "UEFI_IMAGE_LOAD_EVENT")) != 0)
		return r;
	if ((r = dec_device_path(c, path, plen, o->u.image.device_path,
	    sizeof(o->u.image.device_path))) != 0)
		return r;
	o->kind = EVLOG_DATA_EFI_IMAGE;
	o->u.image.location = loc;
	o->u.image.length = len;
	o->u.image.link_time_address = link;
	o->u.image.path = plen > 0 ? path : NULL;
	o->u.image.path_len = plen;
	return 0;
}

/* u8 size, then that many bytes of ASCII description into out. */
static int
dec_description(const struct dctx *c, struct wg_buf *b, char *out,
    size_t cap, const char *field)
{
	const uint8_t *p;
	struct sbuf sb;
	uint8_t n;
	int r;

	if ((r = rd_u8(c, b, &n, field)) != 0)
		return r;
	if (n > buf_remaining(b))
		return dec_err(c, "%s %u exceeds the %zu bytes left", field, n,
		    buf_remaining(b));
	if ((r = rd_bytes(c, b, n, &p, field)) != 0)
		return r;
	sb_init(&sb, out, cap);
	put_ascii(&sb, p, strip_nul(p, n));
	return 0;
}

/*
 * UEFI_PLATFORM_FIRMWARE_BLOB (base, length) and, with a description
 * before it, UEFI_PLATFORM_FIRMWARE_BLOB2.
 */
static int
dec_blob(const struct dctx *c, struct wg_buf *b, struct evlog_data *o,
    int v2)
{
	uint64_t base, len;
	int r;

	if (v2 && (r = dec_description(c, b, o->u.blob.description,
	    sizeof(o->u.blob.description), "BlobDescriptionSize")) != 0)
		return r;
	if ((r = rd_u64(c, b, &base, "BlobBase")) != 0 ||
	    (r = rd_u64(c, b, &len, "BlobLength")) != 0)
		return r;
	if ((r = expect_end(c, b, "firmware blob")) != 0)
		return r;
	o->kind = EVLOG_DATA_FIRMWARE_BLOB;
	o->u.blob.base = base;
	o->u.blob.length = len;
	return 0;
}

/* EV_POST_CODE: the blob form (16 bytes) or a string. */
static int
dec_post_code(const struct dctx *c, struct wg_buf *b, struct evlog_data *o)
{
	if (c->ev->data_len == 16 &&
	    !is_printable(c->ev->data, c->ev->data_len))
		return dec_blob(c, b, o, 0);
	return dec_string_if_printable(c, o);
}

/*
 * UEFI_HANDOFF_TABLE_POINTERS: NumberOfTables u64, then that many
 * {VendorGuid, VendorTable u64}; TABLES2 has a description first.
 */
static int
dec_tables(const struct dctx *c, struct wg_buf *b, struct evlog_data *o,
    int v2)
{
	uint64_t count;
	const uint8_t *p;
	int r;

	if (v2 && (r = dec_description(c, b, o->u.tables.description,
	    sizeof(o->u.tables.description), "TableDescriptionSize")) != 0)
		return r;
	if ((r = rd_u64(c, b, &count, "NumberOfTables")) != 0)
		return r;
	if (count > buf_remaining(b) / HANDOFF_ENTRY_LEN ||
	    count * HANDOFF_ENTRY_LEN != buf_remaining(b))
		return dec_err(c, "NumberOfTables %llu does not match the %zu "
		    "bytes of table entries", (unsigned long long)count,
		    buf_remaining(b));
	if ((r = rd_bytes(c, b, (size_t)count * HANDOFF_ENTRY_LEN, &p,
	    "TableEntry")) != 0)
		return r;
	o->kind = EVLOG_DATA_HANDOFF_TABLES;
	o->u.tables.count = count;
	if (count > 0)
		guid_text(p, o->u.tables.first_guid);
	return 0;
}

/*
 * UEFI_GPT_DATA: the 92-byte EFI_PARTITION_TABLE_HEADER, NumberOfPartitions
 * u64, then that many entries of SizeOfPartitionEntry bytes. The event
 * always carries 92 header bytes; HeaderSize records the on-disk size and
 * must be at least 92. SizeOfPartitionEntry is 128 x 2^n (UEFI 5.3.2).
 */
static int
dec_gpt(const struct dctx *c, struct wg_buf *b, struct evlog_data *o)
{
	const uint8_t *h;
	uint32_t hsize, nentries, esize;
	uint64_t nparts;
	int r;

	if ((r = rd_bytes(c, b, GPT_HEADER_LEN, &h,
	    "EFI_PARTITION_TABLE_HEADER")) != 0)
		return r;
	if (memcmp(h, "EFI PART", 8) != 0)
		return dec_err(c, "GPT header signature is not \"EFI PART\"");
	hsize = le32(h + 12);
	nentries = le32(h + 80);
	esize = le32(h + 84);
	if (hsize < GPT_HEADER_LEN)
		return dec_err(c, "GPT HeaderSize %u is below 92", hsize);
	if (esize < GPT_ENTRY_MIN || (esize & (esize - 1)) != 0)
		return dec_err(c, "GPT SizeOfPartitionEntry %u is not 128 x "
		    "2^n", esize);
	if ((r = rd_u64(c, b, &nparts, "NumberOfPartitions")) != 0)
		return r;
	if (nparts > nentries)
		return dec_err(c, "NumberOfPartitions %llu exceeds the "
		    "header's NumberOfPartitionEntries %u",
		    (unsigned long long)nparts, nentries);
	if (nparts > buf_remaining(b) / esize ||
	    nparts * esize != buf_remaining(b))
		return dec_err(c, "NumberOfPartitions %llu x %u bytes does not "
		    "match the %zu bytes of entries",
		    (unsigned long long)nparts, esize, buf_remaining(b));
	o->kind = EVLOG_DATA_GPT;
	guid_text(h + 56, o->u.gpt.disk_guid);
	o->u.gpt.partitions = nparts;
	return 0;
}

/*
 * TCG_PCClientTaggedEvent: taggedEventID u32, taggedEventDataSize u32,
 * data; the size must cover the rest exactly. Windows logs its SIPA
 * containers (e.g. 0x40010001, trust boundary) this way: one TLV whose
 * size is the event's remaining bytes.
 */
static int
dec_tagged(const struct dctx *c, struct wg_buf *b, struct evlog_data *o)
{
	uint32_t id, size;
	const uint8_t *p;
	int r;

	if ((r = rd_u32(c, b, &id, "taggedEventID")) != 0 ||
	    (r = rd_u32(c, b, &size, "taggedEventDataSize")) != 0)
		return r;
	if (size != buf_remaining(b))
		return dec_err(c, "taggedEventDataSize %u, %zu bytes follow",
		    size, buf_remaining(b));
	if ((r = rd_bytes(c, b, size, &p, "taggedEventData")) != 0)
		return r;
	o->kind = EVLOG_DATA_TAGGED;
	o->u.tagged.id = id;
	o->u.tagged.data = size > 0 ? p : NULL;
	o->u.tagged.data_len = size;
	return 0;
}

/*
 * TCG_DEVICE_SECURITY_EVENT_DATA(2) header. "SPDM Device Sec\0":
 * Version u16, Length u16, SpdmHashAlgo u32, DeviceType u32.
 * "SPDM Device Sec2": Version u16, AuthState u8, Reserved u8, Length u32,
 * DeviceType u32, SubHeaderType u32, SubHeaderLength u32, SubHeaderUID
 * u64, DevicePathLength u64, DevicePath[], then the sub header. Length is
 * that of the whole event data. .data is what follows the fixed header.
 */
static int
dec_spdm(const struct dctx *c, struct wg_buf *b, struct evlog_data *o)
{
	static const char sec1[SPDM_SIG_LEN] = "SPDM Device Sec";
	static const char sec2[SPDM_SIG_LEN] = "SPDM Device Sec2";
	const uint8_t *sig, *p;
	struct wg_buf rest;
	uint16_t version, len16;
	uint32_t len32, u32, sublen;
	uint8_t u8;
	size_t plen, n = c->ev->data_len;
	int v2, r;

	if ((r = rd_bytes(c, b, SPDM_SIG_LEN, &sig, "SPDM Signature")) != 0)
		return r;
	if (memcmp(sig, sec1, SPDM_SIG_LEN) == 0)
		v2 = 0;
	else if (memcmp(sig, sec2, SPDM_SIG_LEN) == 0)
		v2 = 1;
	else
		return dec_err(c, "SPDM event signature is neither \"SPDM "
		    "Device Sec\" nor \"SPDM Device Sec2\"");
	if ((r = rd_u16(c, b, &version, "SPDM Version")) != 0)
		return r;
	if (!v2) {
		if ((r = rd_u16(c, b, &len16, "SPDM Length")) != 0 ||
		    (r = rd_u32(c, b, &u32, "SpdmHashAlgo")) != 0 ||
		    (r = rd_u32(c, b, &u32, "DeviceType")) != 0)
			return r;
		if (len16 != n)
			return dec_err(c, "SPDM Length %u, event data is %zu "
			    "bytes", len16, n);
	} else {
		if ((r = rd_u8(c, b, &u8, "AuthState")) != 0 ||
		    (r = rd_u8(c, b, &u8, "Reserved")) != 0 ||
		    (r = rd_u32(c, b, &len32, "SPDM Length")) != 0 ||
		    (r = rd_u32(c, b, &u32, "DeviceType")) != 0 ||
		    (r = rd_u32(c, b, &u32, "SubHeaderType")) != 0 ||
		    (r = rd_u32(c, b, &sublen, "SubHeaderLength")) != 0 ||
		    (r = rd_bytes(c, b, 8, &p, "SubHeaderUID")) != 0)
			return r;
		if (len32 != n)
			return dec_err(c, "SPDM Length %u, event data is %zu "
			    "bytes", len32, n);
	}
	rest = *b;
	if ((r = rd_bytes(c, &rest, buf_remaining(b), &p, "SPDM body")) != 0)
		return r;
	o->u.spdm.data = buf_remaining(b) > 0 ? p : NULL;
	o->u.spdm.data_len = buf_remaining(b);
	if (v2) {
		if ((r = rd_len64(c, b, &plen, "DevicePathLength")) != 0 ||
		    (r = rd_bytes(c, b, plen, &p, "DevicePath")) != 0)
			return r;
		if (sublen > buf_remaining(b))
			return dec_err(c, "SubHeaderLength %u exceeds the %zu "
			    "bytes left", sublen, buf_remaining(b));
	}
	o->kind = EVLOG_DATA_SPDM;
	memcpy(o->u.spdm.signature, sig, SPDM_SIG_LEN);
	o->u.spdm.signature[SPDM_SIG_LEN] = '\0';
	o->u.spdm.version = version;
	return 0;
}

/*
 * EV_EFI_SPDM_DEVICE_POLICY / _AUTHORITY: the PFP (and EDK2) log these as
 * UEFI_VARIABLE_DATA (the device signature database); an SPDM header is
 * accepted too.
 */
static int
dec_spdm_or_variable(const struct dctx *c, struct wg_buf *b,
    struct evlog_data *o)
{
	if (c->ev->data_len >= SPDM_SIG_LEN &&
	    memcmp(c->ev->data, "SPDM Device Sec", 15) == 0)
		return dec_spdm(c, b, o);
	return dec_variable(c, b, o);
}

int
evlog_decode(const struct evlog_event *ev, struct evlog_data *out,
    struct wg_diag *d)
{
	struct evlog_data tmp;
	struct wg_buf b;
	struct dctx c;
	int r;

	if (ev == NULL || out == NULL || (ev->data == NULL &&
	    ev->data_len != 0))
		return wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "evlog_decode: no event or no output");
	memset(&tmp, 0, sizeof(tmp));
	tmp.kind = EVLOG_DATA_NONE;
	c.ev = ev;
	c.d = d;
	buf_init(&b, ev->data, ev->data_len);

	switch (ev->type) {
	case EV_NO_ACTION:
		r = dec_no_action(&c, &b, &tmp);
		break;
	case EV_SEPARATOR:
		r = dec_separator(&c, &b, &tmp);
		break;
	case EV_EFI_ACTION:
	case EV_ACTION:
	case EV_IPL:
	case EV_S_CRTM_VERSION:
		r = dec_string(&c, &tmp);
		break;
	case EV_POST_CODE:
		r = dec_post_code(&c, &b, &tmp);
		break;
	case EV_COMPACT_HASH:
	case EV_OMIT_BOOT_DEVICE_EVENTS:
		r = dec_string_if_printable(&c, &tmp);
		break;
	case EV_EFI_VARIABLE_DRIVER_CONFIG:
	case EV_EFI_VARIABLE_BOOT:
	case EV_EFI_VARIABLE_BOOT2:
	case EV_EFI_VARIABLE_AUTHORITY:
		r = dec_variable(&c, &b, &tmp);
		break;
	case EV_EFI_BOOT_SERVICES_APPLICATION:
	case EV_EFI_BOOT_SERVICES_DRIVER:
	case EV_EFI_RUNTIME_SERVICES_DRIVER:
		r = dec_image(&c, &b, &tmp);
		break;
	case EV_EFI_PLATFORM_FIRMWARE_BLOB:
		r = dec_blob(&c, &b, &tmp, 0);
		break;
	case EV_EFI_PLATFORM_FIRMWARE_BLOB2:
		r = dec_blob(&c, &b, &tmp, 1);
		break;
	case EV_EFI_HANDOFF_TABLES:
		r = dec_tables(&c, &b, &tmp, 0);
		break;
	case EV_EFI_HANDOFF_TABLES2:
		r = dec_tables(&c, &b, &tmp, 1);
		break;
	case EV_EFI_GPT_EVENT:
		r = dec_gpt(&c, &b, &tmp);
		break;
	case EV_EVENT_TAG:
		r = dec_tagged(&c, &b, &tmp);
		break;
	case EV_EFI_SPDM_FIRMWARE_BLOB:
	case EV_EFI_SPDM_FIRMWARE_CONFIG:
		r = dec_spdm(&c, &b, &tmp);
		break;
	case EV_EFI_SPDM_DEVICE_POLICY:
	case EV_EFI_SPDM_DEVICE_AUTHORITY:
		r = dec_spdm_or_variable(&c, &b, &tmp);
		break;
	default:
		r = 0;
		break;
	}
	if (r != 0)
		goto out;
	*out = tmp;
 out:
	return r;
}
