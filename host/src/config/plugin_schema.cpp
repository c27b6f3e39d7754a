// plugin_schema_problems (see chost/config/plugin_schema.hpp).
#include "chost/config/plugin_schema.hpp"

#include <boost/json.hpp>

#include "json_schema.hpp"

namespace chost::config {

std::vector<std::string> plugin_schema_problems(std::string_view schema_json) {
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  const size_t consumed = parser.write(schema_json.data(), schema_json.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) return {"at /: not JSON: " + ec.message() + " near byte " + std::to_string(consumed)};
  return check_schema(parser.release());
}

}  // namespace chost::config
