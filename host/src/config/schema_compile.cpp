// SchemaSet: valijson behind the host's interface (see schema_compile.hpp).
#define VALIJSON_USE_EXCEPTIONS 1
#include "schema_compile.hpp"

#include <boost/json.hpp>
#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <cmath>
#include <functional>
#include <regex>
#include <stdexcept>

#include "json_pointer.hpp"
#include "json_schema.hpp"
#include "schema_walk.hpp"

namespace chost::config {

namespace json = boost::json;
using valijson::adapters::BoostJsonAdapter;

namespace {

// The URI branches use to reach the document's root: valijson fetches it through FetchDoc.
constexpr const char* kRootUri = "urn:chost:root";

std::string mark(std::string_view kind, std::string_view arg) {
  std::string s(1, kHostErrorMark);
  s.append(kind).push_back(kHostErrorMark);
  s.append(arg);
  return s;
}

std::string pointer_of(const std::vector<std::string>& context) {
  std::string p;
  for (size_t i = 1; i < context.size(); ++i) {  // [0] is "<root>"; the rest "[token]"
    const std::string& c = context[i];
    p = pointer_append(p, c.size() >= 2 ? std::string_view(c).substr(1, c.size() - 2) : c);
  }
  return p;
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

// What format "regex" asks: a pattern the host's matcher (std::regex, ECMAScript) accepts.
bool is_regex(const std::string& s) {
  try {
    std::regex re(s);
  } catch (const std::regex_error&) {
    return false;
  }
  return true;
}

// The host's keywords inside valijson: kind is format, pattern, oneOf, anyOf or not.
class HostConstraint : public valijson::constraints::PolyConstraint {
 public:
  HostConstraint(SchemaSet* set, std::string kind, std::string arg)
      : set_(set), kind_(std::move(kind)), arg_(std::move(arg)) {}

  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    std::string failure;
    if (kind_ == "format" || kind_ == "pattern") {
      if (!target.isString()) return true;
      failure = check_string(target.asString());
    } else {
      failure = check_combinator(context);
    }
    if (failure.empty()) return true;
    if (results) results->pushError(context, failure);
    return false;
  }

 private:
  std::string check_string(const std::string& s) const {
    if (kind_ == "format") {
      const bool ok = (arg_ == "duration" || arg_ == "x-duration")
                          ? parse_duration_ms(s).has_value()
                      : arg_ == "uri"   ? is_uri(s)
                      : arg_ == "regex" ? is_regex(s)
                                        : true;
      return ok ? "" : mark("format", arg_);
    }
    // libstdc++'s regex matcher recurses about once per character: a long value would overflow
    // the stack, so it is refused instead of matched.
    if (s.size() > kMaxPatternInputBytes) return mark("pattern-too-long", arg_);
    try {
      if (std::regex_search(s, std::regex(arg_))) return "";
    } catch (const std::regex_error&) {
      // check_schema refused patterns that do not compile; an unusable one matches nothing.
    }
    return mark("pattern", arg_);
  }

  std::string check_combinator(const std::vector<std::string>& context) const {
    const json::value* base = set_->current_instance();
    const json::value* node = base ? pointer_find(*base, pointer_of(context)) : nullptr;
    if (node == nullptr) return "";
    if (kind_ == "not") return set_->validate(arg_, *node, nullptr) ? mark("not", arg_) : "";
    const json::value* list = pointer_find(set_->root(), arg_);
    size_t matched = 0;
    for (size_t i = 0; list && list->is_array() && i < list->get_array().size(); ++i) {
      if (set_->validate(pointer_append(arg_, i), *node, nullptr)) {
        ++matched;
        if (kind_ == "anyOf") break;
      }
    }
    const bool ok = kind_ == "anyOf" ? matched > 0 : matched == 1;
    return ok ? "" : mark(kind_, arg_ + std::string(1, kHostErrorMark) + std::to_string(matched));
  }

  Constraint* cloneInto(void* memory) const override { return new (memory) HostConstraint(*this); }
  size_t sizeOf() const override { return sizeof(HostConstraint); }

  SchemaSet* set_;
  std::string kind_;
  std::string arg_;
};

class HostKeyword : public valijson::ConstraintBuilder {
 public:
  HostKeyword(SchemaSet* set, std::string kind) : set_(set), kind_(std::move(kind)) {}
  valijson::constraints::Constraint* make(const valijson::adapters::Adapter& value) const override {
    return new HostConstraint(set_, kind_, value.asString());
  }

