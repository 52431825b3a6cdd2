/*
 * wardgate: the administrator's command.
 *
 * Offline tools (no gateway needed):
 *   wardgate eventlog [--json] FILE
 *   wardgate quote verify --ak AK --quote MSG --sig SIG --nonce HEX
 *       [--pcrs FILE | --eventlog FILE] [--require SEL] [--json]
 *
 * Gateway administration (through wardgated's admin socket, or its admin
 * TLS listener with --admin-url URL --cert FILE [--key FILE] [--cacert FILE]):
 *   wardgate [-s SOCKET] status [--json]
 *   wardgate [-s SOCKET] device list|show ID|approve ID
 *   wardgate [-s SOCKET] report [--format html|json|csv] [-o FILE]
 *   wardgate [-s SOCKET] device provision --name N --model M [--owner O]
 *       [--serial S] [--mac MAC] (--ek-fpr HEX | --ek-pub FILE | --ek-cert FILE)
 *
 * Exit status (wardgate(1)): 0 success, 1 the input was checked and
 * refused, 2 usage or operational error.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "alg.h"
#include "cli.h"
#include "cli_prov.h"
#include "attest.h"
#include "ek.h"
#include "evlog.h"
#include "file.h"
#include "hex.h"
#include "pcr.h"
#include "quote.h"
#include "wg_err.h"


const char *progname = "wardgate";

static void usage_main(FILE *f);

void
errx_line(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* One line on stderr: "wardgate: REASON: detail". */
void
report_diag(const struct wg_diag *d, int err)
{
	if (d->detail[0] != '\0')
		errx_line("%s: %s: %s", wg_errname(err), wg_strerror(err),
		    d->detail);
	else
		errx_line("%s: %s", wg_errname(err), wg_strerror(err));
}

void
print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
}

struct json_object *
json_hex(const uint8_t *p, size_t len)
{
	char *s;
	struct json_object *o;

	if ((s = malloc(2 * len + 1)) == NULL)
		return NULL;
	hex_encode(p, len, s, 2 * len + 1);
	o = json_object_new_string(s);
	free(s);
	return o;
}

/* PCR i differs from its TPM2_Startup value (extended, or a locality). */
static int
pcr_changed(const struct pcr_bank *b, unsigned i)
{
	uint8_t reset = (i >= 17 && i <= 22) ? 0xff : 0x00;
	unsigned k;

	if (b->extended & (1u << i))
		return 1;
	for (k = 0; k < b->size; k++)
		if (b->value[i][k] != reset)
			return 1;
	return 0;
}

/* ---- wardgate eventlog -------------------------------------------- */

static const char *
data_kind_name(enum evlog_data_kind k)
{
	switch (k) {
	case EVLOG_DATA_SPECID: return "spec_id";
	case EVLOG_DATA_STARTUP_LOCALITY: return "startup_locality";
	case EVLOG_DATA_NO_ACTION: return "no_action";
	case EVLOG_DATA_SEPARATOR: return "separator";
	case EVLOG_DATA_STRING: return "string";
	case EVLOG_DATA_EFI_VARIABLE: return "efi_variable";
	case EVLOG_DATA_EFI_IMAGE: return "efi_image";
	case EVLOG_DATA_FIRMWARE_BLOB: return "firmware_blob";
	case EVLOG_DATA_HANDOFF_TABLES: return "handoff_tables";
	case EVLOG_DATA_GPT: return "gpt";
	case EVLOG_DATA_TAGGED: return "tagged";
	case EVLOG_DATA_SPDM: return "spdm";
	case EVLOG_DATA_NONE: break;
	}
	return "none";
}

/* The decoded event data as a JSON object (NULL when nothing decoded). */
static struct json_object *
data_to_json(const struct evlog_data *x)
{
	struct json_object *o;

	if (x->kind == EVLOG_DATA_NONE)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "kind",
	    json_object_new_string(data_kind_name(x->kind)));
	if (x->padding > 0)
		json_object_object_add(o, "padding",
		    json_object_new_int64((int64_t)x->padding));
	switch (x->kind) {
	case EVLOG_DATA_STARTUP_LOCALITY:
		json_object_object_add(o, "locality",
		    json_object_new_int(x->u.locality));
		break;
	case EVLOG_DATA_SEPARATOR:
		json_object_object_add(o, "value",
		    json_object_new_int64(x->u.separator));
		break;
	case EVLOG_DATA_NO_ACTION:
	case EVLOG_DATA_STRING:
		json_object_object_add(o, "text",
		    json_object_new_string(x->u.text));
		break;
	case EVLOG_DATA_EFI_VARIABLE:
		json_object_object_add(o, "guid",
		    json_object_new_string(x->u.var.guid));
		json_object_object_add(o, "name",
		    json_object_new_string(x->u.var.name));
		json_object_object_add(o, "data_size",
		    json_object_new_int64((int64_t)x->u.var.data_len));
		if (x->u.var.data_len <= 1024)
			json_object_object_add(o, "data",
			    json_hex(x->u.var.data, x->u.var.data_len));
		break;
	case EVLOG_DATA_EFI_IMAGE:
		json_object_object_add(o, "device_path",
		    json_object_new_string(x->u.image.device_path));
		json_object_object_add(o, "image_location",
		    json_object_new_int64((int64_t)x->u.image.location));
		json_object_object_add(o, "image_length",
		    json_object_new_int64((int64_t)x->u.image.length));
		break;
	case EVLOG_DATA_FIRMWARE_BLOB:
		json_object_object_add(o, "description",
		    json_object_new_string(x->u.blob.description));
		json_object_object_add(o, "base",
		    json_object_new_int64((int64_t)x->u.blob.base));
		json_object_object_add(o, "length",
		    json_object_new_int64((int64_t)x->u.blob.length));
		break;
	case EVLOG_DATA_HANDOFF_TABLES:
		json_object_object_add(o, "description",
		    json_object_new_string(x->u.tables.description));
		json_object_object_add(o, "count",
		    json_object_new_int64((int64_t)x->u.tables.count));
		json_object_object_add(o, "first_guid",
		    json_object_new_string(x->u.tables.first_guid));
		break;
	case EVLOG_DATA_GPT:
		json_object_object_add(o, "disk_guid",
		    json_object_new_string(x->u.gpt.disk_guid));
		json_object_object_add(o, "partitions",
		    json_object_new_int64((int64_t)x->u.gpt.partitions));
		break;
	case EVLOG_DATA_TAGGED:
		json_object_object_add(o, "tag_id",
		    json_object_new_int64(x->u.tagged.id));
		json_object_object_add(o, "tag_data_size",
		    json_object_new_int64((int64_t)x->u.tagged.data_len));
		break;
	case EVLOG_DATA_SPDM:
		json_object_object_add(o, "signature",
		    json_object_new_string(x->u.spdm.signature));
		json_object_object_add(o, "version",
		    json_object_new_int(x->u.spdm.version));
		break;
	case EVLOG_DATA_SPECID:
	case EVLOG_DATA_NONE:
		break;
	}
	return o;
}

