// main() of every standalone peer binary (sf-peer, graph-peer, rollworks-peer):
//   <name> --port N [--host 127.0.0.1] [--seed FILE.json] [--threads N]
// Prints the base URL on one line once listening; stops on SIGTERM/SIGINT. `Peer` has
// Start(options, &error), base_url() and Stop(); `Options` has host, port, io_threads and
// seed_path. Header-only so that only the binaries link Boost.Program_options.
#pragma once

#include <csignal>
#include <cstdint>
#include <iostream>
#include <string>

#include <boost/program_options.hpp>

namespace chpeer {

template <class Peer, class Options>
int RunPeerMain(const char* name, int argc, char** argv) {
  namespace po = boost::program_options;
  po::options_description desc(std::string(name) + " options");
  desc.add_options()("help,h", "show help")("port", po::value<int>()->default_value(0),
                                            "TCP port (0 picks a free one)")(
      "host", po::value<std::string>()->default_value("127.0.0.1"), "listen address")(
      "seed", po::value<std::string>(), "seed JSON file")(
      "threads", po::value<int>()->default_value(1), "io threads");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  const int port = vm["port"].as<int>();
  if (port < 0 || port > 65535) {
    std::cerr << name << ": --port must be 0..65535\n";
    return 2;
  }
  // Block the stop signals before any thread starts so only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Options options;
  options.host = vm["host"].as<std::string>();
  options.port = static_cast<std::uint16_t>(port);
  options.io_threads = vm["threads"].as<int>();
  if (vm.count("seed")) options.seed_path = vm["seed"].as<std::string>();
  std::string error;
  auto peer = Peer::Start(options, &error);
  if (!peer) {
    std::cerr << name << ": " << error << "\n";
    return 1;
  }
  std::cout << peer->base_url() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  peer->Stop();
  return 0;
}

}  // namespace chpeer
