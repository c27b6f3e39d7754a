// The message layer over valijson: each error it reports becomes the host's message for that
// keyword ("expected integer, got string \"lots\"", "unknown key 'shedule'; did you mean
// 'schedule'?"), with the values the schema names, at the instance pointer the YAML loader has a
// position for, in the order the schema's keywords read.
#pragma once

#include <boost/json/value.hpp>

#include <functional>
#include <string>
#include <vector>

#include "json_schema.hpp"
#include "schema_compile.hpp"
#include "schema_walk.hpp"

namespace chost::config {

// Whether the value at an instance pointer must not be echoed.
using HiddenAt = std::function<bool(const std::string& pointer)>;

// Translates `errors` (from validating `instance` against the schema at `start` of `set`).
// Wrapper errors ("failed to validate property 'x'") are dropped: the leaf errors say it.
std::vector<SchemaIssue> translate_errors(SchemaSet& set, const SchemaAt& start,
                                          const boost::json::value& instance,
                                          const std::vector<RawError>& errors,
                                          const HiddenAt& hidden);

}  // namespace chost::config