/* One line of text for the decoded data, "" when nothing decoded. */
static void
data_to_text(const struct evlog_data *x, char *buf, size_t len)
{
	buf[0] = '\0';
	switch (x->kind) {
	case EVLOG_DATA_SPECID:
		snprintf(buf, len, "Spec ID Event03");
		break;
	case EVLOG_DATA_STARTUP_LOCALITY:
		snprintf(buf, len, "StartupLocality %u", x->u.locality);
		break;
	case EVLOG_DATA_SEPARATOR:
		snprintf(buf, len, "separator 0x%08" PRIx32, x->u.separator);
		break;
	case EVLOG_DATA_NO_ACTION:
	case EVLOG_DATA_STRING:
		snprintf(buf, len, "\"%s\"", x->u.text);
		break;
	case EVLOG_DATA_EFI_VARIABLE:
		snprintf(buf, len, "%s %s (%zu bytes)", x->u.var.guid,
		    x->u.var.name, x->u.var.data_len);
		break;
	case EVLOG_DATA_EFI_IMAGE:
		snprintf(buf, len, "%s", x->u.image.device_path);
		break;
	case EVLOG_DATA_FIRMWARE_BLOB:
		snprintf(buf, len, "%s%sbase 0x%" PRIx64 " length 0x%" PRIx64,
		    x->u.blob.description, x->u.blob.description[0] ? " " : "",
		    x->u.blob.base, x->u.blob.length);
		break;
	case EVLOG_DATA_HANDOFF_TABLES:
		snprintf(buf, len, "%s%s%" PRIu64 " table(s)",
		    x->u.tables.description,
		    x->u.tables.description[0] ? " " : "", x->u.tables.count);
		break;
	case EVLOG_DATA_GPT:
		snprintf(buf, len, "disk %s, %" PRIu64 " partition(s)",
		    x->u.gpt.disk_guid, x->u.gpt.partitions);
		break;
	case EVLOG_DATA_TAGGED:
		snprintf(buf, len, "tag 0x%08" PRIx32 " (%zu bytes)",
		    x->u.tagged.id, x->u.tagged.data_len);
		break;
	case EVLOG_DATA_SPDM:
		snprintf(buf, len, "%s version %u", x->u.spdm.signature,
		    x->u.spdm.version);
		break;
	case EVLOG_DATA_NONE:
		break;
	}
}

static struct json_object *
pcrs_to_json(const struct pcr_set *s)
{
	struct json_object *banks = json_object_new_object();
	unsigned bi, i;

	for (bi = 0; bi < s->nbanks; bi++) {
		const struct pcr_bank *b = &s->bank[bi];
		const struct alg_info *a = alg_by_id(b->alg);
		struct json_object *o = json_object_new_object();
		char idx[4];

		for (i = 0; i < PCR_COUNT; i++) {
			if (!(b->present & (1u << i)) || !pcr_changed(b, i))
				continue;
			snprintf(idx, sizeof(idx), "%u", i);
			json_object_object_add(o, idx,
			    json_hex(b->value[i], b->size));
		}
		json_object_object_add(banks, a != NULL ? a->name : "unknown", o);
	}
	return banks;
}

static void
print_pcrs_text(const struct pcr_set *s)
{
	char hex[2 * ALG_MAX_DIGEST + 1];
	unsigned bi, i;

	printf("pcrs:\n");
	for (bi = 0; bi < s->nbanks; bi++) {
		const struct pcr_bank *b = &s->bank[bi];
		const struct alg_info *a = alg_by_id(b->alg);

		printf("  %s:\n", a != NULL ? a->name : "unknown");
		for (i = 0; i < PCR_COUNT; i++) {
			if (!(b->present & (1u << i)) || !pcr_changed(b, i))
				continue;
			printf("    %2u: %s\n", i,
			    hex_encode(b->value[i], b->size, hex, sizeof(hex)));
		}
	}
}

