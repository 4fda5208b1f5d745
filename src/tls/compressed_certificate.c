/*
 * compressed_certificate.c — the CompressedCertificate message (RFC 8879 §4):
 *
 *   struct {
 *       CertificateCompressionAlgorithm algorithm;      -- uint16: 1 zlib, 2 brotli, 3 zstd
 *       uint24 uncompressed_length;
 *       opaque compressed_certificate_message<1..2^24-1>;
 *   } CompressedCertificate;
 *
 * The decompressed bytes are the body of a TLS 1.3 Certificate message
 * (RFC 8446 §4.4.2), read by td_parse_certificate like any other.  RFC 8879
 * §3: the extension is TLS 1.3 only, so the message is not decompressed in
 * an older (or not yet negotiated) connection.
 */
#include "tlsdissect/certificate.h"

#include <string.h>

#include "tlsdissect/codepoints.h"
#include "tlsdissect/exact_decompress.h"

static bool codec_of(uint16_t algorithm, enum td_codec *codec)
{
    switch (algorithm) {
    case TD_CERT_COMPRESSION_ZLIB: *codec = TD_CODEC_ZLIB; return true;
    case TD_CERT_COMPRESSION_BROTLI: *codec = TD_CODEC_BROTLI; return true;
    case TD_CERT_COMPRESSION_ZSTD: *codec = TD_CODEC_ZSTD; return true;
    default: return false;
    }
}

int td_parse_compressed_certificate(struct td_parse *p, struct td_cur body, bool tls13,
                                    size_t max_length, struct td_cert_cache *cache,
                                    struct td_compressed_certificate *out)
{
    struct td_cur c = body, data;
    uint32_t declared;
    enum td_codec codec;
    enum td_exact_result r;
    uint8_t *plain;
    size_t produced;

    memset(out, 0, sizeof *out);
    if (!td_cur_u16(&c, &out->algorithm))
        return td_parse_cur_fail(p, &c, "CompressedCertificate.algorithm");
    if (!td_cur_u24(&c, &declared))
        return td_parse_cur_fail(p, &c, "CompressedCertificate.uncompressed_length");
    out->uncompressed_length = declared;
    out->has_header = true;
    if (!td_cur_vec(&c, 3, 1, 0xffffff, 1, &data))
        return td_parse_cur_fail(p, &c, "CompressedCertificate.compressed_certificate_message");
    out->compressed_length = td_cur_remaining(&data);
    if (td_cur_declared(&c))
        td_parse_fail(p, TD_ANOM_BAD_LENGTH,
                      "CompressedCertificate: %zu bytes after compressed_certificate_message",
                      td_cur_declared(&c));
    if (!tls13)
        return td_parse_fail(p, TD_ANOM_UNEXPECTED_MESSAGE,
                             "CompressedCertificate outside TLS 1.3 (RFC 8879 §3): not decompressed");
    if (!codec_of(out->algorithm, &codec))
        return td_parse_fail(p, TD_ANOM_CERTIFICATE_UNPARSED,
                             "CompressedCertificate.algorithm: 0x%04x is not zlib, brotli or zstd",
                             out->algorithm);
    if (declared > max_length) {
        /* a limit of this program, not a fault of the message: fields stay good */
        td_parse_fail(p, TD_ANOM_LIMIT_REACHED,
                      "CompressedCertificate.uncompressed_length: %zu bytes, over the handshake "
                      "message limit of %zu; not decompressed", out->uncompressed_length, max_length);
        return 0;
    }
    plain = td_arena_alloc(p->arena, declared ? declared : 1);
    if (plain == NULL)
        return td_parse_fail(p, TD_ANOM_OUT_OF_MEMORY,
                             "no memory for a certificate of %zu bytes", out->uncompressed_length);
    r = td_decompress_exact(codec, td_cur_ptr(&data), out->compressed_length, plain, declared,
                            &produced);
    /* a stream longer or shorter than declared: uncompressed_length lies */
    if (r == TD_EXACT_TOO_SHORT)
        return td_parse_fail(p, TD_ANOM_BAD_LENGTH,
                             "CompressedCertificate.compressed_certificate_message: %s (%zu of %zu bytes)",
                             td_exact_result_text(r), produced, out->uncompressed_length);
    if (r == TD_EXACT_TOO_LONG)
        return td_parse_fail(p, TD_ANOM_BAD_LENGTH,
                             "CompressedCertificate.compressed_certificate_message: %s of %zu "
                             "bytes; stopped there", td_exact_result_text(r), out->uncompressed_length);
    if (r == TD_EXACT_NO_MEMORY)
        return td_parse_fail(p, TD_ANOM_OUT_OF_MEMORY,
                             "CompressedCertificate.compressed_certificate_message: %s",
                             td_exact_result_text(r));
    if (r != TD_EXACT_OK)
        return td_parse_fail(p, TD_ANOM_CERTIFICATE_UNPARSED,
                             "CompressedCertificate.compressed_certificate_message: %s "
                             "(uncompressed_length %zu)", td_exact_result_text(r),
                             out->uncompressed_length);
    out->decompressed = true;
    return td_parse_certificate(p, td_cur_make(plain, declared), true, cache, &out->certificate);
}
