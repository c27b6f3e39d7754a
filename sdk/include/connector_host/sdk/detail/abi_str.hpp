// Internal: conversions between std::string_view and the ABI's borrowed chp_str, and a
// chp_sink that appends into a std::string. Not part of the public SDK surface.
#ifndef CONNECTOR_HOST_SDK_DETAIL_ABI_STR_HPP_
#define CONNECTOR_HOST_SDK_DETAIL_ABI_STR_HPP_

#include <connector_host/plugin_api.h>

#include <string>
#include <string_view>

namespace chp::detail {

inline chp_str to_chp(std::string_view s) noexcept { return chp_str{s.data(), s.size()}; }

inline std::string_view from_chp(chp_str s) noexcept {
  return s.ptr == nullptr ? std::string_view{} : std::string_view{s.ptr, s.len};
}

// chp_sink target: `user` is a std::string*. Appends, because some callbacks may deliver a
// value in several chunks. The ABI forbids exceptions across the line, so allocation
// failure is swallowed here and shows up as a truncated value.
inline void append_sink(void* user, chp_str data) noexcept {
  try {
    static_cast<std::string*>(user)->append(from_chp(data));
  } catch (...) {
  }
}

}  // namespace chp::detail

#endif  // CONNECTOR_HOST_SDK_DETAIL_ABI_STR_HPP_
