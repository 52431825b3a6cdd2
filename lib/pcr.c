/* pcr.c: PCR value sets, selections and the quoted PCR digest. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "pcr.h"

void
pcr_set_init(struct pcr_set *s)
{
	s->nbanks = 0;
}

const struct pcr_bank *
pcr_set_find(const struct pcr_set *s, uint16_t alg)
{
	unsigned i;

	for (i = 0; i < s->nbanks; i++)
		if (s->bank[i].alg == alg)
			return &s->bank[i];
	return NULL;
}

struct pcr_bank *
pcr_set_find_mut(struct pcr_set *s, uint16_t alg)
{
	unsigned i;

	for (i = 0; i < s->nbanks; i++)
		if (s->bank[i].alg == alg)
			return &s->bank[i];
	return NULL;
}

int
pcr_set_add_bank(struct pcr_set *s, uint16_t alg, struct pcr_bank **out)
{
	const struct alg_info *a = alg_by_id(alg);
	struct pcr_bank *b;

	if (a == NULL)
		return WG_ERR_UNSUPPORTED;
	if ((b = pcr_set_find_mut(s, alg)) == NULL) {
		if (s->nbanks >= PCR_MAX_BANKS)
			return WG_ERR_TOO_LARGE;
		b = &s->bank[s->nbanks++];
		memset(b, 0, sizeof(*b));
		b->alg = alg;
		b->size = (uint16_t)a->size;
	}
	*out = b;
	return 0;
}

void
pcr_bank_reset(struct pcr_bank *b)
{
	unsigned i;

	for (i = 0; i < PCR_COUNT; i++)
		memset(b->value[i], (i >= 17 && i <= 22) ? 0xff : 0x00,
		    sizeof(b->value[i]));
	b->present = (1u << PCR_COUNT) - 1;
	b->extended = 0;
}

int
pcr_selection_has(const TPMS_PCR_SELECTION *s, unsigned i)
{
	if (s == NULL || s->sizeofSelect > TPM2_PCR_SELECT_MAX ||
	    i >= (unsigned)s->sizeofSelect * 8)
		return 0;
	return (s->pcrSelect[i / 8] >> (i % 8)) & 1;
}

static void
pcr_sel_set(TPMS_PCR_SELECTION *s, unsigned i)
{
	s->pcrSelect[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* Checks the bounds of a selection that did not come from our parser. */
static int
pcr_sel_bounds(const TPML_PCR_SELECTION *sel)
{
	uint32_t i;

	if (sel->count > TPM2_NUM_PCR_BANKS)
		return WG_ERR_INVALID_ARG;
	for (i = 0; i < sel->count; i++)
		if (sel->pcrSelections[i].sizeofSelect > TPM2_PCR_SELECT_MAX)
			return WG_ERR_INVALID_ARG;
	return 0;
}

int
pcr_selection_covers(const TPML_PCR_SELECTION *have,
    const TPML_PCR_SELECTION *need, struct wg_diag *d)
{
	const TPMS_PCR_SELECTION *n;
	uint32_t i, j;
	unsigned p;
	int found, r;
	char abuf[8];

	if (have == NULL || need == NULL)
		return wg_diag_set(d, WG_ERR_INVALID_ARG, "no PCR selection");
	if ((r = pcr_sel_bounds(have)) != 0 || (r = pcr_sel_bounds(need)) != 0)
		return wg_diag_set(d, r, "PCR selection out of bounds");
	for (i = 0; i < need->count; i++) {
		n = &need->pcrSelections[i];
		for (p = 0; p < (unsigned)n->sizeofSelect * 8; p++) {
			if (!pcr_selection_has(n, p))
				continue;
			found = 0;
			for (j = 0; j < have->count && !found; j++)
				if (have->pcrSelections[j].hash == n->hash &&
				    pcr_selection_has(&have->pcrSelections[j], p))
					found = 1;
			if (!found)
				return wg_diag_set(d, WG_ERR_QUOTE_PCR_SELECT,
				    "%s:%u is required but not quoted",
				    alg_name(n->hash, abuf, sizeof(abuf)), p);
		}
	}
	return 0;
}

