/* cli/out_redis.h - findings, updates and statistics to a Redis stream (--redis). */
#ifndef SD_CLI_OUT_REDIS_H
#define SD_CLI_OUT_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sd_redis;

/* url: redis://[[user]:password@]host[:port][/db]; key: the stream; queue: records kept
 * while the server is away.  NULL with err on a malformed URL.  Connects lazily. */
struct sd_redis	*sd_redis_new(const char *url, const char *key, size_t queue,
		    const char *sensor, bool quiet, char *err, size_t errlen);
/* Queue one record (the JSON line as --json prints it) and send what the server takes. */
void		 sd_redis_push(struct sd_redis *, const char *json, size_t len,
		    const char *kind, const char *severity);
/* Try again to send what is queued (a timer calls it; the end calls it once more). */
void		 sd_redis_flush(struct sd_redis *);
void		 sd_redis_counts(const struct sd_redis *, uint64_t *sent, uint64_t *queued,
		    uint64_t *dropped);
void		 sd_redis_free(struct sd_redis *);

#endif /* SD_CLI_OUT_REDIS_H */