static int
cmd_eventlog(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct wg_diag d;
	struct evlog *log = NULL;
	struct pcr_set *pcrs = NULL;
	struct json_object *root = NULL, *events = NULL;
	size_t i;
	unsigned k;
	int json = 0, c, ret = WG_EXIT_ERROR;
	char abuf[8], hex[2 * ALG_MAX_DIGEST + 1], text[EVLOG_STR_MAX + 96];

	wg_diag_clear(&d);
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			printf("usage: %s eventlog [--json] FILE\n", progname);
			return WG_EXIT_OK;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;

	if ((pcrs = malloc(sizeof(*pcrs))) == NULL) {
		errx_line("out of memory");
		goto out;
	}
	if ((ret = cli_load_log(argv[optind], &log, pcrs)) != WG_EXIT_OK)
		goto out;
	ret = WG_EXIT_ERROR;

	if (json) {
		struct json_object *algs = json_object_new_array();

		root = json_object_new_object();
		events = json_object_new_array();
		json_object_object_add(root, "format", json_object_new_string(
		    log->format == EVLOG_FORMAT_SHA1 ? "sha1" : "crypto-agile"));
		for (k = 0; k < log->nalgs; k++)
			json_object_array_add(algs, json_object_new_string(
			    alg_name(log->alg[k].id, abuf, sizeof(abuf))));
		json_object_object_add(root, "algorithms", algs);
		json_object_object_add(root, "startup_locality",
		    log->startup_locality < 0 ? NULL :
		    json_object_new_int(log->startup_locality));
		json_object_object_add(root, "hcrtm",
		    json_object_new_boolean(log->has_hcrtm));
		json_object_object_add(root, "trailing_bytes",
		    json_object_new_int64((int64_t)log->trailing));
	} else {
		printf("format: %s, banks:",
		    log->format == EVLOG_FORMAT_SHA1 ? "SHA-1 (legacy)" :
		    "crypto-agile");
		for (k = 0; k < log->nalgs; k++)
			printf(" %s", alg_name(log->alg[k].id, abuf, sizeof(abuf)));
		printf(", %zu events", log->nevents);
		if (log->startup_locality >= 0)
			printf(", StartupLocality %d", log->startup_locality);
		if (log->has_hcrtm)
			printf(", H-CRTM");
		printf("\n");
		if (log->trailing > 0)
			printf("warning: %zu trailing byte(s) after the last "
			    "event ignored\n", log->trailing);
	}

	for (i = 0; i < log->nevents; i++) {
		const struct evlog_event *ev = &log->events[i];
		const char *tn = evlog_type_name(ev->type);
		struct evlog_data data;
		struct wg_diag dd;
		int dr;

		wg_diag_clear(&dd);
		memset(&data, 0, sizeof(data));
		dr = evlog_decode(ev, &data, &dd);
		if (json) {
			struct json_object *e = json_object_new_object();
			struct json_object *dg = json_object_new_object();
			struct json_object *dj;

			json_object_object_add(e, "index",
			    json_object_new_int64((int64_t)ev->index));
			json_object_object_add(e, "offset",
			    json_object_new_int64((int64_t)ev->offset));
			json_object_object_add(e, "length",
			    json_object_new_int64((int64_t)ev->length));
			json_object_object_add(e, "pcr",
			    json_object_new_int64(ev->pcr));
			json_object_object_add(e, "type",
			    json_object_new_int64(ev->type));
			json_object_object_add(e, "type_name",
			    tn != NULL ? json_object_new_string(tn) : NULL);
			for (k = 0; k < ev->ndigests; k++)
				json_object_object_add(dg,
				    alg_name(ev->digest[k].alg, abuf, sizeof(abuf)),
				    json_hex(ev->digest[k].bytes,
				    ev->digest[k].size));
			json_object_object_add(e, "digests", dg);
			json_object_object_add(e, "data_size",
			    json_object_new_int64((int64_t)ev->data_len));
			if (dr != 0)
				json_object_object_add(e, "data_error",
				    json_object_new_string(dd.detail));
			else if ((dj = data_to_json(&data)) != NULL)
				json_object_object_add(e, "data", dj);
			json_object_array_add(events, e);
			continue;
		}
		printf("event %zu: PCR %" PRIu32 " %s", ev->index,
		    ev->pcr == EVLOG_PCR_SKIP ? UINT32_MAX : ev->pcr,
		    tn != NULL ? tn : "unknown type");
		printf(" (0x%08" PRIx32 "), %zu bytes of data\n", ev->type,
		    ev->data_len);
		for (k = 0; k < ev->ndigests; k++)
			printf("    %-7s %s\n",
			    alg_name(ev->digest[k].alg, abuf, sizeof(abuf)),
			    hex_encode(ev->digest[k].bytes, ev->digest[k].size,
			    hex, sizeof(hex)));
		if (dr != 0)
			printf("    data: malformed: %s\n", dd.detail);
		else {
			data_to_text(&data, text, sizeof(text));
			if (text[0] != '\0')
				printf("    data: %s\n", text);
			if (data.padding > 0)
				printf("    note: %zu stray bytes after the "
				    "structure ignored (shim < 15.3)\n",
				    data.padding);
		}
	}

	if (json) {
		json_object_object_add(root, "events", events);
		events = NULL;
		json_object_object_add(root, "pcrs", pcrs_to_json(pcrs));
		print_json(root);
	} else
		print_pcrs_text(pcrs);
	ret = WG_EXIT_OK;
	goto out;
usage:
	fprintf(stderr, "usage: %s eventlog [--json] FILE\n", progname);
	ret = WG_EXIT_ERROR;
out:
	json_object_put(events);
	json_object_put(root);
	free(pcrs);
	evlog_free(log);
	return ret;
}

/* ---- wardgate quote verify ---------------------------------------- */

static const char *
sig_alg_name(uint16_t alg)
{
	switch (alg) {
	case TPM2_ALG_RSASSA: return "rsassa";
	case TPM2_ALG_RSAPSS: return "rsapss";
	case TPM2_ALG_ECDSA: return "ecdsa";
	}
	return "unknown";
}

static void
selection_text(const TPML_PCR_SELECTION *sel, char *buf, size_t len)
{
	size_t used = 0;
	uint32_t i;
	unsigned p;
	char abuf[8];

	buf[0] = '\0';
	for (i = 0; i < sel->count && i < TPM2_NUM_PCR_BANKS; i++) {
		const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];
		int first = 1;

		used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
		    "%s%s:", i > 0 ? "+" : "",
		    alg_name(s->hash, abuf, sizeof(abuf)));
		for (p = 0; p < PCR_COUNT; p++) {
			if (!pcr_selection_has(s, p))
				continue;
			used += (size_t)snprintf(buf + used,
			    used < len ? len - used : 0, "%s%u",
			    first ? "" : ",", p);
			first = 0;
		}
		if (used >= len)
			break;
	}
}

struct quote_args {
	const char *ak, *quote, *sig, *nonce, *pcrs, *eventlog, *require;
	int json;
};

