// Subschema positions of draft-07 and the instance-guided walk (see schema_walk.hpp).
#include "schema_walk.hpp"

#include <boost/json.hpp>

#include <regex>
#include <set>

#include "json_pointer.hpp"

namespace chost::config {

namespace json = boost::json;

namespace {

constexpr std::string_view kSingle[] = {"additionalItems",
                                        "additionalProperties",
                                        "contains",
                                        "propertyNames",
                                        "if",
                                        "then",
                                        "else",
                                        "not"};
constexpr std::string_view kLists[] = {"allOf", "anyOf", "oneOf"};
constexpr std::string_view kMaps[] = {"properties", "patternProperties", "definitions", "$defs"};

template <typename Value, typename Fn>
void walk_children(Value& schema, const std::string& at, const Fn& fn) {
  auto* obj = schema.if_object();
  if (obj == nullptr) return;
  for (auto& kv : *obj) {
    const std::string_view key = kv.key();
    auto& v = kv.value();
    const std::string here = pointer_append(at, key);
    auto in = [&](const auto& list) {
      return std::find(std::begin(list), std::end(list), key) != std::end(list);
    };
    if (in(kSingle) || (key == "items" && !v.is_array())) {
      fn(v, here);
    } else if (in(kLists) || key == "items") {
      if (auto* a = v.if_array()) {
        for (size_t i = 0; i < a->size(); ++i) fn((*a)[i], pointer_append(here, i));
      }
    } else if (in(kMaps) || key == "dependencies") {
      if (auto* m = v.if_object()) {
        for (auto& p : *m) {
          // dependencies: an array names required keys, anything else is a schema.
          if (key == "dependencies" && p.value().is_array()) continue;
          fn(p.value(), pointer_append(here, p.key()));
        }
      }
    }
  }
}

const json::value* member(const json::value& schema, std::string_view key) {
  const json::object* o = schema.if_object();
  return o ? o->if_contains(key) : nullptr;
}

}  // namespace

void for_each_subschema(const json::value& schema, const std::string& at,
                        const std::function<void(const json::value&, const std::string&)>& fn) {
  walk_children(schema, at, fn);
}

void for_each_subschema_mut(json::value& schema, const std::string& at,
                            const std::function<void(json::value&, const std::string&)>& fn) {
  walk_children(schema, at, fn);
}

const json::value* resolve_local_ref(const json::value& root, std::string_view ref,
                                     std::string* pointer) {
  if (!ref.starts_with('#')) return nullptr;
  std::string ptr;
  // The fragment is URI-encoded JSON Pointer; schemas in practice only escape with ~0/~1.
  for (size_t i = 1; i < ref.size(); ++i) {
    if (ref[i] == '%' && i + 2 < ref.size()) {
      ptr += static_cast<char>(std::stoi(std::string(ref.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      ptr += ref[i];
    }
  }
  if (pointer) *pointer = ptr;
  return pointer_find(root, ptr);
}

std::vector<SchemaAt> expand_in_place(const json::value& root, std::vector<SchemaAt> start) {
  std::vector<SchemaAt> out;
  std::set<std::string> seen;
  std::vector<SchemaAt> todo = std::move(start);
  while (!todo.empty()) {
    SchemaAt s = std::move(todo.back());
    todo.pop_back();
    if (s.schema == nullptr || !seen.insert(s.pointer).second) continue;
    out.push_back(s);
    if (const json::value* ref = member(*s.schema, "$ref"); ref && ref->is_string()) {
      std::string ptr;
      if (const json::value* target = resolve_local_ref(root, ref->get_string(), &ptr)) {
        todo.push_back({target, ptr});
      }
    }
    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
      const json::value* list = member(*s.schema, key);
      if (list == nullptr || !list->is_array()) continue;
      const std::string base = pointer_append(s.pointer, key);
      for (size_t i = 0; i < list->get_array().size(); ++i) {
        todo.push_back({&list->get_array()[i], pointer_append(base, i)});
      }
    }
    for (const char* key : {"then", "else"}) {
      if (const json::value* v = member(*s.schema, key)) {
        todo.push_back({v, pointer_append(s.pointer, key)});
      }
    }
    if (const json::value* deps = member(*s.schema, "dependencies"); deps && deps->is_object()) {
      for (const auto& kv : deps->get_object()) {
        if (kv.value().is_array()) continue;
        todo.push_back(
            {&kv.value(), pointer_append(pointer_append(s.pointer, "dependencies"), kv.key())});
      }
    }
  }
  // Declaration order reads best in messages: the walk above is last-in first-out.
  std::stable_sort(out.begin(), out.end(),
                   [](const SchemaAt& a, const SchemaAt& b) { return a.pointer < b.pointer; });
  return out;
}

std::vector<SchemaAt> schemas_at(const json::value& root, const SchemaAt& start,
                                 const json::value& instance, std::string_view instance_pointer) {
  std::vector<SchemaAt> current = expand_in_place(root, {start});
  const json::value* node = &instance;
  for (const std::string& token : pointer_tokens(instance_pointer)) {
    std::vector<SchemaAt> next;
    for (const SchemaAt& s : current) {
      if (node->is_object()) {
        bool matched = false;
        if (const json::value* props = member(*s.schema, "properties");
            props && props->is_object()) {
          if (const json::value* sub = props->get_object().if_contains(token)) {
            next.push_back({sub, pointer_append(pointer_append(s.pointer, "properties"), token)});
            matched = true;
          }
        }
        if (const json::value* pp = member(*s.schema, "patternProperties"); pp && pp->is_object()) {
          for (const auto& kv : pp->get_object()) {
            try {
              if (std::regex_search(token, std::regex(std::string(kv.key())))) {
                next.push_back(
                    {&kv.value(),
                     pointer_append(pointer_append(s.pointer, "patternProperties"), kv.key())});
                matched = true;
              }
            } catch (const std::regex_error&) {
            }
          }
        }
        const json::value* extra = member(*s.schema, "additionalProperties");
        if (!matched && extra != nullptr) {
          next.push_back({extra, pointer_append(s.pointer, "additionalProperties")});
        }
      } else if (node->is_array()) {
        const json::value* items = member(*s.schema, "items");
        if (items != nullptr && !items->is_array()) {
          next.push_back({items, pointer_append(s.pointer, "items")});
        } else if (items != nullptr) {
          const size_t i = std::stoul(token);
          if (i < items->get_array().size()) {
            next.push_back(
                {&items->get_array()[i], pointer_append(pointer_append(s.pointer, "items"), i)});
          } else if (const json::value* more = member(*s.schema, "additionalItems")) {
            next.push_back({more, pointer_append(s.pointer, "additionalItems")});
          }
        }
      }
    }
    if (node->is_object()) {
      node = node->get_object().if_contains(token);
    } else if (node->is_array()) {
      const size_t i = std::stoul(token);
      node = i < node->get_array().size() ? &node->get_array()[i] : nullptr;
    } else {
      node = nullptr;
    }
    if (node == nullptr) return {};
    current = expand_in_place(root, std::move(next));
  }
  return current;
}

}  // namespace chost::config
