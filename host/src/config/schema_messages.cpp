// translate_errors (see schema_messages.hpp).
#include "schema_messages.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "json_pointer.hpp"
#include "suggest.hpp"

namespace chost::config {

namespace json = boost::json;

namespace {

double to_double(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.is_double() ? v.get_double() : 0;
}

std::string format_number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  return json::serialize(json::value(d));
}

const json::value* keyword(const SchemaAt& s, std::string_view key) {
  const json::object* o = s.schema->if_object();
  return o ? o->if_contains(key) : nullptr;
}

// Whether valijson accepts `instance` against `schema` (an unusable schema accepts nothing).
bool accepts(const json::value& schema, const json::value& instance) {
  try {
    return SchemaSet(schema).validate("", instance, nullptr);
  } catch (const std::exception&) {
    return false;
  }
}

// Of the schemas that apply at an error's place, the first whose `key` valijson says `node`
// fails: the keyword the error is about, with the values the message names.
const json::value* find_keyword(const std::vector<SchemaAt>& schemas, std::string_view key,
                                const json::value& node) {
  for (const SchemaAt& s : schemas) {
    const json::value* k = keyword(s, key);
    if (k && !accepts(json::object{{key, *k}}, node)) return k;
  }
  return nullptr;
}

// Ranks keep the order the host always printed: a value's own keywords, then its members, then
// what combines whole forms.
enum class Rank : int {
  kType,
  kEnum,
  kConst,
  kNumber,
  kString,
  kFormat,
  kArray,
  kUnique,
  kObject,
  kChild,
  kCombinator
};

struct Issue {
  SchemaIssue issue;
  std::string origin;  // the value whose keyword failed
  Rank rank;
  int sub = 0;  // among one keyword's issues: e.g. the index in "required"
};

// Why `value` fails the forms of a oneOf/anyOf that has the right type for it, e.g.
// ": form 2: missing required key 'token'"; empty when every form already differs in type.
std::string form_reasons(SchemaSet& set, const std::string& list_ptr, const json::value& value,
                         const HiddenAt& hidden, const std::string& at) {
  const json::value* list = pointer_find(set.root(), list_ptr);
  if (list == nullptr || !list->is_array()) return "";
  std::string out;
  for (size_t i = 0; i < list->get_array().size(); ++i) {
    const std::string branch = pointer_append(list_ptr, i);
    std::vector<RawError> raw;
    if (set.validate(branch, value, &raw)) continue;
    const std::vector<SchemaIssue> issues =
        translate_errors(set, {&list->get_array()[i], branch}, value, raw,
                         [&](const std::string& p) { return hidden(at + p); });
    const bool shape_differs = std::any_of(issues.begin(), issues.end(), [](const SchemaIssue& x) {
      return x.pointer.empty() && x.message.starts_with("expected ");
    });
    if (shape_differs || issues.empty()) continue;
    std::string reasons;
    for (const SchemaIssue& x : issues) {
      if (!reasons.empty()) reasons += ", ";
      reasons += (x.pointer.empty() ? "" : pointer_to_path(x.pointer) + ": ") + x.message;
    }
    const json::value* title = list->get_array()[i].is_object()
                                   ? list->get_array()[i].get_object().if_contains("title")
                                   : nullptr;
    out += (out.empty() ? ": " : "; ") + std::string("form ") + std::to_string(i + 1) +
           (title && title->is_string() ? " (" + std::string(title->get_string()) + ")" : "") +
           ": " + reasons;
  }
  return out;
}

class Translator {
 public:
  Translator(SchemaSet& set, const SchemaAt& start, const json::value& instance,
             const HiddenAt& hidden)
      : set_(set), start_(start), instance_(instance), hidden_(hidden) {}

