/* state.c: device states and transitions. */
#include "config.h"

#include <string.h>

#include "state.h"

static const char *const state_names[DEV_NSTATES] = {
	[DEV_PENDING] = "pending",
	[DEV_TRUSTED] = "trusted",
	[DEV_UNTRUSTED] = "untrusted",
	[DEV_STALE] = "stale",
	[DEV_VULNERABLE] = "vulnerable",
	[DEV_DECOMMISSIONED] = "decommissioned",
	[DEV_LEGACY] = "legacy",
};

const char *
state_name(enum dev_state s)
{
	if ((unsigned)s >= DEV_NSTATES)
		return "invalid";
	return state_names[s];
}

int
state_parse(const char *name, enum dev_state *out)
{
	unsigned i;

	if (name == NULL)
		return -1;
	for (i = 0; i < DEV_NSTATES; i++) {
		if (strcmp(state_names[i], name) == 0) {
			*out = (enum dev_state)i;
			return 0;
		}
	}
	return -1;
}

enum dev_state
state_next(enum dev_state cur, int approved, enum dev_event ev)
{
	if ((unsigned)cur >= DEV_NSTATES)
		return DEV_UNTRUSTED;	/* corrupt input: quarantine */
	if (cur == DEV_DECOMMISSIONED || ev == DEV_EV_DECOMMISSION)
		return DEV_DECOMMISSIONED;
	/* A device without a TPM proves nothing: no event makes it more
	 * (or less) trusted; its sunset is the gateway's business. */
	if (cur == DEV_LEGACY)
		return DEV_LEGACY;
	if (!approved)
		return DEV_PENDING;
	switch (ev) {
	case DEV_EV_ATTEST_PASS:
		return DEV_TRUSTED;
	case DEV_EV_ATTEST_FAIL:
		return DEV_UNTRUSTED;
	case DEV_EV_EXPIRED:
		return cur == DEV_TRUSTED ? DEV_STALE : cur;
	case DEV_EV_ACTIVATED:
	case DEV_EV_APPROVED:
		/* Admission alone proves nothing about the boot. */
		return cur == DEV_PENDING || cur == DEV_TRUSTED ? DEV_STALE :
		    cur;
	case DEV_EV_DECOMMISSION:
		break;
	}
	return DEV_UNTRUSTED;
}
