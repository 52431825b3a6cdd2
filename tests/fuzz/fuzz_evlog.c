/* fuzz_evlog.c: event-log parser, replay and every event-data decoder. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "evlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evlog *log = NULL;
	struct pcr_set *pcrs;
	struct evlog_data x;
	size_t i;

	if (evlog_parse(data, size, NULL, &log, NULL) != 0)
		return 0;
	if ((pcrs = malloc(sizeof(*pcrs))) != NULL) {
		(void)evlog_replay(log, pcrs, NULL);
		free(pcrs);
	}
	for (i = 0; i < log->nevents; i++) {
		memset(&x, 0, sizeof(x));
		(void)evlog_decode(&log->events[i], &x, NULL);
	}
	evlog_free(log);
	return 0;
}
