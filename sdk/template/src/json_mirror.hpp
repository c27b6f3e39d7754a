// JsonMirror: the template connector. Each sync pages a JSON list served over HTTP through the
// host and mirrors every item as a record; chp::IncrementalStream keeps the cursor (the newest
// `updated_at` seen) so the next run only asks for what changed. Copy this directory, rename the
// class and kInfo.name, and describe your API in the StreamSpec.
#ifndef JSON_MIRROR_JSON_MIRROR_HPP_
#define JSON_MIRROR_JSON_MIRROR_HPP_

#include <connector_host/sdk/sdk.hpp>

#include <optional>
#include <string>

namespace json_mirror {

// JSON Schema of the `config:` block; the host validates the YAML against it before create.
inline constexpr const char kSchemaJson[] = R"json({
  "type": "object",
  "additionalProperties": false,
  "required": ["url"],
  "properties": {
    "url": {"type": "string", "description": "http(s) URL returning a JSON array, or an object with \"items\" (and optional \"next\" page URL)"},
    "collection": {"type": "string", "default": "items", "description": "Record collection to mirror into"},
    "id_field": {"type": "string", "default": "id"},
    "updated_field": {"type": "string", "default": "updated_at", "description": "Monotonic string field used as the cursor; sent back as ?since="},
    "api_token": {"type": "string", "x-secret": true, "description": "Optional bearer token"},
    "max_pages": {"type": "integer", "minimum": 1, "default": 100}
  }
})json";

class JsonMirror : public chp::Connector {
 public:
  static constexpr chp::PluginInfo kInfo{"json-mirror", "1.1.0",
                                         "Mirrors a JSON list served over HTTP (SDK template)",
                                         kSchemaJson, 0};

  // Throws chp::ConfigError naming the field when the config is unusable.
  JsonMirror(chp::Context& ctx, const boost::json::object& config);

  void sync(chp::Call& call, const boost::json::object& input) override;

 private:
  chp::Context& ctx_;
  std::string url_;
  std::optional<std::string> api_token_;
  chp::StreamSpec spec_;
};

}  // namespace json_mirror

#endif  // JSON_MIRROR_JSON_MIRROR_HPP_
