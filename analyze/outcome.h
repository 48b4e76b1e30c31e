/* analyze/outcome.h - what became of a TLS/DTLS connection after the server's flight: one
 * reading of the events shared by the trust and interception rules, so that a connection
 * one finding calls refused is never counted as a success by another. */
#ifndef SD_ANALYZE_OUTCOME_H
#define SD_ANALYZE_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/event.h"

struct sd_finding;

enum sd_outcome {
	SD_OUTCOME_UNKNOWN,	/* nothing shows whether the client went on */
	SD_OUTCOME_ACCEPTED,	/* the handshake finished: the client went past the certificate */
	SD_OUTCOME_REFUSED,	/* the client's fatal alert, or its reset or close right after */
	SD_OUTCOME_FAILED,	/* the server's fatal alert or reset: it failed, not the client */
	SD_OUTCOME_UNDELIVERED,	/* the server's flight never reached the client (the path) */
	SD_OUTCOME_N
};

/* A client that closes or resets within this many seconds of the server's Certificate,
 * without finishing the handshake, refused it; later it may just have given up waiting. */
#define SD_OUTCOME_PROMPT_SEC	1

/*
 * The facts of one connection, fed every event of its flow (sd_outcome_event) from its
 * ClientHello on.  Plain data: a rule keeps it in its per-flow state.
 */
struct sd_outcome_conn {
	bool		 have_client;
	struct sd_addr	 client;
	uint16_t	 cport;
	bool		 dtls;
	uint16_t	 version;	/* the ServerHello's (supported_versions applied), 0 none */
	uint64_t	 ch_frame, hvr_frame, ch2_frame;	/* DTLS: the cookie exchange */
	uint64_t	 cert_frame;	/* the server's Certificate */
	int64_t		 cert_sec;
	uint64_t	 client_enc_frame;	/* TLS 1.3: the client's protected flight */
	bool		 alert;		/* a cleartext fatal alert (the first) */
	uint8_t		 alert_sender, alert_desc;
	uint64_t	 alert_frame;
	bool		 reset;		/* a TCP reset (the first) */
	uint8_t		 reset_sender;
	uint64_t	 reset_frame;
	int64_t		 reset_sec;
	bool		 ended;		/* the tls.session record came */
	bool		 complete;
	uint64_t	 app_data[2];
	uint8_t		 enc_alert_sender;	/* TLS 1.3: an alert-sized protected record */
	uint64_t	 enc_alert_frame;	/* 0 none */
	uint64_t	 end_frame;
	int64_t		 end_sec;
	bool		 flow_seen;	/* the flow record came: nothing more will */
	bool		 client_fin;
	bool		 undelivered;	/* the server's full-size segments never acknowledged */
	bool		 keylog;	/* TLS 1.3 messages of it were read with a key log */
};

/*
 * Feed one event of the connection's flow.  The client is the ClientHello's sender; a
 * connection picked up after it (mid-stream) gets have_client, client and cport set by
 * the caller from the server's Certificate.
 */
void		 sd_outcome_event(struct sd_outcome_conn *, const struct sd_event *);
/* Has the client been heard from for good (its alert), or has the flow ended? */
bool		 sd_outcome_settled(const struct sd_outcome_conn *);
/*
 * The outcome as the events show it so far, with what shows it ("Unknown CA (48) alert
 * from the client") in what[n] and the frame that shows it in *frame (the alert, reset
 * or, accepted or unknown, the Certificate).
 */
enum sd_outcome	 sd_outcome_judge(const struct sd_outcome_conn *, char *what, size_t n,
		    uint64_t *frame);
const char	*sd_outcome_name(enum sd_outcome);	/* "refused", "accepted", ... */
/* "DTLS 1.2", "TLS 1.3", or "" when no ServerHello told. */
const char	*sd_outcome_version(const struct sd_outcome_conn *, char *buf, size_t n);
/* DTLS: "ClientHello 3, HelloVerifyRequest 4, ClientHello with the cookie 5" or "". */
void		 sd_outcome_hvr_text(const struct sd_outcome_conn *, char *buf, size_t n);
/* DTLS: add the cookie exchange's frames to a finding. */
void		 sd_outcome_hvr_frames(const struct sd_outcome_conn *, struct sd_finding *);

/*
 * The outcomes of the connections one finding groups: a count per outcome with the first
 * few frames and what showed the first, so that a finding over several connections
 * states each outcome ("refused: 1 connection (Unknown CA (48) alert from the client,
 * frame 58)", "accepted: 1 connection (...)"), never only the first connection's.
 */
#define SD_OUTCOME_FRAMES	4
struct sd_outcome_tally {
	uint64_t	 n[SD_OUTCOME_N];
	uint64_t	 frames[SD_OUTCOME_N][SD_OUTCOME_FRAMES];
	uint8_t		 nframes[SD_OUTCOME_N];
	char		 what[SD_OUTCOME_N][96];
	bool		 mixed[SD_OUTCOME_N];	/* later connections showed it otherwise */
	uint64_t	 keylog;	/* connections read with a key log */
};
/* keylog: the connection's messages came from records decrypted with a key log
 * (sd_outcome_conn.keylog): counted, then said by the values and the text. */
void		 sd_outcome_tally_add(struct sd_outcome_tally *, enum sd_outcome,
		    const char *what, uint64_t frame, bool keylog);
/* One value per outcome seen, named by sd_outcome_name (refused first). */
void		 sd_outcome_tally_values(const struct sd_outcome_tally *, struct sd_finding *);
/* One outcome: "1 connection, refused: Unknown CA (48) alert from the client"; several:
 * "refused on 1 connection, accepted on 1". */
void		 sd_outcome_tally_text(const struct sd_outcome_tally *, char *buf, size_t n);
uint64_t	 sd_outcome_tally_total(const struct sd_outcome_tally *);

#endif /* SD_ANALYZE_OUTCOME_H */
