/* cli/sessions.h - --sessions: one JSON line per TLS/DTLS connection and per IKE SA, the
 * view of Zeek's ssl.log (client, server, SNI, versions and suites offered and chosen,
 * certificate summary, JA3/JA4, outcome), written when the connection or SA ends. */
#ifndef SD_CLI_SESSIONS_H
#define SD_CLI_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "dissect/event.h"
#include "dissect/memcap.h"

struct sd_sessions;

/* Where a finished line goes (the same outputs as the findings' JSON lines). */
typedef void	sd_sessions_out_fn(void *ctx, const char *line, size_t len);

/*
 * Per-connection state lives in a flow slot of reg (freed with the flow) and is charged
 * to mc; IKE SAs, which span flows, in a bounded table of their own.  NULL on failure
 * (err says why).
 */
struct sd_sessions	*sd_sessions_new(struct sd_store_reg *reg, struct sd_memcap *mc,
			    const char *const *files, int nfiles, sd_sessions_out_fn *out,
			    void *ctx, char *err, size_t errlen);
void			 sd_sessions_event(struct sd_sessions *, const struct sd_event *);
/* Lines written, and connections not followed because the memory cap refused them. */
void			 sd_sessions_counts(const struct sd_sessions *, uint64_t *written,
			    uint64_t *refused);
void			 sd_sessions_free(struct sd_sessions *);

#endif /* SD_CLI_SESSIONS_H */
