#include "harness/core/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "harness/core/error.hpp"

namespace mb {

void write_file_atomic(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write '" + tmp + "'");
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw Error("failed while writing '" + tmp + "'");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error("cannot rename '" + tmp + "' to '" + path + "'");
  }
}

namespace {
// Whether a file can be created in `dir`: creates and removes a probe (permissions alone do not
// tell: root ignores them, and a read-only file system refuses root too).
bool can_create_in(const std::string& dir, std::string& why) {
  const std::string probe = (dir.empty() ? std::string(".") : dir) + "/.muonbench-probe." + std::to_string(::getpid());
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (!f) {
    why = std::strerror(errno);
    return false;
  }
  std::fclose(f);
  std::remove(probe.c_str());
  return true;
}
}  // namespace

void ensure_directory(const std::string& path, const std::string& field) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_directory(path, ec))
    throw Error(field + ": '" + path + "' exists and is not a directory");
  fs::create_directories(path, ec);
  if (ec || !fs::is_directory(path))
    throw Error(field + ": cannot create directory '" + path + "'" + (ec ? ": " + ec.message() : ""));
  std::string why;
  if (!can_create_in(path, why)) throw Error(field + ": cannot write into directory '" + path + "': " + why);
}

void require_writable_file(const std::string& path, const std::string& field) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty()) throw Error(field + ": the path is empty");
  if (fs::is_directory(path, ec)) throw Error(field + ": '" + path + "' is a directory; give a file name");
  const std::string dir = fs::path(path).parent_path().string();
  if (!dir.empty() && !fs::is_directory(dir, ec))
    throw Error(field + ": cannot write '" + path + "': folder '" + dir + "' does not exist (No such file or directory)");
  std::string why;
  if (!can_create_in(dir, why)) throw Error(field + ": cannot write '" + path + "': " + why);
}

}  // namespace mb
