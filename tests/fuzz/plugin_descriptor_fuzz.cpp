// libFuzzer target: the loader's validation of a plugin's chp_plugin descriptor
// (read_descriptor: ABI major/minor and struct_size rules, the name rule, required members,
// the config JSON Schema checked against draft-07 and the host's keyword rules, the hooks a
// capability needs). The input fills one descriptor: a fixed prefix sets the header, the
// capability bits and which hooks are present; the rest is split at NUL bytes into name,
// version, description and config schema. Any input must give a descriptor or one config
// error, never a crash, a hang or UB. The descriptor is copied into a buffer of exactly
// struct_size bytes (when smaller than chp_plugin) so ASan catches a read past it.
#include <connector_host/plugin_api.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "chost/loader/plugin_descriptor.hpp"

namespace {

// Stand-in hooks: read_descriptor only looks at which are present, it never calls them.
chp_status_code fake_create(chp_host_ctx*, chp_call*, chp_str, chp_instance**) { return CHP_OK; }
chp_status_code fake_hook(chp_instance*, chp_call*, chp_str) { return CHP_OK; }
void fake_destroy(chp_instance*) {}
chp_status_code fake_validate(chp_str, chp_sink, void*) { return CHP_OK; }

struct Reader {
  const uint8_t* data;
  size_t size;
  template <typename T>
  T take() {
    T value{};
    const size_t n = size < sizeof(T) ? size : sizeof(T);
    std::memcpy(&value, data, n);
    data += n;
    size -= n;
    return value;
  }
  // Up to the next NUL (or the end); nullopt-like flag when nothing is left.
  std::string take_string(bool& present) {
    present = size > 0;
    const uint8_t* end = static_cast<const uint8_t*>(std::memchr(data, 0, size));
    const size_t n = end != nullptr ? static_cast<size_t>(end - data) : size;
    std::string s(reinterpret_cast<const char*>(data), n);
    const size_t used = end != nullptr ? n + 1 : n;
    data += used;
    size -= used;
    return s;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in{data, size};
  // Header: the size is taken near the real one most of the time, so the checks behind the
  // size rule are reached; the ABI is 1.<minor> unless the major byte says otherwise.
  const auto size_delta = in.take<int8_t>();
  const auto major_byte = in.take<uint8_t>();
  const auto minor = in.take<uint8_t>();
  const auto hooks_mask = in.take<uint8_t>();
  const auto capabilities = in.take<uint64_t>();

  bool has_name = false, has_version = false, has_description = false, has_schema = false;
  const std::string name = in.take_string(has_name);
  const std::string version = in.take_string(has_version);
  const std::string description = in.take_string(has_description);
  const std::string schema = in.take_string(has_schema);

  chp_plugin d;
  std::memset(&d, 0, sizeof d);
  const int64_t struct_size = static_cast<int64_t>(sizeof(chp_plugin)) + size_delta;
  d.struct_size = static_cast<uint32_t>(struct_size < 8 ? 8 : struct_size);
  d.abi_major = major_byte < 0xf0 ? CHP_ABI_MAJOR : major_byte & 0x0f;
  d.abi_minor = minor % 8;
  d.name = has_name ? name.c_str() : nullptr;
  d.version = has_version ? version.c_str() : nullptr;
  d.description = has_description ? description.c_str() : nullptr;
  d.config_schema_json = has_schema ? schema.c_str() : nullptr;
  d.capabilities = capabilities;
  if (hooks_mask & 0x01) d.create = &fake_create;
  if (hooks_mask & 0x02) d.authorize = &fake_hook;
  if (hooks_mask & 0x04) d.refresh = &fake_hook;
  if (hooks_mask & 0x08) d.disable = &fake_hook;
  if (hooks_mask & 0x10) d.sync = &fake_hook;
  if (hooks_mask & 0x20) d.destroy = &fake_destroy;
  if (hooks_mask & 0x40) d.validate = &fake_validate;

  // A plugin whose struct is shorter than this host's owns only struct_size bytes: give the
  // loader exactly those (heap, so ASan sees an overread).
  const size_t owned = d.struct_size < sizeof d ? d.struct_size : sizeof d;
  std::vector<unsigned char> bytes(owned);
  std::memcpy(bytes.data(), &d, owned);
  (void)chost::loader::read_descriptor(reinterpret_cast<const chp_plugin*>(bytes.data()),
                                       "fuzz.so");
  return 0;
}