static int
quote_verify_run(const struct quote_args *a, struct quote_info *info,
    struct quote_key **akp, struct wg_diag *d)
{
	uint8_t *akbuf = NULL, *msg = NULL, *sig = NULL, *pcrbuf = NULL;
	uint8_t *logbuf = NULL;
	size_t aklen, msglen, siglen, pcrlen, loglen, nlen;
	uint8_t nonce[sizeof(((TPM2B_DATA *)0)->buffer)];
	TPML_PCR_SELECTION required;
	TPMS_ATTEST att;
	TPMT_SIGNATURE tsig;
	struct pcr_set *pcrs = NULL;
	struct quote_key *ak = NULL;
	int r;

	if ((r = hex_decode(a->nonce, nonce, sizeof(nonce), &nlen)) != 0) {
		r = wg_diag_set(d, WG_ERR_INVALID_ARG,
		    "--nonce must be hex of at most %zu bytes", sizeof(nonce));
		goto out;
	}
	if (a->require != NULL &&
	    (r = pcr_selection_parse(a->require, &required, d)) != 0)
		goto out;
	if ((r = file_read(a->ak, SMALL_FILE_MAX, &akbuf, &aklen, d)) != 0 ||
	    (r = file_read(a->quote, SMALL_FILE_MAX, &msg, &msglen, d)) != 0 ||
	    (r = file_read(a->sig, SMALL_FILE_MAX, &sig, &siglen, d)) != 0)
		goto out;
	if ((r = quote_key_load(akbuf, aklen, 1, &ak, d)) != 0)
		goto out;

	if (a->eventlog != NULL) {
		struct attest_in in;

		if ((r = file_read(a->eventlog, EVLOG_DEFAULT_MAX_BYTES, &logbuf,
		    &loglen, d)) != 0)
			goto out;
		memset(&in, 0, sizeof(in));
		in.ak = ak;
		in.attest = msg;
		in.attest_len = msglen;
		in.sig = sig;
		in.sig_len = siglen;
		in.nonce = nonce;
		in.nonce_len = nlen;
		in.required = a->require != NULL ? &required : NULL;
		in.log = logbuf;
		in.log_len = loglen;
		r = attest_verify(NULL, &in, info, d);
		goto out;
	}

	/*
	 * A "values" PCR file is read in the quote's selection, so check the
	 * signature before reading anything out of the quote.
	 */
	if ((r = quote_decode_attest(msg, msglen, &att, d)) != 0 ||
	    (r = quote_decode_sig(sig, siglen, &tsig, d)) != 0 ||
	    (r = quote_verify_sig(ak, msg, msglen, &tsig, d)) != 0)
		goto out;
	if ((pcrs = malloc(sizeof(*pcrs))) == NULL) {
		r = wg_diag_set(d, WG_ERR_ALLOC, "PCR values");
		goto out;
	}
	if ((r = file_read(a->pcrs, SMALL_FILE_MAX, &pcrbuf, &pcrlen, d)) != 0 ||
	    (r = pcr_read_tpm2_tools(pcrbuf, pcrlen,
	    &att.attested.quote.pcrSelect, pcrs, d)) != 0)
		goto out;
	{
		struct quote_expect exp;

		memset(&exp, 0, sizeof(exp));
		exp.nonce = nonce;
		exp.nonce_len = nlen;
		exp.required = a->require != NULL ? &required : NULL;
		exp.pcrs = pcrs;
		r = quote_check(ak, msg, msglen, sig, siglen, &exp, info, d);
	}
out:
	if (r == 0) {
		*akp = ak;
		ak = NULL;
	}
	quote_key_free(ak);
	free(pcrs);
	free(akbuf);
	free(msg);
	free(sig);
	free(pcrbuf);
	free(logbuf);
	return r;
}

