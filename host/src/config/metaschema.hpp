// The meta-schema plugin schemas are checked against (see metaschema.cpp).
#pragma once

namespace chost::config {

inline constexpr const char* kDraft07Uri = "http://json-schema.org/draft-07/schema#";

// JSON text: draft-07's meta-schema with the host's rules.
const char* host_metaschema_json();

}  // namespace chost::config
