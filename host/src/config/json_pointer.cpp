// JSON Pointer helpers (see json_pointer.hpp).
#include "json_pointer.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace chost::config {

namespace json = boost::json;

std::string pointer_append(std::string_view base, std::string_view token) {
  std::string out(base);
  out += '/';
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_append(std::string_view base, size_t index) {
  return pointer_append(base, std::to_string(index));
}

std::vector<std::string> pointer_tokens(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  size_t i = 1;  // skip the leading '/'
  std::string cur;
  for (; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(cur);
      cur.clear();
      continue;
    }
    if (pointer[i] == '~' && i + 1 < pointer.size()) {
      cur += pointer[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      cur += pointer[i];
    }
  }
  return tokens;
}

std::string pointer_parent(std::string_view pointer) {
  size_t slash = pointer.rfind('/');
  if (slash == std::string_view::npos) return "";
  return std::string(pointer.substr(0, slash));
}

static bool all_digits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string pointer_to_path(std::string_view pointer) {
  std::string out;
  for (const std::string& t : pointer_tokens(pointer)) {
    if (all_digits(t)) {
      out += '[' + t + ']';
    } else {
      if (!out.empty()) out += '.';
      out += t;
    }
  }
  return out;
}

const json::value* pointer_find(const json::value& root, std::string_view pointer) {
  const json::value* cur = &root;
  for (const std::string& t : pointer_tokens(pointer)) {
    if (const json::object* o = cur->if_object()) {
      auto it = o->find(t);
      if (it == o->end()) return nullptr;
      cur = &it->value();
    } else if (const json::array* a = cur->if_array()) {
      if (!all_digits(t) || t.size() > 9) return nullptr;
      size_t idx = std::stoul(t);
      if (idx >= a->size()) return nullptr;
      cur = &(*a)[idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

json::value* pointer_find(json::value& root, std::string_view pointer) {
  return const_cast<json::value*>(pointer_find(static_cast<const json::value&>(root), pointer));
}

}  // namespace chost::config
