// harness/core/subprocess.hpp: pipes with deadlines. posix_spawn, not fork: cells run on threads,
// and a forked copy of a multi-threaded process may only call async-signal-safe functions.
#include "harness/core/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace mb {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

// Writing to a pipe whose reader has gone must fail with EPIPE, not kill muonbench with SIGPIPE.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

std::atomic<const std::atomic<bool>*> g_cancel_flag{nullptr};

bool cancel_requested() {
  const std::atomic<bool>* f = g_cancel_flag.load();
  return f && f->load();
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

int milliseconds_until(Subprocess::clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Subprocess::clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left + 1, 0, 100));  // wake at least every 100 ms
}

}  // namespace

void set_subprocess_cancel_flag(const std::atomic<bool>* flag) { g_cancel_flag.store(flag); }

Subprocess::Subprocess(const SpawnOptions& o) : tail_limit_(o.stderr_tail_bytes) {
  ignore_sigpipe_once();
  if (o.argv.empty()) throw SubprocessError(SubprocessError::Kind::start, "empty command");
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw SubprocessError(SubprocessError::Kind::start, "pipe: " + errno_text(errno));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]);
    throw SubprocessError(SubprocessError::Kind::start, "pipe: " + errno_text(errno));
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
    throw SubprocessError(SubprocessError::Kind::start, "pipe: " + errno_text(errno));
  }
  // 1 MiB pipes (the unprivileged maximum): an 8 MB block crosses in 8 wake-ups, not 128.
  for (int fd : {in[1], out[0]}) ::fcntl(fd, F_SETPIPE_SZ, 1 << 20);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  if (o.fd3 >= 0) posix_spawn_file_actions_adddup2(&fa, o.fd3, 3);  // dup2 clears close-on-exec
  if (!o.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, o.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&defaults, s);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group: killed as one, untouched by the terminal's Ctrl-C
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> argv, envp;
  for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : o.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const int rc = ::posix_spawnp(&pid_, argv[0], &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  for (int fd : {in[0], out[1], err[1]}) ::close(fd);
  in_ = in[1], out_ = out[0], err_ = err[0];
  if (rc != 0) {
    for (int fd : {in_, out_, err_}) ::close(fd);
    in_ = out_ = err_ = -1;
    pid_ = -1;
    throw SubprocessError(SubprocessError::Kind::start, "cannot start '" + o.argv[0] + "': " + errno_text(rc));
  }
  for (int fd : {in_, out_, err_}) set_nonblocking(fd);
}

Subprocess::~Subprocess() {
  kill_now();
  for (int fd : {in_, out_, err_})
    if (fd >= 0) ::close(fd);
}

void Subprocess::drain_stderr() {
  if (err_ < 0) return;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(err_, buf, sizeof buf);
    if (n > 0) {
      tail_.append(buf, static_cast<size_t>(n));
      if (tail_.size() > tail_limit_) tail_.erase(0, tail_.size() - tail_limit_);
      continue;
    }
    if (n == 0) ::close(err_), err_ = -1;  // the process closed it (or ended)
    return;                                // EAGAIN: nothing more for now
  }
}

std::string Subprocess::stderr_tail() {
  drain_stderr();
  return tail_;
}

void Subprocess::wait_for(int fd, short events, clock::time_point deadline, const char* doing) {
  for (;;) {
    pollfd p[2] = {{fd, events, 0}, {err_, POLLIN, 0}};
    const int count = err_ >= 0 ? 2 : 1;
    const int rc = ::poll(p, count, milliseconds_until(deadline));
    if (rc < 0 && errno != EINTR) throw SubprocessError(SubprocessError::Kind::io, std::string("poll: ") + errno_text(errno));
    if (count == 2 && (p[1].revents & (POLLIN | POLLHUP))) drain_stderr();
    if (rc > 0 && p[0].revents) return;  // ready, or hung up: the read or write will say which
    if (cancel_requested()) {
      kill_now();
      throw SubprocessError(SubprocessError::Kind::cancelled, std::string("the run was interrupted while ") + doing);
    }
    if (clock::now() >= deadline) {
      kill_now();
      throw SubprocessError(SubprocessError::Kind::timeout, std::string("no answer in time while ") + doing);
    }
  }
}

