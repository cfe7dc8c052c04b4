// The MPI journal (harness/engine/distributed.hpp): written append-only by rank 0, replayed by the next
// run to name the jobs a failed distributed run lost. Needs no MPI.
#include <gtest/gtest.h>

#include <fstream>

#include "harness/engine/distributed.hpp"
#include "harness/core/error.hpp"
#include "tests/test_runner_fixtures.hpp"

namespace {

using mb::json;
using mb::test::TempDir;

// A run of 5 jobs (1 cached) in which A finished, B (rank 0) and C (rank 1) were in flight.
void write_interrupted(const std::string& path) {
  mb::JournalLog log(path);
  log.append({{"suite", "s"}, {"ranks", 2}, {"total", 5}, {"done", 1}});
  log.append({{"run", "A"}, {"rank", 1}, {"what", "cell a"}});
  log.append({{"run", "B"}, {"rank", 0}, {"what", "cell b"}});
  log.append({{"done", "A"}});
  log.append({{"run", "C"}, {"rank", 1}, {"what", "cell c"}});
}

TEST(Journal, ReplayNamesTheJobsHandedOutAndNeverDone) {
  TempDir dir;
  const std::string path = dir.path + "/mpi-journal.jsonl";
  write_interrupted(path);
  const std::string msg = mb::describe_unfinished_journal(path);
  EXPECT_NE(msg.find("suite 's' did not finish (2 of 5 jobs done)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("lost in flight: B (cell b, rank 0) C (cell c, rank 1)"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(" A ("), std::string::npos) << msg;  // finished: not lost
}

TEST(Journal, ALineCutShortByACrashIsSkipped) {
  TempDir dir;
  const std::string path = dir.path + "/mpi-journal.jsonl";
  write_interrupted(path);
  std::ofstream(path, std::ios::app) << "{\"done\":\"C";  // the write the crash interrupted
  const std::string msg = mb::describe_unfinished_journal(path);
  EXPECT_NE(msg.find("C (cell c, rank 1)"), std::string::npos) << msg;
}

TEST(Journal, AFinishedRunOrNoJournalSaysNothing) {
  TempDir dir;
  const std::string path = dir.path + "/mpi-journal.jsonl";
  EXPECT_EQ(mb::describe_unfinished_journal(path), "");
  write_interrupted(path);
  ASSERT_NE(mb::describe_unfinished_journal(path), "");
  {
    std::ofstream(path, std::ios::app) << json{{"finished", true}}.dump() << "\n";
  }
  EXPECT_EQ(mb::describe_unfinished_journal(path), "");
}

TEST(Journal, ANewRunStartsANewJournal) {
  TempDir dir;
  const std::string path = dir.path + "/mpi-journal.jsonl";
  write_interrupted(path);
  {
    mb::JournalLog log(path);
    log.append({{"suite", "t"}, {"ranks", 2}, {"total", 3}, {"done", 0}});
  }
  EXPECT_EQ(mb::describe_unfinished_journal(path), "the previous distributed run of suite 't' did not finish (0 of 3 "
                                                    "jobs done); finished jobs are reused from the cache and only the "
                                                    "missing ones run");
}

TEST(Journal, AnUnwritablePathIsAnErrorNamingIt) {
  TempDir dir;
  const std::string path = dir.path + "/no-such-dir/mpi-journal.jsonl";
  try {
    mb::JournalLog log(path);
    FAIL() << "no error";
  } catch (const mb::Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  mb::JournalLog none("");  // "" writes nothing
  none.append({{"done", "A"}});
}

}  // namespace