static int
cmd_quote_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ak", required_argument, NULL, 'a' },
		{ "quote", required_argument, NULL, 'q' },
		{ "sig", required_argument, NULL, 's' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "pcrs", required_argument, NULL, 'p' },
		{ "eventlog", required_argument, NULL, 'e' },
		{ "require", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct quote_args a;
	struct quote_info *info = NULL;
	struct quote_key *ak = NULL;
	struct wg_diag d;
	char sel[256], hex[2 * sizeof(TPMU_NAME) + 1];
	int c, r, ret = WG_EXIT_ERROR;

	memset(&a, 0, sizeof(a));
	wg_diag_clear(&d);
	optind = 1;
	while ((c = getopt_long(argc, argv, "a:q:s:n:p:e:r:jh", opts,
	    NULL)) != -1) {
		switch (c) {
		case 'a': a.ak = optarg; break;
		case 'q': a.quote = optarg; break;
		case 's': a.sig = optarg; break;
		case 'n': a.nonce = optarg; break;
		case 'p': a.pcrs = optarg; break;
		case 'e': a.eventlog = optarg; break;
		case 'r': a.require = optarg; break;
		case 'j': a.json = 1; break;
		case 'h':
			usage_main(stdout);
			return WG_EXIT_OK;
		default:
			goto usage;
		}
	}
	if (optind != argc || a.ak == NULL || a.quote == NULL ||
	    a.sig == NULL || a.nonce == NULL)
		goto usage;
	if ((a.pcrs == NULL) == (a.eventlog == NULL)) {
		errx_line("quote verify: give exactly one of --pcrs or "
		    "--eventlog (without PCR values the quoted digest cannot "
		    "be checked)");
		goto usage;
	}
	if ((info = malloc(sizeof(*info))) == NULL) {
		errx_line("out of memory");
		return WG_EXIT_ERROR;
	}

	r = quote_verify_run(&a, info, &ak, &d);
	if (r != 0) {
		/* Unreadable files and bad arguments are errors, not verdicts. */
		ret = (r == WG_ERR_IO || r == WG_ERR_INVALID_ARG ||
		    r == WG_ERR_ALLOC) ? WG_EXIT_ERROR : WG_EXIT_REFUSED;
		if (a.json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "valid",
			    json_object_new_boolean(0));
			json_object_object_add(o, "reason",
			    json_object_new_string(wg_errname(r)));
			json_object_object_add(o, "message",
			    json_object_new_string(wg_strerror(r)));
			json_object_object_add(o, "detail",
			    json_object_new_string(d.detail));
			print_json(o);
			json_object_put(o);
		}
		report_diag(&d, r);
		goto out;
	}

	selection_text(&info->attest.attested.quote.pcrSelect, sel, sizeof(sel));
	if (a.json) {
		struct json_object *o = json_object_new_object();
		const TPMS_CLOCK_INFO *ci = &info->attest.clockInfo;
		char abuf[8];

		json_object_object_add(o, "valid", json_object_new_boolean(1));
		json_object_object_add(o, "signature_scheme",
		    json_object_new_string(sig_alg_name(info->sig_alg)));
		json_object_object_add(o, "signature_hash",
		    json_object_new_string(alg_name(info->sig_hash, abuf,
		    sizeof(abuf))));
		json_object_object_add(o, "pcr_selection",
		    json_object_new_string(sel));
		json_object_object_add(o, "pcr_source", json_object_new_string(
		    a.eventlog != NULL ? "eventlog" : "pcrs"));
		json_object_object_add(o, "pcr_digest", json_hex(
		    info->attest.attested.quote.pcrDigest.buffer,
		    info->attest.attested.quote.pcrDigest.size));
		json_object_object_add(o, "clock",
		    json_object_new_int64((int64_t)ci->clock));
		json_object_object_add(o, "reset_count",
		    json_object_new_int64(ci->resetCount));
		json_object_object_add(o, "restart_count",
		    json_object_new_int64(ci->restartCount));
		json_object_object_add(o, "safe",
		    json_object_new_boolean(ci->safe == TPM2_YES));
		json_object_object_add(o, "firmware_version",
		    json_object_new_int64((int64_t)info->attest.firmwareVersion));
		if (ak->has_public)
			json_object_object_add(o, "ak_name",
			    json_hex(ak->name, ak->name_len));
		print_json(o);
		json_object_put(o);
	} else {
		printf("OK: quote verified\n");
		printf("  signature: %s/%s\n", sig_alg_name(info->sig_alg),
		    alg_name(info->sig_hash, hex, sizeof(hex)));
		printf("  nonce: matches\n");
		printf("  PCRs: %s match the %s\n", sel,
		    a.eventlog != NULL ? "event log replay" : "reported values");
		printf("  clock: %" PRIu64 " reset %" PRIu32 " restart %" PRIu32
		    "\n", info->attest.clockInfo.clock,
		    info->attest.clockInfo.resetCount,
		    info->attest.clockInfo.restartCount);
		if (ak->has_public)
			printf("  AK name: %s\n",
			    hex_encode(ak->name, ak->name_len, hex, sizeof(hex)));
	}
	ret = WG_EXIT_OK;
	goto out;
usage:
	fprintf(stderr, "usage: %s quote verify --ak AK --quote MSG --sig SIG "
	    "--nonce HEX\n           (--pcrs FILE | --eventlog FILE) "
	    "[--require SEL] [--json]\n", progname);
	ret = WG_EXIT_ERROR;
out:
	quote_key_free(ak);
	free(info);
	return ret;
}


