/*
 * fuzz_enfmsg.c: the enforcer's fixed-size messages. What decodes must
 * encode back to the same 64 bytes (nothing is accepted loosely), a
 * SEGMENT or FLOW that decodes has sequence 0, no MAC, a name, known flags
 * only, and only an OPEN carries seconds, 1..ENFMSG_OPEN_MAX.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "enfmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct enfmsg m;
	uint8_t out[ENFMSG_LEN];

	if (enfmsg_decode(data, size, &m, NULL) != 0)
		return 0;
	if (enfmsg_encode(&m, out, NULL) != 0 || size != ENFMSG_LEN ||
	    memcmp(out, data, ENFMSG_LEN) != 0)
		abort();
	if (m.type == ENFMSG_OPEN ? (m.seconds == 0 ||
	    m.seconds > ENFMSG_OPEN_MAX) : m.seconds != 0)
		abort();
	if (m.type == ENFMSG_FLOW && m.reason != 0)
		abort();
	if ((m.type == ENFMSG_SEGMENT || m.type == ENFMSG_FLOW) &&
	    (m.seq != 0 || (m.reason & ~ENFMSG_SEG_FLAGS) != 0 ||
	    !enfmsg_segment_valid(m.segment) || m.mac[0] != 0 ||
	    memcmp(m.mac, m.mac + 1, ENFMSG_MAC_LEN - 1) != 0))
		abort();
	return 0;
}
