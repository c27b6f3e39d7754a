// JsonMirror: config parsing and the paged, checkpointed sync loop.
#include "json_mirror.hpp"

#include <string>
#include <utility>

namespace json_mirror {
namespace {

bool is_http_url(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

// The item's id as a string: APIs use numbers as often as strings.
std::optional<std::string> id_of(const boost::json::object& item, const std::string& field) {
  const boost::json::value* v = item.if_contains(field);
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  return std::nullopt;
}

}  // namespace

JsonMirror::JsonMirror(chp::Context& ctx, const boost::json::object& config)
    : ctx_(ctx),
      url_(chp::require_string(config, "url")),
      collection_(chp::optional_string(config, "collection").value_or("items")),
      id_field_(chp::optional_string(config, "id_field").value_or("id")),
      updated_field_(chp::optional_string(config, "updated_field").value_or("updated_at")),
      api_token_(chp::optional_string(config, "api_token")),
      max_pages_(chp::optional_int(config, "max_pages", 100)) {
  if (!is_http_url(url_)) throw chp::ConfigError("'url' must be an http:// or https:// URL");
  if (collection_.empty()) throw chp::ConfigError("'collection' must not be empty");
  if (max_pages_ < 1) throw chp::ConfigError("'max_pages' must be at least 1");
}

void JsonMirror::disable(chp::Call& call, const boost::json::object& input) {
  // Nothing to revoke: the checkpoint stays so that enabling resumes where it stopped.
  ctx_.report_status("disabled");
}

void JsonMirror::sync(chp::Call& call, const boost::json::object& input) {
  std::string checkpoint = ctx_.state_get(kCheckpointKey).value_or("");
  chp::http::QueryParams query;
  if (!checkpoint.empty()) query.emplace_back("since", checkpoint);
  std::optional<std::string> next = chp::http::append_query(url_, query);

  std::int64_t mirrored_records = 0;
  std::int64_t pages = 0;
  while (next && pages < max_pages_) {  // bounded: a server looping on "next" cannot hang us
    call.throw_if_cancelled();
    next = sync_page(call, *next, checkpoint, mirrored_records);
    ++pages;
  }
  ctx_.metric_add("records_mirrored_total", static_cast<double>(mirrored_records));
  ctx_.report_status("mirrored " + std::to_string(mirrored_records) + " records in " +
                     std::to_string(pages) + " pages");
  call.set_output(boost::json::object{
      {"records", mirrored_records}, {"pages", pages}, {"checkpoint", checkpoint}});
}

std::optional<std::string> JsonMirror::sync_page(chp::Call& call, const std::string& url,
                                                 std::string& checkpoint,
                                                 std::int64_t& mirrored_records) {
  chp::http::Request request;
  request.url = url;
  request.headers.emplace_back("Accept", "application/json");
  if (api_token_) request.headers.emplace_back("Authorization", "Bearer " + *api_token_);
  chp::http::Response response = ctx_.http(call, request);

  if (response.status == 429 || response.status >= 500) {
    throw chp::TransientError("server answered HTTP " + std::to_string(response.status));
  }
  if (response.status == 401 || response.status == 403) {
    throw chp::ConfigError("server refused the credentials (HTTP " +
                           std::to_string(response.status) + "): check 'api_token'");
  }
  if (!response.ok()) {
    throw chp::PermanentError("server answered HTTP " + std::to_string(response.status));
  }

  std::optional<boost::json::value> body = chp::try_parse(response.body);
  if (!body) throw chp::PermanentError("response is not valid JSON");
  const boost::json::array* items = nullptr;
  std::optional<std::string> next;
  if (body->is_array()) {
    items = &body->as_array();
  } else if (body->is_object()) {
    const boost::json::object& page = body->as_object();
    if (const boost::json::value* v = page.if_contains("items"); v && v->is_array()) {
      items = &v->as_array();
    }
    next = chp::optional_string(page, "next", chp::ErrorClass::kPermanent);
  }
  if (items == nullptr) throw chp::PermanentError("response has no JSON array of items");

  // The page's records and the advanced checkpoint commit together: a crash in between
  // can never skip records nor mirror them twice under a stale checkpoint.
  chp::Transaction txn = ctx_.begin();
  std::string new_checkpoint = checkpoint;
  for (const boost::json::value& v : *items) {
    if (!v.is_object()) throw chp::PermanentError("item is not a JSON object");
    const boost::json::object& item = v.as_object();
    std::optional<std::string> id = id_of(item, id_field_);
    if (!id) throw chp::PermanentError("item without a string or integer '" + id_field_ + "'");
    txn.upsert_record(collection_, *id, item);
    std::optional<std::string> updated =
        chp::optional_string(item, updated_field_, chp::ErrorClass::kPermanent);
    if (updated && *updated > new_checkpoint) new_checkpoint = *updated;
  }
  txn.put(kCheckpointKey, new_checkpoint);
  txn.commit();
  checkpoint = std::move(new_checkpoint);
  mirrored_records += static_cast<std::int64_t>(items->size());
  return next;
}

}  // namespace json_mirror