char *
url_escape(const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t n = strlen(s), i, o = 0;
	char *out;

	if (n > 1024 || (out = malloc(3 * n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.' || ch == '~')
			out[o++] = (char)ch;
		else {
			out[o++] = '%';
			out[o++] = hexd[ch >> 4];
			out[o++] = hexd[ch & 15];
		}
	}
	out[o] = '\0';
	return out;
}

/* ---- gateway administration over the admin socket or TLS ---- */

#define ADMIN_SOCKET_DEFAULT "/run/wardgate/admin.sock"
#define ADMIN_REPLY_MAX (64u * 1024 * 1024)
#define ADMIN_URL_MAX 4096

/* Global options (before the command); each has a WARDGATE_* variable. */
static const char *admin_socket = NULL;	/* -s, WARDGATE_SOCKET */
static const char *admin_url = NULL;	/* --admin-url, WARDGATE_ADMIN_URL */
static const char *admin_cert = NULL;	/* --cert, WARDGATE_CERT */
static const char *admin_key = NULL;	/* --key, WARDGATE_KEY */
static const char *admin_cacert = NULL;	/* --cacert, WARDGATE_CACERT */

/* The option's value, else the variable's (unset when empty), else NULL. */
static const char *
admin_opt(const char *opt, const char *var)
{
	const char *v;

	if (opt != NULL)
		return opt;
	if ((v = getenv(var)) != NULL && *v != '\0')
		return v;
	return NULL;
}

/*
 * Sets c up for the admin TLS listener at base ("https://HOST:PORT") with
 * the operator's client certificate; url gets base and path. -1 with a
 * line printed when something is missing or malformed.
 */
static int
admin_tls_setup(CURL *c, const char *base, const char *path, char *url,
    size_t ulen)
{
	const char *cert = admin_opt(admin_cert, "WARDGATE_CERT");
	const char *key = admin_opt(admin_key, "WARDGATE_KEY");
	const char *cacert = admin_opt(admin_cacert, "WARDGATE_CACERT");
	size_t n = strlen(base);
	int w;

	if (strncmp(base, "https://", 8) != 0 || n == 8 ||
	    strcspn(base, "?# \t\r\n") != n) {
		errx_line("--admin-url: https://HOST:PORT, not \"%.64s\"", base);
		return -1;
	}
	if (cert == NULL) {
		errx_line("--admin-url needs --cert FILE (or WARDGATE_CERT): "
		    "the operator's client certificate");
		return -1;
	}
	while (n > 8 && base[n - 1] == '/')
		n--;
	w = snprintf(url, ulen, "%.*s%s", (int)n, base, path);
	if (w < 0 || (size_t)w >= ulen) {
		errx_line("request URL too long");
		return -1;
	}
#if LIBCURL_VERSION_NUM >= 0x075500	/* 7.85.0 */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
	if (key != NULL)
		curl_easy_setopt(c, CURLOPT_SSLKEY, key);
	if (cacert != NULL) {
		/* That CA alone, as the agent pins the gateway's. */
		curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
		curl_easy_setopt(c, CURLOPT_CAPATH, (char *)NULL);
	}
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	return 0;
}

struct admin_buf {
	char *p;
	size_t len;
};

static size_t
admin_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct admin_buf *b = arg;
	size_t add = size * n;
	char *np;

	if (add > ADMIN_REPLY_MAX - b->len)
		return 0;
	if ((np = realloc(b->p, b->len + add + 1)) == NULL)
		return 0;
	memcpy(np + b->len, data, add);
	b->p = np;
	b->len += add;
	b->p[b->len] = '\0';
	return add;
}

/*
 * One admin request: method GET or POST (with a JSON body). On success
 * *reply is the parsed JSON reply (caller puts) and *status the HTTP
 * status. Errors print a line and return WG_EXIT_ERROR.
 */
int
admin_call(const char *method, const char *path, const char *body,
    struct json_object **reply, long *status)
{
	CURL *c;
	CURLcode cr;
	struct curl_slist *hdr = NULL;
	struct admin_buf b = { NULL, 0 };
	char url[ADMIN_URL_MAX];
	const char *sock = admin_socket, *base = admin_url, *where;
	int ret = WG_EXIT_ERROR, w;

	/* --admin-url, -s, WARDGATE_ADMIN_URL, WARDGATE_SOCKET, default. */
	if (base == NULL && sock == NULL)
		base = admin_opt(NULL, "WARDGATE_ADMIN_URL");
	if (base == NULL && sock == NULL &&
	    (sock = getenv("WARDGATE_SOCKET")) == NULL)
		sock = ADMIN_SOCKET_DEFAULT;
	if ((c = curl_easy_init()) == NULL) {
		errx_line("cannot start libcurl");
		return ret;
	}
	if (base != NULL) {
		where = base;
		if (admin_tls_setup(c, base, path, url, sizeof(url)) != 0) {
			curl_easy_cleanup(c);
			return ret;
		}
	} else {
		where = sock;
		w = snprintf(url, sizeof(url), "http://localhost%s", path);
		if (w < 0 || (size_t)w >= sizeof(url)) {
			errx_line("request URL too long");
			curl_easy_cleanup(c);
			return ret;
		}
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, admin_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (strcmp(method, "POST") == 0) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body : "{}");
	}
	if ((cr = curl_easy_perform(c)) != CURLE_OK) {
		errx_line("gateway admin %s %s: %s", base != NULL ? "API" :
		    "socket", where, curl_easy_strerror(cr));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (b.p == NULL || (*reply = json_tokener_parse(b.p)) == NULL) {
		errx_line("gateway sent no JSON (HTTP %ld)", *status);
		goto out;
	}
	ret = WG_EXIT_OK;
out:
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	free(b.p);
	return ret;
}

/* Prints a gateway error reply; returns the exit status for it. */
int
admin_error(struct json_object *reply, long status)
{
	struct json_object *e, *m;

	if (json_object_object_get_ex(reply, "error", &e) &&
	    json_object_object_get_ex(reply, "message", &m))
		errx_line("%s: %s", json_object_get_string(e),
		    json_object_get_string(m));
	else
		errx_line("gateway answered HTTP %ld", status);
	return status >= 500 ? WG_EXIT_ERROR : WG_EXIT_REFUSED;
}

int
admin_print(const char *method, const char *path, const char *body)
{
	struct json_object *reply = NULL;
	long status = 0;
	int ret;

	if ((ret = admin_call(method, path, body, &reply, &status)) !=
	    WG_EXIT_OK)
		return ret;
	if (status != 200)
		ret = admin_error(reply, status);
	else
		print_json(reply);
	json_object_put(reply);
	return ret;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return "";
	return json_object_get_string(v);
}

static void
status_table(struct json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	printf("%-20s %-16s %-14s %-10s %-14s %-20s %s\n", "NAME", "MODEL",
	    "OWNER", "STATE", "SEGMENT", "LAST ATTESTATION", "REASON");
	for (i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i), *rs;
		const char *reason = "";

		if (json_object_object_get_ex(d, "reasons", &rs) &&
		    json_object_array_length(rs) > 0)
			reason = jstr(json_object_array_get_idx(rs, 0), "message");
		printf("%-20.20s %-16.16s %-14.14s %-10s %-14.14s %-20s %s\n",
		    jstr(d, "name"), jstr(d, "model"), jstr(d, "owner"),
		    jstr(d, "state"), jstr(d, "segment"),
		    jstr(d, "last_attestation")[0] != '\0' ?
		    jstr(d, "last_attestation") : "never", reason);
	}
	printf("%zu device(s)\n", n);
}

static int
cmd_status(int argc, char **argv)
{
	struct json_object *reply = NULL;
	long status = 0;
	int json = 0, i, ret;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else {
			fprintf(stderr, "usage: %s status [--json]\n", progname);
			return WG_EXIT_ERROR;
		}
	}
	if ((ret = admin_call("GET", "/admin/v1/status", NULL, &reply,
	    &status)) != WG_EXIT_OK)
		return ret;
	if (status != 200)
		ret = admin_error(reply, status);
	else if (json)
		print_json(reply);
	else
		status_table(reply);
	json_object_put(reply);
	return ret;
}

/* SHA-256 of the DER SubjectPublicKeyInfo in an EK certificate file. */
static int
fpr_from_cert(const char *path, char out[2 * EK_FPR_LEN + 1])
{
	struct wg_diag d;
	uint8_t *buf = NULL, *der = NULL, h[EK_FPR_LEN];
	const uint8_t *p;
	size_t len;
	unsigned int hl = 0;
	X509 *x = NULL;
	BIO *bio = NULL;
	int n, r = -1;

	if (file_read(path, SMALL_FILE_MAX, &buf, &len, &d) != 0) {
		errx_line("%s", d.detail);
		return -1;
	}
	p = buf;
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL || p != buf + len) {
		X509_free(x);
		bio = BIO_new_mem_buf(buf, (int)len);
		x = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	}
	if (x == NULL || (n = i2d_PUBKEY(X509_get0_pubkey(x), &der)) <= 0 ||
	    EVP_Digest(der, (size_t)n, h, &hl, EVP_sha256(), NULL) != 1) {
		errx_line("%s: not an EK certificate (DER or PEM)", path);
		goto out;
	}
	hex_encode(h, sizeof(h), out, 2 * EK_FPR_LEN + 1);
	r = 0;
