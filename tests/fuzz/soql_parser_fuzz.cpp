// libFuzzer target: the Salesforce peer's SOQL parser. Any input must give a ParsedQuery or a
// SoqlError (Salesforce's MALFORMED_QUERY shape), never a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "soql_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view soql(reinterpret_cast<const char*>(data), size);
  (void)chpeer::sf::soql::Parse(soql);
  return 0;
}
