// System clock and random source.
#include "chost/runtime/clock.hpp"

#include <chrono>
#include <mutex>
#include <random>

namespace chost::runtime {
namespace {

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t steady_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

class SystemRandom final : public RandomSource {
 public:
  double uniform01() override {
    std::lock_guard<std::mutex> lock(mu_);
    return dist_(engine_);
  }

 private:
  std::mutex mu_;
  std::mt19937_64 engine_{std::random_device{}()};
  std::uniform_real_distribution<double> dist_{0.0, 1.0};
};

}  // namespace

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

RandomSource& system_random() {
  static SystemRandom random;
  return random;
}

}  // namespace chost::runtime
