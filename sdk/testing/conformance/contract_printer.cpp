// Failure lines that point at the installed contract (see contract_printer.hpp).
#include "contract_printer.hpp"

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <system_error>
#include <utility>

#ifndef CHP_SDK_SOURCE_DIR
#define CHP_SDK_SOURCE_DIR ""
#endif

namespace chp::conformance {
namespace {

namespace fs = std::filesystem;

// The two documents, installed or (a runner in a build tree) in the source tree.
struct Documents {
  std::string abi_header;
  std::string sdk_readme;
};

Documents documents_for(const std::string& exe) {
  std::error_code ec;
  const fs::path prefix = fs::weakly_canonical(fs::path(exe), ec).parent_path().parent_path();
  const fs::path header = prefix / "include/connector_host/plugin_api.h";
  const fs::path readme = prefix / "share/doc/ConnectorHostSDK/README.md";
  if (fs::exists(header, ec)) return {header.string(), readme.string()};
  const fs::path source(CHP_SDK_SOURCE_DIR);  // <repo>/sdk
  return {(source.parent_path() / "plugin-api/include/connector_host/plugin_api.h").string(),
          (source / "README.md").string()};
}

class ContractPrinter final : public ::testing::TestEventListener {
 public:
  ContractPrinter(std::unique_ptr<::testing::TestEventListener> inner, std::string exe)
      : inner_(std::move(inner)), exe_(std::move(exe)) {}

  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (result.type() == ::testing::TestPartResult::kSuccess) return;
    // Not UnitTest::current_test_info(): gtest holds its lock while it reports a result.
    const Contract c = contract_for_suite(suite_, exe_);
    std::printf("%s: Failure (the rule: %s)\n%s\n", c.file.c_str(), c.section.c_str(),
                result.message());
    std::fflush(stdout);
  }

  void OnTestProgramStart(const ::testing::UnitTest& u) override { inner_->OnTestProgramStart(u); }
  void OnTestIterationStart(const ::testing::UnitTest& u, int i) override {
    inner_->OnTestIterationStart(u, i);
  }
  void OnEnvironmentsSetUpStart(const ::testing::UnitTest& u) override {
    inner_->OnEnvironmentsSetUpStart(u);
  }
  void OnEnvironmentsSetUpEnd(const ::testing::UnitTest& u) override {
    inner_->OnEnvironmentsSetUpEnd(u);
  }
  void OnTestSuiteStart(const ::testing::TestSuite& s) override { inner_->OnTestSuiteStart(s); }
  void OnTestStart(const ::testing::TestInfo& t) override {
    suite_ = t.test_suite_name();
    inner_->OnTestStart(t);
  }
  void OnTestDisabled(const ::testing::TestInfo& t) override { inner_->OnTestDisabled(t); }
  void OnTestEnd(const ::testing::TestInfo& t) override { inner_->OnTestEnd(t); }
  void OnTestSuiteEnd(const ::testing::TestSuite& s) override { inner_->OnTestSuiteEnd(s); }
  void OnEnvironmentsTearDownStart(const ::testing::UnitTest& u) override {
    inner_->OnEnvironmentsTearDownStart(u);
  }
  void OnEnvironmentsTearDownEnd(const ::testing::UnitTest& u) override {
    inner_->OnEnvironmentsTearDownEnd(u);
  }
  void OnTestIterationEnd(const ::testing::UnitTest& u, int i) override {
    inner_->OnTestIterationEnd(u, i);
  }
  void OnTestProgramEnd(const ::testing::UnitTest& u) override { inner_->OnTestProgramEnd(u); }

 private:
  std::unique_ptr<::testing::TestEventListener> inner_;
  std::string exe_;
  std::string suite_;  // of the test running
};

}  // namespace

Contract contract_for_suite(const std::string& suite, const std::string& exe) {
  const Documents d = documents_for(exe);
  static const std::map<std::string, std::pair<bool, const char*>> kRules = {
      // suite -> (in the ABI header?, section)
      {"Descriptor", {true, "chp_plugin, \"The plugin descriptor\""}},
      {"Schema", {false, "\"The config schema\""}},
      {"Config", {true, "chp_plugin.create, \"Returns CHP_ERR_CONFIG\""}},
      {"Lifecycle", {true, "chp_plugin.create and chp_plugin.destroy"}},
      {"Disable", {true, "chp_plugin.disable, and \"Instances\" at the top"}},
      {"Robustness", {true, "\"Errors\" at the top, and the chp_status_code values"}},
  };
  auto it = kRules.find(suite);
  if (it == kRules.end()) return {d.abi_header, "the hooks' comments"};
  return {it->second.first ? d.abi_header : d.sdk_readme, it->second.second};
}

void install_contract_printer(const std::string& exe) {
  ::testing::TestEventListeners& listeners = ::testing::UnitTest::GetInstance()->listeners();
  std::unique_ptr<::testing::TestEventListener> inner(
      listeners.Release(listeners.default_result_printer()));
  if (!inner) return;  // --gtest_output or a custom printer already took over
  listeners.Append(new ContractPrinter(std::move(inner), exe));
}

}  // namespace chp::conformance
