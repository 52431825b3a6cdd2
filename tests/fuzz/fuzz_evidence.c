/*
 * fuzz_evidence.c: the evidence bundle verifier's parser. The input as
 * an evidence file; then the input as the signed bundle text, wrapped in
 * a file with a signature that does not verify (every check still runs,
 * so the bundle parser is reached either way).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct evidence_report rep;
	struct json_object *f, *s;
	const char *text;

	if (size > 1024 * 1024)
		return 0;
	(void)evidence_verify((const char *)data, size, NULL, &rep, NULL);

	if ((f = json_object_new_object()) == NULL ||
	    (s = json_object_new_object()) == NULL) {
		json_object_put(f);
		return 0;
	}
	json_object_object_add(s, "alg", json_object_new_string("ES256"));
	json_object_object_add(s, "kid", json_object_new_string("00"));
	json_object_object_add(s, "value", json_object_new_string(
	    "MEQCIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAiABAQEBAQEBAQEB"
	    "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=="));
	json_object_object_add(f, "format",
	    json_object_new_string(EVIDENCE_FORMAT));
	json_object_object_add(f, "signed", json_object_new_string_len(
	    (const char *)data, (int)size));
	json_object_object_add(f, "signature", s);
	text = json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN);
	if (text != NULL)
		(void)evidence_verify(text, strlen(text), NULL, &rep, NULL);
	json_object_put(f);
	return 0;
}
