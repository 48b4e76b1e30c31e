/* cli/opts.h - the command line: options, --help, exit statuses. */
#ifndef SD_CLI_OPTS_H
#define SD_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/finding.h"
#include "analyze/rules.h"

#ifndef SD_VERSION
#define SD_VERSION "0.0.0"
#endif

#define SD_EXIT_OK		0
#define SD_EXIT_FINDINGS	1
#define SD_EXIT_ERROR		2

struct opts {
	bool		 events, json, quiet, no_ndpi, verbose, merge;
	int		 progress;	/* -1 auto (TTY), 0 off, 1 on */
	int		 color;		/* -1 auto, 0 never, 1 always */
	bool		 fail_on_set;
	enum sd_sev	 fail_on;
	const char	*iface, *bpf;	/* iface: the first -i (live mode when set) */
#define SD_MAX_IFACES	16
	const char	*ifaces[SD_MAX_IFACES];	/* every -i, one capture each, one engine */
	int		 nifaces;
	uint64_t	 count;		/* stop after this many packets (files: of each file; 0 no limit) */
	double		 duration;	/* live: seconds of wall clock; files: of capture time */
	const char	*out_file;	/* -o: findings as JSON Lines, as decided */
	const char	*user;		/* -Z: drop root for this user before reading */
	const char	*redis, *redis_stream, *sensor;	/* --redis URL, its stream, --sensor-name */
	size_t		 redis_queue;	/* --redis-queue: records kept while Redis is away */
	int		 stats_sec;	/* --stats: -1 default (60 live, 0 files) */
	size_t		 memcap;
	uint32_t	 max_flows;
#define SD_MAX_WORKERS	16
	unsigned	 workers;	/* --workers: analysis threads (0, 1: the reading thread) */
#define SD_MAX_GEOIP	8
	const char	*geoip[SD_MAX_GEOIP];	/* --geoip FILE, each; none: the standard places */
	int		 ngeoip;
	bool		 no_geoip;		/* --no-geoip */
	bool		 sessions;		/* --sessions */
	const char	*evidence;		/* --evidence DIR */
	bool		 force;			/* --force: overwrite evidence files */
	const char	*report;		/* --report FILE.html|FILE.md */
#define SD_MAX_KEYLOGS	16
	const char	*keylog[SD_MAX_KEYLOGS];	/* --keylog FILE, each */
	int		 nkeylog;
	struct sd_rules_opts rules;
};

/* --help on f. */
void	sd_cli_usage(FILE *f);
/*
 * Parse the command line into o: the index of the first file, or -1 after a message on
 * stderr (a usage error).  --help and --version print and exit.
 */
int	sd_cli_parse_args(int argc, char **argv, struct opts *o);

#endif /* SD_CLI_OPTS_H */