 private:
  SchemaSet* set_;
  std::string kind_;
};

constexpr std::pair<std::string_view, std::string_view> kHostKeywords[] = {
    {"format", "x-chost-format"},
    {"pattern", "x-chost-pattern"},
    {"oneOf", "x-chost-oneOf"},
    {"anyOf", "x-chost-anyOf"},
    {"not", "x-chost-not"}};

// A copy of the schema at `at` in which the host's keywords are renamed (their value is the
// pattern, the format, or the pointer of the combinator in the original document) and, for a
// branch compiled on its own, local "$ref"s point into the root document.
void rewrite(json::value& schema, const std::string& at, bool refs_to_root) {
  json::object* obj = schema.if_object();
  if (obj == nullptr) return;
  for_each_subschema_mut(schema, at, [&](json::value& child, const std::string& ptr) {
    rewrite(child, ptr, refs_to_root);
  });
  json::object out;
  for (auto& kv : *obj) {
    const std::string_view key = kv.key();
    auto host = std::find_if(std::begin(kHostKeywords), std::end(kHostKeywords),
                             [&](const auto& k) { return k.first == key; });
    if (host != std::end(kHostKeywords)) {
      const bool text_valued = key == "format" || key == "pattern";
      if (text_valued && !kv.value().is_string()) {
        out[key] = kv.value();  // valijson refuses it with its own reason
      } else {
        out[host->second] = text_valued ? kv.value() : json::value(pointer_append(at, key));
      }
    } else if (key == "dependentRequired" && kv.value().is_object()) {
      continue;  // merged into "dependencies" below
    } else if (key == "$ref" && refs_to_root && kv.value().is_string() &&
               kv.value().get_string().starts_with("#")) {
      out[key] = std::string(kRootUri) + std::string(kv.value().get_string());
    } else {
      out[key] = std::move(kv.value());
    }
  }
  // 2019-09's dependentRequired is draft-07's dependencies with key lists: the host accepts both.
  if (const json::value* required = obj->if_contains("dependentRequired");
      required && required->is_object()) {
    json::value& deps = out["dependencies"];
    if (!deps.is_object()) deps = json::object();
    for (const auto& kv : required->get_object()) {
      json::value* have = deps.get_object().if_contains(kv.key());
      if (have == nullptr) {
        deps.get_object()[kv.key()] = kv.value();
      } else if (have->is_array() && kv.value().is_array()) {
        for (const json::value& name : kv.value().get_array()) have->get_array().push_back(name);
      } else {
        *have = json::object{{"allOf", json::array{*have, json::object{{"required", kv.value()}}}}};
      }
    }
  }
  *obj = std::move(out);
}

// 5.0 is an integer in draft-07; valijson's strict types say it is not.
void normalize_numbers(json::value& v) {
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.2e18) {
      v = static_cast<int64_t>(d);
    }
  } else if (v.is_array()) {
    for (json::value& e : v.get_array()) normalize_numbers(e);
  } else if (v.is_object()) {
    for (auto& kv : v.get_object()) normalize_numbers(kv.value());
  }
}

}  // namespace

struct SchemaSet::Compiled {
  json::value document;
  valijson::Schema schema;
};

SchemaSet::SchemaSet(const json::value& root) : root_(root), rewritten_root_(root) {
  rewrite(rewritten_root_, "", false);
}

SchemaSet::~SchemaSet() = default;

const SchemaSet::Compiled& SchemaSet::compiled(const std::string& pointer) {
  auto it = compiled_.find(pointer);
  if (it != compiled_.end()) return *it->second;
  const json::value* node = pointer_find(root_, pointer);
  if (node == nullptr) throw std::runtime_error("no schema at " + pointer);
  auto c = std::make_unique<Compiled>();
  c->document = *node;
  rewrite(c->document, pointer, !pointer.empty());
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  for (const auto& [name, renamed] : kHostKeywords) {
    parser.addConstraintBuilder(std::string(renamed), new HostKeyword(this, std::string(name)));
  }
  auto fetch = [this](const std::string& uri) -> const json::value* {
    return uri == kRootUri ? &rewritten_root_ : nullptr;
  };
  auto release = [](const json::value*) {};
  parser.populateSchema<BoostJsonAdapter>(BoostJsonAdapter(c->document), c->schema, fetch, release);
  return *compiled_.emplace(pointer, std::move(c)).first->second;
}

bool SchemaSet::validate(const std::string& pointer, const json::value& instance,
                         std::vector<RawError>* errors) {
  const Compiled& c = compiled(pointer);
  json::value normalized = instance;
  normalize_numbers(normalized);
  instances_.push_back(&normalized);
  valijson::Validator validator;
  valijson::ValidationResults results;
  bool ok = false;
  try {
    ok = validator.validate(c.schema, BoostJsonAdapter(normalized), errors ? &results : nullptr);
  } catch (...) {
    instances_.pop_back();
    throw;
  }
  instances_.pop_back();
  if (errors) {
    for (const auto& e : results) errors->push_back({pointer_of(e.context), e.description});
  }
  return ok;
}

void SchemaSet::compile_all() {
  std::function<void(const json::value&, const std::string&)> visit = [&](const json::value& schema,
                                                                          const std::string& at) {
    if (const json::object* o = schema.if_object()) {
      for (const char* key : {"oneOf", "anyOf"}) {
        const json::value* list = o->if_contains(key);
        for (size_t i = 0; list && list->is_array() && i < list->get_array().size(); ++i) {
          compiled(pointer_append(pointer_append(at, key), i));
        }
      }
      if (o->contains("not")) compiled(pointer_append(at, "not"));
    }
    for_each_subschema(schema, at, visit);
  };
  compiled("");
  visit(root_, "");
}

std::string compile_problem(const json::value& schema) {
  try {
    SchemaSet(schema).compile_all();
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

}  // namespace chost::config
