// The character stream of the char-lm problem: text files a Debian package ships, concatenated as
// bytes in a fixed order, with the sorted set of bytes present as the vocabulary and the last
// 10 % of the stream held out. Scalar-free (problems/text_corpus.cpp is compiled once).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "harness/problem.hpp"

namespace mb {

struct TextCorpus {
  std::string data_dir;
  std::vector<std::string> files;       // in stream order
  std::vector<long> file_sizes;         // bytes of each file
  std::vector<unsigned char> bytes;     // the concatenation
  std::vector<unsigned char> vocabulary;  // the distinct bytes, ascending (token id = index here)
  std::vector<int> ids;                 // token id of every byte of the stream
  long train_end = 0;                   // bytes [0, train_end) train, [train_end, size) held out

  long size() const { return static_cast<long>(bytes.size()); }
  long vocabulary_size() const { return static_cast<long>(vocabulary.size()); }
};

// The licence texts of Debian's base-files package (/usr/share/common-licenses), one file per
// licence (the unversioned symlinks GPL -> GPL-3 etc. are not listed: no text counted twice).
const std::vector<std::string>& common_licence_files();
inline constexpr const char* kCommonLicencesDir = "/usr/share/common-licenses";

// The corpus of `files` under `data_dir`, read once per process for each (data_dir, files) and
// shared (thread-safe). The held-out part is the last floor(size / 10) bytes. A missing or empty
// file throws Error: "<context>: corpus file <path> not found: it comes with Debian's <package>
// package; set params.data_dir to a folder holding <files>".
std::shared_ptr<const TextCorpus> load_text_corpus(const std::string& data_dir, const std::vector<std::string>& files,
                                                   const std::string& package, const std::string& context);

// Window starts: a window at s holds the inputs s .. s + context - 1 and the next-byte targets
// s + 1 .. s + context. Training windows lie in [0, train_end): s uniform in [0, train_end - context),
// drawn from Rng(seeds). Held-out windows lie in [train_end, size): `count` starts evenly spaced
// from train_end to size - context - 1 (deterministic).
std::vector<long> training_window_starts(const TextCorpus& c, long context, long count,
                                         std::initializer_list<std::uint64_t> seeds);
std::vector<long> heldout_window_starts(const TextCorpus& c, long context, long count);

// Test hooks of the char-lm problem (defined in problems/char_lm.cpp for every scalar); `p` must be
// a char-lm instance (else Error). Its windows: the fixed training sample of value(), the held-out
// windows of evaluate(), minibatch (seed, step); and the loss at each position (B x context) of the
// windows `starts` read from the token stream `ids` (a copy of corpus().ids, possibly edited).
struct CharLmWindows {
  std::shared_ptr<const TextCorpus> corpus;
  long context = 0;
  std::vector<long> eval, heldout;
};
template <class T>
CharLmWindows char_lm_windows(const Problem<T>& p);
template <class T>
std::vector<long> char_lm_minibatch_starts(const Problem<T>& p, std::uint64_t seed, long step);
template <class T>
Mat<T> char_lm_position_losses(const Problem<T>& p, const Params<T>& w, const std::vector<long>& starts,
                               const std::vector<int>& ids);

}  // namespace mb