/* Reads 1 or 2 decimal digits at *pp: a PCR number 0..23. */
static int
pcr_parse_index(const char **pp, unsigned *out)
{
	const char *p = *pp;
	unsigned v = 0;
	int n = 0;

	while (*p >= '0' && *p <= '9') {
		if (++n > 2)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
		p++;
	}
	if (n == 0 || v >= PCR_COUNT)
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

int
pcr_selection_parse(const char *text, TPML_PCR_SELECTION *sel,
    struct wg_diag *d)
{
	TPML_PCR_SELECTION tmp;
	TPMS_PCR_SELECTION *s;
	const struct alg_info *a;
	const char *p, *colon;
	char name[16];
	unsigned lo, hi, i;
	uint32_t j;
	int r = WG_ERR_FORMAT;

	memset(&tmp, 0, sizeof(tmp));
	if (text == NULL || sel == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "no PCR selection text");
		goto out;
	}
	if (strcmp(text, "all") == 0) {
		/* The bank every TPM 2.0 PC platform has. */
		tmp.count = 1;
		tmp.pcrSelections[0].hash = TPM2_ALG_SHA256;
		tmp.pcrSelections[0].sizeofSelect = PCR_COUNT / 8;
		for (i = 0; i < PCR_COUNT; i++)
			pcr_sel_set(&tmp.pcrSelections[0], i);
		r = 0;
		goto out;
	}
	p = text;
	for (;;) {
		if ((colon = strchr(p, ':')) == NULL ||
		    (size_t)(colon - p) >= sizeof(name) || colon == p) {
			wg_diag_set(d, r, "PCR selection \"%s\": expected "
			    "BANK:PCRS at offset %zu", text, (size_t)(p - text));
			goto out;
		}
		memcpy(name, p, (size_t)(colon - p));
		name[colon - p] = '\0';
		if ((a = alg_by_name(name)) == NULL) {
			wg_diag_set(d, r, "PCR selection \"%s\": unknown bank "
			    "\"%s\"", text, name);
			goto out;
		}
		for (j = 0; j < tmp.count; j++) {
			if (tmp.pcrSelections[j].hash == a->id) {
				wg_diag_set(d, r, "PCR selection \"%s\": bank "
				    "%s given twice", text, a->name);
				goto out;
			}
		}
		if (tmp.count >= TPM2_NUM_PCR_BANKS) {
			wg_diag_set(d, r, "PCR selection \"%s\": too many banks",
			    text);
			goto out;
		}
		s = &tmp.pcrSelections[tmp.count++];
		s->hash = a->id;
		s->sizeofSelect = PCR_COUNT / 8;
		p = colon + 1;
		if (strncmp(p, "all", 3) == 0 && (p[3] == '+' || p[3] == '\0')) {
			for (i = 0; i < PCR_COUNT; i++)
				pcr_sel_set(s, i);
			p += 3;
		} else {
			for (;;) {
				if (pcr_parse_index(&p, &lo) != 0) {
					wg_diag_set(d, r, "PCR selection \"%s\": "
					    "expected a PCR 0-23 at offset %zu",
					    text, (size_t)(p - text));
					goto out;
				}
				hi = lo;
				if (*p == '-') {
					p++;
					if (pcr_parse_index(&p, &hi) != 0 ||
					    hi < lo) {
						wg_diag_set(d, r, "PCR selection "
						    "\"%s\": bad range at offset "
						    "%zu", text, (size_t)(p - text));
						goto out;
					}
				}
				for (i = lo; i <= hi; i++) {
					if (pcr_selection_has(s, i)) {
						wg_diag_set(d, r, "PCR selection "
						    "\"%s\": %s:%u given twice",
						    text, a->name, i);
						goto out;
					}
					pcr_sel_set(s, i);
				}
				if (*p != ',')
					break;
				p++;
			}
		}
		if (*p == '\0')
			break;
		if (*p != '+') {
			wg_diag_set(d, r, "PCR selection \"%s\": unexpected "
			    "character at offset %zu", text, (size_t)(p - text));
			goto out;
		}
		p++;
	}
	r = 0;
out:
	if (r == 0)
		*sel = tmp;
	return r;
}

