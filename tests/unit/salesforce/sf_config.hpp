// The salesforce plugin's tests hand create() what the host would: the config completed with
// the schema's defaults (see complete_config.hpp).
#pragma once

#include <string>
#include <string_view>

#include "complete_config.hpp"
#include "config.hpp"

namespace sfplugin {

inline std::string sf_config(std::string_view json) {
  return chost::testing::complete_config(kConfigSchemaJson, json);
}

}  // namespace sfplugin
