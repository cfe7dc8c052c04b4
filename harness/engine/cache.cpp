#include "harness/engine/cache.hpp"

#include <cstdio>
#include <cstring>
#include <vector>
#include <filesystem>
#include <fstream>

#include "harness/core/atomic_file.hpp"
#include "harness/report/environment.hpp"
#include "harness/core/error.hpp"

namespace mb {

namespace {
// A fast 64-bit hash of a file, 8 bytes at a time (for change detection, not security).
std::string file_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "unreadable";
  std::uint64_t h = 0x9e3779b97f4a7c15ULL, n = 0;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const size_t got = static_cast<size_t>(in.gcount());
    n += got;
    size_t i = 0;
    for (; i + 8 <= got; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, buf.data() + i, 8);
      h = (h ^ w) * 0xff51afd7ed558ccdULL;
      h ^= h >> 32;
    }
    for (; i < got; ++i) h = (h ^ static_cast<unsigned char>(buf[i])) * 0x100000001b3ULL;
  }
  h ^= n;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}
}  // namespace

const std::string& ResultCache::build_fingerprint() {
  static const std::string fp = [] {
    const json env = environment_json(1);
    return version_string() + " " + env.value("git_commit", "unknown") + " " + file_hash("/proc/self/exe");
  }();
  return fp;
}

ResultCache::ResultCache(std::string dir) : dir_(std::move(dir)) {
  if (enabled()) ensure_directory(dir_, "cache directory");
}

std::optional<json> ResultCache::read(const std::string& file, const std::string& id) const {
  if (!enabled()) return std::nullopt;
  const std::string path = dir_ + "/" + file;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  try {
    json j = load_json_file(path, "cache file");
    if (j.value("id", "") != id || j.value("build", "") != build_fingerprint()) return std::nullopt;
    return j;
  } catch (const Error&) {  // unreadable or malformed: not a result; the job reruns and overwrites it
    return std::nullopt;
  }
}

std::optional<CellResult> ResultCache::load(const CellSpec& cell) const {
  const std::string id = cell.id();
  auto j = read(id + ".json", id);
  if (!j || !j->contains("cell") || (*j)["cell"] != cell.to_json()) return std::nullopt;
  try {
    return CellResult::read_from(*j, "cache file");
  } catch (const Error&) {  // not a record of this build's shape: the cell reruns and overwrites it
    return std::nullopt;
  }
}

bool ResultCache::store(const CellSpec& cell, const CellResult& result) const {
  if (!enabled()) return false;
  if (!is_reproducible(result.record.status)) return false;
  const std::string id = cell.id();
  json j = {{"id", id}, {"build", build_fingerprint()}, {"cell", cell.to_json()}};
  result.write_to(j);
  write_file_atomic(dir_ + "/" + id + ".json", j.dump() + "\n");
  return true;
}

std::optional<ClaimResult> ResultCache::load(const ClaimTask& task) const {
  const std::string id = task.id();
  auto j = read("claim-" + id + ".json", id);
  if (!j || j->value("claim", "") != task.claim || j->value("precision", "") != precision_name(task.precision) ||
      !j->contains("outcomes"))
    return std::nullopt;
  return ClaimResult{(*j)["outcomes"], j->value("seconds", 0.0)};
}

void ResultCache::store(const ClaimTask& task, const ClaimResult& result) const {
  if (!enabled()) return;
  const std::string id = task.id();
  const json j = {{"id", id}, {"build", build_fingerprint()}, {"claim", task.claim}, {"precision", precision_name(task.precision)},
                  {"outcomes", result.outcomes}, {"seconds", result.seconds}};
  write_file_atomic(dir_ + "/claim-" + id + ".json", j.dump() + "\n");
}

std::vector<size_t> ResultCache::load_finished(const RunPlan& plan, RunOutput& out) const {
  std::vector<size_t> todo;
  for (size_t i = 0; i < plan.cells.size(); ++i) {
    if (auto r = load(plan.cells[i])) {
      out.cells[plan.cells[i].id()] = std::move(*r);
      ++out.stats.cells_cached;
    } else {
      todo.push_back(i);
    }
  }
  for (size_t i = 0; i < plan.claims.size(); ++i) {
    if (auto r = load(plan.claims[i])) {
      out.claims[plan.claims[i].id()] = std::move(*r);
      ++out.stats.claims_cached;
    } else {
      todo.push_back(plan.cells.size() + i);
    }
  }
  return todo;
}

}  // namespace mb