  void add(const RawError& e) {
    const json::value* node = pointer_find(instance_, e.pointer);
    if (node == nullptr) return;
    const bool hidden = hidden_(e.pointer);
    const std::string got = describe_value(*node, hidden);
    const std::string& d = e.description;
    auto starts = [&](std::string_view prefix) { return d.starts_with(prefix); };
    auto schemas = [&] { return schemas_at(set_.root(), start_, instance_, e.pointer); };
    auto put = [&](Rank rank, std::string message, std::string pointer = "", bool at_key = false,
                   std::string origin = "\x02") {
      if (pointer.empty()) pointer = e.pointer;
      if (origin == "\x02") origin = e.pointer;
      out_.push_back({{std::move(pointer), at_key, std::move(message)}, std::move(origin), rank});
    };

    if (!d.empty() && d[0] == kHostErrorMark) {
      const size_t sep = d.find(kHostErrorMark, 1);
      const std::string kind = d.substr(1, sep - 1);
      const std::string arg = d.substr(sep + 1);
      const std::string text = node->is_string() ? std::string(node->get_string()) : "";
      const std::string quoted =
          hidden ? std::string("(value hidden)") : json::serialize(json::value(text));
      if (kind == "format") {
        put(Rank::kFormat,
            arg == "regex" ? "invalid regular expression " + quoted
            : arg == "uri"
                ? "invalid URI " + quoted + ": expected scheme:rest, e.g. https://example.com/path"
                : "invalid duration " + quoted +
                      ": use a whole number and a unit (ms, s, m, h, d), "
                      "e.g. 30s or 15m");
      } else if (kind == "pattern") {
        put(Rank::kString, (hidden ? std::string("value") : "\"" + text + "\"") +
                               " does not match pattern '" + arg + "'");
      } else if (kind == "pattern-too-long") {
        put(Rank::kString, "value longer than " + std::to_string(kMaxPatternInputBytes) +
                               " bytes cannot be checked against pattern '" + arg + "'");
      } else if (kind == "not") {
        put(Rank::kCombinator, "matches a form that is not allowed (not)");
      } else {  // oneOf / anyOf: "<pointer of the list>\x01<forms matched>"
        const size_t at = arg.find(kHostErrorMark);
        const std::string list = arg.substr(0, at);
        const std::string matched = arg.substr(at + 1);
        if (matched == "0") {
          put(Rank::kCombinator, got + " matches none of the allowed forms (" + kind + ")" +
                                     form_reasons(set_, list, *node, hidden_, e.pointer));
        } else {
          put(Rank::kCombinator, got + " matches " + matched +
                                     " of the allowed forms, exactly one is required (oneOf)");
        }
      }
    } else if (starts("Value type not permitted")) {
      const json::value* type = find_keyword(schemas(), "type", *node);
      std::vector<std::string> names;
      if (type && type->is_string()) names.emplace_back(type->get_string());
      if (type && type->is_array()) {
        for (const json::value& t : type->get_array()) names.emplace_back(t.as_string());
      }
      std::string expected;
      for (size_t i = 0; i < names.size(); ++i) {
        if (i > 0) expected += i + 1 == names.size() ? " or " : ", ";
        expected += names[i];
      }
      put(Rank::kType, "expected " + expected + ", got " + got);
    } else if (starts("Failed to match against any enum values")) {
      const json::value* values = find_keyword(schemas(), "enum", *node);
      std::string allowed;
      std::vector<std::string> names;
      for (const json::value& v : values ? values->get_array() : json::array()) {
        if (!allowed.empty()) allowed += ", ";
        allowed += json::serialize(v);
        if (v.is_string()) names.emplace_back(v.get_string());
      }
      const std::string hint =
          node->is_string() && !hidden ? did_you_mean(node->get_string(), names) : "";
      put(Rank::kEnum, "must be one of " + allowed + ", got " + got + hint);
    } else if (starts("Failed to match expected value set by 'const'")) {
      const json::value* c = find_keyword(schemas(), "const", *node);
      put(Rank::kConst, "must be " + (c ? json::serialize(*c) : std::string("?")) + ", got " + got);
    } else if (starts("Expected number")) {
      // valijson writes the bound with six decimals: the schema's own value is printed.
      static constexpr std::array<std::array<const char*, 3>, 4> kBounds = {
          {{"Expected number greater than or equal to", "minimum", "must be at least "},
           {"Expected number greater than", "exclusiveMinimum", "must be greater than "},
           {"Expected number less than or equal to", "maximum", "must be at most "},
           {"Expected number less than", "exclusiveMaximum", "must be less than "}}};
      for (const auto& [prefix, key, words] : kBounds) {
        if (!starts(prefix)) continue;
        if (const json::value* m = find_keyword(schemas(), key, *node)) {
          put(Rank::kNumber, words + format_number(to_double(*m)) + ", got " + got);
        }
        break;
      }
    } else if (starts("String should be no")) {
      const bool fewer = starts("String should be no fewer");
      const json::value* m = find_keyword(schemas(), fewer ? "minLength" : "maxLength", *node);
      put(Rank::kString, std::string(fewer ? "must be at least " : "must be at most ") +
                             (m ? json::serialize(*m) : "?") + " characters long");
    } else if (starts("Array should contain no")) {
      const bool fewer = starts("Array should contain no fewer");
      const size_t n = node->is_array() ? node->get_array().size() : 0;
      const json::value* m = find_keyword(schemas(), fewer ? "minItems" : "maxItems", *node);
      put(Rank::kArray, std::string(fewer ? "must have at least " : "must have at most ") +
                            (m ? json::serialize(*m) : "?") + " items, got " + std::to_string(n));
    } else if (starts("Elements at indexes #")) {
      const size_t first = std::stoul(d.substr(d.find('#') + 1));
      const size_t second = std::stoul(d.substr(d.find('#', d.find('#') + 1) + 1));
      if (duplicates_.insert(pointer_append(e.pointer, second)).second) {
        put(Rank::kUnique, "duplicate item: same as item " + std::to_string(first) + " of the list",
            pointer_append(e.pointer, second), false, e.pointer);
      }
    } else if (starts("Missing required property '")) {
      // valijson reports them in its own order; the schema's order reads better.
      const std::string name = quoted_name(d);
      put(Rank::kObject, "missing required key '" + name + "'");
      for (const SchemaAt& s : schemas()) {
        const json::value* r = keyword(s, "required");
        if (r == nullptr || !r->is_array()) continue;
        const auto& list = r->get_array();
        auto it = std::find(list.begin(), list.end(), json::value(name));
        if (it != list.end()) {
          out_.back().sub = static_cast<int>(it - list.begin());
          break;
        }
      }
    } else if (starts("Missing dependency '")) {
      put(Rank::kObject, "missing key '" + quoted_name(d) + "', required with " +
                             dependency_trigger(schemas(), *node, quoted_name(d)));
    } else if (starts("Object contains a property that could not be validated")) {
      // valijson names the first unknown key only; the admin wants them all at once.
      const std::vector<SchemaAt> applicable = schemas();
      std::vector<std::string> known;
      for (const SchemaAt& s : applicable) {
        if (const json::value* p = keyword(s, "properties"); p && p->is_object()) {
          for (const auto& kv : p->get_object()) known.emplace_back(kv.key());
        }
      }
      for (const std::string& key : unknown_keys(applicable, *node)) {
        const std::string child = pointer_append(e.pointer, key);
        if (!unknown_.insert(child).second) continue;
        put(Rank::kChild, "unknown key '" + key + "'" + did_you_mean(key, known), child, true,
            child);
      }
    } else if (is_wrapper(d)) {
      // the errors inside it are reported on their own
    } else {
      std::string text = d;  // a keyword without a message of ours: valijson's words
      if (!text.empty() && text.back() == '.') text.pop_back();
      if (!text.empty()) text[0] = static_cast<char>(std::tolower(text[0]));
      put(Rank::kObject, text);
    }
  }

