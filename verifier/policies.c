/*
 * policies.c: the gateway's golden firmware policies. Issuer keys come
 * from policy_issuers (ISSUER.pem, a public key per trusted issuer); the
 * installed bundles come from the store, each checked again against its
 * issuer's key at start. An install is verified (issuer known, signature
 * good, version above the installed one), stored with its audit row, and
 * takes the place of that issuer's older bundle in memory.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/pem.h>

#include "gateway.h"
#include "policy.h"

#define POLICY_ISSUERS_MAX 64

struct gw_issuer {
	char name[POLICY_NAME_LEN];
	EVP_PKEY *key;
};

struct gw_policies {
	size_t nissuers;
	struct gw_issuer issuer[POLICY_ISSUERS_MAX];
	size_t n;
	struct policy *p[POLICY_ISSUERS_MAX];	/* the newest per issuer */
};

static EVP_PKEY *
policies_issuer_key(const struct gw_policies *ps, const char *issuer)
{
	size_t i;

	for (i = 0; i < ps->nissuers; i++)
		if (strcmp(ps->issuer[i].name, issuer) == 0)
			return ps->issuer[i].key;
	return NULL;
}

/* Reads DIR/ISSUER.pem for every issuer; a missing dir means none. */
static int
policies_load_issuers(struct gw_policies *ps, const char *dir,
    struct wg_diag *d)
{
	DIR *dp;
	struct dirent *e;
	char path[CONF_PATH_MAX + 300];
	int r = 0;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(dp)) != NULL) {
		size_t n = strlen(e->d_name);
		struct gw_issuer *is;
		BIO *b;

		if (n <= 4 || strcmp(e->d_name + n - 4, ".pem") != 0 ||
		    e->d_name[0] == '.')
			continue;
		if (ps->nissuers == POLICY_ISSUERS_MAX || n - 4 >= POLICY_NAME_LEN) {
			r = wg_diag_set(d, WG_ERR_CONFIG, "%s: too many issuers "
			    "or a name too long", dir);
			break;
		}
		is = &ps->issuer[ps->nissuers];
		memcpy(is->name, e->d_name, n - 4);
		is->name[n - 4] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((b = BIO_new_file(path, "r")) != NULL) {
			is->key = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
			BIO_free(b);
		}
		if (is->key == NULL) {
			r = wg_diag_set(d, WG_ERR_CONFIG,
			    "%s: not a PEM public key", path);
			break;
		}
		ps->nissuers++;
	}
	closedir(dp);
	return r;
}

/* Puts p in place of its issuer's older bundle (takes it over). */
static void
policies_set(struct gw_policies *ps, struct policy *p)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		if (strcmp(ps->p[i]->issuer, p->issuer) == 0) {
			policy_free(ps->p[i]);
			ps->p[i] = p;
			return;
		}
	}
	if (ps->n == POLICY_ISSUERS_MAX) {
		policy_free(p);
		return;
	}
	/*
	 * Kept in issuer-name order, whenever installed: when two issuers
	 * list a model, the same one applies before and after a restart.
	 */
	for (i = ps->n; i > 0 && strcmp(ps->p[i - 1]->issuer, p->issuer) > 0;
	    i--)
		ps->p[i] = ps->p[i - 1];
	ps->p[i] = p;
	ps->n++;
}

/* Verifies and parses one bundle; *out is new on success. */
static int
policies_check(const struct gw_policies *ps, const uint8_t *bundle,
    size_t len, const uint8_t *sig, size_t siglen, struct policy **out,
    struct wg_diag *d)
{
	struct policy *p = NULL;
	EVP_PKEY *key;
	int r;

	if ((r = policy_parse((const char *)bundle, len, &p, d)) != 0)
		return r;
	if ((key = policies_issuer_key(ps, p->issuer)) == NULL) {
		r = wg_diag_set(d, WG_ERR_POLICY_ISSUER, "issuer \"%s\" has no "
		    "key in policy_issuers", p->issuer);
		policy_free(p);
		return r;
	}
	if ((r = policy_verify(bundle, len, sig, siglen, key, d)) != 0) {
		policy_free(p);
		return r;
	}
	*out = p;
	return 0;
}

struct load_arg {
	struct gw_policies *ps;
	int failures;
};

static int
policies_load_cb(const struct store_policy *sp, void *arg)
{
	struct load_arg *a = arg;
	struct policy *p = NULL;
	struct wg_diag d;

	int r;

	wg_diag_clear(&d);
	if ((r = policies_check(a->ps, sp->bundle, sp->bundle_len, sp->sig,
	    sp->sig_len, &p, &d)) == 0 && p->version != sp->version)
		r = wg_diag_set(&d, WG_ERR_POLICY, "the bundle says version "
		    "%llu", (unsigned long long)p->version);
	if (r != 0) {
		/* Kept in the store for audit, but never used. */
		fprintf(stderr, "wardgated: installed policy of %s version %llu "
		    "is not used: %s\n", sp->issuer,
		    (unsigned long long)sp->version, d.detail);
		policy_free(p);
		a->failures++;
		return 0;
	}
	policies_set(a->ps, p);
	return 0;
}

