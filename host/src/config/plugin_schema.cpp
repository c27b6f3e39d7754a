// plugin_schema_problems (see chost/config/plugin_schema.hpp).
#include "chost/config/plugin_schema.hpp"

#include <boost/json.hpp>

#include "json_pointer.hpp"
#include "json_schema.hpp"

namespace chost::config {

namespace {

boost::json::value parse(std::string_view text, std::vector<std::string>* problems) {
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  const size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    problems->push_back("at /: not JSON: " + ec.message() + " near byte " +
                        std::to_string(consumed));
    return nullptr;
  }
  return parser.release();
}

}  // namespace

std::vector<std::string> plugin_schema_problems(std::string_view schema_json) {
  std::vector<std::string> problems;
  const boost::json::value schema = parse(schema_json, &problems);
  return problems.empty() ? check_schema(schema) : problems;
}

CompletedConfig complete_plugin_config(std::string_view schema_json, std::string_view config_json) {
  CompletedConfig out;
  const boost::json::value schema = parse(schema_json, &out.problems);
  boost::json::value config = parse(config_json, &out.problems);
  if (!out.ok()) return out;
  for (const SchemaIssue& issue : validate_instance(schema, config).issues) {
    const std::string path = pointer_to_path(issue.pointer);
    out.problems.push_back("config" + (path.empty() ? "" : "." + path) + ": " + issue.message);
  }
  out.json = boost::json::serialize(config);
  return out;
}

}  // namespace chost::config
