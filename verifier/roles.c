/*
 * roles.c: who may do what on the admin API. On the UNIX socket a peer's
 * role comes from its credentials (SO_PEERCRED and SO_PEERGROUPS); on the
 * TLS listener (admin_listen) from its verified client certificate's
 * subject CN, never from anything else. role_admin, role_security and
 * role_clinical in wardgated.conf list users, groups and certificate
 * names. A peer in none of them may do nothing; every refused request is
 * an audit row. (A TLS handshake refused for its certificate is only
 * logged: no request reached the API, and an unauthenticated peer must
 * not be able to fill the audit log.)
 *
 *   any role        GET (status, devices, policies, enforcement, reports)
 *   clinical        + clinical holds
 *   security        + policies, advisories, decommissioning
 *   admin           everything
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>

#include "gateway.h"
#include "tls.h"

#define ROLES_MAX_IDS 64
#define ROLES_MAX_GROUPS 256

struct role_ids {
	uid_t uid[ROLES_MAX_IDS];
	size_t nuid;
	gid_t gid[ROLES_MAX_IDS];
	size_t ngid;
	char cn[ROLES_MAX_IDS][TLS_CN_MAX + 1];	/* cert:NAME */
	size_t ncn;
};

struct gw_roles {
	struct role_ids role[3];	/* admin, security, clinical */
};

static const char *const role_key[3] = {
	"role_admin", "role_security", "role_clinical",
};

/*
 * Parses "uid:N gid:N user:NAME group:NAME cert:NAME ..." or "none" into r.
 * A cert: name is checked here (tls_cn_valid) and compared byte for byte
 * with the client certificate's subject CN.
 */
static int
roles_parse(const char *key, const char *list, struct role_ids *r,
    int resolve, struct wg_diag *d)
{
	char buf[512], *tok, *save = NULL, *val, *end;
	unsigned long n;

	memset(r, 0, sizeof(*r));
	if (strcmp(list, "none") == 0)
		return 0;
	if (strlen(list) >= sizeof(buf))
		return wg_diag_set(d, WG_ERR_CONFIG, "%s: too long", key);
	strcpy(buf, list);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		if ((val = strchr(tok, ':')) == NULL || val[1] == '\0')
			goto bad;
		*val++ = '\0';
		if (r->nuid == ROLES_MAX_IDS || r->ngid == ROLES_MAX_IDS ||
		    r->ncn == ROLES_MAX_IDS)
			return wg_diag_set(d, WG_ERR_CONFIG, "%s: more than %d "
			    "users, groups or certificate names", key,
			    ROLES_MAX_IDS);
		if (strcmp(tok, "cert") == 0) {
			if (!tls_cn_valid(val))
				return wg_diag_set(d, WG_ERR_CONFIG, "%s: "
				    "cert:NAME: NAME is 1 to %d of A-Z a-z 0-9 "
				    ". _ @ -", key, TLS_CN_MAX);
			strcpy(r->cn[r->ncn++], val);
		} else if (strcmp(tok, "uid") == 0 || strcmp(tok, "gid") == 0) {
			if (!isdigit((unsigned char)val[0]))
				goto bad;
			errno = 0;
			n = strtoul(val, &end, 10);
			if (errno != 0 || *end != '\0' || n >= 4294967295UL)
				goto bad;
			if (tok[0] == 'u')
				r->uid[r->nuid++] = (uid_t)n;
			else
				r->gid[r->ngid++] = (gid_t)n;
		} else if (strcmp(tok, "user") == 0) {
			struct passwd *pw;

			if (!resolve)
				continue;
			if ((pw = getpwnam(val)) == NULL)
				return wg_diag_set(d, WG_ERR_CONFIG, "%s: no "
				    "user \"%.64s\"", key, val);
			r->uid[r->nuid++] = pw->pw_uid;
		} else if (strcmp(tok, "group") == 0) {
			struct group *gr;

			if (!resolve)
				continue;
			if ((gr = getgrnam(val)) == NULL)
				return wg_diag_set(d, WG_ERR_CONFIG, "%s: no "
				    "group \"%.64s\"", key, val);
			r->gid[r->ngid++] = gr->gr_gid;
		} else
			goto bad;
	}
	return 0;
bad:
	return wg_diag_set(d, WG_ERR_CONFIG, "%s: \"none\" or a list of "
	    "uid:N, gid:N, user:NAME, group:NAME, cert:NAME", key);
}

int
roles_check_conf(const struct conf *c, struct wg_diag *d)
{
	const char *lists[3] = { c->role_admin, c->role_security,
	    c->role_clinical };
	struct role_ids r;
	size_t i;
	int e;

	for (i = 0; i < 3; i++)
		if ((e = roles_parse(role_key[i], lists[i], &r, 0, d)) != 0)
			return e;
	return 0;
}

