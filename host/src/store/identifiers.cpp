// Validation and quoting of names that end up in SQL identifiers (mirror table names).
#include "chost/store/identifiers.hpp"

namespace chost::store {

namespace {

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

}  // namespace

Status validate_identifier(std::string_view what, std::string_view name) {
  if (name.empty()) return Error::config(std::string(what) + " must not be empty");
  if (name.size() > kMaxIdentifierChars) {
    return Error::config(std::string(what) + " is longer than " +
                         std::to_string(kMaxIdentifierChars) + " characters");
  }
  for (char c : name) {
    if (!is_identifier_char(c)) {
      // The name is not a secret, but it may be hostile: do not echo it raw.
      return Error::config(std::string(what) +
                           " may contain only letters, digits, '_' and '-' (got a character "
                           "with code " +
                           std::to_string(static_cast<unsigned char>(c)) + ")");
    }
  }
  return {};
}

Result<std::string> mirror_table_name(std::string_view ns, std::string_view collection) {
  if (Status s = validate_identifier("namespace", ns); !s) return s.error();
  if (Status s = validate_identifier("collection", collection); !s) return s.error();
  std::string name = "mirror_";
  name.append(ns);
  name += '_';
  name.append(collection);
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

Result<std::string> mirror_view_name(std::string_view ns, std::string_view collection) {
  auto table = mirror_table_name(ns, collection);
  if (!table) return table.error();
  return "view_" + table->substr(std::string_view("mirror_").size());
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace chost::store
