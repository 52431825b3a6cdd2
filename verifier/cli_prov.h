/* cli_prov.h: wardgate device import (cli_prov.c). */
#ifndef WG_CLI_PROV_H
#define WG_CLI_PROV_H

/*
 * wardgate device import FILE [--format csv|json] [--replace]: checks a
 * maker's batch of provisioning records (lib/provfile.h), every bad row
 * reported by line and nothing sent if any is bad, then sends all of them
 * in one request (POST /admin/v1/provision/batch[?replace=1], applied all
 * or nothing); the gateway's conflicts with stored records are reported
 * by line too.
 */
int cmd_device_import(int argc, char **argv);

#endif
