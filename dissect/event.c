/* dissect/event.c - names of TCP phases (the event type names are in cli/out_events.c). */
#include "dissect/event.h"

const char *
sd_tcp_phase_name(enum sd_tcp_phase p)
{
	switch (p) {
	case SD_PHASE_SYN_SENT:
		return "syn_sent";
	case SD_PHASE_SYN_ACKED:
		return "established";
	case SD_PHASE_CLIENT_DATA:
		return "client_data";
	case SD_PHASE_DATA:
		return "data";
	case SD_PHASE_CLOSING:
		return "closing";
	case SD_PHASE_MIDSTREAM:
		return "midstream";
	}
	return "unknown";
}
