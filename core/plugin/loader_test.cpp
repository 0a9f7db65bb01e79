#include "plugin/loader.h"

#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "plugin/descriptor.h"
#include "plugin/test_support.h"

namespace capstan::plugin {
namespace {

namespace t = testing;
namespace fs = std::filesystem;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("sha256Hex") {
  const std::string abc = "abc";
  std::vector<std::byte> bytes(abc.size());
  std::memcpy(bytes.data(), abc.data(), abc.size());
  CHECK(sha256Hex(bytes) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256Hex({}) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("a plugin is loaded from a content-addressed, read-only copy") {
  t::TempDir dir;
  LibraryLoader loader(dir / "cache");
  const fs::path file = t::pluginFile("echo-v1.so");
  auto library = loader.load(file);
  REQUIRE(library.ok());
  const LoadedLibrary& lib = **library;

  auto hash = LibraryLoader::contentHash(file);
  REQUIRE(hash.ok());
  CHECK(lib.sha256() == *hash);
  CHECK(lib.sourcePath() == file);
  CHECK(lib.loadedPath() == dir / "cache" / (hash->substr(0, kCacheHashPrefix) + "-echo-v1.so"));
  CHECK(lib.pluginName() == "echo");
  CHECK(lib.version() == "1.0.0");
  CHECK(lib.kinds() == std::vector<std::string>{"service"});
  CHECK(lib.hasKind("service"));
  CHECK(lib.descriptor().factory != nullptr);
  CHECK(t::mappedLibraries(dir.path(), "echo-v1") == 1);

  struct stat st {};
  REQUIRE(::stat(lib.loadedPath().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0444);
  REQUIRE(::stat((dir / "cache").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  SECTION("the same content reuses the copy and the image") {
    auto again = loader.load(file);
    REQUIRE(again.ok());
    CHECK((*again)->loadedPath() == lib.loadedPath());
    CHECK(t::mappedLibraries(dir.path(), "echo") == 1);
  }
  SECTION("the image is unmapped when the last owner goes") {
    library = Status::aborted("dropped");
    CHECK(t::mappedLibraries(dir.path(), "echo") == 0);
  }
}

TEST_CASE("a rebuilt file at the same path is loaded as new code") {
  t::TempDir dir;
  LibraryLoader loader(dir / "cache");
  const fs::path path = dir / "echo.so";
  fs::copy_file(t::pluginFile("echo-v1.so"), path);
  auto first = loader.load(path);
  REQUIRE(first.ok());
  fs::copy_file(t::pluginFile("echo-v2.so"), path, fs::copy_options::overwrite_existing);
  auto second = loader.load(path);
  REQUIRE(second.ok());
  CHECK((*first)->version() == "1.0.0");
  CHECK((*second)->version() == "2.0.0");
  CHECK((*first)->loadedPath() != (*second)->loadedPath());
  CHECK(t::mappedLibraries(dir.path(), "echo") == 2);
}

TEST_CASE("a stale or damaged copy in the cache is replaced, not trusted") {
  t::TempDir dir;
  LibraryLoader loader(dir / "cache");
  const fs::path file = t::pluginFile("echo-v1.so");
  auto hash = LibraryLoader::contentHash(file);
  REQUIRE(hash.ok());
  fs::create_directories(dir / "cache");
  fs::permissions(dir / "cache", fs::perms::owner_all);
  const fs::path cached = dir / "cache" / (hash->substr(0, kCacheHashPrefix) + "-echo-v1.so");
  fs::copy_file(t::pluginFile("echo-v2.so"), cached);  // right name, wrong bytes
  auto library = loader.load(file);
  REQUIRE(library.ok());
  CHECK((*library)->version() == "1.0.0");
}

TEST_CASE("an unresolved symbol fails the load with the dynamic linker's message") {
  t::TempDir dir;
  LibraryLoader loader(dir / "cache");
  const std::string file = t::pluginFile("test-unresolved-symbol.so").string();
  auto library = loader.load(file);
  REQUIRE_FALSE(library.ok());
  CHECK(library.status().code() == Code::kFailedPrecondition);
  CHECK(contains(library.status().message(), "plugin " + file + ": cannot be loaded: "));
  CHECK(contains(library.status().message(), "undefined symbol: capstan_test_never_defined"));
  CHECK(t::mappedLibraries(dir.path(), "unresolved") == 0);
}

TEST_CASE("a refused file is never copied nor mapped") {
  t::TempDir dir;
  LibraryLoader loader(dir / "cache");
  auto library = loader.load(t::pluginFile("test-bad-abi.so"));
  REQUIRE_FALSE(library.ok());
  CHECK(contains(library.status().message(), "plugin ABI 999"));
  CHECK_FALSE(fs::exists(dir / "cache"));
}

TEST_CASE("a cache directory other users may write to is refused") {
  t::TempDir dir;
  fs::create_directories(dir / "cache");
  fs::permissions(dir / "cache", fs::perms::all);
  LibraryLoader loader(dir / "cache");
  auto library = loader.load(t::pluginFile("echo-v1.so"));
  REQUIRE_FALSE(library.ok());
  CHECK(library.status().code() == Code::kFailedPrecondition);
  CHECK(contains(library.status().message(), "is writable by other users"));
}

TEST_CASE("a missing file is NotFound") {
  t::TempDir dir;
  LibraryLoader loader(dir / "cache");
  auto library = loader.load(dir / "nothing.so");
  REQUIRE_FALSE(library.ok());
  CHECK(library.status().code() == Code::kNotFound);
  CHECK(contains(library.status().message(), (dir / "nothing.so").string()));
}

}  // namespace capstan::plugin
