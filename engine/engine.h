/* analyze/pipe.h - one packet through link, IP, defragmentation, flows, TCP/UDP and apps. */
#ifndef SD_ANALYZE_PIPE_H
#define SD_ANALYZE_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/flow.h"
#include "dissect/defrag.h"
#include "dissect/event.h"

/* A frame as capture/ hands it on (analyze/ does not depend on capture/). */
struct sd_pkt_in {
	uint64_t	 frame;
	int64_t		 sec;
	uint32_t	 nsec;
	uint32_t	 caplen, len;
	int		 linktype;
	uint32_t	 file_index;
	const uint8_t	*data;		/* borrowed for the call */
};

struct sd_pipe_opts {
	struct sd_flow_limits	 flow;
	struct sd_defrag_limits	 defrag;
	size_t			 memcap;	/* bytes held for flows, reassembly, app state; 0: 256 MiB */
	size_t			 stream_buf;	/* per TCP direction buffer cap; 0: 256 KiB */
	bool			 no_ndpi;
	struct sd_ev_sink	 sink;		/* every event goes here */
};

struct sd_pipe_stats {
	uint64_t	 frames, bytes;
	uint64_t	 ipv4, ipv6, non_ip, unsupported_link, truncated, malformed;
	uint64_t	 tunnels;		/* packets decapsulated from VXLAN/GRE/IP-in-IP */
	uint64_t	 fragments, reassembled;
	uint64_t	 tcp, udp, icmp, esp, other;
	uint64_t	 memcap_refused;
	size_t		 memcap_peak;
};

struct sd_pipe;

struct sd_pipe	*sd_pipe_new(const struct sd_pipe_opts *, char *err, size_t errlen);
void		 sd_pipe_packet(struct sd_pipe *, const struct sd_pkt_in *);
/* End of input: every flow ends ("capture_end"), end-of-capture events are written. */
void		 sd_pipe_finish(struct sd_pipe *);
void		 sd_pipe_free(struct sd_pipe *);
const struct sd_pipe_stats *sd_pipe_stats(const struct sd_pipe *);
const struct sd_flow_stats *sd_pipe_flow_stats(const struct sd_pipe *);
const struct sd_defrag_stats *sd_pipe_defrag_stats(const struct sd_pipe *);

#endif /* SD_ANALYZE_PIPE_H */
