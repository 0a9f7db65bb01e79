#include "plugin/descriptor.h"

#include <elf.h>

#include <cstddef>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "plugin/test_support.h"

namespace capstan::plugin {
namespace {

namespace t = testing;

std::vector<std::byte> fileBytes(std::string_view name) {
  auto bytes = readFileBytes(t::pluginFile(name));
  REQUIRE(bytes.ok());
  return *bytes;
}

// Parse and check an in-memory image, as the loader does with a file's bytes.
Status checkImage(const std::vector<std::byte>& image, const std::string& fileName) {
  auto info = parsePluginImage(image, fileName);
  if (!info.ok()) return info.status();
  return checkPluginFile(*info, fileName);
}

// A copy of echo-v1.so's bytes whose descriptor field at `fieldOffset` is overwritten.
template <class T>
std::vector<std::byte> echoWithField(std::size_t fieldOffset, const T& value) {
  std::vector<std::byte> image = fileBytes("echo-v1.so");
  auto info = parsePluginImage(image, "echo-v1.so");
  REQUIRE(info.ok());
  std::memcpy(image.data() + info->descriptorOffset + fieldOffset, &value, sizeof value);
  return image;
}

template <std::size_t N>
std::vector<std::byte> echoWithString(std::size_t fieldOffset, std::string_view text) {
  char field[N] = {};
  std::memcpy(field, text.data(), std::min(text.size(), N));
  std::vector<std::byte> image = fileBytes("echo-v1.so");
  auto info = parsePluginImage(image, "echo-v1.so");
  REQUIRE(info.ok());
  std::memcpy(image.data() + info->descriptorOffset + fieldOffset, field, N);
  return image;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the descriptor and the exports are read from the file without loading it") {
  const auto file = t::pluginFile("echo-v1.so");
  auto info = readPluginFile(file);
  REQUIRE(info.ok());
  const PluginDescriptor& d = info->descriptor;
  CHECK(d.magic == kDescriptorMagic);
  CHECK(d.pluginAbi == kPluginAbiVersion);
  CHECK(d.descriptorSize == sizeof(PluginDescriptor));
  CHECK(info->descriptorBytes == sizeof(PluginDescriptor));
  CHECK(fieldString(d.name) == "echo");
  CHECK(fieldString(d.version) == "1.0.0");
  CHECK(fieldString(d.kinds) == "service");
  CHECK(fieldString(d.compiler) == hostCompiler());
  CHECK(info->exportedSymbols == std::vector<std::string>{"capstan_plugin"});
  CHECK(info->uniqueSymbols.empty());
  CHECK(checkPluginFile(*info, file.string()).ok());
  // Reading it mapped nothing.
  CHECK(t::mappedLibraries(std::filesystem::canonical(t::pluginDir()), "echo-v1") == 0);
}

TEST_CASE("a plugin built against another plugin ABI is refused, naming both ABIs") {
  const std::string file = t::pluginFile("test-bad-abi.so").string();
  auto info = readPluginFile(file);
  REQUIRE(info.ok());
  Status status = checkPluginFile(*info, file);
  CHECK(status.code() == Code::kFailedPrecondition);
  CHECK(status.message() == "plugin " + file + ": plugin ABI 999 does not match the host's plugin ABI " +
                                std::to_string(kPluginAbiVersion) +
                                " (rebuild the plugin against this Capstan's plugin-api)");
}

TEST_CASE("a plugin exporting more than its descriptor is refused, naming the extra symbol") {
  const std::string file = t::pluginFile("test-extra-symbol.so").string();
  auto info = readPluginFile(file);
  REQUIRE(info.ok());
  Status status = checkPluginFile(*info, file);
  CHECK(status.code() == Code::kFailedPrecondition);
  CHECK(contains(status.message(), "plugin " + file + ": "));
  CHECK(contains(status.message(), "extra: capstan_test_extra_symbol;"));
  CHECK_FALSE(contains(status.message(), "missing"));
}

TEST_CASE("a plugin not exporting its descriptor is refused, naming the missing symbol") {
  const std::string file = t::pluginFile("test-missing-export.so").string();
  auto info = readPluginFile(file);
  REQUIRE(info.ok());
  Status status = checkPluginFile(*info, file);
  CHECK(status.code() == Code::kFailedPrecondition);
  CHECK(contains(status.message(), "plugin " + file + ": "));
  CHECK(contains(status.message(), "missing: capstan_plugin;"));
  CHECK_FALSE(contains(status.message(), "extra"));
}

TEST_CASE("a library without a descriptor is not a plugin") {
  const std::string file = t::pluginFile("test-not-a-plugin.so").string();
  auto info = readPluginFile(file);
  REQUIRE_FALSE(info.ok());
  CHECK(info.status().code() == Code::kInvalidArgument);
  CHECK(contains(info.status().message(), "plugin " + file + ": not a Capstan plugin"));
}

TEST_CASE("a plugin whose defect only shows when loaded passes the file checks") {
  const std::string file = t::pluginFile("test-unresolved-symbol.so").string();
  auto info = readPluginFile(file);
  REQUIRE(info.ok());
  CHECK(checkPluginFile(*info, file).ok());
}

TEST_CASE("files that are not ELF shared objects are refused clearly") {
  SECTION("not ELF at all") {
    const std::string text = "#!/bin/sh\necho not a library\n";
    std::vector<std::byte> image(text.size());
    std::memcpy(image.data(), text.data(), text.size());
    Status status = checkImage(image, "/x/script.so");
    CHECK(status.code() == Code::kInvalidArgument);
    CHECK(status.message() == "plugin /x/script.so: not an ELF file (a plugin is a shared object, .so)");
  }
  SECTION("empty") {
    Status status = checkImage({}, "/x/empty.so");
    CHECK(contains(status.message(), "not an ELF file"));
  }
  SECTION("truncated anywhere") {
    const std::vector<std::byte> whole = fileBytes("echo-v1.so");
    for (std::size_t size : {std::size_t{10}, std::size_t{63}, std::size_t{64}, std::size_t{1000},
                             whole.size() / 2, whole.size() - 1}) {
      CAPTURE(size);
      std::vector<std::byte> cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(size));
      Status status = checkImage(cut, "/x/cut.so");
      CHECK(status.code() == Code::kInvalidArgument);
      CHECK(contains(status.message(), "plugin /x/cut.so: truncated ELF file"));
    }
  }
  SECTION("32-bit") {
    std::vector<std::byte> image = fileBytes("echo-v1.so");
    image[EI_CLASS] = std::byte{ELFCLASS32};
    CHECK(contains(checkImage(image, "/x/e.so").message(), "is not ELF64"));
  }
  SECTION("another machine") {
    std::vector<std::byte> image = fileBytes("echo-v1.so");
    const std::uint16_t machine = 0x7777;
    std::memcpy(image.data() + offsetof(Elf64_Ehdr, e_machine), &machine, sizeof machine);
    CHECK(contains(checkImage(image, "/x/e.so").message(), "built for ELF machine 30583, the host is"));
  }
  SECTION("an executable") {
    std::vector<std::byte> image = fileBytes("echo-v1.so");
    const std::uint16_t type = ET_EXEC;
    std::memcpy(image.data() + offsetof(Elf64_Ehdr, e_type), &type, sizeof type);
    CHECK(contains(checkImage(image, "/x/e.so").message(), "is not a shared object"));
  }
}

TEST_CASE("every ABI field of the descriptor is checked, and a refusal names both sides") {
  const std::string file = "/x/echo.so";
  SECTION("magic") {
    auto image = echoWithField(offsetof(PluginDescriptor, magic), std::uint32_t{0x12345678});
    CHECK(checkImage(image, file).message() ==
          "plugin /x/echo.so: descriptor magic 0x12345678 is not the host's 0x43505331 (its " +
              std::string(kDescriptorSection) + " section does not hold a Capstan plugin descriptor)");
  }
  SECTION("descriptor size") {
    auto image = echoWithField(offsetof(PluginDescriptor, descriptorSize), std::uint32_t{400});
    CHECK(checkImage(image, file).message() == "plugin /x/echo.so: descriptor size 400 (section: " +
                                                   std::to_string(sizeof(PluginDescriptor)) +
                                                   " bytes) does not match the host's " +
                                                   std::to_string(sizeof(PluginDescriptor)) +
                                                   " (rebuild the plugin against this Capstan's plugin-api)");
  }
  SECTION("__GXX_ABI_VERSION") {
    auto image = echoWithField(offsetof(PluginDescriptor, gxxAbi), std::uint32_t{__GXX_ABI_VERSION - 1});
    Status status = checkImage(image, file);
    CHECK(status.code() == Code::kFailedPrecondition);
    CHECK(status.message() == "plugin /x/echo.so: C++ ABI (__GXX_ABI_VERSION) " +
                                  std::to_string(__GXX_ABI_VERSION - 1) + " does not match the host's " +
                                  std::to_string(__GXX_ABI_VERSION) +
                                  " (rebuild the plugin with the host's toolchain)");
  }
  SECTION("_GLIBCXX_USE_CXX11_ABI") {
    const std::uint32_t other = _GLIBCXX_USE_CXX11_ABI ? 0 : 1;
    auto image = echoWithField(offsetof(PluginDescriptor, cxx11Abi), other);
    CHECK(contains(checkImage(image, file).message(),
                   "plugin /x/echo.so: _GLIBCXX_USE_CXX11_ABI " + std::to_string(other) +
                       " does not match the host's " + std::to_string(_GLIBCXX_USE_CXX11_ABI)));
  }
  SECTION("compiler major version") {
    const std::string older = "g++ " + std::to_string(__GNUC__ - 1) + ".3.0";
    auto image = echoWithString<64>(offsetof(PluginDescriptor, compiler), older);
    CHECK(checkImage(image, file).message() ==
          "plugin /x/echo.so: compiler " + older + " does not match the host's compiler " +
              std::string(hostCompiler()) +
              " (the compiler and its major version must be the same; rebuild the plugin with the host's "
              "toolchain)");
  }
  SECTION("another patch release of the same compiler is accepted") {
    const std::string patch = "g++ " + std::to_string(__GNUC__) + ".99.7";
    auto image = echoWithString<64>(offsetof(PluginDescriptor, compiler), patch);
    CHECK(checkImage(image, file).ok());
  }
  SECTION("a string that runs off its field") {
    auto image = echoWithString<64>(offsetof(PluginDescriptor, name), std::string(64, 'x'));
    CHECK(checkImage(image, file).message() == "plugin /x/echo.so: descriptor field `name` is not NUL-terminated");
  }
  SECTION("an empty version") {
    auto image = echoWithString<32>(offsetof(PluginDescriptor, version), "");
    CHECK(checkImage(image, file).message() == "plugin /x/echo.so: descriptor field `version` is empty");
  }
  SECTION("no kinds") {
    auto image = echoWithString<128>(offsetof(PluginDescriptor, kinds), " , ");
    CHECK(contains(checkImage(image, file).message(), "declares no kinds"));
  }
}

TEST_CASE("a corrupted file never makes the reader read out of bounds") {
  const std::vector<std::byte> original = fileBytes("echo-v1.so");
  auto info = parsePluginImage(original, "echo-v1.so");
  REQUIRE(info.ok());
  Elf64_Ehdr header;
  std::memcpy(&header, original.data(), sizeof header);
  // Corrupt the places the reader trusts most: the ELF header, the section header table and
  // the descriptor; every outcome is fine except a crash (run it under ASan to see more).
  const std::size_t regions[][2] = {
      {0, sizeof(Elf64_Ehdr)},
      {header.e_shoff, std::size_t{header.e_shnum} * sizeof(Elf64_Shdr)},
      {info->descriptorOffset, sizeof(PluginDescriptor)},
  };
  std::mt19937 random(20240601);
  std::vector<std::byte> image = original;  // corrupted in place and restored: no copy per round
  std::size_t refused = 0;
  for (int round = 0; round < 3000; ++round) {
    const auto& region = regions[round % 3];
    std::vector<std::size_t> touched;
    for (int flips = 1 + round % 4; flips > 0; --flips) {
      const std::size_t at = region[0] + random() % region[1];
      image[at] = static_cast<std::byte>(random());
      touched.push_back(at);
    }
    if (!checkImage(image, "/x/corrupt.so").ok()) ++refused;
    for (std::size_t at : touched) image[at] = original[at];
  }
  CHECK(refused > 0);
}

TEST_CASE("compiler compatibility: same family and major version") {
  CHECK(compilersCompatible("g++ 12.2.0", "g++ 12.2.0"));
  CHECK(compilersCompatible("g++ 12.3.1", "g++ 12.2.0"));
  CHECK(compilersCompatible("g++ 12", "g++ 12.2.0"));
  CHECK_FALSE(compilersCompatible("g++ 11.4.0", "g++ 12.2.0"));
  CHECK_FALSE(compilersCompatible("g++ 1.2.0", "g++ 12.2.0"));
  CHECK_FALSE(compilersCompatible("clang++ 12.0.0", "g++ 12.2.0"));
  CHECK_FALSE(compilersCompatible("g++12.2.0", "g++ 12.2.0"));
  CHECK(compilersCompatible("weird", "weird"));
}

TEST_CASE("kinds are a comma-separated list") {
  CHECK(splitKinds("service") == std::vector<std::string>{"service"});
  CHECK(splitKinds(" scheduler.filter ,scheduler.score,, ") ==
        std::vector<std::string>{"scheduler.filter", "scheduler.score"});
  CHECK(splitKinds("").empty());
}

}  // namespace capstan::plugin