  std::vector<SchemaIssue> finish() {
    // A value of the wrong type fails nothing else worth saying (its enum, its forms).
    std::set<std::string> mistyped;
    for (const Issue& i : out_) {
      if (i.rank == Rank::kType) mistyped.insert(i.origin);
    }
    std::erase_if(out_, [&](const Issue& i) {
      return i.rank != Rank::kType && mistyped.count(i.origin) && i.origin == i.issue.pointer &&
             !i.issue.at_key;
    });
    std::stable_sort(out_.begin(), out_.end(),
                     [&](const Issue& a, const Issue& b) { return order(a) < order(b); });
    std::vector<SchemaIssue> issues;
    for (Issue& i : out_) issues.push_back(std::move(i.issue));
    return issues;
  }

 private:
  static bool is_wrapper(const std::string& d) {
    for (std::string_view w :
         {"Failed to validate against schema associated with", "Failed to validate item #",
          "Failed to validate against child schema",
          "Failed to validate against a conditional schema",
          "Failed to validate against additional properties schema",
          "Failed to validate against dependent schema"}) {
      if (d.starts_with(w)) return true;
    }
    return false;
  }

  // Keys of `node` that a schema with "additionalProperties": false does not declare (valijson
  // names the first only): each key is put to valijson alone, against that schema's property
  // names and patterns.
  static std::vector<std::string> unknown_keys(const std::vector<SchemaAt>& schemas,
                                               const json::value& node) {
    std::vector<std::string> out;
    if (!node.is_object()) return out;
    std::vector<json::value> closed;  // {"properties": {name: true}, "patternProperties": ..}
    for (const SchemaAt& s : schemas) {
      const json::value* extra = keyword(s, "additionalProperties");
      if (extra == nullptr || !extra->is_bool() || extra->get_bool()) continue;
      json::object probe{{"additionalProperties", false}};
      for (const char* names : {"properties", "patternProperties"}) {
        const json::value* declared = keyword(s, names);
        if (declared == nullptr || !declared->is_object()) continue;
        json::object any;
        for (const auto& kv : declared->get_object()) any[kv.key()] = true;
        probe[names] = std::move(any);
      }
      closed.emplace_back(std::move(probe));
    }
    for (const auto& member : node.get_object()) {
      const json::value alone = json::object{{member.key(), nullptr}};
      if (std::any_of(closed.begin(), closed.end(),
                      [&](const json::value& probe) { return !accepts(probe, alone); })) {
        out.emplace_back(member.key());
      }
    }
    return out;
  }

