// The draft-07 meta-schema text (see metaschema.cpp).
#pragma once

namespace chost::config {

inline constexpr const char* kDraft07Uri = "http://json-schema.org/draft-07/schema#";

const char* draft07_metaschema_json();

}  // namespace chost::config
