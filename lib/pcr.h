/*
 * pcr.h: sets of PCR values per bank, PCR selections and the PCR digest.
 *
 * A struct pcr_set holds what is known about PCRs 0..23 in up to
 * PCR_MAX_BANKS banks: values reported by a device (tpm2_quote -o) or
 * replayed from an event log. It is plain data: copy it with memcpy.
 */
#ifndef WG_PCR_H
#define WG_PCR_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#include "alg.h"
#include "wg_err.h"

#define PCR_COUNT 24
#define PCR_MAX_BANKS 8

struct pcr_bank {
	uint16_t alg;		/* TPM2_ALG_ID */
	uint16_t size;		/* digest size of alg */
	uint32_t present;	/* bit i set: value[i] is known */
	uint32_t extended;	/* bit i set: an event extended PCR i (replay) */
	uint8_t value[PCR_COUNT][ALG_MAX_DIGEST];
};

struct pcr_set {
	unsigned nbanks;
	struct pcr_bank bank[PCR_MAX_BANKS];
};

/* Empties s. */
void pcr_set_init(struct pcr_set *s);

/* The bank for alg, or NULL. */
const struct pcr_bank *pcr_set_find(const struct pcr_set *s, uint16_t alg);
struct pcr_bank *pcr_set_find_mut(struct pcr_set *s, uint16_t alg);

/*
 * Adds a bank for a known hash alg with no value present (or returns the
 * existing one). WG_ERR_UNSUPPORTED for an unknown alg, WG_ERR_TOO_LARGE
 * when PCR_MAX_BANKS banks exist. *out is borrowed from s.
 */
int pcr_set_add_bank(struct pcr_set *s, uint16_t alg, struct pcr_bank **out);

/*
 * Sets every PCR of bank b to its TPM2_Startup value and marks it present:
 * zeros, except PCRs 17..22 which are all-ones.
 */
void pcr_bank_reset(struct pcr_bank *b);

/* 1 if sel has PCR i selected in the TPMS_PCR_SELECTION s, else 0. */
int pcr_selection_has(const TPMS_PCR_SELECTION *s, unsigned i);

/*
 * 0 if every PCR that need selects is also selected by have (in the same
 * bank), else WG_ERR_QUOTE_PCR_SELECT with the first missing bank:PCR in d.
 */
int pcr_selection_covers(const TPML_PCR_SELECTION *have,
    const TPML_PCR_SELECTION *need, struct wg_diag *d);

/*
 * Parses "sha256:0,1,2+sha1:0-7" (banks joined by '+', PCRs by ',', ranges
 * with '-', "all" for 0..23; "all" alone is "sha256:all") into sel.
 * WG_ERR_FORMAT on anything else, a bank or PCR given twice included.
 */
int pcr_selection_parse(const char *text, TPML_PCR_SELECTION *sel,
    struct wg_diag *d);

/*
 * Computes the TPM's pcrDigest: hashalg over the values of the PCRs that
 * sel selects, bank by bank in sel's order, PCRs in ascending order.
 * out must hold ALG_MAX_DIGEST bytes; *outlen gets the digest size.
 * WG_ERR_QUOTE_PCR_MISSING if s lacks a selected value (bank:PCR in d),
 * WG_ERR_UNSUPPORTED for an unknown hashalg.
 */
int pcr_selection_digest(const struct pcr_set *s,
    const TPML_PCR_SELECTION *sel, uint16_t hashalg, uint8_t *out,
    size_t *outlen, struct wg_diag *d);

/*
 * Reads a PCR values file as tpm2_quote -o / tpm2_pcrread -o write it:
 * the "serialized" form (TPML_PCR_SELECTION, a UINT32 count and count
 * TPML_DIGEST, each as tpm2-tools' in-memory little-endian layout, decoded
 * field by field), or the "values" form (the digests back to back) for
 * which sel (usually the quote's selection) says which PCRs they are.
 * sel may be NULL, then only the serialized form is accepted.
 * On success out holds the values; WG_ERR_PCRS_DECODE otherwise.
 */
int pcr_read_tpm2_tools(const uint8_t *buf, size_t len,
    const TPML_PCR_SELECTION *sel, struct pcr_set *out, struct wg_diag *d);

#endif /* WG_PCR_H */
