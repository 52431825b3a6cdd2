/* cli_prov.h: wardgate device import (cli_prov.c). */
#ifndef WG_CLI_PROV_H
#define WG_CLI_PROV_H

/*
 * wardgate device import FILE [--format csv|json]: checks a maker's batch
 * of provisioning records (lib/provfile.h), every bad row reported by
 * line and nothing sent if any is bad, then sends all of them in one
 * request (POST /admin/v1/provision/batch, applied all or nothing).
 */
int cmd_device_import(int argc, char **argv);

#endif
