/*
 * agent.h: what the agent does: keep an AK, enroll once, attest.
 *
 * Functions return an exit class (enum agent_exit) after logging what
 * went wrong with its reason code; wardgate-agent.c turns the class into
 * the exit status (--once) or a retry (the loop).
 */
#ifndef WG_AGENT_AGENT_H
#define WG_AGENT_AGENT_H

#include <stdint.h>

#include "client.h"
#include "conf.h"
#include "statedir.h"
#include "tpm.h"

/* Exit status of wardgate-agent (wardgate-agent(8), EXIT STATUS). */
enum agent_exit {
	AGENT_EXIT_OK = 0,	/* attested and passed; or the command worked */
	AGENT_EXIT_REFUSED = 1,	/* verdict fail, or the gateway refused
				   the device (decommissioned, EK ...) */
	AGENT_EXIT_USAGE = 2,	/* usage, configuration, state directory,
				   unreadable event log */
	AGENT_EXIT_TPM = 3,	/* the TPM failed or lacks what is needed */
	AGENT_EXIT_GATEWAY = 4,	/* gateway unreachable or protocol error */
};

struct agent {
	const struct conf *conf;	/* borrowed */
	const char *tcti;		/* borrowed; NULL: the default TCTI */
	struct client *client;		/* owned; made by the first round */
	struct agent_state st;
};

/* The outcome of one round, beyond its exit class. */
struct agent_result {
	int evidence;		/* the gateway appraised evidence */
	int pass;		/* ... and its verdict was pass */
	int stop;		/* the gateway refuses this device for good */
	uint32_t next;		/* seconds until the next round it asks for */
	int rotate;		/* the gateway asks for a new AK */
};

/*
 * Prepares the state directory and loads the saved state. Returns an
 * exit class; a free with agent_cleanup is needed either way.
 */
int agent_init(struct agent *a, const struct conf *c);
void agent_cleanup(struct agent *a);

/*
 * Makes sure the state holds an AK: checks a saved one against the
 * configured kinds, or creates one under the EK (and saves it).
 */
int agent_ensure_ak(struct agent *a, struct tpm *t);

/*
 * One round: open the TPM, make sure of the AK, enroll when the state
 * holds no device id, then challenge -> quote -> evidence. *res says
 * what happened.
 */
int agent_round(struct agent *a, struct agent_result *res);

#endif
