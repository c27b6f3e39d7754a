// JsonMirror: config parsing and the stream that pages the API.
#include "json_mirror.hpp"

#include <string>

namespace json_mirror {

JsonMirror::JsonMirror(chp::Context& ctx, const boost::json::object& config)
    : ctx_(ctx),
      url_(chp::config_require_string(config, "url")),
      api_token_(chp::config_optional_string(config, "api_token")) {
  if (url_.rfind("http://", 0) != 0 && url_.rfind("https://", 0) != 0) {
    throw chp::ConfigError("'url' must be an http:// or https:// URL");
  }
  spec_.name = "items";
  spec_.collection = chp::config_optional_string(config, "collection").value_or("items");
  if (spec_.collection.empty()) throw chp::ConfigError("'collection' must not be empty");
  spec_.max_pages = chp::config_optional_int(config, "max_pages", 100);
  if (spec_.max_pages < 1) throw chp::ConfigError("'max_pages' must be at least 1");
  std::string id_field = chp::config_optional_string(config, "id_field").value_or("id");
  std::string updated_field =
      chp::config_optional_string(config, "updated_field").value_or("updated_at");

  // The first page asks for what changed since the cursor; later ones follow "next" (a URL).
  spec_.request = [this](const chp::StreamPosition& at) {
    chp::http::QueryParams since;
    if (!at.cursor.empty()) since.emplace_back("since", at.cursor);
    chp::http::Request req = chp::http::Request::get(
        at.page_token ? *at.page_token : chp::http::append_query(url_, since));
    req.headers.emplace_back("Accept", "application/json");
    if (api_token_) req.headers.emplace_back("Authorization", "Bearer " + *api_token_);
    return req;
  };
  // A configured token the server refuses is the admin's to fix, not a revoked grant.
  spec_.send = [this](const chp::Call& call, const chp::http::Request& req) {
    chp::http::Response response = ctx_.http(call, req);
    if (response.status == 401 || response.status == 403) {
      throw chp::ConfigError("server refused the credentials (HTTP " +
                             std::to_string(response.status) + "): check 'api_token'");
    }
    return response;
  };
  // A JSON array, or {"items": [...], "next": "<url of the next page>"}.
  spec_.parse_page = [](const chp::http::Response& response) {
    std::optional<boost::json::value> body = chp::try_parse(response.body);
    if (body && body->is_array()) return chp::StreamPage{body->as_array(), std::nullopt};
    const boost::json::value* items =
        body && body->is_object() ? body->as_object().if_contains("items") : nullptr;
    if (items == nullptr || !items->is_array()) {
      throw chp::PermanentError("response has no JSON array of items");
    }
    return chp::StreamPage{items->as_array(), chp::optional_string(body->as_object(), "next")};
  };
  // APIs use numbers as often as strings for ids.
  spec_.record_id = [id_field](const boost::json::object& item) {
    const boost::json::value* v = item.if_contains(id_field);
    if (v != nullptr && v->is_string()) return std::string(v->as_string());
    if (v != nullptr && (v->is_int64() || v->is_uint64())) return boost::json::serialize(*v);
    throw chp::PermanentError("item without a string or integer '" + id_field + "'");
  };
  spec_.record_cursor = [updated_field](const boost::json::object& item) {
    return chp::optional_string(item, updated_field);
  };
}

void JsonMirror::sync(chp::Call& call, const boost::json::object& input) {
  chp::StreamResult result = chp::IncrementalStream(ctx_, spec_).run(call);
  ctx_.metric_add("records_mirrored_total", static_cast<double>(result.changed));
  ctx_.report_status("read " + std::to_string(result.records) + " records (" +
                     std::to_string(result.changed) + " changed) in " +
                     std::to_string(result.pages) + " pages");
  call.set_output(result.to_json());
}

}  // namespace json_mirror
