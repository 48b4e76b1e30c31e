/* analyze/ike_text.h - IKE facts as the rules name them. */
#ifndef SD_ANALYZE_IKE_TEXT_H
#define SD_ANALYZE_IKE_TEXT_H

#include <stddef.h>

struct sd_ike_msg;

/* The SA payload's transforms of a message by name: "#1 ENCR_AES_CBC-128 PRF_HMAC_SHA2_256
 * ... | #2 ...", or "(none in clear)". */
void	sd_ike_offer_text(const struct sd_ike_msg *, char *buf, size_t n);

#endif /* SD_ANALYZE_IKE_TEXT_H */
