// validate_instance (see json_schema.hpp): valijson decides (schema_compile.cpp), the host fills
// defaults and finds x-secret values beforehand (below), and schema_messages.cpp words the result.
#include "json_schema.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <limits>
#include <optional>

#include "json_pointer.hpp"
#include "schema_compile.hpp"
#include "schema_messages.hpp"
#include "schema_walk.hpp"

namespace chost::config {

namespace json = boost::json;

std::optional<int64_t> parse_duration_ms(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  int64_t n = 0;
  std::from_chars(text.data(), text.data() + digits, n);
  std::string_view unit = text.substr(digits);
  int64_t scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else if (unit == "d") {
    scale = 86'400'000;
  } else {
    return std::nullopt;
  }
  if (n > std::numeric_limits<int64_t>::max() / scale) return std::nullopt;
  return n * scale;
}

std::string describe_value(const json::value& v, bool hidden) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return v.get_bool() ? "boolean true" : "boolean false";
    case json::kind::int64:
    case json::kind::uint64:
      return hidden ? "integer (value hidden)" : "integer " + json::serialize(v);
    case json::kind::double_:
      if (hidden) return "number (value hidden)";
      {
        char buf[32];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double());
        return "number " + std::string(buf, ec == std::errc() ? end : buf);
      }
    case json::kind::string: {
      if (hidden) return "string (value hidden)";
      std::string s(v.get_string());
      if (s.size() > 60) s = s.substr(0, 57) + "...";
      return "string " + json::serialize(json::value(s));
    }
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "value";
}

namespace {

// Walks the instance along the schemas that apply to it (following $ref, allOf, and the oneOf /
// anyOf / if branch the value takes), filling absent properties' defaults before descending, so
// that a defaulted {} gets its own members' defaults, and noting where x-secret values are.
class Annotator {
 public:
  Annotator(SchemaSet& set, bool fill, std::vector<std::string>& secrets)
      : set_(set), fill_(fill), secrets_(secrets) {}

  void walk(const SchemaAt& s, json::value& inst, const std::string& ptr, int ref_hops = 0) {
    const json::object* schema = s.schema->if_object();
    if (schema == nullptr) return;
    if (const json::value* secret = schema->if_contains("x-secret");
        secret && secret->is_bool() && secret->get_bool() &&
        std::find(secrets_.begin(), secrets_.end(), ptr) == secrets_.end()) {
      secrets_.push_back(ptr);
    }
    if (const json::value* ref = schema->if_contains("$ref"); ref && ref->is_string()) {
      std::string target_ptr;
      const json::value* target = resolve_local_ref(set_.root(), ref->get_string(), &target_ptr);
      if (target && ref_hops < kMaxRefHops) walk({target, target_ptr}, inst, ptr, ref_hops + 1);
      return;  // draft-07: keywords beside $ref are ignored
    }
    for_branches(*schema, s.pointer, inst,
                 [&](const SchemaAt& branch) { walk(branch, inst, ptr, ref_hops); });
    if (json::object* obj = inst.if_object()) {
      walk_object(*schema, s.pointer, *obj, ptr);
    } else if (json::array* arr = inst.if_array()) {
      const json::value* items = schema->if_contains("items");
      for (size_t i = 0; items && i < arr->size(); ++i) {
        const bool tuple = items->is_array();
        if (tuple && i >= items->get_array().size()) break;
        const std::string item_ptr = tuple ? pointer_append(pointer_append(s.pointer, "items"), i)
                                           : pointer_append(s.pointer, "items");
        walk({tuple ? &items->get_array()[i] : items, item_ptr}, (*arr)[i], pointer_append(ptr, i));
      }
    }
  }

 private:
  static constexpr int kMaxRefHops = 32;  // "$ref": "#" loops without descending

