/* engine/app.h - application dissectors over flows: TLS/DTLS, IKE, ESP (internal to engine/). */
#ifndef SD_ENGINE_APP_H
#define SD_ENGINE_APP_H

#include <stdint.h>

#include "engine/flow.h"
#include "engine/hooks.h"
#include "dissect/event.h"
#include "dissect/l4.h"
#include "dissect/memcap.h"

/* What the application layer needs about the current packet. */
struct sd_app_pkt {
	uint64_t		 frame;
	int64_t			 sec;
	uint32_t		 nsec;
	uint32_t		 file_index;
	const struct sd_ip	*ip;
	int			 dir;		/* SD_ROLE_* of the sender */
	uint32_t		 ip_fragments;	/* IP fragments the datagram was made of, 0 none */
};

struct sd_app;

/* digest: borrowed, for IKE NAT detection (may be NULL); tls_dec: borrowed, TLS 1.3
 * decryption with a key log (may be NULL: off); max_esp_sas: ESP SAs tracked at once
 * (0: 65536) */
struct sd_app	*sd_app_new(struct sd_memcap *, struct sd_ev_sink, const struct sd_digest_hook *,
		    const struct sd_tls_decrypt_hook *tls_dec, size_t max_esp_sas);
void		 sd_app_free(struct sd_app *);
/* TCP: after the segment went into the flow's stream f->tcp->s[dir]. */
void		 sd_app_tcp(struct sd_app *, struct sd_flow *, const struct sd_app_pkt *,
		    const struct sd_tcp *);
void		 sd_app_udp(struct sd_app *, struct sd_flow *, const struct sd_app_pkt *,
		    const struct sd_udp *);
void		 sd_app_esp(struct sd_app *, struct sd_flow *, const struct sd_app_pkt *,
		    struct sd_rd esp);
/* The flow ends: free its app state (f->app). */
void		 sd_app_flow_end(struct sd_app *, struct sd_flow *);
/*
 * The clock moved (called with every expiry pass, from packets or from the wall clock on
 * an idle link): IKE exchanges nobody answers and one-way ESP tunnels are told now.
 */
void		 sd_app_tick(struct sd_app *, int64_t now_sec);
/* End of capture: write end-of-capture events (ESP SAs). */
void		 sd_app_finish(struct sd_app *);

#endif /* SD_ENGINE_APP_H */
