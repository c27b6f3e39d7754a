// The conformance runner's failure lines: each failed check names the file that states the rule
// it enforces, as the plugin's author has it (the installed plugin_api.h or SDK README next to
// this runner), instead of gtest's file:line inside the runner's own sources, which an author
// who installed the SDK does not have.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace chp::conformance {

// Where a suite's rule is written: "<file> (<section>)".
struct Contract {
  std::string file;
  std::string section;
};

// `exe` is this runner's path: <prefix>/bin/chp-conformance finds <prefix>/include/... and
// <prefix>/share/doc/ConnectorHostSDK/README.md; a runner in a build tree, the source tree's.
Contract contract_for_suite(const std::string& suite, const std::string& exe);

// Replaces gtest's default printer (it delegates everything but the failure lines to it).
void install_contract_printer(const std::string& exe);

}  // namespace chp::conformance