  static std::string quoted_name(const std::string& d) {
    const size_t a = d.find('\'');
    const size_t b = d.rfind('\'');
    return a == std::string::npos || b <= a ? d : d.substr(a + 1, b - a - 1);
  }

  static std::string dependency_trigger(const std::vector<SchemaAt>& schemas,
                                        const json::value& node, const std::string& missing) {
    for (const SchemaAt& s : schemas) {
      for (const char* key : {"dependencies", "dependentRequired"}) {
        const json::value* deps = keyword(s, key);
        if (deps == nullptr || !deps->is_object() || !node.is_object()) continue;
        for (const auto& kv : deps->get_object()) {
          if (!node.get_object().contains(kv.key()) || !kv.value().is_array()) continue;
          for (const json::value& n : kv.value().get_array()) {
            if (n.is_string() && n.get_string() == missing)
              return "'" + std::string(kv.key()) + "'";
          }
        }
      }
    }
    return "another key";
  }

  // Where in the instance (each step: the member's index) and then which keyword.
  std::vector<int> order(const Issue& i) const {
    std::vector<int> key;
    const json::value* node = &instance_;
    for (const std::string& token : pointer_tokens(i.origin)) {
      int index = 0;
      if (node && node->is_object()) {
        const json::object& o = node->get_object();
        auto it = o.find(token);
        index = it == o.end() ? static_cast<int>(o.size()) : static_cast<int>(it - o.begin());
        node = it == o.end() ? nullptr : &it->value();
      } else if (node && node->is_array()) {
        index = std::stoi(token);
        node = static_cast<size_t>(index) < node->get_array().size() ? &node->get_array()[index]
                                                                     : nullptr;
      }
      key.push_back(static_cast<int>(Rank::kChild));
      key.push_back(index);
    }
    key.push_back(static_cast<int>(i.rank));
    key.push_back(i.sub);
    return key;
  }

  SchemaSet& set_;
  SchemaAt start_;
  const json::value& instance_;
  const HiddenAt& hidden_;
  std::vector<Issue> out_;
  std::set<std::string> duplicates_;
  std::set<std::string> unknown_;
};

}  // namespace

std::vector<SchemaIssue> translate_errors(SchemaSet& set, const SchemaAt& start,
                                          const json::value& instance,
                                          const std::vector<RawError>& errors,
                                          const HiddenAt& hidden) {
  Translator t(set, start, instance, hidden);
  for (const RawError& e : errors) t.add(e);
  return t.finish();
}

}  // namespace chost::config
