// Instance validation (see json_schema.hpp). Schema checking lives in schema_check.cpp.
#include "json_schema.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <regex>

#include "json_pointer.hpp"
#include "suggest.hpp"

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

bool is_integer(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  if (v.is_double()) {
    double d = v.get_double();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

double to_double(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

bool type_matches(std::string_view type, const json::value& v) {
  if (type == "string") return v.is_string();
  if (type == "integer") return is_integer(v);
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return false;
}

// scheme ":" rest, no whitespace: what format "uri" asks of a value (RFC 3986 in outline).
bool is_uri(std::string_view s) {
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  const size_t colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == s.size()) return false;
  if (!alpha(s[0])) return false;
  for (char c : s.substr(1, colon - 1)) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '.' && c != '-') return false;
  }
  return s.substr(colon + 1).find_first_of(" \t\r\n\f\v") == std::string_view::npos;
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// JSON equality where 1 and 1.0 are the same number, as JSON Schema requires.
bool json_equal(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return to_double(a) == to_double(b);
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const json::array& x = a.get_array();
    const json::array& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!json_equal(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const json::object& x = a.get_object();
    const json::object& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      auto it = y.find(kv.key());
      if (it == y.end() || !json_equal(kv.value(), it->value())) return false;
    }
    return true;
  }
  return a == b;
}

std::string format_number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  return json::serialize(json::value(d));
}

class Validator {
 public:
  Validator(const ValidationOptions& options, ValidationResult& out)
      : options_(options), out_(out) {}

  void validate(const json::value& schema, json::value& inst, const std::string& ptr, bool hidden) {
    if (schema.is_bool()) {
      if (!schema.get_bool()) add(ptr, false, "no value is allowed here");
      return;
    }
    const json::object* s = schema.if_object();
    if (s == nullptr) return;
    if (options_.hidden_pointers && options_.hidden_pointers->count(ptr)) hidden = true;
    if (const json::value* secret = s->if_contains("x-secret")) {
      if (secret->is_bool() && secret->get_bool()) {
        hidden = true;
        out_.secret_pointers.push_back(ptr);
      }
    }

    if (const json::value* type = s->if_contains("type")) {
      if (!check_type(*type, inst, ptr, hidden)) return;  // other keywords would only add noise
    }
    if (const json::value* e = s->if_contains("enum"))
      check_enum(e->get_array(), inst, ptr, hidden);
    if (const json::value* c = s->if_contains("const")) {
      if (!json_equal(*c, inst)) {
        add(ptr, false, "must be " + json::serialize(*c) + ", got " + describe_value(inst, hidden));
      }
    }
    if (inst.is_number()) check_number(*s, inst, ptr, hidden);
    if (inst.is_string()) check_string(*s, inst.get_string(), ptr, hidden);
    if (inst.is_array()) check_array(*s, inst.get_array(), ptr, hidden);
    if (inst.is_object()) check_object(*s, inst.get_object(), ptr, hidden);
    check_combinators(*s, inst, ptr, hidden);
  }

 private:
  void add(const std::string& ptr, bool at_key, std::string message) {
    out_.issues.push_back({ptr, at_key, std::move(message)});
  }

  bool check_type(const json::value& type, const json::value& inst, const std::string& ptr,
                  bool hidden) {
    std::vector<std::string> names;
    if (type.is_string()) {
      names.emplace_back(type.get_string());
    } else if (type.is_array()) {
      for (const json::value& t : type.get_array()) names.emplace_back(t.get_string());
    }
    for (const std::string& n : names) {
      if (type_matches(n, inst)) return true;
    }
    std::string expected;
    for (size_t i = 0; i < names.size(); ++i) {
      if (i > 0) expected += i + 1 == names.size() ? " or " : ", ";
      expected += names[i];
    }
    add(ptr, false, "expected " + expected + ", got " + describe_value(inst, hidden));
    return false;
  }

  void check_enum(const json::array& values, const json::value& inst, const std::string& ptr,
                  bool hidden) {
    for (const json::value& v : values) {
      if (json_equal(v, inst)) return;
    }
    std::string allowed;
    std::vector<std::string> names;
    for (const json::value& v : values) {
      if (!allowed.empty()) allowed += ", ";
      allowed += json::serialize(v);
      if (v.is_string()) names.emplace_back(v.get_string());
    }
    std::string hint;
    if (inst.is_string() && !hidden) hint = did_you_mean(inst.get_string(), names);
    add(ptr, false, "must be one of " + allowed + ", got " + describe_value(inst, hidden) + hint);
  }

