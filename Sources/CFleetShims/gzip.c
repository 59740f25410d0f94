// gzip (RFC 1952) through zlib, for the probe's command line (see ProbeCommand in FleetPortsScan).
#include "CFleetShims.h"
#include <zlib.h>

long cfleet_gzip(const unsigned char *bytes, size_t length, int level, unsigned char *out, size_t capacity) {
  z_stream stream = {0};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
  stream.next_in = (Bytef *)bytes;
  stream.avail_in = (uInt)length;
  stream.next_out = out;
  stream.avail_out = (uInt)capacity;
  int status = deflate(&stream, Z_FINISH);
  long written = (long)stream.total_out;
  deflateEnd(&stream);
  return status == Z_STREAM_END ? written : -1;
}

size_t cfleet_gzip_bound(size_t length) {
  // deflateBound for zlib's wrapper plus the gzip header and trailer's extra 12 bytes.
  return (size_t)compressBound((uLong)length) + 32;
}
