// libFuzzer target: the admin HTTP request path without sockets. The input is the bytes a client
// sends; they go through the server's own Beast request parser with its limits
// (request_reading.hpp) and, for every request they hold (keep-alive pipelining included), through
// the AdminRouter (routing, 405, bearer auth, JSON bodies, error mapping) to a FakeAdminBackend.
// Any input must end as a parse refusal or a response, never a crash, a hang or UB. The seeds
// carry the bearer token kToken so that the API routes behind auth are reached.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "admin_router.hpp"
#include "bearer_auth.hpp"
#include "fake_admin_backend.hpp"
#include "request_reading.hpp"

namespace {
constexpr std::string_view kToken = "fuzz-admin-token";
constexpr int kMaxRequestsPerInput = 16;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chost::admin;
  static const AdminOptions options;
  static const BearerAuth auth(kToken);
  testing::FakeAdminBackend backend;  // fresh per input: its call log would grow otherwise
  const AdminRouter router(backend, auth, "http://127.0.0.1:8080/oauth/callback");

  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < kMaxRequestsPerInput && !rest.empty(); ++i) {
    BeastRequestParser parser;
    limit_request_parser(parser, options);
    parser.eager(true);
    boost::beast::error_code ec;
    const size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (!ec && !parser.is_done()) {
      parser.put_eof(ec);  // the client closed: a request cut short is an error, not a hang
    }
    if (ec || !parser.is_done()) return 0;  // the server answers 400/413/431 and closes
    const HttpResponse response = router.handle(to_http_request(parser.get()));
    if (response.status < 100 || response.status > 599) __builtin_trap();
    // CHOST_FUZZ_PRINT=1 with one input file shows how each request was answered.
    static const bool print = std::getenv("CHOST_FUZZ_PRINT") != nullptr;
    if (print) std::printf("%d %s\n", response.status, response.body.substr(0, 160).c_str());
    if (!parser.get().keep_alive() || used == 0) return 0;
    rest.remove_prefix(used);
  }
  return 0;
}