  void check_number(const json::object& s, const json::value& inst, const std::string& ptr,
                    bool hidden) {
    double v = to_double(inst);
    std::string got = describe_value(inst, hidden);
    if (const json::value* m = s.if_contains("minimum"); m && v < to_double(*m)) {
      add(ptr, false, "must be at least " + format_number(to_double(*m)) + ", got " + got);
    }
    if (const json::value* m = s.if_contains("maximum"); m && v > to_double(*m)) {
      add(ptr, false, "must be at most " + format_number(to_double(*m)) + ", got " + got);
    }
    if (const json::value* m = s.if_contains("exclusiveMinimum"); m && v <= to_double(*m)) {
      add(ptr, false, "must be greater than " + format_number(to_double(*m)) + ", got " + got);
    }
    if (const json::value* m = s.if_contains("exclusiveMaximum"); m && v >= to_double(*m)) {
      add(ptr, false, "must be less than " + format_number(to_double(*m)) + ", got " + got);
    }
  }

  void check_string(const json::object& s, std::string_view str, const std::string& ptr,
                    bool hidden) {
    size_t len = utf8_length(str);
    if (const json::value* m = s.if_contains("minLength"); m && len < to_double(*m)) {
      add(ptr, false, "must be at least " + json::serialize(*m) + " characters long");
    }
    if (const json::value* m = s.if_contains("maxLength"); m && len > to_double(*m)) {
      add(ptr, false, "must be at most " + json::serialize(*m) + " characters long");
    }
    if (const json::value* p = s.if_contains("pattern")) {
      std::string pattern(p->get_string());
      bool matched = false;
      // libstdc++'s regex matcher recurses about once per character: a long value would
      // overflow the stack, so it is not matched at all and counts as a mismatch.
      if (str.size() > kMaxPatternInputBytes) {
        add(ptr, false,
            "value longer than " + std::to_string(kMaxPatternInputBytes) +
                " bytes cannot be checked against pattern '" + pattern + "'");
        matched = true;
      } else {
        try {
          matched = std::regex_search(str.begin(), str.end(), std::regex(pattern));
        } catch (const std::regex_error&) {
          matched = false;  // check_schema already rejected patterns that do not compile
        }
      }
      if (!matched) {
        add(ptr, false,
            (hidden ? std::string("value") : "\"" + std::string(str) + "\"") +
                " does not match pattern '" + pattern + "'");
      }
    }
    if (const json::value* f = s.if_contains("format")) {
      std::string_view format = f->get_string();
      if (format == "duration" && !parse_duration_ms(str)) {
        add(ptr, false,
            "invalid duration " +
                (hidden ? std::string("(value hidden)") : json::serialize(json::value(str))) +
                ": use a whole number and a unit (ms, s, m, h, d), e.g. 30s or 15m");
      } else if (format == "uri") {
        if (!is_uri(str)) {
          add(ptr, false,
              "invalid URI " +
                  (hidden ? std::string("(value hidden)") : json::serialize(json::value(str))) +
                  ": expected scheme:rest, e.g. https://example.com/path");
        }
      }
    }
  }

