// Names that become parts of SQL identifiers (namespaces = connector instance names, and
// collection names) are validated here so that nothing else has to think about injection.
#pragma once

#include <string>
#include <string_view>

#include "chost/common/result.hpp"

namespace chost::store {

// Longest namespace or collection name accepted; keeps table names readable and bounded.
inline constexpr size_t kMaxIdentifierChars = 64;

// OK when `name` is 1..kMaxIdentifierChars of [A-Za-z0-9_-]. `what` names the thing in the
// error ("namespace", "collection").
Status validate_identifier(std::string_view what, std::string_view name);

// `mirror_<ns>_<collection>` with '-' mapped to '_', after validating both parts. Unquoted:
// use quote_identifier() when splicing it into SQL.
Result<std::string> mirror_table_name(std::string_view ns, std::string_view collection);

// `view_<ns>_<collection>`, named like its mirror table: the typed view a plugin asks for by
// writing kv `mirror-columns/<collection>` (see kMirrorColumnsKeyPrefix).
Result<std::string> mirror_view_name(std::string_view ns, std::string_view collection);

// A kv key `mirror-columns/<collection>` whose value is a JSON object {"Field": "type", ...}
// (type: text | real | integer | boolean) makes the transaction that writes it (re)create the
// view `view_<ns>_<collection>`: id, is_deleted (0/1), updated_at_ms, then one typed column
// per field, read from the mirrored JSON. The SDK documents it (sdk/README.md).
inline constexpr std::string_view kMirrorColumnsKeyPrefix = "mirror-columns/";

// Double-quoted SQL identifier. Only for names that passed validate_identifier (they cannot
// contain a quote), but embedded quotes are doubled anyway as a second line of defence.
std::string quote_identifier(std::string_view name);

}  // namespace chost::store