int
roles_init(struct gw *gw, struct wg_diag *d)
{
	const char *lists[3] = { gw->conf.role_admin, gw->conf.role_security,
	    gw->conf.role_clinical };
	struct gw_roles *r;
	size_t i;
	int e;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "roles");
	for (i = 0; i < 3; i++)
		if ((e = roles_parse(role_key[i], lists[i], &r->role[i], 1,
		    d)) != 0) {
			free(r);
			return e;
		}
	gw->roles = r;
	return 0;
}

void
roles_free(struct gw *gw)
{
	free(gw->roles);
	gw->roles = NULL;
}

static int
has_id(const struct role_ids *r, uid_t uid, const gid_t *gids, size_t ngids)
{
	size_t i, j;

	for (i = 0; i < r->nuid; i++)
		if (r->uid[i] == uid)
			return 1;
	for (i = 0; i < r->ngid; i++)
		for (j = 0; j < ngids; j++)
			if (r->gid[i] == gids[j])
				return 1;
	return 0;
}

/* The roles of the peer of a connected UNIX socket; its actor text. */
static unsigned
roles_of_unix(const struct gw *gw, int fd, char *actor, size_t len)
{
	gid_t gids[ROLES_MAX_GROUPS + 1];
	struct ucred uc;
	socklen_t sl;
	unsigned mask = 0;
	size_t ngids = 0, i;
	int domain;

	sl = sizeof(domain);
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain,
	    &sl) != 0 || domain != AF_UNIX)
		return 0;
	sl = sizeof(uc);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &sl) != 0)
		return 0;
	gids[ngids++] = uc.gid;
	sl = (socklen_t)(ROLES_MAX_GROUPS * sizeof(gid_t));
	/* Supplementary groups; a peer in more than we take is judged by
	 * its uid and primary group only (fail closed). */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gids + 1, &sl) == 0)
		ngids += sl / sizeof(gid_t);
	for (i = 0; i < 3; i++)
		if (has_id(&gw->roles->role[i], uc.uid, gids, ngids))
			mask |= 1u << i;
	snprintf(actor, len, "admin:uid=%u role=%s", (unsigned)uc.uid,
	    roles_name(mask));
	return mask;
}

/* The roles of a TLS peer by its verified certificate; its actor text. */
static unsigned
roles_of_tls(const struct gw *gw, SSL *ssl, char *actor, size_t len)
{
	char cn[TLS_CN_MAX + 1];
	unsigned mask = 0;
	size_t i, j;
	int r;

	if ((r = tls_peer_cn(ssl, cn, sizeof(cn))) == WG_ERR_NOT_FOUND)
		return 0;
	for (i = 0; i < 3 && r == 0; i++)
		for (j = 0; j < gw->roles->role[i].ncn; j++)
			if (strcmp(gw->roles->role[i].cn[j], cn) == 0)
				mask |= 1u << i;
	snprintf(actor, len, "admin:cert=%s role=%s", cn, roles_name(mask));
	return mask;
}

unsigned
roles_of_request(const struct gw *gw, struct evhttp_request *req,
    char *actor, size_t len)
{
	struct evhttp_connection *conn;
	struct bufferevent *bev;
	SSL *ssl;

	snprintf(actor, len, "admin:unknown");
	if (gw->roles == NULL ||
	    (conn = evhttp_request_get_connection(req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(conn)) == NULL)
		return 0;
	/* The listener decides: a TLS connection is judged by its
	 * certificate alone, any other by its UNIX credentials alone. */
	if ((ssl = bufferevent_openssl_get_ssl(bev)) != NULL)
		return roles_of_tls(gw, ssl, actor, len);
	return roles_of_unix(gw, bufferevent_getfd(bev), actor, len);
}

const char *
roles_name(unsigned mask)
{
	if (mask & ROLE_ADMIN)
		return "admin";
	if (mask & ROLE_SECURITY)
		return "security";
	if (mask & ROLE_CLINICAL)
		return "clinical";
	return "none";
}

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

unsigned
roles_required(int is_get, const char *uri)
{
	char path[512];
	size_t n = strcspn(uri, "?");

	if (n >= sizeof(path))
		return ROLE_ADMIN;
	memcpy(path, uri, n);
	path[n] = '\0';
	if (is_get)
		return ROLE_ADMIN | ROLE_SECURITY | ROLE_CLINICAL;
	if (strncmp(path, "/admin/v1/devices/", 18) == 0 &&
	    (ends_with(path, "/hold") || ends_with(path, "/hold/release")))
		return ROLE_ADMIN | ROLE_CLINICAL;
	if (strcmp(path, "/admin/v1/policies") == 0 ||
	    strncmp(path, "/admin/v1/advisories", 20) == 0 ||
	    (strncmp(path, "/admin/v1/devices/", 18) == 0 &&
	    ends_with(path, "/decommission")))
		return ROLE_ADMIN | ROLE_SECURITY;
	return ROLE_ADMIN;
}
