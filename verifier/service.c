/*
 * service.c: field-service windows and legacy devices (docs/enforcement.md,
 * "Field service"). Work in progress: only the reconciliation hook the
 * enforcer client calls exists so far.
 */
#include "config.h"

#include "gateway.h"

void
service_reconcile(struct gw *gw)
{
	(void)gw;
}
