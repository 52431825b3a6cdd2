/*
 * state.h: device states and the pure transition function.
 *
 * pending (enrolled, awaiting approval) -> trusted | untrusted | stale |
 * vulnerable -> decommissioned (terminal); legacy (registered without a
 * TPM, never attests) -> decommissioned. Nothing but a passing
 * attestation of an admitted device leads to trusted; every error path
 * leads to a state nearer quarantine.
 */
#ifndef WG_STATE_H
#define WG_STATE_H

enum dev_state {
	DEV_PENDING = 0,
	DEV_TRUSTED,
	DEV_UNTRUSTED,
	DEV_STALE,
	DEV_VULNERABLE,
	DEV_DECOMMISSIONED,
	DEV_LEGACY,		/* no usable TPM: compensating controls */
	DEV_NSTATES
};

enum dev_event {
	DEV_EV_ACTIVATED,	/* AK bound to EK (enrollment finished) */
	DEV_EV_APPROVED,	/* provisioning record found, or an admin */
	DEV_EV_ATTEST_PASS,
	DEV_EV_ATTEST_FAIL,
	DEV_EV_EXPIRED,		/* no good attestation within interval+grace */
	DEV_EV_DECOMMISSION,
};

/* "pending", "trusted", ...; "invalid" for anything else. */
const char *state_name(enum dev_state s);

/* Parses a state name; -1 when unknown, else 0 and *out. */
int state_parse(const char *name, enum dev_state *out);

/*
 * The state after ev, for a device in cur that is (approved != 0) or is
 * not admitted. Decommissioned is terminal; an unadmitted device stays
 * pending; a pass makes an admitted device trusted, a failure untrusted,
 * expiry turns trusted into stale; approval or activation of an admitted
 * device gives stale (it must still attest).
 */
enum dev_state state_next(enum dev_state cur, int approved,
    enum dev_event ev);

#endif
