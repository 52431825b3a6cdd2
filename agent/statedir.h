/*
 * statedir.h: the agent's state directory.
 *
 * One file, DIR/agent.state, holds everything the agent must remember:
 * the EK kind, the AK's TPM2B_PUBLIC and TPM2B_PRIVATE (hex, as
 * Tss2_MU marshals them) and, once enrolled, the device id the gateway
 * assigned. It is replaced atomically (temporary file, fsync, rename,
 * fsync of the directory), so a crash leaves the old state or the new
 * one, never a mixture.
 */
#ifndef WG_AGENT_STATEDIR_H
#define WG_AGENT_STATEDIR_H

#include <stddef.h>
#include <sys/types.h>

#include "tpm.h"
#include "wg_err.h"
#include "wire.h"

#define STATEDIR_FILE "agent.state"

struct agent_state {
	int has_ak;			/* ak is valid */
	struct tpm_ak ak;
	char device_id[WIRE_ID_LEN];	/* "" until enrolled */
};

/*
 * Makes sure dir exists as a directory of this user that only this user
 * can access: creates it 0700 (its parent must exist), tightens the mode
 * of an existing one. WG_ERR_IO / WG_ERR_CONFIG otherwise.
 */
int statedir_prepare(const char *dir, struct wg_diag *d);

/*
 * Reads DIR/agent.state into *st. A missing file is an empty state
 * (has_ak 0, no device id) and success. WG_ERR_FORMAT for a damaged file
 * (d names the line).
 */
int statedir_load(const char *dir, struct agent_state *st, struct wg_diag *d);

/* Writes *st to DIR/agent.state atomically, mode 0600. */
int statedir_save(const char *dir, const struct agent_state *st,
    struct wg_diag *d);

/*
 * Writes len bytes to DIR/NAME atomically with the given mode (temporary
 * file in DIR, fsync, rename, fsync of DIR).
 */
int statedir_write(const char *dir, const char *name, const void *buf,
    size_t len, mode_t mode, struct wg_diag *d);

#endif
