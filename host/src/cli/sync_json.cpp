// `sync --json` (sync_json.hpp).
#include "sync_json.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace chost::cli {

namespace json = boost::json;

std::string sync_json(const SyncOutcome& o) {
  json::value summary = nullptr;
  if (!o.summary_json.empty()) {
    boost::system::error_code ec;
    summary = json::parse(o.summary_json, ec);
    // A plugin's summary that is not JSON is still shown, as text.
    if (ec) summary = json::value(o.summary_json);
  }
  json::value error = nullptr;
  if (!o.ok) error = json::object{{"class", o.error_class}, {"message", o.error_message}};
  const json::object doc{
      {"connector", o.connector},
      {"subject", o.subject.empty() ? json::value(nullptr) : json::value(o.subject)},
      {"running", o.running},
      {"queued", o.running && o.ok},
      {"ok", o.ok},
      {"exit_code", o.exit_code},
      {"summary", std::move(summary)},
      {"error", std::move(error)},
  };
  return json::serialize(doc);
}

}  // namespace chost::cli
