/*
 * decompress.h — compressed capture files read as they are, as tshark does:
 * gzip (RFC 1952, zlib), Zstandard (RFC 8878, libzstd) and xz (liblzma),
 * told by their magic bytes, decompressed as a stream into a FILE that
 * libpcap reads with pcap_fopen_offline.
 */
#ifndef TLSDISSECT_DECOMPRESS_H
#define TLSDISSECT_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum td_compression { TD_COMPRESSION_NONE, TD_COMPRESSION_GZIP, TD_COMPRESSION_ZSTD, TD_COMPRESSION_XZ };

/* What the first bytes of a file say it is compressed with. */
enum td_compression td_compression_of(const uint8_t *head, size_t n);
const char *td_compression_name(enum td_compression c);

/*
 * A FILE that reads the decompressed bytes of src, whose first prefix_len
 * bytes were already read into prefix (TD_COMPRESSION_NONE: those bytes and
 * the rest as they are, for a pipe that was peeked at).  src must be
 * unbuffered: it is read with read(2).  Closing the FILE closes src.  NULL
 * when out of memory.  A stream that does not decompress reads as an error.
 */
FILE *td_decompress_open(FILE *src, enum td_compression c, const uint8_t *prefix, size_t prefix_len);

#endif
