#pragma once
// Reading and checking a plugin's descriptor straight from its file, before dlopen().
//
// dlopen() runs a library's static initializers, so a plugin built against another ABI could
// crash the daemon before the host ever sees its descriptor. Instead the host parses the ELF
// file itself: it finds the `.capstan_plugin` section (where CAPSTAN_PLUGIN places the
// PluginDescriptor) and the dynamic symbol table, and checks both against this host. Only a
// file that passes checkPluginFile() is handed to the loader.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/plugin.h"
#include "capstan/status.h"

namespace capstan::plugin {

// The section the descriptor is placed in, and the one symbol a plugin exports. The section
// name has a leading dot because GNU as keeps section and symbol names in one table: it can
// never collide with the `capstan_plugin` symbol (or any C identifier).
inline constexpr std::string_view kDescriptorSection = ".capstan_plugin";
inline constexpr std::string_view kDescriptorSymbol = "capstan_plugin";

// The leading fields every descriptor layout keeps (magic, descriptorSize, pluginAbi), so a
// plugin built against another plugin ABI can still be named and refused precisely.
inline constexpr std::size_t kStableDescriptorPrefix = 3 * sizeof(std::uint32_t);

// What the file says about itself. Nothing here has been checked against the host yet.
struct PluginFileInfo {
  // The section's bytes as a PluginDescriptor. When the section is shorter than this host's
  // PluginDescriptor the rest is zero. `factory` holds unrelocated file bytes: never call it.
  PluginDescriptor descriptor{};
  std::uint64_t descriptorOffset = 0;  // file offset of the section
  std::uint64_t descriptorBytes = 0;   // size of the section
  // Defined GLOBAL / WEAK / GNU_UNIQUE symbols with default or protected visibility in
  // .dynsym: what the library exports to the dynamic linker.
  std::vector<std::string> exportedSymbols;
  // Exported symbols bound STB_GNU_UNIQUE: they keep dlclose() from ever unloading the library.
  std::vector<std::string> uniqueSymbols;
};

// Parses `image` (a whole file's bytes) as an ELF64 shared object for this host's machine and
// extracts the descriptor section and the exported symbols. Every offset is bounds-checked: a
// file that is not ELF, is truncated or is malformed yields InvalidArgument, a shared object
// without the descriptor section yields InvalidArgument saying it is not a Capstan plugin.
// `fileName` only names the file in messages.
Result<PluginFileInfo> parsePluginImage(std::span<const std::byte> image, const std::string& fileName);

// Reads the whole file (NotFound / Unavailable if it cannot be read), then parsePluginImage().
Result<std::vector<std::byte>> readFileBytes(const std::filesystem::path& file);
Result<PluginFileInfo> readPluginFile(const std::filesystem::path& file);

// Checks the descriptor and the exports against this host, in this order: magic, plugin ABI
// (first, because a different plugin ABI may have a different layout, so later fields would
// be misread), descriptorSize, __GXX_ABI_VERSION, _GLIBCXX_USE_CXX11_ABI, compiler, the
// descriptor's strings, and finally that `capstan_plugin` is the one and only export.
// A mismatch is FailedPrecondition (a rebuild fixes it) and names the file and both sides; a
// malformed descriptor (a string field empty or not NUL-terminated) is InvalidArgument.
Status checkPluginFile(const PluginFileInfo& info, const std::string& fileName);

// Compiler policy: the compiler family ("g++") and the major version must be equal; minor
// and patch releases may differ. Within one GCC major the C++ ABI, libstdc++'s layouts and
// the code generated for the plugin-api's inline functions do not change, while across
// majors C++20 library types (not yet ABI-stable in GCC 12) may. A string that does not
// parse as "<family> <major>[.<minor>[.<patch>]]" is compatible only if equal to the host's.
bool compilersCompatible(std::string_view pluginCompiler, std::string_view hostCompiler);

// The compiler identification this host was built with (CAPSTAN_COMPILER_ID).
std::string_view hostCompiler();

// "service, scheduler.filter" -> {"service", "scheduler.filter"}; blanks around items and
// empty items are dropped.
std::vector<std::string> splitKinds(std::string_view kinds);

// A fixed-size descriptor field as a string, up to its first NUL (or the whole field).
template <std::size_t N>
std::string_view fieldString(const char (&field)[N]) {
  std::size_t n = 0;
  while (n < N && field[n] != '\0') ++n;
  return {field, n};
}

}  // namespace capstan::plugin
