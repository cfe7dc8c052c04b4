#include "harness/engine/progress.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace mb {

namespace {
double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) s = 0;
  const long t = std::lround(s);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

Progress::Progress(size_t total, bool enabled) : total_(total), enabled_(enabled), start_(now_seconds()) {
  if (!enabled_) return;
  ticker_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      draw();
      lock.lock();
      cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; });
    }
  });
}

Progress::~Progress() {
  if (!enabled_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  ticker_.join();
  std::fprintf(stderr, "\r%s\n", line().c_str());
  std::fflush(stderr);
}

void Progress::cached() {
  ++cached_;
  ++done_;
}

void Progress::finished(const std::string& status) {
  if (status == "diverged") ++diverged_;
  if (status == "failed") ++failed_;
  ++done_;
  if (enabled_) draw();
}

std::string Progress::line() const {
  const size_t done = done_.load(), cached = cached_.load();
  const double elapsed = now_seconds() - start_;
  std::string s = "muonbench: " + std::to_string(done) + "/" + std::to_string(total_) + " jobs";
  std::string extra;
  if (cached) extra += std::to_string(cached) + " cached";
  if (diverged_) extra += (extra.empty() ? "" : ", ") + std::to_string(diverged_.load()) + " diverged";
  if (failed_) extra += (extra.empty() ? "" : ", ") + std::to_string(failed_.load()) + " failed";
  if (!extra.empty()) s += " (" + extra + ")";
  s += "  " + format_duration(elapsed) + " elapsed";
  const size_t ran = done - cached, left = total_ - done;
  if (ran > 0 && left > 0) s += "  ~" + format_duration(elapsed / static_cast<double>(ran) * left) + " left";
  return s;
}

void Progress::draw() {
  std::lock_guard<std::mutex> lock(mu_);
  // \r then the line, padded so a shorter line erases a longer one.
  std::fprintf(stderr, "\r%-78s", line().c_str());
  std::fflush(stderr);
}

}  // namespace mb
