// HTTP response compression for the peers (RFC 9110 §8.4 and §12.5.3): whether a request's
// Accept-Encoding accepts gzip, and gzip-encoding a response body in place (Content-Encoding:
// gzip, Vary: Accept-Encoding) the way the real services do when asked.
#pragma once

#include <string>
#include <string_view>

#include "chpeer/http_types.h"

namespace chpeer {

// True when `accept_encoding` lists gzip (or x-gzip, or `*` without an explicit gzip) with a
// q-value above 0. Codings are case-insensitive; "gzip;q=0" refuses gzip.
bool AcceptsGzip(std::string_view accept_encoding);

// The gzip member (RFC 1952) of `data`.
std::string Gzip(std::string_view data);

// Compresses `response`'s body when `request` accepts gzip, the body is not empty and not
// already encoded. Always adds Vary: Accept-Encoding to a response with a body, so caches keep
// the two forms apart.
void MaybeGzip(const Request& request, Response& response);

}  // namespace chpeer
