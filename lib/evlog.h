/*
 * evlog.h: TCG PC Client firmware event logs: parse, replay, decode.
 *
 * Both formats are read: the SHA-1 legacy log (TCG_PCR_EVENT records only)
 * and the crypto-agile log (a TCG_PCR_EVENT carrying the "Spec ID Event03"
 * EV_NO_ACTION, then TCG_PCR_EVENT2 records whose digests are matched to
 * banks by algorithm ID). Every length is checked against what remains;
 * the log size and the event count have hard ceilings.
 *
 * Replay rules (docs/eventlog.md): every bank starts at the TPM2_Startup
 * values (PCRs 17..22 all-ones, the rest zero); a "StartupLocality"
 * EV_NO_ACTION in PCR 0 sets PCR 0's start to 00..0L; an
 * EV_EFI_HCRTM_EVENT in PCR 0 sets it to 00..04; EV_NO_ACTION is never
 * extended; PCR indexes above 23 (Windows uses 0xFFFFFFFF) are skipped;
 * an event that carries no digest for a bank does not extend that bank.
 */
#ifndef WG_EVLOG_H
#define WG_EVLOG_H

#include <stddef.h>
#include <stdint.h>

#include "pcr.h"
#include "wg_err.h"

/* Event types (TCG PC Client Platform Firmware Profile, 10.4.1). */
#define EV_PREBOOT_CERT			0x00000000u
#define EV_POST_CODE			0x00000001u
#define EV_UNUSED			0x00000002u
#define EV_NO_ACTION			0x00000003u
#define EV_SEPARATOR			0x00000004u
#define EV_ACTION			0x00000005u
#define EV_EVENT_TAG			0x00000006u
#define EV_S_CRTM_CONTENTS		0x00000007u
#define EV_S_CRTM_VERSION		0x00000008u
#define EV_CPU_MICROCODE		0x00000009u
#define EV_PLATFORM_CONFIG_FLAGS	0x0000000Au
#define EV_TABLE_OF_DEVICES		0x0000000Bu
#define EV_COMPACT_HASH			0x0000000Cu
#define EV_IPL				0x0000000Du
#define EV_IPL_PARTITION_DATA		0x0000000Eu
#define EV_NONHOST_CODE			0x0000000Fu
#define EV_NONHOST_CONFIG		0x00000010u
#define EV_NONHOST_INFO			0x00000011u
#define EV_OMIT_BOOT_DEVICE_EVENTS	0x00000012u
#define EV_POST_CODE2			0x00000013u
#define EV_EFI_EVENT_BASE		0x80000000u
#define EV_EFI_VARIABLE_DRIVER_CONFIG	0x80000001u
#define EV_EFI_VARIABLE_BOOT		0x80000002u
#define EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003u
#define EV_EFI_BOOT_SERVICES_DRIVER	0x80000004u
#define EV_EFI_RUNTIME_SERVICES_DRIVER	0x80000005u
#define EV_EFI_GPT_EVENT		0x80000006u
#define EV_EFI_ACTION			0x80000007u
#define EV_EFI_PLATFORM_FIRMWARE_BLOB	0x80000008u
#define EV_EFI_HANDOFF_TABLES		0x80000009u
#define EV_EFI_PLATFORM_FIRMWARE_BLOB2	0x8000000Au
#define EV_EFI_HANDOFF_TABLES2		0x8000000Bu
#define EV_EFI_VARIABLE_BOOT2		0x8000000Cu
#define EV_EFI_GPT_EVENT2		0x8000000Du
#define EV_EFI_HCRTM_EVENT		0x80000010u
#define EV_EFI_VARIABLE_AUTHORITY	0x800000E0u
#define EV_EFI_SPDM_FIRMWARE_BLOB	0x800000E1u
#define EV_EFI_SPDM_FIRMWARE_CONFIG	0x800000E2u
#define EV_EFI_SPDM_DEVICE_POLICY	0x800000E3u
#define EV_EFI_SPDM_DEVICE_AUTHORITY	0x800000E4u

#define EVLOG_MAX_ALGS 8	/* algorithms a Spec ID event may declare */
#define EVLOG_PCR_SKIP 0xFFFFFFFFu

/* Default ceilings; a caller may lower them (the gateway does). */
#define EVLOG_DEFAULT_MAX_BYTES  (8u * 1024 * 1024)
#define EVLOG_DEFAULT_MAX_EVENTS 65536u

struct evlog_limits {
	size_t max_bytes;	/* whole log; 0 means the default */
	size_t max_events;	/* records, Spec ID included; 0: default */
};

enum evlog_format {
	EVLOG_FORMAT_SHA1 = 1,		/* legacy TCG_PCR_EVENT records */
	EVLOG_FORMAT_CRYPTO_AGILE = 2,	/* Spec ID Event03 + TCG_PCR_EVENT2 */
};

/* One algorithm the Spec ID event declares. */
struct evlog_alg {
	uint16_t id;		/* TPM2_ALG_ID; may be one wardgate does not know */
	uint16_t size;		/* digest size declared by the Spec ID event */
};

struct evlog_digest {
	uint16_t alg;
	uint16_t size;
	const uint8_t *bytes;	/* borrowed from the evlog's copy of the log */
};

