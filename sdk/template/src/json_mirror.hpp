// JsonMirror: the template connector. Each sync fetches a JSON list from a configured HTTP
// URL through the host, mirrors every item as a record, and keeps a checkpoint (the newest
// `updated_at` seen) so the next run only asks for what changed. Copy this directory,
// rename the class and kInfo.name, and replace sync() with your API's logic.
#ifndef JSON_MIRROR_JSON_MIRROR_HPP_
#define JSON_MIRROR_JSON_MIRROR_HPP_

#include <connector_host/sdk/sdk.hpp>

#include <cstdint>
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
    "updated_field": {"type": "string", "default": "updated_at", "description": "Monotonic string field used as the checkpoint; sent back as ?since="},
    "api_token": {"type": "string", "x-secret": true, "description": "Optional bearer token"},
    "max_pages": {"type": "integer", "minimum": 1, "default": 100}
  }
})json";

class JsonMirror : public chp::Connector {
 public:
  static constexpr chp::PluginInfo kInfo{"json-mirror", "1.0.0",
                                         "Mirrors a JSON list served over HTTP (SDK template)",
                                         kSchemaJson, 0};

  // Throws chp::ConfigError naming the field when the config is unusable.
  JsonMirror(chp::Context& ctx, const boost::json::object& config);

  void disable(chp::Call& call, const boost::json::object& input) override;
  void sync(chp::Call& call, const boost::json::object& input) override;

  static constexpr const char* kCheckpointKey = "checkpoint";

 private:
  // Fetches one page and mirrors it with the advanced checkpoint in one transaction.
  // Returns the next page URL, if any.
  std::optional<std::string> sync_page(chp::Call& call, const std::string& url,
                                       std::string& checkpoint, std::int64_t& mirrored_records);

  chp::Context& ctx_;
  std::string url_;
  std::string collection_;
  std::string id_field_;
  std::string updated_field_;
  std::optional<std::string> api_token_;
  std::int64_t max_pages_;
};

}  // namespace json_mirror

#endif  // JSON_MIRROR_JSON_MIRROR_HPP_