void Subprocess::write_all(const std::vector<std::pair<const void*, size_t>>& buffers, clock::time_point deadline) {
  if (in_ < 0) throw SubprocessError(SubprocessError::Kind::closed, "its stdin is closed");
  std::vector<iovec> iov;
  for (const auto& [p, n] : buffers)
    if (n) iov.push_back({const_cast<void*>(p), n});
  size_t first = 0;
  while (first < iov.size()) {
    const ssize_t n = ::writev(in_, iov.data() + first, static_cast<int>(std::min<size_t>(iov.size() - first, IOV_MAX)));
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        wait_for(in_, POLLOUT, deadline, "writing to its stdin");
        continue;
      }
      if (errno == EPIPE) throw SubprocessError(SubprocessError::Kind::closed, "it closed its stdin (or exited)");
      throw SubprocessError(SubprocessError::Kind::io, "write: " + errno_text(errno));
    }
    size_t done = static_cast<size_t>(n);
    while (first < iov.size() && done >= iov[first].iov_len) done -= iov[first].iov_len, ++first;
    if (first < iov.size()) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + done;
      iov[first].iov_len -= done;
    }
  }
}

std::string Subprocess::read_line(size_t max_bytes, clock::time_point deadline) {
  for (;;) {
    const auto nl = pending_.find('\n');
    if (nl != std::string::npos) {
      if (nl > max_bytes)
        throw SubprocessError(SubprocessError::Kind::too_long, "a line of " + std::to_string(nl) +
                                                                   " bytes, over the limit of " + std::to_string(max_bytes));
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    if (pending_.size() > max_bytes)
      throw SubprocessError(SubprocessError::Kind::too_long,
                            "more than " + std::to_string(max_bytes) + " bytes without a newline where a line was expected");
    char buf[4096];
    const size_t want = std::min(sizeof buf, max_bytes + 1 - pending_.size());
    const ssize_t n = ::read(out_, buf, want);
    if (n > 0) {
      pending_.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) throw SubprocessError(SubprocessError::Kind::closed, "it closed its stdout (or exited)");
    if (errno != EAGAIN && errno != EINTR) throw SubprocessError(SubprocessError::Kind::io, "read: " + errno_text(errno));
    wait_for(out_, POLLIN, deadline, "waiting for a line on its stdout");
  }
}

void Subprocess::read_exact(void* data, size_t n, clock::time_point deadline) {
  char* dst = static_cast<char*>(data);
  const size_t from_pending = std::min(n, pending_.size());
  std::memcpy(dst, pending_.data(), from_pending);
  pending_.erase(0, from_pending);
  size_t got = from_pending;
  while (got < n) {
    const ssize_t r = ::read(out_, dst + got, n - got);
    if (r > 0) {
      got += static_cast<size_t>(r);
      continue;
    }
    if (r == 0)
      throw SubprocessError(SubprocessError::Kind::closed, "it closed its stdout after " + std::to_string(got) + " of " +
                                                               std::to_string(n) + " bytes");
    if (errno != EAGAIN && errno != EINTR) throw SubprocessError(SubprocessError::Kind::io, "read: " + errno_text(errno));
    wait_for(out_, POLLIN, deadline, "reading data from its stdout");
  }
}

void Subprocess::close_stdin() {
  if (in_ >= 0) ::close(in_), in_ = -1;
}

std::string Subprocess::poll_exit() {
  if (reaped_ || pid_ < 0) return ended_;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r != pid_) return "";
  reaped_ = true;
  ended_ = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
           : WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                                       std::string(strsignal(WTERMSIG(status))) + ")"
                                 : "ended";
  return ended_;
}

std::string Subprocess::finish(clock::time_point deadline) {
  close_stdin();
  for (;;) {
    drain_stderr();
    if (auto e = poll_exit(); !e.empty()) return e;
    if (clock::now() >= deadline || cancel_requested()) {
      kill_now();
      return ended_ + " (killed: it did not exit in time)";
    }
    pollfd p{err_, POLLIN, 0};
    if (err_ >= 0)
      ::poll(&p, 1, 10);
    else
      ::usleep(2000);
  }
}

void Subprocess::kill_now() {
  if (pid_ < 0 || reaped_) return;
  ::kill(-pid_, SIGKILL);  // the whole group: a wrapper script's children too
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  if (ended_.empty())
    ended_ = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                                       std::string(strsignal(WTERMSIG(status))) + ")"
                                 : "exit status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace mb