struct evlog_event {
	size_t index;		/* 0-based position in the log (Spec ID is 0) */
	size_t offset;		/* byte offset of the record in the log */
	size_t length;		/* bytes of the whole record */
	uint32_t pcr;
	uint32_t type;
	unsigned ndigests;	/* as carried; may be fewer than declared */
	struct evlog_digest digest[EVLOG_MAX_ALGS];
	size_t data_len;
	const uint8_t *data;	/* borrowed from the evlog's copy */
};

struct evlog {
	enum evlog_format format;
	unsigned nalgs;		/* declared banks (1, sha1, for legacy) */
	struct evlog_alg alg[EVLOG_MAX_ALGS];
	uint8_t spec_major, spec_minor, spec_errata, uintn_size;
	int startup_locality;	/* -1 when the log has none */
	int has_hcrtm;		/* an EV_EFI_HCRTM_EVENT is in PCR 0 */
	size_t trailing;	/* bytes after the last record, ignored (evlog.c) */
	size_t nevents;
	struct evlog_event *events;	/* owned */
	uint8_t *raw;		/* owned copy of the log bytes */
	size_t raw_len;
};

/*
 * Parses a log of len bytes (copied). lim may be NULL for the defaults.
 * On success *out is a new struct evlog (caller frees with evlog_free).
 * Failures: WG_ERR_EVLOG_EMPTY, _TOO_LARGE, _TOO_MANY, _TRUNCATED,
 * _SPECID, _DIGEST, _EVENT; d says which event and byte offset.
 */
int evlog_parse(const uint8_t *buf, size_t len,
    const struct evlog_limits *lim, struct evlog **out, struct wg_diag *d);

/* Frees log; NULL is accepted. */
void evlog_free(struct evlog *log);

/*
 * Replays log into out: one bank per declared algorithm that wardgate can
 * hash (unknown ones are left out), every PCR present with its final
 * value, `extended` marking the PCRs that some event extended.
 * WG_ERR_CRYPTO if OpenSSL fails.
 */
int evlog_replay(const struct evlog *log, struct pcr_set *out,
    struct wg_diag *d);

/* Name of an event type ("EV_SEPARATOR"), or NULL when unknown. */
const char *evlog_type_name(uint32_t type);

/*
 * Decoded event data (evlog_decode). Strings are NUL-terminated UTF-8
 * copies in the struct; byte ranges are borrowed from the evlog.
 */
#define EVLOG_STR_MAX 512

enum evlog_data_kind {
	EVLOG_DATA_NONE = 0,		/* nothing decoded for this type */
	EVLOG_DATA_SPECID,		/* Spec ID Event03 */
	EVLOG_DATA_STARTUP_LOCALITY,	/* .u.locality */
	EVLOG_DATA_NO_ACTION,		/* other EV_NO_ACTION: .u.text = signature */
	EVLOG_DATA_SEPARATOR,		/* .u.separator */
	EVLOG_DATA_STRING,		/* EFI action, action, IPL, S-CRTM version,
					   POST code string: .u.text */
	EVLOG_DATA_EFI_VARIABLE,	/* .u.var */
	EVLOG_DATA_EFI_IMAGE,		/* boot application / driver: .u.image */
	EVLOG_DATA_FIRMWARE_BLOB,	/* (BLOB and BLOB2): .u.blob */
	EVLOG_DATA_HANDOFF_TABLES,	/* (and TABLES2): .u.tables */
	EVLOG_DATA_GPT,			/* .u.gpt */
	EVLOG_DATA_TAGGED,		/* EV_EVENT_TAG: .u.tagged */
	EVLOG_DATA_SPDM,		/* SPDM events: .u.spdm */
};

struct evlog_data {
	enum evlog_data_kind kind;
	/*
	 * Stray bytes ignored after the structure: only the padded sizes that
	 * shim before 15.3 logs (rhboot/shim#184; docs/eventlog.md), else 0.
	 */
	size_t padding;
	union {
		uint8_t locality;
		uint32_t separator;	/* 0: normal, 0xFFFFFFFF: error */
		char text[EVLOG_STR_MAX];
		struct {
			char guid[37];	/* "8be4df61-93ca-11d2-aa0d-00e098032b8c" */
			char name[EVLOG_STR_MAX]; /* UTF-16LE name as UTF-8 */
			const uint8_t *data;
			size_t data_len;
		} var;
		struct {
			uint64_t location, length, link_time_address;
			char device_path[EVLOG_STR_MAX]; /* text form, truncated */
			const uint8_t *path;
			size_t path_len;
		} image;
		struct {
			char description[256];	/* BLOB2 only, else "" */
			uint64_t base, length;
		} blob;
		struct {
			char description[256];	/* TABLES2 only, else "" */
			uint64_t count;
			char first_guid[37];	/* first table's GUID, or "" */
		} tables;
		struct {
			char disk_guid[37];
			uint64_t partitions;
		} gpt;
		struct {
			uint32_t id;
			const uint8_t *data;
			size_t data_len;
		} tagged;
		struct {
			char signature[17];	/* "SPDM Device Sec" or "...Sec2" */
			uint16_t version;
			const uint8_t *data;
			size_t data_len;
		} spdm;
	} u;
};

/*
 * Decodes ev's data according to its type. Types with no decoder give
 * kind EVLOG_DATA_NONE and 0. A malformed body gives WG_ERR_EVLOG_DATA
 * (d says what), never a partial decode. The result borrows from the log
 * that ev belongs to.
 */
int evlog_decode(const struct evlog_event *ev, struct evlog_data *out,
    struct wg_diag *d);

#endif /* WG_EVLOG_H */