int
policies_init(struct gw *gw, struct wg_diag *d)
{
	struct load_arg a;
	int r;

	if ((gw->policies = calloc(1, sizeof(*gw->policies))) == NULL)
		return wg_diag_set(d, WG_ERR_ALLOC, "policies");
	if ((r = policies_load_issuers(gw->policies, gw->conf.policy_issuers,
	    d)) != 0)
		return r;
	memset(&a, 0, sizeof(a));
	a.ps = gw->policies;
	return store_policy_each(gw->store, policies_load_cb, &a, d);
}

void
policies_free(struct gw *gw)
{
	size_t i;

	if (gw->policies == NULL)
		return;
	for (i = 0; i < gw->policies->nissuers; i++)
		EVP_PKEY_free(gw->policies->issuer[i].key);
	for (i = 0; i < gw->policies->n; i++)
		policy_free(gw->policies->p[i]);
	free(gw->policies);
	gw->policies = NULL;
}

const struct policy_model *
policies_model(const struct gw *gw, const char *model,
    const struct policy **from)
{
	const struct policy_model *m;
	size_t i;

	if (gw->policies == NULL || model == NULL || *model == '\0')
		return NULL;
	for (i = 0; i < gw->policies->n; i++) {
		if ((m = policy_model_find(gw->policies->p[i], model)) != NULL) {
			if (from != NULL)
				*from = gw->policies->p[i];
			return m;
		}
	}
	return NULL;
}

int
policies_install(struct gw *gw, const uint8_t *bundle, size_t len,
    const uint8_t *sig, size_t siglen, const char *actor,
    const struct policy **out, struct wg_diag *d)
{
	struct store_policy sp;
	struct store_audit au;
	struct policy *p = NULL;
	char detail[POLICY_NAME_LEN + 64];
	int r;

	if ((r = policies_check(gw->policies, bundle, len, sig, siglen, &p,
	    d)) != 0)
		return r;
	memset(&sp, 0, sizeof(sp));
	snprintf(sp.issuer, sizeof(sp.issuer), "%s", p->issuer);
	sp.version = p->version;
	sp.bundle = bundle;
	sp.bundle_len = len;
	sp.sig = sig;
	sp.sig_len = siglen;
	sp.installed_at = gw_now();
	snprintf(sp.installed_by, sizeof(sp.installed_by), "%s", actor);
	snprintf(detail, sizeof(detail), "%s version %llu, %zu model(s)",
	    p->issuer, (unsigned long long)p->version, p->nmodels);
	memset(&au, 0, sizeof(au));
	au.at = gw_now();
	au.actor = actor;
	au.action = "policy install";
	au.detail = detail;
	gw_flush(gw);
	if ((r = store_begin(gw->store, d)) != 0)
		goto out;
	if ((r = store_policy_add(gw->store, &sp, d)) != 0 ||
	    (r = store_audit_add(gw->store, &au, d)) != 0 ||
	    (r = store_commit(gw->store, d)) != 0) {
		store_rollback(gw->store);
		goto out;
	}
	policies_set(gw->policies, p);
	*out = p;
	p = NULL;
out:
	policy_free(p);
	return r;
}

struct json_object *
policies_json(const struct gw *gw)
{
	struct json_object *a = json_object_new_array();
	size_t i, m;

	for (i = 0; gw->policies != NULL && i < gw->policies->n; i++) {
		const struct policy *p = gw->policies->p[i];
		struct json_object *o = json_object_new_object(), *ms;

		json_object_object_add(o, "issuer",
		    json_object_new_string(p->issuer));
		json_object_object_add(o, "version",
		    json_object_new_int64((int64_t)p->version));
		ms = json_object_new_array();
		for (m = 0; m < p->nmodels; m++) {
			struct json_object *mo = json_object_new_object();
			struct json_object *rs = json_object_new_array();
			size_t k;

			json_object_object_add(mo, "model",
			    json_object_new_string(p->models[m].model));
			for (k = 0; k < p->models[m].nrel; k++)
				json_object_array_add(rs, json_object_new_string(
				    p->models[m].rel[k].release));
			json_object_object_add(mo, "releases", rs);
			json_object_array_add(ms, mo);
		}
		json_object_object_add(o, "models", ms);
		json_object_array_add(a, o);
	}
	return a;
}

/* The trusted key of issuer (evidence export), or NULL. Borrowed. */
EVP_PKEY *
policies_issuer_key_get(const struct gw *gw, const char *issuer)
{
	if (gw->policies == NULL || issuer == NULL)
		return NULL;
	return policies_issuer_key(gw->policies, issuer);
}
