// Builds HostSettings from the validated, default-filled `host:` JSON object.
#pragma once

#include <boost/json/value.hpp>

#include <filesystem>

#include "chost/config/host_config.hpp"

namespace chost::config {

// `host` has passed the host schema, so every key it reads is present and well-typed.
// Relative paths are resolved against `base_dir` (the YAML file's directory).
HostSettings host_settings_from_json(const boost::json::value& host,
                                     const std::filesystem::path& base_dir);

// A path from the file, made absolute against `base_dir` when relative (the rule for every
// path in `host:`).
std::filesystem::path absolute_from(const std::filesystem::path& base_dir, const std::string& p);

}  // namespace chost::config
