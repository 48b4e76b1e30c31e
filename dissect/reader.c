/* dissect/reader.c - result code names (the reader itself is inline in reader.h). */
#include "dissect/reader.h"

#include "dissect/rc.h"

const char *
sd_rc_name(enum sd_rc rc)
{
	switch (rc) {
	case SD_OK:
		return "ok";
	case SD_NEED_MORE:
		return "need_more";
	case SD_TRUNCATED:
		return "truncated";
	case SD_MALFORMED:
		return "malformed";
	case SD_UNSUPPORTED:
		return "unsupported";
	case SD_ENOMEM:
		return "enomem";
	}
	return "unknown";
}