int
pcr_selection_digest(const struct pcr_set *s, const TPML_PCR_SELECTION *sel,
    uint16_t hashalg, uint8_t *out, size_t *outlen, struct wg_diag *d)
{
	const struct alg_info *a;
	const TPMS_PCR_SELECTION *e;
	const struct pcr_bank *b;
	EVP_MD *md = NULL;
	EVP_MD_CTX *ctx = NULL;
	uint8_t dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	uint32_t i;
	unsigned p;
	char abuf[8];
	int r;

	if ((a = alg_by_id(hashalg)) == NULL) {
		r = wg_diag_set(d, WG_ERR_UNSUPPORTED, "PCR digest hash %s",
		    alg_name(hashalg, abuf, sizeof(abuf)));
		goto out;
	}
	if (s == NULL || sel == NULL || out == NULL || outlen == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "PCR digest: no input");
		goto out;
	}
	if ((r = pcr_sel_bounds(sel)) != 0) {
		wg_diag_set(d, r, "PCR selection out of bounds");
		goto out;
	}
	if ((md = EVP_MD_fetch(NULL, a->ossl_name, NULL)) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "PCR digest: %s", a->name);
		goto out;
	}
	for (i = 0; i < sel->count; i++) {
		e = &sel->pcrSelections[i];
		b = NULL;
		for (p = 0; p < (unsigned)e->sizeofSelect * 8; p++) {
			if (!pcr_selection_has(e, p))
				continue;
			if (b == NULL)
				b = pcr_set_find(s, e->hash);
			if (b == NULL || p >= PCR_COUNT ||
			    (b->present & (1u << p)) == 0 ||
			    b->size > ALG_MAX_DIGEST) {
				r = wg_diag_set(d, WG_ERR_QUOTE_PCR_MISSING,
				    "no value for %s:%u",
				    alg_name(e->hash, abuf, sizeof(abuf)), p);
				goto out;
			}
			if (EVP_DigestUpdate(ctx, b->value[p], b->size) != 1) {
				r = wg_diag_set(d, WG_ERR_CRYPTO, "PCR digest");
				goto out;
			}
		}
	}
	if (EVP_DigestFinal_ex(ctx, dig, &dlen) != 1 || dlen != a->size) {
		r = wg_diag_set(d, WG_ERR_CRYPTO, "PCR digest: %s", a->name);
		goto out;
	}
	r = 0;
out:
	if (r == 0) {
		memcpy(out, dig, dlen);
		*outlen = dlen;
	}
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return r;
}

/*
 * The PCR values file of tpm2-tools 5.x. tpm2_quote -o (default) and
 * tpm2_pcrread -F serialized fwrite() tpm2-tools' in-memory structures,
 * fields little-endian (htole*), padding included; with tpm2-tss 3.x on
 * any common ABI that is:
 *
 *	0	TPML_PCR_SELECTION, 132 bytes:
 *		  u32 count, then TPM2_NUM_PCR_BANKS (16) TPMS_PCR_SELECTION
 *		  of 8 bytes each: u16 hash, u8 sizeofSelect,
 *		  u8 pcrSelect[4], 1 byte padding
 *	132	u32 number of TPML_DIGEST that follow (1..32)
 *	136	TPML_DIGEST, 532 bytes each: u32 count (<= 8), then 8
 *		  TPM2B_DIGEST of 66 bytes: u16 size, u8 buffer[64]
 *
 * Entries past a count are unused. The digests, read in order across
 * the TPML_DIGESTs, are the selected PCRs bank by bank, PCRs ascending
 * (one TPML_DIGEST per TPM2_PCR_Read, which returns at most 8). The
 * "values" form (tpm2_quote -F values, tpm2_pcrread's default) is just
 * those digests back to back. Checked against files from swtpm.
 */
#define T2T_SEL_ENTRY		8
#define T2T_SEL_SIZE		(4 + TPM2_NUM_PCR_BANKS * T2T_SEL_ENTRY)
#define T2T_HDR_SIZE		(T2T_SEL_SIZE + 4)
#define T2T_DIG_BUF		64
#define T2T_DIG_ENTRY		(2 + T2T_DIG_BUF)
#define T2T_DIG_PER_LIST	8
#define T2T_LIST_SIZE		(4 + T2T_DIG_PER_LIST * T2T_DIG_ENTRY)
#define T2T_MAX_LISTS		TPM2_MAX_PCRS

