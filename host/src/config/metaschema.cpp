// The meta-schema check_schema() validates plugin schemas against, with valijson: draft-07's
// own (http://json-schema.org/draft-07/schema#, the document the specification publishes, without
// its "$id", which valijson would fetch) with the host's rules added as data:
//  - "$schema" is draft-07 or one of the drafts whose keywords the host reads alike (2019-09,
//    2020-12); "$ref" is local ("#..."): the host fetches nothing; "enum" is not empty;
//  - 2019-09's "dependentRequired" and "$defs", "deprecated", "writeOnly", and the host's
//    "x-secret" (a boolean) are keywords of their own;
//  - "items", "type" and "dependencies" choose their form with if/then/else instead of anyOf, so
//    that a bad member is reported where it is ("/items/0"), not as "matches none of the forms".
// Every other keyword, and what it accepts, is the published document's.
#include "metaschema.hpp"

namespace chost::config {

const char* host_metaschema_json() {
  return R"JSON({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "connector-host schema meta-schema",
  "definitions": {
    "schemaArray": {"type": "array", "minItems": 1, "items": {"$ref": "#"}},
    "nonNegativeInteger": {"type": "integer", "minimum": 0},
    "nonNegativeIntegerDefault0": {"allOf": [{"$ref": "#/definitions/nonNegativeInteger"}, {"default": 0}]},
    "simpleTypes": {"enum": ["array", "boolean", "integer", "null", "number", "object", "string"]},
    "stringArray": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "default": []}
  },
  "type": ["object", "boolean"],
  "properties": {
    "$id": {"type": "string", "format": "uri-reference"},
    "$schema": {
      "type": "string",
      "enum": [
        "http://json-schema.org/draft-07/schema#",
        "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft-07/schema#",
        "https://json-schema.org/draft-07/schema",
        "http://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "http://json-schema.org/draft/2019-09/schema#",
        "https://json-schema.org/draft/2019-09/schema#",
        "http://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2020-12/schema",
        "http://json-schema.org/draft/2020-12/schema#",
        "https://json-schema.org/draft/2020-12/schema#"
      ]
    },
    "$ref": {"type": "string", "pattern": "^#"},
    "$comment": {"type": "string"},
    "title": {"type": "string"},
    "description": {"type": "string"},
    "default": true,
    "readOnly": {"type": "boolean", "default": false},
    "examples": {"type": "array", "items": true},
    "multipleOf": {"type": "number", "exclusiveMinimum": 0},
    "maximum": {"type": "number"},
    "exclusiveMaximum": {"type": "number"},
    "minimum": {"type": "number"},
    "exclusiveMinimum": {"type": "number"},
    "maxLength": {"$ref": "#/definitions/nonNegativeInteger"},
    "minLength": {"$ref": "#/definitions/nonNegativeIntegerDefault0"},
    "pattern": {"type": "string", "format": "regex"},
    "additionalItems": {"$ref": "#"},
    "items": {
      "if": {"type": "array"},
      "then": {"$ref": "#/definitions/schemaArray"},
      "else": {"$ref": "#"},
      "default": true
    },
    "maxItems": {"$ref": "#/definitions/nonNegativeInteger"},
    "minItems": {"$ref": "#/definitions/nonNegativeIntegerDefault0"},
    "uniqueItems": {"type": "boolean", "default": false},
    "contains": {"$ref": "#"},
    "maxProperties": {"$ref": "#/definitions/nonNegativeInteger"},
    "minProperties": {"$ref": "#/definitions/nonNegativeIntegerDefault0"},
    "required": {"$ref": "#/definitions/stringArray"},
    "additionalProperties": {"$ref": "#"},
    "definitions": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
    "properties": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
    "patternProperties": {
      "type": "object",
      "additionalProperties": {"$ref": "#"},
      "propertyNames": {"format": "regex"},
      "default": {}
    },
    "dependencies": {
      "type": "object",
      "additionalProperties": {
        "if": {"type": "array"},
        "then": {"$ref": "#/definitions/stringArray"},
        "else": {"$ref": "#"}
      }
    },
    "propertyNames": {"$ref": "#"},
    "const": true,
    "enum": {"type": "array", "minItems": 1},
    "type": {
      "if": {"type": "array"},
      "then": {
        "type": "array",
        "items": {"$ref": "#/definitions/simpleTypes"},
        "minItems": 1,
        "uniqueItems": true
      },
      "else": {"$ref": "#/definitions/simpleTypes"}
    },
    "format": {"type": "string"},
    "contentMediaType": {"type": "string"},
    "contentEncoding": {"type": "string"},
    "if": {"$ref": "#"},
    "then": {"$ref": "#"},
    "else": {"$ref": "#"},
    "allOf": {"$ref": "#/definitions/schemaArray"},
    "anyOf": {"$ref": "#/definitions/schemaArray"},
    "oneOf": {"$ref": "#/definitions/schemaArray"},
    "not": {"$ref": "#"},
    "dependentRequired": {"type": "object", "additionalProperties": {"$ref": "#/definitions/stringArray"}},
    "$defs": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
    "deprecated": {"type": "boolean", "default": false},
    "writeOnly": {"type": "boolean", "default": false},
    "x-secret": {"type": "boolean"}
  },
  "default": true
})JSON";
}

}  // namespace chost::config
