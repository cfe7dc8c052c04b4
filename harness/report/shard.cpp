// Shard files: `muonbench run --shard k/N` writes one; `muonbench merge` checks and joins them
// (harness/report/report.hpp).
#include <set>

#include "harness/core/error.hpp"
#include "harness/engine/cache.hpp"
#include "harness/report/environment.hpp"
#include "harness/report/report.hpp"

namespace mb {

std::string shard_file_name(int k, int n) { return "shard-" + std::to_string(k) + "-of-" + std::to_string(n) + ".json"; }

json make_shard(const Suite& suite, int k, int n, const RunOutput& out, const RunInfo& info) {
  json cells = json::array(), claims = json::array();
  for (const auto& [id, r] : out.cells) {
    json c = {{"id", id}};
    r.write_to(c);
    cells.push_back(c);
  }
  for (const auto& [id, r] : out.claims)
    claims.push_back({{"id", id}, {"outcomes", r.outcomes}, {"seconds", r.seconds}});
  const RunStats& st = info.stats;
  return {{"schema", "muonbench.shard"},
          {"schema_version", kReportSchemaVersion},
          {"muonbench_version", version_string()},
          {"build", ResultCache::build_fingerprint()},
          {"shard", {k, n}},
          {"suite", {{"name", suite.name}, {"source", suite.source}, {"hash", suite.hash()}, {"spec", suite.spec}}},
          {"cells", cells},
          {"claims", claims},
          {"run", {{"environment", environment_json(info.threads)},
                   {"started", info.started},
                   {"finished", info.finished},
                   {"wall_seconds", info.wall_seconds},
                   {"cells_run", st.cells_run},
                   {"cells_cached", st.cells_cached}}}};
}

MergedRun merge_shards(const std::vector<json>& shards, const std::vector<std::string>& names) {
  if (shards.empty()) throw Error("merge: no shard files given");
  MergedRun m;
  int n = 0;
  std::string hash;
  std::set<int> seen;
  double wall = 0;
  m.info.shards = json::array();
  for (size_t i = 0; i < shards.size(); ++i) {
    // A shard that parses but lacks a field (cut short, edited) is bad input naming its file.
    try {
      const json& s = shards[i];
      const std::string& f = names[i];
      if (!s.is_object() || s.value("schema", "") != "muonbench.shard")
        throw Error("merge: " + f + " is not a muonbench shard file (schema 'muonbench.shard')");
      if (s.value("schema_version", 0) != kReportSchemaVersion)
        throw Error("merge: " + f + " has schema_version " + s.value("schema_version", json(0)).dump() + ", expected " +
                    std::to_string(kReportSchemaVersion));
      const int k = s.at("shard").at(0).get<int>(), nn = s.at("shard").at(1).get<int>();
      if (nn < 1 || nn > 1000000 || k < 1 || k > nn)
        throw Error("merge: " + f + ": shard " + std::to_string(k) + "/" + std::to_string(nn) + " is not a shard k/N");
      if (i == 0) {
        n = nn;
        hash = s.at("suite").at("hash").get<std::string>();
        m.suite = parse_suite(s.at("suite").at("spec"), s.at("suite").at("source").get<std::string>());
        m.info.started = s.at("run").at("started").get<std::string>();
        m.info.threads = s.at("run").at("environment").value("threads", 1);
      }
      if (nn != n) throw Error("merge: " + f + " is shard " + std::to_string(k) + "/" + std::to_string(nn) +
                               " but " + names[0] + " is of " + std::to_string(n) + " shards");
      if (s.at("suite").at("hash") != hash)
        throw Error("merge: " + f + " is from another suite (or another version of it) than " + names[0]);
      // Every shard's spec must be the one its hash names (a shard edited by hand is refused).
      if (content_hash(s.at("suite").at("spec").dump()) != s.at("suite").at("hash").get<std::string>())
        throw Error("merge: " + f + ": the suite's hash does not match its spec");
      if (!seen.insert(k).second) throw Error("merge: shard " + std::to_string(k) + " given twice (" + f + ")");
      if (s.value("build", "") != shards[0].value("build", ""))
        throw Error("merge: " + f + " was produced by another build of muonbench than " + names[0] +
                    " (results of different builds are not merged)");
      for (const auto& c : s.at("cells"))
        m.cells[c.at("id").get<std::string>()] = CellResult::read_from(c, "merge: " + f + ": cell");
      for (const auto& c : s.at("claims"))
        m.claims[c.at("id").get<std::string>()] = {c.at("outcomes"), c.at("seconds").get<double>()};
      const json& run = s.at("run");
      m.info.started = std::min(m.info.started, run.at("started").get<std::string>());
      m.info.finished = std::max(m.info.finished, run.at("finished").get<std::string>());
      wall = std::max(wall, run.at("wall_seconds").get<double>());
      m.info.stats.cells_run += run.value("cells_run", size_t(0));
      m.info.stats.cells_cached += run.value("cells_cached", size_t(0));
      m.info.shards.push_back({{"shard", s.at("shard")}, {"file", f}, {"run", run}});
    } catch (const json::exception& e) {
      throw Error("merge: " + names[i] + " is not a complete muonbench shard file: " + e.what());
    }
  }
  std::vector<std::string> absent;
  for (int k = 1; k <= n; ++k)
    if (!seen.count(k)) absent.push_back(std::to_string(k) + "/" + std::to_string(n));
  if (!absent.empty()) throw Error("merge: missing shard(s) " + join(absent));
  m.info.wall_seconds = wall;
  for (const auto& [id, r] : m.cells) m.info.stats.count_status(r.record.status);
  return m;
}

}  // namespace mb
