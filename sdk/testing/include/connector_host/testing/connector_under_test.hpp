// Binds a chp::Connector class to the FakeHost table without dlopen, so a plugin's unit tests
// drive it through the same ABI adapter CHP_DECLARE_PLUGIN uses:
//   chp::testing::FakeHost host;
//   chp::testing::PluginUnderTest p(chp::testing::descriptor_for_test<MyConnector>(), host);
#ifndef CONNECTOR_HOST_TESTING_CONNECTOR_UNDER_TEST_HPP_
#define CONNECTOR_HOST_TESTING_CONNECTOR_UNDER_TEST_HPP_

#include <connector_host/sdk/plugin.hpp>
#include <connector_host/testing/fake_host.hpp>
#include <connector_host/testing/plugin_under_test.hpp>

namespace chp::testing {

template <chp::detail::ConnectorClass T>
const chp_plugin* descriptor_for_test() noexcept {
  return chp::detail::PluginAdapter<T>::entry(FakeHost::table(), CHP_ABI_VERSION_CURRENT);
}

}  // namespace chp::testing

#endif  // CONNECTOR_HOST_TESTING_CONNECTOR_UNDER_TEST_HPP_