  // allOf members, and of oneOf / anyOf / if-then-else the forms this value takes.
  template <typename Fn>
  void for_branches(const json::object& schema, const std::string& at, const json::value& inst,
                    const Fn& fn) {
    auto list = [&](const char* key) -> const json::array* {
      const json::value* v = schema.if_contains(key);
      return v ? v->if_array() : nullptr;
    };
    auto matches = [&](const std::string& ptr) {
      try {
        return set_.validate(ptr, inst, nullptr);
      } catch (const std::exception&) {
        return false;  // an unusable branch takes no value; check_schema reports it
      }
    };
    if (const json::array* all = list("allOf")) {
      for (size_t i = 0; i < all->size(); ++i) {
        fn({&(*all)[i], pointer_append(pointer_append(at, "allOf"), i)});
      }
    }
    if (const json::array* any = list("anyOf")) {
      for (size_t i = 0; i < any->size(); ++i) {
        const std::string p = pointer_append(pointer_append(at, "anyOf"), i);
        if (matches(p)) {
          fn({&(*any)[i], p});
          break;
        }
      }
    }
    if (const json::array* one = list("oneOf")) {
      std::vector<size_t> taken;
      for (size_t i = 0; i < one->size(); ++i) {
        if (matches(pointer_append(pointer_append(at, "oneOf"), i))) taken.push_back(i);
      }
      if (taken.size() == 1) {
        fn({&(*one)[taken[0]], pointer_append(pointer_append(at, "oneOf"), taken[0])});
      }
    }
    if (schema.contains("if")) {
      const char* side = matches(pointer_append(at, "if")) ? "then" : "else";
      if (const json::value* v = schema.if_contains(side)) fn({v, pointer_append(at, side)});
    }
  }

  // A property's default, also when its schema is a "$ref" to one that declares it.
  const json::value* default_of(const json::value& schema) const {
    const json::value* s = &schema;
    for (int hops = 0; s && s->is_object() && hops < kMaxRefHops; ++hops) {
      const json::value* ref = s->get_object().if_contains("$ref");
      if (ref == nullptr || !ref->is_string()) return s->get_object().if_contains("default");
      s = resolve_local_ref(set_.root(), ref->get_string());
    }
    return nullptr;
  }

  void walk_object(const json::object& schema, const std::string& at, json::object& obj,
                   const std::string& ptr) {
    const json::value* props_v = schema.if_contains("properties");
    const json::object* props = props_v ? props_v->if_object() : nullptr;
    if (props && fill_) {
      for (const auto& kv : *props) {
        if (obj.contains(kv.key())) continue;
        if (const json::value* d = default_of(kv.value())) obj[kv.key()] = *d;
      }
    }
    const json::value* extra = schema.if_contains("additionalProperties");
    for (auto& kv : obj) {
      const std::string child = pointer_append(ptr, kv.key());
      if (const json::value* sub = props ? props->if_contains(kv.key()) : nullptr) {
        walk({sub, pointer_append(pointer_append(at, "properties"), kv.key())}, kv.value(), child);
      } else if (extra && extra->is_object()) {
        walk({extra, pointer_append(at, "additionalProperties")}, kv.value(), child);
      }
    }
  }

  SchemaSet& set_;
  bool fill_;
  std::vector<std::string>& secrets_;
};

bool has_prefix(const std::string& pointer, const std::string& prefix) {
  return pointer == prefix || (pointer.size() > prefix.size() && pointer.starts_with(prefix) &&
                               pointer[prefix.size()] == '/');
}

}  // namespace

ValidationResult validate_instance(const json::value& schema, json::value& instance,
                                   const ValidationOptions& options) {
  ValidationResult result;
  SchemaSet set(schema);
  const SchemaAt root{&schema, ""};
  Annotator(set, options.fill_defaults, result.secret_pointers).walk(root, instance, "");
  auto hidden = [&](const std::string& ptr) {
    auto covers = [&](const std::string& p) { return has_prefix(ptr, p); };
    return std::any_of(result.secret_pointers.begin(), result.secret_pointers.end(), covers) ||
           (options.hidden_pointers &&
            std::any_of(options.hidden_pointers->begin(), options.hidden_pointers->end(), covers));
  };
  std::vector<RawError> raw;
  try {
    set.validate("", instance, &raw);
  } catch (const std::exception& e) {
    // check_schema() has passed every schema the loader uses; this is the last word anyway.
    result.issues.push_back({"", false, std::string("the schema cannot be used: ") + e.what()});
    return result;
  }
  result.issues = translate_errors(set, root, instance, raw, hidden);
  return result;
}

}  // namespace chost::config
