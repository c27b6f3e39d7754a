// YAML -> JSON with positions (see yaml_document.hpp).
#include "yaml_document.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>

#include "json_pointer.hpp"

namespace chost::config {

namespace json = boost::json;

namespace {

YamlPos to_pos(const YAML::Mark& m) {
  if (m.line < 0) return {};
  return {m.line + 1, m.column + 1};  // yaml-cpp marks are 0-based
}

// YAML 1.2 core schema resolution of a plain scalar.
json::value resolve_plain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;

  static const std::regex kDecInt("[-+]?[0-9]+");
  static const std::regex kOctInt("0o[0-7]+");
  static const std::regex kHexInt("0x[0-9a-fA-F]+");
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  auto parse_int = [&](std::string_view digits, int base, bool negative) -> json::value {
    uint64_t u = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
    if (ec != std::errc() || p != digits.data() + digits.size()) return json::string(s);
    if (negative) {
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
        return json::string(s);
      }
      return static_cast<int64_t>(0 - u);
    }
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return static_cast<int64_t>(u);
    }
    return u;
  };
  if (std::regex_match(s, kDecInt)) {
    std::string_view v = s;
    bool negative = false;
    if (v[0] == '+' || v[0] == '-') {
      negative = v[0] == '-';
      v.remove_prefix(1);
    }
    return parse_int(v, 10, negative);
  }
  if (std::regex_match(s, kOctInt)) return parse_int(std::string_view(s).substr(2), 8, false);
  if (std::regex_match(s, kHexInt)) return parse_int(std::string_view(s).substr(2), 16, false);
  if (std::regex_match(s, kFloat)) {
    double d = 0;
    auto [p, ec] = std::from_chars(s.data() + (s[0] == '+' ? 1 : 0), s.data() + s.size(), d);
    if (ec == std::errc() && p == s.data() + s.size() && std::isfinite(d)) return d;
    return json::string(s);
  }
  // .inf / .nan have no JSON form; keep them as strings and let the schema reject them.
  return json::string(s);
}

class Converter {
 public:
  Converter(YamlDocument& doc, const std::string& text) : doc_(doc), text_(text) {}

  json::value convert(const YAML::Node& node, const std::string& pointer) {
    doc_.value_pos[pointer] = node.IsNull() ? null_position(node.Mark()) : to_pos(node.Mark());
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return nullptr;
      case YAML::NodeType::Scalar:
        // yaml-cpp tags plain scalars "?" and quoted or block scalars "!".
        if (node.Tag() == "?") return resolve_plain(node.Scalar());
        return json::string(node.Scalar());
      case YAML::NodeType::Sequence: {
        json::array arr;
        size_t i = 0;
        for (const YAML::Node& item : node) {
          arr.push_back(convert(item, pointer_append(pointer, i)));
          ++i;
        }
        return arr;
      }
      case YAML::NodeType::Map: {
        json::object obj;
        for (const auto& kv : node) {
          const YAML::Node& key = kv.first;
          if (!key.IsScalar()) {
            doc_.problems.push_back(
                {to_pos(key.Mark()), pointer, "mapping keys must be plain strings"});
            continue;
          }
          const std::string& name = key.Scalar();
          std::string child = pointer_append(pointer, name);
          if (obj.contains(name)) {
            doc_.problems.push_back({to_pos(key.Mark()), child, "duplicate key '" + name + "'"});
            continue;
          }
          doc_.key_pos[child] = to_pos(key.Mark());
          obj[name] = convert(kv.second, child);
        }
        return obj;
      }
    }
    return nullptr;
  }

 private:
  // yaml-cpp marks an empty value ("key:" or "-" with nothing after it) at the next token,
  // often lines later. Walk back over blanks and comments: if the value was empty, the
  // previous token is the ':' or '-' that introduced it, and that is the position to report.
  YamlPos null_position(const YAML::Mark& mark) const {
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) > text_.size()) return to_pos(mark);
    size_t end = static_cast<size_t>(mark.pos);
    std::string_view at = std::string_view(text_).substr(end);
    for (std::string_view literal : {"~", "null", "Null", "NULL"}) {
      if (!at.starts_with(literal)) continue;
      std::string_view rest = at.substr(literal.size());
      if (rest.empty() || std::string_view(" \t\r\n,]}#").find(rest[0]) != std::string_view::npos) {
        return to_pos(mark);  // an explicit null is where it says
      }
    }
    int line = mark.line;
    for (int guard = 0; guard < 10'000; ++guard) {
      size_t start = text_.rfind('\n', end == 0 ? std::string::npos : end - 1);
      start = start == std::string::npos ? 0 : start + 1;
      std::string_view segment(text_.data() + start, end - start);
      if (line != mark.line) {  // a whole earlier line: drop its comment
        size_t hash = segment.find('#');
        while (hash != std::string_view::npos && hash > 0 && segment[hash - 1] != ' ' &&
               segment[hash - 1] != '\t') {
          hash = segment.find('#', hash + 1);
        }
        if (hash != std::string_view::npos) segment = segment.substr(0, hash);
      }
      size_t last = segment.find_last_not_of(" \t\r");
      if (last != std::string_view::npos) {
        char c = segment[last];
        if (c == ':' || c == '-') return {line + 1, static_cast<int>(last) + 1};
        return to_pos(mark);
      }
      if (start == 0) return to_pos(mark);
      end = start - 1;  // the '\n' ending the previous line
      --line;
    }
    return to_pos(mark);
  }

  YamlDocument& doc_;
  const std::string& text_;
};

}  // namespace

YamlPos YamlDocument::value_position(std::string pointer) const {
  for (;;) {
    auto it = value_pos.find(pointer);
    if (it != value_pos.end() && it->second.line > 0) return it->second;
    if (pointer.empty()) return {1, 1};
    pointer = pointer_parent(pointer);
  }
}

YamlPos YamlDocument::key_position(const std::string& pointer) const {
  auto it = key_pos.find(pointer);
  if (it != key_pos.end() && it->second.line > 0) return it->second;
  return value_position(pointer);
}

YamlDocument parse_yaml_string(const std::string& text) {
  YamlDocument doc;
  try {
    YAML::Node node = YAML::Load(text);
    doc.root = Converter(doc, text).convert(node, "");
    doc.parsed = true;
  } catch (const YAML::Exception& e) {
    YamlPos p = to_pos(e.mark);
    if (p.line == 0) p = {1, 1};
    doc = YamlDocument{};
    doc.problems.push_back({p, "", "invalid YAML: " + e.msg});
  }
  return doc;
}

YamlDocument parse_yaml_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  if (in) buf << in.rdbuf();
  if (!in || in.bad()) {
    YamlDocument doc;
    doc.problems.push_back({{}, "", "cannot read configuration file"});
    return doc;
  }
  return parse_yaml_string(buf.str());
}

}  // namespace chost::config