struct pcr_slot {
	uint8_t bank;		/* index into the pcr_set */
	uint8_t pcr;
};
#define PCR_MAX_SLOTS		(PCR_MAX_BANKS * PCR_COUNT)

/*
 * Checks a selection that says which values a PCR file holds, adds its
 * banks to set and lists the PCRs in file order in slots.
 */
static int
pcr_file_slots(const TPML_PCR_SELECTION *sel, struct pcr_set *set,
    struct pcr_slot *slots, size_t *nslots, size_t *nbytes,
    struct wg_diag *d)
{
	const TPMS_PCR_SELECTION *e;
	const struct alg_info *a;
	struct pcr_bank *b;
	size_t n = 0, bytes = 0;
	uint32_t i, j;
	unsigned p, cnt;
	char abuf[8];

	if (sel->count > TPM2_NUM_PCR_BANKS)
		return wg_diag_set(d, WG_ERR_PCRS_DECODE,
		    "PCR selection has %u banks", (unsigned)sel->count);
	for (i = 0; i < sel->count; i++) {
		e = &sel->pcrSelections[i];
		if (e->sizeofSelect > TPM2_PCR_SELECT_MAX)
			return wg_diag_set(d, WG_ERR_PCRS_DECODE,
			    "PCR selection %u: sizeofSelect %u", (unsigned)i,
			    (unsigned)e->sizeofSelect);
		if ((a = alg_by_id(e->hash)) == NULL)
			return wg_diag_set(d, WG_ERR_PCRS_DECODE,
			    "PCR selection %u: unknown bank %s", (unsigned)i,
			    alg_name(e->hash, abuf, sizeof(abuf)));
		for (j = 0; j < i; j++)
			if (sel->pcrSelections[j].hash == e->hash)
				return wg_diag_set(d, WG_ERR_PCRS_DECODE,
				    "PCR selection: bank %s twice", a->name);
		cnt = 0;
		for (p = 0; p < (unsigned)e->sizeofSelect * 8; p++) {
			if (!pcr_selection_has(e, p))
				continue;
			if (p >= PCR_COUNT)
				return wg_diag_set(d, WG_ERR_PCRS_DECODE,
				    "PCR selection: %s:%u is not a PCR",
				    a->name, p);
			cnt++;
		}
		if (cnt == 0)
			continue;	/* an empty bank holds no value */
		if (pcr_set_add_bank(set, e->hash, &b) != 0)
			return wg_diag_set(d, WG_ERR_PCRS_DECODE,
			    "PCR selection: too many banks");
		for (p = 0; p < PCR_COUNT; p++) {
			if (!pcr_selection_has(e, p))
				continue;
			if (n >= PCR_MAX_SLOTS)
				return wg_diag_set(d, WG_ERR_PCRS_DECODE,
				    "PCR selection: too many PCRs");
			slots[n].bank = (uint8_t)(b - set->bank);
			slots[n].pcr = (uint8_t)p;
			n++;
			bytes += a->size;
		}
	}
	if (n == 0)
		return wg_diag_set(d, WG_ERR_PCRS_DECODE,
		    "PCR selection selects no PCR");
	*nslots = n;
	*nbytes = bytes;
	return 0;
}

/* Stores value v (len bytes) as slot i of set. */
static int
pcr_file_store(struct pcr_set *set, const struct pcr_slot *slot,
    const uint8_t *v, size_t len, size_t idx, struct wg_diag *d)
{
	struct pcr_bank *b = &set->bank[slot->bank];
	char abuf[8];

	if (len != b->size)
		return wg_diag_set(d, WG_ERR_PCRS_DECODE,
		    "digest %zu (%s:%u) has %zu bytes, not %u", idx,
		    alg_name(b->alg, abuf, sizeof(abuf)), slot->pcr, len,
		    (unsigned)b->size);
	memcpy(b->value[slot->pcr], v, len);
	b->present |= 1u << slot->pcr;
	return 0;
}

