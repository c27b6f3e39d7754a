// Secret reference resolution (see secret_refs.hpp).
#include "secret_refs.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "json_pointer.hpp"

namespace chost::config {

namespace json = boost::json;

namespace {

std::optional<std::string> read_whole_file(const std::filesystem::path& p, std::string& why) {
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) {
    why = "is a directory";
    return std::nullopt;
  }
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    why = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    why = "read error";
    return std::nullopt;
  }
  return buf.str();
}

void resolve_one(json::value& v, const std::string& ptr, const std::filesystem::path& base_dir,
                 SecretRefOutcome& out) {
  std::string_view s = v.get_string();
  if (!s.starts_with("${")) {
    if (s.find("${env:") != std::string_view::npos || s.find("${file:") != std::string_view::npos) {
      out.problems.emplace_back(ptr,
                                "a secret reference must be the whole value, e.g. \"${env:NAME}\"");
      out.failed_pointers.insert(ptr);
    }
    return;
  }
  static const std::regex kRef(R"(^\$\{([a-z]+):(.*)\}$)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(s.begin(), s.end(), m, kRef)) {
    // "${user}" and the like are ordinary values; only near-misses of our syntax are errors.
    if (s.starts_with("${env:") || s.starts_with("${file:")) {
      out.problems.emplace_back(ptr, "malformed secret reference: use ${env:NAME} or ${file:PATH}");
      out.failed_pointers.insert(ptr);
    }
    return;
  }
  std::string kind = m[1].str();
  std::string arg = m[2].str();
  if (kind == "env") {
    static const std::regex kName("^[A-Za-z_][A-Za-z0-9_]*$");
    if (!std::regex_match(arg, kName)) {
      out.problems.emplace_back(ptr, "invalid environment variable name '" + arg + "'");
      out.failed_pointers.insert(ptr);
      return;
    }
    const char* value = std::getenv(arg.c_str());
    if (value == nullptr) {
      out.problems.emplace_back(ptr, "environment variable '" + arg + "' is not set");
      out.failed_pointers.insert(ptr);
      return;
    }
    if (*value == '\0') {
      out.problems.emplace_back(ptr, "environment variable '" + arg + "' is empty");
      out.failed_pointers.insert(ptr);
      return;
    }
    out.secret_values.emplace_back(value);
    v = json::string(value);
  } else if (kind == "file") {
    if (arg.empty()) {
      out.problems.emplace_back(ptr, "empty file path in ${file:...}");
      out.failed_pointers.insert(ptr);
      return;
    }
    std::filesystem::path p(arg);
    if (p.is_relative()) p = base_dir / p;
    p = p.lexically_normal();
    std::string why;
    std::optional<std::string> content = read_whole_file(p, why);
    if (!content) {
      out.problems.emplace_back(ptr, "cannot read secret file '" + p.string() + "': " + why);
      out.failed_pointers.insert(ptr);
      return;
    }
    while (!content->empty() && (content->back() == '\n' || content->back() == '\r')) {
      content->pop_back();
    }
    if (content->empty()) {
      out.problems.emplace_back(ptr, "secret file '" + p.string() + "' is empty");
      out.failed_pointers.insert(ptr);
      return;
    }
    out.secret_values.push_back(*content);
    v = json::string(*content);
  } else {
    out.problems.emplace_back(
        ptr, "unknown secret reference kind '" + kind + "': use ${env:NAME} or ${file:PATH}");
    out.failed_pointers.insert(ptr);
    return;
  }
  out.resolved_pointers.insert(ptr);
}

}  // namespace

void resolve_secret_refs(json::value& value, const std::string& base_pointer,
                         const std::filesystem::path& base_dir, SecretRefOutcome& out) {
  if (value.is_string()) {
    resolve_one(value, base_pointer, base_dir, out);
  } else if (value.is_array()) {
    size_t i = 0;
    for (json::value& item : value.get_array()) {
      resolve_secret_refs(item, pointer_append(base_pointer, i++), base_dir, out);
    }
  } else if (value.is_object()) {
    for (auto& kv : value.get_object()) {
      resolve_secret_refs(kv.value(), pointer_append(base_pointer, kv.key()), base_dir, out);
    }
  }
}

}  // namespace chost::config
