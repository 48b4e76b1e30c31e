/* dissect/rc.h - result codes shared by every parser (STYLE 3.2). */
#ifndef SD_DISSECT_RC_H
#define SD_DISSECT_RC_H

enum sd_rc {
	SD_OK = 0,
	SD_NEED_MORE,	/* stream parsers: call again with more bytes */
	SD_TRUNCATED,	/* the capture cut it (caplen < wire len): not the peer's fault */
	SD_MALFORMED,	/* breaks the spec: evidence analyze/ may turn into a finding */
	SD_UNSUPPORTED,	/* well-formed, not decoded (unknown version, encrypted, other protocol) */
	SD_ENOMEM,	/* malloc failed or a memcap was reached */
};

const char	*sd_rc_name(enum sd_rc);

#endif /* SD_DISSECT_RC_H */