static int
pcr_read_serialized(const uint8_t *buf, size_t len, struct pcr_set *set,
    struct wg_diag *d)
{
	TPML_PCR_SELECTION sel;
	struct pcr_slot slots[PCR_MAX_SLOTS];
	struct wg_buf b, e;
	const uint8_t *v;
	size_t nslots = 0, nbytes = 0, next = 0;
	uint32_t nsel, nlists, cnt, i, k;
	uint16_t hash, size;
	uint8_t sos;
	int r;

	memset(&sel, 0, sizeof(sel));
	buf_init(&b, buf, len);
	if (len < T2T_HDR_SIZE)
		return wg_diag_set(d, WG_ERR_PCRS_DECODE,
		    "PCR file: %zu bytes, shorter than its %d-byte header",
		    len, T2T_HDR_SIZE);
	if ((r = buf_get_u32le(&b, &nsel)) != 0)
		goto trunc;
	if (nsel == 0 || nsel > TPM2_NUM_PCR_BANKS)
		return wg_diag_set(d, WG_ERR_PCRS_DECODE,
		    "PCR file: selection count %u", (unsigned)nsel);
	for (i = 0; i < TPM2_NUM_PCR_BANKS; i++) {
		if ((r = buf_get_sub(&b, T2T_SEL_ENTRY, &e)) != 0)
			goto trunc;
		if (i >= nsel)
			continue;	/* unused entry */
		if ((r = buf_get_u16le(&e, &hash)) != 0 ||
		    (r = buf_get_u8(&e, &sos)) != 0 ||
		    (r = buf_get_copy(&e, sel.pcrSelections[i].pcrSelect,
		    TPM2_PCR_SELECT_MAX)) != 0)
			goto trunc;
		if (sos > TPM2_PCR_SELECT_MAX)
			return wg_diag_set(d, WG_ERR_PCRS_DECODE,
			    "PCR file: selection %u: sizeofSelect %u",
			    (unsigned)i, (unsigned)sos);
		for (k = sos; k < TPM2_PCR_SELECT_MAX; k++)
			sel.pcrSelections[i].pcrSelect[k] = 0;
		sel.pcrSelections[i].hash = hash;
		sel.pcrSelections[i].sizeofSelect = sos;
	}
	sel.count = nsel;
	if ((r = pcr_file_slots(&sel, set, slots, &nslots, &nbytes, d)) != 0)
		return r;
	if ((r = buf_get_u32le(&b, &nlists)) != 0)
		goto trunc;
	if (nlists == 0 || nlists > T2T_MAX_LISTS)
		return wg_diag_set(d, WG_ERR_PCRS_DECODE,
		    "PCR file: %u digest lists", (unsigned)nlists);
	if (buf_remaining(&b) != (size_t)nlists * T2T_LIST_SIZE)
		return wg_diag_set(d, WG_ERR_PCRS_DECODE,
		    "PCR file: %zu bytes after the header for %u digest lists "
		    "of %d bytes", buf_remaining(&b), (unsigned)nlists,
		    T2T_LIST_SIZE);
	for (i = 0; i < nlists; i++) {
		struct wg_buf l;

		if ((r = buf_get_sub(&b, T2T_LIST_SIZE, &l)) != 0 ||
		    (r = buf_get_u32le(&l, &cnt)) != 0)
			goto trunc;
		if (cnt == 0 || cnt > T2T_DIG_PER_LIST)
			return wg_diag_set(d, WG_ERR_PCRS_DECODE,
			    "PCR file: digest list %u has count %u",
			    (unsigned)i, (unsigned)cnt);
		for (k = 0; k < cnt; k++) {
			if ((r = buf_get_u16le(&l, &size)) != 0 ||
			    (r = buf_get_bytes(&l, T2T_DIG_BUF, &v)) != 0)
				goto trunc;
			if (next >= nslots)
				return wg_diag_set(d, WG_ERR_PCRS_DECODE,
				    "PCR file: more digests than the %zu "
				    "selected PCRs", nslots);
			if ((r = pcr_file_store(set, &slots[next], v, size,
			    next, d)) != 0)
				return r;
			next++;
		}
	}
	if (next != nslots)
		return wg_diag_set(d, WG_ERR_PCRS_DECODE,
		    "PCR file: %zu digests for %zu selected PCRs", next, nslots);
	if ((r = buf_expect_end(&b)) != 0)
		return wg_diag_set(d, WG_ERR_PCRS_DECODE,
		    "PCR file: trailing bytes");
	return 0;
trunc:
	return wg_diag_set(d, WG_ERR_PCRS_DECODE,
	    "PCR file: truncated at offset %zu", buf_offset(&b));
}

