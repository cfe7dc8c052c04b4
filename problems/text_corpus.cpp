// Reading the char-lm corpus (problems/text_corpus.hpp): plain files read as bytes, concatenated,
// cached per (data_dir, files) behind a mutex so that the cells of a suite, built on several
// threads, read each file once.
#include "problems/text_corpus.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>

#include "harness/core/error.hpp"
#include "harness/core/rng.hpp"

namespace mb {

const std::vector<std::string>& common_licence_files() {
  // base-files 10.1 and later (Debian 10 on) ship all of these; their texts were last refreshed in
  // 12.4 (Debian 12), so the stream's bytes (and the problem's numbers) follow the base-files version.
  static const std::vector<std::string> names{"Apache-2.0", "Artistic", "BSD",     "GPL-2",    "GPL-3",  "LGPL-2.1",
                                              "LGPL-3",     "MPL-1.1",  "MPL-2.0", "GFDL-1.3", "CC0-1.0"};
  return names;
}

namespace {

std::shared_ptr<const TextCorpus> read_corpus(const std::string& data_dir, const std::vector<std::string>& files,
                                              const std::string& package, const std::string& context) {
  auto c = std::make_shared<TextCorpus>();
  c->data_dir = data_dir;
  c->files = files;
  for (const auto& name : files) {
    const std::filesystem::path path = std::filesystem::path(data_dir) / name;
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    if (!in || !std::filesystem::is_regular_file(path, ec)) {
      std::string m = context;
      m.append(": corpus file ").append(path.string()).append(" not found: it comes with Debian's ");
      m.append(package).append(" package; set params.data_dir to a folder holding ").append(join(files));
      throw Error(m);
    }
    const std::vector<unsigned char> text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.empty()) {
      std::string m = context;
      m.append(": corpus file ").append(path.string()).append(" is empty");
      throw Error(m);
    }
    c->file_sizes.push_back(static_cast<long>(text.size()));
    c->bytes.insert(c->bytes.end(), text.begin(), text.end());
  }
  std::array<int, 256> id{};
  id.fill(-1);
  for (unsigned char b : c->bytes) id[b] = 0;
  for (int b = 0; b < 256; ++b)
    if (id[b] == 0) {
      id[b] = static_cast<int>(c->vocabulary.size());
      c->vocabulary.push_back(static_cast<unsigned char>(b));
    }
  c->ids.reserve(c->bytes.size());
  for (unsigned char b : c->bytes) c->ids.push_back(id[b]);
  c->train_end = c->size() - c->size() / 10;
  return c;
}

}  // namespace

std::shared_ptr<const TextCorpus> load_text_corpus(const std::string& data_dir, const std::vector<std::string>& files,
                                                   const std::string& package, const std::string& context) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::vector<std::string>>, std::shared_ptr<const TextCorpus>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto key = std::make_pair(data_dir, files);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  auto c = read_corpus(data_dir, files, package, context);  // throws before anything is cached
  cache.emplace(std::move(key), c);
  return c;
}

std::vector<long> training_window_starts(const TextCorpus& c, long context, long count,
                                         std::initializer_list<std::uint64_t> seeds) {
  Rng rng(seeds);
  std::vector<long> s;
  s.reserve(size_t(count));
  for (long i = 0; i < count; ++i) s.push_back(rng.below(c.train_end - context));
  return s;
}

std::vector<long> heldout_window_starts(const TextCorpus& c, long context, long count) {
  const long span = c.size() - context - c.train_end;  // starts train_end .. train_end + span - 1
  std::vector<long> s;
  s.reserve(size_t(count));
  for (long i = 0; i < count; ++i) s.push_back(c.train_end + (count == 1 ? 0 : i * (span - 1) / (count - 1)));
  return s;
}

}  // namespace mb