out:
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	free(buf);
	return r;
}

static int
fpr_from_pub(const char *path, char out[2 * EK_FPR_LEN + 1])
{
	struct wg_diag d;
	uint8_t *buf = NULL, h[EK_FPR_LEN];
	const uint8_t *area;
	size_t len, alen;
	TPM2B_PUBLIC pub;
	int r = -1;

	if (file_read(path, SMALL_FILE_MAX, &buf, &len, &d) != 0 ||
	    quote_decode_public(buf, len, &pub, &area, &alen, &d) != 0 ||
	    ek_fingerprint(&pub.publicArea, h, &d) != 0)
		errx_line("%s: %s", path, d.detail);
	else {
		hex_encode(h, sizeof(h), out, 2 * EK_FPR_LEN + 1);
		r = 0;
	}
	free(buf);
	return r;
}

static int
cmd_device_provision(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "model", required_argument, NULL, 'm' },
		{ "owner", required_argument, NULL, 'o' },
		{ "serial", required_argument, NULL, 's' },
		{ "mac", required_argument, NULL, 'a' },
		{ "ek-fpr", required_argument, NULL, 'f' },
		{ "ek-pub", required_argument, NULL, 'p' },
		{ "ek-cert", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *model = NULL, *owner = "", *serial = "";
	const char *mac = "", *fprarg = NULL, *pub = NULL, *cert = NULL;
	char fpr[2 * EK_FPR_LEN + 1];
	struct json_object *req, *reply = NULL;
	long status = 0;
	int c, ret, nsrc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'm': model = optarg; break;
		case 'o': owner = optarg; break;
		case 's': serial = optarg; break;
		case 'a': mac = optarg; break;
		case 'f': fprarg = optarg; break;
		case 'p': pub = optarg; break;
		case 'c': cert = optarg; break;
		default: goto usage;
		}
	}
	nsrc = (fprarg != NULL) + (pub != NULL) + (cert != NULL);
	if (optind != argc || name == NULL || model == NULL || nsrc != 1)
		goto usage;
	if (fprarg != NULL) {
		if (strlen(fprarg) != 2 * EK_FPR_LEN)
			goto usage;
		memcpy(fpr, fprarg, sizeof(fpr));
	} else if ((pub != NULL ? fpr_from_pub(pub, fpr) :
	    fpr_from_cert(cert, fpr)) != 0)
		return WG_EXIT_ERROR;
	req = json_object_new_object();
	json_object_object_add(req, "ek_fpr", json_object_new_string(fpr));
	json_object_object_add(req, "name", json_object_new_string(name));
	json_object_object_add(req, "model", json_object_new_string(model));
	json_object_object_add(req, "owner", json_object_new_string(owner));
	json_object_object_add(req, "serial", json_object_new_string(serial));
	json_object_object_add(req, "mac", json_object_new_string(mac));
	ret = admin_call("POST", "/admin/v1/provision",
	    json_object_to_json_string(req), &reply, &status);
	json_object_put(req);
	if (ret != WG_EXIT_OK)
		return ret;
	if (status != 200)
		ret = admin_error(reply, status);
	else
		printf("provisioned %s (%s, EK %.16s...)\n", name, model, fpr);
	json_object_put(reply);
	return ret;
usage:
	fprintf(stderr, "usage: %s device provision --name N --model M "
	    "[--owner O] [--serial S] [--mac MAC]\n"
	    "           (--ek-fpr HEX64 | --ek-pub FILE | --ek-cert FILE)\n",
	    progname);
	return WG_EXIT_ERROR;
}

