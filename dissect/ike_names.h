/* dissect/ike_names.h - names of IKE numbers (IANA registries) and known vendor IDs. */
#ifndef SD_DISSECT_IKE_NAMES_H
#define SD_DISSECT_IKE_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* Each returns a static string, or NULL when the number is unassigned or unknown. */
const char	*sd_ike_exchange_name(uint8_t version, uint8_t exchange);
const char	*sd_ike_payload_name(uint8_t type);
const char	*sd_ike_notify_name(uint8_t version, uint16_t type);
const char	*sd_ike_transform_type_name(uint8_t type);
/* IKEv2 transform id of a given transform type (1 ENCR, 2 PRF, 3 INTEG, 4 DH, 5 ESN). */
const char	*sd_ike_transform_id_name(uint8_t type, uint16_t id);
const char	*sd_ike_dh_group_name(uint16_t group);
/* IKEv1 phase 1 attributes (RFC 2409 App. A) and phase 2 (RFC 2407 §4.5). */
const char	*sd_ike_v1_enc_name(uint16_t);
const char	*sd_ike_v1_hash_name(uint16_t);
const char	*sd_ike_v1_auth_name(uint16_t);
const char	*sd_ike_v1_encap_name(uint16_t);
const char	*sd_ike_v1_auth_alg_name(uint16_t);
const char	*sd_ike_v2_auth_method_name(uint8_t);
const char	*sd_ike_id_type_name(uint8_t);

/*
 * Name of a vendor ID payload by prefix (most are MD5 hashes of a product string,
 * some followed by version bytes), or NULL.  `id` is the payload body.
 */
const char	*sd_ike_vid_name(const uint8_t *id, size_t len);

#endif /* SD_DISSECT_IKE_NAMES_H */
