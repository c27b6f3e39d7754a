// Frames and fields of the plugin-worker protocol, and the socket end that moves them.
#include "worker_wire.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chost::loader::wire {

Writer::Writer(Kind kind, uint8_t op) {
  buf_.assign(4, '\0');  // the length, filled in by finish()
  buf_.push_back(static_cast<char>(kind));
  buf_.push_back(static_cast<char>(op));
}

Writer& Writer::u8(uint8_t v) {
  buf_.push_back(static_cast<char>(v));
  return *this;
}

Writer& Writer::u32(uint32_t v) {
  for (int i = 0; i < 4; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
  return *this;
}

Writer& Writer::u64(uint64_t v) {
  for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
  return *this;
}

Writer& Writer::f64(double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  return u64(bits);
}

Writer& Writer::str(std::string_view v) {
  u32(static_cast<uint32_t>(v.size()));
  buf_.append(v.data(), v.size());
  return *this;
}

const std::string& Writer::finish() {
  const auto n = static_cast<uint32_t>(buf_.size() - 4);
  for (int i = 0; i < 4; ++i) buf_[i] = static_cast<char>((n >> (8 * i)) & 0xffu);
  return buf_;
}

Reader::Reader(std::string_view frame) : data_(frame) {
  kind_ = static_cast<Kind>(u8());
  op_ = u8();
}

bool Reader::take(size_t n, const char** out) {
  if (bad_ || data_.size() - pos_ < n) {
    bad_ = true;
    return false;
  }
  *out = data_.data() + pos_;
  pos_ += n;
  return true;
}

uint8_t Reader::u8() {
  const char* p = nullptr;
  return take(1, &p) ? static_cast<uint8_t>(*p) : 0;
}

uint32_t Reader::u32() {
  const char* p = nullptr;
  if (!take(4, &p)) return 0;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

uint64_t Reader::u64() {
  const char* p = nullptr;
  if (!take(8, &p)) return 0;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

double Reader::f64() {
  const uint64_t bits = u64();
  double v = 0;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

std::string_view Reader::str() {
  const uint32_t n = u32();
  const char* p = nullptr;
  return take(n, &p) ? std::string_view(p, n) : std::string_view();
}

Channel::~Channel() { close(); }

void Channel::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool Channel::fail(std::string message, bool peer_gone) {
  error_ = std::move(message);
  peer_gone_ = peer_gone;
  return false;
}

bool Channel::wait(short events, const WaitCheck& check) {
  for (;;) {
    pollfd p{fd_, events, 0};
    const int rc = ::poll(&p, 1, check ? kTickMs : -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return fail(std::string("poll: ") + std::strerror(errno));
    if (rc > 0) return true;  // ready, or an error/hang-up the next read or send reports
    if (std::optional<std::string> why = check()) return fail(std::move(*why));
  }
}

bool Channel::send(const std::string& frame, const WaitCheck& check) {
  if (fd_ < 0) return fail("channel closed", true);
  size_t done = 0;
  while (done < frame.size()) {
    // MSG_NOSIGNAL: a worker that died must not take the host down with SIGPIPE.
    const ssize_t n =
        ::send(fd_, frame.data() + done, frame.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait(POLLOUT, check)) return false;
      continue;
    }
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) return fail("peer closed", true);
    return fail(std::string("send: ") + std::strerror(errno));
  }
  return true;
}

bool Channel::read_exact(char* out, size_t n, const WaitCheck& check) {
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::recv(fd_, out + done, n - done, MSG_DONTWAIT);
    if (got > 0) {
      done += static_cast<size_t>(got);
      continue;
    }
    if (got == 0) return fail("peer closed", true);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait(POLLIN, check)) return false;
      continue;
    }
    if (errno == ECONNRESET) return fail("peer closed", true);
    return fail(std::string("recv: ") + std::strerror(errno));
  }
  return true;
}

bool Channel::receive(std::string* frame, const WaitCheck& check) {
  if (fd_ < 0) return fail("channel closed", true);
  char len_bytes[4];
  if (!read_exact(len_bytes, sizeof len_bytes, check)) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i)
    n |= static_cast<uint32_t>(static_cast<uint8_t>(len_bytes[i])) << (8 * i);
  if (n < 2 || n > kMaxFrameBytes) {
    return fail("frame of " + std::to_string(n) + " bytes is outside 2.." +
                std::to_string(kMaxFrameBytes));
  }
  frame->resize(n);
  return read_exact(frame->data(), n, check);
}

}  // namespace chost::loader::wire
