// A one-line progress display on stderr while a suite runs:
//   muonbench: 12/40 jobs (3 cached, 1 diverged)  0:23 elapsed  ~0:41 left
// redrawn in place twice a second. It is shown only when asked for or when stderr is a terminal,
// so logs and pipes stay quiet. The estimate is (elapsed / jobs run) x jobs left, jobs taken from
// the cache not counted as work done.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

namespace mb {

class Progress {
 public:
  Progress(size_t total, bool enabled);
  ~Progress();  // erases the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void cached();                          // a job found in the cache
  void finished(const std::string& status);  // a job run to its end ("diverged", "failed", ...)
  bool enabled() const { return enabled_; }
  std::string line() const;               // the current text (for tests)

 private:
  void draw();
  size_t total_;
  bool enabled_;
  std::atomic<size_t> done_{0}, cached_{0}, diverged_{0}, failed_{0};
  double start_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread ticker_;
};

// Whether stderr is a terminal.
bool stderr_is_terminal();
// "1:05" or "1:02:03".
std::string format_duration(double seconds);

}  // namespace mb