static int
pcr_read_values(const uint8_t *buf, size_t len, const TPML_PCR_SELECTION *sel,
    struct pcr_set *set, struct wg_diag *d)
{
	struct pcr_slot slots[PCR_MAX_SLOTS];
	struct wg_buf b;
	const uint8_t *v;
	size_t nslots = 0, nbytes = 0, i, sz;
	int r;

	if ((r = pcr_file_slots(sel, set, slots, &nslots, &nbytes, d)) != 0)
		return r;
	if (len != nbytes)
		return wg_diag_set(d, WG_ERR_PCRS_DECODE,
		    "PCR values file: %zu bytes, the selection needs %zu",
		    len, nbytes);
	buf_init(&b, buf, len);
	for (i = 0; i < nslots; i++) {
		sz = set->bank[slots[i].bank].size;
		if ((r = buf_get_bytes(&b, sz, &v)) != 0)
			return wg_diag_set(d, WG_ERR_PCRS_DECODE,
			    "PCR values file: truncated");
		if ((r = pcr_file_store(set, &slots[i], v, sz, i, d)) != 0)
			return r;
	}
	if (buf_expect_end(&b) != 0)
		return wg_diag_set(d, WG_ERR_PCRS_DECODE,
		    "PCR values file: trailing bytes");
	return 0;
}

/*
 * 1 if buf starts like a serialized file (a selection count of 1..16,
 * then a known bank with sizeofSelect <= 4). PCR values start so with a
 * chance of about 2^-41; a damaged serialized file always does.
 */
static int
pcr_looks_serialized(const uint8_t *buf, size_t len)
{
	struct wg_buf b;
	uint32_t n;
	uint16_t h;
	uint8_t sos;

	buf_init(&b, buf, len);
	if (buf_get_u32le(&b, &n) != 0 || buf_get_u16le(&b, &h) != 0 ||
	    buf_get_u8(&b, &sos) != 0)
		return 0;
	return n >= 1 && n <= TPM2_NUM_PCR_BANKS && alg_by_id(h) != NULL &&
	    sos <= TPM2_PCR_SELECT_MAX;
}

int
pcr_read_tpm2_tools(const uint8_t *buf, size_t len,
    const TPML_PCR_SELECTION *sel, struct pcr_set *out, struct wg_diag *d)
{
	struct pcr_set tmp;
	int r = WG_ERR_INTERNAL, shaped;

	if (buf == NULL && len != 0) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "no PCR file");
		goto out;
	}
	if (out == NULL) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG, "no output");
		goto out;
	}
	/*
	 * Both forms can have the same length: the serialized form is taken
	 * when it decodes completely, else (with sel) the values form, but
	 * never for bytes that start like a serialized file.
	 */
	shaped = len >= T2T_HDR_SIZE &&
	    (len - T2T_HDR_SIZE) % T2T_LIST_SIZE == 0;
	if (shaped || sel == NULL) {
		pcr_set_init(&tmp);
		if ((r = pcr_read_serialized(buf, len, &tmp, d)) == 0 ||
		    sel == NULL)
			goto out;
	}
	if (pcr_looks_serialized(buf, len)) {
		if (!shaped)
			r = wg_diag_set(d, WG_ERR_PCRS_DECODE, "PCR file: "
			    "%zu bytes do not fit the serialized layout", len);
		goto out;
	}
	pcr_set_init(&tmp);
	r = pcr_read_values(buf, len, sel, &tmp, d);
out:
	if (r == 0)
		memcpy(out, &tmp, sizeof(tmp));
	return r;
}
