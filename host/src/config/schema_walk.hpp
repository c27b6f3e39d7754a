// Where a JSON Schema (draft-07) keeps its subschemas, and which schemas apply at a place in an
// instance. The validator itself is valijson (schema_compile.hpp); this is what the host needs
// beside it: defaults, x-secret, messages and the keyword check all walk the same structure.
#pragma once

#include <boost/json/value.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace chost::config {

// Calls `fn(child, pointer)` for every subschema directly inside `schema` (properties,
// patternProperties, definitions/$defs, items, additionalItems, additionalProperties, contains,
// propertyNames, dependencies' schema values, if/then/else, not, allOf/anyOf/oneOf), `at` being
// the pointer of `schema` in its document.
void for_each_subschema(
    const boost::json::value& schema, const std::string& at,
    const std::function<void(const boost::json::value&, const std::string&)>& fn);

// The same walk over a mutable schema (used to rewrite keywords in a copy).
void for_each_subschema_mut(boost::json::value& schema, const std::string& at,
                            const std::function<void(boost::json::value&, const std::string&)>& fn);

// A schema with its pointer in the document.
struct SchemaAt {
  const boost::json::value* schema = nullptr;
  std::string pointer;
};

// The target of a local "$ref" ("#" or "#/json/pointer"), or nullptr.
const boost::json::value* resolve_local_ref(const boost::json::value& root, std::string_view ref,
                                            std::string* pointer = nullptr);

// `start` plus every schema it pulls in at the same instance location: $ref targets, allOf,
// anyOf, oneOf and then/else members, schema-valued dependencies (each once; $ref cycles end).
std::vector<SchemaAt> expand_in_place(const boost::json::value& root, std::vector<SchemaAt> start);

// The schemas that apply to the value at `instance_pointer` when `instance` is validated against
// the schema at `start` (a node of `root`): the walk follows properties, patternProperties,
// additionalProperties and items along the instance. Used to find the keyword behind an error.
std::vector<SchemaAt> schemas_at(const boost::json::value& root, const SchemaAt& start,
                                 const boost::json::value& instance,
                                 std::string_view instance_pointer);

}  // namespace chost::config
