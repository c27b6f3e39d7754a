// pretty_json: Boost.JSON 1.81 only serializes compactly, so indentation is done here.
#include "json_pretty.hpp"

#include <boost/json.hpp>

namespace chost::cli {
namespace {

void render(const boost::json::value& v, int depth, std::string& out) {
  const std::string indent(static_cast<std::size_t>(depth + 1) * 2, ' ');
  const std::string closing(static_cast<std::size_t>(depth) * 2, ' ');
  if (v.is_object()) {
    const auto& obj = v.get_object();
    if (obj.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto& kv : obj) {
      if (!first) out += ",\n";
      first = false;
      out += indent + boost::json::serialize(boost::json::string(kv.key())) + ": ";
      render(kv.value(), depth + 1, out);
    }
    out += "\n" + closing + "}";
  } else if (v.is_array()) {
    const auto& arr = v.get_array();
    if (arr.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const auto& item : arr) {
      if (!first) out += ",\n";
      first = false;
      out += indent;
      render(item, depth + 1, out);
    }
    out += "\n" + closing + "]";
  } else {
    out += boost::json::serialize(v);
  }
}

}  // namespace

std::string pretty_json(std::string_view json) {
  boost::json::error_code ec;
  const boost::json::value v = boost::json::parse(json, ec);
  if (ec) return std::string(json);
  std::string out;
  render(v, 0, out);
  return out;
}

}  // namespace chost::cli