  void check_array(const json::object& s, json::array& arr, const std::string& ptr, bool hidden) {
    if (const json::value* m = s.if_contains("minItems"); m && arr.size() < to_double(*m)) {
      add(ptr, false,
          "must have at least " + json::serialize(*m) + " items, got " +
              std::to_string(arr.size()));
    }
    if (const json::value* m = s.if_contains("maxItems"); m && arr.size() > to_double(*m)) {
      add(ptr, false,
          "must have at most " + json::serialize(*m) + " items, got " + std::to_string(arr.size()));
    }
    if (const json::value* u = s.if_contains("uniqueItems"); u && u->get_bool()) {
      for (size_t i = 0; i < arr.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (json_equal(arr[i], arr[j])) {
            add(pointer_append(ptr, i), false,
                "duplicate item: same as item " + std::to_string(j) + " of the list");
            break;
          }
        }
      }
    }
    if (const json::value* items = s.if_contains("items")) {
      for (size_t i = 0; i < arr.size(); ++i)
        validate(*items, arr[i], pointer_append(ptr, i), hidden);
    }
  }

  void check_object(const json::object& s, json::object& obj, const std::string& ptr, bool hidden) {
    const json::object* props = nullptr;
    if (const json::value* p = s.if_contains("properties")) props = &p->get_object();
    if (const json::value* r = s.if_contains("required")) {
      for (const json::value& name : r->get_array()) {
        if (!obj.contains(name.get_string())) {
          add(ptr, false, "missing required key '" + std::string(name.get_string()) + "'");
        }
      }
    }
    if (props && options_.fill_defaults) {
      for (const auto& kv : *props) {
        if (obj.contains(kv.key()) || !kv.value().is_object()) continue;
        if (const json::value* d = kv.value().get_object().if_contains("default")) {
          obj[kv.key()] = *d;
        }
      }
    }
    const json::value* additional = s.if_contains("additionalProperties");
    std::vector<std::string> known;
    if (props) {
      for (const auto& kv : *props) known.emplace_back(kv.key());
    }
    for (auto& kv : obj) {
      std::string child = pointer_append(ptr, kv.key());
      if (props) {
        if (const json::value* sub = props->if_contains(kv.key())) {
          validate(*sub, kv.value(), child, hidden);
          continue;
        }
      }
      if (additional == nullptr) continue;
      if (additional->is_bool()) {
        if (!additional->get_bool()) {
          add(child, true,
              "unknown key '" + std::string(kv.key()) + "'" + did_you_mean(kv.key(), known));
        }
      } else {
        validate(*additional, kv.value(), child, hidden);
      }
    }
  }

  // Runs `schema` against a copy, without filling defaults or recording anything.
  bool matches(const json::value& schema, const json::value& inst, const std::string& ptr,
               bool hidden, std::vector<SchemaIssue>* issues = nullptr) {
    ValidationOptions trial = options_;
    trial.fill_defaults = false;
    ValidationResult r;
    json::value copy = inst;
    Validator(trial, r).validate(schema, copy, ptr, hidden);
    if (issues) *issues = std::move(r.issues);
    return r.issues.empty();
  }

  void check_combinators(const json::object& s, json::value& inst, const std::string& ptr,
                         bool hidden) {
    if (const json::value* all = s.if_contains("allOf")) {
      for (const json::value& sub : all->get_array()) validate(sub, inst, ptr, hidden);
    }
    if (const json::value* any = s.if_contains("anyOf")) {
      const json::value* first_match = nullptr;
      for (const json::value& sub : any->get_array()) {
        if (matches(sub, inst, ptr, hidden)) {
          first_match = &sub;
          break;
        }
      }
      if (first_match) {
        validate(*first_match, inst, ptr, hidden);  // fills that branch's defaults
      } else {
        add(ptr, false,
            describe_value(inst, hidden) + " matches none of the allowed forms (anyOf)");
      }
    }
    if (const json::value* one = s.if_contains("oneOf")) {
      const json::value* match = nullptr;
      size_t count = 0;
      for (const json::value& sub : one->get_array()) {
        if (matches(sub, inst, ptr, hidden)) {
          ++count;
          if (!match) match = &sub;
        }
      }
      if (count == 1) {
        validate(*match, inst, ptr, hidden);
      } else if (count == 0) {
        add(ptr, false,
            describe_value(inst, hidden) + " matches none of the allowed forms (oneOf)");
      } else {
        add(ptr, false,
            describe_value(inst, hidden) + " matches " + std::to_string(count) +
                " of the allowed forms, exactly one is required (oneOf)");
      }
    }
    if (const json::value* n = s.if_contains("not")) {
      if (matches(*n, inst, ptr, hidden))
        add(ptr, false, "matches a form that is not allowed (not)");
    }
    if (const json::value* cond = s.if_contains("if")) {
      if (matches(*cond, inst, ptr, hidden)) {
        if (const json::value* then = s.if_contains("then")) validate(*then, inst, ptr, hidden);
      } else if (const json::value* otherwise = s.if_contains("else")) {
        validate(*otherwise, inst, ptr, hidden);
      }
    }
  }

  const ValidationOptions& options_;
  ValidationResult& out_;
};

}  // namespace

ValidationResult validate_instance(const json::value& schema, json::value& instance,
                                   const ValidationOptions& options) {
  ValidationResult result;
  Validator(options, result).validate(schema, instance, "", false);
  return result;
}

}  // namespace chost::config