static int
cmd_device(int argc, char **argv)
{
	char path[512], *esc;

	if (argc >= 2 && strcmp(argv[1], "list") == 0 && argc == 2)
		return cmd_status(1, argv);
	if (argc >= 2 && strcmp(argv[1], "provision") == 0)
		return cmd_device_provision(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return cmd_device_import(argc - 1, argv + 1);
	if (argc != 3 || (strcmp(argv[1], "show") != 0 &&
	    strcmp(argv[1], "approve") != 0 &&
	    strcmp(argv[1], "rotate-ak") != 0)) {
		fprintf(stderr, "usage: %s device list | show ID | approve ID | "
		    "rotate-ak ID | provision ... | import FILE\n", progname);
		return WG_EXIT_ERROR;
	}
	if ((esc = url_escape(argv[2])) == NULL) {
		errx_line("device: \"%.32s...\" is too long for a device id or "
		    "name", argv[2]);
		return WG_EXIT_ERROR;
	}
	snprintf(path, sizeof(path), "/admin/v1/devices/%s%s", esc,
	    strcmp(argv[1], "approve") == 0 ? "/approve" :
	    strcmp(argv[1], "rotate-ak") == 0 ? "/rotate-ak" : "");
	free(esc);
	return admin_print(strcmp(argv[1], "show") != 0 ? "POST" : "GET",
	    path, NULL);
}

/* ---- main --------------------------------------------------------- */

static void
usage_main(FILE *f)
{
	fprintf(f,
	    "usage: %s COMMAND [ARGS]\n"
	    "\n"
	    "offline tools:\n"
	    "  eventlog [--json] FILE          print events and replayed PCRs\n"
	    "  quote verify --ak AK --quote MSG --sig SIG --nonce HEX\n"
	    "        (--pcrs FILE | --eventlog FILE) [--require SEL] [--json]\n"
	    "                                  verify a TPM2_Quote\n"
	    "  appraise --policy FILE --model M --eventlog FILE [--sig SIG\n"
	    "        --issuer-key PEM] [--json]\n"
	    "                                  appraise a boot against a policy\n"
	    "  policy learn --eventlog FILE --model M --release R [--issuer I]\n"
	    "        [-o FILE]                 draft a policy from a good boot\n"
	    "  policy check FILE               validate, print the normalised form\n"
	    "  policy sign --key KEY FILE [-o SIG]\n"
	    "  ear verify --key PUB.pem FILE|- verify an EAR (JWT ES256) offline\n"
	    "  version                         print the version\n"
	    "\n"
	    "gateway administration (wardgated's admin socket, -s SOCKET; or its\n"
	    "TLS listener: --admin-url https://HOST:PORT --cert FILE [--key FILE]\n"
	    "[--cacert FILE]):\n"
	    "  status [--json]                 every device: state, segment, reason\n"
	    "  device list | show ID | approve ID\n"
	    "  policy install FILE [--sig SIG] | policy list\n"
	    "  device provision --name N --model M [--owner O] [--serial S]\n"
	    "        [--mac MAC] (--ek-fpr HEX | --ek-pub FILE | --ek-cert FILE)\n"
	    "  device import FILE [--format csv|json] [--replace]\n"
	    "                                  a maker's batch, all or nothing\n"
	    "  device rotate-ak ID             the agent must make a new AK\n"
	    "  advisory add FILE | advisory list\n"
	    "                                  vulnerability advisories\n"
	    "  hold DEVICE --until TIME --reason TEXT\n"
	    "                                  clinical hold (TIME: +90m, +2h,\n"
	    "                                  2026-11-22T14:00Z)\n"
	    "  hold --release DEVICE [--reason TEXT]\n"
	    "  enforcement                     enforcer and RADIUS state\n"
	    "  legacy add --name N --model M --serial S --mac MAC --owner P\n"
	    "        --controls TEXT --review DATE --sunset DATE [--segment S]\n"
	    "                                  a device without a usable TPM\n"
	    "  legacy review DEVICE --next DATE --note TEXT [--sunset DATE]\n"
	    "  legacy list [--json]\n"
	    "  service open DEVICE --flow F --until TIME --approved-by P\n"
	    "        --reason TEXT             a field-service window\n"
	    "  service close DEVICE [--flow F] | service list [--json]\n"
	    "  ear DEVICE | --all [--json]     attestation result as an EAR\n"
	    "  evidence export DEVICE -o FILE  signed evidence bundle of a device\n"
	    "  evidence verify [--key PUB.pem] FILE\n"
	    "                                  check an evidence bundle offline\n"
	    "  decommission DEVICE --reason TEXT\n"
	    "                                  retire a device: EK blocked,\n"
	    "                                  evidence archived\n"
	    "  audit verify [--store FILE]     check the audit chain (offline\n"
	    "                                  with --store)\n"
	    "  audit list [--json] [--store FILE] [DEVICE]\n"
	    "                                  print audit rows\n"
	    "  report [--format html|json|csv] [-o FILE]\n"
	    "                                  trust status report: fleet, actions,\n"
	    "                                  timelines, CRA evidence per device\n"
	    "\n"
	    "exit status: 0 success, 1 refused, 2 error (see wardgate(1))\n",
	    progname);
}

int
main(int argc, char **argv)
{
	/* Global options, each with a value, before the command. */
	while (argc >= 2) {
		const char **opt;

		if (strcmp(argv[1], "-s") == 0 ||
		    strcmp(argv[1], "--socket") == 0)
			opt = &admin_socket;
		else if (strcmp(argv[1], "--admin-url") == 0)
			opt = &admin_url;
		else if (strcmp(argv[1], "--cert") == 0)
			opt = &admin_cert;
		else if (strcmp(argv[1], "--key") == 0)
			opt = &admin_key;
		else if (strcmp(argv[1], "--cacert") == 0)
			opt = &admin_cacert;
		else
			break;
		if (argc < 3) {
			errx_line("%s needs a value", argv[1]);
			return WG_EXIT_ERROR;
		}
		*opt = argv[2];
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		usage_main(stderr);
		return WG_EXIT_ERROR;
	}
	if (strcmp(argv[1], "eventlog") == 0)
		return cmd_eventlog(argc - 1, argv + 1);
	if (strcmp(argv[1], "quote") == 0) {
		if (argc >= 3 && strcmp(argv[2], "verify") == 0)
			return cmd_quote_verify(argc - 2, argv + 2);
		fprintf(stderr, "usage: %s quote verify ...\n", progname);
		return WG_EXIT_ERROR;
	}
	if (strcmp(argv[1], "policy") == 0)
		return cmd_policy(argc - 1, argv + 1);
	if (strcmp(argv[1], "appraise") == 0)
		return cmd_appraise(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "device") == 0)
		return cmd_device(argc - 1, argv + 1);
	if (strcmp(argv[1], "advisory") == 0)
		return cmd_advisory(argc - 1, argv + 1);
	if (strcmp(argv[1], "hold") == 0)
		return cmd_hold(argc - 1, argv + 1);
	if (strcmp(argv[1], "ear") == 0)
		return cmd_ear(argc - 1, argv + 1);
	if (strcmp(argv[1], "evidence") == 0)
		return cmd_evidence(argc - 1, argv + 1);
	if (strcmp(argv[1], "enforcement") == 0)
		return cmd_enforcement(argc - 1, argv + 1);
	if (strcmp(argv[1], "decommission") == 0)
		return cmd_decommission(argc - 1, argv + 1);
	if (strcmp(argv[1], "legacy") == 0)
		return cmd_legacy(argc - 1, argv + 1);
	if (strcmp(argv[1], "service") == 0)
		return cmd_service(argc - 1, argv + 1);
	if (strcmp(argv[1], "audit") == 0)
		return cmd_audit(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0) {
		printf("wardgate %s\n", PACKAGE_VERSION);
		return WG_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage_main(stdout);
		return WG_EXIT_OK;
	}
	errx_line("unknown command \"%s\"", argv[1]);
	usage_main(stderr);
	return WG_EXIT_ERROR;
}
